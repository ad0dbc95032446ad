"""Figures: the observations in force and every read of them — series of an organisation's
indicator (official and bottom-up), firm counts over a threshold, the quarters with data, a park's
or an organisation's figures of a quarter — and the three derived tables that make those reads fast.

`current_figures`, `bottom_up` and `org_periods` (migration 4) are what every read uses; the
functions under "derived" are their only writers, each called inside the transaction of the write
that changes them (store/submissions.py, store/orgs.py, store/plans.py, and whoever records a
register event: `refresh_after_events`). A sum counts each figure under the ancestors of where its
organisation was in the figure's quarter (store/placements.py), so a firm that moves takes its
later quarters to its new park and leaves its earlier ones where they were.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd

from domain.periods import Period
from domain.snapshot import SeriesKey
from store import placements
from store.sql import Con, first, frame, registered, scalar, transaction

# ------------------------------------------------------------- derived: figures in force, sums


def rebuild_figures(con: Con) -> None:
    """Recompute the three derived tables from scratch (after a bulk load that bypassed write_submission)."""
    with transaction(con):
        _rebuild_figures(con)


def _rebuild_figures(con: Con) -> None:
    con.execute("DELETE FROM current_figures")
    con.execute(
        """INSERT INTO current_figures
           SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id, o.yoy,
                  o.obs_status
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE s.status = 'accepted'
           QUALIFY row_number() OVER (
               PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1
           ORDER BY o.indicator_id, o.org_id, o.year, o.quarter"""
    )
    rebuild_bottom_up(con)
    con.execute("DELETE FROM org_periods")
    under, params = placements.placed(con, "SELECT DISTINCT org_id, year, quarter FROM current_figures", depth="true")
    con.execute(f"INSERT INTO org_periods SELECT DISTINCT ancestor_id, year, quarter FROM ({under}) ORDER BY 1, 2, 3",  # noqa: S608
                params)


# The figures each sum adds up: those of the level that reports the indicator (enterprises for
# form rows, parks for park indicators); `{where}` narrows them.
_REPORTED = """SELECT f.org_id, f.indicator_id, f.year, f.quarter, f.value FROM current_figures f
               JOIN orgs d ON d.org_id = f.org_id
               JOIN indicators i ON i.indicator_id = f.indicator_id AND i.reported_by = d.kind {where}"""


def rebuild_bottom_up(con: Con) -> None:
    """Recompute every bottom-up sum (the levels that report an indicator changed); each figure
    counts under the ancestors of where its organisation was in the figure's quarter."""
    con.execute("DELETE FROM bottom_up")
    under, params = placements.placed(con, _REPORTED.format(where=""))
    con.execute(
        f"""INSERT INTO bottom_up
            SELECT ancestor_id, indicator_id, year, quarter, sum(value), count(*)
            FROM ({under}) GROUP BY ALL ORDER BY 1, 2, 3, 4""",  # noqa: S608 (fixed text; values are parameters)
        params,
    )


def refresh_ancestors(con: Con, ancestors: Sequence[str]) -> None:
    """Recompute every sum and every quarter with data of the given organisations (their subtree
    changed shape, now or in some quarter)."""
    wanted = [list(ancestors)]
    con.execute("DELETE FROM org_periods WHERE list_contains(?, org_id)", wanted)
    under, params = placements.placed(con, "SELECT DISTINCT org_id, year, quarter FROM current_figures", depth="true",
                                      ancestors="AND list_contains(?, c.ancestor_id)", ancestor_params=wanted)
    con.execute(f"INSERT INTO org_periods SELECT DISTINCT ancestor_id, year, quarter FROM ({under})", params)  # noqa: S608
    con.execute("DELETE FROM bottom_up WHERE list_contains(?, ancestor_id)", wanted)
    under, params = placements.placed(con, _REPORTED.format(where=""),
                                      ancestors="AND list_contains(?, c.ancestor_id)", ancestor_params=wanted)
    con.execute(
        f"""INSERT INTO bottom_up
            SELECT ancestor_id, indicator_id, year, quarter, sum(value), count(*)
            FROM ({under}) GROUP BY ALL""",  # noqa: S608 (fixed text; values are parameters)
        params,
    )


def refresh_figures(con: Con, submission_id: int) -> None:
    """Bring the derived tables up to date for the figures one newly accepted submission holds:
    the figure in force of each (the newest accepted revision, which need not be this one), the
    quarters with data of each ancestor (a set that only grows), then every sum those figures
    feed, recomputed whole — the ancestors of where each firm was in the figure's quarter."""
    con.execute(
        """DELETE FROM current_figures WHERE (org_id, indicator_id, year, quarter) IN (
               SELECT org_id, indicator_id, year, quarter FROM observations WHERE submission_id = ?)""",
        [submission_id],
    )
    con.execute(
        """INSERT INTO current_figures
           SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id, o.yoy,
                  o.obs_status
           FROM observations o JOIN submissions s USING (submission_id)
           WHERE s.status = 'accepted' AND (o.org_id, o.indicator_id, o.year, o.quarter) IN (
               SELECT org_id, indicator_id, year, quarter FROM observations WHERE submission_id = ?)
           QUALIFY row_number() OVER (
               PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1""",
        [submission_id],
    )
    under, params = placements.placed(
        con, "SELECT DISTINCT org_id, year, quarter FROM observations WHERE submission_id = ?", [submission_id],
        depth="true")
    con.execute(
        f"""INSERT INTO org_periods
            SELECT ancestor_id, year, quarter FROM ({under})
            EXCEPT
            SELECT org_id, year, quarter FROM org_periods
            WHERE (year, quarter) IN (SELECT DISTINCT year, quarter FROM observations WHERE submission_id = ?)""",  # noqa: S608 (fixed text; values are parameters)
        [*params, submission_id],
    )
    # The sums this submission's figures feed: (ancestor, indicator, quarter), each recomputed whole.
    fed, fed_params = placements.placed(
        con, "SELECT org_id, indicator_id, year, quarter FROM observations WHERE submission_id = ?", [submission_id])
    fed_sums = f"fed_sums AS (SELECT DISTINCT ancestor_id, indicator_id, year, quarter FROM ({fed}))"  # noqa: S608
    con.execute(f"""DELETE FROM bottom_up WHERE (ancestor_id, indicator_id, year, quarter) IN (
                        WITH {fed_sums} SELECT * FROM fed_sums)""", fed_params)  # noqa: S608
    under, params = placements.placed(
        con, _REPORTED.format(where="WHERE (f.indicator_id, f.year, f.quarter) IN "
                                    "(SELECT indicator_id, year, quarter FROM fed_sums)"),
        ancestors="AND c.ancestor_id IN (SELECT ancestor_id FROM fed_sums)")
    con.execute(
        f"""INSERT INTO bottom_up
            WITH {fed_sums}
            SELECT p.ancestor_id, p.indicator_id, p.year, p.quarter, sum(p.value), count(*)
            FROM ({under}) p SEMI JOIN fed_sums g USING (ancestor_id, indicator_id, year, quarter)
            GROUP BY ALL""",  # noqa: S608 (fixed text; values are parameters)
        [*fed_params, *params],
    )


def refresh_after_events(con: Con, org_ids: Sequence[str]) -> None:
    """After events of these organisations were recorded (store/org_events.add_event) — or their
    parent changed — bring the dated ancestry and every sum it moves up to date, in the caller's
    transaction: only the ancestors that gain or lose a figure in some quarter are recomputed, so an
    event that moves nothing (entered or left the survey, closed) costs one small comparison."""
    with transaction(con):
        before = placements.ancestry(con, org_ids)
        placements.rebuild(con)
        changed = before ^ placements.ancestry(con, org_ids)
        if changed:
            refresh_ancestors(con, sorted({a for a, *_ in changed}))


# ------------------------------------------------------------------------------------ reads

# The figures in force "as it stood" on a date (issue 15): the newest accepted revision among those
# published (coalesce(published_on, entered_at)) before the given moment, under the name of the view
# it stands in for, so a read's own SQL is the same on both paths. Computed from the revisions: the
# maintained tables hold only today's state. The parameter is the start of the day after the date.
IN_FORCE_AT = """current_observations AS (
    SELECT o.org_id, o.indicator_id, o.year, o.quarter, o.value, o.revision, o.submission_id, o.yoy, o.obs_status
    FROM observations o JOIN submissions s USING (submission_id)
    WHERE s.status = 'accepted' AND coalesce(o.published_on, o.entered_at) < ?
    QUALIFY row_number() OVER (
        PARTITION BY o.org_id, o.indicator_id, o.year, o.quarter ORDER BY o.revision DESC) = 1)"""


def _cutoff(as_at: dt.date) -> dt.datetime:
    """The first moment after `as_at`: a figure published on that day stood on it."""
    return dt.datetime.combine(as_at + dt.timedelta(days=1), dt.time())


def _in_force(as_at: dt.date | None) -> tuple[str, list]:
    """The WITH clause that makes `current_observations` the figures in force at the end of `as_at`
    (nothing for today's: the maintained table), and its parameters."""
    return ("", []) if as_at is None else (f"WITH {IN_FORCE_AT} ", [_cutoff(as_at)])


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


def series(con: Con, keys: Iterable[SeriesKey], up_to: Period, as_at: dt.date | None = None) -> pd.DataFrame:
    """Official and bottom-up values of each (org, indicator) for every period up to `up_to`, as they
    stand now or, with `as_at`, as they stood at the end of that day.

    Official: the figure recorded at the organisation itself, with its published 同比 and status.
    Bottom-up: the sum over its descendants of the level that reports the indicator (enterprises
    for form rows, parks for park indicators), with the number of reporters. Both come back so the
    caller can show coverage.
    """
    wanted = pd.DataFrame([(k.org_id, k.indicator_id) for k in set(keys)], columns=["org_id", "indicator_id"])
    if wanted.empty:
        return pd.DataFrame(columns=["org_id", "indicator_id", "year", "quarter", "official", "bottom_up", "reporters",
                                     "official_yoy", "official_status"])
    # As it stood, the sums are made from the figures then in force, for the wanted keys only.
    # As it stood, the sums are made from the figures then in force, for the wanted keys only, each
    # under where its firm was in its quarter, like the maintained ones.
    placed_sql, _ = placements.placed(
        con, _REPORTED.replace("current_figures", "current_observations").format(where=""),
        ancestors="AND (c.ancestor_id, r.indicator_id) IN (SELECT org_id, indicator_id FROM wanted_series)")
    past = "" if as_at is None else f"""{IN_FORCE_AT},
               bottom_up AS (
                   SELECT ancestor_id, indicator_id, year, quarter, sum(value) AS total, count(*) AS reporters
                   FROM ({placed_sql}) GROUP BY ALL),"""  # noqa: S608 (fixed text; values are parameters)
    with registered(con, "wanted_series", wanted):
        return frame(
            con,
            f"""WITH {past} official AS (
                   SELECT w.org_id, w.indicator_id, o.year, o.quarter, o.value AS official, o.yoy AS official_yoy,
                          o.obs_status AS official_status
                   FROM wanted_series w JOIN current_observations o USING (org_id, indicator_id)
                   WHERE o.year * 4 + o.quarter - 1 <= ?),
               bottom AS (  -- kept summed by migration 4's bottom_up table
                   SELECT w.org_id, w.indicator_id, b.year, b.quarter, b.total AS bottom_up, b.reporters
                   FROM wanted_series w JOIN bottom_up b ON b.ancestor_id = w.org_id AND b.indicator_id = w.indicator_id
                   WHERE b.year * 4 + b.quarter - 1 <= ?)
               SELECT org_id, indicator_id, year, quarter, official, bottom_up, coalesce(reporters, 0) AS reporters,
                      official_yoy, official_status
               FROM official FULL OUTER JOIN bottom USING (org_id, indicator_id, year, quarter)
               ORDER BY org_id, indicator_id, year, quarter""",  # noqa: S608 (fixed SQL text, no user input)
            [*([] if as_at is None else [_cutoff(as_at)]), up_to.ordinal, up_to.ordinal],
        )


def threshold_counts_many(con: Con, scope: str, indicator: str, thresholds: Sequence[tuple[float, bool]],
                          up_to_year: int, as_at: dt.date | None = None) -> dict[tuple[float, bool], dict[int, int]]:
    """Per (threshold, strict) and year, how many enterprises in scope had an annual (Q4) value at or
    above the threshold — strictly above it where `strict` (过/超过) — several thresholds in one pass (a
    plan's 1亿/5亿/10亿 firm counts); with `as_at`, of the figures in force at the end of that day."""
    with_in_force, at = _in_force(as_at)
    wanted = sorted({(float(x), bool(strict)) for x, strict in thresholds})
    # Figures equal to nine significant digits are equal (metrics.progress.EPSILON): a firm at exactly
    # the threshold is at it, not above it, whatever the last bit of its float says.
    annual, params = placements.placed(
        con,
        """SELECT o.org_id, o.year, o.quarter, o.value FROM current_observations o
           JOIN orgs d ON d.org_id = o.org_id AND d.kind = 'enterprise'
           WHERE o.indicator_id = ? AND o.quarter = 4 AND o.year <= ?""",
        [indicator, up_to_year], depth="true", ancestors="AND c.ancestor_id = ?", ancestor_params=[scope])
    rows = con.execute(
        with_in_force + f"""SELECT t.threshold, t.strict, o.year,
                  count(*) FILTER (WHERE CASE WHEN t.strict THEN o.value > t.threshold + 1e-9 * greatest(1, abs(t.threshold))
                                              ELSE o.value >= t.threshold - 1e-9 * greatest(1, abs(t.threshold)) END)
           FROM ({annual}) o
           CROSS JOIN (SELECT unnest(?::DOUBLE[]) AS threshold, unnest(?::BOOLEAN[]) AS strict) t
           GROUP BY ALL""",  # noqa: S608 (fixed text; values are parameters)
        [*at, *params, [x for x, _ in wanted], [s for _, s in wanted]],
    ).fetchall()
    out: dict[tuple[float, bool], dict[int, int]] = {k: {} for k in wanted}
    for threshold, strict, year, n in rows:
        out[(float(threshold), bool(strict))][int(year)] = int(n)
    return out


def matched_sums(con: Con, scope: str, numerator: str, denominator: str, up_to: Period,
                 as_at: dt.date | None = None) -> dict[tuple[int, int], tuple[float, float, int]]:
    """Per (year, quarter), Σ numerator and Σ denominator over the reporters under `scope` that gave
    both figures in that period, and how many they were: a bottom-up ratio over the same firms; with
    `as_at`, of the figures in force at the end of that day."""
    with_in_force, at = _in_force(as_at)
    pairs, params = placements.placed(
        con,
        """SELECT n.org_id, n.year, n.quarter, n.value AS num, d.value AS den
           FROM current_observations n
           JOIN current_observations d ON d.org_id = n.org_id AND d.year = n.year AND d.quarter = n.quarter
                                      AND d.indicator_id = ?
           JOIN orgs o ON o.org_id = n.org_id
           JOIN indicators i ON i.indicator_id = n.indicator_id AND i.reported_by = o.kind
           WHERE n.indicator_id = ? AND n.year * 4 + n.quarter - 1 <= ?""",
        [denominator, numerator, up_to.ordinal], depth="true", ancestors="AND c.ancestor_id = ?", ancestor_params=[scope])
    rows = con.execute(
        with_in_force + f"""SELECT year, quarter, sum(num), sum(den), count(*) FROM ({pairs})
                            GROUP BY year, quarter""",  # noqa: S608 (fixed text; values are parameters)
        [*at, *params],
    ).fetchall()
    return {(int(y), int(q)): (float(a), float(b), int(k)) for y, q, a, b, k in rows}


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


def org_history(con: Con, org_id: str, up_to: Period) -> pd.DataFrame:
    """Every figure one organisation reported, quarter by quarter up to `up_to`, each indicator
    with its names and unit (a firm's own figures over time)."""
    return frame(
        con,
        """SELECT o.year, o.quarter, i.indicator_id, i.code, i.name_zh, i.name_en, i.unit, o.value
           FROM current_observations o JOIN indicators i USING (indicator_id)
           WHERE o.org_id = ? AND o.year * 4 + o.quarter - 1 <= ?
           ORDER BY o.year, o.quarter, i.code NULLS LAST, i.indicator_id""",
        [org_id, up_to.ordinal],
    )


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


def reporters(con: Con, under: str, kind: str, indicator_id: str, up_to: Period) -> pd.DataFrame:
    """The organisations of a kind under another that have a figure of one indicator up to a quarter,
    with their parent (the firms that report land of their own, for a plan's admission check)."""
    return frame(
        con,
        """SELECT DISTINCT g.org_id, g.name_zh, g.parent_id FROM current_observations o
           JOIN org_closure c ON c.descendant_id = o.org_id AND c.ancestor_id = ?
           JOIN orgs g ON g.org_id = o.org_id AND g.kind = ?
           WHERE o.indicator_id = ? AND o.year * 4 + o.quarter - 1 <= ?
           ORDER BY g.org_id""",
        [under, kind, indicator_id, up_to.ordinal],
    )


def of_year(con: Con, year: int, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """Every current figure of the given indicators in one year, quarter by quarter (the benchmark
    grows them into an upload of the following years)."""
    return frame(con, """SELECT org_id, indicator_id, quarter, value FROM current_observations
                         WHERE year = ? AND list_contains(?, indicator_id)""", [year, list(indicator_ids)])


def raw_sums(con: Con, keys: pd.DataFrame, up_to: Period) -> int:
    """The benchmark's floor: the least work that reads the rows a progress table needs — each
    (org_id, indicator_id) key's own figures and, where `bottom_up` is true, every descendant's —
    as one aggregate over the raw observations, with no revision or review logic at all. Returns
    the number of sums (the work, not its result, is what is measured)."""
    with registered(con, "floor_keys", keys[["org_id", "indicator_id", "bottom_up"]]):
        return len(con.execute(
            """SELECT c.ancestor_id, o.indicator_id, o.year, o.quarter, sum(o.value) AS total, count(*) AS n
               FROM observations o
               JOIN org_closure c ON c.descendant_id = o.org_id
               JOIN floor_keys k ON k.org_id = c.ancestor_id AND k.indicator_id = o.indicator_id
                                AND (c.depth = 0 OR k.bottom_up)
               WHERE o.year * 4 + o.quarter - 1 <= ?
               GROUP BY ALL""", [up_to.ordinal]).fetchall())


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
