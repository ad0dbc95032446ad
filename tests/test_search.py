"""The search box (issue 18 item 5): one field at the top of the plan page finds a target of any
plan the user may open, or a firm the user may list (by name or credit code), and opens it —
the plan page at that target, or the firm's park page with the firm — with the view in the URL."""

from __future__ import annotations

import pytest

from domain.access import Identity, Role
from domain.periods import Period
from store import access
from tests.apptest_helpers import signed_in
from ui import search

LEADER = Identity(username="l", display_name="L", role=Role.LEADER)
QD = {"plan_id": "qingdao-2012", "as_of-qingdao": Period(2016, 4)}


def search_box(at):
    return next(s for s in at.selectbox if s.placeholder.startswith("🔍"))


def test_a_target_of_another_plan_opens_the_plan_page_at_it(app_db, catalog):
    at = signed_in("leader", state=QD)
    at.switch_page("pages/plan.py").run()
    box = search_box(at)
    target = catalog.plans["jiaxing-2021"].targets[-1]
    assert any(o.startswith("目标 · 嘉兴") and target.name_zh in o for o in box.options)
    box.select(search.Hit("target", "jiaxing-2021", target_id=target.target_id)).run()
    assert not at.exception
    assert at.session_state["plan_id"] == "jiaxing-2021"
    assert at.session_state["target"] == target.target_id
    assert at.query_params["plan"] == "jiaxing-2021" and at.query_params["target"] == target.target_id
    assert search_box(at).value is None  # the box is empty again


def test_a_firm_found_by_credit_code_opens_its_park_with_it(app_db, demo_store):
    at = signed_in("leader", state=QD)
    at.switch_page("pages/plan.py").run()
    box = search_box(at)
    hisense = [o for o in box.options if o.startswith("企业 · ") and o.endswith("海信软件产业园")]
    assert len(hisense) == 10  # data/demo.yaml: 10 firms in the Hisense park
    code = hisense[3].split(" · ")[2]
    assert len(code) == 18  # a unified social credit code: found by it
    firm_id = next(f.org_id for f in access.searchable_firms(demo_store, LEADER).itertuples() if f.credit_code == code)
    box.select(search.Hit("firm", "qingdao-2012", park_id="qd-hisense-park", firm_id=firm_id)).run()
    assert not at.exception
    assert at.header[0].value == "园区 · 海信软件产业园"
    assert at.query_params["park"] == "qd-hisense-park"
    firm_name = hisense[3].split(" · ")[1]
    assert any(s.value.startswith(firm_name) for s in at.subheader)  # its quarters shown
    assert at.query_params["firm"]


def test_a_park_manager_finds_only_its_own_parks_firms(app_db):
    at = signed_in("park-softcity", state={"plan_id": "qingdao-2012"})
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    firms = [o for o in search_box(at).options if o.startswith("企业 · ")]
    assert firms and all(o.endswith("青岛软件城") for o in firms)


@pytest.mark.parametrize(("who", "parks"), [
    (Identity(username="l", display_name="L", role=Role.LEADER), None),
    (Identity(username="r", display_name="R", role=Role.REVIEWER), None),
    (Identity(username="p", display_name="P", role=Role.PARK_MANAGER, scope_org_id="qd-haier-park"), {"qd-haier-park"}),
    (Identity(username="e", display_name="E", role=Role.ENTERPRISE, scope_org_id="qd-haier-park"), set()),
])
def test_the_firms_offered_come_scoped_from_the_data_layer(demo_store, who, parks):
    firms = access.searchable_firms(demo_store, who)
    every = access.searchable_firms(demo_store, Identity(username="a", display_name="A", role=Role.ADMIN))
    if parks is None:
        assert firms.equals(every)
    else:
        assert set(firms.park_id) == parks
        assert len(firms) == (every.park_id == "qd-haier-park").sum() * bool(parks)


def test_options_carry_the_readers_name_and_the_credit_code(catalog):
    import pandas as pd
    firms = pd.DataFrame({"org_id": ["f1"], "name_zh": ["某某软件有限公司"], "credit_code": ["91370200MA3C0000X1"],
                          "park_id": ["qd-haier-park"]})
    found = search.options(catalog, ["qingdao-2012", "shenzhen-2011"], firms, "shenzhen-2011", "en")
    target = catalog.plans["qingdao-2012"].targets[0]
    hit = search.Hit("target", "qingdao-2012", target_id=target.target_id)
    # In the page's language only: Chinese on an English page would be a word the reader cannot read.
    assert target.name_en in found[hit] and target.name_zh not in found[hit]
    zh = search.options(catalog, ["qingdao-2012"], firms.iloc[:0], "qingdao-2012", "zh")
    assert target.name_zh in zh[hit] and target.name_en not in zh[hit]
    firm_hit = next(h for h in found if h.kind == "firm")
    assert firm_hit.plan_id == "qingdao-2012"  # the plan over the firm's park, not the current one
    assert "91370200MA3C0000X1" in found[firm_hit]
    assert len([h for h in found if h.kind == "target"]) == sum(
        len(catalog.plans[p].targets) for p in ("qingdao-2012", "shenzhen-2011"))
