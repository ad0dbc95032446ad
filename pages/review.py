"""审核 — accept or return pending submissions (old → new for every figure), and revision history."""

import streamlit as st

from ui import components, context, queries, services, tables
from ui.i18n import localized, t

ctx = context.current()
st.header(t("review", ctx.lang))
version = queries.data_version()
pending = queries.submissions(version, ctx.who, "pending")
if pending.empty:
    st.info(t("no_pending", ctx.lang))
else:
    st.dataframe(tables.submissions_table(pending, ctx.lang), hide_index=True, width="stretch")
    chosen = st.selectbox(t("choose_submission", ctx.lang), list(pending.submission_id),
                          format_func=lambda s: f"#{s} · {pending.orgs[pending.submission_id == s].iloc[0]}")
    changes = queries.submission_rows(version, ctx.who, int(chosen))
    st.dataframe(tables.change_table(changes, ctx.lang), hide_index=True, width="stretch")
    comment = st.text_input(t("comment", ctx.lang))
    accept, back = st.columns(2)
    for column, decision in ((accept, "accepted"), (back, "returned")):
        if column.button(t("accept" if decision == "accepted" else "return", ctx.lang), key=decision, width="stretch"):
            services.review(ctx.who, int(chosen), decision, comment or None)
            st.success(t("reviewed", ctx.lang, decision=t(decision, ctx.lang)))
            st.rerun()

st.subheader(t("recent", ctx.lang))
recent = queries.submissions(version, ctx.who, None, limit=50)
st.dataframe(tables.submissions_table(recent, ctx.lang), hide_index=True, width="stretch")

st.subheader(t("history", ctx.lang))
a, b, c = st.columns([2, 2, 1])
orgs = queries.reviewable_orgs(version, ctx.who)
names = dict(zip(orgs.org_id, orgs.name_zh, strict=True))
org = a.selectbox(t("org", ctx.lang), list(orgs.org_id), format_func=names.get, key="history-org")
cat = queries.catalog()
indicator = b.selectbox(t("indicator", ctx.lang), list(cat.indicators), key="history-indicator",
                        format_func=lambda i: localized(cat.indicators[i], "name", ctx.lang))
period = c.selectbox(t("quarter", ctx.lang), queries.periods(version, org)[::-1] or [ctx.as_of],
                     format_func=lambda p: components.period_label(p, ctx.lang), key="history-period")
st.dataframe(tables.history_table(queries.history(version, ctx.who, org, indicator, period), ctx.lang),
             hide_index=True, width="stretch")
