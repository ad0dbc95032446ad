"""The plan catalog: every plan file validates, and quotes its seed text verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.models import OrgKind, TargetKind
from store.catalog import DATA_DIR, CatalogError, load_catalog
from tests.catalog_files import copy_data

SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PLAN_FILES = sorted((DATA_DIR / "plans").glob("*.yaml"))


def test_five_plans_one_per_seed(catalog):
    seeds = sorted(p.name for p in (DATA_DIR / "seeds").glob("*.txt"))
    assert len(PLAN_FILES) == 5
    assert sorted(p.seed_file for p in catalog.plans.values()) == seeds


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.stem)
def test_every_source_quote_occurs_verbatim_in_its_seed(path, catalog):
    plan = next(p for p in catalog.plans.values() if path.stem == p.plan_id)
    seed = (DATA_DIR / "seeds" / plan.seed_file).read_text(encoding="utf-8")
    quotes = [t.source_quote for t in plan.targets] + [i.source_quote for i in plan.incentives]
    quotes += [t.source_quote for t in plan.tasks] + [o.source_quote for o in plan.organisations if o.source_quote]
    quotes += [r.source_quote for r in plan.responsibilities]
    assert quotes
    missing = [q for q in quotes if q not in seed]
    assert missing == []


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside this checkout")
def test_repo_seed_copies_match_the_shared_seeds():
    for shared in SHARED_SEEDS.glob("*.txt"):
        assert (DATA_DIR / "seeds" / shared.name).read_bytes() == shared.read_bytes()


# No plan holds a density target since Qingdao's land figures (第十条) became what the text makes them:
# conditions of admission checked park by park (plan criteria, metrics/criteria.py).
UNUSED_KINDS = {TargetKind.DENSITY}


def test_catalog_holds_every_kind_of_target(catalog):
    kinds = {t.kind for p in catalog.plans.values() for t in p.targets}
    assert kinds == set(TargetKind) - UNUSED_KINDS


def test_headline_targets_quoted_from_the_brief(catalog):
    def value(plan, tid):
        t = catalog.target(plan, tid)
        return t.value, t.unit, t.target_year

    assert value("hangzhou-2012", "hz-main-revenue") == (3000, "亿元", 2015)
    assert value("qingdao-2012", "qd-software-revenue") == (2200, "亿元", 2016)
    assert value("jiaxing-2021", "jx-software-revenue") == (300, "亿元", 2025)
    for plan in catalog.plans.values():
        assert sum(t.headline for t in plan.targets) == 1, plan.plan_id


def test_the_organisation_tree_has_one_root(catalog):
    assert catalog.root == "cn" and catalog.organisations["cn"].kind == OrgKind.COUNTRY


def test_parks_named_in_plans_are_organisations(catalog):
    parks = {o.org_id for o in catalog.organisations.values() if o.kind == OrgKind.PARK}
    assert {"qd-softcity", "qd-infovalley", "qd-comm-park", "qd-haier-park", "qd-hisense-park", "qd-anime-park",
            "jx-core", "jx-tongxiang", "jx-nanhu", "jx-haining", "hz-binjiang", "sz-software-park"} <= parks
    for t in (t for p in catalog.plans.values() for t in p.targets):
        assert t.scope in catalog.organisations


def test_shenzhen_tasks_and_incentives(catalog):
    sz = catalog.plans["shenzhen-2011"]
    assert len(sz.tasks) >= 40
    assert all(t.lead_departments for t in sz.tasks)
    assert {p.phase for p in sz.phases} == {1, 2}
    qd = {i.threshold.canonical: i.reward.canonical for i in catalog.plans["qingdao-2012"].incentives if i.reward}
    # 5000万/1亿/5亿/10亿元 → 50/100/150/200万元 (canonical 万元)
    assert qd == {5000: 50, 10000: 100, 50000: 150, 100000: 200}
    jx = catalog.plans["jiaxing-2021"].incentives
    assert {i.min_growth_pct for i in jx} == {10}


def test_validation_reports_every_problem_at_once(tmp_path):
    data = copy_data(tmp_path)
    path = data / "plans" / "qingdao-2012.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan["targets"][0]["source_quote"] = "这句话不在原文里"
    plan["targets"][1]["indicator"] = "no_such_indicator"
    plan["targets"][2]["unit"] = "人"  # exports in people: wrong dimension
    plan["targets"][3]["scope"] = "nowhere"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(data)
    text = str(err.value)
    assert len(err.value.problems) >= 4
    assert "source_quote not found verbatim" in text
    assert "no_such_indicator" in text
    assert "'人'" in text
    assert "nowhere" in text


def test_a_responsibility_names_only_what_its_sentence_says(tmp_path):
    """Responsible units are catalog data quoting the plan (issue 18): a department not in the
    quote, a target or task the plan lacks, or a quote not in the seed is refused."""
    data = copy_data(tmp_path)
    path = data / "plans" / "zhejiang-2015.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan["responsibilities"] = [
        {"targets": ["zj-revenue-growth"], "departments": ["省发展改革委"],
         "source_quote": "省经信委会同省财政厅负责申报"},
        {"targets": ["zj-no-such-target"], "tasks": ["no-such-task"], "source_quote": "这句话不在原文里"}]
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(data)
    text = str(err.value)
    assert "'省发展改革委' is not in its source_quote" in text
    assert "'zj-no-such-target' is not a target of the plan" in text
    assert "'no-such-task' is not a task of the plan" in text
    assert "responsibilities[1]: source_quote not found verbatim" in text


def test_unknown_field_is_rejected(tmp_path):
    data = copy_data(tmp_path)
    path = data / "plans" / "hangzhou-2012.yaml"
    plan = yaml.safe_load(path.read_text(encoding="utf-8"))
    plan["targets"][0]["valeu"] = 1
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="valeu"):
        load_catalog(data)


def test_qingdao_has_its_ten_districts_of_2012_2016(catalog):
    """The 区市 among which qingdao-2012 sets a quota per district, as they were after the 2012
    mergers (四方区 into 市北区, 胶南市 into 黄岛区); the parks stay under the base."""
    districts = {o.org_id: o.name_zh for o in catalog.organisations.values()
                 if o.kind == OrgKind.DISTRICT and o.parent == "qingdao"}
    assert districts == {
        "qd-shinan": "青岛市市南区", "qd-shibei": "青岛市市北区", "qd-licang": "青岛市李沧区", "qd-laoshan": "青岛市崂山区",
        "qd-huangdao": "青岛市黄岛区", "qd-chengyang": "青岛市城阳区", "qd-jimo": "青岛市即墨市", "qd-jiaozhou": "青岛市胶州市",
        "qd-pingdu": "青岛市平度市", "qd-laixi": "青岛市莱西市"}
    assert not [o for o in catalog.organisations.values() if o.kind == OrgKind.DISTRICT
                and catalog.is_under(o.org_id, "qingdao") and o.parent != "qingdao"]
    assert {o.parent for o in catalog.parks_under("qingdao")} == {"qd-base"}


def test_the_college_with_a_quota_of_its_own_is_an_institution_under_jiaxing(catalog):
    college = catalog.organisations["jx-vocational-college"]
    assert (college.kind, college.parent, college.name_zh) == (OrgKind.INSTITUTION, "jiaxing", "嘉兴职业技术学院")
    assert "嘉职院" in college.aliases and "嘉职院" in college.source_quote
    target = catalog.target("jiaxing-2021", "jx-graduates-college")
    assert target.scope == "jx-vocational-college"
    # Its graduates are the college's report, and a city's bottom-up total adds what colleges report.
    assert catalog.indicators[target.indicator].reported_by == OrgKind.INSTITUTION
