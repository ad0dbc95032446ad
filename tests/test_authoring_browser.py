"""A plan added from a Word document in a real browser (issue 20): an administrator uploads a small
.docx made here with python-docx, publishes the proposed targets, and the overview shows the plan's
card with its title and headline target."""

from __future__ import annotations

import re

import docx
import pytest

from tests.browser import BROWSER, chromium, demo_app, idle, screenshot, sign_in

pytestmark = BROWSER
PASSWORD = "browser-test-password"
TITLE = "青岛市软件产业提升行动计划（2015—2017年）"


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    yield from demo_app(tmp_path_factory, demo_db, "authoring-browser", PASSWORD, "admin")


def plan_docx(path) -> None:
    doc = docx.Document()
    doc.add_heading(TITLE, level=1)
    doc.add_paragraph("青岛市经济和信息化委员会")
    doc.add_paragraph("2015年3月1日")
    doc.add_paragraph("一、发展目标")
    doc.add_paragraph("到2017年，全市软件业务收入达到3000亿元以上。")
    doc.save(path)


def test_admin_adds_a_plan_from_a_docx_and_sees_it_on_the_overview(app, tmp_path):
    document = tmp_path / "行动计划.docx"
    plan_docx(document)
    with chromium() as page:
        sign_in(page, app, "admin", PASSWORD)
        page.goto(f"{app}/authoring")
        page.get_by_role("heading", name="规划录入").wait_for(timeout=30_000)
        idle(page)
        page.locator('[class*="st-key-authoring-upload-0-box"] input[type="file"]').set_input_files(str(document))
        page.get_by_text("识别出目标 1 个").wait_for(timeout=60_000)  # read in a child process, then proposed
        idle(page)
        page.get_by_role("heading", name="目标", exact=True).scroll_into_view_if_needed()  # the proposals' table
        screenshot(page, "authoring-proposed")
        page.get_by_role("button", name="发布规划").click()
        page.get_by_text("已发布规划").wait_for(timeout=60_000)
        screenshot(page, "authoring-published")
        page.goto(f"{app}/overview?plan=qingdao-2015")
        page.get_by_role("heading", name=TITLE).wait_for(timeout=60_000)
        # Its card: the title, then the quarter read and its headline target's name (the indicator's).
        card = page.locator('[data-testid="stVerticalBlock"]').filter(has=page.get_by_role("heading", name=TITLE)).last
        card.get_by_text(re.compile(r"· 软件业务收入$")).wait_for(timeout=30_000)
        idle(page)
        card.scroll_into_view_if_needed()
        screenshot(page, "authoring-plan-on-overview")
