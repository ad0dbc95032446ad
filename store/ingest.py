"""Reading, validating and committing a file of observations: all or nothing.

Validation collects every problem before anything is written and names the file, the row as the
spreadsheet shows it (header = row 1), the column, the value and the reason. Errors reject the
whole submission; warnings (a year-on-year change beyond ±50 %) need an explanation from the
submitter. The same path serves the command line and, later, the upload page.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain.periods import Period, PeriodError, parse_period
from domain.units import UnitError, unit
from store import repo
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


def read_table(name: str, data: bytes) -> pd.DataFrame:
    """Every cell as text (numbers are parsed later, so '1,234' and full-width digits survive)."""
    if not data.strip():
        raise ValueError("the file is empty")
    if len(data) > MAX_BYTES:
        raise ValueError(f"the file is {len(data) / 1e6:.0f} MB, more than the {MAX_BYTES / 1e6:.0f} MB allowed")
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise ValueError("the file is named .xlsx but is not an Excel workbook")
        return pd.read_excel(io.BytesIO(data), dtype=str, engine="openpyxl", keep_default_na=False)
    if suffix in (".csv", ".txt"):
        if b"\x00" in data[:4096]:
            raise ValueError("the file is named .csv but holds binary data, not text")
        return pd.read_csv(io.StringIO(_decode(data)), dtype=str, keep_default_na=False, skipinitialspace=True)
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
                  today: dt.date | None = None) -> Checked:
    """Check a tidy table (org, period, indicator, value, unit); collect every problem."""
    problems: list[Problem] = []
    table = table.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in TIDY_COLUMNS if c not in table.columns]
    if missing:
        problems.append(Problem(file=name, row=None, column=None, value=None,
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
    for i, rec in enumerate(table.itertuples(index=False), start=2):
        raw = {c: str(getattr(rec, c)).strip() for c in TIDY_COLUMNS}
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
    for (org, ind_id, year, quarter), (value, row) in incoming.items():
        ind = catalog.indicators[ind_id]

        def flag(why: str, sev: Severity = Severity.ERROR, row: int = int(row), value: float = value) -> None:
            problems.append(Problem(file=name, row=row, column="value", value=f"{value:g}", reason=why, severity=sev))

        if ind.parent and ind.parent in catalog.indicators and ind.kind == catalog.indicators[ind.parent].kind:
            total = merged.get((org, ind.parent, year, quarter))
            if total is not None and value > total + 1e-6:
                flag(f"{ind.name_zh} {value:g} exceeds its total {catalog.indicators[ind.parent].name_zh} {total:g}")
        if ind.kind.value == "flow" and quarter > 1:
            before = merged.get((org, ind_id, year, quarter - 1))
            if before is not None and value < before - 1e-6:
                flag(f"year-to-date figure falls from {before:g} in Q{quarter - 1} to {value:g} in Q{quarter}")
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


def submit(con: repo.Con, checked: Checked, *, actor: str, origin: str, status: str,
           explanation: str | None = None) -> int:
    """Write a checked file as one submission, or raise with every problem and write nothing."""
    if checked.errors:
        raise SubmissionRejected(checked.errors)
    if checked.warnings and not (explanation and explanation.strip()):
        raise SubmissionRejected([*checked.warnings, Problem(
            file=checked.file, row=None, column=None, value=None,
            reason="warnings need an explanation before the submission can go through")])
    return repo.write_submission(con, checked.rows, actor=actor, origin=origin, status=status,
                                 file_name=checked.file, explanation=explanation)


def import_file(con: repo.Con, catalog: Catalog, path: Path, *, actor: str, status: str = "accepted",
                explanation: str | None = None) -> tuple[int, int]:
    """Read, validate and commit a tidy file; returns (submission id, rows written)."""
    try:
        table = read_table(path.name, path.read_bytes())
    except (ValueError, OSError) as e:
        raise SubmissionRejected([Problem(file=path.name, row=None, column=None, value=None, reason=str(e))]) from e
    checked = validate_tidy(con, catalog, path.name, table)
    sub = submit(con, checked, actor=actor, origin="import", status=status, explanation=explanation)
    return sub, len(checked.rows)
