"""The briefing's sections on targets behind (with responsible units) and since last quarter, read
back from Word (python-docx), PDF (pypdf) and Excel (openpyxl) and checked against arithmetic.

The store is built here: Qingdao's software revenue 600 亿元 in 2011, 780 亿元 in 2012 and 850 亿元
in 2013 (stored in 万元). The plan asks for 2200 亿元 in 2016, a required growth of
(2200/600)^(1/5) − 1 = 29.67 % a year. At 2013 Q3 the latest figure is 2012's: 30 % growth, a ratio
of 1.011 (≥ 0.95): on track. At 2013 Q4 it is 2013's: √(850/600) − 1 = 19.02 % a year, a ratio of
0.641 (0.60 … 0.95): acceleration needed — so the target appears in both sections.
"""

from __future__ import annotations

import io
import math

import openpyxl
import pytest
from docx import Document as open_docx
from pypdf import PdfReader

from domain.access import SYSTEM
from domain.periods import Period
from domain.programme import responsible_units
from reports import render
from reports.briefing import build
from service.queries import briefing_inputs
from store.db import connect
from tests.test_tracker import put

REVENUE = "全市软件业务收入"
Q4 = Period(2013, 4)
G_REQ = (2200 / 600) ** (1 / 5) - 1
G_2013 = math.sqrt(850 / 600) - 1
COMPLETION = 850 / 2200  # 38.6 %
COMPLETION_BEFORE = 780 / 2200  # 35.5 %


@pytest.fixture
def qingdao(store):
    put(store, [("qingdao", "software_revenue", 2011, 4, 6_000_000.0),
                ("qingdao", "software_revenue", 2012, 4, 7_800_000.0),
                ("qingdao", "software_revenue", 2013, 4, 8_500_000.0)])
    return store


def test_the_arithmetic_behind_the_fixture():
    assert 0.30 / G_REQ >= 0.95  # 2012: on track
    assert 0.60 <= G_2013 / G_REQ < 0.95  # 2013: acceleration needed


def _files(con, catalog, plan_id: str, as_of: Period, lang: str = "zh") -> tuple:
    doc = build(briefing_inputs(con, catalog, SYSTEM, plan_id, as_of), lang)
    return doc, {fmt: render(doc, fmt) for fmt in ("docx", "pdf", "xlsx")}


def _docx_table(data: bytes, header: str) -> list[list[str]]:
    """The Word table whose header row holds `header`, as text rows (header first)."""
    doc = open_docx(io.BytesIO(data))
    table = next(t for t in doc.tables if header in [c.text for c in t.rows[0].cells])
    return [[c.text for c in row.cells] for row in table.rows]


def _sheet(data: bytes, name: str) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[name]
    return [r for r in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in r)]


def _pdf_text(data: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def test_a_target_behind_with_its_figures_and_responsible_unit(qingdao, catalog):
    doc, files = _files(qingdao, catalog, "qingdao-2012", Q4)
    headings = [s.heading for s in doc.sections]
    assert headings[1] == "二、需加快推进的目标及责任单位"
    # Word: the row of the revenue target, every figure formatted
    rows = _docx_table(files["docx"], "责任单位")
    header = rows[0]
    assert header[:8] == ["目标", "范围", "实际值", "目标值", "单位", "完成率", "状态", "说明"]
    row = next(r for r in rows if r[0] == REVENUE)
    assert row[1:7] == ["青岛市", "850.00", "2,200.00", "亿元", f"{COMPLETION:.1%}", "需加快"]
    assert row[-1] == "市经济信息化委"
    assert f"{G_2013:+.1%}" in row[7]  # the reason names the growth achieved
    # Excel: numbers as numbers, and the plan's own sentence beside the unit
    sheet = _sheet(files["xlsx"], "需加快推进的目标")
    cols = list(sheet[0])
    xrow = next(r for r in sheet if r[0] == REVENUE)
    assert xrow[cols.index("实际值")] == pytest.approx(850)
    assert xrow[cols.index("完成率")] == pytest.approx(COMPLETION)
    assert xrow[cols.index("责任单位")] == "市经济信息化委"
    assert xrow[cols.index("规划依据")] == "领导小组办公室设在市经济信息化委"
    # PDF: the same row in the section
    text = _pdf_text(files["pdf"])
    section = text[text.index("需加快推进的目标及责任单位（截至"):]
    assert "850.00" in section and "2,200.00" in section and "市经济信息化委" in section


def test_targets_behind_come_worst_first(demo_db, catalog):
    con = connect(demo_db, read_only=True)
    try:
        doc = build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Period(2015, 3)))
    finally:
        con.close()
    rows = doc.sections[1].blocks[1].rows
    order = ["未完成", "偏离目标", "进展有限", "需加快"]
    statuses = [r[6] for r in rows]
    assert statuses == sorted(statuses, key=order.index)
    judged = [r for r in doc.tables()[0].rows if r[10] in order]  # table 1: every target's status
    assert len(rows) == len(judged) and len(rows) > 1


def test_where_the_plan_names_no_one_the_briefing_says_so(store, catalog):
    plan = catalog.plans["zhejiang-2015"]
    assert responsible_units(plan, "zj-revenue-growth") == ()
    assert responsible_units(plan, "zj-bases-startup") == ("省经信委", "省财政厅")
    # Zhejiang's revenue from 1000 亿元 (2015) to 1050 (2016): 5 % against 15 % a year, limited
    put(store, [("zhejiang", "software_revenue", 2015, 4, 10_000_000.0),
                ("zhejiang", "software_revenue", 2016, 4, 10_500_000.0)])
    for lang, said in (("zh", "规划未明确责任单位"), ("en", "The plan names no responsible unit")):
        doc, files = _files(store, catalog, "zhejiang-2015", Period(2016, 4), lang)
        behind = doc.sections[1].blocks[1]
        name = plan.targets[0].name_zh if lang == "zh" else plan.targets[0].name_en  # zj-revenue-growth
        row = next(r for r in behind.rows if r[0] == name)
        assert row[-2] == said and row[-1] == "—"
        word_row = next(r for r in _docx_table(files["docx"], behind.columns[8].header) if r[0] == name)
        assert word_row[-1] == said


@pytest.mark.parametrize(("plan_id", "target_id", "units"), [
    ("hangzhou-2012", "hz-software-revenue", ("市经信委",)),
    ("shenzhen-2011", "sz-national-share", ("市科工贸信委",)),  # through task sz-t-01's lead department
    ("jiaxing-2021", "jx-nanhu-revenue", ("市经信局",)),
    ("qingdao-2012", "qd-exports", ("市经济信息化委",)),
    ("zhejiang-2015", "zj-2016-bases-featured", ("省经信委", "省财政厅")),
    ("zhejiang-2015", "zj-revenue-growth", ()),
])
def test_responsible_units_from_the_catalog(catalog, plan_id, target_id, units):
    assert responsible_units(catalog.plans[plan_id], target_id) == units


def test_since_last_quarter_in_word_pdf_and_excel(qingdao, catalog):
    doc, files = _files(qingdao, catalog, "qingdao-2012", Q4)
    section = next(s for s in doc.sections if s.heading.endswith("较上季度变化"))
    points = (COMPLETION - COMPLETION_BEFORE) * 100  # 3.18 percentage points
    # the status moved: on track → acceleration needed, a move for the worse
    moved = _docx_table(files["docx"], "上季度状态")
    assert moved[0] == ["目标", "范围", "上季度状态", "本季度状态", "变化"]
    assert [REVENUE, "青岛市", "进度正常", "需加快", "下滑"] in moved
    # a new figure: 2012 → 2013, 780 → 850 亿元, completion 35.5 % → 38.6 %
    fresh = _docx_table(files["docx"], "完成率变化（百分点）")
    row = next(r for r in fresh if r[0] == REVENUE)
    assert row[1:] == ["青岛市", "2012", "2013", "780.00", "850.00", "亿元", f"{COMPLETION_BEFORE:.1%}",
                       f"{COMPLETION:.1%}", f"{points:.1f}"]
    # one line counts the rest: every target of the plan without a new figure
    n_fresh = len(fresh) - 1
    stale = len(catalog.plans["qingdao-2012"].targets) - n_fresh
    lines = [b.text for b in section.blocks if hasattr(b, "text")]
    assert f"其余{stale}项目标本季度无新数据，沿用上季度的判断。" in lines
    assert lines[0].startswith("与2013年1-9月相比：") and f"{n_fresh}项目标有新数据，{stale}项目标本季度无新数据" in lines[0]
    # Excel: numbers as numbers
    sheet = _sheet(files["xlsx"], "新数据")
    cols = list(sheet[0])
    xrow = next(r for r in sheet if r[0] == REVENUE)
    assert xrow[cols.index("本季度实际值")] == pytest.approx(850)
    assert xrow[cols.index("上季度完成率")] == pytest.approx(COMPLETION_BEFORE)
    assert xrow[cols.index("完成率变化（百分点）")] == pytest.approx(points)
    assert next(r for r in _sheet(files["xlsx"], "状态变化") if r[0] == REVENUE)[2:] == ("进度正常", "需加快", "下滑")
    # PDF: the same rows
    text = _pdf_text(files["pdf"])
    part = text[text.index("状态变化的目标"):]
    assert "进度正常需加快下滑" in part and f"780.00850.00亿元{COMPLETION_BEFORE:.1%}{COMPLETION:.1%}{points:.1f}" in part


def test_the_same_target_in_both_sections_in_english(qingdao, catalog):
    doc, files = _files(qingdao, catalog, "qingdao-2012", Q4, "en")
    name = catalog.plans["qingdao-2012"].targets[0].name_en
    behind, moved = doc.sections[1].blocks[1], doc.sections[2].blocks[1]
    assert name in [r[0] for r in behind.rows] and name in [r[0] for r in moved.rows]
    assert next(r for r in moved.rows if r[0] == name)[2:] == ["On track", "Acceleration needed", "worse"]


def test_a_park_briefing_shows_the_parks_changes_only(qingdao, catalog):
    # 青岛信息谷 (400 亿元 by 2016): 100 亿元 in 2012, 120 in 2013
    put(qingdao, [("qd-infovalley", "software_revenue", 2012, 4, 1_000_000.0),
                  ("qd-infovalley", "software_revenue", 2013, 4, 1_200_000.0)])
    doc = build(briefing_inputs(qingdao, catalog, SYSTEM, "qingdao-2012", Q4, park_id="qd-infovalley"))
    section = next(s for s in doc.sections if s.heading.endswith("较上季度变化"))
    tables = [b for b in section.blocks if hasattr(b, "rows")]
    assert tables and {r[1] for t in tables for r in t.rows} == {"青岛信息谷"}
    fresh = next(t for t in tables if t.columns[-1].header == "完成率变化（百分点）")
    row = next(r for r in fresh.rows if r[0] == "青岛信息谷软件业务收入")
    assert row[4:7] == [pytest.approx(100), pytest.approx(120), "亿元"]
    assert row[-1] == pytest.approx((120 - 100) / 400 * 100)
    assert REVENUE in [r[0] for r in doc.tables()[0].rows]  # the city's headline stays in table 1 for context


@pytest.mark.parametrize(("target_id", "figures", "cells"), [
    # 引进高端人才 (100 名 by 2016, summed from 2012): 10 + 12 = 22 人, whole people, never 0.00 万人
    ("qd-high-end-talents", [("talents_introduced", 2012, 10.0), ("talents_introduced", 2013, 12.0)],
     ("100", "22", "人", "#,##0")),
    # 从业人员 (20 万人 by 2016): 160,000 人 is 16.00 万人 (a head count from 10,000 on)
    ("qd-staff", [("employees", 2011, 120_000.0), ("employees", 2012, 150_000.0), ("employees", 2013, 160_000.0)],
     ("20.00", "16.00", "万人", "#,##0.00")),
    # 软件业务收入 (2,200 亿元 by 2016): two decimals and a thousands separator
    ("qd-software-revenue", [], ("2,200.00", "850.00", "亿元", "#,##0.00")),
])
def test_every_figure_in_its_natural_unit_and_decimals(qingdao, catalog, target_id, figures, cells):
    put(qingdao, [("qingdao", ind, y, 4, v) for ind, y, v in figures])
    plan = catalog.plans["qingdao-2012"]
    name = next(t.name_zh for t in plan.targets if t.target_id == target_id)
    doc, files = _files(qingdao, catalog, "qingdao-2012", Q4)
    target, actual, unit, excel_format = cells
    word = next(r for r in _docx_table(files["docx"], "目标值") if r[0] == name)  # table 1
    assert word[2:5] == [target, actual, unit]
    assert f"{target}{actual}{unit}" in _pdf_text(files["pdf"])
    ws = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))["目标完成情况"]
    header = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == name)
    assert row[header.index("实际值")].value == pytest.approx(float(actual.replace(",", "")))
    assert row[header.index("实际值")].number_format == excel_format
    assert row[header.index("目标年")].value == 2016 and row[header.index("目标年")].number_format == "0"


def test_a_table_refuses_places_of_another_shape():
    from reports.model import Column, Table
    with pytest.raises(ValueError, match="shape"):
        Table(title="t", columns=[Column(header="a", kind="number")], rows=[[1.0], [2.0]], places=[[0]])
    table = Table(title="t", columns=[Column(header="a", kind="number", decimals=2)], rows=[[62.0], [1234.5]],
                  places=[[0], [None]])
    assert table.texts_on_paper() == [["62"], ["1,234.50"]]
