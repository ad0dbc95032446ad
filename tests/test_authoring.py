"""The authoring page (issue 20): a plan added from its document, refused with every problem at its
row and nothing written, adjusted mid-term, exported; and no one but an administrator reaching it.

The page runs through dashboard.py under AppTest against a private copy of the demo store
(conftest `app_db`); what it wrote is read back through the app's own connection. AppTest cannot
type into st.data_editor, so a person's edits are made where the page keeps the editors' starting
rows (session state "authoring.frames"): what the editor then shows and returns.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from domain import drafts
from domain.access import AuthorizationError, Identity, Role
from domain.extract import Candidate, Proposal
from domain.messages import Message
from domain.models import Amount
from domain.problems import problem
from service import plans as plan_service
from tests import rawsql
from tests.apptest_helpers import page_files, signed_in, signed_in_with
from ui import authoring
from ui.text import escape

PLAN_TEXT = """青岛市软件产业三年行动计划（2026—2028年）
青岛市工业和信息化局
2026年3月1日
一、发展目标
到2028年，全市软件业务收入达到3000亿元以上，年均增长12%以上。
二、重点任务
（一）建设软件名城。（市工业和信息化局负责）
"""
PLAN_ID = "qingdao-2026"
LEADER = Identity(username="leader", display_name="Leader", role=Role.LEADER)


def store():
    """A cursor on the app's own connection (the app keeps the file open; tests share it)."""
    from ui import queries

    return queries.cursor()


def revisions() -> int:
    return int(rawsql.frame(store(), "SELECT count(*) AS n FROM plan_revisions").n[0])


def uploaded(name: str = "行动计划.txt", text: str = PLAN_TEXT, lang: str = "zh"):
    at = signed_in_with("admin", {"lang": lang})
    at.switch_page("pages/authoring.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.file_uploader(key="authoring.upload.0").set_value((name, text.encode("utf-8"), "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def edit(at, table: str, row: int, **cells) -> None:
    """Change cells of a proposed row (numbered from 1, as on the page) as a person would in the editor."""
    key, frames = at.session_state[authoring.FRAMES]
    changed = frames[table].copy()
    for column, value in cells.items():
        changed.loc[row, column] = value
    at.session_state[authoring.FRAMES] = (key, {**frames, table: changed})


def problems(at) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if "问题" in d.value.columns]
    return table


# --------------------------------------------------------------------------- pure parts


def test_rows_from_puts_each_candidate_in_its_table_and_a_missing_park_among_the_new_scopes():
    c = Candidate
    proposal = Proposal(candidates=(
        c(quote="全市软件业务收入达到3000亿元以上", start=0, kind="level", indicator="software_revenue", scope="qingdao",
          comparator=">=", value=3000, unit="亿元", base_year=2025, target_year=2028),
        c(quote="海洋软件特色园软件业务收入达到100亿元", start=40, kind="level", indicator="software_revenue",
          scope_name="海洋软件特色园", comparator=">=", value=100, unit="亿元", target_year=2028),
        c(quote="主营业务收入超亿元企业达到50家", start=80, kind="threshold_count", indicator="main_revenue",
          scope="qingdao", value=50, unit="家", threshold=Amount(value=1, unit="亿元")),
        c(quote="对首次超过10亿元的企业奖励100万元", start=120, kind="incentive", indicator="main_revenue",
          scope="qingdao", threshold=Amount(value=10, unit="亿元"), reward=Amount(value=100, unit="万元")),
        c(quote="建设软件名城", start=160, kind="task", text="建设软件名城。", lead_departments=("市工信局", "市财政局")),
    ))
    rows = drafts.rows_from(proposal, "qingdao")
    assert [len(rows[k]) for k in ("targets", "incentives", "tasks", "scopes")] == [3, 1, 1, 1]
    (park,) = rows["scopes"]
    assert (park["org_id"], park["name_zh"], park["parent"], park["kind"]) == ("qingdao-p1", "海洋软件特色园", "qingdao", "park")
    assert [r["scope"] for r in rows["targets"]] == ["qingdao", "qingdao-p1", "qingdao"]  # the park's row points at it
    assert (rows["targets"][2]["threshold_value"], rows["targets"][2]["threshold_unit"]) == (1, "亿元")
    inc = rows["incentives"][0]
    assert (inc["threshold_value"], inc["threshold_unit"], inc["reward_value"], inc["reward_unit"]) == (10, "亿元", 100, "万元")
    assert rows["tasks"][0]["lead_departments"] == "市工信局、市财政局"
    assert all(r["keep"] and r["quote"] for table in rows.values() for r in table)


def test_problems_point_at_the_row_as_numbered_on_the_page_dropped_rows_counted():
    rows = {"targets": [{"keep": True}, {"keep": False}, {"keep": True}], "scopes": [{"org_id": "qd-x"}]}
    found = authoring.located(
        [drafts.Problem("targets", 3, "value", Message.of("shape.missing", detail="Field required"))],
        [problem("qingdao-2026", ("targets", 1, "qingdao-2026-t3"), "catalog.incentive.indicator_unknown",
                 indicator="nope"),  # the plan's 2nd target: row 3
         problem("qingdao-2026", ("organisations", None, "qd-x"), "catalog.quote_not_verbatim", name="x.txt",
                 quote="原文"),
         problem("qingdao-2026", (), "catalog.scope_unknown", scope="nowhere")], rows, "zh")
    assert found.to_dict("list") == {
        "表": ["目标", "目标", "新增园区/区县", "规划"], "行": [3, 3, 1, None], "列": ["数值", "", "", ""],
        "问题": ["必填，不能为空", "指标“nope”不在指标目录中", "原文在上传的规划文本中找不到（须逐字一致）：“原文…”",
                 "范围“nowhere”不是已知的组织（城市、区县或园区）"]}


# ------------------------------------------------------------------------------ the page


def test_admin_adds_a_plan_from_its_text_and_it_is_in_force(app_db):
    at = uploaded()
    shown = " ".join(" ".join(map(str, d.value.get("quote", []))) for d in at.dataframe)
    assert "全市软件业务收入达到3000亿元以上" in shown and "年均增长12%以上" in shown  # each beside its sentence
    assert at.text_input(key="authoring.h.plan_id").value == PLAN_ID
    assert at.selectbox(key="authoring.h.scope").value == "qingdao"
    before = revisions()
    at.button(key="authoring.check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("检查通过" in s.value for s in at.success)
    assert revisions() == before  # checking writes nothing
    at.button(key="authoring.publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已发布规划" in s.value and escape(PLAN_ID) in s.value for s in at.success)
    assert not at.dataframe  # the published file left the uploader
    assert revisions() == before + 1
    plan = plan_service.catalog_in_force(store()).plans[PLAN_ID]
    assert plan.title_zh == "青岛市软件产业三年行动计划（2026—2028年）" and (plan.base_year, plan.horizon_end) == (2025, 2028)
    assert [(x.kind.value, x.indicator, x.scope, x.value, x.unit, x.target_year, x.headline) for x in plan.targets] == [
        ("level", "software_revenue", "qingdao", 3000, "亿元", 2028, True),
        ("growth", "software_revenue", "qingdao", 12, "%", 2028, False)]
    assert plan_service.kept_text(store(), plan.seed_file) == PLAN_TEXT  # the quotes' text, kept
    (link,) = at.get("page_link")
    assert link.proto.page.endswith("plan") and f"plan={PLAN_ID}" in link.proto.query_string


def test_the_form_reads_in_english(app_db):
    at = uploaded(lang="en")
    assert at.text_input(key="authoring.h.plan_id").label == "Plan id"
    assert [s.value for s in at.subheader][:4] == ["Targets", "Incentives", "Tasks", "New parks and districts"]
    assert any("2 target(s)" in c.value for c in at.caption)


def test_a_bad_value_is_shown_at_its_row_and_nothing_is_written(app_db):
    at = uploaded()
    edit(at, "targets", 2, value=None)  # the growth rate cleared
    edit(at, "targets", 1, target_year=2020)  # before the base year
    at.run()
    before = revisions()
    at.button(key="authoring.publish").click().run()
    assert not at.exception
    assert any("未写入任何内容" in e.value for e in at.error)
    found = problems(at)
    # each at its row, and why in the page's language
    assert set(zip(found["表"], found["行"], found["列"], found["问题"], strict=True)) >= {
        ("目标", 2, "数值", "必填，不能为空"), ("目标", 1, "", "目标年（2020年）须晚于基期年（2025年）")}
    assert revisions() == before
    assert PLAN_ID not in plan_service.catalog_in_force(store()).plans


def test_the_catalogs_own_checks_point_at_the_row_too(app_db):
    at = uploaded()
    edit(at, "targets", 2, indicator="no_such_indicator", quote="这句话不在规划原文中")
    at.run()
    before = revisions()
    at.button(key="authoring.check").click().run()
    found = problems(at)
    assert set(found[found["行"] == 2]["表"]) == {"目标"}
    reasons = set(found[found["行"] == 2]["问题"])  # in Chinese, on the Chinese page
    assert {"指标“no_such_indicator”不在指标目录中",
            "原文在上传的规划文本中找不到（须逐字一致）：“这句话不在规划原文中…”"} <= reasons
    at.button(key="authoring.publish").click().run()
    assert any("未写入任何内容" in e.value for e in at.error)
    assert revisions() == before


def test_a_refused_document_says_why(app_db):
    at = uploaded("空.txt", "   \n")
    (error,) = at.error
    assert escape("空.txt") in error.value  # the file named, its name shown as text
    assert not [b for b in at.button if (b.key or "").startswith("authoring.")] and not at.dataframe


def test_only_an_administrator_may_open_it_and_the_service_refuses_the_others(app_db):
    at = signed_in("leader")
    assert "authoring.py" not in page_files(at)  # not offered, and not reachable by its path either
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/authoring.py")
    catalog = plan_service.catalog_in_force(store())
    since = int(rawsql.frame(store(), "SELECT max(audit_id) AS m FROM audit_log").m[0])
    before = revisions()
    with pytest.raises(AuthorizationError):
        plan_service.publish(store(), LEADER, catalog.plans["qingdao-2012"], {}, origin="app")
    denied = rawsql.frame(store(), "SELECT actor, object FROM audit_log WHERE audit_id > ? AND action = 'access.denied'",
                          [since])
    assert list(denied.actor) == ["leader"] and "qingdao-2012" in denied.object[0]
    assert revisions() == before


def test_admin_adjusts_a_plan_mid_term_from_the_adjusting_sentence(app_db):
    document = ("青岛市软件产业发展规划中期调整意见\n经评估，到2016年，全市软件业务收入调整为2500亿元以上。\n")
    at = signed_in("admin")
    at.switch_page("pages/authoring.py").run()
    at.selectbox(key="authoring.adj.plan").set_value("qingdao-2012").run()
    at.file_uploader(key="authoring.adj.upload").set_value(("调整.txt", document.encode("utf-8"), "text/plain")).run()
    assert not at.exception, [e.value for e in at.exception]
    key, start = at.session_state[authoring.ADJ_FRAME]
    assert list(start["value"]) == [2500] and start["replaces"].iloc[0] != authoring.NEW  # matched to the plan's target
    replaced = start["replaces"].iloc[0]
    at.selectbox(key="authoring.adj.sentence_pick").set_value(start["quote"].iloc[0])
    at.date_input(key="authoring.adj.effective").set_value(dt.date(2015, 1, 1))
    before = revisions()
    at.button(key="authoring.adj.publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("中期调整" in s.value for s in at.success), [e.value for e in at.error]
    assert revisions() == before + 1
    plan = plan_service.catalog_in_force(store()).plans["qingdao-2012"]
    assert plan.version == 2
    assert {x.target_id: x.value for x in plan.latest().targets}[replaced] == 2500


def test_admin_downloads_a_plan_file_and_imports_it_back(app_db):
    at = signed_in("admin")
    at.switch_page("pages/authoring.py").run()
    at.selectbox(key="authoring.files.plan").set_value("qingdao-2012").run()
    assert not at.exception
    yaml_text = plan_service.export_yaml(store(), Identity(username="admin", display_name="A", role=Role.ADMIN),
                                         "qingdao-2012")
    before = revisions()
    at.file_uploader(key="authoring.files.yaml").set_value(("qingdao-2012.yaml", yaml_text.encode("utf-8"),
                                                            "application/x-yaml")).run()
    at.button(key="authoring.files.publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已导入" in s.value for s in at.success), [e.value for e in at.error]
    assert revisions() == before + 1


HELD_OUT = Path(__file__).parent / "data" / "plans" / "heldout-2026.txt"


def test_a_plan_of_a_city_the_catalog_lacks_is_published_with_its_city_and_parks(app_db):
    """A bureau whose city is not in the catalog: the header proposes the place the title names,
    the administrator gives its id and province, and the city, its new park and the plan go in together."""
    at = uploaded("南湖规划.txt", HELD_OUT.read_text(encoding="utf-8"))
    assert at.toggle(key="authoring.h.new_place").value is True
    assert at.text_input(key="authoring.h.place_name").value == "南湖市"
    at.text_input(key="authoring.h.place_id").input("nanhu")
    at.selectbox(key="authoring.h.place_parent").select("zhejiang")
    at.text_input(key="authoring.h.plan_id").input("nanhu-2026")
    key, frames = at.session_state[authoring.FRAMES]
    targets = frames["targets"]
    keep = ~targets["indicator"].isin(["firm_count"])  # the reviewer drops what the catalog cannot judge as read
    keep &= ~targets["quote"].str.contains("2025年实现", regex=False)  # and a past figure read as a goal, if proposed
    at.session_state[authoring.FRAMES] = (key, {**frames, "targets": targets.assign(keep=keep)})
    at.run()
    before = revisions()
    at.button(key="authoring.publish").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已发布规划" in s.value for s in at.success), [e.value for e in at.error] + [
        problems(at).to_dict("records") if any("问题" in d.value.columns for d in at.dataframe) else None]
    assert revisions() == before + 1
    catalog = plan_service.catalog_in_force(store())
    plan = catalog.plans["nanhu-2026"]
    city = catalog.organisations["nanhu"]
    assert (plan.scope, city.name_zh, city.kind.value, city.parent) == ("nanhu", "南湖市", "city", "zhejiang")
    parks = [o for o in plan.organisations if o.kind.value == "park"]
    assert parks and all(o.parent == "nanhu" for o in parks)  # its parks lie under the new city
    assert {t.scope for t in plan.targets} <= {"nanhu", *(o.org_id for o in parks)}
    headline = next(t for t in plan.targets if t.headline)
    assert (headline.value, headline.unit, headline.target_year) == (2500, "亿元", 2030)
