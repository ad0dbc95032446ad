"""What issue 14 (item 12) added to the catalog, where the plans give a number or a date: Qingdao's
ten named cluster bases and their dated task, the biennial award and the parks' planned land;
Shenzhen's self-evaluation chain and briefing list as duties; Zhejiang's application deadline,
publicity period and one-type rule; Jiaxing's staged milestones and one-off institutions as dated
tasks. Every number and date below is written from the seed text, not copied from the catalog."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from domain.access import SYSTEM
from domain.models import ApplicationDeadline, DutyKind, OneTypePerCounty, PublicityPeriod, Recurrence
from domain.periods import Period
from domain.programme import earliest_designation, one_type_per_county
from domain.units import convert
from metrics import tasks
from service import queries
from store import programme
from store.catalog import DATA_DIR, CatalogError, load_catalog
from tests.catalog_files import copy_data


def seed(catalog, plan_id: str) -> str:
    return (DATA_DIR / "seeds" / catalog.plans[plan_id].seed_file).read_text(encoding="utf-8")


@pytest.mark.parametrize("plan_id", ["qingdao-2012", "shenzhen-2011", "zhejiang-2015", "jiaxing-2021"])
def test_every_new_item_quotes_its_seed_verbatim(catalog, plan_id):
    plan, text = catalog.plans[plan_id], seed(catalog, plan_id)
    quotes = [t.source_quote for t in plan.tasks] + [d.source_quote for d in plan.duties]
    quotes += [r.source_quote for r in plan.rules]
    quotes += [q for c in plan.cluster_bases for q in (c.source_quote, c.park_quote) if q]
    assert quotes
    assert [q for q in quotes if q not in text] == []


# ---------------------------------------------------------------------------------- Qingdao

# 二、6 产业集群: five bases 率先建成国内领先的…, five 建成国内重要的…; the parks 第八、九条 charge with each.
CLUSTERS = [
    ("涉蓝软件产业发展示范区", "国内领先", {"qd-softcity"}),
    ("新兴信息技术服务产业基地", "国内领先", {"qd-infovalley"}),
    ("数字家电服务产业基地", "国内领先", {"qd-haier-park", "qd-hisense-park"}),
    ("物联网产业基地", "国内领先", set()),
    ("中国北方数据中心", "国内领先", {"qd-infovalley"}),
    ("嵌入式软件产业基地", "国内重要", {"qd-comm-park"}),
    ("数字内容服务产业基地", "国内重要", {"qd-softcity"}),
    ("动漫创意产业基地", "国内重要", {"qd-anime-park"}),
    ("电子商务服务产业基地", "国内重要", {"qd-comm-park"}),
    ("高端服务外包产业承接地", "国内重要", set()),
]


def test_qingdao_names_ten_cluster_bases_by_2016(catalog):
    plan = catalog.plans["qingdao-2012"]
    got = [(c.name_zh, c.standing_zh, set(c.parks)) for c in plan.cluster_bases]
    assert got == CLUSTERS
    assert {c.by_year for c in plan.cluster_bases} == {2016}
    for c in plan.cluster_bases:
        assert c.name_zh in c.source_quote
        assert all(catalog.organisations[p].kind == "park" for p in c.parks)


def test_qingdao_building_them_is_one_task_due_at_the_end_of_2016(catalog):
    plan = catalog.plans["qingdao-2012"]
    (task,) = plan.tasks
    assert task.due == dt.date(2016, 12, 31) and task.phase is None
    assert plan.due_of(task) == dt.date(2016, 12, 31)
    assert all(name in task.text and name in task.source_quote for name, _, _ in CLUSTERS)
    assert task.lead_departments == ("市经济信息化委",)  # 领导小组办公室设在市经济信息化委
    # The text gives no count (no “10个”): nothing was added to the targets for it.
    assert not [t for t in plan.targets if "集群" in t.name_zh or "集聚" in t.name_zh]


def test_qingdao_leader_award_every_second_year_from_the_first_plan_year(catalog):
    (award,) = catalog.plans["qingdao-2012"].duties
    assert award.kind == DutyKind.AWARD and award.every == Recurrence.BIENNIAL
    assert "每两年表彰和奖励" in award.source_quote and "青岛市软件产业领军人物" in award.source_quote
    # from 2012 (the plan was issued in April 2012) to the horizon 2016, every second year
    assert award.occurrences() == [dt.date(y, 12, 31) for y in (2012, 2012 + 2, 2012 + 4)]
    assert award.next_due(dt.date(2013, 6, 30)) == dt.date(2014, 12, 31)
    assert award.next_due(dt.date(2016, 12, 31)) is None


# 第八、九条: 规划占地面积1200亩 / 150亩 / 约17平方公里 / 约30平方公里; 1 亩 = 10000/15 m², 1 公顷 = 10000 m².
LAND = [
    ("qd-comm-park", 1200, "亩", False, 1200 * 10000 / 15 / 10000),  # 80 公顷
    ("qd-anime-park", 150, "亩", False, 150 * 10000 / 15 / 10000),  # 10 公顷
    ("qd-infovalley", 17, "平方公里", True, 17 * 100),  # 1 km² = 100 公顷
    ("qd-softcity", 30, "平方公里", True, 30 * 100),
]


@pytest.mark.parametrize(("park", "value", "unit", "about", "hectares"), LAND)
def test_planned_land_is_data(catalog, park, value, unit, about, hectares):
    org = catalog.organisations[park]
    assert (org.planned_land.value, org.planned_land.unit, org.planned_land_about) == (value, unit, about)
    assert convert(org.planned_land.value, org.planned_land.unit, "公顷") == pytest.approx(hectares)
    assert org.source_quote.replace(" ", "").endswith(f"规划占地面积{'约' if about else ''}{value}{unit}")


def test_parks_without_a_land_area_in_the_text_have_none(catalog):
    assert catalog.organisations["qd-haier-park"].planned_land is None
    assert catalog.organisations["qd-hisense-park"].planned_land is None


def test_park_page_facts(catalog):
    from ui.programme import park_facts

    assert park_facts(catalog, "qd-comm-park", "zh") == [
        "规划占地面积 1,200 亩（80 公顷）", "到2016年建成：嵌入式软件产业基地、电子商务服务产业基地"]
    assert park_facts(catalog, "qd-infovalley", "en") == [
        "Planned land area about 17 km² (about 1,700 ha)",
        "To be built by 2016: Emerging IT services industry base, China North Data Centre"]
    assert park_facts(catalog, "jx-core", "zh") == []


# --------------------------------------------------------------------------------- Shenzhen


def test_shenzhen_self_evaluation_chain(catalog):
    plan = catalog.plans["shenzhen-2011"]
    duties = {d.duty_id: d for d in plan.duties}
    chain, step = [], "sz-d-ministry-evaluation"
    while step:
        chain.append(step)
        step = duties[step].after
    assert chain[::-1] == ["sz-d-self-evaluation", "sz-d-province-review", "sz-d-ministry-application",
                           "sz-d-ministry-evaluation"]
    assert {duties[s].kind for s in chain} == {DutyKind.EVALUATION}
    assert duties["sz-d-province-review"].recipients == ("广东省",)
    assert duties["sz-d-ministry-application"].recipients == ("工业和信息化部",)
    assert duties["sz-d-ministry-evaluation"].owed_by == ("工业和信息化部",)
    # The self-evaluation is due by the end of the second phase (第二阶段（2012年1月―2012年3月）);
    # the later steps carry no date in the text (the title is awarded 适时).
    phase_2 = next(p for p in plan.phases if p.phase == 2)
    assert duties["sz-d-self-evaluation"].occurrences() == [phase_2.end] == [dt.date(2012, 3, 31)]
    assert [duties[s].occurrences() for s in chain[:-1]] == [[], [], []]


def test_shenzhen_quarterly_reports_and_the_briefing_list(catalog):
    duties = {d.duty_id: d for d in catalog.plans["shenzhen-2011"].duties}
    info, brief = duties["sz-d-progress-info"], duties["sz-d-briefing"]
    assert "每季度末报送本单位工作进展信息" in info.source_quote
    assert info.owed_by == ("各区政府（新区管委会）", "市政府直属各单位")
    assert brief.kind == DutyKind.BRIEFING and brief.after == "sz-d-progress-info"
    assert brief.recipients == ("工业和信息化部", "省经信委", "市中国软件名城创建联席会议召集人及成员单位")
    # Quarter ends from the quarter the plan was issued in (2011-07-20: 2011Q3) to the end of phase 2.
    quarter_ends = [dt.date(2011, 9, 30), dt.date(2011, 12, 31), dt.date(2012, 3, 31)]
    assert info.every == brief.every == Recurrence.QUARTERLY
    assert info.occurrences() == brief.occurrences() == quarter_ends
    # The 42 numbered tasks are untouched: the duties sit beside them.
    assert len(catalog.plans["shenzhen-2011"].tasks) == 42


def test_the_task_briefing_names_its_distribution(catalog):
    from reports.tasks import task_briefing
    from service.inputs import TaskBoard

    board = TaskBoard.of(Period(2011, 4), [])
    doc = task_briefing(catalog.plans["shenzhen-2011"], board, "zh")
    assert ("报送", "工业和信息化部、省经信委、市中国软件名城创建联席会议召集人及成员单位") in doc.meta
    jx = task_briefing(catalog.plans["jiaxing-2021"], TaskBoard.of(Period(2021, 4), []), "en")
    assert "Distribution" not in dict(jx.meta)


def test_duty_table_shows_the_next_due_date_at_a_quarter(catalog):
    from ui.programme import duty_table

    table = duty_table(catalog.plans["shenzhen-2011"], Period(2011, 4), "zh").set_index("编号")
    assert table.loc["sz-d-briefing", "下次到期"] == "2011-12-31"
    assert table.loc["sz-d-briefing", "完成时限"] == "2011-09-30—2012-03-31"
    assert table.loc["sz-d-self-evaluation", "下次到期"] == "2012-03-31"
    assert table.loc["sz-d-ministry-evaluation", "下次到期"] == ""
    later = duty_table(catalog.plans["shenzhen-2011"], Period(2012, 2), "zh").set_index("编号")
    assert later.loc["sz-d-briefing", "下次到期"] == ""  # the last one was 2012-03-31


# --------------------------------------------------------------------------------- Zhejiang


def test_zhejiang_programme_rules(catalog):
    plan = catalog.plans["zhejiang-2015"]
    rules = {type(r): r for r in plan.rules}
    deadline = rules[ApplicationDeadline]
    assert (deadline.round, deadline.due) == (2016, dt.date(2015, 12, 31))  # 于2015年12月底前行文上报
    assert deadline.recipients == ("省经信委", "省财政厅")
    assert (rules[PublicityPeriod].days, rules[PublicityPeriod].round) == (7, None)  # 公示时间为7天
    assert rules[OneTypePerCounty].round == 2016  # the 2016 notice: 选择…中的一项进行申报
    # Published from 1 January 2016 at the earliest, for 7 days: designated from 8 January.
    assert earliest_designation(plan, 2016) == dt.date(2015, 12, 31) + dt.timedelta(days=7 + 1) == dt.date(2016, 1, 8)
    assert earliest_designation(plan, 2017) is None  # no deadline in the text for later rounds
    assert one_type_per_county(plan, 2016) and not one_type_per_county(plan, 2017)


def test_bases_page_rule_lines(catalog):
    from ui.programme import rule_lines

    assert rule_lines(catalog.plans["zhejiang-2015"], "zh") == [
        "2016年度申报截止：2015-12-31，报送省经信委、省财政厅",
        "每年度公示期 7 天，公示无异议后发文公布",
        "2016年度每个县（市、区）只申报示范、特色、创业基地中的一类"]
    assert rule_lines(catalog.plans["qingdao-2012"], "en") == []


# ---------------------------------------------------------------------------------- Jiaxing

# 半年拉框架、一年出形象，两年成规模、三年出成效, from the (approximate) issue date 2021-06-01.
MILESTONES = [("jx-t-01", "半年拉框架", dt.date(2021, 6 + 6, 1)), ("jx-t-02", "一年出形象", dt.date(2021 + 1, 6, 1)),
              ("jx-t-03", "两年成规模", dt.date(2021 + 2, 6, 1)), ("jx-t-04", "三年出成效", dt.date(2021 + 3, 6, 1))]


def test_jiaxing_milestones_are_dated_from_the_issue_date(catalog):
    plan = catalog.plans["jiaxing-2021"]
    assert plan.issued == dt.date(2021, 6, 1)
    got = {t.task_id: t for t in plan.tasks}
    for task_id, text, due in MILESTONES:
        assert (got[task_id].text, got[task_id].due) == (text, due)
        assert text in got[task_id].source_quote


INSTITUTIONS = ["软件产业高质量发展领导小组", "专家咨询组", "软件行业协会", "软件产业高峰论坛", "总规模50亿元的软件产业发展基金",
                "软件产业研究中心", "工业软件开发和推广中心", "软件产业孵化器", "软件人力资源服务机构", "长三角数字工匠学院",
                "软件产业招商小分队", "软件标准化研究院"]


def test_jiaxing_one_off_institutions_are_due_when_the_framework_is(catalog):
    plan = catalog.plans["jiaxing-2021"]
    institutions = [t for t in plan.tasks if t.task_id not in {m[0] for m in MILESTONES}]
    assert len(institutions) == len(INSTITUTIONS)
    for name in INSTITUTIONS:
        (task,) = [t for t in institutions if name in t.text]
        assert name in task.source_quote and task.due == dt.date(2021, 12, 1)  # 半年拉框架
    assert {t.lead_departments for t in plan.tasks} == {("市经信局",)}  # 办公室设在市经信局


# ------------------------------------------------------------------------ store and tracking


def test_sync_stores_each_task_with_its_due_date(store):
    qd = programme.plan_tasks(store, "qingdao-2012")
    assert list(qd.task_id) == ["qd-t-01"] and qd.phase.isna().all()
    assert qd.due.iloc[0].date() == dt.date(2016, 12, 31)
    sz = programme.plan_tasks(store, "shenzhen-2011").set_index("task_id")
    assert (int(sz.phase["sz-t-01"]), sz.due["sz-t-01"].date()) == (2, dt.date(2012, 3, 31))  # the end of phase 2


def test_a_dated_task_is_overdue_after_its_own_date(store):
    infos, ups = tasks.from_frames(programme.plan_tasks(store, "jiaxing-2021"), programme.task_updates(store, "jiaxing-2021"))
    at = {q: {s.task.task_id: s.overdue for s in tasks.task_states(infos, ups, q)}
          for q in (Period(2021, 3), Period(2021, 4), Period(2022, 1), Period(2022, 2))}
    assert not any(at[Period(2021, 3)].values())  # at 2021-09-30 nothing is due yet
    assert at[Period(2021, 4)]["jx-t-01"] and at[Period(2021, 4)]["jx-t-05"]  # due 2021-12-01 < 2021-12-31, not done
    assert not at[Period(2022, 1)]["jx-t-02"]  # due 2022-06-01, after 2022-03-31
    assert at[Period(2022, 2)]["jx-t-02"]  # 2022-06-01 < 2022-06-30 and nobody reported it done


def test_task_quarters_run_to_the_last_due_date(store, catalog):
    qd = queries.task_quarters(store, SYSTEM, catalog.plans["qingdao-2012"])
    # issued 2012-04-26 (2012Q2) to the task due 2016-12-31 (2016Q4): 3 quarters of 2012 and 4 of 2013–2016
    assert (qd[-1], qd[0], len(qd)) == (Period(2012, 2), Period(2016, 4), 3 + 4 * 4)
    jx = queries.task_quarters(store, SYSTEM, catalog.plans["jiaxing-2021"])
    assert (jx[-1], jx[0]) == (Period(2021, 2), Period(2024, 2))  # the last milestone, 2024-06-01


# ------------------------------------------------------------------------ the loader refuses


def _task_undated(plan):
    del plan["tasks"][0]["due"]


def _duty_after_unknown(plan):
    plan["duties"][0]["after"] = "no-such-duty"


def _cluster_in_a_city(plan):
    plan["cluster_bases"][0]["parks"] = ["qingdao"]


def _land_in_money(plan):
    plan["organisations"][1]["planned_land"] = {"value": 1200, "unit": "万元"}


def _cluster_misnamed(plan):
    plan["cluster_bases"][0]["name_zh"] = "海洋软件基地"


def _recurring_duty_mid_month(plan):
    plan["duties"][0]["due"] = dt.date(2012, 12, 15)


@pytest.mark.parametrize(("edit", "problem"), [
    (_task_undated, "give a phase or a due date"),
    (_duty_after_unknown, "is not another duty of the plan"),
    (_cluster_in_a_city, "'qingdao' is not a park"),
    (_land_in_money, "planned_land is an area"),
    (_cluster_misnamed, "is not in its source_quote"),
    (_recurring_duty_mid_month, "falls due at a month end"),
])
def test_the_loader_refuses_a_broken_addition(tmp_path, edit, problem):
    data = copy_data(tmp_path)
    path = data / "plans" / "qingdao-2012.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(plan)
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=problem):
        load_catalog(data)
