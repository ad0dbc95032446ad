"""How every target of a plan stands at a quarter: the progress table.

This module is the seam between the store and the pure assessments: it reads each target's series
(official and bottom-up, never past the as-of quarter), derives the series a kind needs (ratios,
running totals, threshold counts), calls `metrics.progress`, and converts results into the unit
the plan wrote the target in. One query fetches every series a plan needs, so the table costs a
handful of round trips however many targets a plan has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain.models import (
    AverageIncreaseTarget,
    CumulativeTarget,
    DensityTarget,
    GrowthTarget,
    IndicatorKind,
    LevelTarget,
    OrgKind,
    ProgrammeCountTarget,
    ShareTarget,
    Target,
    ThresholdCountTarget,
    YearlyQuotaTarget,
)
from domain.periods import Period
from domain.units import DISPLAY, Dimension, ratio_canonical, unit
from metrics import progress as pg
from metrics.growth import cagr, project, required_path
from metrics.periods import annual
from metrics.periods import yoy as year_on_year
from store import repo
from store.catalog import Catalog

Series = dict[Period, float]


class ProgressRow(BaseModel):
    """One target's standing; values in the unit the plan wrote the target in, rates as fractions."""

    model_config = ConfigDict(frozen=True)

    plan_id: str
    target_id: str
    name_zh: str
    name_en: str
    kind: str
    headline: bool
    scope_id: str
    scope_name: str
    indicator_id: str
    comparator: str
    unit: str
    target: float
    target_year: int
    actual: float | None
    actual_period: str | None
    completion: float | None
    as_of: str
    time_elapsed: float
    ytd: float | None
    ytd_yoy: float | None
    yearly_target: float | None
    in_year_completion: float | None
    ahead_of_schedule: float | None  # in-year completion minus 序时进度 (fraction points)
    base_year: int | None
    base_value: float | None
    actual_cagr: float | None
    required_cagr: float | None
    actual_pace: float | None  # per year, for counts judged on a linear pace
    required_pace: float | None
    ratio: float | None
    projected_value: float | None
    gap: float | None
    projected_gap: float | None
    status: pg.Status
    status_reason: str
    status_reason_zh: str
    final: bool
    series: str | None  # official | reported (a park's own figure) | bottom_up | derived
    coverage: float | None  # bottom-up ÷ official, latest period where both exist
    source_quote: str


@dataclass(frozen=True)
class Picked:
    """The series a target is judged on, and which of the two it was."""

    values: Series
    which: str | None
    coverage: float | None


def display_formatter(symbol: str) -> pg.Fmt:
    """Write a canonical value in the unit the target was written in, for status reasons."""
    u = unit(symbol)
    return lambda v: f"{u.from_canonical(v):,.4g}{'' if symbol == '个' else symbol}"


def _series_label(catalog: Catalog, org: str) -> str:
    """A figure recorded at a city or above is official statistics; at a park, the park's report."""
    kind = catalog.organisations[org].kind if org in catalog.organisations else None
    return "official" if kind in (OrgKind.COUNTRY, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT) else "reported"


class Figures:
    """A `repo.series` frame indexed once by (organisation, indicator): each key's official and
    bottom-up series, and the plan's counts of firms above thresholds. A plan looks up two keys
    per target; filtering the frame for each was most of a progress table's Python time."""

    def __init__(self, frame: pd.DataFrame):
        self.counts: dict[tuple[str, str, float, int], dict[int, int]] = {}
        self.by_key: dict[tuple[str, str], tuple[Series, Series]] = {}
        columns = [frame[c].tolist() for c in ("org_id", "indicator_id", "year", "quarter", "official", "bottom_up")]
        for org, indicator, year, quarter, official, bottom in zip(*columns, strict=True):
            own, summed = self.by_key.setdefault((org, indicator), ({}, {}))
            p = Period(int(year), int(quarter))
            if official is not None and not math.isnan(official):
                own[p] = float(official)
            if bottom is not None and not math.isnan(bottom):
                summed[p] = float(bottom)

    def split(self, org: str, indicator: str) -> tuple[Series, Series]:
        return self.by_key.get((org, indicator), ({}, {}))

    def count_firms(self, con: repo.Con, targets: list[ThresholdCountTarget], up_to_year: int) -> None:
        """Fetch the firm counts of several threshold targets at once, one query per scope and indicator."""
        groups: dict[tuple[str, str], list[float]] = {}
        for t in targets:
            groups.setdefault((t.scope, t.indicator), []).append(t.threshold.canonical)
        for (scope, indicator), thresholds in groups.items():
            for threshold, counts in repo.threshold_counts_many(con, scope, indicator, thresholds, up_to_year).items():
                self.counts[(scope, indicator, threshold, up_to_year)] = counts

    def threshold_counts(self, con: repo.Con, t: ThresholdCountTarget, up_to_year: int) -> dict[int, int]:
        key = (t.scope, t.indicator, float(t.threshold.canonical), up_to_year)
        if key not in self.counts:
            self.counts[key] = repo.threshold_counts(con, t.scope, t.indicator, t.threshold.canonical, up_to_year)
        return self.counts[key]


def pick_series(frame: pd.DataFrame | Figures, org: str, indicator: str) -> Picked:
    """The official series where the organisation has one, else the bottom-up sum (DOMAIN.md §2)."""
    official, bottom = (frame if isinstance(frame, Figures) else Figures(frame)).split(org, indicator)
    both = sorted(set(official) & set(bottom))
    coverage = bottom[both[-1]] / official[both[-1]] if both and official[both[-1]] else None
    if official:
        return Picked(official, "official", coverage)
    if bottom:
        return Picked(bottom, "bottom_up", coverage)
    return Picked({}, None, None)


def _ratio(num: Mapping[int, float], num_unit: str, den: Mapping[int, float], den_unit: str,
           dimension: Dimension) -> dict[int, float]:
    return {y: ratio_canonical(num[y], num_unit, den[y], den_unit, dimension) for y in num if den.get(y)}


def _running_total(flows: Mapping[int, float], first_year: int, up_to: int) -> dict[int, float]:
    """Σ of yearly flows from first_year; stops at the first unreported year (a gap is not a zero)."""
    out: dict[int, float] = {}
    total = 0.0
    for y in range(first_year, up_to + 1):
        if y not in flows:
            break
        total += flows[y]
        out[y] = total
    return out


def _series_keys(t: Target) -> list[repo.SeriesKey]:
    keys = [repo.SeriesKey(t.scope, t.indicator)]
    if isinstance(t, ShareTarget | DensityTarget):
        keys.append(repo.SeriesKey(t.denominator.scope, t.denominator.indicator))
    return keys


def assess_target(con: repo.Con, catalog: Catalog, t: Target, frame: pd.DataFrame | Figures,
                  as_of: Period) -> ProgressRow:
    last_complete = as_of.last_complete_year
    ind = catalog.indicators[t.indicator]
    is_flow = ind.kind == IndicatorKind.FLOW
    frame = frame if isinstance(frame, Figures) else Figures(frame)
    picked = pick_series(frame, t.scope, t.indicator)
    if picked.which == "official":
        picked = Picked(picked.values, _series_label(catalog, t.scope), picked.coverage)
    yearly = annual(picked.values)
    ytd = picked.values.get(as_of)
    yoy = year_on_year(picked.values, as_of)
    target = t.value_canonical
    fmt = display_formatter(t.unit)
    current = pg.in_year(None, None, as_of.year, as_of.quarter)
    which = picked.which

    match t:
        case LevelTarget():
            a = pg.assess_level(yearly, target, t.comparator, t.base_year, t.target_year, last_complete, fmt)
            given = {y: unit(t.unit).to_canonical(v) for y, v in t.yearly_targets.items()}
            goal = pg.yearly_target(yearly, target, t.base_year, t.target_year, as_of.year, given)
            current = pg.in_year(ytd if is_flow else None, goal, as_of.year, as_of.quarter)
        case GrowthTarget():
            a = pg.assess_growth(yearly, target, t.base_year, t.target_year, last_complete)
        case ShareTarget() | DensityTarget():
            den = pick_series(frame, t.denominator.scope, t.denominator.indicator)
            den_unit = catalog.indicators[t.denominator.indicator].unit
            ratios = _ratio(yearly, ind.unit, annual(den.values), den_unit, unit(t.unit).dimension)
            a = pg.assess_level(ratios, target, t.comparator, t.base_year, t.target_year, last_complete, fmt)
            which, ytd, yoy = "derived", None, None
        case ThresholdCountTarget():
            counts = frame.threshold_counts(con, t, last_complete)
            a = pg.assess_level({y: float(n) for y, n in counts.items()}, target, t.comparator,
                                t.base_year, t.target_year, last_complete, fmt)
            which, ytd, yoy = "bottom_up", None, None
        case YearlyQuotaTarget():
            current = pg.in_year(ytd, target, as_of.year, as_of.quarter)
            a = pg.assess_quota(yearly, target, t.first_year, t.target_year, current, last_complete)
        case CumulativeTarget() | ProgrammeCountTarget():
            totals = _running_total(yearly, t.first_year, last_complete)
            a = pg.assess_pace(totals, target, t.first_year - 1, t.target_year, last_complete, per_year=False, fmt=fmt)
        case AverageIncreaseTarget():
            y0 = yearly.get(t.base_year)
            rises = {y: v - y0 for y, v in yearly.items() if y > t.base_year} if y0 is not None else {}
            a = pg.assess_pace(rises, target, t.base_year, t.target_year, last_complete, per_year=True, fmt=fmt)
        case _:
            assert_never(t)
    return _row(t, catalog, a, current, as_of, ytd, yoy, which, picked.coverage)


def _row(t: Target, catalog: Catalog, a: pg.Assessment, current: pg.InYear, as_of: Period,
         ytd: float | None, yoy: float | None, which: str | None, coverage: float | None) -> ProgressRow:
    u = unit(t.unit)
    show = lambda v: None if v is None else u.from_canonical(v)
    is_rate = isinstance(t, GrowthTarget)
    is_pace = isinstance(t, CumulativeTarget | ProgrammeCountTarget | AverageIncreaseTarget)
    scope = catalog.organisations.get(t.scope)
    actual_period = None if a.actual_year is None else str(a.actual_year)
    if isinstance(t, YearlyQuotaTarget) and not a.final and a.actual is not None:
        actual_period = str(as_of)  # a quota is judged on the year-to-date figure
    return ProgressRow(
        plan_id="", target_id=t.target_id, name_zh=t.name_zh, name_en=t.name_en, kind=t.kind.value,
        headline=t.headline, scope_id=t.scope, scope_name=scope.name_zh if scope else t.scope,
        indicator_id=t.indicator, comparator=t.comparator.value, unit=t.unit, target=t.value,
        target_year=t.target_year, actual=show(a.actual), actual_period=actual_period,
        completion=a.completion, as_of=str(as_of), time_elapsed=as_of.time_elapsed,
        ytd=None if is_rate else show(ytd),
        ytd_yoy=yoy, yearly_target=show(current.yearly_target), in_year_completion=current.completion,
        ahead_of_schedule=current.ahead_by, base_year=a.base_year, base_value=show(a.base_value) if not is_rate else None,
        actual_cagr=None if is_pace else a.actual_rate, required_cagr=None if is_pace else a.required_rate,
        actual_pace=show(a.actual_rate) if is_pace else None, required_pace=show(a.required_rate) if is_pace else None,
        ratio=a.ratio, projected_value=show(a.projected_value), gap=show(a.gap), projected_gap=show(a.projected_gap),
        status=a.status, status_reason=a.reason, status_reason_zh=a.reason_zh, final=a.final, series=which, coverage=coverage,
        source_quote=t.source_quote,
    )


def plan_progress(con: repo.Con, catalog: Catalog, plan_id: str, as_of: Period) -> list[ProgressRow]:
    """The progress table of one plan at a quarter, in the plan's target order."""
    plan = catalog.plans[plan_id]
    keys = [k for t in plan.targets for k in _series_keys(t)]
    figures = Figures(repo.series(con, keys, as_of))
    figures.count_firms(con, [t for t in plan.targets if isinstance(t, ThresholdCountTarget)], as_of.last_complete_year)
    return [assess_target(con, catalog, t, figures, as_of).model_copy(update={"plan_id": plan_id})
            for t in plan.targets]


class TargetSeries(BaseModel):
    """What a target's chart needs, in the target's unit: annual values, this year's
    year-to-date bars, the required path, the projection and definition changes."""

    model_config = ConfigDict(frozen=True)

    target_id: str
    unit: str
    target: float
    base_year: int
    target_year: int
    annual: dict[int, float]
    ytd: dict[str, float]  # "2015Q1" → value, the as-of year's quarters
    required_path: dict[int, float]
    projection: dict[int, float]
    definition_changes: list[tuple[int, str, str]]  # (year, zh, en)
    series: str | None


def target_series(con: repo.Con, catalog: Catalog, plan_id: str, target_id: str, as_of: Period,
                  rows: list[ProgressRow] | None = None) -> TargetSeries:
    """The chart data of one target at a quarter (levels and ratios; rates show the level).

    `rows` is the plan's progress table when the caller already has it (saves recomputing it)."""
    t = catalog.target(plan_id, target_id)
    rows = rows if rows is not None else plan_progress(con, catalog, plan_id, as_of)
    row = next(r for r in rows if r.target_id == target_id)
    frame = Figures(repo.series(con, _series_keys(t), as_of))
    picked = pick_series(frame, t.scope, t.indicator)
    u = unit(t.unit)
    ind = catalog.indicators[t.indicator]
    shown_unit = t.unit
    values: dict[int, float] = annual(picked.values)
    convert_one = u.from_canonical
    if isinstance(t, ShareTarget | DensityTarget):
        den = pick_series(frame, t.denominator.scope, t.denominator.indicator)
        values = _ratio(values, ind.unit, annual(den.values), catalog.indicators[t.denominator.indicator].unit,
                        u.dimension)
    elif isinstance(t, ThresholdCountTarget):
        values = {y: float(n) for y, n in repo.threshold_counts(con, t.scope, t.indicator, t.threshold.canonical,
                                                                 as_of.year).items()}
    elif isinstance(t, CumulativeTarget | ProgrammeCountTarget):
        values = _running_total(values, t.first_year, as_of.year)
    elif isinstance(t, GrowthTarget | AverageIncreaseTarget):
        shown_unit = DISPLAY[ind.dimension] if isinstance(t, GrowthTarget) else t.unit
        convert_one = unit(shown_unit).from_canonical
    annual_shown = {y: convert_one(v) for y, v in sorted(values.items())}
    ytd = {str(p): convert_one(v) for p, v in sorted(picked.values.items())
           if p.year == as_of.year and p.ordinal <= as_of.ordinal
           and isinstance(t, LevelTarget | YearlyQuotaTarget | GrowthTarget)}
    path: dict[int, float] = {}
    projection: dict[int, float] = {}
    base = values.get(t.base_year)
    if isinstance(t, LevelTarget | ShareTarget | DensityTarget | ThresholdCountTarget) and base and base > 0:
        g = cagr(base, t.value_canonical, t.target_year - t.base_year)
        path = {y: convert_one(required_path(base, g, t.base_year, y)) for y in range(t.base_year, t.target_year + 1)}
    elif isinstance(t, GrowthTarget) and base and base > 0:
        path = {y: convert_one(required_path(base, t.value_canonical, t.base_year, y))
                for y in range(t.base_year, t.target_year + 1)}
    elif isinstance(t, CumulativeTarget | ProgrammeCountTarget):
        span = t.target_year - t.first_year + 1
        path = {y: t.value * (y - t.first_year + 1) / span for y in range(t.first_year, t.target_year + 1)}
    if row.actual_cagr is not None and row.actual_period and not row.final and not isinstance(t, GrowthTarget):
        last = int(row.actual_period[:4])
        if last in values:
            projection = {y: convert_one(project(values[last], row.actual_cagr, y - last))
                          for y in range(last, t.target_year + 1)}
    elif isinstance(t, CumulativeTarget | ProgrammeCountTarget) and row.actual_pace and row.actual_period:
        last = int(row.actual_period[:4])
        if last in values:
            projection = {y: convert_one(values[last]) + row.actual_pace * (y - last)
                          for y in range(last, t.target_year + 1)}
    target_shown = t.value if not isinstance(t, GrowthTarget) else (path.get(t.target_year) or 0.0)
    changes = [(d.year, d.note_zh, d.note_en) for d in ind.definition_changes]
    return TargetSeries(target_id=t.target_id, unit=shown_unit, target=target_shown, base_year=t.base_year,
                        target_year=t.target_year, annual=annual_shown, ytd=ytd, required_path=path,
                        projection=projection, definition_changes=changes, series=row.series)


class ParkShare(BaseModel):
    """One park's part of a city target: its value, its own target if the plan sets one."""

    model_config = ConfigDict(frozen=True)

    org_id: str
    name_zh: str
    name_en: str
    value: float | None  # in the target's unit
    target: float | None
    target_id: str | None
    status: pg.Status | None


def park_breakdown(con: repo.Con, catalog: Catalog, plan_id: str, target_id: str, as_of: Period,
                   progress: list[ProgressRow] | None = None) -> list[ParkShare]:
    """Who contributes: the target's indicator summed per park under its scope, latest full year."""
    t = catalog.target(plan_id, target_id)
    if isinstance(t, ShareTarget | DensityTarget | GrowthTarget | ThresholdCountTarget):
        return []
    parks = catalog.parks_under(t.scope)
    if not parks:
        return []
    year = as_of.last_complete_year
    frame = Figures(repo.series(con, [repo.SeriesKey(p.org_id, t.indicator) for p in parks], Period(year, 4)))
    rows = {r.target_id: r for r in (progress if progress is not None else plan_progress(con, catalog, plan_id, as_of))}
    own = {x.scope: x for x in catalog.plans[plan_id].targets if x.indicator == t.indicator and x.kind == t.kind}
    u = unit(t.unit)
    out = []
    for p in parks:
        values = annual(pick_series(frame, p.org_id, t.indicator).values)
        tp = own.get(p.org_id)
        out.append(ParkShare(org_id=p.org_id, name_zh=p.name_zh, name_en=p.name_en or p.name_zh,
                             value=u.from_canonical(values[year]) if year in values else None,
                             target=tp.value if tp else None, target_id=tp.target_id if tp else None,
                             status=rows[tp.target_id].status if tp else None))
    return sorted(out, key=lambda s: -(s.value or 0))


def components(con: repo.Con, catalog: Catalog, org_id: str, parent_indicator: str, as_of: Period) -> pd.DataFrame:
    """The parts of a total (software revenue's four) per year, bottom-up, in 亿元."""
    parts = [i for i in catalog.indicators.values() if i.parent == parent_indicator and i.components_sum_to_parent]
    if not parts:
        return pd.DataFrame(columns=["year", "indicator_id", "name_zh", "name_en", "value"])
    frame = Figures(repo.series(con, [repo.SeriesKey(org_id, p.indicator_id) for p in parts], as_of))
    rows = []
    for p in parts:
        for year, v in annual(pick_series(frame, org_id, p.indicator_id).values).items():
            rows.append((year, p.indicator_id, p.name_zh, p.name_en, unit(p.unit).from_canonical(v) / 1e4))
    return pd.DataFrame(rows, columns=["year", "indicator_id", "name_zh", "name_en", "value"])
