"""Every write the pages and the command line make: the one route into the store.

Each command takes the connection, then the caller (`who`), then what to write. The scope and role
checks are the data layer's (store/access.py, store/users.py: a refusal raises `AuthorizationError`
and writes an `access.denied` audit row), and every write is audited inside its own transaction, so
a page, the command line and a test change the store in exactly the same way. Checking a file or
the entry form's rows is the first half of a submission and lives here too: it reads, but its
result is the thing `submit` writes and must never come from a cache. ui/services.py binds the
app's connection to these for the pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from domain.access import AuthorizationError, Identity, Role
from domain.catalog import Catalog
from domain.config import settings
from domain.messages import Message
from domain.policy import Permission
from domain.programme import BaseReportInput, DesignationInput, TaskUpdateInput
from domain.register import RegisterPlan
from domain.reporting import check_deadline_days
from domain.review import BulkOutcome
from domain.validation import whole_file
from service import mail
from store import access, audit, backup, demo, ingest, plans, readers, reference, sessions, users, worker
from store import register as registry
from store.db import Con
from store.org_events import OrgEvent
from store.register import NewAccount

# ------------------------------------------------------------------------ figures and review


def check_rows(con: Con, catalog: Catalog, who: Identity, name: str, rows: pd.DataFrame) -> ingest.Checked:
    """Validate tidy rows typed into the entry form (every problem collected, nothing written).
    An organisation outside `who`'s scope is refused (AuthorizationError) before any comparison."""
    return ingest.validate_tidy(con, catalog, name, rows, who=who)


def check_file(con: Con, catalog: Catalog, who: Identity, name: str, data: bytes, *,
               waiting: Callable[[], None] | None = None) -> ingest.Checked:
    """Read and validate an uploaded file of either layout (every problem collected, nothing written),
    in a worker process with a memory and a time cap (store/worker.py); `waiting` is called if the
    file must wait for a free worker."""
    return worker.check_file(con, catalog, name, data, who=who, waiting=waiting)


def submit(con: Con, who: Identity, checked: ingest.Checked, *, origin: str, status: str,
           explanation: str | None = None, progress: Callable[[str], None] | None = None,
           answers: int | None = None) -> int:
    """Write checked rows as one submission (returns its id), or raise SubmissionRejected with every
    problem and write nothing; warnings need an explanation. `answers`: the returned submission it
    corrects. The same intent sent again raises AlreadySubmitted (naming the first) and writes nothing."""
    return ingest.submit(con, checked, who=who, origin=origin, status=status, explanation=explanation,
                         progress=progress, answers=answers)


def import_file(con: Con, catalog: Catalog, who: Identity, path: Path, *, status: str = "accepted",
                explanation: str | None = None, progress: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Read, validate (in a worker process, as an upload is) and commit a file, all or nothing;
    returns (submission id, rows written)."""
    return ingest.import_file(con, catalog, path, who=who, status=status, explanation=explanation, progress=progress,
                              check=worker.check_file)


def review(con: Con, who: Identity, submission_id: int, decision: str, comment: str | None) -> bool:
    """Accept or return a pending submission (reviewers and administrators); returning it without a
    comment raises domain.review.CommentRequired and writes nothing. Once the decision is committed
    the submitter is e-mailed (service/mail.py), and a mail failure never undoes it."""
    decided = access.review(con, who, submission_id, decision, comment)
    if decided:
        _notify(con, who, submission_id)
    return decided


def _notify(con: Con, who: Identity, submission_id: int) -> None:
    try:
        mail.notify_review(con, who, submission_id)
    except Exception:  # the decision stands; the log and mail_log say what went wrong
        logging.getLogger("tracker.mail").exception("the notice of submission %d could not be sent", submission_id)


def review_many(con: Con, who: Identity, submission_ids: Iterable[int], comment: str | None = None) -> dict[int, BulkOutcome]:
    """Accept many pending submissions at once, each audited as its own review; those whose check
    raised a flag are refused (decided one by one), those no longer pending left alone. Each id's
    outcome: accepted, not_pending or flagged. Each submitter accepted is e-mailed, as by `review`."""
    outcomes = access.review_many(con, who, submission_ids, comment)
    for submission_id, outcome in outcomes.items():
        if outcome == BulkOutcome.ACCEPTED:
            _notify(con, who, submission_id)
    return outcomes


def set_report_deadline(con: Con, who: Identity, days: int) -> None:
    """Days after a quarter's end by which a report is on time (administrators). Days outside the
    reporting rule's range raise DeadlineError and write nothing: the input is checked before the
    caller, as a programme input is when it is built."""
    access.set_report_deadline(con, who, check_deadline_days(days))


# ------------------------------------------------------------- plans beyond revenue: programme


def record_task_update(con: Con, who: Identity, update: TaskUpdateInput, today: dt.date | None = None) -> int:
    """A lead department's quarterly status of a task; returns its revision (ProgrammeInputError
    when the task, the department or the quarter does not fit)."""
    return access.record_task_update(con, who, update, today)


def record_designation(con: Con, who: Identity, designation: DesignationInput, today: dt.date | None = None) -> int:
    """A base designation, or a correction of one (a new revision); returns the revision."""
    return access.record_designation(con, who, designation, today)


def record_base_report(con: Con, who: Identity, report: BaseReportInput, today: dt.date | None = None) -> int:
    """That a base's half-year report arrived; returns the revision."""
    return access.record_base_report(con, who, report, today)


# ---------------------------------------------------------------------------------- users


def add_user(con: Con, who: Identity, username: str, display_name: str, role: Role, scope: str | None = None,
             password: str | None = None, email: str | None = None) -> str:
    """A new account; returns its password (generated when none is given) to hand over once."""
    return users.add_user(con, who, username, display_name, role, scope, password, email)


def set_email(con: Con, who: Identity, username: str, email: str | None) -> str | None:
    """The e-mail single sign-on maps to the user (None or "" clears it); returns it as stored."""
    return users.set_email(con, who, username, email)


def set_role(con: Con, who: Identity, username: str, role: Role, scope: str | None = None) -> None:
    users.set_role(con, who, username, role, scope)


def reset_password(con: Con, who: Identity, username: str, password: str | None = None) -> str:
    """A new password (generated when none is given); lifts any lock-out and ends the user's sessions."""
    return users.reset_password(con, who, username, password)


def set_disabled(con: Con, who: Identity, username: str, disabled: bool) -> None:
    """Disable an account (ending its sessions) or enable it again."""
    users.set_disabled(con, who, username, disabled)


def record_failed_attempt(con: Con, username: str) -> bool:
    """Count a failed sign-in; True when it locked the account."""
    return users.record_failed_attempt(con, username)


def sign_in_with_password(con: Con, username: str, password: str) -> str | None:
    """A new session's token for a right password (the failed-attempt count starts again, the
    sign-in is audited, the session stored), or None for a wrong one — the caller counts it."""
    config = settings()
    return users.sign_in(con, username, password, dt.timedelta(hours=config.session_hours), config.signing_key())


def resume_session(con: Con, token: object) -> Identity | None:
    """The identity a sign-in cookie's token stands for, or None. Records when it was last seen
    and nothing else: a cookie never resets the failed-attempt count nor counts as a sign-in."""
    username = sessions.resume(con, token, settings().signing_key(), touch=True)
    return None if username is None else users.identity(con, username)


def end_sessions(con: Con, who: Identity) -> None:
    """Sign-out: every session of the user ends, in every browser."""
    sessions.revoke(con, who.username, who.username, "sign_out")


def record_sso_sign_in(con: Con, username: str, email: str, provider: str) -> None:
    users.record_sso_sign_in(con, username, email, provider)


def record_sso_refused(con: Con, email: str, reason: str, provider: str) -> None:
    users.record_sso_refused(con, email, reason, provider)


# ------------------------------------------------------------------ the store and its backups


def sync_catalog(con: Con, catalog: Catalog, actor: str) -> None:
    """Create or migrate the store's mirror of the plan catalog (idempotent)."""
    plans.sync_catalog(con, catalog, actor=actor)


def load_demo(con: Con, catalog: Catalog) -> int:
    """The demo data set, once; returns the observations written (0 when already present)."""
    return demo.load_demo(con, catalog)


def load_reference(con: Con) -> int | None:
    """The shipped reference pack (national software revenue as published), in a store without demo
    data: the demo keeps its own national series, and two national series would mix. Returns the
    rows written now (0 when the pack was already in), None when the store holds the demo."""
    if demo.has_demo(con):
        return None
    return reference.load_reference(con)


def create_demo_users(con: Con) -> dict[str, str]:
    """One demo user per role; {username: password} of those created now (existing ones are kept)."""
    return users.create_demo_users(con)


def backup_now(con: Con, who: Identity, directory: Path, keep: int | None = None) -> tuple[Path, backup.Manifest]:
    """A backup made through the app's own connection by an administrator, recorded in the audit log."""
    access.require(con, who, Permission.RUN_BACKUPS, "back up the store", ["users"])
    path, manifest = backup.create_in(con, directory, actor=who.username, keep=keep)
    audit.record(con, who.username, "backup.created", str(path),
                 {"observations": manifest.tables["observations"].rows, "sha256": manifest.files})
    return path, manifest


def start_nightly_backups(con: Con, schedule: backup.Schedule, stop: threading.Event | None = None) -> None:
    """A daemon thread backing the store up every night through `con` (the app's own connection),
    until `stop` is set."""
    backup.start_nightly(con, schedule, stop)


def backup_store(db: str | Path | None, target: str | Path, actor: str) -> backup.Manifest:
    """A backup of the store file into the new directory `target`, with nothing else holding the
    store (a StoreError of kind "locked" while the app has it open)."""
    con = backup.open_source(db)
    try:
        return backup.create(con, target, actor=actor)
    finally:
        con.close()


def restore(folder: str | Path, target: Path, actor: str, *, trust_unsigned: bool = False) -> backup.Restored:
    """Verify the backup and its signature, then replace the store with it (the replaced store is
    kept beside it); `trust_unsigned` accepts one made before backups were signed, audited."""
    return backup.restore(folder, target, actor=actor, trust_unsigned=trust_unsigned)


# ---------------------------------------------------- the register of reporting units (issue 17)
# Administrators (MANAGE_REGISTER); store/register.py refuses anyone else, audited.


def check_register(con: Con, who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    """What loading a register file would add, change and leave alone, and every problem in it
    (nothing written). `effective`: the day new firms entered the survey (default today)."""
    return registry.check_file(con, who, name, data, effective)


def import_register(con: Con, who: Identity, name: str, data: bytes, effective: dt.date | None = None) -> RegisterPlan:
    """Load a register file all or nothing (RegisterRejected, nothing written, when it has errors);
    returns the plan it carried out."""
    return registry.import_file(con, who, name, data, effective)


def import_register_file(con: Con, who: Identity, path: Path, effective: dt.date | None = None, *,
                         dry_run: bool = False) -> RegisterPlan:
    """A register file on disk: checked only (`dry_run`) or loaded; a file over the readers' size
    limit is refused without being read."""
    if (size := path.stat().st_size) > readers.MAX_BYTES:
        problem = whole_file(path.name, Message.of("validation.file.too_large", size=size / 2**20,
                                                   limit=readers.MAX_BYTES / 2**20))
        raise registry.RegisterRejected(RegisterPlan(path.name, effective or dt.date.today(), problems=(problem,)))
    data = path.read_bytes()
    return (check_register if dry_run else import_register)(con, who, path.name, data, effective)


def set_contact_email(con: Con, who: Identity, org_id: str, email: str | None) -> str | None:
    """Where an organisation's reminders and notices go ("" or None clears it); returns it as stored."""
    return registry.set_contact_email(con, who, org_id, email)


def edit_org(con: Con, who: Identity, org_id: str, *, name: str | None = None, email: str | None = None,
             to_parent: str | None = None, effective: dt.date | None = None, note: str = "") -> None:
    """A firm's name, contact e-mail and place changed together, all or nothing (MANAGE_REGISTER)."""
    registry.edit(con, who, org_id, name=name, email=email, to_parent=to_parent, effective=effective, note=note)


def rename_org(con: Con, who: Identity, org_id: str, name: str) -> None:
    registry.rename(con, who, org_id, name)


def record_org_event(con: Con, who: Identity, org_id: str, event: OrgEvent | str, effective: dt.date, *,
                     to_parent: str | None = None, note: str = "") -> int:
    """A dated event of a firm — closed, left_survey, entered_survey, or moved (which also moves it
    to `to_parent`, so the sums follow); returns the event's id. RegisterInputError when the firm,
    the place or the move does not fit."""
    return registry.record_event(con, who, org_id, OrgEvent(event), effective, to_parent=to_parent, note=note)


def create_accounts_for_register(con: Con, who: Identity, park: str | None = None) -> list[NewAccount]:
    """An enterprise account for every firm of `park` (or of the register) that has none, each with
    a generated password to hand over once; existing accounts are left alone."""
    return registry.create_accounts(con, who, park)


def send_account_notices(con: Con, who: Identity, accounts: list[NewAccount]) -> mail.Outcome:
    """E-mail new accounts their sign-in name and password (MANAGE_REGISTER; MailNotConfigured
    without a mail server). The accounts not among `sent` — no address, or a failed message — are
    the caller's to hand over another way: their passwords exist nowhere else."""
    try:
        return mail.send_account_notices(con, who, accounts)
    except (mail.MailNotConfigured, AuthorizationError):
        raise
    except Exception as e:  # a password must never be lost: every account counts as not e-mailed
        logging.getLogger("tracker.mail").exception("account notices could not be sent")
        return mail.Outcome(failed=tuple((mail.Outgoing("account", a.contact_email, "", "", org_id=a.org_id), repr(e))
                                         for a in accounts if a.contact_email))
