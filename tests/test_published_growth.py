"""Growth as a bureau publishes it (issue 15, items 1, 2, 4): the published 同比 on a comparable base
is used where present and chained over several years, growth across a break needs it, and a row says
when a figure it rests on is provisional. Snapshots by hand; arithmetic in the tests."""

from __future__ import annotations

import pytest

from domain.messages import render
from domain.periods import Period
from domain.snapshot import Figures, SeriesKey, Snapshot
from metrics import progress as pg
from metrics import tracker
from metrics.series import Picked

Y = 1e4  # 1 亿元 in 万元


def test_the_published_rate_wins_over_the_ratio_of_levels():
    """National 2022: 108,126 亿元 against 94,994 — +13.8 % of levels — but the ministry published +11.2 %
    on a comparable base of firms; that is the 同比 shown."""
    p22 = Period(2022, 4)
    levels = {Period(2021, 4): 94_994 * Y, p22: 108_126 * Y}
    assert Picked(levels, "official", None).growth(p22) == (pytest.approx(108_126 / 94_994 - 1), "levels")
    assert Picked(levels, "official", None, yoy={p22: 0.112}).growth(p22) == (0.112, "published")


def test_a_rate_over_several_years_chains_the_published_rates():
    """Levels 100 → 130 → 150 (+30 %, +15.4 %), published +28 % and +16 %: the compound rate is
    (1.28 × 1.16)^(1/2) − 1 = 21.85 %, not (150/100)^(1/2) − 1 = 22.47 %."""
    a = pg.assess_growth({2011: 100.0, 2012: 130.0, 2013: 150.0}, 0.20, 2011, 2013, 2013, final=True,
                         published={2012: 0.28, 2013: 0.16})
    assert a.actual == pytest.approx((1.28 * 1.16) ** 0.5 - 1)
    assert a.growth_source == "published"
    mixed = pg.assess_growth({2011: 100.0, 2012: 130.0, 2013: 150.0}, 0.20, 2011, 2013, 2013, final=True,
                             published={2013: 0.16})
    assert mixed.actual == pytest.approx((1.30 * 1.16) ** 0.5 - 1) and mixed.growth_source == "mixed"


@pytest.mark.parametrize(("published", "status", "actual"), [
    # across the 2012 definition change, two levels are unlike: without a published rate, no growth
    ({}, pg.Status.CANNOT_ASSESS, None),
    # with the published comparable 2012 rate (+30 %) and 2013's (+25 %): (1.3 × 1.25)^(1/2) − 1 = 27.5 %
    ({2012: 0.30, 2013: 0.25}, pg.Status.ACCELERATION_NEEDED, (1.30 * 1.25) ** 0.5 - 1),
])
def test_growth_across_the_2012_definition_change_needs_the_published_rate(catalog, published, status, actual):
    values = {Period(2011, 4): 600 * Y, Period(2012, 4): 800 * Y, Period(2013, 4): 937.5 * Y}
    yoy = {Period(y, 4): g for y, g in published.items()}
    figures = Figures(official=values, official_yoy=yoy)
    snap = Snapshot(Period(2013, 4), series={SeriesKey("qingdao", "software_revenue"): figures}, counts={})
    r = tracker.judge_plan(catalog.plans["qingdao-2012"], catalog, snap).row("qd-revenue-growth")
    assert r.status is status
    if actual is None:
        assert "growth across the break of 2012 cannot be measured" in render(r.reason, "en")
        assert r.actual is None
    else:
        assert r.actual == pytest.approx(actual * 100) and r.growth_source == "published"
        assert r.breaks == []  # chained comparable rates cross the break cleanly


def test_a_row_resting_on_a_provisional_figure_says_so(catalog):
    """Hangzhou's 2015 main revenue first published as provisional (P): the final row is flagged;
    the verified figure (A) clears the flag."""
    def row(status: str) -> tracker.ProgressRow:
        values = {Period(2011, 4): 1_100 * Y, Period(2015, 4): 2_800 * Y}
        snap = Snapshot(Period(2015, 4), series={SeriesKey("hangzhou", "main_revenue"): Figures(
            official=values, official_status={Period(2015, 4): status, Period(2011, 4): "A"})}, counts={})
        return tracker.judge_plan(catalog.plans["hangzhou-2012"], catalog, snap).row("hz-main-revenue")
    assert row("P").provisional is True
    assert row("A").provisional is False
