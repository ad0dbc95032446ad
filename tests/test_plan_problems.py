"""A plan's problems in the reader's language (issue 20): each common mistake in a draft, as the
authoring page shows it — the row it lies in and the reason in Chinese and in English — and the
English sentence the command line and CatalogError always printed.

A draft of one target (row 1, on the plan's own text) is broken one way per case; the draft's shape
(domain/drafts.py) and the catalog's checks (store/catalog.py, as publishing runs them) judge it,
and ui/authoring.py `located` lays the problems out as the page does.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain import drafts
from domain.catalog import Catalog
from domain.messages import render
from domain.models import Adjustment
from domain.problems import CatalogProblem
from store import plans as plan_store
from store.catalog import problems_joining
from ui import authoring

TEXT = "到2028年，全市软件业务收入达到3000亿元以上，累计新增软件企业1000家。海洋软件特色园加快建设。"
NAME = "qingdao-2026.txt"
HEADER = drafts.Header(plan_id="qingdao-2026", title_zh="青岛市软件产业三年行动计划", issuer_zh="青岛市工业和信息化局",
                       issued=dt.date(2026, 3, 1), scope="qingdao", base_year=2025, horizon_end=2028, seed_file=NAME)
ROW = {"keep": True, "kind": "level", "indicator": "software_revenue", "scope": "qingdao", "comparator": ">=",
       "value": 3000, "unit": "亿元", "target_year": 2028, "quote": "全市软件业务收入达到3000亿元以上"}
PARK = {"keep": True, "org_id": "qingdao-p1", "name_zh": "海洋软件特色园", "kind": "park", "parent": "qingdao",
        "quote": "海洋软件特色园加快建设"}


def judged(catalog: Catalog, target: dict, scopes: list[dict]) -> tuple[dict, list]:
    """The draft's problems, or (when it makes a plan) the catalog's, as the page has them."""
    rows = {"targets": [target], "scopes": scopes}
    plan, shape = drafts.build(HEADER, catalog.indicators, rows["targets"], scopes=scopes)
    found = [] if plan is None else problems_joining(catalog, plan, {NAME: TEXT}.get, plan.plan_id)
    return rows, [*shape, *found]


# (what the person did, the row changed, the new-scopes rows, table, row, column (zh),
#  the reason in Chinese, the reason in English)
CASES = [
    ("quote not verbatim", {"quote": "全市软件业务收入达到9999亿元"}, [], "目标", 1, "",
     "原文在上传的规划文本中找不到（须逐字一致）：“全市软件业务收入达到9999亿元…”",
     "source_quote not found verbatim in qingdao-2026.txt: '全市软件业务收入达到9999亿元'…"),
    ("unknown indicator", {"indicator": "no_such_indicator"}, [], "目标", 1, "",
     "指标“no_such_indicator”不在指标目录中", "indicator 'no_such_indicator' is not in indicators.yaml"),
    ("unknown scope", {"scope": "nowhere"}, [], "目标", 1, "",
     "范围“nowhere”不是已知的组织（城市、区县或园区）", "scope 'nowhere' is not a known organisation"),
    ("a unit that does not measure the indicator", {"unit": "万人"}, [], "目标", 1, "",
     "单位“万人”不能计量指标“software_revenue”（应为万元一类的单位）",
     "unit '万人' does not measure software_revenue (万元)"),
    ("a cumulative target on a stock", {"kind": "cumulative", "indicator": "firm_count", "value": 1000, "unit": "家",
                                        "quote": "累计新增软件企业1000家"}, [], "目标", 1, "",
     "“累计目标”类目标按每年新增的量累计，而指标“firm_count”是存量（年末数），不能这样累计",
     "a cumulative target counts a yearly flow; firm_count is a stock"),
    ("a value that is not a number", {"value": "三千"}, [], "目标", 1, "数值",
     "须填数字", "Input should be a valid number, unable to parse string as a number"),
    ("a required field left empty", {"unit": None}, [], "目标", 1, "单位",
     "必填，不能为空", "Field required"),
    ("target_year not after base_year", {"target_year": 2024}, [], "目标", 1, "",
     "目标年（2024年）须晚于基期年（2025年）", "target_year 2024 must be after base_year 2025"),
    ("a growth target with a ceiling", {"kind": "growth", "value": 12, "unit": "%", "comparator": "<="}, [], "目标", 1,
     "", "目标“qingdao-2026-t1”：增速目标按下限判断（达到、超过或左右），不能用“<=”",
     "qingdao-2026-t1: a growth target is judged as a floor (>=, >, about), not <="),
    ("a share of another's total on another indicator", {"kind": "share", "value": 5, "unit": "%",
                                                         "denominator_indicator": "main_revenue",
                                                         "denominator_scope": "cn"}, [], "目标", 1, "",
     "目标“qingdao-2026-t1”：占cn总量的比重须以同一指标相除：分子应为“main_revenue”，而不是“software_revenue”",
     "qingdao-2026-t1: a share of cn's total must divide main_revenue by itself, not software_revenue"),
    ("an organisation declared twice", {"scope": "qingdao-p1"}, [PARK, PARK], "新增园区/区县", 2, "",
     "组织“qingdao-p1”声明了两次", "organisation 'qingdao-p1' is declared twice"),
]


@pytest.mark.parametrize(("change", "scopes", "table", "row", "column", "zh", "en"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_common_problem_at_its_row_in_the_readers_language(catalog: Catalog, change, scopes, table, row, column,
                                                                 zh, en):
    rows, found = judged(catalog, {**ROW, **change}, scopes)
    assert [render(p.reason, "zh") for p in found] == [zh]  # this problem, and it alone
    assert render(found[0].reason, "en") == en
    shown = authoring.located([p for p in found if isinstance(p, drafts.Problem)],
                              [p for p in found if isinstance(p, CatalogProblem)], rows, "zh")
    assert shown.to_dict("records") == [{"表": table, "行": row, "列": column, "问题": zh}]
    shown_en = authoring.located([p for p in found if isinstance(p, drafts.Problem)],
                                 [p for p in found if isinstance(p, CatalogProblem)], rows, "en")
    assert list(shown_en.iloc[0])[-1] == en


def test_the_unbroken_draft_has_no_problem(catalog: Catalog):
    assert judged(catalog, dict(ROW), [PARK])[1] == []


def test_str_is_the_english_sentence_the_checks_always_wrote(catalog: Catalog):
    _, found = judged(catalog, {**ROW, "indicator": "no_such_indicator"}, [])
    assert str(found[0]) == "qingdao-2026: targets[0] qingdao-2026-t1: indicator 'no_such_indicator' is not in indicators.yaml"
    _, found = judged(catalog, {**ROW, "value": None}, [])
    assert str(found[0]) == "targets row 1 · value: Field required"


def test_the_adjustments_in_force_must_be_kept(store, catalog: Catalog):
    """Publishing a plan again without the mid-term adjustment in force is refused, at the plan."""
    shipped = catalog.plans["hangzhou-2012"]
    kept = shipped.targets[0]
    adjusted = shipped.model_copy(update={"adjustments": (Adjustment(
        effective=dt.date(2014, 7, 1), document_zh="中期调整", seed_file=shipped.seed_file,
        source_quote=kept.source_quote, targets=(kept,)),)})
    found = plan_store.problems(store, catalog.with_plans([adjusted]), shipped, {})
    assert [(render(p.reason, "zh"), render(p.reason, "en")) for p in found] == [(
        "现行的 1 次中期调整须原样保留；如需改动，请再做一次调整",
        "the 1 adjustment(s) in force must be kept as they are; a change is a further adjustment")]
    shown = authoring.located([], found, {}, "zh")
    assert shown.to_dict("records") == [{"表": "规划", "行": None, "列": "", "问题": render(found[0].reason, "zh")}]
