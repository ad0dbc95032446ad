"""准入条件核查: a plan's conditions of admission checked unit by unit — each park, and each firm
that reports land of its own, under the organisation the plan admits to — at the last complete year.

A condition of admission ("合理设置企业准入条件…单位土地平均投资强度4000万元/公顷以上") is a criterion
every project or park is held to, not a density of the whole base (DOMAIN.md §4, flows and stocks).
Each unit's figure is its own, formed as the criterion's `measure` says:

- cumulative: Σ of the unit's yearly (Q4) flow from its first reported year to the last complete
  year, over its stock at that year's end. Investment intensity (投资强度) is investment built up on
  the land, so one year's flow over the land would understate it several times. A year missing
  between the first and the last leaves the figure uncheckable: a gap is not a zero.
- annual: the last complete year's flow over the stock at that year's end (收入/公顷).

Pure: the service reads the units' series into a `Snapshot` (`needs` says which) and hands them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.catalog import Catalog
from domain.messages import Message, listed
from domain.models import ADMISSION, Comparator, Criterion, CriterionMeasure, Indicator, Plan
from domain.snapshot import Needs, SeriesKey, Snapshot
from domain.units import ratio_canonical, unit
from metrics import progress as pg
from metrics.bases import Check
from metrics.periods import annual
from metrics.series import pick

# What a reader scans for first: the units below a criterion, then those that cannot be checked.
ORDER = {Check.NOT_MET: 0, Check.UNKNOWN: 1, Check.MET: 2}


@dataclass(frozen=True)
class Unit:
    """A park or firm checked against a condition of admission."""

    org_id: str
    name_zh: str
    name_en: str = ""
    kind: str = "park"


@dataclass(frozen=True)
class UnitCheck:
    criterion: Criterion
    unit: Unit
    year: int  # the last complete year the figure is formed at
    result: Check
    value: float | None  # the unit's figure in the criterion's unit (万元/公顷, 亿元/公顷); None when uncheckable
    detail: Message  # how the figure was formed, or which figure is missing

    @property
    def threshold(self) -> float:
        return self.criterion.value

    @property
    def unit_symbol(self) -> str:
        return self.criterion.unit or ""


def admission_criteria(plan: Plan) -> list[Criterion]:
    """The plan's conditions of admission, in the plan's order."""
    return [c for c in plan.criteria if c.applies_to == ADMISSION]


def needs(criteria: Sequence[Criterion], units: Mapping[str, Sequence[Unit]]) -> Needs:
    """The series the check reads: each unit's indicator and denominator, per criterion's scope."""
    return Needs(series=frozenset(SeriesKey(u.org_id, indicator) for c in criteria for u in units.get(c.scope or "", ())
                                  for indicator in (c.indicator, c.denominator) if indicator))


def _names(role: str, ind: Indicator) -> dict[str, str]:
    """An indicator's name as message parameters, one per language (the templates pick their own)."""
    return {f"{role}_zh": ind.name_zh, f"{role}_en": ind.name_en}


def figure(c: Criterion, flows: Mapping[int, float], stock: Mapping[int, float], year: int,
           catalog: Catalog) -> tuple[float | None, Message]:
    """A unit's figure for one criterion at `year`, in the criterion's unit, with how it was formed —
    or None and the figure that is missing. `flows` and `stock` are the unit's annual values (Q4) of
    the criterion's indicator and denominator, canonical."""
    ind, den = catalog.indicators[c.indicator or ""], catalog.indicators[c.denominator or ""]
    names = _names("indicator", ind) | _names("denominator", den)
    reported = sorted(y for y in flows if y <= year)
    match c.measure:
        case CriterionMeasure.CUMULATIVE:
            if not reported:
                return None, Message.of("criteria.missing.none", year=year, **names)
            first = reported[0]
            gaps = [y for y in range(first, year + 1) if y not in flows]
            if gaps:
                return None, Message.of("criteria.missing.gap", years=listed(str(y) for y in gaps), **names)
            numerator = sum(flows[y] for y in range(first, year + 1))
            basis = Message.of("criteria.basis.cumulative", first=first, last=year, **names)
        case CriterionMeasure.ANNUAL:
            if year not in flows:
                return None, Message.of("criteria.missing.year", year=year, **_names("missing", ind))
            numerator = flows[year]
            basis = Message.of("criteria.basis.annual", year=year, **names)
        case None:
            raise ValueError(f"{c.criterion_id} is not a ratio criterion")
    land = stock.get(year)
    if land is None:
        return None, Message.of("criteria.missing.year", year=year, **_names("missing", den))
    if land <= 0:
        return None, Message.of("criteria.missing.zero", year=year, **_names("missing", den))
    u = unit(c.unit or "")
    return u.from_canonical(ratio_canonical(numerator, ind.unit, land, den.unit, u.dimension)), basis


def check_unit(c: Criterion, u: Unit, snap: Snapshot, catalog: Catalog) -> UnitCheck:
    """One unit against one criterion, from its own series (its own report, else the sum of its firms')."""
    year = snap.as_of.last_complete_year
    flows = annual(pick(snap, u.org_id, c.indicator or "").values)
    stock = annual(pick(snap, u.org_id, c.denominator or "").values)
    value, detail = figure(c, flows, stock, year, catalog)
    if value is None:
        return UnitCheck(c, u, year, Check.UNKNOWN, None, detail)
    # Compared in the criterion's own unit: it is the one the plan wrote the threshold in.
    met = pg.meets(value, c.value, Comparator(c.comparator))
    return UnitCheck(c, u, year, Check.MET if met else Check.NOT_MET, value, detail)


def check(criteria: Sequence[Criterion], units: Mapping[str, Sequence[Unit]], snap: Snapshot,
          catalog: Catalog) -> list[UnitCheck]:
    """Every unit under each criterion's scope against it: units below a criterion first (furthest
    below first), then those that cannot be checked, then those that meet it."""
    position = {c.criterion_id: i for i, c in enumerate(criteria)}
    out = [check_unit(c, u, snap, catalog) for c in criteria for u in units.get(c.scope or "", ())]
    return sorted(out, key=lambda r: (ORDER[r.result], position[r.criterion.criterion_id],
                                      r.value if r.value is not None else 0.0, r.unit.org_id))
