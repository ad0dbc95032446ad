"""The one page-facing read layer: service/queries.py, cached for the app's sessions.

The app holds one DuckDB connection per process (DuckDB allows one writer process), opened once
outside every Streamlit cache, and takes a cursor per call; pages never see either. Every read a
page makes is a thin wrapper here of the streamlit-free function of the same job in
service/queries.py (in a reader process, TRACKER_PROCESS_ROLE=reader, on the newest published
snapshot instead: store/snapshots.py), cached by a data version (the newest audit entry), so a write landing
anywhere makes every page recompute without restarting the app. Writes go the other way, through ui/services.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from domain.access import Identity
from domain.catalog import Catalog
from domain.config import ConfigError, settings
from domain.periods import Period, PeriodBounds
from metrics import bases, criteria, tracker
from metrics import changes as changes_
from service import commands, mail
from service import plans as plan_service
from service import queries as service
from store import readers, snapshots
from store.backup import Entry as BackupEntry
from store.backup import Schedule as BackupSchedule
from store.catalog import default_catalog
from store.db import Con, StoreError, connect, resolve_path
from store.mail import KINDS as MAIL_KINDS  # noqa: F401 (the mail page's filter, named from here)
from store.mail import STATUSES as MAIL_STATUSES  # noqa: F401

log = logging.getLogger("tracker.store")


# The process's stores, by path: opened once, under a lock, outside every Streamlit cache. A cache
# could be emptied by any client (the websocket's `clear_cache` message empties cache_resource for
# everybody), and each rebuild would sync the catalog again and start another backup thread.
_STORES: dict[str, Con] = {}
_BACKUPS_STOP: dict[str, threading.Event] = {}
_REMINDERS_STOP: dict[str, threading.Event] = {}  # the scheduled reminders' thread (service/mail.py)
_STORES_LOCK = threading.Lock()
_MARKS: dict[str, service.Watermark] = {}  # each store's data version as last read (store/audit.py)
_CATALOGS: dict[str, tuple[int, int, Catalog]] = {}  # per store: data version, newest plan revision, catalog


# Past one process (TRACKER_PROCESS_ROLE, store/snapshots.py): a writer also publishes snapshots of
# the store; a reader opens none of it and serves the newest snapshot, read-only, instead.
_FOLLOWERS: dict[str, snapshots.Follower] = {}
_PUBLISHERS_STOP: dict[str, threading.Event] = {}
# The snapshot a reader's script run reads, chosen at its start: every read of one run comes from
# one snapshot, though another session's run may switch the process to a newer one meanwhile.
_RUN = threading.local()


def role() -> str:
    """`single`, `writer` or `reader` (domain/config.py TRACKER_PROCESS_ROLE). A mistyped setting
    is a StoreError, as at the store's opening: the app shows its plain page, never a traceback."""
    try:
        return settings().process_role
    except ConfigError as e:
        raise StoreError(str(e)) from e


def _follower() -> snapshots.Follower:
    folder = str(settings().snapshot_folder())
    follower = _FOLLOWERS.get(folder)
    if follower is None:
        with _STORES_LOCK:
            follower = _FOLLOWERS.setdefault(folder, snapshots.Follower(folder))
    return follower


def begin_run() -> None:
    """At the start of every script run. On a reader: a newer published snapshot is switched to (at
    most one stat of CURRENT a second) and this run pinned to the one served now. Elsewhere nothing."""
    try:
        if role() != "reader":
            return
    except StoreError:
        return  # a mistyped setting: store_problem, next, shows the page
    follower = _follower()
    _log_to_stderr()
    try:
        follower.refresh()
    except (StoreError, OSError, ValueError) as e:  # store_problem shows the page; the reason is logged
        log.error("the newest snapshot cannot be opened: %s", e)
    _RUN.serving = follower.serving()


def snapshot_age() -> float | None:
    """Seconds since the snapshot this run reads was published (a reader), else None."""
    if role() != "reader":
        return None
    _, snap = getattr(_RUN, "serving", (None, None))
    if snap is None:
        return None
    return max(0.0, (dt.datetime.now(dt.UTC) - snap.published_at).total_seconds())


def _reader_cursor() -> Con:
    con, _ = getattr(_RUN, "serving", (None, None))
    if con is None:
        con = _follower().connection()
    if con is None:
        raise StoreError(f"no snapshot has been published in {settings().snapshot_folder()} yet", "snapshot")
    return con.cursor()


def _connection(path: str) -> Con:
    """The process's one connection to `path`, opened by the first caller. A failure is not kept,
    so once an administrator has put things right the next page load tries again."""
    con = _STORES.get(path)
    if con is not None:
        return con
    with _STORES_LOCK:
        if path not in _STORES:
            _STORES[path] = _open(path)
        return _STORES[path]


def _open(path: str) -> Con:
    """Open the store: the whole of it is read first (a damaged file is refused now, with a clear
    page, not halfway through someone's work), the catalog synced, the demo loaded into an empty
    store, and the nightly backup thread started beside it when TRACKER_BACKUP_DIR is set."""
    _log_to_stderr()
    schedule = service.backup_schedule()  # a mistyped setting stops the start, before anything opens
    con = connect(path, verify=True)
    catalog = default_catalog()
    commands.sync_catalog(con, catalog, actor="app-start")
    if not service.has_data(con) and settings().demo:
        commands.load_demo(con, catalog)  # the embedded default: demo data on first start
        for name, password in commands.create_demo_users(con).items():
            print(f"demo user {name}: password {password} (shown once)", flush=True)
    if schedule is not None:
        _BACKUPS_STOP[path] = threading.Event()
        commands.start_nightly_backups(con, schedule, _BACKUPS_STOP[path])
    if role() == "writer":  # readers serve what it publishes: once now, then after writes
        _PUBLISHERS_STOP[path] = threading.Event()
        snapshots.start_publisher(con, settings().snapshot_folder(), settings().publish_seconds,
                                  _PUBLISHERS_STOP[path])
    if mail.server() is not None:  # scheduled reminders (催报) only where mail can be sent
        _REMINDERS_STOP[path] = threading.Event()
        mail.start_reminders(con, _REMINDERS_STOP[path])
    log.info("store %s opened (process %d)", path, os.getpid())
    return con


def close_stores() -> None:
    """Stop the backup threads and close every store this process opened (tests, which point the
    app at a new store each, and tools that must open the file themselves afterwards)."""
    with _STORES_LOCK:
        for stop in (*_BACKUPS_STOP.values(), *_REMINDERS_STOP.values(), *_PUBLISHERS_STOP.values()):
            stop.set()
        for con in _STORES.values():
            con.close()
        for follower in _FOLLOWERS.values():
            follower.close()
        _STORES.clear()
        _MARKS.clear()
        _CATALOGS.clear()
        _BACKUPS_STOP.clear()
        _REMINDERS_STOP.clear()
        _PUBLISHERS_STOP.clear()
        _FOLLOWERS.clear()


def _log_to_stderr() -> None:
    """Our log lines (nightly backups, a store that cannot be opened) go to stderr: journald
    under systemd. Streamlit configures only its own loggers."""
    logger = logging.getLogger("tracker")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def cursor() -> Con:
    """A cursor on the app's connection (a reader's: on its snapshot), for ui/services.py and the
    tests — not for pages."""
    if role() == "reader":
        return _reader_cursor()
    return _connection(str(resolve_path())).cursor()


def store_problem() -> str | None:
    """The kind of problem that keeps the store from opening ("locked", "corrupt", "newer",
    "foreign" or another), or None. A failure is not cached, so once an administrator has put
    things right a reload tries again; the technical reason goes to the service log only."""
    try:
        cursor().close()
    except StoreError as e:
        log.error("the store cannot be opened: %s", e)
        return e.kind
    return None


def catalog() -> Catalog:
    """The catalog in force: the files' indicators and organisations and every plan as its newest
    published revision has it (shipped, or added and adjusted from the app). Held per store and
    re-read only when a plan is published; a store that cannot be opened leaves the files' catalog
    (the page then says what is wrong with the store)."""
    try:
        version = data_version()
    except StoreError:
        return default_catalog()
    path = str(resolve_path())
    held = _CATALOGS.get(path)
    if held is not None and held[0] == version:
        return held[2]
    con = cursor()
    newest = plan_service.newest_revision(con)
    if held is None or held[1] != newest:
        held = (version, newest, plan_service.catalog_in_force(con, default_catalog()))
    _CATALOGS[path] = (version, newest, held[2])
    return held[2]


def data_version() -> int:
    """Grows with every write that changes what pages show, so it invalidates every cached read
    below (a sign-in or a refusal does not: store/audit.py QUIET). Each store's watermark lets the
    call read only the log's newest rows."""
    return service.data_version(cursor(), _mark())


def figures_version() -> int:
    """Grows with every write but a submission waiting for review (store/audit.py PENDING): the key of
    the judgments, comparisons and conditions, which read accepted figures only — so a reporting
    week's stream of sends does not make every session judge every plan again."""
    return service.figures_version(cursor(), _mark())


def _mark() -> service.Watermark:
    """This store's watermark of the audit log (a reader's snapshots are copies of its one log)."""
    path = str(resolve_path())
    return _MARKS.get(path) or _MARKS.setdefault(path, service.Watermark())


def audit_version() -> int:
    """Grows with every audit row, sign-ins and lock-outs included: the users list's key."""
    return service.audit_version(cursor())


@st.cache_data(show_spinner=False)
def plans(version: int) -> pd.DataFrame:
    return service.plans(cursor())


@st.cache_data(show_spinner=False)
def is_demo(version: int) -> bool:
    return service.is_demo(cursor())


def periods(version: int, under: str | None = None) -> list[Period]:
    """Every quarter with accepted data (within `under` and its descendants if given), oldest first,
    inside the period bounds: a page is never offered a period outside them (0000Q4 in an older store).
    Keyed by the figures version (accepted data only), whatever `version` the page holds."""
    return _periods(figures_version(), under, catalog().period_bounds())


@st.cache_data(show_spinner=False)
def _periods(version: int, under: str | None, within: PeriodBounds) -> list[Period]:
    return service.periods(cursor(), under, within)


@st.cache_data(show_spinner=False)
def report_deadline_days(version: int) -> int:
    return service.report_deadline_days(cursor())


def org_name(org_id: str, lang: str = "zh") -> str:
    return service.org_name(cursor(), org_id, lang)


# Sign-in reads are never cached: a lock-out, a new password or a disabled account counts at once.


def identity(username: str) -> Identity | None:
    return service.identity(cursor(), username)


def identity_by_email(email: str, issued_at: object = None) -> tuple[Identity | None, str]:
    return service.identity_by_email(cursor(), email, issued_at)


def session_identity(token: object) -> Identity | None:
    return service.session_identity(cursor(), token)


def locked_until(username: str) -> dt.datetime | None:
    return service.locked_until(cursor(), username)


def plan_text_kept(name: str) -> bool:
    """Whether the store keeps a plan's (or an adjusting document's) text by that name already."""
    return plan_service.kept_text(cursor(), name) is not None


def visible_plans(who: Identity) -> list[str]:
    """Plans a user can open: all, or for a park manager the plans over their park."""
    return service.visible_plans(catalog(), who)


# Scoped reads: the identity is part of the cache key, and the scope check runs inside, so a
# cached result is only ever returned to the identity it was computed for; refusals are not cached.


@st.cache_data(show_spinner=False)
def visible_parks(version: int, who: Identity) -> pd.DataFrame:
    return service.visible_parks(cursor(), who)


@st.cache_data(show_spinner=False)
def searchable_firms(version: int, who: Identity) -> pd.DataFrame:
    return service.searchable_firms(cursor(), who)


@st.cache_data(show_spinner=False)
def enterprise_figures(version: int, who: Identity, park_id: str, as_of: Period) -> pd.DataFrame:
    return service.enterprise_figures(cursor(), who, park_id, as_of)


@st.cache_data(show_spinner=False)
def firm_history(version: int, who: Identity, firm_id: str, as_of: Period) -> pd.DataFrame:
    """A firm's own quarters up to `as_of`, each indicator (refused outside the caller's scope)."""
    return service.firm_history(cursor(), who, firm_id, as_of)


@st.cache_data(show_spinner=False)
def own_figures(version: int, who: Identity, org_id: str, as_of: Period) -> pd.DataFrame:
    return service.own_figures(cursor(), who, org_id, as_of)


@st.cache_data(show_spinner=False)
def user_list(version: int, who: Identity) -> pd.DataFrame:
    return service.user_list(cursor(), who)


@st.cache_data(show_spinner=False)
def writable_orgs(version: int, who: Identity) -> pd.DataFrame:
    return service.writable_orgs(cursor(), who)


@st.cache_data(show_spinner=False)
def known_values(version: int, who: Identity, org_id: str, periods: tuple[Period, ...]) -> dict[tuple[str, int, int], float]:
    """An organisation's figures in force at the quarters, by (indicator, year, quarter)."""
    return service.known_values(cursor(), who, org_id, list(periods))


@st.cache_data(show_spinner=False)
def reporting_status(version: int, who: Identity, under: str, period: Period, deadline_days: int) -> pd.DataFrame:
    return service.reporting_status(cursor(), who, under, period, deadline_days)


# The timeliness ranking is the costliest read of a reporting week: at national size each city's
# ranking reads a year of every firm's submissions, and every send changes it (its first report of a
# quarter). Keyed by the data version, each send made every reader of the page compute it again — a
# fifth of the server's samples with 20 users (bench/ANALYSIS.md, "Under load"). So it is keyed by
# the figures version (a review, an accepted file or a register change shows at once) and otherwise
# computed again at most every RANKING_SECONDS; the page says when it was computed.
RANKING_SECONDS = 60


def reporting_timeliness(version: int, who: Identity, under: str, period: Period, deadline_days: int,
                         today: dt.date) -> tuple[service.Timeliness, dt.datetime]:
    """The timeliness ranking (keyed by the day too: a quarter falls due when its deadline passes) and
    when it was computed (at most RANKING_SECONDS ago)."""
    return _reporting_timeliness(figures_version(), who, under, period, deadline_days, today)


@st.cache_data(show_spinner=False, ttl=RANKING_SECONDS)
def _reporting_timeliness(version: int, who: Identity, under: str, period: Period, deadline_days: int,
                          today: dt.date) -> tuple[service.Timeliness, dt.datetime]:
    return service.reporting_timeliness(cursor(), who, under, period, deadline_days, today), dt.datetime.now()


@st.cache_data(show_spinner=False)
def submissions(version: int, who: Identity, status: str | None, limit: int = 200) -> pd.DataFrame:
    return service.submissions(cursor(), who, status, limit)


@st.cache_data(show_spinner=False)
def submission_rows(version: int, who: Identity, submission_id: int) -> pd.DataFrame:
    return service.submission_rows(cursor(), who, submission_id)


@st.cache_data(show_spinner=False)
def reviewable_orgs(version: int, who: Identity) -> pd.DataFrame:
    return service.reviewable_orgs(cursor(), who)


@st.cache_data(show_spinner=False)
def history(version: int, who: Identity, org_id: str, indicator_id: str, period: Period) -> pd.DataFrame:
    return service.history(cursor(), who, org_id, indicator_id, period)


# ------------------------------------------------------- the submitter's side: 我的报送 (issue 17)


@st.cache_data(show_spinner=False)
def my_submissions(version: int, who: Identity, limit: int = 100) -> pd.DataFrame:
    return service.my_submissions(cursor(), who, limit)


@st.cache_data(show_spinner=False)
def my_submission_figures(version: int, who: Identity, submission_id: int) -> pd.DataFrame:
    return service.my_submission_figures(cursor(), who, submission_id)


@st.cache_data(show_spinner=False)
def submission_reading(version: int, who: Identity, submission_id: int) -> service.SubmissionReading | None:
    """A submission as a reviewer reads it: every figure old → new with Δ and 同比, its flags."""
    return service.submission_reading(cursor(), who, submission_id)


# ---------------------------------------------------------------- progress, charts, breakdowns


def judgement(version: int, who: Identity, plan_id: str, as_of: Period) -> tracker.PlanJudgement:
    """The plan judged at the quarter — as it stood on the date the reader chose in the sidebar
    (`as_at`), else on the figures now in force. The caller is checked on every call (an enterprise
    user is refused and audited: aggregates are not theirs to read); the judgment itself is the same
    for every reader, so it is cached once per figures version (accepted data), not once per user."""
    service.require_plan_reader(cursor(), who, plan_id)
    return _judgement(figures_version(), plan_id, as_of, st.session_state.get("as_at"))


@st.cache_data(show_spinner=False)
def _judgement(version: int, plan_id: str, as_of: Period, as_at: dt.date | None) -> tracker.PlanJudgement:
    """One read of the store, one pure judgment (only after `judgement` has checked the caller)."""
    return service.judge(cursor(), catalog(), plan_id, as_of, as_at)


def progress(version: int, who: Identity, plan_id: str, as_of: Period) -> list[tracker.ProgressRow]:
    return judgement(version, who, plan_id, as_of).rows


def progress_now(version: int, who: Identity, plan_id: str, as_of: Period) -> list[tracker.ProgressRow]:
    """The progress table on the figures now in force, whatever date the reader picked: shown beside
    the table as it stood then."""
    service.require_plan_reader(cursor(), who, plan_id)
    return _judgement(figures_version(), plan_id, as_of, None).rows


def changes(version: int, who: Identity, plan_id: str, as_of: Period) -> dict[str, changes_.Change]:
    """Since last quarter: every target at `as_of` against the plan judged a quarter earlier (both
    judgments cached, on the same date as the reader chose)."""
    before = judgement(version, who, plan_id, as_of.previous()).rows
    return changes_.since(progress(version, who, plan_id, as_of), before)


def target_series(version: int, who: Identity, plan_id: str, target_id: str, as_of: Period) -> tracker.TargetSeries:
    return judgement(version, who, plan_id, as_of).series[target_id]


def park_breakdown(version: int, who: Identity, plan_id: str, target_id: str, as_of: Period) -> list[tracker.ParkShare]:
    return judgement(version, who, plan_id, as_of).parks[target_id]


def components(version: int, who: Identity, plan_id: str, target_id: str, as_of: Period) -> pd.DataFrame:
    """Software revenue's parts under a revenue target (an empty frame for any other target)."""
    return judgement(version, who, plan_id, as_of).components.get(target_id,
                                                                  pd.DataFrame(columns=tracker.COMPONENT_COLUMNS))


def city_comparison(version: int, who: Identity, as_of: Period) -> list[service.CityFigures]:
    """Every plan's city on the common indicators up to `as_of` (aggregates; refusals not cached),
    keyed by the figures version."""
    return _city_comparison(figures_version(), who, as_of)


@st.cache_data(show_spinner=False)
def _city_comparison(version: int, who: Identity, as_of: Period) -> list[service.CityFigures]:
    return service.city_comparison(cursor(), catalog(), who, as_of)


def admission_check(version: int, who: Identity, plan_id: str, as_of: Period) -> list[criteria.UnitCheck]:
    """The plan's conditions of admission checked park by park (scoped: the reader is checked inside,
    and a firm's row is listed only to a reader who may see its park's firms; refusals are not cached),
    keyed by the figures version."""
    return _admission_check(figures_version(), who, plan_id, as_of)


@st.cache_data(show_spinner=False)
def _admission_check(version: int, who: Identity, plan_id: str, as_of: Period) -> list[criteria.UnitCheck]:
    return service.admission_check(cursor(), catalog(), who, plan_id, as_of)


@st.cache_data(show_spinner=False)
def briefing_inputs(version: int, who: Identity, plan_id: str, as_of: Period, park_id: str | None) -> service.BriefingInputs:
    """What the briefing of a plan (or one of its parks) shows, read as `who` (the scope check runs
    inside; refusals are not cached). The plan's judgment is the one the pages share."""
    return service.briefing_inputs(cursor(), catalog(), who, plan_id, as_of, park_id,
                                   judged=judgement(version, who, plan_id, as_of))


# ------------------------------------------------- plans beyond revenue: tasks, bases, incentives


@st.cache_data(show_spinner=False)
def task_quarters(version: int, who: Identity, plan_id: str) -> list[Period]:
    """The quarters the plan's tasks can be shown at, newest first."""
    return service.task_quarters(cursor(), who, catalog().plans[plan_id])


@st.cache_data(show_spinner=False)
def task_board(version: int, who: Identity, plan_id: str, quarter: Period) -> service.TaskBoard:
    """Every task of the plan at the end of the quarter (scoped read: leaders, reviewers, admins)."""
    return service.task_board(cursor(), who, plan_id, quarter)


@st.cache_data(show_spinner=False)
def task_history(version: int, who: Identity, plan_id: str, task_id: str) -> pd.DataFrame:
    return service.task_history(cursor(), who, plan_id, task_id)


@st.cache_data(show_spinner=False)
def base_programme(version: int, who: Identity, plan_id: str, as_of: dt.date) -> bases.ProgrammeView:
    """The base programme as known on a date: counts, eligibility, half-year reports."""
    return service.base_programme(cursor(), catalog(), who, plan_id, as_of)


@st.cache_data(show_spinner=False)
def designations(version: int, who: Identity, plan_id: str) -> list[bases.Designation]:
    return service.designations(cursor(), who, plan_id)


@st.cache_data(show_spinner=False)
def designation_history(version: int, who: Identity, plan_id: str, base_id: str) -> pd.DataFrame:
    return service.designation_history(cursor(), who, plan_id, base_id)


@st.cache_data(show_spinner=False)
def counties(version: int, who: Identity, province: str) -> pd.DataFrame:
    return service.counties(cursor(), who, province)


@st.cache_data(show_spinner=False)
def incentive_winners(version: int, who: Identity, plan_id: str, under: str, year: int) -> pd.DataFrame:
    """Firms under a city or park that newly qualify for the plan's rewards in `year` (scoped read:
    a park manager asking beyond their park is refused by the data layer)."""
    return service.plan_winners(cursor(), who, catalog().plans[plan_id], under, year)


# ---------------------------------------------------------------------------------- backups
# Never cached: the folder changes beside the app (the nightly thread, a restore on the server),
# and each call is an administrator's click.


def backup_schedule() -> BackupSchedule | None:
    """The nightly backups' schedule, None when they are off."""
    return service.backup_schedule()


def backup_directory() -> Path:
    """Where backups go: TRACKER_BACKUP_DIR, else a backups folder beside the store."""
    return service.backup_directory()


def backups(who: Identity) -> list[BackupEntry]:
    """The backups, newest first (administrators; anyone else is refused, audited)."""
    return service.backups(cursor(), who, backup_directory())


def verify_backups(who: Identity) -> dict[str, str | None]:
    """Each backup's name and the problem found in it, None when it is intact (administrators)."""
    return service.verify_backups(cursor(), who, backup_directory())


# ------------------------------------------------------------------------- e-mail (issue 17)
# Never cached: who was reminded today and what the log holds change with every message sent,
# which the data version does not follow (a message is not a change of the figures).


def mail_server() -> mail.Server | None:
    """The configured mail server (host, port, sender, TLS; the password stays secret), or None."""
    return mail.server()


def reminder_plan(who: Identity, under: str, period: Period) -> mail.ReminderPlan:
    """Who a reminder sent now would reach (SEND_REMINDERS; anyone else is refused, audited)."""
    return mail.reminder_plan(cursor(), who, period, under)


def mail_log(who: Identity, status: str | None, kind: str | None) -> pd.DataFrame:
    """The mail log, newest first (READ_MAIL_LOG)."""
    return mail.mail_log(cursor(), who, status, kind)


# ------------------------------------------------------------------------ upload templates


def upload_limit_mb() -> int:
    """The largest file an upload may be, in MB: the reader's own limit (store/readers.MAX_BYTES)."""
    return readers.MAX_BYTES // 2**20


def tidy_template(rows: list[tuple[str, str, str, str, str]] | None = None) -> bytes:
    """The tidy layout's template (org, period, indicator, value, unit) as CSV, with the rows
    (organisation, period, indicator code, unit, indicator name) to fill in."""
    return readers.tidy_template(rows)


def wide_template(codes: list[tuple[str, str]], period_label: str, firms: list[tuple[str, str]] = ()) -> bytes:
    """The MIIT enterprise form laid out wide, one column per (row code, name), a row per
    (credit code, name) of `firms`, as XLSX."""
    return readers.wide_template(codes, period_label, firms)


# ------------------------------------------------------------ issue 17: survey population


@st.cache_data(show_spinner=False)
def survey_population(version: int, who: Identity, under: str, year: int) -> service.SurveyPopulation:
    """Firms in the survey under an organisation during a year and at its end."""
    return service.survey_population(cursor(), who, under, year)


# ---------------------------------------------------- the register of reporting units (issue 17)


@st.cache_data(show_spinner=False)
def register(version: int, who: Identity, under: str | None = None) -> pd.DataFrame:
    """The registered firms with park, contact e-mail, events and accounts (administrators)."""
    return service.register(cursor(), who, under)


@st.cache_data(show_spinner=False)
def register_places(version: int, who: Identity) -> pd.DataFrame:
    return service.register_places(cursor(), who)


@st.cache_data(show_spinner=False)
def org_events(version: int, who: Identity, org_id: str | None = None) -> pd.DataFrame:
    return service.org_events(cursor(), who, org_id)
