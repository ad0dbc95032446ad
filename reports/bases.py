"""The base programme's register (基地建设情况表) at a half-year end: designations against the
programme counts, every base with its county, funding and eligibility found in the data, and the
half-year reports owed with their status. Built from `metrics.bases.ProgrammeView` (read by
`service.queries.base_programme`), the same values the 基地建设 page shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.messages import localized, words
from domain.models import Plan
from reports.model import Column, Document, Section, Table
from ui import status
from ui.programme import (
    check_word,
    eligibility_detail,
    half_label,
    not_eligible,
    programme_years,
    report_tally,
    report_word,
    type_word,
)

if TYPE_CHECKING:
    from metrics.bases import ProgrammeView


def base_register(plan: Plan, view: ProgrammeView, lang: str = "zh", demo: bool = False) -> Document:
    t = words(lang)
    ds = view.designations
    names = {d.base_id: d for d in ds}
    title = localized(plan, "title", lang)
    on_time, late, missing = report_tally(view)
    summary = t("base_report.summary", date=view.as_of, n=len(ds), funding=sum(d.funding for d in ds),
                failing=len(not_eligible(view)), due=len(view.reports), on_time=on_time, late=late, missing=missing)
    counts = Table(
        title=t("base_report.t_counts"), sheet=t("base_report.sh_counts"),
        columns=[Column(header=t("base_report.type")), Column(header=t("programme_years")),
                 Column(header=t("base_report.target"), kind="integer"), Column(header=t("base_report.count"), kind="integer"),
                 Column(header=t("status"))],
        rows=[[type_word(r.base_type, lang), programme_years(r), r.target, r.count, status.word(r.assessment.status, lang)]
              for r in view.counts])
    register = Table(
        title=t("base_report.t_register"), sheet=t("base_report.sh_register"),
        columns=[Column(header=t("base_report.year")), Column(header=t("base_report.type")), Column(header=t("base_name")),
                 Column(header=t("county")), Column(header=t("funding"), kind="number", decimals=0),
                 Column(header=t("startup_teams"), kind="integer"), Column(header=t("eligibility")),
                 Column(header=t("eligibility_detail"))],
        rows=[[str(d.year), type_word(d.base_type, lang), d.name, d.county_name, d.funding, d.startup_teams,
               check_word(view.eligibility[d.base_id][0], lang),
               eligibility_detail(view, d.base_id, lang)]
              for d in ds])
    reports = Table(
        title=t("base_report.t_reports"), sheet=t("base_report.sh_reports"),
        columns=[Column(header=t("base_name")), Column(header=t("county")), Column(header=t("half_year")),
                 Column(header=t("deadline")), Column(header=t("received_on")),
                 Column(header=t("status"))],
        rows=[[names[r.base_id].name, names[r.base_id].county_name, half_label(r.year, r.half, lang),
               r.deadline.isoformat(), r.received_on.isoformat() if r.received_on else None, report_word(r.state, lang)]
              for r in view.reports])
    meta = [(t("plan"), title), (t("as_of_half"), view.as_of.isoformat())]
    if demo:
        meta.append((t("report.nature"), t("demo_badge")))
    return Document(
        title=t("base_report.title", plan=title), subtitle=t("base_report.subtitle", date=view.as_of),
        meta=meta, summary=[summary],
        sections=[Section(heading=t("base_report.s_counts"), blocks=[counts]),
                  Section(heading=t("base_report.s_register"), blocks=[register]),
                  Section(heading=t("base_report.s_reports"), blocks=[reports])],
        footer=t("demo_badge") if demo else "", lang=lang,
        file_stem=f"{plan.plan_id}-bases-{view.as_of}")
