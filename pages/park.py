"""园区 — a park's enterprises with their latest figures (only the parks the user may see)."""

import streamlit as st

from store.access import AuthorizationError
from ui import context, data, tables
from ui.i18n import t

ctx = context.current()
parks = data.visible_parks(data.data_version(), ctx.who)
options = list(parks.org_id)
requested = st.query_params.get("park")
if not options and not requested:
    st.info(t("no_parks", ctx.lang))
    st.stop()
names = dict(zip(parks.org_id, parks.name_zh, strict=True))
index = options.index(requested) if requested in options else 0
park = requested if requested and requested not in options else st.selectbox(
    t("park", ctx.lang), options, index=index, format_func=lambda o: f"{names[o]}（{o}）")
st.header(f"{t('park', ctx.lang)} · {names.get(park, park)}")
try:
    # A park outside the user's scope (typed into the URL) is refused by the data layer itself.
    frame = data.enterprise_figures(data.data_version(), ctx.who, park, ctx.as_of)
except AuthorizationError:
    st.error(t("not_allowed", ctx.lang))
    st.stop()
if not frame.reported.any():
    st.info(t("no_reports", ctx.lang).format(period=ctx.as_of.label_zh()))
st.subheader(f"{t('enterprises', ctx.lang)}（{ctx.as_of.label_zh()}）")
st.dataframe(tables.enterprise_table(frame, ctx.lang), hide_index=True, width="stretch",
             column_config={t("yoy", ctx.lang): st.column_config.NumberColumn(format="%.1f%%"),
                            t("share_of_park", ctx.lang): st.column_config.NumberColumn(format="%.1f%%")})
