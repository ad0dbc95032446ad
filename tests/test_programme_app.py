"""任务督办, 基地建设, 企业奖励 run server-side from dashboard.py (AppTest) per role, on a private copy
of the demo store. Expected numbers are computed from the same store through the data layer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM, Identity, Role
from domain.models import OrgKind
from domain.periods import Period
from metrics import bases, incentives, tasks
from store import access, programme
from store.catalog import default_catalog
from tests import rawsql
from tests.apptest_helpers import APP_PASSWORD, DEMO_NAMES, page_files, signed_in

MINE = {"tasks.py", "bases.py", "incentives.py"}
OFFERED = {"admin": MINE, "leader": MINE, "reviewer": MINE, "park-softcity": {"incentives.py"}, "enterprise": set()}
NOT_ALLOWED = "无权查看该园区的企业数据"


# The store (`app_db`: the demo store with every demo user) comes from conftest; signing in through
# the form from tests/apptest_helpers.py.


def con():
    from ui import queries

    return queries.cursor()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("username", DEMO_NAMES)
def test_each_role_is_offered_its_pages(app_db, username):
    offered = page_files(signed_in(username))
    assert offered & MINE == OFFERED[username]


# ---------------------------------------------------------------------------------- tasks


def states_at(quarter: Period) -> list[tasks.TaskState]:
    infos, ups = tasks.from_frames(programme.plan_tasks(con(), "shenzhen-2011"),
                                   programme.task_updates(con(), "shenzhen-2011"))
    return tasks.task_states(infos, ups, quarter)


def test_tasks_page_for_a_leader(app_db):
    at = signed_in("leader", state={"plan_id": "shenzhen-2011"})
    at.switch_page("pages/tasks.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "任务督办 · 深圳市创建中国软件名城分解实施方案"
    quarter = at.selectbox(key="task-quarter-shenzhen-2011").value
    assert quarter == Period(2012, 4)  # the sidebar's quarter for Shenzhen: its latest
    states = states_at(quarter)
    total, missing = tasks.total(states), tasks.missing_reports(states)
    assert metric(at, "任务数") == "42"
    assert (metric(at, "已完成"), metric(at, "滞后"), metric(at, "逾期未完成")) == (
        str(total.done), str(total.delayed), str(total.overdue))
    assert metric(at, "本季度未报送单位") == str(len(missing)) != "0"  # the demo leaves some out
    table = at.dataframe[0].value
    assert len(table) == 42 and set(table["状态"]) <= {"已完成", "推进中", "滞后", "未启动"}
    overdue = sorted(s.task.task_id for s in states if s.overdue)
    assert sorted(table[table["逾期"] == "是"]["编号"]) == overdue
    assert not [b for b in at.button if b.label == "保存"]  # leaders read only
    assert {b.label for b in at.get("download_button")} == {"Word (.docx)", "PDF", "Excel (.xlsx)"}


def test_an_earlier_quarter_shows_its_own_state(app_db):
    at = signed_in("leader", state={"plan_id": "shenzhen-2011"})
    at.switch_page("pages/tasks.py").run()
    at.selectbox(key="task-quarter-shenzhen-2011").set_value(Period(2011, 4)).run()
    assert not at.exception
    total = tasks.total(states_at(Period(2011, 4)))
    assert metric(at, "已完成") == str(total.done) and total.done < 38


def test_a_reviewer_records_a_task_status(app_db):
    at = signed_in("reviewer", state={"plan_id": "shenzhen-2011"})
    at.switch_page("pages/tasks.py").run()
    at.selectbox(key="record-task").set_value("sz-t-02").run()
    assert at.selectbox(key="record-department").options == ["市科工贸信委", "市财政委"]
    at.selectbox(key="record-department").set_value("市财政委")
    at.selectbox(key="record-status").set_value("delayed")
    at.text_area(key="record-note").input("资金未到位")
    at.button(key="record-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    rows = rawsql.frame(con(), """SELECT status, note, entered_by FROM task_updates
                                  WHERE task_id = 'sz-t-02' AND department = '市财政委' AND year = 2012 AND quarter = 4""")
    assert list(rows.itertuples(index=False, name=None))[-1] == ("delayed", "资金未到位", "reviewer")
    assert any(s.value.startswith("已保存") for s in at.success)
    row = at.dataframe[0].value.set_index("编号").loc["sz-t-02"]
    assert row["状态"] == "滞后" and "市财政委：资金未到位" in row["本季度进展"]


def test_tasks_page_for_a_plan_with_dated_tasks_and_duties(app_db):
    at = signed_in("leader", state={"plan_id": "qingdao-2012"})
    at.switch_page("pages/tasks.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value.startswith("任务督办 · 关于推进青岛国家软件和信息服务业示范基地建设")
    assert metric(at, "任务数") == "1"
    table = at.dataframe[0].value
    assert list(table["编号"]) == ["qd-t-01"] and table["完成时限"].iloc[0] == dt.date(2016, 12, 31)
    duties = next(tab for tab in at.tabs if tab.label == "职责与报送")
    assert list(duties.dataframe[0].value["频次"]) == ["每两年"]


def test_park_page_shows_planned_land_and_cluster_bases(app_db):
    at = signed_in("leader", state={"plan_id": "qingdao-2012"})
    at.switch_page("pages/park.py").run()
    next(s for s in at.selectbox if s.label == "园区").set_value("qd-comm-park").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    # 规划占地面积1200亩 = 1200 × 10000/15 m² = 80 公顷
    assert "规划占地面积 1,200 亩（80 公顷）" in captions
    assert "到2016年建成：嵌入式软件产业基地、电子商务服务产业基地" in captions


def test_bases_page_states_the_application_rules(app_db):
    at = signed_in("leader", state={"plan_id": "zhejiang-2015"})
    at.switch_page("pages/bases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "申报规则" in [s.value for s in at.subheader]
    text = " ".join(m.value for m in at.markdown)
    assert "2016年度申报截止：2015-12-31" in text and "公示期 7 天" in text


# ---------------------------------------------------------------------------------- bases


def test_bases_page_for_a_leader(app_db):
    at = signed_in("leader", state={"plan_id": "zhejiang-2015"})
    at.switch_page("pages/bases.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value.startswith("基地建设 · 浙江省软件和信息服务产业基地")
    assert at.selectbox(key="bases-half-zhejiang-2015").value == (2020, 2)  # the programme's last half-year
    plan = default_catalog().plans["zhejiang-2015"]
    register = bases.from_frame(access.designations(con(), SYSTEM, "zhejiang-2015"))
    figures = access.county_figures(con(), SYSTEM, "zhejiang", "software_revenue", [2015, 2016, 2017])
    view = bases.programme_view(plan, register, bases.county_values(figures),
                                bases.received(access.base_reports(con(), SYSTEM, "zhejiang-2015")),
                                dt.date(2020, 12, 31))
    assert metric(at, "已认定基地") == str(len(view.designations)) == "36"
    assert metric(at, "下达支持资金（万元）") == f"{sum(d.funding for d in view.designations):,.0f}"
    assert metric(at, "不符合创建条件") == "3"
    counts = next(d.value for d in at.dataframe if "已认定基地" in d.value.columns)
    assert list(counts["已认定基地"]) == [r.count for r in view.counts]
    assert any("3 个基地经数据核对不符合创建条件" in w.value for w in at.warning)
    # the province's growth target is judged on the plan's own tracker row
    assert "“十三五”期间软件和信息服务产业规模年均增长率" in [s.value for s in at.subheader]


def test_bases_page_records_a_report(app_db):
    at = signed_in("admin", state={"plan_id": "zhejiang-2015"})
    at.switch_page("pages/bases.py").run()
    base = at.selectbox(key="report-base").value
    at.date_input(key="report-on").set_value(dt.date(2016, 6, 1))
    at.button(key="report-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    got = rawsql.frame(con(), """SELECT year, half, revision, received_on, entered_by FROM base_reports
                                 WHERE base_id = ? ORDER BY entered_at DESC LIMIT 1""", [base])
    assert (int(got.year[0]), int(got.half[0]), got.entered_by[0]) == (2016, 1, "admin")
    assert pd.Timestamp(got.received_on[0]).date() == dt.date(2016, 6, 1)


# ----------------------------------------------------------------------------- incentives


def expected_winners(who: Identity, under: str, year: int):
    plan = default_catalog().plans["qingdao-2012"]
    values = access.incentive_firms(con(), who, under, "software_revenue", year)
    return incentives.winners(values, incentives.thresholds_of(plan.incentives), year)


def test_incentives_page_for_a_park_manager(app_db):
    at = signed_in("park-softcity")
    at.switch_page("pages/incentives.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == f"企业奖励 · {default_catalog().plans['qingdao-2012'].title_zh}"
    year = at.selectbox(key="reward-year-qingdao-2012").value
    pm = Identity(username="park-softcity", display_name="", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
    expected = expected_winners(pm, "qd-softcity", year)
    table = next(d.value for d in at.dataframe if "奖励（万元）" in d.value.columns)
    assert len(table) == len(expected) > 0
    assert set(table["园区"]) == {"青岛软件城"}  # its own park's firms only
    assert metric(at, "奖励合计（万元）") == f"{incentives.total_of(expected).amount:,.0f}"


def test_park_manager_asking_for_another_park_is_refused(app_db):
    at = signed_in("park-softcity")
    since = int(rawsql.scalar(con(), "SELECT max(audit_id) FROM audit_log"))
    at.switch_page("pages/incentives.py")
    at.query_params["park"] = "qd-infovalley"
    at.run()
    assert not at.exception
    assert NOT_ALLOWED in " ".join(e.value for e in at.error)
    assert not at.dataframe
    denied = rawsql.frame(con(), "SELECT actor, object FROM audit_log WHERE audit_id > ? AND action = 'access.denied'",
                          [since])
    assert list(denied.actor) == ["park-softcity"] and denied.object[0] == "qd-infovalley"


def test_incentives_city_list_for_a_leader(app_db):
    at = signed_in("leader", state={"plan_id": "qingdao-2012"})
    at.switch_page("pages/incentives.py").run()
    assert not at.exception, [e.value for e in at.exception]
    year = at.selectbox(key="reward-year-qingdao-2012").value
    assert year == 2016  # the plan's last year, the latest with a complete year of data
    expected = expected_winners(SYSTEM, "qingdao", year)
    total = incentives.total_of(expected)
    assert metric(at, "奖励合计（万元）") == f"{total.amount:,.0f}"
    assert metric(at, "奖励项数") == str(total.awards) and metric(at, "未定金额的奖励") == str(total.unpriced)
    table = next(d.value for d in at.dataframe if "奖励（万元）" in d.value.columns)
    assert table["奖励（万元）"].sum() == pytest.approx(total.amount)
    assert len(set(table["园区"])) > 1  # the whole city


def test_pages_on_a_store_without_data(tmp_path, empty_db, app_store, monkeypatch):
    """A fresh store without the demo set (TRACKER_DEMO=0): the pages say there is nothing yet."""
    import shutil

    from store import users
    from store.db import connect

    path = tmp_path / "empty-users.duckdb"
    shutil.copy(empty_db, path)
    c = connect(path)
    users.add_user(c, SYSTEM, "admin", "管理员", Role.ADMIN, password=APP_PASSWORD)
    c.close()
    monkeypatch.setenv("TRACKER_DEMO", "0")
    app_store(path)
    at = signed_in("admin", state={"plan_id": "shenzhen-2011"})
    for page in ("tasks", "bases", "incentives"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    at.switch_page("pages/tasks.py").run()
    assert metric(at, "已完成") == "0" and metric(at, "本季度未报送单位") != "0"  # every department owes a report
    at.switch_page("pages/bases.py").run()
    assert metric(at, "已认定基地") == "0"
    # The counties are catalog data: the picker offers every one, and a designation is recorded.
    cat = default_catalog()
    counties = [o for o in cat.organisations.values() if o.kind == OrgKind.DISTRICT and cat.is_under(o.org_id, "zhejiang")]
    assert sorted(at.selectbox(key="new-county").options) == sorted(o.name_zh for o in counties)
    at.selectbox(key="new-county").set_value("zj-nb-yinzhou")
    at.text_input(key="new-name").input("宁波市鄞州区软件产业示范基地")
    at.button(key="new-submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    got = rawsql.frame(con(), "SELECT county_id, name, entered_by FROM base_designations")
    assert list(got.itertuples(index=False, name=None)) == [("zj-nb-yinzhou", "宁波市鄞州区软件产业示范基地", "admin")]
    at.switch_page("pages/incentives.py").run()
    assert "规划期内尚无完整年度数据" in " ".join(i.value for i in at.info)
