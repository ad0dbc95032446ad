"""Plans as data: the catalog in force, publishing a plan or a new version of one, plan files in and out.

The pages (through ui/services.py and ui/queries.py) and the command line (`manage.py plans …`) call
these; the checks are the catalog's own (store/catalog.py, every problem at once) and the writes
store/plans.py's, so a plan confirmed on the authoring page, a YAML file imported from the command
line and a shipped file all become the same kind of revision. Publishing is an administrator's
(MANAGE_PLANS), refused and audited in the data layer for anyone else.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from pydantic import ValidationError

from domain.access import Identity
from domain.catalog import Catalog
from domain.models import Adjustment, Plan
from domain.policy import Permission
from domain.problems import CatalogProblem, problem, shape_reason
from store import access
from store import plan_revisions as revisions
from store import plans as plan_store
from store.catalog import default_catalog, plan_yaml, read_plan
from store.db import Con
from store.plans import PlanRejected


def catalog_in_force(con: Con, files: Catalog | None = None) -> Catalog:
    """The catalog the pages judge with: the files' indicators and organisations, every plan as its
    newest published revision has it."""
    return plan_store.in_force(con, files or default_catalog())


def newest_revision(con: Con) -> int:
    """Grows with every published revision: what a held catalog is checked against."""
    return revisions.newest(con)


def revisions_of(con: Con, plan_id: str) -> pd.DataFrame:
    return revisions.revisions(con, plan_id)


def kept_text(con: Con, name: str) -> str | None:
    """A text the store keeps (a plan's or an adjusting document's), by the name the plan gives it."""
    return revisions.text(con, name)


def text_name(file_name: str, text: str) -> str:
    """The name an uploaded text is kept under (what the plan's seed_file then says)."""
    return revisions.text_id_for(file_name, text)


def publish(con: Con, who: Identity, plan: Plan, texts: Mapping[str, tuple[str, str]], origin: str) -> int:
    """Publish `plan` (a new plan, or a new revision of one in force) with the texts it quotes that
    the store does not keep yet ({name: (file name, text)}); returns the revision, or raises
    PlanRejected with every problem and writes nothing."""
    access.require(con, who, Permission.MANAGE_PLANS, "publish a plan", [plan.plan_id])
    return plan_store.publish(con, catalog_in_force(con), plan, texts, origin, who.username)


def check(con: Con, who: Identity, plan: Plan, texts: Mapping[str, tuple[str, str]]) -> list[CatalogProblem]:
    """Every problem publishing `plan` would meet (the catalog's checks, as `publish` runs them), and
    nothing written: the authoring page's "check" before its "publish"."""
    access.require(con, who, Permission.MANAGE_PLANS, "check a plan", [plan.plan_id])
    return plan_store.problems(con, catalog_in_force(con), plan, texts)


def adjust(con: Con, who: Identity, plan_id: str, adjustment: Adjustment, document: tuple[str, str] | None,
           origin: str) -> int:
    """A mid-term adjustment of a plan in force: its latest revision with `adjustment` added after
    the others, published as the next version. `document` is the adjusting document's (file name,
    text) when the store does not keep it yet."""
    access.require(con, who, Permission.MANAGE_PLANS, "adjust a plan", [plan_id])
    catalog = catalog_in_force(con)
    if plan_id not in catalog.plans:
        raise PlanRejected([problem(plan_id, (), "catalog.no_such_plan")])
    plan = catalog.plans[plan_id]
    adjusted = plan.model_copy(update={"adjustments": (*plan.adjustments, adjustment)})
    try:  # the model's own rules (order of effective dates) on the whole plan
        adjusted = Plan.model_validate(adjusted.model_dump())
    except ValidationError as e:
        raise PlanRejected([CatalogProblem(plan_id, shape_reason(err), ((".".join(map(str, err["loc"])), None, None),)
                                           if err["loc"] else ()) for err in e.errors()]) from None
    texts = {adjustment.seed_file: document} if document is not None else {}
    return plan_store.publish(con, catalog, adjusted, texts, origin, who.username)


def import_yaml(con: Con, who: Identity, yaml_text: str, where: str, texts: Mapping[str, tuple[str, str]],
                origin: str, document: tuple[str, str] | None = None) -> Plan:
    """Publish a plan file (the data/plans schema) with the texts it quotes ({name: (file name,
    text)}, and `document` kept as the text its own seed_file names); returns the plan, or raises
    PlanRejected naming the file and every problem."""
    access.require(con, who, Permission.MANAGE_PLANS, "import a plan", [where])
    plan, problems = read_plan(yaml_text, where)
    if plan is None:
        raise PlanRejected(problems)
    if document is not None:
        texts = {**texts, plan.seed_file: document}
    plan_store.publish(con, catalog_in_force(con), plan, texts, origin, who.username)
    return plan


def export_yaml(con: Con, who: Identity, plan_id: str) -> str:
    """The plan in force as a data/plans file, for review in version control."""
    access.require_aggregates(con, who, "export a plan", [plan_id])
    catalog = catalog_in_force(con)
    if plan_id not in catalog.plans:
        raise KeyError(plan_id)
    return plan_yaml(catalog.plans[plan_id])

