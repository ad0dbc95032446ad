"""The progress table over a real store: series choice, bottom-up sums, coverage, derived kinds.

A tiny hand-built data set in a fresh DuckDB file, small enough to redo every figure on paper.
"""

from __future__ import annotations

import pandas as pd
import pytest

from domain.access import SYSTEM
from domain.messages import render
from domain.models import Organisation, OrgKind
from domain.periods import Period
from metrics import progress as pg
from service import queries
from service.queries import plan_progress
from store import orgs, submissions

G_REQ_QD = (2200 / 600) ** (1 / 5) - 1  # Qingdao: 600 亿元 (2011) → 2200 亿元 (2016)


def put(con, rows, status="accepted", actor="tester"):
    frame = pd.DataFrame(
        [(org, ind, y, q, v, v, "万元", None) for org, ind, y, q, v in rows], columns=submissions.REQUIRED_COLUMNS
    )
    return submissions.write_submission(con, frame, actor=actor, origin="test", status=status)


@pytest.fixture
def qingdao(store):
    orgs.upsert_orgs(store, [
        Organisation(org_id="e1", name_zh="甲公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
        Organisation(org_id="e2", name_zh="乙公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
    ], "test")
    put(store, [
        ("qingdao", "software_revenue", 2011, 4, 6_000_000.0),  # 600 亿元 official
        ("qingdao", "software_revenue", 2013, 4, 9_375_000.0),  # 937.5 亿元 = 600·1.25²
        ("qingdao", "software_revenue", 2014, 2, 5_000_000.0),  # 500 亿元 year-to-date Jan–Jun
        ("e1", "software_revenue", 2011, 4, 8_000.0),
        ("e2", "software_revenue", 2011, 4, 2_000.0),
        ("e1", "software_revenue", 2013, 4, 15_000.0),
        ("e2", "software_revenue", 2013, 4, 5_000.0),
        ("e1", "rd_expenditure", 2011, 4, 1_000.0),
        ("e2", "rd_expenditure", 2011, 4, 100.0),
        ("e1", "rd_expenditure", 2013, 4, 1_800.0),
        ("e2", "rd_expenditure", 2013, 4, 400.0),
        ("qd-softcity", "land_area", 2011, 4, 5_000_000.0),  # 5 km² = 500 公顷 (stored in m²)
        ("qd-softcity", "land_area", 2013, 4, 5_000_000.0),
    ])
    return store


def rows_by_id(con, catalog, as_of):
    return {r.target_id: r for r in plan_progress(con, catalog, SYSTEM, "qingdao-2012", Period(*as_of))}


def test_official_city_total_by_hand(qingdao, catalog):
    r = rows_by_id(qingdao, catalog, (2013, 4))["qd-software-revenue"]
    g_act = 1.25 - 1  # (937.5/600)^(1/2) − 1 = 0.25
    assert r.series == "official"
    assert r.actual == pytest.approx(937.5) and r.unit == "亿元" and r.actual_period == "2013"
    assert r.completion == pytest.approx(937.5 / 2200)
    assert r.actual_cagr == pytest.approx(g_act)
    assert r.required_cagr == pytest.approx(G_REQ_QD)
    assert r.ratio == pytest.approx(g_act / G_REQ_QD)  # 0.842 → acceleration needed
    assert r.status is pg.Status.ACCELERATION_NEEDED
    assert r.projected_value == pytest.approx(937.5 * 1.25**3)
    # coverage: the two enterprises' 20 000 万元 over the official 9 375 000 万元
    assert r.coverage == pytest.approx(20_000 / 9_375_000)


def test_park_target_uses_the_bottom_up_sum(qingdao, catalog):
    r = rows_by_id(qingdao, catalog, (2013, 4))["qd-softcity-revenue"]
    # 2011: 8 000 + 2 000 = 10 000 万元 = 1 亿元; 2013: 15 000 + 5 000 = 2 亿元; target 400 亿元 by 2016
    g_req = 400 ** (1 / 5) - 1
    g_act = 2 ** 0.5 - 1
    assert r.series == "bottom_up"
    assert r.actual == pytest.approx(2.0) and r.base_value == pytest.approx(1.0)
    assert r.ratio == pytest.approx(g_act / g_req)  # 0.179 → limited
    assert r.status is pg.Status.LIMITED


def test_threshold_count_from_zero_is_judged_on_a_linear_pace(qingdao, catalog):
    r = rows_by_id(qingdao, catalog, (2013, 4))["qd-firms-over-1yi"]
    # 过 1 亿元 = above 10 000 万元: 2011 none (8 000, 2 000), 2013 one (e1 at 15 000). From zero no
    # compound rate exists: 1 firm in 2 years = 0.5 a year against 40 / 5 = 8 a year, R = 0.0625.
    assert r.actual == 1 and r.base_value == 0 and r.method == "linear"
    assert r.actual_pace == pytest.approx(0.5) and r.required_pace == pytest.approx(8.0)
    assert r.ratio == pytest.approx(0.5 / 8) and r.status is pg.Status.LIMITED


def test_revenue_per_hectare_converts_stored_units(qingdao, catalog):
    """Qingdao's 2 亿元/公顷 is a condition of admission checked park by park (tests/test_criteria.py),
    no longer a density target of the base; the park's figure converts the stored units the same way."""
    checks = queries.admission_check(qingdao, catalog, SYSTEM, "qingdao-2012", Period(2013, 4))
    r = next(c for c in checks if c.unit.org_id == "qd-softcity" and c.criterion.indicator == "software_revenue")
    # 20 000 万元 over 5 000 000 m² = 500 公顷 → 40 万元/公顷 = 0.004 亿元/公顷 (required: 2 亿元/公顷)
    assert r.value == pytest.approx(0.004)
    assert r.unit_symbol == "亿元/公顷" and r.result.value == "not_met"


def test_share_of_two_bottom_up_sums(qingdao, catalog):
    r = rows_by_id(qingdao, catalog, (2013, 4))["qd-base-rd-share"]
    # R&D (1 800 + 400) / revenue 20 000 = 11 % ≥ 10 % → achieved; 2011: 1 100 / 10 000 = 11 %
    assert r.actual == pytest.approx(11.0)
    assert r.status is pg.Status.ACHIEVED


def test_as_of_never_reads_past_the_quarter(qingdao, catalog):
    # At 2013Q3 the last complete year is 2012, for which nothing is reported: only the base year.
    r = rows_by_id(qingdao, catalog, (2013, 3))["qd-software-revenue"]
    assert r.actual == pytest.approx(600.0) and r.actual_period == "2011"
    assert r.status is pg.Status.CANNOT_ASSESS


def test_in_year_progress_against_the_required_path(qingdao, catalog):
    r = rows_by_id(qingdao, catalog, (2014, 2))["qd-software-revenue"]
    # yearly target 2014 = 600·(1+g_req)^3 亿元; Jan–Jun 500 亿元; 序时进度 50 %
    goal = 600 * (1 + G_REQ_QD) ** 3
    assert r.yearly_target == pytest.approx(goal)
    assert r.ytd == pytest.approx(500.0)
    assert r.in_year_completion == pytest.approx(500 / goal)
    assert r.time_elapsed == 0.5
    assert r.ahead_of_schedule == pytest.approx(500 / goal - 0.5)


def test_pending_figures_are_ignored_and_corrections_win(qingdao, catalog):
    put(qingdao, [("qingdao", "software_revenue", 2013, 4, 99_999_999.0)], status="pending")
    assert rows_by_id(qingdao, catalog, (2013, 4))["qd-software-revenue"].actual == pytest.approx(937.5)
    put(qingdao, [("qingdao", "software_revenue", 2013, 4, 9_000_000.0)], status="accepted")
    assert rows_by_id(qingdao, catalog, (2013, 4))["qd-software-revenue"].actual == pytest.approx(900.0)
    hist = submissions.history(qingdao, "qingdao", "software_revenue", 2013, 4)
    assert list(hist.revision) == [1, 2, 3]
    assert list(hist.status) == ["accepted", "pending", "accepted"]


def test_a_plan_with_no_data_says_so(store, catalog):
    rows = plan_progress(store, catalog, SYSTEM, "jiaxing-2021", Period(2023, 2))
    assert {r.status for r in rows} == {pg.Status.CANNOT_ASSESS}
    assert all(render(r.reason, "en") and render(r.reason, "zh") for r in rows)


def test_demo_data_shows_every_status(demo_store, catalog):
    seen = set()
    for plan in catalog.plans.values():
        for year in range(plan.base_year + 1, plan.horizon_end + 2):
            for q in (2, 4):
                seen |= {r.status for r in plan_progress(demo_store, catalog, SYSTEM, plan.plan_id, Period(year, q))}
    assert seen == set(pg.Status)


def test_demo_bottom_up_undercounts_the_official_total(demo_store, catalog):
    for plan_id, as_of in (("qingdao-2012", Period(2016, 4)), ("hangzhou-2012", Period(2015, 4))):
        for r in plan_progress(demo_store, catalog, SYSTEM, plan_id, as_of):
            if r.series == "official" and r.indicator_id == "software_revenue" and r.coverage is not None:
                assert 0.5 < r.coverage < 1.0
