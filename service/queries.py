"""Reads for pages, briefings and the command line: each reads the store once and judges purely.

A plan at a quarter is read into a `Snapshot` (store/snapshot.py) of exactly what
`metrics.tracker.needs` asks for, then judged by `metrics.tracker.judge_plan`; every screen and
document that shows a target's standing gets it from `plan_judgement`. Scoped reads take the
caller's identity and are checked in the data layer (store/access.py).
"""

from __future__ import annotations

import pandas as pd

from domain.access import Identity
from domain.catalog import Catalog
from domain.models import Plan
from domain.periods import Period
from metrics import incentives, tracker
from store import access, snapshot
from store.db import Con


def plan_judgement(con: Con, catalog: Catalog, plan_id: str, as_of: Period) -> tracker.PlanJudgement:
    """A plan judged at a quarter: its progress table, target charts, park breakdowns, components."""
    plan = catalog.plans[plan_id]
    return tracker.judge_plan(plan, catalog, snapshot.read(con, tracker.needs(plan, catalog), as_of))


def plan_progress(con: Con, catalog: Catalog, plan_id: str, as_of: Period) -> list[tracker.ProgressRow]:
    """The progress table of one plan at a quarter, in the plan's target order."""
    return plan_judgement(con, catalog, plan_id, as_of).rows


def plan_winners(con: Con, who: Identity, plan: Plan, under: str, year: int) -> pd.DataFrame:
    """A plan's new qualifiers under a city or park in `year`, one row per award (a
    `metrics.incentives.winners` table); a park manager asking beyond their own park is refused by
    the data layer."""
    frames = []
    for indicator in dict.fromkeys(i.indicator for i in plan.incentives):
        values = access.incentive_firms(con, who, under, indicator, year)
        frames.append(incentives.winners(values, incentives.thresholds_of([i for i in plan.incentives
                                                                          if i.indicator == indicator]), year))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=incentives.WINNER_COLUMNS)
