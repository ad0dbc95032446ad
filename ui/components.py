"""Streamlit renderers shared by pages: plan cards, status badges, the progress table.

Pages stay thin by calling these; everything here takes plain values (rows, figures, strings) and
draws them, so it holds no queries and no arithmetic beyond unit display.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import streamlit as st

from domain.catalog import Catalog
from domain.models import Plan
from domain.periods import Period
from metrics.changes import Change, Direction
from metrics.progress import Status
from metrics.tracker import ProgressRow, TargetSeries
from ui import charts, figures, status
from ui.context import PageContext
from ui.format import amount, in_natural_unit, pct, period_label
from ui.i18n import localized, md, render, t, unit_word
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


def badge(s: Status, lang: str, label: str | None = None) -> None:
    st.badge(label or status.word(s, lang), icon=status.ICONS[s], color=status.BADGE_COLOURS[s])


def status_legend(lang: str, shown: Iterable[Status] | None = None) -> None:
    """What each status means, in one wrapping row above a table or cards: per status one badge
    (its icon and colour) reading its word and a one-line meaning. Only the statuses `shown` (all
    by default), in the order of ui.status.ORDER; one compact pill each, so the key takes a line or
    two and the table stays in view at 1366 × 768."""
    wanted = set(Status if shown is None else shown)
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.caption(t("status.legend", lang), width="content")
        for s in (s for s in status.ORDER if s in wanted):
            badge(s, lang, t("status.legend_item", lang, word=status.word(s, lang), meaning=status.meaning(s, lang)))


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
            with st.container(key=f"reason-{plan.plan_id}"):  # darker than a caption's grey: ui.media's style
                st.caption(md("format.labelled", lang, label=t("reason", lang), value=head.reason))
            st.plotly_chart(charts.shared(figures.status_bar, Counter(r.status for r in rows), lang),
                            config={"displayModeBar": False}, key=f"bar-{plan.plan_id}")
        with right:
            if series is not None and series.annual:
                st.plotly_chart(charts.shared(figures.target_chart, series, lang, height=220, compact=True),
                                config={"displayModeBar": False}, key=f"head-{plan.plan_id}")


ARROWS = {Direction.BETTER: "↑", Direction.WORSE: "↓", Direction.SAME: "→"}  # the status moved up, down, not


def since_words(c: Change, lang: str) -> str:
    """Since last quarter in one cell: which way the status moved (↑ ↓ →, or newly judged / no
    longer judged), then the completion's change in percentage points where a new figure came in,
    or "no new figure" where the figure read is of the same period as last quarter's, or "target
    adjusted" where the plan's version changed it in between."""
    if c.direction is Direction.NEW:
        return t("table.since.new", lang)
    head = t("table.since.lost", lang) if c.direction is Direction.LOST else ARROWS[c.direction]
    if c.retargeted:  # a mid-term adjustment between the quarters: the completions are against different targets
        detail = t("table.since.retargeted", lang, before=c.target_before, now=c.target_now)
    elif not c.new_figure:
        detail = t("table.since.no_new_figure", lang)
    elif c.completion_delta is not None:
        detail = t("table.since.points", lang, delta=c.completion_delta * 100)
    else:
        detail = t("table.since.new_figure", lang)
    return t("table.since.with", lang, head=head, detail=detail)


SERIES_KEYS = {"official": "series_official", "reported": "series_reported", "bottom_up": "series_bottom_up",
               "derived": "series_derived", "register": "series_register"}  # register: the designations (metrics/judges.py)


def progress_table(rows: list[ProgressRow], lang: str, now: dict[str, Status] | None = None,
                   changes: Mapping[str, Change] | None = None) -> pd.DataFrame:
    """Every target's standing, numbers in display units, ready for st.dataframe; a row resting on a
    provisional figure says so, and with `now` (target → status on the figures now in force) the
    table read as it stood on a date shows today's status beside it; with `changes`
    (metrics.changes.since) each row says what moved since last quarter."""
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
            # 完成率 is against the end-of-plan target, so beside it the share of the plan period gone by;
            # the in-year 序时进度 only beside this year's completion, never alone beside 完成率.
            t("table.plan_elapsed", lang): None if r.plan_elapsed is None else r.plan_elapsed * 100,
            # What moved and why next, before the in-year and projected figures: a leader reads the
            # figures against the target first, then these two, with status and name pinned beside them.
            **({t("table.since", lang): since_words(changes[r.target_id], lang) if r.target_id in changes else "—"}
               if changes is not None else {}),
            t("reason", lang): render(r.reason, lang),  # why the status, in the words the page's caption uses
            t("in_year", lang): None if r.in_year_completion is None else r.in_year_completion * 100,
            t("table.time_elapsed_in_year", lang): None if r.time_elapsed is None or r.in_year_completion is None
            else r.time_elapsed * 100,
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
    numeric = [t(k, lang) for k in ("actual", "target_value", "completion", "table.plan_elapsed", "in_year",
                                    "table.time_elapsed_in_year", "gap", "projection")]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")  # None → NaN: shown blank, sorts last
    return frame


def progress_column_config(lang: str) -> dict:
    percent = st.column_config.NumberColumn(format="%.1f%%")
    return {
        t("status", lang): st.column_config.TextColumn(pinned=True),
        # Medium: a long name is cut (whole on hover) rather than pushing the reason off a 1366 px screen.
        t("target", lang): st.column_config.TextColumn(pinned=True, width="medium"),
        # The reason whole enough to read at 1366 px; the full text on hover.
        t("reason", lang): st.column_config.TextColumn(width="large", help=t("table.reason_help", lang)),
        t("table.since", lang): st.column_config.TextColumn(help=t("table.since_help", lang)),
        t("completion", lang): st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100),
        t("table.plan_elapsed", lang): st.column_config.NumberColumn(format="%.1f%%",
                                                                     help=t("table.plan_elapsed_help", lang)),
        t("in_year", lang): percent,
        t("table.time_elapsed_in_year", lang): st.column_config.NumberColumn(
            format="%.1f%%", help=t("table.time_elapsed_in_year_help", lang)),
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
    colours = {status.word(s, lang): status.TEXT_COLOURS[s] for s in Status}
    amounts = [c for c in (t(k, lang) for k in ("actual", "target_value", "gap", "projection")) if c in frame]
    percents = [c for c in (t(k, lang) for k in ("table.plan_elapsed", "in_year", "table.time_elapsed_in_year")) if c in frame]
    styled = (frame.style.map(lambda v: f"color: {colours.get(v, '#1f2328')}; font-weight: 600", subset=[col])
              .format("{:.1f}%", subset=percents, na_rep="—"))
    units = frame[t("unit", lang)] if t("unit", lang) in frame else pd.Series("", index=frame.index)
    for shown in units.unique():  # each row's figures with the decimals its unit needs
        rows = frame.index[units == shown]
        styled = styled.format(functools.partial(amount, shown=shown), subset=pd.IndexSlice[rows, amounts])
    return styled
