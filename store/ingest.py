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

from domain import validation
from domain.access import Identity
from domain.catalog import Catalog
from domain.messages import Message
from domain.periods import Period
from domain.validation import Key, Organisations, Problem, Record, Severity, whole_file
from store import access, figures, readers, sql, submissions
from store import orgs as organisations
from store.readers import COLUMN, ORG_COLUMN, ROW, TIDY_COLUMNS, UNIT_GLOBAL, YOY_COLUMN, FileRejected

__all__ = ["Checked", "Problem", "Severity", "SubmissionRejected", "check_file", "import_file", "read_file", "submit",
           "validate_tidy"]

ROW_COLUMNS = [*submissions.REQUIRED_COLUMNS, "source_row", "source_column", *submissions.OPTIONAL_COLUMNS,
               "yoy_column"]  # validation.Figure's fields


class Checked(BaseModel):
    """The outcome of validation: rows ready to write, or the problems that stop them."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    rows: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]


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


def _organisations(con: sql.Con, only: set[str] | None = None) -> Organisations:
    """Every organisation, or those of `only`, findable by id, registered name or credit code."""
    orgs = organisations.orgs(con)
    if only is not None:
        orgs = orgs[orgs.org_id.isin(only)]
    return Organisations(orgs.org_id.tolist(), orgs.name_zh.tolist(), orgs.credit_code.tolist(), orgs.kind.tolist())


def _stored(con: sql.Con) -> validation.StoredFigures:
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
    problems = list(problems)
    table = table.rename(columns=lambda c: c if str(c).startswith("__") else str(c).strip().lower())
    if missing := validation.missing_columns(name, table.columns, TIDY_COLUMNS):
        if not any(p.reason.code == "validation.missing_columns" for p in problems):
            problems.extend(missing)
        return Checked(file=name, rows=pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"]),
                       problems=tuple(problems))
    orgs = _organisations(con)
    allowed = access.writable_ids(con, who) if who is not None else None
    guard = None
    records = _records(table)
    if allowed and who is not None:
        if foreign := {found for rec in records if (found := orgs.find(rec.org)[0]) is not None} - allowed:
            access.note_denied(con, who, "submit figures for", foreign)
        orgs = _organisations(con, only=allowed)
    if allowed is not None:

        def guard(named: set[str]) -> None:
            if foreign := named - allowed:
                access.require_write(con, who, foreign, "submit figures for")

    outcome = validation.validate(name, records, catalog, orgs, stored=_stored(con), today=today,
                                  earlier=problems, guard=guard)
    return Checked(file=name, rows=pd.DataFrame(outcome.figures, columns=ROW_COLUMNS), problems=tuple(outcome.problems))


def check_file(con: sql.Con, catalog: Catalog, name: str, data: bytes, today: dt.date | None = None,
               who: Identity | None = None) -> Checked:
    """Read and validate an uploaded file of either layout; a file that cannot be read at all
    comes back as a single problem rather than an exception."""
    try:
        table, shape = read_file(name, data)
    except FileRejected as e:
        return Checked(file=name, rows=pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"]),
                       problems=(whole_file(name, e.reason),))
    return validate_tidy(con, catalog, name, table, today=today, problems=shape, who=who)


def submit(con: sql.Con, checked: Checked, *, who: Identity, origin: str, status: str,
           explanation: str | None = None, progress: Callable[[str], None] | None = None) -> int:
    """Write checked rows as one submission, or raise with every problem and write nothing.

    Every organisation in it must be within `who`'s scope (AuthorizationError otherwise).
    `progress` hears "writing N rows" just before the write transaction begins."""
    access.require_write(con, who, checked.rows.org_id.unique(), "submit figures for")
    if checked.errors:
        raise SubmissionRejected(checked.errors)
    if validation.explanation_missing(checked.problems, explanation):
        raise SubmissionRejected([*checked.warnings, whole_file(checked.file, Message.of("validation.explain_warnings"))])
    if progress:
        progress(f"writing {len(checked.rows)} rows")
    return submissions.write_submission(con, checked.rows, actor=who.username, origin=origin, status=status,
                                        file_name=checked.file, explanation=explanation)


def import_file(con: sql.Con, catalog: Catalog, path: Path, *, who: Identity, status: str = "accepted",
                explanation: str | None = None, progress: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Read, validate and commit a file; returns (submission id, rows written). `progress` hears
    each stage (reading, validated, writing), so an operator can see where a long import is."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SubmissionRejected([whole_file(path.name, Message.of("validation.unreadable", error=str(e)))]) from e
    if progress:
        progress(f"reading {path.name} ({len(data)} bytes)")
    checked = check_file(con, catalog, path.name, data, who=who)
    if progress:
        progress(f"validated {len(checked.rows)} rows: {len(checked.errors)} error(s), {len(checked.warnings)} warning(s)")
    sub = submit(con, checked, who=who, origin="import", status=status, explanation=explanation, progress=progress)
    return sub, len(checked.rows)
