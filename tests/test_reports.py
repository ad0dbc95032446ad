"""The quarterly briefing: its content from the numbers, and the Word, PDF and Excel files opened
with python-docx, pypdf/poppler and openpyxl.

Figures are worked out by hand from data/demo.yaml: Qingdao's official software revenue is
600 亿元 in 2011 growing 25 % a year, reported year to date at 21/46/72/100 % of the year, so
2015 1-9月 is 0.72 · 600 · 1.25⁴ = 1054.6875 亿元, 25.0 % above 2014 1-9月. The plan asks for
2200 亿元 in 2016 from 2011, so 2015's point on the required path is 600 · (2200/600)^(4/5) and
the year's completion is 1054.6875 divided by it.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document as open_docx
from docx.shared import RGBColor
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from domain.access import SYSTEM, AuthorizationError, Identity, Role
from domain.models import OrgKind
from domain.periods import Period
from reports import render
from reports.briefing import build
from reports.model import Chart, ChartSeries, Column, Document, Paragraph, Section, Table
from service.queries import briefing_inputs
from store import orgs
from store.db import connect
from tests import rawsql
from tests.apptest_helpers import signed_in
from tests.conftest import LEADER_PASSWORD
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
Q3 = Period(2015, 3)
QD_2015 = 600 * 1.25**4
YTD = 0.72 * QD_2015  # 1054.6875
PATH_2015 = 600 * (2200 / 600) ** (4 / 5)
IN_YEAR = YTD / PATH_2015  # 0.6216…
BEHIND = 0.75 - IN_YEAR  # 0.128… of time elapsed
PARK_MANAGER = Identity(username="pm", display_name="pm", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")


@pytest.fixture(scope="module")
def qingdao(demo_db: Path, catalog) -> Document:
    con = connect(demo_db, read_only=True)
    try:
        return build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3))
    finally:
        con.close()


@pytest.fixture(scope="module")
def files(qingdao: Document) -> dict[str, bytes]:
    return {fmt: render(qingdao, fmt) for fmt in ("docx", "pdf", "xlsx")}


def test_hand_computed_figures_behind_the_summary():
    assert YTD == pytest.approx(1054.6875)
    assert f"{IN_YEAR:.1%}" == "62.2%"
    assert f"{BEHIND * 100:.1f}" == "12.8"


def test_summary_is_written_from_the_numbers(qingdao, catalog):
    plan = catalog.plans["qingdao-2012"]
    head = next(t for t in plan.targets if t.headline)
    assert (head.base_year, head.target_year, head.value) == (2011, 2016, 2200)  # what the path above assumes
    first = qingdao.summary[0]
    assert first.startswith("截至2015年三季度，")
    assert f"累计 {YTD:,.2f} 亿元" in first  # 1,054.69
    assert "同比增长 25.0%" in first
    # the demo publishes Qingdao's 同比 (+25.0 %): on a comparable base, last year's 1054.69 / 1.25 = 843.75
    assert f"（可比口径，上年同期可比基数{YTD / 1.25:,.2f} 亿元）" in first
    # and the usual third-quarter share of its own years (72 %) beside the linear 75 %
    assert "往年同期进度72%" in " ".join(qingdao.summary)
    assert f"完成年度目标的 {IN_YEAR:.1%}" in first
    assert f"低于序时进度 {BEHIND * 100:.1f} 个百分点" in first
    assert f"2014年为 {600 * 1.25**3:,.2f} 亿元" in first  # 1,171.88
    assert f"需年均增长 {(2200 / 600) ** (1 / 5) - 1:.1%}" in first  # 29.7 %
    assert qingdao.summary[-1].startswith(f"全部{len(plan.targets)}项目标中")


def test_title_block(qingdao, catalog):
    plan = catalog.plans["qingdao-2012"]
    assert qingdao.title == f"{plan.title_zh}实施情况季度简报"
    assert qingdao.subtitle == "2015年第三季度（1-9月）"
    meta = dict(qingdao.meta)
    assert meta["报告期"] == "2015年1-9月"
    assert meta["数据性质"] == "演示数据，非官方统计"
    assert qingdao.footer == "演示数据，非官方统计"


def test_word_document(files, qingdao, catalog):
    doc = open_docx(io.BytesIO(files["docx"]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    title = doc.paragraphs[0]
    assert title.text == qingdao.title
    run = title.runs[0]
    assert run.bold and run.font.size.pt == 22
    assert run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"
    body = next(p for p in doc.paragraphs if p.text.startswith("截至2015年三季度"))
    assert body.runs[0]._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋"
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "fldChar" in footer_xml  # a page-number field
    status = doc.tables[0]
    assert len(status.rows) == 1 + len(catalog.plans["qingdao-2012"].targets)
    assert status.rows[0].cells[0].text == "目标"
    assert len(doc.inline_shapes) >= 1  # the headline chart


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_word_headings_are_heading_styles_under_a_contents_field(files, qingdao):
    doc = open_docx(io.BytesIO(files["docx"]))
    headings = [p for p in doc.paragraphs if p.style.name.startswith("Heading")]
    # every section heading, and nothing else, in Word's Heading 1 (the navigation pane reads it)
    assert [(p.text, p.style.name) for p in headings] == [(s.heading, "Heading 1") for s in qingdao.sections]
    assert headings[0].text.startswith("一、")
    style = doc.styles["Heading 1"]
    assert style.font.color.rgb == RGBColor(0, 0, 0) and style.font.size.pt == 16
    assert style.element.rPr.rFonts.get(f"{W}eastAsia") == "黑体"
    assert style.element.pPr.find(f"{W}outlineLvl").get(f"{W}val") == "0"
    # a contents field before the first heading, computed by Word when it opens the file
    body = doc.element.body
    fields = body.findall(f".//{W}fldSimple")
    assert [f.get(f"{W}instr") for f in fields] == ['TOC \\o "1-3" \\h \\z \\u']
    order = list(body.iter(f"{W}fldSimple", f"{W}p"))
    assert order.index(fields[0]) < order.index(headings[0]._p)
    assert doc.settings.element.find(f"{W}updateFields").get(f"{W}val") == "true"
    assert "目  录" in [p.text for p in doc.paragraphs]


def test_excel_workbook(files, catalog):
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert wb.sheetnames[0] == "摘要"
    summary = wb["摘要"]
    assert summary["A1"].value.endswith("实施情况季度简报")
    sheet = wb["目标完成情况"]
    header = [c.value for c in sheet[2]]
    assert header[:4] == ["目标", "范围", "目标值", "实际值"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    assert len(rows) == len(catalog.plans["qingdao-2012"].targets)
    by_name = {r[0]: r for r in rows}
    head = by_name["全市软件业务收入"]
    completion = header.index("完成率")
    assert head[header.index("实际值")] == pytest.approx(600 * 1.25**3)  # 2014, a number, not text
    assert head[completion] == pytest.approx(600 * 1.25**3 / 2200)
    assert sheet.cell(3, completion + 1).number_format.endswith("%")
    with zipfile.ZipFile(io.BytesIO(files["xlsx"])) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())  # a native chart


def test_pdf_embeds_cjk_fonts_and_shows_them(files, tmp_path):
    reader = PdfReader(io.BytesIO(files["pdf"]))
    first = "".join(reader.pages[0].extract_text().split())  # the title wraps over lines
    assert "实施情况季度简报" in first and "1,054.69亿元" in first
    assert sum(len(p.images) for p in reader.pages) >= 1  # the chart
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(files["pdf"])
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "WenQuanYi" in line or "UMing" in line]
    assert any("WenQuanYi" in line for line in cjk) and any("UMing" in line for line in cjk)
    assert all(line.split()[-5] == "yes" for line in cjk)  # column emb: every subset is embedded
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copy(png, artifacts / "briefing-page1.png")  # for a person to look at
    from PIL import Image
    page = Image.open(png).convert("L")
    w, h = page.size
    title_band = page.crop((0, int(h * 0.08), w, int(h * 0.2)))
    ink = sum(title_band.histogram()[:128])  # dark pixels
    assert ink > 2000  # the Chinese title is drawn (an unembedded or missing face draws nothing here)


@pytest.fixture(scope="module")
def qingdao_en(demo_db: Path, catalog) -> Document:
    con = connect(demo_db, read_only=True)
    try:
        return build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3), lang="en")
    finally:
        con.close()


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_never_breaks_a_status_word(files, qingdao):
    """Column widths come from the text: 进度正常 is never split over two lines ("进度正\n常")."""
    text = _pdf_text(files["pdf"])
    text = text[text.index("表1"):text.index(qingdao.sections[1].heading)]  # table 1 (the summary wraps as it may)
    shown = {row[-2] for row in qingdao.tables()[0].rows}  # the status column on paper
    assert {"进度正常", "需加快", "已完成"} <= shown
    for word in shown:
        assert word in text
        assert [word[:i] + "\n" + word[i:] for i in range(1, len(word)) if word[:i] + "\n" + word[i:] in text] == []


def test_the_english_pdf_is_set_in_a_latin_face_with_whole_words_and_english_units(qingdao_en, tmp_path):
    data = render(qingdao_en, "pdf")
    pdf = tmp_path / "en.pdf"
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts  # proportional, not UMing's typewriter Latin
    tokens = set(_pdf_text(data).split())
    statuses = {w for row in qingdao_en.tables()[0].rows for w in row[-2].split()}
    assert {"Acceleration", "track"} <= statuses and statuses <= tokens
    # no word cut by a line end: no token is the head of a status word ("trac", "Acceleratio")
    assert sorted(t for t in tokens for w in statuses if len(t) >= 3 and w.startswith(t) and t != w) == []
    assert all(h not in tokens for h in ("Comple", "Completio", "el"))  # headers wrap between words too
    # units in English: a sentence counts in billions (1,054.69 亿元 = 105.47 billion yuan), a table names the unit
    text = " ".join(_pdf_text(data).split())
    assert f"reached {YTD / 10:,.2f} billion yuan year to date" in text
    units = {row[4] for row in qingdao_en.tables()[0].rows}
    assert {"100 million yuan", "100 million US dollars", "firms", "10,000 m²"} <= units
    assert not any("亿" in u or "万" in u for u in units)


@pytest.mark.parametrize(("symbol", "zh", "en"), [
    ("亿元", "亿元", "100 million yuan"), ("万元", "万元", "10,000 yuan"), ("万人", "万人", "10,000 people"),
    ("人", "人", "people"), ("个", "个", "units"), ("家", "家", "firms"), ("万平方米", "万平方米", "10,000 m²"),
    ("%", "%", "%"), ("no-such-unit", "no-such-unit", "no-such-unit")])
def test_unit_words(symbol, zh, en):
    from reports.briefing import unit_word
    assert (unit_word(symbol, "zh"), unit_word(symbol, "en")) == (zh, en)


@pytest.mark.parametrize(("value", "symbol", "zh", "en"), [
    (1054.6875, "亿元", "1,054.69 亿元", "105.47 billion yuan"),
    (1250.0, "万元", "1,250.00 万元", "12.50 million yuan"),
    (62.0, "人", "62 人", "62 people"),
    (1185.0, "家", "1,185 家", "1,185 firms"),
    (None, "亿元", "—", "—")])
def test_amounts_in_sentences(value, symbol, zh, en):
    from reports.briefing import amount
    assert (amount(value, symbol, "zh"), amount(value, symbol, "en")) == (zh, en)


def test_pdf_column_widths_from_the_text():
    """Each column at least its longest word; a crowded table set smaller before a word breaks."""
    from reports import pdf
    pdf.register_fonts()
    st = pdf._styles("zh")
    columns = [Column(header="目标"), Column(header="实际值", kind="number", decimals=2), Column(header="状态", wrap=False)]
    rows = [["全市软件业务收入" * 6, "1,171.88", "进度正常"]]
    sizes, used = pdf.widths(columns, [c.header for c in columns], rows, st, total=300)
    assert sum(sizes) == pytest.approx(300)
    status = pdfmetrics.stringWidth("进度正常", "Song", 8.5) + pdf.PAD
    assert sizes[2] >= status and sizes[1] >= pdfmetrics.stringWidth("1,171.88", "Song", 8.5) + pdf.PAD
    assert used["cell"].fontSize == 8.5  # it fitted: the long name wraps, the status does not
    crowded = [Column(header=f"状态{i}", wrap=False) for i in range(8)]  # 8 × (34 + 6.5) pt > 300
    sizes, used = pdf.widths(crowded, [c.header for c in crowded], [["偏离目标"] * 8], st, total=300)
    assert used["cell"].fontSize < 8.5
    assert all(w >= pdfmetrics.stringWidth("偏离目标", "Song", used["cell"].fontSize) + pdf.PAD - 1e-6 for w in sizes)


def test_excel_sheets_are_named_by_park_and_chart_data_formatted(files, qingdao_en, catalog):
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    parks = [o for o in catalog.organisations.values() if o.kind == OrgKind.PARK and o.parent is not None
             and any(t.scope == o.org_id for t in catalog.plans["qingdao-2012"].targets)]
    assert len(parks) >= 5
    assert {p.name_zh for p in parks} <= set(wb.sheetnames)  # 青岛软件城 …, not 目标完成情况 (2)…(5)
    assert not [n for n in wb.sheetnames if n.endswith(")")]
    for p in parks:  # each park's sheet holds that park's table
        assert wb[p.name_zh].cell(1, 1).value.endswith(f"{p.name_zh}目标完成情况")
    charts = wb["图表"]
    numbers = [c for row in charts.iter_rows() for c in row if isinstance(c.value, float)]
    assert numbers and {c.number_format for c in numbers} == {"#,##0.00"}  # 134.44, not 134.4430632110766
    english = openpyxl.load_workbook(io.BytesIO(render(qingdao_en, "xlsx"))).sheetnames
    assert "Qingdao Software City" in english and all(len(n) <= 31 for n in english)


@pytest.mark.parametrize(("wanted", "taken", "expected"), [
    ("青岛软件城", set(), "青岛软件城"),
    ("Parks: A/B [x]?", set(), "Parks_ A_B _x__"),  # []:*?/\ are not allowed in a sheet name
    ("National (Qingdao) Communication Industry Park", set(), "National (Qingdao)…"),  # ≤ 31, cut at a word
    ("目标" * 20, set(), "目标" * 15 + "…"),
    ("Targets", {"targets"}, "Targets (2)"),  # Excel ignores case
    ("Targets", {"Targets", "Targets (2)"}, "Targets (3)"),
    ("'quoted'", set(), "quoted"),
])
def test_sheet_names(wanted, taken, expected):
    from reports.excel import sheet_name
    assert sheet_name(wanted, set(taken)) == expected and len(expected) <= 31


DEFINITION_2012 = "2012年起，软件业务收入：口径调整"


def _notes(doc: Document) -> list[str]:
    return [b.text for b in doc.sections[-1].blocks]


def test_a_note_only_about_definition_changes_the_figures_cross(demo_db, catalog, qingdao):
    """Qingdao 2015 reads software revenue from 2011 (its chart from 2010): the 2012 change lies
    between, so the briefing says so. Jiaxing's plan is based on 2020: a 2023 briefing does not."""
    assert qingdao.sections[-1].heading.endswith("说明")
    assert any(n.startswith(DEFINITION_2012) for n in _notes(qingdao))
    con = connect(demo_db, read_only=True)
    try:
        inputs = briefing_inputs(con, catalog, SYSTEM, "jiaxing-2021", Period(2023, 4))
    finally:
        con.close()
    rows = [r for r in inputs.judgement.rows if r.indicator_id == "software_revenue"]
    assert rows and all(r.base_year == 2020 for r in rows)  # the indicator with the 2012 change is there
    jiaxing = build(inputs)
    assert not any("口径调整" in n for n in _notes(jiaxing))


@pytest.mark.parametrize(("first", "last", "noted"), [
    (2011, 2015, True), (2011, 2012, True),  # 2011 under the old definition, 2012 under the new
    (2012, 2015, False),  # every year shown already under the new definition
    (2010, 2011, False), (2020, 2023, False)])
def test_definition_notes_by_the_years_shown(demo_db, catalog, first, last, noted):
    from reports.briefing import notes
    con = connect(demo_db, read_only=True)
    try:
        rows = briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3).judgement.rows
    finally:
        con.close()
    said = notes(rows, catalog, "zh", {"software_revenue": (first, last)})
    assert any(n.startswith(DEFINITION_2012) for n in said) is noted


HEADER = ('{"qingdao-2012": {"issue": "青软办〔{year}〕{quarter}号", "office": "青岛市软件产业发展领导小组办公室", '
          '"distribution": ["报：市委办公厅、市政府办公厅", "送：各区市人民政府"]}, "*": {"issue": "第{quarter}期"}}')


def test_the_briefing_as_an_office_issues_it(demo_db, catalog, monkeypatch):
    """文号, compiling office and date line at the head, the distribution list at the foot, from
    TRACKER_BRIEFING_HEADER (per plan, "*" for the others)."""
    monkeypatch.setenv("TRACKER_BRIEFING_HEADER", HEADER)
    con = connect(demo_db, read_only=True)
    try:
        doc = build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3), today=dt.date(2015, 10, 30))
        other = build(briefing_inputs(con, catalog, SYSTEM, "jiaxing-2021", Period(2023, 4)), today=dt.date(2024, 1, 5))
    finally:
        con.close()
    assert (doc.issue, doc.office, doc.date_line) == ("青软办〔2015〕3号", "青岛市软件产业发展领导小组办公室", "2015年10月30日")
    assert doc.distribution == ["报：市委办公厅、市政府办公厅", "送：各区市人民政府"]
    assert (other.issue, other.office, other.distribution) == ("第4期", "", [])
    word = open_docx(io.BytesIO(render(doc, "docx")))
    lines = [p.text for p in word.paragraphs]
    assert lines[2:4] == ["青软办〔2015〕3号", "青岛市软件产业发展领导小组办公室\t2015年10月30日"]
    assert word.paragraphs[3]._p.pPr.find(f"{W}pBdr/{W}bottom").get(f"{W}color") == "C00000"  # the red rule
    assert lines[-2:] == doc.distribution
    text = " ".join(_pdf_text(render(doc, "pdf")).split())
    for said in ("青软办〔2015〕3号", "青岛市软件产业发展领导小组办公室", "2015年10月30日", *doc.distribution):
        assert said in text
    assert text.index("2015年10月30日") < text.index("一、") < text.index("报：市委办公厅")


def test_without_a_header_a_briefing_still_has_its_date_line(qingdao):
    assert (qingdao.issue, qingdao.office, qingdao.distribution) == ("", "", [])
    assert qingdao.date_line.endswith("日")
    from domain.messages import text
    assert text("briefing.date_line", "en", date=dt.date(2015, 10, 3)) == "3 October 2015"


def test_user_text_is_neutralised_in_excel(tmp_path, demo_db, catalog):
    con = connect(shutil.copy(demo_db, tmp_path / "d.duckdb"))
    firm = rawsql.frame(con, "SELECT * FROM orgs WHERE parent_id = 'qd-softcity' AND kind = 'enterprise' ORDER BY org_id")\
        .iloc[0]
    from domain.models import Organisation
    orgs.upsert_orgs(con, [Organisation(org_id=firm.org_id, name_zh='=HYPERLINK("http://x","y")', kind=OrgKind.ENTERPRISE,
                                        parent=firm.parent_id, credit_code=firm.credit_code)], origin="user")
    doc = build(briefing_inputs(con, catalog, PARK_MANAGER, "qingdao-2012", Q3, park_id="qd-softcity"))
    wb = openpyxl.load_workbook(io.BytesIO(render(doc, "xlsx")))
    names = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
             and "HYPERLINK" in c.value]
    # In the firms sheet, and in the rewards sheet too when the firm newly crossed a threshold.
    assert names and set(names) == {"'=HYPERLINK(\"http://x\",\"y\")"}
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_a_park_briefing_holds_only_that_park(tmp_path, demo_db, catalog):
    con = connect(shutil.copy(demo_db, tmp_path / "d.duckdb"))
    doc = build(briefing_inputs(con, catalog, PARK_MANAGER, "qingdao-2012", Q3, park_id="qd-softcity"))
    firms = next(t for t in doc.tables() if "企业主要指标" in t.title)
    own = set(rawsql.frame(con, "SELECT name_zh FROM orgs WHERE parent_id = 'qd-softcity' AND kind = 'enterprise'").name_zh)
    assert {r[0] for r in firms.rows} == own
    reporting = next(t for t in doc.tables() if "数据报送情况" in t.title)
    assert reporting.rows[-1][1] == len(own)  # 合计: the park's firms, no other park's
    with pytest.raises(AuthorizationError):  # refused while reading, before anything is built
        briefing_inputs(con, catalog, PARK_MANAGER, "qingdao-2012", Q3, park_id="qd-infovalley")
    assert rawsql.scalar(con, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'pm'") == 1


def test_model_refuses_ragged_tables():
    with pytest.raises(ValueError, match="row 1: 1 cells for 2 columns"):
        Table(title="t", columns=[Column(header="a"), Column(header="b")], rows=[["x"]])


def test_renderers_keep_text_as_text():
    """Markup in user text is printed, not interpreted; control characters are dropped."""
    doc = Document(title="<b>标题</b>", summary=["a\x00b <i>c</i>"], sections=[Section(heading="一、表", blocks=[
        Paragraph(text="=1+1"), Table(title="t", columns=[Column(header="名称"), Column(header="值", kind="percent")],
                                       rows=[["<script>", 0.5]]),
        Chart(title="c", categories=["2014"], series=[ChartSeries(name="s", values=[1.0])], y_title="亿元")])])
    text = PdfReader(io.BytesIO(render(doc, "pdf"))).pages[0].extract_text()
    assert "<b>标题</b>" in text and "ab <i>c</i>" in text and "<script>" in text and "50.0%" in text
    word = open_docx(io.BytesIO(render(doc, "docx")))
    assert word.paragraphs[0].text == "<b>标题</b>"
    assert word.tables[0].rows[1].cells[1].text == "50.0%"


def test_cli_report_single_and_batch(tmp_path, demo_db):
    db = shutil.copy(demo_db, tmp_path / "d.duckdb")
    out = tmp_path / "qd.xlsx"
    done = subprocess.run([sys.executable, "manage.py", "report", "--db", str(db), "--plan", "qingdao-2012",
                           "--quarter", "2015年1-9月", "--format", "xlsx", "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(out)["摘要"]["A2"].value == "2015年第三季度（1-9月）"
    folder = tmp_path / "all"
    done = subprocess.run([sys.executable, "manage.py", "report", "--db", str(db), "--all", "--format", "xlsx",
                           "-o", str(folder)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 5 and all(name.endswith(".xlsx") for name in written)
    assert "[5/5]" in done.stderr  # progress, one line per file
    bad = subprocess.run([sys.executable, "manage.py", "report", "--db", str(db), "--plan", "qingdao-2012",
                          "--quarter", "2015Q9", "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "--quarter '2015Q9'" in bad.stderr


def test_export_page_previews_and_offers_three_files(leader_app):
    at = signed_in("leader", LEADER_PASSWORD, state={"plan_id": "qingdao-2012", "as_of-qingdao": Q3})
    at.switch_page("pages/export.py").run()
    assert not at.exception
    assert at.header[0].value == "简报导出"
    texts = [t.value for t in at.text]
    assert any(f"累计 {YTD:,.2f} 亿元" in x for x in texts)  # the summary, in the preview
    buttons = [b for b in at.get("download_button")]
    assert [b.proto.label for b in buttons][:3] == ["Word (.docx)", "PDF", "Excel (.xlsx)"]
    assert len(at.dataframe) >= 3  # status table, parks, reporting …
    assert not any("企业主要指标" in (c.value or "") for c in at.caption)
    scope = next(s for s in at.selectbox if s.label == t("export_scope", "zh"))  # not the phone's pickers
    scope.set_value("qd-softcity").run()  # one park's briefing: its firms are listed
    assert not at.exception
    assert any("企业主要指标" in (c.value or "") for c in at.caption)


def test_without_chromium_the_files_say_which_chart_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    doc = Document(title="t", sections=[Section(heading="一", blocks=[
        Chart(title="图1 全市软件业务收入", categories=["2014"], series=[ChartSeries(name="s", values=[1.0])], y_title="亿元")])])
    word = open_docx(io.BytesIO(render(doc, "docx")))
    assert any(p.text.startswith("〔图1 全市软件业务收入：charts need Debian's chromium") for p in word.paragraphs)
    text = PdfReader(io.BytesIO(render(doc, "pdf"))).pages[0].extract_text()
    assert "图1 全市软件业务收入" in text and "chromium" in text


def test_incentive_table_shows_thresholds_in_wan_yuan(qingdao):
    """Qingdao rewards 5000 万元, 1, 5 and 10 亿元 (= 5 000, 10 000, 50 000, 100 000 万元)."""
    table = next(t for t in qingdao.tables() if "新达到奖励门槛" in t.title)
    assert table.columns[1].header == "奖励门槛（万元）"
    thresholds = {r[1] for r in table.rows[:-1]}
    assert thresholds and thresholds <= {5000, 10000, 50000, 100000}
    assert table.rows[-1][0] == "合计" and table.rows[-1][4] == sum(r[4] or 0 for r in table.rows[:-1])


def test_a_park_outside_the_plan_is_refused(demo_store, catalog):
    with pytest.raises(ValueError, match="'hz-binjiang' is not a park of qingdao-2012"):
        briefing_inputs(demo_store, catalog, SYSTEM, "qingdao-2012", Q3, park_id="hz-binjiang")


def test_a_plan_is_read_within_its_horizon(catalog):
    """Hangzhou's plan ends in 2015: later figures (another plan's) do not move its default quarter."""
    plan = catalog.plans["hangzhou-2012"]
    assert plan.horizon_end == 2015
    assert plan.reading_quarter([Period(2015, 3), Period(2015, 4), Period(2018, 4)]) == Period(2015, 4)
    assert plan.reading_quarter([Period(2016, 1)]) == Period(2016, 1)  # nothing within: the latest there is
    assert plan.reading_quarter([]) is None


def test_a_briefing_says_which_figures_it_was_made_from(demo_db, catalog):
    """Made as it stood on 2015-09-30, before the 2015 Q3 figures were entered (the demo enters each some
    days after its quarter): the briefing says so in its header and reads the 2015 Q2 year-to-date
    figure; made on the figures now in force it says that instead."""
    import datetime as dt

    from service.queries import judge

    con = connect(demo_db, read_only=True)
    try:
        then = build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3,
                                     judged=judge(con, catalog, "qingdao-2012", Q3, dt.date(2015, 9, 30))))
        now = build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3))
    finally:
        con.close()
    assert ("数据口径", "按2015-09-30当日数据") in then.meta
    assert ("数据口径", "现行数据") in now.meta
    assert then.summary != now.summary


# ------------------------------------------------------------ issue 17: the timeliness ranking


def test_the_briefing_ranks_the_parks_by_timeliness(qingdao, demo_db):
    """2015Q3's briefing ranks Qingdao's parks over 2015 Q1–Q3: each park owes 3 reports per firm
    (every deadline long past), counted here from the store; the parks in 及时率 order; the firms at
    the bottom of the ranking (at most 10) after them; the totals in words above."""
    (section,) = [s for s in qingdao.sections if s.heading.endswith("报送及时性排名")]
    parks, firms = [b for b in section.blocks if isinstance(b, Table)]
    assert parks.title.endswith("2015年第1至3季度各园区报送及时性排名（报送期限为季度结束后20天）")
    header = [c.header for c in parks.columns]
    assert header[:5] == ["名次", "园区", "企业家数", "应报", "按时"]
    con = connect(demo_db, read_only=True)
    try:
        per_park = dict(rawsql.frame(con, """SELECT p.name_zh, count(*) AS n FROM orgs e JOIN orgs p ON p.org_id = e.parent_id
                                             JOIN org_closure c ON c.descendant_id = e.org_id AND c.ancestor_id = 'qingdao'
                                             WHERE e.kind = 'enterprise' GROUP BY ALL""").itertuples(index=False))
    finally:
        con.close()
    assert {r[1]: (r[2], r[3]) for r in parks.rows} == {p: (n, 3 * n) for p, n in per_park.items()}
    rate = header.index("及时率")
    assert [r[rate] for r in parks.rows] == sorted((r[rate] for r in parks.rows), reverse=True)
    assert all(r[rate] == r[4] / r[3] for r in parks.rows)
    assert 0 < len(firms.rows) <= 10 and firms.title.endswith(f"报送及时性排名靠后的{len(firms.rows)}家企业")
    due, on_time = sum(r[3] for r in parks.rows), sum(r[4] for r in parks.rows)
    line = section.blocks[0].text
    assert line.startswith(f"2015年第1至3季度，应报{due}家次，按时{on_time}家次，及时率 {on_time / due:.1%}")


def test_the_timeliness_ranking_in_word_pdf_and_excel(files, qingdao):
    word = open_docx(io.BytesIO(files["docx"]))
    assert any(p.text.endswith("报送及时性排名") for p in word.paragraphs)
    ranked = next(t for t in word.tables if t.rows[0].cells[0].text == "名次" and t.rows[0].cells[1].text == "园区")
    assert ranked.rows[1].cells[0].text == "1"
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(files["pdf"])).pages)
    assert "报送及时性排名" in text and "各园区报送及时性排名" in text
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert {"及时性排名-园区", "及时性排名-企业"} <= set(wb.sheetnames)
    sheet = wb["及时性排名-园区"]
    header = [c.value for c in sheet[2]]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] is not None]
    (table,) = [t for t in qingdao.tables() if t.sheet == "及时性排名-园区"]
    assert len(rows) == len(table.rows) and rows[0][header.index("名次")] == 1
    assert rows[0][header.index("及时率")] == pytest.approx(table.rows[0][header.index("及时率")])  # a number
    assert sheet.cell(3, header.index("及时率") + 1).number_format.endswith("%")


def test_the_english_briefing_ranks_too(demo_db, catalog):
    con = connect(demo_db, read_only=True)
    try:
        doc = build(briefing_inputs(con, catalog, SYSTEM, "qingdao-2012", Q3), lang="en")
    finally:
        con.close()
    (section,) = [s for s in doc.sections if s.heading.endswith("Reporting timeliness ranking")]
    assert section.blocks[0].text.startswith("In 2015 Q1–Q3, ")
    assert {t.sheet for t in doc.tables()} >= {"Timeliness - parks", "Timeliness - firms"}
    wb = openpyxl.load_workbook(io.BytesIO(render(doc, "xlsx")))
    assert "Timeliness - parks" in wb.sheetnames


def test_a_park_briefing_ranks_only_its_own_firms(tmp_path, demo_db, catalog):
    con = connect(shutil.copy(demo_db, tmp_path / "d.duckdb"))
    doc = build(briefing_inputs(con, catalog, PARK_MANAGER, "qingdao-2012", Q3, park_id="qd-softcity"))
    (parks,) = [t for t in doc.tables() if t.sheet == "及时性排名-园区"]
    assert [r[1] for r in parks.rows] == ["青岛软件城"]
    own = set(rawsql.frame(con, "SELECT name_zh FROM orgs WHERE parent_id = 'qd-softcity' AND kind = 'enterprise'").name_zh)
    (firms,) = [t for t in doc.tables() if t.sheet == "及时性排名-企业"]
    assert {r[1] for r in firms.rows} <= own


def test_a_file_rendered_in_a_process_of_its_own_is_the_same_file(qingdao, files):
    """The pages render in a child interpreter (reports/apart.py, off the server's); the workbook it
    returns holds every cell the in-process one does, and a failure there is an error here."""
    from reports.apart import RenderError, render_apart

    apart = openpyxl.load_workbook(io.BytesIO(render_apart(qingdao, "xlsx")))
    here = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert apart.sheetnames == here.sheetnames
    for name in here.sheetnames:
        assert list(apart[name].iter_rows(values_only=True)) == list(here[name].iter_rows(values_only=True))
    with pytest.raises(RenderError, match="unknown report format"):
        render_apart(qingdao, "odt")
