"""城市对比 — the plans' cities side by side on the common indicators (software and IT-service
revenue, 同比, share of the national total, firms by size tier) at the sidebar's quarter, each
figure with the period it is of, and a grouped bar chart of the revenues."""

import streamlit as st

from ui import compare, context, queries
from ui.format import period_label
from ui.i18n import t

ctx = context.current()
st.header(t("compare_page", ctx.lang))
if ctx.as_of is None:
    st.info(t("no_reports", ctx.lang, period="—"))
    st.stop()
catalog = queries.catalog()
rows = queries.city_comparison(queries.data_version(), ctx.who, ctx.as_of)
st.caption(t("compare.note", ctx.lang, period=period_label(ctx.as_of, ctx.lang)))
st.dataframe(compare.table(rows, catalog, ctx.lang), hide_index=True, placeholder="—", width="stretch",
             column_config=compare.column_config(ctx.lang))
if any(r.software_revenue is not None for r in rows):
    st.plotly_chart(compare.bars(rows, catalog, ctx.lang), key="compare-bars")
