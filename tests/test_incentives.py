"""企业奖励: who newly qualifies for Qingdao's and Jiaxing's rewards, by hand; the park manager's
scope in the data layer; the exported list with its total."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from domain.access import SYSTEM, Identity, Role
from domain.models import Organisation, OrgKind
from metrics import incentives
from reports import render
from reports.incentives import incentive_list
from store import access, orgs, submissions
from store.access import AuthorizationError
from tests import rawsql


def rules(catalog, plan_id):
    return incentives.thresholds_of(catalog.plans[plan_id].incentives)


def awards(found) -> set[tuple[str, float]]:
    return {(q.org_id, q.reward) for q in found}


def test_qingdao_by_hand(catalog):
    """Thresholds 5000 万 / 1 亿 / 5 亿 / 10 亿 元 → 50 / 100 / 150 / 200 万元, 100 亿 → an unpriced award."""
    annual = {
        "A": {2012: 4_000, 2013: 6_000},  # crosses 5000 万 in 2013: 50
        "B": {2012: 9_000, 2013: 12_000},  # 5000 万 already in 2012; crosses 1 亿 in 2013: 100
        "C": {2012: 4_500, 2013: 11_000},  # jumps 5000 万 and 1 亿 at once: 50 + 100
        "D": {2011: 6_000, 2012: 4_000, 2013: 7_000},  # back above 5000 万, reached first in 2011: nothing
        "E": {2013: 8_000},  # first reported above 5000 万: nothing earlier says otherwise, 50
        "F": {2012: 900_000, 2013: 1_050_000},  # 100 亿 (1 000 000 万) reached: the unpriced award
    }
    found = incentives.newly_qualified(annual, rules(catalog, "qingdao-2012"), 2013)
    assert awards(found) == {("A", 50.0), ("B", 100.0), ("C", 50.0), ("C", 100.0), ("E", 50.0), ("F", None)}
    total = incentives.reward_total(found)
    assert (total.firms, total.awards, total.amount, total.unpriced) == (5, 6, 50 + 100 + 150 + 50, 1)


def test_jiaxing_growth_condition_by_hand(catalog):
    """Thresholds 2000 / 3000 / 5000 万元 → 20 / 50 / 100 万元, each only with growth ≥ 10 % that year."""
    annual = {
        "F": {2021: 1_900, 2022: 2_090},  # +10.0 % exactly: qualifies, 20
        "G": {2021: 1_950, 2022: 2_100, 2023: 2_400},  # +7.7 % in 2022: no; in 2023 it is not new
        "H": {2022: 2_500},  # no 2021 figure: growth unknown, no reward
        "I": {2021: 2_800, 2022: 5_200},  # +85.7 %: 3000 and 5000 万 at once, 50 + 100
    }
    found = incentives.newly_qualified(annual, rules(catalog, "jiaxing-2021"), 2022)
    assert awards(found) == {("F", 20.0), ("I", 50.0), ("I", 100.0)}
    assert incentives.reward_total(found).amount == 170.0
    assert next(q for q in found if q.org_id == "F").growth == pytest.approx(0.10)
    assert incentives.newly_qualified(annual, rules(catalog, "jiaxing-2021"), 2023) == []


# ---------------------------------------------------------------------------- the store


PM = Identity(username="pm", display_name="软件城", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
LEADER = Identity(username="boss", display_name="领导", role=Role.LEADER)


@pytest.fixture
def qingdao(store):
    """Three firms: 甲 and a formula-named one in 青岛软件城, 乙 in 青岛信息谷 (annual software revenue, 万元)."""
    orgs.upsert_orgs(store, [
        Organisation(org_id="e1", name_zh="甲公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity",
                     credit_code="91370200MA3C5TXE8G"),
        Organisation(org_id="e2", name_zh="=HYPERLINK(\"http://evil\")", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
        Organisation(org_id="e3", name_zh="乙公司", kind=OrgKind.ENTERPRISE, parent="qd-infovalley"),
    ], "test")
    values = [("e1", 2012, 3_000.0), ("e1", 2013, 4_000.0), ("e1", 2014, 10_500.0),  # 5000 万 and 1 亿 in 2014: 50 + 100
              ("e2", 2012, 4_500.0), ("e2", 2013, 5_200.0), ("e2", 2014, 5_600.0),  # 5000 万 in 2013: 50
              ("e3", 2012, 45_000.0), ("e3", 2013, 48_000.0), ("e3", 2014, 51_000.0)]  # 5 亿 in 2014: 150
    frame = pd.DataFrame([(o, "software_revenue", y, 4, v, v, "万元", None) for o, y, v in values],
                         columns=submissions.REQUIRED_COLUMNS)
    submissions.write_submission(store, frame, actor="tester", origin="test", status="accepted")
    return store


def winners(con, who, under, year, catalog):
    values = access.incentive_firms(con, who, under, "software_revenue", year)
    return incentives.winners(values, rules(catalog, "qingdao-2012"), year)


def test_city_list_with_parks(qingdao, catalog):
    table = winners(qingdao, LEADER, "qingdao", 2014, catalog)
    assert sorted(zip(table.org_id, table.reward, table.park_name, strict=True)) == [
        ("e1", 50.0, "青岛软件城", ), ("e1", 100.0, "青岛软件城"), ("e3", 150.0, "青岛信息谷")]
    row = table[table.org_id == "e3"].iloc[0]
    assert (row.value, row.previous) == (51_000.0, 48_000.0) and row.growth == pytest.approx(51 / 48 - 1)
    total = incentives.total_of(table)
    assert (total.firms, total.awards, total.amount, total.unpriced) == (2, 3, 300.0, 0)


def test_park_manager_sees_own_park_only(qingdao, catalog):
    table = winners(qingdao, PM, "qd-softcity", 2013, catalog)
    assert list(table.org_id) == ["e2"] and list(table.reward) == [50.0]
    since = rawsql.scalar(qingdao, "SELECT max(audit_id) FROM audit_log")
    for other in ("qingdao", "qd-infovalley"):
        with pytest.raises(AuthorizationError):
            winners(qingdao, PM, other, 2014, catalog)
    denied = rawsql.frame(qingdao, "SELECT actor, object FROM audit_log WHERE audit_id > ? AND action = 'access.denied'",
                          [since])
    assert list(denied.actor) == ["pm", "pm"] and list(denied.object) == ["qingdao", "qd-infovalley"]


def test_enterprise_users_are_refused(qingdao):
    firm = Identity(username="e", display_name="e", role=Role.ENTERPRISE, scope_org_id="e1")
    with pytest.raises(AuthorizationError):
        access.incentive_firms(qingdao, firm, "qd-softcity", "software_revenue", 2014)


def rows_of(book) -> list[tuple]:
    ws = book["奖励名单"]
    values = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(values) if r and r[0] == "企业名称")
    return [r for r in values[head + 1:] if r[0]]


def test_exported_list_has_numbers_a_total_and_no_formulas(qingdao, catalog):
    table = winners(qingdao, SYSTEM, "qingdao", 2013, catalog)  # e2 crosses 5000 万 in 2013
    doc = incentive_list(catalog.plans["qingdao-2012"], "全市", 2013, table, "zh", demo=False)
    book = load_workbook(io.BytesIO(render(doc, "xlsx")))
    body = rows_of(book)
    assert body[0][0] == "'=HYPERLINK(\"http://evil\")"  # a name that is a formula stays text
    assert body[0][3:5] == (5000, 5200) and body[0][7] == 50
    assert body[-1][0] == "合计" and body[-1][7] == 50
    ws = book["奖励名单"]
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)

    table = winners(qingdao, SYSTEM, "qingdao", 2014, catalog)
    body = rows_of(load_workbook(io.BytesIO(render(
        incentive_list(catalog.plans["qingdao-2012"], "全市", 2014, table, "zh"), "xlsx"))))
    assert [r[7] for r in body] == [150, 50, 100, 300]  # by revenue, then the total row
    e3 = body[0]
    assert e3[6] == pytest.approx(51 / 48 - 1)  # growth as a fraction, formatted as %


def test_unpriced_award_is_listed_but_not_totalled(catalog):
    table = pd.DataFrame([["x", "某公司", None, "qd-haier-park", "海尔园", "qd-inc-100yi", 1_000_000.0, 1_020_000.0,
                           950_000.0, 1_020_000 / 950_000 - 1, None],
                          ["y", "另一公司", None, "qd-haier-park", "海尔园", "qd-inc-5000wan", 5_000.0, 5_100.0, 4_900.0,
                           5_100 / 4_900 - 1, 50.0]], columns=incentives.WINNER_COLUMNS)
    doc = incentive_list(catalog.plans["qingdao-2012"], "全市", 2016, table, "zh")
    assert doc.summary[0].endswith("奖励金额合计50万元。") and "另有1项为规划未定金额的奖励" in doc.summary[1]
    (t,) = doc.tables()
    assert t.rows[0][7] is None and t.rows[-1] == ["合计", None, None, None, None, None, None, 50.0]
