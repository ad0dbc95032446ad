"""规划详情 — every target of a plan, the selected target's chart, parks and components, and the
plan's conditions of admission checked park by park."""

import streamlit as st

from ui import charts, components, context, figures, media, plan_history, programme, queries, search, status, url
from ui.i18n import builtin_words, localized, md, t
from ui.text import escape

ctx = context.current()
version = queries.data_version()
search.box(ctx)  # at the top of the page, not in the sidebar: reachable on a phone without opening it
plan = queries.catalog().plans[ctx.plan_id]
st.header(escape(localized(plan, "title", ctx.lang)))
version_words = plan_history.version_caption(plan, ctx.as_of, ctx.lang)  # an adjusted plan: which version applies
st.caption(escape(" · ".join(x for x in (localized(plan, "issuer", ctx.lang), str(plan.issued), version_words,
                                         components.period_label(ctx.as_of, ctx.lang)) if x)))
printing = media.print_view(ctx.lang)  # tables whole (st.dataframe prints only its visible rows)
rows = queries.progress(version, ctx.who, plan.plan_id, ctx.as_of)
as_at = st.session_state.get("as_at")
if as_at is not None:
    st.warning(t("as_at_banner", ctx.lang, date=as_at.isoformat()))
if all(r.actual is None for r in rows):
    st.info(t("no_data_plan", ctx.lang, period=components.period_label(ctx.as_of, ctx.lang)))
    st.stop()

now = ({r.target_id: r.status for r in queries.progress_now(version, ctx.who, plan.plan_id, ctx.as_of)}
       if as_at is not None else None)
table = components.progress_table(rows, ctx.lang, now, queries.changes(version, ctx.who, plan.plan_id, ctx.as_of))
left, right = st.columns(2)
statuses = left.multiselect(t("filter_status", ctx.lang), sorted(table["_status"].unique()),
                            format_func=lambda s: status.word(s, ctx.lang), placeholder=t("all", ctx.lang),
                            select_all=builtin_words(ctx.lang))
kinds = right.multiselect(t("filter_kind", ctx.lang), sorted(table["_kind"].unique()),
                          format_func=lambda k: t(f"kind_{k}", ctx.lang), placeholder=t("all", ctx.lang),
                          select_all=builtin_words(ctx.lang))
shown = table[table["_status"].isin(statuses or table["_status"]) & table["_kind"].isin(kinds or table["_kind"])]
components.status_legend(ctx.lang, {r.status for r in rows})  # the key to the words and colours below
media.table(components.style_status(shown, ctx.lang), components.progress_column_config(ctx.lang), printing)

by_id = {r.target_id: r for r in rows}
default = next(i for i, r in enumerate(rows) if r.headline) if any(r.headline for r in rows) else 0
# The chosen target is in the URL (target=): a bookmark or a reload opens it again; an id that is
# not one of this plan's targets leaves the headline one. Its default comes through session state
# (not index=), as a target taken from the URL does; another plan's target falls back to it too.
url.adopt("target", "target", {i: i for i in by_id}, fresh="target" not in st.session_state)
if st.session_state.get("target") not in by_id:
    st.session_state["target"] = rows[default].target_id
chosen = st.selectbox(t("choose_target", ctx.lang), list(by_id), key="target",
                      format_func=lambda i: localized(by_id[i], "name", ctx.lang))
url.write({"target": chosen})
row = by_id[chosen]
st.subheader(escape(localized(row, "name", ctx.lang)))
components.badge(row.status, ctx.lang)
with st.container(key=media.REASON_KEY):  # the reason in a darker grey than a caption's (contrast)
    st.caption(md("format.labelled", ctx.lang, label=t("reason", ctx.lang), value=row.reason))
    if row.pace_words is not None:
        st.caption(md("format.labelled", ctx.lang, label=t("in_year", ctx.lang), value=row.pace_words))
paced = row.in_year_completion is not None and row.time_elapsed is not None  # 序时进度 means something
chart, gauge = st.columns([3, 1]) if paced else (st.container(), None)
with chart:
    series = queries.target_series(version, ctx.who, plan.plan_id, chosen, ctx.as_of)
    st.plotly_chart(charts.shared(figures.target_chart, series, ctx.lang), key="target-chart")
if gauge is not None:
    with gauge:
        st.plotly_chart(charts.shared(figures.in_year_gauge, row.in_year_completion, row.time_elapsed, ctx.lang,
                                      usual=row.seasonal_time_elapsed), key="gauge")
document = plan_history.document_of(plan, chosen, ctx.as_of)
st.markdown(t("format.aside", ctx.lang, text=f"**{t('source_quote', ctx.lang)}**", aside=escape(document)))
st.text(f"“{row.source_quote}”")
if (history := plan_history.history_frame(plan, chosen, ctx.as_of, ctx.lang)) is not None:
    st.markdown(f"**{t('history.heading', ctx.lang)}**")
    st.caption(t("history.note", ctx.lang, version=plan.version_at(ctx.as_of)))
    media.table(history, {}, printing)

parks = queries.park_breakdown(version, ctx.who, plan.plan_id, chosen, ctx.as_of)
if parks and any(p.value for p in parks):
    st.subheader(t("by_park", ctx.lang))
    st.plotly_chart(charts.shared(figures.park_bars, parks, row.unit, ctx.lang), key="park-bars")
    # Down to a park: a link per park the reader may open (its page's own scope check stands
    # behind it), carrying the view, so the park page opens at this plan and quarter.
    openable = set(queries.visible_parks(version, ctx.who).org_id)
    links = [p for p in parks if p.org_id in openable]
    if links:
        st.caption(t("drill.parks", ctx.lang))
        with st.container(horizontal=True):
            for p in links:
                st.page_link("pages/park.py", label=localized(p, "name", ctx.lang), icon=":material/apartment:",
                             query_params={"lang": ctx.lang, "plan": plan.plan_id, "q": str(ctx.as_of), "park": p.org_id})
parts = queries.components(version, ctx.who, plan.plan_id, chosen, ctx.as_of)
if not parts.empty:
    st.subheader(t("by_component", ctx.lang))
    st.plotly_chart(charts.shared(figures.components_chart, parts, ctx.lang), key="components")

checks = queries.admission_check(version, ctx.who, plan.plan_id, ctx.as_of)
if checks:
    st.subheader(t("criteria.heading", ctx.lang))
    st.caption(t("criteria.note", ctx.lang, year=checks[0].year))
    media.table(programme.admission_table(checks, ctx.lang), programme.admission_column_config(ctx.lang), printing)
