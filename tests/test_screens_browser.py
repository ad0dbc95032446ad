"""Every page as a person sees it (issue 18, item 10): every page of every role in real Chromium,
at a laptop's 1366×768 and a phone's 390×844, in Chinese and in English, each kept as a full-page
screenshot in test-artifacts/screens/<size>/<lang>/<role>-<page>.png for someone to look at.

A page is opened by its URL with the language in the query string (ui/url.py reads lang=), as a
bookmark would, by a browser context holding the role's sign-in cookie (one sign-in per role
through the form; every view of the role starts from that browser state). Once Streamlit has
stopped running, what a person reads is checked: no exception box, no Streamlit error page, the
page's own heading, and no raw "None"/"nan"/"NaN" in the page's text. Table cells are drawn on a
canvas, out of reach of the page's text: tests/test_no_raw_values.py reads those through AppTest.

The 20 views (role × size × language) share one Chromium and one Streamlit server: a few workers,
each in a browser context of its own, take views from a queue, since most of a view's time is
spent waiting for the server. Every problem of every view is collected and the test fails once,
naming role/size/language/page for each.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import pytest

from app.router import SPEC
from domain import policy
from domain.access import Role
from tests.browser import ARTIFACTS, BROWSER, CHROMIUM, CHROMIUM_ARGS, demo_app_store, streamlit_server
from ui.i18n import t

pytestmark = BROWSER
PASSWORD = "browser-test-password"
SCREENS = ARTIFACTS / "screens"
USERS = {Role.ADMIN: "admin", Role.LEADER: "leader", Role.REVIEWER: "reviewer",
         Role.PARK_MANAGER: "park-softcity", Role.ENTERPRISE: "enterprise"}
SIZES = {"1366x768": (1366, 768), "390x844": (390, 844)}
LANGS = ("zh", "en")
# Browser contexts working at once. The one Streamlit process renders the pages, so beyond a few
# the views only queue at the server: the whole module (184 pictures) on two cores at load 8-10
# took 5 min 54 s with 2, 5 min 28 s with 3 and 5 min 30 s with 4. SCREENS_WORKERS overrides it.
WORKERS = int(os.environ.get("SCREENS_WORKERS", "3"))
RAW_TEXT = re.compile(r"(?<![\w-])(None|nan|NaN)(?![\w-])")
# Streamlit's own failures, drawn outside any element of ours.
STREAMLIT_ERRORS = ("Page not found", "Connection error", "Traceback (most recent call last)")
TIMEOUT_MS = 90_000  # a page on a loaded two-core machine with three others rendering

# The page has finished drawing when Streamlit says its script is not running (the App's
# data-test-script-state), no status widget, spinner, stale (greyed, left from the run before)
# element or skeleton (a widget whose code is still loading: a grey bar where a picker will be) is
# shown, and every Plotly chart has drawn its SVG. Checked again one poll later, with
# the same number of elements, so that a run following straight on is not missed.
DRAWN = """heading => {
    const app = document.querySelector('[data-testid="stApp"]');
    const busy = !app || app.getAttribute('data-test-script-state') !== 'notRunning'
        || document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"], '
                                  + '[data-stale="true"], [data-testid="stSkeleton"]')
        || (heading && !document.querySelector('[data-testid="stMain"] [data-testid="stHeading"]'));
    const plots = document.querySelectorAll('.js-plotly-plot');
    const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length;
    const shape = busy ? null : [document.querySelectorAll('[data-testid="stMain"] *').length, plots.length, drawn].join();
    const last = window.__screensShape;
    window.__screensShape = shape;
    return shape !== null && shape === last && [...plots].every(p => p.querySelector('.main-svg'));
}"""
# Charts redrawn to the size of their container (after the window is stretched for the picture).
CHARTS_FIT = """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => {
    const svg = p.querySelector('.main-svg');
    return svg && Math.abs(svg.getBoundingClientRect().width - p.getBoundingClientRect().width) <= 1;
})"""


def heading_key(page: str) -> str | None:
    """The message the page's heading starts with; None for the plan page, headed by the plan's title."""
    if page == "plan":
        return None
    return "plans" if page == "plans" else SPEC[page][1]


def views() -> list[tuple[Role, str, str]]:
    """Every role in every size and language, the roles with the most pages first (so the longest
    views do not start last and leave the other workers idle)."""
    every = [(role, size, lang) for size in SIZES for lang in LANGS for role in USERS]
    return sorted(every, key=lambda v: -len(policy.pages(v[0])))


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    folder = tmp_path_factory.mktemp("screens")
    db = demo_app_store(folder, demo_db, PASSWORD, *USERS.values())
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


async def settle(page) -> None:
    """Wait until the page is drawn and Streamlit has stopped running (DRAWN, polled)."""
    await page.evaluate("() => { window.__screensShape = undefined; }")
    await page.wait_for_function(DRAWN, arg=True, polling=150, timeout=TIMEOUT_MS)


async def sign_in(browser, base: str, username: str, tries: int = 3) -> dict:
    """Sign in through the form (in Chinese) and return the browser state holding the cookie: the
    browser stores it from a component shortly after the page re-renders. A submission the server
    drops (a form drawn by a run that another replaced, as on a cold server with several sign-ins
    at once) leaves the form empty: it is filled and sent again."""
    context = await browser.new_context(locale="zh-CN")
    try:
        page = await context.new_page()
        await page.goto(base)
        for _ in range(tries):
            name = page.get_by_label("用户名")
            await name.wait_for(timeout=TIMEOUT_MS)
            await page.wait_for_function(DRAWN, arg=False, polling=150, timeout=TIMEOUT_MS)  # the form has no heading
            await name.fill(username)
            await page.get_by_label("密码").fill(PASSWORD)
            await page.get_by_role("button", name="登录", exact=True).click()  # not 统一身份认证登录 (SSO)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if any(c["name"] == "tracker_auth" for c in await context.cookies()):
                    return await context.storage_state()
                await page.wait_for_timeout(200)
        shot = ARTIFACTS / f"sign-in-failed-{username}.png"
        await page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"the sign-in cookie of {username} was never set in {tries} tries; see {shot}")
    finally:
        await context.close()


async def full_page_shot(page, path: Path) -> None:
    """A picture of the whole page: Streamlit scrolls its main area inside a fixed-height window,
    so the window is stretched to the content's height for the picture and put back after."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    # The sidebar counts only when on screen: collapsed on a phone it lies off to the left, and
    # there its content is far taller than the page.
    content = await page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
        .filter(e => e.getBoundingClientRect().right > 0).map(e => e.scrollHeight))""")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        await page.set_viewport_size({"width": width, "height": max(height, min(int(content), 12_000))})
        # Two frames for the resize to be laid out, then every chart at its container's width.
        await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        await page.wait_for_function(CHARTS_FIT, polling=100, timeout=10_000)
        await page.screenshot(path=str(path), full_page=True)
    finally:
        await page.set_viewport_size({"width": width, "height": height})


async def what_is_wrong(page, name: str, lang: str) -> list[str]:
    """What a person would see amiss on the page now on screen."""
    problems = []
    boxes = page.locator('[data-testid="stException"]')
    if (n := await boxes.count()) > 0:
        problems.append(f"{n} exception box(es): {(await boxes.first.inner_text())[:200]!r}")
    text = await page.inner_text("body")
    problems += [f"Streamlit's {e!r}" for e in STREAMLIT_ERRORS if e in text]
    problems += [f"raw value in {line.strip()[:160]!r}" for line in text.splitlines() if RAW_TEXT.search(line)]
    heading = (await page.locator('[data-testid="stMain"] [data-testid="stHeading"]').first.inner_text()).strip()
    key = heading_key(name)
    if key is not None and not heading.startswith(t(key, lang)):
        problems.append(f"heading {heading!r} is not {t(key, lang)!r}")
    if key is None:
        # The plan page is headed by the plan's title, which the plan picker shows: the sidebar's,
        # or on a phone (the sidebar collapsed, its text not laid out) the copy atop the page.
        sidebar = await page.evaluate("""() => [...document.querySelectorAll(
                '[data-testid="stSidebar"], .st-key-phone-pickers')]
            .map(e => e.textContent + '\\n' + [...e.querySelectorAll('input')].map(i => i.value).join('\\n'))
            .join('\\n')""")
        if not heading or heading not in sidebar:
            problems.append(f"heading {heading!r} is not the sidebar's plan")
    return problems


async def look_at_view(browser, base: str, state: dict, role: Role, size: str, lang: str) -> list[str]:
    """Every page of the role in one size and language: a picture of each and what is wrong on it,
    each problem prefixed role/size/lang/page. A page that fails does not stop the next."""
    width, height = SIZES[size]
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                        storage_state=state)
    problems = []
    try:
        page = await context.new_page()
        for name in policy.pages(role):
            where = f"{role}/{size}/{lang}/{name}"
            shot = SCREENS / size / lang / f"{role}-{name}.png"
            try:
                await page.goto(f"{base}/{SPEC[name][3]}?lang={lang}")
                await settle(page)
                await full_page_shot(page, shot)
                problems += [f"{where}: {p}" for p in await what_is_wrong(page, name, lang)]
            except Exception as e:  # a timeout or a closed page: say so, keep what is on screen, go on
                problems.append(f"{where}: {type(e).__name__}: {str(e).splitlines()[0][:200]}")
                try:
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    await page.screenshot(path=str(shot), full_page=True)
                except Exception:
                    pass
    finally:
        await context.close()
    return problems


async def look_at_everything(base: str, workers: int) -> list[str]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pool = asyncio.Semaphore(workers)

            async def one(job, *args):
                async with pool:
                    return await job(*args)

            states = dict(zip(USERS, await asyncio.gather(
                *(one(sign_in, browser, base, USERS[role]) for role in USERS)), strict=True))
            found = await asyncio.gather(
                *(one(look_at_view, browser, base, states[r], r, s, lang) for r, s, lang in views()))
        finally:
            await browser.close()
    return [problem for view in found for problem in view]


def test_every_page_as_a_person_sees_it(app):
    problems = asyncio.run(look_at_everything(app, WORKERS))
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
