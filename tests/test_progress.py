"""The progress method of DOMAIN.md §4, checked against arithmetic written out by hand.

Each case states its series, the formula and the expected numbers, so a reviewer can redo the
sum on paper. One case per status and per assessment kind.
"""

from __future__ import annotations

import pytest

from domain.messages import render
from domain.models import Comparator
from metrics import progress as pg

GE = Comparator.GE


def test_level_on_track_by_hand():
    # y0 = 100 (2011), target 200 by 2016: g_req = 2^(1/5) − 1 = 0.148698…
    # 2013 value 133: g_act = (1.33)^(1/2) − 1 = 0.153256…; R = 0.153256/0.148698 = 1.03065
    a = pg.assess_level({2011: 100.0, 2012: 115.0, 2013: 133.0}, 200.0, GE, 2011, 2016, 2013)
    g_req = 2 ** (1 / 5) - 1
    g_act = 1.33 ** 0.5 - 1
    assert a.status is pg.Status.ON_TRACK
    assert a.required_rate == pytest.approx(g_req)
    assert a.actual_rate == pytest.approx(g_act)
    assert a.ratio == pytest.approx(g_act / g_req)
    assert a.completion == pytest.approx(133 / 200)
    # projection: 133·(1+g_act)^(2016−2013) = 133·1.33^1.5 = 204.0…; projected gap 200 − 204.0 < 0
    assert a.projected_value == pytest.approx(133 * 1.33**1.5)
    assert a.projected_gap == pytest.approx(200 - 133 * 1.33**1.5)
    assert a.gap == pytest.approx(67.0)
    assert not a.final


@pytest.mark.parametrize(
    ("latest", "status", "ratio"),
    [
        # target 160 from 100 over 4 years: g_req = 1.6^(1/4) − 1 = 0.124683
        # 2 years later at 125: g_act = 1.25^(1/2) − 1 = 0.118034, R = 0.9467 → acceleration needed
        (125.0, pg.Status.ACCELERATION_NEEDED, (1.25**0.5 - 1) / (1.6**0.25 - 1)),
        # at 110: g_act = 1.1^(1/2) − 1 = 0.048809, R = 0.3915 → limited
        (110.0, pg.Status.LIMITED, (1.1**0.5 - 1) / (1.6**0.25 - 1)),
        # at 90: g_act = 0.9^(1/2) − 1 = −0.051317, R = −0.4116 → moving away
        (90.0, pg.Status.MOVING_AWAY, (0.9**0.5 - 1) / (1.6**0.25 - 1)),
        # at 128: g_act = 1.28^(1/2) − 1 = 0.131371, R = 1.0536 → on track
        (128.0, pg.Status.ON_TRACK, (1.28**0.5 - 1) / (1.6**0.25 - 1)),
        # at 120: g_act = 0.095445, R = 0.7655 → acceleration needed
        (120.0, pg.Status.ACCELERATION_NEEDED, (1.2**0.5 - 1) / (1.6**0.25 - 1)),
    ],
)
def test_level_status_thresholds(latest, status, ratio):
    a = pg.assess_level({2020: 100.0, 2022: latest}, 160.0, GE, 2020, 2024, 2022)
    assert a.status is status
    assert a.ratio == pytest.approx(ratio)


def test_ratio_exactly_on_the_thresholds():
    assert pg.classify_ratio(0.95) is pg.Status.ON_TRACK
    assert pg.classify_ratio(0.9499) is pg.Status.ACCELERATION_NEEDED
    assert pg.classify_ratio(0.60) is pg.Status.ACCELERATION_NEEDED
    assert pg.classify_ratio(0.5999) is pg.Status.LIMITED
    assert pg.classify_ratio(0.0) is pg.Status.LIMITED
    assert pg.classify_ratio(-0.0001) is pg.Status.MOVING_AWAY


def test_level_already_achieved_before_the_target_year():
    a = pg.assess_level({2011: 100.0, 2013: 210.0}, 200.0, GE, 2011, 2016, 2013)
    assert a.status is pg.Status.ACHIEVED
    assert a.completion == pytest.approx(1.05)
    assert a.gap == pytest.approx(-10.0)  # 10 beyond the target
    assert not a.final


@pytest.mark.parametrize(
    ("series", "reason"),
    [
        ({2013: 150.0}, "base year 2011"),  # no base value
        ({2011: 100.0}, "only the base year"),  # one data point
        ({2011: 0.0, 2013: 20.0}, "zero or negative"),  # zero base: growth undefined
        ({2011: -5.0, 2013: 20.0}, "zero or negative"),  # sign change
        ({}, "no annual value up to 2013"),
    ],
)
def test_level_cannot_assess_says_why(series, reason):
    a = pg.assess_level(series, 200.0, GE, 2011, 2016, 2013)
    assert a.status is pg.Status.CANNOT_ASSESS
    assert reason in render(a.reason, "en")
    assert render(a.reason, "zh")  # a reason in Chinese too, for the Chinese-first UI


@pytest.mark.parametrize(
    ("final_value", "status"),
    [(2199.99, pg.Status.MISSED), (2200.0, pg.Status.ACHIEVED), (2500.0, pg.Status.ACHIEVED)],
)
def test_level_final_verdict_after_the_target_year(final_value, status):
    # Judged on the target year's own value even when later years exist.
    a = pg.assess_level({2011: 600.0, 2016: final_value, 2017: 3000.0}, 2200.0, GE, 2011, 2016, 2017)
    assert a.final
    assert a.status is status
    assert a.actual == final_value
    assert a.gap == pytest.approx(2200.0 - final_value)


def test_level_final_without_target_year_value_cannot_assess():
    a = pg.assess_level({2011: 600.0, 2015: 1500.0}, 2200.0, GE, 2011, 2016, 2017)
    assert a.final and a.status is pg.Status.CANNOT_ASSESS


def test_the_as_of_year_is_not_used_before_q4():
    # last_complete_year 2013 means a 2014 figure (a future year at 2014Q3) must be ignored.
    a = pg.assess_level({2011: 100.0, 2013: 120.0, 2014: 300.0}, 200.0, GE, 2011, 2016, 2013)
    assert a.actual == 120.0 and a.actual_year == 2013


def test_about_comparator_allows_ten_percent_less():
    # "3000左右" (not a count): 2700 = 3000 − 10 % reaches it, 2699 does not; exceeding it is fine.
    assert pg.meets(2700.0, 3000, Comparator.ABOUT)
    assert not pg.meets(2699.0, 3000, Comparator.ABOUT)
    assert pg.meets(4000.0, 3000, Comparator.ABOUT)


def test_falling_is_good_target():
    # From 100 down to 50 over 5 years: g_req = 0.5^(1/5) − 1 = −0.129449;
    # at 80 after 2 years: g_act = 0.8^(1/2) − 1 = −0.105573; R = 0.81556 → acceleration needed.
    a = pg.assess_level({2020: 100.0, 2022: 80.0}, 50.0, Comparator.LE, 2020, 2025, 2022)
    assert a.ratio == pytest.approx((0.8**0.5 - 1) / (0.5**0.2 - 1))
    assert a.status is pg.Status.ACCELERATION_NEEDED
    assert a.gap == pytest.approx(30.0)  # still 30 above the ceiling
    rising = pg.assess_level({2020: 100.0, 2022: 110.0}, 50.0, Comparator.LE, 2020, 2025, 2022)
    assert rising.status is pg.Status.MOVING_AWAY


def test_growth_target_by_hand():
    # 年均增长30%: 1000 (2011) → 1600 (2013): g = 1.6^(1/2) − 1 = 0.264911, 3.51 points short; no ratio
    # of two rates. To reach 1000·1.3⁴ = 2856.1 by 2015 from 1600: (2856.1/1600)^(1/2) − 1 = 33.6 % a year.
    a = pg.assess_growth({2011: 1000.0, 2012: 1250.0, 2013: 1600.0}, 0.30, 2011, 2015, 2013, final=False)
    assert a.actual == pytest.approx(1.6**0.5 - 1)
    assert a.ratio is None and a.completion is None
    assert a.status is pg.Status.ACCELERATION_NEEDED
    assert a.gap == pytest.approx(0.30 - (1.6**0.5 - 1))
    assert "+33.6% a year needed over 2014–2015" in render(a.reason, "en")


def test_growth_target_final():
    # 1000 → 2856.1 over 4 years = 1.3^4 exactly → achieved; 2800 → 29.36 % → missed
    done = pg.assess_growth({2011: 1000.0, 2015: 1000 * 1.3**4}, 0.30, 2011, 2015, 2015, final=True)
    assert done.final and done.status is pg.Status.ACHIEVED
    short = pg.assess_growth({2011: 1000.0, 2015: 2800.0}, 0.30, 2011, 2015, 2016, final=True)
    assert short.status is pg.Status.MISSED
    assert short.actual == pytest.approx(2.8**0.25 - 1)


def test_cumulative_milestone_pace():
    # ≥ 80 scenarios by 2024, counted from 2021 (start_year 2020, 4 years): 20 a year required.
    # 30 + 25 = 55 by 2022: pace 27.5 a year, R = 1.375; projected 55 + 27.5·2 = 110.
    a = pg.assess_pace({2021: 30.0, 2022: 55.0}, 80.0, 2020, 2024, 2022, per_year=False)
    assert a.status is pg.Status.ON_TRACK
    assert a.actual_rate == pytest.approx(27.5)
    assert a.required_rate == pytest.approx(20.0)
    assert a.ratio == pytest.approx(1.375)
    assert a.projected_value == pytest.approx(110.0)
    assert a.completion == pytest.approx(55 / 80)


def test_cumulative_reached_early_is_achieved():
    a = pg.assess_pace({2021: 30.0, 2022: 55.0}, 50.0, 2020, 2022, 2021, per_year=False)
    assert a.status is pg.Status.ON_TRACK  # 30 by 2021 of 50 by 2022: pace 30 vs 25 → R 1.2
    b = pg.assess_pace({2021: 60.0}, 50.0, 2020, 2022, 2021, per_year=False)
    assert b.status is pg.Status.ACHIEVED


def test_average_increase_by_hand():
    # 年均新增2万人: 9.5万 (2011) → 13.0万 (2013): (13.0 − 9.5)/2 = 1.75万 a year; R = 0.875
    a = pg.assess_pace({2012: 1.8e4, 2013: 3.5e4}, 2e4, 2011, 2015, 2013, per_year=True)
    assert a.actual == pytest.approx(1.75e4)
    assert a.ratio == pytest.approx(0.875)
    assert a.status is pg.Status.ACCELERATION_NEEDED
    final = pg.assess_pace({2015: 8.4e4}, 2e4, 2011, 2015, 2015, per_year=True)
    # 8.4万 over 4 years = 2.1万 a year ≥ 2万 → achieved
    assert final.final and final.status is pg.Status.ACHIEVED


def test_yearly_quota_against_time_elapsed():
    # Quota 50 000 a year; at 2014Q3 (序时进度 75 %) 33 120 done: 66.24 % of the quota,
    # ratio 0.6624/0.75 = 0.8832 → acceleration needed; 2013 (53 000) met.
    current = pg.in_year(33120.0, 50000.0, 2014, 3)
    assert current.time_elapsed == 0.75
    assert current.completion == pytest.approx(0.6624)
    assert current.ahead_by == pytest.approx(0.6624 - 0.75)
    a = pg.assess_quota({2013: 53000.0}, 50000.0, 2013, 2015, current, 2013)
    assert a.status is pg.Status.ACCELERATION_NEEDED
    assert a.ratio == pytest.approx(0.6624 / 0.75)


def test_yearly_quota_final_counts_every_year():
    current = pg.in_year(None, 50000.0, 2016, 1)
    a = pg.assess_quota({2013: 53000.0, 2014: 46000.0, 2015: 55000.0}, 50000.0, 2013, 2015, current, 2015)
    assert a.final and a.status is pg.Status.MISSED
    assert (a.years_met, a.years_missed) == ((2013, 2015), (2014,))
    # the row's figure is the year that missed, so 92 % stands beside "missed", not 110 %
    assert (a.actual, a.actual_year, a.completion) == (46000.0, 2014, pytest.approx(46000 / 50000))
    assert render(a.reason, "en") == "quota met in 2 of 3 whole years; missed in 2014 (46,000)"
    assert render(a.reason, "zh") == "3个完整年度中2年完成年度任务；2014年（4.6e+04）未完成"


def test_yearly_quota_reached_this_year_and_before_it_starts():
    reached = pg.assess_quota({2021: 300.0}, 300.0, 2021, 2025, pg.in_year(310.0, 300.0, 2022, 2), 2021)
    assert reached.status is pg.Status.ON_TRACK  # this year's quota met by Q2, 2021 met: on track, not done
    early = pg.assess_quota({}, 300.0, 2021, 2025, pg.in_year(10.0, 300.0, 2020, 2), 2019)
    assert early.status is pg.Status.CANNOT_ASSESS


def test_yearly_target_is_the_point_on_the_required_path():
    # 600 (2011) → 2200 (2016): g_req = (2200/600)^(1/5) − 1; 2014 point = 600·(1+g_req)^3
    g = (2200 / 600) ** 0.2 - 1
    assert pg.yearly_target({2011: 600.0}, 2200.0, 2011, 2016, 2014) == pytest.approx(600 * (1 + g) ** 3)
    # A plan's own yearly target wins over the path.
    assert pg.yearly_target({2011: 600.0}, 2200.0, 2011, 2016, 2014, {2014: 1000.0}) == 1000.0
    assert pg.yearly_target({2011: 600.0}, 2200.0, 2011, 2016, 2017) is None
