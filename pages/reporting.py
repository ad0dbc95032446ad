"""填报率 — who has and has not reported for the quarter, on time or late; a reminder list and 催报
e-mails; the parks and firms ranked by timeliness over the year (报送及时性排名)."""

import datetime as dt

import streamlit as st

from domain.policy import Permission, may
from domain.reporting import MAX_DEADLINE_DAYS, MIN_DEADLINE_DAYS
from ui import components, context, processes, queries, safe, services, tables
from ui import mail as mail_tables
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
if may(ctx.who.role, Permission.SET_DEADLINE) and not processes.reader():  # a reader writes nothing
    new_days = st.number_input(t("deadline_days", ctx.lang), min_value=MIN_DEADLINE_DAYS,
                               max_value=MAX_DEADLINE_DAYS, value=days, step=1)
    if new_days != days:
        services.set_report_deadline(ctx.who, int(new_days))
        days = int(new_days)
if ctx.as_of is None:
    st.info(t("no_reports", ctx.lang, period="—"))
    st.stop()
status = queries.reporting_status(version, ctx.who, root, ctx.as_of, days)
st.caption(md("reporting_for", ctx.lang, org=queries.org_name(root, ctx.lang),
              period=components.period_label(ctx.as_of, ctx.lang), deadline=ctx.as_of.deadline(days)))
population = queries.survey_population(version, ctx.who, root, ctx.as_of.year)
st.caption(t("reporting.population", ctx.lang, year=population.year, during=population.during,
             year_end=population.year_end))
summary = tables.reporting_summary(status, ctx.lang, queries.catalog())
st.dataframe(summary, hide_index=True, placeholder="—", width="stretch",
             column_config={t("rate", ctx.lang): st.column_config.ProgressColumn(format="%.1f%%", min_value=0,
                                                                                 max_value=100)})
todo = tables.reminder_list(status, ctx.lang, queries.catalog())
st.subheader(t("not_reported", ctx.lang))
if todo.empty:
    st.caption(t("all_reported", ctx.lang))
else:
    st.dataframe(todo, hide_index=True, placeholder="—", width="stretch")
    st.download_button(t("reminder", ctx.lang), safe.csv_bytes(todo), f"reminders-{ctx.as_of}.csv", "text/csv")

# 催报邮件 (issue 17, e-mail): reviewers and administrators e-mail the firms above that have not
# reported, after a confirmation stating how many; the outcome stays until the next action.
if may(ctx.who.role, Permission.SEND_REMINDERS) and not processes.elsewhere("reporting", ctx.lang):
    st.subheader(t("mail.remind.title", ctx.lang))
    if queries.mail_server() is None:
        st.info(t("mail.not_configured", ctx.lang))
    else:
        remind_key = f"remind-{root}-{ctx.as_of}"
        remind = queries.reminder_plan(ctx.who, root, ctx.as_of)
        counts = {"none": len(remind.no_address), "done": len(remind.already)}
        if remind.to_send:
            kind = mail_tables.kind_label(remind.kind, ctx.lang)
            st.markdown(md("mail.remind.plan", ctx.lang, n=len(remind.to_send), kind=kind, **counts))
            if st.button(t("mail.remind.button", ctx.lang), key=f"{remind_key}-ask"):
                st.session_state[remind_key] = "confirm"
        else:
            st.caption(t("mail.remind.nobody", ctx.lang, **counts))
        if st.session_state.get(remind_key) == "confirm" and remind.to_send:
            yes, no = st.columns(2)
            if yes.button(t("mail.remind.confirm", ctx.lang, n=len(remind.to_send)), type="primary",
                          key=f"{remind_key}-yes"):
                st.session_state[remind_key] = services.send_reminders(ctx.who, root, ctx.as_of)
                st.rerun()
            if no.button(t("mail.remind.cancel", ctx.lang), key=f"{remind_key}-no"):
                st.session_state[remind_key] = None
                st.rerun()
        elif isinstance(done := st.session_state.get(remind_key), services.RemindersSent):
            shown = md("mail.remind.done", ctx.lang, sent=done.sent, failed=len(done.failed), none=len(done.no_address))
            (st.warning if done.failed else st.success)(shown)
            if done.failed:
                with st.expander(t("mail.remind.failures", ctx.lang)):
                    st.dataframe(mail_tables.failures(done.failed, ctx.lang), hide_index=True, placeholder="—")
            if done.no_address:
                with st.expander(t("mail.remind.no_address", ctx.lang)):
                    st.dataframe(mail_tables.firms(done.no_address, ctx.lang), hide_index=True, placeholder="—")
# 报送及时性排名 (issue 17): the parks and firms ranked over the year up to the chosen quarter.
ranking, computed = queries.reporting_timeliness(version, ctx.who, root, ctx.as_of, days, dt.date.today())
st.subheader(t("timeliness.heading", ctx.lang))
st.caption(t("timeliness.caption", ctx.lang, span=tables.timeliness_span(ranking, ctx.lang), days=days))
st.caption(t("timeliness.computed", ctx.lang, time=computed.strftime("%H:%M:%S"),
             minutes=queries.RANKING_SECONDS // 60))
if not ranking.total.due:
    st.caption(t("timeliness.none", ctx.lang, span=tables.timeliness_span(ranking, ctx.lang)))
else:
    rates = tables.timeliness_column_config(ctx.lang)
    st.markdown(f"**{t('timeliness.parks', ctx.lang)}**")
    st.dataframe(tables.timeliness_parks(ranking, ctx.lang, queries.catalog()), hide_index=True, placeholder="—",
                 width="stretch", column_config=rates)
    st.markdown(f"**{t('timeliness.firms', ctx.lang)}**")
    st.dataframe(tables.timeliness_firms(ranking, ctx.lang), hide_index=True, placeholder="—",
                 width="stretch", column_config=rates)
