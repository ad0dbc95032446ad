"""Judging a target: completion, required vs actual growth, progress ratio, status, projection.

Implements DOMAIN.md §4, the Eurostat SDG progress-ratio method: R = actual ÷ required compound
growth, classed by the standard thresholds (0.95, 0.60, 0). Growth-based assessment serves levels,
shares, densities and threshold counts; counts that start from zero (cumulative milestones, average
increases, programme counts, lists a plan creates, a tier with no firm yet) are judged on a linear
pace instead, since a compound rate from zero is undefined. A rate target is judged on the compound
rate and, where the plan says 保持/以上, on every year's 同比, and shows its gap in percentage points.
Every assessment carries a reason in words, because "cannot assess" without a why is useless to the
statistician who must fix the data. docs/judging.md lists which kind is judged by which rule.

All values here are in canonical units; conversion for display happens in the caller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from domain.growth import change
from domain.messages import Message, listed
from domain.models import Comparator
from domain.periods import Period, period_message
from metrics.growth import cagr, project, required_path

ON_TRACK_RATIO = 0.95
ACCELERATION_RATIO = 0.60
# 左右 ("about"): the one tolerance of every kind of judgment. Reaching the value less 10 % counts as
# reaching it — and, for counts, less at least one (16个左右: 15 reaches it, 14 does not; 8个左右: 7 does).
# Exceeding the value is never held against a development target.
ABOUT_TOLERANCE = 0.10
ABOUT_TOLERANCE_COUNT = 1.0


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    ACCELERATION_NEEDED = "acceleration_needed"
    LIMITED = "limited"
    MOVING_AWAY = "moving_away"
    MISSED = "missed"  # final: the target year has passed without reaching it
    CANNOT_ASSESS = "cannot_assess"


# Worst first; the overview sorts by it and the property tests use it for "never worsens".
STATUS_ORDER: tuple[Status, ...] = (
    Status.CANNOT_ASSESS,
    Status.MISSED,
    Status.MOVING_AWAY,
    Status.LIMITED,
    Status.ACCELERATION_NEEDED,
    Status.ON_TRACK,
    Status.ACHIEVED,
)


def ratio_words(ratio: float, what: str) -> Message:
    """The progress ratio R said in words, not as "R = 0.84": the actual growth (or pace) as a share
    of what the target requires, or, below zero, that it runs the other way."""
    return Message.of(f"progress.ratio.{what}" if ratio >= 0 else "progress.ratio.opposite", ratio=ratio)


Fmt = Callable[[float], Message]  # a figure inside a reason, as a message of its own


def plain(x: float) -> Message:
    """A canonical figure to four significant digits, without a unit."""
    return Message.of("figure.sig4", value=x, unit="")


@dataclass(frozen=True)
class Assessment:
    """How one target stands. `actual` and `target` share a unit (canonical, or a rate).

    The reason is a message code with its numbers; the UI and the reports put it into words.
    """

    status: Status
    reason: Message
    target: float
    actual: float | None = None
    actual_year: int | None = None
    base_value: float | None = None
    base_year: int | None = None
    completion: float | None = None
    actual_rate: float | None = None  # actual compound growth (or linear pace per year)
    required_rate: float | None = None
    ratio: float | None = None
    projected_value: float | None = None
    gap: float | None = None  # shortfall now: positive means still short of the target
    projected_gap: float | None = None  # shortfall in the target year if the pace holds
    final: bool = False
    years_met: tuple[int, ...] = ()  # for a quota or a yearly rate: each year judged on its own
    years_missed: tuple[int, ...] = ()
    growth_source: str | None = None  # a rate's yearly 同比: published (comparable base) | levels | mixed


# Figures that agree to nine significant digits are equal: a rate of 1.2·x ÷ x − 1 is 0.19999999999999996,
# and a target of 20 % must not be missed by the last bit of a float.
EPSILON = 1e-9


def _close_above(value: float, target: float) -> bool:
    return value >= target - EPSILON * max(1.0, abs(target))


def goal(target: float, comparator: Comparator, count: bool = False) -> float:
    """The least value that reaches the target: the target itself, or for 左右 the target less the
    declared tolerance (ABOUT_TOLERANCE, at least ABOUT_TOLERANCE_COUNT for a count)."""
    if comparator is Comparator.ABOUT:
        return target - max(ABOUT_TOLERANCE * abs(target), ABOUT_TOLERANCE_COUNT if count else 0.0)
    return target


NOTE_CHAIN = "progress.and"  # "{head}; {tail}": a reason and what is said after it


def said(*parts: Message | None) -> Message:
    """Parts of a reason in one message, in order, each after the one before (missing parts left out)."""
    return listed((p for p in parts if p is not None), NOTE_CHAIN)


def target_words(target: float, comparator: Comparator, count: bool, fmt: Fmt) -> Message:
    """The target inside a reason: its figure, or for 左右 the figure and the least that reaches it."""
    if comparator is Comparator.ABOUT:
        return Message.of("progress.about_target", target=fmt(target), least=fmt(goal(target, comparator, count)))
    return fmt(target)


def meets(value: float, target: float, comparator: Comparator, count: bool = False) -> bool:
    match comparator:
        case Comparator.GE:
            return _close_above(value, target)
        case Comparator.GT:
            return value > target and not _close_above(target, value)
        case Comparator.LE:
            return _close_above(target, value)
        case Comparator.LT:
            return value < target and not _close_above(value, target)
        case Comparator.ABOUT:
            return _close_above(value, goal(target, comparator, count))


def shortfall(value: float, target: float, comparator: Comparator) -> float:
    """How far `value` is from the target in the good direction (positive = still short)."""
    return value - target if comparator.falling_is_good else target - value


def completion(value: float, target: float, comparator: Comparator) -> float | None:
    if comparator.falling_is_good:
        return target / value if value > 0 else None
    return value / target if target else None


def classify_ratio(ratio: float) -> Status:
    if ratio >= ON_TRACK_RATIO:
        return Status.ON_TRACK
    if ratio >= ACCELERATION_RATIO:
        return Status.ACCELERATION_NEEDED
    if ratio >= 0:
        return Status.LIMITED
    return Status.MOVING_AWAY


def latest_year(series: Mapping[int, float], up_to: int) -> int | None:
    years = [y for y in series if y <= up_to]
    return max(years) if years else None


def _cannot(reason: Message, target: float, **kw) -> Assessment:
    return Assessment(Status.CANNOT_ASSESS, reason, target, **kw)


def assess_level(
    series: Mapping[int, float],
    target: float,
    comparator: Comparator,
    base_year: int,
    target_year: int,
    last_complete_year: int,
    fmt: Fmt = plain,
    count: bool = False,
) -> Assessment:
    """A level to reach by a year, judged on compound growth from the base year.

    `series` maps year → annual value (canonical); `last_complete_year` is the latest year whose
    annual figure may be used at the as-of date (the as-of year itself only at Q4).
    """
    y0 = series.get(base_year)
    common = dict(base_value=y0, base_year=base_year)
    reach = goal(target, comparator, count)  # the least that reaches it: the target, or 左右 less the tolerance
    said = target_words(target, comparator, count, fmt)
    if last_complete_year >= target_year:
        yT = series.get(target_year)
        if yT is None:
            return _cannot(Message.of("progress.no_target_year", year=target_year), target, final=True, **common)
        done = meets(yT, target, comparator, count)
        rate = cagr(y0, yT, target_year - base_year) if y0 is not None else None
        gap = shortfall(yT, reach, comparator)
        return Assessment(
            Status.ACHIEVED if done else Status.MISSED,
            Message.of("progress.level.reached" if done else "progress.level.fell_short", year=target_year,
                       value=fmt(yT), target=said),
            target, actual=yT, actual_year=target_year, completion=completion(yT, target, comparator),
            actual_rate=rate, gap=gap, projected_value=yT, projected_gap=gap, final=True, **common,
        )
    ti = latest_year(series, last_complete_year)
    if ti is None:
        return _cannot(Message.of("progress.no_annual_value", year=last_complete_year), target, **common)
    yi = series[ti]
    base = Assessment(
        Status.CANNOT_ASSESS, Message.of("progress.not_judged"), target, actual=yi, actual_year=ti,
        completion=completion(yi, target, comparator), gap=shortfall(yi, reach, comparator), **common,
    )
    if meets(yi, target, comparator, count):
        return replace(base, status=Status.ACHIEVED, projected_value=yi, projected_gap=base.gap,
                       reason=Message.of("progress.level.already_met", year=ti, value=fmt(yi), target=said))
    if y0 is None:
        return replace(base, reason=Message.of("progress.level.no_base", base_year=base_year))
    if ti <= base_year:
        return replace(base, reason=Message.of("progress.only_base", base_year=base_year))
    if y0 <= 0:
        return replace(base, reason=Message.of("progress.base_not_positive", value=fmt(y0)))
    g_req = cagr(y0, reach, target_year - base_year)
    g_act = cagr(y0, yi, ti - base_year)
    if g_act is None or g_req is None:
        return replace(base, reason=Message.of("progress.sign_change"))
    projected = project(yi, g_act, target_year - ti)
    base = replace(base, actual_rate=g_act, required_rate=g_req, projected_value=projected,
                   projected_gap=shortfall(projected, reach, comparator))
    if g_req == 0 or (g_req < 0) != comparator.falling_is_good:
        # The base already met the target and the latest value no longer does.
        return replace(base, status=Status.MOVING_AWAY,
                       reason=Message.of("progress.level.moving_away", base=fmt(y0), year=ti, value=fmt(yi)))
    ratio = g_act / g_req
    return replace(base, ratio=ratio, status=classify_ratio(ratio),
                   reason=Message.of("progress.level.growth", actual=g_act, required=g_req, ratio=ratio,
                                     share=ratio_words(ratio, "growth")))


@dataclass(frozen=True)
class Reading:
    """A year-to-date 同比 read within a year: the as-of quarter before any whole year is known, or
    the quarter a plan ends in when it ends within a year (Shenzhen's 2012 Q1)."""

    period: Period
    yoy: float


def assess_growth(
    series: Mapping[int, float],
    rate: float,
    base_year: int,
    last_year: int,
    last_complete_year: int,
    final: bool,
    each_year: bool = False,
    reading: Reading | None = None,
    comparator: Comparator = Comparator.GE,
    end: Period | None = None,
    published: Mapping[int, float] | None = None,
    breaks: Collection[int] = (),
) -> Assessment:
    """A growth rate to sustain from the base year to the plan's last whole year (年均增长30%).

    Each year's 同比 is the rate the bureau published where there is one (on a comparable base of
    firms), else the ratio of the two levels; the compound rate chains the yearly rates, so it agrees
    with the official bulletin. A year in `breaks` (a definition, scope or boundary change) has no
    comparable 同比 unless one was published: growth across it says it cannot be measured.

    Judged on the compound rate; with `each_year` (保持X%以上, 年均增长X%以上) also on every year's
    同比, so 100 → 140 → 145.2 does not keep 20 % a year although its compound rate is 20.5 %: a year
    below the rate is named, and misses the target for good. A year without a figure is named too: it
    cannot be shown to have kept the rate, unless the years around it average below it, when one of
    them must have missed. `reading` is a year-to-date 同比: the plan's end quarter `end` when it ends
    within a year (counted as that year's figure), or before any whole year is known, the as-of quarter
    (a provisional reading). The gap is in percentage points, never a ratio of two rates.
    """
    y0 = series.get(base_year)
    common = dict(base_value=y0, base_year=base_year, required_rate=rate)
    upto = min(last_year, last_complete_year)
    known = _year_by_year(series, base_year, upto, published or {}, breaks)
    if final and end is not None:
        if reading is not None:
            known.rates[end.year] = reading.yoy  # the plan's last, part-year reading
        else:
            known.unknown.append(end.year)
    ok = lambda g: meets(g, rate, comparator)
    # A stretch without a figure that averages the rate may hide a year below it: not known either way.
    known.unknown = sorted(set(known.unknown) | {y for f, t, g in known.spans if ok(g) for y in range(f, t + 1)})
    known.spans = [s for s in known.spans if not ok(s[2])]
    below = tuple(sorted({y for y, g in known.rates.items() if not ok(g)} |
                         {y for first, last, _ in known.spans for y in range(first, last + 1)}))
    met = tuple(y for y, g in sorted(known.rates.items()) if ok(g))
    if not each_year:  # a compound rate alone: no year is judged on its own
        below, met = (), ()
    common |= dict(years_met=met, years_missed=below)
    if y0 is None:
        return _cannot(Message.of("progress.growth.no_base", base_year=base_year), rate, final=final, **common)
    ti = latest_year({y: v for y, v in series.items() if y > base_year}, upto)
    if final and ti != last_year:
        return _cannot(Message.of("progress.no_target_year", year=last_year), rate, final=True, **common)
    span = range(base_year + 1, ti + 1) if ti is not None else range(0)
    uncomparable = [y for y in span if y in breaks and y not in known.sources]
    if uncomparable:  # no published comparable rate across a break: the two levels are unlike
        return _cannot(Message.of("progress.growth.across_break", years=listed(uncomparable)), rate, final=final,
                       **common)
    if ti is not None and all(y in known.rates for y in span):
        g = math.prod(1 + known.rates[y] for y in span) ** (1 / len(span)) - 1  # the chained yearly rates
        sources = {known.sources[y] for y in span}
        common["growth_source"] = sources.pop() if len(sources) == 1 else "mixed"
    else:
        g = cagr(y0, series[ti], ti - base_year) if ti is not None else None
        common["growth_source"] = "levels" if g is not None else None
    if ti is not None and g is None:
        return _cannot(Message.of("progress.base_not_positive", value=plain(y0)), rate, final=final, **common)
    years = _each_year(known, ok, rate, end if final else None) if each_year else None
    if g is None:  # no whole year after the base yet: the year-to-date 同比 is all there is
        if reading is None:
            return _cannot(Message.of("progress.growth.no_later_year"), rate, **common)
        body = dict(actual=reading.yoy, actual_year=reading.period.year, actual_rate=reading.yoy,
                    gap=rate - reading.yoy, projected_value=reading.yoy, projected_gap=rate - reading.yoy, **common)
        words = Message.of("progress.growth.ytd", yoy=reading.yoy, period=period_message(reading.period),
                           rate=rate)
        return Assessment(_rate_status(reading.yoy, ok), words, rate, **body)
    body = dict(actual=g, actual_year=ti, actual_rate=g, gap=rate - g, projected_value=g, projected_gap=rate - g,
                **common)
    words = dict(actual=g, base_year=base_year, year=ti, rate=rate)
    compound = Message.of("progress.growth.final" if final else "progress.growth.so_far", **words)
    reason = compound if years is None else said(compound, years)
    if final:
        if ok(g) and not below and each_year and known.unknown:
            return _cannot(reason, rate, final=True, **body)  # kept the rate in the years we can see only
        return Assessment(Status.ACHIEVED if ok(g) and not below else Status.MISSED, reason, rate, final=True, **body)
    if below:  # a year below 保持X%以上 has broken the target already
        return Assessment(Status.MISSED, reason, rate, **body)
    if not ok(g):
        rest = last_year - ti
        needed = cagr(series[ti], y0 * (1 + rate) ** (last_year - base_year), rest) if rest > 0 else None
        if needed is not None:
            reason = said(reason, Message.of("progress.growth.needed", rate=needed, first=ti + 1, last=last_year))
    return Assessment(_rate_status(g, ok), reason, rate, **body)


@dataclass
class YearByYear:
    """Each year's 同比 where both years have a figure; a stretch with a year missing, as its average
    rate (first year, last year, rate a year); and the years whose 同比 is not known."""

    rates: dict[int, float]
    spans: list[tuple[int, int, float]]
    unknown: list[int]
    sources: dict[int, str] = field(default_factory=dict)  # year → published | levels


def _year_by_year(series: Mapping[int, float], base_year: int, upto: int, published: Mapping[int, float],
                  breaks: Collection[int]) -> YearByYear:
    out = YearByYear({}, [], [])
    for y, g in published.items():
        if base_year < y <= upto:
            out.rates[y], out.sources[y] = g, "published"
    known = [y for y in sorted(series) if base_year <= y <= upto]
    for a, b in zip(known, known[1:], strict=False):
        if b == a + 1:
            if b in out.rates:
                continue
            g = change(series[b], series[a])
            if g is not None and b not in breaks:  # across a break, two levels are not comparable
                out.rates[b], out.sources[b] = g, "levels"
            else:
                out.unknown.append(b)
        elif not any(a < y <= b for y in breaks) and (g := cagr(series[a], series[b], b - a)) is not None:
            if not all(y in out.rates for y in range(a + 1, b + 1)):
                out.spans.append((a + 1, b, g))
    last = known[-1] if known else base_year
    out.unknown += [y for y in range(base_year + 1, upto + 1)
                    if y not in out.rates and not any(f <= y <= t for f, t, _ in out.spans) and y not in out.unknown]
    out.unknown = sorted((set(out.unknown) | set(range(last + 1, upto + 1))) - set(out.rates))
    return out


def _rate_status(actual: float, reaches) -> Status:
    """A rate so far against the rate to sustain: reaching it is on track, growing more slowly needs
    acceleration, shrinking moves away (the gap in points says how far)."""
    if reaches(actual):
        return Status.ON_TRACK
    return Status.ACCELERATION_NEEDED if actual >= 0 else Status.MOVING_AWAY


def _each_year(known: YearByYear, reaches, rate: float, end: Period | None) -> Message:
    """Each year's 同比 against the rate: the years below it, a stretch without a figure that averages
    below it, and the years whose 同比 is not known."""
    def label(y: int) -> Message:
        return period_message(end) if end and y == end.year else Message.of("progress.year", year=y)

    below = [Message.of("progress.growth.year_value", year=label(y), yoy=g)
             for y, g in sorted(known.rates.items()) if not reaches(g)]
    below += [Message.of("progress.growth.span_value", first=label(f), last=label(t), yoy=g)
              for f, t, g in known.spans if not reaches(g)]
    parts = []
    if below:
        parts.append(Message.of("progress.growth.years_below", years=listed(below), rate=rate))
    elif known.rates:
        first, last = min(known.rates), max(known.rates)
        if first == last:
            parts.append(Message.of("progress.growth.the_year", year=label(first), rate=rate))
        elif known.unknown:  # not "every year": name the years that did
            parts.append(Message.of("progress.growth.years_met", years=listed(label(y) for y in sorted(known.rates)),
                                    rate=rate))
        else:
            parts.append(Message.of("progress.growth.every_year", first=label(first), last=label(last), rate=rate))
    if known.unknown:
        parts.append(Message.of("progress.growth.no_yoy_for", years=listed(label(y) for y in known.unknown)))
    return said(*parts) if parts else Message.of("progress.growth.no_yoy")


def assess_pace(
    progress: Mapping[int, float],
    target: float,
    start_year: int,
    target_year: int,
    last_complete_year: int,
    per_year: bool,
    fmt: Fmt = plain,
    comparator: Comparator = Comparator.GE,
    count: bool = False,
) -> Assessment:
    """A count that accumulates from a start year, judged on its average pace (linear path).

    `progress` maps year → amount achieved so far (a running total, a stock's rise since the base, or
    a level that starts at zero). With `per_year`, the target is a pace (年均新增2万人) rather than a
    total by the date. `start_year` is the year before counting begins, so the pace is over
    `year − start_year` years. The comparator's tolerance (左右) applies to the total and the pace alike.
    """
    span = target_year - start_year
    reach = goal(target, comparator, count and not per_year)
    required = reach if per_year else reach / span
    common = dict(base_year=start_year, required_rate=required)
    final = last_complete_year >= target_year
    ti = target_year if final else latest_year(progress, last_complete_year)
    if ti is None or ti not in progress or ti <= start_year:
        if final:
            return _cannot(Message.of("progress.pace.no_target_year", year=target_year), target, final=True, **common)
        if last_complete_year <= start_year:
            return _cannot(Message.of("progress.pace.no_whole_year", start=start_year), target, **common)
        return _cannot(Message.of("progress.pace.no_value", start=start_year, year=last_complete_year), target,
                       **common)
    done = progress[ti]
    pace = done / (ti - start_year)
    actual = pace if per_year else done
    projected = pace if per_year else done + pace * (target_year - ti)
    ratio = pace / required if required else None
    body = dict(actual=actual, actual_year=ti, actual_rate=pace, ratio=ratio,
                completion=actual / target if target else None, gap=reach - actual,
                projected_value=projected, projected_gap=reach - projected, **common)
    words = dict(pace=fmt(pace), required=fmt(required))
    said = target_words(target, comparator, count and not per_year, fmt)
    if final:
        ok = meets(actual, target, comparator, count and not per_year)
        if per_year:
            reason = Message.of("progress.pace.final_rate", start=start_year, year=target_year, **words)
        else:
            reason = Message.of("progress.pace.final_total", total=fmt(actual), year=target_year, target=said, **words)
        return Assessment(Status.ACHIEVED if ok else Status.MISSED, reason, target, final=True, **body)
    if not per_year and meets(done, target, comparator, count):
        return Assessment(Status.ACHIEVED, Message.of("progress.pace.reached", total=fmt(done), year=ti, target=said),
                          target, **body)
    if ratio is None:
        return _cannot(Message.of("progress.pace.zero_target"), target, **body)
    return Assessment(classify_ratio(ratio), Message.of("progress.pace.ratio", ratio=ratio, share=ratio_words(ratio, "pace"),
                                                        **words), target, **body)


@dataclass(frozen=True)
class InYear:
    """Progress within the as-of year against that year's target (年度分解目标)."""

    year: int
    ytd: float | None
    yearly_target: float | None
    time_elapsed: float  # 序时进度: 0.25, 0.5, 0.75, 1.0
    completion: float | None  # ytd ÷ yearly target

    @property
    def ahead_by(self) -> float | None:
        """Percentage points ahead (+) or behind (−) 序时进度."""
        return None if self.completion is None else self.completion - self.time_elapsed


def in_year(ytd: float | None, yearly_target: float | None, year: int, quarter: int) -> InYear:
    done = ytd / yearly_target if ytd is not None and yearly_target else None
    return InYear(year=year, ytd=ytd, yearly_target=yearly_target, time_elapsed=quarter / 4, completion=done)


def yearly_target(
    series: Mapping[int, float], target: float, base_year: int, target_year: int, year: int,
    given: Mapping[int, float] | None = None,
) -> float | None:
    """The year's target: given by the plan, else the point on the required compound path."""
    if given and year in given:
        return given[year]
    if year > target_year or year <= base_year:
        return None
    y0 = series.get(base_year)
    if y0 is None or y0 <= 0:
        return None
    g_req = cagr(y0, target, target_year - base_year)
    return None if g_req is None else required_path(y0, g_req, base_year, year)


def assess_quota(
    annual_values: Mapping[int, float],
    quota: float,
    first_year: int,
    target_year: int,
    current: InYear,
    last_complete_year: int,
    fmt: Fmt = plain,
    comparator: Comparator = Comparator.GE,
    count: bool = False,
    spread: bool = True,
) -> Assessment:
    """A quota each year from first_year to target_year (每年培训5万人次).

    Every whole year is met or missed on its own; a year without a figure is neither (a gap in the
    statistics is not a zero) and is named. Once a year has missed, the target has missed for good, and
    the row's figure is that year's, so status, completion and gap agree. Otherwise the current year
    stands on its year-to-date figure: against 序时进度 for a flow that accrues through the year
    (`spread`), and for a once-a-year event (graduations, intakes, designations) only once it has
    reached the quota — before that it is not behind, just not counted yet.
    """
    years = range(first_year, min(target_year, last_complete_year) + 1)
    met = tuple(y for y in years if y in annual_values and meets(annual_values[y], quota, comparator, count))
    missed = tuple(y for y in years if y in annual_values and y not in met)
    unknown = [y for y in years if y not in annual_values]
    final = last_complete_year >= target_year
    common = dict(base_year=first_year - 1, years_met=met, years_missed=missed)

    def year_value(y: int) -> Message:
        return Message.of("progress.quota.year_value", year=y, value=fmt(annual_values[y]))

    met_words = Message.of("progress.quota.met_in", met=len(met), n=len(years)) if years else None
    missed_words = Message.of("progress.quota.missed_in", years=listed(year_value(y) for y in missed)) if missed else None
    unknown_words = Message.of("progress.quota.no_figure_for", years=listed(unknown)) if unknown else None
    if missed:
        # The binding year: the first one that missed, so the row's figure explains its status.
        worst = missed[0]
        v = annual_values[worst]
        now = None  # the current year's standing, still worth knowing after the verdict
        if not final and current.ytd is not None and current.year > last_complete_year:
            now = Message.of("progress.quota.this_year", year=current.year, done=fmt(current.ytd),
                             share=current.ytd / quota)
        return Assessment(Status.MISSED, said(met_words, missed_words, unknown_words, now), quota, actual=v,
                          actual_year=worst, completion=v / quota, gap=quota - v, final=final, **common)
    if final:
        if unknown:
            return _cannot(said(met_words, unknown_words), quota, final=True, **common)
        last = annual_values[target_year]
        return Assessment(Status.ACHIEVED, said(met_words), quota, actual=last, actual_year=target_year,
                          completion=last / quota, gap=quota - last, final=True, **common)
    if current.year < first_year:
        return _cannot(Message.of("progress.quota.not_started", year=first_year), quota, **common)
    before = [y for y in met if y < current.year]  # the current year speaks for itself
    earlier = said(Message.of("progress.quota.earlier_met", years=listed(before)) if before else None,
                   unknown_words) if before or unknown else None
    tail = "" if earlier is None else Message.of("progress.quota.earlier", words=earlier)
    if current.ytd is None:
        if before:
            return Assessment(Status.ON_TRACK, Message.of("progress.quota.no_figure_yet", year=current.year,
                                                          earlier=tail), quota, **common)
        return _cannot(Message.of("progress.quota.no_figure", year=current.year, earlier=tail), quota, **common)
    done = current.ytd / quota
    body = dict(actual=current.ytd, actual_year=current.year, completion=done, gap=quota - current.ytd, **common)
    if meets(current.ytd, quota, comparator, count):
        return Assessment(Status.ON_TRACK, Message.of("progress.quota.reached", year=current.year, earlier=tail),
                          quota, **body)
    if not spread:
        words = Message.of("progress.quota.at_year_end", done=fmt(current.ytd), year=current.year, earlier=tail)
        if before:
            return Assessment(Status.ON_TRACK, words, quota, **body)
        return _cannot(words, quota, **body)
    ratio = done / current.time_elapsed
    return Assessment(
        classify_ratio(ratio),
        Message.of("progress.quota.pace", done=done, year=current.year, elapsed=current.time_elapsed, earlier=tail),
        quota, ratio=ratio, **body,
    )
