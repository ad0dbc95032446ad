"""城市对比 (issue 18 item 5): the plans' cities side by side, read through the one query layer.

The store is built here with figures whose results are worked out by hand below; the page is then
run as each role (AppTest) in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from domain.access import AuthorizationError, Identity, Role
from domain.models import Organisation, OrgKind
from domain.periods import Period
from service.queries import city_comparison
from store import orgs, submissions
from store.sql import scalar
from tests.apptest_helpers import new_app, page_files, sign_in_any_language, signed_in

LEADER = Identity(username="l", display_name="L", role=Role.LEADER)


def put(con, rows):
    frame = pd.DataFrame([(org, ind, y, q, v, v, "万元", None) for org, ind, y, q, v in rows],
                         columns=submissions.REQUIRED_COLUMNS)
    return submissions.write_submission(con, frame, actor="tester", origin="test", status="accepted")


@pytest.fixture
def cities(store):
    orgs.upsert_orgs(store, [
        Organisation(org_id="e1", name_zh="甲公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
        Organisation(org_id="e2", name_zh="乙公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
        Organisation(org_id="e3", name_zh="丙公司", kind=OrgKind.ENTERPRISE, parent="qd-softcity"),
        Organisation(org_id="h1", name_zh="丁公司", kind=OrgKind.ENTERPRISE, parent="hz-binjiang"),
    ], "test")
    put(store, [
        # Qingdao publishes its own figures: 100 亿元 in 2015, 120 亿元 in 2016, 40 亿元 of it IT services
        ("qingdao", "software_revenue", 2015, 4, 1_000_000), ("qingdao", "software_revenue", 2016, 4, 1_200_000),
        ("qingdao", "it_services", 2016, 4, 400_000),
        # its firms in 2016: 15 亿元, 5 亿元, 0.5 亿元 — one in each size tier
        ("e1", "software_revenue", 2016, 4, 150_000), ("e2", "software_revenue", 2016, 4, 50_000),
        ("e3", "software_revenue", 2016, 4, 5_000),
        # Hangzhou publishes nothing: read on its one firm's figures, 2 亿元 then 3 亿元
        ("h1", "software_revenue", 2015, 4, 20_000), ("h1", "software_revenue", 2016, 4, 30_000),
        ("cn", "software_revenue", 2016, 4, 48_000_000),  # the nation: 4 800 亿元
    ])
    return store


def test_each_city_on_the_common_indicators(cities):
    rows = {r.plan_id: r for r in city_comparison(cities, _catalog(), LEADER, Period(2016, 4))}
    qd, hz = rows["qingdao-2012"], rows["hangzhou-2012"]
    assert (qd.period, qd.software_revenue, qd.it_services) == (Period(2016, 4), 1_200_000, 400_000)
    assert qd.growth == pytest.approx(1_200_000 / 1_000_000 - 1)  # +20 %
    assert (qd.year, qd.national_share) == (2016, pytest.approx(1_200_000 / 48_000_000))  # 2.5 %
    assert (qd.firms_over_10yi, qd.firms_1_to_10yi, qd.firms_under_1yi) == (1, 1, 1)
    assert (hz.period, hz.software_revenue) == (Period(2016, 4), 30_000)
    assert hz.growth == pytest.approx(30_000 / 20_000 - 1)  # +50 %, sum against sum
    assert hz.national_share == pytest.approx(30_000 / 48_000_000)
    assert (hz.firms_over_10yi, hz.firms_1_to_10yi, hz.firms_under_1yi) == (0, 1, 0)  # 3 亿元: 1–10 亿
    assert rows["jiaxing-2021"].period is None and rows["jiaxing-2021"].software_revenue is None


def test_a_quarter_before_the_latest_reads_the_figures_up_to_it(cities):
    rows = {r.plan_id: r for r in city_comparison(cities, _catalog(), LEADER, Period(2016, 3))}
    qd = rows["qingdao-2012"]
    # nothing in 2016 up to Q3: the latest period is 2015 Q4, with no year before it to grow from
    assert (qd.period, qd.software_revenue, qd.growth, qd.year) == (Period(2015, 4), 1_000_000, None, 2015)
    assert qd.national_share is None  # no national figure for 2015 in this store
    assert qd.firms_over_10yi is None  # no firm reported for 2015


def test_aggregates_only(cities):
    manager = Identity(username="p", display_name="P", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
    assert len(city_comparison(cities, _catalog(), manager, Period(2016, 4))) == len(_catalog().plans)
    firm = Identity(username="e", display_name="E", role=Role.ENTERPRISE, scope_org_id="e1")
    with pytest.raises(AuthorizationError):
        city_comparison(cities, _catalog(), firm, Period(2016, 4))
    assert scalar(cities, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'e'") == 1


def _catalog():
    from store.catalog import default_catalog
    return default_catalog()


@pytest.mark.parametrize(("username", "offered"), [
    ("leader", True), ("reviewer", True), ("admin", True), ("park-softcity", True), ("enterprise", False)])
def test_the_page_is_offered_by_the_policy(app_db, username, offered):
    at = signed_in(username)
    assert ("compare.py" in page_files(at)) is offered


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_a_row_per_plan_with_units_and_periods(app_db, lang):
    at = new_app()
    at.query_params.update({"lang": lang, "plan": "qingdao-2012", "q": "2016Q4"})
    at.run()
    at.switch_page("pages/compare.py")
    sign_in_any_language(at, "leader")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(_catalog().plans)
    qd = table[table.iloc[:, 0].str.startswith("青岛" if lang == "zh" else "Qingdao")].iloc[0]
    # data/demo.yaml: Qingdao's official software revenue is 600 亿元 in 2011, growing 25 % a year
    assert qd.iloc[1] == ("2016年1-12月" if lang == "zh" else "2016Q4")
    assert qd.iloc[2] == pytest.approx(600 * 1.25**5, abs=0.01)
    assert qd.iloc[4] == pytest.approx(25.0, abs=1e-6)
    assert ("亿元" if lang == "zh" else "100 million yuan") in table.columns[2]
    assert at.get("plotly_chart")
