"""The benchmark generator (bench/generate.py) at a tiny size: a valid store the app can open,
with exactly the rows its parameters imply and figures that pass the form's own rules.

The tiny size: 60 enterprises, 26 parks and bases (the catalog's 20 and 6 generated, one per
generated city plus the rest by size), 6 cities with figures (the plans' 4 and 2 generated), 8
quarters (2019Q1–2020Q4), 10 form rows per enterprise and quarter. The catalog's other cities
(Zhejiang's, above its counties) are in the store too, without figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import BENCH_PASSWORDS, CATALOG_CITIES, CITY_ROWS, ENTERPRISE_ROWS, PARK_ROWS, SIZES, generate
from domain.access import SYSTEM
from domain.credit_code import credit_code_problem
from domain.models import OrgKind
from domain.periods import Period
from service import queries
from store import figures, orgs, settings, submissions, users
from store.db import connect
from store.schema import LATEST_VERSION
from tests import rawsql

SIZE = SIZES["tiny"]
ENTERPRISES, PARKS, CITIES, QUARTERS = 60, 26, 6, 8
CATALOG_PARKS = 20  # hz 5, jx 4, qd-base and its 6 parks, sz 4
FORM_ROWS = 10


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "tiny.duckdb"
    generate(path, SIZE, log=lambda _: None)
    return path


@pytest.fixture
def con(tiny: Path):
    c = connect(tiny, read_only=True)
    yield c
    c.close()


def count(con, sql: str, params=None) -> int:
    return int(rawsql.scalar(con, sql, params))


def test_the_size_is_the_one_described_above():
    assert (SIZE.enterprises, SIZE.parks, SIZE.cities, SIZE.quarters) == (ENTERPRISES, PARKS, CITIES, QUARTERS)
    assert len(ENTERPRISE_ROWS) == FORM_ROWS


def test_organisations_as_many_as_asked(con, catalog):
    kinds = dict(rawsql.frame(con, "SELECT kind, count(*) AS n FROM orgs GROUP BY kind").itertuples(index=False))
    assert kinds["enterprise"] == ENTERPRISES
    assert kinds["park"] + kinds["base"] == PARKS
    catalog_cities = sum(o.kind == OrgKind.CITY for o in catalog.organisations.values())
    assert kinds["city"] == catalog_cities + CITIES - len(CATALOG_CITIES)  # 13 + 6 - 4: 2 generated
    assert kinds["country"] == 1
    assert set(catalog.organisations) <= set(orgs.orgs(con).org_id)  # the plans' own organisations are all there
    # Every enterprise sits in a park, and the closure reaches the nation from each.
    assert count(con, """SELECT count(*) FROM orgs e JOIN orgs p ON p.org_id = e.parent_id
                         WHERE e.kind = 'enterprise' AND p.kind = 'park'""") == ENTERPRISES
    assert count(con, """SELECT count(*) FROM org_closure c JOIN orgs e ON e.org_id = c.descendant_id
                         WHERE c.ancestor_id = 'cn' AND e.kind = 'enterprise'""") == ENTERPRISES


def test_enterprise_ids_names_and_credit_codes(con):
    firms = rawsql.frame(con, "SELECT org_id, name_zh, credit_code FROM orgs WHERE kind = 'enterprise'")
    assert all(credit_code_problem(c) is None for c in firms.credit_code)
    assert (firms.org_id == "ent-" + firms.credit_code.str.lower()).all()
    assert firms.name_zh.is_unique and firms.credit_code.is_unique
    # The region part of a code is its city's: Hangzhou's firms all start 91330100.
    hangzhou = rawsql.frame(con, """SELECT e.credit_code FROM orgs e JOIN org_closure c ON c.descendant_id = e.org_id
                                    WHERE c.ancestor_id = 'hangzhou' AND e.kind = 'enterprise'""")
    assert len(hangzhou) > 0 and hangzhou.credit_code.str.startswith("91330100").all()


def test_rows_as_many_as_the_parameters_imply(con):
    form = ENTERPRISES * FORM_ROWS * QUARTERS  # 4 800
    corrected = 1 * QUARTERS  # enterprises 7, 107, …: one of 60, its employees in every quarter
    assert count(con, """SELECT count(*) FROM observations o JOIN orgs e ON e.org_id = o.org_id
                         WHERE e.kind = 'enterprise'""") == form + corrected
    assert count(con, "SELECT count(*) FROM observations WHERE revision = 2") == corrected
    assert count(con, """SELECT count(*) FROM observations o JOIN orgs c ON c.org_id = o.org_id
                         WHERE c.kind = 'city' AND list_contains(?, o.indicator_id) AND o.year >= 2019""",
                 [list(CITY_ROWS)]) == CITIES * len(CITY_ROWS) * QUARTERS
    generated_parks = PARKS - CATALOG_PARKS
    assert count(con, "SELECT count(*) FROM observations WHERE org_id LIKE 'park-%'") == \
        generated_parks * len(PARK_ROWS) * QUARTERS
    # Every observation belongs to a recorded submission whose row count is right.
    assert count(con, "SELECT count(*) FROM observations") == count(con, "SELECT sum(row_count) FROM submissions")
    assert count(con, """SELECT count(*) FROM observations o LEFT JOIN submissions s USING (submission_id)
                         WHERE s.submission_id IS NULL""") == 0


def test_figures_follow_the_forms_rules(con):
    # Software revenue is the sum of its four parts (each rounded to 0.1 万元 first).
    worst = rawsql.scalar(con, """
        SELECT max(abs(t.value - p.parts)) FROM current_observations t
        JOIN (SELECT org_id, year, quarter, sum(value) AS parts FROM current_observations
              WHERE indicator_id IN ('software_products', 'it_services', 'info_security', 'embedded_software')
              GROUP BY ALL) p USING (org_id, year, quarter)
        WHERE t.indicator_id = 'software_revenue'""")
    assert worst <= 0.05 * 4 + 1e-9
    # Year-to-date flows never fall within a year; employees are whole people, at least one.
    assert count(con, """
        SELECT count(*) FROM (SELECT value - lag(value) OVER (PARTITION BY org_id, indicator_id, year ORDER BY quarter) AS step
                              FROM current_observations o JOIN indicators i USING (indicator_id)
                              WHERE i.kind = 'flow' AND i.indicator_id <> 'total_profit')
        WHERE step < 0""") == 0
    assert count(con, """SELECT count(*) FROM current_observations
                         WHERE indicator_id = 'employees' AND (value < 1 OR value <> round(value))""") == 0


def test_the_app_can_open_it_and_judge_every_plan(con, catalog):
    assert rawsql.scalar(con, "SELECT max(version) FROM schema_version") == LATEST_VERSION
    assert settings.setting(con, "demo_data") == "true"  # fictitious: every page labels it
    assert users.verify_password(con, "leader", BENCH_PASSWORDS["leader"])
    assert figures.latest_period(con) == Period(2020, 4)
    for plan_id, plan in catalog.plans.items():
        table = queries.plan_progress(con, catalog, SYSTEM, plan_id, Period(2020, 4))
        assert [r.target_id for r in table] == [t.target_id for t in plan.targets]
    # Jiaxing's plan starts from 2020, the last year of the tiny set: its base year is there.
    jiaxing = {r.target_id: r for r in queries.plan_progress(con, catalog, SYSTEM, "jiaxing-2021", Period(2020, 4))}
    revenue = jiaxing["jx-software-revenue"]
    assert revenue.series == "official" and revenue.actual is not None and revenue.base_year == 2020
    assert 0.3 < revenue.coverage < 1.0  # the firms' sum falls short of the official total, as a sample does


def test_the_app_can_write_after_the_bulk_load(tiny: Path, tmp_path: Path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(tiny.read_bytes())
    con = connect(copy)
    top = count(con, "SELECT max(submission_id) FROM submissions")
    firm = rawsql.scalar(con, "SELECT org_id FROM orgs WHERE kind = 'enterprise' ORDER BY org_id LIMIT 1")
    before = rawsql.first(con, "SELECT total FROM bottom_up WHERE ancestor_id = 'cn' AND indicator_id = 'employees' "
                               "AND year = 2021 AND quarter = 1")
    frame = rawsql.frame(con, "SELECT ? AS org_id, 'employees' AS indicator_id, 2021 AS year, 1 AS quarter, 7.0 AS value, "
                              "7.0 AS value_entered, '人' AS unit_entered, NULL AS note", [firm])
    sub = submissions.write_submission(con, frame, actor="t", origin="form", status="accepted")
    assert sub == top + 1  # the sequence was moved past the ids given in bulk
    assert before is None
    assert rawsql.first(con, "SELECT total, reporters FROM bottom_up WHERE ancestor_id = 'cn' AND indicator_id = 'employees' "
                             "AND year = 2021 AND quarter = 1") == (7.0, 1)
    con.close()


def test_deterministic(tiny: Path, tmp_path: Path):
    again = tmp_path / "again.duckdb"
    generate(again, SIZE, log=lambda _: None, with_users=False)
    digest = """SELECT count(*), sum(hash(org_id, indicator_id, year, quarter, revision, value, submission_id, entered_at))
                FROM observations"""
    a, b = connect(tiny, read_only=True), connect(again, read_only=True)
    try:
        assert a.execute(digest).fetchall() == b.execute(digest).fetchall()
        assert orgs.orgs(a).drop(columns="origin").equals(orgs.orgs(b).drop(columns="origin"))
    finally:
        a.close()
        b.close()
