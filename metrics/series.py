"""Which series a target is judged on, and the series derived from it (ratios, running totals).

DOMAIN.md §2: an organisation's own figure (official statistics at a city, the park's report at a
park) is preferred; without one, the bottom-up sum of what reports below it. Coverage (bottom-up ÷
official, latest period where both exist) travels with the choice so the reader can see how much of
the total the firms' reports explain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.catalog import Catalog
from domain.models import OrgKind
from domain.periods import Period
from domain.snapshot import Snapshot
from domain.units import Dimension, ratio_canonical

OFFICIAL_KINDS = (OrgKind.COUNTRY, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT)


@dataclass(frozen=True)
class Picked:
    """The series a target is judged on, and which of the two it was."""

    values: Mapping[Period, float]
    which: str | None  # official | reported (a park's or a college's own figure) | bottom_up | None (nothing)
    coverage: float | None


def pick(snap: Snapshot, org: str, indicator: str) -> Picked:
    """The official series where the organisation has one, else the bottom-up sum (DOMAIN.md §2)."""
    figures = snap.figures(org, indicator)
    official, bottom = figures.official, figures.bottom_up
    both = sorted(set(official) & set(bottom))
    coverage = bottom[both[-1]] / official[both[-1]] if both and official[both[-1]] else None
    if official:
        return Picked(official, "official", coverage)
    if bottom:
        return Picked(bottom, "bottom_up", coverage)
    return Picked({}, None, None)


def labelled(picked: Picked, catalog: Catalog, org: str) -> Picked:
    """A figure recorded at a district or above is official statistics; at a park or a college (an
    institution), that organisation's own report."""
    if picked.which != "official":
        return picked
    kind = catalog.organisations[org].kind if org in catalog.organisations else None
    return Picked(picked.values, "official" if kind in OFFICIAL_KINDS else "reported", picked.coverage)


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
