"""One judge per target kind: what it reads, how it is assessed, what its chart shows.

Each kind of target (DOMAIN.md §3) is judged by exactly one class here, and `judge_for` maps a
target to its judge with an exhaustive match: a new kind without a judge reaches `assert_never` and
fails the first test that judges a plan using it (tests/test_judges.py requires every kind in the
catalog). Keeping the assessment and the chart of a kind in one class is what keeps the progress table,
the target chart and the briefing from disagreeing: all three come from the same judge on the same
snapshot.

Judges are pure: they receive a `Snapshot` and return values in canonical units; `metrics.tracker`
turns them into rows in the unit the plan wrote the target in. How each kind is judged, and why, is
written down for readers in docs/judging.md; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import ClassVar, Generic, TypeVar, assert_never

from domain.catalog import Catalog
from domain.messages import Message, listed
from domain.models import (
    AverageIncreaseTarget,
    Comparator,
    CumulativeTarget,
    DensityTarget,
    GrowthTarget,
    Indicator,
    IndicatorKind,
    LevelTarget,
    Organisation,
    Plan,
    ProgrammeCountTarget,
    ShareTarget,
    Target,
    ThresholdCountTarget,
    Timing,
    YearlyQuotaTarget,
)
from domain.periods import Period
from domain.snapshot import CountKey, Needs, PairKey, SeriesKey, Snapshot
from domain.units import DISPLAY, Dimension, ratio_canonical, unit
from metrics import progress as pg
from metrics import seasonal
from metrics.growth import cagr, project, required_path
from metrics.periods import annual
from metrics.series import OFFICIAL_KINDS, Picked, labelled, pick, ratio, running_total

T = TypeVar("T", bound=Target)

# The total whose parts (software revenue's four) are drawn under a target on it or on the revenue
# that contains it.
COMPONENT_TOTAL = "software_revenue"
SHOWS_COMPONENTS = ("software_revenue", "main_revenue")


def display_formatter(symbol: str) -> pg.Fmt:
    """A canonical value inside a reason, in the unit the target was written in."""
    u = unit(symbol)
    return lambda v: Message.of("figure.sig4", value=u.from_canonical(v), unit=symbol)


def is_count(t: Target) -> bool:
    """Whether the target counts whole things (firms, people, bases): 左右 then allows at least one less."""
    return unit(t.unit).dimension in (Dimension.COUNT, Dimension.PEOPLE, Dimension.PERSON_TIMES)


def starts_at_zero(t: Target, values: Mapping[int, float]) -> bool:
    """A level judged on a linear pace: a list the plan creates, or a count that is zero in the base
    year (no compound rate grows from zero)."""
    return bool(getattr(t, "from_zero", False)) or values.get(t.base_year) == 0


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
    series: str | None  # which series was judged: official | reported | bottom_up | register
    ytd: float | None
    ytd_yoy: float | None
    method: str  # how it was judged: compound | linear | rate | rate_each_year | quota | quota_per_unit | register
    paced: bool = False  # 序时进度 means something here: a flow accruing through the year, read year to date
    basis: str | None = None  # a ratio's coverage, the same on both sides: official | reported | bottom_up
    matched: int | None = None  # for a bottom-up ratio, how many reporters gave both figures (latest year)
    notes: tuple[Message, ...] = ()  # said after the reason: how a count is formed, which districts missed
    seasonal: seasonal.Seasonal | None = None  # the usual share of the year by this quarter, where paced


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

    def _verdict(self, x: Inputs, a: pg.Assessment, method: str, current: pg.InYear | None = None,
                 notes: tuple[Message, ...] = ()) -> Verdict:
        """The usual verdict: on the target's own series, with this year's year-to-date figure."""
        as_of = x.as_of
        paced = current is not None and current.yearly_target is not None and spread_flow(x.indicator)
        return Verdict(a, current or _no_year(as_of), labelled(x.picked, x.catalog, x.target.scope).which,
                       x.picked.values.get(as_of), x.picked.growth(as_of)[0], method, paced=paced,
                       notes=notes, seasonal=seasonal.usual_share(x.picked.values, as_of) if paced else None)

    @staticmethod
    def _level(t: Target, values: Mapping[int, float], x: Inputs) -> tuple[pg.Assessment, str]:
        """A level by the plan's last whole year: on compound growth from the base year, or on a
        linear pace where it starts at zero (DOMAIN.md §4)."""
        fmt, count, last = display_formatter(t.unit), is_count(t), x.as_of.last_complete_year
        if starts_at_zero(t, values):
            rises = {y: v for y, v in values.items() if y > t.base_year}
            a = pg.assess_pace(rises, t.value_canonical, t.base_year, t.last_whole_year, last, per_year=False, fmt=fmt,
                               comparator=t.comparator, count=count)
            return replace(a, base_value=0.0), "linear"
        return pg.assess_level(values, t.value_canonical, t.comparator, t.base_year, t.last_whole_year, last, fmt,
                               count), "compound"

    # ---- the chart

    def chart_values(self, t: T, x: Inputs) -> dict[int, float]:
        """The annual series the chart draws, canonical."""
        return x.yearly

    def shown_unit(self, t: T, x: Inputs) -> str:
        return t.unit

    def path(self, t: T, values: Mapping[int, float], shown: str) -> dict[int, float]:
        """The required path from the base year to the target, in the shown unit: compound, or a
        straight line for a level that starts at zero."""
        last = t.last_whole_year
        if starts_at_zero(t, values):
            return {y: t.value * (y - t.base_year) / (last - t.base_year) for y in range(t.base_year, last + 1)}
        base = values.get(t.base_year)
        if not base or base <= 0:
            return {}
        g = cagr(base, t.value_canonical, last - t.base_year)
        convert = unit(shown).from_canonical
        return {y: convert(required_path(base, g, t.base_year, y)) for y in range(t.base_year, last + 1)}

    def projection(self, t: T, row: pg.Assessment, values: Mapping[int, float], shown: str) -> dict[int, float]:
        """Where the present pace leads by the plan's last whole year, in the shown unit."""
        if row.actual_rate is None or row.actual_year is None or row.final or self.pace:
            return {}
        last = row.actual_year
        if last not in values:
            return {}
        convert = unit(shown).from_canonical
        if starts_at_zero(t, values):  # a linear pace, canonical units a year
            return {y: convert(values[last] + row.actual_rate * (y - last)) for y in range(last, t.last_whole_year + 1)}
        return {y: convert(project(values[last], row.actual_rate, y - last)) for y in range(last, t.last_whole_year + 1)}

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


def spread_flow(indicator: Indicator) -> bool:
    """A flow that accrues through the year, so a year-to-date figure has a 序时进度 to be read against
    (not a once-a-year event like a graduation or a designation, nor a stock)."""
    return indicator.kind == IndicatorKind.FLOW and indicator.timing == Timing.SPREAD


def component_indicators(catalog: Catalog) -> list[Indicator]:
    """The parts that add up to `COMPONENT_TOTAL`, in catalog order."""
    return [i for i in catalog.indicators.values() if i.parent == COMPONENT_TOTAL and i.components_sum_to_parent]


class LevelJudge(Judge[LevelTarget]):
    """A level by a year (3000 亿元 by 2015): compound growth from the base year, or a linear pace from
    zero for a list the plan creates; a flow accruing through the year is also read within the year
    against the year's target (given by the plan, else the required path)."""

    ytd_bars = True

    def judge(self, t: LevelTarget, x: Inputs) -> Verdict:
        as_of = x.as_of
        a, method = self._level(t, x.yearly, x)
        now = x.picked.values.get(as_of)  # the target's own indicator at the quarter
        first_year = as_of.last_complete_year <= t.base_year  # no whole year since the base yet
        if method == "linear" and first_year and a.status is pg.Status.CANNOT_ASSESS and now is not None:
            # The first year's count is on the page (its quarter's figure) while the pace waits for
            # the year's end: say so, so that 6 of 10 in March does not read as "no data" beside the
            # same 6 judged on track in December.
            fmt = display_formatter(t.unit)
            a = replace(a, reason=pg.said(a.reason, Message.of("progress.pace.so_far", year=as_of.year, value=fmt(now),
                                                               target=fmt(t.value_canonical))))
        if not spread_flow(x.indicator) or starts_at_zero(t, x.yearly):
            return self._verdict(x, a, method)
        given = {y: unit(t.unit).to_canonical(v) for y, v in t.yearly_targets.items()}
        goal = pg.yearly_target(x.yearly, t.value_canonical, t.base_year, t.last_whole_year, as_of.year, given)
        return self._verdict(x, a, method, pg.in_year(x.picked.values.get(as_of), goal, as_of.year, as_of.quarter))


class GrowthJudge(Judge[GrowthTarget]):
    """A compound rate to sustain (年均增长30%) to the plan's last whole year; with `each_year`
    (保持X%以上, 年均增长X%以上) every year's 同比 must reach it too. A plan ending within a year adds
    that year's year-to-date 同比 at its end quarter. The chart shows the level against the path the
    rate draws."""

    rate = True
    ytd_bars = True
    parks_shown = False

    def judge(self, t: GrowthTarget, x: Inputs) -> Verdict:
        as_of = x.as_of
        at = min(as_of, t.end)
        breaks = {b.year for b in x.catalog.breaks_for(t.indicator, t.scope)}
        reading = None
        if at.quarter != 4 and t.base_year < at.year <= t.target_year:
            yoy, source = x.picked.growth(at)
            if yoy is not None and (source == "published" or at.year not in breaks):  # comparable only if published
                reading = pg.Reading(at, yoy)
        a = pg.assess_growth(x.yearly, t.value_canonical, t.base_year, t.last_whole_year, as_of.last_complete_year,
                             final=as_of >= t.end, each_year=t.each_year, reading=reading, comparator=t.comparator,
                             end=t.end if t.target_quarter != 4 else None, published=annual(x.picked.yoy),
                             breaks=breaks)
        return self._verdict(x, a, "rate_each_year" if t.each_year else "rate")

    def shown_unit(self, t: GrowthTarget, x: Inputs) -> str:
        return DISPLAY[x.indicator.dimension]

    def path(self, t: GrowthTarget, values: Mapping[int, float], shown: str) -> dict[int, float]:
        base = values.get(t.base_year)
        if not base or base <= 0:
            return {}
        convert = unit(shown).from_canonical
        return {y: convert(required_path(base, t.value_canonical, t.base_year, y))
                for y in range(t.base_year, t.last_whole_year + 1)}

    def projection(self, t, row, values, shown) -> dict[int, float]:
        return {}  # the rate itself is the projection

    def chart_target(self, t: GrowthTarget, path: Mapping[int, float]) -> float:
        return path.get(t.last_whole_year) or 0.0


@dataclass(frozen=True)
class Ratio:
    """A ratio year by year on one coverage (never official over bottom-up)."""

    values: dict[int, float]
    basis: str | None  # official | reported | bottom_up | None (no like-for-like figures)
    matched: int | None = None  # reporters that gave both figures, latest year (bottom_up only)


class RatioJudge(Judge[ShareTarget | DensityTarget]):
    """A share (5 % of the national total) or a density (revenue per 万m²): the ratio of two series
    year by year, judged as a level — like for like: official ÷ official where both sides have the
    organisation's own figures, else over the same reporters (the firms that gave both figures), and
    never one over the other."""

    parks_shown = False

    def reads(self, t: ShareTarget | DensityTarget, plan: Plan, catalog: Catalog) -> Needs:
        denominator = SeriesKey(t.denominator.scope, t.denominator.indicator)
        pairs = (frozenset({PairKey(t.scope, t.indicator, t.denominator.indicator)})
                 if t.denominator.scope == t.scope else frozenset())
        return super().reads(t, plan, catalog) | Needs(series=frozenset({denominator}), pairs=pairs)

    def like_for_like(self, t: ShareTarget | DensityTarget, x: Inputs) -> Ratio:
        num, den = x.snap.figures(t.scope, t.indicator), x.snap.figures(t.denominator.scope, t.denominator.indicator)
        num_unit, den_unit = x.indicator.unit, x.catalog.indicators[t.denominator.indicator].unit
        dimension = unit(t.unit).dimension
        if num.official and den.official:
            org = x.catalog.organisations.get(t.scope)
            basis = "official" if org is not None and org.kind in OFFICIAL_KINDS else "reported"
            return Ratio(ratio(annual(num.official), num_unit, annual(den.official), den_unit, dimension), basis)
        pairs = {p: v for p, v in x.snap.pair(t.scope, t.indicator, t.denominator.indicator).items() if p.quarter == 4}
        if pairs:
            values = {p.year: ratio_canonical(n, num_unit, d, den_unit, dimension) for p, (n, d, _) in pairs.items() if d}
            return Ratio(values, "bottom_up", pairs[max(pairs)][2])
        return Ratio({}, None)

    def chart_values(self, t: ShareTarget | DensityTarget, x: Inputs) -> dict[int, float]:
        return self.like_for_like(t, x).values

    def judge(self, t: ShareTarget | DensityTarget, x: Inputs) -> Verdict:
        r = self.like_for_like(t, x)
        if r.basis is None:
            a = pg.Assessment(pg.Status.CANNOT_ASSESS, Message.of("progress.ratio.no_like_for_like"), t.value_canonical,
                              base_year=t.base_year, final=x.as_of.last_complete_year >= t.last_whole_year)
            return Verdict(a, _no_year(x.as_of), None, None, None, "compound")
        a, method = self._level(t, r.values, x)
        basis = Message.of(f"progress.ratio.basis_{r.basis}", n=r.matched or 0)
        return Verdict(a, _no_year(x.as_of), r.basis, None, None, method, basis=r.basis, matched=r.matched,
                       notes=(basis,))


class ThresholdCountJudge(Judge[ThresholdCountTarget]):
    """Firms above a threshold (40 firms 过1亿元): the statistics office's count where one is recorded,
    else the count of the firms' own reports; 过/超过 counts strictly above, 以上 at or above; a tier
    written 其中 says which wider count it is part of. A tier with no firm in the base year is judged on
    a linear pace."""

    parks_shown = False

    def reads(self, t: ThresholdCountTarget, plan: Plan, catalog: Catalog) -> Needs:
        count = CountKey(t.scope, t.indicator, float(t.threshold.canonical), t.threshold_comparator == Comparator.GT)
        official = frozenset({SeriesKey(t.scope, t.official_indicator)}) if t.official_indicator else frozenset()
        return super().reads(t, plan, catalog) | Needs(series=official, counts=frozenset({count}))

    def official(self, t: ThresholdCountTarget, x: Inputs) -> dict[int, float]:
        return annual(x.snap.figures(t.scope, t.official_indicator).official) if t.official_indicator else {}

    def chart_values(self, t: ThresholdCountTarget, x: Inputs) -> dict[int, float]:
        """The bureau's counts where it records them, whole, as for totals (never one source in some
        years and the other in the rest); else the count of the firms' own reports."""
        if official := self.official(t, x):
            return official
        counted = x.snap.count(t.scope, t.indicator, t.threshold.canonical, t.threshold_comparator == Comparator.GT)
        return {y: float(n) for y, n in counted.items()}

    def judge(self, t: ThresholdCountTarget, x: Inputs) -> Verdict:
        a, method = self._level(t, self.chart_values(t, x), x)
        series = "official" if self.official(t, x) else "bottom_up"
        threshold = Message.of("figure.sig4", value=t.threshold.value, unit=t.threshold.unit)
        rule = Message.of("progress.count.above" if t.threshold_comparator == Comparator.GT else "progress.count.at_least",
                          threshold=threshold, source=Message.of(f"progress.count.source_{series}"))
        notes: tuple[Message, ...] = (rule,)
        if t.within:
            wider = x.catalog.target(x.plan_id, t.within)
            notes += (Message.of("progress.count.within", name_zh=wider.name_zh, name_en=wider.name_en,
                                 value=Message.of("figure.sig4", value=wider.value, unit=wider.unit)),)
        return Verdict(a, _no_year(x.as_of), series, None, None, method, notes=notes)


class QuotaJudge(Judge[YearlyQuotaTarget]):
    """A quota each year (每年培训5万人次): every whole year met or missed on its own; this year's figure
    so far against the quota, with 序时进度 only for a flow that accrues through the year. A quota per
    district (相关区市每年…) is judged district by district: a year is met when every district met it,
    and the row's figure is the lowest district's."""

    ytd_bars = True

    def units(self, t: YearlyQuotaTarget, catalog: Catalog) -> list[Organisation]:
        """The organisations that each carry the quota (none: the scope carries it alone)."""
        if t.per is None:
            return []
        return sorted((o for o in catalog.organisations.values() if o.kind == t.per and catalog.is_under(o.org_id, t.scope)),
                      key=lambda o: o.org_id)

    def reads(self, t: YearlyQuotaTarget, plan: Plan, catalog: Catalog) -> Needs:
        own = frozenset(SeriesKey(o.org_id, t.indicator) for o in self.units(t, catalog))
        return super().reads(t, plan, catalog) | Needs(series=own)

    def judge(self, t: YearlyQuotaTarget, x: Inputs) -> Verdict:
        as_of = x.as_of
        spread = spread_flow(x.indicator)
        units = self.units(t, x.catalog)
        fmt = display_formatter(t.unit)
        notes: tuple[Message, ...] = ()
        if t.per is None:
            yearly, ytd = x.yearly, x.picked.values.get(as_of)
        else:
            yearly, ytd, notes = self._lowest(t, x, units, fmt)
        current = pg.in_year(ytd, t.value_canonical, as_of.year, as_of.quarter)
        a = pg.assess_quota(yearly, t.value_canonical, t.first_year, t.last_whole_year, current,
                            as_of.last_complete_year, fmt, t.comparator, is_count(t), spread)
        method = "quota" if t.per is None else "quota_per_unit"
        if t.per is None:
            return self._verdict(x, a, method, current)
        return Verdict(a, current, "official", ytd, None, method, paced=spread and ytd is not None, notes=notes)

    def _lowest(self, t: YearlyQuotaTarget, x: Inputs, units: list[Organisation],
                fmt: pg.Fmt) -> tuple[dict[int, float], float | None, tuple[Message, ...]]:
        """Per year the lowest unit's figure (absent if a unit reported none), this year's lowest so
        far, and the units below the quota year by year."""
        if not units:
            return {}, None, (Message.of("progress.quota.no_units"),)
        figures = {o.org_id: x.snap.figures(o.org_id, t.indicator).official for o in units}
        per_year = {o.org_id: annual(figures[o.org_id]) for o in units}
        years = range(t.first_year, min(t.last_whole_year, x.as_of.last_complete_year) + 1)
        lowest = {}
        for y in years:
            reported = [per_year[o.org_id][y] for o in units if y in per_year[o.org_id]]
            # A district below the quota misses the year whatever a district without a figure did;
            # otherwise the year is known only once every district has reported.
            if reported and (len(reported) == len(units) or
                             not pg.meets(min(reported), t.value_canonical, t.comparator, is_count(t))):
                lowest[y] = min(reported)
        now = [figures[o.org_id].get(x.as_of) for o in units]
        ytd = None if any(v is None for v in now) else min(now)
        below, silent = [], []
        for y in years:
            for o in units:
                v = per_year[o.org_id].get(y)
                if v is None:
                    silent.append(Message.of("progress.quota.unit_year", name_zh=o.name_zh, name_en=o.name_en or o.name_zh,
                                             year=y, value=Message.of("progress.quota.no_value")))
                elif not pg.meets(v, t.value_canonical, t.comparator, is_count(t)):
                    below.append(Message.of("progress.quota.unit_year", name_zh=o.name_zh, name_en=o.name_en or o.name_zh,
                                            year=y, value=fmt(v)))
        notes = (Message.of("progress.quota.per_unit", n=len(units)),)
        if below:
            notes += (Message.of("progress.quota.units_below", units=listed(below)),)
        if silent:  # neither met nor missed: named apart from the districts below the quota
            notes += (Message.of("progress.quota.units_no_figure", units=listed(silent)),)
        return lowest, ytd, notes

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
        a = pg.assess_pace(totals, t.value_canonical, t.first_year - 1, t.last_whole_year, last, per_year=False,
                           fmt=display_formatter(t.unit), comparator=t.comparator, count=is_count(t))
        return self._verdict(x, a, "linear")


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
                              t.last_whole_year, last_complete_year, per_year=False, fmt=display_formatter(t.unit),
                              comparator=t.comparator, count=is_count(t))

    def judge(self, t: ProgrammeCountTarget, x: Inputs) -> Verdict:
        a = self.assess_register(t, x.snap.designations(x.plan_id, t.designation_type), x.as_of.last_complete_year)
        return Verdict(a, _no_year(x.as_of), "register", None, None, "register")


class AverageIncreaseJudge(Judge[AverageIncreaseTarget]):
    """A rise per year on average (年均新增2万人): the stock's rise since the base year over the years."""

    pace = True

    def judge(self, t: AverageIncreaseTarget, x: Inputs) -> Verdict:
        y0 = x.yearly.get(t.base_year)
        rises = {y: v - y0 for y, v in x.yearly.items() if y > t.base_year} if y0 is not None else {}
        a = pg.assess_pace(rises, t.value_canonical, t.base_year, t.last_whole_year, x.as_of.last_complete_year,
                           per_year=True, fmt=display_formatter(t.unit), comparator=t.comparator)
        return self._verdict(x, a, "linear")

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
