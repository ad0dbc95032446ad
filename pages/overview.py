"""总览 — every plan as a card: headline target, latest actual, completion, status, projection."""

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
for plan_id in plan_ids:
    plan = cat.plans[plan_id]
    as_of = plan.reading_quarter(queries.periods(version, plan.scope))  # each plan at its own quarter
    rows = queries.progress(version, ctx.who, plan_id, as_of) if as_of else []
    head = next((tg for tg in plan.targets if tg.headline), plan.targets[0])
    series = queries.target_series(version, ctx.who, plan_id, head.target_id, as_of) if as_of else None
    components.plan_card(plan, as_of, rows, series, ctx.lang)
