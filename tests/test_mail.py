"""E-mail end to end against a real SMTP server on loopback (aiosmtpd, tests/mailserver.py):
reminders (催报) reach exactly the firms that have not reported and have an address, in Chinese;
the same reminder is not sent twice on one day; review notices carry the decision and the comment;
account notices carry the password and the log does not; a refused recipient, a closed port or a
server without STARTTLS fail their messages, logged, and nothing else; with no mail server nothing
is sent and the command line says so. The schedule's decision is a pure function, table-driven.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from app import cli
from domain.access import SYSTEM, AuthorizationError, Identity, Role
from domain.periods import Period
from domain.reporting import ReminderKind, reminder_due
from service import commands
from service import mail as service_mail
from store import mail as mail_log
from store import reporting, submissions, users
from store.db import connect
from store.register import NewAccount
from tests import mailserver
from tests.apptest_helpers import signed_in
from tests.conftest import open_copy

# aiosmtpd warns when a test server offers AUTH without TLS: on loopback that is the point
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PARK = "qd-softcity"
QUARTER = Period(2026, 1)  # the demo set stops at 2025Q4: nobody has reported for it
DEADLINE = dt.date(2026, 4, 20)  # 2026-03-31 and the default 20 days
AFTER = dt.date(2026, 4, 25)  # five days late
BEFORE = dt.date(2026, 4, 15)  # five days to go
REVIEWER = Identity(username="rev", display_name="审核员", role=Role.REVIEWER)
LEADER = Identity(username="boss", display_name="领导", role=Role.LEADER)


def figure(org_id: str, period: Period = QUARTER, value: float = 1200.0) -> pd.DataFrame:
    return pd.DataFrame([{"org_id": org_id, "indicator_id": "software_revenue", "year": period.year,
                          "quarter": period.quarter, "value": value, "value_entered": value, "unit_entered": "万元",
                          "note": ""}])


class Firms:
    """Four firms of the park: `reported` has reported for QUARTER and has an address; `b` and `c`
    have not and have addresses; every other firm of the park has no address."""

    def __init__(self, con, decided: str = "pending"):
        status = reporting.reporting_status(con, PARK, QUARTER, DEADLINE)
        assert not status.reported.any()
        self.count = len(status)
        (self.reported, self.b, self.c, self.d) = status.org_id[:4]
        self.name = dict(zip(status.org_id, status.name_zh, strict=True))
        submissions.write_submission(con, figure(self.reported), actor="someone", origin="form", status=decided)
        self.email = {self.reported: "reported@firm.example.cn", self.b: "b@firm.example.cn", self.c: "c@firm.example.cn"}
        for org_id, address in self.email.items():
            commands.set_contact_email(con, SYSTEM, org_id, address.upper())  # stored in lower case


@pytest.fixture
def con(tmp_path: Path, demo_db: Path):
    yield from open_copy(demo_db, tmp_path / "mail.duckdb")


@pytest.fixture
def firms(con) -> Firms:
    return Firms(con)


@pytest.fixture
def server(monkeypatch):
    with mailserver.running() as box:
        mailserver.use(monkeypatch, box.port)
        yield box


def logged(con) -> pd.DataFrame:
    return mail_log.entries(con).sort_values("mail_id").reset_index(drop=True)


# -------------------------------------------------------------------------------- reminders


def test_reminders_reach_only_the_firms_that_have_not_reported_and_have_an_address(con, firms, server):
    done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert server.recipients == sorted([firms.email[firms.b], firms.email[firms.c]])
    assert len(done.sent) == 2 and done.failed == ()
    # 30 firms: one reported, two reminded, the rest have no address
    assert len(done.no_address) == firms.count - 1 - 2
    assert firms.d in {f.org_id for f in done.no_address}
    (got,) = server.to(firms.email[firms.b])
    name = firms.name[firms.b]
    assert got.subject == f"【催报】2026年1-3月统计数据已逾期未报（{name}）"
    assert got.body.startswith(f"{name}：\n")
    assert "贵单位2026年1-3月的软件产业统计数据至今尚未报送，本期报送截止日期2026年4月20日已过" in got.body
    assert got.message["From"].addresses[0].display_name == "填报系统"
    assert got.message.get_content_charset() == "utf-8"
    rows = logged(con)
    assert list(rows.status) == ["sent", "sent"] and set(rows.kind) == {"reminder_after"}
    assert set(rows.org_id) == {firms.b, firms.c} and set(zip(rows.year, rows.quarter, strict=True)) == {(2026, 1)}
    assert rows.body[0] == server.to(rows.recipient[0])[0].body.rstrip("\n")  # the log keeps what was sent
    assert set(rows.actor) == {"rev"}


def test_before_the_deadline_the_reminder_says_by_when(con, firms, server):
    done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=BEFORE)
    assert {o.kind for o in done.sent} == {"reminder_before"}
    (got,) = server.to(firms.email[firms.c])
    assert got.subject == f"【催报】请于2026年4月20日前报送2026年1-3月统计数据（{firms.name[firms.c]}）"
    assert "本期报送截止日期为2026年4月20日，请在截止日期前登录" in got.body


def test_the_same_reminder_goes_once_a_day(con, firms, server):
    service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    again = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert again.sent == () and {f.org_id for f in again.already} == {firms.b, firms.c}
    assert len(server.messages) == 2
    plan = service_mail.reminder_plan(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert plan.to_send == () and len(plan.already) == 2
    # another kind the same day, or the same kind the next day, goes out
    assert len(service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, kind=ReminderKind.BEFORE, today=AFTER).sent) == 2
    con.execute("UPDATE mail_log SET logged_at = logged_at - INTERVAL 1 DAY")  # as if they had gone yesterday
    assert len(service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER).sent) == 2
    assert len(server.messages) == 6


def test_a_firm_that_reports_gets_no_further_reminder(con, firms, server):
    submissions.write_submission(con, figure(firms.b), actor="b", origin="form", status="pending")
    done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert server.recipients == [firms.email[firms.c]] and len(done.sent) == 1


def test_reminders_are_a_reviewers_or_an_administrators_and_audited(con, firms, server):
    with pytest.raises(AuthorizationError):
        service_mail.send_reminders(con, LEADER, QUARTER, PARK, today=AFTER)
    assert server.messages == []
    denied = con.execute("SELECT count(*) FROM audit_log WHERE actor = 'boss' AND action = 'access.denied'").fetchone()
    assert denied == (1,)
    service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    (detail,) = con.execute("SELECT detail FROM audit_log WHERE action = 'mail.reminders'").fetchone()
    assert '"sent": 2' in detail and '"failed": 0' in detail


def test_a_refused_recipient_fails_alone(con, firms, monkeypatch):
    with mailserver.running(refuse={firms.email[firms.b]}) as box:
        mailserver.use(monkeypatch, box.port)
        done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert box.recipients == [firms.email[firms.c]]
    assert [o.recipient for o in done.sent] == [firms.email[firms.c]]
    ((out, reason),) = done.failed
    assert out.recipient == firms.email[firms.b] and "550" in reason
    rows = logged(con).set_index("recipient")
    assert rows.status[firms.email[firms.b]] == "failed" and "no such mailbox" in rows.error[firms.email[firms.b]]
    assert rows.status[firms.email[firms.c]] == "sent"


def test_a_closed_port_fails_every_message_logged_and_quickly(con, firms, monkeypatch):
    mailserver.use(monkeypatch, mailserver.free_port())  # nobody listens there
    done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert done.sent == () and len(done.failed) == 2
    rows = logged(con)
    assert list(rows.status) == ["failed", "failed"]
    assert "Connection refused" in rows.error[0] and rows.error[1].startswith("not tried")
    # failed messages are no reminder: once the server is back they go out the same day
    with mailserver.running() as box:
        mailserver.use(monkeypatch, box.port)
        assert len(service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER).sent) == 2


def test_starttls_is_required_unless_turned_off(con, firms, monkeypatch):
    """TRACKER_SMTP_TLS=starttls (the default) never falls back to sending in the clear."""
    with mailserver.running() as box:
        mailserver.use(monkeypatch, box.port, TRACKER_SMTP_TLS="starttls")
        done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert box.messages == [] and len(done.failed) == 2
    assert "STARTTLS" in done.failed[0][1]


def test_the_login_of_the_settings_is_used_and_its_password_kept_secret(con, firms, monkeypatch):
    password = "s3cret-mail-password"
    with mailserver.running(users={"tracker": password}) as box:
        mailserver.use(monkeypatch, box.port, TRACKER_SMTP_USER="tracker", TRACKER_SMTP_PASSWORD=password)
        done = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert len(done.sent) == 2 and box.logins == ["tracker"]  # one session for the batch
    with mailserver.running(users={"tracker": "another"}) as box:
        mailserver.use(monkeypatch, box.port, TRACKER_SMTP_USER="tracker", TRACKER_SMTP_PASSWORD=password)
        refused = service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, kind=ReminderKind.BEFORE, today=AFTER)
    assert refused.sent == () and "535" in refused.failed[0][1]
    everything = con.execute("SELECT * FROM mail_log").fetchall() + con.execute("SELECT * FROM audit_log").fetchall()
    assert password not in repr(everything)


def test_without_a_mail_server_nothing_is_sent(con, firms, monkeypatch):
    mailserver.no_mail(monkeypatch)
    assert service_mail.server() is None
    with pytest.raises(service_mail.MailNotConfigured) as refused:
        service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    assert refused.value.message("zh") == "未配置邮件服务器（TRACKER_SMTP_HOST）：系统不发送任何邮件。"
    assert service_mail.scheduled_reminders(con, dt.date(2026, 4, 21)) is None
    assert service_mail.start_reminders(con) is None
    assert logged(con).empty


# ----------------------------------------------------------------------------- the schedule


@pytest.mark.parametrize(("today", "before", "every", "opens", "due"), [
    # deadline 2026-04-20; the quarter's figures can be reported from 2026-04-01
    (dt.date(2026, 4, 14), 5, 7, dt.date(2026, 4, 1), None),
    (dt.date(2026, 4, 15), 5, 7, dt.date(2026, 4, 1), ReminderKind.BEFORE),  # 20 − 5
    (dt.date(2026, 4, 16), 5, 7, dt.date(2026, 4, 1), None),  # once before, not every day
    (dt.date(2026, 4, 20), 5, 7, dt.date(2026, 4, 1), None),  # the deadline day itself
    (dt.date(2026, 4, 20), 0, 7, dt.date(2026, 4, 1), ReminderKind.BEFORE),  # 0 days: on the deadline day
    (dt.date(2026, 4, 21), 5, 7, dt.date(2026, 4, 1), ReminderKind.AFTER),  # the day after
    (dt.date(2026, 4, 22), 5, 7, dt.date(2026, 4, 1), None),
    (dt.date(2026, 4, 27), 5, 7, dt.date(2026, 4, 1), None),
    (dt.date(2026, 4, 28), 5, 7, dt.date(2026, 4, 1), ReminderKind.AFTER),  # 21 + 7
    (dt.date(2026, 5, 5), 5, 7, dt.date(2026, 4, 1), ReminderKind.AFTER),  # 21 + 14
    (dt.date(2026, 4, 22), 5, 1, dt.date(2026, 4, 1), ReminderKind.AFTER),  # every day after
    (dt.date(2026, 4, 1), 30, 7, dt.date(2026, 4, 1), ReminderKind.BEFORE),  # 30 days before is still Q1: first day instead
    (dt.date(2026, 3, 21), 30, 7, dt.date(2026, 4, 1), None),  # never while the quarter is under way
    (dt.date(2026, 3, 21), 30, 7, None, ReminderKind.BEFORE),  # (without `opens`, as asked)
    (dt.date(2026, 4, 1), 5, 7, dt.date(2026, 4, 1), None),
])
def test_which_reminder_is_due_on_which_day(today, before, every, opens, due):
    assert reminder_due(today, DEADLINE, before, every, opens=opens) == due


def test_the_deadline_on_the_quarters_last_day_has_no_reminder_before():
    """A deadline of 0 days is the quarter's last day: nothing can be reported before it ends."""
    deadline, opens = dt.date(2026, 3, 31), dt.date(2026, 4, 1)
    assert [reminder_due(deadline + dt.timedelta(days=n), deadline, 5, 7, opens=opens) for n in range(-6, 2)] == \
        [None] * 7 + [ReminderKind.AFTER]


def test_the_scheduled_run_sends_the_reminder_due_for_the_last_complete_quarter(con, firms, server):
    # on 2026-04-21 the last complete quarter is 2026Q1, due by 04-20: the first reminder after it
    done = service_mail.scheduled_reminders(con, dt.date(2026, 4, 21))
    assert {o.kind for o in done.sent} == {"reminder_after"} and len(server.messages) == 2
    assert set(logged(con).actor) == {"scheduled-reminders"}
    assert service_mail.scheduled_reminders(con, dt.date(2026, 4, 22)) is None  # nothing due
    assert len(server.messages) == 2


def test_the_schedule_runs_in_a_thread_that_stops_when_told(con, server):
    stop = threading.Event()
    thread = service_mail.start_reminders(con, stop)
    assert thread is not None and thread.daemon and thread.is_alive()
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


# ---------------------------------------------------------------------- notices of a review


def pending(con, org_id: str, actor: str) -> int:
    return submissions.write_submission(con, figure(org_id), actor=actor, origin="form", status="pending")


def test_a_returned_submission_tells_its_submitter_with_the_comment(con, firms, server):
    users.add_user(con, SYSTEM, "ent-b", "企业B填报员", Role.ENTERPRISE, scope=firms.b, password="x" * 12,
                   email="filler@firm-b.example.cn")
    sub = pending(con, firms.b, "ent-b")
    comment = "软件业务收入与上季度相比下降过多，请核实后重报"
    assert commands.review(con, REVIEWER, sub, "returned", comment)
    (got,) = server.messages
    assert got.envelope_to == ["filler@firm-b.example.cn"]  # the user's own address before the firm's
    assert got.subject == f"【退回】第{sub}号报送已被退回，请修改后重新报送（{firms.name[firms.b]}）"
    assert f"审核意见：{comment}" in got.body and "2026年1-3月" in got.body and f"№{sub}" in got.body
    row = logged(con).iloc[0]
    assert (row.kind, row.status, row.submission_id, row.org_id) == ("returned", "sent", sub, firms.b)


def test_an_accepted_submission_tells_the_firm_when_its_submitter_has_no_address(con, firms, server):
    sub = pending(con, firms.c, "cli:root")  # no such user: the firm's contact is told
    assert commands.review(con, REVIEWER, sub, "accepted", None)
    (got,) = server.messages
    assert got.envelope_to == [firms.email[firms.c]]
    assert got.subject == f"【已通过】第{sub}号报送已审核通过（{firms.name[firms.c]}）"
    assert "已审核通过，感谢配合。" in got.body and "审核意见" not in got.body



def test_each_firm_of_a_park_upload_hears_of_its_own_part_only(con, firms, server):
    """A park's submission holding b's and c's figures, by a submitter without an address: b's
    contact and c's contact each get one notice naming their own firm, never the other."""
    both = pd.concat([figure(firms.b), figure(firms.c)], ignore_index=True)
    sub = submissions.write_submission(con, both, actor="cli:root", origin="upload", status="pending")
    assert commands.review(con, REVIEWER, sub, "returned", "请核实")
    assert server.recipients == sorted([firms.email[firms.b], firms.email[firms.c]])
    for own, other in ((firms.b, firms.c), (firms.c, firms.b)):
        (got,) = server.to(firms.email[own])
        assert firms.name[own] in got.subject and firms.name[other] not in got.subject + got.body
    assert sorted(logged(con).org_id) == sorted([firms.b, firms.c])

def test_nobody_to_tell_sends_nothing(con, firms, server):
    sub = pending(con, firms.d, "cli:root")  # neither the submitter nor the firm has an address
    assert commands.review(con, REVIEWER, sub, "accepted", "")
    assert server.messages == [] and logged(con).empty


def test_a_mail_failure_never_undoes_or_blocks_the_review(con, firms, monkeypatch):
    mailserver.use(monkeypatch, mailserver.free_port())
    sub = pending(con, firms.c, "cli:root")
    assert commands.review(con, REVIEWER, sub, "returned", "请补充说明")
    assert con.execute("SELECT status FROM submissions WHERE submission_id = ?", [sub]).fetchone() == ("returned",)
    row = logged(con).iloc[0]
    assert (row.kind, row.status) == ("returned", "failed") and "Connection refused" in row.error
    monkeypatch.setenv("TRACKER_SMTP_PORT", "not-a-port")  # even a mistyped setting
    other = pending(con, firms.b, "cli:root")
    assert commands.review(con, REVIEWER, other, "accepted", None)
    assert not commands.review(con, REVIEWER, other, "accepted", None)  # decided once: no second notice
    assert len(logged(con)) == 1


def test_no_mail_server_no_notice_and_the_review_stands(con, firms, monkeypatch):
    mailserver.no_mail(monkeypatch)
    sub = pending(con, firms.c, "cli:root")
    assert commands.review(con, REVIEWER, sub, "returned", "x")
    assert logged(con).empty


# --------------------------------------------------------------------------- account notices


def test_account_notices_carry_the_password_and_the_log_does_not(con, server):
    admin = Identity(username="admin", display_name="admin", role=Role.ADMIN)
    accounts = [NewAccount(username="ent-1", org_id="ent-1", org_name="青岛示例软件有限公司",
                           contact_email="one@firm.example.cn", password="Pw-one-123456"),
                NewAccount(username="ent-2", org_id="ent-2", org_name="无邮箱公司", contact_email=None,
                           password="Pw-two-123456")]
    done = service_mail.send_account_notices(con, admin, accounts)
    assert [o.recipient for o in done.sent] == ["one@firm.example.cn"] and [f.name for f in done.no_address] == ["无邮箱公司"]
    (got,) = server.messages
    assert "用户名：ent-1\n初始密码：Pw-one-123456" in got.body and "青岛示例软件有限公司" in got.subject
    row = logged(con).iloc[0]
    assert row.kind == "account" and pd.isna(row.body) and row.status == "sent"
    stored = repr(con.execute("SELECT * FROM mail_log").fetchall() + con.execute("SELECT * FROM audit_log").fetchall())
    assert "Pw-one-123456" not in stored
    with pytest.raises(AuthorizationError):
        service_mail.send_account_notices(con, REVIEWER, accounts)


def test_the_mail_log_is_an_administrators(con, firms, server):
    service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    admin = Identity(username="admin", display_name="admin", role=Role.ADMIN)
    assert len(service_mail.mail_log(con, admin)) == 2
    assert service_mail.mail_log(con, admin, status="failed").empty
    assert len(service_mail.mail_log(con, admin, kind="reminder_after")) == 2
    with pytest.raises(AuthorizationError):
        service_mail.mail_log(con, REVIEWER)


# ---------------------------------------------------------------------------- manage.py remind


def remind(db: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["remind", "--db", str(db), *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def db(tmp_path: Path, demo_db: Path) -> tuple[Path, Firms]:
    path = tmp_path / "cli.duckdb"
    gen = open_copy(demo_db, path)
    firms = Firms(next(gen))
    gen.close()  # closes the connection: the command opens the file itself
    return path, firms


def test_remind_sends_now_and_says_what_it_did(db, server):
    path, firms = db
    code, out, _ = remind(path, "--quarter", "2026Q1", "--under", PARK)
    assert code == 0
    assert server.recipients == sorted([firms.email[firms.b], firms.email[firms.c]])
    assert f"  sent    {firms.email[firms.b]}  {firms.name[firms.b]}" in out
    assert f"sent 2, failed 0, no contact e-mail {firms.count - 3}, reminded today already 0" in out
    code, out, _ = remind(path, "--quarter", "2026年1-3月", "--under", PARK)  # the same day again
    assert code == 0 and "sent 0, failed 0" in out and "reminded today already (2)" in out
    assert len(server.messages) == 2


def test_remind_dry_run_sends_nothing(db, monkeypatch):
    path, firms = db
    mailserver.no_mail(monkeypatch)  # a dry run needs no server
    code, out, _ = remind(path, "--quarter", "2026Q1", "--under", PARK, "--dry-run")
    assert code == 0 and f"  would send  {firms.email[firms.c]}" in out and "would send 2" in out
    check = connect(path)
    assert mail_log.entries(check).empty
    check.close()


def test_remind_exits_1_when_a_message_failed(db, monkeypatch):
    path, firms = db
    with mailserver.running(refuse={firms.email[firms.c]}) as box:
        mailserver.use(monkeypatch, box.port)
        code, out, _ = remind(path, "--quarter", "2026Q1", "--under", PARK)
    assert code == 1 and f"  failed  {firms.email[firms.c]}" in out and "sent 1, failed 1" in out


def test_remind_without_a_mail_server_says_so_and_exits_2(db, monkeypatch):
    path, _ = db
    mailserver.no_mail(monkeypatch)
    code, out, err = remind(path, "--quarter", "2026Q1")
    assert code == 2 and out == ""
    assert "未配置邮件服务器（TRACKER_SMTP_HOST）" in err and "No mail server is configured" in err


def test_remind_names_a_mistyped_mail_setting(db, server, monkeypatch):
    monkeypatch.setenv("TRACKER_SMTP_TLS", "yes")
    code, _, err = remind(db[0], "--quarter", "2026Q1")
    assert code == 2 and err == "error: TRACKER_SMTP_TLS must be starttls, ssl or none, not 'yes'\n"


@pytest.mark.parametrize(("args", "says"), [
    (["--quarter", "2099Q1"], "--quarter '2099Q1'"),  # not over yet
    (["--quarter", "Q5"], "--quarter 'Q5'"),
    (["--quarter", "2026Q1", "--under", "nowhere"], "--under 'nowhere': no such organisation"),
])
def test_remind_refuses_a_bad_quarter_or_organisation(db, server, args, says):
    code, _, err = remind(db[0], *args)
    assert code == 2 and says in err and server.messages == []


# ------------------------------------------------------------------------- the pages (AppTest)


@pytest.fixture
def app_firms(app_db: Path) -> Firms:
    """The app's store (demo users, APP_PASSWORD) with the four firms of `Firms`, written before
    the app opens it; the one report accepted, so that the app offers the quarter."""
    con = connect(app_db)
    try:
        return Firms(con, decided="accepted")
    finally:
        con.close()


QINGDAO_2026Q1 = {"plan_id": "qingdao-2012", "as_of-qingdao": QUARTER}


def test_the_reporting_page_sends_reminders_after_a_confirmation(app_firms, server):
    at = signed_in("reviewer", state=QINGDAO_2026Q1)
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "催报邮件" in [s.value for s in at.subheader]
    (plan,) = [m.value for m in at.markdown if "家未填报企业" in m.value]
    assert plan.startswith("将向 **2** 家未填报企业发送逾期催报邮件；")  # 2026Q1 was due by 2026-04-20
    next(b for b in at.button if b.label == "发送催报邮件").click().run()
    assert server.messages == []  # nothing before the confirmation
    next(b for b in at.button if b.label == "确认发送 2 封邮件").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert server.recipients == sorted([app_firms.email[app_firms.b], app_firms.email[app_firms.c]])
    (done,) = [s.value for s in at.success]
    assert done.startswith("催报邮件：已发送 2 封，失败 0 封，没有邮箱地址 ")
    # reminded today: nobody left to remind, and the page says why
    assert any("没有需要发送催报邮件的企业" in c.value and "2 家今天已催报过" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "发送催报邮件"]


def test_the_reporting_page_cancel_sends_nothing(app_firms, server):
    at = signed_in("reviewer", state=QINGDAO_2026Q1)
    at.switch_page("pages/reporting.py").run()
    next(b for b in at.button if b.label == "发送催报邮件").click().run()
    next(b for b in at.button if b.label == "取消").click().run()
    assert not at.exception and server.messages == []
    assert not [b for b in at.button if b.label.startswith("确认发送")]


def test_the_reporting_page_without_a_mail_server_says_so(app_firms, monkeypatch):
    mailserver.no_mail(monkeypatch)
    at = signed_in("reviewer", state=QINGDAO_2026Q1)
    at.switch_page("pages/reporting.py").run()
    assert not at.exception
    assert "未配置邮件服务器（TRACKER_SMTP_HOST）：系统不发送任何邮件。" in [i.value for i in at.info]
    assert not [b for b in at.button if b.label == "发送催报邮件"]


def test_a_leader_sees_no_reminder_section(app_firms, server):
    at = signed_in("leader", state=QINGDAO_2026Q1)
    at.switch_page("pages/reporting.py").run()
    assert not at.exception and "催报邮件" not in [s.value for s in at.subheader]


def test_the_mail_page_lists_the_log_with_failures_marked(app_db, monkeypatch):
    con = connect(app_db)
    firms = Firms(con)
    with mailserver.running(refuse={firms.email[firms.b]}) as box:
        mailserver.use(monkeypatch, box.port)
        service_mail.send_reminders(con, REVIEWER, QUARTER, PARK, today=AFTER)
    con.close()
    monkeypatch.setenv("TRACKER_SMTP_USER", "tracker")
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "never-shown-password")
    at = signed_in("admin")
    at.switch_page("pages/mail.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (info,) = [i.value for i in at.info]
    # markdown: the parameters escaped (the address broken up by a zero-width space, ui/text.py)
    assert info == (f"邮件服务器：127\\.0\\.0\\.1:{box.port}（none），发件人 "
                    "填报系统 \\<tracker\\@\u200bbureau\\.example\\.cn\\>，以 tracker 登录")
    assert "never-shown-password" not in repr([e.value for e in (*at.info, *at.markdown, *at.caption, *at.text)])
    table = at.dataframe[0].value
    assert sorted(table["状态"]) == sorted(["发送失败", "已发送"])
    assert set(table["收件人"]) == {firms.email[firms.b], firms.email[firms.c]}
    assert set(table["类型"]) == {"逾期催报"} and set(table["报告期"]) == {"2026年1-3月"}
    assert "其中 1 封发送失败（红色标出）。" in [c.value for c in at.caption]
    styles = str(at.dataframe[0].proto.arrow_data.styler)
    assert styles.count("background-color: #fde2e1") >= 1
    # filtered to the failures: only the refused one, its reason beside it
    next(s for s in at.selectbox if s.label == "状态").set_value("failed").run()
    table = at.dataframe[0].value
    assert list(table["收件人"]) == [firms.email[firms.b]] and "550" in table["错误"].iloc[0]
    assert at.text[-1].value.startswith(firms.name[firms.b] + "：")  # its text, as it was sent


def test_the_mail_page_without_a_mail_server_says_so(app_db, monkeypatch):
    mailserver.no_mail(monkeypatch)
    at = signed_in("admin")
    at.switch_page("pages/mail.py").run()
    assert not at.exception
    assert "未配置邮件服务器（TRACKER_SMTP_HOST）：系统不发送任何邮件。" in [w.value for w in at.warning]
    assert "还没有符合条件的邮件记录。" in [i.value for i in at.info]
