"""The one write layer the pages call: service/commands.py bound to the app's connection.

`services.review(who, submission_id, decision, comment)` is `commands.review` on a cursor of the
app's one connection; the checks, the scope and the audit rows are the service's. Nothing here is
cached — a write, and the check of what is about to be written, always reach the store — and each
write bumps the data version, so the next run of any page reads afresh through ui/queries.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from domain.access import Identity
from domain.programme import BaseReportInput, DesignationInput, TaskUpdateInput
from service import commands
from ui.queries import catalog, cursor

if TYPE_CHECKING:
    from store.ingest import Checked


def check_rows(who: Identity, name: str, rows: pd.DataFrame) -> Checked:
    return commands.check_rows(cursor(), catalog(), who, name, rows)


def check_file(who: Identity, name: str, data: bytes) -> Checked:
    return commands.check_file(cursor(), catalog(), who, name, data)


def submit(who: Identity, checked: Checked, origin: str, explanation: str | None,
           progress: Callable[[str], None] | None = None) -> int:
    """Submissions from the app wait for a reviewer (status pending)."""
    return commands.submit(cursor(), who, checked, origin=origin, status="pending", explanation=explanation,
                           progress=progress)


def review(who: Identity, submission_id: int, decision: str, comment: str | None) -> bool:
    return commands.review(cursor(), who, submission_id, decision, comment)


def set_report_deadline(who: Identity, days: int) -> None:
    commands.set_report_deadline(cursor(), who, days)


def record_task_update(who: Identity, update: TaskUpdateInput) -> int:
    return commands.record_task_update(cursor(), who, update)


def record_designation(who: Identity, designation: DesignationInput) -> int:
    return commands.record_designation(cursor(), who, designation)


def record_base_report(who: Identity, report: BaseReportInput) -> int:
    return commands.record_base_report(cursor(), who, report)


def record_failed_attempt(username: str) -> bool:
    return commands.record_failed_attempt(cursor(), username)


def record_sign_in(username: str) -> None:
    commands.record_sign_in(cursor(), username)
