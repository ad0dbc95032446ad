"""The catalog in the store: indicators, plans, their targets, incentives and tasks, and publishing.

`sync_catalog` mirrors the catalog files (data/) at every start: indicators, the organisation tree
(store/orgs.py, with the bottom-up sums recomputed when the level that reports an indicator changed,
store/figures.py), and each shipped plan as a revision when its file changed. `publish` adds a plan
or a new version of one from the app or the command line. Both go through the same checks
(store/catalog.py) into store/plan_revisions.py; the plans, targets, incentives and tasks tables
then mirror every plan in force, for the command line and SQL readers."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from domain.catalog import Catalog
from domain.models import Plan
from domain.problems import CatalogProblem, problem
from store import figures
from store import plan_revisions as revisions
from store.audit import audit
from store.catalog import DATA_DIR, TextOf, problems_joining, seed_texts
from store.orgs import upsert_orgs
from store.sql import Con, frame, transaction


def sync_catalog(con: Con, catalog: Catalog, actor: str = "system", texts: TextOf | None = None) -> None:
    """Mirror the catalog files into the store (idempotent): indicators, orgs, a new revision of
    each plan whose file changed (store/plan_revisions.py, with the texts it quotes from `texts`,
    data/seeds by default), and the plans, targets, incentives and tasks tables from every plan in
    force."""
    texts = texts or seed_texts(DATA_DIR / "seeds")
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
        changed = [p.plan_id for p in catalog.plans.values() if _record_file_plan(con, p, actor, texts)]
        for plan in revisions.in_force(con):  # the shipped plans and those published from the app
            upsert_orgs(con, list(plan.organisations), "plan")
            sync_plan(con, plan)
        audit(con, actor, "catalog.sync", None, {"plans": sorted(catalog.plans), "new_revisions": changed})


def _record_file_plan(con: Con, plan: Plan, actor: str, texts: TextOf) -> bool:
    """A shipped plan goes in as a revision like any other, when its file says something new (the
    first start, or a redeployed file). Adjustments published from the app or the command line that
    the file does not hold yet are carried onto the file's plan: a redeployed file corrects the plan,
    it does not undo what was adjusted since."""
    shipped = revisions.latest_spec(con, plan.plan_id, "file")
    if shipped is not None:  # the file as last recorded, without the adjustments carried onto it
        before = Plan.model_validate_json(shipped)
        if before.model_copy(update={"adjustments": before.adjustments[:len(plan.adjustments)]}) == plan:
            return False
    for name in {plan.seed_file, *(a.seed_file for a in plan.adjustments)}:
        text = texts(name)
        if text is not None:
            revisions.put_text(con, name, name, text, actor)
    newest = revisions.latest_spec(con, plan.plan_id)
    later = Plan.model_validate_json(newest).adjustments if newest else ()
    if later[:len(plan.adjustments)] == plan.adjustments and len(later) > len(plan.adjustments):
        plan = plan.model_copy(update={"adjustments": later})
    revisions.record(con, plan, "file", actor)
    return True


def _reporting_levels(con: Con) -> list[tuple]:
    return con.execute("SELECT indicator_id, reported_by FROM indicators ORDER BY indicator_id").fetchall()


def sync_plan(con: Con, plan: Plan) -> None:
    """The plans, targets, incentives and tasks rows of one plan, its latest version's targets."""
    con.execute(
        "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [plan.plan_id, plan.title_zh, plan.title_en, plan.issuer_zh, plan.issued, plan.seed_file,
         plan.scope, plan.base_year, plan.horizon_end, plan.model_dump_json()],
    )
    con.execute("DELETE FROM targets WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM incentives WHERE plan_id = ?", [plan.plan_id])
    con.execute("DELETE FROM tasks WHERE plan_id = ?", [plan.plan_id])
    for t in plan.latest().targets:
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


# ------------------------------------------------------------------------------ publishing


class PlanRejected(ValueError):
    """Every problem that keeps a plan from being published, one per line (each a CatalogProblem:
    its location, and its reason worded by the reader's UI; English as str); nothing was written."""

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(map(str, problems)))


def in_force(con: Con, files: Catalog) -> Catalog:
    """The catalog in force: the files' indicators, organisations and breaks, and every plan as its
    newest published revision has it (shipped or added from the app), with the organisations each
    declares."""
    return files.with_plans(revisions.in_force(con))


def problems(con: Con, catalog: Catalog, plan: Plan, texts: Mapping[str, tuple[str, str]]) -> list[CatalogProblem]:
    """Every problem that keeps `plan` from being published (nothing written): the catalog's checks
    against `catalog`, the catalog in force, with `texts` ({name: (file name as uploaded, text)}) and
    the texts the store keeps.

    A plan already in force keeps its adjustments: they are its history, so a new revision may add
    adjustments after them but not change or drop one."""
    def text_of(name: str) -> str | None:
        return texts[name][1] if name in texts else revisions.text(con, name)

    found = problems_joining(catalog, plan, text_of, plan.plan_id)
    before = catalog.plans.get(plan.plan_id)
    if before is not None and plan.adjustments[:len(before.adjustments)] != before.adjustments:
        found.append(problem(plan.plan_id, (), "catalog.adjustments_kept", n=len(before.adjustments)))
    return found


def publish(con: Con, catalog: Catalog, plan: Plan, texts: Mapping[str, tuple[str, str]], origin: str,
            actor: str) -> int:
    """Publish `plan` as a new revision (returns its number), or raise PlanRejected with every
    problem (`problems`) and write nothing. `texts`: the texts the plan quotes that the store does
    not keep yet, by name."""
    found = problems(con, catalog, plan, texts)
    if found:
        raise PlanRejected(found)
    with transaction(con):
        for name, (file_name, text) in texts.items():
            revisions.put_text(con, name, file_name, text, actor)
        upsert_orgs(con, list(plan.organisations), "plan")
        revision = revisions.record(con, plan, origin, actor)
        sync_plan(con, plan)
        audit(con, actor, "plan.publish", plan.plan_id,
              {"revision": revision, "version": plan.version, "origin": origin, "targets": len(plan.latest().targets)})
    return revision
