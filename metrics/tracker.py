"""How every target of a plan stands at a quarter: the progress table, and the charts beside it.

Pure: `needs` says what a plan's judgment reads, the store reads exactly that into a `Snapshot`
(store/snapshot.py), and `judge_plan` judges it — each target by the one judge of its kind
(metrics/judges.py) — into rows in the unit the plan wrote each target in, the target charts, the
park breakdowns and the revenue components. Pages, briefings and the command line all show this one
`PlanJudgement`, so a table and its chart cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from pydantic import BaseModel, ConfigDict

from domain.catalog import Catalog
from domain.messages import Message, listed
from domain.models import BreakKind, DensityTarget, Plan, SeriesBreak, ShareTarget, Target
from domain.periods import Period
from domain.snapshot import Needs, Snapshot
from domain.units import DISPLAY, Dimension, convert, unit
from metrics import judges, seasonal
from metrics import progress as pg
from metrics.periods import annual
from metrics.series import Picked, pick


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
    time_elapsed: float | None  # 序时进度, only where an in-year figure of a flow accruing through the year is read
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
    reason: Message  # why the status: a message code with its numbers, put into words by the reader's UI
    final: bool
    series: str | None  # official | reported (a park's own figure) | bottom_up | register
    coverage: float | None  # bottom-up ÷ official, latest period where both exist
    source_quote: str
    method: str  # how it was judged (docs/judging.md): compound | linear | rate | rate_each_year | quota | …
    coverage_basis: str | None = None  # a ratio's coverage, the same on both sides: official | reported | bottom_up
    matched_reporters: int | None = None  # a bottom-up ratio: reporters that gave both figures, latest year
    years_met: list[int] = []  # a quota or a 保持X%以上 rate: the whole years judged on their own
    years_missed: list[int] = []
    rate_gap_pp: float | None = None  # a rate target: required − actual, in percentage points (+ = short)
    definition_break: list[int] = []  # years the indicator's definition changed within the span judged
    breaks: list[dict] = []  # every series break the judged growth crosses: break_id, kind, year
    # Where the row's growth figures come from: the 同比 the bureau published (on a comparable base of
    # firms), the ratio of two levels, or both; None where the row shows no growth.
    growth_source: str | None = None
    provisional: bool = False  # a figure the row rests on is not final (SDMX status P, E …)
    # The usual share of the year by this quarter from the flow's own previous years (seasonal pace),
    # the years it is the mean of (empty: no history, the linear share stands in), and where this
    # year's completion stands against it and against the linear 序时进度.
    seasonal_time_elapsed: float | None = None
    seasonal_years: list[int] = []
    seasonal_standing: str | None = None
    linear_standing: str | None = None
    # Share of the whole plan period gone by at the quarter's end (plan_period_elapsed): what 完成率
    # against the end-of-plan target is read against, where 序时进度 is the share of one year.
    plan_elapsed: float | None = None


    @property
    def pace_words(self) -> Message | None:
        """This year's completion against the usual seasonal share and the linear 序时进度, in words."""
        if self.seasonal_time_elapsed is None or self.in_year_completion is None or self.time_elapsed is None:
            return None
        if self.time_elapsed >= 1:  # the whole year: no pace left to compare
            return None
        common = dict(done=self.in_year_completion, elapsed=self.time_elapsed,
                      linear=Message.of(f"progress.standing.{self.linear_standing}"))
        if not self.seasonal_years:
            return Message.of("progress.seasonal.no_history", **common)
        return Message.of("progress.seasonal.usual", share=self.seasonal_time_elapsed, years=listed(self.seasonal_years),
                          seasonal=Message.of(f"progress.standing.{self.seasonal_standing}"), **common)

    @property
    def reason_code(self) -> str:
        """The assessment's own code, under the notes said after it (progress.and chains them)."""
        m = self.reason
        while m.code == pg.NOTE_CHAIN:
            m = m.kwargs["head"]
        return m.code


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
    definition_changes: list[tuple[int, str, str]]  # every break on the series: (year, zh, en)
    series: str | None
    provisional_years: list[int] = []  # years whose figure is not final (drawn hollow)


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


def plan_period_elapsed(base_year: int, target_year: int, as_of: Period) -> float:
    """The share of a target's plan period gone by at the end of quarter `as_of`, in [0, 1].

    The period runs from the end of the base year (the figure the plan starts from) to the end of
    the target year; elapsed = whole months from 31 December of the base year to the quarter's last
    day ÷ the period's months. Qingdao at 2014 Q3, base 2011, target 2016: 33 months of 60 = 0.55.
    A quarter before the period counts 0, one after it 1."""
    months = (target_year - base_year) * 12
    if months <= 0:  # a target due in its base year: the period is over once it starts
        return 1.0
    gone = (as_of.year - base_year - 1) * 12 + as_of.quarter * 3
    return min(1.0, max(0.0, gone / months))


def needs(plan: Plan, catalog: Catalog) -> Needs:
    """Every series and firm count the judgment of `plan` reads."""
    out = Needs()
    for t in plan.all_targets():  # every version's: a quarter is judged against the one in force then
        out |= judges.judge_for(t).reads(t, plan, catalog)
    return out


def breaks_crossed(t: Target, catalog: Catalog, last: int) -> list[SeriesBreak]:
    """The series breaks (data/breaks.yaml and the indicators' definition changes) within
    base_year < year ≤ last on the target's figures. For a ratio, a break on both sides alike (a
    share of the same indicator's total) cancels out; one on either side alone does not."""
    crossed = catalog.breaks_for(t.indicator, t.scope)
    if isinstance(t, ShareTarget | DensityTarget):
        other = catalog.breaks_for(t.denominator.indicator, t.denominator.scope)
        both = {b.break_id for b in crossed} & {b.break_id for b in other}
        crossed = [b for b in crossed + other if b.break_id not in both]
    return sorted({b.break_id: b for b in crossed if t.base_year < b.year <= last}.values(),
                  key=lambda b: (b.year, b.break_id))


def _reason(v: judges.Verdict, breaks: list[SeriesBreak]) -> Message:
    """The assessment's reason, then what the reader must know to trust it."""
    notes = list(v.notes)
    if breaks:
        items = [Message.of("progress.break_item", year=b.year, kind=Message.of(f"progress.break_kind.{b.kind.value}"))
                 for b in breaks]
        notes.append(Message.of("progress.breaks", items=listed(items)))
    return pg.said(v.assessment.reason, *notes)


def _seasonal(v: judges.Verdict) -> dict:
    """The in-year reading against the usual seasonal share and against the linear 序时进度."""
    if v.seasonal is None:
        return {}
    done = v.current.completion
    return dict(seasonal_time_elapsed=v.seasonal.share, seasonal_years=list(v.seasonal.years),
                seasonal_standing=seasonal.standing(done, v.seasonal.share),
                linear_standing=seasonal.standing(done, v.current.time_elapsed))


def _sources(v: judges.Verdict, x: judges.Inputs) -> dict:
    """Where the row's growth comes from, and whether a figure it rests on is provisional."""
    a, as_of = v.assessment, x.as_of
    if a.growth_source is not None:
        source = a.growth_source
    elif v.ytd_yoy is not None:
        source = x.picked.growth(as_of)[1]
    else:
        source = "levels" if a.actual_rate is not None and v.method == "compound" else None
    periods = {as_of} | {Period(y, 4) for y in (a.actual_year, a.base_year) if y is not None}
    return dict(growth_source=source, provisional=x.picked.not_final(periods))


def _row(plan_id: str, t: Target, catalog: Catalog, v: judges.Verdict, as_of: Period, coverage: float | None,
         judge: judges.Judge, sources: dict | None = None) -> ProgressRow:
    a, current = v.assessment, v.current
    u = unit(t.unit)
    show = lambda x: None if x is None else u.from_canonical(x)
    scope = catalog.organisations.get(t.scope)
    actual_period = None if a.actual_year is None else str(a.actual_year)
    if a.actual is not None and a.actual_year == as_of.year and as_of.quarter != 4:
        actual_period = str(as_of)  # judged on the year-to-date figure, not on a whole year
    # Flagged where the verdict rests on growth across the change: a rate, or a level still judged on
    # its compound rate (a final level is read on its own year, and a linear pace compares no rates).
    linear = judge.pace or v.method == "linear"  # judged on a pace a year, not a compound rate
    # A rate chained from published comparable rates crosses a break cleanly; levels do not.
    on_growth = (judge.rate and a.growth_source != "published") or \
        (v.method == "compound" and not a.final and a.actual_rate is not None)
    breaks = breaks_crossed(t, catalog, max(a.actual_year or t.base_year, min(as_of, t.end).year)) if on_growth else []
    return ProgressRow(
        plan_id=plan_id, target_id=t.target_id, name_zh=t.name_zh, name_en=t.name_en, kind=t.kind.value,
        headline=t.headline, scope_id=t.scope, scope_name=scope.name_zh if scope else t.scope,
        indicator_id=t.indicator, comparator=t.comparator.value, unit=t.unit, target=t.value,
        target_year=t.target_year, actual=show(a.actual), actual_period=actual_period,
        completion=a.completion, as_of=str(as_of), time_elapsed=as_of.time_elapsed if v.paced else None,
        ytd=None if judge.rate else show(v.ytd),
        ytd_yoy=v.ytd_yoy, yearly_target=show(current.yearly_target), in_year_completion=current.completion,
        ahead_of_schedule=current.ahead_by if v.paced else None, base_year=a.base_year,
        base_value=None if judge.rate else show(a.base_value),
        actual_cagr=None if linear else a.actual_rate, required_cagr=None if linear else a.required_rate,
        actual_pace=show(a.actual_rate) if linear else None,
        required_pace=show(a.required_rate) if linear else None,
        ratio=a.ratio, projected_value=show(a.projected_value), gap=show(a.gap), projected_gap=show(a.projected_gap),
        status=a.status, reason=_reason(v, breaks), final=a.final, series=v.series,
        coverage=coverage, source_quote=t.source_quote, method=v.method, coverage_basis=v.basis,
        matched_reporters=v.matched, years_met=list(a.years_met), years_missed=list(a.years_missed),
        rate_gap_pp=None if not judge.rate or a.gap is None else a.gap * 100,
        definition_break=[b.year for b in breaks if b.kind == BreakKind.DEFINITION],
        breaks=[{"break_id": b.break_id, "kind": b.kind.value, "year": b.year} for b in breaks],
        plan_elapsed=plan_period_elapsed(t.base_year, t.target_year, as_of),
        **_seasonal(v), **(sources or {}),
    )


def _series(t: Target, catalog: Catalog, chart: judges.Chart, series: str | None,
            picked: Picked | None = None) -> TargetSeries:
    changes = [(b.year, b.note_zh, b.note_en) for b in catalog.breaks_for(t.indicator, t.scope)]
    provisional = sorted(y for y in chart.annual if picked is not None and picked.not_final({Period(y, 4)}))
    return TargetSeries(target_id=t.target_id, unit=chart.unit, target=chart.target, base_year=t.base_year,
                        target_year=t.target_year, annual=chart.annual, ytd={str(p): v for p, v in chart.ytd.items()},
                        required_path=chart.required_path, projection=chart.projection, definition_changes=changes,
                        series=series, provisional_years=provisional)


@dataclass(frozen=True)
class PlanJudgement:
    """A plan judged at a quarter: the progress table in plan order, and per target its chart, its
    parks' contributions and (for revenue) its components."""

    plan_id: str
    as_of: Period
    rows: list[ProgressRow]
    series: dict[str, TargetSeries]
    parks: dict[str, list[ParkShare]]
    components: dict[str, pd.DataFrame] = field(default_factory=dict)
    as_at: dt.date | None = None  # read as it stood at the end of this day (None: the figures now in force)

    def row(self, target_id: str) -> ProgressRow:
        return next(r for r in self.rows if r.target_id == target_id)


def judge_plan(plan: Plan, catalog: Catalog, snap: Snapshot) -> PlanJudgement:
    """The whole plan at `snap.as_of`, from the snapshot alone, against the version of the plan in
    force on the quarter's last day: a mid-term adjustment changes the verdicts from the quarter it
    takes effect in, and the quarters before keep the targets they were set."""
    plan = plan.at(snap.as_of)
    rows, charts, parks, parts = [], {}, {}, {}
    chosen = {t.target_id: judges.judge_for(t) for t in plan.targets}
    by_scope: dict[str, pd.DataFrame] = {}
    for t in plan.targets:
        judge = chosen[t.target_id]
        x = judges.Inputs(catalog, snap, t, plan.plan_id)
        verdict = judge.judge(t, x)
        row = _row(plan.plan_id, t, catalog, verdict, snap.as_of, x.picked.coverage, judge, _sources(verdict, x))
        rows.append(row)
        charts[t.target_id] = _series(t, catalog, judge.chart(t, x, verdict.assessment), row.series, x.picked)
        if t.indicator in judges.SHOWS_COMPONENTS:
            if t.scope not in by_scope:  # several revenue targets of one scope share its parts
                by_scope[t.scope] = components(catalog, snap, t.scope)
            parts[t.target_id] = by_scope[t.scope]
    by_id = {r.target_id: r for r in rows}
    for t in plan.targets:  # after every row: a park's own target may come later in the plan
        parks[t.target_id] = park_breakdown(plan, catalog, snap, t, by_id) if chosen[t.target_id].parks_shown else []
    return PlanJudgement(plan.plan_id, snap.as_of, rows, charts, parks, parts, snap.as_at)


def park_breakdown(plan: Plan, catalog: Catalog, snap: Snapshot, t: Target,
                   rows: dict[str, ProgressRow]) -> list[ParkShare]:
    """Who contributes: the target's indicator per park under its scope, latest complete year."""
    parks = catalog.parks_under(t.scope)
    year = snap.as_of.last_complete_year
    own = {x.scope: x for x in plan.targets if x.indicator == t.indicator and x.kind == t.kind}
    u = unit(t.unit)
    out = []
    for p in parks:
        values = annual(pick(snap, p.org_id, t.indicator).values)
        tp = own.get(p.org_id)
        out.append(ParkShare(org_id=p.org_id, name_zh=p.name_zh, name_en=p.name_en or p.name_zh,
                             value=u.from_canonical(values[year]) if year in values else None,
                             target=tp.value if tp else None, target_id=tp.target_id if tp else None,
                             status=rows[tp.target_id].status if tp else None))
    return sorted(out, key=lambda s: -(s.value or 0))


COMPONENT_COLUMNS = ["year", "indicator_id", "name_zh", "name_en", "value"]


def components(catalog: Catalog, snap: Snapshot, org_id: str) -> pd.DataFrame:
    """The parts of software revenue (its four) per year at an organisation, in 亿元."""
    rows = []
    for p in judges.component_indicators(catalog):
        for year, v in annual(pick(snap, org_id, p.indicator_id).values).items():
            rows.append((year, p.indicator_id, p.name_zh, p.name_en, convert(v, p.unit, DISPLAY[Dimension.MONEY_CNY])))
    return pd.DataFrame(rows, columns=COMPONENT_COLUMNS)
