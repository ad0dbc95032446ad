"""What a page or a document is built from: plain values the query layer reads and the reports render.

`TaskBoard` is a plan's tasks at a quarter with what the 任务督办 page and its briefing count of them.
The types live in this module, apart from service/queries.py, because it imports no store: the
reports can name them and still import nothing of the store, even indirectly.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.periods import Period
from metrics import tasks


@dataclass(frozen=True)
class TaskBoard:
    """A decomposed plan's tasks at the end of a quarter, and the counts the page and the quarterly
    work briefing show of them (computed once, so the two cannot differ)."""

    quarter: Period
    states: list[tasks.TaskState]
    total: tasks.Completion
    sections: list[tasks.Completion]
    departments: list[tasks.Completion]
    missing: list[tasks.Missing]  # departments that owe a report this quarter and have not sent it

    @classmethod
    def of(cls, quarter: Period, states: list[tasks.TaskState]) -> TaskBoard:
        return cls(quarter=quarter, states=states, total=tasks.total(states), sections=tasks.by_section(states),
                   departments=tasks.by_department(states), missing=tasks.missing_reports(states))

    @property
    def overdue(self) -> list[tasks.TaskState]:
        return [s for s in self.states if s.overdue]
