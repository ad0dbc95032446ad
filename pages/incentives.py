"""企业奖励 — firms that newly reach a plan's revenue thresholds in a year, with each reward and the
total (Qingdao, Jiaxing). Park managers see their own park only; a park typed into the URL
(?park=…) outside their scope is refused by the data layer."""

import functools

import streamlit as st

from domain.access import AuthorizationError
from reports import MIME
from reports.apart import render_apart
from reports.incentives import incentive_list
from ui import components, context, programme, queries
from ui.i18n import t

ctx = context.current()
version = queries.data_version()
cat = queries.catalog()
plan = components.page_plan(ctx, cat, queries.visible_plans(ctx.who), lambda plan: bool(plan.incentives), "incentives_page",
                            "no_incentive_plan")
plan_id = plan.plan_id

requested = st.query_params.get("park")
left, right = st.columns([3, 1])
if ctx.who.scope_org_id:  # a park manager: their park (another one named in the URL is refused below)
    scope = requested or ctx.who.scope_org_id
else:
    options = [plan.scope, *(o.org_id for o in cat.parks_under(plan.scope))]
    scope = left.selectbox(t("reward_scope", ctx.lang), options, index=options.index(requested) if requested in options
                           else 0,
                           format_func=lambda o: t("whole_city", ctx.lang) if o == plan.scope else queries.org_name(o, ctx.lang),
                           key=f"reward-scope-{plan_id}")
complete = {p.year for p in queries.periods(version, plan.scope) if p.quarter == 4}
years = [y for y in range(plan.base_year + 1, plan.horizon_end + 1) if y in complete][::-1]
if not years:
    st.info(t("no_reward_years", ctx.lang))
    st.stop()
year = right.selectbox(t("year", ctx.lang), years, key=f"reward-year-{plan_id}")
try:
    winners = queries.incentive_winners(version, ctx.who, plan_id, scope, year)
except AuthorizationError:
    st.error(t("not_allowed", ctx.lang))
    st.stop()
if ctx.who.scope_org_id:  # named only once the data layer has let the read through
    left.text(t("format.labelled", ctx.lang, label=t("park", ctx.lang), value=queries.org_name(scope, ctx.lang)))

total = programme.reward_total(winners)
cells = st.columns(4)
cells[0].metric(t("firms", ctx.lang), total.firms)
cells[1].metric(t("awards", ctx.lang), total.awards)
cells[2].metric(t("reward_total", ctx.lang), f"{total.amount:,.0f}")
cells[3].metric(t("awards_unpriced", ctx.lang), total.unpriced)
with st.expander(t("reward_rules", ctx.lang)):
    for i in plan.incentives:
        # A figure with its unit in the reader's words (5000万元; 50 million yuan).
        reward = t("figure.sig4", ctx.lang, value=i.reward.value, unit=i.reward.unit) if i.reward else t("no_amount", ctx.lang)
        growth = t("growth_condition", ctx.lang, g=i.min_growth_pct) if i.min_growth_pct is not None else ""
        threshold = t("figure.sig4", ctx.lang, value=i.threshold.value, unit=i.threshold.unit)
        st.markdown(f"- {threshold} → {reward}{growth}")
    st.text("\n".join(dict.fromkeys(f"“{i.source_quote}”" for i in plan.incentives)))

if winners.empty:
    st.caption(t("incentive_none", ctx.lang, year=year))
else:
    st.dataframe(programme.winners_table(winners, ctx.lang, queries.catalog()), hide_index=True, placeholder="—", width="stretch",
                 column_config=programme.winners_column_config(ctx.lang))
scope_name = t("whole_city", ctx.lang) if scope == plan.scope else queries.org_name(scope, ctx.lang)
doc = incentive_list(plan, scope_name, year, winners, ctx.lang, demo=queries.is_demo(version))
components.download_buttons(functools.partial(render_apart, doc), doc.file_stem, MIME, key="rewards")
