"""Which firms newly qualify for a plan's one-off rewards (Qingdao, Jiaxing).

A firm qualifies for a threshold in the first year its annual figure reaches it (DOMAIN.md §3:
"first reaches"); Jiaxing also asks for growth of at least 10 % in that year. A firm that jumps
several thresholds at once qualifies for each of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    incentive_id: str
    threshold: float  # canonical (万元)
    reward: float | None  # 万元
    min_growth: float | None  # fraction


@dataclass(frozen=True)
class Qualified:
    org_id: str
    incentive_id: str
    threshold: float
    year: int
    value: float
    growth: float | None
    reward: float | None


def newly_qualified(annual: Mapping[str, Mapping[int, float]], thresholds: Sequence[Threshold],
                    year: int) -> list[Qualified]:
    """Firms whose `year` value first reaches a threshold (never reached in an earlier reported year)."""
    out = []
    for org, series in annual.items():
        value = series.get(year)
        if value is None:
            continue
        before = series.get(year - 1)
        growth = value / before - 1 if before and before > 0 else None
        earlier = [v for y, v in series.items() if y < year]
        for th in thresholds:
            if value < th.threshold or any(v >= th.threshold for v in earlier):
                continue
            if th.min_growth is not None and (growth is None or growth < th.min_growth):
                continue
            out.append(Qualified(org, th.incentive_id, th.threshold, year, value, growth, th.reward))
    return sorted(out, key=lambda q: (-q.value, q.org_id, q.threshold))
