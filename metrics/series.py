"""Which series a target is judged on, and the series derived from it (ratios, running totals).

DOMAIN.md §2: an organisation's own figure (official statistics at a city, the park's report at a
park) is preferred; without one, the bottom-up sum of what reports below it. Coverage (bottom-up ÷
official, latest period where both exist) travels with the choice so the reader can see how much of
the total the firms' reports explain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.catalog import Catalog
from domain.growth import change
from domain.models import OrgKind
from domain.observation import FINAL
from domain.periods import Period
from domain.snapshot import Snapshot
from domain.units import Dimension, ratio_canonical

FINAL_CODES = frozenset(s.value for s in FINAL)
OFFICIAL_KINDS = (OrgKind.COUNTRY, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT)


@dataclass(frozen=True)
class Picked:
    """The series a target is judged on, and which of the two it was; for official figures also the
    同比 their bureau published (on a comparable base) and their SDMX status."""

    values: Mapping[Period, float]
    which: str | None  # official | reported (a park's or a college's own figure) | bottom_up | None (nothing)
    coverage: float | None
    yoy: Mapping[Period, float] = field(default_factory=dict)
    status: Mapping[Period, str] = field(default_factory=dict)

    def growth(self, period: Period) -> tuple[float | None, str | None]:
        """同比 at a period and where it comes from: the published rate where there is one (the
        comparable base), else the ratio of the two levels; (None, None) when neither exists."""
        if period in self.yoy:
            return self.yoy[period], "published"
        g = change(self.values.get(period), self.values.get(period.same_period_last_year()))
        return (g, "levels") if g is not None else (None, None)

    def not_final(self, periods) -> bool:
        """Whether a figure at any of `periods` is not final (provisional, estimated …)."""
        return any(p in self.status and self.status[p] not in FINAL_CODES for p in periods)


def pick(snap: Snapshot, org: str, indicator: str) -> Picked:
    """The official series where the organisation has one, else the bottom-up sum (DOMAIN.md §2)."""
    figures = snap.figures(org, indicator)
    official, bottom = figures.official, figures.bottom_up
    both = sorted(set(official) & set(bottom))
    coverage = bottom[both[-1]] / official[both[-1]] if both and official[both[-1]] else None
    if official:
        return Picked(official, "official", coverage, figures.official_yoy, figures.official_status)
    if bottom:
        return Picked(bottom, "bottom_up", coverage)
    return Picked({}, None, None)


def labelled(picked: Picked, catalog: Catalog, org: str) -> Picked:
    """A figure recorded at a district or above is official statistics; at a park or a college (an
    institution), that organisation's own report."""
    if picked.which != "official":
        return picked
    kind = catalog.organisations[org].kind if org in catalog.organisations else None
    return Picked(picked.values, "official" if kind in OFFICIAL_KINDS else "reported", picked.coverage, picked.yoy,
                  picked.status)


def ratio(num: Mapping[int, float], num_unit: str, den: Mapping[int, float], den_unit: str,
          dimension: Dimension) -> dict[int, float]:
    """Year by year, numerator ÷ denominator in the ratio's canonical unit (years with both)."""
    return {y: ratio_canonical(num[y], num_unit, den[y], den_unit, dimension) for y in num if den.get(y)}


def running_total(flows: Mapping[int, float], first_year: int, up_to: int) -> dict[int, float]:
    """Σ of yearly flows from first_year; stops at the first unreported year (a gap is not a zero)."""
    out: dict[int, float] = {}
    total = 0.0
    for y in range(first_year, up_to + 1):
        if y not in flows:
            break
        total += flows[y]
        out[y] = total
    return out
