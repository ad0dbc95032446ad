"""A real Streamlit server and Debian's headless Chromium, for tests that act as a person would.

The server runs `streamlit run dashboard.py` on a free loopback port against a private store;
Chromium is driven by playwright with executable_path, so nothing downloads a browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# What every test that drives Chromium carries (`pytestmark = BROWSER`, or `@browser`): the
# `browser` mark — scripts/test.sh runs those after the others, one at a time, since a browser and
# its server beside other tests on two cores time out — and a skip where Chromium is missing.
BROWSER = [pytest.mark.browser,
           pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: run scripts/test.sh as root")]


def browser(test):
    for mark in BROWSER:
        test = mark(test)
    return test


def demo_app_store(folder: Path, demo_db: Path, password: str, *usernames: str) -> Path:
    """A private copy of the demo store in `folder` with one demo account per role, those named
    given `password`: what a browser test signs in to."""
    import shutil

    from domain.access import SYSTEM
    from store import users
    from store.db import connect

    db = folder / "app.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    try:
        users.create_demo_users(con)
        for name in usernames:
            users.reset_password(con, SYSTEM, name, password)
    finally:
        con.close()
    return db


def demo_app(tmp_path_factory, demo_db: Path, name: str, password: str, *usernames: str) -> Iterator[str]:
    """A module's server (for a module-scoped fixture to `yield from`): a private copy of the demo
    store with those users given `password`, served on loopback; yields the base URL."""
    folder = tmp_path_factory.mktemp(name)
    db = demo_app_store(folder, demo_db, password, *usernames)
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(db: Path, log: Path, args: Sequence[str] = (), *, port: int | None = None,
                     env: Mapping[str, str] | None = None, base_path: str = "") -> Iterator[str]:
    """`streamlit run dashboard.py` on a loopback port against `db`. `args`: more command-line
    options (`--secrets.files PATH`); `port`: one chosen beforehand (a secrets file naming the app's
    own address needs it first); `env`: more settings; `base_path`: served under it (`w`: the
    writer process, issue 19), as the yielded URL says."""
    port = port or free_port()
    env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_COOKIE_KEY": "k" * 48, "TRACKER_DEMO": "1", **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *(["--server.baseUrlPath", base_path] if base_path else []), *args]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}:\n{log.read_text()[-2000:]}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def chromium(width: int = 1366, height: int = 768):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            yield context.new_page()
        finally:
            browser.close()


def settled(page, locator, timeout_s: float = 30) -> None:
    """Wait until exactly one element matches: during a rerun Streamlit briefly shows the old
    elements beside the new ones."""
    deadline = time.monotonic() + timeout_s
    while locator.count() != 1:
        if time.monotonic() > deadline:
            raise AssertionError(f"{locator} never settled on one element (found {locator.count()})")
        page.wait_for_timeout(200)


RUNNING = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || document.querySelector('[data-testid="stStatusWidget"]') !== null;
}"""


def idle(page, quiet_ms: int = 800, timeout_s: float = 30) -> None:
    """Wait until the app has stopped running for `quiet_ms`: Streamlit says its script is not
    running (the App's data-test-script-state) and shows no status widget. The status widget alone
    appears only some time into a run, so on a loaded machine a run just requested looked idle and
    a click landed on the elements it was about to replace. A component mounting on first load (the
    cookie manager) triggers one more run, hence the quiet spell."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < quiet_ms:
        if time.monotonic() > deadline:
            raise AssertionError("the app never became idle")
        running = page.evaluate(RUNNING)
        quiet = 0 if running else quiet + 100
        page.wait_for_timeout(100)


def sign_in(page, base: str, username: str, password: str, cookie: str = "tracker_auth") -> None:
    """Sign in through the form, then wait for the re-authentication cookie: the browser stores it
    from a component shortly after the page re-renders, and a URL typed before that signs in anew."""
    page.goto(base)
    settled(page, page.get_by_label("用户名"))
    idle(page)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()  # not 统一身份认证登录 (single sign-on)
    deadline = time.monotonic() + 40
    while not any(c["name"] == cookie for c in page.context.cookies()):
        if time.monotonic() > deadline:
            shot = screenshot(page, f"sign-in-failed-{username}")
            raise AssertionError(f"the sign-in cookie was never set; see {shot}")
        page.wait_for_timeout(200)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
