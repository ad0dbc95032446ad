"""Charts for 任务督办 and 基地建设: data in, a plotly Figure out (pure, like ui/figures.py).

Statuses differ by hatch pattern as well as colour so the charts survive grey print; the colours
are the dashboard's one palette (ui.palette).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from domain.growth import change
from domain.programme import BaseType, TaskStatus
from metrics import bases, tasks
from ui import palette
from ui.figures import PATTERNS, house_style, label
from ui.i18n import t
from ui.programme import status_word, type_word

TASK_COLOURS = {TaskStatus.DONE: palette.BLUISH_GREEN, TaskStatus.IN_PROGRESS: palette.BLUE,
                TaskStatus.DELAYED: palette.VERMILLION, TaskStatus.NOT_STARTED: palette.GREY}
TASK_PATTERNS = {TaskStatus.DONE: "", TaskStatus.IN_PROGRESS: "/", TaskStatus.DELAYED: "x", TaskStatus.NOT_STARTED: "."}
_COUNT = {TaskStatus.DONE: "done", TaskStatus.IN_PROGRESS: "in_progress", TaskStatus.DELAYED: "delayed",
          TaskStatus.NOT_STARTED: "not_started"}


def completion_bars(rows: Sequence[tasks.Completion], lang: str, height: int | None = None) -> go.Figure:
    """Tasks of each group as one horizontal bar stacked by status (the plan's order, top down)."""
    names = [r.name for r in rows][::-1]
    fig = go.Figure()
    for s in (TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.DELAYED, TaskStatus.NOT_STARTED):
        values = [getattr(r, _COUNT[s]) for r in rows][::-1]
        fig.add_bar(y=names, x=values, orientation="h", name=status_word(s, lang), marker_color=TASK_COLOURS[s],
                    marker_pattern_shape=TASK_PATTERNS[s], text=[v or "" for v in values], textposition="inside", textangle=0,
                    hovertemplate="%{y}: %{x:d}<extra>" + status_word(s, lang) + "</extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title=label("tasks_axis", lang), dtick=1 if max((r.total for r in rows), default=0) <= 10 else None)
    return house_style(fig, height or 90 + 34 * len(rows))


def count_bars(designations: Sequence[bases.Designation], targets: Sequence[bases.CountRow], lang: str,
               height: int = 340) -> go.Figure:
    """Designations of each type, stacked by year, beside the programme's count for the whole period."""
    whole = {r.base_type: r for r in targets if r.first_year != r.target_year}
    types = list(BaseType)
    names = [type_word(b, lang) for b in types]
    years = sorted({d.year for d in designations})
    fig = go.Figure()
    for i, year in enumerate(years):
        values = [sum(1 for d in designations if d.base_type == b and d.year == year) for b in types]
        fig.add_bar(x=names, y=values, name=str(year), marker_pattern_shape=PATTERNS[i % len(PATTERNS)],
                    text=[v or "" for v in values], textposition="inside",
                    hovertemplate="%{x} " + str(year) + ": %{y:d}<extra></extra>")
    shown = [(type_word(b, lang), whole[b].target) for b in types if b in whole]
    if shown:
        fig.add_scatter(x=[n for n, _ in shown], y=[v for _, v in shown], mode="markers",
                        name=label("programme_count", lang),
                        marker=dict(symbol="line-ew-open", size=40, color=palette.VERMILLION, line=dict(width=3)),
                        hovertemplate="%{x}: %{y:d}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=label("bases_axis", lang), dtick=2)
    return house_style(fig, height)


def growth_bars(annual: Mapping[int, float], rate: float, first_year: int, last_year: int, lang: str,
                height: int = 300) -> go.Figure:
    """Each year's growth of an annual series against a required yearly rate (a dashed line)."""
    rates = {y: change(annual.get(y), annual.get(y - 1)) for y in range(first_year, last_year + 1)}
    years = [y for y, g in rates.items() if g is not None]
    growth = [rates[y] * 100 for y in years]
    fig = go.Figure()
    fig.add_bar(x=years, y=growth, name=label("growth_actual", lang), marker_color=palette.BLUE,
                text=[f"{g:.1f}%" for g in growth], textposition="outside",
                hovertemplate="%{x:d}: %{y:.1f}%<extra></extra>")
    if years:
        fig.add_scatter(x=[years[0] - 0.5, years[-1] + 0.5], y=[rate * 100] * 2, mode="lines",
                        name=t("figure.growth_target", lang, rate=rate),
                        line=dict(color=palette.VERMILLION, dash="dash", width=2), hoverinfo="skip")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title="%", rangemode="tozero", gridcolor="#eaeef2")
    return house_style(fig, height)

