"""Turning an uploaded file into tidy records: decoding, layouts, title blocks, templates.

Statisticians upload what they already produce: a tidy list (org, period, indicator, value, unit)
or the MIIT enterprise form laid out wide (one row per enterprise, one column per row code) with
a title block above the header, as the Excel templates have. Both become the same tidy records,
each remembering the spreadsheet row and column it came from so that every error can point at
the cell. CSV may be UTF-8, UTF-8 with BOM or GBK/GB18030; XLSX is read with openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from domain.messages import Message
from domain.periods import PeriodError, parse_period

TIDY_COLUMNS = ("org", "period", "indicator", "value", "unit")
# Optional columns of what a bureau publishes with a figure (issue 15), each under the headers it is
# found by: its published 同比 in percent as printed (11.2 is +11.2 %), its SDMX status, its date.
OPTIONAL_HEADERS: dict[str, tuple[str, ...]] = {
    "yoy": ("yoy", "同比增减%", "同比增减(%)", "同比增减（%）", "同比%", "同比"),
    "status": ("status", "obs_status", "状态", "数据状态"),
    "published_on": ("published_on", "发布日期", "公布日期"),
}
YOY_COLUMN = "__yoy_col__"  # the header of the cell holding the published 同比 (a problem points at it)
ROW = "__row__"  # spreadsheet row (header = its own row number) each record came from
COLUMN = "__col__"  # the header of the cell holding the value (a code column in the wide layout)
ORG_COLUMN = "__org_col__"
UNIT_GLOBAL = "__unit_global__"  # the unit came from a title block or unit column for the whole row
MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 20

# Header words of the wide layout and their Chinese equivalents (the template uses both).
ORG_HEADERS = ("org", "统一社会信用代码", "信用代码", "企业名称", "单位名称")
PERIOD_HEADERS = ("period", "期别", "报告期")
UNIT_HEADERS = ("unit", "单位", "计量单位")
CODE = re.compile(r"^\s*(\d{4,5})\b")
YOY_HEADER = re.compile(r"同比")  # a 同比增减% column of the wide layout: the rate of the code column it names or follows
# The unit ends at a space, bracket or punctuation: "单位：万元（出口：万美元；人数：人）" states 万元.
TITLE_UNIT = re.compile(r"单位[:：]\s*([^\s（(，,;；)）]+)")
TITLE_PERIOD = re.compile(r"(\d{4}\s*年\s*1\s*[-—–~至到]\s*\d{1,2}\s*月|\d{4}\s*[Qq][1-4]|\d{4}\s*年第?[一二三四1-4]季度)")


class FileRejected(ValueError):
    """The file as a whole cannot be read (empty, binary, wrong type, too large); `reason` says why."""

    def __init__(self, reason: Message):
        self.reason = reason
        super().__init__(reason)


@dataclass
class Shape:
    """Rows of the wrong shape found while reading (reported with the validation problems)."""

    row: int
    cells: str
    fields: int
    expected: int


@dataclass
class Records:
    layout: str  # tidy | wide
    frame: pd.DataFrame  # TIDY_COLUMNS + ROW + COLUMN + ORG_COLUMN
    shapes: list[Shape] = field(default_factory=list)


def _decode(data: bytes) -> str:
    """CSV text from UTF-8 (with or without BOM) or GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(Message.of("validation.file.not_text"))


def _cell(value: object) -> str:
    """A spreadsheet cell as text; whole floats lose their '.0' so codes and counts read naturally."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def grid(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the file with its 1-based row number, cells as text."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise FileRejected(Message.of("validation.file.empty"))
    if len(data) > MAX_BYTES:
        raise FileRejected(Message.of("validation.file.too_large", size=len(data) / 2**20, limit=MAX_BYTES / 2**20))
    suffix = Path(name).suffix.lower()
    rows: list[tuple[int, list[str]]] = []
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise FileRejected(Message.of("validation.file.not_xlsx"))
        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as e:  # openpyxl raises many kinds for a damaged workbook
            raise FileRejected(Message.of("validation.file.damaged_xlsx", error=str(e))) from e
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if any(cells):
                rows.append((number, cells))
    elif suffix in (".csv", ".txt"):
        if b"\x00" in data[:4096]:
            raise FileRejected(Message.of("validation.file.binary_csv"))
        reader = csv.reader(io.StringIO(_decode(data)), skipinitialspace=True)
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, [c.strip() for c in cells]))
    else:
        raise FileRejected(Message.of("validation.file.unsupported", suffix=suffix or Message.of("validation.file.no_suffix")))
    if not rows:
        raise FileRejected(Message.of("validation.file.empty"))
    return rows


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for n in names:
        if n in lowered:
            return lowered.index(n)
    return None


def records(name: str, data: bytes) -> Records:
    """Tidy records from either layout; the header row is found below any title block."""
    rows = grid(name, data)
    for position, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        lowered = {c.strip().lower() for c in cells}
        if {"org", "period", "indicator", "value"} <= lowered:
            return _tidy(rows[position:])
        if _find(cells, ORG_HEADERS) is not None and sum(bool(CODE.match(c)) for c in cells) >= 1:
            return _wide(rows[:position], rows[position:])
    return _tidy(rows)  # no recognisable header: read the first row as one, and report what it lacks


def _tidy(rows: list[tuple[int, list[str]]]) -> Records:
    written = [h.strip() for h in rows[0][1]]
    header = [h.lower() for h in written]
    present = [c for c in TIDY_COLUMNS if c in header]
    optional = {name: at for name, names in OPTIONAL_HEADERS.items() if (at := _find(written, names)) is not None}
    yoy_header = written[optional["yoy"]] if "yoy" in optional else "yoy"
    out, shapes = [], []
    for number, cells in rows[1:]:
        if len(cells) != len(header):
            shapes.append(Shape(number, ",".join(cells), len(cells), len(header)))
            continue
        rec = dict(zip(header, cells, strict=True))
        out.append([rec[c] for c in present] + [cells[at] for at in optional.values()]
                   + [number, "value", "org", False, yoy_header])
    # Missing columns stay missing, so validation reports them instead of every empty cell.
    return Records("tidy", pd.DataFrame(out, columns=[*present, *optional, ROW, COLUMN, ORG_COLUMN, UNIT_GLOBAL,
                                                      YOY_COLUMN]), shapes)


def _title(title: list[tuple[int, list[str]]]) -> tuple[str, str]:
    """The period and unit a title block states ('2015年1-9月', '单位：万元'), if any."""
    text = " ".join(c for _, cells in title for c in cells if c)
    period = m.group(1) if (m := TITLE_PERIOD.search(text)) else ""
    unit = m.group(1) if (m := TITLE_UNIT.search(text)) else ""
    return period, unit


def _wide(title: list[tuple[int, list[str]]], rows: list[tuple[int, list[str]]]) -> Records:
    header = rows[0][1]
    org_at = _find(header, ("统一社会信用代码", "信用代码", "org"))
    if org_at is None:
        org_at = _find(header, ORG_HEADERS)
    period_at, unit_at = _find(header, PERIOD_HEADERS), _find(header, UNIT_HEADERS)
    codes = [(i, m.group(1), h) for i, h in enumerate(header) if (m := CODE.match(h)) and not YOY_HEADER.search(h)]
    rates = _rate_columns(header, codes)
    title_period, title_unit = _title(title)
    out, shapes = [], []
    for number, cells in rows[1:]:
        if len(cells) > len(header):
            shapes.append(Shape(number, ",".join(cells), len(cells), len(header)))
            continue
        cells = cells + [""] * (len(header) - len(cells))
        period = cells[period_at] if period_at is not None else title_period
        unit = cells[unit_at] if unit_at is not None and cells[unit_at] else title_unit
        for i, code, label in codes:
            if cells[i] == "":
                continue  # a blank cell is "not reported", not a zero
            rate_at = rates.get(code)
            out.append([cells[org_at], period, code, cells[i], unit, "" if rate_at is None else cells[rate_at],
                        number, label, header[org_at], True, None if rate_at is None else header[rate_at]])
    return Records("wide", pd.DataFrame(out, columns=[*TIDY_COLUMNS, "yoy", ROW, COLUMN, ORG_COLUMN, UNIT_GLOBAL,
                                                      YOY_COLUMN]), shapes)


def _rate_columns(header: list[str], codes: list[tuple[int, str, str]]) -> dict[str, int]:
    """Row code → the column of its published 同比 in the wide layout: a header naming the code
    ("2020 同比增减%"), else a bare 同比增减% column right after the code's own column, as the MIIT
    form prints 本期 and 同比增减% side by side."""
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        if not YOY_HEADER.search(h):
            continue
        if m := CODE.match(h):
            out[m.group(1)] = i
        elif before := [code for at, code, _ in codes if at == i - 1]:
            out.setdefault(before[0], i)
    return out


def period_ok(text: str) -> bool:
    try:
        parse_period(text)
        return True
    except PeriodError:
        return False


# ------------------------------------------------------------------------------------ templates


def tidy_template() -> bytes:
    """A CSV template of the tidy layout (UTF-8 with BOM, so Excel opens it correctly)."""
    example = [["hz-binjiang", "2015Q3", "2020", "12345.6", "万元"], ["杭州测试软件有限公司", "2015年1-9月", "employees", "120", "人"]]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(TIDY_COLUMNS)
    writer.writerows(example)
    return buf.getvalue().encode("utf-8-sig")


def wide_template(indicators: list[tuple[str, str]], period_label: str) -> bytes:
    """The MIIT enterprise form as an Excel template: a title block, then one column per row code.

    `indicators` are (code, name) pairs. Cells a user types into start with text or numbers only;
    nothing in the template is a formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业报表"
    ws.append(["软件和信息技术服务业企业统计报表"])
    ws.append([f"报告期：{period_label}", "单位：万元（出口：万美元；人数：人）"])
    ws.append([])
    ws.append(["统一社会信用代码", "企业名称", *[f"{code} {name}" for code, name in indicators]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
