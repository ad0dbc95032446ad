"""Every page as a person sees it (issue 18, item 10): each role's pages in real Chromium, at a
laptop's 1366×768 and a phone's 390×844, in Chinese and in English, each kept as a full-page
screenshot in test-artifacts/screens/<size>/<lang>/<role>-<page>.png for someone to look at.

A page is opened by its URL with the language in the query string (ui/url.py reads lang=), as a
bookmark would, by a browser context already signed in as the role (one sign-in per role, size
and language). Once Streamlit has stopped running, what a person reads is checked: no exception
box, no Streamlit error page, the page's own heading, and no raw "None"/"nan"/"NaN" in the page's
text. Table cells are drawn on a canvas, out of reach of the page's text: tests/test_no_raw_values.py
reads those through AppTest.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from app.router import SPEC
from domain import policy
from domain.access import Role
from tests.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, demo_app_store, idle, sign_in, streamlit_server
from ui.i18n import t

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: run scripts/test.sh as root"),
]
PASSWORD = "browser-test-password"
SCREENS = ARTIFACTS / "screens"
USERS = {Role.ADMIN: "admin", Role.LEADER: "leader", Role.REVIEWER: "reviewer",
         Role.PARK_MANAGER: "park-softcity", Role.ENTERPRISE: "enterprise"}
SIZES = {"1366x768": (1366, 768), "390x844": (390, 844)}
LANGS = ("zh", "en")
RAW_TEXT = re.compile(r"(?<![\w-])(None|nan|NaN)(?![\w-])")
# Streamlit's own failures, drawn outside any element of ours.
STREAMLIT_ERRORS = ("Page not found", "Connection error", "Traceback (most recent call last)")


def heading_key(page: str) -> str | None:
    """The message the page's heading starts with; None for the plan page, headed by the plan's title."""
    if page == "plan":
        return None
    return "plans" if page == "plans" else SPEC[page][1]


def shown(role: Role, size: str, lang: str) -> tuple[str, ...]:
    """The pages looked at as `role` in a view. Every page of every role at 1366 in Chinese; the
    other three views (the phone, English) would take over ten minutes on two cores for all 46, so
    there each page is looked at once, by the role with the most pages (the administrator) or by
    the first role that has it, plus each role's landing page (its own scope and first screen)."""
    if (size, lang) == ("1366x768", "zh"):
        return policy.pages(role)
    widest = max(USERS, key=lambda r: len(policy.pages(r)))
    first_with = {}
    for r in [widest, *USERS]:
        for name in policy.pages(r):
            first_with.setdefault(name, r)
    return tuple(name for i, name in enumerate(policy.pages(role)) if i == 0 or first_with[name] == role)


def views() -> list[tuple[Role, str, str]]:
    return [(role, size, lang) for size in SIZES for lang in LANGS for role in USERS]


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    folder = tmp_path_factory.mktemp("screens")
    db = demo_app_store(folder, demo_db, PASSWORD, *USERS.values())
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def settle(page) -> None:
    """Wait until the page's heading is drawn and Streamlit has stopped running: no status widget
    and no spinner for a while (charts and the cookie manager's component cause one more run)."""
    main = page.locator('[data-testid="stMain"]')
    main.locator('[data-testid="stHeading"]').first.wait_for(timeout=60_000)
    deadline = time.monotonic() + 60
    while True:
        idle(page)
        if page.locator('[data-testid="stSpinner"]').count() == 0:
            break
        if time.monotonic() > deadline:
            raise AssertionError("a spinner never went away")
        page.wait_for_timeout(200)


def full_page_shot(page, path: Path) -> None:
    """A picture of the whole page: Streamlit scrolls its main area inside a fixed-height window,
    so the window is stretched to the content's height for the picture and put back after."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    # The sidebar counts only when on screen: collapsed on a phone it lies off to the left, and
    # there its content is far taller than the page.
    content = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
        .filter(e => e.getBoundingClientRect().right > 0).map(e => e.scrollHeight))""")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.set_viewport_size({"width": width, "height": max(height, min(int(content), 12_000))})
        page.wait_for_timeout(300)  # charts redraw to the new size
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size({"width": width, "height": height})


def sidebar_text(page) -> str:
    """The sidebar's text with what its pickers show (a picker's value is an input's, not text)."""
    return page.evaluate("""() => {
        const bar = document.querySelector('[data-testid="stSidebar"]');
        return bar.innerText + '\\n' + [...bar.querySelectorAll('input')].map(i => i.value).join('\\n');
    }""")


def what_is_wrong(page, name: str, lang: str) -> list[str]:
    """What a person would see amiss on the page now on screen."""
    problems = []
    if (n := page.locator('[data-testid="stException"]').count()) > 0:
        problems.append(f"{n} exception box(es): {page.locator('[data-testid=stException]').first.inner_text()[:200]!r}")
    text = page.inner_text("body")
    problems += [f"Streamlit's {e!r}" for e in STREAMLIT_ERRORS if e in text]
    for line in text.splitlines():
        if RAW_TEXT.search(line):
            problems.append(f"raw value in {line.strip()[:160]!r}")
    heading = page.locator('[data-testid="stMain"] [data-testid="stHeading"]').first.inner_text().strip()
    key = heading_key(name)
    if key is not None and not heading.startswith(t(key, lang)):
        problems.append(f"heading {heading!r} is not {t(key, lang)!r}")
    if key is None and (not heading or heading not in sidebar_text(page)):
        problems.append(f"heading {heading!r} is not the sidebar's plan")
    return problems


@pytest.mark.parametrize(("role", "size", "lang"), views(), ids=lambda v: str(v))
def test_every_page_as_a_person_sees_it(app, browser, role, size, lang):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        page = context.new_page()
        sign_in(page, app, USERS[role], PASSWORD)  # the form in Chinese; the cookie then serves every URL
        problems = {}
        for name in shown(role, size, lang):
            page.goto(f"{app}/{SPEC[name][3]}?lang={lang}")
            settle(page)
            full_page_shot(page, SCREENS / size / lang / f"{role}-{name}.png")
            if found := what_is_wrong(page, name, lang):
                problems[name] = found
        assert not problems, problems
    finally:
        context.close()
