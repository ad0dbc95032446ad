"""Load and validate the declarative catalog under data/ (indicators, organisations, plans).

Validation collects every problem of every file before failing, MetricFlow-style, so an editor
fixing a plan file sees all of its mistakes at once instead of one per run. Beyond the pydantic
shape it checks what only the whole catalog can: that ids resolve, units fit their indicator, every
`source_quote` occurs verbatim in the plan's seed text, and every indicator has plausibility bounds
that validation can apply at every level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from domain.catalog import Catalog
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
from domain.units import Dimension, UnitError, unit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class CatalogError(ValueError):
    """Every problem found in the catalog, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog:\n" + "\n".join(problems))


def _load_yaml(path: Path, problems: list[str]) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problems.append(f"{path.name}: cannot read: {e}")
        return None


def _pydantic_problems(where: str, err: ValidationError) -> Iterable[str]:
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"])
        yield f"{where}: {loc}: {e['msg']}"


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
    where: str, t: Target, indicators: dict[str, Indicator], orgs: dict[str, Organisation]
) -> Iterable[str]:
    """Cross-references and unit sense of one target; yields a problem per line."""
    ind = indicators.get(t.indicator)
    if t.scope not in orgs:
        yield f"{where}: scope {t.scope!r} is not a known organisation"
    if ind is None:
        yield f"{where}: indicator {t.indicator!r} is not in indicators.yaml"
        return
    dim = _unit_dimension(t.unit)
    match t:
        case GrowthTarget() | ShareTarget():
            if dim != Dimension.RATIO:
                yield f"{where}: a {t.kind.value} target is written in %, not {t.unit!r}"
        case ThresholdCountTarget():
            if dim != Dimension.COUNT:
                yield f"{where}: a threshold count is a number of firms (家/个), not {t.unit!r}"
            if _unit_dimension(t.threshold.unit) != ind.dimension:
                yield f"{where}: threshold unit {t.threshold.unit!r} does not measure {ind.indicator_id}"
        case DensityTarget():
            if dim != Dimension.CNY_PER_AREA:
                yield f"{where}: density unit {t.unit!r} is not money per area"
        case LevelTarget() | AverageIncreaseTarget() | YearlyQuotaTarget() | CumulativeTarget() | ProgrammeCountTarget():
            if dim != ind.dimension:
                yield f"{where}: unit {t.unit!r} does not measure {ind.indicator_id} ({ind.unit})"
    if isinstance(t, YearlyQuotaTarget | CumulativeTarget | ProgrammeCountTarget) and ind.kind != IndicatorKind.FLOW:
        yield f"{where}: a {t.kind.value} target counts a yearly flow; {ind.indicator_id} is a stock"
    if isinstance(t, AverageIncreaseTarget) and ind.kind != IndicatorKind.STOCK:
        yield f"{where}: an average increase is measured on a stock; {ind.indicator_id} is a flow"
    if isinstance(t, ShareTarget | DensityTarget):
        if t.denominator.indicator not in indicators:
            yield f"{where}: denominator indicator {t.denominator.indicator!r} is unknown"
        if t.denominator.scope not in orgs:
            yield f"{where}: denominator scope {t.denominator.scope!r} is unknown"


def _check_criterion(
    where: str, c: Criterion, indicators: dict[str, Indicator], orgs: dict[str, Organisation]
) -> Iterable[str]:
    """A ratio criterion (an indicator of each unit over its own stock): ids resolve, the unit is
    money per area, and the figure is formed as the indicators allow (a running total of a flow,
    over a stock)."""
    if c.scope is not None and c.scope not in orgs:
        yield f"{where}: scope {c.scope!r} is not a known organisation"
    if c.measure is None:
        return  # a programme's eligibility rule: checked by metrics/bases.py from its own inputs
    ind, den = indicators.get(c.indicator or ""), indicators.get(c.denominator or "")
    if ind is None:
        yield f"{where}: indicator {c.indicator!r} is not in indicators.yaml"
    if den is None:
        yield f"{where}: denominator {c.denominator!r} is not in indicators.yaml"
    if _unit_dimension(c.unit or "") != Dimension.CNY_PER_AREA:
        yield f"{where}: a ratio criterion is written in money per area, not {c.unit!r}"
    if ind is not None and c.measure == CriterionMeasure.CUMULATIVE and ind.kind != IndicatorKind.FLOW:
        yield f"{where}: a cumulative figure sums a yearly flow; {ind.indicator_id} is a stock"
    if den is not None and den.kind != IndicatorKind.STOCK:
        yield f"{where}: the denominator is a stock held at a year's end; {den.indicator_id} is a flow"


TextOf = Callable[[str], str | None]  # a text's name (a plan's seed_file) → the text, or None if unknown


def seed_texts(seeds_dir: Path) -> TextOf:
    """The shipped texts: data/seeds/<name>."""
    def text_of(name: str) -> str | None:
        path = seeds_dir / name
        return path.read_text(encoding="utf-8") if path.name == name and path.is_file() else None
    return text_of


def _quotes(where: str, name: str, text_of: TextOf) -> Callable[[str, str | None], Iterable[str]]:
    """A checker of quotes against the text called `name`, which reports the text missing once."""
    text = text_of(name)
    missing = [f"{where}: the text {name!r} is not known"] if text is None else []

    def quoted(at: str, quote: str | None) -> Iterable[str]:
        yield from missing
        missing.clear()
        if text is not None and quote is not None and quote not in text:
            yield f"{at}: source_quote not found verbatim in {name}: {quote[:40]!r}…"
    return quoted


def plan_problems(where: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> list[str]:
    """Every problem of one plan against the catalog it joins (indicators, organisations — its own
    included) and the texts it quotes: the same checks for a shipped file and a plan published from
    the app."""
    return list(_check_plan(where, plan, cat_inds, orgs, text_of))


def _check_plan(name: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> Iterable[str]:
    quoted = _quotes(name, plan.seed_file, text_of)
    if plan.scope not in orgs:
        yield f"{name}: scope {plan.scope!r} is not a known organisation"

    seen: set[str] = set()
    for i, t in enumerate(plan.targets):
        where = f"{name}: targets[{i}] {t.target_id}"
        if t.target_id in seen:
            yield f"{where}: duplicate target_id"
        seen.add(t.target_id)
        yield from _check_target(where, t, cat_inds, orgs)
        yield from quoted(where, t.source_quote)
    for i, inc in enumerate(plan.incentives):
        where = f"{name}: incentives[{i}] {inc.incentive_id}"
        if inc.indicator not in cat_inds:
            yield f"{where}: indicator {inc.indicator!r} is unknown"
        if inc.scope not in orgs:
            yield f"{where}: scope {inc.scope!r} is unknown"
        yield from quoted(where, inc.source_quote)
    phases = {p.phase for p in plan.phases}
    for i, task in enumerate(plan.tasks):
        where = f"{name}: tasks[{i}] {task.task_id}"
        if task.phase is not None and task.phase not in phases:
            yield f"{where}: phase {task.phase} is not declared in phases"
        yield from quoted(where, task.source_quote)
    for i, c in enumerate(plan.criteria):
        yield from _check_criterion(f"{name}: criteria[{i}] {c.criterion_id}", c, cat_inds, orgs)
    for group, items in (("phases", plan.phases), ("criteria", plan.criteria), ("measures", plan.measures),
                         ("rules", plan.rules)):
        for i, item in enumerate(items):
            yield from quoted(f"{name}: {group}[{i}]", item.source_quote)
    for i, c in enumerate(plan.cluster_bases):
        where = f"{name}: cluster_bases[{i}] {c.cluster_id}"
        yield from quoted(where, c.source_quote)
        yield from quoted(where, c.park_quote)
        if c.name_zh not in c.source_quote:
            yield f"{where}: the name {c.name_zh!r} is not in its source_quote"
        for park in c.parks:
            if park not in orgs or orgs[park].kind != OrgKind.PARK:
                yield f"{where}: {park!r} is not a park"
    duties = [d.duty_id for d in plan.duties]
    for i, d in enumerate(plan.duties):
        where = f"{name}: duties[{i}] {d.duty_id}"
        yield from quoted(where, d.source_quote)
        if d.after is not None and (d.after == d.duty_id or d.after not in duties):
            yield f"{where}: after {d.after!r} is not another duty of the plan"
    for group, ids in (("tasks", [t.task_id for t in plan.tasks]), ("cluster_bases", [c.cluster_id for c in plan.cluster_bases]),
                       ("duties", duties), ("rules", [r.rule_id for r in plan.rules])):
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            yield f"{name}: {group}: {dup!r} is used twice"
    for o in plan.organisations:
        yield from quoted(f"{name}: organisations {o.org_id}", o.source_quote)
    task_ids = {t.task_id for t in plan.tasks}
    for i, r in enumerate(plan.responsibilities):
        where = f"{name}: responsibilities[{i}]"
        yield from quoted(where, r.source_quote)
        for target in sorted(set(r.targets) - seen):
            yield f"{where}: {target!r} is not a target of the plan"
        for task in sorted(set(r.tasks) - task_ids):
            yield f"{where}: {task!r} is not a task of the plan"
        for dept in r.departments:
            if dept not in r.source_quote:
                yield f"{where}: the department {dept!r} is not in its source_quote"
    yield from _check_adjustments(name, plan, cat_inds, orgs, text_of)


def _check_adjustments(name: str, plan: Plan, cat_inds: dict, orgs: dict, text_of: TextOf) -> Iterable[str]:
    """Each mid-term adjustment: its targets are sound targets quoted from the adjusting document,
    what it drops exists by then, and every version it makes still has targets."""
    held = {t.target_id for t in plan.targets}
    for i, a in enumerate(plan.adjustments):
        where = f"{name}: adjustments[{i}] ({a.effective})"
        quoted = _quotes(where, a.seed_file, text_of)
        yield from quoted(where, a.source_quote)
        for gone in a.dropped:
            if gone not in held:
                yield f"{where}: dropped {gone!r} is not a target of the plan by then"
        held -= set(a.dropped)
        for j, t in enumerate(a.targets):
            at = f"{where}: targets[{j}] {t.target_id}"
            yield from _check_target(at, t, cat_inds, orgs)
            yield from quoted(at, t.source_quote)
        held |= {t.target_id for t in a.targets}
        if not held:
            yield f"{where}: the plan would be left without targets"


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and check the whole catalog; raise CatalogError listing every problem."""
    problems: list[str] = []
    indicators = _parse_list(data_dir / "indicators.yaml", Indicator, problems)
    orgs_list: list[Organisation] = _parse_list(data_dir / "orgs.yaml", Organisation, problems)
    plans: dict[str, Plan] = {}
    plan_paths = sorted((data_dir / "plans").glob("*.yaml"))
    parsed: list[tuple[Path, Plan]] = []
    for path in plan_paths:  # the same reading as a plan file imported from the app or the command line
        try:
            plan, shape = read_plan(path.read_text(encoding="utf-8"), path.name)
        except (OSError, UnicodeDecodeError) as e:
            plan, shape = None, [f"{path.name}: cannot read: {e}"]
        problems.extend(shape)
        if plan is None:
            continue
        if plan.plan_id in plans:
            problems.append(f"{path.name}: plan_id {plan.plan_id!r} is used twice")
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


def read_plan(text: str, where: str) -> tuple[Plan | None, list[str]]:
    """A plan from its YAML (the data/plans schema): the plan, or None and every problem of its
    shape. Cross-references and quotes are plan_problems' (they need the catalog and the texts)."""
    if len(text.encode("utf-8")) > PLAN_YAML_LIMIT:
        return None, [f"{where}: larger than {PLAN_YAML_LIMIT // 1_000_000} MB; a plan file is a few tens of KB"]
    try:
        raw = yaml.load(text, Loader=_ScalarAliases)  # a safe loader: scalar aliases only
    except yaml.YAMLError as e:
        return None, [f"{where}: not YAML: {e}"]
    if not isinstance(raw, dict):
        return None, [f"{where}: a plan file is a mapping (plan_id: …, targets: …)"]
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


def problems_joining(catalog: Catalog, plan: Plan, text_of: TextOf, where: str) -> list[str]:
    """Every problem of `plan` joining `catalog` (in place of a plan of the same id, if any): its
    own checks, and organisations it declares that another plan or the catalog files already do."""
    before = catalog.plans.get(plan.plan_id)
    own_before = {o.org_id for o in before.organisations} if before else set()
    others = {k: o for k, o in catalog.organisations.items() if k not in own_before}
    problems = [f"{where}: organisation {o.org_id!r} is already declared elsewhere"
                for o in plan.organisations if o.org_id in others]
    orgs = {**others, **{o.org_id: o for o in plan.organisations}}
    for o in plan.organisations:
        if o.parent and o.parent not in orgs:
            problems.append(f"{where}: organisation {o.org_id}: parent {o.parent!r} is unknown")
    return problems + plan_problems(where, plan, catalog.indicators, orgs, text_of)
