"""准入条件核查: Qingdao's conditions of admission checked park by park, by hand.

The checker is pure, so most cases are hand-built snapshots small enough to redo on paper (every
figure below is worked out in its comment); the last cases go through a real DuckDB store to show
the service reads the parks' and firms' own series, and lists a firm only to a reader who may see it.
"""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from domain.access import SYSTEM, Identity, Role
from domain.messages import render
from domain.models import Criterion, Organisation, OrgKind
from domain.periods import Period
from domain.snapshot import Figures, SeriesKey, Snapshot
from metrics import criteria
from metrics.bases import Check
from service import queries
from store import orgs, submissions

INVEST = "qd-c-admission-investment-intensity"  # 4000 万元/公顷以上, cumulative investment ÷ land
REVENUE = "qd-c-admission-revenue-per-hectare"  # 2 亿元/公顷以上, the year's software revenue ÷ land
HA = 10_000.0  # 1 公顷 in m², the stored unit of land_area


def rule(catalog, criterion_id) -> Criterion:
    return next(c for c in catalog.plans["qingdao-2012"].criteria if c.criterion_id == criterion_id)


def annual(values: dict[int, float]) -> dict[Period, float]:
    """Annual figures as the Q4 values of a series."""
    return {Period(y, 4): v for y, v in values.items()}


def snap(as_of: Period, park: dict[str, dict[int, float]], bottom_up: dict[str, dict[int, float]] | None = None) -> Snapshot:
    """One park, P, with its own figures (official) and the sums of its firms (bottom-up)."""
    keys = set(park) | set(bottom_up or {})
    return Snapshot(as_of=as_of, counts={}, series={
        SeriesKey("P", k): Figures(official=annual(park.get(k, {})), bottom_up=annual((bottom_up or {}).get(k, {})))
        for k in keys})


LAND_3HA = {y: 3 * HA for y in range(2010, 2017)}  # 3 公顷 every year

CASES = [
    # id, criterion, as of, the park's own figures, its firms' sums, result, figure in the criterion's unit, detail code
    ("cumulative-met", INVEST, Period(2016, 4),
     {"fixed_investment": {2012: 1000, 2013: 2000, 2014: 3000, 2015: 4000, 2016: 5000}, "land_area": LAND_3HA}, None,
     Check.MET, (1000 + 2000 + 3000 + 4000 + 5000) / 3, "criteria.basis.cumulative"),  # 15000 万元 / 3 公顷 = 5000
    ("cumulative-from-first-reported-year", INVEST, Period(2016, 4),
     {"fixed_investment": {2014: 3000, 2015: 4000, 2016: 5000}, "land_area": LAND_3HA}, None,
     Check.MET, (3000 + 4000 + 5000) / 3, "criteria.basis.cumulative"),  # 12000 / 3 = 4000: 以上 includes 4000
    ("one-year-flow-is-not-the-stock", INVEST, Period(2016, 4),
     {"fixed_investment": {2016: 5000}, "land_area": LAND_3HA}, None,
     Check.NOT_MET, 5000 / 3, "criteria.basis.cumulative"),  # 1666.67 < 4000
    ("gap-year-cannot-check", INVEST, Period(2016, 4),
     {"fixed_investment": {2012: 1000, 2013: 2000, 2015: 4000, 2016: 5000}, "land_area": LAND_3HA}, None,
     Check.UNKNOWN, None, "criteria.missing.gap"),  # 2014 missing: not a zero
    ("last-year-missing-cannot-check", INVEST, Period(2016, 4),
     {"fixed_investment": {2012: 1000, 2013: 2000, 2014: 3000, 2015: 4000}, "land_area": LAND_3HA}, None,
     Check.UNKNOWN, None, "criteria.missing.gap"),
    ("no-investment-reported", INVEST, Period(2016, 4), {"land_area": LAND_3HA}, None,
     Check.UNKNOWN, None, "criteria.missing.none"),
    ("as-of-cuts-the-sum", INVEST, Period(2015, 3),  # last complete year 2014: 1000 + 2000 + 3000 = 6000 / 3 = 2000
     {"fixed_investment": {2012: 1000, 2013: 2000, 2014: 3000}, "land_area": LAND_3HA}, None,
     Check.NOT_MET, 6000 / 3, "criteria.basis.cumulative"),
    ("no-land-that-year", INVEST, Period(2016, 4),
     {"fixed_investment": {2016: 20_000}, "land_area": {2015: 3 * HA}}, None,
     Check.UNKNOWN, None, "criteria.missing.year"),
    ("zero-land", INVEST, Period(2016, 4),
     {"fixed_investment": {2016: 20_000}, "land_area": {2016: 0.0}}, None,
     Check.UNKNOWN, None, "criteria.missing.zero"),
    ("revenue-below", REVENUE, Period(2016, 4),  # 5 亿元 = 50000 万元 on 3 公顷 = 1.67 亿元/公顷 < 2
     {"software_revenue": {2016: 50_000}, "land_area": LAND_3HA}, None,
     Check.NOT_MET, 5 / 3, "criteria.basis.annual"),
    ("revenue-at-threshold", REVENUE, Period(2016, 4),  # 6 亿元 on 3 公顷 = 2 亿元/公顷: 以上 includes 2
     {"software_revenue": {2016: 60_000}, "land_area": LAND_3HA}, None,
     Check.MET, 6 / 3, "criteria.basis.annual"),
    ("revenue-of-the-parks-firms", REVENUE, Period(2016, 4),  # no own report: its firms' 9 亿元 / 3 公顷 = 3
     {"land_area": LAND_3HA}, {"software_revenue": {2016: 90_000}},
     Check.MET, 9 / 3, "criteria.basis.annual"),
    ("revenue-year-missing", REVENUE, Period(2016, 4),  # 2015's revenue does not stand in for 2016's
     {"software_revenue": {2015: 90_000}, "land_area": LAND_3HA}, None,
     Check.UNKNOWN, None, "criteria.missing.year"),
]


@pytest.mark.parametrize(("criterion_id", "as_of", "park", "firms", "result", "value", "code"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_park_against_a_criterion_by_hand(catalog, criterion_id, as_of, park, firms, result, value, code):
    (r,) = criteria.check([rule(catalog, criterion_id)], {"qd-base": [criteria.Unit("P", "园区")]},
                          snap(as_of, park, firms), catalog)
    assert r.result is result
    assert r.value == (None if value is None else pytest.approx(value))
    assert r.detail.code == code
    assert r.year == as_of.last_complete_year


def test_the_detail_says_how_the_figure_was_formed_and_what_is_missing(catalog):
    land = {"land_area": LAND_3HA}
    unit = {"qd-base": [criteria.Unit("P", "园区")]}
    (formed,) = criteria.check([rule(catalog, INVEST)], unit, snap(Period(2016, 4), {
        "fixed_investment": {2012: 1000, 2013: 2000, 2014: 3000, 2015: 4000, 2016: 5000}} | land), catalog)
    assert render(formed.detail, "zh") == "累计固定资产投资 2012–2016年 ÷ 产业用地面积（2016年末）"
    assert render(formed.detail, "en") == "Fixed-asset investment, cumulative 2012–2016, ÷ Industrial land area (end of 2016)"
    (gap,) = criteria.check([rule(catalog, INVEST)], unit, snap(Period(2016, 4), {
        "fixed_investment": {2012: 1000, 2014: 3000, 2016: 5000}} | land), catalog)
    assert render(gap.detail, "zh").startswith("固定资产投资缺2013、2015年数据")


def test_units_below_a_criterion_come_first(catalog):
    """Not met (furthest below first), then cannot check, then met; criteria in the plan's order."""
    land = {y: 1 * HA for y in range(2012, 2017)}
    figures = {  # on 1 公顷 each: cumulative investment and the 2016 revenue
        "A": {"fixed_investment": {2016: 3000}, "software_revenue": {2016: 30_000}},  # 3000 < 4000; 3 亿元 ≥ 2
        "B": {"fixed_investment": {2015: 2000, 2016: 3000}, "software_revenue": {2016: 10_000}},  # 5000; 1 亿元 < 2
        "C": {"fixed_investment": {2014: 500, 2016: 500}},  # a gap; no revenue
        "D": {"fixed_investment": {2016: 1000}, "software_revenue": {2016: 5_000}},  # 1000 < 4000; 0.5 亿元 < 2
    }
    s = Snapshot(as_of=Period(2016, 4), counts={}, series={
        SeriesKey(org, k): Figures(official=annual(v))
        for org, f in figures.items() for k, v in (f | {"land_area": land}).items()})
    units = {"qd-base": [criteria.Unit(org, org) for org in figures]}
    rules = criteria.admission_criteria(catalog.plans["qingdao-2012"])
    assert [c.criterion_id for c in rules] == [INVEST, REVENUE]
    got = [(r.criterion.criterion_id, r.unit.org_id, r.result) for r in criteria.check(rules, units, s, catalog)]
    assert got == [
        (INVEST, "D", Check.NOT_MET), (INVEST, "A", Check.NOT_MET),  # 1000, then 3000
        (REVENUE, "D", Check.NOT_MET), (REVENUE, "B", Check.NOT_MET),  # 0.5, then 1
        (INVEST, "C", Check.UNKNOWN), (REVENUE, "C", Check.UNKNOWN),
        (INVEST, "B", Check.MET), (REVENUE, "A", Check.MET),
    ]


def test_qingdaos_admission_conditions_are_criteria_not_targets(catalog):
    plan = catalog.plans["qingdao-2012"]
    assert not {"qd-base-investment-intensity", "qd-base-revenue-per-hectare"} & {t.target_id for t in plan.targets}
    invest, revenue = criteria.admission_criteria(plan)
    assert (invest.measure, invest.indicator, invest.denominator, invest.value, invest.unit) == \
        ("cumulative", "fixed_investment", "land_area", 4000, "万元/公顷")
    assert (revenue.measure, revenue.indicator, revenue.denominator, revenue.value, revenue.unit) == \
        ("annual", "software_revenue", "land_area", 2, "亿元/公顷")
    assert invest.scope == revenue.scope == "qd-base"
    assert invest.source_quote.startswith("合理设置企业准入条件")


@pytest.mark.parametrize("broken", [
    {"denominator": None},  # a measure over nothing
    {"applies_to": "training_base", "measure": None},  # a denominator without a way to form the figure
    {"unit": None},  # no unit to hold the figure in
    {"unit": "斤"},  # not a unit
    {"comparator": "rank_within"},  # a ratio is compared with a value, not ranked
    {"measure": None, "denominator": None},  # admission without a figure to check
    {"scope": None},  # admission to nothing
])
def test_an_incomplete_ratio_criterion_is_refused(broken):
    whole = dict(criterion_id="x", applies_to="admission", scope="qd-base", text_zh="x", indicator="software_revenue",
                 measure="annual", denominator="land_area", value=2, unit="亿元/公顷", source_quote="平均业务收入")
    Criterion.model_validate(whole)
    with pytest.raises(ValidationError):
        Criterion.model_validate(whole | broken)


# ------------------------------------------------------------------- through a real store


def put(con, rows):
    frame = pd.DataFrame([(org, ind, y, 4, v, v, "万元", None) for org, ind, y, v in rows],
                         columns=submissions.REQUIRED_COLUMNS)
    submissions.write_submission(con, frame, actor="tester", origin="test", status="accepted")


@pytest.fixture
def qingdao(store):
    """通信产业园 with its own investment and land, its firm e1 (and e2 in 软件城, with land of its own)."""
    orgs.upsert_orgs(store, [
        Organisation(org_id="e1", name_zh="甲公司", kind=OrgKind.ENTERPRISE, parent="qd-comm-park"),
        Organisation(org_id="e2", name_zh="乙公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
    ], "test")
    put(store, [
        *[("qd-comm-park", "fixed_investment", y, v) for y, v in zip(range(2012, 2017), [1000, 2000, 3000, 4000, 5000],
                                                                    strict=True)],
        *[("qd-comm-park", "land_area", y, 3 * HA) for y in range(2012, 2017)],
        ("e1", "software_revenue", 2016, 50_000.0),  # the park's revenue is its firms': 5 亿元
        ("e2", "software_revenue", 2016, 30_000.0),
        ("e2", "fixed_investment", 2016, 4_000.0),
        ("e2", "land_area", 2016, 0.5 * HA),  # 3 亿元 / 0.5 公顷 = 6; 4000 万元 / 0.5 公顷 = 8000
    ])
    return store


def by_unit(checks):
    return {(r.criterion.criterion_id, r.unit.org_id): r for r in checks}


def test_the_service_checks_parks_and_firms_with_land(qingdao, catalog):
    got = by_unit(queries.admission_check(qingdao, catalog, SYSTEM, "qingdao-2012", Period(2016, 4)))
    park = got[(INVEST, "qd-comm-park")]
    assert park.result is Check.MET and park.value == pytest.approx(15_000 / 3)  # 5000 万元/公顷
    park = got[(REVENUE, "qd-comm-park")]
    assert park.result is Check.NOT_MET and park.value == pytest.approx(5 / 3)  # 1.67 亿元/公顷 < 2
    assert got[(INVEST, "e2")].value == pytest.approx(4_000 / 0.5) and got[(INVEST, "e2")].result is Check.MET
    assert got[(REVENUE, "e2")].value == pytest.approx(3 / 0.5) and got[(REVENUE, "e2")].unit.kind == "enterprise"
    assert (INVEST, "e1") not in got  # e1 reports no land of its own: its park stands for it
    # every park of the base is listed; a park without figures cannot be checked
    parks = {o.org_id for o in catalog.parks_under("qd-base")}
    assert {u for (c, u) in got if c == INVEST} == parks | {"e2"}
    assert got[(INVEST, "qd-haier-park")].detail.code == "criteria.missing.none"


def test_a_park_manager_sees_only_their_own_parks_firms(qingdao, catalog):
    comm = Identity(username="comm", display_name="通信园", role=Role.PARK_MANAGER, scope_org_id="qd-comm-park")
    got = by_unit(queries.admission_check(qingdao, catalog, comm, "qingdao-2012", Period(2016, 4)))
    assert (INVEST, "qd-softcity") in got  # parks are aggregates
    assert (INVEST, "e2") not in got  # 软件城's firm is not the manager of 通信产业园's to see
    softcity = Identity(username="soft", display_name="软件城", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
    assert (INVEST, "e2") in by_unit(queries.admission_check(qingdao, catalog, softcity, "qingdao-2012", Period(2016, 4)))


def test_an_enterprise_user_is_refused_like_the_plans_judgment(qingdao, catalog):
    from store.access import AuthorizationError

    firm = Identity(username="e1", display_name="甲公司", role=Role.ENTERPRISE, scope_org_id="e1")
    with pytest.raises(AuthorizationError):
        queries.admission_check(qingdao, catalog, firm, "qingdao-2012", Period(2016, 4))
