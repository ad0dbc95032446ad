"""Ingestion end to end: real files in tmp_path, imported into a real DuckDB store.

Every case writes a file the way a statistician would produce it (CSV in UTF-8, UTF-8 with BOM or
GB18030, an XLSX from Excel), imports it through `ingest.import_file` and then looks at what the
store holds. Rejections must name the spreadsheet row (header = row 1, first data row = row 2) and
the column, and must leave the store exactly as it was: the import is all or nothing.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from domain.access import Identity, Role
from domain.messages import render
from domain.models import Organisation, OrgKind
from domain.periods import Period
from store import figures, ingest, orgs, submissions
from tests import rawsql

HEADER = ["org", "period", "indicator", "value", "unit"]
TESTER = Identity(username="tester", display_name="tester", role=Role.ADMIN)
BINJIANG_ZH = "高新技术产业开发区(滨江)"  # hz-binjiang's registered name in data/plans/hangzhou-2012.yaml


# ------------------------------------------------------------------------------------- helpers


def csv_bytes(rows: list[list[str]], header: list[str] | None = HEADER, encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def write_csv(tmp_path: Path, rows: list[list[str]], name: str = "upload.csv", **kw) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, **kw))
    return path


def counts(con) -> tuple[int, int]:
    """(observations, submissions): what an import may change."""
    return (rawsql.scalar(con, "SELECT count(*) FROM observations"),
            rawsql.scalar(con, "SELECT count(*) FROM submissions"))


def current(con, org: str, indicator: str, year: int, quarter: int) -> float | None:
    return rawsql.scalar(
        con,
        "SELECT value FROM current_observations WHERE org_id = ? AND indicator_id = ? AND year = ? AND quarter = ?",
        [org, indicator, year, quarter],
    )


def import_ok(con, catalog, path: Path, **kw) -> tuple[int, int]:
    return ingest.import_file(con, catalog, path, who=TESTER, **kw)


def import_rejected(con, catalog, path: Path, **kw) -> list[ingest.Problem]:
    """Import a file that must be rejected; check nothing was written; return its problems."""
    before = counts(con)
    with pytest.raises(ingest.SubmissionRejected) as caught:
        ingest.import_file(con, catalog, path, who=TESTER, **kw)
    assert counts(con) == before, "a rejected file must leave the store unchanged"
    return caught.value.problems


def where(problems: list[ingest.Problem]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in problems}


def store_rows(con, catalog, tmp_path: Path, rows: list[list[str]], name: str = "stored.csv") -> None:
    """Put figures into the store through the same import path (they must pass)."""
    import_ok(con, catalog, write_csv(tmp_path, rows, name=name))


# ------------------------------------------------------------------------------ good files


GOOD_ROWS = [
    # id, row as typed, (org_id, indicator_id, year, quarter), stored value in the canonical unit
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "1.5", "亿元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 1.5 * 10_000, id="yi-yuan-to-wan-yuan"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 15000.0, id="wan-yuan-as-is"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "150000000", "元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 150_000_000 / 10_000, id="yuan-to-wan-yuan"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "15000", ""],
                 ("hz-binjiang", "software_revenue", 2015, 3), 15000.0, id="blank-unit-means-canonical"),
    pytest.param([BINJIANG_ZH, "2015Q3", "software_revenue", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 15000.0, id="org-by-chinese-name"),
    pytest.param(["青岛市", "2015Q4", "software_revenue", "1500", "亿元"],
                 ("qingdao", "software_revenue", 2015, 4), 1500 * 10_000, id="city-by-chinese-name"),
    pytest.param(["hz-binjiang", "2015Q3", "2020", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 15000.0, id="indicator-by-miit-code"),
    pytest.param(["hz-binjiang", "2015年1-9月", "software_revenue", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 15000.0, id="period-chinese-ytd"),
    pytest.param(["hz-binjiang", "2015年1-3月", "software_revenue", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 1), 15000.0, id="period-chinese-q1"),
    pytest.param(["hz-binjiang", "2015年", "software_revenue", "15000", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 4), 15000.0, id="period-whole-year-is-q4"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "１２,３４５.６", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 12345.6, id="full-width-digits-thousands"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "１２，３４５.６", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 12345.6, id="full-width-comma"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", " 1,234,567 ", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 1_234_567.0, id="ascii-thousands-and-spaces"),
    pytest.param(["hz-binjiang", "2015Q3", "2090", "-350.5", "万元"],
                 ("hz-binjiang", "total_profit", 2015, 3), -350.5, id="profit-may-be-negative"),
    pytest.param(["hz-binjiang", "2015Q3", "total_profit", "-0.5", "亿元"],
                 ("hz-binjiang", "total_profit", 2015, 3), -0.5 * 10_000, id="loss-in-yi-yuan"),
    pytest.param(["hz-binjiang", "2015Q3", "2040", "2.5", "亿美元"],
                 ("hz-binjiang", "software_exports", 2015, 3), 2.5 * 10_000, id="exports-yi-dollars"),
    pytest.param(["hz-binjiang", "2015Q3", "2112", "1.2", "万人"],
                 ("hz-binjiang", "employees", 2015, 3), 1.2 * 10_000, id="employees-wan-ren"),
    pytest.param(["hz-binjiang", "2015Q3", "floor_area_built", "30", "万平方米"],
                 ("hz-binjiang", "floor_area_built", 2015, 3), 30 * 10_000, id="park-floor-area"),
    pytest.param(["hz-binjiang", "2015Q3", "software_revenue", "0", "万元"],
                 ("hz-binjiang", "software_revenue", 2015, 3), 0.0, id="zero-is-a-value"),
]


@pytest.mark.parametrize(("row", "key", "expected"), GOOD_ROWS)
def test_good_row_is_stored_in_canonical_unit(store, catalog, tmp_path, row, key, expected):
    sub, written = import_ok(store, catalog, write_csv(tmp_path, [row]))
    assert written == 1
    assert counts(store) == (1, 1)
    assert current(store, *key) == pytest.approx(expected, rel=1e-12, abs=1e-9)
    # The figure as typed is kept next to the converted one, with its unit.
    hist = submissions.history(store, *key)
    assert list(hist.revision) == [1]
    assert hist.submission_id[0] == sub
    assert hist.entered_by[0] == "tester"
    assert hist.unit_entered[0] == (row[4] or catalog.indicators[key[1]].unit)


def test_good_file_with_several_rows_commits_as_one_submission(store, catalog, tmp_path):
    rows = [
        ["hz-binjiang", "2015Q1", "2020", "2.1", "亿元"],  # 2.1 × 10 000 = 21 000 万元
        ["hz-binjiang", "2015Q2", "2020", "46000", "万元"],
        ["hz-binjiang", "2015Q2", "2021", "1.2", "亿元"],  # part 12 000 ≤ total 46 000
        [BINJIANG_ZH, "2015年1-9月", "software_revenue", "720,000,000", "元"],  # 7.2e8 / 1e4 = 72 000
    ]
    sub, written = import_ok(store, catalog, write_csv(tmp_path, rows))
    assert written == 4
    assert counts(store) == (4, 1)
    assert rawsql.scalar(store, "SELECT row_count FROM submissions WHERE submission_id = ?", [sub]) == 4
    assert current(store, "hz-binjiang", "software_revenue", 2015, 1) == pytest.approx(2.1 * 10_000)
    assert current(store, "hz-binjiang", "software_revenue", 2015, 2) == pytest.approx(46_000)
    assert current(store, "hz-binjiang", "software_products", 2015, 2) == pytest.approx(1.2 * 10_000)
    assert current(store, "hz-binjiang", "software_revenue", 2015, 3) == pytest.approx(720_000_000 / 10_000)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"], ids=["utf8", "utf8-bom", "gb18030"])
def test_csv_encodings(store, catalog, tmp_path, encoding):
    rows = [[BINJIANG_ZH, "2015年1-6月", "2020", "3.25", "亿元"],
            ["青岛市", "2015年1-6月", "2020", "１２,３４５", "万元"]]
    data = csv_bytes(rows, encoding=encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):  # the case is only worth testing if it is not UTF-8
            data.decode("utf-8")
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    _, written = import_ok(store, catalog, path)
    assert written == 2
    assert current(store, "hz-binjiang", "software_revenue", 2015, 2) == pytest.approx(3.25 * 10_000)
    assert current(store, "qingdao", "software_revenue", 2015, 2) == pytest.approx(12_345)


def test_gb18030_error_message_keeps_the_chinese_value(store, catalog, tmp_path):
    path = tmp_path / "upload.csv"
    path.write_bytes(csv_bytes([["滨江不存在园区", "2015Q1", "2020", "1", "万元"]], encoding="gb18030"))
    problems = import_rejected(store, catalog, path)
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "org", "滨江不存在园区")]


def test_xlsx_written_with_openpyxl(store, catalog, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(["hz-binjiang", "2015Q1", 2020, 1.5, "亿元"])  # numeric cells, as Excel stores them
    ws.append([BINJIANG_ZH, "2015年1-6月", "2020", 32000, "万元"])
    ws.append(["qingdao", "2015Q2", "total_profit", -120.5, "万元"])
    ws.append(["hz-binjiang", "2015Q2", "employees", "１２,３４５", "人"])
    path = tmp_path / "upload.xlsx"
    wb.save(path)
    _, written = import_ok(store, catalog, path)
    assert written == 4
    assert current(store, "hz-binjiang", "software_revenue", 2015, 1) == pytest.approx(1.5 * 10_000)
    assert current(store, "hz-binjiang", "software_revenue", 2015, 2) == pytest.approx(32_000)
    assert current(store, "qingdao", "total_profit", 2015, 2) == pytest.approx(-120.5)
    assert current(store, "hz-binjiang", "employees", 2015, 2) == pytest.approx(12_345)


def test_xlsx_errors_name_spreadsheet_rows(store, catalog, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)  # row 1
    ws.append(["hz-binjiang", "2015Q1", 2020, 1.5, "亿元"])  # row 2: fine
    ws.append(["hz-binjiang", "2015Q2", 2020, 1.8, "人"])  # row 3: wrong unit
    ws.append(["no-such-park", "2015Q2", 2020, 1.8, "亿元"])  # row 4: unknown org
    path = tmp_path / "upload.xlsx"
    wb.save(path)
    problems = import_rejected(store, catalog, path)
    assert where(problems) == {(3, "unit"), (4, "org")}


def test_enterprise_row(store, catalog, tmp_path):
    orgs.upsert_orgs(store, [Organisation(org_id="ent-test", name_zh="杭州测试软件有限公司", kind=OrgKind.ENTERPRISE,
                                          parent="hz-binjiang")], "test")
    rows = [["杭州测试软件有限公司", "2015Q1", "2020", "1200", "万元"],
            ["ent-test", "2015Q1", "2021", "0.05", "亿元"]]  # 0.05 × 10 000 = 500 万元 ≤ 1200
    _, written = import_ok(store, catalog, write_csv(tmp_path, rows))
    assert written == 2
    assert current(store, "ent-test", "software_revenue", 2015, 1) == pytest.approx(1200)
    assert current(store, "ent-test", "software_products", 2015, 1) == pytest.approx(0.05 * 10_000)


# ------------------------------------------------------------------------------ row errors

OK_ROW = ["hz-binjiang", "2015Q1", "software_revenue", "100", "万元"]  # row 2 of every file below

ROW_ERRORS = [
    # id, data rows after OK_ROW (first of them is spreadsheet row 3), expected (row, column), reason fragment
    pytest.param([["no-such-park", "2015Q2", "2020", "200", "万元"]], (3, "org"), "unknown organisation",
                 id="unknown-org-id"),
    pytest.param([["通信产业园", "2015Q2", "2020", "200", "万元"]], (3, "org"), "unknown organisation",
                 id="org-alias-is-not-the-registered-name"),
    pytest.param([["hz-binjiang", "2015Q2", "9999", "200", "万元"]], (3, "indicator"), "unknown indicator",
                 id="unknown-indicator-code"),
    pytest.param([["hz-binjiang", "2015Q2", "revenue", "200", "万元"]], (3, "indicator"), "unknown indicator",
                 id="unknown-indicator-id"),
    pytest.param([["hz-binjiang", "2015Q5", "2020", "200", "万元"]], (3, "period"), "not a period",
                 id="bad-period-q5"),
    pytest.param([["hz-binjiang", "2015年1-8月", "2020", "200", "万元"]], (3, "period"), "must end in",
                 id="bad-period-month-not-quarter-end"),
    pytest.param([["hz-binjiang", "Q2 2015", "2020", "200", "万元"]], (3, "period"), "not a period",
                 id="bad-period-order"),
    pytest.param([["hz-binjiang", "2099Q1", "2020", "200", "万元"]], (3, "period"), "future",
                 id="future-period"),
    pytest.param([["hz-binjiang", "2099年1-3月", "2020", "200", "万元"]], (3, "period"), "future",
                 id="future-period-chinese"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "abc", "万元"]], (3, "value"), "not a number",
                 id="not-a-number"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "", "万元"]], (3, "value"), "not a number",
                 id="empty-value"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "12.5%", "万元"]], (3, "value"), "not a number",
                 id="percent-sign"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "nan", "万元"]], (3, "value"), "not a number",
                 id="nan"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "-200", "万元"]], (3, "value"), "cannot be negative",
                 id="negative-revenue"),
    pytest.param([["hz-binjiang", "2015Q2", "2112", "-3", "人"]], (3, "value"), "cannot be negative",
                 id="negative-employees"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "200", "人"]], (3, "unit"), "does not measure",
                 id="unit-wrong-dimension-people-for-revenue"),
    pytest.param([["hz-binjiang", "2015Q2", "2040", "200", "万元"]], (3, "unit"), "does not measure",
                 id="unit-wrong-dimension-yuan-for-dollar-exports"),
    pytest.param([["hz-binjiang", "2015Q2", "2020", "200", "斤"]], (3, "unit"), "unknown unit",
                 id="unknown-unit"),
    pytest.param([OK_ROW], (3, "period"), "duplicate of row 2", id="duplicate-row"),
    pytest.param([[BINJIANG_ZH, "2015年1-3月", "2020", "100", "万元"]], (3, "period"), "duplicate of row 2",
                 id="duplicate-spelled-differently"),
    # software_products 150 > software_revenue 100 for the same org and period
    pytest.param([["hz-binjiang", "2015Q1", "software_products", "150", "万元"]], (3, "value"), "exceeds its total",
                 id="part-exceeds-total"),
    # Q2 year-to-date 80 < Q1 year-to-date 100
    pytest.param([["hz-binjiang", "2015Q2", "software_revenue", "80", "万元"]], (3, "value"), "falls from 100",
                 id="ytd-falls-within-year"),
]


@pytest.mark.parametrize(("rows", "expected", "reason"), ROW_ERRORS)
def test_each_error_names_row_and_column(store, catalog, tmp_path, rows, expected, reason):
    problems = import_rejected(store, catalog, write_csv(tmp_path, [OK_ROW, *rows]))
    assert where(problems) == {expected}
    (problem,) = problems
    assert problem.severity == ingest.Severity.ERROR
    assert reason in render(problem.reason, "en")
    assert problem.file == "upload.csv"
    assert f"row {expected[0]}, column {expected[1]}" in str(problem)


STORED_ERRORS = [
    # id, figures already stored, the new file's rows (row 2 first), expected (row, column), reason fragment
    # Q1 stored as 100 万元; Q2 typed in 元 but labelled 万元: 100 × 10 000 = 1 000 000, ratio 10⁴ ≥ 5000.
    pytest.param([["hz-binjiang", "2015Q1", "2020", "100", "万元"]],
                 [["hz-binjiang", "2015Q2", "2020", "1000000", "万元"]], (2, "value"), "check the unit",
                 id="unit-slip-vs-previous-quarter"),
    # Employees (a stock) 5000 人 in Q1, then 0.5 typed in 万人 but labelled 人: 5000 / 0.5 = 10⁴.
    pytest.param([["hz-binjiang", "2015Q1", "2112", "5000", "人"]],
                 [["hz-binjiang", "2015Q2", "2112", "0.5", "人"]], (2, "value"), "check the unit",
                 id="unit-slip-downward-stock"),
    # No previous quarter, so the same quarter a year earlier is the reference: 100 → 100 × 10 000.
    pytest.param([["hz-binjiang", "2014Q2", "2020", "100", "万元"]],
                 [["hz-binjiang", "2015Q2", "2020", "1000000", "万元"]], (2, "value"), "check the unit",
                 id="unit-slip-vs-last-year"),
    # Stored Q1 = 200, new Q2 = 150: year-to-date falls.
    pytest.param([["hz-binjiang", "2015Q1", "2020", "200", "万元"]],
                 [["hz-binjiang", "2015Q2", "2020", "150", "万元"]], (2, "value"), "falls from 200",
                 id="ytd-falls-vs-stored"),
    # Stored total 100, new part 150.
    pytest.param([["hz-binjiang", "2015Q1", "2020", "100", "万元"]],
                 [["hz-binjiang", "2015Q1", "2021", "150", "万元"]], (2, "value"), "exceeds its total",
                 id="part-exceeds-stored-total"),
    # software_revenue (part of main_revenue): stored 主营业务收入 100, new 软件业务收入 120.
    pytest.param([["hz-binjiang", "2015Q1", "2010", "100", "万元"]],
                 [["hz-binjiang", "2015Q1", "2020", "120", "万元"]], (2, "value"), "exceeds its total",
                 id="software-revenue-exceeds-stored-main-revenue"),
]


@pytest.mark.parametrize(("stored", "rows", "expected", "reason"), STORED_ERRORS)
def test_errors_against_stored_figures(store, catalog, tmp_path, stored, rows, expected, reason):
    store_rows(store, catalog, tmp_path, stored)
    problems = import_rejected(store, catalog, write_csv(tmp_path, rows))
    assert where(problems) == {expected}
    assert reason in render(problems[0].reason, "en")
    assert problems[0].severity == ingest.Severity.ERROR


def test_unit_slip_is_an_error_even_with_an_explanation(store, catalog, tmp_path):
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2015Q1", "2020", "100", "万元"]])
    path = write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2020", "1000000", "万元"]])  # 100 × 10⁴
    problems = import_rejected(store, catalog, path, explanation="确认无误")
    assert where(problems) == {(2, "value")}


def test_sum_of_parts_must_equal_total(store, catalog, tmp_path):
    rows = [
        ["hz-binjiang", "2015Q4", "2020", "1000", "万元"],  # row 2: the total
        ["hz-binjiang", "2015Q4", "2021", "400", "万元"],
        ["hz-binjiang", "2015Q4", "2022", "300", "万元"],
        ["hz-binjiang", "2015Q4", "2023", "100", "万元"],
        ["hz-binjiang", "2015Q4", "2024", "100", "万元"],  # 400 + 300 + 100 + 100 = 900 ≠ 1000
    ]
    problems = import_rejected(store, catalog, write_csv(tmp_path, rows))
    assert where(problems) == {(2, "value")}
    assert "not the sum of its four parts 900" in render(problems[0].reason, "en")
    # 400 + 300 + 200 + 100 = 1000: the same file with the parts adding up goes through.
    rows[3][3] = "200"
    _, written = import_ok(store, catalog, write_csv(tmp_path, rows, name="fixed.csv"))
    assert written == 5


# ------------------------------------------------------------------------------ file errors


def _xlsx_bytes() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FILE_ERRORS = [
    # id, file name, bytes, reason fragment
    pytest.param("upload.csv", b"", "empty", id="empty-file"),
    pytest.param("upload.csv", b" \r\n\n  ", "empty", id="whitespace-only"),
    pytest.param("upload.csv", csv_bytes([]), "no data rows", id="header-only"),
    pytest.param("upload.csv", _xlsx_bytes(), "binary", id="xlsx-renamed-to-csv"),
    pytest.param("upload.csv", bytes(range(256)) * 4, "binary", id="binary-bytes"),
    pytest.param("upload.xlsx", csv_bytes([OK_ROW]), "not an Excel workbook", id="csv-renamed-to-xlsx"),
    pytest.param("upload.pdf", csv_bytes([OK_ROW]), "unsupported file type", id="unsupported-suffix"),
    pytest.param("upload.csv", csv_bytes([OK_ROW[:4]], header=HEADER[:4]), "missing column(s) unit",
                 id="missing-unit-column"),
    pytest.param("upload.csv", csv_bytes([["hz-binjiang", "2015Q1", "100"]], header=["org", "period", "value"]),
                 "missing column(s) indicator, unit", id="missing-two-columns"),
    pytest.param("upload.csv", csv_bytes([OK_ROW], header=["机构", "期间", "指标", "数值", "单位"]),
                 "missing column(s) org, period, indicator, value, unit", id="chinese-headers"),
]


@pytest.mark.parametrize(("name", "data", "reason"), FILE_ERRORS)
def test_file_level_errors(store, catalog, tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    problems = import_rejected(store, catalog, path)
    assert len(problems) == 1
    (problem,) = problems
    assert reason in render(problem.reason, "en")
    if reason.startswith("missing column"):
        # a missing column is pointed at the header row and named
        missing = reason.removeprefix("missing column(s) ")
        assert (problem.file, problem.row, problem.column) == (name, 1, missing)
    else:
        assert (problem.file, problem.row, problem.column) == (name, None, None)  # about the whole file


def test_missing_file_is_a_problem_not_a_crash(store, catalog, tmp_path):
    problems = import_rejected(store, catalog, tmp_path / "nowhere.csv")
    assert [(p.row, p.column) for p in problems] == [(None, None)]


def test_header_case_and_spaces_are_forgiven(store, catalog, tmp_path):
    path = write_csv(tmp_path, [OK_ROW], header=[" Org", "PERIOD ", "Indicator", " Value ", "Unit"])
    _, written = import_ok(store, catalog, path)
    assert written == 1


# ------------------------------------------------------------------------ all errors at once


def test_every_error_in_a_file_is_reported(store, catalog, tmp_path):
    rows = [
        ["hz-binjiang", "2015Q1", "2020", "100", "万元"],  # row 2: fine
        ["no-such-park", "2015Q1", "2020", "100", "万元"],  # row 3: org
        ["hz-binjiang", "2015Q9", "2020", "100", "万元"],  # row 4: period
        ["hz-binjiang", "2099Q1", "2020", "100", "万元"],  # row 5: future period
        ["hz-binjiang", "2015Q1", "7777", "100", "万元"],  # row 6: indicator
        ["hz-binjiang", "2015Q1", "2021", "abc", "万元"],  # row 7: value
        ["hz-binjiang", "2015Q1", "2022", "-5", "万元"],  # row 8: negative
        ["hz-binjiang", "2015Q1", "2023", "5", "人"],  # row 9: unit
        ["hz-binjiang", "2015Q1", "2020", "100", "万元"],  # row 10: duplicate of row 2
        ["hz-binjiang", "2015Q1", "2024", "150", "万元"],  # row 11: part 150 > total 100
        ["hz-binjiang", "2015Q2", "2020", "90", "万元"],  # row 12: YTD 90 < Q1 100
        ["bad-org", "bad-period", "bad-ind", "bad-value", "万元"],  # row 13: four problems on one row
        ["hz-binjiang", "2015Q3", "2090", "-40", "万元"],  # row 14: negative profit is fine
    ]
    problems = import_rejected(store, catalog, write_csv(tmp_path, rows))
    assert where(problems) == {
        (3, "org"), (4, "period"), (5, "period"), (6, "indicator"), (7, "value"), (8, "value"), (9, "unit"),
        (10, "period"), (11, "value"), (12, "value"),
        (13, "org"), (13, "period"), (13, "indicator"), (13, "value"),
    }
    assert len(problems) == 14
    assert all(p.severity == ingest.Severity.ERROR for p in problems)
    # The exception text (what the command line prints) lists them all, one per line.
    with pytest.raises(ingest.SubmissionRejected) as caught:
        ingest.import_file(store, catalog, tmp_path / "upload.csv", who=TESTER)
    assert len(str(caught.value).splitlines()) == 14


# ---------------------------------------------------------------- year-on-year warnings


YOY_CASES = [
    # id, last year's stored 2014Q4, this year's 2015Q4 in 万元, whether it is a warning
    pytest.param(100, 100 * 1.6, True, id="plus-60-percent"),  # 160 / 100 − 1 = +60 % > 50 %
    pytest.param(100, 100 * 0.4, True, id="minus-60-percent"),  # 40 / 100 − 1 = −60 %
    pytest.param(100, 100 * 1.49, False, id="plus-49-percent"),  # 149 / 100 − 1 = +49 %: no warning
    pytest.param(100, 100 * 0.51, False, id="minus-49-percent"),  # 51 / 100 − 1 = −49 %
]


@pytest.mark.parametrize(("last_year", "this_year", "warned"), YOY_CASES)
def test_yoy_change_beyond_50_percent_needs_explanation(store, catalog, tmp_path, last_year, this_year, warned):
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2014Q4", "2020", f"{last_year}", "万元"]])
    path = write_csv(tmp_path, [["hz-binjiang", "2015Q4", "2020", f"{this_year:g}", "万元"]])
    if not warned:
        import_ok(store, catalog, path)
        assert current(store, "hz-binjiang", "software_revenue", 2015, 4) == pytest.approx(this_year)
        return
    problems = import_rejected(store, catalog, path)
    warnings = [p for p in problems if p.severity == ingest.Severity.WARNING]
    assert where(warnings) == {(2, "value")}
    assert f"{this_year / last_year - 1:+.0%}" in render(warnings[0].reason, "en")  # e.g. "+60%"
    assert any("explanation" in render(p.reason, "en") for p in problems if p.row is None)
    for blank in ("", "   "):
        import_rejected(store, catalog, path, explanation=blank)
    sub, written = import_ok(store, catalog, path, explanation="新签大客户合同，收入大幅增长")
    assert written == 1
    assert current(store, "hz-binjiang", "software_revenue", 2015, 4) == pytest.approx(this_year)
    hist = submissions.history(store, "hz-binjiang", "software_revenue", 2015, 4)
    assert list(hist.explanation) == ["新签大客户合同，收入大幅增长"]
    assert list(hist.submission_id) == [sub]


def test_warning_and_error_together_reject_even_with_explanation(store, catalog, tmp_path):
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2014Q4", "2020", "100", "万元"]])
    rows = [["hz-binjiang", "2015Q4", "2020", "200", "万元"],  # +100 %: a warning
            ["no-such-park", "2015Q4", "2020", "200", "万元"]]  # an error
    problems = import_rejected(store, catalog, write_csv(tmp_path, rows), explanation="原因已说明")
    assert where(problems) == {(3, "org")}  # errors alone are raised once there are errors


# ------------------------------------------------------------------------------ revisions


def test_resubmission_creates_revision_2_and_keeps_revision_1(store, catalog, tmp_path):
    first = write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2020", "1.5", "亿元"]], name="first.csv")
    sub1, _ = import_ok(store, catalog, first)
    with pytest.raises(submissions.AlreadySubmitted):  # the very same figure again: one submission per intent
        import_ok(store, catalog, first)
    second = write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2020", "1.55", "亿元"]], name="second.csv")
    sub2, _ = import_ok(store, catalog, second)
    correction = write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2020", "16000", "万元"]], name="fix.csv")
    sub3, _ = import_ok(store, catalog, correction)
    hist = submissions.history(store, "hz-binjiang", "software_revenue", 2015, 2)
    assert list(hist.revision) == [1, 2, 3]
    assert list(hist.submission_id) == [sub1, sub2, sub3]
    assert list(hist.value) == pytest.approx([1.5 * 10_000, 1.55 * 10_000, 16_000])
    assert list(hist.value_entered) == pytest.approx([1.5, 1.55, 16_000])
    assert list(hist.unit_entered) == ["亿元", "亿元", "万元"]
    assert counts(store) == (3, 3)
    # The figure in force is the newest revision.
    assert rawsql.scalar(store, "SELECT revision FROM current_observations WHERE org_id = 'hz-binjiang'") == 3
    assert current(store, "hz-binjiang", "software_revenue", 2015, 2) == pytest.approx(16_000)


def test_pending_submission_is_stored_but_not_current(store, catalog, tmp_path):
    path = write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2020", "100", "万元"]])
    import_ok(store, catalog, path, status="pending")
    assert counts(store) == (1, 1)
    assert current(store, "hz-binjiang", "software_revenue", 2015, 2) is None


# ------------------------------------------------- regressions: bugs found by these tests, now fixed


def test_blank_line_does_not_shift_row_numbers(store, catalog, tmp_path):
    path = tmp_path / "upload.csv"
    # line 1 header, line 2 good, line 3 blank, line 4 an unknown indicator (Excel shows it as row 4)
    path.write_bytes("org,period,indicator,value,unit\n"
                     "hz-binjiang,2015Q1,2020,100,万元\n"
                     "\n"
                     "hz-binjiang,2015Q2,nope,200,万元\n".encode())
    problems = import_rejected(store, catalog, path)
    assert (4, "indicator") in where(problems)


def test_new_q1_above_stored_q2_is_rejected(store, catalog, tmp_path):
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2015Q2", "2020", "100", "万元"]])
    # Q1 YTD 200 > Q2 YTD 100 already stored: the cumulative figure would fall from Q1 to Q2.
    problems = import_rejected(store, catalog, write_csv(tmp_path, [["hz-binjiang", "2015Q1", "2020", "200", "万元"]]))
    assert (2, "value") in where(problems)


def test_new_total_below_stored_part_is_rejected(store, catalog, tmp_path):
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2015Q1", "2021", "500", "万元"]])
    # software_revenue 100 < its stored part software_products 500.
    problems = import_rejected(store, catalog, write_csv(tmp_path, [["hz-binjiang", "2015Q1", "2020", "100", "万元"]]))
    assert (2, "value") in where(problems)


def test_unquoted_thousands_separator_is_not_shifted_into_other_columns(store, catalog, tmp_path):
    path = tmp_path / "upload.csv"
    path.write_bytes("org,period,indicator,value,unit\nhz-binjiang,2015Q1,2020,12,345.6,万元\n".encode())
    problems = import_rejected(store, catalog, path)
    # The org cell holds hz-binjiang; nothing may claim it holds the period.
    assert not any(p.column == "org" and p.value == "2015Q1" for p in problems)
    assert any(p.row == 2 for p in problems)


def test_bom_only_file_is_reported_as_empty(store, catalog, tmp_path):
    path = tmp_path / "upload.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    problems = import_rejected(store, catalog, path)
    assert [p.row for p in problems] == [None]
    assert "empty" in render(problems[0].reason, "en")


def test_a_deepening_loss_is_accepted(store, catalog, tmp_path):
    """利润总额 may be negative, so its year-to-date figure may fall: -293.6 in Q1, -561.6 in Q2."""
    store_rows(store, catalog, tmp_path, [["hz-binjiang", "2015Q1", "2090", "-293.6", "万元"]])
    import_ok(store, catalog, write_csv(tmp_path, [["hz-binjiang", "2015Q2", "2090", "-561.6", "万元"]]))
    stored = figures.values_for(store, "hz-binjiang", [Period(2015, 1), Period(2015, 2)])
    assert (stored[("total_profit", 2015, 1)], stored[("total_profit", 2015, 2)]) == (-293.6, -561.6)
