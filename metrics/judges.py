"""One judge per target kind: what it reads, how it is assessed, what its chart shows.

Each kind of target (DOMAIN.md §3) is judged by exactly one class here, and `judge_for` maps a
target to its judge with an exhaustive match: a new kind without a judge reaches `assert_never` and
fails the first test that judges a plan using it (tests/test_judges.py requires every kind in the
catalog). Keeping the assessment and the chart of a kind in one class is what keeps the progress table,
the target chart and the briefing from disagreeing: all three come from the same judge on the same
snapshot.

Judges are pure: they receive a `Snapshot` and return values in canonical units; `metrics.tracker`
turns them into rows in the unit the plan wrote the target in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Generic, TypeVar, assert_never

from domain.catalog import Catalog
from domain.messages import Message
from domain.models import (
    AverageIncreaseTarget,
    CumulativeTarget,
    DensityTarget,
    GrowthTarget,
    Indicator,
    IndicatorKind,
    LevelTarget,
    Plan,
    ProgrammeCountTarget,
    ShareTarget,
    Target,
    ThresholdCountTarget,
    YearlyQuotaTarget,
)
from domain.periods import Period
from domain.snapshot import CountKey, Needs, SeriesKey, Snapshot
from domain.units import DISPLAY, unit
from metrics import progress as pg
from metrics.growth import cagr, project, required_path
from metrics.periods import annual
from metrics.periods import yoy as year_on_year
from metrics.series import Picked, labelled, pick, ratio, running_total

T = TypeVar("T", bound=Target)

# The total whose parts (software revenue's four) are drawn under a target on it or on the revenue
# that contains it.
COMPONENT_TOTAL = "software_revenue"
SHOWS_COMPONENTS = ("software_revenue", "main_revenue")


def display_formatter(symbol: str) -> pg.Fmt:
    """A canonical value inside a reason, in the unit the target was written in (a count of 个 bare)."""
    u = unit(symbol)
    return lambda v: Message.of("figure.sig4", value=u.from_canonical(v), unit="" if symbol == "个" else symbol)


@dataclass(frozen=True)
class Inputs:
    """One target's reading of the snapshot: its own series picked once for every judge."""

    catalog: Catalog
    snap: Snapshot
    target: Target
    plan_id: str

    @property
    def as_of(self) -> Period:
        return self.snap.as_of

    @cached_property
    def indicator(self) -> Indicator:
        return self.catalog.indicators[self.target.indicator]

    @cached_property
    def picked(self) -> Picked:
        return pick(self.snap, self.target.scope, self.target.indicator)

    @cached_property
    def yearly(self) -> dict[int, float]:
        return annual(self.picked.values)


@dataclass(frozen=True)
class Verdict:
    """A judge's assessment and what the row shows beside it."""

    assessment: pg.Assessment
    current: pg.InYear  # the as-of year against its own target (序时进度), where there is one
    series: str | None  # which series was judged: official | reported | bottom_up | derived
    ytd: float | None
    ytd_yoy: float | None


@dataclass(frozen=True)
class Chart:
    """A target's chart in canonical units; `unit` is the unit it is shown in."""

    unit: str
    annual: dict[int, float]
    ytd: dict[Period, float]
    required_path: dict[int, float]  # already in the shown unit
    projection: dict[int, float]  # already in the shown unit
    target: float  # in the shown unit


class Judge(Generic[T]):
    """Defaults shared by the kinds; each subclass states what differs."""

    rate: ClassVar[bool] = False  # the target is a growth rate: the row shows no level or base value
    pace: ClassVar[bool] = False  # judged on a linear pace rather than compound growth
    ytd_bars: ClassVar[bool] = False  # the chart shows this year's year-to-date figures
    year_to_date: ClassVar[bool] = False  # before its end, judged on the as-of quarter's year-to-date figure

    parks_shown: ClassVar[bool] = True  # the plan page breaks the target down by park

    def reads(self, t: T, plan: Plan, catalog: Catalog) -> Needs:
        keys = {SeriesKey(t.scope, t.indicator)}
        if self.parks_shown:
            keys |= {SeriesKey(p.org_id, t.indicator) for p in catalog.parks_under(t.scope)}
        if t.indicator in SHOWS_COMPONENTS:
            keys |= {SeriesKey(t.scope, i.indicator_id) for i in component_indicators(catalog)}
        return Needs(series=frozenset(keys))

    def judge(self, t: T, x: Inputs) -> Verdict:
        raise NotImplementedError

    def _verdict(self, x: Inputs, a: pg.Assessment, current: pg.InYear | None = None) -> Verdict:
        """The usual verdict: on the target's own series, with this year's year-to-date figure."""
        as_of = x.as_of
        return Verdict(a, current or _no_year(as_of), labelled(x.picked, x.catalog, x.target.scope).which,
                       x.picked.values.get(as_of), year_on_year(x.picked.values, as_of))

    # ---- the chart

    def chart_values(self, t: T, x: Inputs) -> dict[int, float]:
        """The annual series the chart draws, canonical."""
        return x.yearly

    def shown_unit(self, t: T, x: Inputs) -> str:
        return t.unit

    def path(self, t: T, values: Mapping[int, float], shown: str) -> dict[int, float]:
        """The required path from the base year to the target, in the shown unit."""
        base = values.get(t.base_year)
        if not base or base <= 0:
            return {}
        g = cagr(base, t.value_canonical, t.target_year - t.base_year)
        convert = unit(shown).from_canonical
        return {y: convert(required_path(base, g, t.base_year, y)) for y in range(t.base_year, t.target_year + 1)}

    def projection(self, t: T, row: pg.Assessment, values: Mapping[int, float], shown: str) -> dict[int, float]:
        """Where the present pace leads by the target year, in the shown unit."""
        if row.actual_rate is None or row.actual_year is None or row.final or self.pace:
            return {}
        last = row.actual_year
        if last not in values:
            return {}
        convert = unit(shown).from_canonical
        return {y: convert(project(values[last], row.actual_rate, y - last)) for y in range(last, t.target_year + 1)}

    def chart_target(self, t: T, path: Mapping[int, float]) -> float:
        return t.value

    def chart(self, t: T, x: Inputs, a: pg.Assessment) -> Chart:
        values = self.chart_values(t, x)
        shown = self.shown_unit(t, x)
        convert = unit(shown).from_canonical
        as_of = x.as_of
        ytd = ({p: convert(v) for p, v in sorted(x.picked.values.items())
                if p.year == as_of.year and p.ordinal <= as_of.ordinal} if self.ytd_bars else {})
        path = self.path(t, values, shown)
        return Chart(unit=shown, annual={y: convert(v) for y, v in sorted(values.items())}, ytd=ytd,
                     required_path=path, projection=self.projection(t, a, values, shown),
                     target=self.chart_target(t, path))


def _no_year(as_of: Period) -> pg.InYear:
    return pg.in_year(None, None, as_of.year, as_of.quarter)


def component_indicators(catalog: Catalog) -> list[Indicator]:
    """The parts that add up to `COMPONENT_TOTAL`, in catalog order."""
    return [i for i in catalog.indicators.values() if i.parent == COMPONENT_TOTAL and i.components_sum_to_parent]


class LevelJudge(Judge[LevelTarget]):
    """A level by a year (3000 亿元 by 2015): compound growth from the base year; a flow is also
    read within the year against the year's target (given by the plan, else the required path)."""

    ytd_bars = True

    def judge(self, t: LevelTarget, x: Inputs) -> Verdict:
        as_of = x.as_of
        a = pg.assess_level(x.yearly, t.value_canonical, t.comparator, t.base_year, t.target_year,
                            as_of.last_complete_year, display_formatter(t.unit))
        given = {y: unit(t.unit).to_canonical(v) for y, v in t.yearly_targets.items()}
        goal = pg.yearly_target(x.yearly, t.value_canonical, t.base_year, t.target_year, as_of.year, given)
        is_flow = x.indicator.kind == IndicatorKind.FLOW
        ytd = x.picked.values.get(as_of)
        return self._verdict(x, a, pg.in_year(ytd if is_flow else None, goal, as_of.year, as_of.quarter))


class GrowthJudge(Judge[GrowthTarget]):
    """A compound rate to sustain (年均增长30%); the chart shows the level against the path that rate draws."""

    rate = True
    ytd_bars = True
    parks_shown = False

    def judge(self, t: GrowthTarget, x: Inputs) -> Verdict:
        a = pg.assess_growth(x.yearly, t.value_canonical, t.base_year, t.target_year, x.as_of.last_complete_year)
        return self._verdict(x, a)

    def shown_unit(self, t: GrowthTarget, x: Inputs) -> str:
        return DISPLAY[x.indicator.dimension]

    def path(self, t: GrowthTarget, values: Mapping[int, float], shown: str) -> dict[int, float]:
        base = values.get(t.base_year)
        if not base or base <= 0:
            return {}
        convert = unit(shown).from_canonical
        return {y: convert(required_path(base, t.value_canonical, t.base_year, y))
                for y in range(t.base_year, t.target_year + 1)}

    def projection(self, t, row, values, shown) -> dict[int, float]:
        return {}  # the rate itself is the projection

    def chart_target(self, t: GrowthTarget, path: Mapping[int, float]) -> float:
        return path.get(t.target_year) or 0.0


class RatioJudge(Judge[ShareTarget | DensityTarget]):
    """A share (5 % of the national total) or a density (revenue per 万m²): the ratio of two
    series year by year, judged as a level."""

    parks_shown = False

    def reads(self, t: ShareTarget | DensityTarget, plan: Plan, catalog: Catalog) -> Needs:
        denominator = SeriesKey(t.denominator.scope, t.denominator.indicator)
        return super().reads(t, plan, catalog) | Needs(series=frozenset({denominator}))

    def chart_values(self, t: ShareTarget | DensityTarget, x: Inputs) -> dict[int, float]:
        den = pick(x.snap, t.denominator.scope, t.denominator.indicator)
        return ratio(x.yearly, x.indicator.unit, annual(den.values), x.catalog.indicators[t.denominator.indicator].unit,
                     unit(t.unit).dimension)

    def judge(self, t: ShareTarget | DensityTarget, x: Inputs) -> Verdict:
        a = pg.assess_level(self.chart_values(t, x), t.value_canonical, t.comparator, t.base_year, t.target_year,
                            x.as_of.last_complete_year, display_formatter(t.unit))
        return Verdict(a, _no_year(x.as_of), "derived", None, None)


class ThresholdCountJudge(Judge[ThresholdCountTarget]):
    """Firms above a threshold (40 firms ≥ 1 亿元), counted from the firms' own reports."""

    parks_shown = False

    def reads(self, t: ThresholdCountTarget, plan: Plan, catalog: Catalog) -> Needs:
        count = CountKey(t.scope, t.indicator, float(t.threshold.canonical))
        return super().reads(t, plan, catalog) | Needs(counts=frozenset({count}))

    def chart_values(self, t: ThresholdCountTarget, x: Inputs) -> dict[int, float]:
        return {y: float(n) for y, n in x.snap.count(t.scope, t.indicator, t.threshold.canonical).items()}

    def judge(self, t: ThresholdCountTarget, x: Inputs) -> Verdict:
        a = pg.assess_level(self.chart_values(t, x), t.value_canonical, t.comparator, t.base_year, t.target_year,
                            x.as_of.last_complete_year, display_formatter(t.unit))
        return Verdict(a, _no_year(x.as_of), "bottom_up", None, None)


class QuotaJudge(Judge[YearlyQuotaTarget]):
    """A quota each year (每年培训5万人次): this year's figure so far against the quota and 序时进度,
    and at the end whether every year met it."""

    ytd_bars = True
    year_to_date = True

    def judge(self, t: YearlyQuotaTarget, x: Inputs) -> Verdict:
        as_of = x.as_of
        current = pg.in_year(x.picked.values.get(as_of), t.value_canonical, as_of.year, as_of.quarter)
        a = pg.assess_quota(x.yearly, t.value_canonical, t.first_year, t.target_year, current, as_of.last_complete_year)
        return self._verdict(x, a, current)

    def path(self, t, values, shown) -> dict[int, float]:
        return {}


class RunningTotalJudge(Judge[T]):
    """A total built up year by year since a first year, judged on its linear pace: the shared
    path and projection of cumulative milestones and programme counts."""

    pace = True

    def path(self, t: CumulativeTarget | ProgrammeCountTarget, values, shown) -> dict[int, float]:
        span = t.target_year - t.first_year + 1
        return {y: t.value * (y - t.first_year + 1) / span for y in range(t.first_year, t.target_year + 1)}

    def projection(self, t, row, values, shown) -> dict[int, float]:
        if not row.actual_rate or row.actual_year is None:
            return {}
        last = row.actual_year
        if last not in values:
            return {}
        convert = unit(shown).from_canonical
        pace = unit(t.unit).from_canonical(row.actual_rate)
        return {y: convert(values[last]) + pace * (y - last) for y in range(last, t.target_year + 1)}


class CumulativeJudge(RunningTotalJudge[CumulativeTarget]):
    """A running total of a yearly flow since a first year (累计培训10万人次): a year not reported
    stops the total (a gap in statistics is not a zero)."""

    def chart_values(self, t: CumulativeTarget, x: Inputs) -> dict[int, float]:
        return running_total(x.yearly, t.first_year, x.as_of.year)

    def judge(self, t: CumulativeTarget, x: Inputs) -> Verdict:
        last = x.as_of.last_complete_year
        totals = running_total(x.yearly, t.first_year, last)
        a = pg.assess_pace(totals, t.value_canonical, t.first_year - 1, t.target_year, last, per_year=False,
                           fmt=display_formatter(t.unit))
        return self._verdict(x, a)


class ProgrammeCountJudge(RunningTotalJudge[ProgrammeCountTarget]):
    """Designations of one type made since a first year (8个左右示范基地), counted in the plan's
    designation register. The register is complete for a year once the year is over, so a year
    without designations counts as zero — unlike a missing statistical report. The base programme
    page judges its counts with this judge too (`assess_register`)."""

    parks_shown = False

    def reads(self, t: ProgrammeCountTarget, plan: Plan, catalog: Catalog) -> Needs:
        return Needs(registers=frozenset({plan.plan_id}))

    def chart_values(self, t: ProgrammeCountTarget, x: Inputs) -> dict[int, float]:
        return self.running(t, x.snap.designations(x.plan_id, t.designation_type), x.as_of.last_complete_year)

    @staticmethod
    def running(t: ProgrammeCountTarget, by_year: Mapping[int, int], last_complete_year: int) -> dict[int, float]:
        """The running count from the first year to the last complete one (at most the target year)."""
        out, total = {}, 0
        for y in range(t.first_year, min(t.target_year, last_complete_year) + 1):
            total += by_year.get(y, 0)
            out[y] = float(total)
        return out

    def assess_register(self, t: ProgrammeCountTarget, by_year: Mapping[int, int],
                        last_complete_year: int) -> pg.Assessment:
        return pg.assess_pace(self.running(t, by_year, last_complete_year), t.value_canonical, t.first_year - 1,
                              t.target_year, last_complete_year, per_year=False, fmt=display_formatter(t.unit))

    def judge(self, t: ProgrammeCountTarget, x: Inputs) -> Verdict:
        a = self.assess_register(t, x.snap.designations(x.plan_id, t.designation_type), x.as_of.last_complete_year)
        return Verdict(a, _no_year(x.as_of), "register", None, None)


class AverageIncreaseJudge(Judge[AverageIncreaseTarget]):
    """A rise per year on average (年均新增2万人): the stock's rise since the base year over the years."""

    pace = True

    def judge(self, t: AverageIncreaseTarget, x: Inputs) -> Verdict:
        y0 = x.yearly.get(t.base_year)
        rises = {y: v - y0 for y, v in x.yearly.items() if y > t.base_year} if y0 is not None else {}
        a = pg.assess_pace(rises, t.value_canonical, t.base_year, t.target_year, x.as_of.last_complete_year,
                           per_year=True, fmt=display_formatter(t.unit))
        return self._verdict(x, a)

    def path(self, t, values, shown) -> dict[int, float]:
        return {}

    def projection(self, t, row, values, shown) -> dict[int, float]:
        return {}


LEVEL, GROWTH, RATIO, COUNT, QUOTA, CUMULATIVE, PROGRAMME, INCREASE = (
    LevelJudge(), GrowthJudge(), RatioJudge(), ThresholdCountJudge(), QuotaJudge(), CumulativeJudge(),
    ProgrammeCountJudge(), AverageIncreaseJudge())


def judge_for(t: Target) -> Judge:
    """The one judge of a target's kind (exhaustive: a kind without a judge reaches assert_never)."""
    match t:
        case LevelTarget():
            return LEVEL
        case GrowthTarget():
            return GROWTH
        case ShareTarget() | DensityTarget():
            return RATIO
        case ThresholdCountTarget():
            return COUNT
        case YearlyQuotaTarget():
            return QUOTA
        case CumulativeTarget():
            return CUMULATIVE
        case ProgrammeCountTarget():
            return PROGRAMME
        case AverageIncreaseTarget():
            return INCREASE
        case _:
            assert_never(t)
