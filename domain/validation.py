"""The rules a submitted figure must pass, as small units run by one validator that collects every problem.

Each rule is a function (or, where it must remember earlier rows, a small class) citing the
DOMAIN.md §2 rule it enforces; it receives what it needs — one tidy record as typed, or one parsed
figure with the stored figures it is compared with, or every figure of the file — and returns every
problem it finds there, never stopping at the first. `validate` runs the row rules on every record
in file order, then the comparison rules on every figure that passed them, then the rules over the
whole file, so problems come out row by row as the file reads. Problems carry a `Message` (a code and
its parameters), worded in the reader's language only when shown (`Problem.text`, `render`).

Pure: no store, no pandas. The store hands in the organisations it knows and a function that reads
the stored figures the comparison rules need (`StoredFigures`), and a guard that refuses
organisations outside the submitter's scope before any stored figure is compared with.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict

from domain import messages
from domain.catalog import Catalog
from domain.credit_code import credit_code_problem
from domain.growth import change
from domain.messages import Message
from domain.models import Indicator, IndicatorKind, Limits, OrgKind, RatioBound
from domain.observation import ObsStatus, parse_status
from domain.periods import Period, PeriodBounds, PeriodError, parse_period
from domain.units import UnitError, unit

YOY_WARNING = 0.5  # |同比| beyond this needs an explanation (DOMAIN.md §2)
UNIT_SLIP = 5000.0  # a ratio this far from the previous figure is almost surely 万元 vs 元/亿元
EPSILON = 1e-6  # figures are floats: a part equal to its total must not be "above" it by rounding
# A published 同比 is on a comparable base (同口径), so it differs from the ratio of two published
# levels (national 2022: +11.2 % published, +13.8 % from the levels); beyond this gap it is more
# likely a typing slip or the wrong column, and needs an explanation.
YOY_GAP = 0.10

Key = tuple[str, str, int, int]  # (org_id, indicator_id, year, quarter)


class Severity(StrEnum):
    ERROR = "error"  # rejects the whole submission
    WARNING = "warning"  # needs an explanation from the submitter


class Problem(BaseModel):
    """One thing wrong with a submission: where (file, spreadsheet row, column, the cell's text) and why."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    row: int | None  # spreadsheet row; None for a problem with the whole file
    column: str | None
    value: str | None
    reason: Message
    severity: Severity = Severity.ERROR

    def text(self, lang: str = "en") -> str:
        """The problem as one line in `lang`: its kind, where it is, the cell's text and the reason."""
        where = self.file
        if self.row:
            where += messages.text("validation.at_row", lang, row=self.row)
        if self.column:
            where += messages.text("validation.at_column", lang, column=self.column)
        shown = messages.text("validation.shown_value", lang, value=self.value) if self.value not in (None, "") else ""
        return messages.text("validation.problem", lang, severity=Message.of(f"validation.severity.{self.severity.value}"),
                             where=where, shown=shown, reason=self.reason)

    def __str__(self) -> str:  # the exception text and the command line's lines
        return self.text("en")


class HasProblems:
    """What a result carrying `problems` offers its readers: the errors, which refuse it, and the
    warnings, which need an explanation (a checked submission, a register file's plan)."""

    __slots__ = ()
    problems: tuple[Problem, ...]  # provided by the class that mixes this in

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]


def whole_file(file: str, reason: Message, severity: Severity = Severity.ERROR) -> Problem:
    """A problem with the file (or the submission) as a whole, not with one of its cells."""
    return Problem(file=file, row=None, column=None, value=None, reason=reason, severity=severity)


def explanation_missing(problems: Iterable[Problem], explanation: str | None) -> bool:
    """Whether warnings stop a submission: any warning needs an explanation from the submitter, and
    blank text is none. The write refuses such a submission; the entry form asks before trying."""
    return any(p.severity == Severity.WARNING for p in problems) and not (explanation and explanation.strip())


# ------------------------------------------------------------------------------------ inputs


class Record(NamedTuple):
    """One tidy record as typed (each field stripped text) and where its cells are.

    `cell` is the header of the cell holding the value: "value" in the tidy layout, a row-code
    column (2020 软件业务收入) in the wide layout or the form, where the value, the indicator and the
    unit all live in that one cell and the organisation in `org_cell`."""

    row: int  # spreadsheet row
    org: str
    period: str
    indicator: str
    value: str
    unit: str
    cell: str | None = "value"
    org_cell: str = "org"
    unit_global: bool = False  # the unit came from a title block or a unit column for the whole row
    # What a bureau publishes with a figure (issue 15), blank where not given: its 同比 in percent as
    # printed, its SDMX status code, the date it was published (YYYY-MM-DD); `yoy_cell` is the header
    # of the 同比 cell (同比增减% beside a code column in the wide layout).
    yoy: str = ""
    status: str = ""
    published_on: str = ""
    yoy_cell: str | None = "yoy"

    def column(self, field: str) -> str:
        """The column a problem with `field` points at."""
        if field == "yoy":
            return self.yoy_cell or "yoy"
        if field in ("status", "published_on"):
            return field
        if field == "period" or not self.cell or self.cell == "value":
            return field
        return self.org_cell if field == "org" else self.cell


class Figure(NamedTuple):
    """A record that passed the row rules, in the canonical unit. The first eight fields are the
    store's required observation columns, in their order; the last three its optional ones."""

    org_id: str
    indicator_id: str
    year: int
    quarter: int
    value: float  # canonical unit
    value_entered: float  # as typed
    unit_entered: str  # the unit it was typed in
    note: str | None
    source_row: int
    source_column: str
    yoy: float | None = None  # published 同比 as a fraction
    obs_status: str = ObsStatus.NORMAL.value
    published_on: dt.datetime | None = None
    yoy_column: str | None = None  # where the published 同比 was typed

    @property
    def key(self) -> Key:
        return self.org_id, self.indicator_id, self.year, self.quarter


class Organisations:
    """Organisations by id, exact registered name or unified social credit code (any case), and the
    kind of each where known (enterprise, park …: which plausibility bound its figures meet)."""

    UNKNOWN = Message.of("validation.org_unknown")

    def __init__(self, ids: Sequence[str], names: Sequence[str], credit_codes: Sequence[str | None],
                 kinds: Sequence[str] | None = None, within: Iterable[str] | None = None):
        # `within`: the only organisations a submitter may name (None: all). Any other is answered
        # as an unknown one, so a file cannot tell who is registered.
        self.within = None if within is None else frozenset(within)
        # Ids first, then names, then codes: a later kind of key wins where two collide, as before.
        self.by_key = dict(zip(ids, ids, strict=True))
        self.by_key.update(zip(names, ids, strict=True))
        self.by_key.update((c.upper(), i) for c, i in zip(credit_codes, ids, strict=True) if isinstance(c, str))
        known = {k.value for k in OrgKind}  # a kind this release does not know is bounded as every level is
        self.kinds = {i: OrgKind(k) for i, k in zip(ids, kinds or [None] * len(ids), strict=True) if k in known}

    def kind(self, org_id: str) -> OrgKind | None:
        return self.kinds.get(org_id)

    def find(self, text: str) -> tuple[str | None, Message | None]:
        """(org id, None) or (None, why not)."""
        org_id, why = self._find(text)
        if org_id is not None and self.within is not None and org_id not in self.within:
            return None, self.UNKNOWN
        return org_id, why

    def outside(self, texts: Iterable[str]) -> set[str]:
        """The registered organisations named in `texts` that lie outside `within` (for the audit)."""
        if self.within is None:
            return set()
        return {org_id for text in texts if (org_id := self._find(text)[0]) is not None} - self.within

    def _find(self, text: str) -> tuple[str | None, Message | None]:
        if text in self.by_key:
            return self.by_key[text], None
        looks_like_code = len(text) == 18 and text[:2].isdigit()
        if looks_like_code:
            if text.upper() in self.by_key:
                return self.by_key[text.upper()], None
            if fault := credit_code_problem(text):
                return None, Message.of("validation.credit_code", problem=fault)
        # The same answer for a valid code nobody registered: registration is not disclosed.
        return None, self.UNKNOWN


class StoredFigures(Protocol):
    """Reads the current stored figures of the given (org, indicator) pairs, of their parent and
    child indicators, at the given periods, keyed (org, indicator, year, quarter)."""

    def __call__(self, pairs: Sequence[tuple[str, str]], periods: Sequence[Period]) -> Mapping[Key, float]: ...


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def parse_number(text: str) -> float:
    """A number as people type it: full-width digits, thousands separators, spaces."""
    s = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "").replace(" ", "")
    if s in ("", "-", "—"):
        raise ValueError("empty")
    if not _NUMBER.fullmatch(s):  # float() would also take "66_000", "infinity" and "nan"
        raise ValueError("not a number")
    x = float(s)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("not finite")
    return x


def plain(x: float) -> str:
    """A figure as a cell would hold it (no separators, no exponent): 1200000, 1.23456."""
    return f"{x:.6f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------- row rules


@dataclass(slots=True)
class Reading:
    """What the row rules have read from one record so far. A rule that reads a field leaves it
    here for the rules after it; a rule whose inputs are missing (an earlier rule refused them)
    stays silent rather than repeat that problem."""

    org_id: str | None = None
    indicator: Indicator | None = None
    period: Period | None = None
    number: float | None = None  # as typed
    unit: str | None = None  # the unit symbol it was typed in
    value: float | None = None  # canonical
    yoy: float | None = None  # published 同比, a fraction
    status: ObsStatus = ObsStatus.NORMAL
    published_on: dt.datetime | None = None


@dataclass(frozen=True)
class RowContext:
    """What the row rules look things up in."""

    file: str
    catalog: Catalog
    organisations: Organisations
    periods: PeriodBounds  # the periods a figure may be given for, on `today` (domain/periods.py)
    by_code: Mapping[str, str]  # MIIT row code → indicator id
    today: dt.date = dt.date.max  # a publication date after it is in the future
    # (indicator, reporting level) → its limits and the level they are worded for (None: every
    # level), worked out once per validation rather than once per row of a 100 000-row upload.
    limits: Mapping[tuple[str, OrgKind | None], tuple[Limits | None, OrgKind | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, file: str, catalog: Catalog, organisations: Organisations, today: dt.date) -> RowContext:
        limits = {(i.indicator_id, kind): (i.bound_for(kind), kind if any(b.level == kind for b in i.bounds) else None)
                  for i in catalog.indicators.values() for kind in (None, *OrgKind)}
        return cls(file, catalog, organisations, catalog.period_bounds(today),
                   {i.code: i.indicator_id for i in catalog.indicators.values() if i.code}, today, limits)

    def problem(self, rec: Record, field: str, reason: Message, severity: Severity = Severity.ERROR) -> Problem:
        return Problem(file=self.file, row=rec.row, column=rec.column(field), value=getattr(rec, field), reason=reason,
                       severity=severity)


def organisation_known(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The organisation is known by its id, registered name or a valid credit code (DOMAIN.md §2:
    validate the unified social credit code of GB 32100-2015)."""
    got.org_id, why = ctx.organisations.find(rec.org)
    return [ctx.problem(rec, "org", why)] if why else []


def indicator_known(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The indicator is one of the catalog's, by its id or its MIIT form row code (DOMAIN.md §2's table)."""
    ind_id = rec.indicator if rec.indicator in ctx.catalog.indicators else ctx.by_code.get(rec.indicator)
    if ind_id is None:
        return [ctx.problem(rec, "indicator", Message.of("validation.indicator_unknown"))]
    got.indicator = ctx.catalog.indicators[ind_id]
    return []


@lru_cache(maxsize=4096)  # an upload repeats a handful of period spellings on every row
def _period(text: str) -> Period | Message:
    try:
        return parse_period(text)
    except PeriodError as e:
        return e.reason


def period_valid(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The period is a year-to-date quarter (2015Q3, 2015年1-9月; DOMAIN.md §2) within the tracker's
    bounds: over (the last complete quarter at the latest), and not before ten years ahead of the
    earliest plan's base year (0000Q4 and 1900Q1 are slips)."""
    period = _period(rec.period)
    if isinstance(period, Message):
        return [ctx.problem(rec, "period", period)]
    if found := ctx.periods.problem(period):
        return [ctx.problem(rec, "period", found[1])]
    got.period = period
    return []


def value_is_number(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The value is a finite number as people type it (full-width digits and separators allowed)."""
    try:
        got.number = parse_number(rec.value)
    except ValueError:
        return [ctx.problem(rec, "value", Message.of("validation.not_a_number"))]
    return []


def unit_fits_indicator(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The unit is known and measures the indicator (DOMAIN.md §2: money in 万元, exports in 万美元;
    a blank unit means the indicator's own). A unit stated for the whole form ("单位：万元") does not
    apply to the rows it cannot measure (人, 万美元): those are in their own unit."""
    ind = got.indicator
    if ind is None or got.number is None:
        return []
    try:
        u = unit(rec.unit) if rec.unit else unit(ind.unit)
    except UnitError:
        return [ctx.problem(rec, "unit", Message.of("validation.unit_unknown", name=ind.name_zh, canonical=ind.unit))]
    if u.dimension != ind.dimension and rec.unit_global:
        u = unit(ind.unit)
    got.unit = u.symbol
    if u.dimension != ind.dimension:
        return [ctx.problem(rec, "unit", Message.of("validation.unit_wrong_dimension", unit=rec.unit, name=ind.name_zh,
                                                    canonical=ind.unit))]
    got.value = u.to_canonical(got.number)
    if not math.isfinite(got.value):  # 1e305 万人 is finite as typed and infinite in 人: refuse it here
        got.value = None
        return [ctx.problem(rec, "value", Message.of("validation.not_finite_converted", unit=u.symbol,
                                                     canonical=ind.unit))]
    return []


def not_negative(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """No negative figure where none can be (revenue, staff); profit may be a loss (DOMAIN.md §2)."""
    ind = got.indicator
    if ind is None or got.value is None or got.value >= 0 or ind.allow_negative:
        return []
    got.value = None
    return [ctx.problem(rec, "value", Message.of("validation.negative", name=ind.name_zh))]


def _level(kind: OrgKind | None) -> Message:
    return Message.of(f"validation.level.{kind.value if kind else 'any'}")


def value_plausible(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The figure lies within its indicator's bounds for the level reporting it (data/indicators.yaml;
    DOMAIN.md §6: "a firm's revenue larger than a province's"), whether or not an earlier period
    exists to compare it with: beyond the error limit it is impossible, beyond the warning limit it
    needs an explanation."""
    ind = got.indicator
    if ind is None or got.value is None or got.org_id is None:
        return []
    limits, level = ctx.limits.get((ind.indicator_id, ctx.organisations.kind(got.org_id)), (None, None))
    breach = limits.breach(got.value) if limits else None
    if breach is None:
        return []
    severity, side, limit = breach
    reason = Message.of(f"validation.bound.{severity}_{side}", name=ind.name_zh, value=got.value, unit=ind.unit,
                        limit=limit, level=_level(level))
    return [ctx.problem(rec, "value", reason, Severity(severity))]


class NoDuplicates:
    """One figure per organisation, indicator and period in a file: a second is reported on its own
    row, naming the first. Remembers the records it has seen, so make one per validation."""

    def __init__(self) -> None:
        self.seen: dict[Key, int] = {}

    def __call__(self, rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
        if got.org_id is None or got.indicator is None or got.period is None or got.value is None:
            return []
        key = (got.org_id, got.indicator.indicator_id, got.period.year, got.period.quarter)
        if key in self.seen:
            return [ctx.problem(rec, "period", Message.of("validation.duplicate", first=self.seen[key]))]
        self.seen[key] = rec.row
        return []


def parse_percent(text: str) -> float | None:
    """A rate as a bureau prints it, in percent (11.2, 11.2%, −3.0): the fraction; None when blank."""
    s = unicodedata.normalize("NFKC", str(text)).strip().rstrip("%").replace("−", "-")
    if s in ("", "-", "—"):
        return None
    return parse_number(s) / 100


def yoy_is_number(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """A published 同比, where given, is a number in percent (11.2 means +11.2 %)."""
    try:
        got.yoy = parse_percent(rec.yoy)
    except ValueError:
        return [ctx.problem(rec, "yoy", Message.of("validation.yoy_not_a_number"))]
    return []


def status_known(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The status, where given, is a code of SDMX CL_OBS_STATUS (A normal, P provisional, E estimated …;
    domain/observation.py); blank means A."""
    status = parse_status(rec.status)
    if status is None:
        return [ctx.problem(rec, "status", Message.of("validation.status_unknown",
                                                      codes=" ".join(s.value for s in ObsStatus)))]
    got.status = status
    return []


def published_on_valid(rec: Record, got: Reading, ctx: RowContext) -> list[Problem]:
    """The publication date, where given, is a date (YYYY-MM-DD) that is not in the future: it places
    the figure in the history read "as it stood" on a date."""
    text = str(rec.published_on).strip()
    if not text:
        return []
    # A date cell of a workbook reads as "2020-02-01 00:00:00": its day is what counts.
    day_text = text[:10] if len(text) > 10 and text[10] in " T" else text
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        return [ctx.problem(rec, "published_on", Message.of("validation.published_on_invalid"))]
    if day > ctx.today:
        return [ctx.problem(rec, "published_on", Message.of("validation.published_on_future", date=day.isoformat()))]
    got.published_on = dt.datetime.combine(day, dt.time())
    return []


RowRule = Callable[[Record, Reading, RowContext], list[Problem]]
ROW_RULES: tuple[RowRule, ...] = (organisation_known, indicator_known, period_valid, value_is_number,
                                  unit_fits_indicator, not_negative, value_plausible, yoy_is_number,
                                  status_known, published_on_valid)


def row_rules() -> tuple[RowRule, ...]:
    """Every row rule in the order its problems are listed, the stateful ones fresh."""
    return (*ROW_RULES, NoDuplicates())


# -------------------------------------------------------------------------- comparison rules


def _children(catalog: Catalog) -> dict[str, list[Indicator]]:
    """Each total's parts of its own kind (a flow's parts are flows): only those can be compared."""
    out: dict[str, list[Indicator]] = {}
    for child in catalog.indicators.values():
        if child.parent and child.kind == catalog.indicators[child.parent].kind:
            out.setdefault(child.parent, []).append(child)
    return out


@dataclass(frozen=True)
class Comparison:
    """The figures of a file beside the stored ones they are compared with."""

    file: str
    catalog: Catalog
    stored: Mapping[Key, float]
    incoming: Mapping[Key, Figure]
    merged: Mapping[Key, float]  # stored, overridden by the file's own figures
    children: Mapping[str, list[Indicator]]
    ratios_over: Mapping[str, list[tuple[Indicator, RatioBound]]]  # denominator → (numerator, its bound)

    @classmethod
    def of(cls, file: str, catalog: Catalog, figures: Sequence[Figure], stored: Mapping[Key, float]) -> Comparison:
        incoming = {f.key: f for f in figures}
        merged = dict(stored)
        merged.update((k, f.value) for k, f in incoming.items())
        over: dict[str, list[tuple[Indicator, RatioBound]]] = {}
        for ind in catalog.indicators.values():
            for r in ind.ratios:
                over.setdefault(r.of, []).append((ind, r))
        return cls(file, catalog, stored, incoming, merged, _children(catalog), over)

    def problem(self, fig: Figure, reason: Message, severity: Severity = Severity.ERROR, shown: float | None = None) -> Problem:
        value = fig.value if shown is None else shown
        return Problem(file=self.file, row=int(fig.source_row), column=fig.source_column, value=plain(value),
                       reason=reason, severity=severity)


def periods_compared(figures: Iterable[Figure]) -> list[Period]:
    """The periods whose stored figures the comparison rules read: each incoming figure's own
    quarter, the quarters either side of it in its year and the same quarter a year before."""
    near = {Period(f.year, f.quarter) for f in figures}
    near |= {p for x in list(near) for p in (x.previous(), x.next(), x.same_period_last_year())}
    return sorted(near)


def part_within_total(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A part never exceeds its parent (DOMAIN.md §2), whether the total is stored or in the file;
    software revenue is a part of main business revenue, so it never exceeds it either."""
    ind = cmp.catalog.indicators[fig.indicator_id]
    if not ind.parent or ind.kind != cmp.catalog.indicators[ind.parent].kind:
        return []
    total = cmp.merged.get((fig.org_id, ind.parent, fig.year, fig.quarter))
    if total is None or fig.value <= total + EPSILON:
        return []
    parent = cmp.catalog.indicators[ind.parent]
    return [cmp.problem(fig, Message.of("validation.part_above_total", name=ind.name_zh, value=fig.value,
                                        total_name=parent.name_zh, total=total))]


def total_within_stored_parts(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A total is never below one of its parts already stored (DOMAIN.md §2, seen from the total).
    A part in the same file is compared on the part's own row, by `part_within_total`, so a
    conflict between two rows of one file is reported once."""
    ind = cmp.catalog.indicators[fig.indicator_id]
    out = []
    for child in cmp.children.get(fig.indicator_id, ()):
        key = (fig.org_id, child.indicator_id, fig.year, fig.quarter)
        part = cmp.stored.get(key)
        if key not in cmp.incoming and part is not None and part > fig.value + EPSILON:
            out.append(cmp.problem(fig, Message.of("validation.total_below_part", name=ind.name_zh, value=fig.value,
                                                   part_name=child.name_zh, part=part)))
    return out


def year_to_date_rises(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A year-to-date figure never falls from one quarter to the next within a year (DOMAIN.md §2):
    not below the quarter before it (stored or in the file), not above a later quarter already
    stored. Only for flows that cannot be negative: a loss (利润总额) that deepens from -290 in Q1
    to -560 in Q2 is a falling figure that is correct."""
    ind = cmp.catalog.indicators[fig.indicator_id]
    if ind.kind != IndicatorKind.FLOW or ind.allow_negative:
        return []
    org, ind_id, year, quarter = fig.key
    before = cmp.merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
    later = (org, ind_id, year, quarter + 1)
    after = cmp.stored.get(later) if quarter < 4 and later not in cmp.incoming else None
    out = []
    if before is not None and fig.value < before - EPSILON:
        out.append(cmp.problem(fig, Message.of("validation.ytd_falls", before=before, previous=quarter - 1,
                                               value=fig.value, quarter=quarter)))
    if after is not None and fig.value > after + EPSILON:
        out.append(cmp.problem(fig, Message.of("validation.ytd_above_later", value=fig.value, quarter=quarter,
                                               after=after, next=quarter + 1)))
    return out


def _neighbours(fig: Figure, cmp: Comparison) -> tuple[float | None, float | None]:
    """(the figure of the quarter before in the same year, that of the same quarter a year before)."""
    org, ind_id, year, quarter = fig.key
    previous = cmp.merged.get((org, ind_id, year, quarter - 1)) if quarter > 1 else None
    return previous, cmp.merged.get((org, ind_id, year - 1, quarter))


def _slipped(value: float, reference: float | None) -> bool:
    """Whether `value` is about 10⁴ times `reference` or a 10⁴th of it (a ratio of at least UNIT_SLIP)."""
    return bool(reference and value and (value / reference >= UNIT_SLIP or reference / value >= UNIT_SLIP))


def unit_slip(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A figure about 10⁴ times (or a 10⁴th of) its neighbouring period's is a 万元 / 元 / 亿元 slip,
    "the most common real input error" (DOMAIN.md §2). The neighbour is the quarter before in the
    same year, else the same quarter a year before."""
    previous, last_year = _neighbours(fig, cmp)
    reference = previous if previous is not None else last_year
    if not _slipped(fig.value, reference):
        return []
    return [cmp.problem(fig, Message.of("validation.unit_slip", value=fig.value, reference=reference))]


def year_on_year(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A year-on-year change (同比) beyond ±50 % needs an explanation before acceptance (DOMAIN.md §2):
    a warning, not an error. Not given for a figure `unit_slip` already refuses."""
    previous, last_year = _neighbours(fig, cmp)
    if _slipped(fig.value, previous if previous is not None else last_year):
        return []
    rate = change(fig.value, last_year)
    if rate is None or abs(rate) <= YOY_WARNING:
        return []
    return [cmp.problem(fig, Message.of("validation.yoy", change=rate), Severity.WARNING)]


def published_yoy_fits_levels(fig: Figure, cmp: Comparison) -> list[Problem]:
    """A published 同比 is on a comparable base, so it may differ from the ratio of this figure to the
    same period a year earlier (stored or in the file); by more than YOY_GAP (10 percentage points)
    it needs an explanation: a warning, pointing at the 同比 cell."""
    if fig.yoy is None:
        return []
    _, last_year = _neighbours(fig, cmp)
    levels = change(fig.value, last_year)
    if levels is None or abs(fig.yoy - levels) <= YOY_GAP + EPSILON:
        return []
    return [Problem(file=cmp.file, row=int(fig.source_row), column=fig.yoy_column or "yoy",
                    value=plain(round(fig.yoy * 100, 6)), severity=Severity.WARNING,
                    reason=Message.of("validation.yoy_off_levels", published=fig.yoy, levels=levels,
                                      before=last_year, value=fig.value, gap=abs(fig.yoy - levels) * 100))]


def ratio_partners(catalog: Catalog) -> dict[str, list[str]]:
    """Each indicator with the other rows of its form it is held in a ratio with, either way round:
    the stored figures the ratio rule needs beside a file's."""
    out: dict[str, list[str]] = {}
    for ind in catalog.indicators.values():
        for r in ind.ratios:
            out.setdefault(ind.indicator_id, []).append(r.of)
            out.setdefault(r.of, []).append(ind.indicator_id)
    return out


def ratios_plausible(fig: Figure, cmp: Comparison) -> list[Problem]:
    """Rows of one form stay in plausible ratios (data/indicators.yaml `ratios`; DOMAIN.md §6: main
    revenue vs software revenue, revenue per employee, exports vs revenue), whether the other row is
    in the file or stored, with or without an earlier period. Reported on this figure's row when it
    is the numerator, or when it is the denominator and the numerator is stored (a pair in the same
    file is reported once, on the numerator's row). A flow over a stock is annualised first (× 4 ÷
    quarter). A zero numerator (no sales yet) is not a slip and is not checked; a positive numerator
    over a zero denominator (revenue with nobody employed, main revenue without software revenue)
    needs an explanation, as entering 0 must not pass every ratio; a negative denominator gives no
    ratio."""
    org, ind_id, year, quarter = fig.key
    ind, over = cmp.catalog.indicators[ind_id], cmp.ratios_over.get(ind_id, ())
    if not ind.ratios and not over:
        return []
    pairs = [(ind, r, fig.value, cmp.merged.get((org, r.of, year, quarter))) for r in ind.ratios]
    for num, r in over:
        key = (org, num.indicator_id, year, quarter)
        if key not in cmp.incoming and key in cmp.stored:
            pairs.append((num, r, cmp.stored[key], fig.value))
    out = []
    for num, r, top, bottom in pairs:
        if bottom is None or bottom < 0 or top == 0:
            continue
        den = cmp.catalog.indicators[r.of]
        if bottom == 0:  # an infinite ratio: not impossible (a firm between contracts), but to be explained
            if top > 0 and (r.warn_above is not None or r.error_above is not None):
                out.append(cmp.problem(fig, Message.of("validation.ratio.zero_base", name=num.name_zh, value=top,
                                                       other=den.name_zh), Severity.WARNING))
            continue
        annualised = num.kind == IndicatorKind.FLOW and den.kind == IndicatorKind.STOCK
        shown = top * 4 / quarter if annualised else top
        breach = r.breach(shown / bottom)
        if breach is None:
            continue
        severity, side, limit = breach
        per = f" {num.unit}/{den.unit}" if num.unit != den.unit else ""
        out.append(cmp.problem(fig, Message.of(
            f"validation.ratio.{severity}_{side}", name=num.name_zh, value=shown,
            annualised=Message.of("validation.ratio.annualised") if annualised and quarter < 4 else "",
            other=den.name_zh, other_value=bottom, limit=limit, per=per, product=limit * bottom), Severity(severity)))
    return out


FigureRule = Callable[[Figure, Comparison], list[Problem]]
FIGURE_RULES: tuple[FigureRule, ...] = (part_within_total, total_within_stored_parts, year_to_date_rises,
                                        unit_slip, year_on_year, published_yoy_fits_levels, ratios_plausible)


def summing_parts(catalog: Catalog) -> dict[str, list[Indicator]]:
    """Every total whose parts add up to it exactly (`components_sum_to_parent`), with those parts,
    in catalog order: 软件业务收入 = 2021 + 2022 + 2023 + 2024, 软件业务出口 = 2041 + 2042 + 2043."""
    out: dict[str, list[Indicator]] = {}
    for part in catalog.indicators.values():
        if part.parent and part.components_sum_to_parent:
            out.setdefault(part.parent, []).append(part)
    return {total: out[total] for total in catalog.indicators if total in out}


def components_sum_to_total(figures: Sequence[Figure], cmp: Comparison) -> list[Problem]:
    """A total equals the sum of its parts (DOMAIN.md §2), for every total the catalog declares
    summed, once every part and the total are known (in the file or stored). Checked once per
    organisation and quarter, on that quarter's first row in the file, in (org, year, quarter) order;
    the tolerance is 1 (万元) or 0.1 % of the total, whichever is larger, for rounding on the form."""
    totals = summing_parts(cmp.catalog)
    firsts: dict[tuple[str, int, int], Figure] = {}
    for fig in sorted(figures, key=lambda f: f.source_row):
        firsts.setdefault((fig.org_id, fig.year, fig.quarter), fig)
    out = []
    for (org, year, quarter), fig in sorted(firsts.items(), key=lambda item: item[0]):
        for total_id, parts in totals.items():
            total = cmp.merged.get((org, total_id, year, quarter))
            values = [cmp.merged.get((org, p.indicator_id, year, quarter)) for p in parts]
            if total is None or any(v is None for v in values):
                continue
            added = sum(values)
            if abs(added - total) > max(1.0, 0.001 * total):
                out.append(cmp.problem(fig, Message.of("validation.components_sum", name=cmp.catalog.indicators[total_id].name_zh,
                                                       total=total, count=count_message(len(parts)), sum=added),
                                       shown=total))
    return out


def count_message(n: int) -> Message | int:
    """How many parts, as a word where the catalog has one (四个分项, four parts)."""
    code = f"validation.count.{n}"
    return Message.of(code) if messages.exists(code) else n


FileRule = Callable[[Sequence[Figure], Comparison], list[Problem]]
FILE_RULES: tuple[FileRule, ...] = (components_sum_to_total,)


# ----------------------------------------------------------------------------- the validator


def missing_columns(file: str, columns: Iterable[str], expected: Sequence[str]) -> list[Problem]:
    """Every column the tidy layout needs is there (reported once, on the header row)."""
    missing = [c for c in expected if c not in set(columns)]
    if not missing:
        return []
    return [Problem(file=file, row=1, column=", ".join(missing), value=None,
                    reason=Message.of("validation.missing_columns", missing=", ".join(missing), expected=", ".join(expected)))]


@dataclass(frozen=True)
class Outcome:
    """Figures ready to write (in file order) and every problem found, in the order they are shown."""

    figures: list[Figure]
    problems: list[Problem]


def check_rows(file: str, records: Iterable[Record], catalog: Catalog, organisations: Organisations,
               today: dt.date) -> tuple[list[Figure], list[Problem], set[str]]:
    """Run every row rule on every record: (the figures that passed, the problems, every
    organisation a record named, whether or not its record passed)."""
    ctx = RowContext.of(file, catalog, organisations, today)
    rules = row_rules()
    figures: list[Figure] = []
    problems: list[Problem] = []
    named: set[str] = set()
    for rec in records:
        got = Reading()
        found = [p for rule in rules for p in rule(rec, got, ctx)]
        if got.org_id is not None:
            named.add(got.org_id)
        problems.extend(found)
        if any(p.severity == Severity.ERROR for p in found):
            continue  # a warning (an implausible value) keeps the figure: it is written once explained
        assert got.org_id and got.indicator and got.period and got.value is not None and got.unit  # every rule passed
        figures.append(Figure(got.org_id, got.indicator.indicator_id, got.period.year, got.period.quarter, got.value,
                              got.number, got.unit, None, rec.row, rec.column("value"), got.yoy, got.status.value,
                              got.published_on, rec.column("yoy") if got.yoy is not None else None))
    return figures, problems, named


def check_figures(file: str, figures: Sequence[Figure], catalog: Catalog, stored: Mapping[Key, float]) -> list[Problem]:
    """Run every comparison rule on every figure, then the rules over the whole file."""
    cmp = Comparison.of(file, catalog, figures, stored)
    problems = [p for fig in cmp.incoming.values() for rule in FIGURE_RULES for p in rule(fig, cmp)]
    problems.extend(p for rule in FILE_RULES for p in rule(figures, cmp))
    return problems


def validate(file: str, records: Sequence[Record], catalog: Catalog, organisations: Organisations, *,
             stored: StoredFigures, today: dt.date | None = None, earlier: Iterable[Problem] = (),
             guard: Callable[[set[str]], None] | None = None) -> Outcome:
    """Run every rule and collect every problem: the row rules, then — for the figures that pass
    them — the rules that compare them with each other and with the stored figures.

    `earlier` are problems already found while reading the file (rows of the wrong shape); they
    come first. `guard` sees every organisation the records name before any stored figure is read
    and may raise to refuse the whole file: a message comparing with stored figures must not
    reveal another firm's numbers."""
    problems = list(earlier)
    if not records and not problems:
        problems.append(whole_file(file, Message.of("validation.no_rows")))
    figures, found, named = check_rows(file, records, catalog, organisations, today or dt.date.today())
    problems.extend(found)
    if guard is not None:
        guard(named)
    if figures:
        partners = ratio_partners(catalog)
        pairs = list(dict.fromkeys(pair for f in figures for pair in
                                   [(f.org_id, f.indicator_id), *((f.org_id, o) for o in partners.get(f.indicator_id, ()))]))
        problems.extend(check_figures(file, figures, catalog, stored(pairs, periods_compared(figures))))
    # In the wide layout one bad credit code would otherwise be reported once per code column.
    return Outcome(figures, list(dict.fromkeys(problems)))
