"""Seasonal pace: how much of a year a flow usually has by a quarter, from its own previous years.

Straight-line 序时进度 (25/50/75 %) assumes a flow accrues evenly; software revenue does not.
Nationally Q1 was 18.6 % of 2022 and Q1–Q3 71.1 % of 2023, so an ordinary third quarter reads
"behind" a linear pace. The usual share of a quarter is the mean of `ytd(q) ÷ year` over the series'
last three complete years that have both figures; with no such year the linear pace stands in, and
the rule used travels with the number so the reader can see which one it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.periods import Period

HISTORY_YEARS = 3  # the mean of up to the last three complete years
# Within two percentage points of the usual share a year is "in line": the shares themselves move by
# about that much from one year to the next.
IN_LINE = 0.02


class Standing(StrEnum):
    BEHIND = "behind"
    IN_LINE = "in_line"
    AHEAD = "ahead"


@dataclass(frozen=True)
class Seasonal:
    """The share of the year a flow usually has by a quarter, and from which years (none: linear)."""

    share: float
    years: tuple[int, ...]

    @property
    def linear(self) -> bool:
        return not self.years


def usual_share(ytd: Mapping[Period, float], at: Period, history: int = HISTORY_YEARS) -> Seasonal:
    """The mean share `ytd(at.quarter) ÷ year` over the `history` complete years before `at.year` that
    have both figures, or the linear share when none has."""
    if at.quarter == 4:
        return Seasonal(1.0, ())
    shares: dict[int, float] = {}
    for y in range(at.year - 1, at.year - 1 - 3 * history, -1):  # look a little further back past gaps
        part, whole = ytd.get(Period(y, at.quarter)), ytd.get(Period(y, 4))
        if part is not None and whole and whole > 0:
            shares[y] = part / whole
        if len(shares) == history:
            break
    if not shares:
        return Seasonal(at.time_elapsed, ())
    return Seasonal(sum(shares.values()) / len(shares), tuple(sorted(shares)))


def standing(done: float | None, expected: float) -> Standing | None:
    """A year's completion against an expected share: ahead of it, in line with it, or behind it."""
    if done is None:
        return None
    if done > expected + IN_LINE:
        return Standing.AHEAD
    if done < expected - IN_LINE:
        return Standing.BEHIND
    return Standing.IN_LINE
