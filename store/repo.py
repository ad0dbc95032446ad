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
from contextlib import contextmanager
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


@contextmanager
def transaction(con: Con) -> Iterator[Con]:
    """One atomic, serialised write: committed whole or rolled back whole."""
    with WRITE_LOCK:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass  # a failed COMMIT has already ended the transaction; keep the original error
            raise


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
    """Insert or update organisations, then rebuild the ancestry closure."""
    if not orgs:
        return
    frame = _org_rows(orgs, origin)
    con.register("new_orgs", frame)
    try:
        con.execute(
            """INSERT INTO orgs (org_id, name_zh, name_en, kind, parent_id, credit_code, origin)
               SELECT org_id, name_zh, name_en, kind, parent_id, credit_code, origin FROM new_orgs
               ON CONFLICT (org_id) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                   kind = excluded.kind, parent_id = excluded.parent_id"""
        )
    finally:
        con.unregister("new_orgs")
    rebuild_closure(con)


def rebuild_closure(con: Con) -> None:
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
        con.execute("DELETE FROM indicators")  # the catalog file is the only source of indicators
        for ind in catalog.indicators.values():
            con.execute(
                "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ind.indicator_id, ind.code, ind.name_zh, ind.name_en, ind.unit, ind.kind.value,
                 ind.reported_by.value, ind.parent, ind.components_sum_to_parent, ind.allow_negative,
                 json.dumps([d.model_dump() for d in ind.definition_changes], ensure_ascii=False)],
            )
        upsert_orgs(con, list(catalog.organisations.values()), "catalog")
        for plan in catalog.plans.values():
            _sync_plan(con, plan)
        audit(con, actor, "catalog.sync", None, {"plans": sorted(catalog.plans)})


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
        """SELECT DISTINCT o.year, o.quarter FROM current_observations o
           WHERE ? IS NULL OR o.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = ?)
           ORDER BY 1, 2""",
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
    con.register("wanted_series", wanted)
    try:
        return frame(
            con,
            """WITH obs AS (
                   SELECT * FROM current_observations
                   WHERE year * 4 + quarter - 1 <= ?),
               official AS (
                   SELECT w.org_id, w.indicator_id, o.year, o.quarter, o.value AS official
                   FROM wanted_series w JOIN obs o USING (org_id, indicator_id)),
               bottom AS (
                   SELECT w.org_id, w.indicator_id, o.year, o.quarter,
                          sum(o.value) AS bottom_up, count(*) AS reporters
                   FROM wanted_series w
                   JOIN indicators i USING (indicator_id)
                   JOIN org_closure c ON c.ancestor_id = w.org_id AND c.depth > 0
                   JOIN orgs d ON d.org_id = c.descendant_id AND d.kind = i.reported_by
                   JOIN obs o ON o.org_id = d.org_id AND o.indicator_id = w.indicator_id
                   GROUP BY ALL)
               SELECT org_id, indicator_id, year, quarter, official, bottom_up, coalesce(reporters, 0) AS reporters
               FROM official FULL OUTER JOIN bottom USING (org_id, indicator_id, year, quarter)
               ORDER BY org_id, indicator_id, year, quarter""",
            [up_to.ordinal],
        )
    finally:
        con.unregister("wanted_series")


def threshold_counts(con: Con, scope: str, indicator: str, threshold: float, up_to_year: int) -> dict[int, int]:
    """Per year, how many enterprises in scope had an annual (Q4) value at or above `threshold`."""
    rows = con.execute(
        """SELECT o.year, count(*) FILTER (WHERE o.value >= ?)
           FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs d ON d.org_id = o.org_id AND d.kind = 'enterprise'
           WHERE o.indicator_id = ? AND o.quarter = 4 AND o.year <= ?
           GROUP BY o.year""",
        [threshold, scope, indicator, up_to_year],
    ).fetchall()
    return {int(y): int(n) for y, n in rows}


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
    con.register("batch_rows", batch)  # registered outside the transaction: cleanup can't mask an error
    try:
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
                       GROUP BY ALL) m USING (org_id, indicator_id, year, quarter)""",
                [sub_id, actor],
            )
            audit(con, actor, f"submission.{status}", f"submission:{sub_id}",
                  {"origin": origin, "file": file_name, "rows": len(batch)})
    finally:
        con.unregister("batch_rows")
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


def current_values(con: Con, keys: pd.DataFrame) -> pd.DataFrame:
    """All current figures of the given (org_id, indicator_id) pairs and of their parent indicators."""
    con.register("wanted_values", keys[["org_id", "indicator_id"]])
    try:
        return frame(
            con,
            """SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value
               FROM current_observations o
               WHERE (o.org_id, o.indicator_id) IN (
                   SELECT org_id, indicator_id FROM wanted_values
                   UNION SELECT w.org_id, i.parent_id FROM wanted_values w JOIN indicators i USING (indicator_id)
                   WHERE i.parent_id IS NOT NULL
                   UNION SELECT w.org_id, c.indicator_id FROM wanted_values w
                   JOIN indicators c ON c.parent_id = w.indicator_id)""",
        )
    finally:
        con.unregister("wanted_values")


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


def enterprise_annual(con: Con, under: str, indicator_id: str, up_to_year: int) -> pd.DataFrame:
    """Annual (Q4) values of one indicator for every enterprise under an organisation."""
    return frame(
        con,
        """SELECT o.org_id, e.name_zh, o.year, o.value FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs e ON e.org_id = o.org_id AND e.kind = 'enterprise'
           WHERE o.indicator_id = ? AND o.quarter = 4 AND o.year <= ?
           ORDER BY o.org_id, o.year""",
        [under, indicator_id, up_to_year],
    )


def incentives(con: Con, scope_ids: Sequence[str]) -> pd.DataFrame:
    return frame(
        con,
        """SELECT plan_id, incentive_id, scope_id, indicator_id, threshold, reward, min_growth
           FROM incentives WHERE list_contains(?, scope_id) ORDER BY threshold""",
        [list(scope_ids)],
    )



# ------------------------------------------------------------------------------- review


def submissions(con: Con, status: str | None = None, limit: int = 200) -> pd.DataFrame:
    """Submissions, newest first, with the organisations and periods they cover."""
    return frame(
        con,
        """SELECT s.submission_id, s.origin, s.file_name, s.status, s.submitted_by, s.submitted_at, s.explanation,
                  s.reviewed_by, s.reviewed_at, s.review_comment, s.row_count,
                  string_agg(DISTINCT g.name_zh, '、') AS orgs,
                  string_agg(DISTINCT o.year || 'Q' || o.quarter, '、') AS periods
           FROM submissions s
           LEFT JOIN observations o USING (submission_id)
           LEFT JOIN orgs g ON g.org_id = o.org_id
           WHERE (? IS NULL OR s.status = ?) AND s.origin <> 'demo'
           GROUP BY ALL ORDER BY s.submitted_at DESC, s.submission_id DESC LIMIT ?""",
        [status, status, limit],
    )


def submission_rows(con: Con, submission_id: int) -> pd.DataFrame:
    """A submission's figures beside the figure they would replace (old → new)."""
    return frame(
        con,
        """SELECT o.org_id, g.name_zh AS org_name, o.indicator_id, i.name_zh AS indicator_name, i.unit,
                  o.year, o.quarter, o.revision, c.value AS old_value, o.value AS new_value, o.value_entered,
                  o.unit_entered
           FROM observations o
           JOIN orgs g ON g.org_id = o.org_id
           JOIN indicators i USING (indicator_id)
           LEFT JOIN current_observations c
                  ON c.org_id = o.org_id AND c.indicator_id = o.indicator_id AND c.year = o.year
                 AND c.quarter = o.quarter AND c.submission_id <> o.submission_id
           WHERE o.submission_id = ? ORDER BY g.name_zh, o.year, o.quarter, i.indicator_id""",
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
