"""Plans as data (issue 20): revisions in the store, mid-term adjustments judged from their quarter
only, plan files out and back in, and every refusal writing nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from domain.access import AuthorizationError, Identity, Role
from domain.catalog import Catalog
from domain.models import Adjustment, LevelTarget
from domain.periods import Period
from service import plans as plan_service
from service import queries
from store import plans
from store.catalog import plan_yaml, read_plan
from store.db import connect
from tests.conftest import open_copy

ADMIN = Identity(username="admin", display_name="Admin", role=Role.ADMIN)
LEADER = Identity(username="leader", display_name="Leader", role=Role.LEADER)

ADJUSTING = ("杭州市软件名城建设中期评估调整意见.txt",
             "经评估，对部分目标作如下调整：到2015年，全市软件和信息技术服务业主营业务收入调整为2200亿元以上。"
             "取消在全国的占比目标。")
SENTENCE = "到2015年，全市软件和信息技术服务业主营业务收入调整为2200亿元以上"


@pytest.fixture
def db(tmp_path: Path, demo_db: Path):
    yield from open_copy(demo_db, tmp_path / "d.duckdb")


def _revisions(con) -> int:
    return len(plan_service.revisions_of(con, "hangzhou-2012"))


def _adjustment(effective: dt.date, value: float = 2200, quote: str = SENTENCE, dropped=()) -> Adjustment:
    name = plan_service.text_name(*ADJUSTING)
    return Adjustment(
        effective=effective, document_zh="杭州市软件名城建设中期评估调整意见", seed_file=name, source_quote=SENTENCE,
        targets=(LevelTarget(target_id="hz-main-revenue", name_zh="软件和信息技术服务业主营业务收入",
                             name_en="Software & IT services main business revenue", headline=True, scope="hangzhou",
                             indicator="main_revenue", value=value, unit="亿元", base_year=2011, target_year=2015,
                             source_quote=quote),),
        dropped=tuple(dropped))


def test_every_shipped_plan_is_one_revision_and_a_second_start_adds_none(db, catalog: Catalog):
    before = {pid: len(plan_service.revisions_of(db, pid)) for pid in catalog.plans}
    assert before == dict.fromkeys(catalog.plans, 1)
    plans.sync_catalog(db, catalog)
    assert {pid: len(plan_service.revisions_of(db, pid)) for pid in catalog.plans} == before
    assert plan_service.catalog_in_force(db, catalog).plans == catalog.plans
    for plan in catalog.plans.values():  # the texts their quotes were checked against are kept
        assert plan_service.kept_text(db, plan.seed_file) == (Path("data/seeds") / plan.seed_file).read_text("utf-8")


@pytest.mark.parametrize("plan_id", ["hangzhou-2012", "jiaxing-2021", "qingdao-2012", "shenzhen-2011", "zhejiang-2015"])
def test_a_plan_file_exports_and_imports_to_the_same_plan(db, catalog: Catalog, plan_id: str):
    text = plan_service.export_yaml(db, LEADER, plan_id)
    back, problems = read_plan(text, f"{plan_id}.yaml")
    assert problems == [] and back == catalog.plans[plan_id]
    plan_service.import_yaml(db, ADMIN, text, f"{plan_id}.yaml", {}, "cli")  # its text is kept already
    assert len(plan_service.revisions_of(db, plan_id)) == 2
    assert plan_service.catalog_in_force(db, catalog).plans[plan_id] == catalog.plans[plan_id]


def test_a_mid_term_adjustment_changes_the_verdict_from_its_quarter_only(db, catalog: Catalog):
    before = {q: queries.judge(db, catalog, "hangzhou-2012", q).row("hz-main-revenue")
              for q in (Period(2014, 2), Period(2014, 3), Period(2014, 4))}
    revision = plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    assert revision > 5
    adjusted = plan_service.catalog_in_force(db, catalog)
    plan = adjusted.plans["hangzhou-2012"]
    assert plan.version == 2 and plan.version_on(dt.date(2014, 6, 30)) == 1 and plan.version_on(dt.date(2014, 7, 1)) == 2
    q2 = queries.judge(db, adjusted, "hangzhou-2012", Period(2014, 2)).row("hz-main-revenue")
    assert (q2.target, q2.completion, q2.status) == (3000, before[Period(2014, 2)].completion, before[Period(2014, 2)].status)
    for q in (Period(2014, 3), Period(2014, 4)):
        row = queries.judge(db, adjusted, "hangzhou-2012", q).row("hz-main-revenue")
        assert row.target == 2200
        assert row.actual == before[q].actual
        assert row.completion == pytest.approx(before[q].actual / 2200)  # was actual / 3000
        assert row.source_quote == SENTENCE
    assert [(v, day, t.value if t else None) for v, day, t, _ in plan.history("hz-main-revenue")] == [
        (1, dt.date(2012, 9, 29), 3000), (2, dt.date(2014, 7, 1), 2200)]
    assert plan.history("hz-software-revenue")[1:] == []  # unchanged targets have one entry


def test_an_adjustment_may_drop_a_target_from_its_quarter(db, catalog: Catalog):
    plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 10, 1), dropped=["hz-national-share"]),
                        ADJUSTING, "app")
    adjusted = plan_service.catalog_in_force(db, catalog)
    ids = lambda q: [r.target_id for r in queries.judge(db, adjusted, "hangzhou-2012", q).rows]
    assert "hz-national-share" in ids(Period(2014, 3))
    assert "hz-national-share" not in ids(Period(2014, 4))
    assert [v for v, _, t, _ in adjusted.plans["hangzhou-2012"].history("hz-national-share")] == [1, 2]


@pytest.mark.parametrize("change, needle, chinese", [
    (dict(quote="到2015年，主营业务收入调整为9999亿元"), "source_quote not found verbatim", "找不到"),
    (dict(effective=dt.date(2012, 1, 1)), "after the plan is issued", "调整的施行日期须晚于规划印发日期（2012-09-29）"),
    (dict(dropped=["no-such-target"]), "'no-such-target' is not a target", "no-such-target"),
])
def test_a_wrong_adjustment_is_refused_whole_and_writes_nothing(db, change: dict, needle: str, chinese: str):
    n = _revisions(db)
    adj = _adjustment(change.pop("effective", dt.date(2014, 7, 1)), **change)
    with pytest.raises(plan_service.PlanRejected) as e:
        plan_service.adjust(db, ADMIN, "hangzhou-2012", adj, ADJUSTING, "app")
    assert any(needle in str(p) for p in e.value.problems), e.value.problems
    assert any(chinese in p.render("zh") for p in e.value.problems), [p.render("zh") for p in e.value.problems]
    assert _revisions(db) == n
    assert db.execute("SELECT count(*) FROM plan_texts WHERE file_name = ?", [ADJUSTING[0]]).fetchone()[0] == 0


def test_only_an_administrator_publishes_and_a_refusal_is_audited(db, catalog: Catalog):
    n = _revisions(db)
    with pytest.raises(AuthorizationError):
        plan_service.adjust(db, LEADER, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    with pytest.raises(AuthorizationError):
        plan_service.import_yaml(db, LEADER, plan_yaml(catalog.plans["hangzhou-2012"]), "x.yaml", {}, "app")
    assert _revisions(db) == n
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'leader'").fetchone()[0] == 2


def test_a_new_revision_keeps_the_adjustments_in_force(db, catalog: Catalog):
    plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    with pytest.raises(plan_service.PlanRejected) as e:  # the shipped file again, without the adjustment
        plan_service.import_yaml(db, ADMIN, plan_yaml(catalog.plans["hangzhou-2012"]), "hangzhou-2012.yaml", {}, "cli")
    assert "adjustment(s) in force must be kept" in str(e.value.problems[0])
    plans.sync_catalog(db, catalog)  # an unchanged shipped file at the next start leaves the adjustment in force
    assert plan_service.catalog_in_force(db, catalog).plans["hangzhou-2012"].version == 2


@pytest.mark.parametrize("text, needle", [
    ("a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n", "alias *a names a list"),
    ("plan_id: [unclosed", "not YAML"),
    ("- just\n- a list\n", "a plan file is a mapping"),
    ("x" * 2_000_001, "larger than 2 MB"),
    ("plan_id: Bad Id\n", "plan_id"),
])
def test_a_hostile_or_broken_plan_file_is_refused_with_its_reason(db, text: str, needle: str):
    n = db.execute("SELECT count(*) FROM plan_revisions").fetchone()[0]
    with pytest.raises(plan_service.PlanRejected) as e:
        plan_service.import_yaml(db, ADMIN, text, "bad.yaml", {}, "cli")
    assert any(needle in str(p) and str(p).startswith("bad.yaml") for p in e.value.problems), e.value.problems
    assert db.execute("SELECT count(*) FROM plan_revisions").fetchone()[0] == n


@pytest.mark.parametrize("quarter, caption, applies, target", [
    (Period(2014, 2), "第1版（共2版）", 1, 3000),
    (Period(2014, 3), "第2版（2014-07-01起施行）", 2, 2200),
])
def test_the_plan_page_says_which_version_a_quarter_is_judged_against(app_db: Path, quarter: Period, caption: str,
                                                                   applies: int, target: float):
    from tests.apptest_helpers import signed_in

    con = connect(app_db)
    plan_service.adjust(con, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    con.close()
    at = signed_in("leader", state={"plan_id": "hangzhou-2012", "as_of-hangzhou": quarter, "target": "hz-main-revenue"})
    at.switch_page("pages/plan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(caption in c.value.replace("\\", "") for c in at.caption), [c.value for c in at.caption]
    history = next(d.value for d in at.dataframe if "版本" in d.value.columns)
    assert list(history["版本"]) == [1, 2]
    assert list(history["目标值"]) == ["3,000亿元", "2,200亿元"]
    assert list(history["本季度适用"]) == ["✓" if v == applies else "" for v in (1, 2)]
    progress = at.dataframe[0].value
    row = progress[progress["目标"] == "软件和信息技术服务业主营业务收入"].iloc[0]
    assert row["目标值"] == target
    assert row["完成率"] == pytest.approx(float(row["实际值"]) / target * 100)


def test_since_last_quarter_says_the_target_was_adjusted_rather_than_counting_it_as_progress(db, catalog: Catalog):
    plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    adjusted = plan_service.catalog_in_force(db, catalog)
    across = queries.plan_changes(db, adjusted, LEADER, "hangzhou-2012", Period(2014, 3))["hz-main-revenue"]
    assert (across.target_before, across.target_now, across.retargeted) == (3000, 2200, True)
    assert across.completion_delta is None  # 1746.36/2200 − 1746.36/3000 is no progress
    after = queries.plan_changes(db, adjusted, LEADER, "hangzhou-2012", Period(2014, 4))["hz-main-revenue"]
    assert not after.retargeted
    assert after.completion_delta == pytest.approx(after.actual_now / 2200 - after.actual_before / 2200)
    assert not queries.plan_changes(db, adjusted, LEADER, "hangzhou-2012", Period(2014, 3))["hz-staff"].retargeted


def test_the_briefing_of_an_adjusted_plan_names_the_version_its_quarter_is_judged_against(db, catalog: Catalog):
    from reports.briefing import build

    plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    adjusted = plan_service.catalog_in_force(db, catalog)
    for quarter, version in ((Period(2014, 2), "第1版（共2版）"), (Period(2014, 4), "第2版（2014-07-01起施行）")):
        doc = build(queries.briefing_inputs(db, adjusted, LEADER, "hangzhou-2012", quarter))
        assert dict(doc.meta)["规划版本"] == version
    unadjusted = build(queries.briefing_inputs(db, adjusted, LEADER, "qingdao-2012", Period(2014, 4)))
    assert "规划版本" not in dict(unadjusted.meta)  # a plan never adjusted says nothing of versions


def test_the_plan_list_gives_each_plan_its_version(app_db: Path):
    from tests.apptest_helpers import signed_in

    con = connect(app_db)
    plan_service.adjust(con, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    con.close()
    at = signed_in("leader")
    at.switch_page("pages/plans.py").run()
    assert not at.exception, [e.value for e in at.exception]
    listed = at.dataframe[0].value.set_index("规划")
    assert listed.loc["杭州市创建中国软件名城实施意见", "版本"] == "第2版（2014-07-01起施行）"
    assert listed.loc["杭州市创建中国软件名城实施意见", "目标数"] == 11  # the version's: nothing dropped here
    assert set(listed["版本"]) == {"第1版", "第2版（2014-07-01起施行）"}
    assert "2,200亿元" in listed.loc["杭州市创建中国软件名城实施意见"].to_string()  # its headline as adjusted


def test_a_redeployed_shipped_file_corrects_the_plan_and_keeps_its_adjustment(db, catalog: Catalog):
    plan_service.adjust(db, ADMIN, "hangzhou-2012", _adjustment(dt.date(2014, 7, 1)), ADJUSTING, "app")
    corrected = catalog.plans["hangzhou-2012"].model_copy(update={"title_en": "Hangzhou — corrected title"})
    redeployed = catalog.with_plans([corrected])
    n = _revisions(db)
    plans.sync_catalog(db, redeployed)
    in_force = plan_service.catalog_in_force(db, catalog).plans["hangzhou-2012"]
    assert _revisions(db) == n + 1
    assert in_force.title_en == "Hangzhou — corrected title" and in_force.version == 2  # the adjustment kept
    assert in_force.latest().targets[0].value == 2200
    plans.sync_catalog(db, redeployed)  # the same file at the next start: nothing new
    plans.sync_catalog(db, redeployed)
    assert _revisions(db) == n + 1
