"""Streamlit renderers shared by pages: plan cards, status badges, the progress table.

Pages stay thin by calling these; everything here takes plain values (rows, figures, strings) and
draws them, so it holds no queries and no arithmetic beyond unit display.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from domain.catalog import Catalog
from domain.models import Plan
from domain.periods import Period
from metrics.progress import Status
from metrics.tracker import ProgressRow, TargetSeries
from ui import figures, status
from ui.context import PageContext
from ui.format import amount, in_natural_unit, pct, period_label
from ui.i18n import localized, md, t, unit_word
from ui.text import escape

EXPORT_LABELS = {"docx": "Word (.docx)", "pdf": "PDF", "xlsx": "Excel (.xlsx)"}  # the same in every language


def page_plan(ctx: PageContext, catalog: Catalog, visible: list[str], has: Callable[[Plan], bool], title_key: str,
              empty_key: str) -> Plan:
    """The plan a page about one kind of content (tasks, bases, rewards) shows: the sidebar's plan
    when it has such content, else the first that does, with a choice when several do; the header
    names it. Stops the page, saying why, when no visible plan has any."""
    candidates = [p for p in visible if has(catalog.plans[p])]
    if not candidates:
        st.header(t(title_key, ctx.lang))
        st.info(t(empty_key, ctx.lang))
        st.stop()
    head = st.container()  # the header names the plan chosen below it
    plan_id = ctx.plan_id if ctx.plan_id in candidates else candidates[0]
    if len(candidates) > 1:
        plan_id = st.selectbox(t("plan", ctx.lang), candidates, index=candidates.index(plan_id),
                               format_func=lambda p: localized(catalog.plans[p], "title", ctx.lang))
    plan = catalog.plans[plan_id]
    head.header(f"{t(title_key, ctx.lang)} · {localized(plan, 'title', ctx.lang)}")
    return plan


def download_buttons(make: Callable[[str], bytes], stem: str, mimes: Mapping[str, str], key: str) -> None:
    """One download button per format in a row; each file is made only when its button is pressed
    (`make(fmt)` runs then, outside the script run, so it must not call streamlit)."""
    for cell, fmt in zip(st.columns(len(mimes)), mimes, strict=True):
        cell.download_button(EXPORT_LABELS.get(fmt, fmt), data=functools.partial(make, fmt), file_name=f"{stem}.{fmt}",
                             mime=mimes[fmt], icon=":material/download:", width="stretch", on_click="ignore",
                             key=f"{key}-{fmt}")


def badge(s: Status, lang: str) -> None:
    st.badge(status.word(s, lang), icon=status.ICONS[s], color=status.BADGE_COLOURS[s])


def plan_card(plan: Plan, as_of: Period | None, rows: list[ProgressRow], series: TargetSeries | None,
              lang: str, *, absent: str | None = None) -> None:
    """One plan on the overview: headline target, actual, completion, status, projection,
    targets per status and the headline series against its path and target. `absent` says why the
    plan is not read at the quarter (shown instead of the figures)."""
    with st.container(border=True):
        st.subheader(escape(localized(plan, "title", lang)))
        if absent is not None:
            st.info(absent)
            return
        if as_of is None or not rows:
            st.info(t("no_data_plan", lang, period=period_label(as_of, lang) if as_of else "—"))
            return
        head = next((r for r in rows if r.headline), rows[0])
        st.caption(t("as_of_card", lang, period=period_label(as_of, lang)) + " · " + escape(localized(head, "name", lang)))
        (actual, projected, target), unit = in_natural_unit([head.actual, head.projected_value, head.target], head.unit)
        cells = st.columns(5, vertical_alignment="center")
        with cells[0]:
            badge(head.status, lang)
        cells[1].metric(t("format.with_unit", lang, label=t("latest_actual", lang), unit=unit), amount(actual, unit),
                        help=head.actual_period)
        cells[2].metric(t("format.with_unit", lang, label=f"{t('target', lang)} {head.target_year}", unit=unit),
                        amount(target, unit))
        cells[3].metric(t("completion", lang), pct(head.completion))
        cells[4].metric(t("format.with_unit", lang, label=t("projected", lang), unit=unit), amount(projected, unit))
        left, right = st.columns([2, 3])
        with left:
            st.caption(md("format.labelled", lang, label=t("reason", lang), value=head.reason))
            st.plotly_chart(figures.status_bar(Counter(r.status for r in rows), lang),
                            config={"displayModeBar": False}, key=f"bar-{plan.plan_id}")
        with right:
            if series is not None and series.annual:
                st.plotly_chart(figures.target_chart(series, lang, height=220, compact=True),
                                config={"displayModeBar": False}, key=f"head-{plan.plan_id}")


SERIES_KEYS = {"official": "series_official", "reported": "series_reported", "bottom_up": "series_bottom_up",
               "derived": "series_derived"}


def progress_table(rows: list[ProgressRow], lang: str, now: dict[str, Status] | None = None) -> pd.DataFrame:
    """Every target's standing, numbers in display units, ready for st.dataframe; a row resting on a
    provisional figure says so, and with `now` (target → status on the figures now in force) the
    table read as it stood on a date shows today's status beside it."""
    out = []
    for r in rows:
        # One natural unit per row for its four figures (62 人, not 0.01 万人).
        (actual, target, projected, gap), unit = in_natural_unit([r.actual, r.target, r.projected_value, r.gap], r.unit)
        out.append({
            t("status", lang): status.word(r.status, lang),
            t("target", lang): localized(r, "name", lang),
            t("actual", lang): actual,
            t("target_value", lang): target,
            t("unit", lang): unit_word(unit, lang),
            t("period", lang): r.actual_period,
            t("completion", lang): None if r.completion is None else r.completion * 100,
            t("time_elapsed", lang): None if r.time_elapsed is None else r.time_elapsed * 100,
            t("in_year", lang): None if r.in_year_completion is None else r.in_year_completion * 100,
            t("gap", lang): gap,
            t("projection", lang): projected,
            t("target_year", lang): r.target_year,
            t("series_used", lang): t(SERIES_KEYS[r.series], lang) if r.series else "—",
            t("figure_status", lang): t("provisional_mark", lang) if r.provisional else "",
            **({t("status_now", lang): status.word(now[r.target_id], lang) if r.target_id in now else "—"}
               if now is not None else {}),
            "_id": r.target_id,
            "_status": r.status.value,
            "_kind": r.kind,
        })
    frame = pd.DataFrame(out)
    numeric = [t(k, lang) for k in ("actual", "target_value", "completion", "time_elapsed", "in_year", "gap", "projection")]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")  # None → NaN: shown blank, sorts last
    return frame


def progress_column_config(lang: str) -> dict:
    percent = st.column_config.NumberColumn(format="%.1f%%")
    return {
        t("completion", lang): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
        t("time_elapsed", lang): percent,
        t("in_year", lang): percent,
        # No format for the figures: each row's own unit decides its decimals (style_status), and a
        # column format would override the Styler's cells. Wide enough for 12,345.67 whole.
        **{t(k, lang): st.column_config.NumberColumn(width="small", alignment="right")
           for k in ("actual", "target_value", "projection")},
        t("gap", lang): st.column_config.NumberColumn(width="medium", alignment="right"),
        t("target_year", lang): st.column_config.NumberColumn(format="%d"),
        "_id": None, "_status": None, "_kind": None,
    }


def style_status(frame: pd.DataFrame, lang: str):
    """Colour the status cell (the word stays, so grey print still reads) and write each row's
    figures with the decimals its unit needs (ui.format.amount: 62 人, 1,262.50 亿元). Streamlit
    draws a missing cell with its own placeholder whatever the Styler says, so callers pass
    `placeholder="—"` to st.dataframe, and give the figure columns no format of their own (a column
    format would win over these cells)."""
    col = t("status", lang)
    colours = {status.word(s, lang): status.COLOURS[s] for s in Status}
    amounts = [c for c in (t(k, lang) for k in ("actual", "target_value", "gap", "projection")) if c in frame]
    percents = [c for c in (t(k, lang) for k in ("time_elapsed", "in_year")) if c in frame]
    styled = (frame.style.map(lambda v: f"color: {colours.get(v, '#1f2328')}; font-weight: 600", subset=[col])
              .format("{:.1f}%", subset=percents, na_rep="—"))
    units = frame[t("unit", lang)] if t("unit", lang) in frame else pd.Series("", index=frame.index)
    for shown in units.unique():  # each row's figures with the decimals its unit needs
        rows = frame.index[units == shown]
        styled = styled.format(functools.partial(amount, shown=shown), subset=pd.IndexSlice[rows, amounts])
    return styled
