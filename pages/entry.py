"""数据填报 — the quarterly form (with last year's figure, live 同比, the published 同比, the figures'
status and the quarter's deadline) and file upload; a returned submission is corrected here."""

import streamlit as st

from ui import context, entry, queries
from ui.i18n import t

ctx = context.current()
st.header(t("entry", ctx.lang))
version = queries.data_version()
orgs = queries.writable_orgs(version, ctx.who)
if orgs.empty:
    st.info(t("no_org_to_enter", ctx.lang))
    st.stop()
entry.show_notice()
fix = entry.correction(ctx, version)
# Keyed, so the tab in use stays chosen when a submission empties the form and the uploader.
form_tab, upload_tab = st.tabs([t("form_tab", ctx.lang), t("upload_tab", ctx.lang)], key="entry-tab")
with form_tab:
    entry.form(ctx, version, orgs, fix)
with upload_tab:
    entry.upload(ctx, version, orgs, fix)
