"""Figure builders: data in, a plotly Figure out. Pure (no streamlit), so exports reuse them.

Every chart stays readable in grey print and for colour-blind readers: one palette (Okabe–Ito,
ui.palette), series that differ by dash style and marker shape as well as colour, and bars that
carry hatch patterns (a status's own, ui.status.PATTERNS). Legends sit above the plot, where they
cannot cover the axis labels. Every word is the reader's language and every hover number carries
separators, the digits its unit needs and the unit. Fonts name the CJK faces first so Chinese
labels render in the browser and in static exports alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from domain.messages import exists
from domain.periods import parse_period
from domain.units import DISPLAY, Dimension, convert
from metrics.progress import Status
from metrics.tracker import ParkShare, TargetSeries
from ui import palette
from ui import status as st_
from ui.format import amount, digits, natural_unit, period_label
from ui.i18n import localized, t

FONT = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Zen Hei, Source Han Sans SC, Microsoft YaHei, sans-serif"
INK = palette.INK
GREY = palette.GREY
PATTERNS = ["", "/", "x", ".", "\\", "+"]
YTD_WIDTH = 0.2  # of a year: four quarters' bars fill 0.8 of it, clear of the breaks at year ± 0.5
LEGEND_ROOM = 44  # px above the plot for a one-row legend; plotly widens the margin if it wraps
TRACES = ("bar", "scatter")  # the trace types these charts draw that the template styles (an indicator it does not)
# Parts of plotly's simple_white template for what no chart here draws: maps, polar and ternary
# plots, 3-D scenes, colour scales.
UNDRAWN = ("geo", "polar", "scene", "ternary", "coloraxis", "colorscale")


def _template() -> go.layout.Template:
    """plotly's simple_white with only what these charts draw: the whole of it (22 other trace
    types, maps, 3-D scenes) was 8 KB of every chart's JSON, most of what a page of charts sends
    (bench/ANALYSIS.md, "Under load"). What is kept is simple_white's own, so the charts look the same."""
    full = pio.templates["simple_white"]
    layout = {k: v for k, v in full.layout.to_plotly_json().items() if k not in UNDRAWN}
    return go.layout.Template(layout=layout, data={trace: full.data[trace] for trace in TRACES})


TEMPLATE = _template()


def label(key: str, lang: str) -> str:
    """A chart's word: the catalog's `figure.<key>` (the briefing names its series with them too)."""
    return t(f"figure.{key}", lang)


def unit_word(symbol: str, lang: str) -> str:
    """A unit as the reader's language writes it (`unit.<symbol>`: 亿元, "100 million yuan")."""
    return t(f"unit.{symbol}", lang) if symbol and exists(f"unit.{symbol}") else symbol


def hover(x: str, shown: str, lang: str, name: str = "") -> str:
    """A hovertemplate: `x` (a plotly placeholder or text), the y value with separators and the
    digits of unit `shown`, and the unit's word; `name` in the box's side label."""
    return f"{x}: %{{y:,.{digits(shown)}f}} {unit_word(shown, lang)}<extra>{name}</extra>"


def house_style(fig: go.Figure, height: int, legend: bool = True) -> go.Figure:
    """The look every chart shares (dashboard and exports): CJK fonts first, white, the palette,
    and the legend in one row above the plot (below it, it covered the year labels)."""
    fig.update_layout(
        template=TEMPLATE, height=height, font=dict(family=FONT, size=13, color=INK),
        colorway=palette.COLORWAY, hoverlabel=dict(font_family=FONT), separators=".,",
        margin=dict(l=10, r=10, t=LEGEND_ROOM if legend else 30, b=10, autoexpand=True),
        # traceorder "normal": a one-row legend reads left to right in drawing order (plotly reverses
        # it for stacked bars, which matches a column, not a row)
        showlegend=legend, legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, traceorder="normal",
                                       font=dict(size=12 if height > 260 else 11)),
    )
    return fig


def target_chart(s: TargetSeries, lang: str, height: int = 420, compact: bool = False) -> go.Figure:
    """Annual values, year-to-date bars, required path, projection and target line of a target, in
    the unit its table row uses (ui.format.natural_unit: 62 人, 1,262.50 亿元)."""
    shown = natural_unit([*s.annual.values(), *s.ytd.values(), s.target], s.unit)
    u = unit_word(shown, lang)

    def v(series: dict) -> list[float]:
        return [convert(x, s.unit, shown) for x in series.values()]

    def tip(name: str) -> str:
        return hover("%{x:d}", shown, lang, name)

    fig = go.Figure()
    tops = [convert(s.target, s.unit, shown)]
    if s.ytd and not compact:
        # The as-of year's year-to-date bars stand side by side, centred on that year's tick and
        # each labelled with its period: between the ticks they read as another year.
        periods = [parse_period(p) for p in s.ytd]
        fig.add_bar(x=[p.year for p in periods], y=v(s.ytd), width=YTD_WIDTH,
                    offset=[YTD_WIDTH * (i - len(periods) / 2) for i in range(len(periods))],
                    name=label("ytd", lang), marker=dict(color=palette.LIGHT_GREY, line=dict(color=GREY, width=1)),
                    text=[t("figure.ytd_short", lang, quarter=p.quarter, end_month=p.end_month) for p in periods],
                    textposition="outside", textangle=-90, constraintext="none", textfont=dict(size=10, color=GREY),
                    cliponaxis=False,
                    customdata=[period_label(p, lang) for p in periods],
                    hovertemplate=hover("%{customdata}", shown, lang, label("ytd", lang)))
        tops += v(s.ytd)
    if s.required_path:
        fig.add_scatter(x=list(s.required_path), y=v(s.required_path), mode="lines",
                        name=label("path", lang), line=dict(color=GREY, dash="dash", width=1.5),
                        hovertemplate=tip(label("path", lang)))
    if s.projection:
        fig.add_scatter(x=list(s.projection), y=v(s.projection), mode="lines+markers",
                        name=label("projection", lang), line=dict(color=INK, dash="dot", width=1.5),
                        marker=dict(symbol="circle-open", size=7), hovertemplate=tip(label("projection", lang)))
        tops += v(s.projection)
    if s.annual:
        fig.add_scatter(x=list(s.annual), y=v(s.annual), mode="lines+markers",
                        name=label("actual", lang), line=dict(color=palette.BLUE, width=2.5),
                        marker=dict(symbol="circle", size=8), hovertemplate=tip(label("actual", lang)))
        tops += v(s.annual)
        marked = [y for y in s.provisional_years if y in s.annual]
        if marked:  # a figure not yet final (provisional, estimated) drawn hollow, with its word in the legend
            fig.add_scatter(x=marked, y=v({y: s.annual[y] for y in marked}), mode="markers", name=label("provisional", lang),
                            marker=dict(symbol="circle-open", size=13, color=palette.DARK_ORANGE, line=dict(width=2)),
                            hovertemplate=tip(label("provisional", lang)))
    target = convert(s.target, s.unit, shown)
    fig.add_scatter(x=[s.base_year, s.target_year], y=[target, target], mode="lines",
                    name=label("target", lang), line=dict(color=palette.VERMILLION, dash="dashdot", width=1.5),
                    hoverinfo="skip")
    fig.add_scatter(x=[s.target_year], y=[target], mode="markers", showlegend=False,
                    marker=dict(symbol="star", size=14, color=palette.VERMILLION), hovertemplate=tip(label("target", lang)))
    # The target's one label, at its end: above its line, or below it where the actual values or the
    # projection run above the target over the label's last two years (a label over a line is unread).
    near = [convert(x, s.unit, shown) for series in (s.annual, s.projection) for y, x in series.items()
            if y >= s.target_year - 2]
    above = not any(x > target for x in near)
    fig.add_annotation(x=s.target_year, y=target, text=t("figure.target_label", lang, year=s.target_year,
                                                         value=amount(target, shown), unit=u),
                       showarrow=False, xanchor="right", yanchor="bottom" if above else "top", yshift=6 if above else -6,
                       xshift=-12, font=dict(size=11 if compact else 12, color=palette.VERMILLION))
    top = max(tops)
    breaks = [(year, zh, en) for year, zh, en in s.definition_changes if s.base_year - 1 <= year <= s.target_year]
    for i, (year, zh, en) in enumerate(breaks):
        # Between the years the definition changed between (year − 0.5), where no bar stands; the
        # legend names it and hovering its ends says what changed.
        note = localized(SimpleNamespace(note_zh=zh, note_en=en), "note", lang)
        fig.add_scatter(x=[year - 0.5, year - 0.5], y=[0, top], mode="lines", name=label("definition_change", lang),
                        legendgroup="definition_change", showlegend=i == 0, line=dict(color=GREY, dash="dot", width=1),
                        hovertext=[note, note], hoverinfo="text")
    fig.update_xaxes(dtick=1, tickformat="d", title=None)
    fig.update_yaxes(title=u, rangemode="tozero", tickformat=",")
    return house_style(fig, height)


def status_bar(counts: dict[Status, int], lang: str, height: int = 70) -> go.Figure:
    """Targets per status as one stacked bar (word and count in each segment, hatched by status)."""
    fig = go.Figure()
    for status in Status:
        n = counts.get(status, 0)
        if n:
            fig.add_bar(y=[""], x=[n], orientation="h", name=st_.word(status, lang),
                        marker=dict(color=st_.COLOURS[status], pattern=dict(shape=st_.PATTERNS[status], fgopacity=0.35)),
                        text=[f"{st_.word(status, lang)} {n}"], textposition="inside", insidetextanchor="middle",
                        hovertemplate=f"{st_.word(status, lang)}: {n}<extra></extra>")
    fig.update_layout(barmode="stack", xaxis=dict(visible=False), yaxis=dict(visible=False))
    house_style(fig, height, legend=False)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0))
    return fig


def park_bars(shares: Sequence[ParkShare], unit: str, lang: str, height: int = 320) -> go.Figure:
    """Each park's latest value with its own target: one bar trace per status, so the legend names
    every colour (and hatch) it uses; parks without a judgment of their own in grey."""
    shown = natural_unit([x for p in shares for x in (p.value, p.target)], unit)
    u = unit_word(shown, lang)
    order = [localized(p, "name", lang) for p in shares][::-1]  # the first park on top
    fig = go.Figure()
    for status in [*Status, None]:
        group = [p for p in shares if p.status == status]
        if not group:
            continue
        colour = st_.COLOURS[status] if status else palette.LIGHT_GREY
        values = [convert(p.value or 0, unit, shown) for p in group]
        fig.add_bar(y=[localized(p, "name", lang) for p in group], x=values, orientation="h",
                    name=st_.word(status, lang) if status else label("no_status", lang),
                    marker=dict(color=colour, line=dict(color=GREY if status is None else colour, width=1),
                                pattern=dict(shape=st_.PATTERNS[status] if status else "", fgopacity=0.35)),
                    # values at the bar's foot, clear of the target marks beyond its end
                    text=[amount(x, shown) for x in values], textposition="inside", insidetextanchor="start",
                    hovertemplate="%{y}: %{x:,." + str(digits(shown)) + "f} " + u + "<extra></extra>")
    with_target = [p for p in shares if p.target is not None]
    if with_target:
        fig.add_scatter(y=[localized(p, "name", lang) for p in with_target],
                        x=[convert(p.target, unit, shown) for p in with_target], mode="markers",
                        name=label("park_target", lang), marker=dict(symbol="line-ns-open", size=22, color=INK,
                                                                     line=dict(width=3)),
                        hovertemplate="%{y} " + label("park_target", lang) + ": %{x:,." + str(digits(shown)) + "f} "
                        + u + "<extra></extra>")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title=u, tickformat=",")
    fig.update_yaxes(categoryorder="array", categoryarray=order)
    return house_style(fig, height)


def components_chart(frame: pd.DataFrame, lang: str, height: int = 320) -> go.Figure:
    """The parts of software revenue per year as hatched stacked bars, in the display unit of money (亿元)."""
    shown = DISPLAY[Dimension.MONEY_CNY]
    fig = go.Figure()
    for i, (_, part) in enumerate(frame.groupby("indicator_id", sort=False)):
        name = localized(part.iloc[0], "name", lang)
        fig.add_bar(x=part.year, y=part.value, name=name, marker_pattern_shape=PATTERNS[i % len(PATTERNS)],
                    hovertemplate=hover("%{x:d}", shown, lang, name))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(dtick=1, tickformat="d")
    fig.update_yaxes(title=unit_word(shown, lang), tickformat=",")
    return house_style(fig, height)


def in_year_gauge(completion: float, elapsed: float, lang: str, height: int = 240, usual: float | None = None) -> go.Figure:
    """This year's completion against 序时进度: the bar against the shaded linear share and, where the
    flow's own history gives one, the red mark of the usual seasonal share (else the linear one).

    It sits in a quarter column (about 230 px wide at 1366 px): the marks go on lines of their own
    under the name, and the margins leave room for the end ticks' labels, so nothing is clipped."""
    value = completion * 100
    mark = elapsed if usual is None else usual
    marks = [f"{label('elapsed', lang)} {elapsed:.0%}"]
    if usual is not None:
        marks.append(f"{label('usual_pace', lang)} {usual:.0%}")
    fig = go.Figure(go.Indicator(
        mode="gauge+number+delta", value=value, number=dict(suffix="%", valueformat=".1f", font=dict(size=26)),
        delta=dict(reference=mark * 100, valueformat=".1f", suffix=label("points", lang), font=dict(size=13),
                   increasing=dict(color=palette.BLUE), decreasing=dict(color=palette.VERMILLION)),
        title=dict(text=label("in_year", lang) + "<br><span style='font-size:11px'>" + "<br>".join(marks) + "</span>",
                   font=dict(size=13)),
        domain=dict(x=[0, 1], y=[0, 1]),
        gauge=dict(axis=dict(range=[0, max(120, value + 10)], ticksuffix="%", tickfont=dict(size=10), nticks=4),
                   bar=dict(color=palette.BLUE if completion >= mark else palette.DARK_ORANGE),
                   steps=[dict(range=[0, elapsed * 100], color=palette.LIGHT_GREY)],
                   threshold=dict(line=dict(color=palette.VERMILLION, width=3), value=mark * 100)),
    ))
    house_style(fig, height, legend=False)
    fig.update_layout(margin=dict(l=28, r=28, t=40 + 14 * len(marks), b=8))
    return fig


def series_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]],
                 y_title: str, height: int = 400) -> go.Figure:
    """A plain chart of named series over categories; style "bar", "line", "dash" or "dot".

    Exports use it for tables of figures that have no dashboard chart of their own."""
    fig = go.Figure()
    tip = "%{x}: %{y:,.2f} " + y_title + "<extra>%{fullData.name}</extra>"
    for name, values, style in series:
        if style == "bar":
            fig.add_bar(x=list(categories), y=list(values), name=name, marker_color=palette.LIGHT_GREY,
                        marker_line_color=GREY, marker_line_width=1, hovertemplate=tip)
        else:
            fig.add_scatter(x=list(categories), y=list(values), name=name, mode="lines+markers",
                            line=dict(color=INK, dash={"line": "solid", "dash": "dash", "dot": "dot"}[style]),
                            hovertemplate=tip)
    fig.update_yaxes(title_text=y_title)
    return house_style(fig, height)
