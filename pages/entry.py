"""数据填报 — the quarterly form (with last year's figure, live 同比, the published 同比 and the
figures' status) and file upload."""

import datetime as dt

import streamlit as st

from domain.growth import change
from ui import components, context, entry, queries, services
from ui.format import pct
from ui.i18n import localized, t

ctx = context.current()
st.header(t("entry", ctx.lang))
version = queries.data_version()
orgs = queries.writable_orgs(version, ctx.who)
if orgs.empty:
    st.info(t("no_org_to_enter", ctx.lang))
    st.stop()
form_tab, upload_tab = st.tabs([t("form_tab", ctx.lang), t("upload_tab", ctx.lang)])

with form_tab:
    left, right = st.columns([3, 1])
    names = dict(zip(orgs.org_id, orgs.name_zh, strict=True))
    org = left.selectbox(t("org", ctx.lang), list(orgs.org_id), format_func=names.get)
    period = right.selectbox(t("quarter", ctx.lang), entry.reporting_periods(),
                             format_func=lambda p: components.period_label(p, ctx.lang))
    kind = orgs.kind[orgs.org_id == org].iloc[0]
    indicators = entry.form_indicators(kind)
    known = queries.known_values(version, ctx.who, org, (period, period.same_period_last_year()))
    typed: dict[str, float | None] = {}
    published: dict[str, float | None] = {}  # 同比 as the bureau published it, in percent
    for ind in indicators:
        a, b, c, d = st.columns([3, 1.2, 0.8, 1], vertical_alignment="bottom")
        name = f"{ind.code or ''} {localized(ind, 'name', ctx.lang)}".strip()
        label = t("format.with_unit", ctx.lang, label=name, unit=ind.unit)
        typed[ind.indicator_id] = a.number_input(label, value=known.get((ind.indicator_id, period.year, period.quarter)),
                                                 min_value=None if ind.allow_negative else 0.0, format="%.2f",
                                                 key=f"in-{org}-{period}-{ind.indicator_id}")
        before = known.get((ind.indicator_id, period.year - 1, period.quarter))
        b.caption(t("format.labelled", ctx.lang, label=t("last_year", ctx.lang),
                    value="—" if before is None else f"{before:,.2f}"))
        now = typed[ind.indicator_id]
        c.caption(f"{t('yoy', ctx.lang)} {pct(change(now, before))}")
        published[ind.indicator_id] = d.number_input(t("entry_yoy", ctx.lang), value=None, format="%.1f",
                                                     help=t("entry_yoy_help", ctx.lang),
                                                     key=f"yoy-{org}-{period}-{ind.indicator_id}")
    left, right = st.columns(2)
    status = left.selectbox(t("entry_status", ctx.lang), entry.STATUSES,
                            format_func=lambda s: f"{s.value} {t(f'obs_status.{s.value}', ctx.lang)}", key="form-status")
    published_on = right.date_input(t("entry_published_on", ctx.lang), value=None, max_value=dt.date.today(),
                                    help=t("entry_published_on_help", ctx.lang), key="form-published-on")
    explanation = st.text_area(t("explanation", ctx.lang), key="form-explanation")
    if st.button(t("check_submit", ctx.lang), type="primary", key="form-submit"):
        rows = entry.with_published(services.form_rows(org, period, typed, indicators), published, status.value,
                                    published_on)
        if rows.empty:
            st.warning(t("nothing_to_submit", ctx.lang))
        else:
            checked = entry.checked_or_refused(lambda: services.check_rows(ctx.who, t("form_tab", ctx.lang), rows),
                                               ctx.lang)
            if checked is not None:
                entry.submit_checked(checked, ctx.who, "form", explanation, ctx.lang)

with upload_tab:
    a, b = st.columns(2)
    a.download_button(t("template_tidy", ctx.lang), entry.tidy_template(), "tidy-template.csv", "text/csv")
    b.download_button(t("template_wide", ctx.lang), entry.wide_template(), "miit-form-template.xlsx")
    upload = st.file_uploader(t("upload_file", ctx.lang), type=["csv", "xlsx"])
    if upload is not None:
        checked = entry.checked_upload(ctx.who, upload.name, upload.getvalue(), ctx.lang)
        if checked is None:
            st.stop()
        if not checked.rows.empty:
            st.caption(t("preview", ctx.lang))
            st.dataframe(checked.rows.drop(columns=["note"]).head(200), hide_index=True, width="stretch")
        explanation = st.text_area(t("explanation", ctx.lang), key="upload-explanation")
        if st.button(t("check_submit", ctx.lang), type="primary", key="upload-submit") or checked.errors:
            entry.submit_checked(checked, ctx.who, "upload", explanation, ctx.lang)
