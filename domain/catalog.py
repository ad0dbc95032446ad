"""The catalog as every layer sees it: indicators, organisations and plans, already validated.

Loading and checking the YAML files under data/ is the store's job (store/catalog.py); this is the
value they produce, kept here so that metrics can judge a plan without importing the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.models import Indicator, Organisation, OrgKind, Plan, Target


@dataclass(frozen=True)
class Catalog:
    indicators: dict[str, Indicator]
    organisations: dict[str, Organisation]
    plans: dict[str, Plan]

    @property
    def root(self) -> str:
        """The top of the organisation tree (the country): what an unscoped reader sees when no
        plan narrows it."""
        (top,) = [o.org_id for o in self.organisations.values() if not o.parent]
        return top

    def parks_under(self, ancestor: str) -> list[Organisation]:
        """The catalog's parks below a city or province (at any depth)."""
        return [o for o in self.organisations.values() if o.kind == OrgKind.PARK and self.is_under(o.org_id, ancestor)]

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
