"""What happened to a reporting unit, dated: it entered or left the survey (统计调查单位名录), moved to
another park or district, or closed. Rows are only ever added — a correction is a later event — so
the register's history is never overwritten; the quarter holding `effective` is the first one the
event applies to.

This module writes and reads the rows only; who may record an event is the data layer's
(store/access.py), and what an event means for the sums of each quarter is store/placements.py's:
whoever records events calls store/figures.refresh_after_events(con, org_ids) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import pandas as pd

from store.sql import Con, frame, scalar


class OrgEvent(StrEnum):
    ENTERED_SURVEY = "entered_survey"
    LEFT_SURVEY = "left_survey"
    MOVED = "moved"
    CLOSED = "closed"


def add_event(con: Con, org_id: str, event: OrgEvent, effective: dt.date, *, actor: str,
              from_parent: str | None = None, to_parent: str | None = None, note: str = "") -> int:
    """One event row (inside the caller's transaction, beside the write it records); returns its id."""
    return int(scalar(
        con,
        """INSERT INTO org_events (org_id, event, effective, from_parent, to_parent, note, entered_by)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING event_id""",
        [org_id, OrgEvent(event).value, effective, from_parent, to_parent, note, actor],
    ))


def events(con: Con, org_id: str | None = None) -> pd.DataFrame:
    """Events of one organisation (every one when None), in the order they took effect."""
    return frame(
        con,
        """SELECT event_id, org_id, event, effective, from_parent, to_parent, note, entered_by, entered_at
           FROM org_events WHERE ? IS NULL OR org_id = ? ORDER BY effective, event_id""",
        [org_id, org_id],
    )
