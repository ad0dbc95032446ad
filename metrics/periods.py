"""Year-to-date ↔ single-quarter conversion and annual values.

Flows arrive year-to-date (Q3 = Jan–Sep); a single quarter is a difference, and the Q4 figure is
the year. Keeping these conversions in one place keeps 同比 and 环比 honest across the product.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.growth import change
from domain.periods import Period


def ytd_to_quarters(ytd: Mapping[int, float]) -> dict[int, float]:
    """Single-quarter values from one year's year-to-date figures keyed by quarter (1..4).

    A quarter is only derived when the previous year-to-date figure is known, since Q3 alone is
    Jan–Sep minus Jan–Jun; Q1 is its own year-to-date figure.
    """
    out: dict[int, float] = {}
    for q in sorted(ytd):
        if q == 1:
            out[1] = ytd[1]
        elif q - 1 in ytd:
            out[q] = ytd[q] - ytd[q - 1]
    return out


def quarters_to_ytd(quarters: Mapping[int, float]) -> dict[int, float]:
    """Year-to-date figures from consecutive single quarters starting at Q1."""
    out: dict[int, float] = {}
    total = 0.0
    for q in range(1, 5):
        if q not in quarters:
            break
        total += quarters[q]
        out[q] = total
    return out


def annual(series: Mapping[Period, float]) -> dict[int, float]:
    """The annual value of each year: its Q4 year-to-date figure (or Q4 level for a stock)."""
    return {p.year: v for p, v in series.items() if p.quarter == 4}


def yoy(series: Mapping[Period, float], period: Period) -> float | None:
    """同比: this period over the same period a year earlier, minus one; None when undefined."""
    return change(series.get(period), series.get(period.same_period_last_year()))


def qoq(series: Mapping[Period, float], period: Period) -> float | None:
    """环比 of single-quarter flows: this quarter alone over the previous quarter alone, minus one."""
    def alone(p: Period) -> float | None:
        if p.quarter == 1:
            return series.get(p)
        cur, prev = series.get(p), series.get(Period(p.year, p.quarter - 1))
        return None if cur is None or prev is None else cur - prev

    return change(alone(period), alone(period.previous()))
