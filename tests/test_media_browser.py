"""Paper and phone in a real browser (issue 18 item 8): the print view of the plan and park pages
without the sidebar and with every row, the plan and quarter pickers at 390 px without opening the
sidebar, and the status reason in a grey that reads (contrast ≥ 4.5:1 on white)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from domain.periods import Period
from store import orgs
from store.db import connect
from tests.browser import ARTIFACTS, BROWSER, chromium, demo_app_store, idle, screenshot, sign_in, streamlit_server

pytestmark = BROWSER
PASSWORD = "browser-test-password"
PLAN = "qingdao-2012"


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    folder = tmp_path_factory.mktemp("media-browser")
    db = demo_app_store(folder, demo_db, PASSWORD, "leader")
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base, db  # db: the server's store (locked while it runs)


def query(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def quarter_shown(page, quarter: str) -> None:
    """Wait until the plan page's caption (issuer · date · quarter) names `quarter`."""
    page.get_by_text(re.compile(rf"· {quarter}$")).first.wait_for(timeout=60_000)


def contrast(rgb: str) -> float:
    """WCAG contrast ratio of a CSS rgb()/rgba() colour (alpha over white) against white."""
    r, g, b, *alpha = (float(x) for x in re.findall(r"[\d.]+", rgb))
    a = alpha[0] if alpha else 1.0
    def lum(c: float) -> float:
        c = (c * a + 255 * (1 - a)) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    y = 0.2126 * lum(r) + 0.7152 * lum(g) + 0.0722 * lum(b)
    return 1.05 / (y + 0.05)


def test_contrast_formula():
    assert round(contrast("rgb(0, 0, 0)"), 1) == 21.0
    assert round(contrast("rgba(49, 51, 63, 0.6)"), 1) < 4.5  # Streamlit's caption grey: too light
    assert contrast("rgb(77, 83, 97)") >= 4.5  # ui.media.REASON_COLOUR, #4d5361


def printed(page, name: str) -> None:
    """Print media as the browser prints: the sidebar gone; a PDF kept beside the screenshot."""
    page.emulate_media(media="print")
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    assert not page.locator('[data-testid="stHeader"]').is_visible()
    assert page.locator("button:visible").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / f"{name}.pdf"), format="A4", landscape=True, print_background=True)
    screenshot(page, name)


def test_print_view_of_the_plan_page_has_every_target_and_no_sidebar(app, catalog):
    base, _ = app
    targets = catalog.plans[PLAN].targets
    with chromium() as page:
        sign_in(page, base, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{base}/plan?plan={PLAN}&q=2014Q3&print=1")
        quarter_shown(page, "2014年1-9月")
        page.locator(".print-table").first.wait_for(timeout=60_000)
        idle(page)
        assert query(page)["print"] == "1"
        assert page.get_by_role("switch", name="打印视图").is_checked()
        assert page.locator('[data-testid="stDataFrame"]').count() == 0  # no canvas grid: it prints only what it shows
        progress = page.locator(".print-table").first
        assert progress.locator("tbody tr").count() == len(targets)
        printed(page, "print-plan-qingdao")
        text = page.locator('[data-testid="stMain"]').inner_text()
        missing = [tg.name_zh for tg in targets if tg.name_zh not in text]
        assert not missing
        # Off again: the grid is back and print= leaves the URL.
        page.emulate_media(media="screen")
        page.locator(".st-key-print-toggle label").first.click()  # the input lies under its label
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        idle(page)
        assert "print" not in query(page)


def test_print_view_of_the_park_page_lists_every_enterprise(app, demo_db):
    base, _ = app
    con = connect(demo_db, read_only=True)  # the app's copy is locked by the server
    try:
        firms = list(orgs.orgs_of_kind(con, "qd-softcity", "enterprise").name_zh)
    finally:
        con.close()
    assert len(firms) > 10  # more than a grid shows without scrolling
    with chromium() as page:
        sign_in(page, base, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{base}/park?plan={PLAN}&q=2014Q3&park=qd-softcity&print=1")
        page.get_by_role("heading", name="园区 · 青岛软件城").first.wait_for(timeout=60_000)
        page.locator(".print-table").first.wait_for(timeout=60_000)
        idle(page)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        printed(page, "print-park-softcity")
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert not [n for n in firms if n not in text]


def test_phone_reaches_plan_and_quarter_without_the_sidebar(app):
    base, _ = app
    with chromium(390, 844) as page:
        sign_in(page, base, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        idle(page)
        # A plan card's figures stack: one column, each below the one before.
        metrics = page.locator('[data-testid="stMetric"]')
        metrics.nth(1).wait_for(timeout=30_000)
        first, second = metrics.nth(0).bounding_box(), metrics.nth(1).bounding_box()
        assert first is not None and second is not None
        assert abs(first["x"] - second["x"]) < 1 and second["y"] >= first["y"] + first["height"]
        screenshot(page, "phone-390-overview")
        page.goto(f"{base}/plan?plan={PLAN}&q=2014Q3")
        quarter_shown(page, "2014年1-9月")
        idle(page)
        pickers = page.locator(".st-key-phone-pickers")
        quarter = pickers.get_by_role("combobox", name="数据截至")
        for box in (pickers.get_by_role("combobox", name="规划"), quarter):
            assert box.is_visible()
            top = box.bounding_box()
            assert top is not None and top["y"] >= 0 and top["y"] + top["height"] <= 844  # in view, no scrolling
        # Tables scroll inside their frame: the page itself is no wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollWidth") <= 390
        grid = page.locator('[data-testid="stDataFrame"]').first
        box = grid.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390  # the grid scrolls inside
        screenshot(page, "phone-390-plan")
        quarter.click()
        page.keyboard.type("2015年1-12")  # the list is long and drawn only near the top: filter it
        page.get_by_role("option", name="2015年1-12月", exact=True).click()
        quarter_shown(page, "2015年1-12月")
        idle(page)
        assert query(page)["q"] == str(Period(2015, 4))
        screenshot(page, "phone-390-plan-2015Q4")


def test_wide_screen_has_no_phone_copy_and_a_dark_reason(app):
    base, _ = app
    with chromium() as page:
        sign_in(page, base, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{base}/plan?plan={PLAN}&q=2014Q3")
        quarter_shown(page, "2014年1-9月")
        idle(page)
        assert not page.locator(".st-key-phone-pickers").is_visible()
        reason = page.locator('.st-key-reason [data-testid="stCaptionContainer"] p').first
        reason.wait_for(timeout=30_000)
        assert "判断依据" in reason.inner_text()
        colour = reason.evaluate("e => getComputedStyle(e).color")
        assert contrast(colour) >= 4.5, colour
