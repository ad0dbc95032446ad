"""Down from the city (issue 18 item 5): the plan page's park breakdown links to each park's page
with the view in the URL; on the park page a firm chosen opens its own quarters, firm= in the URL,
for the roles that may list that park's firms only (the data layer refuses the rest, audited)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from domain.access import AuthorizationError, Identity, Role
from domain.periods import Period
from store import access
from store.sql import scalar
from tests.apptest_helpers import new_app, sign_in_any_language, signed_in
from tests.conftest import open_copy

QD = {"plan_id": "qingdao-2012", "as_of-qingdao": Period(2016, 4)}


def park_links(at) -> dict[str, dict[str, str]]:
    """Each park link's label → its query string (one value per name)."""
    return {link.value: {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
            for link in at.get("page_link")}


def test_the_plan_page_links_each_park_with_the_view(app_db):
    at = signed_in("leader", state=QD)
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    links = park_links(at)
    assert links["海尔信息产业园"] == {"lang": "zh", "plan": "qingdao-2012", "q": "2016Q4", "park": "qd-haier-park"}
    assert all(q["park"].startswith("qd-") for q in links.values())  # Qingdao's parks only
    assert all(link.proto.page.endswith("park") for link in at.get("page_link"))


def opened_at(query: dict[str, str], username: str = "leader"):
    at = new_app()
    at.query_params.update(query)
    at.run()
    at.switch_page("pages/park.py")
    return sign_in_any_language(at, username)


def test_a_park_link_opens_that_park_and_a_firm_in_the_url_opens_its_quarters(app_db):
    at = opened_at({"plan": "qingdao-2012", "q": "2016Q4", "park": "qd-haier-park"})
    assert at.header[0].value == "园区 · 海尔信息产业园"
    firm_box = next(s for s in at.selectbox if s.label.startswith("查看企业历季数据"))
    assert firm_box.value is None
    firms = at.dataframe[1].value
    first = firms["企业名称"].iloc[0] if "企业名称" in firms else firms.iloc[0, 0]
    chosen = next(o for o in firm_box.options if o == first)
    firm_box.select(chosen).run()
    assert not at.exception
    firm_id = at.query_params["firm"]
    assert firm_id and firm_id[0] != ""
    assert any(s.value.startswith(first) for s in at.subheader)
    history = at.dataframe[2].value
    # a row per quarter, newest first, up to the chosen one: 2016Q4 at the top
    assert history.iloc[0, 0] == "2016年1-12月"
    assert len(history) == len(set(history.iloc[:, 0]))

    again = opened_at({"plan": "qingdao-2012", "q": "2016Q4", "park": "qd-haier-park", "firm": at.query_params["firm"]})
    assert next(s for s in again.selectbox if s.label.startswith("查看企业历季数据")).value == at.query_params["firm"]
    assert again.dataframe[2].value.equals(history)  # a reload keeps the firm


def test_a_firm_of_another_park_in_the_url_is_ignored(app_db):
    haier = opened_at({"plan": "qingdao-2012", "q": "2016Q4", "park": "qd-haier-park"})
    box = next(s for s in haier.selectbox if s.label.startswith("查看企业历季数据"))
    box.select(box.options[1]).run()
    haier_firm = haier.query_params["firm"]
    typed = opened_at({"plan": "qingdao-2012", "q": "2016Q4", "park": "qd-hisense-park", "firm": haier_firm})
    assert typed.header[0].value == "园区 · 海信软件产业园"
    assert next(s for s in typed.selectbox if s.label.startswith("查看企业历季数据")).value is None
    assert "firm" not in typed.query_params
    assert len(typed.dataframe) == 2  # no firm's quarters


@pytest.fixture
def demo_copy(demo_db, tmp_path):
    """The demo store, writable: a refusal writes its audit row."""
    yield from open_copy(demo_db, tmp_path / "drill.duckdb")


def _firm_of(con, park: str) -> str:
    return scalar(con, """SELECT o.org_id FROM orgs o WHERE o.parent_id = ? AND o.kind = 'enterprise'
                          ORDER BY o.org_id LIMIT 1""", [park])


def test_firm_history_is_scoped_in_the_data_layer(demo_copy):
    con = demo_copy
    mine, theirs = _firm_of(con, "qd-haier-park"), _firm_of(con, "qd-hisense-park")
    leader = Identity(username="leader", display_name="L", role=Role.LEADER)
    manager = Identity(username="pm", display_name="P", role=Role.PARK_MANAGER, scope_org_id="qd-haier-park")
    firm_user = Identity(username="ent", display_name="E", role=Role.ENTERPRISE, scope_org_id=mine)
    q = Period(2016, 4)
    history = access.firm_history(con, leader, mine, q)
    assert not history.empty and (history.year * 4 + history.quarter - 1).max() == q.ordinal
    assert access.firm_history(con, manager, mine, q).equals(history)
    for who, firm in [(manager, theirs), (firm_user, mine), (leader, "qd-haier-park"), (leader, "no-such-firm")]:
        before = scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'")
        with pytest.raises(AuthorizationError):
            access.firm_history(con, who, firm, q)
        assert scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'") == before + 1


def test_firm_history_values_are_the_stored_ones(demo_store):
    con = demo_store
    firm = _firm_of(con, "qd-haier-park")
    leader = Identity(username="leader", display_name="L", role=Role.LEADER)
    history = access.firm_history(con, leader, firm, Period(2015, 2))
    stored = scalar(con, """SELECT value FROM current_observations WHERE org_id = ? AND indicator_id = 'software_revenue'
                            AND year = 2015 AND quarter = 2""", [firm])
    row = history[(history.indicator_id == "software_revenue") & (history.year == 2015) & (history.quarter == 2)]
    assert row.value.tolist() == [stored]
    assert (history.year * 4 + history.quarter - 1).max() == Period(2015, 2).ordinal


def test_a_row_picked_in_the_firm_table_opens_that_firm(app_db):
    at = opened_at({"plan": "qingdao-2012", "q": "2016Q4", "park": "qd-haier-park"})
    second = at.dataframe[1].value.iloc[1, 0]
    at.session_state["firms-qd-haier-park"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert any(s.value.startswith(second) for s in at.subheader)
    assert "firm" in at.query_params
