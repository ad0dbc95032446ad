"""Judging a target: completion, required vs actual growth, progress ratio, status, projection.

Implements DOMAIN.md §4, the Eurostat SDG progress-ratio method: R = actual ÷ required compound
growth, classed by the standard thresholds (0.95, 0.60, 0). Growth-based assessment serves levels,
shares, densities and threshold counts; counts that accumulate from zero (cumulative milestones,
average increases, programme counts) are judged on a linear pace instead, since a compound rate
from zero is undefined. Every assessment carries a reason in words, because "cannot assess"
without a why is useless to the statistician who must fix the data.

All values here are in canonical units; conversion for display happens in the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from domain.messages import Message
from domain.models import Comparator
from metrics.growth import cagr, project, required_path

ON_TRACK_RATIO = 0.95
ACCELERATION_RATIO = 0.60
ABOUT_TOLERANCE = 0.95  # 左右: reaching 95 % of the value counts as reaching it


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


def meets(value: float, target: float, comparator: Comparator) -> bool:
    match comparator:
        case Comparator.GE:
            return value >= target
        case Comparator.GT:
            return value > target
        case Comparator.LE:
            return value <= target
        case Comparator.LT:
            return value < target
        case Comparator.ABOUT:
            return value >= ABOUT_TOLERANCE * target


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
) -> Assessment:
    """A level to reach by a year, judged on compound growth from the base year.

    `series` maps year → annual value (canonical); `last_complete_year` is the latest year whose
    annual figure may be used at the as-of date (the as-of year itself only at Q4).
    """
    y0 = series.get(base_year)
    common = dict(base_value=y0, base_year=base_year)
    if last_complete_year >= target_year:
        yT = series.get(target_year)
        if yT is None:
            return _cannot(Message.of("progress.no_target_year", year=target_year), target, final=True, **common)
        done = meets(yT, target, comparator)
        rate = cagr(y0, yT, target_year - base_year) if y0 is not None else None
        gap = shortfall(yT, target, comparator)
        return Assessment(
            Status.ACHIEVED if done else Status.MISSED,
            Message.of("progress.level.reached" if done else "progress.level.fell_short", year=target_year,
                       value=fmt(yT), target=fmt(target)),
            target, actual=yT, actual_year=target_year, completion=completion(yT, target, comparator),
            actual_rate=rate, gap=gap, projected_value=yT, projected_gap=gap, final=True, **common,
        )
    ti = latest_year(series, last_complete_year)
    if ti is None:
        return _cannot(Message.of("progress.no_annual_value", year=last_complete_year), target, **common)
    yi = series[ti]
    base = Assessment(
        Status.CANNOT_ASSESS, Message.of("progress.not_judged"), target, actual=yi, actual_year=ti,
        completion=completion(yi, target, comparator), gap=shortfall(yi, target, comparator), **common,
    )
    if meets(yi, target, comparator):
        return replace(base, status=Status.ACHIEVED, projected_value=yi, projected_gap=base.gap,
                       reason=Message.of("progress.level.already_met", year=ti, value=fmt(yi), target=fmt(target)))
    if y0 is None:
        return replace(base, reason=Message.of("progress.level.no_base", base_year=base_year))
    if ti <= base_year:
        return replace(base, reason=Message.of("progress.only_base", base_year=base_year))
    if y0 <= 0:
        return replace(base, reason=Message.of("progress.base_not_positive", value=fmt(y0)))
    g_req = cagr(y0, target, target_year - base_year)
    g_act = cagr(y0, yi, ti - base_year)
    if g_act is None or g_req is None:
        return replace(base, reason=Message.of("progress.sign_change"))
    projected = project(yi, g_act, target_year - ti)
    base = replace(base, actual_rate=g_act, required_rate=g_req, projected_value=projected,
                   projected_gap=shortfall(projected, target, comparator))
    if g_req == 0 or (g_req < 0) != comparator.falling_is_good:
        # The base already met the target and the latest value no longer does.
        return replace(base, status=Status.MOVING_AWAY,
                       reason=Message.of("progress.level.moving_away", base=fmt(y0), year=ti, value=fmt(yi)))
    ratio = g_act / g_req
    return replace(base, ratio=ratio, status=classify_ratio(ratio),
                   reason=Message.of("progress.level.growth", actual=g_act, required=g_req, ratio=ratio))


def assess_growth(
    series: Mapping[int, float], rate: float, base_year: int, target_year: int, last_complete_year: int
) -> Assessment:
    """A compound growth rate to sustain from the base year to the target year (年均增长30%)."""
    y0 = series.get(base_year)
    common = dict(base_value=y0, base_year=base_year, required_rate=rate)
    final = last_complete_year >= target_year
    ti = target_year if final else latest_year(series, last_complete_year)
    if y0 is None:
        return _cannot(Message.of("progress.growth.no_base", base_year=base_year), rate, final=final, **common)
    if ti is None or ti not in series or ti <= base_year:
        return _cannot(Message.of("progress.growth.no_later_year"), rate, final=final, **common)
    g = cagr(y0, series[ti], ti - base_year)
    if g is None:
        return _cannot(Message.of("progress.base_not_positive", value=plain(y0)), rate, final=final, **common)
    ratio = g / rate if rate else None
    body = dict(actual=g, actual_year=ti, actual_rate=g, ratio=ratio, completion=ratio,
                gap=rate - g, projected_value=g, projected_gap=rate - g, **common)
    words = dict(actual=g, base_year=base_year, year=ti, rate=rate)
    if final:
        return Assessment(Status.ACHIEVED if g >= rate else Status.MISSED, Message.of("progress.growth.final", **words),
                          rate, final=True, **body)
    if ratio is None:
        return _cannot(Message.of("progress.growth.zero_rate"), rate, **body)
    return Assessment(classify_ratio(ratio), Message.of("progress.growth.pace", ratio=ratio, **words), rate, **body)


def assess_pace(
    progress: Mapping[int, float],
    target: float,
    start_year: int,
    target_year: int,
    last_complete_year: int,
    per_year: bool,
    fmt: Fmt = plain,
) -> Assessment:
    """A count that accumulates from a start year, judged on its average pace (linear path).

    `progress` maps year → amount achieved so far (a running total, or a stock's rise since the
    base). With `per_year`, the target is a pace (年均新增2万人) rather than a total by the date.
    `start_year` is the year before counting begins, so the pace is over `year − start_year` years.
    """
    span = target_year - start_year
    required = target if per_year else target / span
    common = dict(base_year=start_year, required_rate=required)
    final = last_complete_year >= target_year
    ti = target_year if final else latest_year(progress, last_complete_year)
    if ti is None or ti not in progress or ti <= start_year:
        if final:
            return _cannot(Message.of("progress.pace.no_target_year", year=target_year), target, final=True, **common)
        return _cannot(Message.of("progress.pace.no_value", start=start_year, year=last_complete_year), target,
                       **common)
    done = progress[ti]
    pace = done / (ti - start_year)
    actual = pace if per_year else done
    projected = pace if per_year else done + pace * (target_year - ti)
    ratio = pace / required if required else None
    body = dict(actual=actual, actual_year=ti, actual_rate=pace, ratio=ratio,
                completion=actual / target if target else None, gap=target - actual,
                projected_value=projected, projected_gap=target - projected, **common)
    words = dict(pace=fmt(pace), required=fmt(required))
    if final:
        ok = actual >= target
        if per_year:
            reason = Message.of("progress.pace.final_rate", start=start_year, year=target_year, **words)
        else:
            reason = Message.of("progress.pace.final_total", total=fmt(actual), year=target_year, **words)
        return Assessment(Status.ACHIEVED if ok else Status.MISSED, reason, target, final=True, **body)
    if not per_year and done >= target:
        return Assessment(Status.ACHIEVED, Message.of("progress.pace.reached", total=fmt(done), year=ti,
                                                      target=fmt(target)), target, **body)
    if ratio is None:
        return _cannot(Message.of("progress.pace.zero_target"), target, **body)
    return Assessment(classify_ratio(ratio), Message.of("progress.pace.ratio", ratio=ratio, **words), target, **body)


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
) -> Assessment:
    """A quota each year from first_year to target_year (每年培训5万人次).

    Before the end it is judged on the current year's year-to-date against 序时进度; at the end
    on whether every year met its quota.
    """
    years = range(first_year, min(target_year, last_complete_year) + 1)
    met = [y for y in years if annual_values.get(y, float("-inf")) >= quota]
    missed = [y for y in years if y not in met]
    missed_txt = ", ".join(map(str, missed))
    common = dict(base_year=first_year - 1)
    if last_complete_year >= target_year:
        n = target_year - first_year + 1
        last = annual_values.get(target_year)
        return Assessment(
            Status.MISSED if missed else Status.ACHIEVED,
            Message.of("progress.quota.final_missed", met=len(met), n=n, years=missed_txt) if missed
            else Message.of("progress.quota.final_met", met=len(met), n=n),
            quota, actual=last, actual_year=target_year, completion=None if last is None else last / quota,
            gap=None if last is None else quota - last, final=True, **common,
        )
    if current.year < first_year:
        return _cannot(Message.of("progress.quota.not_started", year=first_year), quota, **common)
    if current.ytd is None:
        return _cannot(Message.of("progress.quota.no_figure", year=current.year), quota, **common)
    done = current.ytd / quota
    earlier = Message.of("progress.quota.missed_before", years=missed_txt) if missed else ""
    body = dict(actual=current.ytd, actual_year=current.year, completion=done, gap=quota - current.ytd,
                ratio=done / current.time_elapsed, **common)
    if current.ytd >= quota:
        return Assessment(Status.ACHIEVED, Message.of("progress.quota.reached", year=current.year, earlier=earlier),
                          quota, **body)
    return Assessment(
        classify_ratio(body["ratio"]),
        Message.of("progress.quota.pace", done=done, year=current.year, elapsed=current.time_elapsed, earlier=earlier),
        quota, **body,
    )
