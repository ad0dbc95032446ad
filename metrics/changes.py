"""Since last quarter: how each target's standing moved between two judgments of one plan.

Pure: it compares the progress rows of the quarter read with those of the quarter before (both
judged by metrics/tracker.py from the store's snapshot at each), so the plan page, the overview and
the briefing say the same thing about what changed. A target judged on yearly figures keeps its
figure through the year, so "no new figure" is a finding of its own, not a zero change.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from metrics.progress import STATUS_ORDER, Status
from metrics.tracker import ProgressRow

_RANK = {s: i for i, s in enumerate(STATUS_ORDER)}  # worst first


class Direction(StrEnum):
    """Which way a target's status moved. "Cannot assess" is no rung on the ladder from missed to
    achieved, so leaving it is a first judgment and entering it a judgment lost, not better or worse."""

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    NEW = "new"  # judged now, not last quarter (no figure then, or none it could be judged on)
    LOST = "lost"  # judged last quarter, not now


class Change(BaseModel):
    """One target between the quarter before and the quarter read. Completion in fractions,
    `completion_delta` in fraction points (0.05 = 5 percentage points); actuals in the target's unit."""

    model_config = ConfigDict(frozen=True)

    target_id: str
    status_before: Status | None  # None: the target had no figure to be judged on last quarter
    status_now: Status
    actual_before: float | None
    actual_now: float | None
    period_before: str | None  # the period each actual is of ("2014Q2", "2013")
    period_now: str | None
    completion_before: float | None
    completion_now: float | None
    target_before: float | None = None  # the target each quarter was judged against (a mid-term adjustment moves it)
    target_now: float | None = None
    target_year_before: int | None = None
    target_year_now: int | None = None

    @property
    def retargeted(self) -> bool:
        """The plan's version changed the target between the two quarters (Plan.in_force): the
        completions are then against different targets, and their difference is no progress."""
        return self.target_before is not None and (self.target_before, self.target_year_before) != (
            self.target_now, self.target_year_now)

    @property
    def direction(self) -> Direction:
        unjudged = (None, Status.CANNOT_ASSESS)
        if self.status_before in unjudged:
            return Direction.SAME if self.status_now is Status.CANNOT_ASSESS else Direction.NEW
        if self.status_now is Status.CANNOT_ASSESS:
            return Direction.LOST
        delta = _RANK[self.status_now] - _RANK[self.status_before]
        return Direction.BETTER if delta > 0 else Direction.WORSE if delta < 0 else Direction.SAME

    @property
    def new_figure(self) -> bool:
        """The reading rests on a figure of a later period than last quarter's (or on one at all)."""
        return self.actual_now is not None and (self.period_now != self.period_before or self.actual_before is None)

    @property
    def completion_delta(self) -> float | None:
        if self.completion_now is None or self.completion_before is None or self.retargeted:
            return None
        return self.completion_now - self.completion_before

    @property
    def actual_delta(self) -> float | None:
        if self.actual_now is None or self.actual_before is None:
            return None
        return self.actual_now - self.actual_before


def since(now: list[ProgressRow], before: list[ProgressRow]) -> dict[str, Change]:
    """Every target of `now`, keyed by target id, against the same target in `before` (the plan
    judged a quarter earlier). A target absent from `before`, or judged there on no figure, has no
    status before."""
    earlier = {r.target_id: r for r in before}
    out: dict[str, Change] = {}
    for r in now:
        b = earlier.get(r.target_id)
        judged_before = b is not None and b.actual is not None
        out[r.target_id] = Change(
            target_id=r.target_id, status_before=b.status if judged_before else None, status_now=r.status,
            actual_before=b.actual if b is not None else None, actual_now=r.actual,
            period_before=b.actual_period if b is not None else None, period_now=r.actual_period,
            completion_before=b.completion if b is not None else None, completion_now=r.completion,
            target_before=b.target if b is not None else None, target_now=r.target,
            target_year_before=b.target_year if b is not None else None, target_year_now=r.target_year)
    return out
