"""园区 — a park's targets, its enterprises, its rank, new incentive winners and missing reports.

Only the parks the user may see are offered; a park typed into the URL outside that scope is
refused by the data layer itself, and an id that is no park gets the very same page, so the URL
cannot be used to learn which parks exist.
"""

import pandas as pd
import streamlit as st

from domain.access import AuthorizationError
from domain.policy import Permission, may
from ui import components, context, media, programme, queries, tables, url
from ui.i18n import local_names, md, t
from ui.text import escape

ctx = context.current()
version = queries.data_version()
visible = queries.visible_parks(version, ctx.who)
names = dict(zip(visible.org_id, local_names(visible.name_zh, visible.get("name_en"), ctx.lang), strict=True))
requested = url.param("park")  # as the URL reads after the sidebar (another plan drops it)
if requested and requested not in names:  # another park, or none at all: one answer for both
    st.header(t("park", ctx.lang))
    if ctx.as_of is not None:
        try:  # the data layer's refusal writes the access.denied row an administrator reads
            queries.enterprise_figures(version, ctx.who, requested, ctx.as_of)
        except AuthorizationError:
            pass
    st.error(t("not_allowed", ctx.lang))
    st.stop()
plan = queries.catalog().plans.get(ctx.plan_id) if ctx.plan_id else None
# A leader sees the parks of the chosen plan's city, or of the city of a park named in the URL.
city = visible.city_id[visible.org_id == requested].iloc[0] if requested in names else (plan.scope if plan else None)
parks = visible[visible.city_id == city] if may(ctx.who.role, Permission.READ_EVERYTHING) and city else visible
options = list(parks.org_id)
if not options and not requested:
    st.info(t("no_parks", ctx.lang))
    st.stop()
index = options.index(requested) if requested in options else 0
park = requested if requested and requested not in options else st.selectbox(
    t("park", ctx.lang), options, index=index, format_func=lambda o: t("format.aside", ctx.lang, text=names[o], aside=o))
url.write({"park": park})  # the park shown is the URL's, so a reload or a bookmark opens it again
st.header(f"{t('park', ctx.lang)} · {escape(names.get(park, park))}")
printing = media.print_view(ctx.lang)  # tables whole (st.dataframe prints only its visible rows)
for fact in programme.park_facts(queries.catalog(), park, ctx.lang):  # planned land, the bases it is to become
    st.caption(fact)
if ctx.as_of is None:
    st.info(t("no_reports", ctx.lang, period="—"))
    st.stop()
try:
    # A park outside the user's scope (typed into the URL) is refused by the data layer itself.
    frame = queries.enterprise_figures(version, ctx.who, park, ctx.as_of)
except AuthorizationError:
    st.error(t("not_allowed", ctx.lang))
    st.stop()

if plan is not None:
    rows = [r for r in queries.progress(version, ctx.who, plan.plan_id, ctx.as_of) if r.scope_id == park]
    if rows:
        st.subheader(t("park_targets", ctx.lang))
        table = components.progress_table(rows, ctx.lang,
                                          changes=queries.changes(version, ctx.who, plan.plan_id, ctx.as_of))
        components.status_legend(ctx.lang, {r.status for r in rows})
        media.table(components.style_status(table, ctx.lang), components.progress_column_config(ctx.lang), printing)
    # Rank by software revenue: the city-level software revenue target gives every park's share.
    head = next((tg for tg in plan.at(ctx.as_of).targets if tg.indicator == "software_revenue" and tg.scope == plan.scope
                 and tg.kind == "level"), None)
    if head is not None:
        shares = queries.park_breakdown(version, ctx.who, plan.plan_id, head.target_id, ctx.as_of)
        ranked = [s.org_id for s in shares if s.value]
        if park in ranked:
            year = ctx.as_of.last_complete_year
            st.markdown(md("rank", ctx.lang, city=queries.org_name(plan.scope, ctx.lang), rank=ranked.index(park) + 1,
                                                   n=len(ranked), year=year))

st.subheader(t("format.aside", ctx.lang, text=t("enterprises", ctx.lang), aside=components.period_label(ctx.as_of, ctx.lang)))
if frame.empty:
    st.info(t("no_enterprises", ctx.lang))
    st.stop()
if not frame.reported.any():
    st.info(t("no_reports", ctx.lang, period=components.period_label(ctx.as_of, ctx.lang)))
if printing:  # every row, no selection: paper cannot be clicked
    media.table(tables.enterprise_table(frame, ctx.lang), tables.enterprise_column_config(ctx.lang), printing)
    picked = None
else:
    picked = st.dataframe(tables.enterprise_table(frame, ctx.lang), hide_index=True, placeholder="—", width="stretch",
                          column_config=tables.enterprise_column_config(ctx.lang), key=f"firms-{park}",
                          on_select="rerun", selection_mode="single-row")

# Down to a firm: a row chosen in the table (or the box below, which a keyboard and a test reach
# too) opens the firm's own quarters. The firm is in the URL (firm=), so a reload keeps it; only
# a firm of this park's list (already scoped by the data layer) is taken from it.
firms = dict(zip(frame.org_id, frame.name_zh, strict=True))
firm_key = f"firm-{park}"
url.adopt("firm", firm_key, {f: f for f in firms}, fresh=firm_key not in st.session_state)
rows_picked = tuple(picked.selection.rows) if picked is not None else ()
if rows_picked and st.session_state.get(f"{firm_key}-row") != rows_picked:  # a new click in the table leads
    st.session_state[firm_key] = frame.org_id.iloc[rows_picked[0]]
st.session_state[f"{firm_key}-row"] = rows_picked
if st.session_state.get(firm_key) not in firms:
    st.session_state[firm_key] = None
firm = st.selectbox(t("drill.firm", ctx.lang), [None, *firms], key=firm_key,
                    format_func=lambda f: t("drill.no_firm", ctx.lang) if f is None else firms[f])
url.write({"firm": firm})
if firm is not None:
    st.subheader(md("drill.firm_heading", ctx.lang, firm=firms[firm]))
    try:  # the data layer checks the firm against the reader's scope again (audited refusal)
        history = tables.firm_history_table(queries.firm_history(version, ctx.who, firm, ctx.as_of), ctx.lang)
    except AuthorizationError:
        st.error(t("not_allowed", ctx.lang))
    else:
        st.caption(t("drill.firm_note", ctx.lang))
        media.table(history, tables.firm_history_column_config(history), printing)

year = ctx.as_of.last_complete_year
st.subheader(t("incentive_new", ctx.lang, year=year))
rewarding = [p for p in queries.catalog().plans.values() if p.incentives and queries.catalog().is_under(park, p.scope)]
winners = pd.concat([queries.incentive_winners(version, ctx.who, p.plan_id, park, year) for p in rewarding] or [pd.DataFrame()])
if winners.empty:
    st.caption(t("incentive_none", ctx.lang, year=year))
else:
    media.table(tables.incentive_table(winners, ctx.lang), tables.incentive_column_config(ctx.lang), printing)

st.subheader(t("not_reported", ctx.lang))
missing = frame[~frame.reported]
if missing.empty:
    st.caption(t("all_reported", ctx.lang))
else:
    media.table(missing[["name_zh", "credit_code"]].rename(columns={"name_zh": t("enterprise", ctx.lang),
                                                                   "credit_code": t("credit_code", ctx.lang)}),
                None, printing)
