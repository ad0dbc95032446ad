"""简报导出 — the quarterly briefing of the chosen plan and quarter: a preview, then Word, PDF and
Excel downloads (each file is made when its button is pressed), and a ZIP of every plan."""

import functools
import io
import zipfile

import streamlit as st

from domain.access import AuthorizationError
from reports import FORMATS, MIME
from reports.apart import render_apart
from reports.briefing import build
from ui import components, context, programme, queries, safe
from ui.i18n import t
from ui.text import escape

ctx = context.current()
st.header(t("export", ctx.lang))
if ctx.plan_id is None or ctx.as_of is None:
    st.info(t("no_data_plan", ctx.lang, period="—"))
    st.stop()
version = queries.data_version()
if ctx.who.scope_org_id:  # a park manager's briefing is their own park's
    park = ctx.who.scope_org_id
else:
    parks = [o.org_id for o in queries.catalog().parks_under(queries.catalog().plans[ctx.plan_id].scope)]
    park = st.selectbox(t("export_scope", ctx.lang), [None, *parks], format_func=lambda p: t("whole_plan", ctx.lang)
                        if p is None else queries.org_name(p, ctx.lang))
try:
    doc = build(queries.briefing_inputs(version, ctx.who, ctx.plan_id, ctx.as_of, park), ctx.lang)
except AuthorizationError:
    st.error(t("not_allowed", ctx.lang))
    st.stop()

components.download_buttons(functools.partial(render_apart, doc), doc.file_stem, MIME, key="briefing")

with st.expander(t("export_all", ctx.lang)):
    if st.button(t("export_all_go", ctx.lang)):
        plans = queries.visible_plans(ctx.who)
        bar = st.progress(0.0)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            jobs = [(p, f) for p in plans for f in FORMATS]
            for i, (plan_id, fmt) in enumerate(jobs, start=1):
                plan = queries.catalog().plans[plan_id]
                as_of = plan.reading_quarter(queries.periods(version, plan.scope))
                bar.progress(i / len(jobs), text=f"{plan_id} · {fmt} ({i}/{len(jobs)})")
                if as_of is None:
                    continue
                one = build(queries.briefing_inputs(version, ctx.who, plan_id, as_of, ctx.who.scope_org_id), ctx.lang)
                zf.writestr(f"{one.file_stem}.{fmt}", render_apart(one, fmt))
        st.session_state["export_zip"] = buf.getvalue()
    if "export_zip" in st.session_state:
        st.download_button(t("export_zip", ctx.lang), st.session_state["export_zip"], "briefings.zip",
                           "application/zip", on_click="ignore")

st.divider()
st.subheader(t("briefing_preview", ctx.lang))
with st.container(border=True):
    st.markdown(f"### {escape(doc.title)}")
    if doc.subtitle:
        st.text(doc.subtitle)
    for line in doc.meta_lines():
        st.text(line)
    for text in doc.summary:
        st.text(text)
    for section in doc.sections:
        st.markdown(f"#### {escape(section.heading)}")
        for i, block in enumerate(section.blocks):
            if block.type == "paragraph":
                st.text(block.text)
            elif block.type == "table":
                st.caption(escape(block.title))
                st.dataframe(safe.safe_frame(block.frame()), hide_index=True, placeholder="—", width="stretch",
                             column_config=programme.preview_column_config(block.columns))
            elif block.figure is not None:
                st.plotly_chart(block.figure, key=f"preview-{section.heading}-{i}")
