"""邮件记录 — every e-mail the product sent or failed to send, newest first (administrators): the
mail server in use (never its password), filters by state and kind, failures in red, one message's text."""

import streamlit as st

from ui import context, queries
from ui.i18n import Message, md, t
from ui.mail import kind_label, log_table, status_label

ctx = context.current()
st.header(t("mail_page", ctx.lang))
server = queries.mail_server()
if server is None:
    st.warning(t("mail.not_configured", ctx.lang))
else:
    login = Message.of("mail.configured.login", user=server.user) if server.user else ""
    st.info(md("mail.configured", ctx.lang, host=server.host, port=server.port, tls=server.tls, sender=server.sender,
               login=login))
left, right = st.columns(2)
status = left.selectbox(t("mail.filter.status", ctx.lang), [None, *queries.MAIL_STATUSES],
                        format_func=lambda s: status_label(s, ctx.lang))
kind = right.selectbox(t("mail.filter.kind", ctx.lang), [None, *queries.MAIL_KINDS],
                       format_func=lambda k: kind_label(k, ctx.lang))
log = queries.mail_log(ctx.who, status, kind)
if log.empty:
    st.info(t("mail.log.empty", ctx.lang))
    st.stop()
failed = int((log.status == "failed").sum())
if failed:
    st.caption(t("mail.log.failed_count", ctx.lang, n=failed))
st.dataframe(log_table(log, ctx.lang), hide_index=True, placeholder="—", width="stretch")
subjects = dict(zip(log.mail_id, log.subject, strict=True))
pick = st.selectbox(t("mail.body.pick", ctx.lang), list(subjects), format_func=lambda i: f"№{i} · {subjects[i]}")
body = log.body[log.mail_id == pick].iloc[0]
st.text(t("mail.body.none", ctx.lang) if body is None or body != body else body)  # body != body: NaN
