"""Write the data-collection test corpus next to this script: one tiny file per case.

Run once (`.venv/bin/python tests/data/collection/make_corpus.py`); the files are committed and
tests/test_collection.py reads them as they are. No store is needed: tidy files name the park
hz-binjiang (present in every store built from the catalog, with no figures of its own in the
demo), and the wide MIIT-form files name enterprises by credit code — two codes below that the
tests register under hz-binjiang before importing, and wrong-check-character codes that fail
before any lookup.

A file larger than the upload limit is deliberately not part of the corpus: the test builds it in
a temporary directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the project root, for domain.credit_code

from domain.credit_code import ALPHABET, check_character, make_credit_code  # noqa: E402

HEADER = ["org", "period", "indicator", "value", "unit"]
PARK = "hz-binjiang"
PARK_ZH = "高新技术产业开发区(滨江)"  # hz-binjiang's registered name (data/plans/hangzhou-2012.yaml)
OK_ROW = [PARK, "2015Q1", "2020", "100", "万元"]  # spreadsheet row 2 of most bad files

# Enterprises of the good wide file; tests/test_collection.py registers them under hz-binjiang.
CORPUS_ENTERPRISES = {
    "ent-corpus-a": ("杭州语料甲软件有限公司", make_credit_code("91330108MA2CKL7X1")),
    "ent-corpus-b": ("杭州语料乙信息技术有限公司", make_credit_code("91330108MA2CKL7X2")),
}


def wrong_check(body17: str) -> str:
    """18 allowed characters whose last one is not the check character of the first 17."""
    right = check_character(body17)
    return body17 + ALPHABET[(ALPHABET.index(right) + 1) % len(ALPHABET)]


BAD_CODES = [wrong_check("91330108MA2CKL7X3"), wrong_check("91330108MA2CKL7X4")]

WIDE_TITLE = [["软件和信息技术服务业企业统计报表"], ["报告期：2015年1-9月", "单位：万元"], []]
WIDE_HEADER = ["统一社会信用代码", "企业名称", "2010 主营业务收入", "2020 软件业务收入", "2021 软件产品收入",
               "2040 软件业务出口", "2112 平均用工人数"]


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def tidy(rows: list[list[str]]) -> bytes:
    return csv_text([HEADER, *rows]).encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业报表"
    for row in rows:
        ws.append(row)
    fixed = dt.datetime(2015, 10, 15, 9, 0, 0)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def files() -> dict[str, bytes]:
    a_name, a_code = CORPUS_ENTERPRISES["ent-corpus-a"]
    b_name, b_code = CORPUS_ENTERPRISES["ent-corpus-b"]
    return {
        # ------------------------------------------------------------------ bad: one case each
        "unknown_organisation.csv": tidy([OK_ROW, ["no-such-park", "2015Q1", "2020", "200", "万元"]]),
        "unknown_indicator.csv": tidy([OK_ROW, [PARK, "2015Q1", "9999", "200", "万元"]]),
        # Wide layout, org by credit code: header on row 3 below the title block, data on rows 4-5.
        "bad_credit_code_check_character.csv": csv_text([
            *WIDE_TITLE[:2], WIDE_HEADER[:4],
            [BAD_CODES[0], "杭州校验码错误软件有限公司", "5000", "3000"],
            [BAD_CODES[1], "杭州另一家校验码错误有限公司", "800", "600"],
        ]).encode("utf-8"),
        "not_a_number.csv": tidy([OK_ROW, [PARK, "2015Q2", "2020", "一百", "万元"]]),
        "negative_revenue.csv": tidy([OK_ROW, [PARK, "2015Q2", "2020", "-200", "万元"]]),
        # software_products 150 > software_revenue 100, same org and period
        "part_exceeds_total.csv": tidy([OK_ROW, [PARK, "2015Q1", "2021", "150", "万元"]]),
        # year-to-date 200 in Q1, 150 in Q2
        "ytd_falls_within_year.csv": tidy([[PARK, "2015Q1", "2020", "200", "万元"],
                                           [PARK, "2015Q2", "2020", "150", "万元"]]),
        # Q1 120 万元; Q2 typed in 元 but labelled 万元: 120 × 10 000 = 1 200 000
        "unit_slip_10000x.csv": tidy([[PARK, "2015Q1", "2020", "120", "万元"],
                                      [PARK, "2015Q2", "2020", "1200000", "万元"]]),
        "future_period.csv": tidy([OK_ROW, [PARK, "2099Q1", "2020", "200", "万元"]]),
        "duplicate_rows.csv": tidy([OK_ROW, OK_ROW]),
        "empty.csv": b"",
        "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "really_csv.xlsx": tidy([OK_ROW]),
        # ------------------------------------------------------------------------- good files
        "good_tidy_gbk.csv": csv_text([
            HEADER,
            [PARK_ZH, "2015年1-6月", "2020", "3.25", "亿元"],  # 32 500 万元
            [PARK_ZH, "2015年1-6月", "2010", "4.5", "亿元"],  # 45 000 万元
            [PARK_ZH, "2015年1-6月", "2021", "12000", "万元"],
            [PARK_ZH, "2015年1-6月", "2112", "860", "人"],
        ]).encode("gbk"),
        "good_tidy_utf8_bom.csv": csv_text([
            HEADER,
            [PARK, "2015Q3", "software_revenue", "48000", "万元"],
            [PARK, "2015Q3", "2090", "-350.5", "万元"],  # a loss: profit may be negative
            [PARK, "2015年1-9月", "employees", "120", "人"],
        ]).encode("utf-8-sig"),
        # The MIIT form as Excel with its title block: period and unit come from the title.
        "good_wide_miit_title.xlsx": xlsx([
            *WIDE_TITLE, WIDE_HEADER,
            [a_code, a_name, 5200, 3000.5, 1200, 150, 120],
            [b_code, b_name, 880, 640, None, 12.5, 35],  # a blank cell is "not reported"
        ]),
        "good_fullwidth_mixed_units.csv": csv_text([
            HEADER,
            [PARK, "2015Q4", "2010", "２,５００,０００,０００", "元"],  # 2.5e9 元 = 250 000 万元
            # 155 000 万元: software at 62 % of main revenue, within the ratio bound (data/indicators.yaml)
            [PARK, "2015Q4", "2020", "１５.５", "亿元"],
            [PARK, "2015Q4", "2021", "12,345.6", "元"],  # 1.23456 万元
            [PARK, "2015Q4", "2022", "１２，３４５.６", "万元"],  # full-width comma: 12 345.6 万元
            [PARK, "2015Q4", "2112", "１２０", "人"],
        ]).encode("utf-8"),
    }


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
