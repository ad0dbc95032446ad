"""The one write layer the pages call: service/commands.py bound to the app's connection.

`services.review(who, submission_id, decision, comment)` is `commands.review` on a cursor of the
app's one connection; the checks, the scope and the audit rows are the service's. The entry
form's rows are shaped here too (`form_rows`), as the write path reads them. Nothing here is
cached — a write, and the check of what is about to be written, always reach the store — and each
write bumps the data version, so the next run of any page reads afresh through ui/queries.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from domain import extract
from domain.access import Identity
from domain.extract import Proposal
from domain.messages import Message
from domain.models import Adjustment, Indicator, Plan
from domain.periods import Period
from domain.problems import CatalogProblem
from domain.programme import BaseReportInput, DesignationInput, TaskUpdateInput
from domain.register import RegisterPlan
from service import commands, mail
from service import plans as plan_service
from store import documents, readers
from store.db import StoreError
from store.ingest import AlreadySubmitted as AlreadySubmitted  # what submit raises for the same intent again
from store.ingest import Checked as Checked  # what check_* return and submit takes: ui/entry.py names it from here
from store.org_events import OrgEvent as OrgEvent  # the events a firm's edit records
from store.plans import PlanRejected as PlanRejected  # what publish_plan, adjust_plan and import_plan_yaml raise
from store.register import NewAccount as NewAccount  # what create_accounts_for_register returns
from store.register import RegisterRejected as RegisterRejected  # what import_register raises: ui/register.py catches it
from ui.queries import backup_directory, backup_schedule, catalog, cursor


def form_rows(org_id: str, period: Period, values: dict[str, float | None], indicators: list[Indicator]) -> pd.DataFrame:
    """Values typed into the entry form as the tidy records `check_rows` takes (canonical units:
    the form shows each row's unit); the location columns point a problem at the form's row."""
    rows = [[org_id, str(period), i.indicator_id, repr(v), i.unit, n, i.code or i.indicator_id, "org", False]
            for n, i in enumerate(indicators, start=1) if (v := values.get(i.indicator_id)) is not None]
    return pd.DataFrame(rows, columns=[*readers.TIDY_COLUMNS, readers.ROW, readers.COLUMN, readers.ORG_COLUMN,
                                       readers.UNIT_GLOBAL])


def check_rows(who: Identity, name: str, rows: pd.DataFrame) -> Checked:
    return commands.check_rows(cursor(), catalog(), who, name, rows)


def check_file(who: Identity, name: str, data: bytes, waiting: Callable[[], None] | None = None) -> Checked:
    """Checked in a worker process; `waiting` is called if the file must wait for a free one."""
    return commands.check_file(cursor(), catalog(), who, name, data, waiting=waiting)


def submit(who: Identity, checked: Checked, origin: str, explanation: str | None,
           progress: Callable[[str], None] | None = None, answers: int | None = None) -> int:
    """Submissions from the app wait for a reviewer (status pending); `answers` is the returned one
    a correction answers. The same intent again raises AlreadySubmitted."""
    return commands.submit(cursor(), who, checked, origin=origin, status="pending", explanation=explanation,
                           progress=progress, answers=answers)


def review(who: Identity, submission_id: int, decision: str, comment: str | None) -> bool:
    return commands.review(cursor(), who, submission_id, decision, comment)


def review_many(who: Identity, submission_ids: list[int], comment: str | None = None) -> dict[int, str]:
    """Accept the given pending submissions, each as its own review; flagged ones are refused."""
    return commands.review_many(cursor(), who, submission_ids, comment)


def set_report_deadline(who: Identity, days: int) -> None:
    commands.set_report_deadline(cursor(), who, days)


def record_task_update(who: Identity, update: TaskUpdateInput) -> int:
    return commands.record_task_update(cursor(), who, update)


def record_designation(who: Identity, designation: DesignationInput) -> int:
    return commands.record_designation(cursor(), who, designation)


def record_base_report(who: Identity, report: BaseReportInput) -> int:
    return commands.record_base_report(cursor(), who, report)


def record_failed_attempt(username: str) -> bool:
    return commands.record_failed_attempt(cursor(), username)


def sign_in_with_password(username: str, password: str) -> str | None:
    """A new session's token for a right password, else None (the caller counts the attempt)."""
    return commands.sign_in_with_password(cursor(), username, password)


def resume_session(token: object) -> Identity | None:
    return commands.resume_session(cursor(), token)


def end_sessions(who: Identity) -> None:
    commands.end_sessions(cursor(), who)


def record_sso_sign_in(username: str, email: str, provider: str) -> None:
    commands.record_sso_sign_in(cursor(), username, email, provider)


def record_sso_refused(email: str, reason: str, provider: str) -> None:
    commands.record_sso_refused(cursor(), email, reason, provider)


@dataclass(frozen=True)
class BackupMade:
    """A backup taken from the app: its folder's name and observation count, or why it failed."""

    name: str | None = None
    rows: int | None = None
    problem: str | None = None


def backup_now(who: Identity) -> BackupMade:
    """A backup made by an administrator through the app's own connection (the only one there can
    be while it runs), recorded in the audit log; a failure (a full disk, a folder that cannot be
    written) is returned for the page to show, a refusal is raised."""
    try:
        plan = backup_schedule()
        path, manifest = commands.backup_now(cursor(), who, backup_directory(), keep=plan.keep if plan else None)
    except StoreError as e:
        return BackupMade(problem=str(e))
    return BackupMade(name=path.name, rows=manifest.tables["observations"].rows)


# ------------------------------------------------------------------------- e-mail (issue 17)


@dataclass(frozen=True)
class RemindersSent:
    """What a press of 发送催报邮件 did, in plain values for the page: how many were sent, the
    (recipient, firm, reason) of each failure, the firms without an address."""

    sent: int
    failed: tuple[tuple[str, str, str], ...]
    no_address: tuple[str, ...]


def send_reminders(who: Identity, under: str, period: Period) -> RemindersSent:
    """E-mail every firm under `under` that has not reported for `period` now (SEND_REMINDERS)."""
    done = mail.send_reminders(cursor(), who, period, under)
    return RemindersSent(
        sent=len(done.sent),
        failed=tuple((out.recipient, out.org_name or "", reason) for out, reason in done.failed),
        no_address=tuple(f.name for f in done.no_address))
# ---------------------------------------------------- the register of reporting units (issue 17)


def check_register(who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    return commands.check_register(cursor(), who, name, data, effective)


def import_register(who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    """Raises RegisterRejected (nothing written) when the file has errors."""
    return commands.import_register(cursor(), who, name, data, effective)


def set_contact_email(who: Identity, org_id: str, email: str | None) -> str | None:
    return commands.set_contact_email(cursor(), who, org_id, email)


def edit_org(who: Identity, org_id: str, *, name: str | None = None, email: str | None = None) -> None:
    commands.edit_org(cursor(), who, org_id, name=name, email=email)


def record_org_event(who: Identity, org_id: str, event: str, effective: dt.date, *, to_parent: str | None = None,
                     note: str = "") -> int:
    return commands.record_org_event(cursor(), who, org_id, event, effective, to_parent=to_parent, note=note)


def create_accounts_for_register(who: Identity, park: str | None = None) -> list[NewAccount]:
    return commands.create_accounts_for_register(cursor(), who, park)


def send_account_notices(who: Identity, accounts: list[NewAccount]) -> tuple[set[str], int]:
    """E-mail new accounts their passwords; returns the firms (org ids) e-mailed and how many
    messages failed — the caller hands the other passwords over itself."""
    done = commands.send_account_notices(cursor(), who, accounts)
    return {m.org_id for m in done.sent if m.org_id}, len(done.failed)


# ------------------------------------------------------------------------- plans (issue 20)


@dataclass(frozen=True)
class PlanDraft:
    """An uploaded plan document as the authoring page starts from it: its text as the store will keep
    it, the name it is kept under, and the extractor's proposal; or the Message saying why the file
    cannot be read (`problem`)."""

    file_name: str
    text: str = ""
    text_name: str = ""
    proposal: Proposal | None = None
    problem: Message | None = None


def propose_from_upload(name: str, data: bytes, scope: str | None = None) -> PlanDraft:
    """Read an uploaded plan document (text, .docx or PDF; bounded, parsed in a child process) and
    propose its commitments against the catalog in force. Writes nothing."""
    text = read_plan_document(name, data)
    if isinstance(text, Message):
        return PlanDraft(name, problem=text)
    return PlanDraft(name, text, plan_service.text_name(name, text), extract.propose(text, catalog(), scope))


def check_plan(who: Identity, plan: Plan, texts: Mapping[str, tuple[str, str]]) -> list[CatalogProblem]:
    """Every problem publishing `plan` would meet; nothing written."""
    return plan_service.check(cursor(), who, plan, texts)


def publish_plan(who: Identity, plan: Plan, texts: Mapping[str, tuple[str, str]]) -> int:
    """Raises PlanRejected (nothing written) with every problem."""
    return plan_service.publish(cursor(), who, plan, texts, origin="app")


def adjust_plan(who: Identity, plan_id: str, adjustment: Adjustment, document: tuple[str, str] | None) -> int:
    """A mid-term adjustment published as the plan's next version; raises PlanRejected."""
    return plan_service.adjust(cursor(), who, plan_id, adjustment, document, origin="app")


def read_plan_document(name: str, data: bytes) -> str | Message:
    """An uploaded document's text as the store keeps it, or the Message saying why it cannot be read."""
    try:
        return documents.read_plan_text(name, data)
    except documents.DocumentRejected as e:
        return e.reason


def import_plan_yaml(who: Identity, yaml_text: str, where: str, text: tuple[str, str] | None) -> Plan:
    """A plan file published, with `text` (file name, text) kept as the text its seed_file names when
    given (else the store must keep that text already); raises PlanRejected."""
    return plan_service.import_yaml(cursor(), who, yaml_text, where, {}, origin="app", document=text)


def export_plan_yaml(who: Identity, plan_id: str) -> str:
    return plan_service.export_yaml(cursor(), who, plan_id)


def text_name(file_name: str, text: str) -> str:
    """The name an uploaded text is kept under (what a plan's seed_file then says)."""
    return plan_service.text_name(file_name, text)
