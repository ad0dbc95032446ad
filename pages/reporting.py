"""填报率 — who has and has not reported for the quarter, on time or late; a reminder list; the parks
and firms ranked by timeliness over the year (报送及时性排名)."""

import datetime as dt

import streamlit as st

from domain.policy import Permission, may
from domain.reporting import MAX_DEADLINE_DAYS, MIN_DEADLINE_DAYS
from ui import components, context, queries, safe, services, tables
from ui.i18n import md, t

ctx = context.current()
st.header(t("reporting", ctx.lang))
version = queries.data_version()
cat = queries.catalog()
if ctx.who.scope_org_id:
    root = ctx.who.scope_org_id
else:
    root = cat.plans[ctx.plan_id].scope if ctx.plan_id else cat.root
days = queries.report_deadline_days(version)
if may(ctx.who.role, Permission.SET_DEADLINE):
    new_days = st.number_input(t("deadline_days", ctx.lang), min_value=MIN_DEADLINE_DAYS,
                               max_value=MAX_DEADLINE_DAYS, value=days, step=1)
    if new_days != days:
        services.set_report_deadline(ctx.who, int(new_days))
        days = int(new_days)
if ctx.as_of is None:
    st.info(t("no_reports", ctx.lang, period="—"))
    st.stop()
status = queries.reporting_status(version, ctx.who, root, ctx.as_of, days)
st.caption(md("reporting_for", ctx.lang, org=queries.org_name(root), period=components.period_label(ctx.as_of, ctx.lang),
                                               deadline=ctx.as_of.deadline(days)))
summary = tables.reporting_summary(status, ctx.lang)
st.dataframe(summary, hide_index=True, width="stretch",
             column_config={t("rate", ctx.lang): st.column_config.ProgressColumn(format="%.1f%%", min_value=0,
                                                                                 max_value=100)})
todo = tables.reminder_list(status, ctx.lang)
st.subheader(t("not_reported", ctx.lang))
if todo.empty:
    st.caption(t("all_reported", ctx.lang))
else:
    st.dataframe(todo, hide_index=True, width="stretch")
    st.download_button(t("reminder", ctx.lang), safe.csv_bytes(todo), f"reminders-{ctx.as_of}.csv", "text/csv")

# 报送及时性排名 (issue 17): the parks and firms ranked over the year up to the chosen quarter.
ranking = queries.reporting_timeliness(version, ctx.who, root, ctx.as_of, days, dt.date.today())
st.subheader(t("timeliness.heading", ctx.lang))
st.caption(t("timeliness.caption", ctx.lang, span=tables.timeliness_span(ranking, ctx.lang), days=days))
if not ranking.total.due:
    st.caption(t("timeliness.none", ctx.lang, span=tables.timeliness_span(ranking, ctx.lang)))
else:
    rates = tables.timeliness_column_config(ctx.lang)
    st.markdown(f"**{t('timeliness.parks', ctx.lang)}**")
    st.dataframe(tables.timeliness_parks(ranking, ctx.lang), hide_index=True, width="stretch", column_config=rates)
    st.markdown(f"**{t('timeliness.firms', ctx.lang)}**")
    st.dataframe(tables.timeliness_firms(ranking, ctx.lang), hide_index=True, width="stretch", column_config=rates)
