"""Read what a plan's judgment needs into a typed `Snapshot`: one series query, one count query
per (scope, indicator), one register query per base programme.

metrics decides what to read (`metrics.tracker.needs`); this module only reads it, never past the
as-of quarter, and hands back plain Python values, so nothing above the store holds a connection
while it judges.
"""

from __future__ import annotations

import datetime as dt
import math

from domain.periods import Period
from domain.snapshot import CountKey, Figures, Needs, PairKey, SeriesKey, Snapshot
from store import figures, programme
from store.sql import Con


def read(con: Con, needs: Needs, as_of: Period, as_at: dt.date | None = None) -> Snapshot:
    """Every requested series up to `as_of`; firm counts of the complete years only (a Q4 figure of
    a year after `as_of.last_complete_year` would be a figure from the future).

    With `as_at`, every figure is the one in force at the end of that day — published
    (coalesce(published_on, entered_at)) by then and accepted — so a table is reproduced as it stood
    on that date. Designations are read as the register stands at the quarter's end either way."""
    return Snapshot(as_of=as_of, series=_series(con, needs.series, as_of, as_at),
                    counts=_counts(con, needs.counts, as_of.last_complete_year, as_at),
                    designated={plan_id: programme.designation_counts(con, plan_id, as_of.end_date)
                                for plan_id in sorted(needs.registers)},
                    pairs={k: _pair(con, k, as_of, as_at) for k in sorted(needs.pairs)}, as_at=as_at)


def _pair(con: Con, key: PairKey, as_of: Period, as_at: dt.date | None) -> dict[Period, tuple[float, float, int]]:
    sums = figures.matched_sums(con, key.scope, key.numerator, key.denominator, as_of, as_at)
    return {Period(y, q): v for (y, q), v in sums.items()}


def _known(x: float | None) -> bool:
    return x is not None and not math.isnan(x)


def _series(con: Con, keys: frozenset[SeriesKey], as_of: Period, as_at: dt.date | None) -> dict[SeriesKey, Figures]:
    frame = figures.series(con, sorted(keys), as_of, as_at)
    out: dict[SeriesKey, tuple[dict, dict, dict, dict]] = {}
    names = ("org_id", "indicator_id", "year", "quarter", "official", "bottom_up", "official_yoy", "official_status")
    columns = [frame[c].tolist() for c in names]
    for org, indicator, year, quarter, official, bottom, yoy, status in zip(*columns, strict=True):
        own, summed, rates, statuses = out.setdefault(SeriesKey(org, indicator), ({}, {}, {}, {}))
        p = Period(int(year), int(quarter))
        if _known(official):
            own[p] = float(official)
            statuses[p] = str(status)
            if _known(yoy):
                rates[p] = float(yoy)
        if _known(bottom):
            summed[p] = float(bottom)
    return {k: Figures(official=own, bottom_up=summed, official_yoy=rates, official_status=statuses)
            for k, (own, summed, rates, statuses) in out.items()}


def _counts(con: Con, keys: frozenset[CountKey], up_to_year: int,
            as_at: dt.date | None = None) -> dict[CountKey, dict[int, int]]:
    groups: dict[tuple[str, str], list[tuple[float, bool]]] = {}
    for k in sorted(keys):
        groups.setdefault((k.scope, k.indicator_id), []).append((k.threshold, k.strict))
    out: dict[CountKey, dict[int, int]] = {}
    for (scope, indicator), thresholds in groups.items():
        for (threshold, strict), counts in figures.threshold_counts_many(con, scope, indicator, thresholds,
                                                                         up_to_year, as_at).items():
            out[CountKey(scope, indicator, threshold, strict)] = counts
    return out
