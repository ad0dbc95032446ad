"""Compound growth, required paths and projections (DOMAIN.md §4)."""

from __future__ import annotations


def cagr(start: float, end: float, years: float) -> float | None:
    """Compound annual growth from `start` to `end` over `years`; None where undefined.

    Undefined for a non-positive span, a non-positive start, or a sign change (end < 0): the
    Eurostat method cannot assess those, and saying so beats returning a misleading number.
    """
    if years <= 0 or start <= 0 or end < 0:
        return None
    return (end / start) ** (1 / years) - 1


def required_path(base: float, rate: float, base_year: int, year: int) -> float:
    """The point on the compound path base·(1+rate)^(year−base_year)."""
    return base * (1 + rate) ** (year - base_year)


def project(value: float, rate: float, years: float) -> float:
    return value * (1 + rate) ** years
