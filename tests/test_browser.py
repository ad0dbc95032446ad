"""Real-browser tests: headless Debian Chromium against a running app.

Run by the README's test command (scripts/test.sh installs the chromium package).
Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.browser import BROWSER, chromium, demo_app_store, idle, screenshot, sign_in, streamlit_server

pytestmark = BROWSER
PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    folder = tmp_path_factory.mktemp("browser")
    db = demo_app_store(folder, demo_db, PASSWORD, "park-softcity", "leader", "reviewer")
    with streamlit_server(db, folder / "streamlit.log") as base:
        yield base


def test_park_manager_cannot_reach_another_park(app):
    with chromium() as page:
        sign_in(page, app, "park-softcity", PASSWORD)
        page.get_by_role("heading", name="园区 · 青岛软件城").first.wait_for(timeout=30_000)
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
        screenshot(page, "park-manager-own-park")
        # The park selector offers their own park only.
        park_box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_role("combobox", name="园区"))
        park_box.get_by_role("button", name="Open").click()
        page.get_by_role("option").first.wait_for(timeout=10_000)
        options = page.get_by_role("option").all_inner_texts()
        assert options == ["青岛软件城（qd-softcity）"]
        page.keyboard.press("Escape")
        # Editing the URL to another park is refused by the data layer, and no table is shown.
        page.goto(f"{app}/park?park=qd-infovalley")
        page.get_by_text("无权查看该园区的企业数据").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        screenshot(page, "park-manager-other-park-refused")


def test_leader_sees_any_park(app):
    with chromium() as page:
        sign_in(page, app, "leader", PASSWORD)
        page.get_by_role("heading", name="总览").first.wait_for(timeout=30_000)
        page.goto(f"{app}/park?park=qd-infovalley")
        page.get_by_role("heading", name="园区 · 青岛信息谷").first.wait_for(timeout=30_000)
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
        assert page.get_by_text("无权查看").count() == 0


PAGES = [("总览", "总览"), ("规划详情", "深圳市创建中国软件名城分解实施方案"), ("园区", "园区 · "), ("规划文件", "规划列表")]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_leader_walks_every_page_with_charts(app, width, height):
    with chromium(width, height) as page:
        sign_in(page, app, "leader", PASSWORD)
        for link, heading in PAGES:
            # Switch pages through the sidebar navigation, as a person would.
            page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
            page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
            if link in ("总览", "规划详情"):
                # the previous page's charts can still be on screen while this one runs: count once it is done
                idle(page)
                page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
                assert page.locator(".js-plotly-plot").count() >= 1
            idle(page)
            screenshot(page, f"{width}x{height}-{link}")
        assert page.get_by_text("演示数据，非官方统计").count() == 1


def test_upload_is_validated_then_reviewed(app, tmp_path):
    """A park manager uploads a bad file (refused, with the row named) and a good one (pending);
    a reviewer then accepts it."""
    bad = tmp_path / "bad.csv"
    bad.write_text("org,period,indicator,value,unit\nqd-softcity,2017Q1,firm_count,abc,个\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("org,period,indicator,value,unit\nqd-softcity,2017Q1,firm_count,321,个\n", encoding="utf-8")
    with chromium() as page:
        sign_in(page, app, "park-softcity", PASSWORD)
        page.goto(f"{app}/entry")
        page.get_by_role("tab", name="文件上传").click()
        page.locator('input[type="file"]').set_input_files(str(bad))
        page.get_by_text("本次提交未写入任何数据").wait_for(timeout=60_000)
        page.get_by_text("不是数字").first.wait_for(timeout=30_000)  # the problem, with its row
        screenshot(page, "upload-refused")
        page.locator('input[type="file"]').set_input_files(str(good))
        page.get_by_role("button", name="检查并提交").last.click()
        page.get_by_text("等待审核").first.wait_for(timeout=60_000)
        screenshot(page, "upload-submitted")
    with chromium() as page:
        sign_in(page, app, "reviewer", PASSWORD)
        page.goto(f"{app}/review")
        page.get_by_role("button", name="通过", exact=True).click()
        page.get_by_text("没有待审核的提交").wait_for(timeout=60_000)
        screenshot(page, "review-accepted")


def test_leader_downloads_the_briefing_as_pdf_and_excel(app, tmp_path):
    """The download buttons make their file when pressed, in the server, outside a script run."""
    with chromium() as page:
        sign_in(page, app, "leader", PASSWORD)
        page.goto(f"{app}/export")
        page.get_by_role("heading", name="简报导出").wait_for(timeout=30_000)
        idle(page)
        screenshot(page, "export-page")
        for label, magic in (("PDF", b"%PDF"), ("Excel (.xlsx)", b"PK")):
            with page.expect_download(timeout=60_000) as caught:
                page.get_by_role("button", name=label).click()
            path = tmp_path / caught.value.suggested_filename
            caught.value.save_as(path)
            assert path.read_bytes()[:len(magic)] == magic, label
            assert path.name.endswith(".pdf" if label == "PDF" else ".xlsx")
