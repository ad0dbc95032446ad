"""Hostile files made on the spot: a workbook that unpacks to millions of rows, workbooks with forged
zip directories or sheet dimensions, CSVs of bad rows. Written here rather than committed, so each is
as large as the case needs and no larger on disk; tests/test_readers_bounded.py and
bench/hostile_upload.py use them.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>')
SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
HEADER_ROW = ('<row r="1">' + "".join(f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
                                      for col, name in zip("ABCDE", ("org", "period", "indicator", "value", "unit"),
                                                           strict=True)) + "</row>")
# A row without row or cell references: the reader numbers it, so it can repeat verbatim (and
# deflate packs 258 copies of it in little more than one).
BAD_ROW = "<row><c><v>1</v></c><c><v>2</v></c></row>"


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheet_xml: Iterable[str], extra: dict[str, bytes] | None = None, level: int = 9) -> bytes:
    """An XLSX whose first sheet is the XML pieces given (streamed into the zip, never joined)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for piece in sheet_xml:
                sheet.write(piece.encode("utf-8"))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def sheet(rows: Iterable[str], dimension: str | None = None) -> Iterator[str]:
    yield SHEET_OPEN
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData></worksheet>"


def bomb(rows: int = 5_000_000) -> bytes:
    """The issue's workbook: a header, then `rows` identical short rows; 0.8 MB packed for five
    million rows, 215 MB unpacked."""
    def body() -> Iterator[str]:
        yield HEADER_ROW
        chunk = BAD_ROW * 10_000
        for _ in range(rows // 10_000):
            yield chunk
        yield BAD_ROW * (rows % 10_000)
    return workbook(sheet(body()))


def numbered(rows: int) -> bytes:
    """A workbook of `rows` rows each numbered and different (so it packs like a real sheet, about
    10:1): within the unpacked and ratio limits however long, stopped only by the row limit."""
    def body() -> Iterator[str]:
        yield HEADER_ROW
        for start in range(2, rows + 2, 10_000):
            yield "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(start, min(start + 10_000, rows + 2)))
    return workbook(sheet(body()), level=6)


def forge_sizes(data: bytes, member: str, file_size: int) -> bytes:
    """`data` with the central directory's unpacked size of `member` replaced: a bomb lying about
    its size (the local header keeps the truth, as an attacker would leave it)."""
    out = bytearray(data)
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46:at + 46 + name_len]).decode() == member:
            struct.pack_into("<I", out, at + 24, file_size)
            return bytes(out)
        at += 4
    raise KeyError(member)


def many_parts(parts: int) -> bytes:
    """A valid workbook with `parts` extra tiny zip members."""
    return workbook(sheet([HEADER_ROW]), extra={f"xl/media/p{i}.bin": b"x" for i in range(parts)}, level=1)


def bad_csv(size: int, pad: int = 250) -> bytes:
    """A tidy CSV of about `size` bytes of bad rows: an unknown organisation and a value that is
    not a number, padded to `pad` characters (the default keeps 50 MB under the row limit, so every
    row reaches the validation rules)."""
    head = b"org,period,indicator,value,unit\r\n"
    row = b"nobody-%07d,2015Q1,2020,not-a-number-" + b"x" * pad + b",\xe4\xb8\x87\xe5\x85\x83\r\n"
    n = (size - len(head)) // (len(row % 0))
    return head + b"".join(row % i for i in range(n))

