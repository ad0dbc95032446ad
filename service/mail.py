"""E-mail: reminders (催报) to the firms that have not reported, notices of a review decision to the
submitter, account notices with a sign-in name and password — sent through the SMTP server of the
settings (TRACKER_SMTP_*), each one logged (store/mail.py) as sent or failed.

Every message is plain UTF-8 text worded by the message catalog in Chinese, the bureau's language.
Without TRACKER_SMTP_HOST nothing is sent: the pages and the command line say so (`server()` is
None). A message that fails is logged with the server's answer and the others go on; a server that
cannot be reached fails the rest of its batch at once with the same error (one connection attempt
per batch, bounded by TRACKER_SMTP_TIMEOUT), so a dead server never holds a reviewer or the
scheduler for more than one timeout. A review notice is sent after the decision is committed; its
failure never undoes or blocks the review (service/commands.review catches it).

Reminders go out on demand (the reporting page, `manage.py remind`) and on a schedule: a daemon
thread started once per process beside the nightly backup sends, at TRACKER_REMIND_AT, the reminder
`domain.reporting.reminder_due` finds due for the last complete quarter. The same kind never goes to
the same firm for the same quarter twice on one day (the log says who got one).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import smtplib
import ssl
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from pydantic import SecretStr

from domain.access import Identity, Role
from domain.config import settings
from domain.messages import Message, MessageError, listed, text
from domain.periods import Period, last_complete_quarter, period_message
from domain.policy import Permission
from domain.reporting import ReminderKind, reminder_due, reminder_kind
from service import queries
from store import access, audit, mail, orgs
from store.catalog import default_catalog
from store.db import Con
from store.register import NewAccount

_log = logging.getLogger("tracker.mail")
LANG = "zh"  # the bureau's language: every message is written in it
SCHEDULER = Identity(username="scheduled-reminders", display_name="scheduled-reminders", role=Role.ADMIN)


class MailNotConfigured(MessageError):
    """Asked to send while no mail server is configured."""


# ------------------------------------------------------------------------------ the server


@dataclass(frozen=True)
class Server:
    """The mail server of the settings (the password stays a SecretStr: never shown or logged)."""

    host: str
    port: int
    sender: str
    user: str | None
    password: SecretStr | None
    tls: str
    timeout: int


def server() -> Server | None:
    """The configured mail server, or None when TRACKER_SMTP_HOST is unset (no e-mail at all)."""
    s = settings()
    if not s.smtp_host:
        return None
    assert s.smtp_from is not None  # the settings refuse a host without a sender
    return Server(s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_user, s.smtp_password, s.smtp_tls, s.smtp_timeout)


def _required() -> Server:
    found = server()
    if found is None:
        raise MailNotConfigured(Message.of("mail.not_configured"))
    return found


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient, with what the log keeps about it."""

    kind: str
    recipient: str
    subject: str
    body: str
    org_id: str | None = None
    submission_id: int | None = None
    period: Period | None = None
    org_name: str | None = None  # for the reader of an outcome; the log joins the name itself


@dataclass(frozen=True)
class Recipient:
    """A firm a reminder is meant for, and its contact address (None: it has none)."""

    org_id: str
    name: str
    email: str | None


@dataclass(frozen=True)
class Outcome:
    """What a send did: the messages sent, those that failed (with the reason), and the firms left
    out because they have no address or were reminded today already."""

    sent: tuple[Outgoing, ...] = ()
    failed: tuple[tuple[Outgoing, str], ...] = ()
    no_address: tuple[Recipient, ...] = ()
    already: tuple[Recipient, ...] = ()


class _NotTried(ConnectionError):
    """A message of a batch whose server could not be reached: not tried at all."""


def _describe(error: BaseException) -> str:
    """The server's answer or the network error, as an operator reads it in the log."""
    if isinstance(error, _NotTried):
        return str(error)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {reply.decode(errors='replace')}" for rcpt, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        return f"{error.smtp_code} {reply}"
    return f"{type(error).__name__}: {error}"


class _Connection:
    """One SMTP session for a batch: opened at the first message, opened again after the server
    dropped it, and given up for the rest of the batch once it cannot be opened."""

    def __init__(self, srv: Server):
        self.srv = srv
        self.smtp: smtplib.SMTP | None = None
        self.unreachable: str | None = None

    def _open(self) -> smtplib.SMTP:
        srv = self.srv
        if srv.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(srv.host, srv.port, timeout=srv.timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(srv.host, srv.port, timeout=srv.timeout)
        try:
            if srv.tls == "starttls":  # refused outright by a server that cannot: never sent in the clear instead
                smtp.starttls(context=ssl.create_default_context())
            if srv.user:
                smtp.login(srv.user, srv.password.get_secret_value() if srv.password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.unreachable is not None:
            raise _NotTried(f"not tried: the mail server could not be reached ({self.unreachable})")
        if self.smtp is None:
            try:
                self.smtp = self._open()
            except (OSError, smtplib.SMTPException) as e:
                self.unreachable = _describe(e)
                raise
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()  # the next message opens a new session
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


def _email(srv: Server, out: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = out.subject
    message["From"] = srv.sender
    message["To"] = out.recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(srv.sender)[1].rpartition("@")[2] or None)
    message.set_content(out.body, charset="utf-8", cte="base64")  # 7-bit safe for any server
    return message


def deliver(con: Con, actor: str, messages: Sequence[Outgoing], srv: Server | None = None) -> Outcome:
    """Send each message, logging each as sent or failed the moment its answer is known; a failure
    never stops the messages after it."""
    srv = srv or _required()
    sent: list[Outgoing] = []
    failed: list[tuple[Outgoing, str]] = []
    connection = _Connection(srv)
    try:
        for out in messages:
            try:
                connection.send(_email(srv, out))
            except (OSError, smtplib.SMTPException) as e:
                reason = _describe(e)
                failed.append((out, reason))
                if not isinstance(e, _NotTried):  # the rest of a batch whose server is down: one line below
                    _log.warning("%s to %s failed: %s", out.kind, out.recipient, reason)
                mail.log(con, kind=out.kind, recipient=out.recipient, subject=out.subject, body=out.body, status="failed",
                         error=reason, actor=actor, org_id=out.org_id, submission_id=out.submission_id, period=out.period)
            else:
                sent.append(out)
                mail.log(con, kind=out.kind, recipient=out.recipient, subject=out.subject, body=out.body, status="sent",
                         actor=actor, org_id=out.org_id, submission_id=out.submission_id, period=out.period)
    finally:
        connection.close()
    if untried := sum(reason.startswith("not tried") for _, reason in failed):
        _log.warning("%d further message(s) not tried: the mail server could not be reached", untried)
    return Outcome(sent=tuple(sent), failed=tuple(failed))


# ------------------------------------------------------------------------------- the words


def _date(day: dt.date) -> Message:
    return Message.of("mail.date", year=day.year, month=day.month, day=day.day)


def _worded(code: str, **params: Any) -> str:
    return text(code, LANG, **params)


def reminder_message(kind: ReminderKind, firm: Recipient, period: Period, deadline: dt.date) -> Outgoing:
    """The reminder of `kind` to one firm, in the bureau's language."""
    assert firm.email is not None
    params = {"org": firm.name, "period": period_message(period), "deadline": _date(deadline)}
    return Outgoing(kind.value, firm.email, _worded(f"mail.{kind.value}.subject", **params),
                    _worded(f"mail.{kind.value}.body", **params), org_id=firm.org_id, period=period,
                    org_name=firm.name)


# ------------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderPlan:
    """Who a reminder for a quarter would go to now: the firms under `under` that have not reported,
    split into those to send to, those without an address and those reminded today already."""

    under: str
    period: Period
    deadline: dt.date
    kind: ReminderKind
    to_send: tuple[Recipient, ...]
    no_address: tuple[Recipient, ...]
    already: tuple[Recipient, ...]


def reminder_plan(con: Con, who: Identity, period: Period, under: str | None = None, *,
                  kind: ReminderKind | None = None, today: dt.date | None = None) -> ReminderPlan:
    """The reminder a send would make now (SEND_REMINDERS; refused and audited otherwise). `under`
    is a city or park (default: every organisation); `kind` defaults to before or after the
    deadline as of `today` (default: the date). Who was reminded already is counted on the calendar
    day the messages are sent, whatever `today` says: the once-a-day rule is about people's inboxes."""
    under = under or default_catalog().root
    access.require(con, who, Permission.SEND_REMINDERS, "send reminders for", [under])
    sending_day = dt.date.today()
    today = today or sending_day
    days = queries.report_deadline_days(con)
    deadline = period.deadline(days)
    kind = kind or reminder_kind(today, deadline)
    status = access.reporting_status(con, who, under, period, days)
    missing = status[~status.reported]
    addresses = orgs.contacts(con, missing.org_id)
    done = mail.sent_on(con, kind.value, period, sending_day)
    firms = [Recipient(str(r.org_id), str(r.name_zh), addresses.get(str(r.org_id))) for r in missing.itertuples()]
    return ReminderPlan(
        under=under, period=period, deadline=deadline, kind=kind,
        to_send=tuple(f for f in firms if f.email and f.org_id not in done),
        no_address=tuple(f for f in firms if not f.email),
        already=tuple(f for f in firms if f.email and f.org_id in done))


def send_reminders(con: Con, who: Identity, period: Period, under: str | None = None, *,
                   kind: ReminderKind | None = None, today: dt.date | None = None) -> Outcome:
    """E-mail every firm of `reminder_plan` that has an address and was not reminded today; the
    batch is audited (`mail.reminders`). MailNotConfigured without a mail server."""
    srv = _required()
    plan = reminder_plan(con, who, period, under, kind=kind, today=today)
    done = deliver(con, who.username, [reminder_message(plan.kind, f, period, plan.deadline) for f in plan.to_send], srv)
    audit.record(con, who.username, "mail.reminders", f"{plan.under}:{period}",
                 {"kind": plan.kind.value, "sent": len(done.sent), "failed": len(done.failed),
                  "no_address": len(plan.no_address), "already": len(plan.already)})
    return Outcome(sent=done.sent, failed=done.failed, no_address=plan.no_address, already=plan.already)


def scheduled_reminders(con: Con, today: dt.date | None = None) -> Outcome | None:
    """The day's scheduled reminder for the last complete quarter, if one is due (None: no mail
    server, or nothing due today)."""
    if server() is None:
        return None
    s = settings()
    today = today or dt.date.today()
    period = last_complete_quarter(today)
    deadline = period.deadline(queries.report_deadline_days(con))
    kind = reminder_due(today, deadline, s.remind_before_days, s.remind_after_every,
                        opens=period.end_date + dt.timedelta(days=1))
    if kind is None:
        return None
    return send_reminders(con, SCHEDULER, period, kind=kind, today=today)


def _next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    today = dt.datetime.combine(now.date(), at)
    return today if today > now else today + dt.timedelta(days=1)


def start_reminders(con: Con, stop: threading.Event | None = None) -> threading.Thread | None:
    """A daemon thread sending the scheduled reminders every day at TRACKER_REMIND_AT through a
    cursor of `con` (the app's connection), until `stop` is set; None (no thread) without a mail
    server. A failure is logged and the next day tried again; it never stops the app."""
    if server() is None:
        return None
    stop = stop or threading.Event()
    at = settings().remind_at

    def loop() -> None:
        _log.info("scheduled reminders every day at %s", at)
        while True:
            now = dt.datetime.now()
            if stop.wait((_next_run(now, at) - now).total_seconds()):
                return
            try:
                done = scheduled_reminders(con.cursor())
                if done is not None:
                    _log.info("scheduled reminders: %d sent, %d failed, %d without an address",
                             len(done.sent), len(done.failed), len(done.no_address))
            except Exception:
                _log.exception("scheduled reminders failed")

    thread = threading.Thread(target=loop, name="tracker-reminders", daemon=True)
    thread.start()

    def finish() -> None:  # at exit: let a batch under way end
        stop.set()
        thread.join(timeout=30)

    atexit.register(finish)
    return thread


# ------------------------------------------------------------------- notices of a review


def notify_review(con: Con, who: Identity, submission_id: int) -> Outcome | None:
    """Tell the submitter that submission `submission_id` was returned (with the comment) or
    accepted: at the submitting user's own e-mail, else at the contact e-mail of each organisation
    in it. None when no mail server is configured or the submission is not decided."""
    srv = server()
    if srv is None:
        return None
    parties = mail.submission_parties(con, submission_id)
    if parties is None or parties.status not in ("returned", "accepted"):
        return None
    # The submitter hears of the whole submission; without its own address, each organisation's
    # contact hears of its own part only — a park's upload must not tell one firm the others' names.
    if parties.submitter_email:
        addressed = [(parties.submitter_email, [(org_id, name) for org_id, name, _ in parties.orgs])]
    else:
        addressed = [(email, [(org_id, name)]) for org_id, name, email in parties.orgs if email]
    if not addressed:
        _log.info("submission %d %s: nobody to tell (no e-mail for %s or its organisations)", submission_id,
                  parties.status, parties.submitted_by)
        return Outcome()
    periods = listed([period_message(p) for p in parties.periods])
    comment = parties.comment.strip() if parties.comment else ""
    if parties.status == "returned":
        said = comment or Message.of("mail.no_comment")
    else:
        said = Message.of("mail.accepted.comment", comment=comment) if comment else ""
    only_period = parties.periods[0] if len(parties.periods) == 1 else None
    messages = []
    for recipient, named in addressed:
        params = {"orgs": listed([name for _, name in named]), "periods": periods, "submission": submission_id,
                  "comment": said}
        messages.append(Outgoing(parties.status, recipient, _worded(f"mail.{parties.status}.subject", **params),
                                 _worded(f"mail.{parties.status}.body", **params),
                                 org_id=named[0][0] if len(named) == 1 else None, submission_id=submission_id,
                                 period=only_period))
    return deliver(con, who.username, messages, srv)


# -------------------------------------------------------------------------- account notices


def send_account_notices(con: Con, who: Identity, accounts: Iterable[NewAccount]) -> Outcome:
    """E-mail each new account (store/register.py, made for a registered firm) its sign-in name and
    password (MANAGE_REGISTER); one without a contact e-mail is left out (listed under no_address).
    Logged WITHOUT the body."""
    access.require(con, who, Permission.MANAGE_REGISTER, "send account notices", ["users"])
    srv = _required()
    messages, none = [], []
    for a in accounts:
        if not a.contact_email:
            none.append(Recipient(a.org_id, a.org_name, None))
            continue
        params = {"org": a.org_name, "username": a.username, "password": a.password}
        messages.append(Outgoing("account", a.contact_email, _worded("mail.account.subject", **params),
                                 _worded("mail.account.body", **params), org_id=a.org_id))
    done = deliver(con, who.username, messages, srv)
    audit.record(con, who.username, "mail.accounts", None,
                 {"sent": [m.recipient for m in done.sent], "failed": len(done.failed), "no_address": len(none)})
    return Outcome(sent=done.sent, failed=done.failed, no_address=tuple(none))


# ----------------------------------------------------------------------------------- reads


def mail_log(con: Con, who: Identity, status: str | None = None, kind: str | None = None, limit: int = 500):
    """The mail log, newest first (READ_MAIL_LOG)."""
    access.require(con, who, Permission.READ_MAIL_LOG, "read the mail log", ["mail_log"])
    return mail.entries(con, status, kind, limit)
