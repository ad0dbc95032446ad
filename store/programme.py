"""Plans beyond revenue: the quarterly status of a plan's tasks, the designations of bases and
their half-year reports — recorded, read back, and bulk-loaded for the demo set.

Task updates, designations and half-year reports keep every revision (a correction is a new row);
the current_* views and the QUALIFY below pick the newest. Whether an input may be recorded at all
is checked by store/access.py before it calls the writers here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from store import bulk
from store.audit import audit
from store.sql import Con, frame, scalar, transaction


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


def designation_counts(con: Con, plan_id: str, known_by: dt.date) -> dict[tuple[str, int], int]:
    """(type, year) → designations in force, as the register stood on `known_by`: the current
    revision of each base, withdrawn ones and those designated later left out."""
    rows = con.execute(
        """SELECT base_type, year, count(*) FROM current_base_designations
           WHERE plan_id = ? AND NOT withdrawn AND designated_on <= ? GROUP BY ALL""",
        [plan_id, known_by],
    ).fetchall()
    return {(str(kind), int(year)): int(n) for kind, year, n in rows}


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


_PROGRAMME_TABLES = ("task_updates", "base_designations", "base_reports")  # what a bulk load may fill


def load_programme_rows(con: Con, tables: dict[str, pd.DataFrame], actor: str) -> None:
    """Insert prepared rows into the programme tables in one transaction (the demo set)."""
    unknown = sorted(set(tables) - set(_PROGRAMME_TABLES))
    if unknown:
        raise ValueError(f"not a programme table: {', '.join(unknown)}")
    with transaction(con):
        for table, rows in tables.items():
            bulk.insert(con, table, rows)
        audit(con, actor, "programme.load", None, {t: len(r) for t, r in tables.items()})
