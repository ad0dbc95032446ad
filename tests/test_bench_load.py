"""The load benchmark's client (bench/load.py) against a real `streamlit run dashboard.py` on loopback.

One simulated user, signed in by a session made in the store and sent as the `tracker_auth` cookie
on the websocket's handshake, opens the bare URL and switches to the city comparison the way the
browser's frontend does (the page's script hash from the `navigation` message): both runs finish,
the second shows that page's heading, and no run shows an exception. Speed is never asserted here.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from bench import load
from store import users
from store.db import connect
from tests.browser import streamlit_server
from ui.i18n import t


def test_one_user_signs_in_by_cookie_and_switches_page(tmp_path: Path, demo_db: Path) -> None:
    db = tmp_path / "app.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    users.create_demo_users(con)
    con.close()
    [(username, token)] = load.sign_in(db, 1)
    assert username == "leader"

    async def visit(base: str) -> list[load.Run]:
        async with load.Client(base, token) as client:
            landing = await client.open("")
            assert "compare" in client.pages, client.pages  # the leader's menu, as the navigation message listed it
            return [landing, await client.switch("compare")]

    with streamlit_server(db, tmp_path / "server.log", env=load.server_env()) as base:
        landing, compare = asyncio.run(visit(base))

    for run in (landing, compare):
        assert run.error is None and run.exceptions == [], run
        assert run.first is not None and run.done is not None and run.first <= run.done
    assert t("compare_page", "zh") in compare.texts
    assert t("overview", "zh") in landing.texts  # signed in by the cookie: the leader's landing page, no sign-in form
    assert t("compare_page", "zh") not in landing.texts


def test_users_stay_on_one_process_and_spread_over_all() -> None:
    urls = ["http://127.0.0.1:1", "http://127.0.0.1:2", "http://127.0.0.1:3"]
    assert {load.sticky(n, urls[:1]) for n in range(40)} == {urls[0]}
    assert {load.sticky(n, urls) for n in range(40)} == set(urls)
    assert [load.sticky(n, urls) for n in range(40)] == [load.sticky(n, list(urls)) for n in range(40)]
