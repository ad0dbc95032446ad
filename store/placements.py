"""The register in time: where each organisation sat in each quarter, and which firms were in the
survey then — the dated events of store/org_events.py made into what the sums and the reporting
lists read.

Placement. A `moved` event effective on day d applies from the quarter holding d. Before its first
move an organisation sat under that event's `from_parent`; between two moves under the earlier
one's `to_parent`; from its last move on under its current parent (orgs.parent_id, so a later
correction of where it is now needs no event). An organisation that never moved sat under its
current parent for all time. `org_closure_dated` (migration 9) holds the dated ancestry of every
organisation whose ancestry ever differed from today's tree — one that moved or lies under one that
did; every other organisation's ancestry is org_closure's, so the sums of the firms that never
moved are the same join as before and cost what they did. `placed` is the SQL that puts rows of
figures under the ancestors they count under in their own quarter. Who may read or write a firm is
a question of today's tree (org_closure), never of this one.

Survey. A firm is a reporting unit of a quarter when it is in the survey then: from the quarter
holding an `entered_survey` day; until the quarter before the one holding a `left_survey` day; up
to and including the quarter in which it `closed` (it reports that quarter, year to date up to its
closing, and is not chased for the next). A firm whose first survey event is `entered_survey` was
outside the survey before it; one with no survey event was always in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from store.sql import Con, first, scalar, transaction

# Open ends of a quarter range (ordinals year * 4 + quarter - 1): before any figure, after every one.
OPEN_START, OPEN_END = 0, 2**31 - 1

# ------------------------------------------------------------------------- derived: dated ancestry


def rebuild(con: Con) -> None:
    """Recompute `org_closure_dated` from the `moved` events and the current tree (a few rows per
    organisation that moved: cheap enough to redo whole after any change of either)."""
    with transaction(con):
        con.execute("DELETE FROM org_closure_dated")
        con.execute(
            """INSERT INTO org_closure_dated
               WITH RECURSIVE moves AS (
                   SELECT org_id, year(effective) * 4 + quarter(effective) - 1 AS from_q, from_parent, to_parent,
                          row_number() OVER (PARTITION BY org_id ORDER BY effective, event_id) AS n,
                          count(*) OVER (PARTITION BY org_id) AS k
                   FROM org_events WHERE event = 'moved'),
               spans AS (  -- the parent of each organisation that moved, range of quarters by range
                   SELECT m.org_id, coalesce(m.from_parent, o.parent_id) AS parent_id, ? AS from_ord, m.from_q - 1 AS to_ord
                   FROM moves m JOIN orgs o USING (org_id) WHERE m.n = 1
                   UNION ALL
                   SELECT m.org_id, CASE WHEN m.n = m.k THEN o.parent_id ELSE coalesce(m.to_parent, o.parent_id) END,
                          m.from_q, coalesce(lead(m.from_q) OVER (PARTITION BY m.org_id ORDER BY m.n) - 1, ?)
                   FROM moves m JOIN orgs o USING (org_id)),
               parents AS (
                   SELECT org_id, parent_id, from_ord, to_ord FROM spans WHERE from_ord <= to_ord
                   UNION ALL
                   SELECT org_id, parent_id, ?, ? FROM orgs WHERE org_id NOT IN (SELECT org_id FROM moves)),
               dated AS (  -- whose ancestry ever differed: the first organisation up the chain to differ moved
                   SELECT DISTINCT descendant_id FROM org_closure WHERE ancestor_id IN (SELECT org_id FROM moves)),
               up(ancestor_id, descendant_id, depth, from_ord, to_ord) AS (
                   SELECT descendant_id, descendant_id, 0, ?, ? FROM dated
                   UNION ALL
                   SELECT p.parent_id, up.descendant_id, up.depth + 1,
                          greatest(up.from_ord, p.from_ord), least(up.to_ord, p.to_ord)
                   FROM up JOIN parents p ON p.org_id = up.ancestor_id
                                         AND p.from_ord <= up.to_ord AND p.to_ord >= up.from_ord
                   WHERE p.parent_id IS NOT NULL AND up.depth < 32)  -- a cycle in the history ends here
               SELECT ancestor_id, descendant_id, depth, from_ord, to_ord FROM up
               ORDER BY descendant_id, ancestor_id, from_ord""",
            [OPEN_START, OPEN_END, OPEN_START, OPEN_END, OPEN_START, OPEN_END],
        )


def has_dated(con: Con) -> bool:
    """Has any organisation ever sat elsewhere than today's tree says?"""
    return bool(scalar(con, "SELECT EXISTS (SELECT 1 FROM org_closure_dated)"))


def placed(con: Con, rows: str, params: Sequence = (), *, depth: str = "c.depth > 0",
           ancestors: str = "", ancestor_params: Sequence = ()) -> tuple[str, list]:
    """SQL (and its parameters) of `rows` — a relation with org_id, year and quarter, written with
    `params` — each row with `ancestor_id`, one row per ancestor it counts under in its own quarter
    (`depth` on the closure row `c`: > 0 for sums, true to include the organisation itself;
    `ancestors`, an `AND …` on `c`, keeps only some). The firms that never moved take today's tree;
    only the others go through the dated ranges, and with no move at all it is the plain join."""
    join = f"ON c.descendant_id = r.org_id AND {depth} {ancestors}"
    if not has_dated(con):
        return (f"SELECT c.ancestor_id, r.* FROM ({rows}) r JOIN org_closure c {join}",  # noqa: S608 (fixed text)
                [*params, *ancestor_params])
    return (
        f"""SELECT c.ancestor_id, r.* FROM ({rows}) r
            JOIN (SELECT * FROM org_closure WHERE descendant_id NOT IN (SELECT descendant_id FROM org_closure_dated)) c
              {join}
            UNION ALL
            SELECT c.ancestor_id, r.* FROM ({rows}) r
            JOIN org_closure_dated c {join} AND r.year * 4 + r.quarter - 1 BETWEEN c.from_ord AND c.to_ord""",  # noqa: S608
        [*params, *ancestor_params] * 2,
    )


# The tree as it stood in one quarter (parameter: its ordinal), with the columns of org_closure.
CLOSURE_AT = """(SELECT ancestor_id, descendant_id, depth FROM org_closure
                 WHERE descendant_id NOT IN (SELECT descendant_id FROM org_closure_dated)
                 UNION ALL
                 SELECT ancestor_id, descendant_id, depth FROM org_closure_dated WHERE ? BETWEEN from_ord AND to_ord)"""


def dated_tree(quarters: str) -> str:
    """SQL of the tree in each quarter of `quarters` (a relation with a column `ord`, the quarter's
    ordinal): ancestor_id, descendant_id, depth and ord — today's tree for the organisations that
    never moved, the dated ranges for the others."""
    return f"""(SELECT c.ancestor_id, c.descendant_id, c.depth, q.ord FROM org_closure c CROSS JOIN {quarters} q
                WHERE c.descendant_id NOT IN (SELECT descendant_id FROM org_closure_dated)
                UNION ALL
                SELECT c.ancestor_id, c.descendant_id, c.depth, q.ord FROM org_closure_dated c
                JOIN {quarters} q ON q.ord BETWEEN c.from_ord AND c.to_ord)"""  # noqa: S608 (fixed text)


def ancestry(con: Con, org_ids: Iterable[str]) -> set[tuple[str, str, int, int]]:
    """Every (ancestor, descendant, first quarter, last quarter) of every organisation at or under
    the given ones, adjacent ranges joined: equal before and after a write exactly when no sum of
    theirs changes place (a move between two parks of one city leaves the city's sums alone)."""
    wanted = sorted(set(org_ids))
    if not wanted:
        return set()
    rows = con.execute(
        """WITH d AS (SELECT DISTINCT descendant_id FROM org_closure WHERE list_contains(?, ancestor_id))
           SELECT c.ancestor_id, c.descendant_id, ?, ? FROM org_closure c JOIN d USING (descendant_id)
           WHERE c.descendant_id NOT IN (SELECT descendant_id FROM org_closure_dated)
           UNION ALL
           SELECT c.ancestor_id, c.descendant_id, c.from_ord, c.to_ord FROM org_closure_dated c JOIN d USING (descendant_id)
           ORDER BY 1, 2, 3""",
        [wanted, OPEN_START, OPEN_END],
    ).fetchall()
    out: list[list] = []
    for a, d, lo, hi in rows:
        if out and out[-1][0] == a and out[-1][1] == d and out[-1][3] + 1 >= lo:
            out[-1][3] = max(out[-1][3], hi)
        else:
            out.append([a, d, lo, hi])
    return {tuple(r) for r in out}


# ------------------------------------------------------------------------------------ the survey

# The quarters each firm with survey events was in the survey, as a WITH clause's table
# `survey_spans(org_id, from_ord, to_ord)`; a firm with no survey event is in it always (IN_SURVEY).
SURVEY_SPANS = """survey_spans AS (
    WITH ev AS (
        SELECT org_id, effective, event_id, event = 'entered_survey' AS inside,
               year(effective) * 4 + quarter(effective) - 1 + CASE WHEN event = 'closed' THEN 1 ELSE 0 END AS from_q
        FROM org_events WHERE event <> 'moved'),
    seq AS (
        SELECT org_id, inside, from_q, row_number() OVER w AS n, lead(from_q) OVER w AS next_q
        FROM ev WINDOW w AS (PARTITION BY org_id ORDER BY from_q, effective, event_id))
    SELECT org_id, from_q AS from_ord, coalesce(next_q - 1, 2147483647) AS to_ord FROM seq WHERE inside
    UNION ALL  -- before its first survey event a firm was in the survey unless that event brought it in
    SELECT org_id, 0, from_q - 1 FROM seq WHERE n = 1 AND NOT inside)"""


def in_survey(org: str, ordinal: str) -> str:
    """SQL condition: organisation `org` (a column) is in the survey in quarter `ordinal` (an
    expression); needs SURVEY_SPANS in the WITH clause."""
    return f"""(NOT EXISTS (SELECT 1 FROM org_events v WHERE v.org_id = {org} AND v.event <> 'moved')
                OR EXISTS (SELECT 1 FROM survey_spans s WHERE s.org_id = {org}
                           AND {ordinal} BETWEEN s.from_ord AND s.to_ord))"""  # noqa: S608 (fixed text)


class SurveyPopulation(NamedTuple):
    year: int
    during: int    # firms under the organisation and in the survey in any quarter of the year
    year_end: int  # … in its fourth quarter (the annual report's reporting units)


def survey_population(con: Con, under: str, year: int) -> SurveyPopulation:
    """How many enterprises were reporting units under an organisation in a year: placed under it
    and in the survey in some quarter of the year, and in its last quarter."""
    row = first(
        con,
        f"""WITH {SURVEY_SPANS},
            q AS (SELECT unnest(range(?, ? + 4)) AS ord),
            here AS (  -- (firm, quarter of the year) placed under the organisation then
                SELECT descendant_id AS org_id, ord FROM {dated_tree("q")} WHERE ancestor_id = ?)
            SELECT count(DISTINCT h.org_id), count(DISTINCT h.org_id) FILTER (WHERE h.ord = ? + 3)
            FROM here h JOIN orgs e ON e.org_id = h.org_id AND e.kind = 'enterprise'
            WHERE {in_survey("h.org_id", "h.ord")}""",  # noqa: S608 (fixed text; values are parameters)
        [year * 4, year * 4, under, year * 4],
    )
    return SurveyPopulation(year, int(row[0]), int(row[1]))
