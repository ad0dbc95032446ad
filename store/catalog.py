"""Load and validate the declarative catalog under data/ (indicators, organisations, plans).

Validation collects every problem of every file before failing, MetricFlow-style, so an editor
fixing a plan file sees all of its mistakes at once instead of one per run. Beyond the pydantic
shape it checks what only the whole catalog can: that ids resolve, units fit their indicator, every
`source_quote` occurs verbatim in the plan's seed text, and every indicator has plausibility bounds
that validation can apply at every level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from domain.catalog import Catalog
from domain.messages import Message
from domain.models import (
    AverageIncreaseTarget,
    Criterion,
    CriterionMeasure,
    CumulativeTarget,
    DensityTarget,
    GrowthTarget,
    Indicator,
    IndicatorKind,
    LevelTarget,
    Organisation,
    OrgKind,
    Plan,
    ProgrammeCountTarget,
    SeriesBreak,
    ShareTarget,
    Target,
    ThresholdCountTarget,
    YearlyQuotaTarget,
)
from domain.problems import CatalogProblem, Step, problem, shape_reason
from domain.units import Dimension, UnitError, unit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class CatalogError(ValueError):
    """Every problem found in the catalog files, one English sentence per line (a plan's
    CatalogProblem as its str): what the person editing data/ reads, at a start or in a test."""

    def __init__(self, problems: list[str | CatalogProblem]):
        self.problems = [str(p) for p in problems]
        super().__init__(f"{len(problems)} problem(s) in the catalog:\n" + "\n".join(self.problems))


def _load_yaml(path: Path, problems: list[str]) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{path.name}: cannot read: {e}")
        return None


def _pydantic_problems(where: str, err: ValidationError) -> Iterable[CatalogProblem]:
    """Pydantic's errors, each at its field's dotted path (targets.0.level.value) with its reason."""
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        yield CatalogProblem(where, shape_reason(e), ((loc, None, None),) if loc else ())


def _parse_list(path: Path, model: type, problems: list[str]) -> list:
    raw = _load_yaml(path, problems)
    if raw is None:
        return []
    try:
        return TypeAdapter(list[model]).validate_python(raw)
    except ValidationError as e:
        problems.extend(_pydantic_problems(path.name, e))
        return []


def _unit_dimension(symbol: str) -> Dimension | None:
    try:
        return unit(symbol).dimension
    except UnitError:
        return None


def _check_bounds(ind: Indicator, indicators: dict[str, Indicator]) -> Iterable[str]:
    """Every indicator is bounded at every level: an error limit above (below too, where it may be
    negative) for every level, each level's own limits consistent with those it takes from every
    level's; ratios to another known row of the same form."""
    where = f"indicators.yaml: {ind.indicator_id}"
    every = ind.bound_for(None)
    if every is None or every.error_above is None:
        yield f"{where}: bounds need an error_above for every level (a bound without a level)"
    elif ind.allow_negative and every.error_below is None:
        yield f"{where}: a figure that may be negative needs an error_below for every level"
    for b in ind.bounds:
        if b.level is not None:
            try:
                ind.bound_for(b.level)
            except ValidationError as e:
                yield f"{where}: the {b.level.value} bound does not fit the bound for every level: {e.errors()[0]['msg']}"
    for r in ind.ratios:
        other = indicators.get(r.of)
        if other is None:
            yield f"{where}: ratio to {r.of!r}, which is not in indicators.yaml"
        elif other.indicator_id == ind.indicator_id or other.reported_by != ind.reported_by:
            yield f"{where}: a ratio is to another row of the same form (reported by {ind.reported_by.value}), not {r.of!r}"


def _check_target(
    where: str, at: tuple[Step, ...], t: Target, indicators: dict[str, Indicator], orgs: dict[str, Organisation]
) -> Iterable[CatalogProblem]:
    """Cross-references and unit sense of one target (at `at` in `where`); yields each problem."""
    def said(code: str, **params: object) -> CatalogProblem:
        return problem(where, at, code, **params)

    ind = indicators.get(t.indicator)
    kind = {"kind": t.kind.value, "kind_word": Message.of(f"kind_{t.kind.value}")}
    if t.scope not in orgs:
        yield said("catalog.scope_unknown", scope=t.scope)
    if ind is None:
        yield said("catalog.indicator_unknown", indicator=t.indicator)
        return
    dim = _unit_dimension(t.unit)
    match t:
        case GrowthTarget() | ShareTarget():
            if dim != Dimension.RATIO:
                yield said("catalog.unit_not_percent", given=t.unit, **kind)
        case ThresholdCountTarget():
            if dim != Dimension.COUNT:
                yield said("catalog.unit_not_count", given=t.unit)
            if _unit_dimension(t.threshold.unit) != ind.dimension:
                yield said("catalog.threshold_unit", given=t.threshold.unit, indicator=ind.indicator_id)
        case DensityTarget():
            if dim != Dimension.CNY_PER_AREA:
                yield said("catalog.unit_not_density", given=t.unit)
        case LevelTarget() | AverageIncreaseTarget() | YearlyQuotaTarget() | CumulativeTarget() | ProgrammeCountTarget():
            if dim != ind.dimension:
                yield said("catalog.unit_not_indicator", given=t.unit, indicator=ind.indicator_id, expected=ind.unit)
    if isinstance(t, YearlyQuotaTarget | CumulativeTarget | ProgrammeCountTarget) and ind.kind != IndicatorKind.FLOW:
        yield said("catalog.flow_on_stock", indicator=ind.indicator_id, **kind)
    if isinstance(t, AverageIncreaseTarget) and ind.kind != IndicatorKind.STOCK:
        yield said("catalog.increase_on_flow", indicator=ind.indicator_id)
    if isinstance(t, ShareTarget | DensityTarget):
        if t.denominator.indicator not in indicators:
            yield said("catalog.denominator_indicator_unknown", indicator=t.denominator.indicator)
        if t.denominator.scope not in orgs:
            yield said("catalog.denominator_scope_unknown", scope=t.denominator.scope)


def _check_criterion(
    where: str, at: Step, c: Criterion, indicators: dict[str, Indicator], orgs: dict[str, Organisation]
) -> Iterable[CatalogProblem]:
    """A ratio criterion (an indicator of each unit over its own stock): ids resolve, the unit is
    money per area, and the figure is formed as the indicators allow (a running total of a flow,
    over a stock)."""
    if c.scope is not None and c.scope not in orgs:
        yield problem(where, at, "catalog.scope_unknown", scope=c.scope)
    if c.measure is None:
        return  # a programme's eligibility rule: checked by metrics/bases.py from its own inputs
    ind, den = indicators.get(c.indicator or ""), indicators.get(c.denominator or "")
    if ind is None:
        yield problem(where, at, "catalog.indicator_unknown", indicator=c.indicator)
    if den is None:
        yield problem(where, at, "catalog.criterion.denominator_unknown", indicator=c.denominator)
    if _unit_dimension(c.unit or "") != Dimension.CNY_PER_AREA:
        yield problem(where, at, "catalog.criterion.unit", given=c.unit)
    if ind is not None and c.measure == CriterionMeasure.CUMULATIVE and ind.kind != IndicatorKind.FLOW:
        yield problem(where, at, "catalog.criterion.cumulative_stock", indicator=ind.indicator_id)
    if den is not None and den.kind != IndicatorKind.STOCK:
        yield problem(where, at, "catalog.criterion.denominator_flow", indicator=den.indicator_id)


TextOf = Callable[[str], str | None]  # a text's name (a plan's seed_file) → the text, or None if unknown


def seed_texts(seeds_dir: Path) -> TextOf:
    """The shipped texts: data/seeds/<name>."""
    def text_of(name: str) -> str | None:
        path = seeds_dir / name
        return path.read_text(encoding="utf-8") if path.name == name and path.is_file() else None
    return text_of


Quoted = Callable[[tuple[Step, ...] | Step, str | None], Iterable[CatalogProblem]]


def _quotes(where: str, name: str, text_of: TextOf, outer: tuple[Step, ...] = ()) -> Quoted:
    """A checker of quotes (at a location in `where`) against the text called `name`, which reports
    the text missing once, at `outer`."""
    text = text_of(name)
    missing = [problem(where, outer, "catalog.text_unknown", name=name)] if text is None else []

    def quoted(at: tuple[Step, ...] | Step, quote: str | None) -> Iterable[CatalogProblem]:
        yield from missing
        missing.clear()
        if text is not None and quote is not None and quote not in text:
            yield problem(where, at, "catalog.quote_not_verbatim", name=name, quote=quote[:40])
    return quoted


def plan_problems(where: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> list[CatalogProblem]:
    """Every problem of one plan against the catalog it joins (indicators, organisations — its own
    included) and the texts it quotes: the same checks for a shipped file and a plan published from
    the app."""
    return list(_check_plan(where, plan, cat_inds, orgs, text_of))


def _check_plan(name: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> Iterable[CatalogProblem]:
    quoted = _quotes(name, plan.seed_file, text_of)
    if plan.scope not in orgs:
        yield problem(name, (), "catalog.scope_unknown", scope=plan.scope)

    seen: set[str] = set()
    for i, t in enumerate(plan.targets):
        at: tuple[Step, ...] = (("targets", i, t.target_id),)
        if t.target_id in seen:
            yield problem(name, at, "catalog.target_duplicate")
        seen.add(t.target_id)
        yield from _check_target(name, at, t, cat_inds, orgs)
        yield from quoted(at, t.source_quote)
    for i, inc in enumerate(plan.incentives):
        at = (("incentives", i, inc.incentive_id),)
        if inc.indicator not in cat_inds:
            yield problem(name, at, "catalog.incentive.indicator_unknown", indicator=inc.indicator)
        if inc.scope not in orgs:
            yield problem(name, at, "catalog.incentive.scope_unknown", scope=inc.scope)
        yield from quoted(at, inc.source_quote)
    phases = {p.phase for p in plan.phases}
    for i, task in enumerate(plan.tasks):
        at = (("tasks", i, task.task_id),)
        if task.phase is not None and task.phase not in phases:
            yield problem(name, at, "catalog.task.phase_unknown", phase=task.phase)
        yield from quoted(at, task.source_quote)
    for i, c in enumerate(plan.criteria):
        yield from _check_criterion(name, ("criteria", i, c.criterion_id), c, cat_inds, orgs)
    for group, items in (("phases", plan.phases), ("criteria", plan.criteria), ("measures", plan.measures),
                         ("rules", plan.rules)):
        for i, item in enumerate(items):
            yield from quoted((group, i, None), item.source_quote)
    for i, c in enumerate(plan.cluster_bases):
        at = (("cluster_bases", i, c.cluster_id),)
        yield from quoted(at, c.source_quote)
        yield from quoted(at, c.park_quote)
        if c.name_zh not in c.source_quote:
            yield problem(name, at, "catalog.cluster.name_not_quoted", name=c.name_zh)
        for park in c.parks:
            if park not in orgs or orgs[park].kind != OrgKind.PARK:
                yield problem(name, at, "catalog.cluster.not_a_park", park=park)
    duties = [d.duty_id for d in plan.duties]
    for i, d in enumerate(plan.duties):
        at = (("duties", i, d.duty_id),)
        yield from quoted(at, d.source_quote)
        if d.after is not None and (d.after == d.duty_id or d.after not in duties):
            yield problem(name, at, "catalog.duty.after_unknown", after=d.after)
    for group, ids in (("tasks", [t.task_id for t in plan.tasks]), ("cluster_bases", [c.cluster_id for c in plan.cluster_bases]),
                       ("duties", duties), ("rules", [r.rule_id for r in plan.rules])):
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            yield problem(name, (group, None, None), "catalog.id_twice", id=dup)
    for o in plan.organisations:
        yield from quoted(("organisations", None, o.org_id), o.source_quote)
    task_ids = {t.task_id for t in plan.tasks}
    for i, r in enumerate(plan.responsibilities):
        at = (("responsibilities", i, None),)
        yield from quoted(at, r.source_quote)
        for target in sorted(set(r.targets) - seen):
            yield problem(name, at, "catalog.responsibility.target_unknown", target=target)
        for task in sorted(set(r.tasks) - task_ids):
            yield problem(name, at, "catalog.responsibility.task_unknown", task=task)
        for dept in r.departments:
            if dept not in r.source_quote:
                yield problem(name, at, "catalog.responsibility.department_not_quoted", department=dept)
    yield from _check_adjustments(name, plan, cat_inds, orgs, text_of)


def _check_adjustments(name: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> Iterable[CatalogProblem]:
    """Each mid-term adjustment: its targets are sound targets quoted from the adjusting document,
    what it drops exists by then, and every version it makes still has targets."""
    held = {t.target_id for t in plan.targets}
    for i, a in enumerate(plan.adjustments):
        where: tuple[Step, ...] = (("adjustments", i, f"({a.effective})"),)
        quoted = _quotes(name, a.seed_file, text_of, where)
        yield from quoted(where, a.source_quote)
        for gone in a.dropped:
            if gone not in held:
                yield problem(name, where, "catalog.adjustment.dropped_unknown", target=gone)
        held -= set(a.dropped)
        for j, t in enumerate(a.targets):
            at = (*where, ("targets", j, t.target_id))
            yield from _check_target(name, at, t, cat_inds, orgs)
            yield from quoted(at, t.source_quote)
        held |= {t.target_id for t in a.targets}
        if not held:
            yield problem(name, where, "catalog.adjustment.no_targets")


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and check the whole catalog; raise CatalogError listing every problem."""
    problems: list[str | CatalogProblem] = []
    indicators = _parse_list(data_dir / "indicators.yaml", Indicator, problems)
    orgs_list: list[Organisation] = _parse_list(data_dir / "orgs.yaml", Organisation, problems)
    plans: dict[str, Plan] = {}
    plan_paths = sorted((data_dir / "plans").glob("*.yaml"))
    parsed: list[tuple[Path, Plan]] = []
    for path in plan_paths:  # the same reading as a plan file imported from the app or the command line
        try:
            plan, shape = read_plan(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError) as e:
            plan, shape = None, [problem(path.name, (), "catalog.file_unreadable", error=str(e))]
        problems.extend(shape)
        if plan is None:
            continue
        if plan.plan_id in plans:
            problems.append(problem(path.name, (), "catalog.plan_id_twice", plan=plan.plan_id))
        plans[plan.plan_id] = plan
        parsed.append((path, plan))
        orgs_list.extend(plan.organisations)

    inds: dict[str, Indicator] = {}
    for ind in indicators:
        if ind.indicator_id in inds:
            problems.append(f"indicators.yaml: duplicate indicator_id {ind.indicator_id!r}")
        inds[ind.indicator_id] = ind
    for ind in inds.values():
        if ind.parent and ind.parent not in inds:
            problems.append(f"indicators.yaml: {ind.indicator_id}: parent {ind.parent!r} is unknown")
        problems.extend(_check_bounds(ind, inds))
    orgs: dict[str, Organisation] = {}
    for o in orgs_list:
        if o.org_id in orgs:
            problems.append(f"organisation {o.org_id!r} is declared twice")
        orgs[o.org_id] = o
    for o in orgs.values():
        if o.parent and o.parent not in orgs:
            problems.append(f"organisation {o.org_id}: parent {o.parent!r} is unknown")
    for path, plan in parsed:
        problems.extend(_check_plan(path.name, plan, inds, orgs, seed_texts(data_dir / "seeds")))
    breaks: list[SeriesBreak] = _parse_list(data_dir / "breaks.yaml", SeriesBreak, problems) \
        if (data_dir / "breaks.yaml").exists() else []
    for b in breaks:
        problems.extend(f"breaks.yaml: {b.break_id}: {what} {x!r} is unknown"
                        for what, known, xs in (("indicator", inds, b.indicators), ("organisation", orgs, b.scopes))
                        for x in xs if x not in known)
    if problems:
        raise CatalogError(problems)
    return Catalog(indicators=inds, organisations=orgs, plans=plans, breaks=tuple(breaks))


@cache
def default_catalog() -> Catalog:
    return load_catalog(DATA_DIR)


# ------------------------------------------------------------------------ one plan in and out

PLAN_YAML_LIMIT = 2_000_000  # bytes: the largest shipped plan is 30 KB


class _ScalarAliases(yaml.SafeLoader):
    """A safe loader that lets an alias name a single value (one due date for five tasks) but not a
    list or a mapping: nested aliases of collections are how a few hundred bytes of YAML expand
    into billions of items."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            if not isinstance(self.anchors.get(anchor), yaml.ScalarNode):
                raise yaml.YAMLError(f"the alias *{anchor} names a list or a mapping; a plan file may alias single values only")
        return super().compose_node(parent, index)


def read_plan(text: str, where: str) -> tuple[Plan | None, list[CatalogProblem]]:
    """A plan from its YAML (the data/plans schema): the plan, or None and every problem of its
    shape. Cross-references and quotes are plan_problems' (they need the catalog and the texts)."""
    if len(text.encode("utf-8")) > PLAN_YAML_LIMIT:
        return None, [problem(where, (), "catalog.file_too_large", mb=PLAN_YAML_LIMIT // 1_000_000)]
    try:
        raw = yaml.load(text, Loader=_ScalarAliases)  # a safe loader: scalar aliases only
    except yaml.YAMLError as e:
        return None, [problem(where, (), "catalog.not_yaml", error=str(e))]
    if not isinstance(raw, dict):
        return None, [problem(where, (), "catalog.not_a_mapping")]
    try:
        return Plan.model_validate(raw), []
    except ValidationError as e:
        return None, list(_pydantic_problems(where, e))


def plan_yaml(plan: Plan) -> str:
    """The plan in the data/plans schema, defaults left out: what `manage.py plans export` writes
    and read_plan reads back to the same plan."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    # The discriminator of a target or a rule is a default too, but the union needs it to read back.
    for key, models in (("targets", plan.targets), ("rules", plan.rules)):
        for item, model in zip(data.get(key, []), models, strict=True):
            item["kind"] = model.kind.value
    for adj, model in zip(data.get("adjustments", []), plan.adjustments, strict=True):
        for item, target in zip(adj.get("targets", []), model.targets, strict=True):
            item["kind"] = target.kind.value
    head = f"# {plan.title_zh} ({plan.issued}), version {plan.version}\n"
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def problems_joining(catalog: Catalog, plan: Plan, text_of: TextOf, where: str) -> list[CatalogProblem]:
    """Every problem of `plan` joining `catalog` (in place of a plan of the same id, if any): its
    own checks, and organisations it declares twice, or that another plan or the catalog files
    already do."""
    before = catalog.plans.get(plan.plan_id)
    own_before = {o.org_id for o in before.organisations} if before else set()
    others = {k: o for k, o in catalog.organisations.items() if k not in own_before}
    declared = [o.org_id for o in plan.organisations]
    # The sentence names the organisation itself: `about` points the page at its row.
    problems = [replace(problem(where, (), "catalog.org_twice", org=org_id), about=(("organisations", None, org_id),))
                for org_id in sorted({x for x in declared if declared.count(x) > 1})]
    problems += [replace(problem(where, (), "catalog.org_elsewhere", org=o.org_id),
                         about=(("organisations", None, o.org_id),))
                 for o in plan.organisations if o.org_id in others]
    orgs = {**others, **{o.org_id: o for o in plan.organisations}}
    for o in plan.organisations:
        if o.parent and o.parent not in orgs:
            problems.append(problem(where, ("organisation", None, o.org_id), "catalog.org_parent_unknown",
                                    parent=o.parent))
    return problems + plan_problems(where, plan, catalog.indicators, orgs, text_of)
