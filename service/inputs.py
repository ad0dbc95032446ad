"""What a page or a document is built from: plain values the query layer reads and the reports render.

`service.queries.briefing_inputs` fills a `BriefingInputs` (doing every store read and scope check
the briefing needs); `reports.briefing.build` turns it into a document without touching the store.
`TaskBoard` is a plan's tasks at a quarter with what the 任务督办 page and its briefing count of them.
The types live in this module, apart from service/queries.py, because it imports no store: the
reports can name them and still import nothing of the store, even indirectly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from domain.catalog import Catalog
from domain.config import BriefingHeader
from domain.periods import Period
from domain.reporting import Timeliness
from metrics import tasks
from metrics.changes import Change
from metrics.tracker import PlanJudgement


@dataclass(frozen=True)
class BriefingInputs:
    """Everything the quarterly briefing of one plan (or one of its parks) shows, read as one caller.

    `firms` is set for a park's briefing only (its enterprises' figures), `winners` only for a plan
    with rewards (a `metrics.incentives.winners` table of `incentive_year`), `reporting` is the
    reporting status under the park or the plan's scope against `deadline_days`, `timeliness` the
    ranking of its parks and firms over the year up to `as_of`."""

    catalog: Catalog
    plan_id: str
    as_of: Period
    park_id: str | None
    judgement: PlanJudgement
    firms: pd.DataFrame | None
    winners: pd.DataFrame | None
    incentive_year: int
    reporting: pd.DataFrame
    deadline_days: int
    demo: bool
    data_date: dt.date | None
    timeliness: Timeliness | None = None  # the reporting timeliness ranking under the same root (issue 17)
    header: BriefingHeader | None = None  # 文号, compiling office, distribution: TRACKER_BRIEFING_HEADER (issue 18)
    # Since last quarter: every target against the plan judged a quarter earlier (metrics.changes.since).
    changes: dict[str, Change] | None = None


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
