"""Which firms newly qualify for a plan's one-off rewards (Qingdao, Jiaxing).

A firm qualifies for a threshold in the first year its annual figure reaches it (DOMAIN.md §3:
"first reaches"); Jiaxing also asks for growth of at least 10 % in that year. A firm that jumps
several thresholds at once qualifies for each of them.

Pure: the firms' annual figures come in from the query layer (service/queries.py `plan_winners`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from domain.growth import change
from domain.models import Incentive
from domain.units import Dimension, to_canonical


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
        growth = change(value, before)
        earlier = [v for y, v in series.items() if y < year]
        for th in thresholds:
            if value < th.threshold or any(v >= th.threshold for v in earlier):
                continue
            # "增速在10%以上" includes exactly 10 %; the tolerance keeps 2000 → 2200 万元 from failing on rounding.
            if th.min_growth is not None and (growth is None or growth < th.min_growth - 1e-9):
                continue
            out.append(Qualified(org, th.incentive_id, th.threshold, year, value, growth, th.reward))
    return sorted(out, key=lambda q: (-q.value, q.org_id, q.threshold))


@dataclass(frozen=True)
class RewardTotal:
    firms: int
    awards: int
    amount: float  # 万元: the sum of the awards the plan prices
    unpriced: int  # awards the plan names without an amount (特殊贡献奖励), not in `amount`


def reward_total(qualified: Sequence[Qualified]) -> RewardTotal:
    """What a year's new qualifiers cost: firms, awards (a firm may earn several), the amount."""
    return RewardTotal(firms=len({q.org_id for q in qualified}), awards=len(qualified),
                       amount=sum(q.reward for q in qualified if q.reward is not None),
                       unpriced=sum(q.reward is None for q in qualified))


def thresholds_of(incentives: Sequence[Incentive]) -> list[Threshold]:
    """A plan's incentives as thresholds in the stored units (万元, growth as a fraction)."""
    return [Threshold(i.incentive_id, i.threshold.canonical, i.reward.canonical if i.reward else None,
                      None if i.min_growth_pct is None else to_canonical(i.min_growth_pct, "%", Dimension.RATIO))
            for i in incentives]


WINNER_COLUMNS = ["org_id", "name_zh", "credit_code", "park_id", "park_name", "incentive_id", "threshold", "value",
                  "previous", "growth", "reward"]


def winners(values: pd.DataFrame, thresholds: Sequence[Threshold], year: int) -> pd.DataFrame:
    """The new qualifiers of a year as a table, one row per award: the firm, its park, the threshold,
    its annual value, the year before, growth and reward. `values` holds store.figures.enterprise_annual_by_park rows."""
    annual = {org: dict(zip(g.year.astype(int), g.value.astype(float), strict=True)) for org, g in values.groupby("org_id")}
    firms = values.drop_duplicates("org_id").set_index("org_id")
    rows = []
    for q in newly_qualified(annual, thresholds, year):
        f = firms.loc[q.org_id]
        rows.append([q.org_id, f.name_zh, f.credit_code, f.park_id, f.park_name, q.incentive_id, q.threshold, q.value,
                     annual[q.org_id].get(year - 1), q.growth, q.reward])
    return pd.DataFrame(rows, columns=WINNER_COLUMNS)


def total_of(table: pd.DataFrame) -> RewardTotal:
    """`reward_total` of a `winners` table (a reward the plan does not price is missing there)."""
    return RewardTotal(firms=table.org_id.nunique(), awards=len(table), amount=float(table.reward.astype(float).sum()),
                       unpriced=int(table.reward.isna().sum()))
