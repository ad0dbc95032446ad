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
from store.placements import CLOSURE_AT, SURVEY_SPANS, in_survey
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
