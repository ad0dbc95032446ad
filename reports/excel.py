"""A report as an Excel workbook: a summary sheet, a sheet per table, native Excel charts.

Numbers are stored as numbers (percentages as fractions with a % format) so the office can go on
computing with them; units live in the headers. Every text cell passes through
`ui.safe.neutralise`, so a firm name or note typed as "=HYPERLINK(…)" stays text.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain import messages
from reports.model import Chart, Column, Document, Table, printable
from ui.safe import neutralise

TITLE = Font(name="黑体", size=16, bold=True)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E7EAEE")
THIN = Side(style="thin", color="A0A7B0")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CHART_NUMBER = "#,##0.00"  # a chart's data as the briefing writes figures (亿元 with two decimals)
DASH = {"line": None, "dash": "dash", "dot": "sysDot", "bar": None}


def _text(value: object) -> object:
    return neutralise(printable(value)) if isinstance(value, str) else value


def number_format(col: Column, decimals: int | None = None) -> str:
    """The cell's Excel format: the column's kind with its decimals, or the cell's own (`decimals`)."""
    places = col.decimals if decimals is None else decimals
    if col.kind == "percent":
        return "0." + "0" * places + "%" if places else "0%"
    if col.kind == "integer":
        return "#,##0"
    if col.kind == "number":
        return "#,##0." + "0" * places if places else "#,##0"
    if col.kind == "year":
        return "0"
    return "@"


def _width(value: object) -> int:
    """Display width: a CJK character takes two columns."""
    s = value if isinstance(value, str) else f"{value:,.2f}" if isinstance(value, float) else str(value or "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _cut(text: str, room: int) -> str:
    """At most `room` characters; a longer name is cut at a word where it has words, and says so (…)."""
    if len(text) <= room:
        return text
    head = text[: room - 1]
    if " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" -&,") + "…"


def sheet_name(wanted: str, taken: set[str]) -> str:
    """A legal, unique sheet name (≤ 31 characters, none of []:*?/\\, not starting or ending with ').
    Excel compares sheet names without regard to case, and so does this."""
    base = _BAD_SHEET.sub("_", wanted).strip().strip("'") or "Sheet"
    name, n = _cut(base, 31), 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name, n = _cut(base, 31 - len(suffix)) + suffix, n + 1
    taken.add(name)
    return name


def _write_table(ws: Worksheet, table: Table, top: int) -> int:
    """Write a table at row `top`; return the row after it."""
    ws.cell(top, 1, _text(table.title)).font = BOLD
    header = top + 1
    for j, col in enumerate(table.columns, start=1):
        c = ws.cell(header, j, _text(col.header))
        c.font, c.fill, c.border, c.alignment = BOLD, HEADER_FILL, BOX, Alignment(wrap_text=True, vertical="center")
    for i, row in enumerate(table.rows, start=header + 1):
        for j, (col, value) in enumerate(zip(table.columns, row, strict=True), start=1):
            c = ws.cell(i, j, _text(value))
            c.border = BOX
            if isinstance(value, int | float) and not isinstance(value, bool):
                c.number_format = number_format(col, table.decimals(i - header - 1, j - 1))
    end = header + len(table.rows) + 1
    if table.note:
        ws.cell(end, 1, _text(table.note)).font = Font(italic=True, color="57606A")
        end += 1
    for j, col in enumerate(table.columns, start=1):
        widest = max([_width(col.header) // 2 + 2, *(_width(r[j - 1]) + 2 for r in table.rows)], default=10)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(widest, 60))
    return end + 1


def _write_chart(ws: Worksheet, chart: Chart, top: int) -> int:
    """The chart's data as a small table (so the chart is live and editable) and the chart beside it."""
    ws.cell(top, 1, _text(chart.title)).font = BOLD
    header = top + 1
    ws.cell(header, 1, "")
    for j, s in enumerate(chart.series, start=2):
        ws.cell(header, j, _text(s.name)).font = BOLD
    for i, cat in enumerate(chart.categories, start=header + 1):
        ws.cell(i, 1, _text(cat))
        for j, s in enumerate(chart.series, start=2):
            c = ws.cell(i, j, s.values[i - header - 1])
            c.number_format = CHART_NUMBER  # the value stays exact; it reads 134.44, not 134.4430632110766
    last = header + len(chart.categories)
    cats = Reference(ws, min_col=1, min_row=header + 1, max_row=last)
    bars = [j for j, s in enumerate(chart.series, start=2) if s.style == "bar"]
    lines = [j for j, s in enumerate(chart.series, start=2) if s.style != "bar"]

    def plot(part: BarChart | LineChart, columns: list[int]) -> BarChart | LineChart:
        for j in columns:
            part.add_data(Reference(ws, min_col=j, min_row=header, max_row=last), titles_from_data=True)
            if isinstance(part, LineChart) and DASH[chart.series[j - 2].style]:
                part.series[-1].graphicalProperties.line.dashStyle = DASH[chart.series[j - 2].style]
        part.set_categories(cats)
        return part

    main = plot(BarChart(), bars) if bars else plot(LineChart(), lines)
    if bars and lines:
        main += plot(LineChart(), lines)  # lines drawn over the bars, on the same axes
    main.title = chart.title
    main.y_axis.title = chart.y_title
    main.height, main.width = 8, 16
    ws.add_chart(main, f"{get_column_letter(len(chart.series) + 3)}{top}")
    return max(last + 2, top + 18)


def render_xlsx(doc: Document) -> bytes:
    wb = Workbook()
    summary = wb.active
    taken = {sheet_name(messages.text("report.sheet_summary", doc.lang), set())}
    summary.title = next(iter(taken))
    summary.cell(1, 1, _text(doc.title)).font = TITLE
    row = 2
    if doc.subtitle:
        summary.cell(row, 1, _text(doc.subtitle)).font = Font(size=12, bold=True)
        row += 1
    for label, value in doc.meta:
        summary.cell(row, 1, _text(label)).font = BOLD
        summary.cell(row, 2, _text(value))
        row += 1
    row += 1
    for text in doc.summary:
        summary.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
        c = summary.cell(row, 1, _text(text))
        c.alignment = WRAP
        summary.row_dimensions[row].height = 15 * (1 + _width(text) // 90)
        row += 1
    if doc.footer:
        summary.cell(row + 1, 1, _text(doc.footer)).font = Font(bold=True, color="9A6700")
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 40
    charts = doc.charts()
    if charts:
        ws = wb.create_sheet(sheet_name(messages.text("report.sheet_charts", doc.lang), taken))
        top = 1
        for chart in charts:
            top = _write_chart(ws, chart, top)
    for table in doc.tables():
        ws = wb.create_sheet(sheet_name(table.sheet or table.title, taken))
        _write_table(ws, table, 1)
        ws.freeze_panes = "A3"
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0
    wb.properties.title = doc.title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
