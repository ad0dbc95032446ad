"""基地建设: Zhejiang's base programme — designations against the programme counts, eligibility
checked from the data, and half-year reporting.

Counts come from the register of designations (withdrawn ones excluded) and are judged as the plan
page judges programme counts: a running total since the first programme year, on a linear pace
(`metrics.progress.assess_pace`), with 左右 (about 8, 12, 16) reached at 10 % less and at least one
less (`metrics.progress.goal`): 7, 10.8 and 14.4.

Eligibility is checked from figures, not from the application: a county's industry scale is its
annual software revenue in the year before the designation (the last full year at the time of
application), ranked among the province's counties with a figure that year; a start-up base's
teams are the number recorded with the designation. Reports are due by 30 June and 31 December
for each half-year of the construction period (the designation year and the two after it:
原则上2-3年完成建设) whose deadline falls after the designation date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from domain.messages import Message
from domain.models import Comparator, Criterion, Plan, ProgrammeCountTarget
from domain.programme import BaseType, half_year_deadline
from metrics import judges
from metrics import progress as pg

BUILD_YEARS = 3  # the designation year and two more: 原则上2-3年完成建设


@dataclass(frozen=True)
class Designation:
    base_id: str
    name: str
    base_type: BaseType
    county_id: str
    county_name: str
    year: int
    designated_on: dt.date
    funding: float  # 万元
    startup_teams: int | None = None
    withdrawn: bool = False


# ------------------------------------------------------------------------- programme counts


def counts(designations: Iterable[Designation]) -> Counter[tuple[BaseType, int]]:
    """Designations in force per (type, year)."""
    return Counter((d.base_type, d.year) for d in designations if not d.withdrawn)


@dataclass(frozen=True)
class CountRow:
    target_id: str
    base_type: BaseType
    first_year: int
    target_year: int
    target: float
    comparator: Comparator
    count: int  # designations from first_year to min(target_year, last complete year)
    by_year: dict[int, int]
    assessment: pg.Assessment


def programme_counts(designations: Sequence[Designation], targets: Sequence[ProgrammeCountTarget],
                     last_complete_year: int) -> list[CountRow]:
    """Each programme-count target against the register: the running total and its verdict.

    The register is complete for a year once the year is over, so a year without designations
    counts as zero (unlike a missing statistical report)."""
    per = counts(designations)
    out = []
    for t in targets:
        kind = BaseType(t.designation_type)
        years = range(t.first_year, min(t.target_year, last_complete_year) + 1)
        by_year = {y: per.get((kind, y), 0) for y in range(t.first_year, t.target_year + 1)}
        # The plan's own judge of programme counts, so this page and the plan page cannot disagree.
        a = judges.PROGRAMME.assess_register(t, by_year, last_complete_year)
        out.append(CountRow(target_id=t.target_id, base_type=kind, first_year=t.first_year,
                            target_year=t.target_year, target=t.value, comparator=t.comparator,
                            count=sum(by_year[y] for y in years), by_year=by_year, assessment=a))
    return out


# ------------------------------------------------------------------------------- eligibility


def ranks(values: Mapping[str, float]) -> dict[str, int]:
    """Rank by value, largest first; equal values share the better rank (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=True)
    return {k: ordered.index(v) + 1 for k, v in values.items()}


class Check(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"  # the figure needed is not in the store


@dataclass(frozen=True)
class CriterionCheck:
    criterion_id: str
    text_zh: str
    result: Check
    detail: Message  # what the data says about it, worded by the reader's UI


def check(d: Designation, criterion: Criterion, county_values: Mapping[int, Mapping[str, float]]) -> CriterionCheck:
    """One criterion of the designation's type, checked from the data.

    `county_values` maps year → {county: annual value of the criterion's indicator}."""
    base = dict(criterion_id=criterion.criterion_id, text_zh=criterion.text_zh)
    if criterion.comparator == "rank_within":
        year = d.year - 1
        values = county_values.get(year, {})
        if d.county_id not in values:
            return CriterionCheck(**base, result=Check.UNKNOWN,
                                  detail=Message.of("eligibility.no_county_figure", county=d.county_name, year=year))
        rank, n = ranks(values)[d.county_id], len(values)
        ok = rank <= criterion.value
        return CriterionCheck(**base, result=Check.MET if ok else Check.NOT_MET,
                              detail=Message.of("eligibility.rank", year=year, rank=rank, n=n, top=criterion.value))
    if criterion.indicator == "startup_teams":
        if d.startup_teams is None:
            return CriterionCheck(**base, result=Check.UNKNOWN, detail=Message.of("eligibility.no_teams"))
        ok = pg.meets(float(d.startup_teams), criterion.value, Comparator(criterion.comparator))
        return CriterionCheck(**base, result=Check.MET if ok else Check.NOT_MET,
                              detail=Message.of("eligibility.teams", teams=d.startup_teams, least=criterion.value))
    return CriterionCheck(**base, result=Check.UNKNOWN, detail=Message.of("eligibility.unchecked"))


def eligibility(d: Designation, criteria: Sequence[Criterion],
                county_values: Mapping[int, Mapping[str, float]]) -> tuple[Check, list[CriterionCheck]]:
    """Every criterion of the designation's type; met only if all are met, unknown if any is unknown
    and none fails."""
    checks = [check(d, c, county_values) for c in criteria if c.applies_to == d.base_type.value]
    results = {c.result for c in checks}
    overall = Check.NOT_MET if Check.NOT_MET in results else Check.UNKNOWN if Check.UNKNOWN in results else Check.MET
    return overall, checks


# ------------------------------------------------------------------------ half-year reports


class ReportState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"


@dataclass(frozen=True)
class ReportStatus:
    base_id: str
    year: int
    half: int
    deadline: dt.date
    received_on: dt.date | None
    state: ReportState


def due_halves(d: Designation, as_of: dt.date) -> list[tuple[int, int]]:
    """The half-years a base owes a report for by `as_of`: within its construction period, with a
    deadline after its designation and on or before `as_of`."""
    out = []
    for year in range(d.year, d.year + BUILD_YEARS):
        for half in (1, 2):
            deadline = half_year_deadline(year, half)
            if d.designated_on < deadline <= as_of:
                out.append((year, half))
    return out


def report_status(designations: Sequence[Designation], received: Mapping[tuple[str, int, int], dt.date],
                  as_of: dt.date) -> list[ReportStatus]:
    """Each owed report: on time (received by its deadline), late, or missing — as known on `as_of`.
    `received` maps (base, year, half) → the date the report arrived."""
    out = []
    for d in designations:
        if d.withdrawn:
            continue
        for year, half in due_halves(d, as_of):
            deadline = half_year_deadline(year, half)
            got = received.get((d.base_id, year, half))
            if got is not None and got > as_of:
                got = None  # arrived after the day we look from
            state = ReportState.MISSING if got is None else ReportState.ON_TIME if got <= deadline else ReportState.LATE
            out.append(ReportStatus(d.base_id, year, half, deadline, got, state))
    return out


def half_summary(statuses: Sequence[ReportStatus]) -> list[tuple[int, int, int, int, int]]:
    """Per half-year: (year, half, on time, late, missing), oldest first."""
    per: dict[tuple[int, int], Counter] = {}
    for s in statuses:
        per.setdefault((s.year, s.half), Counter())[s.state] += 1
    return [(y, h, c[ReportState.ON_TIME], c[ReportState.LATE], c[ReportState.MISSING])
            for (y, h), c in sorted(per.items())]


# ------------------------------------------------------------- from the rows the store reads


def from_frame(frame: pd.DataFrame) -> list[Designation]:
    """store.programme.base_designations rows as designations."""
    return [Designation(base_id=r.base_id, name=r.name, base_type=BaseType(r.base_type), county_id=r.county_id,
                        county_name=r.county_name if isinstance(r.county_name, str) else r.county_id, year=int(r.year),
                        designated_on=pd.Timestamp(r.designated_on).date(), funding=float(r.funding),
                        startup_teams=None if pd.isna(r.startup_teams) else int(r.startup_teams),
                        withdrawn=bool(r.withdrawn))
            for r in frame.itertuples(index=False)]


def county_values(frame: pd.DataFrame) -> dict[int, dict[str, float]]:
    """store.figures.org_annual rows as year → {county: value}."""
    out: dict[int, dict[str, float]] = {}
    for r in frame.itertuples(index=False):
        out.setdefault(int(r.year), {})[r.org_id] = float(r.value)
    return out


def received(frame: pd.DataFrame) -> dict[tuple[str, int, int], dt.date]:
    """store.programme.base_reports rows as (base, year, half) → date received."""
    return {(r.base_id, int(r.year), int(r.half)): pd.Timestamp(r.received_on).date() for r in frame.itertuples(index=False)}


@dataclass(frozen=True)
class ProgrammeView:
    """Everything the base programme page shows at one date."""

    as_of: dt.date
    designations: list[Designation]  # in force (withdrawn ones left out)
    eligibility: dict[str, tuple[Check, list[CriterionCheck]]]
    counts: list[CountRow]
    reports: list[ReportStatus]


def programme_view(plan: Plan, designations: Sequence[Designation], county_figures: Mapping[int, Mapping[str, float]],
                   received_on: Mapping[tuple[str, int, int], dt.date], as_of: dt.date) -> ProgrammeView:
    """The register as known on `as_of`: designations made by then, counted against the plan's
    programme counts, each checked against its type's criteria, and the reports owed by then."""
    known = [d for d in designations if not d.withdrawn and d.designated_on <= as_of]
    targets = [t for t in plan.targets if isinstance(t, ProgrammeCountTarget)]
    last_complete = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    return ProgrammeView(
        as_of=as_of, designations=known,
        eligibility={d.base_id: eligibility(d, plan.criteria, county_figures) for d in known},
        counts=programme_counts(known, targets, last_complete),
        reports=report_status(known, received_on, as_of))
