"""Data collection end to end: the committed corpus of uploads, review, reporting status, exports,
parallel submissions and the entry, review and reporting pages.

The corpus lives in tests/data/collection/ (written once by make_corpus.py there, one file per
case). Bad files must be refused with the row and column a statistician would look at, a reason in
English and in Chinese, and must leave the store exactly as it was; good files must land with the
canonical values worked out by hand in the tables below. Everything runs on real DuckDB files: a
copy of the demo store, or a fresh empty one where a test needs to know every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import re
import threading
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM, Identity, Role
from domain.catalog import Catalog
from domain.credit_code import check_character, make_credit_code
from domain.messages import render
from domain.models import Organisation, OrgKind
from domain.periods import Period
from service import queries
from store import access, ingest, orgs, readers, submissions
from tests import rawsql
from tests.conftest import demo_with_users, open_copy
from ui import safe, tables

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "collection"
_spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)  # constants only: the files are written when it runs as a script

TESTER = Identity(username="tester", display_name="tester", role=Role.ADMIN)
REVIEWER = Identity(username="reviewer", display_name="审核员", role=Role.REVIEWER)
LEADER = Identity(username="leader", display_name="领导", role=Role.LEADER)
SOFTCITY = "qd-softcity"
PARK_MANAGER = Identity(username="park-softcity", display_name="青岛软件城管理员", role=Role.PARK_MANAGER,
                        scope_org_id=SOFTCITY)
OTHER_PARK_MANAGER = Identity(username="pm-infovalley", display_name="信息谷管理员", role=Role.PARK_MANAGER,
                              scope_org_id="qd-infovalley")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
BINJIANG = "hz-binjiang"
BINJIANG_ZH = "高新技术产业开发区(滨江)"


# ------------------------------------------------------------------------------------ helpers


def counts(con) -> tuple[int, int]:
    """(observations, submissions): what an import may change."""
    return (rawsql.scalar(con, "SELECT count(*) FROM observations"),
            rawsql.scalar(con, "SELECT count(*) FROM submissions"))


def current(con, org: str, indicator: str, year: int, quarter: int) -> float | None:
    return rawsql.scalar(
        con, "SELECT value FROM current_observations WHERE org_id = ? AND indicator_id = ? AND year = ? AND quarter = ?",
        [org, indicator, year, quarter])


def status_of(con, submission_id: int) -> str:
    return rawsql.scalar(con, "SELECT status FROM submissions WHERE submission_id = ?", [submission_id])


def tidy_frame(rows: list[list[str]]) -> pd.DataFrame:
    """Tidy records as the entry form hands them to validation (row numbers from 2, like a sheet)."""
    return pd.DataFrame([[*r, n, "value", "org", False] for n, r in enumerate(rows, start=2)],
                        columns=[*readers.TIDY_COLUMNS, readers.ROW, readers.COLUMN, readers.ORG_COLUMN,
                                 readers.UNIT_GLOBAL])


def register_corpus_enterprises(con) -> None:
    orgs.upsert_orgs(con, [Organisation(org_id=org_id, name_zh=name, kind=OrgKind.ENTERPRISE, parent=BINJIANG,
                                        credit_code=code)
                           for org_id, (name, code) in corpus.CORPUS_ENTERPRISES.items()], "test")


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db: Path):
    """A writable copy of the demo store."""
    yield from open_copy(demo_db, tmp_path / "demo-copy.duckdb")


@pytest.fixture
def corpus_store(demo_copy):
    """The demo copy with the two enterprises the good wide file names by credit code."""
    register_corpus_enterprises(demo_copy)
    return demo_copy


# ------------------------------------------------------------------------- the corpus: bad files

A_CODE, B_CODE = (corpus.CORPUS_ENTERPRISES[k][1] for k in ("ent-corpus-a", "ent-corpus-b"))
BAD1, BAD2 = corpus.BAD_CODES


def _check_char_reason(code: str) -> str:
    return f"check character is {code[-1]!r}, expected {check_character(code[:17])!r}"


BAD_FILES = [
    # file, expected problems in order: (row, column, value, English reason fragment)
    pytest.param("unknown_organisation.csv", [(3, "org", "no-such-park", "unknown organisation")],
                 id="unknown-organisation"),
    pytest.param("unknown_indicator.csv", [(3, "indicator", "9999", "unknown indicator")], id="unknown-indicator"),
    # Wide layout (title block on rows 1-2, header row 3): one problem per enterprise row, pointing
    # at the credit-code column, although each row has two filled code columns.
    pytest.param("bad_credit_code_check_character.csv",
                 [(4, "统一社会信用代码", BAD1, _check_char_reason(BAD1)),
                  (5, "统一社会信用代码", BAD2, _check_char_reason(BAD2))], id="bad-credit-code-check-character"),
    pytest.param("not_a_number.csv", [(3, "value", "一百", "not a number")], id="not-a-number"),
    pytest.param("negative_revenue.csv", [(3, "value", "-200", "软件业务收入 cannot be negative")],
                 id="negative-revenue"),
    # software_products 150 > software_revenue 100 (same firm, same quarter)
    pytest.param("part_exceeds_total.csv", [(3, "value", 150, "软件产品收入 150 exceeds its total 软件业务收入 100")],
                 id="part-exceeds-total"),
    # Q1 year-to-date 200, Q2 year-to-date 150 in the same file
    pytest.param("ytd_falls_within_year.csv", [(3, "value", 150, "falls from 200 in Q1 to 150 in Q2")],
                 id="ytd-falls-within-year"),
    # Q1 120 万元, Q2 1 200 000 "万元": 1 200 000 / 120 = 10 000 ≥ 5000
    pytest.param("unit_slip_10000x.csv", [(3, "value", 120 * 10_000, "about 10⁴ times 120")], id="unit-slip-10000x"),
    pytest.param("future_period.csv", [(3, "period", "2099Q1", "in the future")], id="future-period"),
    pytest.param("duplicate_rows.csv", [(3, "period", "2015Q1", "duplicate of row 2")], id="duplicate-rows"),
    pytest.param("empty.csv", [(None, None, None, "the file is empty")], id="empty-file"),
    pytest.param("binary.csv", [(None, None, None, "named .csv but holds binary data")], id="binary-named-csv"),
    pytest.param("really_csv.xlsx", [(None, None, None, "named .xlsx but is not an Excel workbook")],
                 id="csv-named-xlsx"),
]

GOOD_FILES = [
    # file, {(org, indicator, year, quarter): (stored value in the canonical unit, value as typed, unit as typed)}
    # GBK tidy CSV, org by its registered Chinese name, period 2015年1-6月 = 2015Q2.
    pytest.param("good_tidy_gbk.csv", {
        (BINJIANG, "software_revenue", 2015, 2): (3.25 * 10_000, 3.25, "亿元"),  # 32 500 万元
        (BINJIANG, "main_revenue", 2015, 2): (4.5 * 10_000, 4.5, "亿元"),  # 45 000 万元
        (BINJIANG, "software_products", 2015, 2): (12_000, 12_000, "万元"),
        (BINJIANG, "employees", 2015, 2): (860, 860, "人"),
    }, id="gbk-tidy"),
    pytest.param("good_tidy_utf8_bom.csv", {
        (BINJIANG, "software_revenue", 2015, 3): (48_000, 48_000, "万元"),
        (BINJIANG, "total_profit", 2015, 3): (-350.5, -350.5, "万元"),  # a loss is allowed
        (BINJIANG, "employees", 2015, 3): (120, 120, "人"),  # 2015年1-9月 = 2015Q3
    }, id="utf8-bom-tidy"),
    # Period 2015年1-9月 and 单位：万元 from the title block. Money columns are 万元 as the title says;
    # exports (万美元) and employees (人) are not money, so the title's 万元 must not touch them:
    # 150 stays 150 万美元, 120 stays 120 人. The unit as typed of those two is checked separately
    # (test_wide_title_unit_is_not_recorded_as_typed_for_people_or_dollars).
    pytest.param("good_wide_miit_title.xlsx", {
        ("ent-corpus-a", "main_revenue", 2015, 3): (5200, 5200, "万元"),
        ("ent-corpus-a", "software_revenue", 2015, 3): (3000.5, 3000.5, "万元"),
        ("ent-corpus-a", "software_products", 2015, 3): (1200, 1200, "万元"),
        ("ent-corpus-a", "software_exports", 2015, 3): (150, 150, None),
        ("ent-corpus-a", "employees", 2015, 3): (120, 120, None),
        ("ent-corpus-b", "main_revenue", 2015, 3): (880, 880, "万元"),
        ("ent-corpus-b", "software_revenue", 2015, 3): (640, 640, "万元"),
        # ent-corpus-b left 2021 blank: not reported, not a zero
        ("ent-corpus-b", "software_exports", 2015, 3): (12.5, 12.5, None),
        ("ent-corpus-b", "employees", 2015, 3): (35, 35, None),
    }, id="wide-miit-xlsx-with-title"),
    pytest.param("good_fullwidth_mixed_units.csv", {
        (BINJIANG, "main_revenue", 2015, 4): (2_500_000_000 / 10_000, 2_500_000_000, "元"),  # 250 000 万元
        (BINJIANG, "software_revenue", 2015, 4): (15.5 * 10_000, 15.5, "亿元"),  # 15.5 亿元 = 155 000 万元
        (BINJIANG, "software_products", 2015, 4): (12_345.6 / 10_000, 12_345.6, "元"),  # 1.23456 万元
        (BINJIANG, "it_services", 2015, 4): (12_345.6, 12_345.6, "万元"),  # "１２，３４５.６"
        (BINJIANG, "employees", 2015, 4): (120, 120, "人"),  # "１２０"
    }, id="fullwidth-digits-mixed-units"),
]


def _same_value(shown: str | None, expected: object) -> bool:
    if isinstance(expected, int | float):
        return shown is not None and float(shown) == pytest.approx(expected)
    return shown == expected


def test_corpus_holds_exactly_the_tested_files_and_matches_its_script():
    names = {p.values[0] for p in BAD_FILES} | {p.values[0] for p in GOOD_FILES}
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py"}
    assert on_disk == names
    made = corpus.files()
    assert set(made) == names
    for name in names:
        data = (CORPUS / name).read_bytes()
        assert len(data) < 8 * 1024, name  # tiny files; the too-large case is built in tmp_path
        if not name.endswith(".xlsx"):  # workbooks carry zip timestamps; the rest is byte for byte
            assert data == made[name], f"{name} differs from what make_corpus.py writes"


@pytest.mark.parametrize(("name", "expected"), BAD_FILES)
def test_bad_file_is_refused_with_row_column_and_reason_and_writes_nothing(corpus_store, catalog, name, expected):
    before = counts(corpus_store)
    with pytest.raises(ingest.SubmissionRejected) as caught:
        ingest.import_file(corpus_store, catalog, CORPUS / name, who=TESTER)
    assert counts(corpus_store) == before, "a refused file must leave the store unchanged"
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(row, column) for row, column, _, _ in expected]
    for p, (row, column, value, reason) in zip(problems, expected, strict=True):
        assert p.file == name
        assert p.severity == ingest.Severity.ERROR
        en, zh = render(p.reason, "en"), render(p.reason, "zh")
        assert reason in en, en
        assert _same_value(p.value, value), (p.value, value)
        assert zh and CHINESE.search(zh), f"no Chinese reason: {zh!r}"
        assert zh != en
        if row is not None:
            assert f"row {row}, column {column}" in str(p)
            assert f"第 {row} 行，“{column}”列" in p.text("zh")
    # The upload page calls check_file directly: it reports exactly the same problems.
    checked = ingest.check_file(corpus_store, catalog, name, (CORPUS / name).read_bytes())
    assert list(checked.errors) == problems
    assert checked.rows.empty or checked.errors


def test_file_larger_than_the_limit_is_refused(corpus_store, catalog, tmp_path):
    path = tmp_path / "too_large.csv"
    with path.open("wb") as f:  # a valid header, then padding past the limit
        f.write(b"org,period,indicator,value,unit\r\n")
        f.write(b" " * readers.MAX_BYTES)
    assert path.stat().st_size == readers.MAX_BYTES + len(b"org,period,indicator,value,unit\r\n")
    before = counts(corpus_store)
    with pytest.raises(ingest.SubmissionRejected) as caught:
        ingest.import_file(corpus_store, catalog, path, who=TESTER)
    assert counts(corpus_store) == before
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (None, None)
    en, zh = render(problem.reason, "en"), render(problem.reason, "zh")
    assert "allowed" in en and "MB" in en
    assert CHINESE.search(zh) and "上限" in zh


def test_too_large_message_states_the_documented_limit(corpus_store, catalog):
    checked = ingest.check_file(corpus_store, catalog, "too_large.csv", b"a" * (readers.MAX_BYTES + 1))
    (problem,) = checked.problems
    assert "50 MB" in render(problem.reason, "en") and "50 MB" in render(problem.reason, "zh")


# ------------------------------------------------------------------------ the corpus: good files


def test_good_files_are_what_their_names_say():
    gbk = (CORPUS / "good_tidy_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # only worth testing because it is not UTF-8
    assert BINJIANG_ZH in gbk.decode("gbk")
    bom = (CORPUS / "good_tidy_utf8_bom.csv").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and bom[3:].decode("utf-8").startswith("org,")
    full = (CORPUS / "good_fullwidth_mixed_units.csv").read_text(encoding="utf-8")
    assert "１２０" in full and "１２，３４５.６" in full and "\"12,345.6\"" in full
    assert {"万元", "亿元", "元"} <= {row[4] for row in csv.reader(io.StringIO(full))}
    sheet = openpyxl.load_workbook(CORPUS / "good_wide_miit_title.xlsx").worksheets[0]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "报告期：2015年1-9月" in cells and "单位：万元" in cells and "2112 平均用工人数" in cells


@pytest.mark.parametrize(("name", "expected"), GOOD_FILES)
def test_good_file_imports_with_hand_computed_canonical_values(corpus_store, catalog, name, expected):
    obs, subs = counts(corpus_store)
    sub, written = ingest.import_file(corpus_store, catalog, CORPUS / name, who=TESTER)
    assert written == len(expected)
    assert counts(corpus_store) == (obs + len(expected), subs + 1)
    stored = rawsql.frame(corpus_store, """SELECT org_id, indicator_id, year, quarter, revision, value, value_entered,
                                                  unit_entered FROM observations WHERE submission_id = ?""", [sub])
    got = {(r.org_id, r.indicator_id, int(r.year), int(r.quarter)): r for r in stored.itertuples()}
    assert set(got) == set(expected)
    for key, (value, typed, unit_typed) in expected.items():
        row = got[key]
        assert row.value == pytest.approx(value, rel=1e-12), key
        assert row.value_entered == pytest.approx(typed, rel=1e-12), key
        if unit_typed is not None:
            assert row.unit_entered == unit_typed, key
        assert row.revision == 1
        assert current(corpus_store, *key) == pytest.approx(value, rel=1e-12)  # imports are accepted


def test_wide_title_unit_is_not_recorded_as_typed_for_people_or_dollars(corpus_store, catalog):
    sub, _ = ingest.import_file(corpus_store, catalog, CORPUS / "good_wide_miit_title.xlsx", who=TESTER)
    units = dict(rawsql.frame(corpus_store, "SELECT indicator_id, unit_entered FROM observations "
                                            "WHERE submission_id = ? AND org_id = 'ent-corpus-a'", [sub])
                 .itertuples(index=False))
    assert units["main_revenue"] == "万元"
    assert units["employees"] == "人"
    assert units["software_exports"] == "万美元"


# ------------------------------------------------------------------------- wide-layout specifics


def _wide_xlsx(path: Path, rows: list[list[object]], title: list[list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    for row in [*(corpus.WIDE_TITLE if title is None else title), corpus.WIDE_HEADER, *rows]:
        wb.active.append(row)
    wb.save(path)
    return path


def test_wide_bad_credit_code_is_reported_once_per_row(corpus_store, catalog):
    data = (CORPUS / "bad_credit_code_check_character.csv").read_bytes()
    recs = readers.records("bad_credit_code_check_character.csv", data)
    assert recs.layout == "wide"
    cells_per_row = recs.frame.groupby(readers.ROW).size().to_dict()
    assert cells_per_row == {4: 2, 5: 2}  # two filled code columns on each row …
    problems = ingest.check_file(corpus_store, catalog, "bad.csv", data).problems
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "统一社会信用代码", BAD1),
                                                              (5, "统一社会信用代码", BAD2)]  # … one problem each
    assert "校验码错误" in render(problems[0].reason, "zh")


def test_wide_problems_name_the_code_column(corpus_store, catalog, tmp_path):
    a_name, b_name = (corpus.CORPUS_ENTERPRISES[k][0] for k in ("ent-corpus-a", "ent-corpus-b"))
    path = _wide_xlsx(tmp_path / "wide.xlsx", [
        # row 5: negative software revenue; employees not a number
        [A_CODE, a_name, 5200, -5, None, None, "约120"],
        # row 6: software products 900 > software revenue 640
        [B_CODE, b_name, 880, 640, 900, None, 35],
    ])
    before = counts(corpus_store)
    with pytest.raises(ingest.SubmissionRejected) as caught:
        ingest.import_file(corpus_store, catalog, path, who=TESTER)
    assert counts(corpus_store) == before
    found = {(p.row, p.column): p for p in caught.value.problems}
    assert set(found) == {(5, "2020 软件业务收入"), (5, "2112 平均用工人数"), (6, "2021 软件产品收入")}
    assert "cannot be negative" in render(found[5, "2020 软件业务收入"].reason, "en")
    assert "not a number" in render(found[5, "2112 平均用工人数"].reason, "en")
    assert "exceeds its total 软件业务收入 640" in render(found[6, "2021 软件产品收入"].reason, "en")
    assert "row 6, column 2021 软件产品收入" in str(found[6, "2021 软件产品收入"])


def test_wide_title_period_applies_to_every_row(corpus_store, catalog):
    checked = ingest.check_file(corpus_store, catalog, "good_wide_miit_title.xlsx",
                                (CORPUS / "good_wide_miit_title.xlsx").read_bytes())
    assert not checked.problems
    assert set(zip(checked.rows.year, checked.rows.quarter, strict=True)) == {(2015, 3)}  # 2015年1-9月
    assert set(checked.rows.source_row) == {5, 6}  # title rows 1-2, blank row 3, header row 4


def test_filled_in_wide_template_is_accepted(corpus_store, catalog, tmp_path):
    template = readers.wide_template([("2010", "主营业务收入"), ("2020", "软件业务收入"), ("2112", "平均用工人数")],
                                     "2015年1-9月")
    wb = openpyxl.load_workbook(io.BytesIO(template))
    name, code = corpus.CORPUS_ENTERPRISES["ent-corpus-a"]
    wb.active.append([code, name, 5200, 3000.5, 120])
    path = tmp_path / "filled-template.xlsx"
    wb.save(path)
    sub, written = ingest.import_file(corpus_store, catalog, path, who=TESTER)
    assert written == 3
    assert current(corpus_store, "ent-corpus-a", "software_revenue", 2015, 3) == pytest.approx(3000.5)
    assert current(corpus_store, "ent-corpus-a", "employees", 2015, 3) == pytest.approx(120)


# --------------------------------------------------------------------------- review workflow

FLOOR = ("qd-softcity", "floor_area_built", 2016, 4)  # 青岛软件城 已建成面积, m²; target 300 万平方米 by 2016
AS_OF = Period(2016, 4)


def progress(con, catalog: Catalog) -> dict[str, dict]:
    """Every target's row of the plan's progress table, as plain values."""
    return {r.target_id: r.model_dump() for r in queries.plan_progress(con, catalog, SYSTEM, "qingdao-2012", AS_OF)}


def same(a: dict[str, dict], b: dict[str, dict]) -> bool:
    """Equal progress tables. DuckDB may add a bottom-up sum in any order, so floats may differ in the
    last bit between two reads of the same figures (0.8689442621522816 vs …815): compare them to 1e-12."""
    def close(x, y) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return x == pytest.approx(y, rel=1e-12, abs=1e-12)
        return x == y
    return a.keys() == b.keys() and all(
        a[k].keys() == b[k].keys() and all(close(a[k][f], b[k][f]) for f in a[k]) for k in a)


def submit_floor_area(con, catalog: Catalog, value: int, explanation: str) -> int:
    """The park manager submits 青岛软件城's 2016 floor area through the form's path (pending)."""
    checked = ingest.validate_tidy(con, catalog, "表单填报", tidy_frame([[SOFTCITY, "2016Q4", "floor_area_built",
                                                                          str(value), "m²"]]))
    assert not checked.problems, checked.problems  # no year-on-year warning, no unit slip
    return ingest.submit(con, checked, who=PARK_MANAGER, origin="form", status="pending", explanation=explanation)


def test_review_decides_whether_a_submission_counts_in_plan_progress(demo_copy, catalog):
    con = demo_copy
    old = current(con, *FLOOR)
    before = progress(con, catalog)
    target = before["qd-softcity-floor-built"]
    assert (target["unit"], target["target"]) == ("万平方米", 300)
    assert target["completion"] == pytest.approx(old / (300 * 10_000))

    # 2 850 000 m² is +45 % on 2015's 1 966 080 m², within ±50 %: no explanation needed for a warning.
    sub = submit_floor_area(con, catalog, 2_850_000, "竣工验收面积调整")
    assert status_of(con, sub) == "pending"
    assert same(progress(con, catalog), before), "a pending submission must not move plan progress"
    (change,) = submissions.submission_rows(con, sub).itertuples()
    assert (change.old_value, change.new_value) == (old, 2_850_000)

    assert access.review(con, REVIEWER, sub, "accepted", "核实无误") is True
    assert status_of(con, sub) == "accepted"
    after = progress(con, catalog)
    floor = after["qd-softcity-floor-built"]
    assert floor["actual"] == pytest.approx(2_850_000 / 10_000)  # 285 万平方米
    assert floor["completion"] == pytest.approx(2_850_000 / (300 * 10_000))  # 285 / 300 = 0.95
    assert floor["completion"] < 1 <= target["completion"] and floor["status"] != target["status"]
    # 青岛软件产业基地's floor area is the sum over its parks: it moves by the same difference.
    base_before, base_after = before["qd-base-floor-area"], after["qd-base-floor-area"]
    assert base_after["actual"] == pytest.approx(base_before["actual"] + (2_850_000 - old) / 10_000)
    assert base_after["completion"] == pytest.approx(base_after["actual"] / base_after["target"])
    moved = {"qd-softcity-floor-built", "qd-base-floor-area"}
    assert same({k: v for k, v in after.items() if k not in moved}, {k: v for k, v in before.items() if k not in moved})

    assert access.review(con, REVIEWER, sub, "accepted", "again") is False  # reviewing twice
    assert access.review(con, REVIEWER, sub, "returned", "too late") is False
    assert status_of(con, sub) == "accepted"

    # 2 900 000 m²: +47.5 % on 2015, again no warning. Returned: progress never sees it.
    returned = submit_floor_area(con, catalog, 2_900_000, "补报：含在建面积")
    assert same(progress(con, catalog), after)
    assert access.review(con, REVIEWER, returned, "returned", "与竣工备案不符") is True
    assert same(progress(con, catalog), after)
    assert current(con, *FLOOR) == 2_850_000
    assert access.review(con, REVIEWER, returned, "accepted", None) is False
    assert status_of(con, returned) == "returned"
    assert same(progress(con, catalog), after)


@pytest.mark.parametrize("who", [LEADER, PARK_MANAGER], ids=["leader", "park-manager"])
def test_only_reviewers_may_review(demo_copy, catalog, who):
    sub = submit_floor_area(demo_copy, catalog, 2_850_000, "调整")
    since = rawsql.scalar(demo_copy, "SELECT max(audit_id) FROM audit_log")
    with pytest.raises(access.AuthorizationError):
        access.review(demo_copy, who, sub, "accepted", None)
    assert status_of(demo_copy, sub) == "pending"
    denied = rawsql.frame(demo_copy, "SELECT actor, action, object FROM audit_log WHERE audit_id > ?", [since])
    assert list(zip(denied.actor, denied.action, denied.object, strict=True)) == [(who.username, "access.denied", "submissions")]
    with pytest.raises(access.AuthorizationError):
        access.submissions(demo_copy, who, "pending")


def test_each_decision_is_in_the_audit_log(demo_copy, catalog):
    con = demo_copy
    accepted = submit_floor_area(con, catalog, 2_850_000, "调整")
    returned = submit_floor_area(con, catalog, 2_900_000, "补报")
    assert access.review(con, REVIEWER, accepted, "accepted", "核实无误")
    assert access.review(con, REVIEWER, returned, "returned", "与竣工备案不符")
    assert not access.review(con, REVIEWER, returned, "accepted", None)  # refused: no entry
    log = rawsql.frame(con, """SELECT actor, action, object, detail->>'comment' AS comment FROM audit_log
                               WHERE action LIKE 'review.%' ORDER BY audit_id""")
    assert list(log.itertuples(index=False, name=None)) == [
        ("reviewer", "review.accepted", f"submission:{accepted}", "核实无误"),
        ("reviewer", "review.returned", f"submission:{returned}", "与竣工备案不符"),
    ]
    pending = rawsql.frame(con, "SELECT actor, object FROM audit_log WHERE action = 'submission.pending' ORDER BY audit_id")
    assert list(pending.itertuples(index=False, name=None)) == [("park-softcity", f"submission:{accepted}"),
                                                                 ("park-softcity", f"submission:{returned}")]


def test_history_shows_old_to_new_with_explanations(demo_copy, catalog):
    con = demo_copy
    old = current(con, *FLOOR)
    accepted = submit_floor_area(con, catalog, 2_850_000, "竣工验收面积调整")
    access.review(con, REVIEWER, accepted, "accepted", "核实无误")
    returned = submit_floor_area(con, catalog, 2_900_000, "补报：含在建面积")
    access.review(con, REVIEWER, returned, "returned", "与竣工备案不符")
    hist = access.history(con, PARK_MANAGER, *FLOOR)  # the park manager may read its own park's history
    assert list(hist.revision) == [1, 2, 3]
    assert list(hist.value) == [old, 2_850_000, 2_900_000]
    assert list(hist.status) == ["accepted", "accepted", "returned"]
    assert list(hist.explanation) == ["演示数据 demo data", "竣工验收面积调整", "补报：含在建面积"]
    assert list(hist.review_comment)[1:] == ["核实无误", "与竣工备案不符"]
    assert list(hist.entered_by) == ["demo-generator", "park-softcity", "park-softcity"]
    shown = tables.history_table(hist, "zh")
    assert list(shown["原值"]) == ["—", f"{old:,.2f}", "2,850,000.00"]  # old → new, revision by revision
    assert list(shown["新值"]) == [f"{old:,.2f}", "2,850,000.00", "2,900,000.00"]  # formatted as the old ones
    assert all(isinstance(c, str) for c in shown["审核意见"])  # a revision nobody commented on: empty, never None
    assert list(shown["状态"]) == ["已通过", "已通过", "已退回"]
    assert all(text.endswith(" m²") for text in shown["本期累计"])  # as typed, with the unit typed
    # Another park's manager may read a park-level figure (an aggregate), never one of our enterprises.
    assert len(access.history(con, OTHER_PARK_MANAGER, *FLOOR)) == 3
    firm = rawsql.scalar(con, "SELECT min(org_id) FROM orgs WHERE parent_id = ? AND kind = 'enterprise'", [SOFTCITY])
    with pytest.raises(access.AuthorizationError):
        access.history(con, OTHER_PARK_MANAGER, firm, "software_revenue", 2016, 4)


# ---------------------------------------------------------------------------- reporting status

Q = Period(2015, 3)  # ends 30 Sep 2015
ENTS = {  # three firms of 滨江 with valid credit codes
    "ent-rep-a": ("杭州按时软件有限公司", make_credit_code("91330108MA2RPT0A1")),
    "ent-rep-b": ("杭州逾期科技有限公司", make_credit_code("91330108MA2RPT0B1")),
    "ent-rep-c": ("杭州退回信息技术有限公司", make_credit_code("91330108MA2RPT0C1")),
}


def _write(con, org: str, period: Period, value: float, entered_at: dt.datetime, status: str) -> int:
    rows = pd.DataFrame([(org, "software_revenue", period.year, period.quarter, value, value, "万元", None)],
                        columns=submissions.REQUIRED_COLUMNS)
    rows["entered_at"] = [pd.Timestamp(entered_at)]
    return submissions.write_submission(con, rows, actor="tester", origin="upload", status=status)


@pytest.fixture
def reporting_store(store):
    orgs.upsert_orgs(store, [Organisation(org_id=o, name_zh=n, kind=OrgKind.ENTERPRISE, parent=BINJIANG, credit_code=c)
                             for o, (n, c) in ENTS.items()], "test")
    deadline = Q.deadline(20)
    assert deadline == dt.date(2015, 10, 20)  # 30 Sep + 20 days
    # a: on the deadline day itself, one second before midnight → on time
    _write(store, "ent-rep-a", Q, 100, dt.datetime(2015, 10, 20, 23, 59, 59), "accepted")
    # b: the next day at midnight → late (still pending: a pending report counts as reported)
    _write(store, "ent-rep-b", Q, 200, dt.datetime(2015, 10, 21, 0, 0, 0), "pending")
    # c: in time, but returned → not reported; its Q2 figure does not count for Q3 either
    sub = _write(store, "ent-rep-c", Q, 300, dt.datetime(2015, 10, 5, 9, 0, 0), "pending")
    assert submissions.review_submission(store, sub, reviewer="reviewer", decision="returned", comment="重报")
    _write(store, "ent-rep-c", Period(2015, 2), 150, dt.datetime(2015, 7, 10, 9, 0, 0), "accepted")
    return store


def test_reporting_status_on_time_late_and_returned(reporting_store):
    status = access.reporting_status(reporting_store, LEADER, BINJIANG, Q, 20).set_index("org_id")
    assert set(status.index) == set(ENTS)
    assert status.loc["ent-rep-a", ["reported", "on_time"]].tolist() == [True, True]
    assert status.loc["ent-rep-b", ["reported", "on_time"]].tolist() == [True, False]
    assert status.loc["ent-rep-c", ["reported", "on_time"]].tolist() == [False, False]
    assert status.loc["ent-rep-a", "first_at"] == pd.Timestamp("2015-10-20 23:59:59")
    assert pd.isna(status.loc["ent-rep-c", "first_at"])
    assert set(status.park_name) == {BINJIANG_ZH}
    # One day less: the deadline is 19 Oct and a's report on the 20th is late too.
    shorter = access.reporting_status(reporting_store, LEADER, BINJIANG, Q, 19).set_index("org_id")
    assert shorter.loc["ent-rep-a", ["reported", "on_time"]].tolist() == [True, False]
    # Q2: only c reported, on 10 Jul, by Q2's deadline of 30 Jun + 20 days = 20 Jul.
    q2 = access.reporting_status(reporting_store, LEADER, BINJIANG, Period(2015, 2), 20).set_index("org_id")
    assert q2.reported.to_dict() == {"ent-rep-a": False, "ent-rep-b": False, "ent-rep-c": True}
    assert bool(q2.loc["ent-rep-c", "on_time"])


def test_reporting_status_is_scoped(reporting_store):
    with pytest.raises(access.AuthorizationError):
        access.reporting_status(reporting_store, OTHER_PARK_MANAGER, BINJIANG, Q, 20)
    own = Identity(username="pm-binjiang", display_name="滨江", role=Role.PARK_MANAGER, scope_org_id=BINJIANG)
    assert len(access.reporting_status(reporting_store, own, BINJIANG, Q, 20)) == 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reporting_summary_per_park_and_total(reporting_store, lang):
    status = access.reporting_status(reporting_store, LEADER, "hangzhou", Q, 20)
    summary = tables.reporting_summary(status, lang)
    total = "合计" if lang == "zh" else "Total"
    cols = ["园区", "企业数", "按时", "逾期", "未报", "填报率"] if lang == "zh" else \
        ["Park", "Firms", "On time", "Late", "Not reported", "Reporting rate"]
    assert list(summary.columns) == cols
    rows = {r[0]: r[1:] for r in summary.itertuples(index=False, name=None)}
    # 3 firms: a on time, b late, c returned = not reported; rate 2 of 3
    expected = (3, 1, 1, 1, pytest.approx(2 / 3 * 100))
    assert rows == {BINJIANG_ZH: expected, total: expected}


# ---------------------------------------------------------------------------- formula-safe CSV


def test_csv_bytes_neutralises_formulas_and_keeps_numbers():
    frame = pd.DataFrame({
        "企业名称": ["=1+1", "+cmd", "-2", "@SUM(A1)", "\t=x", "杭州普通软件有限公司"],
        "数值": [1.5, -2.0, 3.0, 0.0, 10.25, -7.0],
        "家数": [-2, 5, 0, 1, 2, 3],
    })
    data = safe.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["企业名称", "数值", "家数"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\t=x", "杭州普通软件有限公司"]
    assert [r[1] for r in rows[1:]] == ["1.5", "-2.0", "3.0", "0.0", "10.25", "-7.0"]
    assert [r[2] for r in rows[1:]] == ["-2", "5", "0", "1", "2", "3"]
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["数值"].tolist() == [1.5, -2.0, 3.0, 0.0, 10.25, -7.0]
    assert back["家数"].tolist() == [-2, 5, 0, 1, 2, 3]
    assert frame["企业名称"][0] == "=1+1"  # the caller's frame is not modified


def test_csv_bytes_neutralises_headers_and_survives_missing_values():
    frame = pd.DataFrame({"=HYPERLINK(\"x\")": ["a", None], "代码": pd.array(["-1", pd.NA], dtype="string")})
    rows = list(csv.reader(io.StringIO(safe.csv_bytes(frame).decode("utf-8-sig"))))
    assert rows == [["'=HYPERLINK(\"x\")", "代码"], ["a", "'-1"], ["", ""]]


def test_reminder_list_download_is_formula_safe(reporting_store):
    orgs.upsert_orgs(reporting_store, [Organisation(org_id="ent-rep-evil", name_zh="=HYPERLINK(\"http://x\",\"点我\")",
                                                    kind=OrgKind.ENTERPRISE, parent=BINJIANG)], "test")
    status = access.reporting_status(reporting_store, LEADER, BINJIANG, Q, 20)
    todo = tables.reminder_list(status, "zh")
    rows = list(csv.reader(io.StringIO(safe.csv_bytes(todo).decode("utf-8-sig"))))
    names = {r[1] for r in rows[1:]}
    assert names == {ENTS["ent-rep-c"][0], "'=HYPERLINK(\"http://x\",\"点我\")"}


# ----------------------------------------------------------------------- parallel submissions

THREADS = 8


def _run_parallel(con, catalog: Catalog, rows_of, rounds: int = 1) -> tuple[list[int], list[str]]:
    """Each thread validates its rows on its own cursor of `con`, waits for the others, then submits."""
    ids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    for r in range(rounds):
        barrier = threading.Barrier(THREADS)

        def work(i: int, r: int = r, barrier: threading.Barrier = barrier) -> None:
            cur = con.cursor()
            try:
                checked = ingest.validate_tidy(cur, catalog, f"t{r}-{i}.csv", tidy_frame(rows_of(r, i)))
                assert not checked.problems, checked.problems
                barrier.wait(timeout=30)
                sub = ingest.submit(cur, checked, who=TESTER, origin="upload", status="accepted")
                with lock:
                    ids.append(sub)
            except BaseException as e:  # collected, reported below: nothing may escape unseen
                chain, cause = [], e
                while cause is not None:
                    chain.append(f"{type(cause).__name__}: {cause}")
                    cause = cause.__context__
                with lock:
                    errors.append(" <- ".join(chain))
                barrier.abort()  # never leave the others waiting
            finally:
                cur.close()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)
    return ids, errors


def _own_figure(r: int, i: int) -> list[str]:
    """Thread i of round r: fixed investment of its own year (distinct for every thread and round)."""
    return [BINJIANG, f"{2000 + r * THREADS + i}Q4", "fixed_investment", str(1000 + r * THREADS + i), "万元"]


def test_parallel_submissions_of_distinct_figures(store, catalog):
    before_obs, before_subs = counts(store)
    ids, errors = _run_parallel(store, catalog, lambda r, i: [_own_figure(r, i)])
    assert errors == []
    assert len(ids) == len(set(ids)) == THREADS
    assert counts(store) == (before_obs + THREADS, before_subs + THREADS)
    got = dict(rawsql.frame(store, "SELECT year, value FROM current_observations WHERE indicator_id = 'fixed_investment'")
               .itertuples(index=False))
    assert got == {2000 + i: 1000 + i for i in range(THREADS)}


def test_parallel_submissions_with_shared_revisions(store, catalog):
    rounds, sharers = 3, [i for i in range(THREADS) if i % 2 == 0]  # 4 threads a round revise one figure

    def rows_of(r: int, i: int) -> list[list[str]]:
        own = [_own_figure(r, i)]
        if i in sharers:  # 滨江's 2015 land area, values 5000 + i: close enough for no warning
            own.append([BINJIANG, "2015Q4", "land_area", str(5000 + i), "m²"])
        return own

    before_obs, before_subs = counts(store)
    ids, errors = _run_parallel(store, catalog, rows_of, rounds=rounds)
    assert errors == []
    n = rounds * THREADS
    assert len(set(ids)) == n
    assert counts(store) == (before_obs + n + rounds * len(sharers), before_subs + n)
    own = rawsql.frame(store, "SELECT year, value FROM observations WHERE indicator_id = 'fixed_investment'")
    assert sorted(zip(own.year, own.value, strict=True)) == [(2000 + k, 1000 + k) for k in range(n)]
    shared = submissions.history(store, BINJIANG, "land_area", 2015, 4)
    assert list(shared.revision) == list(range(1, rounds * len(sharers) + 1))  # 1..12, no gap, no duplicate


def test_failed_submission_write_leaves_the_store_unchanged(store):
    rows = pd.DataFrame([(BINJIANG, "land_area", 2015, 4, 1.0, 1.0, "m²", None)] * 2,
                        columns=submissions.REQUIRED_COLUMNS)
    before = counts(store)
    with pytest.raises(duckdb.Error):
        submissions.write_submission(store, rows, actor="tester", origin="upload", status="accepted")
    assert counts(store) == before


def test_failed_submission_write_reports_its_cause(store):
    rows = pd.DataFrame([(BINJIANG, "land_area", 2015, 4, 1.0, 1.0, "m²", None)] * 2,
                        columns=submissions.REQUIRED_COLUMNS)
    with pytest.raises(duckdb.ConstraintException, match="PRIMARY KEY or UNIQUE"):
        submissions.write_submission(store, rows, actor="tester", origin="upload", status="accepted")


# -------------------------------------------------------------------------- the pages (AppTest)

PASSWORD = "Collection-test-passphrase"


@pytest.fixture(scope="module")
def app_template(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> Path:
    return demo_with_users(demo_db, tmp_path_factory.mktemp("collection-app"),
                           {"park-softcity": PASSWORD, "reviewer": PASSWORD})


@pytest.fixture
def app_db(app_template, app_store) -> Path:
    return app_store(app_template)


def app_store():
    """A cursor on the app's own connection (the app keeps the file open)."""
    from ui import queries

    return queries.cursor()


def read(sql: str, params: list | None = None) -> pd.DataFrame:
    return rawsql.frame(app_store(), sql, params)


def signed_in(username: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    fields = {w.label: w for w in at.text_input}
    fields["用户名"].input(username)
    fields["密码"].input(PASSWORD)
    at.form_submit_button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.run()  # the page alone, as after the browser's cookie rerun
    return at


def entry_page() -> AppTest:
    at = signed_in("park-softcity")
    at.switch_page("pages/entry.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["数据填报"]
    return at


def box(at: AppTest, label: str):
    (found,) = [s for s in at.selectbox if s.label == label]
    return found


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def form_no(at: AppTest) -> int:
    """The entry form's counter, part of every input's key (bumped after a submission: empty inputs)."""
    return at.session_state["entry-form"] if "entry-form" in at.session_state else 0


def press_submit(at: AppTest, values: dict[str, float]) -> AppTest:
    org, period = box(at, "填报单位").value, box(at, "报告期").value
    for indicator, value in values.items():
        at.number_input(key=f"in-{form_no(at)}-{org}-{period}-{indicator}").set_value(value)
    at.button(key="form-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_entry_form_offers_only_the_park_and_its_enterprises(app_db):
    at = entry_page()
    orgs = box(at, "填报单位")
    mine = read("""SELECT o.name_zh FROM orgs o JOIN org_closure c ON c.descendant_id = o.org_id
                   WHERE c.ancestor_id = ? AND o.kind IN ('park', 'enterprise')""", [SOFTCITY]).name_zh
    enterprises = read("SELECT count(*) AS n FROM orgs WHERE parent_id = ? AND kind = 'enterprise'", [SOFTCITY]).n[0]
    assert len(orgs.options) == 1 + enterprises == len(mine)
    assert sorted(orgs.options) == sorted(mine)
    assert orgs.value == SOFTCITY and orgs.options[0] == "青岛软件城"
    others = set(read("SELECT name_zh FROM orgs WHERE kind IN ('park', 'enterprise') AND org_id <> ? "
                      "AND coalesce(parent_id, '') <> ?", [SOFTCITY, SOFTCITY]).name_zh)
    assert not others & set(orgs.options)


def test_entry_form_submits_a_pending_submission(app_db):
    at = entry_page()
    before = counts(app_store())
    period = box(at, "报告期").value
    press_submit(at, {"floor_area_built": 3_500_000.0, "firm_count": 260.0})
    assert "已提交" in texts(at.success), texts(at.error)
    assert counts(app_store()) == (before[0] + 2, before[1] + 1)
    sub = read("SELECT * FROM submissions ORDER BY submission_id DESC LIMIT 1").iloc[0]
    assert (sub.status, sub.origin, sub.submitted_by, sub.row_count) == ("pending", "form", "park-softcity", 2)
    assert f"第 {sub.submission_id} 号，2 项数据" in texts(at.success)
    got = read("SELECT org_id, indicator_id, year, quarter, value FROM observations WHERE submission_id = ? "
               "ORDER BY indicator_id", [int(sub.submission_id)])
    assert list(got.itertuples(index=False, name=None)) == [
        (SOFTCITY, "firm_count", period.year, period.quarter, 260.0),
        (SOFTCITY, "floor_area_built", period.year, period.quarter, 3_500_000.0)]


def test_entry_form_refuses_a_part_larger_than_its_total_and_writes_nothing(app_db):
    at = entry_page()
    firm = read("SELECT org_id, name_zh FROM orgs WHERE parent_id = ? AND kind = 'enterprise' ORDER BY org_id LIMIT 1",
                [SOFTCITY]).iloc[0]
    box(at, "填报单位").select(firm.org_id)
    at.run()
    before = counts(app_store())
    press_submit(at, {"software_revenue": 100.0, "software_products": 150.0})  # 150 > 100
    assert not at.success
    assert "有 1 处错误" in texts(at.error)
    problems = [t.value.reset_index() for t in at.table if "判断依据" in t.value.columns]
    assert len(problems) == 1
    (problem,) = problems[0].to_dict(orient="records")
    assert problem["类别"] == "错误" and problem["列"] == "2021"
    assert "软件产品收入 150 大于其合计项软件业务收入 100" in problem["判断依据"]
    assert counts(app_store()) == before


def test_reviewer_accepts_a_submission_made_on_the_entry_page(app_db):
    press_submit(entry_page(), {"floor_area_built": 3_500_000.0})
    sub = int(read("SELECT max(submission_id) AS s FROM submissions").s[0])
    assert read("SELECT status FROM submissions WHERE submission_id = ?", [sub]).status[0] == "pending"

    at = signed_in("reviewer")
    assert [h.value for h in at.header][0] == "审核"
    (pending, *_) = [d.value for d in at.dataframe if "#" in d.value.columns]
    assert list(pending["#"]) == [sub]
    assert box(at, "选择提交").value == sub
    changes = [d.value for d in at.dataframe if "新值" in d.value.columns]
    assert changes and list(changes[0]["新值"]) == ["3,500,000"]  # written like the old value
    assert list(changes[0]["原值"]) == ["—"]  # nothing stored for that quarter before
    at.button(key="accepted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    row = read("SELECT status, reviewed_by FROM submissions WHERE submission_id = ?", [sub]).iloc[0]
    assert (row.status, row.reviewed_by) == ("accepted", "reviewer")
    assert "没有待审核的提交" in texts(at.info)


def test_reporting_page_total_row_matches_sql(app_db):
    at = signed_in("reviewer")
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (summary,) = [d.value for d in at.dataframe if "企业数" in d.value.columns]
    root = app_catalog().plans[at.session_state["plan_id"]].scope  # a reviewer sees the chosen plan's scope
    as_of: Period = at.session_state["as_of_period"]
    days = int(read("SELECT coalesce(max(value), '20') AS d FROM settings WHERE key = 'report_deadline_days'").d[0])
    expected = read(
        """WITH ents AS (
               SELECT e.org_id FROM orgs e JOIN org_closure c ON c.descendant_id = e.org_id AND c.ancestor_id = ?
               WHERE e.kind = 'enterprise'),
           first AS (
               SELECT o.org_id, min(o.entered_at) AS first_at FROM observations o JOIN submissions s USING (submission_id)
               WHERE o.year = ? AND o.quarter = ? AND s.status <> 'returned' GROUP BY o.org_id)
           SELECT count(*) AS total, count(f.first_at) AS reported,
                  count(*) FILTER (WHERE CAST(f.first_at AS DATE) <= ?) AS on_time
           FROM ents LEFT JOIN first f USING (org_id)""",
        [root, as_of.year, as_of.quarter, as_of.end_date + dt.timedelta(days=days)]).iloc[0]
    total = summary[summary["园区"] == "合计"].iloc[0]
    assert expected.total > 0
    assert (total["企业数"], total["按时"], total["逾期"], total["未报"]) == (
        expected.total, expected.on_time, expected.reported - expected.on_time, expected.total - expected.reported)
    assert total["填报率"] == pytest.approx(expected.reported / expected.total * 100)
    parks = summary[summary["园区"] != "合计"]
    for column in ("企业数", "按时", "逾期", "未报"):
        assert parks[column].sum() == total[column]


def app_catalog() -> Catalog:
    from ui import queries

    return queries.catalog()
