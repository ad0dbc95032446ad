"""The hostile-input corpus: every file, form value and command-line argument a careless or hostile
user might hand the product, and what must happen to each.

Each case is tried through the route a real user's input takes — a file through the upload's
check and submit (`service.commands`, what the upload page and `manage.py import` call), a form
value through the entry form's rows, an argument through `manage.py` itself — and must end in one
of two ways: refused cleanly (every problem names the file, a row and column where it has one, and a
reason in Chinese and English; the store's tables exactly as before, by fingerprint), or accepted as
valid (a submission lands). A crash is any exception that escapes, or a traceback printed. The
files are in tests/data/hostile/ (written by make_corpus.py there; the large ones are built here in
tmp_path from its recipes). The README states the counts of this module's tables; a test keeps them
equal.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math
import re
import shutil
from pathlib import Path

import pytest

from domain.messages import render
from service import commands
from store import ingest, users
from store.db import connect
from tests import rawsql
from tests.conftest import open_copy

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "data" / "hostile"
_spec = importlib.util.spec_from_file_location("make_hostile_corpus", CORPUS / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)  # recipes and constants only: files are written when run as a script

CHINESE = re.compile(r"[\u4e00-\u9fff]")
A, R = "accepted", "refused"

FILES = {  # name: outcome
    # encodings and line endings of a valid quarter
    "valid_utf8_crlf.csv": A, "valid_utf8_lf.csv": A, "valid_cr_only.csv": A, "valid_mixed_line_endings.csv": A,
    "valid_utf8_bom.csv": A, "valid_gb18030_name.csv": A, "valid_credit_code.csv": A,
    "valid_trailing_blank_lines.csv": A, "valid_padded_cells.csv": A, "valid_yuan_and_yi.csv": A,
    "valid_thousands_separators.csv": A, "valid_fullwidth_digits.csv": A, "valid_chinese_period.csv": A,
    "valid_indicator_codes.csv": A, "valid.xlsx": A,
    # Average employees may be fractional (an average over the months), so 2700.5 人 is valid.
    "fractional_employees.csv": A,
    "utf16_bom.csv": R, "invalid_bytes.csv": R, "nul_bytes.csv": R, "semicolons.csv": R, "tabs_named_csv.csv": R,
    "empty.csv": R, "bom_only.csv": R, "header_only.csv": R, "unbalanced_quote.csv": R, "pdf_named_csv.csv": R,
    "csv_named_xlsx.xlsx": R, "zip_named_xlsx.xlsx": R, "xlsx_billion_laughs.xlsx": R, "xlsx_xxe.xlsx": R,
    "xlsx_formula_cell.xlsx": R,
    # formulas and markup in cells
    "formula_in_org.csv": R, "formula_in_value.csv": R, "at_formula_in_value.csv": R, "markdown_link_in_org.csv": R,
    "markdown_image_in_org.csv": R, "colour_in_indicator.csv": R, "latex_in_unit.csv": R, "html_in_org.csv": R,
    # numbers
    "inf_value.csv": R, "nan_value.csv": R, "minus_inf_value.csv": R, "overflow_after_unit.csv": R,
    "overflow_digits.csv": R, "hex_value.csv": R, "underscore_digits.csv": R, "european_decimal.csv": R,
    "negative_revenue.csv": R, "fifteen_trillion_revenue.csv": R, "fifteen_trillion_no_history.csv": R,
    "main_1000x_software.csv": R, "revenue_per_head_absurd.csv": R, "part_exceeds_total.csv": R,
    # periods
    "period_0000Q4.csv": R, "period_1900Q1.csv": R, "period_9999Q4.csv": R, "period_quarter_5.csv": R,
    "period_year_0_months.csv": R, "period_current_quarter.csv": R, "period_iso_month.csv": R,
    # units
    "revenue_in_dollars.csv": R, "unknown_unit.csv": R, "people_in_yuan.csv": R,
    # ids and scope
    "other_firm.csv": R, "unknown_firm.csv": R, "wrong_check_character.csv": R, "unknown_indicator.csv": R,
    "duplicate_rows.csv": R, "sql_in_org.csv": R, "path_in_org.csv": R, "rtl_override_in_org.csv": R,
}
LARGE = {name: R for name in corpus.LARGE}  # every bomb and oversized file is refused

FORM = [  # indicator, value typed into the entry form (canonical unit), outcome
    ("software_revenue", 66000.0, A),
    ("software_revenue", math.inf, R),
    ("software_revenue", -math.inf, R),
    ("software_revenue", math.nan, R),
    ("software_revenue", -1.0, R),
    ("main_revenue", 1.5e9, R),  # ¥15 trillion for one firm
    ("employees", 1e305 * 10, R),  # overflowed to inf before it reached us
    ("employees", 0.0, R),  # a firm reporting revenue with nobody employed
]

QINGDAO = "qingdao-2012"
CLI = [  # argv ({db}: a demo store copy, {tmp}: a scratch folder, {missing}: a path that does not exist), exit code
    (["report", "--plan", QINGDAO, "--quarter", "9999Q4", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", QINGDAO, "--quarter", "0000Q4", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", QINGDAO, "--quarter", "abc", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", QINGDAO, "--quarter", "2016Q5", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", "../../etc/passwd", "--quarter", "2016Q4", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", QINGDAO, "--quarter", "2016Q4", "--park", "<b>x</b>", "-o", "{tmp}/r.docx"], 2),
    (["report", "--plan", QINGDAO, "--quarter", "2016Q4", "-o", "/dev/null/r.docx"], 2),  # not a folder
    (["progress", "--plan", QINGDAO, "--as-of", "9999Q4"], 2),
    (["progress", "--plan", QINGDAO, "--as-of", "1900Q1"], 2),
    (["progress", "--plan", QINGDAO, "--as-of", "2016Q4", "--as-at", "99999-01-01"], 2),
    (["progress", "--plan", QINGDAO, "--as-of", "2016Q4", "--as-at", "yesterday"], 2),
    (["progress", "--plan", "no-such-plan", "--as-of", "2016Q4"], 2),
    (["orgs", "--db", "{missing}/tracker.duckdb"], 2),
    (["users", "list", "--db", "{missing}/tracker.duckdb"], 2),
    (["targets", "--plan", "'; DROP TABLE targets; --"], 2),
    (["import", "{missing}/figures.csv"], 1),
    (["import", "{tmp}"], 1),
    (["users", "reset-password", "no-such-user"], 2),
    (["users", "add", "x" * 10_000, "--role", "leader"], 2),
    (["verify", "{missing}"], 2),
    (["restore", "{tmp}"], 2),
]


PARK_IDS = [  # ?park= values a park manager of 青岛软件城 might be sent; none of them is theirs to see
    "qd-infovalley",  # a real park, of another manager
    "no-such-park",
    "[点此](http://evil.example)",
    "![x](http://evil.example/i.png)",
    ":red[urgent]",
    "$x^2$",
    "<img src=x onerror=alert(1)>",
    "../../etc/passwd",
    "x" * 5000,
    "qd-softcity' OR '1'='1",
]

COOKIES = [  # values of the sign-in cookie, tried through the lookup every page run makes
    "",
    "not-a-token",
    "A" * 43,  # the shape of a token, issued by nobody
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VybmFtZSI6ImFkbWluIiwiZXhwX2RhdGUiOjk5OTk5OTk5OTl9.",  # alg none
    "eyJhbGciOiJIUzUxMiJ9.eyJ1c2VybmFtZSI6ImFkbWluIn0.c2lnbmF0dXJl",  # HS512, forged
    "x" * 10_000,
    "管理员",
    "admin",
    "' OR 1=1 --",
    "\x00\x01\x02",
]


def fingerprint(con) -> dict[str, tuple[int, int]]:
    """Every base table's row count and an order-free hash of its rows, except the audit log (a
    refused attempt is audited on purpose)."""
    tables = [t for (t,) in rawsql.frame(con, "SELECT table_name FROM information_schema.tables "
                                              "WHERE table_type = 'BASE TABLE' ORDER BY 1").itertuples(index=False)]
    return {t: rawsql.first(con, f"SELECT count(*), coalesce(bit_xor(hash(t::VARCHAR)), 0) FROM {t} t")
            for t in tables if t != "audit_log"}


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory, demo_db) -> Path:
    """The demo store with its users: the enterprise user is the one who uploads."""
    path = tmp_path_factory.mktemp("hostile") / "template.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    users.create_demo_users(con)
    con.close()
    return path


@pytest.fixture
def hostile_store(tmp_path, hostile_template):
    yield from open_copy(hostile_template, tmp_path / "hostile.duckdb")


def _outcome(con, catalog, name: str, data: bytes) -> tuple[str, list]:
    """Upload `data` as the demo enterprise user and submit it; (outcome, problems)."""
    who = users.identity(con, "enterprise")
    before = fingerprint(con)
    checked = commands.check_file(con, catalog, who, name, data)
    try:
        commands.submit(con, who, checked, origin="upload", status="pending", explanation=None)
    except ingest.SubmissionRejected as e:
        assert fingerprint(con) == before, f"{name}: refused but the store changed"
        return R, e.problems
    return A, []


def _assert_clean_refusal(name: str, problems: list) -> None:
    assert problems, name
    for p in problems:
        assert p.file == name
        en, zh = render(p.reason, "en"), render(p.reason, "zh")
        assert en and CHINESE.search(zh) and zh != en, (name, en, zh)
        assert (p.row is None) == (p.column is None) or p.column is None, (name, p.row, p.column)


def test_the_corpus_on_disk_is_what_its_script_writes():
    made = corpus.files()
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "make_corpus.py"}
    assert on_disk == set(made) == set(FILES)
    for name, data in made.items():
        assert len(data) < 16 * 1024, name  # small files; the large ones are built in tmp_path
        if not name.endswith(".xlsx"):  # workbooks carry zip timestamps; the rest is byte for byte
            assert (CORPUS / name).read_bytes() == data, f"{name} differs from what make_corpus.py writes"


@pytest.mark.parametrize("name", sorted(FILES))
def test_file(hostile_store, catalog, name):
    outcome, problems = _outcome(hostile_store, catalog, name, (CORPUS / name).read_bytes())
    assert outcome == FILES[name], (name, [str(p) for p in problems])
    if outcome == R:
        _assert_clean_refusal(name, problems)


@pytest.mark.parametrize("name", sorted(LARGE))
def test_large_file(hostile_store, catalog, name):
    data = corpus.LARGE[name]()
    outcome, problems = _outcome(hostile_store, catalog, name, data)
    assert outcome == LARGE[name]
    _assert_clean_refusal(name, problems)


@pytest.mark.parametrize(("indicator", "value", "outcome"), FORM)
def test_form_value(hostile_store, catalog, indicator, value, outcome):
    from domain.periods import Period
    from ui.services import form_rows

    who = users.identity(hostile_store, "enterprise")
    values = {i: float(v) for i, v, _ in corpus.ROWS}
    values[indicator] = value
    rows = form_rows(who.scope_org_id, Period(2017, 1), values, [catalog.indicators[i] for i, _, _ in corpus.ROWS])
    before = fingerprint(hostile_store)
    checked = commands.check_rows(hostile_store, catalog, who, "form", rows)
    try:
        commands.submit(hostile_store, who, checked, origin="form", status="pending", explanation=None)
    except ingest.SubmissionRejected as e:
        assert outcome == R, [str(p) for p in e.problems]
        assert fingerprint(hostile_store) == before
        _assert_clean_refusal("form", e.problems)
        return
    assert outcome == A


@pytest.mark.parametrize(("argv", "code"), CLI, ids=[" ".join(a)[:60] for a, _ in CLI])
def test_command_line(tmp_path, demo_db, argv, code):
    from app import cli

    db = tmp_path / "cli.duckdb"
    shutil.copy(demo_db, db)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    args = [a.format(db=db, tmp=scratch, missing=tmp_path / "missing") for a in argv]
    if "--db" not in args:
        args += ["--db", str(db)]
    con = connect(db)
    before = fingerprint(con)
    con.close()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            got = cli.main(args)
        except SystemExit as e:  # argparse's refusal of an argument: usage and the reason
            got = e.code
    assert got == code, (args, out.getvalue(), err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue()
    assert err.getvalue().strip(), "a refusal says why"
    assert not (tmp_path / "missing").exists(), "nothing created on a refusal"
    con = connect(db)
    assert fingerprint(con) == before
    con.close()


@pytest.mark.parametrize("park", PARK_IDS, ids=[p[:24] for p in PARK_IDS])
def test_park_in_the_url(app_db, park):
    """Another park, a missing one and markup all get the same plain page, never an exception."""
    from tests.apptest_helpers import signed_in

    at = signed_in("park-softcity")
    at.switch_page("pages/park.py")
    at.query_params["park"] = park
    at.run()
    assert not at.exception
    assert not at.dataframe  # no firm of any park is shown
    shown = [e.value for e in at.error] + [e.value for e in at.warning] + [e.value for e in at.info]
    assert any("未知园区或无权查看" in str(v) for v in shown), shown


@pytest.mark.parametrize("cookie", COOKIES, ids=[c[:16] or "empty" for c in COOKIES])
def test_cookie(hostile_store, cookie):
    """No forged or malformed cookie signs anyone in, and none raises."""
    from service import queries

    before = fingerprint(hostile_store)
    assert queries.session_identity(hostile_store, cookie) is None
    assert fingerprint(hostile_store) == before


def test_readme_states_the_counts():
    tried = len(FILES) + len(LARGE) + len(FORM) + len(CLI) + len(PARK_IDS) + len(COOKIES)
    accepted = sum(o == A for o in [*FILES.values(), *LARGE.values()]) + sum(o == A for *_, o in FORM)
    refused = tried - accepted
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"tried {tried}, refused cleanly {refused}, accepted {accepted}, crashed 0" in readme
