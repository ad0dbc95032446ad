"""The base programme's register (基地建设情况表) at a half-year end: designations against the
programme counts, every base with its county, funding and eligibility found in the data, and the
half-year reports owed with their status. Built from `metrics.bases.ProgrammeView`, the same
values the 基地建设 page shows.
"""

from __future__ import annotations

from domain.models import Plan
from metrics import bases
from reports import text
from reports.model import Column, Document, Section, Table
from ui import status
from ui.programme import check_word, half_label, report_word, type_word

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{plan}建设情况表", "{plan}: progress"),
    "subtitle": ("截至{date}", "As of {date}"),
    "as_of": ("截至", "As of"),
    "summary": ("截至{date}，共认定基地{n}个，下达支持资金{funding:,.0f}万元；{failing}个基地经数据核对不符合创建条件；"
                "应报半年报{due}份，按时{on_time}份，逾期{late}份，未报{missing}份。",
                "By {date}: {n} bases designated, {funding:,.0f} 万元 of funding granted; {failing} fail a criterion "
                "on the data; {due} half-year reports due, {on_time} on time, {late} late, {missing} missing."),
    "s_counts": ("一、认定数量与规划目标", "1. Designations against the programme"),
    "s_register": ("二、基地名单", "2. Register"),
    "s_reports": ("三、半年报报送情况", "3. Half-year reports"),
    "t_counts": ("表1  认定数量", "Table 1. Designations"),
    "t_register": ("表2  基地名单及条件核对", "Table 2. Bases and eligibility"),
    "t_reports": ("表3  半年报（应报）", "Table 3. Half-year reports due"),
    "type": ("类型", "Type"),
    "years": ("计划年度", "Programme years"),
    "target": ("目标数", "Target"),
    "count": ("已认定", "Designated"),
    "year": ("认定年度", "Year"),
    "name": ("基地名称", "Base"),
    "county": ("所在县（市、区）", "County"),
    "funding": ("支持资金（万元）", "Funding (万元)"),
    "teams": ("初创团队（家）", "Start-up teams"),
    "eligible": ("条件核对", "Eligibility"),
    "detail": ("核对依据", "Basis"),
    "half": ("半年度", "Half-year"),
    "deadline": ("报送期限", "Deadline"),
    "received": ("报送日期", "Received"),
    "sh_counts": ("认定数量", "Counts"),
    "sh_register": ("基地名单", "Register"),
    "sh_reports": ("半年报", "Reports"),
}


_t = text.words(TEXT)


def base_register(plan: Plan, view: bases.ProgrammeView, lang: str = "zh", demo: bool = False) -> Document:
    ds = view.designations
    names = {d.base_id: d for d in ds}
    states = [r.state for r in view.reports]
    title = plan.title_zh if lang == "zh" else plan.title_en
    failing = sum(view.eligibility[d.base_id][0] == bases.Check.NOT_MET for d in ds)
    summary = _t("summary", lang).format(
        date=view.as_of, n=len(ds), funding=sum(d.funding for d in ds), failing=failing, due=len(states),
        on_time=states.count(bases.ReportState.ON_TIME), late=states.count(bases.ReportState.LATE),
        missing=states.count(bases.ReportState.MISSING))
    counts = Table(
        title=_t("t_counts", lang), sheet=_t("sh_counts", lang),
        columns=[Column(header=_t("type", lang)), Column(header=_t("years", lang)),
                 Column(header=_t("target", lang), kind="integer"), Column(header=_t("count", lang), kind="integer"),
                 Column(header=_t("status", lang))],
        rows=[[type_word(r.base_type, lang), f"{r.first_year}" if r.first_year == r.target_year else
               f"{r.first_year}—{r.target_year}", r.target, r.count, status.word(r.assessment.status, lang)]
              for r in view.counts])
    register = Table(
        title=_t("t_register", lang), sheet=_t("sh_register", lang),
        columns=[Column(header=_t("year", lang)), Column(header=_t("type", lang)), Column(header=_t("name", lang)),
                 Column(header=_t("county", lang)), Column(header=_t("funding", lang), kind="number", decimals=0),
                 Column(header=_t("teams", lang), kind="integer"), Column(header=_t("eligible", lang)),
                 Column(header=_t("detail", lang))],
        rows=[[str(d.year), type_word(d.base_type, lang), d.name, d.county_name, d.funding, d.startup_teams,
               check_word(view.eligibility[d.base_id][0], lang),
               "；".join(c.detail_zh if lang == "zh" else c.detail_en for c in view.eligibility[d.base_id][1])]
              for d in ds])
    reports = Table(
        title=_t("t_reports", lang), sheet=_t("sh_reports", lang),
        columns=[Column(header=_t("name", lang)), Column(header=_t("county", lang)), Column(header=_t("half", lang)),
                 Column(header=_t("deadline", lang)), Column(header=_t("received", lang)),
                 Column(header=_t("status", lang))],
        rows=[[names[r.base_id].name, names[r.base_id].county_name, half_label(r.year, r.half, lang),
               r.deadline.isoformat(), r.received_on.isoformat() if r.received_on else None, report_word(r.state, lang)]
              for r in view.reports])
    meta = [(_t("plan", lang), title), (_t("as_of", lang), view.as_of.isoformat())]
    if demo:
        meta.append((_t("nature", lang), _t("demo", lang)))
    return Document(
        title=_t("title", lang).format(plan=title), subtitle=_t("subtitle", lang).format(date=view.as_of),
        meta=meta, summary=[summary],
        sections=[Section(heading=_t("s_counts", lang), blocks=[counts]),
                  Section(heading=_t("s_register", lang), blocks=[register]),
                  Section(heading=_t("s_reports", lang), blocks=[reports])],
        footer=_t("demo", lang) if demo else "", lang="zh" if lang == "zh" else "en",
        file_stem=f"{plan.plan_id}-bases-{view.as_of}")
