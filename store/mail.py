"""The mail log: every reminder and notice the product sent or failed to send (migration 11), and
the reads the sending needs — which firms already got a reminder today, whom a submission's notice
goes to.

A row is written for each message as soon as the server has answered for it, so a batch cut short
leaves the messages already sent on record. A message carrying a password (kind `account`) is
logged without its body. Sending itself is the service's (service/mail.py); this module holds the SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from domain.periods import Period
from store.sql import Con, frame, scalar, transaction

KINDS = ("reminder_before", "reminder_after", "returned", "accepted", "account")
STATUSES = ("sent", "failed")


def log(con: Con, *, kind: str, recipient: str, subject: str, body: str | None, status: str, actor: str,
        error: str | None = None, org_id: str | None = None, submission_id: int | None = None,
        period: Period | None = None, at: dt.datetime | None = None) -> int:
    """One message's row; returns its id. The body of an `account` message is never kept."""
    if kind not in KINDS or status not in STATUSES:
        raise ValueError(f"mail kind {kind!r} / status {status!r} unknown")
    with transaction(con):
        return int(scalar(
            con,
            """INSERT INTO mail_log (kind, org_id, submission_id, year, quarter, recipient, subject, body, status,
                                     error, actor, logged_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING mail_id""",
            [kind, org_id, submission_id, period.year if period else None, period.quarter if period else None,
             recipient, subject, None if kind == "account" else body, status, error, actor, at or dt.datetime.now()],
        ))


def sent_on(con: Con, kind: str, period: Period, day: dt.date) -> set[str]:
    """The organisations a message of `kind` about `period` was sent to on `day` (failed ones not:
    they may be tried again)."""
    found = frame(
        con,
        """SELECT DISTINCT org_id FROM mail_log
           WHERE kind = ? AND year = ? AND quarter = ? AND status = 'sent' AND org_id IS NOT NULL
             AND logged_at >= ? AND logged_at < ?""",
        [kind, period.year, period.quarter, day, day + dt.timedelta(days=1)],
    )
    return set(found.org_id)


def entries(con: Con, status: str | None = None, kind: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The log, newest first, with each organisation's name."""
    return frame(
        con,
        """SELECT m.mail_id, m.logged_at, m.kind, m.status, m.recipient, m.org_id, o.name_zh AS org_name,
                  m.submission_id, m.year, m.quarter, m.subject, m.body, m.error, m.actor
           FROM mail_log m LEFT JOIN orgs o USING (org_id)
           WHERE (? IS NULL OR m.status = ?) AND (? IS NULL OR m.kind = ?)
           ORDER BY m.logged_at DESC, m.mail_id DESC LIMIT ?""",
        [status, status, kind, kind, limit],
    )


@dataclass(frozen=True)
class SubmissionParties:
    """Who hears of a reviewed submission, and what it covered."""

    submission_id: int
    status: str
    comment: str | None
    submitted_by: str
    submitter_email: str | None  # the submitting user's own address, when the user has one
    orgs: tuple[tuple[str, str, str | None], ...]  # (org_id, name, contact e-mail) of each organisation in it
    periods: tuple[Period, ...]


def submission_parties(con: Con, submission_id: int) -> SubmissionParties | None:
    """The submission's state, its submitter's e-mail and its organisations' contacts; None if there
    is no such submission."""
    head = frame(
        con,
        """SELECT s.status, s.review_comment, s.submitted_by, u.email
           FROM submissions s LEFT JOIN users u ON u.username = s.submitted_by
           WHERE s.submission_id = ?""",
        [submission_id],
    )
    if head.empty:
        return None
    orgs = frame(
        con,
        """SELECT DISTINCT o.org_id, g.name_zh, g.contact_email FROM observations o JOIN orgs g USING (org_id)
           WHERE o.submission_id = ? ORDER BY g.name_zh, o.org_id""",
        [submission_id],
    )
    periods = frame(con, "SELECT DISTINCT year, quarter FROM observations WHERE submission_id = ? ORDER BY year, quarter",
                    [submission_id])
    row = head.iloc[0]
    return SubmissionParties(
        submission_id=submission_id, status=str(row.status),
        comment=None if pd.isna(row.review_comment) else str(row.review_comment), submitted_by=str(row.submitted_by),
        submitter_email=None if pd.isna(row.email) else str(row.email),
        orgs=tuple((str(r.org_id), str(r.name_zh), None if pd.isna(r.contact_email) else str(r.contact_email))
                   for r in orgs.itertuples()),
        periods=tuple(Period(int(r.year), int(r.quarter)) for r in periods.itertuples()),
    )
