"""Validating and committing observations from a file or a form: all or nothing.

Validation collects every problem before anything is written and names the file, the row as the
spreadsheet shows it, the column, the value and the reason, in Chinese and English. Errors reject
the whole submission; warnings (a year-on-year change beyond ±50 %) need an explanation from the
submitter. The command line, the upload page and the entry form all go through `check` and
`submit`, so they accept and refuse exactly the same things.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain.access import Identity
from domain.credit_code import credit_code_problem
from domain.periods import Period, PeriodError, parse_period
from domain.units import UnitError, unit
from store import access, figures, readers, sql, submissions
from store import orgs as organisations  # `orgs` names a local frame below
from store.catalog import Catalog
from store.readers import COLUMN, ORG_COLUMN, ROW, TIDY_COLUMNS, UNIT_GLOBAL, FileRejected

YOY_WARNING = 0.5  # |同比| beyond this needs an explanation (DOMAIN.md §2)
UNIT_SLIP = 5000.0  # a ratio this far from the previous figure is almost surely 万元 vs 元/亿元


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    row: int | None  # spreadsheet row; None for a problem with the whole file
    column: str | None
    value: str | None
    reason: str
    reason_zh: str = ""
    severity: Severity = Severity.ERROR

    def text(self, lang: str = "en") -> str:
        if lang == "zh":
            where = self.file + (f"，第 {self.row} 行" if self.row else "") + (f"，“{self.column}”列" if self.column else "")
            shown = f"（值 {self.value!r}）" if self.value not in (None, "") else ""
            kind = "错误" if self.severity == Severity.ERROR else "提示"
            return f"{kind}：{where}{shown}：{self.reason_zh or self.reason}"
        where = self.file + (f", row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity.value}: {where}{shown}: {self.reason}"

    def __str__(self) -> str:
        return self.text("en")


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


def _num(x: float) -> str:
    """A figure in a message as people write it: 1,234,567.89, never 1.23e+06."""
    return f"{x:,.2f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x):,}"


def _plain(x: float) -> str:
    """A figure as a cell would hold it (no separators, no exponent): 1200000, 1.23456."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def parse_number(text: str) -> float:
    """A number as people type it: full-width digits, thousands separators, spaces."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    if s in ("", "-", "—"):
        raise ValueError("empty")
    x = float(s)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("not finite")
    return x


def read_file(name: str, data: bytes) -> tuple[pd.DataFrame, list[Problem]]:
    """Tidy records of a file in either layout, and the problems of its shape."""
    recs = readers.records(name, data)
    problems = [Problem(
        file=name, row=s.row, column=None, value=s.cells,
        reason=f"has {s.fields} fields but the header has {s.expected}; quote numbers with "
               "thousands separators (\"12,345.6\") or remove the stray comma",
        reason_zh=f"本行有 {s.fields} 个字段而表头有 {s.expected} 个；带千分位逗号的数字请加引号（\"12,345.6\"）或删去多余的逗号",
    ) for s in recs.shapes]
    return recs.frame, problems


read_table = read_file  # the name the command line and older callers use


# -------------------------------------------------------------------------------- validation


class _Orgs:
    """Organisations by id, exact registered name or unified social credit code."""

    UNKNOWN = ("unknown organisation: give its id or its exact registered name",
               "未知单位：请填写单位编号、登记全称或统一社会信用代码")

    def __init__(self, con: sql.Con):
        orgs = organisations.orgs(con)
        ids = orgs.org_id.tolist()  # lists, not the Arrow columns: iterating those is slow at 50 000 firms
        self.by_key = dict(zip(ids, ids, strict=True))
        self.by_key.update(zip(orgs.name_zh.tolist(), ids, strict=True))
        codes = orgs.dropna(subset=["credit_code"])
        self.by_key.update(zip(codes.credit_code.str.upper().tolist(), codes.org_id.tolist(), strict=True))

    def find(self, text: str) -> tuple[str | None, tuple[str, str] | None]:
        """(org id, None) or (None, (reason, reason_zh))."""
        if text in self.by_key:
            return self.by_key[text], None
        looks_like_code = len(text) == 18 and text[:2].isdigit()
        if looks_like_code:
            if text.upper() in self.by_key:
                return self.by_key[text.upper()], None
            if problem := credit_code_problem(text):
                return None, (f"not a valid unified social credit code: {problem}",
                              f"统一社会信用代码无效：{_zh_credit(problem)}")
            return None, self.UNKNOWN  # the same answer as any unknown name: registration is not disclosed
        return None, self.UNKNOWN


def _zh_credit(problem: str) -> str:
    if problem.startswith("check character"):
        return "校验码错误（" + problem.replace("check character is", "实为").replace(", expected", "，应为") + "）"
    if "characters" in problem and "allowed" in problem:
        return "含有不允许的字符（代码中不使用 I、O、Z、S、V）"
    return "应为 18 位"


def validate_tidy(con: sql.Con, catalog: Catalog, name: str, table: pd.DataFrame,
                  today: dt.date | None = None, problems: Iterable[Problem] = (),
                  who: Identity | None = None) -> Checked:
    """Check tidy records (org, period, indicator, value, unit); collect every problem.

    `problems` are those already found while reading the file (rows of the wrong shape). With
    `who`, an organisation outside their scope is reported exactly like an unknown one and never
    compared with stored figures: a message must not reveal another firm's numbers, or whether a
    name or credit code is registered."""
    problems = list(problems)
    table = table.rename(columns=lambda c: c if str(c).startswith("__") else str(c).strip().lower())
    missing = [c for c in TIDY_COLUMNS if c not in table.columns]
    empty = pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"])
    if missing:
        if not any(p.reason.startswith("missing column") for p in problems):
            problems.append(Problem(file=name, row=1, column=", ".join(missing), value=None,
                                    reason=f"missing column(s) {', '.join(missing)}; expected {', '.join(TIDY_COLUMNS)}",
                                    reason_zh=f"缺少列 {', '.join(missing)}；应有 {', '.join(TIDY_COLUMNS)}"))
        return Checked(file=name, rows=empty, problems=tuple(problems))
    if table.empty and not problems:
        problems.append(Problem(file=name, row=None, column=None, value=None, reason="the file has no data rows",
                                reason_zh="文件没有数据行"))
    today = today or dt.date.today()
    current = Period.containing(today)
    orgs = _Orgs(con)
    allowed = access.writable_ids(con, who) if who is not None else None
    foreign: set[str] = set()
    by_code = {i.code: i.indicator_id for i in catalog.indicators.values() if i.code}
    good: list[tuple] = []
    seen: dict[tuple, int] = {}
    names = list(table.columns)  # records from column lists: DataFrame.to_dict is slow on 100 000 rows
    records = (dict(zip(names, values, strict=True)) for values in zip(*(table[c].tolist() for c in names), strict=True))
    for number, rec in enumerate(records, start=2):
        row = int(rec.get(ROW, number))
        raw = {c: str(rec[c]).strip() for c in TIDY_COLUMNS}
        columns = {c: c for c in TIDY_COLUMNS}
        if rec.get(COLUMN) and rec.get(COLUMN) != "value":  # wide layout: point at the code column
            columns |= {"value": rec[COLUMN], "indicator": rec[COLUMN], "unit": rec[COLUMN], "org": rec[ORG_COLUMN]}

        def bad(col: str, en: str, zh: str, row: int = row, raw: dict = raw, columns: dict = columns) -> None:
            problems.append(Problem(file=name, row=row, column=columns[col], value=raw[col], reason=en, reason_zh=zh))

        org, why = orgs.find(raw["org"])
        if why:
            bad("org", *why)
        elif allowed is not None and org not in allowed:
            foreign.add(org)
        ind_id = raw["indicator"] if raw["indicator"] in catalog.indicators else by_code.get(raw["indicator"])
        if ind_id is None:
            bad("indicator", "unknown indicator: give its id or its MIIT row code (e.g. 2020)",
                "未知指标：请填写指标编号或统计报表行代码（如 2020）")
        try:
            period = parse_period(raw["period"])
            if period.ordinal > current.ordinal:
                bad("period", f"period {period} is in the future", f"报告期 {period.label_zh()} 尚未到来")
                period = None
        except PeriodError as e:
            period = None
            bad("period", str(e), "不是有效的报告期，请写作 2015Q3 或 2015年1-9月")
        try:
            value = parse_number(raw["value"])
        except ValueError:
            value = None
            bad("value", "not a number", "不是数字")
        canonical = None
        if ind_id is not None and value is not None:
            ind = catalog.indicators[ind_id]
            try:
                u = unit(raw["unit"]) if raw["unit"] else unit(ind.unit)
                if u.dimension != ind.dimension and rec.get(UNIT_GLOBAL):
                    u = unit(ind.unit)  # a form-wide "单位：万元" does not apply to 人 or 万美元 rows
                used_unit = u.symbol
                if u.dimension != ind.dimension:
                    bad("unit", f"{raw['unit']} does not measure {ind.name_zh} (stored in {ind.unit})",
                        f"单位“{raw['unit']}”不能计量{ind.name_zh}（应为{ind.unit}）")
                else:
                    canonical = u.to_canonical(value)
            except UnitError:
                bad("unit", f"unknown unit; {ind.name_zh} is reported in {ind.unit}",
                    f"未知单位；{ind.name_zh}的填报单位为{ind.unit}")
            if canonical is not None and canonical < 0 and not ind.allow_negative:
                bad("value", f"{ind.name_zh} cannot be negative", f"{ind.name_zh}不能为负数")
                canonical = None
        if None in (org, ind_id, period, canonical):
            continue
        key = (org, ind_id, period.year, period.quarter)
        if key in seen:
            bad("period", f"duplicate of row {seen[key]} (same organisation, indicator and period)",
                f"与第 {seen[key]} 行重复（单位、指标、报告期相同）")
            continue
        seen[key] = row
        good.append((*key, canonical, value, used_unit, None, row, columns["value"]))
    if foreign:
        # Refused before any comparison with stored figures, whose values messages would quote.
        access.require_write(con, who, foreign, "submit figures for")
    rows = pd.DataFrame(good, columns=[*submissions.OBSERVATION_COLUMNS, "source_row", "source_column"])
    if not rows.empty:
        problems.extend(_consistency(con, catalog, name, rows))
    # In the wide layout one bad credit code would otherwise be reported once per code column.
    return Checked(file=name, rows=rows, problems=tuple(dict.fromkeys(problems)))


def _columns(frame: pd.DataFrame, *names: str) -> Iterable[tuple]:
    return zip(*(frame[n].tolist() for n in names), strict=True)


def _consistency(con: sql.Con, catalog: Catalog, name: str, rows: pd.DataFrame) -> list[Problem]:
    """Rules a reviewer applies (DOMAIN.md §2), against the file and what is already stored."""
    problems: list[Problem] = []
    # The stored figures the rules below compare with: each incoming figure's own quarter, the
    # quarters either side of it in its year and the same quarter a year before.
    near = {Period(y, q) for y, q in rows[["year", "quarter"]].drop_duplicates().itertuples(index=False)}
    near |= {p for x in list(near) for p in (x.previous(), x.next(), x.same_period_last_year())}
    stored = figures.current_values(con, rows[["org_id", "indicator_id"]].drop_duplicates(), sorted(near))
    # Built from column lists, not itertuples: a 100 000-row upload is checked against as many.
    known: dict[tuple, float] = dict(zip(_columns(stored, "org_id", "indicator_id", "year", "quarter"),
                                         stored.value.tolist(), strict=True))
    incoming = dict(zip(_columns(rows, "org_id", "indicator_id", "year", "quarter"),
                        _columns(rows, "value", "source_row", "source_column"), strict=True))
    merged = known | {k: v for k, (v, _, _) in incoming.items()}
    children: dict[str, list] = {}
    for child in catalog.indicators.values():
        if child.parent and child.kind == catalog.indicators[child.parent].kind:
            children.setdefault(child.parent, []).append(child)
    for (org, ind_id, year, quarter), (value, row, column) in incoming.items():
        ind = catalog.indicators[ind_id]

        def flag(en: str, zh: str, sev: Severity = Severity.ERROR, row: int = int(row), value: float = value,
                 column: str = column) -> None:
            problems.append(Problem(file=name, row=row, column=column, value=_plain(value), reason=en, reason_zh=zh,
                                    severity=sev))

        if ind.parent and ind.kind == catalog.indicators[ind.parent].kind:
            total = merged.get((org, ind.parent, year, quarter))
            parent = catalog.indicators[ind.parent]
            if total is not None and value > total + 1e-6:
                flag(f"{ind.name_zh} {_num(value)} exceeds its total {parent.name_zh} {_num(total)}",
                     f"{ind.name_zh} {_num(value)} 大于其合计项{parent.name_zh} {_num(total)}")
        # Against stored figures only: a conflict between two rows of this file is reported once,
        # on the part's (or the later quarter's) row, by the checks below.
        for child in children.get(ind_id, ()):
            part = known.get((org, child.indicator_id, year, quarter))
            if (org, child.indicator_id, year, quarter) not in incoming and part is not None and part > value + 1e-6:
                flag(f"{ind.name_zh} {_num(value)} is smaller than its part {child.name_zh} {_num(part)}",
                     f"{ind.name_zh} {_num(value)} 小于其分项{child.name_zh} {_num(part)}")
        # A year-to-date total only grows when the flow cannot be negative: a loss (利润总额) that
        # deepens from -290 in Q1 to -560 in Q2 is a falling figure that is correct.
        if ind.kind.value == "flow" and not ind.allow_negative:
            before = merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
            later = (org, ind_id, year, quarter + 1)
            after = known.get(later) if quarter < 4 and later not in incoming else None
            if before is not None and value < before - 1e-6:
                flag(f"year-to-date figure falls from {_num(before)} in Q{quarter - 1} to {_num(value)} in Q{quarter}",
                     f"本年累计数由第{quarter - 1}季度的 {_num(before)} 降至第{quarter}季度的 {_num(value)}")
            if after is not None and value > after + 1e-6:
                flag(f"year-to-date figure {_num(value)} in Q{quarter} is above {_num(after)} already reported for Q{quarter + 1}",
                     f"第{quarter}季度累计数 {_num(value)} 大于已报第{quarter + 1}季度累计数 {_num(after)}")
        previous = merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
        last_year = merged.get((org, ind_id, year - 1, quarter))
        ref = previous if previous is not None else last_year
        if ref and value and (value / ref >= UNIT_SLIP or ref / value >= UNIT_SLIP):
            flag(f"{_num(value)} is about 10⁴ times {_num(ref)} reported for a neighbouring period: check the unit (万元 vs 元 or 亿元)",
                 f"{_num(value)} 与相邻报告期的 {_num(ref)} 相差约一万倍：请检查单位（万元、元、亿元）")
        elif last_year and last_year > 0 and abs(value / last_year - 1) > YOY_WARNING:
            change = value / last_year - 1
            flag(f"year-on-year change {change:+.0%} exceeds ±50 %; explain it before submitting",
                 f"同比变化 {change:+.0%} 超过 ±50%，提交前请说明原因", Severity.WARNING)
    software_parts = [i.indicator_id for i in catalog.indicators.values()
                      if i.parent == "software_revenue" and i.components_sum_to_parent]
    # Each (organisation, quarter) once, at its first row in the file, in (org, year, quarter) order.
    firsts = rows.sort_values("source_row", kind="stable").drop_duplicates(["org_id", "year", "quarter"])
    for org, year, quarter, row, column in _columns(firsts.sort_values(["org_id", "year", "quarter"], kind="stable"),
                                                     "org_id", "year", "quarter", "source_row", "source_column"):
        total = merged.get((org, "software_revenue", year, quarter))
        parts = [merged.get((org, p, year, quarter)) for p in software_parts]
        if total is not None and all(p is not None for p in parts) and abs(sum(parts) - total) > max(1.0, 0.001 * total):
            problems.append(Problem(
                file=name, row=int(row), column=column, value=_plain(total),
                reason=f"software revenue {_num(total)} is not the sum of its four parts {_num(sum(parts))}",
                reason_zh=f"软件业务收入 {_num(total)} 不等于四个分项之和 {_num(sum(parts))}"))
    return problems


def check_file(con: sql.Con, catalog: Catalog, name: str, data: bytes, today: dt.date | None = None,
               who: Identity | None = None) -> Checked:
    """Read and validate an uploaded file of either layout; a file that cannot be read at all
    comes back as a single problem rather than an exception."""
    try:
        table, shape = read_file(name, data)
    except FileRejected as e:
        problem = Problem(file=name, row=None, column=None, value=None, reason=str(e), reason_zh=e.zh)
        return Checked(file=name, rows=pd.DataFrame(columns=[*submissions.OBSERVATION_COLUMNS, "source_row"]),
                       problems=(problem,))
    return validate_tidy(con, catalog, name, table, today=today, problems=shape, who=who)


def submit(con: sql.Con, checked: Checked, *, who: Identity, origin: str, status: str,
           explanation: str | None = None, progress: Callable[[str], None] | None = None) -> int:
    """Write checked rows as one submission, or raise with every problem and write nothing.

    Every organisation in it must be within `who`'s scope (AuthorizationError otherwise).
    `progress` hears "writing N rows" just before the write transaction begins."""
    access.require_write(con, who, checked.rows.org_id.unique(), "submit figures for")
    if checked.errors:
        raise SubmissionRejected(checked.errors)
    if checked.warnings and not (explanation and explanation.strip()):
        raise SubmissionRejected([*checked.warnings, Problem(
            file=checked.file, row=None, column=None, value=None,
            reason="warnings need an explanation before the submission can go through",
            reason_zh="存在需要说明的提示，请填写说明后再提交")])
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
        raise SubmissionRejected([Problem(file=path.name, row=None, column=None, value=None, reason=str(e),
                                          reason_zh="无法读取文件")]) from e
    if progress:
        progress(f"reading {path.name} ({len(data)} bytes)")
    checked = check_file(con, catalog, path.name, data, who=who)
    if progress:
        progress(f"validated {len(checked.rows)} rows: {len(checked.errors)} error(s), {len(checked.warnings)} warning(s)")
    sub = submit(con, checked, who=who, origin="import", status=status, explanation=explanation, progress=progress)
    return sub, len(checked.rows)
