"""Every read the pages, the briefings and the command line make: the one route from the store up.

A plan at a quarter is read into a `Snapshot` (store/snapshot.py) of exactly what
`metrics.tracker.needs` asks for, then judged by `metrics.tracker.judge_plan`; every screen and
document that shows a target's standing gets it from `plan_judgement`. Each function takes the
connection first, then the catalog where it needs one, then the caller (`who`) for a scoped read,
which store/access.py checks (a refusal raises `AuthorizationError` and is audited — never an empty
result). The task, base and reward views are judged here too, so a page only renders. ui/queries.py
caches these for the pages; manage.py calls them directly.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from domain import message_json, observation, policy
from domain.access import Identity
from domain.catalog import Catalog
from domain.config import settings
from domain.growth import change
from domain.messages import Message
from domain.models import Plan
from domain.periods import Period, PeriodBounds
from domain.programme import first_report_quarter
from domain.reporting import DEFAULT_DEADLINE_DAYS, QuarterReport, Timeliness, ranking_span, timeliness
from domain.snapshot import SeriesKey
from metrics import bases, changes, criteria, incentives, tasks, tracker
from service.inputs import BriefingInputs, TaskBoard  # they live apart so that reports can name them
from store import access, audit, backup, figures, orgs, sessions, snapshot, users
from store import plans as plan_rows  # this module has a function named plans
from store import register as registry
from store import settings as stored_settings
from store.db import Con, StoreError, resolve_path
from store.placements import SurveyPopulation

# ------------------------------------------------------------------------ the store as a whole


Watermark = audit.Watermark


def data_version(con: Con, mark: audit.Watermark | None = None) -> int:
    """Grows with every write that changes what pages show: what the app's caches are keyed by."""
    return audit.data_version(con, mark)


def figures_version(con: Con, mark: audit.Watermark | None = None) -> int:
    """Grows with every write but a submission waiting for review: what the judgments are keyed by."""
    return audit.figures_version(con, mark)


def audit_version(con: Con) -> int:
    """Grows with every audit row (sign-ins, lock-outs): the users list's counters follow it."""
    return audit.audit_version(con)


def plans(con: Con) -> pd.DataFrame:
    return plan_rows.plans(con)


def indicators(con: Con) -> pd.DataFrame:
    return plan_rows.indicators(con)


def targets(con: Con, plan_id: str | None = None) -> pd.DataFrame:
    return plan_rows.targets(con, plan_id)


def organisations(con: Con) -> pd.DataFrame:
    return orgs.orgs(con)


def org_name(con: Con, org_id: str, lang: str = "zh") -> str:
    """The organisation's name in `lang` (Chinese where it has no English one), or its id when the
    store has none."""
    return orgs.name_of(con, org_id, lang) or org_id


def has_data(con: Con) -> bool:
    return figures.has_data(con)


def is_demo(con: Con) -> bool:
    return stored_settings.setting(con, "demo_data") == "true"


def periods(con: Con, under: str | None = None, within: PeriodBounds | None = None) -> list[Period]:
    """Every quarter with accepted data (within `under` and its descendants if given), oldest first;
    with `within`, only those inside the bounds (a period stored before they existed is never offered)."""
    found = figures.periods(con, under)
    return found if within is None else [p for p in found if p in within]


def report_deadline_days(con: Con) -> int:
    """Days after a quarter's end by which a report counts as on time."""
    return int(stored_settings.setting(con, "report_deadline_days") or DEFAULT_DEADLINE_DAYS)


# ---------------------------------------------------------------------------- users, sign-in


def identity(con: Con, username: str) -> Identity | None:
    """The signed-in identity of an enabled user, or None."""
    return users.identity(con, username)


def identity_by_email(con: Con, email: str, issued_at: object = None) -> tuple[Identity | None, str]:
    """The enabled user a single sign-on e-mail names, or None and why ("unmapped", "disabled", or
    "ended": the user's sessions were ended after the identity was issued at `issued_at`)."""
    who, reason = users.identity_by_email(con, email)
    if who is not None and sessions.ended_since(con, who.username, issued_at):
        return None, "ended"
    return who, reason


def session_identity(con: Con, token: object) -> Identity | None:
    """Who a session's token signs in now, or None once it has expired or been ended (read on every
    run of a signed-in page, so an ended session stops at the next click, not at the next reload)."""
    username = sessions.resume(con, token, settings().signing_key())
    return None if username is None else users.identity(con, username)


def locked_until(con: Con, username: str) -> dt.datetime | None:
    return users.locked_until(con, username)


def user_list(con: Con, who: Identity) -> pd.DataFrame:
    access.require_admin(con, who, "list")
    return users.list_users(con)


# ----------------------------------------------------------- organisations and their figures


def visible_plans(catalog: Catalog, who: Identity) -> list[str]:
    """Plans a user can open, oldest first: all, or for a park manager the plans over their park."""
    ordered = sorted(catalog.plans, key=lambda pid: catalog.plans[pid].issued)
    if policy.may(who.role, policy.Permission.READ_EVERYTHING):
        return ordered
    if who.scope_org_id is None:
        return []
    chain, org = set(), catalog.organisations.get(who.scope_org_id)  # enterprises are not in the catalog: none
    while org is not None:
        chain.add(org.org_id)
        org = catalog.organisations.get(org.parent) if org.parent else None
    return [pid for pid in ordered if catalog.plans[pid].scope in chain]


def visible_parks(con: Con, who: Identity) -> pd.DataFrame:
    return access.visible_parks(con, who)


def searchable_firms(con: Con, who: Identity) -> pd.DataFrame:
    """The firms `who` may list, each with its park (scoped in store/access.py)."""
    return access.searchable_firms(con, who)


def enterprise_figures(con: Con, who: Identity, park_id: str, as_of: Period) -> pd.DataFrame:
    return access.enterprise_figures(con, who, park_id, as_of)


def firm_history(con: Con, who: Identity, firm_id: str, up_to: Period) -> pd.DataFrame:
    """A firm's figures quarter by quarter up to `up_to` (scoped: its park's firm listers only)."""
    return access.firm_history(con, who, firm_id, up_to)


def own_figures(con: Con, who: Identity, org_id: str, as_of: Period) -> pd.DataFrame:
    return access.own_figures(con, who, org_id, as_of)


def writable_orgs(con: Con, who: Identity) -> pd.DataFrame:
    """The organisations `who` may enter figures for (none for leaders and reviewers)."""
    return access.writable_orgs(con, who)


def known_values(con: Con, who: Identity, org_id: str, periods: list[Period]) -> dict[tuple[str, int, int], float]:
    """An organisation's figures in force at the given quarters, by (indicator, year, quarter)."""
    return access.values_for(con, who, org_id, periods)


def reporting_status(con: Con, who: Identity, under: str, period: Period, deadline_days: int) -> pd.DataFrame:
    """Who has and has not reported under an organisation for the quarter, on time or late."""
    return access.reporting_status(con, who, under, period, deadline_days)


def reporting_timeliness(con: Con, who: Identity, under: str, as_of: Period, deadline_days: int,
                         today: dt.date | None = None) -> Timeliness:
    """The timeliness ranking of the parks and firms under an organisation over `ranking_span(as_of)`
    (the year up to `as_of`), judged on `today` (quarters whose deadline is still ahead and that
    were not reported are not yet due); scoped like the reporting status."""
    span = ranking_span(as_of)
    found = access.reporting_timeliness(con, who, under, span[0], span[-1])
    firms = []
    for (org_id, name, park_id, park_name), rows in found.groupby(
            ["org_id", "name_zh", "park_id", "park_name"], dropna=False, sort=False):
        quarters = [QuarterReport(Period(int(r.year), int(r.quarter)), None if pd.isna(r.first_at) else r.first_at.date(),
                                  int(r.returned), int(r.corrected)) for r in rows.itertuples(index=False)]
        firms.append((org_id, name, "" if pd.isna(park_id) else park_id, "—" if pd.isna(park_name) else park_name,
                      quarters))
    return timeliness(firms, span, deadline_days, today or dt.date.today())


# ------------------------------------------------------------------- submissions and review


def submissions(con: Con, who: Identity, status: str | None, limit: int = 200,
                org_id: str | None = None) -> pd.DataFrame:
    """Submissions newest first, with their flag count and the submission each answers; with
    `org_id`, those holding a figure of that organisation or of one under it."""
    return access.submissions(con, who, status, limit, org_id)


def submission_rows(con: Con, who: Identity, submission_id: int) -> pd.DataFrame:
    """Every figure of a submission, old → new."""
    return access.submission_rows(con, who, submission_id)


def reviewable_orgs(con: Con, who: Identity) -> pd.DataFrame:
    """Every enterprise and park, for reviewers browsing revision histories."""
    return access.all_orgs(con, who)


def history(con: Con, who: Identity, org_id: str, indicator_id: str, period: Period) -> pd.DataFrame:
    """Every revision of one figure."""
    return access.history(con, who, org_id, indicator_id, period.year, period.quarter)


# ------------------------------------------------------- the submitter's side: 我的报送 (issue 17)


def my_submissions(con: Con, who: Identity, limit: int = 100) -> pd.DataFrame:
    """Every submission touching the caller's organisations, newest first, with what it holds of them."""
    return access.my_submissions(con, who, limit)


def my_submission_figures(con: Con, who: Identity, submission_id: int) -> pd.DataFrame:
    """One of those submissions' figures at the caller's organisations (another is refused, audited)."""
    return access.my_submission_figures(con, who, submission_id)


# ----------------------------------------------------------------- the reviewer's reading


@dataclass(frozen=True)
class Flag:
    """A problem a submission's check raised (a warning: errors never reach a write), as kept with it:
    the file's row, the figure it concerns (None for the submission as a whole) and its reason."""

    row: int | None
    org_id: str | None
    indicator_id: str | None
    period: Period | None
    severity: str
    reason: Message


@dataclass(frozen=True)
class SubmissionReading:
    """What a reviewer reads of one submission: the submission as the list shows it (status,
    explanation, the submission it answers …), every figure old → new with Δ (`delta`, and
    `delta_pct` as a fraction), last year's figure of the same quarter in force (`last_year_value`)
    and 同比 on it (`yoy`), the published 同比 if the row carries one (`published_yoy`) and the
    reasons of the row's flags (`flag_reasons`, a tuple of Messages); and every flag, those of the
    submission as a whole (`org_id` None) among them. A change is undefined, NaN, where domain/growth
    says so."""

    submission: dict
    figures: pd.DataFrame
    flags: tuple[Flag, ...]

    @property
    def general_flags(self) -> tuple[Flag, ...]:
        """The flags that concern no one figure."""
        return tuple(f for f in self.flags if f.org_id is None)


def _flag(row: tuple) -> Flag:
    row_no, org, indicator, year, quarter, severity, code, params = row
    period = None if pd.isna(year) or pd.isna(quarter) else Period(int(year), int(quarter))
    return Flag(None if pd.isna(row_no) else int(row_no), None if pd.isna(org) else org,
                None if pd.isna(indicator) else indicator, period, severity, message_json.loads_message(code, params))


def submission_reading(con: Con, who: Identity, submission_id: int) -> SubmissionReading | None:
    """One submission as a reviewer reads it (None when there is no such id); reviewers only."""
    head = access.submission(con, who, submission_id)
    if head is None:
        return None
    rows = access.submission_rows(con, who, submission_id)
    flags = tuple(_flag(r) for r in access.submission_flags(con, who, submission_id).itertuples(index=False, name=None))
    by_figure: dict[tuple, list[Message]] = {}
    for f in flags:
        if f.org_id is not None and f.period is not None:
            by_figure.setdefault((f.org_id, f.indicator_id, f.period.year, f.period.quarter), []).append(f.reason)

    def rate(now: pd.Series, before: pd.Series) -> list[float]:
        out = [change(_number(a), _number(b)) for a, b in zip(now, before, strict=True)]
        return [math.nan if x is None else x for x in out]

    figures = rows.assign(
        delta=rows.new_value - rows.old_value,
        delta_pct=rate(rows.new_value, rows.old_value),
        yoy=rate(rows.new_value, rows.last_year_value),
        flag_reasons=[tuple(by_figure.get((o, i, int(y), int(q)), ())) for o, i, y, q in
               zip(rows.org_id, rows.indicator_id, rows.year, rows.quarter, strict=True)],
    )
    return SubmissionReading(submission=head, figures=figures, flags=flags)


def _number(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


# ------------------------------------------------------------------------- plans and targets


def plan_judgement(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: Period,
                   as_at: dt.date | None = None) -> tracker.PlanJudgement:
    """A plan judged at a quarter: its progress table, target charts, park breakdowns, components;
    with `as_at`, as it stood at the end of that day (the figures then in force).
    Aggregates only, but an enterprise user may read none: refused (audited) before any read."""
    require_plan_reader(con, who, plan_id)
    return judge(con, catalog, plan_id, as_of, as_at)


def require_plan_reader(con: Con, who: Identity, plan_id: str) -> None:
    """The scope check of `plan_judgement`, on its own: the app checks every caller, then shares
    one cached judgment among all who pass (it is the same for every reader of aggregates)."""
    access.require_aggregates(con, who, "read the progress of", [f"plan:{plan_id}"])


def judge(con: Con, catalog: Catalog, plan_id: str, as_of: Period,
          as_at: dt.date | None = None) -> tracker.PlanJudgement:
    """The judgment itself, unchecked: call `require_plan_reader` first (as `plan_judgement` does).
    A date after today cannot have stood yet (ValueError, before any read)."""
    if as_at is not None:
        observation.check_as_at(as_at)
    plan = catalog.plans[plan_id]
    return tracker.judge_plan(plan, catalog, snapshot.read(con, tracker.needs(plan, catalog), as_of, as_at))


def plan_changes(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: Period,
                 as_at: dt.date | None = None, judged: tracker.PlanJudgement | None = None) -> dict[str, changes.Change]:
    """Since last quarter: every target of the plan at `as_of` against the plan judged a quarter
    earlier on the same date (`judged`: the judgment at `as_of` where the caller holds it)."""
    now = judged if judged is not None else plan_judgement(con, catalog, who, plan_id, as_of, as_at)
    before = plan_judgement(con, catalog, who, plan_id, as_of.previous(), now.as_at)
    return changes.since(now.rows, before.rows)


def plan_progress(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: Period,
                  as_at: dt.date | None = None) -> list[tracker.ProgressRow]:
    """The progress table of one plan at a quarter, in the plan's target order (as it stood at the
    end of `as_at` when given)."""
    return plan_judgement(con, catalog, who, plan_id, as_of, as_at).rows


# ------------------------------------------------------- issue 18: the plans' cities side by side

NATION = "cn"  # the national total's organisation (data/orgs.yaml): the reference pack's series
TIERS = (100_000.0, 10_000.0)  # 万元: 10亿 and 1亿, the size tiers a comparison counts firms in


@dataclass(frozen=True)
class CityFigures:
    """One plan's city (or province) on the common indicators, each figure with the period it is of:
    revenues year-to-date at `period` in 万元, 同比 against the same quarter a year before, the share
    of the national total and the firms by size tier in the last complete year (`year`)."""

    plan_id: str
    scope_id: str
    period: Period | None  # the latest quarter up to the one asked with the scope's software revenue
    software_revenue: float | None
    it_services: float | None
    growth: float | None  # a fraction
    year: int | None  # the last complete year up to `period`
    national_share: float | None  # a fraction; None where the nation's figure for `year` is not published
    firms_over_10yi: int | None
    firms_1_to_10yi: int | None
    firms_under_1yi: int | None


def _value(found: pd.DataFrame, org_id: str, indicator_id: str, year: int, quarter: int,
           column: str = "official") -> float | None:
    """One figure of the series: the official one, or (column="bottom_up") the reporters' sum."""
    row = found[(found.org_id == org_id) & (found.indicator_id == indicator_id) & (found.year == year)
                & (found.quarter == quarter)]
    return float(row[column].iloc[0]) if not row.empty and pd.notna(row[column].iloc[0]) else None


def city_comparison(con: Con, catalog: Catalog, who: Identity, as_of: Period) -> list[CityFigures]:
    """Every plan's city on software revenue, IT-service revenue, 同比, national share and firms by
    tier, up to `as_of` (aggregates: refused, audited, to a reader of none)."""
    ordered = sorted(catalog.plans.values(), key=lambda p: p.issued)
    access.require_aggregates(con, who, "compare the cities of", [p.scope for p in ordered])
    keys = {SeriesKey(p.scope, i) for p in ordered for i in ("software_revenue", "it_services")}
    found = figures.series(con, [*keys, SeriesKey(NATION, "software_revenue")], as_of)
    out = []
    for plan in ordered:
        mine = found[(found.org_id == plan.scope) & (found.indicator_id == "software_revenue")]
        # Like for like: a city that publishes its figures is read on them alone, one that does
        # not on its reporters' sums alone, so 同比 never divides one kind of figure by the other.
        column = "official" if mine.official.notna().any() else "bottom_up"
        mine = mine[mine[column].notna()]
        if mine.empty:
            out.append(CityFigures(plan.plan_id, plan.scope, *([None] * 9)))
            continue
        last = mine.iloc[-1]  # series() orders by year and quarter
        period = Period(int(last.year), int(last.quarter))

        def value(indicator: str, year: int, quarter: int, scope: str = plan.scope, col: str = column) -> float | None:
            return _value(found, scope, indicator, year, quarter, col)

        revenue = value("software_revenue", period.year, period.quarter)
        year = period.year if period.quarter == 4 else period.year - 1
        annual, nation = value("software_revenue", year, 4), value("software_revenue", year, 4, NATION, "official")
        counts = figures.threshold_counts_many(con, plan.scope, "software_revenue",
                                               [(x, False) for x in (*TIERS, 0.0)], year)
        over_10, over_1, every = (counts[(x, False)].get(year, 0) for x in (*TIERS, 0.0))
        tiers = (over_10, over_1 - over_10, every - over_1) if every else (None, None, None)
        out.append(CityFigures(
            plan.plan_id, plan.scope, period, revenue,
            value("it_services", period.year, period.quarter, col="official")  # its part, as published,
            or value("it_services", period.year, period.quarter, col="bottom_up"),  # else as reported
            change(revenue, value("software_revenue", period.year - 1, period.quarter)),
            year, annual / nation if annual is not None and nation else None, *tiers))
    return out


def admission_check(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: Period,
                    as_at: dt.date | None = None) -> list[criteria.UnitCheck]:
    """The plan's conditions of admission (准入条件) checked at the last complete year of `as_of`: each
    park under the organisation a criterion admits to, and each firm there that reports the
    criterion's denominator (land of its own) and that `who` may see. Units below a criterion first;
    empty for a plan without such conditions. Refused (audited) like the plan's judgment."""
    require_plan_reader(con, who, plan_id)
    rules = criteria.admission_criteria(catalog.plans[plan_id])
    units: dict[str, list[criteria.Unit]] = {}
    for c in rules:
        scope = c.scope or ""
        parks = [criteria.Unit(o.org_id, o.name_zh, o.name_en, o.kind.value) for o in catalog.parks_under(scope)]
        firms = access.admission_firms(con, who, scope, c.denominator or "", as_of)
        found = parks + [criteria.Unit(r.org_id, r.name_zh, "", "enterprise") for r in firms.itertuples(index=False)]
        units[scope] = list(dict.fromkeys([*units.get(scope, []), *found]))
    if not rules:
        return []
    # The firms listed are those registered now; their figures are those in force at `as_at` when given.
    return criteria.check(rules, units, snapshot.read(con, criteria.needs(rules, units), as_of, as_at), catalog)


def plan_winners(con: Con, who: Identity, plan: Plan, under: str, year: int) -> pd.DataFrame:
    """A plan's new qualifiers under a city or park in `year`, one row per award (a
    `metrics.incentives.winners` table); a park manager asking beyond their own park is refused by
    the data layer."""
    frames = []
    for indicator in dict.fromkeys(i.indicator for i in plan.incentives):
        values = access.incentive_firms(con, who, under, indicator, year)
        frames.append(incentives.winners(values, incentives.thresholds_of([i for i in plan.incentives
                                                                          if i.indicator == indicator]), year))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=incentives.WINNER_COLUMNS)


def briefing_inputs(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: Period,
                    park_id: str | None = None, judged: tracker.PlanJudgement | None = None) -> BriefingInputs:
    """What the quarterly briefing of `plan_id` at `as_of` shows (for one park when `park_id` is
    given), read as `who` — reports.briefing.build renders it.

    Raises ValueError for a park outside the plan, `AuthorizationError` (audited) when `who` may not
    see the park's firms; the reads come in the order the briefing's sections use them, so a
    refusal further down is met where it always was. `judged` is the plan's judgment where the
    caller already holds it (the app's cached one), so a briefing never judges the plan again."""
    plan = catalog.plans[plan_id]
    if park_id is not None:
        parks = [o.org_id for o in catalog.parks_under(plan.scope)]
        if park_id not in parks:
            raise ValueError(f"{park_id!r} is not a park of {plan_id} ({plan.scope}); its parks: {', '.join(parks) or 'none'}")
        access.require_enterprises_of(con, who, park_id, "export the briefing of")
    judgement = judged if judged is not None else plan_judgement(con, catalog, who, plan_id, as_of)
    firms = access.enterprise_figures(con, who, park_id, as_of) if park_id is not None else None
    year = as_of.last_complete_year
    winners = plan_winners(con, who, plan, park_id or plan.scope, year) if plan.incentives else None
    root = park_id or plan.scope
    days = report_deadline_days(con)
    data_date = figures.data_date(con, root, as_of)
    if judgement.as_at is not None and data_date is not None:
        # As it stood on a date, no figure in force was entered after it.
        data_date = min(data_date, judgement.as_at)
    return BriefingInputs(
        catalog=catalog, plan_id=plan_id, as_of=as_of, park_id=park_id, judgement=judgement, firms=firms,
        winners=winners, incentive_year=year, reporting=access.reporting_status(con, who, root, as_of, days),
        deadline_days=days, demo=is_demo(con), data_date=data_date,
        timeliness=reporting_timeliness(con, who, root, as_of, days), header=settings().header_of(plan_id),
        changes=plan_changes(con, catalog, who, plan_id, as_of, judged=judgement))


# -------------------------------------------------------------------------- task tracking


def task_quarters(con: Con, who: Identity, plan: Plan) -> list[Period]:
    """The quarters a plan's tasks can be shown at, newest first: from the quarter the plan was
    issued in to the later of its last due date and the latest report."""
    updates = access.task_updates(con, who, plan.plan_id)
    latest = (max(Period(int(y), int(q)) for y, q in zip(updates.year, updates.quarter, strict=True))
              if not updates.empty else None)
    last_due = (Period.containing(max(plan.due_of(t) for t in plan.tasks)) if plan.tasks
                else first_report_quarter(plan))
    last = max(q for q in (last_due, latest) if q is not None)
    return tasks.reporting_quarters(first_report_quarter(plan).end_date, last)[::-1]


def task_board(con: Con, who: Identity, plan_id: str, quarter: Period) -> TaskBoard:
    """Every task of the plan at the end of the quarter (leaders, reviewers, administrators)."""
    infos, updates = tasks.from_frames(access.plan_tasks(con, who, plan_id), access.task_updates(con, who, plan_id))
    return TaskBoard.of(quarter, tasks.task_states(infos, updates, quarter))


def task_history(con: Con, who: Identity, plan_id: str, task_id: str) -> pd.DataFrame:
    """Every revision of a task's quarterly reports, oldest first."""
    return access.task_updates(con, who, plan_id, task_id)


# ----------------------------------------------------------------------- the base programme


def base_programme(con: Con, catalog: Catalog, who: Identity, plan_id: str, as_of: dt.date) -> bases.ProgrammeView:
    """The base programme as known on a date: counts, eligibility, half-year reports."""
    plan = catalog.plans[plan_id]
    register = bases.from_frame(access.designations(con, who, plan_id))
    years = sorted({d.year - 1 for d in register})
    county = access.county_figures(con, who, plan.scope, "software_revenue", years)
    received = bases.received(access.base_reports(con, who, plan_id))
    return bases.programme_view(plan, register, bases.county_values(county), received, as_of)


def designations(con: Con, who: Identity, plan_id: str) -> list[bases.Designation]:
    """Every base of the plan in its newest revision, withdrawn ones included."""
    return bases.from_frame(access.designations(con, who, plan_id))


def designation_history(con: Con, who: Identity, plan_id: str, base_id: str) -> pd.DataFrame:
    return access.designation_history(con, who, plan_id, base_id)


def counties(con: Con, who: Identity, province: str) -> pd.DataFrame:
    return access.counties(con, who, province)


# -------------------------------------------------------------------------------- backups


def backup_schedule() -> backup.Schedule | None:
    """The nightly backups' schedule, None when they are off (a mistyped setting is a StoreError)."""
    return backup.schedule_from_env()


def backup_directory() -> Path:
    """Where backups go: TRACKER_BACKUP_DIR, else a backups folder beside the store."""
    plan = backup_schedule()
    return plan.directory if plan else resolve_path().parent / "backups"


def backups(con: Con, who: Identity, directory: Path) -> list[backup.Entry]:
    """The backups in `directory`, newest first (administrators)."""
    access.require(con, who, policy.Permission.RUN_BACKUPS, "list backups", ["users"])  # the audit row as ever
    return backup.backups(directory)


def verify_backups(con: Con, who: Identity, directory: Path) -> dict[str, str | None]:
    """Each backup's name and the problem found in it, None when it is intact (administrators)."""
    access.require(con, who, policy.Permission.RUN_BACKUPS, "verify backups", ["users"])
    out = {}
    for entry in backup.backups(directory):
        try:
            backup.verify(entry.path)
            out[entry.path.name] = None
        except StoreError as e:
            out[entry.path.name] = str(e)
    return out


def verify_backup(folder: str | Path, *, trust_unsigned: bool = False) -> backup.Manifest:
    """Check one backup's signature and its manifest (a StoreError says what does not match)."""
    return backup.verify(folder, trust_unsigned=trust_unsigned)


def backup_signed(folder: str | Path) -> bool:
    """Whether the backup carries a signature file (verify says whether it is valid)."""
    return (Path(folder) / backup.SIGNATURE_FILE).is_file()


# ------------------------------------------------------------ issue 17: survey population


def survey_population(con: Con, who: Identity, under: str, year: int) -> SurveyPopulation:
    """How many firms were in the survey under an organisation during a year and at its end (the
    register page, the briefing)."""
    return access.survey_population(con, who, under, year)
# ---------------------------------------------------- the register of reporting units (issue 17)


def register(con: Con, who: Identity, under: str | None = None) -> pd.DataFrame:
    """The registered firms (under a park or district when given): name, code, park or district,
    contact e-mail, events, accounts (administrators)."""
    return registry.register(con, who, under)


def register_places(con: Con, who: Identity) -> pd.DataFrame:
    """The parks and districts a firm may belong to (administrators)."""
    return registry.places(con, who)


def org_events(con: Con, who: Identity, org_id: str | None = None) -> pd.DataFrame:
    """The dated events of a firm, or of every firm (administrators)."""
    return registry.events(con, who, org_id)
