"""基地建设 — Zhejiang's base programme at a half-year end: designations against the programme
counts, the province's growth target, each base's eligibility from the data, funding, and the
half-year reports; reviewers record designations and reports received."""

import datetime as dt
import functools

import streamlit as st

from domain.models import Plan, ProgrammeCountTarget
from domain.periods import Period
from domain.policy import Permission, may
from domain.programme import (
    BaseReportInput,
    BaseType,
    DesignationInput,
    ProgrammeInputError,
    base_id_for,
    half_containing,
    half_year_deadline,
    validated,
)
from domain.units import Dimension, to_canonical
from reports import MIME
from reports.apart import render_apart
from reports.bases import base_register
from ui import charts, components, context, processes, programme, programme_figures, queries, services
from ui.i18n import local_names, localized, md, md_message, t
from ui.text import escape

ctx = context.current()
version = queries.data_version()
cat = queries.catalog()


def counted(plan: Plan) -> list[ProgrammeCountTarget]:
    return [x for x in plan.targets if isinstance(x, ProgrammeCountTarget)]


plan = components.page_plan(ctx, cat, queries.visible_plans(ctx.who), counted, "bases_page", "no_base_plan")
plan_id = plan.plan_id

first_year = min(x.first_year for x in counted(plan))
halves = [(y, h) for y in range(first_year, plan.horizon_end + 1) for h in (1, 2)][::-1]
wanted = half_containing(ctx.as_of.end_date) if ctx.plan_id == plan_id and ctx.as_of else None
half = st.selectbox(t("as_of_half", ctx.lang), halves, index=halves.index(wanted) if wanted in halves else 0,
                    format_func=lambda yh: t("format.aside", ctx.lang, text=programme.half_label(*yh, ctx.lang),
                                             aside=half_year_deadline(*yh)),
                    key=f"bases-half-{plan_id}")
as_of = half_year_deadline(*half)
view = queries.base_programme(version, ctx.who, plan_id, as_of)
standard = {m.applies_to: m.amount.canonical for m in plan.measures if m.amount and m.applies_to}
failing = programme.not_eligible(view)
owed = programme.reports_not_on_time(view)

cells = st.columns(4)
cells[0].metric(t("designated", ctx.lang), len(view.designations))
cells[1].metric(t("funding_total", ctx.lang), f"{sum(d.funding for d in view.designations):,.0f}")
cells[2].metric(t("not_eligible", ctx.lang), len(failing))
cells[3].metric(t("reports_not_on_time", ctx.lang), len(owed))

doc = base_register(plan, view, ctx.lang, demo=queries.is_demo(version))
components.download_buttons(functools.partial(render_apart, doc), doc.file_stem, MIME, key="base-register")

st.subheader(t("programme_counts", ctx.lang))
left, right = st.columns([3, 2])
left.dataframe(programme.count_table(view.counts, ctx.lang), hide_index=True, width="stretch")
with right:
    st.plotly_chart(charts.shared(programme_figures.count_bars, view.designations, view.counts, ctx.lang), key="count-bars")

period = Period.containing(as_of)
growth = [r for r in queries.progress(version, ctx.who, plan_id, period) if r.kind == "growth"]
if growth:
    components.status_legend(ctx.lang, {r.status for r in growth})
for row in growth:
    st.subheader(escape(localized(row, "name", ctx.lang)))
    components.badge(row.status, ctx.lang)
    st.caption(md("format.labelled", ctx.lang, label=t("reason", ctx.lang), value=row.reason))
    series = queries.target_series(version, ctx.who, plan_id, row.target_id, period)
    rate = to_canonical(row.target, row.unit, Dimension.RATIO)  # the plan's 15 (%) as the fraction 0.15
    st.plotly_chart(charts.shared(programme_figures.growth_bars, series.annual, rate, row.base_year + 1, row.target_year,
                                  ctx.lang),
                    key=f"growth-{row.target_id}")

if plan.rules:
    st.subheader(t("programme_rules", ctx.lang))
    st.markdown("\n".join(f"- {line}" for line in programme.rule_lines(plan, ctx.lang)))
    st.caption(t("rule.enforced", ctx.lang))

st.subheader(t("designation_register", ctx.lang))
if failing:
    st.warning(t("some_not_eligible", ctx.lang, n=len(failing)))
register = programme.designation_table(view, standard, ctx.lang, queries.catalog())
st.dataframe(register, hide_index=True, placeholder="—", width="stretch",
             column_config=programme.funding_column_config(register, ctx.lang))
st.caption(t("funding_by_type", ctx.lang))
funding = programme.funding_table(view, ctx.lang)
st.dataframe(funding, hide_index=True, placeholder="—", width="stretch",
             column_config=programme.funding_column_config(funding, ctx.lang))

st.subheader(t("half_year_reports", ctx.lang))
st.caption(t("half_year_rule", ctx.lang))
if view.reports:
    st.dataframe(programme.report_summary_table(view, ctx.lang), hide_index=True, placeholder="—", width="stretch")
    if owed:
        st.caption(t("reports_not_on_time", ctx.lang))
        st.dataframe(programme.late_or_missing_table(view, ctx.lang, queries.catalog()), hide_index=True,
                     placeholder="—", width="stretch")
else:
    st.caption(t("no_reports_due", ctx.lang))

if may(ctx.who.role, Permission.RECORD_BASES) and not processes.elsewhere("bases", ctx.lang):
    st.subheader(t("record_bases", ctx.lang))
    new_tab, report_tab = st.tabs([t("record_designation", ctx.lang), t("record_report", ctx.lang)])
    with new_tab:
        counties = queries.counties(version, ctx.who, plan.scope)
        names = dict(zip(counties.org_id, local_names(counties.name_zh, counties.get("name_en"), ctx.lang), strict=True))
        a, b, c = st.columns(3)
        county = a.selectbox(t("county", ctx.lang), list(names), format_func=names.get, key="new-county")
        kind = b.selectbox(t("base_type", ctx.lang), list(BaseType), key="new-type",
                           format_func=lambda k: programme.type_word(k, ctx.lang))
        year = c.selectbox(t("year", ctx.lang), list(range(first_year, max(x.target_year for x in counted(plan)) + 1)),
                           key="new-year")
        base_id = base_id_for(year, kind, county)
        existing = queries.designation_history(version, ctx.who, plan_id, base_id)
        if not existing.empty:
            st.info(t("is_correction", ctx.lang, revision=int(existing.revision.max())))
        name = st.text_input(t("base_name", ctx.lang), max_chars=120, key="new-name")
        d, e, f = st.columns(3)
        on = d.date_input(t("designated_on", ctx.lang), value=dt.date(year, 4, 1), key="new-on")
        funding = e.number_input(t("funding", ctx.lang), min_value=0.0, value=standard.get(kind.value, 0.0), step=100.0,
                                 key="new-funding")
        teams = f.number_input(t("startup_teams", ctx.lang), min_value=0, value=None, step=1, key="new-teams")
        withdrawn = st.checkbox(t("withdraw", ctx.lang), key="new-withdrawn")
        note = st.text_input(t("note", ctx.lang), max_chars=2000, key="new-note")
        if st.button(t("record", ctx.lang), type="primary", key="new-submit"):
            try:
                revision = services.record_designation(ctx.who, validated(
                    DesignationInput, plan_id=plan_id, base_id=base_id, name=name, base_type=kind, county_id=county,
                    year=year, designated_on=on, funding=funding, startup_teams=teams, withdrawn=withdrawn, note=note))
            except ProgrammeInputError as err:
                st.error(md_message(err.reason, ctx.lang))
            else:
                st.session_state["bases-recorded"] = t("recorded", ctx.lang, revision=revision)
                st.rerun()
    with report_tab:
        live = {x.base_id: x for x in queries.designations(version, ctx.who, plan_id) if not x.withdrawn}
        if not live:
            st.caption(t("no_designations", ctx.lang))
        else:
            a, b = st.columns([3, 2])
            base = a.selectbox(t("base_name", ctx.lang), list(live), key="report-base",
                               format_func=lambda i: t("format.aside", ctx.lang, text=live[i].name, aside=live[i].year))
            which = b.selectbox(t("half_year", ctx.lang), programme.construction_halves(live[base]), key="report-half",
                                format_func=lambda yh: programme.half_label(*yh, ctx.lang))
            received_on = st.date_input(t("received_on", ctx.lang), value=half_year_deadline(*which), key="report-on")
            note = st.text_input(t("note", ctx.lang), max_chars=2000, key="report-note")
            if st.button(t("record", ctx.lang), type="primary", key="report-submit"):
                try:
                    revision = services.record_base_report(ctx.who, validated(
                        BaseReportInput, plan_id=plan_id, base_id=base, year=which[0], half=which[1],
                        received_on=received_on, note=note))
                except ProgrammeInputError as err:
                    st.error(md_message(err.reason, ctx.lang))
                else:
                    st.session_state["bases-recorded"] = t("recorded", ctx.lang, revision=revision)
                    st.rerun()
    if message := st.session_state.pop("bases-recorded", None):
        st.success(message)
