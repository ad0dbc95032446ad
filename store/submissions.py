"""Submissions: a batch of validated figures written as one submission (each figure becoming the
next revision of itself), its review (accepted or returned), and the reads of the review pages —
the list of submissions, a submission's figures beside those they would replace and the flags its
check raised, one figure's history.

A submission written or reviewed as accepted brings the derived tables up to date in the same
transaction (store/figures.py), so the figures in force never lag behind an acceptance.

One submission per intent (issue 17): `intent_digest` names what a submitter meant to send — who,
the returned submission it answers, and the figures as they would be written — and
`write_submission` given a digest looks for a pending or accepted submission with the same one
whose figures are still the latest revisions, inside the write transaction, so a second press, a
reload or the same file again raises `AlreadySubmitted` and writes nothing, even when two arrive at
once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence

import pandas as pd

from domain.messages import Message
from domain.review import BulkOutcome
from store import figures
from store.audit import audit
from store.sql import Con, frame, registered, scalar, transaction

REQUIRED_COLUMNS = ["org_id", "indicator_id", "year", "quarter", "value", "value_entered", "unit_entered", "note"]
# What a bureau publishes with a figure (migration 6), and what a row without them means: no published
# 同比, status A (normal), published when it is entered.
OPTIONAL_COLUMNS: dict[str, object] = {"yoy": None, "obs_status": "A", "published_on": None}
OBSERVATION_COLUMNS = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
# A flag the submission's check raised, kept with it (migration 10): the figure it concerns (NULL
# for the submission as a whole), the message code of its reason and the parameters as JSON
# (domain/message_json.py), so it is worded in the reviewer's language when read.
FLAG_COLUMNS = ["row_no", "org_id", "indicator_id", "year", "quarter", "severity", "code", "params"]


class AlreadySubmitted(Exception):
    """The same intent was submitted before (and is pending or accepted): nothing was written."""

    def __init__(self, submission_id: int):
        self.submission_id = submission_id
        self.reason = Message.of("submitter.already_submitted", id=submission_id)
        super().__init__(f"already submitted as submission {submission_id}")


def _blank(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == ""


def intent_digest(rows: pd.DataFrame, *, actor: str, answers: int | None = None) -> str:
    """What a submitter meant to send, as a SHA-256: the submitter, the submission it answers, and
    each figure as it would be written — organisation, indicator, period, value (canonical unit),
    published 同比, status and publication date — sorted, so neither the order of the rows, the
    origin nor the file's name makes two sends of the same figures different."""
    def cell(name: str, default: object = None) -> list:
        return rows[name].tolist() if name in rows else [default] * len(rows)

    def day(value: object) -> str | None:
        return None if _blank(value) else pd.Timestamp(value).date().isoformat()

    figures_ = sorted(
        (str(o), str(i), int(y), int(q), repr(float(v)), None if _blank(g) else repr(float(g)),
         "A" if _blank(s) else str(s), day(p))
        for o, i, y, q, v, g, s, p in zip(cell("org_id"), cell("indicator_id"), cell("year"), cell("quarter"),
                                          cell("value"), cell("yoy"), cell("obs_status"), cell("published_on"),
                                          strict=True))
    text = json.dumps({"by": actor, "answers": answers, "figures": figures_}, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_intent(con: Con, digest: str) -> int | None:
    """The pending or accepted submission with this digest whose figures are still the latest
    revisions (a figure revised since, other than by a returned submission, makes sending the
    same figures again a new intent: putting back a value that was changed), or None.

    In two steps: the submissions with the digest first — almost always none, found in a scan of
    the submissions alone — and only for those the look for newer revisions. As one query, DuckDB
    planned the look over every observation before the digest filtered anything: 2.7 s of every
    submission at national size (20 million figures), under the write lock, so that sends queued
    behind each other for tens of seconds in a reporting week (bench/ANALYSIS.md, "Under load")."""
    candidates = frame(con, """SELECT submission_id FROM submissions
                               WHERE digest = ? AND status IN ('pending', 'accepted')
                               ORDER BY submission_id DESC""", [digest]).submission_id.tolist()
    for submission_id in candidates:
        superseded = scalar(
            con,
            """SELECT count(*) FROM (SELECT org_id, indicator_id, year, quarter, revision
                                     FROM observations WHERE submission_id = ?) o
               JOIN observations n ON n.org_id = o.org_id AND n.indicator_id = o.indicator_id
                                  AND n.year = o.year AND n.quarter = o.quarter AND n.revision > o.revision
               JOIN submissions ns ON ns.submission_id = n.submission_id AND ns.status <> 'returned'""",
            [submission_id],
        )
        if not superseded:
            return int(submission_id)
    return None


def write_submission(
    con: Con, rows: pd.DataFrame, *, actor: str, origin: str, status: str,
    file_name: str | None = None, explanation: str | None = None, at: dt.datetime | None = None,
    answers: int | None = None, digest: str | None = None, flags: pd.DataFrame | None = None,
) -> int:
    """Store validated rows as one submission; each row becomes the next revision of its figure.

    Runs in one transaction: either the submission and all its rows land, or nothing does.
    `rows` must already be validated and hold REQUIRED_COLUMNS with values in canonical units; the
    OPTIONAL_COLUMNS it lacks (or leaves blank) take their defaults. `answers` is the returned
    submission this one corrects; with `digest` (`intent_digest`), a submission of the same intent
    still standing raises AlreadySubmitted instead — checked under the write lock, in the
    transaction that would write, so two sends at once cannot both land. `flags` (FLAG_COLUMNS) are
    the warnings its check raised, stored with it.
    """
    batch = rows[REQUIRED_COLUMNS].copy()
    for name, default in OPTIONAL_COLUMNS.items():
        batch[name] = rows[name] if name in rows else default
    batch["obs_status"] = batch["obs_status"].fillna("A")
    # Typed here so that an all-blank column is not registered as a column of text.
    batch["yoy"] = pd.to_numeric(batch["yoy"]).astype("float64")
    batch["published_on"] = pd.to_datetime(batch["published_on"])
    stamp = at or dt.datetime.now()
    # Per-row entry times are kept where given (the demo set dates each report after its quarter).
    batch["entered_at"] = rows["entered_at"] if "entered_at" in rows else stamp
    with registered(con, "batch_rows", batch):
        with transaction(con):
            if digest is not None and (earlier := same_intent(con, digest)) is not None:
                raise AlreadySubmitted(int(earlier))
            sub_id = scalar(
                con,
                """INSERT INTO submissions (origin, file_name, status, submitted_by, submitted_at, explanation, row_count,
                                            answers, digest)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING submission_id""",
                [origin, file_name, status, actor, stamp, explanation, len(batch), answers, digest],
            )
            con.execute(
                """INSERT INTO observations (org_id, indicator_id, year, quarter, revision, value, value_entered,
                                             unit_entered, submission_id, entered_by, entered_at, note,
                                             yoy, obs_status, published_on)
                   SELECT b.org_id, b.indicator_id, b.year, b.quarter, coalesce(m.rev, 0) + 1, b.value,
                          b.value_entered, b.unit_entered, ?, ?, b.entered_at, b.note,
                          b.yoy, b.obs_status, b.published_on
                   FROM batch_rows b LEFT JOIN (
                       SELECT org_id, indicator_id, year, quarter, max(revision) AS rev
                       FROM observations
                       WHERE (org_id, indicator_id) IN (SELECT DISTINCT org_id, indicator_id FROM batch_rows)
                         AND (year, quarter) IN (SELECT DISTINCT year, quarter FROM batch_rows)
                       GROUP BY ALL) m USING (org_id, indicator_id, year, quarter)""",
                [sub_id, actor],
            )
            _write_flags(con, sub_id, flags)
            if status == "accepted":
                figures.refresh_figures(con, sub_id)
            audit(con, actor, f"submission.{status}", f"submission:{sub_id}",
                  {"origin": origin, "file": file_name, "rows": len(batch)})
    return sub_id


def _write_flags(con: Con, submission_id: int, flags: pd.DataFrame | None) -> None:
    if flags is None or flags.empty:
        return
    rows = flags[FLAG_COLUMNS].astype(object).where(flags[FLAG_COLUMNS].notna(), None)
    con.executemany(
        """INSERT INTO submission_flags (submission_id, row_no, org_id, indicator_id, year, quarter, severity, code, params)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [[submission_id, *r] for r in rows.itertuples(index=False, name=None)],
    )


def skip_loaded_ids(con: Con) -> None:
    """After a bulk load that gave submission ids explicitly (the benchmark's store): move the
    sequence past them, so the app's next submission gets a free id."""
    top = scalar(con, "SELECT max(submission_id) FROM submissions")
    con.execute("SELECT max(nextval('submission_seq')) FROM range(?)", [int(top)])


def review_submission(con: Con, submission_id: int, *, reviewer: str, decision: str, comment: str | None) -> bool:
    """Accept or return a pending submission; False if it was not pending (already reviewed)."""
    if decision not in ("accepted", "returned"):
        raise ValueError(f"decision must be accepted or returned, not {decision!r}")
    with transaction(con):
        changed = scalar(
            con,
            """UPDATE submissions SET status = ?, reviewed_by = ?, reviewed_at = current_timestamp, review_comment = ?
               WHERE submission_id = ? AND status = 'pending' RETURNING submission_id""",
            [decision, reviewer, comment, submission_id],
        )
        if changed is not None:
            if decision == "accepted":
                figures.refresh_figures(con, submission_id)
            audit(con, reviewer, f"review.{decision}", f"submission:{submission_id}", {"comment": comment})
    return changed is not None


def accept_unflagged(con: Con, submission_id: int, *, reviewer: str, comment: str | None) -> BulkOutcome:
    """Accept a pending submission whose check raised no flag, as one of many accepted at once: its
    own transaction and its own audit row (`review.accepted`, marked bulk). A flagged one is
    refused (FLAGGED) and one no longer pending is left as it is (NOT_PENDING); neither is written."""
    with transaction(con):
        status = scalar(con, "SELECT status FROM submissions WHERE submission_id = ?", [submission_id])
        if status != "pending":
            return BulkOutcome.NOT_PENDING
        if scalar(con, "SELECT count(*) FROM submission_flags WHERE submission_id = ?", [submission_id]):
            return BulkOutcome.FLAGGED
        con.execute(
            """UPDATE submissions SET status = 'accepted', reviewed_by = ?, reviewed_at = current_timestamp,
                      review_comment = ?
               WHERE submission_id = ? AND status = 'pending'""",
            [reviewer, comment, submission_id],
        )
        figures.refresh_figures(con, submission_id)
        audit(con, reviewer, "review.accepted", f"submission:{submission_id}", {"comment": comment, "bulk": True})
    return BulkOutcome.ACCEPTED


# ------------------------------------------------------------------------------------ reads


def history(con: Con, org_id: str, indicator_id: str, year: int, quarter: int) -> pd.DataFrame:
    """Every revision of one figure, oldest first, with who entered it and its review state."""
    return frame(
        con,
        """SELECT o.revision, o.value, o.value_entered, o.unit_entered, o.entered_by, o.entered_at, o.note,
                  o.yoy, o.obs_status, o.published_on, s.submission_id, s.status, s.explanation, s.reviewed_by, s.review_comment
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE o.org_id = ? AND o.indicator_id = ? AND o.year = ? AND o.quarter = ?
           ORDER BY o.revision""",
        [org_id, indicator_id, year, quarter],
    )


def _listing(con: Con, status: str | None, org_id: str | None, submission_id: int | None, limit: int) -> pd.DataFrame:
    """Submissions (of `status`, holding a figure at or under `org_id`, of that id), newest first, with the organisations
    and periods they cover and the number of flags their check raised.

    The page of submissions is chosen first and only its rows are joined: joining every
    observation before the LIMIT cost seconds on a national store."""
    return frame(
        con,
        """WITH page AS (
               SELECT * FROM submissions
               WHERE (? IS NULL OR status = ?)
                 AND (? IS NULL OR submission_id IN (
                     SELECT o.submission_id FROM observations o JOIN org_closure c ON c.descendant_id = o.org_id
                     WHERE c.ancestor_id = ?))
                 AND (CASE WHEN ? IS NULL THEN origin <> 'demo' ELSE submission_id = ? END)
               ORDER BY submitted_at DESC, submission_id DESC LIMIT ?),
           flagged AS (
               SELECT submission_id, count(*) AS n FROM submission_flags
               WHERE submission_id IN (SELECT submission_id FROM page) GROUP BY ALL)
           SELECT s.submission_id, s.origin, s.file_name, s.status, s.submitted_by, s.submitted_at, s.explanation,
                  s.reviewed_by, s.reviewed_at, s.review_comment, s.row_count, s.answers,
                  coalesce(any_value(f.n), 0) AS flag_count,
                  string_agg(DISTINCT g.name_zh, '、') AS orgs,
                  string_agg(DISTINCT o.year || 'Q' || o.quarter, '、') AS periods,
                  list(DISTINCT {'org_id': o.org_id, 'name': g.name_zh} ORDER BY {'org_id': o.org_id, 'name': g.name_zh})
                      FILTER (WHERE o.org_id IS NOT NULL) AS org_list,
                  list_sort(list(DISTINCT o.year || 'Q' || o.quarter) FILTER (WHERE o.year IS NOT NULL)) AS period_list
           FROM page s
           LEFT JOIN flagged f USING (submission_id)
           LEFT JOIN observations o USING (submission_id)
           LEFT JOIN orgs g ON g.org_id = o.org_id
           GROUP BY s.submission_id, s.origin, s.file_name, s.status, s.submitted_by, s.submitted_at, s.explanation,
                    s.reviewed_by, s.reviewed_at, s.review_comment, s.row_count, s.answers
           ORDER BY s.submitted_at DESC, s.submission_id DESC""",
        [status, status, org_id, org_id, submission_id, submission_id, limit],
    )


def submissions(con: Con, status: str | None = None, limit: int = 200, org_id: str | None = None) -> pd.DataFrame:
    """Submissions, newest first (the demo's own left out), with the organisations and periods they
    cover, their flag count and the submission each answers; only those of `status`, and with
    `org_id` only those holding a figure of that organisation or of one under it."""
    return _listing(con, status, org_id, None, limit)


def submission(con: Con, submission_id: int) -> dict | None:
    """One submission as `submissions` lists it, or None when there is none of that id."""
    found = _listing(con, None, None, submission_id, 1)
    if found.empty:
        return None
    # NULLs as None, not NaN (`answers` is a number column): a caller tests `is None`.
    return {k: None if pd.api.types.is_scalar(v) and pd.isna(v) else v for k, v in found.iloc[0].to_dict().items()}


def flags(con: Con, submission_id: int) -> pd.DataFrame:
    """Every flag the submission's check raised (FLAG_COLUMNS), the whole-submission ones first, then
    by the row of the file."""
    return frame(
        con,
        """SELECT row_no, org_id, indicator_id, year, quarter, severity, code, params
            FROM submission_flags WHERE submission_id = ?
            ORDER BY row_no NULLS FIRST, org_id, indicator_id, year, quarter, code""",
        [submission_id],
    )


def submission_rows(con: Con, submission_id: int) -> pd.DataFrame:
    """A submission's figures beside the figure each would replace (old → new), last year's figure of
    the same quarter in force and the 同比 the row was published with, if any.

    The old figure is the newest accepted revision other than the submission's own: the figure in
    force for a pending or returned submission, the one it replaced for an accepted one. Both reads
    of the store are narrowed to the submission's organisations first, so a national store is not
    scanned whole for a park's upload."""
    return frame(
        con,
        """WITH mine AS (SELECT * FROM observations WHERE submission_id = ?),
           prior AS (
               SELECT p.org_id, p.indicator_id, p.year, p.quarter, p.value
               FROM observations p JOIN submissions s USING (submission_id)
               WHERE s.status = 'accepted' AND p.submission_id <> ?
                 AND p.org_id IN (SELECT org_id FROM mine)
                 AND (p.org_id, p.indicator_id, p.year, p.quarter) IN (SELECT org_id, indicator_id, year, quarter FROM mine)
               QUALIFY row_number() OVER (PARTITION BY p.org_id, p.indicator_id, p.year, p.quarter
                                          ORDER BY p.revision DESC) = 1)
           SELECT o.org_id, g.name_zh AS org_name, g.name_en AS org_name_en, o.indicator_id,
                  i.name_zh AS indicator_name, i.name_en AS indicator_name_en, i.unit,
                  o.year, o.quarter, o.revision, c.value AS old_value, o.value AS new_value, o.value_entered,
                  o.unit_entered, ly.value AS last_year_value, o.yoy AS published_yoy
           FROM mine o
           JOIN orgs g ON g.org_id = o.org_id
           JOIN indicators i ON i.indicator_id = o.indicator_id
           LEFT JOIN prior c
                  ON c.org_id = o.org_id AND c.indicator_id = o.indicator_id AND c.year = o.year AND c.quarter = o.quarter
           LEFT JOIN (SELECT * FROM current_observations WHERE org_id IN (SELECT org_id FROM mine)) ly
                  ON ly.org_id = o.org_id AND ly.indicator_id = o.indicator_id AND ly.year = o.year - 1
                 AND ly.quarter = o.quarter
           ORDER BY g.name_zh, o.year, o.quarter, i.indicator_id""",
        [submission_id, submission_id],
    )


# ------------------------------------------------------------- the submitter's side (issue 17)


def submissions_touching(con: Con, org_ids: Sequence[str], limit: int = 100) -> pd.DataFrame:
    """Submissions holding a figure of any of `org_ids`, newest first (demo data left out), each
    with what it holds of those organisations only — their names, its periods (as ordinals), how
    many of its figures — the submission it answers and the latest one answering it. What it
    holds of other organisations is neither counted nor named: a firm's list says nothing of
    another firm an administrator's file held beside it."""
    return frame(
        con,
        """WITH touched AS (SELECT DISTINCT submission_id FROM observations WHERE list_contains(?, org_id)),
           page AS (
               SELECT * FROM submissions
               WHERE origin <> 'demo' AND submission_id IN (SELECT submission_id FROM touched)
               ORDER BY submitted_at DESC, submission_id DESC LIMIT ?),
           answered AS (
               SELECT answers AS submission_id, max(submission_id) AS answered_by FROM submissions
               WHERE answers IN (SELECT submission_id FROM page) GROUP BY answers)
           SELECT s.submission_id, s.origin, s.file_name, s.status, s.submitted_by, s.submitted_at, s.explanation,
                  s.reviewed_by, s.reviewed_at, s.review_comment, s.answers, a.answered_by,
                  count(*) AS figures, string_agg(DISTINCT g.name_zh, '、' ORDER BY g.name_zh) AS orgs,
                  list(DISTINCT o.org_id ORDER BY o.org_id) AS org_ids,
                  list(DISTINCT o.year * 4 + o.quarter - 1 ORDER BY o.year * 4 + o.quarter - 1) AS ordinals
           FROM page s
           JOIN observations o ON o.submission_id = s.submission_id AND list_contains(?, o.org_id)
           JOIN orgs g ON g.org_id = o.org_id
           LEFT JOIN answered a ON a.submission_id = s.submission_id
           GROUP BY ALL ORDER BY s.submitted_at DESC, s.submission_id DESC""",
        [list(org_ids), limit, list(org_ids)],
    )


def submission_figures(con: Con, submission_id: int, org_ids: Sequence[str]) -> pd.DataFrame:
    """The figures of one submission at `org_ids`, as written: names, indicator names and units,
    the value (canonical unit) and what was typed, the published 同比, status and date."""
    return frame(
        con,
        """SELECT o.org_id, g.name_zh AS org_name, o.indicator_id, i.code, i.name_zh, i.name_en, i.unit,
                  o.year, o.quarter, o.value, o.value_entered, o.unit_entered, o.yoy, o.obs_status, o.published_on
           FROM observations o
           JOIN orgs g ON g.org_id = o.org_id
           JOIN indicators i ON i.indicator_id = o.indicator_id
           WHERE o.submission_id = ? AND list_contains(?, o.org_id)
           ORDER BY g.name_zh, o.year, o.quarter, i.code NULLS LAST, o.indicator_id""",
        [submission_id, list(org_ids)],
    )


def submission_status(con: Con, submission_id: int) -> str | None:
    """pending, accepted or returned; None when there is no such submission."""
    return scalar(con, "SELECT status FROM submissions WHERE submission_id = ?", [submission_id])
