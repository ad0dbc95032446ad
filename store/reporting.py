"""Reporting status: which enterprises under an organisation have reported for a quarter, and when.

A report counts from the first submission holding any figure of the period that was not returned.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from domain.periods import Period
from store.sql import Con, frame


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
