"""A report as a PDF with its Chinese fonts embedded (subsets), charts at 250 dpi.

reportlab embeds TrueType outlines only, so the faces are Debian's TrueType CJK fonts: WenQuanYi
Zen Hei (a 黑体) for titles and headings, AR PL UMing (a 宋体, the nearest free face to 仿宋) for
body text and tables. An English report is set in DejaVu Sans (a proportional Latin face; UMing's
Latin letters are a typewriter's) and wrapped between words only; a run of Chinese in it (an
issuer's name) is set in the CJK face. The fonts come from `scripts/run.sh` / `scripts/test.sh`
(fonts-wqy-zenhei, fonts-arphic-uming, fonts-dejavu-core); a missing font is a clear error, never
a PDF of empty boxes.

Column widths are measured from the text: every column gets at least its longest word (a status
such as 进度正常 counts as one word), and the rest of the line goes to the columns that would
otherwise wrap most.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import HRFlowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports import images
from reports.model import Chart, Document, printable
from reports.model import Paragraph as TextBlock
from reports.model import Table as TableBlock

FONTS = {  # name: candidate files (TrueType collections, first face)
    "Hei": ["/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"],
    "Song": ["/usr/share/fonts/truetype/arphic/uming.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"],
}
LATIN_FONTS = {  # the English report's faces (fonts-dejavu-core)
    "Latin": ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
    "LatinBold": ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"],
    "LatinCond": ["/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"],
    "LatinCondBold": ["/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"],
}
CJK_FOR = {"Latin": "Song", "LatinCond": "Song", "LatinBold": "Hei", "LatinCondBold": "Hei", "Song": "Song", "Hei": "Hei"}
# Han characters, CJK punctuation and full-width forms: set in a CJK face, and breakable anywhere.
HAN_CHAR = r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
HAN = re.compile(HAN_CHAR + "+")
WIDTH = A4[0] - 28 * mm - 26 * mm


class FontMissing(RuntimeError):
    pass


def _register(fonts: dict[str, list[str]], packages: str) -> None:
    for name, candidates in fonts.items():
        path = next((p for p in candidates if Path(p).exists()), None)
        if path is None:
            raise FontMissing(f"no font for {name}: install Debian's {packages} (looked for {', '.join(candidates)})")
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))


@functools.cache
def register_fonts() -> None:
    _register(FONTS, "fonts-wqy-zenhei and fonts-arphic-uming")


@functools.cache
def register_latin_fonts() -> None:
    _register(LATIN_FONTS, "fonts-dejavu-core")


def _styles(lang: str = "zh") -> dict[str, ParagraphStyle]:
    latin = lang != "zh"
    # Chinese wraps between any two characters; English between words only (no "On trac/k").
    wrap = None if latin else "CJK"
    song, hei = ("Latin", "LatinBold") if latin else ("Song", "Hei")
    cell, head = ("LatinCond", "LatinCondBold") if latin else ("Song", "Hei")
    body = ParagraphStyle("body", fontName=song, fontSize=12, leading=20, firstLineIndent=24, wordWrap=wrap)
    return {
        "title": ParagraphStyle("title", fontName=hei, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6,
                                wordWrap=wrap),
        "subtitle": ParagraphStyle("subtitle", fontName=song, fontSize=13, leading=20, alignment=TA_CENTER,
                                   spaceAfter=10, wordWrap=wrap),
        "issued": ParagraphStyle("issued", fontName=song, fontSize=11, leading=16, wordWrap=wrap),
        "meta": ParagraphStyle("meta", fontName=song, fontSize=10, leading=15, wordWrap=wrap),
        "body": body,
        "heading": ParagraphStyle("heading", fontName=hei, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4,
                                  wordWrap=wrap),
        "caption": ParagraphStyle("caption", fontName=hei, fontSize=10.5, leading=16, alignment=TA_CENTER,
                                  spaceBefore=6, spaceAfter=3, keepWithNext=True, wordWrap=wrap),
        "caption_split": ParagraphStyle("caption_split", fontName=hei, fontSize=10.5, leading=16, alignment=TA_CENTER,
                                        spaceBefore=6, spaceAfter=3, wordWrap=wrap),
        "note": ParagraphStyle("note", fontName=song, fontSize=9, leading=13, textColor=colors.HexColor("#57606a"),
                               wordWrap=wrap),
        "cell": ParagraphStyle("cell", fontName=cell, fontSize=8.5, leading=11, wordWrap=wrap),
        "num": ParagraphStyle("num", fontName=cell, fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", fontName=head, fontSize=8.5, leading=11, alignment=TA_CENTER, wordWrap=wrap),
    }


def _markup(text: str, font: str) -> str:
    """Escaped text, its Han runs set in the CJK face when the style's face is a Latin one."""
    cjk = CJK_FOR[font]
    if cjk == font:
        return escape(text)
    out, at = [], 0
    for m in HAN.finditer(text):
        out += [escape(text[at:m.start()]), f'<font name="{cjk}">{escape(m.group())}</font>']
        at = m.end()
    return "".join([*out, escape(text[at:])])


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """Plain text (reportlab's Paragraph reads markup, so user text is escaped first)."""
    return Paragraph(_markup(printable(text), style.fontName), style)


def _measure(text: str, style: ParagraphStyle) -> float:
    """The width of `text` on one line, its Han runs measured in the face they are set in."""
    cjk, at, width = CJK_FOR[style.fontName], 0, 0.0
    for m in HAN.finditer(text):
        width += stringWidth(text[at:m.start()], style.fontName, style.fontSize)
        width += stringWidth(m.group(), cjk, style.fontSize)
        at = m.end()
    return width + stringWidth(text[at:], style.fontName, style.fontSize)


def _words(text: str, whole_han: bool) -> list[str]:
    """What a line may not be broken inside: Latin words, and each Han character (or a whole run
    of them in a column that must not wrap, such as 进度正常)."""
    split = re.compile(f"({HAN_CHAR}+)" if whole_han else f"({HAN_CHAR})")
    return [part for word in text.split() for part in split.split(word) if part]


PAD = 6.5  # the cell's left and right padding, and a hair for rounding
SMALLEST = 6.5  # pt: a table too wide for A4 at 8.5 pt is set smaller, down to this, before it wraps words


def _bounds(columns, head: list[str], body: list[list[str]], st: dict[str, ParagraphStyle]) -> tuple[list, list]:
    """Each column's longest line and longest word (what it cannot be narrower than), padding included."""
    natural, least = [], []
    for j, col in enumerate(columns):
        style = st["num"] if col.kind != "text" else st["cell"]
        cells = [row[j] for row in body]
        natural.append(max([_measure(head[j], st["head"]), *(_measure(c, style) for c in cells)]) + PAD)
        shortest = [_measure(w, st["head"]) for w in _words(head[j], False)]
        if col.kind != "text":  # a number is one word
            shortest += [_measure(c, style) for c in cells]
        else:
            shortest += [_measure(w, style) for c in cells for w in _words(c, not col.wrap)]
        least.append(max(shortest, default=0) + PAD)
    return natural, least


def _shrunk(st: dict[str, ParagraphStyle], size: float) -> dict[str, ParagraphStyle]:
    """The table styles at `size` pt (leading in proportion)."""
    out = dict(st)
    for key in ("cell", "num", "head"):
        base = st[key]
        out[key] = ParagraphStyle(f"{key}_{size:.2f}", parent=base, fontSize=size,
                                  leading=base.leading * size / base.fontSize)
    return out


def widths(columns, head: list[str], body: list[list[str]], st: dict[str, ParagraphStyle],
           total: float = WIDTH) -> tuple[list[float], dict[str, ParagraphStyle]]:
    """Column widths that fill `total`, and the table styles to set them in.

    Each column is at least its longest word; the rest of the line is shared in proportion to how
    much wider than that each column's longest line would like to be. When the longest words alone
    do not fit, the table's type is set smaller (not below SMALLEST) rather than break a word."""
    natural, least = _bounds(columns, head, body, st)
    fixed = PAD * len(columns)
    if sum(least) > total:
        size = st["cell"].fontSize * (total - fixed) / (sum(least) - fixed)
        st = _shrunk(st, max(SMALLEST, size))
        natural, least = _bounds(columns, head, body, st)
    if sum(natural) <= total:
        return [w * total / sum(natural) for w in natural], st
    if sum(least) >= total:
        return [w * total / sum(least) for w in least], st
    spare = total - sum(least)
    room = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * r / sum(room) for m, r in zip(least, room, strict=True)], st


def _table(block: TableBlock, st: dict[str, ParagraphStyle]) -> list:
    columns, rows = block.on_paper()
    heads = [printable(c.header) for c in columns]
    texts = [[printable(x) for x in row] for row in block.texts_on_paper()]
    sizes, st = widths(columns, heads, texts, st)
    head = [_p(h, st["head"]) for h in heads]
    body = [[_p(x, st["num"] if c.kind != "text" else st["cell"]) for c, x in zip(columns, row, strict=True)]
            for row in texts]
    grid = Table([head, *body], colWidths=sizes, repeatRows=1)
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


def _issued(doc: Document, st: dict[str, ParagraphStyle]) -> list:
    """文号 centred, then the compiling office on the left and the date on the right above a red rule."""
    out = []
    if doc.issue:
        out.append(_p(doc.issue, st["subtitle"]))
    if doc.office or doc.date_line:
        right = ParagraphStyle("issued_right", parent=st["issued"], alignment=TA_RIGHT)
        line = Table([[_p(doc.office, st["issued"]), _p(doc.date_line, right)]], colWidths=[WIDTH * 0.62, WIDTH * 0.38])
        line.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 1.2, colors.HexColor("#c00000")),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        out += [line, Spacer(1, 8)]
    return out


def _decorate(doc: Document):
    face = "Song" if doc.lang == "zh" else "Latin"

    def on_page(canvas, template) -> None:
        canvas.saveState()
        canvas.setFont(face, 11)
        canvas.drawCentredString(A4[0] / 2, 18 * mm, f"— {canvas.getPageNumber()} —")
        if doc.footer:
            canvas.setFont(face, 8)
            canvas.setFillColor(colors.HexColor("#9a6700"))
            canvas.drawCentredString(A4[0] / 2, 12 * mm, printable(doc.footer))
        canvas.restoreState()
    return on_page


def render_pdf(doc: Document) -> bytes:
    register_fonts()
    if doc.lang != "zh":
        register_latin_fonts()
    st = _styles(doc.lang)
    story: list = [_p(doc.title, st["title"])]
    if doc.subtitle:
        story.append(_p(doc.subtitle, st["subtitle"]))
    story += _issued(doc, st)
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
    if doc.distribution:  # 报：… / 送：… at the end, under a rule
        story.append(Spacer(1, 14))
        story.append(HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=4))
        story += [_p(line, st["issued"]) for line in doc.distribution]
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=30 * mm,
                            bottomMargin=28 * mm, title=printable(doc.title), author="软件产业规划目标监测")
    decorate = _decorate(doc)
    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buf.getvalue()
