"""The leadership group's quarterly briefing (季度简报) of one plan, optionally for one park.

Everything in it comes from the same metrics the dashboard shows (`metrics.tracker`), read by
`service.queries.briefing_inputs` with the caller's identity so a park manager's briefing can only
hold what that manager may see; this module reads nothing itself. The
summary paragraph is written from the numbers, in the form an office would write it by hand:
截至2015年三季度，…累计 xx 亿元，同比增长 xx%，完成年度目标的 xx%，高于序时进度 x 个百分点。
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from domain.catalog import Catalog
from domain.growth import change
from domain.messages import SOURCE_LANG, Message, exists, join, localized, render, words
from domain.models import OrgKind, Plan
from domain.periods import Period
from domain.programme import responsibilities_for, responsible_units
from domain.reporting import Ranked, Tally, Timeliness, tally
from domain.units import Dimension, digits, in_display_unit, in_natural_unit
from metrics.changes import Change, Direction
from metrics.progress import Status
from reports.model import Chart, ChartSeries, Column, Document, Paragraph, Section, Table, numeric
from service.inputs import BriefingInputs
from ui import figures, plan_history, status
from ui.format import display, number, pct, period_label
from ui.i18n import org_names
from ui.programme import reward_total
from ui.tables import reporting_tallies

if TYPE_CHECKING:
    from metrics.tracker import ParkShare, ProgressRow, TargetSeries


def _name(obj, lang: str) -> str:
    return localized(obj, "name", lang)


def _org(name_zh: str, lang: str, catalog: Catalog) -> str:
    """A park's name as the store joins it (Chinese) in `lang` (ui.i18n.org_names)."""
    return org_names([name_zh], lang, catalog)[0]


def unit_word(symbol: str, lang: str) -> str:
    """A unit as the reader's language writes it: 亿元 in Chinese, "100 million yuan" in English
    (`unit.<symbol>` in the catalog; a symbol the catalog lacks is shown as it is)."""
    code = f"unit.{symbol}"
    return words(lang)(code) if symbol and exists(code) else symbol


# English counts money in millions and billions, not in 万 and 亿: in a sentence an English
# briefing writes 1,054.69 亿元 as "105.47 billion yuan" (`unit.sentence.<symbol>`, this factor).
ENGLISH_SCALE = {"亿元": 0.1, "亿美元": 0.1, "万元": 0.01, "万美元": 0.01}


def amount(value: float | None, symbol: str, lang: str) -> str:
    """A figure with its unit in a sentence: '1,054.69 亿元' / '105.47 billion yuan' (`ui.format.number`
    with the unit in the reader's words)."""
    if lang != SOURCE_LANG and value is not None and symbol in ENGLISH_SCALE:
        return f"{number(value * ENGLISH_SCALE[symbol])} {words(lang)(f'unit.sentence.{symbol}')}"
    said = number(value, symbol)
    return said[: -len(symbol)] + unit_word(symbol, lang) if symbol and said.endswith(symbol) else said


def _yoy_words(t: Callable[..., str], yoy: float | None, row: ProgressRow | None = None, lang: str = SOURCE_LANG) -> str:
    """同比 in words; a published rate says it is on a comparable base and the last-year figure it
    implies (this year ÷ (1 + rate)), since it differs from the ratio of the two published levels."""
    if yoy is None:
        return "—"
    said = t("briefing.up", x=pct(abs(yoy))) if yoy >= 0 else t("briefing.down", x=pct(abs(yoy)))
    if row is not None and row.growth_source == "published" and row.ytd is not None and yoy > -1:
        value, shown = display(row.ytd / (1 + yoy), row.unit)
        said = t("briefing.comparable", said=said, base=amount(value, shown, lang))
    elif row is not None and row.growth_source == "levels":  # no published rate: say it is our arithmetic
        said = t("briefing.from_levels", said=said)
    return said


def summary(rows: list[ProgressRow], as_of: Period, lang: str) -> list[str]:
    """The opening paragraphs: the headline target in the office's sentence, then the status count."""
    t = words(lang)
    if not rows or all(r.actual is None for r in rows):
        return [t("briefing.no_data", period=period_label(as_of, lang))]
    out = []
    for head in [r for r in rows if r.headline] or rows[:1]:
        name = _name(head, lang)
        sentences = []
        said_ytd = head.ytd is not None and head.in_year_completion is not None and head.ahead_of_schedule is not None
        said_level = head.actual is not None and head.completion is not None and head.kind != "growth"
        if said_ytd:
            value, shown = display(head.ytd, head.unit)
            ahead = head.ahead_of_schedule or 0.0
            sentences.append(t("briefing.ytd", year=as_of.year, numeral=Message.of(f"numeral.{as_of.quarter}"),
                               period=period_label(as_of, lang),
                               name=name, value=amount(value, shown, lang), yoy=_yoy_words(t, head.ytd_yoy, head, lang),
                               done=pct(head.in_year_completion), ahead=t("briefing.higher" if ahead >= 0 else "briefing.lower"),
                               points=abs(ahead) * 100))
            if head.pace_words is not None:
                sentences.append(t("briefing.usual_pace", words=head.pace_words))
        if said_level:
            (value, target), shown, _ = natural([head.actual, head.target], head.unit)
            pace = (t("briefing.pace", required=pct(head.required_cagr), actual=pct(head.actual_cagr), base=head.base_year,
                      target_year=head.target_year)
                    if head.required_cagr is not None and head.actual_cagr is not None else "")
            sentences.append(t("briefing.level", name=name, year=(head.actual_period or "")[:4], value=amount(value, shown, lang),
                               target_year=head.target_year, target=amount(target, shown, lang), done=pct(head.completion),
                               pace=pace))
        reason = render(head.reason, lang)
        if said_ytd and said_level:  # the pace sentence already gives the reason's numbers
            sentences.append(t("briefing.status_only", status=status.word(head.status, lang)))
        else:
            sentences.append(t("briefing.status_line", name=name, status=status.word(head.status, lang), reason=reason))
        out.append(join("join.sentences", sentences, lang))
    counts = Counter(r.status for r in rows)
    parts = [t("briefing.count_part", status=status.word(s, lang), k=counts[s]) for s in status.ORDER if counts[s]]
    out.append(t("briefing.counts", n=len(rows), parts=join("join.list", parts, lang)))
    return out


def natural(values: list[float | None], symbol: str) -> tuple[list[float | None], str, list[int]]:
    """One row's figures in their natural unit (62 人, not 0.01 万人; domain.units.in_natural_unit),
    that unit, and each figure's decimals (none for whole things, two otherwise)."""
    shown_values, shown = in_natural_unit(values, symbol)
    return shown_values, shown, [digits(shown, v) for v in shown_values]


def status_table(rows: list[ProgressRow], catalog: Catalog, lang: str, title: str, sheet: str | None = None) -> Table:
    """Every target's standing, numbers in the units a briefing uses (亿元, 万人, %); in Excel on the
    sheet `sheet` (目标完成情况 unless given: a park's table is on a sheet named after the park)."""
    t = words(lang)
    body, places = [], []
    for r in rows:
        (target, actual), shown, (dt_, da) = natural([r.target, r.actual], r.unit)
        scope = catalog.organisations.get(r.scope_id)
        body.append([_name(r, lang), _name(scope, lang) if scope else r.scope_id, target, actual, unit_word(shown, lang),
                     r.target_year,
                     r.actual_period, r.completion, r.in_year_completion, r.time_elapsed if r.in_year_completion is not None
                     else None, status.word(r.status, lang), render(r.reason, lang)])
        places.append([None, None, dt_, da, *[None] * 8])
    return Table(title=title, sheet=sheet or t("briefing.s_targets"), rows=body, places=places, columns=[
        Column(header=t("target"), width=3), Column(header=t("scope"), width=1.6),
        Column(header=t("target_value"), kind="number", decimals=2, width=1.5),
        Column(header=t("actual"), kind="number", decimals=2, width=1.5),
        Column(header=t("unit"), width=1.1, wrap=False), Column(header=t("target_year"), kind="year", on_paper=False),
        Column(header=t("briefing.data_period"), width=1.1), Column(header=t("completion"), kind="percent", width=1.2),
        Column(header=t("briefing.in_year"), kind="percent", width=1.2),
        Column(header=t("time_elapsed"), kind="percent", width=1.2),
        Column(header=t("status"), width=1.3, wrap=False), Column(header=t("briefing.reason"), on_paper=False)])


# The statuses a leader must act on, worst first (metrics.progress.STATUS_ORDER): 需加快推进的目标.
BEHIND = (Status.MISSED, Status.MOVING_AWAY, Status.LIMITED, Status.ACCELERATION_NEEDED)


def behind_blocks(rows: list[ProgressRow], plan: Plan, catalog: Catalog, lang: str, title: str) -> list:
    """需加快推进的目标及责任单位: every target behind (BEHIND), worst first, with its figures, the
    reason, and the departments the plan makes answerable for it (catalog `responsibilities`, the
    plan's sentence in Excel beside them); "the plan names no responsible unit" where it names none."""
    t = words(lang)
    behind = sorted([r for r in rows if r.status in BEHIND], key=lambda r: BEHIND.index(r.status))
    if not behind:
        return [Paragraph(text=t("briefing.none_behind"))]
    body, places = [], []
    for r in behind:
        (actual, target), shown, (da, dt_) = natural([r.actual, r.target], r.unit)
        places.append([None, None, da, dt_, *[None] * 6])
        scope = catalog.organisations.get(r.scope_id)
        units = responsible_units(plan, r.target_id)
        quotes = [q.source_quote for q in responsibilities_for(plan, r.target_id)]
        body.append([_name(r, lang), _name(scope, lang) if scope else r.scope_id, actual, target, unit_word(shown, lang),
                     r.completion, status.word(r.status, lang), render(r.reason, lang),
                     join("join.list", list(units), lang) if units else t("briefing.no_responsible"),
                     "；".join(quotes) if quotes else "—"])
    return [Paragraph(text=t("briefing.behind_line", k=len(behind), n=len(rows))),
            Table(title=title, sheet=t("briefing.s_behind_sheet"), rows=body, places=places, columns=[
                Column(header=t("target"), width=2.4), Column(header=t("scope"), width=1.3),
                Column(header=t("actual"), kind="number", decimals=2, width=1.3),
                Column(header=t("target_value"), kind="number", decimals=2, width=1.3),
                Column(header=t("unit"), width=1.0, wrap=False), Column(header=t("completion"), kind="percent", width=1.1),
                Column(header=t("status"), width=1.3, wrap=False), Column(header=t("briefing.reason"), width=3),
                Column(header=t("briefing.responsible"), width=1.8),
                Column(header=t("briefing.responsible_basis"), on_paper=False)])]


# Moved targets as a leader reads them: bad news first (metrics.changes.Direction).
MOVED = (Direction.WORSE, Direction.LOST, Direction.NEW, Direction.BETTER)


def change_blocks(rows: list[ProgressRow], found: dict[str, Change], catalog: Catalog, lang: str, as_of: Period,
                  n: _Numbering) -> list:
    """较上季度变化: one line counting the moves, the targets whose status moved (before → after),
    those with a new figure (actuals and completion before and after, the change in percentage
    points), and one line for the targets with no new figure this quarter (`found`: the
    `metrics.changes.since` of the plan at `as_of`)."""
    t = words(lang)
    before, now = period_label(as_of.previous(), lang), period_label(as_of, lang)
    mine = [(r, found[r.target_id]) for r in rows if r.target_id in found]
    moved = sorted([(r, c) for r, c in mine if c.direction in MOVED], key=lambda rc: MOVED.index(rc[1].direction))
    fresh = [(r, c) for r, c in mine if c.new_figure]
    stale = len(mine) - len(fresh)
    counts = Counter(c.direction for _, c in moved)
    parts = [t("briefing.change_part", direction=t(f"direction.{d}"), k=counts[d]) for d in MOVED if counts[d]]
    line = (t("briefing.changes_line", before=before, moved=len(moved), parts=join("join.list", parts, lang),
              fresh=len(fresh), stale=stale) if moved
            else t("briefing.changes_none_moved", before=before, fresh=len(fresh), stale=stale))
    blocks: list = [Paragraph(text=line)]

    def scope(r: ProgressRow) -> str:
        org = catalog.organisations.get(r.scope_id)
        return _name(org, lang) if org else r.scope_id

    if moved:
        blocks.append(Table(title=t("briefing.t_moved", n=n.table(), before=before, now=now),
                            sheet=t("briefing.s_moved_sheet"), rows=[
            [_name(r, lang), scope(r), status.word(c.status_before, lang) if c.status_before else "—",
             status.word(c.status_now, lang), t(f"direction.{c.direction}")] for r, c in moved], columns=[
            Column(header=t("target"), width=3), Column(header=t("scope"), width=1.6),
            Column(header=t("briefing.status_before"), width=1.3, wrap=False),
            Column(header=t("briefing.status_now"), width=1.3, wrap=False),
            Column(header=t("briefing.direction"), width=1.3, wrap=False)]))
    if fresh:
        body, places = [], []
        for r, c in fresh:
            (was, is_), shown, (dw, di) = natural([c.actual_before, c.actual_now], r.unit)
            places.append([None] * 4 + [dw, di] + [None] * 4)
            delta = c.completion_delta
            body.append([_name(r, lang), scope(r), c.period_before or "—", c.period_now or "—", was, is_,
                         unit_word(shown, lang), c.completion_before, c.completion_now,
                         None if delta is None else delta * 100])
        blocks.append(Table(title=t("briefing.t_new_figures", n=n.table(), before=before, now=now),
                            sheet=t("briefing.s_new_sheet"), rows=body, places=places, columns=[
            Column(header=t("target"), width=3), Column(header=t("scope"), width=1.6),
            Column(header=t("briefing.period_before"), width=1.1), Column(header=t("briefing.period_now"), width=1.1),
            Column(header=t("briefing.actual_before"), kind="number", decimals=2, width=1.3),
            Column(header=t("briefing.actual_now"), kind="number", decimals=2, width=1.3),
            Column(header=t("unit"), width=1.0, wrap=False),
            Column(header=t("briefing.completion_before"), kind="percent", width=1.2),
            Column(header=t("briefing.completion_now"), kind="percent", width=1.2),
            Column(header=t("briefing.points"), kind="number", decimals=1, width=1.2)]))
    if fresh and stale:
        blocks.append(Paragraph(text=t("briefing.stale_line", stale=stale)))
    return blocks


def target_chart(s: TargetSeries, lang: str, title: str) -> Chart:
    """The headline series against its required path and target, as the dashboard draws it."""
    years = list(range(min([s.base_year, *s.annual]), s.target_year + 1))
    scale = display(1.0, s.unit)[0] or 1.0  # the chart shows briefing units (亿元 rather than 万元)
    shown = display(1.0, s.unit)[1]

    def values(series: dict[int, float]) -> list[float | None]:
        return [series[y] * scale if y in series else None for y in years]

    native = [ChartSeries(name=figures.label("actual", lang), values=values(s.annual), style="bar"),
              ChartSeries(name=figures.label("path", lang), values=values(s.required_path), style="dash")]
    if s.projection:
        native.append(ChartSeries(name=figures.label("projection", lang), values=values(s.projection), style="dot"))
    native.append(ChartSeries(name=figures.label("target", lang),
                              values=values({y: s.target for y in years if y >= s.base_year}), style="line"))
    return Chart(title=title, categories=[str(y) for y in years], series=native, y_title=unit_word(shown, lang),
                 figure=figures.target_chart(s, lang, height=400).to_dict())


def park_summary(shares: list[ParkShare], row: ProgressRow, lang: str, title: str) -> Table:
    t = words(lang)
    total = sum(s.value or 0 for s in shares)
    shown = unit_word(display(1.0, row.unit)[1], lang)
    scale = display(1.0, row.unit)[0] or 1.0
    body = [[_name(s, lang), None if s.value is None else s.value * scale, (s.value or 0) / total if total else None,
             None if s.target is None else s.target * scale, status.word(s.status, lang) if s.status else "—"]
            for s in shares]
    return Table(title=title, sheet=t("briefing.s_parks"), rows=body, columns=[
        Column(header=t("park")),
        Column(header=t("briefing.value_unit", name=_name(row, lang), unit=shown), kind="number", decimals=2),
        Column(header=t("briefing.share"), kind="percent"),
        Column(header=t("briefing.park_target", unit=shown), kind="number", decimals=2),
        Column(header=t("status"), wrap=False)])


def _revenue_header(lang: str) -> str:
    t = words(lang)
    return t("format.with_unit", label=t("briefing.revenue"), unit=unit_word("亿元", lang))


def enterprise_table(frame, lang: str, title: str) -> Table:
    t = words(lang)
    body = []
    for r in frame.itertuples():
        revenue = (None if r.software_revenue is None or r.software_revenue != r.software_revenue
                   else in_display_unit(r.software_revenue, Dimension.MONEY_CNY))
        yoy = change(r.software_revenue, r.software_revenue_ly) if revenue is not None else None
        employees = None if r.employees is None or r.employees != r.employees else int(r.employees)
        body.append([r.name_zh, r.credit_code, revenue, yoy, employees, t("yes") if r.reported else t("briefing.no")])
    return Table(title=title, sheet=t("briefing.s_enterprises"), rows=body, columns=[
        Column(header=t("enterprise")), Column(header=t("credit_code"), on_paper=False),
        Column(header=_revenue_header(lang), kind="number", decimals=2), Column(header=t("yoy"), kind="percent"),
        Column(header=t("employees"), kind="integer"), Column(header=t("briefing.reported"))])


def reporting_table(frame, lang: str, title: str, catalog: Catalog | None = None) -> Table:
    t = words(lang)

    def row(name: str, k: Tally) -> list:
        return [name, k.firms, k.on_time, k.late, k.missing, k.rate]

    parks, total = reporting_tallies(frame)
    body = [row("—" if pd.isna(name) else str(org_names([name], lang, catalog)[0]), k) for name, k in parks]
    body.append(row(t("sum"), total))
    return Table(title=title, sheet=t("briefing.s_reporting"), rows=body, columns=[
        Column(header=t("park")), Column(header=t("total"), kind="integer"), Column(header=t("on_time"), kind="integer"),
        Column(header=t("late"), kind="integer"), Column(header=t("briefing.missing"), kind="integer"),
        Column(header=t("briefing.rate"), kind="percent")])


BOTTOM_FIRMS = 10  # the firms a briefing names at the bottom of the timeliness ranking


def _ranked_table(ranked: list[Ranked], lang: str, title: str, sheet: str, name: str, firms: bool,
                  catalog: Catalog | None = None) -> Table:
    t = words(lang)
    body = [[r.rank, org_names([r.name], lang, catalog)[0], *([r.firms] if firms else []), r.record.due,
             r.record.on_time, r.record.late,
             r.record.missing, r.record.timeliness, r.record.rate, r.record.returned, r.record.corrected]
            for r in ranked]
    return Table(title=title, sheet=sheet, rows=body, columns=[
        Column(header=t("timeliness.rank"), kind="integer", width=0.8), Column(header=name, width=3),
        *([Column(header=t("timeliness.firm_count"), kind="integer")] if firms else []),
        Column(header=t("timeliness.due"), kind="integer"), Column(header=t("on_time"), kind="integer"),
        Column(header=t("late"), kind="integer"), Column(header=t("briefing.missing"), kind="integer"),
        Column(header=t("timeliness.timeliness"), kind="percent", width=1.2),
        Column(header=t("timeliness.rate"), kind="percent", width=1.2, on_paper=False),
        Column(header=t("timeliness.returned"), kind="integer"), Column(header=t("timeliness.corrected"), kind="integer")])


def _span(found: Timeliness, lang: str) -> str:
    last = found.span[-1]
    return words(lang)("timeliness.span_one" if len(found.span) == 1 else "timeliness.span", year=last.year,
                       quarter=last.quarter)


def timeliness_blocks(found: Timeliness, lang: str, n: _Numbering, catalog: Catalog | None = None) -> list:
    """报送及时性排名: the total in words, the parks ranked, and the firms at the bottom of the ranking
    (at most BOTTOM_FIRMS of those that owed a report, the last first-ranked … worst last)."""
    t = words(lang)
    span, k = _span(found, lang), found.total
    blocks: list = [Paragraph(text=t("timeliness.line", span=span, due=k.due, on_time=k.on_time,
                                     timeliness=pct(k.timeliness), late=k.late, missing=k.missing,
                                     returned=k.returned, corrected=k.corrected))]
    parks = [r for r in found.parks if r.record.due]
    if len(parks) > 1:
        best, worst = parks[0], parks[-1]
        blocks.append(Paragraph(text=t("timeliness.line_parks", best=_org(best.name, lang, catalog),
                                       best_rate=pct(best.record.timeliness), worst=_org(worst.name, lang, catalog),
                                       worst_rate=pct(worst.record.timeliness))))
    blocks.append(_ranked_table(found.parks, lang, t("timeliness.t_parks", n=n.table(), span=span, days=found.deadline_days),
                                t("timeliness.sheet_parks"), t("park"), firms=True, catalog=catalog))
    bottom = [r for r in found.firms if r.record.due][-BOTTOM_FIRMS:]
    if bottom:
        blocks.append(_ranked_table(bottom, lang, t("timeliness.t_firms", n=n.table(), span=span, k=len(bottom)),
                                    t("timeliness.sheet_firms"), t("enterprise"), firms=False))
    return blocks


def spans(rows: list[ProgressRow], catalog: Catalog, series: dict[str, TargetSeries], charted: set[str],
          as_of: Period) -> dict[str, tuple[int, int]]:
    """The years each indicator's figures in the briefing cover, first to last: a target reads from
    its base year (a chart from its earliest year drawn) to the year of its latest figure."""
    base = {t.target_id: t.base_year for plan in catalog.plans.values() for t in plan.at(as_of).targets}
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        first = r.base_year or base.get(r.target_id, as_of.year)
        if r.target_id in charted and series[r.target_id].annual:
            first = min(first, *series[r.target_id].annual)
        last = int(r.actual_period[:4]) if r.actual_period else as_of.year
        seen = out.get(r.indicator_id, (first, last))
        out[r.indicator_id] = (min(seen[0], first), max(seen[1], last))
    return out


def notes(rows: list[ProgressRow], catalog: Catalog, lang: str,
          shown: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """Where each figure comes from (official vs bottom-up, coverage) and the definition changes
    the figures shown cross (`shown`: first and last year per indicator, see `spans`). A change in
    year Y is crossed when first < Y ≤ last: a 2023 briefing of a plan based on 2020 says nothing of
    a change in 2012."""
    t = words(lang)
    out = []
    bottom_up = [_name(r, lang) for r in rows if r.series == "bottom_up"]
    if bottom_up:
        out.append(t("briefing.note_bottom_up", names=join("join.names", bottom_up, lang)))
    for r in rows:
        if r.series == "official" and r.coverage is not None and r.headline:
            out.append(t("briefing.note_official", name=_name(r, lang)) + t("briefing.note_coverage", coverage=pct(r.coverage),
                                                                      name=_name(r, lang)))
    seen = set()
    for r in rows:
        ind = catalog.indicators.get(r.indicator_id)
        if ind is None or ind.indicator_id in seen:
            continue
        seen.add(ind.indicator_id)
        first, last = (shown or {}).get(ind.indicator_id, (-10**4, 10**4))
        for redefined in [d for d in ind.definition_changes if first < d.year <= last]:
            out.append(t("briefing.note_definition", year=redefined.year, indicator=_name(ind, lang),
                         note=localized(redefined, "note", lang)))
    out.append(t("briefing.note_method"))
    return out


class _Numbering:
    """表1, 表2 … and 图1, 图2 … in document order."""

    def __init__(self) -> None:
        self.tables = 0
        self.charts = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def chart(self) -> int:
        self.charts += 1
        return self.charts


def incentive_blocks(found: pd.DataFrame, year: int, lang: str, n: _Numbering) -> list:
    """Firms whose annual software revenue first reached one of the plan's reward thresholds in the
    last complete year (Jiaxing also asks for ≥ 10 % growth), with rewards and their total."""
    t = words(lang)
    if found.empty:
        return [Paragraph(text=t("briefing.no_incentives", year=year))]
    body = [[r.name_zh, r.threshold, in_display_unit(r.value, Dimension.MONEY_CNY), numeric(r.growth), numeric(r.reward)]
            for r in found.itertuples()]
    total = reward_total(found)
    body.append([t("sum"), None, None, None, total.amount])
    line = t("briefing.incentive_total", total=total.amount, k=total.firms, m=total.awards)
    if total.unpriced:
        line += t("briefing.incentive_unpriced", n=total.unpriced)
    return [Paragraph(text=line),
            Table(title=t("briefing.t_incentives", n=n.table(), year=year), sheet=t("briefing.s_incentives"), rows=body, columns=[
                Column(header=t("enterprise")), Column(header=t("briefing.threshold"), kind="number", decimals=0),
                Column(header=_revenue_header(lang), kind="number", decimals=2),
                Column(header=t("briefing.growth"), kind="percent"),
                Column(header=t("format.with_unit", label=t("briefing.reward"), unit=unit_word("万元", lang)),
                       kind="number", decimals=0)])]


def _heading(i: int, text: str, lang: str) -> str:
    """一、… in Chinese, 1. … in English."""
    return words(lang)("briefing.heading", numeral=Message.of(f"numeral.{i + 1}"), text=text)


def build(inputs: BriefingInputs, lang: str = "zh", today: dt.date | None = None) -> Document:
    """The briefing of a plan at a quarter (for one park when the inputs name one), from what
    `service.queries.briefing_inputs` read — which also did the park and scope checks."""
    t = words(lang)
    catalog, plan_id, as_of, park_id = inputs.catalog, inputs.plan_id, inputs.as_of, inputs.park_id
    plan = catalog.plans[plan_id]
    park = catalog.organisations.get(park_id) if park_id else None
    judged = inputs.judgement
    rows = judged.rows
    if park_id:  # the park's own targets first, then the plan's headline targets for context
        rows_shown = list({r.target_id: r for r in [r for r in rows if r.scope_id == park_id]
                           + [r for r in rows if r.headline]}.values())
    else:
        rows_shown = rows
    n = _Numbering()
    period = period_label(as_of, lang)
    parts: list[tuple[str, list]] = [("briefing.s_targets", [status_table(rows_shown, catalog, lang,
                                                                 t("briefing.t_targets", n=n.table(), period=period))])]
    parts.append(("briefing.s_behind", behind_blocks(rows_shown, plan, catalog, lang,
                                                     t("briefing.t_behind", n=n.table(), period=period))))
    if inputs.changes is not None:  # a park's briefing: the park's own targets only
        own = [r for r in rows if r.scope_id == park_id] if park_id else rows
        parts.append(("briefing.s_changes", change_blocks(own, inputs.changes, catalog, lang, as_of, n)))

    charts, charted = [], set()
    for head in [r for r in rows if r.headline and r.actual is not None and r.kind != "growth"]:
        series = judged.series[head.target_id]
        if series.annual:
            charted.add(head.target_id)
            charts.append(target_chart(series, lang, t("briefing.c_target", n=n.chart(), name=_name(head, lang))))
    if charts:
        parts.append(("briefing.s_charts", charts))

    park_blocks: list = []
    head_level = next((r for r in rows if r.headline and r.kind == "level"), None)
    if park is None:
        if head_level is not None:
            shares = judged.parks[head_level.target_id]
            if any(s.value for s in shares):
                park_blocks.append(park_summary(shares, head_level, lang, t(
                    "briefing.t_parks", n=n.table(), indicator=_name(head_level, lang), year=as_of.last_complete_year)))
        for org in catalog.organisations.values():  # a table per park that has targets of its own
            own = [r for r in rows if r.scope_id == org.org_id]
            if own and org.kind == OrgKind.PARK:
                park_blocks.append(status_table(own, catalog, lang, t("briefing.t_park", n=n.table(), park=_name(org, lang)),
                                                sheet=_name(org, lang)))
    else:
        firms = inputs.firms
        if firms is not None and not firms.empty:
            park_blocks.append(enterprise_table(firms, lang, t("briefing.t_enterprises", n=n.table(), park=_name(park, lang),
                                                               period=period)))
    if park_blocks:
        parts.append(("briefing.s_parks" if park is None else "briefing.s_enterprises", park_blocks))
    if inputs.winners is not None:
        parts.append(("briefing.s_incentives", incentive_blocks(inputs.winners, inputs.incentive_year, lang, n)))

    days = inputs.deadline_days
    reporting = inputs.reporting
    if not reporting.empty:
        k = tally(reporting.reported, reporting.on_time)
        parts.append(("briefing.s_reporting", [
            Paragraph(text=t("briefing.rate_line", period=period, n=k.firms, done=k.reported, on_time=k.on_time,
                             rate=pct(k.rate))),
            reporting_table(reporting, lang, t("briefing.t_reporting", n=n.table(), period=period,
                                               deadline=as_of.deadline(days).isoformat()), catalog)]))
    if inputs.timeliness is not None and inputs.timeliness.total.due:
        parts.append(("timeliness.heading", timeliness_blocks(inputs.timeliness, lang, n, catalog)))
    shown = spans(rows_shown, catalog, judged.series, charted, as_of)
    parts.append(("briefing.s_notes", [Paragraph(text=x) for x in notes(rows_shown, catalog, lang, shown)]))

    demo = inputs.demo
    data_date = inputs.data_date
    plan_name = localized(plan, "title", lang)
    meta = [(t("plan"), plan_name), (t("briefing.issuer"), localized(plan, "issuer", lang)), (t("briefing.period"), period)]
    if (version := plan_history.version_caption(plan, as_of, lang)) is not None:  # the targets a mid-term adjustment set
        meta.append((t("briefing.version"), version))
    if park is not None:
        meta.append((t("park"), _name(park, lang)))
    as_at = inputs.judgement.as_at  # which figures: as they stood on a date, or those now in force
    meta.append((t("briefing.figures"), t("briefing.as_at", date=as_at.isoformat()) if as_at else t("briefing.in_force")))
    meta += [(t("briefing.data_date"), data_date.isoformat() if data_date else "—"),
             (t("briefing.generated"), (today or dt.date.today()).isoformat()),
             (t("report.nature"), t("demo_badge") if demo else t("briefing.official"))]
    header = inputs.header
    subtitle = t("briefing.subtitle", year=as_of.year, numeral=Message.of(f"numeral.{as_of.quarter}"),
                 end_month=as_of.end_month, period=as_of)
    return Document(
        title=t("briefing.title", plan=plan_name), subtitle=subtitle + (f" · {_name(park, lang)}" if park else ""), meta=meta,
        summary=summary(rows_shown, as_of, lang),
        sections=[Section(heading=_heading(i, t(key), lang), blocks=blocks) for i, (key, blocks) in enumerate(parts)],
        footer=t("demo_badge") if demo else "", lang=lang,
        issue=header.issue_for(as_of.year, as_of.quarter) if header else "", office=header.office if header else "",
        date_line=t("briefing.date_line", date=today or dt.date.today()),
        distribution=list(header.distribution) if header else [],
        file_stem=f"{plan_id}-{as_of}" + (f"-{park_id}" if park_id else "") + ("" if lang == SOURCE_LANG else f"-{lang}"))
