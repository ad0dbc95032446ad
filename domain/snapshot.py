"""What judging a plan reads: the request (`Needs`) and the answer (`Snapshot`).

The route of a number is read once, then judge purely: metrics says which series and firm counts a
plan's targets need (`metrics.tracker.needs`), the store reads exactly those into a `Snapshot` in a
couple of queries (`store.snapshot.read`), and metrics judges the snapshot without touching the
store again. Both sides speak these types, so they live below both.

Values are canonical (the indicator's stored unit); a series maps a quarter to its figure,
year-to-date for flows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.periods import Period

Series = Mapping[Period, float]


@dataclass(frozen=True, order=True)
class SeriesKey:
    """One organisation's figures of one indicator."""

    org_id: str
    indicator_id: str


@dataclass(frozen=True, order=True)
class CountKey:
    """How many enterprises under `scope` had an annual `indicator` at or above `threshold` (canonical),
    or strictly above it (过/超过)."""

    scope: str
    indicator_id: str
    threshold: float
    strict: bool = False


@dataclass(frozen=True, order=True)
class PairKey:
    """Two indicators summed over the same reporters under `scope`: those that gave both figures in a
    period (a like-for-like ratio of bottom-up figures, DOMAIN.md §2)."""

    scope: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Needs:
    """Everything a plan's judgment reads."""

    series: frozenset[SeriesKey] = frozenset()
    counts: frozenset[CountKey] = frozenset()
    registers: frozenset[str] = frozenset()  # plans whose designation register is read (base programmes)
    pairs: frozenset[PairKey] = frozenset()

    def __or__(self, other: Needs) -> Needs:
        return Needs(self.series | other.series, self.counts | other.counts, self.registers | other.registers,
                     self.pairs | other.pairs)


@dataclass(frozen=True)
class Figures:
    """Both readings of one key: the figure recorded at the organisation itself (official
    statistics at a city, the park's own report at a park) and the sum of what reports below it.

    An official figure may carry the year-on-year growth its bureau published with it (a fraction,
    on the survey's comparable base: not the ratio of two published levels) and its SDMX status
    (domain/observation.py: A normal, P provisional …); a period without a published rate is absent
    from `official_yoy`."""

    official: Series = field(default_factory=dict)
    bottom_up: Series = field(default_factory=dict)
    official_yoy: Series = field(default_factory=dict)
    official_status: Mapping[Period, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    """The store as of a quarter, limited to what was asked for: no figure after `as_of`, firm
    counts of complete years only (`as_of.last_complete_year`), designations made by the quarter's
    last day. With `as_at`, the figures are those in force at the end of that day (as it stood then),
    not today's."""

    as_of: Period
    series: Mapping[SeriesKey, Figures]
    counts: Mapping[CountKey, Mapping[int, int]]
    # plan → (designation type, year) → designations in force, as the register stood at the end of `as_of`
    designated: Mapping[str, Mapping[tuple[str, int], int]] = field(default_factory=dict)
    # (scope, numerator, denominator) → period → (Σ numerator, Σ denominator, reporters giving both)
    pairs: Mapping[PairKey, Mapping[Period, tuple[float, float, int]]] = field(default_factory=dict)
    as_at: dt.date | None = None

    def figures(self, org_id: str, indicator_id: str) -> Figures:
        return self.series.get(SeriesKey(org_id, indicator_id), Figures())

    def count(self, scope: str, indicator_id: str, threshold: float, strict: bool = False) -> Mapping[int, int]:
        return self.counts.get(CountKey(scope, indicator_id, float(threshold), strict), {})

    def pair(self, scope: str, numerator: str, denominator: str) -> Mapping[Period, tuple[float, float, int]]:
        return self.pairs.get(PairKey(scope, numerator, denominator), {})

    def designations(self, plan_id: str, designation_type: str) -> dict[int, int]:
        """Year → designations of one type made that year and still in force."""
        return {year: n for (kind, year), n in self.designated.get(plan_id, {}).items() if kind == designation_type}
