"""Seasonal pace (issue 15, item 5): the usual share of a year by a quarter from a flow's own history,
beside the linear 序时进度; arithmetic written in the tests."""

from __future__ import annotations

import pytest

from domain.messages import render
from domain.periods import Period
from domain.snapshot import Figures, SeriesKey, Snapshot
from metrics import tracker
from metrics.seasonal import Standing, standing, usual_share

Y = 1e4  # 1 亿元 in 万元


def national(q3_shares: dict[int, float]) -> dict[Period, float]:
    """A national series whose Q3 year-to-date is the given share of each year of 100 000 亿元."""
    out = {}
    for y, share in q3_shares.items():
        out[Period(y, 3)] = share * 100_000 * Y
        out[Period(y, 4)] = 100_000 * Y
    return out


@pytest.mark.parametrize(("history", "at", "share", "years"), [
    # the mean of the last three years' Q3 shares: (0.70 + 0.72 + 0.71) / 3 = 0.71
    ({2020: 0.69, 2021: 0.70, 2022: 0.72, 2023: 0.71}, Period(2024, 3), (0.70 + 0.72 + 0.71) / 3, (2021, 2022, 2023)),
    # a year without figures is passed over: the three latest that have both (2020, 2021, 2023)
    ({2019: 0.60, 2020: 0.70, 2021: 0.74, 2023: 0.72}, Period(2024, 3), (0.70 + 0.74 + 0.72) / 3, (2020, 2021, 2023)),
    # no history: the linear share stands in
    ({}, Period(2024, 3), 0.75, ()),
    # Q4 is the whole year
    ({2023: 0.71}, Period(2024, 4), 1.0, ()),
])
def test_the_usual_share_is_the_mean_of_the_last_three_years(history, at, share, years):
    s = usual_share(national(history), at)
    assert s.share == pytest.approx(share) and s.years == years


@pytest.mark.parametrize(("done", "expected", "result"), [
    (0.711, 0.711, Standing.IN_LINE), (0.70, 0.711, Standing.IN_LINE),  # within two points
    (0.68, 0.711, Standing.BEHIND), (0.74, 0.711, Standing.AHEAD), (0.711, 0.75, Standing.BEHIND),
])
def test_standing_against_a_share(done, expected, result):
    assert standing(done, expected) is result


def test_an_ordinary_third_quarter_is_in_line_with_the_season_and_behind_linear(catalog):
    """Jiaxing 2023 Q1–Q3 at 71 % of the year's target (the national 2023 share was 87 610 / 123 258 =
    71.1 %), after three years at 71 %: in line with the usual pace, behind linear 75 %."""
    official = {}
    for y, whole in ((2020, 100.0), (2021, 122.0), (2022, 148.8)):
        official[Period(y, 3)] = 0.71 * whole * Y
        official[Period(y, 4)] = whole * Y
    row_target = catalog.target("jiaxing-2021", "jx-software-revenue")
    g = (300 / 100) ** (1 / 5) - 1  # the required path gives 2023's target: 100·(1+g)³
    goal = 100 * (1 + g) ** 3
    official[Period(2023, 3)] = 0.71 * goal * Y
    snap = Snapshot(Period(2023, 3), series={SeriesKey("jiaxing", "software_revenue"): Figures(official=official)},
                    counts={})
    r = tracker.judge_plan(catalog.plans["jiaxing-2021"], catalog, snap).row(row_target.target_id)
    assert r.in_year_completion == pytest.approx(0.71)
    assert r.seasonal_time_elapsed == pytest.approx(0.71) and r.seasonal_years == [2020, 2021, 2022]
    assert (r.seasonal_standing, r.linear_standing) == ("in_line", "behind")
    assert render(r.pace_words, "en") == ("this year's 71% is in line with the usual 71% by this quarter "
                                          "(mean of 2020, 2021, 2022) and behind the linear 75%")
    assert "符合往年同期进度71%" in render(r.pace_words, "zh")
