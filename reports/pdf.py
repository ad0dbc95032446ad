"""A report as a PDF with its Chinese fonts embedded (subsets), charts at 250 dpi.

reportlab embeds TrueType outlines only, so the faces are Debian's TrueType CJK fonts: WenQuanYi
Zen Hei (a 黑体) for titles and headings, AR PL UMing (a 宋体, the nearest free face to 仿宋) for
body text and tables. Both come from `scripts/run.sh` / `scripts/test.sh` (fonts-wqy-zenhei,
fonts-arphic-uming); a missing font is a clear error, never a PDF of empty boxes.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports import images
from reports.model import Chart, Document, printable
from reports.model import Paragraph as TextBlock
from reports.model import Table as TableBlock

FONTS = {  # name: candidate files (TrueType collections, first face)
    "Hei": ["/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"],
    "Song": ["/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"],
}
WIDTH = A4[0] - 28 * mm - 26 * mm


class FontMissing(RuntimeError):
    pass


@functools.cache
def register_fonts() -> None:
    for name, candidates in FONTS.items():
        path = next((p for p in candidates if Path(p).exists()), None)
        if path is None:
            raise FontMissing(f"no CJK font for {name}: install Debian's fonts-wqy-zenhei and fonts-arphic-uming "
                              f"(looked for {', '.join(candidates)})")
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Song", fontSize=12, leading=20, firstLineIndent=24, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", fontName="Hei", fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6),
        "subtitle": ParagraphStyle("subtitle", fontName="Song", fontSize=13, leading=20, alignment=TA_CENTER,
                                   spaceAfter=10),
        "meta": ParagraphStyle("meta", fontName="Song", fontSize=10, leading=15, wordWrap="CJK"),
        "body": body,
        "heading": ParagraphStyle("heading", fontName="Hei", fontSize=14, leading=22, spaceBefore=10, spaceAfter=4),
        "caption": ParagraphStyle("caption", fontName="Hei", fontSize=10.5, leading=16, alignment=TA_CENTER,
                                  spaceBefore=6, spaceAfter=3, keepWithNext=True),
        "caption_split": ParagraphStyle("caption_split", fontName="Hei", fontSize=10.5, leading=16, alignment=TA_CENTER,
                                        spaceBefore=6, spaceAfter=3),
        "note": ParagraphStyle("note", fontName="Song", fontSize=9, leading=13, textColor=colors.HexColor("#57606a"),
                               wordWrap="CJK"),
        "cell": ParagraphStyle("cell", fontName="Song", fontSize=8.5, leading=11, wordWrap="CJK"),
        "num": ParagraphStyle("num", fontName="Song", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", fontName="Hei", fontSize=8.5, leading=11, alignment=TA_CENTER, wordWrap="CJK"),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (reportlab's Paragraph reads markup, so user text is escaped first)."""
    return Paragraph(escape(printable(text)), style)


def _table(block: TableBlock, st: dict[str, ParagraphStyle]) -> list:
    columns, rows = block.on_paper()
    head = [_p(c.header, st["head"]) for c in columns]
    body = [[_p(c.text(v), st["num"] if c.kind != "text" else st["cell"]) for c, v in zip(columns, row, strict=True)]
            for row in rows]
    total = sum(c.weight for c in columns)
    widths = [WIDTH * c.weight / total for c in columns]
    grid = Table([head, *body], colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8c959f")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eaee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    # A short table moves to the next page with its caption; a long one starts here and splits,
    # repeating its header row, rather than leaving most of a page empty.
    out = [_p(block.title, st["caption"] if len(rows) <= 12 else st["caption_split"]), grid]
    if block.note:
        out.append(_p(block.note, st["note"]))
    return out


def _chart(block: Chart, st: dict[str, ParagraphStyle]) -> list:
    try:
        picture = images.png(block)
    except images.ChartImageError as e:
        return [_p(f"〔{block.title}：{e}〕", st["note"])]
    w = WIDTH
    return [KeepTogether([Image(io.BytesIO(picture), width=w, height=w * images.HEIGHT / images.WIDTH)])]


def _decorate(doc: Document):
    def on_page(canvas, template) -> None:
        canvas.saveState()
        canvas.setFont("Song", 11)
        canvas.drawCentredString(A4[0] / 2, 18 * mm, f"— {canvas.getPageNumber()} —")
        if doc.footer:
            canvas.setFont("Song", 8)
            canvas.setFillColor(colors.HexColor("#9a6700"))
            canvas.drawCentredString(A4[0] / 2, 12 * mm, printable(doc.footer))
        canvas.restoreState()
    return on_page


def render_pdf(doc: Document) -> bytes:
    register_fonts()
    st = _styles()
    story: list = [_p(doc.title, st["title"])]
    if doc.subtitle:
        story.append(_p(doc.subtitle, st["subtitle"]))
    story += [_p(line, st["meta"]) for line in doc.meta_lines()]
    story.append(Spacer(1, 6))
    story += [_p(text, st["body"]) for text in doc.summary]
    for section in doc.sections:
        story.append(_p(section.heading, st["heading"]))
        for block in section.blocks:
            if isinstance(block, TextBlock):
                story.append(_p(block.text, st["body"]))
            elif isinstance(block, TableBlock):
                story += _table(block, st)
            else:
                story += _chart(block, st)
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                            bottomMargin=28 * mm, title=printable(doc.title), author="软件产业规划目标监测")
    decorate = _decorate(doc)
    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
