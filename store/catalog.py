"""Load and validate the declarative catalog under data/ (indicators, organisations, plans).

Validation collects every problem of every file before failing, MetricFlow-style, so an editor
fixing a plan file sees all of its mistakes at once instead of one per run. Beyond the pydantic
shape it checks what only the whole catalog can: that ids resolve, units fit their indicator, every
`source_quote` occurs verbatim in the plan's seed text, and every indicator has plausibility bounds
that validation can apply at every level.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _check_plan(path: Path, plan: Plan, cat_inds: dict, orgs: dict, seeds_dir: Path) -> Iterable[str]:
    seed_path = seeds_dir / plan.seed_file
    seed = seed_path.read_text(encoding="utf-8") if seed_path.is_file() else None
    if seed is None:
        yield f"{path.name}: seed_file {plan.seed_file!r} not found in {seeds_dir}"
    if plan.scope not in orgs:
        yield f"{path.name}: scope {plan.scope!r} is not a known organisation"

    def quoted(where: str, quote: str | None) -> Iterable[str]:
        if seed is not None and quote is not None and quote not in seed:
            yield f"{where}: source_quote not found verbatim in {plan.seed_file}: {quote[:40]!r}…"

    seen: set[str] = set()
    for i, t in enumerate(plan.targets):
        where = f"{path.name}: targets[{i}] {t.target_id}"
        if t.target_id in seen:
            yield f"{where}: duplicate target_id"
        seen.add(t.target_id)
        yield from _check_target(where, t, cat_inds, orgs)
        yield from quoted(where, t.source_quote)
    for i, inc in enumerate(plan.incentives):
        where = f"{path.name}: incentives[{i}] {inc.incentive_id}"
        if inc.indicator not in cat_inds:
            yield f"{where}: indicator {inc.indicator!r} is unknown"
        if inc.scope not in orgs:
            yield f"{where}: scope {inc.scope!r} is unknown"
        yield from quoted(where, inc.source_quote)
    phases = {p.phase for p in plan.phases}
    for i, task in enumerate(plan.tasks):
        where = f"{path.name}: tasks[{i}] {task.task_id}"
        if task.phase is not None and task.phase not in phases:
            yield f"{where}: phase {task.phase} is not declared in phases"
        yield from quoted(where, task.source_quote)
    for i, c in enumerate(plan.criteria):
        yield from _check_criterion(f"{path.name}: criteria[{i}] {c.criterion_id}", c, cat_inds, orgs)
    for group, items in (("phases", plan.phases), ("criteria", plan.criteria), ("measures", plan.measures),
                         ("rules", plan.rules)):
        for i, item in enumerate(items):
            yield from quoted(f"{path.name}: {group}[{i}]", item.source_quote)
    for i, c in enumerate(plan.cluster_bases):
        where = f"{path.name}: cluster_bases[{i}] {c.cluster_id}"
        yield from quoted(where, c.source_quote)
        yield from quoted(where, c.park_quote)
        if c.name_zh not in c.source_quote:
            yield f"{where}: the name {c.name_zh!r} is not in its source_quote"
        for park in c.parks:
            if park not in orgs or orgs[park].kind != OrgKind.PARK:
                yield f"{where}: {park!r} is not a park"
    duties = [d.duty_id for d in plan.duties]
    for i, d in enumerate(plan.duties):
        where = f"{path.name}: duties[{i}] {d.duty_id}"
        yield from quoted(where, d.source_quote)
        if d.after is not None and (d.after == d.duty_id or d.after not in duties):
            yield f"{where}: after {d.after!r} is not another duty of the plan"
    for group, ids in (("tasks", [t.task_id for t in plan.tasks]), ("cluster_bases", [c.cluster_id for c in plan.cluster_bases]),
                       ("duties", duties), ("rules", [r.rule_id for r in plan.rules])):
        for dup in sorted({x for x in ids if ids.count(x) > 1}):
            yield f"{path.name}: {group}: {dup!r} is used twice"
    for o in plan.organisations:
        yield from quoted(f"{path.name}: organisations {o.org_id}", o.source_quote)
    task_ids = {t.task_id for t in plan.tasks}
    for i, r in enumerate(plan.responsibilities):
        where = f"{path.name}: responsibilities[{i}]"
        yield from quoted(where, r.source_quote)
        for target in sorted(set(r.targets) - seen):
            yield f"{where}: {target!r} is not a target of the plan"
        for task in sorted(set(r.tasks) - task_ids):
            yield f"{where}: {task!r} is not a task of the plan"
        for dept in r.departments:
            if dept not in r.source_quote:
                yield f"{where}: the department {dept!r} is not in its source_quote"


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read and check the whole catalog; raise CatalogError listing every problem."""
    problems: list[str] = []
    indicators = _parse_list(data_dir / "indicators.yaml", Indicator, problems)
    orgs_list: list[Organisation] = _parse_list(data_dir / "orgs.yaml", Organisation, problems)
    plans: dict[str, Plan] = {}
    plan_paths = sorted((data_dir / "plans").glob("*.yaml"))
    parsed: list[tuple[Path, Plan]] = []
    for path in plan_paths:
        raw = _load_yaml(path, problems)
        if raw is None:
            continue
        try:
            plan = Plan.model_validate(raw)
        except ValidationError as e:
            problems.extend(_pydantic_problems(path.name, e))
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
        problems.extend(_check_plan(path, plan, inds, orgs, data_dir / "seeds"))
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
