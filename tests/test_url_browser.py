"""The view in the URL, in a real browser (issue 18): a bookmark opens its language, plan, quarter
and target; a page switch keeps them in the address; back lands on the view of the URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import BROWSER, chromium, demo_app, idle, screenshot, sign_in

pytestmark = BROWSER
PASSWORD = "browser-test-password"
QINGDAO_EN = "Qingdao — opinions on building the national software"


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    yield from demo_app(tmp_path_factory, demo_db, "url-browser", PASSWORD, "leader")


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def quarter_shown(page, quarter: str) -> None:
    """Wait until the plan page's caption (issuer · date · quarter) names `quarter`."""
    page.get_by_text(re.compile(rf"· {quarter}$")).first.wait_for(timeout=30_000)


def test_a_bookmark_opens_its_view_and_back_returns_to_it(app):
    with chromium() as page:
        sign_in(page, app, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{app}/plan?lang=en&plan=qingdao-2012&q=2014Q3&target=qd-exports")
        page.get_by_role("heading", name=re.compile(QINGDAO_EN)).first.wait_for(timeout=60_000)
        page.get_by_role("heading", name="Software exports").first.wait_for(timeout=60_000)
        idle(page)
        quarter_shown(page, "2014Q3")
        assert query(page) == {"lang": "en", "plan": "qingdao-2012", "q": "2014Q3", "target": "qd-exports"}
        screenshot(page, "url-bookmark-plan-en")
        # A page switch clears the query string; the router writes the view back at once.
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).click()
        page.get_by_role("heading", name="Overview").first.wait_for(timeout=60_000)
        idle(page)
        assert query(page) == {"lang": "en", "plan": "qingdao-2012", "q": "2014Q3"}
        # Back: Streamlit pushes the bare page address on a page switch and the view's parameters
        # follow as a second entry, so the first step back lands on that bare entry: the same page,
        # its address written again with the view. The second is the plan page at its own URL.
        page.go_back()
        idle(page)
        assert urlparse(page.url).path.endswith("/overview")
        assert query(page) == {"lang": "en", "plan": "qingdao-2012", "q": "2014Q3"}
        page.go_back()
        page.get_by_role("heading", name="Software exports").first.wait_for(timeout=60_000)
        idle(page)
        assert urlparse(page.url).path.endswith("/plan")
        assert query(page) == {"lang": "en", "plan": "qingdao-2012", "q": "2014Q3", "target": "qd-exports"}
        quarter_shown(page, "2014Q3")
        screenshot(page, "url-back-plan-en")


def test_back_after_choosing_a_quarter_returns_to_the_quarter_before(app):
    with chromium() as page:
        sign_in(page, app, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{app}/plan?lang=en&plan=qingdao-2012&q=2014Q3")
        quarter_shown(page, "2014Q3")
        idle(page)
        page.get_by_role("combobox", name="As of").click()
        page.keyboard.type("2015Q4")  # the list is long and drawn only near the top: filter it
        page.get_by_role("option", name="2015Q4", exact=True).click()
        quarter_shown(page, "2015Q4")
        idle(page)
        assert query(page)["q"] == "2015Q4"
        page.go_back()  # the browser's back: the quarter the URL before named
        quarter_shown(page, "2014Q3")
        idle(page)
        assert query(page)["q"] == "2014Q3"
        screenshot(page, "url-back-quarter-en")
