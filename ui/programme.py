"""Tables for the pages on plans beyond revenue: 任务督办, 基地建设, 企业奖励, 准入条件核查.

Values in, display frames out (no queries). Text typed by people (progress notes, base names,
firm names) is passed through `safe.safe_frame`, because st.dataframe offers a CSV download of
what it shows and a note starting with "=" must not become a formula there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

import pandas as pd

from domain.catalog import Catalog
from domain.messages import join
from domain.models import ApplicationDeadline, Duty, OneTypePerCounty, Plan, PublicityPeriod
from domain.periods import Period
from domain.programme import BaseType, TaskStatus, half_year_deadline
from domain.units import convert
from metrics import bases, criteria, incentives, tasks
from ui import safe, status
from ui.i18n import localized, org_names, render, t, unit_word


def status_word(s: TaskStatus | str, lang: str) -> str:
    return t(f"task_status.{TaskStatus(s).value}", lang)


def type_word(b: BaseType | str, lang: str) -> str:
    return t(f"base_type.{BaseType(b).value}", lang)


def quarter_label(p: Period, lang: str) -> str:
    return t("period.quarter", lang, year=p.year, quarter=p.quarter)


def half_label(year: int, half: int, lang: str) -> str:
    return t(f"period.half.{half}", lang, year=year)


def yes(flag: bool, lang: str) -> str:
    return t("yes", lang) if flag else ""


# ------------------------------------------------------------------------------------ tasks


def notes(state: tasks.TaskState, lang: str) -> str:
    """This quarter's notes of the lead departments, each named; a department that did not report says so."""
    parts = []
    for d in state.departments:
        if d.reported_this_quarter:
            parts.append(t("format.labelled", lang, label=d.department, value=d.note or status_word(d.status, lang)))
        elif d.owes_report:
            parts.append(t("format.labelled", lang, label=d.department, value=t("not_reported_short", lang)))
    return join("join.clauses", parts, lang)


def task_table(states: Sequence[tasks.TaskState], lang: str) -> pd.DataFrame:
    """Status first (what a reader scans for), the long task text after it, the section last."""
    return safe.safe_frame(pd.DataFrame({
        t("task_no", lang): [s.task.task_id for s in states],
        t("status", lang): [status_word(s.status, lang) for s in states],
        t("overdue", lang): [yes(s.overdue, lang) for s in states],
        t("task", lang): [s.task.text for s in states],
        t("lead_departments", lang): [join("join.list", s.task.departments, lang) for s in states],
        t("due", lang): [s.task.due for s in states],
        t("progress_notes", lang): [notes(s, lang) for s in states],
        t("section", lang): [s.task.section for s in states],
    }))


def completion_table(rows: Sequence[tasks.Completion], header: str, lang: str) -> pd.DataFrame:
    """Tasks per group by status, with the share done (in %, for a progress column)."""
    return safe.safe_frame(pd.DataFrame({
        header: [r.name for r in rows],
        t("task_count", lang): [r.total for r in rows],
        status_word(TaskStatus.DONE, lang): [r.done for r in rows],
        status_word(TaskStatus.IN_PROGRESS, lang): [r.in_progress for r in rows],
        status_word(TaskStatus.DELAYED, lang): [r.delayed for r in rows],
        status_word(TaskStatus.NOT_STARTED, lang): [r.not_started for r in rows],
        t("overdue", lang): [r.overdue for r in rows],
        t("share_done", lang): [None if r.share_done is None else r.share_done * 100 for r in rows],
    }))


def missing_table(missing: Sequence[tasks.Missing], lang: str) -> pd.DataFrame:
    return safe.safe_frame(pd.DataFrame({
        t("department", lang): [m.department for m in missing],
        t("reports_owed", lang): [len(m.task_ids) for m in missing],
        t("task_no", lang): [join("join.list", m.task_ids, lang) for m in missing],
    }))


def task_history_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every revision of a task's quarterly reports, oldest first."""
    return safe.safe_frame(pd.DataFrame({
        t("quarter", lang): [quarter_label(Period(int(y), int(q)), lang) for y, q in zip(frame.year, frame.quarter,
                                                                                        strict=True)],
        t("department", lang): frame.department,
        t("rev", lang): frame.revision,
        t("status", lang): [status_word(s, lang) for s in frame.status],
        t("progress_note", lang): frame.note,
        t("by", lang): frame.entered_by,
        t("at", lang): frame.entered_at,
    }))


def recurrence_word(d: Duty, lang: str) -> str:
    return t(f"recurrence.{d.every.value}" if d.every else "recurrence.once", lang)


def duty_span(d: Duty) -> str:
    """When a duty falls due as the plan dates it: its one date, or its first and last recurrence."""
    dates = d.occurrences()
    if not dates:
        return ""
    return dates[0].isoformat() if len(dates) == 1 else f"{dates[0].isoformat()}—{dates[-1].isoformat()}"


def duty_table(plan: Plan, quarter: Period, lang: str) -> pd.DataFrame:
    """The plan's duties beside its tasks: who owes what to whom, how often, and the date next due
    in or after the quarter (blank once none is left or where the plan gives no date)."""
    ds = plan.duties
    after = quarter.previous().end_date
    return safe.safe_frame(pd.DataFrame({
        t("task_no", lang): [d.duty_id for d in ds],
        t("duty_kind", lang): [t(f"duty_kind.{d.kind.value}", lang) for d in ds],
        t("duty", lang): [d.text for d in ds],
        t("owed_by", lang): [join("join.list", d.owed_by, lang) for d in ds],
        t("recipients", lang): [join("join.list", d.recipients, lang) for d in ds],
        t("frequency", lang): [recurrence_word(d, lang) for d in ds],
        t("due", lang): [duty_span(d) for d in ds],
        t("next_due", lang): [(n.isoformat() if (n := d.next_due(after)) else "") for d in ds],
        t("after_duty", lang): [d.after or "" for d in ds],
    }))


def park_facts(catalog: Catalog, park_id: str, lang: str) -> list[str]:
    """What the plans say about a park besides its targets: its planned land area (and the same in
    公顷) and the named bases it is to become (Qingdao's 产业集群)."""
    out = []
    org = catalog.organisations.get(park_id)
    if org is not None and org.planned_land is not None:
        land = org.planned_land
        out.append(t("park.planned_land_about" if org.planned_land_about else "park.planned_land", lang,
                     value=land.value, unit=land.unit, ha=convert(land.value, land.unit, "公顷")))
    clusters = [c for p in catalog.plans.values() for c in p.cluster_bases if park_id in c.parks]
    for year in sorted({c.by_year for c in clusters}):
        names = [localized(c, "name", lang) for c in clusters if c.by_year == year]
        out.append(t("park.cluster_bases", lang, year=year, names=join("join.list", names, lang)))
    return out


# ----------------------------------------------------------------------- admission criteria


def admission_table(checks: Sequence[criteria.UnitCheck], lang: str) -> pd.DataFrame:
    """Each park (or firm) against each condition of admission, in the order given (units below a
    criterion first): the figure in the criterion's own unit and how it was formed, or what is missing."""
    return safe.safe_frame(pd.DataFrame({
        t("criteria.col.criterion", lang): [localized(c.criterion, "text", lang) for c in checks],
        t("criteria.col.unit", lang): [localized(c.unit, "name", lang) for c in checks],
        t("eligibility", lang): [check_word(c.result, lang) for c in checks],
        t("criteria.col.figure", lang): [None if c.value is None else round(c.value, 2) for c in checks],
        t("criteria.col.threshold", lang): [c.threshold for c in checks],
        t("unit", lang): [unit_word(c.unit_symbol, lang) for c in checks],
        t("criteria.col.basis", lang): [render(c.detail, lang) for c in checks],
    }))


def admission_column_config(lang: str) -> dict:
    """Figure and threshold with thousands separators and the two decimals the figure is rounded to."""
    import streamlit as st

    figure = st.column_config.NumberColumn(format="%,.2f")
    return {t("criteria.col.figure", lang): figure, t("criteria.col.threshold", lang): figure}


# ------------------------------------------------------------------------------------ bases


def rule_lines(plan: Plan, lang: str) -> list[str]:
    """The programme's procedural rules as the bases page states them, one line each."""
    out = []
    for r in plan.rules:
        round_ = t("rule.round", lang, year=r.round) if r.round is not None else t("rule.every_round", lang)
        match r:
            case ApplicationDeadline():
                out.append(t("rule.application_deadline", lang, round=round_, due=r.due.isoformat(),
                             recipients=join("join.list", r.recipients, lang)))
            case PublicityPeriod():
                out.append(t("rule.publicity", lang, round=round_, days=r.days))
            case OneTypePerCounty():
                out.append(t("rule.one_type_per_county", lang, round=round_))
            case _:
                assert_never(r)
    return out


def programme_years(r: bases.CountRow) -> str:
    """The years a count target runs over: 2016, or 2016—2018."""
    return f"{r.first_year}" if r.first_year == r.target_year else f"{r.first_year}—{r.target_year}"


def count_table(rows: Sequence[bases.CountRow], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("base_type", lang): [type_word(r.base_type, lang) for r in rows],
        t("programme_years", lang): [programme_years(r) for r in rows],
        t("target_value", lang): [("≈" if r.comparator.value == "about" else "") + f"{r.target:g}" for r in rows],
        t("designated", lang): [r.count for r in rows],
        t("status", lang): [status.word(r.assessment.status, lang) for r in rows],
        t("reason", lang): [render(r.assessment.reason, lang) for r in rows],
    })


def check_word(c: bases.Check, lang: str) -> str:
    return t(f"check.{bases.Check(c).value}", lang)


def eligibility_detail(view: bases.ProgrammeView, base_id: str, lang: str) -> str:
    """What the data says about each criterion of a base, one clause each."""
    return join("join.clauses", (render(c.detail, lang) for c in view.eligibility[base_id][1]), lang)


def _county(d: bases.Designation, lang: str, catalog: Catalog | None) -> str:
    """A base's county in the reader's language (the catalog's English name, where it has one)."""
    org = catalog.organisations.get(d.county_id) if catalog is not None else None
    return localized(org, "name", lang) if org is not None else d.county_name


def designation_table(view: bases.ProgrammeView, standard: dict[str, float], lang: str,
                      catalog: Catalog | None = None) -> pd.DataFrame:
    """The register: each base with its county, funding (万元) and the eligibility found in the data."""
    ds = view.designations
    return safe.safe_frame(pd.DataFrame({
        t("year", lang): [d.year for d in ds],
        t("base_type", lang): [type_word(d.base_type, lang) for d in ds],
        t("base_name", lang): [d.name for d in ds],
        t("county", lang): [_county(d, lang, catalog) for d in ds],
        t("designated_on", lang): [d.designated_on for d in ds],
        t("funding", lang): [d.funding for d in ds],
        t("standard_funding", lang): [standard.get(d.base_type.value) for d in ds],
        t("startup_teams", lang): [d.startup_teams for d in ds],
        t("eligibility", lang): [check_word(view.eligibility[d.base_id][0], lang) for d in ds],
        t("eligibility_detail", lang): [eligibility_detail(view, d.base_id, lang) for d in ds],
    }))


def funding_table(view: bases.ProgrammeView, lang: str) -> pd.DataFrame:
    """Funding granted per type and year, 万元, with the total."""
    frame = pd.DataFrame([(type_word(d.base_type, lang), d.year, d.funding) for d in view.designations],
                         columns=[t("base_type", lang), t("year", lang), t("funding", lang)])
    if frame.empty:
        return frame
    table = frame.pivot_table(index=t("base_type", lang), columns=t("year", lang), values=t("funding", lang),
                              aggfunc="sum", fill_value=0, margins=True, margins_name=t("sum", lang))
    table.columns = [str(c) for c in table.columns]
    return table.reset_index()


def funding_column_config(frame: pd.DataFrame, lang: str) -> dict:
    """万元 with thousands separators (20,700, not 20700) in the register and the funding pivot;
    years as years."""
    import streamlit as st

    money = st.column_config.NumberColumn(format="localized")
    keep = {t("year", lang): st.column_config.NumberColumn(format="%d")}
    return {c: keep.get(c, money) for c in frame.columns if pd.api.types.is_float_dtype(frame[c]) or c in keep}


def preview_column_config(columns) -> dict:
    """A briefing table on screen as on paper: percents as percents, numbers with thousands
    separators and the column's decimals (a year, kind integer, stays 2016)."""
    import streamlit as st

    formats = {"percent": lambda c: "percent", "number": lambda c: f"%,.{c.decimals}f"}
    return {c.header: st.column_config.NumberColumn(format=formats[c.kind](c)) for c in columns if c.kind in formats}


def report_word(s: bases.ReportState, lang: str) -> str:
    return t(f"report_state.{bases.ReportState(s).value}", lang)


def report_summary_table(view: bases.ProgrammeView, lang: str) -> pd.DataFrame:
    rows = bases.half_summary(view.reports)
    return pd.DataFrame({
        t("half_year", lang): [half_label(y, h, lang) for y, h, *_ in rows],
        t("deadline", lang): [half_year_deadline(y, h) for y, h, *_ in rows],
        t("reports_due", lang): [a + b + c for *_, a, b, c in rows],
        report_word(bases.ReportState.ON_TIME, lang): [a for *_, a, _, _ in rows],
        report_word(bases.ReportState.LATE, lang): [b for *_, b, _ in rows],
        report_word(bases.ReportState.MISSING, lang): [c for *_, c in rows],
    })


def report_list_table(view: bases.ProgrammeView, lang: str, states: Sequence[bases.ReportState],
                      catalog: Catalog | None = None) -> pd.DataFrame:
    names = {d.base_id: (d.name, _county(d, lang, catalog)) for d in view.designations}
    rows = [r for r in view.reports if r.state in states]
    return safe.safe_frame(pd.DataFrame({
        t("base_name", lang): [names[r.base_id][0] for r in rows],
        t("county", lang): [names[r.base_id][1] for r in rows],
        t("half_year", lang): [half_label(r.year, r.half, lang) for r in rows],
        t("deadline", lang): [r.deadline for r in rows],
        t("received_on", lang): [r.received_on for r in rows],
        t("status", lang): [report_word(r.state, lang) for r in rows],
    }))


def not_eligible(view: bases.ProgrammeView) -> list[bases.Designation]:
    """The bases whose eligibility the data finds not met."""
    return [d for d in view.designations if view.eligibility[d.base_id][0] == bases.Check.NOT_MET]


def reports_not_on_time(view: bases.ProgrammeView) -> list[bases.ReportStatus]:
    """Half-year reports owed by the date and missing, or received late."""
    return [r for r in view.reports if r.state != bases.ReportState.ON_TIME]


def report_tally(view: bases.ProgrammeView) -> tuple[int, int, int]:
    """The half-year reports owed by the date: how many came on time, late, and not at all."""
    states = [r.state for r in view.reports]
    return (states.count(bases.ReportState.ON_TIME), states.count(bases.ReportState.LATE),
            states.count(bases.ReportState.MISSING))


def late_or_missing_table(view: bases.ProgrammeView, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    return report_list_table(view, lang, [bases.ReportState.MISSING, bases.ReportState.LATE], catalog)


def construction_halves(d: bases.Designation) -> list[tuple[int, int]]:
    """The half-years of a base's construction period (its reports are owed for these)."""
    return [(y, h) for y in range(d.year, d.year + bases.BUILD_YEARS) for h in (1, 2)]


# ------------------------------------------------------------------------------- incentives


def winners_table(frame: pd.DataFrame, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """One row per award: firm, park, threshold (万元), annual revenue, the year before, growth (%), reward."""
    return safe.safe_frame(pd.DataFrame({
        t("enterprise", lang): frame.name_zh,
        t("credit_code", lang): frame.credit_code,
        t("park", lang): org_names(frame.park_name, lang, catalog),
        t("threshold", lang): frame.threshold,
        t("annual_value", lang): frame.value.round(1),
        t("previous_value", lang): frame.previous.astype(float).round(1),
        t("growth", lang): (frame.growth.astype(float) * 100).round(1),
        t("reward", lang): frame.reward.astype(float),
    }))


def reward_total(winners: pd.DataFrame) -> incentives.RewardTotal:
    """Firms, awards, the amount in 万元 and the awards without an amount, of a winners table."""
    return incentives.total_of(winners)


def winners_column_config(lang: str) -> dict:
    import streamlit as st

    amount = st.column_config.NumberColumn(format="%,.0f")
    value = st.column_config.NumberColumn(format="%,.1f")
    return {t("threshold", lang): amount, t("reward", lang): amount, t("annual_value", lang): value,
            t("previous_value", lang): value, t("growth", lang): st.column_config.NumberColumn(format="%.1f%%")}
