"""Reporting status: which enterprises under an organisation have reported for a quarter, and when.

The store finds each firm's first report of the quarter — the earliest entry of any figure of the
period in a submission that was not returned; whether that was on time is the reporting rule's
decision (domain/reporting.py), applied here to every firm. The firms listed for a quarter are
its reporting units: those placed under the organisation in that quarter and in the survey then
(store/placements.py) — a firm that closed is not chased for the quarters after, one that moved
is chased by the park it was in.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.periods import Period
from domain.reporting import ReportStanding, standing
from store.placements import CLOSURE_AT, SURVEY_SPANS, dated_tree, in_survey
from store.sql import Con, frame


def reporting_status(con: Con, under: str, period: Period, deadline: dt.date) -> pd.DataFrame:
    """Every enterprise that was a reporting unit under an organisation in the period: has it
    reported for the period, when, on time (arrived by `deadline`, inclusive)? Grouped by the park
    it was in then, the firms yet to report first."""
    found = frame(
        con,
        f"""WITH {SURVEY_SPANS},
           tree AS {CLOSURE_AT},
           ents AS (
               SELECT e.org_id, e.name_zh, e.credit_code, p.org_id AS parent_id, p.name_zh AS park_name
               FROM orgs e JOIN tree c ON c.descendant_id = e.org_id AND c.ancestor_id = ?
               LEFT JOIN tree u ON u.descendant_id = e.org_id AND u.depth = 1
               LEFT JOIN orgs p ON p.org_id = u.ancestor_id
               WHERE e.kind = 'enterprise' AND {in_survey("e.org_id", "?")}),
           first AS (
               SELECT o.org_id, min(o.entered_at) AS first_at
               FROM observations o JOIN submissions s USING (submission_id)
               WHERE o.year = ? AND o.quarter = ? AND s.status <> 'returned'
               GROUP BY o.org_id)
           SELECT e.org_id, e.name_zh, e.credit_code, e.parent_id AS park_id, e.park_name, f.first_at
           FROM ents e LEFT JOIN first f USING (org_id)
           ORDER BY e.park_name, f.first_at IS NOT NULL, e.name_zh""",  # noqa: S608 (fixed text; values are parameters)
        [period.ordinal, under, period.ordinal, period.year, period.quarter],
    )
    standings = [standing(None if pd.isna(at) else at.date(), deadline) for at in found.first_at]
    found.insert(found.columns.get_loc("first_at"), "reported",
                 pd.Series([s != ReportStanding.NOT_REPORTED for s in standings], index=found.index, dtype=bool))
    found["on_time"] = pd.Series([s == ReportStanding.ON_TIME for s in standings], index=found.index, dtype=bool)
    return found


def timeliness_quarters(con: Con, under: str, first: Period, last: Period) -> pd.DataFrame:
    """Every enterprise under an organisation and every quarter from `first` to `last`: the first
    report of the quarter that was not returned (`first_at`, as `reporting_status` finds it, NaT for
    none), how many submissions holding a figure of the firm's quarter were returned, and how many
    of those were corrected — by a later submission (submitted after it; on the same second, the
    later id) holding a figure of the same firm and quarter that was not returned, or by one not
    returned whose `answers` names it (whatever quarter that one holds: a figure entered for the
    wrong quarter is corrected by one for the right quarter). A firm counts in the quarters it was a
    reporting unit under the organisation (placed under it then and in the survey, as
    `reporting_status` lists it), under the park it was in then. Ordered by park, firm and quarter."""
    return frame(
        con,
        f"""WITH {SURVEY_SPANS},
           span AS (
               SELECT n AS ord, CAST(n // 4 AS SMALLINT) AS year, CAST(n % 4 + 1 AS TINYINT) AS quarter
               FROM range(?, ? + 1) r(n)),
           tree AS {dated_tree("span")},
           ents AS (  -- (firm, quarter): a reporting unit under the organisation then, in the park it was in
               SELECT t.descendant_id AS org_id, t.ord, e.name_zh, p.org_id AS parent_id, p.name_zh AS park_name
               FROM tree t JOIN orgs e ON e.org_id = t.descendant_id AND e.kind = 'enterprise'
               LEFT JOIN tree u ON u.descendant_id = t.descendant_id AND u.ord = t.ord AND u.depth = 1
               LEFT JOIN orgs p ON p.org_id = u.ancestor_id
               WHERE t.ancestor_id = ? AND {in_survey("t.descendant_id", "t.ord")}),
           held AS (  -- each submission holding a figure of a firm's quarter in the span
               SELECT o.org_id, o.year, o.quarter, o.submission_id, min(o.entered_at) AS entered_at,
                      any_value(s.status) AS status, any_value(s.submitted_at) AS submitted_at
               FROM observations o JOIN submissions s USING (submission_id)
               WHERE o.year BETWEEN ? AND ? AND (o.year, o.quarter) IN (SELECT year, quarter FROM span)
                 AND o.org_id IN (SELECT org_id FROM ents)
               GROUP BY o.org_id, o.year, o.quarter, o.submission_id),
           firsts AS (
               SELECT org_id, year, quarter, min(entered_at) AS first_at
               FROM held WHERE status <> 'returned' GROUP BY ALL),
           returns AS (
               SELECT r.org_id, r.year, r.quarter,
                      EXISTS (SELECT 1 FROM held l
                              WHERE l.org_id = r.org_id AND l.year = r.year AND l.quarter = r.quarter
                                AND l.status <> 'returned'
                                AND (l.submitted_at > r.submitted_at
                                     OR (l.submitted_at = r.submitted_at AND l.submission_id > r.submission_id)))
                      OR EXISTS (SELECT 1 FROM submissions a
                                 WHERE a.answers = r.submission_id AND a.status <> 'returned') AS corrected
               FROM held r WHERE r.status = 'returned'),
           counted AS (
               SELECT org_id, year, quarter, count(*) AS returned, count(*) FILTER (WHERE corrected) AS corrected
               FROM returns GROUP BY ALL)
           SELECT e.org_id, e.name_zh, e.parent_id AS park_id, e.park_name, q.year, q.quarter, f.first_at,
                  CAST(coalesce(k.returned, 0) AS INTEGER) AS returned,
                  CAST(coalesce(k.corrected, 0) AS INTEGER) AS corrected
           FROM ents e JOIN span q USING (ord)
           LEFT JOIN firsts f ON f.org_id = e.org_id AND f.year = q.year AND f.quarter = q.quarter
           LEFT JOIN counted k ON k.org_id = e.org_id AND k.year = q.year AND k.quarter = q.quarter
           ORDER BY e.park_name, e.name_zh, e.org_id, q.year, q.quarter""",  # noqa: S608 (fixed text)
        [first.ordinal, last.ordinal, under, first.year, last.year],
    )
