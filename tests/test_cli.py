"""The command line end to end: `python manage.py …` as real subprocesses on stores in tmp_path.

Every run gets TRACKER_DB pointed into tmp_path as well, so no test can ever touch the default
data/tracker.duckdb of the working copy, even one that forgets --db. The demo store is built once
per module with `init --demo` (about two seconds); tests that write work on a copy of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from domain.credit_code import credit_code_problem
from domain.periods import Period
from metrics.tracker import ProgressRow
from store import reference, submissions
from store.db import connect

REPO = Path(__file__).resolve().parent.parent  # the directory holding manage.py
# `init` without --demo writes the shipped reference pack: one observation per entry.
PACK_ROWS = len(reference.load_pack().entries)


def run(*args: str, db: Path | None, env_db: Path, extra_env: dict[str, str] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    """Run manage.py; `db` becomes --db (None leaves it out), `env_db` is always TRACKER_DB."""
    env = {**os.environ, "TRACKER_DB": str(env_db), "PYTHONIOENCODING": "utf-8", **(extra_env or {})}
    argv = [sys.executable, "manage.py", *args, *(["--db", str(db)] if db is not None else [])]
    return subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300)


def cli(tmp: Path, *args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return run(*args, db=db, env_db=tmp / "never-used-env.duckdb")


def observation_count(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
    finally:
        con.close()


def submission_count(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM submissions").fetchall()[0][0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A demo store made by the command line itself, and the output of that first `init --demo`."""
    tmp = tmp_path_factory.mktemp("cli-demo")
    db = tmp / "demo.duckdb"
    result = cli(tmp, "init", "--demo", db=db)
    assert result.returncode == 0, result.stderr
    return db, result


@pytest.fixture
def demo_copy(demo_cli, tmp_path: Path) -> Path:
    """A private copy of the demo store, for a test that writes."""
    db = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_cli[0], db)
    return db


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A store made by `init` without --demo: the catalog and the shipped reference pack (PACK_ROWS
    national figures), no other observations."""
    db = tmp_path / "empty.duckdb"
    result = cli(tmp_path, "init", db=db)
    assert result.returncode == 0, result.stderr
    assert "demo" not in result.stdout
    return db


def json_out(result: subprocess.CompletedProcess[str]):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------- init


def test_init_demo_is_idempotent(demo_cli, demo_copy, tmp_path):
    _, first = demo_cli
    m = re.search(r"demo data loaded, (\d+) observations", first.stdout)
    assert m, first.stdout
    loaded = int(m[1])
    assert loaded > 0
    assert observation_count(demo_copy) == loaded  # what it says is what it wrote

    second = cli(tmp_path, "init", "--demo", db=demo_copy)
    assert second.returncode == 0, second.stderr
    assert "demo data already present" in second.stdout
    assert "loaded" not in second.stdout
    assert observation_count(demo_copy) == loaded


def test_init_reports_plans_and_targets(demo_cli, catalog):
    _, first = demo_cli
    n_targets = sum(len(p.targets) for p in catalog.plans.values())
    lines = first.stdout.strip().splitlines()
    assert f"{len(catalog.plans)} plans, {n_targets} targets" in lines[0]
    # then the demo users' one-time passwords: a heading and one line per role
    assert lines[1].startswith("demo users created") and len(lines) == 2 + 5


# ------------------------------------------------------------------------- listing commands


def test_orgs_json_has_every_park_and_valid_enterprises(demo_cli, catalog, tmp_path):
    rows = json_out(cli(tmp_path, "orgs", "--json", db=demo_cli[0]))
    by_id = {r["org_id"]: r for r in rows}
    for park in ("qd-softcity", "jx-core", "hz-binjiang", "sz-software-park"):
        assert by_id[park]["kind"] == "park"
    catalog_parks = {o.org_id for o in catalog.organisations.values() if o.kind == "park"}
    assert catalog_parks <= set(by_id)
    assert by_id["hz-binjiang"]["name_zh"] == "高新技术产业开发区(滨江)"

    enterprises = [r for r in rows if r["kind"] == "enterprise"]
    assert enterprises, "the demo has enterprises"
    for e in enterprises:
        code = e["credit_code"]
        assert isinstance(code, str) and len(code) == 18, e
        assert credit_code_problem(code) is None, (e, credit_code_problem(code))
        assert e["parent_id"] in by_id
    assert len({e["credit_code"] for e in enterprises}) == len(enterprises)


def test_orgs_text(demo_cli, tmp_path):
    result = cli(tmp_path, "orgs", db=demo_cli[0])
    assert result.returncode == 0, result.stderr
    assert "hz-binjiang" in result.stdout and "org_id" in result.stdout.splitlines()[0]


def test_indicators_json_has_miit_codes(demo_cli, catalog, tmp_path):
    rows = json_out(cli(tmp_path, "indicators", "--json", db=demo_cli[0]))
    by_id = {r["indicator_id"]: r for r in rows}
    assert by_id["software_revenue"]["code"] == "2020"
    assert by_id["software_revenue"]["unit"] == "万元"
    assert by_id["total_profit"]["code"] == "2090" and by_id["total_profit"]["allow_negative"] is True
    assert set(by_id) == set(catalog.indicators)


def test_targets_json_for_qingdao(demo_cli, catalog, tmp_path):
    rows = json_out(cli(tmp_path, "targets", "--plan", "qingdao-2012", "--json", db=demo_cli[0]))
    fields = {"plan_id", "target_id", "kind", "scope_org_id", "scope_org_name", "indicator", "comparator", "value",
              "unit", "base_year", "target_year", "source_quote", "seed_file"}
    plan = catalog.plans["qingdao-2012"]
    assert [r["target_id"] for r in rows] == sorted(t.target_id for t in plan.targets)
    for r in rows:
        assert fields <= set(r), fields - set(r)
        assert r["plan_id"] == "qingdao-2012"
        assert r["seed_file"] == plan.seed_file
        assert r["source_quote"]
    headline = [r for r in rows if r["indicator"] == "software_revenue" and r["kind"] == "level"
                and r["scope_org_id"] == "qingdao"]
    assert len(headline) == 1
    (t,) = headline
    assert (t["value"], t["unit"], t["comparator"], t["target_year"]) == (2200, "亿元", ">=", 2016)
    assert t["scope_org_name"] == "青岛市"
    assert t["base_year"] == 2011
    assert "2200亿元" in t["source_quote"]


def test_targets_unknown_plan(demo_cli, tmp_path):
    result = cli(tmp_path, "targets", "--plan", "atlantis-2030", db=demo_cli[0])
    assert result.returncode == 2
    assert "unknown plan 'atlantis-2030'" in result.stderr


# ---------------------------------------------------------------------------------- import


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["org", "period", "indicator", "value", "unit"])
        w.writerows(rows)
    return path


def test_import_good_file(empty_db, tmp_path):
    path = write_csv(tmp_path / "good.csv", [
        ["hz-binjiang", "2015Q1", "2020", "1.5", "亿元"],  # 1.5 × 10 000 = 15 000 万元
        ["高新技术产业开发区(滨江)", "2015年1-6月", "software_revenue", "３２,０００", "万元"],
    ])
    result = cli(tmp_path, "import", str(path), "--user", "tester", db=empty_db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("good.csv: 2 rows written as submission ")
    assert lines[0].endswith("(accepted)")
    # stderr carries only the progress of each stage (tests/test_ops.py kills an import by it)
    assert result.stderr.splitlines() == [f"reading good.csv ({path.stat().st_size} bytes)",
                                          "validated 2 rows: 0 error(s), 0 warning(s)", "writing 2 rows"]
    assert observation_count(empty_db) == PACK_ROWS + 2
    con = connect(empty_db, read_only=True)
    try:
        got = con.execute("SELECT quarter, value FROM current_observations WHERE org_id = 'hz-binjiang' "
                          "ORDER BY quarter").fetchall()
        who = con.execute("SELECT DISTINCT entered_by FROM observations WHERE org_id = 'hz-binjiang'").fetchall()
    finally:
        con.close()
    assert got == [(1, pytest.approx(1.5 * 10_000)), (2, pytest.approx(32_000))]
    assert who == [("tester",)]


def test_import_bad_file_lists_every_error_and_writes_nothing(empty_db, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        ["hz-binjiang", "2015Q1", "2020", "100", "万元"],  # row 2: fine
        ["no-such-park", "2015Q1", "2020", "100", "万元"],  # row 3: org
        ["hz-binjiang", "2099Q1", "2020", "100", "万元"],  # row 4: future period
        ["hz-binjiang", "2015Q2", "2020", "abc", "万元"],  # row 5: value
        ["hz-binjiang", "2015Q3", "2020", "100", "人"],  # row 6: unit
        ["hz-binjiang", "2015Q1", "2021", "150", "万元"],  # row 7: part 150 > total 100
    ])
    before = (observation_count(empty_db), submission_count(empty_db))
    result = cli(tmp_path, "import", str(path), db=empty_db)
    assert result.returncode != 0
    assert "bad.csv: rejected, nothing written (5 problem(s))" in result.stderr
    for where in ("row 3, column org", "row 4, column period", "row 5, column value", "row 6, column unit",
                  "row 7, column value"):
        assert f"bad.csv, {where}" in result.stderr, where
    assert "row 2," not in result.stderr
    assert result.stdout == ""
    assert (observation_count(empty_db), submission_count(empty_db)) == before
    assert before[0] == PACK_ROWS


def test_import_warning_needs_explanation(empty_db, tmp_path):
    base = write_csv(tmp_path / "2014.csv", [["qingdao", "2014Q4", "2020", "1000", "亿元"]])
    assert cli(tmp_path, "import", str(base), db=empty_db).returncode == 0
    # 1600 / 1000 − 1 = +60 % year on year: beyond ±50 %.
    jump = write_csv(tmp_path / "2015.csv", [["qingdao", "2015Q4", "2020", "1600", "亿元"]])
    refused = cli(tmp_path, "import", str(jump), db=empty_db)
    assert refused.returncode != 0
    assert "warning: 2015.csv, row 2, column value" in refused.stderr
    assert "+60%" in refused.stderr
    assert observation_count(empty_db) == PACK_ROWS + 1
    accepted = cli(tmp_path, "import", str(jump), "--explanation", "并入新设区县", db=empty_db)
    assert accepted.returncode == 0, accepted.stderr
    assert observation_count(empty_db) == PACK_ROWS + 2


def test_import_refuses_impossible_figures_and_periods_outside_the_bounds(demo_copy, tmp_path):
    """The issue's firm with no earlier period to compare with (the demo starts in 2009), and periods
    an older release took: all refused by the one rule set, nothing written."""
    con = connect(demo_copy, read_only=True)
    firm = con.execute("SELECT org_id FROM orgs WHERE kind = 'enterprise' ORDER BY org_id LIMIT 1").fetchall()[0][0]
    con.close()
    path = write_csv(tmp_path / "hostile.csv", [
        [firm, "2008Q4", "2010", "1500000000", "万元"],  # row 2: 1.5e9 万元 = ¥15 万亿 > 5e8 万元 for a firm
        ["qingdao", "0000Q4", "2020", "100", "万元"],  # row 3
        ["qingdao", "1900Q1", "2020", "100", "万元"],  # row 4
        ["qingdao", "9999Q4", "2020", "100", "万元"],  # row 5
    ])
    before = (observation_count(demo_copy), submission_count(demo_copy))
    result = cli(tmp_path, "import", str(path), db=demo_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "hostile.csv: rejected, nothing written (4 problem(s))" in result.stderr
    assert ("error: hostile.csv, row 2, column value (value '1500000000'): 主营业务收入 1,500,000,000 万元 is impossible "
            "for an enterprise: it is above 500,000,000 万元; check the unit (元, 万元, 亿元)") in result.stderr
    for row, text in ((3, "0000Q4"), (4, "1900Q1"), (5, "9999Q4")):
        assert f"hostile.csv, row {row}, column period (value '{text}')" in result.stderr
    assert (observation_count(demo_copy), submission_count(demo_copy)) == before


# -------------------------------------------------------------------------------- progress


# Qingdao's level targets on revenue and exports, the flows that accrue through the year (stocks such as
# floor area or staff, counts of firms and once-a-year events have no 序时进度).
PACED_QD = {"qd-software-revenue", "qd-exports", "qd-comm-park-revenue", "qd-anime-park-revenue",
            "qd-infovalley-revenue", "qd-haier-park-revenue", "qd-hisense-park-revenue", "qd-softcity-revenue"}


def test_progress_json_qingdao_2016(demo_cli, catalog, tmp_path):
    rows = json_out(cli(tmp_path, "progress", "--plan", "qingdao-2012", "--as-of", "2016Q4", "--json",
                        db=demo_cli[0]))
    plan = catalog.plans["qingdao-2012"]
    assert sorted(r["target_id"] for r in rows) == sorted(t.target_id for t in plan.targets)
    # every field of a row, the reason message replaced by its words in both languages and its code
    documented = set(ProgressRow.model_fields) - {"reason"} | {"status_reason", "status_reason_zh", "reason_code"}
    for r in rows:
        assert set(r) == documented
        assert r["plan_id"] == "qingdao-2012"
        assert r["as_of"] == "2016Q4"
        # Q4: the whole year gone by — shown only where a flow accruing through the year is read in-year
        assert r["time_elapsed"] == (1.0 if r["target_id"] in PACED_QD else None), r["target_id"]
        assert r["final"] is True  # 2016 is every Qingdao target's year

    (sw,) = [r for r in rows if r["target_id"] == "qd-software-revenue"]
    # data/demo.yaml: Qingdao official software revenue base [2011, 600] 亿元, growth 25 % a year.
    actual = 600 * 1.25 ** (2016 - 2011)  # = 1831.0546875 亿元
    assert sw["actual"] == pytest.approx(actual, rel=1e-6)  # stored rounded to 0.01 万元
    assert sw["target"] == 2200 and sw["unit"] == "亿元"
    assert sw["completion"] == pytest.approx(actual / 2200, rel=1e-6)
    assert sw["gap"] == pytest.approx(2200 - actual, rel=1e-6)
    assert sw["actual_cagr"] == pytest.approx(0.25, rel=1e-6)
    assert sw["base_value"] == pytest.approx(600, rel=1e-6)
    assert sw["status"] == "missed"
    assert sw["final"] is True
    assert sw["actual_period"] == "2016"
    assert sw["series"] == "official"
    assert sw["reason_code"] == "progress.level.fell_short"
    assert sw["status_reason_zh"] == "2016年实际1,831亿元，未达到目标2,200亿元"  # 1831.05… to four digits
    assert sw["scope_id"] == "qingdao" and sw["scope_name"] == "青岛市"


def test_progress_accepts_chinese_period(demo_cli, tmp_path):
    a = json_out(cli(tmp_path, "progress", "--plan", "qingdao-2012", "--as-of", "2016年1-12月", "--json",
                     db=demo_cli[0]))
    b = json_out(cli(tmp_path, "progress", "--plan", "qingdao-2012", "--as-of", "2016Q4", "--json",
                     db=demo_cli[0]))
    # Same rows, same figures. Floats are compared to 1e-12: DuckDB sums in parallel, so the last bits of a
    # bottom-up total can differ from one run to the next (floating-point addition is not associative).
    assert [r["target_id"] for r in a] == [r["target_id"] for r in b]
    for ra, rb in zip(a, b, strict=True):
        assert ra.keys() == rb.keys()
        for k in ra:
            if isinstance(ra[k], float):
                assert ra[k] == pytest.approx(rb[k], rel=1e-12, abs=1e-12), (ra["target_id"], k)
            else:
                assert ra[k] == rb[k], (ra["target_id"], k)


def test_progress_text(demo_cli, catalog, tmp_path):
    result = cli(tmp_path, "progress", "--plan", "qingdao-2012", "--as-of", "2016Q4", db=demo_cli[0])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    plan = catalog.plans["qingdao-2012"]
    assert lines[0] == f"{plan.title_zh} — as of 2016Q4 (2016年1-12月)"
    assert lines[1].split()[:3] == ["target", "status", "actual"]
    ids = [t.target_id for t in plan.targets]
    table = lines[2:2 + len(ids)]
    assert sorted(line.split()[0] for line in table) == sorted(ids)
    (sw,) = [line for line in table if line.split()[0] == "qd-software-revenue"]
    cells = sw.split()
    assert cells[1] == "missed"
    assert cells[2] == f"{600 * 1.25 ** 5:,.2f}"  # 600 · 1.25⁵ = 1,831.05
    assert f"{600 * 1.25 ** 5 / 2200:.1%}" in cells  # 1831.0546875 / 2200 = 83.2 %
    # After the table: a blank line, then one status reason per target.
    assert lines[2 + len(ids)] == ""
    reasons = lines[3 + len(ids):3 + 2 * len(ids)]
    assert sorted(r.split(":")[0] for r in reasons) == sorted(ids)
    # Then the conditions of admission, park by park, units below a criterion first: 通信产业园 invests
    # 8 亿元 in 2011 growing 10 % a year from 2010 on 1200 亩 = 80 公顷 (data/demo.yaml):
    # (8/1.1 + 8·(1.1⁶ − 1)/0.1) 亿元 · 10⁴ ÷ 80 = 8,624.71 万元/公顷 ≥ 4000.
    assert lines[3 + 2 * len(ids)] == ""
    assert lines[4 + 2 * len(ids)] == "准入条件核查 / Admission criteria check (2016):"
    checks = [line.split() for line in lines[5 + 2 * len(ids):]]
    assert len(checks) == 2 * 6  # two criteria, six parks
    (comm,) = [c for c in checks if c[:2] == ["qd-c-admission-investment-intensity", "qd-comm-park"]]
    assert comm[2] == "Met" and comm[3] == f"{(8 / 1.1 + 8 * (1.1**6 - 1) / 0.1) * 1e4 / 80:,.2f}"
    assert "cumulative 2010–2016," in " ".join(comm)
    assert checks[0][2:4] == ["Not", "met"] and checks[-1][2] == "Met"


# Periods outside the bounds (domain/periods.py): before 2000Q1 (ten years before the plans' earliest base
# year, 2010), the quarter under way (not over yet), and after it.
CURRENT = Period.containing(dt.date.today())
PERIODS_OUTSIDE = [
    ("9999Q4", "period 9999Q4 is in the future"),
    ("0000Q4", "period 0Q4 is before 2000Q1, ten years before the earliest plan's base year: check the year"),
    ("1900Q1", "period 1900Q1 is before 2000Q1, ten years before the earliest plan's base year: check the year"),
    (str(CURRENT), f"period {CURRENT} is not over yet; the latest complete quarter is {CURRENT.previous()}"),
]


@pytest.mark.parametrize(("args", "message"), [
    pytest.param(["--plan", "atlantis-2030", "--as-of", "2016Q4"], "unknown plan 'atlantis-2030'", id="unknown-plan"),
    pytest.param(["--plan", "qingdao-2012", "--as-of", "2016Q7"], "'2016Q7' is not a period", id="bad-quarter"),
    pytest.param(["--plan", "qingdao-2012", "--as-of", "2016年1-8月"], "must end in March, June, September or December",
                 id="bad-month"),
    pytest.param(["--plan", "qingdao-2012", "--as-of", "last year"], "'last year' is not a period", id="words"),
    *[pytest.param(["--plan", "qingdao-2012", "--as-of", text], message, id=f"period-{text}")
      for text, message in PERIODS_OUTSIDE],
])
def test_progress_bad_arguments_exit_2(demo_cli, tmp_path, args, message):
    result = cli(tmp_path, "progress", *args, db=demo_cli[0])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("text", "message"), PERIODS_OUTSIDE)
@pytest.mark.parametrize("which", [["--plan", "qingdao-2012"], ["--all"]])
def test_report_quarter_outside_the_bounds_exit_2(demo_cli, tmp_path, which, text, message):
    """`report --quarter 9999Q4` once ended in a traceback (a deadline past year 9999)."""
    result = cli(tmp_path, "report", *which, "--quarter", text, "-o", str(tmp_path / "out"), db=demo_cli[0])
    assert (result.returncode, result.stdout) == (2, "")
    assert f"error: --quarter {text!r}: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_progress_json_is_strict_json_even_with_an_infinite_figure(demo_copy, tmp_path):
    """A store written before non-finite values were refused may hold one: the sums and growth rates
    built on it are infinite, and the JSON says null with a reason instead of printing Infinity."""
    con = connect(demo_copy)
    rows = pd.DataFrame([dict(org_id="qingdao", indicator_id="software_revenue", year=2016, quarter=4, value=math.inf,
                              value_entered=math.inf, unit_entered="万元", note=None)])
    submissions.write_submission(con, rows, actor="older-release", origin="import", status="accepted")
    con.close()
    result = cli(tmp_path, "progress", "--plan", "qingdao-2012", "--as-of", "2016Q4", "--json", db=demo_copy)
    assert result.returncode == 0, result.stderr

    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant}")

    rows = json.loads(result.stdout, parse_constant=refuse)
    (sw,) = [r for r in rows if r["target_id"] == "qd-software-revenue"]
    assert sw["actual"] is None and sw["completion"] is None
    assert sw["null_reasons"]["actual"] == "not a finite number (inf): the figures it is computed from are out of range"
    assert sw["null_reasons_zh"]["gap"] == "不是有限数值（-inf）：计算所依据的数据超出范围"  # target − ∞
    assert all(v is None for r in rows for k in r.get("null_reasons", {}) for v in [r[k]])
    # A row with nothing infinite keeps its shape: no null_reasons at all.
    assert any("null_reasons" not in r for r in rows)


# ------------------------------------------------------------------------ where the store is


def test_db_flag_is_honoured_over_tracker_db(tmp_path):
    flag_db, env_db = tmp_path / "flag.duckdb", tmp_path / "env.duckdb"
    result = run("init", db=flag_db, env_db=env_db)
    assert result.returncode == 0, result.stderr
    assert f"store ready at {flag_db}:" in result.stdout
    assert flag_db.exists()
    assert not env_db.exists()


def test_tracker_db_is_used_without_db_flag(tmp_path):
    env_db = tmp_path / "sub" / "env.duckdb"
    result = run("init", db=None, env_db=env_db)
    assert result.returncode == 0, result.stderr
    assert f"store ready at {env_db}:" in result.stdout
    assert env_db.exists()
    # Later commands find the same store through the environment alone.
    path = write_csv(tmp_path / "one.csv", [["jx-core", "2021Q4", "2020", "12", "亿元"]])
    imported = run("import", str(path), db=None, env_db=env_db)
    assert imported.returncode == 0, imported.stderr
    assert observation_count(env_db) == PACK_ROWS + 1
    orgs = run("orgs", "--json", db=None, env_db=env_db)
    assert "jx-core" in {r["org_id"] for r in json.loads(orgs.stdout)}


@pytest.mark.parametrize("args", [
    ("orgs",), ("indicators",), ("targets",), ("progress", "--plan", "qingdao-2012", "--as-of", "2015Q3"),
    ("report", "--plan", "qingdao-2012", "--quarter", "2015Q3", "-o", "out.docx"),
])
def test_a_command_that_only_reads_never_creates_a_store_on_a_mistyped_path(tmp_path, args):
    typo = tmp_path / "typo" / "trackr.duckdb"
    r = cli(tmp_path, *args, db=typo)
    assert r.returncode == 2, r.stdout
    assert f"no store at {typo}" in r.stderr and "Traceback" not in r.stderr
    assert not typo.exists() and not typo.parent.exists()


# ------------------------------------------------------------------ submissions and review (issue 17)

SUBMISSION_FIELDS = ["submission_id", "status", "origin", "file_name", "submitted_by", "submitted_at", "organisations",
                     "periods", "rows", "flags", "explanation", "reviewed_by", "reviewed_at", "comment", "answers"]


@pytest.fixture
def reviewed_store(demo_copy: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """The demo store with three submissions beyond the demo's own: a firm of 青岛软件城 with one flag
    (pending), 青岛软件城 itself returned with a comment, and its correction (pending, answering it)."""
    from domain import message_json
    from domain.messages import Message

    con = connect(demo_copy)
    firm, firm_name = con.execute("SELECT org_id, name_zh FROM orgs WHERE parent_id = 'qd-softcity' AND kind = "
                                  "'enterprise' ORDER BY org_id LIMIT 1").fetchall()[0]

    def write(org: str, indicator: str, value: float, unit: str, flags: pd.DataFrame | None = None,
              explanation: str | None = None) -> int:
        rows = pd.DataFrame([(org, indicator, 2016, 4, value, value, unit, None)], columns=submissions.REQUIRED_COLUMNS)
        return submissions.write_submission(con, rows, actor="park-softcity", origin="upload", status="pending",
                                            file_name="季报.xlsx", explanation=explanation, flags=flags)

    flag = pd.DataFrame([(2, firm, "software_revenue", 2016, 4, "warning", "validation.yoy",
                          message_json.dumps_params(Message.of("validation.yoy", change=0.8)))],
                        columns=submissions.FLAG_COLUMNS)
    ids = {"flagged": write(firm, "software_revenue", 12_345.5, "万元", flag, "新签大额合同"),
           "returned": write("qd-softcity", "floor_area_built", 2_900_000.0, "m²")}
    submissions.review_submission(con, ids["returned"], reviewer="reviewer", decision="returned", comment="与竣工备案不符")
    ids["correction"] = write("qd-softcity", "floor_area_built", 2_850_000.0, "m²", explanation="按竣工备案更正")
    con.execute("UPDATE submissions SET answers = ? WHERE submission_id = ?", [ids["returned"], ids["correction"]])
    con.close()
    return demo_copy, ids, {"firm": firm, "firm_name": firm_name}


def strict_json(result: subprocess.CompletedProcess[str]):
    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout, parse_constant=refuse)


def test_submissions_json_has_every_field_newest_first(reviewed_store, tmp_path):
    db, ids, names = reviewed_store
    rows = strict_json(cli(tmp_path, "submissions", "--json", db=db))
    assert [r["submission_id"] for r in rows] == [ids["correction"], ids["returned"], ids["flagged"]]  # no demo ones
    assert all(list(r) == SUBMISSION_FIELDS for r in rows)
    by_id = {r["submission_id"]: r for r in rows}
    flagged, returned, correction = by_id[ids["flagged"]], by_id[ids["returned"]], by_id[ids["correction"]]
    assert (flagged["status"], flagged["origin"], flagged["file_name"], flagged["submitted_by"]) == (
        "pending", "upload", "季报.xlsx", "park-softcity")
    assert flagged["organisations"] == [{"org_id": names["firm"], "name": names["firm_name"]}]
    assert (flagged["periods"], flagged["rows"], flagged["flags"], flagged["explanation"]) == (
        ["2016Q4"], 1, 1, "新签大额合同")
    assert (flagged["reviewed_by"], flagged["reviewed_at"], flagged["comment"], flagged["answers"]) == (
        None, None, None, None)
    assert (returned["status"], returned["reviewed_by"], returned["comment"], returned["flags"]) == (
        "returned", "reviewer", "与竣工备案不符", 0)
    assert dt.datetime.fromisoformat(returned["reviewed_at"]) >= dt.datetime.fromisoformat(returned["submitted_at"])
    assert (correction["answers"], correction["explanation"]) == (ids["returned"], "按竣工备案更正")


@pytest.mark.parametrize(("args", "expected"), [
    (["--status", "pending"], ["correction", "flagged"]),
    (["--status", "returned"], ["returned"]),
    (["--status", "accepted"], []),
    (["--org", "qd-softcity"], ["correction", "returned", "flagged"]),  # the park, and its firm under it
    (["--org", "FIRM"], ["flagged"]),
    (["--org", "qingdao", "--status", "pending"], ["correction", "flagged"]),
    (["--org", "hz-binjiang"], []),
    (["--limit", "1"], ["correction"]),
])
def test_submissions_filters(reviewed_store, tmp_path, args, expected):
    db, ids, names = reviewed_store
    args = [names["firm"] if a == "FIRM" else a for a in args]
    rows = strict_json(cli(tmp_path, "submissions", *args, "--json", db=db))
    assert [r["submission_id"] for r in rows] == [ids[e] for e in expected]


@pytest.mark.parametrize("args", [["--org", "atlantis"], ["--limit", "0"]], ids=["unknown-org", "limit-0"])
def test_submissions_bad_arguments_exit_2(reviewed_store, tmp_path, args):
    r = cli(tmp_path, "submissions", *args, "--json", db=reviewed_store[0])
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
    if args[0] == "--org":
        assert "unknown organisation 'atlantis'" in r.stderr


def test_submissions_text_is_an_aligned_table(reviewed_store, tmp_path):
    import unicodedata

    db, ids, names = reviewed_store
    r = cli(tmp_path, "submissions", db=db)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.rstrip("\n").split("\n")
    assert len(lines) == 4 and lines[0].split()[:4] == ["id", "status", "origin", "by"]

    def width(line: str) -> int:  # as a terminal shows it: a Chinese character takes two columns
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    assert len({width(line) for line in lines}) == 1, lines
    assert "与竣工备案不符" in r.stdout and names["firm_name"] in r.stdout


def test_review_from_the_command_line(reviewed_store, tmp_path):
    db, ids, names = reviewed_store
    sub = str(ids["flagged"])
    refused = cli(tmp_path, "review", sub, "return", db=db)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert "returned with a comment" in refused.stderr
    done = cli(tmp_path, "review", sub, "return", "--comment", "请附合同", db=db)
    assert (done.returncode, done.stdout) == (0, f"submission {sub} returned\n"), done.stderr
    again = cli(tmp_path, "review", sub, "accept", db=db)
    assert again.returncode == 1 and "not pending" in again.stderr
    (row,) = strict_json(cli(tmp_path, "submissions", "--status", "returned", "--org", names["firm"], "--json", db=db))
    assert (row["submission_id"], row["comment"]) == (ids["flagged"], "请附合同")
    assert row["reviewed_by"].startswith("cli:")  # the operator, as the audit log has it
    accepted = cli(tmp_path, "review", str(ids["correction"]), "accept", db=db)
    assert accepted.returncode == 0, accepted.stderr
