"""The quarterly reporting cycle, closed, in real Chromium against a real server (issue 17).

An enterprise submits its quarter; a reviewer returns it with a comment; the enterprise reads the
comment under 我的报送, corrects and resubmits; the reviewer accepts; the leader's park page shows
the corrected figure. A real SMTP server on loopback (aiosmtpd, tests/mailserver.py) receives the
return notice and the acceptance notice, in Chinese, at the firm's contact address.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain.access import SYSTEM
from domain.periods import last_complete_quarter
from service import commands
from store import users
from store.db import connect
from tests import mailserver
from tests.browser import BROWSER, chromium, demo_app_store, idle, screenshot, sign_in, streamlit_server

pytestmark = BROWSER
PASSWORD = "cycle-test-password"
FIRM_MAIL = "tongji@firm.example.cn"
SOFTWARE_REVENUE = "2020 软件业务收入（万元）"  # the form's row: code, name and unit
COMMENT = "软件业务收入与上季度报表口径不一致，请核实"
QUARTER = last_complete_quarter(dt.date.today())  # the form opens on it
QUARTER_LABEL = f"{QUARTER.year}年1-{QUARTER.end_month}月"


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, demo_db):
    """The demo store with one account per role, the demo firm's contact address, a mail server
    and the app pointed at it. Yields (base URL, mailbox, the firm's name)."""
    folder = tmp_path_factory.mktemp("cycle")
    db = demo_app_store(folder, demo_db, PASSWORD, "enterprise", "reviewer", "leader")
    con = connect(db)
    firm = users.identity(con, "enterprise").scope_org_id
    commands.set_contact_email(con, SYSTEM, firm, FIRM_MAIL)
    firm_name = con.execute("SELECT name_zh FROM orgs WHERE org_id = ?", [firm]).fetchone()[0]
    con.close()
    with mailserver.running() as box:
        # Twelve hours away: the scheduled reminders of the day are not what this test watches.
        remind_at = (dt.datetime.now() + dt.timedelta(hours=12)).strftime("%H:%M")
        env = {"TRACKER_SMTP_HOST": "127.0.0.1", "TRACKER_SMTP_PORT": str(box.port), "TRACKER_SMTP_FROM": mailserver.SENDER,
               "TRACKER_SMTP_TLS": "none", "TRACKER_SMTP_TIMEOUT": "5", "TRACKER_REMIND_AT": remind_at}
        with streamlit_server(db, folder / "streamlit.log", env=env) as base:
            yield base, box, firm_name


def submit_form(page, value: str) -> None:
    """Type the software revenue into the form and press 检查并提交; wait for the confirmation."""
    field = page.get_by_label(SOFTWARE_REVENUE)
    field.wait_for(timeout=60_000)
    field.fill(value)
    field.press("Enter")
    idle(page)
    page.get_by_role("button", name="检查并提交", exact=True).first.click()
    page.get_by_text("等待审核").first.wait_for(timeout=60_000)
    idle(page)


def decide(page, base: str, button: str, comment: str | None = None) -> None:
    """The reviewer opens 审核 on the newest pending submission and accepts or returns it."""
    page.goto(f"{base}/review")
    page.get_by_role("heading", name="审核").first.wait_for(timeout=60_000)
    idle(page)
    if comment is not None:
        box = page.get_by_label("审核意见", exact=True)
        box.fill(comment)
        box.press("Enter")
        idle(page)
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text("号提交已处理").first.wait_for(timeout=60_000)
    idle(page)


def park_cells(page, base: str) -> list[str]:
    """The leader's park page for 青岛软件城 under Qingdao's plan at the quarter, opened from a
    bookmark (the view in the URL): the cells of its enterprise table."""
    page.goto(f"{base}/park?plan=qingdao-2012&q={QUARTER}&park=qd-softcity")
    page.get_by_role("heading", name="园区 · 青岛软件城").first.wait_for(timeout=60_000)
    page.get_by_text(f"企业（{QUARTER_LABEL}）").first.wait_for(timeout=60_000)
    idle(page)
    grids = page.locator('[data-testid="stDataFrame"]')
    return [cell for i in range(grids.count()) for cell in grids.nth(i).locator("td").all_inner_texts()]


def test_submit_return_correct_accept_and_the_leader_sees_it(cycle):
    base, box, firm_name = cycle
    # 1. The enterprise submits its quarter through the form (it opens on the last complete quarter).
    with chromium() as page:
        sign_in(page, base, "enterprise", PASSWORD)
        page.goto(f"{base}/entry")
        page.get_by_label(SOFTWARE_REVENUE).wait_for(timeout=60_000)
        screenshot(page, "cycle-0-form")
        period = page.get_by_role("combobox", name="报告期")
        assert QUARTER_LABEL in (period.input_value() or period.get_attribute("aria-label") or ""), period.evaluate(
            "e => e.outerHTML")  # the form opens on the last complete quarter
        page.get_by_text("报送截止：").first.wait_for(timeout=30_000)  # and says when it is due
        submit_form(page, "12340")
        screenshot(page, "cycle-1-submitted")
    # 2. The reviewer returns it with a comment; the firm is told by e-mail.
    with chromium() as page:
        sign_in(page, base, "reviewer", PASSWORD)
        decide(page, base, "退回", COMMENT)
        screenshot(page, "cycle-2-returned")
    # 3. The enterprise reads the comment under 我的报送, corrects and resubmits.
    with chromium() as page:
        sign_in(page, base, "enterprise", PASSWORD)
        page.goto(f"{base}/my-submissions")
        page.get_by_text(f"审核意见：{COMMENT}").first.wait_for(timeout=60_000)
        page.get_by_text("已退回").first.wait_for(timeout=30_000)
        screenshot(page, "cycle-3-comment-seen")
        page.get_by_role("button", name="更正", exact=True).first.click()
        page.get_by_text("正在更正第").first.wait_for(timeout=60_000)
        idle(page)
        assert page.get_by_label(SOFTWARE_REVENUE).input_value() == "12340.00"  # the returned figure, to correct
        submit_form(page, "12500")
        screenshot(page, "cycle-4-corrected")
        page.goto(f"{base}/my-submissions")
        page.get_by_text("· 待审核 ·").first.wait_for(timeout=60_000)  # the correction, waiting
        page.get_by_text("· 已退回 ·").first.click()  # corrected already, so folded: open it
        page.get_by_text("已由第").first.wait_for(timeout=60_000)  # the returned one names its correction
        assert page.get_by_role("button", name="更正", exact=True).count() == 0  # and is not offered again
        screenshot(page, "cycle-4b-my-submissions")
    # 4. The reviewer accepts the correction (it says which submission it answers).
    with chromium() as page:
        sign_in(page, base, "reviewer", PASSWORD)
        page.goto(f"{base}/review")
        page.get_by_text("号提交的更正").first.wait_for(timeout=60_000)
        decide(page, base, "通过")
        screenshot(page, "cycle-5-accepted")
    # 5. The leader's park page shows the accepted figure: 12,500 万元 = 1.25 亿元, never the returned 1.234.
    with chromium() as page:
        sign_in(page, base, "leader", PASSWORD)
        cells = park_cells(page, base)
        screenshot(page, "cycle-6-leader-park")
        row = cells[cells.index(firm_name):cells.index(firm_name) + 8]
        assert "1.25" in row, row
        assert not any(c.startswith("1.23") for c in row), row
    # 6. The firm's mailbox holds the return notice, with the comment, and the acceptance notice.
    received = box.to(FIRM_MAIL)
    subjects = [m.subject for m in received]
    returned = [m for m in received if m.subject.startswith("【退回】")]
    accepted = [m for m in received if m.subject.startswith("【已通过】")]
    assert len(returned) == 1 and len(accepted) == 1, subjects
    assert COMMENT in returned[0].body and firm_name in returned[0].subject
    assert firm_name in accepted[0].subject
