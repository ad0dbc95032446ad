"""A report as a Word document laid out like a government briefing (GB/T 9704 in spirit).

A4 with the standard margins (37/35/28/26 mm), the title in bold 黑体 二号, body text in 仿宋 三号,
section headings in 黑体 in Word's own "Heading 1" style (so the navigation pane and the contents
field at the top list them), tables in 仿宋 五号 with a repeated header row, page numbers "— n —"
centred in the footer. Fonts are named, not embedded: every government PC has 黑体 and 仿宋.
"""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from domain import messages
from reports import images
from reports.model import Chart, Document, Paragraph, Table, printable

HEI, FANG, KAI = "黑体", "仿宋", "楷体"
SIZE_TITLE, SIZE_BODY, SIZE_TABLE = Pt(22), Pt(16), Pt(9)  # 二号, 三号, 小五
LATIN = {HEI: "SimHei", FANG: "FangSong", KAI: "KaiTi"}


def _font(run: Run, face: str, size: Pt, bold: bool = False) -> None:
    """Set a run's font for Chinese and Latin text alike (Word keeps them apart: w:eastAsia)."""
    run.font.name = LATIN[face]
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), face)


def _para(doc, text: str, face: str = FANG, size: Pt = SIZE_BODY, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False, keep_with_next: bool = False,
          style: str | None = None) -> DocxParagraph:
    p = doc.add_paragraph(style=style)
    p.paragraph_format.keep_with_next = keep_with_next
    text = printable(text)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size.pt * 2)  # 首行缩进二字
    p.paragraph_format.line_spacing = Pt(28) if size == SIZE_BODY else None
    _font(p.add_run(text), face, size, bold)
    return p


HEADINGS = {1: Pt(16), 2: Pt(16), 3: Pt(16)}  # 一、(黑体) …; all 三号 as GB/T 9704 sets them


def _heading_styles(out) -> None:
    """Word's built-in Heading 1..3 restyled as an office's headings: 黑体 三号, black, not bold.

    The styles (not only the look) matter: Word's navigation pane and the TOC field read the
    outline level they carry. Their theme fonts and blue colour are replaced outright."""
    for level, size in HEADINGS.items():
        style = out.styles[f"Heading {level}"]
        style.font.size, style.font.bold, style.font.italic = size, False, False
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        fonts.set(qn("w:ascii"), LATIN[HEI])
        fonts.set(qn("w:hAnsi"), LATIN[HEI])
        fonts.set(qn("w:eastAsia"), HEI)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(6), Pt(0)


_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
                        "attachedSchema", "themeFontLang", "clrSchemeMapping")


def _contents(out, lang: str) -> None:
    """A contents field (TOC \\o "1-3" \\h \\z \\u) that Word fills when it opens the file.

    python-docx cannot lay out pages, so the field carries a one-line hint as its placeholder
    result, and `w:updateFields` asks Word to compute every field on opening."""
    _para(out, messages.text("briefing.contents", lang), HEI, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = out.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-3" \\h \\z \\u')
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = messages.text("briefing.contents_hint", lang)
    run.append(t)
    field.append(run)
    p._p.append(field)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings = out.settings.element  # the schema orders its children: updateFields comes before these
    later = next((c for c in settings if c.tag in {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS}), None)
    if later is None:
        settings.append(update)
    else:
        later.addprevious(update)


RED = "C00000"  # the 版头 rule of an official document


def _rule(paragraph: DocxParagraph, side: str, colour: str = RED) -> None:
    """A full-width line above or below a paragraph (a paragraph border, as Word draws 版头 rules)."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", colour)):
        line.set(qn(f"w:{key}"), value)
    borders.append(line)
    paragraph._p.get_or_add_pPr().append(borders)


def _issued(out, doc: Document) -> None:
    """文号 centred, then the compiling office on the left and the date on the right above a red rule."""
    if doc.issue:
        _para(out, doc.issue, FANG, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.CENTER)
    if doc.office or doc.date_line:
        p = _para(out, doc.office, FANG, Pt(14))
        p.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
        _font(p.add_run("\t" + printable(doc.date_line)), FANG, Pt(14))
        _rule(p, "bottom")


def _distribution(out, doc: Document) -> None:
    """报：… / 送：… at the end, under a rule."""
    for i, line in enumerate(doc.distribution):
        p = _para(out, line, FANG, Pt(14))
        if i == 0:
            p.paragraph_format.space_before = Pt(18)
            _rule(p, "top", "000000")


def _page_number(paragraph: DocxParagraph) -> None:
    """'— n —' with a PAGE field that Word fills in."""
    _font(paragraph.add_run("— "), FANG, Pt(14))
    run = paragraph.add_run()
    _font(run, FANG, Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = "1"
        run._element.append(el)
    _font(paragraph.add_run(" —"), FANG, Pt(14))


def _narrow_margins(grid) -> None:
    """Cell margins of 0.05 cm left and right, so numbers fit narrow columns on A4."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "28")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    grid._tbl.tblPr.append(margins)


def _repeat_header(row) -> None:
    pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    pr.append(el)


def _table(doc, table: Table) -> None:
    columns, rows = table.on_paper()
    # A short table moves to the next page with its caption; a long one starts at once and splits.
    _para(doc, table.title, HEI, Pt(12), align=WD_ALIGN_PARAGRAPH.CENTER, keep_with_next=len(rows) <= 12)
    grid = doc.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    _narrow_margins(grid)
    total = sum(c.weight for c in columns)
    widths = [Cm(15.6 * c.weight / total) for c in columns]
    for cell, col in zip(grid.rows[0].cells, columns, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(printable(col.header)), HEI, SIZE_TABLE, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(grid.rows[0])
    for col, width in zip(grid.columns, widths, strict=True):
        col.width = width
    for texts in table.texts_on_paper():
        cells = grid.add_row().cells
        for cell, col, said in zip(cells, columns, texts, strict=True):
            p = cell.paragraphs[0]
            _font(p.add_run(printable(said)), FANG, SIZE_TABLE)
            if col.kind != "text":
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:  # Word reads the width from every cell, not only from the column
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    if table.note:
        _para(doc, table.note, KAI, Pt(10.5))


def _chart(doc, chart: Chart) -> None:
    try:
        picture = images.png(chart)
    except images.ChartImageError as e:
        _para(doc, f"〔{chart.title}：{e}〕", KAI, Pt(12))
        return
    doc.add_picture(io.BytesIO(picture), width=Cm(15.5))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(doc: Document) -> bytes:
    out = new_document()
    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(footer)
    if doc.footer:
        note = section.footer.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(note.add_run(doc.footer), KAI, Pt(10.5))
        note.runs[0].font.color.rgb = RGBColor(0x9A, 0x67, 0x00)
    out.core_properties.title = doc.title
    _heading_styles(out)

    _para(out, doc.title, HEI, SIZE_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    if doc.subtitle:
        _para(out, doc.subtitle, KAI, SIZE_BODY, align=WD_ALIGN_PARAGRAPH.CENTER)
    _issued(out, doc)
    for line in doc.meta_lines():
        _para(out, line, FANG, Pt(12))
    if len(doc.sections) > 1:
        _contents(out, doc.lang)
    for line in doc.summary:
        _para(out, line, indent=True)
    for s in doc.sections:
        first = s.blocks[0] if s.blocks else None
        _para(out, s.heading, HEI, SIZE_BODY, keep_with_next=not (isinstance(first, Table) and len(first.rows) > 12),
              style="Heading 1")
        for block in s.blocks:
            if isinstance(block, Paragraph):
                _para(out, block.text, indent=True)
            elif isinstance(block, Table):
                _table(out, block)
            else:
                _chart(out, block)
    _distribution(out, doc)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
