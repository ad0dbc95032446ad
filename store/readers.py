"""Turning an uploaded file into tidy records: decoding, layouts, title blocks, templates.

Statisticians upload what they already produce: a tidy list (org, period, indicator, value, unit)
or the MIIT enterprise form laid out wide (one row per enterprise, one column per row code) with
a title block above the header, as the Excel templates have. Both become the same tidy records,
each remembering the spreadsheet row and column it came from so that every error can point at
the cell. CSV may be UTF-8, UTF-8 with BOM or GBK/GB18030, with CRLF, LF or old-Mac CR line
endings; XLSX is read with openpyxl.

Reading is bounded (issue 16): an upload comes from anyone with a sign-in, and a 0.9 MB workbook can
unpack to five million rows. The file's size, an XLSX's unpacked size, parts and compression ratio
(from its zip directory, before openpyxl opens it), then rows, columns, cell length and cells kept
(counted while streaming, row by row) each have a limit below; the first one crossed refuses the file
with the row and column where it happened, having kept at most about one limit's worth. The limits
are constants, not settings: they describe what a statistical form can hold, not the server. What a
server can afford — the memory and time of the worker process that reads a file — are settings
(store/worker.py).
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

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
HEADER_SEARCH_ROWS = 20

# The limits of what a file may hold (see the module docstring). A legitimate file is far inside
# each: the benchmark's 100 000-row upload is 3 MB as CSV and unpacks to 28 MB as XLSX.
MAX_BYTES = 50 * 1024 * 1024  # the file as uploaded
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # an XLSX's parts unpacked, summed from its zip directory
MAX_PARTS = 10_000  # parts (zip members) of an XLSX; a workbook has a dozen or so
MAX_RATIO = 100  # unpacked / packed size of one XLSX part; sheets written by Excel or openpyxl stay below 20
RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked are not ratio-checked (tiny XML compresses oddly)
MAX_ROWS = 200_000  # rows read, blank and title rows included
MAX_COLUMNS = 1_000  # cells in one row; the MIIT form laid out wide has about a hundred
MAX_CELL_CHARS = 32_767  # characters in one cell: Excel's own limit
MAX_CELLS = 2_000_000  # cells kept over the whole file (200 000 tidy rows of up to 10 columns)
SHOWN_CHARS = 200  # of a row of the wrong shape, as a problem quotes it
# The csv module refuses a field over its own limit (128 KiB by default) with an error naming
# neither row nor column; raised above anything a file within MAX_BYTES can hold, MAX_CELL_CHARS
# is the limit that speaks, with both. (A process-wide setting: raising it loosens nothing.)
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))

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
    """The file cannot be read (empty, binary, wrong type, too large, over a limit); `reason` says
    why, and `row` and `column` (a spreadsheet letter) where, when one place is to blame."""

    def __init__(self, reason: Message, row: int | None = None, column: str | None = None):
        self.reason = reason
        self.row = row
        self.column = column
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


def _cell(value: object) -> str:
    """A spreadsheet cell as text; whole floats lose their '.0' so codes and counts read naturally."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def preflight(name: str, data: bytes) -> str:
    """The checks that need no parsing, each bounded by the file's size: empty, too large, a type we
    read, NUL bytes in text, an XLSX's zip directory (store/worker.py runs these in the app's own
    process, so such a file never occupies a worker). Returns the file's suffix."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise FileRejected(Message.of("validation.file.empty"))
    if len(data) > MAX_BYTES:
        raise FileRejected(Message.of("validation.file.too_large", size=len(data) / 2**20, limit=MAX_BYTES / 2**20))
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise FileRejected(Message.of("validation.file.not_xlsx"))
        _check_archive(data)
    elif suffix in (".csv", ".txt"):
        if b"\x00" in data:  # text has no NUL; UTF-16 and binary files do
            raise FileRejected(Message.of("validation.file.binary_csv"))
    else:
        raise FileRejected(Message.of("validation.file.unsupported", suffix=suffix or Message.of("validation.file.no_suffix")))
    return suffix


def grid(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    """Every non-blank row of the file with its 1-based row number, cells as text (stripped),
    within the limits above (FileRejected at the first one crossed)."""
    suffix = preflight(name, data)
    rows = _kept(_xlsx_rows(data)) if suffix in (".xlsx", ".xlsm") else _csv(data)
    if not rows:
        raise FileRejected(Message.of("validation.file.empty"))
    return rows


def _kept(rows: Iterable[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a stream of (row number, cells), refused at the first row, cell or
    total beyond its limit — checked as each row arrives, so nothing beyond it is read."""
    kept: list[tuple[int, list[str]]] = []
    cells_kept = 0
    for number, cells in rows:
        if number > MAX_ROWS:
            raise FileRejected(Message.of("validation.file.too_many_rows", limit=MAX_ROWS), row=number)
        if len(cells) > MAX_COLUMNS:
            raise FileRejected(Message.of("validation.file.too_many_columns", count=len(cells), limit=MAX_COLUMNS),
                               row=number, column=get_column_letter(MAX_COLUMNS + 1))
        for at, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                raise FileRejected(Message.of("validation.file.cell_too_long", length=len(cell), limit=MAX_CELL_CHARS),
                                   row=number, column=get_column_letter(at + 1))
        if any(cells):
            cells_kept += len(cells)
            if cells_kept > MAX_CELLS:
                raise FileRejected(Message.of("validation.file.too_many_cells", limit=MAX_CELLS), row=number)
            kept.append((number, cells))
    return kept


# ------------------------------------------------------------------------------------ CSV


def _csv(data: bytes) -> list[tuple[int, list[str]]]:
    """The rows of CSV text in UTF-8 (with or without BOM), else GB18030 (a superset of GBK),
    decoded as they are read: a decoding error part-way starts again in the next encoding."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _kept(_csv_rows(data, encoding))
        except UnicodeDecodeError:
            continue
    raise FileRejected(Message.of("validation.file.not_text"))


def _csv_rows(data: bytes, encoding: str) -> Iterator[tuple[int, list[str]]]:
    # newline="": lines end at CRLF, LF or a lone CR (old Mac), and a quoted field keeps its own.
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(text, skipinitialspace=True)
    try:
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]
    except csv.Error as e:
        raise FileRejected(Message.of("validation.file.bad_csv", error=str(e)), row=reader.line_num) from e


# ------------------------------------------------------------------------------------ XLSX


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """The rows of the first sheet, streamed by openpyxl in read-only mode (once `preflight` has
    found nothing in the zip directory larger than the limits allow)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as e:  # openpyxl raises many kinds for a damaged workbook
        raise FileRejected(Message.of("validation.file.damaged_xlsx", error=str(e))) from e
    try:
        sheet = book.worksheets[0]
        # Rows as long as their last cell, not as the sheet's <dimension> claims: a forged
        # "A1:XFD1048576" would otherwise pad every row to 16 384 cells.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    except (FileRejected, MemoryError):
        raise
    except Exception as e:  # a part damaged beyond its directory entry (bad XML, bad CRC) shows only now
        raise FileRejected(Message.of("validation.file.damaged_xlsx", error=str(e))) from e
    finally:
        book.close()


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose zip directory promises more than the limits: too many parts, too
    much unpacked, or a part compressed like a bomb. Python's zipfile stops every part at the size
    its directory entry states (and fails its CRC check if the data runs longer), so these sizes
    bound what openpyxl can unpack."""
    # The end-of-directory record gives the number of parts before zipfile builds one object per part.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        raise FileRejected(Message.of("validation.file.damaged_xlsx", error="no zip directory"))
    (parts,) = struct.unpack_from("<H", data, end + 10)
    if parts > MAX_PARTS:  # 0xFFFF, the zip64 marker, included: no workbook within MAX_BYTES needs zip64
        raise FileRejected(Message.of("validation.file.too_many_parts", count=parts, limit=MAX_PARTS))
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as e:
        raise FileRejected(Message.of("validation.file.damaged_xlsx", error=str(e))) from e
    if len(members) > MAX_PARTS:
        raise FileRejected(Message.of("validation.file.too_many_parts", count=len(members), limit=MAX_PARTS))
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileRejected(Message.of("validation.file.unpacked_too_large", size=unpacked / 2**20,
                                      limit=MAX_UNPACKED_BYTES / 2**20))
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise FileRejected(Message.of("validation.file.compression_ratio", part=m.filename,
                                          ratio=m.file_size / max(m.compress_size, 1), limit=MAX_RATIO))


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
            shapes.append(Shape(number, _shown(cells), len(cells), len(header)))
            continue
        rec = dict(zip(header, cells, strict=True))
        out.append([rec[c] for c in present] + [cells[at] for at in optional.values()]
                   + [number, "value", "org", False, yoy_header])
    # Missing columns stay missing, so validation reports them instead of every empty cell.
    return Records("tidy", pd.DataFrame(out, columns=[*present, *optional, ROW, COLUMN, ORG_COLUMN, UNIT_GLOBAL,
                                                      YOY_COLUMN]), shapes)


def _shown(cells: list[str]) -> str:
    """A row as a problem quotes it: its cells joined, cut short (a row may hold 1 000 long cells)."""
    text = ",".join(cells)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


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
            shapes.append(Shape(number, _shown(cells), len(cells), len(header)))
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


TEMPLATE_NAME_COLUMN = "指标名称"  # the tidy template's column beside the five, for the reader: ignored when read


def tidy_template(rows: Iterable[tuple[str, str, str, str, str]] | None = None) -> bytes:
    """A CSV template of the tidy layout (UTF-8 with BOM, so Excel opens it correctly). `rows` are
    (organisation, period, indicator code, unit, indicator name) to fill in, values left blank;
    without them two example rows. Values go in canonical units (the indicator's own), named in
    each row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if rows is None:
        writer.writerow(TIDY_COLUMNS)
        writer.writerows([["hz-binjiang", "2015Q3", "2020", "12345.6", "万元"],
                          ["杭州测试软件有限公司", "2015年1-9月", "employees", "120", "人"]])
    else:
        writer.writerow([*TIDY_COLUMNS, TEMPLATE_NAME_COLUMN])
        writer.writerows([org, period, indicator, "", unit, name] for org, period, indicator, unit, name in rows)
    return buf.getvalue().encode("utf-8-sig")


def wide_template(indicators: list[tuple[str, str]], period_label: str,
                  firms: Iterable[tuple[str, str]] = ()) -> bytes:
    """The MIIT enterprise form as an Excel template: a title block, then one column per row code,
    and a row for each of `firms` ((credit code, name) pairs) to fill in.

    `indicators` are (code, name) pairs. Cells a user types into start with text or numbers only;
    nothing in the template is a formula."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业报表"
    ws.append(["软件和信息技术服务业企业统计报表"])
    ws.append([f"报告期：{period_label}", "单位：万元（出口：万美元；人数：人）"])
    ws.append([])
    ws.append(["统一社会信用代码", "企业名称", *[f"{code} {name}" for code, name in indicators]])
    for code, name in firms:
        ws.append([code, name])
    for row in ws.iter_rows():  # text stays text: openpyxl would store "=…" as a formula
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
