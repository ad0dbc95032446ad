"""Committing observations from a file or a form, all or nothing, once domain/validation's rules pass.

This module only moves data: it reads the file into tidy records (store/readers.py), hands the
validator the organisations and the stored figures its rules compare with, and writes the rows
that passed as one submission. The rules and their messages live in domain/validation.py. Errors
reject the whole submission; warnings (a year-on-year change beyond ±50 %, an implausible value)
need an explanation from the submitter. The command line, the upload page and the entry form all go through `check_file` /
`validate_tidy` and `submit`, so they accept and refuse exactly the same things.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain import message_json, validation
from domain.access import Identity
from domain.catalog import Catalog
from domain.messages import Message
from domain.periods import Period
from domain.validation import HasProblems, Key, Organisations, Problem, Record, Severity, whole_file
from store import access, figures, readers, sql, submissions
from store import orgs as organisations
from store.readers import COLUMN, ORG_COLUMN, ROW, TIDY_COLUMNS, UNIT_GLOBAL, YOY_COLUMN, FileRejected
from store.submissions import AlreadySubmitted as AlreadySubmitted  # raised by submit; re-exported for callers

__all__ = ["AlreadySubmitted", "Checked", "Problem", "Severity", "SubmissionRejected", "check_bytes", "check_file", "scope_for",
           "import_file", "read_file", "refused", "rejected", "stored_figures", "submit", "validate_tidy"]

ROW_COLUMNS = [*submissions.REQUIRED_COLUMNS, "source_row", "source_column", *submissions.OPTIONAL_COLUMNS,
               "yoy_column"]  # validation.Figure's fields


class Checked(HasProblems, BaseModel):
    """The outcome of validation: rows ready to write, or the problems that stop them."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    rows: pd.DataFrame
    problems: tuple[Problem, ...]


class SubmissionRejected(ValueError):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def read_file(name: str, data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy records of a file in either layout, and the problems of its shape."""
    recs = readers.records(name, data)
    problems = [Problem(file=name, row=s.row, column=None, value=s.cells,
                        reason=Message.of("validation.row_shape", fields=s.fields, expected=s.expected))
                for s in recs.shapes]
    return recs.frame, problems


def _columns(frame: pd.DataFrame, *names: str) -> Iterable[tuple]:
    # Column lists, not itertuples or to_dict: those are slow on a 100 000-row upload.
    return zip(*(frame[n].tolist() for n in names), strict=True)


def _records(table: pd.DataFrame) -> list[Record]:
    """The tidy records of a frame; the location columns are optional (a frame built by hand has none)."""
    n = len(table)

    def column(name: str, default: object) -> list:
        return table[name].tolist() if name in table.columns else [default] * n

    rows = [int(r) for r in column(ROW, None)] if ROW in table.columns else list(range(2, n + 2))
    typed = [[str(v).strip() for v in table[c].tolist()] for c in TIDY_COLUMNS]
    # The optional columns of what a bureau publishes (blank where the file has none).
    published = [["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
                  for v in column(c, "")] for c in ("yoy", "status", "published_on")]
    return [Record(*fields) for fields in zip(rows, *typed, column(COLUMN, None), column(ORG_COLUMN, "org"),
                                              column(UNIT_GLOBAL, False), *published, column(YOY_COLUMN, "yoy"),
                                              strict=True)]


def scope_for(con: sql.Con, who: Identity | None) -> tuple[Organisations, Callable[[set[str]], None] | None]:
    """What a file from `who` may name, and what deals with a name outside it (one read of the scope).

    The organisations, by id, name and credit code: every one the store knows, or for a submitter
    who may write within a scope (a park manager, an enterprise) only those of that scope
    (`within`: any other registered one is answered as an unknown name). The guard, None when `who`
    may write everywhere (or is not given): a scoped submitter's attempt is audited; a role that
    may write nothing is refused (AuthorizationError, audited)."""
    orgs = organisations.orgs(con)
    allowed = access.writable_ids(con, who) if who is not None else None
    known = Organisations(orgs.org_id.tolist(), orgs.name_zh.tolist(), orgs.credit_code.tolist(), orgs.kind.tolist(),
                          within=allowed or None)
    if allowed is None:
        return known, None

    def guard(named: set[str]) -> None:
        if foreign := named - allowed:
            if allowed:
                access.note_denied(con, who, "submit figures for", foreign)
            else:
                access.require_write(con, who, foreign, "submit figures for")
    return known, guard


def stored_figures(con: sql.Con) -> validation.StoredFigures:
    """The validator's window on the stored figures (see validation.StoredFigures)."""
    def read(pairs: Sequence[tuple[str, str]], periods: Sequence[Period]) -> Mapping[Key, float]:
        stored = figures.current_values(con, pd.DataFrame(pairs, columns=["org_id", "indicator_id"]), periods)
        return dict(zip(_columns(stored, "org_id", "indicator_id", "year", "quarter"), stored.value.tolist(), strict=True))
    return read


def validate_tidy(con: sql.Con, catalog: Catalog, name: str, table: pd.DataFrame,
                  today: dt.date | None = None, problems: Iterable[Problem] = (),
                  who: Identity | None = None) -> Checked:
    """Check tidy records (org, period, indicator, value, unit); collect every problem.

    `problems` are those already found while reading the file (rows of the wrong shape). With
    `who`, a submitter who may write within a scope (a park manager, an enterprise) is given only
    the organisations of that scope to find names in: a row naming any other registered
    organisation gets exactly the problem an unknown name gets ("unknown organisation or one you
    may not submit for"), so an upload cannot tell who is registered, and no stored figure of
    another firm is compared with; the attempt is still written to the audit log
    (`access.denied`). A role that may write nothing is refused whole (AuthorizationError)."""
    orgs, guard = scope_for(con, who)
    return _validate(catalog, name, table, orgs, stored_figures(con), guard, today, problems)


def _validate(catalog: Catalog, name: str, table: pd.DataFrame, orgs: Organisations,
              stored: validation.StoredFigures, guard: Callable[[set[str]], None] | None,
              today: dt.date | None, problems: Iterable[Problem]) -> Checked:
    problems = list(problems)
    table = table.rename(columns=lambda c: c if str(c).startswith("__") else str(c).strip().lower())
    if missing := validation.missing_columns(name, table.columns, TIDY_COLUMNS):
        if not any(p.reason.code == "validation.missing_columns" for p in problems):
            problems.extend(missing)
        return Checked(file=name, rows=pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"]),
                       problems=tuple(problems))
    records = _records(table)
    if guard is not None and (foreign := orgs.outside(rec.org for rec in records)):
        guard(foreign)  # named, registered, not theirs: audited here, answered as unknown by the rules
    outcome = validation.validate(name, records, catalog, orgs, stored=stored, today=today,
                                  earlier=problems, guard=guard)
    return Checked(file=name, rows=pd.DataFrame(outcome.figures, columns=ROW_COLUMNS), problems=tuple(outcome.problems))


def check_file(con: sql.Con, catalog: Catalog, name: str, data: bytes, today: dt.date | None = None,
               who: Identity | None = None) -> Checked:
    """Read and validate an uploaded file of either layout, in this process; a file that cannot be
    read at all comes back as a single problem rather than an exception. (The app and the command
    line check in a worker process instead: store/worker.py.)"""
    orgs, guard = scope_for(con, who)
    return check_bytes(catalog, name, data, orgs, stored_figures(con), guard, today)


def check_bytes(catalog: Catalog, name: str, data: bytes, orgs: Organisations, stored: validation.StoredFigures,
                guard: Callable[[set[str]], None] | None = None, today: dt.date | None = None) -> Checked:
    """check_file's work without the store: the organisations, the stored figures and the scope
    guard are handed in, so a worker process can run it with the parent answering those."""
    try:
        table, shape = read_file(name, data)
    except FileRejected as e:
        return rejected(name, e)
    return _validate(catalog, name, table, orgs, stored, guard, today, shape)


def rejected(name: str, e: FileRejected) -> Checked:
    """A file the reader refused: no rows, one problem at the row and column it names, if any."""
    return refused(name, Problem(file=name, row=e.row, column=e.column, value=None, reason=e.reason))


def refused(name: str, problem: Problem) -> Checked:
    """A file refused as a whole: no rows, one problem."""
    return Checked(file=name, rows=pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"]),
                   problems=(problem,))


def submit(con: sql.Con, checked: Checked, *, who: Identity, origin: str, status: str,
           explanation: str | None = None, progress: Callable[[str], None] | None = None,
           answers: int | None = None) -> int:
    """Write checked rows as one submission, or raise with every problem and write nothing.

    Every organisation in it must be within `who`'s scope (AuthorizationError otherwise).
    `answers` is the returned submission this one corrects (one of `who`'s organisations', else
    AuthorizationError; one not returned is refused). The same intent sent again while the first
    stands raises AlreadySubmitted and writes nothing (store/submissions.py `intent_digest`).
    `progress` hears "writing N rows" just before the write transaction begins."""
    access.require_write(con, who, checked.rows.org_id.unique(), "submit figures for")
    if checked.errors:
        raise SubmissionRejected(checked.errors)
    if validation.explanation_missing(checked.problems, explanation):
        raise SubmissionRejected([*checked.warnings, whole_file(checked.file, Message.of("validation.explain_warnings"))])
    if answers is not None and access.answered_status(con, who, answers) != "returned":
        raise SubmissionRejected([whole_file(checked.file, Message.of("submitter.not_returned", id=answers))])
    if progress:
        progress(f"writing {len(checked.rows)} rows")
    return submissions.write_submission(
        con, checked.rows, actor=who.username, origin=origin, status=status, file_name=checked.file,
        explanation=explanation, answers=answers, flags=flags_of(checked),
        digest=submissions.intent_digest(checked.rows, actor=who.username, answers=answers))


def flags_of(checked: Checked) -> pd.DataFrame:
    """The warnings of a checked submission as the flags kept with it (submissions.FLAG_COLUMNS):
    each on the figure it concerns — the one written from the cell it points at (its value or its
    published 同比), else the one figure of its row — and on none when it concerns the whole file."""
    warnings, rows = checked.warnings, checked.rows
    at: dict[tuple[int, str | None], tuple] = {}
    by_row: dict[int, list[tuple]] = {}
    if warnings and not rows.empty:  # most submissions raise none: a 100 000-row file is not walked for nothing
        for org, ind, year, quarter, row, column, yoy_column in _columns(
                rows, "org_id", "indicator_id", "year", "quarter", "source_row", "source_column", "yoy_column"):
            key = (org, ind, int(year), int(quarter))
            at[(int(row), column)] = key
            if isinstance(yoy_column, str):
                at[(int(row), yoy_column)] = key
            by_row.setdefault(int(row), []).append(key)
    out = []
    for p in warnings:
        key = at.get((p.row, p.column)) if p.row is not None else None
        if key is None and p.row is not None and len(by_row.get(p.row, ())) == 1:
            key = by_row[p.row][0]
        org, ind, year, quarter = key or (None, None, None, None)
        out.append((p.row, org, ind, year, quarter, p.severity.value, p.reason.code, message_json.dumps_params(p.reason)))
    return pd.DataFrame(out, columns=submissions.FLAG_COLUMNS)


def import_file(con: sql.Con, catalog: Catalog, path: Path, *, who: Identity, status: str = "accepted",
                explanation: str | None = None, progress: Callable[[str], None] | None = None,
                check: Callable[..., Checked] | None = None) -> tuple[int, int]:
    """Read, validate and commit a file; returns (submission id, rows written). `progress` hears
    each stage (reading, validated, writing), so an operator can see where a long import is.
    `check` reads and validates (default: check_file, in this process; the command line passes
    the worker's)."""
    try:
        # Not read at all when over the limit: a mistaken path to a disk image must not fill memory.
        if (size := path.stat().st_size) > readers.MAX_BYTES:
            raise SubmissionRejected([whole_file(path.name, Message.of(
                "validation.file.too_large", size=size / 2**20, limit=readers.MAX_BYTES / 2**20))])
        data = path.read_bytes()
    except OSError as e:
        raise SubmissionRejected([whole_file(path.name, Message.of("validation.unreadable", error=str(e)))]) from e
    if progress:
        progress(f"reading {path.name} ({len(data)} bytes)")
    checked = (check or check_file)(con, catalog, path.name, data, who=who)
    if progress:
        progress(f"validated {len(checked.rows)} rows: {len(checked.errors)} error(s), {len(checked.warnings)} warning(s)")
    sub = submit(con, checked, who=who, origin="import", status=status, explanation=explanation, progress=progress)
    return sub, len(checked.rows)
