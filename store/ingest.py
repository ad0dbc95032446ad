"""Reading, validating and committing a file of observations: all or nothing.

Validation collects every problem before anything is written and names the file, the row as the
spreadsheet shows it (header = row 1), the column, the value and the reason. Errors reject the
whole submission; warnings (a year-on-year change beyond ±50 %) need an explanation from the
submitter. The same path serves the command line and, later, the upload page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain.access import Identity
from domain.periods import Period, PeriodError, parse_period
from domain.units import UnitError, unit
from store import access, repo
from store.catalog import Catalog

TIDY_COLUMNS = ("org", "period", "indicator", "value", "unit")
MAX_BYTES = 50 * 1024 * 1024
YOY_WARNING = 0.5  # |同比| beyond this needs an explanation (DOMAIN.md §2)
UNIT_SLIP = 5000.0  # a ratio this far from the previous figure is almost surely 万元 vs 元/亿元


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    row: int | None  # spreadsheet row (header is row 1); None for a problem with the whole file
    column: str | None
    value: str | None
    reason: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity.value}: {where}{shown}: {self.reason}"


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


# ----------------------------------------------------------------------------- reading files


def _decode(data: bytes) -> str:
    """CSV text from UTF-8 (with or without BOM) or GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor GBK/GB18030 text")


ROW = "__row__"  # the spreadsheet row number (header = 1) each record came from


def _csv_records(name: str, text: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse CSV keeping true line numbers: blank lines are skipped but still counted, and a row
    with more or fewer fields than the header is reported instead of shifting its columns."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header: list[str] | None = None
    records: list[list[str]] = []
    problems: list[Problem] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            continue
        if len(cells) != len(header):
            problems.append(Problem(
                file=name, row=reader.line_num, column=None, value=",".join(cells),
                reason=f"has {len(cells)} fields but the header has {len(header)}; quote numbers with "
                       "thousands separators (\"12,345.6\") or remove the stray comma"))
            continue
        records.append([*cells, reader.line_num])
    if header is None:
        raise ValueError("the file is empty")
    return pd.DataFrame(records, columns=[*header, ROW]), problems


def read_table(name: str, data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """Every cell as text (numbers are parsed later, so '1,234' and full-width digits survive),
    with the spreadsheet row of each record in column ROW, and problems with the file's shape."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise ValueError("the file is empty")
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data) / 1e6:.0f} MB, more than the {MAX_BYTES / 1e6:.0f} MB allowed")
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise ValueError("the file is named .xlsx but is not an Excel workbook")
        frame = pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", keep_default_na=False)
        frame[ROW] = frame.index + 2
        blank = frame.drop(columns=ROW).apply(lambda r: not any(str(c).strip() for c in r), axis=1)
        return frame[~blank].reset_index(drop=True), []
    if suffix in (".csv", ".txt"):
        if b"\x00" in data[:4096]:
            raise ValueError("the file is named .csv but holds binary data, not text")
        return _csv_records(name, _decode(data))
    raise ValueError(f"unsupported file type {suffix or '(none)'}; upload .csv or .xlsx")


def parse_number(text: str) -> float:
    """A number as people type it: full-width digits, thousands separators, spaces."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    if s in ("", "-", "—"):
        raise ValueError("empty")
    x = float(s)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("not finite")
    return x


# -------------------------------------------------------------------------------- validation


def _org_lookup(con: repo.Con) -> dict[str, str]:
    orgs = repo.orgs(con)
    lookup = dict(zip(orgs.org_id, orgs.org_id, strict=True))
    lookup.update(zip(orgs.name_zh, orgs.org_id, strict=True))
    return lookup


def validate_tidy(con: repo.Con, catalog: Catalog, name: str, table: pd.DataFrame,
                  today: dt.date | None = None, problems: Iterable[Problem] = ()) -> Checked:
    """Check a tidy table (org, period, indicator, value, unit); collect every problem.

    `problems` are those already found while reading the file (rows of the wrong shape)."""
    problems = list(problems)
    table = table.rename(columns=lambda c: c if c == ROW else str(c).strip().lower())
    missing = [c for c in TIDY_COLUMNS if c not in table.columns]
    if missing:
        problems.append(Problem(file=name, row=1, column=", ".join(missing), value=None,
                                reason=f"missing column(s) {', '.join(missing)}; expected {', '.join(TIDY_COLUMNS)}"))
        return Checked(file=name, rows=pd.DataFrame(columns=repo.OBSERVATION_COLUMNS), problems=tuple(problems))
    if table.empty:
        problems.append(Problem(file=name, row=None, column=None, value=None, reason="the file has no data rows"))
    today = today or dt.date.today()
    current = Period(today.year, (today.month - 1) // 3 + 1)
    orgs = _org_lookup(con)
    by_code = {i.code: i.indicator_id for i in catalog.indicators.values() if i.code}
    good: list[tuple] = []
    seen: dict[tuple, int] = {}
    for rec in table.to_dict(orient="records"):
        i = int(rec[ROW]) if ROW in rec else 0
        raw = {c: str(rec[c]).strip() for c in TIDY_COLUMNS}
        def bad(col: str, why: str, row: int = i, raw: dict = raw) -> None:
            problems.append(Problem(file=name, row=row, column=col, value=raw[col], reason=why))

        org = orgs.get(raw["org"])
        if org is None:
            bad("org", "unknown organisation: give its id or its exact registered name")
        ind_id = raw["indicator"] if raw["indicator"] in catalog.indicators else by_code.get(raw["indicator"])
        if ind_id is None:
            bad("indicator", "unknown indicator: give its id or its MIIT row code (e.g. 2020)")
        try:
            period = parse_period(raw["period"])
            if period.ordinal > current.ordinal:
                bad("period", f"period {period} is in the future")
                period = None
        except PeriodError as e:
            period = None
            bad("period", str(e))
        try:
            value = parse_number(raw["value"])
        except ValueError:
            value = None
            bad("value", "not a number")
        canonical = None
        if ind_id is not None and value is not None:
            ind = catalog.indicators[ind_id]
            try:
                u = unit(raw["unit"]) if raw["unit"] else unit(ind.unit)
                if u.dimension != ind.dimension:
                    bad("unit", f"{raw['unit']} does not measure {ind.name_zh} (stored in {ind.unit})")
                else:
                    canonical = u.to_canonical(value)
            except UnitError:
                bad("unit", f"unknown unit; {ind.name_zh} is reported in {ind.unit}")
            if canonical is not None and canonical < 0 and not ind.allow_negative:
                bad("value", f"{ind.name_zh} cannot be negative")
                canonical = None
        if None in (org, ind_id, period, canonical):
            continue
        key = (org, ind_id, period.year, period.quarter)
        if key in seen:
            bad("period", f"duplicate of row {seen[key]} (same organisation, indicator and period)")
            continue
        seen[key] = i
        good.append((*key, canonical, value, raw["unit"] or catalog.indicators[ind_id].unit, None, i))
    rows = pd.DataFrame(good, columns=[*repo.OBSERVATION_COLUMNS, "source_row"])
    if not rows.empty:
        problems.extend(_consistency(con, catalog, name, rows))
    return Checked(file=name, rows=rows, problems=tuple(problems))


def _consistency(con: repo.Con, catalog: Catalog, name: str, rows: pd.DataFrame) -> list[Problem]:
    """Rules a reviewer applies (DOMAIN.md §2), against the file and what is already stored."""
    problems: list[Problem] = []
    stored = repo.current_values(con, rows[["org_id", "indicator_id"]].drop_duplicates())
    known: dict[tuple, float] = {(r.org_id, r.indicator_id, r.year, r.quarter): r.value for r in stored.itertuples()}
    incoming = {(r.org_id, r.indicator_id, r.year, r.quarter): (r.value, r.source_row) for r in rows.itertuples()}
    merged = known | {k: v for k, (v, _) in incoming.items()}
    children: dict[str, list] = {}
    for child in catalog.indicators.values():
        if child.parent and child.kind == catalog.indicators[child.parent].kind:
            children.setdefault(child.parent, []).append(child)
    for (org, ind_id, year, quarter), (value, row) in incoming.items():
        ind = catalog.indicators[ind_id]

        def flag(why: str, sev: Severity = Severity.ERROR, row: int = int(row), value: float = value) -> None:
            problems.append(Problem(file=name, row=row, column="value", value=f"{value:g}", reason=why, severity=sev))

        if ind.parent and ind.kind == catalog.indicators[ind.parent].kind:
            total = merged.get((org, ind.parent, year, quarter))
            if total is not None and value > total + 1e-6:
                flag(f"{ind.name_zh} {value:g} exceeds its total {catalog.indicators[ind.parent].name_zh} {total:g}")
        # Against stored figures only: a conflict between two rows of this file is reported once,
        # on the part's (or the later quarter's) row, by the checks below.
        for child in children.get(ind_id, ()):
            part = known.get((org, child.indicator_id, year, quarter))
            if (org, child.indicator_id, year, quarter) not in incoming and part is not None and part > value + 1e-6:
                flag(f"{ind.name_zh} {value:g} is smaller than its part {child.name_zh} {part:g}")
        if ind.kind.value == "flow":
            before = merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
            later = (org, ind_id, year, quarter + 1)
            after = known.get(later) if quarter < 4 and later not in incoming else None
            if before is not None and value < before - 1e-6:
                flag(f"year-to-date figure falls from {before:g} in Q{quarter - 1} to {value:g} in Q{quarter}")
            if after is not None and value > after + 1e-6:
                flag(f"year-to-date figure {value:g} in Q{quarter} is above {after:g} already reported for Q{quarter + 1}")
        previous = merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
        last_year = merged.get((org, ind_id, year - 1, quarter))
        ref = previous if previous is not None else last_year
        if ref and value and (value / ref >= UNIT_SLIP or ref / value >= UNIT_SLIP):
            flag(f"{value:g} is about 10⁴ times {ref:g} reported for a neighbouring period: check the unit (万元 vs 元 or 亿元)")
        elif last_year and last_year > 0 and abs(value / last_year - 1) > YOY_WARNING:
            flag(f"year-on-year change {value / last_year - 1:+.0%} exceeds ±50 %; explain it before submitting",
                 Severity.WARNING)
    software_parts = [i.indicator_id for i in catalog.indicators.values()
                      if i.parent == "software_revenue" and i.components_sum_to_parent]
    for (org, year, quarter), group in rows.groupby(["org_id", "year", "quarter"]):
        total = merged.get((org, "software_revenue", year, quarter))
        parts = [merged.get((org, p, year, quarter)) for p in software_parts]
        if total is not None and all(p is not None for p in parts) and abs(sum(parts) - total) > max(1.0, 0.001 * total):
            row = int(group.source_row.min())
            problems.append(Problem(file=name, row=row, column="value", value=f"{total:g}",
                                    reason=f"software revenue {total:g} is not the sum of its four parts {sum(parts):g}"))
    return problems


def submit(con: repo.Con, checked: Checked, *, who: Identity, origin: str, status: str,
           explanation: str | None = None) -> int:
    """Write a checked file as one submission, or raise with every problem and write nothing.

    Every organisation in it must be within `who`'s scope (AuthorizationError otherwise)."""
    access.require_write(con, who, checked.rows.org_id.unique(), "submit figures for")
    if checked.errors:
        raise SubmissionRejected(checked.errors)
    if checked.warnings and not (explanation and explanation.strip()):
        raise SubmissionRejected([*checked.warnings, Problem(
            file=checked.file, row=None, column=None, value=None,
            reason="warnings need an explanation before the submission can go through")])
    return repo.write_submission(con, checked.rows, actor=who.username, origin=origin, status=status,
                                 file_name=checked.file, explanation=explanation)


def import_file(con: repo.Con, catalog: Catalog, path: Path, *, who: Identity, status: str = "accepted",
                explanation: str | None = None) -> tuple[int, int]:
    """Read, validate and commit a tidy file; returns (submission id, rows written)."""
    try:
        table, shape_problems = read_table(path.name, path.read_bytes())
    except (ValueError, OSError) as e:
        raise SubmissionRejected([Problem(file=path.name, row=None, column=None, value=None, reason=str(e))]) from e
    checked = validate_tidy(con, catalog, path.name, table, problems=shape_problems)
    sub = submit(con, checked, who=who, origin="import", status=status, explanation=explanation)
    return sub, len(checked.rows)
