"""The catalog in the store: indicators, plans, their targets, incentives and tasks, mirrored from
the catalog files (data/) by `sync_catalog` at every start, and read back for the command line.

The catalog files are the only source of these rows: a sync replaces them, keeps the organisation
tree up to date (store/orgs.py) and has the bottom-up sums recomputed when the level that reports
an indicator changed (store/figures.py).
"""

from __future__ import annotations

import json

import pandas as pd

from domain.catalog import Catalog
from domain.models import Plan
from store import figures
from store.audit import audit
from store.orgs import upsert_orgs
from store.sql import Con, frame, transaction


def sync_catalog(con: Con, catalog: Catalog, actor: str = "system") -> None:
    """Mirror the catalog files into the store (idempotent): indicators, orgs, plans, targets."""
    with transaction(con):
        levels = _reporting_levels(con)
        con.execute("DELETE FROM indicators")  # the catalog file is the only source of indicators
        for ind in catalog.indicators.values():
            con.execute(
                "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [ind.indicator_id, ind.code, ind.name_zh, ind.name_en, ind.unit, ind.kind.value,
                 ind.reported_by.value, ind.parent, ind.components_sum_to_parent, ind.allow_negative,
                 json.dumps([d.model_dump() for d in ind.definition_changes], ensure_ascii=False)],
            )
        if _reporting_levels(con) != levels:  # which level's reports a bottom-up sum adds changed
            figures.rebuild_bottom_up(con)
        upsert_orgs(con, list(catalog.organisations.values()), "catalog")
        for plan in catalog.plans.values():
            _sync_plan(con, plan)
        audit(con, actor, "catalog.sync", None, {"plans": sorted(catalog.plans)})


def _reporting_levels(con: Con) -> list[tuple]:
    return con.execute("SELECT indicator_id, reported_by FROM indicators ORDER BY indicator_id").fetchall()


def _sync_plan(con: Con, plan: Plan) -> None:
    con.execute(
        "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [plan.plan_id, plan.title_zh, plan.title_en, plan.issuer_zh, plan.issued, plan.seed_file,
         plan.scope, plan.base_year, plan.horizon_end, plan.model_dump_json()],
    )
    con.execute("DELETE FROM targets WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM incentives WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM tasks WHERE plan_id = ?", [plan.plan_id])
    for t in plan.targets:
        con.execute(
            "INSERT INTO targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, t.target_id, t.kind.value, t.name_zh, t.name_en, t.scope, t.indicator,
             t.comparator.value, t.value, t.unit, t.value_canonical, t.base_year, t.target_year,
             t.headline, t.source_quote, t.model_dump_json()],
        )
    for inc in plan.incentives:
        con.execute(
            "INSERT INTO incentives VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, inc.incentive_id, inc.scope, inc.indicator, inc.threshold.canonical,
             inc.reward.canonical if inc.reward else None,
             inc.min_growth_pct / 100 if inc.min_growth_pct is not None else None, inc.source_quote],
        )
    for task in plan.tasks:
        con.execute(
            "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, task.task_id, task.section, task.text, list(task.lead_departments),
             task.phase, plan.due_of(task), task.source_quote],
        )


# ------------------------------------------------------------------------------------ reads


def indicators(con: Con) -> pd.DataFrame:
    return frame(
        con,
        """SELECT indicator_id, code, name_zh, name_en, unit, kind, reported_by, parent_id,
                  components_sum_to_parent, allow_negative FROM indicators ORDER BY code NULLS LAST, indicator_id""",
    )


def plans(con: Con) -> pd.DataFrame:
    return frame(con, "SELECT plan_id, title_zh, title_en, issuer_zh, issued, seed_file, scope_id, base_year, "
                      "horizon_end FROM plans ORDER BY issued")


def targets(con: Con, plan_id: str | None = None) -> pd.DataFrame:
    return frame(
        con,
        """SELECT t.plan_id, t.target_id, t.kind, t.name_zh, t.name_en, t.scope_id, o.name_zh AS scope_name,
                  t.indicator_id, t.comparator, t.value, t.unit, t.base_year, t.target_year, t.headline,
                  t.source_quote, p.seed_file
           FROM targets t JOIN plans p USING (plan_id) LEFT JOIN orgs o ON o.org_id = t.scope_id
           WHERE ? IS NULL OR t.plan_id = ?
           ORDER BY p.issued, t.plan_id, t.target_id""",
        [plan_id, plan_id],
    )
