"""Growth between two figures — 同比 (this period over the same period a year before) and any
other period-on-period change — written once for every layer.

A change is undefined, not zero, when either figure is missing or the earlier one is not positive
(a firm's first year, a loss turned into a profit): the caller shows a dash, never a made-up rate.
Compound rates over several years (CAGR, required paths) are metrics' business (metrics/growth.py).
"""

from __future__ import annotations


def change(now: float | None, before: float | None) -> float | None:
    """now ÷ before − 1, as a fraction (0.25 = +25 %); None when undefined."""
    if now is None or before is None or before != before or now != now or before <= 0:
        return None
    return now / before - 1
