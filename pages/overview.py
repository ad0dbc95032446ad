"""总览 — every plan as a card at the sidebar's quarter: headline target, actual, completion, status,
projection. A plan the quarter says nothing about (no data for it under the plan's scope, or outside
the plan's period) says so on its card, with the quarter its own data run to; it is not read at
another quarter, so every figure on the page is of the one quarter named at its top."""

import streamlit as st

from ui import components, context, queries
from ui.i18n import t

ctx = context.current()
version = queries.data_version()
st.header(t("overview", ctx.lang))
cat = queries.catalog()
plan_ids = queries.visible_plans(ctx.who)
if not plan_ids:
    st.info(t("no_plan_access", ctx.lang))
    st.stop()
quarter = components.period_label(ctx.as_of, ctx.lang) if ctx.as_of else "—"
st.caption(t("overview.at_quarter", ctx.lang, period=quarter))
legend = st.container()  # filled once every card is read: the key to the statuses they show
seen = set()
for plan_id in plan_ids:
    plan = cat.plans[plan_id]
    periods = queries.periods(version, plan.scope)
    latest = plan.reading_quarter(periods)  # the quarter the plan's own page opens at
    as_of, absent = ctx.as_of, None
    if as_of is not None and latest is None:  # no data under the plan's scope at all
        absent = t("no_data_plan", ctx.lang, period=quarter)
    elif as_of is not None:
        since = components.period_label(latest, ctx.lang)
        if not plan.base_year < as_of.year <= plan.horizon_end:  # the plan runs from the year after its base
            absent = t("overview.outside_span", ctx.lang, period=quarter, start=plan.base_year + 1,
                       end=plan.horizon_end, latest=since)
        elif as_of not in periods:
            absent = t("overview.no_data_at", ctx.lang, period=quarter, latest=since)
    readable = as_of is not None and absent is None
    rows = queries.progress(version, ctx.who, plan_id, as_of) if readable else []
    shown = plan.at(as_of)  # the targets in force in the quarter read
    head = next((tg for tg in shown.targets if tg.headline), shown.targets[0])
    series = queries.target_series(version, ctx.who, plan_id, head.target_id, as_of) if readable else None
    components.plan_card(plan, as_of, rows, series, ctx.lang, absent=absent)
    seen |= {r.status for r in rows}
if seen:
    with legend:
        components.status_legend(ctx.lang, seen)
