"""Figure builders: data in, a plotly Figure out. Pure (no streamlit), so exports reuse them.

Every chart stays readable in grey print: series differ by dash style and marker shape, not only
by colour, and component bars carry hatch patterns. Fonts name the CJK faces first so Chinese
labels render in the browser and in static exports alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go

from domain.periods import parse_period
from domain.units import DISPLAY, Dimension
from metrics.progress import Status
from metrics.tracker import ParkShare, TargetSeries
from ui import status as st_
from ui.format import number, period_label
from ui.i18n import localized, t

FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Zen Hei, Source Han Sans SC, Microsoft YaHei, sans-serif"
INK = "#1f2328"
GREY = "#6e7781"
PATTERNS = ["", "/", "x", ".", "\\", "+"]


def label(key: str, lang: str) -> str:
    """A chart's word: the catalog's `figure.<key>` (the briefing names its series with them too)."""
    return t(f"figure.{key}", lang)


def house_style(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    """The look every chart shares (dashboard and exports): CJK fonts first, white, legend below."""
    fig.update_layout(
        template="simple_white", height=height, font=dict(family=FONT, size=13, color=INK),
        margin=dict(l=10, r=10, t=30, b=10), hoverlabel=dict(font_family=FONT),
        showlegend=legend, legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
    )
    return fig


def target_chart(s: TargetSeries, lang: str, height: int = 420, compact: bool = False) -> go.Figure:
    """Annual values, year-to-date bars, required path, projection and target line of a target."""
    fig = go.Figure()
    u = s.unit
    if s.ytd and not compact:
        xs = [int(p[:4]) - 1 + int(p[-1]) / 4 for p in s.ytd]  # Q4's bar ends at the annual point
        fig.add_bar(x=xs, y=list(s.ytd.values()), width=0.18, name=label("ytd", lang), marker_color="#d0d7de",
                    marker_line_color=GREY, marker_line_width=1,
                    customdata=[period_label(parse_period(p), lang) for p in s.ytd],
                    hovertemplate="%{customdata}: %{y:,.2f} " + u + "<extra></extra>")
    if s.required_path:
        fig.add_scatter(x=list(s.required_path), y=list(s.required_path.values()), mode="lines",
                        name=label("path", lang), line=dict(color=GREY, dash="dash", width=1.5),
                        hovertemplate="%{x}: %{y:,.2f} " + u + "<extra>" + label("path", lang) + "</extra>")
    if s.projection:
        fig.add_scatter(x=list(s.projection), y=list(s.projection.values()), mode="lines+markers",
                        name=label("projection", lang), line=dict(color=INK, dash="dot", width=1.5),
                        marker=dict(symbol="circle-open", size=7),
                        hovertemplate="%{x}: %{y:,.2f} " + u + "<extra>" + label("projection", lang) + "</extra>")
    if s.annual:
        fig.add_scatter(x=list(s.annual), y=list(s.annual.values()), mode="lines+markers",
                        name=label("actual", lang), line=dict(color="#0b3d91", width=2.5),
                        marker=dict(symbol="circle", size=8),
                        hovertemplate="%{x}: %{y:,.2f} " + u + "<extra>" + label("actual", lang) + "</extra>")
        marked = [y for y in s.provisional_years if y in s.annual]
        if marked:  # a figure not yet final (provisional, estimated) drawn hollow, with its word in the legend
            fig.add_scatter(x=marked, y=[s.annual[y] for y in marked], mode="markers", name=label("provisional", lang),
                            marker=dict(symbol="circle-open", size=13, color="#bf8700", line=dict(width=2)),
                            hovertemplate="%{x}: %{y:,.2f} " + u + "<extra>" + label("provisional", lang) + "</extra>")
    fig.add_scatter(x=[s.base_year, s.target_year], y=[s.target, s.target], mode="lines",
                    name=label("target", lang), line=dict(color="#82071e", dash="dashdot", width=1.5),
                    hoverinfo="skip")
    fig.add_scatter(x=[s.target_year], y=[s.target], mode="markers", showlegend=False,
                    marker=dict(symbol="star", size=14, color="#82071e"),
                    hovertemplate=label("target", lang) + " %{x}: %{y:,.2f} " + u + "<extra></extra>")
    for year, zh, en in s.definition_changes:
        if s.base_year - 1 <= year <= s.target_year:
            fig.add_vline(x=year - 0.5, line=dict(color=GREY, dash="dot", width=1))
            if not compact:
                note = localized(SimpleNamespace(note_zh=zh, note_en=en), "note", lang)
                fig.add_annotation(x=year - 0.5, y=1, yref="paper", text=label("definition_change", lang),
                                   showarrow=False, xanchor="left", font=dict(size=11, color=GREY), hovertext=note)
    fig.update_xaxes(dtick=1, tickformat="d", title=None)
    fig.update_yaxes(title=u, rangemode="tozero", tickformat=",")
    return house_style(fig, height, legend=not compact)


def status_bar(counts: dict[Status, int], lang: str, height: int = 70) -> go.Figure:
    """Targets per status as one stacked bar (word and count in each segment)."""
    fig = go.Figure()
    for status in Status:
        n = counts.get(status, 0)
        if n:
            fig.add_bar(y=[""], x=[n], orientation="h", name=st_.word(status, lang), marker_color=st_.COLOURS[status],
                        text=[f"{st_.word(status, lang)} {n}"], textposition="inside", insidetextanchor="middle",
                        hovertemplate=f"{st_.word(status, lang)}: {n}<extra></extra>")
    fig.update_layout(barmode="stack", xaxis=dict(visible=False), yaxis=dict(visible=False))
    house_style(fig, height, legend=False)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0))
    return fig


def park_bars(shares: Sequence[ParkShare], unit: str, lang: str, height: int = 320) -> go.Figure:
    """Each park's latest value with its own target, coloured and shaped by its status."""
    names = [localized(p, "name", lang) for p in shares][::-1]
    values = [p.value or 0 for p in shares][::-1]
    colours = [st_.COLOURS[p.status] if p.status else "#8c959f" for p in shares][::-1]
    fig = go.Figure()
    fig.add_bar(y=names, x=values, orientation="h", marker_color=colours, name=label("actual", lang),
                text=[number(v, unit) for v in values], textposition="outside",
                hovertemplate="%{y}: %{x:,.2f} " + unit + "<extra></extra>")
    with_target = [(n, p) for n, p in zip(names, shares[::-1], strict=True) if p.target is not None]
    if with_target:
        fig.add_scatter(y=[n for n, _ in with_target], x=[p.target for _, p in with_target], mode="markers",
                        name=label("park_target", lang), marker=dict(symbol="line-ns-open", size=22, color="#82071e",
                                                                     line=dict(width=3)),
                        hovertemplate="%{y} " + label("park_target", lang) + ": %{x:,.2f} " + unit + "<extra></extra>")
    fig.update_xaxes(title=unit, tickformat=",")
    return house_style(fig, height)


def components_chart(frame: pd.DataFrame, lang: str, height: int = 320) -> go.Figure:
    """The parts of software revenue per year as hatched stacked bars, in the display unit of money (亿元)."""
    shown = DISPLAY[Dimension.MONEY_CNY]
    fig = go.Figure()
    for i, (_, part) in enumerate(frame.groupby("indicator_id", sort=False)):
        name = localized(part.iloc[0], "name", lang)
        fig.add_bar(x=part.year, y=part.value, name=name, marker_pattern_shape=PATTERNS[i % len(PATTERNS)],
                    hovertemplate="%{x} " + name + ": %{y:,.2f} " + shown + "<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title=shown, tickformat=",")
    return house_style(fig, height)


def in_year_gauge(completion: float, elapsed: float, lang: str, height: int = 240, usual: float | None = None) -> go.Figure:
    """This year's completion against 序时进度: the bar against the shaded linear share and, where the
    flow's own history gives one, the red mark of the usual seasonal share (else the linear one)."""
    value = completion * 100
    mark = elapsed if usual is None else usual
    aside = f"{label('elapsed', lang)} {elapsed:.0%}"
    if usual is not None:
        aside = t("join.list", lang, head=aside, tail=f"{label('usual_pace', lang)} {usual:.0%}")
    fig = go.Figure(go.Indicator(
        mode="gauge+number+delta", value=value, number=dict(suffix="%", valueformat=".1f"),
        delta=dict(reference=mark * 100, valueformat=".1f", suffix=" pp"),
        # the marks under the name, smaller: the gauge sits in a narrow column
        title=dict(text=f"{label('in_year', lang)}<br><sup>{aside}</sup>"),
        gauge=dict(axis=dict(range=[0, max(120, value + 10)], ticksuffix="%"),
                   bar=dict(color="#0b3d91" if completion >= mark else "#bf8700"),
                   steps=[dict(range=[0, elapsed * 100], color="#eaeef2")],
                   threshold=dict(line=dict(color="#82071e", width=3), value=mark * 100)),
    ))
    return house_style(fig, height, legend=False)


def series_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
                 y_title: str, height: int = 400) -> go.Figure:
    """A plain chart of named series over categories; style "bar", "line", "dash" or "dot".

    Exports use it for tables of figures that have no dashboard chart of their own."""
    fig = go.Figure()
    for name, values, style in series:
        if style == "bar":
            fig.add_bar(x=list(categories), y=list(values), name=name, marker_color="#d0d7de",
                        marker_line_color=GREY, marker_line_width=1)
        else:
            fig.add_scatter(x=list(categories), y=list(values), name=name, mode="lines+markers",
                            line=dict(color=INK, dash={"line": "solid", "dash": "dash", "dot": "dot"}[style]))
    fig.update_yaxes(title_text=y_title)
    return house_style(fig, height)
