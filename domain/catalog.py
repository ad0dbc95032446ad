"""The catalog as every layer sees it: indicators, organisations and plans, already validated.

Loading and checking the YAML files under data/ is the store's job (store/catalog.py); this is the
value they produce, kept here so that metrics can judge a plan without importing the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain.models import BreakKind, Indicator, Organisation, OrgKind, Plan, SeriesBreak, Target
from domain.periods import PeriodBounds


@dataclass(frozen=True)
class Catalog:
    indicators: dict[str, Indicator]
    organisations: dict[str, Organisation]
    plans: dict[str, Plan]
    breaks: tuple[SeriesBreak, ...] = ()  # data/breaks.yaml: scope thresholds and area mergers

    def with_plans(self, plans: Iterable[Plan]) -> Catalog:
        """This catalog with `plans` added, each replacing a plan of the same id, and the
        organisations each declares (its parks and districts) in place of those it declared before."""
        plans = list(plans)
        replaced = {p.plan_id for p in plans} & set(self.plans)
        dropped = {o.org_id for pid in replaced for o in self.plans[pid].organisations}
        orgs = {k: o for k, o in self.organisations.items() if k not in dropped}
        orgs.update({o.org_id: o for p in plans for o in p.organisations})
        return replace(self, organisations=orgs, plans={**self.plans, **{p.plan_id: p for p in plans}})

    def breaks_for(self, indicator_id: str, org_id: str) -> list[SeriesBreak]:
        """Every break on one organisation's series of one indicator, by year: the catalog's breaks
        whose scope holds the organisation, and the indicator's own definition changes (everywhere)."""
        out = [b for b in self.breaks
               if (not b.indicators or indicator_id in b.indicators)
               and any(org_id == s or self.is_under(org_id, s) for s in b.scopes)]
        ind = self.indicators.get(indicator_id)
        for d in ind.definition_changes if ind else ():
            out.append(SeriesBreak(break_id=f"{indicator_id}-definition-{d.year}", kind=BreakKind.DEFINITION,
                                   year=d.year, indicators=(indicator_id,), scopes=(self.root,), note_zh=d.note_zh,
                                   note_en=d.note_en, source="data/indicators.yaml"))
        return sorted(out, key=lambda b: (b.year, b.break_id))

    def period_bounds(self, today: dt.date | None = None) -> PeriodBounds:
        """The periods a figure may be held for (domain/periods.py): from ten years before the
        earliest base year of any plan or target to the last quarter complete on `today`."""
        years = [y for p in self.plans.values() for y in (p.base_year, *(t.base_year for t in p.targets))]
        return PeriodBounds.of(min(years, default=None), today or dt.date.today())

    @property
    def root(self) -> str:
        """The top of the organisation tree (the country): what an unscoped reader sees when no
        plan narrows it."""
        (top,) = [o.org_id for o in self.organisations.values() if not o.parent]
        return top

    def parks_under(self, ancestor: str) -> list[Organisation]:
        """The catalog's parks below a city or province (at any depth)."""
        return [o for o in self.organisations.values() if o.kind == OrgKind.PARK and self.is_under(o.org_id, ancestor)]

    def province_of(self, org_id: str) -> str | None:
        """The province an organisation lies in (a province: itself; above any province: the top)."""
        o = self.organisations.get(org_id)
        while o is not None and o.parent and o.kind not in (OrgKind.PROVINCE, OrgKind.COUNTRY):
            o = self.organisations.get(o.parent)
        return o.org_id if o is not None else None

    def is_under(self, org_id: str, ancestor: str) -> bool:
        o = self.organisations.get(org_id)
        while o is not None and o.parent:
            if o.parent == ancestor:
                return True
            o = self.organisations.get(o.parent)
        return False

    def target(self, plan_id: str, target_id: str) -> Target:
        for t in self.plans[plan_id].targets:
            if t.target_id == target_id:
                return t
        raise KeyError(f"{plan_id}/{target_id}")
