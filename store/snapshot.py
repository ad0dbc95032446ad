"""Read what a plan's judgment needs into a typed `Snapshot`: one series query, one count query
per (scope, indicator), one register query per base programme.

metrics decides what to read (`metrics.tracker.needs`); this module only reads it, never past the
as-of quarter, and hands back plain Python values, so nothing above the store holds a connection
while it judges.
"""

from __future__ import annotations

import math

from domain.periods import Period
from domain.snapshot import CountKey, Figures, Needs, PairKey, SeriesKey, Snapshot
from store import figures, programme
from store.sql import Con


def read(con: Con, needs: Needs, as_of: Period) -> Snapshot:
    """Every requested series up to `as_of`; firm counts of the complete years only (a Q4 figure of
    a year after `as_of.last_complete_year` would be a figure from the future)."""
    return Snapshot(as_of=as_of, series=_series(con, needs.series, as_of),
                    counts=_counts(con, needs.counts, as_of.last_complete_year),
                    designated={plan_id: programme.designation_counts(con, plan_id, as_of.end_date)
                                for plan_id in sorted(needs.registers)},
                    pairs={k: _pair(con, k, as_of) for k in sorted(needs.pairs)})


def _pair(con: Con, key: PairKey, as_of: Period) -> dict[Period, tuple[float, float, int]]:
    sums = figures.matched_sums(con, key.scope, key.numerator, key.denominator, as_of)
    return {Period(y, q): v for (y, q), v in sums.items()}


def _series(con: Con, keys: frozenset[SeriesKey], as_of: Period) -> dict[SeriesKey, Figures]:
    frame = figures.series(con, sorted(keys), as_of)
    out: dict[SeriesKey, tuple[dict, dict]] = {}
    columns = [frame[c].tolist() for c in ("org_id", "indicator_id", "year", "quarter", "official", "bottom_up")]
    for org, indicator, year, quarter, official, bottom in zip(*columns, strict=True):
        own, summed = out.setdefault(SeriesKey(org, indicator), ({}, {}))
        p = Period(int(year), int(quarter))
        if official is not None and not math.isnan(official):
            own[p] = float(official)
        if bottom is not None and not math.isnan(bottom):
            summed[p] = float(bottom)
    return {k: Figures(official=own, bottom_up=summed) for k, (own, summed) in out.items()}


def _counts(con: Con, keys: frozenset[CountKey], up_to_year: int) -> dict[CountKey, dict[int, int]]:
    groups: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for k in sorted(keys):
        groups.setdefault((k.scope, k.indicator_id), []).append((k.threshold, k.strict))
    out: dict[CountKey, dict[int, int]] = {}
    for (scope, indicator), thresholds in groups.items():
        for (threshold, strict), counts in figures.threshold_counts_many(con, scope, indicator, thresholds,
                                                                         up_to_year).items():
            out[CountKey(scope, indicator, threshold, strict)] = counts
    return out
