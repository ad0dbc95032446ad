"""Every SQL statement of the product, behind small typed functions.

All statements use `?` parameters (or a registered DataFrame for bulk rows); none is built from
user text. Writes go through `transaction()`, so a failure or a killed process leaves the store
exactly as it was. Functions take a connection (or cursor) so callers decide its lifetime: the app
holds one per process and takes a cursor per call, the command line opens one per run.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import duckdb
import pandas as pd

from domain.models import Organisation, Plan
from domain.periods import Period
from store.catalog import Catalog

Con = duckdb.DuckDBPyConnection


# One writer at a time within the process. DuckDB lets only one process write a file, so this lock
# is what orders the app's sessions: two people revising the same figure at once must get
# revisions n and n+1, not both compute n (the revision number is max + 1 inside the transaction).
WRITE_LOCK = threading.RLock()


_open = threading.local()  # the connection whose transaction this thread is inside, and how deep


@contextmanager
def transaction(con: Con) -> Iterator[Con]:
    """One atomic, serialised write: committed whole or rolled back whole.

    Nested calls on the same thread join the outer transaction (only the outermost one begins and
    commits), so a function that is atomic on its own — upsert_orgs, write_submission — is also
    atomic as part of a larger write such as loading the demo set."""
    with WRITE_LOCK:
        outer = getattr(_open, "con", None)
        if outer is not None:
            if outer is not con:
                raise RuntimeError("a nested transaction must use the connection of the outer one")
            _open.depth += 1
            try:
                yield con
            finally:
                _open.depth -= 1
            return
        con.execute("BEGIN TRANSACTION")
        _open.con, _open.depth = con, 1
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT has already ended the transaction; keep the original error
            raise
        finally:
            _open.con = None


@contextmanager
def registered(con: Con, name: str, rows: pd.DataFrame) -> Iterator[None]:
    """`rows` visible to SQL as `name` for the block. Inside a failed transaction unregistering
    fails too; that second error must not hide the first."""
    con.register(name, rows)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):
            con.unregister(name)
        raise
    con.unregister(name)


def first(con: Con, sql: str, params: Sequence | None = None) -> tuple | None:
    """The first row, or None. Reads the whole result: DuckDB 2 keeps a half-read result open
    and refuses other work on the connection until it is drained."""
    rows = con.execute(sql, list(params or [])).fetchall()
    return rows[0] if rows else None


def scalar(con: Con, sql: str, params: Sequence | None = None):
    row = first(con, sql, params)
    return None if row is None else row[0]


def audit(con: Con, actor: str, action: str, obj: str | None = None, detail: dict | None = None) -> None:
    con.execute(
        "INSERT INTO audit_log (actor, action, object, detail) VALUES (?, ?, ?, ?)",
        [actor, action, obj, json.dumps(detail or {}, ensure_ascii=False, default=str)],
    )


# ------------------------------------------------------------------------------ catalog sync


def _org_rows(orgs: Iterable[Organisation], origin: str) -> pd.DataFrame:
    return pd.DataFrame(
        [(o.org_id, o.name_zh, o.name_en, o.kind.value, o.parent, o.credit_code, origin) for o in orgs],
        columns=["org_id", "name_zh", "name_en", "kind", "parent_id", "credit_code", "origin"],
    )


def upsert_orgs(con: Con, orgs: Sequence[Organisation], origin: str) -> None:
    """Insert or update organisations, then rebuild the ancestry closure if the tree changed.

    The app syncs the catalog at every start; with nothing new or moved the closure (and the
    bottom-up sums that follow it) are left alone, so a start costs no recomputation. An
    organisation moved to another parent, or of another kind, changes the sums of its old and new
    ancestors: those are recomputed."""
    if not orgs:
        return
    with transaction(con):
        _upsert_orgs(con, orgs, origin)


def _upsert_orgs(con: Con, orgs: Sequence[Organisation], origin: str) -> None:
    frame = _org_rows(orgs, origin)
    with registered(con, "new_orgs", frame):
        moved = [r[0] for r in con.execute(
            """SELECT n.org_id FROM new_orgs n JOIN orgs o USING (org_id)
               WHERE o.parent_id IS DISTINCT FROM n.parent_id OR o.kind <> n.kind""").fetchall()]
        added = scalar(con, "SELECT count(*) FROM new_orgs WHERE org_id NOT IN (SELECT org_id FROM orgs)")
        before = _ancestors_of_subtrees(con, moved)
        con.execute(
            """INSERT INTO orgs (org_id, name_zh, name_en, kind, parent_id, credit_code, origin)
               SELECT org_id, name_zh, name_en, kind, parent_id, credit_code, origin FROM new_orgs
               ON CONFLICT (org_id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                   kind = excluded.kind, parent_id = excluded.parent_id"""
        )
    if moved or added:
        rebuild_closure(con)
    if moved:
        _refresh_ancestors(con, sorted(before | _ancestors_of_subtrees(con, moved)))


def _ancestors_of_subtrees(con: Con, org_ids: Sequence[str]) -> set[str]:
    """Every ancestor of every organisation at or below the given ones (whose sums they feed)."""
    if not org_ids:
        return set()
    rows = con.execute(
        """SELECT DISTINCT a.ancestor_id FROM org_closure s JOIN org_closure a ON a.descendant_id = s.descendant_id
           WHERE list_contains(?, s.ancestor_id)""", [list(org_ids)]).fetchall()
    return {r[0] for r in rows}


def rebuild_closure(con: Con) -> None:
    with transaction(con):  # never a deleted closure without its replacement
        _rebuild_closure(con)


def _rebuild_closure(con: Con) -> None:
    con.execute("DELETE FROM org_closure")
    con.execute(
        """INSERT INTO org_closure
           WITH RECURSIVE up(ancestor_id, descendant_id, depth) AS (
               SELECT org_id, org_id, 0 FROM orgs
               UNION ALL
               SELECT o.parent_id, up.descendant_id, up.depth + 1
               FROM up JOIN orgs o ON o.org_id = up.ancestor_id
               WHERE o.parent_id IS NOT NULL)
           SELECT ancestor_id, descendant_id, depth FROM up"""
    )


def sync_catalog(con: Con, catalog: Catalog, actor: str = "system") -> None:
    """Mirror the catalog files into the store (idempotent): indicators, orgs, plans, targets."""
    with transaction(con):
        levels = _reporting_levels(con)
        con.execute("DELETE FROM indicators")  # the catalog file is the only source of indicators
        for ind in catalog.indicators.values():
            con.execute(
                "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ind.indicator_id, ind.code, ind.name_zh, ind.name_en, ind.unit, ind.kind.value,
                 ind.reported_by.value, ind.parent, ind.components_sum_to_parent, ind.allow_negative,
                 json.dumps([d.model_dump() for d in ind.definition_changes], ensure_ascii=False)],
            )
        if _reporting_levels(con) != levels:  # which level's reports a bottom-up sum adds changed
            rebuild_bottom_up(con)
        upsert_orgs(con, list(catalog.organisations.values()), "catalog")
        for plan in catalog.plans.values():
            _sync_plan(con, plan)
        audit(con, actor, "catalog.sync", None, {"plans": sorted(catalog.plans)})


def _reporting_levels(con: Con) -> list[tuple]:
    return con.execute("SELECT indicator_id, reported_by FROM indicators ORDER BY indicator_id").fetchall()


# ------------------------------------------------------------- derived: figures in force, sums
# `current_figures`, `bottom_up` and `org_periods` (migration 4) are what every read uses; these
# functions are their only writers, each called inside the transaction of the write that changes them.


def rebuild_figures(con: Con) -> None:
    """Recompute the three derived tables from scratch (after a bulk load that bypassed write_submission)."""
    with transaction(con):
        _rebuild_figures(con)


def _rebuild_figures(con: Con) -> None:
    con.execute("DELETE FROM current_figures")
    con.execute(
        """INSERT INTO current_figures
           SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE s.status = 'accepted'
           QUALIFY row_number() OVER (
               PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1
           ORDER BY o.indicator_id, o.org_id, o.year, o.quarter"""
    )
    rebuild_bottom_up(con)
    con.execute("DELETE FROM org_periods")
    con.execute(
        """INSERT INTO org_periods
           SELECT DISTINCT c.ancestor_id, f.year, f.quarter
           FROM (SELECT DISTINCT org_id, year, quarter FROM current_figures) f
           JOIN org_closure c ON c.descendant_id = f.org_id
           ORDER BY 1, 2, 3"""
    )


def rebuild_bottom_up(con: Con) -> None:
    """Recompute every bottom-up sum (the levels that report an indicator changed)."""
    con.execute("DELETE FROM bottom_up")
    con.execute(
        """INSERT INTO bottom_up
           SELECT c.ancestor_id, f.indicator_id, f.year, f.quarter, sum(f.value), count(*)
           FROM current_figures f
           JOIN orgs d ON d.org_id = f.org_id
           JOIN indicators i ON i.indicator_id = f.indicator_id AND i.reported_by = d.kind
           JOIN org_closure c ON c.descendant_id = f.org_id AND c.depth > 0
           GROUP BY ALL ORDER BY 1, 2, 3, 4"""
    )


def _refresh_ancestors(con: Con, ancestors: Sequence[str]) -> None:
    """Recompute every sum and every quarter with data of the given organisations (their subtree
    changed shape)."""
    con.execute("DELETE FROM org_periods WHERE list_contains(?, org_id)", [list(ancestors)])
    con.execute(
        """INSERT INTO org_periods
           SELECT DISTINCT c.ancestor_id, f.year, f.quarter
           FROM (SELECT DISTINCT org_id, year, quarter FROM current_figures) f
           JOIN org_closure c ON c.descendant_id = f.org_id
           WHERE list_contains(?, c.ancestor_id)""",
        [list(ancestors)],
    )
    con.execute("DELETE FROM bottom_up WHERE list_contains(?, ancestor_id)", [list(ancestors)])
    con.execute(
        """INSERT INTO bottom_up
           SELECT c.ancestor_id, f.indicator_id, f.year, f.quarter, sum(f.value), count(*)
           FROM org_closure c
           JOIN orgs d ON d.org_id = c.descendant_id
           JOIN current_figures f ON f.org_id = c.descendant_id
           JOIN indicators i ON i.indicator_id = f.indicator_id AND i.reported_by = d.kind
           WHERE list_contains(?, c.ancestor_id) AND c.depth > 0
           GROUP BY ALL""",
        [list(ancestors)],
    )


def _refresh_figures(con: Con, submission_id: int) -> None:
    """Bring the derived tables up to date for the figures one newly accepted submission holds:
    the figure in force of each (the newest accepted revision, which need not be this one), the
    quarters with data of each ancestor (a set that only grows), then every sum those figures
    feed, recomputed whole."""
    con.execute(
        """DELETE FROM current_figures WHERE (org_id, indicator_id, year, quarter) IN (
               SELECT org_id, indicator_id, year, quarter FROM observations WHERE submission_id = ?)""",
        [submission_id],
    )
    con.execute(
        """INSERT INTO current_figures
           SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE s.status = 'accepted' AND (o.org_id, o.indicator_id, o.year, o.quarter) IN (
               SELECT org_id, indicator_id, year, quarter FROM observations WHERE submission_id = ?)
           QUALIFY row_number() OVER (
               PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1""",
        [submission_id],
    )
    con.execute(
        """INSERT INTO org_periods
           SELECT c.ancestor_id, t.year, t.quarter
           FROM (SELECT DISTINCT org_id, year, quarter FROM observations WHERE submission_id = ?) t
           JOIN org_closure c ON c.descendant_id = t.org_id
           EXCEPT
           SELECT org_id, year, quarter FROM org_periods
           WHERE (year, quarter) IN (SELECT DISTINCT year, quarter FROM observations WHERE submission_id = ?)""",
        [submission_id, submission_id],
    )
    con.execute(
        """DELETE FROM bottom_up WHERE (ancestor_id, indicator_id, year, quarter) IN (
               SELECT c.ancestor_id, t.indicator_id, t.year, t.quarter
               FROM observations t JOIN org_closure c ON c.descendant_id = t.org_id AND c.depth > 0
               WHERE t.submission_id = ?)""",
        [submission_id],
    )
    con.execute(
        """INSERT INTO bottom_up
           SELECT g.ancestor_id, g.indicator_id, g.year, g.quarter, sum(f.value), count(*)
           FROM (SELECT DISTINCT c.ancestor_id, t.indicator_id, t.year, t.quarter
                 FROM observations t JOIN org_closure c ON c.descendant_id = t.org_id AND c.depth > 0
                 WHERE t.submission_id = ?) g
           JOIN org_closure c ON c.ancestor_id = g.ancestor_id AND c.depth > 0
           JOIN orgs d ON d.org_id = c.descendant_id
           JOIN indicators i ON i.indicator_id = g.indicator_id AND i.reported_by = d.kind
           JOIN current_figures f ON f.org_id = c.descendant_id AND f.indicator_id = g.indicator_id
                                 AND f.year = g.year AND f.quarter = g.quarter
           GROUP BY ALL""",
        [submission_id],
    )


def _sync_plan(con: Con, plan: Plan) -> None:
    con.execute(
        "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [plan.plan_id, plan.title_zh, plan.title_en, plan.issuer_zh, plan.issued, plan.seed_file,
         plan.scope, plan.base_year, plan.horizon_end, plan.model_dump_json()],
    )
    con.execute("DELETE FROM targets WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM incentives WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM tasks WHERE plan_id = ?", [plan.plan_id])
    for t in plan.targets:
        con.execute(
            "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, t.target_id, t.kind.value, t.name_zh, t.name_en, t.scope, t.indicator,
             t.comparator.value, t.value, t.unit, t.value_canonical, t.base_year, t.target_year,
             t.headline, t.source_quote, t.model_dump_json()],
        )
    for inc in plan.incentives:
        con.execute(
            "INSERT INTO incentives VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, inc.incentive_id, inc.scope, inc.indicator, inc.threshold.canonical,
             inc.reward.canonical if inc.reward else None,
             inc.min_growth_pct / 100 if inc.min_growth_pct is not None else None, inc.source_quote],
        )
    phase_end = {p.phase: p.end for p in plan.phases}
    for task in plan.tasks:
        con.execute(
            "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, task.task_id, task.section, task.text, list(task.lead_departments),
             task.phase, phase_end[task.phase], task.source_quote],
        )


# ------------------------------------------------------------------------------------ reads


def frame(con: Con, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    return con.execute(sql, list(params or [])).df()


def orgs(con: Con) -> pd.DataFrame:
    return frame(con, "SELECT org_id, name_zh, name_en, kind, parent_id, credit_code, origin FROM orgs ORDER BY org_id")


def indicators(con: Con) -> pd.DataFrame:
    return frame(
        con,
        """SELECT indicator_id, code, name_zh, name_en, unit, kind, reported_by, parent_id,
                  components_sum_to_parent, allow_negative FROM indicators ORDER BY code NULLS LAST, indicator_id""",
    )


def plans(con: Con) -> pd.DataFrame:
    return frame(con, "SELECT plan_id, title_zh, title_en, issuer_zh, issued, seed_file, scope_id, base_year, "
                      "horizon_end FROM plans ORDER BY issued")


def targets(con: Con, plan_id: str | None = None) -> pd.DataFrame:
    return frame(
        con,
        """SELECT t.plan_id, t.target_id, t.kind, t.name_zh, t.name_en, t.scope_id, o.name_zh AS scope_name,
                  t.indicator_id, t.comparator, t.value, t.unit, t.base_year, t.target_year, t.headline,
                  t.source_quote, p.seed_file
           FROM targets t JOIN plans p USING (plan_id) LEFT JOIN orgs o ON o.org_id = t.scope_id
           WHERE ? IS NULL OR t.plan_id = ?
           ORDER BY p.issued, t.plan_id, t.target_id""",
        [plan_id, plan_id],
    )


def observation_count(con: Con) -> int:
    return scalar(con, "SELECT count(*) FROM observations")


def has_data(con: Con) -> bool:
    return scalar(con, "SELECT EXISTS (SELECT 1 FROM observations)")


def periods(con: Con, under: str | None = None) -> list[Period]:
    """Quarters with accepted data, oldest first; only data at or below `under` if given."""
    rows = con.execute(
        """SELECT DISTINCT year, quarter FROM org_periods WHERE ? IS NULL OR org_id = ? ORDER BY 1, 2""",
        [under, under],
    ).fetchall()
    return [Period(int(y), int(q)) for y, q in rows]


def latest_period(con: Con) -> Period | None:
    row = first(con, "SELECT year, quarter FROM current_observations ORDER BY year DESC, quarter DESC LIMIT 1")
    return Period(row[0], row[1]) if row else None


@dataclass(frozen=True)
class SeriesKey:
    org_id: str
    indicator_id: str


def series(con: Con, keys: Iterable[SeriesKey], up_to: Period) -> pd.DataFrame:
    """Official and bottom-up values of each (org, indicator) for every period up to `up_to`.

    Official: the figure recorded at the organisation itself. Bottom-up: the sum over its
    descendants of the level that reports the indicator (enterprises for form rows, parks for park
    indicators), with the number of reporters. Both come back so the caller can show coverage.
    """
    wanted = pd.DataFrame([(k.org_id, k.indicator_id) for k in set(keys)], columns=["org_id", "indicator_id"])
    if wanted.empty:
        return pd.DataFrame(columns=["org_id", "indicator_id", "year", "quarter", "official", "bottom_up", "reporters"])
    with registered(con, "wanted_series", wanted):
        return frame(
            con,
            """WITH official AS (
                   SELECT w.org_id, w.indicator_id, o.year, o.quarter, o.value AS official
                   FROM wanted_series w JOIN current_observations o USING (org_id, indicator_id)
                   WHERE o.year * 4 + o.quarter - 1 <= ?),
               bottom AS (  -- kept summed by migration 4's bottom_up table
                   SELECT w.org_id, w.indicator_id, b.year, b.quarter, b.total AS bottom_up, b.reporters
                   FROM wanted_series w JOIN bottom_up b ON b.ancestor_id = w.org_id AND b.indicator_id = w.indicator_id
                   WHERE b.year * 4 + b.quarter - 1 <= ?)
               SELECT org_id, indicator_id, year, quarter, official, bottom_up, coalesce(reporters, 0) AS reporters
               FROM official FULL OUTER JOIN bottom USING (org_id, indicator_id, year, quarter)
               ORDER BY org_id, indicator_id, year, quarter""",
            [up_to.ordinal, up_to.ordinal],
        )


def threshold_counts(con: Con, scope: str, indicator: str, threshold: float, up_to_year: int) -> dict[int, int]:
    """Per year, how many enterprises in scope had an annual (Q4) value at or above `threshold`."""
    return threshold_counts_many(con, scope, indicator, [threshold], up_to_year)[threshold]


def threshold_counts_many(con: Con, scope: str, indicator: str, thresholds: Sequence[float],
                          up_to_year: int) -> dict[float, dict[int, int]]:
    """`threshold_counts` for several thresholds in one pass (a plan's 1亿/5亿/10亿 firm counts)."""
    rows = con.execute(
        """SELECT t.threshold, o.year, count(*) FILTER (WHERE o.value >= t.threshold)
           FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs d ON d.org_id = o.org_id AND d.kind = 'enterprise'
           CROSS JOIN (SELECT unnest(?::DOUBLE[]) AS threshold) t
           WHERE o.indicator_id = ? AND o.quarter = 4 AND o.year <= ?
           GROUP BY ALL""",
        [scope, [float(x) for x in thresholds], indicator, up_to_year],
    ).fetchall()
    out: dict[float, dict[int, int]] = {float(x): {} for x in thresholds}
    for threshold, year, n in rows:
        out[float(threshold)][int(year)] = int(n)
    return out


# ----------------------------------------------------------------------------------- writes

OBSERVATION_COLUMNS = ["org_id", "indicator_id", "year", "quarter", "value", "value_entered", "unit_entered", "note"]


def write_submission(
    con: Con, rows: pd.DataFrame, *, actor: str, origin: str, status: str,
    file_name: str | None = None, explanation: str | None = None, at: dt.datetime | None = None,
) -> int:
    """Store validated rows as one submission; each row becomes the next revision of its figure.

    Runs in one transaction: either the submission and all its rows land, or nothing does.
    `rows` must already be validated and hold OBSERVATION_COLUMNS with values in canonical units.
    """
    batch = rows[OBSERVATION_COLUMNS].copy()
    stamp = at or dt.datetime.now()
    # Per-row entry times are kept where given (the demo set dates each report after its quarter).
    batch["entered_at"] = rows["entered_at"] if "entered_at" in rows else stamp
    with registered(con, "batch_rows", batch):
        with transaction(con):
            sub_id = scalar(
                con,
                """INSERT INTO submissions (origin, file_name, status, submitted_by, submitted_at, explanation, row_count)
                   VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING submission_id""",
                [origin, file_name, status, actor, stamp, explanation, len(batch)],
            )
            con.execute(
                """INSERT INTO observations (org_id, indicator_id, year, quarter, revision, value, value_entered,
                                             unit_entered, submission_id, entered_by, entered_at, note)
                   SELECT b.org_id, b.indicator_id, b.year, b.quarter, coalesce(m.rev, 0) + 1, b.value,
                          b.value_entered, b.unit_entered, ?, ?, b.entered_at, b.note
                   FROM batch_rows b LEFT JOIN (
                       SELECT org_id, indicator_id, year, quarter, max(revision) AS rev
                       FROM observations
                       WHERE (org_id, indicator_id) IN (SELECT DISTINCT org_id, indicator_id FROM batch_rows)
                         AND (year, quarter) IN (SELECT DISTINCT year, quarter FROM batch_rows)
                       GROUP BY ALL) m USING (org_id, indicator_id, year, quarter)""",
                [sub_id, actor],
            )
            if status == "accepted":
                _refresh_figures(con, sub_id)
            audit(con, actor, f"submission.{status}", f"submission:{sub_id}",
                  {"origin": origin, "file": file_name, "rows": len(batch)})
    return sub_id


def history(con: Con, org_id: str, indicator_id: str, year: int, quarter: int) -> pd.DataFrame:
    """Every revision of one figure, oldest first, with who entered it and its review state."""
    return frame(
        con,
        """SELECT o.revision, o.value, o.value_entered, o.unit_entered, o.entered_by, o.entered_at, o.note,
                  s.submission_id, s.status, s.explanation, s.reviewed_by, s.review_comment
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE o.org_id = ? AND o.indicator_id = ? AND o.year = ? AND o.quarter = ?
           ORDER BY o.revision""",
        [org_id, indicator_id, year, quarter],
    )


def set_setting(con: Con, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])


def setting(con: Con, key: str) -> str | None:
    row = first(con, "SELECT value FROM settings WHERE key = ?", [key])
    return row[0] if row else None


def data_date(con: Con, under: str, up_to: Period) -> dt.date | None:
    """When the newest accepted figure at or under `under`, for a quarter up to `up_to`, was entered."""
    value = scalar(
        con,
        """SELECT max(o.entered_at) FROM observations o JOIN submissions s USING (submission_id)
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           WHERE s.status = 'accepted' AND o.year * 4 + o.quarter - 1 <= ?""",
        [under, up_to.ordinal],
    )
    return value.date() if value is not None else None


def current_values(con: Con, keys: pd.DataFrame, periods: Sequence[Period] | None = None) -> pd.DataFrame:
    """All current figures of the given (org_id, indicator_id) pairs and of their parent and child
    indicators; only those of `periods` when given (validation needs a figure's neighbours, not
    its whole history: 40 quarters of 10 000 firms is four million rows)."""
    with registered(con, "wanted_values", keys[["org_id", "indicator_id"]]):
        return frame(
            con,
            """SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value
               FROM current_observations o
               WHERE (o.org_id, o.indicator_id) IN (
                   SELECT org_id, indicator_id FROM wanted_values
                   UNION SELECT w.org_id, i.parent_id FROM wanted_values w JOIN indicators i USING (indicator_id)
                   WHERE i.parent_id IS NOT NULL
                   UNION SELECT w.org_id, c.indicator_id FROM wanted_values w
                   JOIN indicators c ON c.parent_id = w.indicator_id)
                 AND (?::INTEGER[] IS NULL OR list_contains(?::INTEGER[], o.year * 4 + o.quarter - 1))""",
            [None if periods is None else [p.ordinal for p in periods]] * 2,
        )


def parks(con: Con) -> pd.DataFrame:
    return frame(
        con,
        """SELECT p.org_id, p.name_zh, p.name_en, p.parent_id, c.org_id AS city_id, c.name_zh AS city_name
           FROM orgs p
           JOIN org_closure x ON x.descendant_id = p.org_id
           JOIN orgs c ON c.org_id = x.ancestor_id AND c.kind = 'city'
           WHERE p.kind = 'park' ORDER BY c.org_id, p.org_id""",
    )


def enterprise_figures(con: Con, park_id: str, as_of: Period) -> pd.DataFrame:
    """Each enterprise of a park with this period's software revenue, the same period last year,
    its employees, and whether it has reported anything for the period."""
    return frame(
        con,
        """WITH ents AS (
               SELECT o.org_id, o.name_zh, o.credit_code FROM orgs o
               JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
               WHERE o.kind = 'enterprise'),
           cur AS (SELECT * FROM current_observations WHERE (year, quarter) IN ((?, ?), (?, ?)))
           SELECT e.org_id, e.name_zh, e.credit_code,
                  max(v.value) FILTER (WHERE v.indicator_id = 'software_revenue' AND v.year = ?) AS software_revenue,
                  max(v.value) FILTER (WHERE v.indicator_id = 'software_revenue' AND v.year = ?) AS software_revenue_ly,
                  max(v.value) FILTER (WHERE v.indicator_id = 'main_revenue' AND v.year = ?) AS main_revenue,
                  max(v.value) FILTER (WHERE v.indicator_id = 'employees' AND v.year = ?) AS employees,
                  count(v.value) FILTER (WHERE v.year = ?) > 0 AS reported
           FROM ents e LEFT JOIN cur v ON v.org_id = e.org_id
           GROUP BY ALL ORDER BY software_revenue DESC NULLS LAST, e.org_id""",
        [park_id, as_of.year, as_of.quarter, as_of.year - 1, as_of.quarter,
         as_of.year, as_of.year - 1, as_of.year, as_of.year, as_of.year],
    )


def org_figures(con: Con, org_id: str, as_of: Period) -> pd.DataFrame:
    """Every indicator one organisation reported for a period, with the same period last year."""
    return frame(
        con,
        """SELECT i.indicator_id, i.code, i.name_zh, i.name_en, i.unit,
                  max(o.value) FILTER (WHERE o.year = ?) AS value,
                  max(o.value) FILTER (WHERE o.year = ?) AS value_last_year
           FROM current_observations o JOIN indicators i USING (indicator_id)
           WHERE o.org_id = ? AND o.quarter = ? AND o.year IN (?, ?)
           GROUP BY ALL ORDER BY i.code NULLS LAST, i.indicator_id""",
        [as_of.year, as_of.year - 1, org_id, as_of.quarter, as_of.year, as_of.year - 1],
    )


def submissions(con: Con, status: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Submissions, newest first, with the organisations and periods they cover.

    The page of submissions is chosen first and only its rows are joined: joining every
    observation before the LIMIT cost seconds on a national store."""
    return frame(
        con,
        """WITH page AS (
               SELECT * FROM submissions
               WHERE (? IS NULL OR status = ?) AND origin <> 'demo'
               ORDER BY submitted_at DESC, submission_id DESC LIMIT ?)
           SELECT s.submission_id, s.origin, s.file_name, s.status, s.submitted_by, s.submitted_at, s.explanation,
                  s.reviewed_by, s.reviewed_at, s.review_comment, s.row_count,
                  string_agg(DISTINCT g.name_zh, '、') AS orgs,
                  string_agg(DISTINCT o.year || 'Q' || o.quarter, '、') AS periods
           FROM page s
           LEFT JOIN observations o USING (submission_id)
           LEFT JOIN orgs g ON g.org_id = o.org_id
           GROUP BY ALL ORDER BY s.submitted_at DESC, s.submission_id DESC""",
        [status, status, limit],
    )


def submission_rows(con: Con, submission_id: int) -> pd.DataFrame:
    """A submission's figures beside the figure they would replace (old → new).

    The figures in force are narrowed to the submission's organisations before the join, so a
    national store is not scanned whole for a park's upload."""
    return frame(
        con,
        """WITH mine AS (SELECT * FROM observations WHERE submission_id = ?)
           SELECT o.org_id, g.name_zh AS org_name, o.indicator_id, i.name_zh AS indicator_name, i.unit,
                  o.year, o.quarter, o.revision, c.value AS old_value, o.value AS new_value, o.value_entered,
                  o.unit_entered
           FROM mine o
           JOIN orgs g ON g.org_id = o.org_id
           JOIN indicators i USING (indicator_id)
           LEFT JOIN (SELECT * FROM current_observations WHERE org_id IN (SELECT org_id FROM mine)) c
                  ON c.org_id = o.org_id AND c.indicator_id = o.indicator_id AND c.year = o.year
                 AND c.quarter = o.quarter AND c.submission_id <> o.submission_id
           ORDER BY g.name_zh, o.year, o.quarter, i.indicator_id""",
        [submission_id],
    )


def review_submission(con: Con, submission_id: int, *, reviewer: str, decision: str, comment: str | None) -> bool:
    """Accept or return a pending submission; False if it was not pending (already reviewed)."""
    if decision not in ("accepted", "returned"):
        raise ValueError(f"decision must be accepted or returned, not {decision!r}")
    with transaction(con):
        changed = scalar(
            con,
            """UPDATE submissions SET status = ?, reviewed_by = ?, reviewed_at = current_timestamp, review_comment = ?
               WHERE submission_id = ? AND status = 'pending' RETURNING submission_id""",
            [decision, reviewer, comment, submission_id],
        )
        if changed is not None:
            if decision == "accepted":
                _refresh_figures(con, submission_id)
            audit(con, reviewer, f"review.{decision}", f"submission:{submission_id}", {"comment": comment})
    return changed is not None


# ----------------------------------------------------------------------- reporting status


def reporting_status(con: Con, under: str, period: Period, deadline: dt.date) -> pd.DataFrame:
    """Every enterprise under an organisation: has it reported for the period, when, on time?

    A report counts from the first submission holding any figure of the period that was not
    returned; it is on time when that submission arrived by the deadline (inclusive)."""
    return frame(
        con,
        """WITH ents AS (
               SELECT e.org_id, e.name_zh, e.credit_code, e.parent_id, p.name_zh AS park_name
               FROM orgs e JOIN org_closure c ON c.descendant_id = e.org_id AND c.ancestor_id = ?
               LEFT JOIN orgs p ON p.org_id = e.parent_id
               WHERE e.kind = 'enterprise'),
           first AS (
               SELECT o.org_id, min(o.entered_at) AS first_at
               FROM observations o JOIN submissions s USING (submission_id)
               WHERE o.year = ? AND o.quarter = ? AND s.status <> 'returned'
               GROUP BY o.org_id)
           SELECT e.org_id, e.name_zh, e.credit_code, e.parent_id AS park_id, e.park_name,
                  f.first_at IS NOT NULL AS reported, f.first_at,
                  f.first_at IS NOT NULL AND CAST(f.first_at AS DATE) <= ? AS on_time
           FROM ents e LEFT JOIN first f USING (org_id)
           ORDER BY e.park_name, reported, e.name_zh""",
        [under, period.year, period.quarter, deadline],
    )


def writable_orgs(con: Con, root: str | None) -> pd.DataFrame:
    """Enterprises and parks at or under `root` (everything when None), for the entry form."""
    return frame(
        con,
        """SELECT o.org_id, o.name_zh, o.kind, o.credit_code FROM orgs o
           WHERE o.kind IN ('enterprise', 'park')
             AND (? IS NULL OR o.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?))
           ORDER BY o.kind DESC, o.name_zh""",
        [root, root],
    )


def values_for(con: Con, org_id: str, periods: Sequence[Period]) -> dict[tuple[str, int, int], float]:
    """Current values of one organisation for the given periods, keyed (indicator, year, quarter)."""
    if not periods:
        return {}
    rows = con.execute(
        """SELECT indicator_id, year, quarter, value FROM current_observations
           WHERE org_id = ? AND list_contains(?, year * 4 + quarter - 1)""",
        [org_id, [p.ordinal for p in periods]],
    ).fetchall()
    return {(i, int(y), int(q)): float(v) for i, y, q, v in rows}


def city_of(con: Con, org_id: str) -> str | None:
    return scalar(con, """SELECT c.ancestor_id FROM org_closure c JOIN orgs o ON o.org_id = c.ancestor_id
                          WHERE c.descendant_id = ? AND o.kind = 'city'""", [org_id])


# ------------------------------------------------- plans beyond revenue: tasks, bases, incentive firms
# Task updates, designations and half-year reports keep every revision (a correction is a new row);
# the current_* views and the QUALIFY below pick the newest.


def plan_tasks(con: Con, plan_id: str) -> pd.DataFrame:
    return frame(con, """SELECT task_id, section, text, lead_departments, phase, due FROM tasks
                         WHERE plan_id = ? ORDER BY task_id""", [plan_id])


def task_updates(con: Con, plan_id: str, task_id: str | None = None) -> pd.DataFrame:
    """Every revision of every quarterly task status of a plan (or of one task), oldest first."""
    return frame(
        con,
        """SELECT task_id, department, year, quarter, revision, status, note, entered_by, entered_at
           FROM task_updates WHERE plan_id = ? AND (? IS NULL OR task_id = ?)
           ORDER BY task_id, year, quarter, department, revision""",
        [plan_id, task_id, task_id],
    )


def add_task_update(con: Con, *, plan_id: str, task_id: str, department: str, year: int, quarter: int,
                    status: str, note: str, actor: str) -> int:
    """Record a department's status of a task for a quarter as its next revision; returns it."""
    with transaction(con):
        revision = scalar(
            con,
            """SELECT coalesce(max(revision), 0) + 1 FROM task_updates
               WHERE plan_id = ? AND task_id = ? AND department = ? AND year = ? AND quarter = ?""",
            [plan_id, task_id, department, year, quarter],
        )
        con.execute(
            """INSERT INTO task_updates (plan_id, task_id, department, year, quarter, revision, status, note, entered_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [plan_id, task_id, department, year, quarter, revision, status, note, actor],
        )
        audit(con, actor, "task.update", f"task:{plan_id}/{task_id}",
              {"department": department, "period": f"{year}Q{quarter}", "status": status, "revision": revision})
    return revision


def base_designations(con: Con, plan_id: str) -> pd.DataFrame:
    """The current revision of every designation (withdrawn ones included, flagged), with its county."""
    return frame(
        con,
        """SELECT d.base_id, d.revision, d.name, d.base_type, d.county_id, o.name_zh AS county_name, d.year,
                  d.designated_on, d.funding, d.startup_teams, d.withdrawn, d.note, d.entered_by, d.entered_at
           FROM current_base_designations d LEFT JOIN orgs o ON o.org_id = d.county_id
           WHERE d.plan_id = ? ORDER BY d.year, d.base_type, d.base_id""",
        [plan_id],
    )


def designation_history(con: Con, plan_id: str, base_id: str) -> pd.DataFrame:
    return frame(
        con,
        """SELECT revision, name, base_type, county_id, year, designated_on, funding, startup_teams, withdrawn, note,
                  entered_by, entered_at
           FROM base_designations WHERE plan_id = ? AND base_id = ? ORDER BY revision""",
        [plan_id, base_id],
    )


def add_base_designation(con: Con, *, plan_id: str, base_id: str, name: str, base_type: str, county_id: str,
                         year: int, designated_on: dt.date, funding: float, startup_teams: int | None,
                         withdrawn: bool, note: str, actor: str) -> int:
    """Record a designation (or a correction of one, as its next revision); returns the revision."""
    with transaction(con):
        revision = scalar(con, """SELECT coalesce(max(revision), 0) + 1 FROM base_designations
                                  WHERE plan_id = ? AND base_id = ?""", [plan_id, base_id])
        con.execute(
            """INSERT INTO base_designations (plan_id, base_id, revision, name, base_type, county_id, year, designated_on,
                                              funding, startup_teams, withdrawn, note, entered_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [plan_id, base_id, revision, name, base_type, county_id, year, designated_on, funding, startup_teams,
             withdrawn, note, actor],
        )
        audit(con, actor, "base.designation", f"base:{plan_id}/{base_id}",
              {"type": base_type, "county": county_id, "year": year, "funding": funding, "withdrawn": withdrawn,
               "revision": revision})
    return revision


def base_reports(con: Con, plan_id: str) -> pd.DataFrame:
    """The current revision of each half-year report received."""
    return frame(
        con,
        """SELECT base_id, year, half, revision, received_on, note, entered_by, entered_at FROM base_reports
           WHERE plan_id = ?
           QUALIFY row_number() OVER (PARTITION BY base_id, year, half ORDER BY revision DESC) = 1
           ORDER BY base_id, year, half""",
        [plan_id],
    )


def add_base_report(con: Con, *, plan_id: str, base_id: str, year: int, half: int, received_on: dt.date,
                    note: str, actor: str) -> int:
    with transaction(con):
        revision = scalar(con, """SELECT coalesce(max(revision), 0) + 1 FROM base_reports
                                  WHERE plan_id = ? AND base_id = ? AND year = ? AND half = ?""",
                          [plan_id, base_id, year, half])
        con.execute(
            """INSERT INTO base_reports (plan_id, base_id, year, half, revision, received_on, note, entered_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [plan_id, base_id, year, half, revision, received_on, note, actor],
        )
        audit(con, actor, "base.report", f"base:{plan_id}/{base_id}",
              {"half": f"{year}H{half}", "received_on": received_on, "revision": revision})
    return revision


_BULK_INSERTS = {  # bulk loads (the demo set): table → (its columns in order, the statement)
    "task_updates": (
        ["plan_id", "task_id", "department", "year", "quarter", "revision", "status", "note", "entered_by", "entered_at"],
        """INSERT INTO task_updates (plan_id, task_id, department, year, quarter, revision, status, note, entered_by,
                                    entered_at)
           SELECT * FROM bulk_rows"""),
    "base_designations": (
        ["plan_id", "base_id", "revision", "name", "base_type", "county_id", "year", "designated_on", "funding",
         "startup_teams", "withdrawn", "note", "entered_by", "entered_at"],
        """INSERT INTO base_designations (plan_id, base_id, revision, name, base_type, county_id, year, designated_on,
                                         funding, startup_teams, withdrawn, note, entered_by, entered_at)
           SELECT * FROM bulk_rows"""),
    "base_reports": (
        ["plan_id", "base_id", "year", "half", "revision", "received_on", "note", "entered_by", "entered_at"],
        """INSERT INTO base_reports (plan_id, base_id, year, half, revision, received_on, note, entered_by, entered_at)
           SELECT * FROM bulk_rows"""),
}


def load_programme_rows(con: Con, tables: dict[str, pd.DataFrame], actor: str) -> None:
    """Insert prepared rows into the programme tables in one transaction (the demo set)."""
    with transaction(con):
        for table, rows in tables.items():
            columns, sql = _BULK_INSERTS[table]
            with registered(con, "bulk_rows", rows[columns]):
                con.execute(sql)
        audit(con, actor, "programme.load", None, {t: len(r) for t, r in tables.items()})


def org_annual(con: Con, under: str, kind: str, indicator_id: str, years: Sequence[int]) -> pd.DataFrame:
    """Annual (Q4) values of one indicator for every organisation of a kind under another
    (the counties of a province, for the base programme's ranking criterion)."""
    return frame(
        con,
        """SELECT o.org_id, g.name_zh, o.year, o.value FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs g ON g.org_id = o.org_id AND g.kind = ?
           WHERE o.indicator_id = ? AND o.quarter = 4 AND list_contains(?, o.year)
           ORDER BY o.year, o.value DESC, o.org_id""",
        [under, kind, indicator_id, [int(y) for y in years]],
    )


def orgs_of_kind(con: Con, under: str, kind: str) -> pd.DataFrame:
    return frame(
        con,
        """SELECT g.org_id, g.name_zh, g.parent_id FROM orgs g
           JOIN org_closure c ON c.descendant_id = g.org_id AND c.ancestor_id = ?
           WHERE g.kind = ? ORDER BY g.name_zh""",
        [under, kind],
    )


def enterprise_annual_by_park(con: Con, under: str, indicator_id: str, up_to_year: int) -> pd.DataFrame:
    """Annual (Q4) values of one indicator for every enterprise under an organisation, with its park."""
    return frame(
        con,
        """SELECT o.org_id, e.name_zh, e.credit_code, e.parent_id AS park_id, p.name_zh AS park_name, o.year, o.value
           FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs e ON e.org_id = o.org_id AND e.kind = 'enterprise'
           LEFT JOIN orgs p ON p.org_id = e.parent_id
           WHERE o.indicator_id = ? AND o.quarter = 4 AND o.year <= ?
           ORDER BY o.org_id, o.year""",
        [under, indicator_id, up_to_year],
    )
