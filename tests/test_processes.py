"""One writer and two readers as real `streamlit run` processes (issue 19: past one process).

The writer holds the store, serves every page under /w and publishes snapshots; the readers serve
the reading pages from the newest snapshot. A submission waiting in the store is accepted by a
reviewer in Chromium on the writer's review page; a snapshot holding it is published within the
publish interval, and both readers' park pages drawn after it show the figure (the browser's
sign-in cookie, path /, is sent to every port of 127.0.0.1). Before it, neither does;
and before the sign-in a reader sends the browser to the writer.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pandas as pd

from domain.periods import last_complete_quarter
from service import commands
from store import readers, snapshots, users
from store.catalog import default_catalog
from store.db import connect
from tests.browser import BROWSER, ROOT, chromium, demo_app_store, free_port, idle, screenshot, sign_in, streamlit_server

pytestmark = BROWSER
PASSWORD = "processes-test-password"
QUARTER = last_complete_quarter(dt.date.today())
QUARTER_LABEL = f"{QUARTER.year}年1-{QUARTER.end_month}月"
PUBLISH_SECONDS = 1.0


def waiting_submission(db: Path) -> str:
    """The demo firm's software revenue for the quarter, 12,500 万元, submitted and waiting for a
    reviewer (written before any process holds the store); returns the firm's name."""
    con = connect(db)
    try:
        who = users.identity(con, "enterprise")
        catalog = default_catalog()
        indicator = catalog.indicators["software_revenue"]
        rows = pd.DataFrame(
            [[who.scope_org_id, str(QUARTER), "software_revenue", "12500.0", indicator.unit, 1, indicator.code,
              "org", False]],
            columns=[*readers.TIDY_COLUMNS, readers.ROW, readers.COLUMN, readers.ORG_COLUMN, readers.UNIT_GLOBAL])
        checked = commands.check_rows(con, catalog, who, "form", rows)
        commands.submit(con, who, checked, origin="form", status="pending", explanation="test")
        return con.execute("SELECT name_zh FROM orgs WHERE org_id = ?", [who.scope_org_id]).fetchone()[0]
    finally:
        con.close()


def firm_row(page, base: str, firm: str) -> list[str]:
    """The firm's row in the enterprise table of 青岛软件城's park page at the quarter; empty while
    the quarter has no accepted figure (it is not offered: the page opens on the latest that has)."""
    page.goto(f"{base}/park?plan=qingdao-2012&q={QUARTER}&park=qd-softcity")
    try:
        page.get_by_role("heading", name="园区 · 青岛软件城").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
    except Exception:
        raise AssertionError(f"no park page; see {screenshot(page, 'processes-no-park')}") from None
    idle(page)
    if page.get_by_text(f"企业（{QUARTER_LABEL}）").count() == 0:
        return []
    grids = page.locator('[data-testid="stDataFrame"]')
    cells = [cell for i in range(grids.count()) for cell in grids.nth(i).locator("td").all_inner_texts()]
    return cells[cells.index(firm):cells.index(firm) + 8]


def test_a_figure_accepted_on_the_writer_reaches_both_readers(tmp_path, demo_db):
    db = demo_app_store(tmp_path, demo_db, PASSWORD, "enterprise", "reviewer")
    firm = waiting_submission(db)
    snaps = tmp_path / "snapshots"
    # As the writer's unit does before it starts: the readers' first snapshot.
    done = subprocess.run([sys.executable, "manage.py", "publish", "--db", str(db), "--dir", str(snaps)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "published" in done.stdout, done.stdout + done.stderr
    writer_port = free_port()
    writer_url = f"http://127.0.0.1:{writer_port}/w"
    common = {"TRACKER_SNAPSHOT_DIR": str(snaps), "TRACKER_WRITER_URL": writer_url, "TRACKER_DEMO": "0"}
    with ExitStack() as stack:
        writer = stack.enter_context(streamlit_server(
            db, tmp_path / "writer.log", port=writer_port, base_path="w",
            env={**common, "TRACKER_PROCESS_ROLE": "writer", "TRACKER_PUBLISH_SECONDS": str(PUBLISH_SECONDS)}))
        reading = [stack.enter_context(streamlit_server(db, tmp_path / f"reader{n}.log",
                                                        env={**common, "TRACKER_PROCESS_ROLE": "reader"}))
                   for n in (1, 2)]
        page = stack.enter_context(chromium())
        page.goto(reading[0])  # not signed in: a reader sends the browser to the writer's sign-in
        page.wait_for_url(lambda url: url.startswith(writer_url), timeout=60_000)
        sign_in(page, writer, "reviewer", PASSWORD)  # the cookie (path /) signs the readers in too
        for base in reading:
            # The bare URL first: a server's very first run of a page URL (/park) would find pages/
            # in Streamlit's old pages-directory mode and run the page without the router.
            page.goto(base)
            page.get_by_text("数据更新于").first.wait_for(timeout=60_000)  # signed in by the writer's cookie
            assert "1.25" not in firm_row(page, base, firm)  # nothing accepted yet
        # A reader offers no write page, only a link to the writer's; and says how old its data is.
        assert page.get_by_role("link", name="审核").first.get_attribute("href") == f"{writer_url}/review"
        assert page.get_by_text("数据更新于").count() == 1
        screenshot(page, "processes-reader-before")
        # The reviewer accepts the waiting submission on the writer.
        page.goto(f"{writer}/review")
        page.get_by_role("heading", name="审核").first.wait_for(timeout=60_000)
        idle(page)
        before = snapshots.current(snaps).version  # the data as published before the acceptance
        page.get_by_role("button", name="通过", exact=True).click()
        page.get_by_text("号提交已处理").first.wait_for(timeout=60_000)
        # The writer publishes within the interval (plus the copy and its 0.25 s look at the log) of
        # the acceptance — its audit row's time, as the published copy holds it …
        deadline = time.monotonic() + 60
        while (snap := snapshots.current(snaps)).version == before:
            assert time.monotonic() < deadline, "no snapshot published after the acceptance"
            time.sleep(0.1)
        con = connect(snap.path, read_only=True)
        try:  # logged_at: DuckDB's current_timestamp in the machine's zone, as a naive time
            accepted = con.execute("SELECT max(logged_at) FROM audit_log WHERE action = 'review.accepted'").fetchone()[0]
        finally:
            con.close()
        lag = (snap.published_at - accepted.astimezone()).total_seconds()
        assert 0 <= lag <= PUBLISH_SECONDS + 2, lag
        # … and each reader, looking at CURRENT at most once a second, shows 12,500 万元 = 1.25 亿元
        # on the first page drawn after that second.
        time.sleep(snapshots.STAT_EVERY)
        for base in reading:
            assert "1.25" in (row := firm_row(page, base, firm)), row
        screenshot(page, "processes-reader-after")
        print(f"published {lag:.1f} s after the acceptance")
