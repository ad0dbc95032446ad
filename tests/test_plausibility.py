"""Plausibility bounds (data/indicators.yaml, applied by domain/validation.py) one by one, on the real
catalog: the absolute bound of each indicator per reporting level, and the ratios between rows of one
form — each case with the arithmetic that puts it on its side of the limit. Then the issue's case end
to end through the one rule set the command line, the upload and the entry form share, and the demo
data set against every bound.

A limit itself is allowed: only a figure beyond it is refused (error) or needs an explanation
(warning).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from domain import validation as v
from domain.access import Identity, Role
from domain.messages import render
from domain.models import OrgKind
from domain.periods import Period
from domain.validation import Figure, Organisations, Record, Severity
from service import commands
from store import ingest
from store.catalog import default_catalog
from store.db import connect
from tests import rawsql

CATALOG = default_catalog()
FILE = "upload.csv"
TODAY = dt.date(2026, 11, 29)  # 2026Q3 is the last complete quarter
ORGS = Organisations(["ent", "park", "city", "cn"], ["甲公司", "甲园区", "甲市", "中国"], [None] * 4,
                     ["enterprise", "park", "city", "country"])
ADMIN = Identity(username="admin", display_name="admin", role=Role.ADMIN)


def rec(org: str, indicator: str, value: str, unit: str = "", period: str = "2015Q4", row: int = 2) -> Record:
    return Record(row, org, period, indicator, value, unit)


def row_problems(*records: Record) -> list[tuple[str, str, str]]:
    """(severity, the cell's text, the English reason) of every problem the row rules find."""
    _, problems, _ = v.check_rows(FILE, records, CATALOG, ORGS, TODAY)
    return [(p.severity.value, p.value, render(p.reason, "en")) for p in problems]


# ------------------------------------------------------------------------------ absolute bounds

IMPOSSIBLE_FIRM = ("主营业务收入 1,500,000,000 万元 is impossible for an enterprise: it is above 500,000,000 万元; check the "
                   "unit (元, 万元, 亿元)")

ABSOLUTE = [
    # id, organisation, row code or id, value as typed, unit, expected (severity, limit) or None
    # The issue's firm: 1,500,000,000 万元 = 1.5e9 × 1e4 元 = ¥15 万亿, three times the 5e8 万元 (¥5 万亿) limit.
    pytest.param("ent", "2010", "1500000000", "万元", ("error", 5e8), id="issue-15-trillion-firm"),
    pytest.param("ent", "2010", "500000000", "万元", ("warning", 2e7), id="firm-main-at-error-limit-only-warns"),
    pytest.param("ent", "2010", "20000000", "万元", None, id="firm-main-at-warning-limit"),
    pytest.param("ent", "2010", "20000001", "万元", ("warning", 2e7), id="firm-main-just-above-warning"),
    # 2,001 亿元 = 2,001 × 10,000 = 20,010,000 万元 > 2e7: the bound is met after the unit conversion.
    pytest.param("ent", "2010", "2001", "亿元", ("warning", 2e7), id="firm-main-in-yi-converted-first"),
    # 2e11 元 = 2e11 / 1e4 = 2e7 万元: exactly the warning limit, allowed.
    pytest.param("ent", "2010", "200000000000", "元", None, id="firm-main-in-yuan-at-limit"),
    pytest.param("park", "2010", "100000001", "万元", ("warning", 1e8), id="park-main-above-warning"),
    pytest.param("park", "2010", "20000000001", "万元", ("error", 2e10), id="park-main-takes-every-level-error"),
    pytest.param("city", "2010", "500000001", "万元", ("warning", 5e8), id="city-main-above-warning"),
    # The country has no bound of its own: only every level's error limit, 2e10 万元 (200 万亿元).
    pytest.param("cn", "2020", "1510000000", "万元", None, id="national-software-revenue-ok"),
    pytest.param("cn", "2020", "20000000001", "万元", ("error", 2e10), id="national-above-every-level-limit"),
    pytest.param("ent", "2020", "10000001", "万元", ("warning", 1e7), id="firm-software-above-warning"),
    pytest.param("ent", "20221", "500000001", "万元", ("error", 5e8), id="firm-cloud-services-error"),
    pytest.param("ent", "2040", "1000001", "万美元", ("warning", 1e6), id="firm-exports-warning"),
    pytest.param("ent", "2041", "10000001", "万美元", ("error", 1e7), id="firm-outsourcing-exports-error"),
    pytest.param("ent", "2090", "-10000001", "万元", ("warning", -1e7), id="firm-loss-warning"),
    pytest.param("ent", "2090", "-500000001", "万元", ("error", -5e8), id="firm-loss-error"),
    pytest.param("ent", "2090", "20000001", "万元", ("warning", 2e7), id="firm-profit-warning"),
    pytest.param("ent", "2110", "20000001", "万元", ("warning", 2e7), id="firm-rd-warning"),
    pytest.param("ent", "2112", "300001", "人", ("warning", 3e5), id="firm-employees-warning"),
    # 31 万人 = 31 × 10,000 = 310,000 人 > 300,000.
    pytest.param("ent", "2112", "31", "万人", ("warning", 3e5), id="firm-employees-in-wan"),
    pytest.param("ent", "2112", "3000001", "人", ("error", 3e6), id="firm-employees-error"),
    pytest.param("park", "floor_area_built", "20000001", "m²", ("warning", 2e7), id="park-floor-warning"),
    pytest.param("park", "floor_area_built", "1000000001", "m²", ("error", 1e9), id="park-floor-error"),
    pytest.param("park", "land_area", "50000001", "m²", ("warning", 5e7), id="park-land-warning"),
    pytest.param("park", "fixed_investment", "500000001", "万元", ("error", 5e8), id="park-investment-error"),
    pytest.param("park", "firm_count", "20001", "个", ("warning", 2e4), id="park-firms-warning"),
    pytest.param("city", "gdp", "500000001", "万元", ("warning", 5e8), id="city-gdp-warning"),
    pytest.param("city", "gdp", "50000000001", "万元", ("error", 5e10), id="city-gdp-error"),
    pytest.param("city", "people_trained", "1000001", "人次", ("warning", 1e6), id="city-training-warning"),
    pytest.param("city", "people_trained", "100000001", "人次", ("error", 1e8), id="city-training-error"),
    pytest.param("city", "phd_talents", "10001", "人", ("warning", 1e4), id="city-phds-warning"),
    pytest.param("city", "high_tech_firms_new", "1000001", "个", ("error", 1e6), id="city-high-tech-firms-error"),
]


@pytest.mark.parametrize(("org", "indicator", "value", "unit", "expected"), ABSOLUTE)
def test_absolute_bound(org, indicator, value, unit, expected):
    found = row_problems(rec(org, indicator, value, unit))
    if expected is None:
        assert found == []
        return
    severity, limit = expected
    assert [(s, cell) for s, cell, _ in found] == [(severity, value)]
    ind = CATALOG.indicators.get(indicator) or next(i for i in CATALOG.indicators.values() if i.code == indicator)
    assert f" {limit:,.0f} {ind.unit}" in found[0][2]


def test_the_issue_firm_is_refused_in_words():
    assert row_problems(rec("ent", "2010", "1500000000", "万元")) == [("error", "1500000000", IMPOSSIBLE_FIRM)]


def test_a_warning_keeps_the_figure_and_an_error_drops_it():
    figures, problems, _ = v.check_rows(FILE, [rec("ent", "2010", "20000001", "万元"),
                                               rec("ent", "2010", "1500000000", "万元", row=3, period="2015Q3")],
                                        CATALOG, ORGS, TODAY)
    assert [p.severity for p in problems] == [Severity.WARNING, Severity.ERROR]
    assert [f.source_row for f in figures] == [2]  # written once explained; the impossible one never


def test_every_catalog_indicator_is_bounded_at_every_level():
    for ind in CATALOG.indicators.values():
        for level in [None, *OrgKind]:
            limits = ind.bound_for(level)
            assert limits is not None and limits.error_above is not None, (ind.indicator_id, level)
            assert not ind.allow_negative or limits.error_below is not None, (ind.indicator_id, level)


# ------------------------------------------------------------------------------------ ratios


def fig(indicator: str, value: float, quarter: int = 4, row: int = 2, org: str = "ent") -> Figure:
    return Figure(org, indicator, 2015, quarter, value, value, CATALOG.indicators[indicator].unit, None, row, "value")


def ratio_problems(figures: list[Figure], stored: dict | None = None) -> list[tuple[int, str, str]]:
    cmp = v.Comparison.of(FILE, CATALOG, figures, stored or {})
    return [(p.row, p.severity.value, render(p.reason, "en")) for f in cmp.incoming.values()
            for p in v.ratios_plausible(f, cmp)]


RATIOS = [
    # id, numerator (indicator, value), denominator (indicator, value), quarter, expected (severity, English reason)
    pytest.param(("main_revenue", 1000), ("software_revenue", 100), 4, None, id="main-10x-software-at-limit"),
    pytest.param(("main_revenue", 1001), ("software_revenue", 100), 4,
                 ("warning", "主营业务收入 1,001 is more than 10 × 软件业务收入 100 = 1,000, which is implausible; "
                             "explain it before submitting"), id="main-over-10x-software"),
    # 1,000,001 / 1,000 = 1,000.001 > 1,000: a software row typed in 亿元 instead of 万元.
    pytest.param(("main_revenue", 1_000_001), ("software_revenue", 1000), 4,
                 ("error", "主营业务收入 1,000,001 is more than 1,000 × 软件业务收入 1,000 = 1,000,000, which is impossible: "
                           "check the units of both rows"), id="main-over-1000x-software"),
    # Q2 is half a year: 1,500,000 × 4 / 2 = 3,000,000 万元 a year over 1,000 people = 3,000 万元/人, the limit.
    pytest.param(("main_revenue", 1_500_000), ("employees", 1000), 2, None, id="revenue-per-employee-at-limit"),
    pytest.param(("main_revenue", 1_500_002), ("employees", 1000), 2,
                 ("warning", "主营业务收入 3,000,004 (annualised) is more than 3,000 万元/人 × 平均用工人数 1,000 = 3,000,000, "
                             "which is implausible; explain it before submitting"), id="revenue-per-employee-high"),
    # 100,001 万元 over one person is 100,001 万元/人 > 1e5: a firm of one typed in 元.
    pytest.param(("main_revenue", 100_001), ("employees", 1), 4,
                 ("error", "主营业务收入 100,001 is more than 100,000 万元/人 × 平均用工人数 1 = 100,000, which is impossible: "
                           "check the units of both rows"), id="revenue-per-employee-impossible"),
    # Q1: 24 × 4 = 96 万元 a year over 100 people = 0.96 万元/人 < 1.
    pytest.param(("main_revenue", 24), ("employees", 100), 1,
                 ("warning", "主营业务收入 96 (annualised) is less than 1 万元/人 × 平均用工人数 100 = 100, which is "
                             "implausible; explain it before submitting"), id="revenue-per-employee-low"),
    pytest.param(("main_revenue", 0), ("employees", 100), 1, None, id="no-sales-yet-not-checked"),
    # Nobody employed, yet 100 万元 of revenue: no ratio to bound, so it must be explained.
    pytest.param(("main_revenue", 100), ("employees", 0), 4,
                 ("warning", "主营业务收入 100 against 平均用工人数 0: the ratio between them cannot be checked, which is "
                             "implausible; explain it before submitting"), id="no-employees-explained"),
    pytest.param(("rd_expenditure", 1000), ("main_revenue", 1000), 4, None, id="rd-equal-to-revenue"),
    pytest.param(("rd_expenditure", 1001), ("main_revenue", 1000), 4,
                 ("warning", "研发经费 1,001 is more than 1 × 主营业务收入 1,000 = 1,000, which is implausible; explain it "
                             "before submitting"), id="rd-above-revenue"),
    pytest.param(("rd_expenditure", 1_000_001), ("main_revenue", 1000), 4,
                 ("error", "研发经费 1,000,001 is more than 1,000 × 主营业务收入 1,000 = 1,000,000, which is impossible: check "
                           "the units of both rows"), id="rd-1000x-revenue"),
    # 17 万美元 against 100 万元: 0.17, the limit (at 6.04 yuan a dollar, 102.7 万元 of 100 — beyond at 5.9).
    pytest.param(("software_exports", 17), ("software_revenue", 100), 4,
                 ("warning", "软件业务出口 17 is more than 0.1 万美元/万元 × 软件业务收入 100 = 10, which is implausible; "
                             "explain it before submitting"), id="exports-at-error-limit-warn"),
    pytest.param(("software_exports", 18), ("software_revenue", 100), 4,
                 ("error", "软件业务出口 18 is more than 0.17 万美元/万元 × 软件业务收入 100 = 17, which is impossible: check "
                           "the units of both rows"), id="exports-above-revenue"),
    pytest.param(("total_profit", -1001), ("main_revenue", 1000), 4,
                 ("warning", "利润总额 -1,001 is less than -1 × 主营业务收入 1,000 = -1,000, which is implausible; explain "
                             "it before submitting"), id="loss-above-revenue"),
    pytest.param(("total_profit", -1_000_001), ("main_revenue", 1000), 4,
                 ("error", "利润总额 -1,000,001 is less than -1,000 × 主营业务收入 1,000 = -1,000,000, which is impossible: "
                           "check the units of both rows"), id="loss-1000x-revenue"),
    # Floor over land (plot ratio): 10,001 / 1,000 = 10.001 > 10.
    pytest.param(("floor_area_built", 10_001), ("land_area", 1000), 4,
                 ("warning", "产业建筑面积（建成） 10,001 is more than 10 × 产业用地面积 1,000 = 10,000, which is implausible; "
                             "explain it before submitting"), id="plot-ratio-high"),
    pytest.param(("reserved_land_software", 1000), ("reserved_land", 1000), 4, None, id="reserved-part-equal-whole"),
    pytest.param(("reserved_land_software", 1001), ("reserved_land", 1000), 4,
                 ("error", "预留用地中用于软件和信息服务业面积 1,001 is more than 1 × 预留产业用地面积 1,000 = 1,000, which is "
                           "impossible: check the units of both rows"), id="reserved-part-above-whole"),
]


@pytest.mark.parametrize(("top", "bottom", "quarter", "expected"), RATIOS)
def test_ratio_both_rows_in_the_file(top, bottom, quarter, expected):
    found = ratio_problems([fig(*top, quarter=quarter, row=2), fig(*bottom, quarter=quarter, row=3)])
    assert found == ([] if expected is None else [(2, *expected)])  # once, on the numerator's row


@pytest.mark.parametrize(("top", "bottom", "quarter", "expected"), RATIOS)
def test_ratio_against_a_stored_row_either_way(top, bottom, quarter, expected):
    key = ("ent", bottom[0], 2015, quarter)
    numerator_in_file = ratio_problems([fig(*top, quarter=quarter, row=2)], {key: float(bottom[1])})
    assert numerator_in_file == ([] if expected is None else [(2, *expected)])
    key = ("ent", top[0], 2015, quarter)
    denominator_in_file = ratio_problems([fig(*bottom, quarter=quarter, row=5)], {key: float(top[1])})
    assert denominator_in_file == ([] if expected is None else [(5, *expected)])


def test_ratio_needs_the_same_organisation_and_period():
    stored = {("other", "software_revenue", 2015, 4): 1.0, ("ent", "software_revenue", 2015, 3): 1.0}
    assert ratio_problems([fig("main_revenue", 1_000_000)], stored) == []


# ------------------------------------------------------------ one rule set: CLI, upload, form

FIRM_ROW = {"period": "2008Q4", "indicator": "2010", "value": "1500000000", "unit": "万元"}


@pytest.fixture
def demo_copy(demo_db: Path, tmp_path: Path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    con = connect(path)
    yield con
    con.close()


def a_firm(con) -> str:
    return rawsql.scalar(con, "SELECT org_id FROM orgs WHERE kind = 'enterprise' ORDER BY org_id LIMIT 1")


def test_the_issue_firm_is_refused_alike_by_upload_form_and_import(demo_copy, tmp_path):
    """A firm with no earlier period (the demo starts in 2009): only the bound can catch ¥15 万亿."""
    org = a_firm(demo_copy)
    assert rawsql.scalar(demo_copy, "SELECT count(*) FROM current_observations WHERE org_id = ? AND year <= 2008",
                         [org]) == 0
    frame = pd.DataFrame([{"org": org, **FIRM_ROW}])
    data = frame.to_csv(index=False).encode("utf-8")
    form = commands.check_rows(demo_copy, CATALOG, ADMIN, FILE, frame)
    upload = commands.check_file(demo_copy, CATALOG, ADMIN, FILE, data)
    assert [render(p.reason, "en") for p in form.problems] == [IMPOSSIBLE_FIRM]
    assert [(p.row, p.column, p.value, p.reason, p.severity) for p in upload.problems] == \
           [(p.row, p.column, p.value, p.reason, p.severity) for p in form.problems]
    path = tmp_path / FILE
    path.write_bytes(data)
    before = rawsql.scalar(demo_copy, "SELECT count(*) FROM observations")
    with pytest.raises(ingest.SubmissionRejected) as refused:
        commands.import_file(demo_copy, CATALOG, ADMIN, path)
    assert [render(p.reason, "en") for p in refused.value.problems] == [IMPOSSIBLE_FIRM]
    assert rawsql.scalar(demo_copy, "SELECT count(*) FROM observations") == before


def test_an_implausible_figure_is_written_once_explained(demo_copy):
    org = a_firm(demo_copy)
    frame = pd.DataFrame([{"org": org, **FIRM_ROW, "value": "20000001"}])  # 2e7 + 1 万元: above the firm warning
    checked = commands.check_rows(demo_copy, CATALOG, ADMIN, FILE, frame)
    assert [p.severity for p in checked.problems] == [Severity.WARNING]
    with pytest.raises(ingest.SubmissionRejected):
        commands.submit(demo_copy, ADMIN, checked, origin="form", status="pending")
    commands.submit(demo_copy, ADMIN, checked, origin="form", status="pending", explanation="并购后合并报表")
    assert rawsql.scalar(demo_copy, "SELECT value FROM observations WHERE org_id = ? AND year = 2008", [org]) == 20_000_001


def test_a_ratio_is_checked_against_the_stored_row_of_the_form(demo_copy):
    """The firm's stored 2015Q4 software revenue, and a main revenue 1,001 times it typed now."""
    org = a_firm(demo_copy)
    software = rawsql.scalar(demo_copy, "SELECT value FROM current_observations WHERE org_id = ? AND indicator_id = "
                                        "'software_revenue' AND year = 2015 AND quarter = 4", [org])
    frame = pd.DataFrame([{"org": org, "period": "2015Q4", "indicator": "2010", "value": str(software * 1001),
                           "unit": "万元"}])
    checked = commands.check_rows(demo_copy, CATALOG, ADMIN, FILE, frame)
    assert "validation.ratio.error_above" in [p.reason.code for p in checked.errors]


# --------------------------------------------------------------------------- the demo data set


def test_demo_data_passes_every_bound(demo_store):
    """Every current demo figure within its absolute bound and every ratio of its form: no error, and
    no warning either — the demo's largest firm (software revenue ≈ 946 亿元, main ≈ 1,321 亿元) stays
    under the 1,000 亿元 / 2,000 亿元 warnings, its revenue per employee between 43 and 282 万元 a
    year (bounds 1 and 3,000), software at least 69 % of main revenue (1 ÷ 1.45)."""
    rows = rawsql.frame(demo_store, """SELECT o.org_id, g.kind, o.indicator_id, o.year, o.quarter, o.value
                                        FROM current_observations o JOIN orgs g USING (org_id)""")
    assert len(rows) > 60_000
    orgs = Organisations(rows.org_id.unique().tolist(), rows.org_id.unique().tolist(), [None] * rows.org_id.nunique(),
                         rows.drop_duplicates("org_id").set_index("org_id").loc[rows.org_id.unique(), "kind"].tolist())
    ctx = v.RowContext.of(FILE, CATALOG, orgs, TODAY)
    absolute = []
    for org, ind, value in zip(rows.org_id, rows.indicator_id, rows.value, strict=True):
        got = v.Reading(org_id=org, indicator=CATALOG.indicators[ind], value=float(value))
        absolute += v.value_plausible(Record(2, org, "", ind, str(value), ""), got, ctx)
    figures = [Figure(o, i, int(y), int(q), float(x), float(x), "", None, n, "value")
               for n, (o, i, y, q, x) in enumerate(zip(rows.org_id, rows.indicator_id, rows.year, rows.quarter,
                                                       rows.value, strict=True))]
    cmp = v.Comparison.of(FILE, CATALOG, figures, {})
    ratios = [p for f in cmp.incoming.values() for p in v.ratios_plausible(f, cmp)]
    assert [render(p.reason, "en") for p in absolute + ratios] == []
    periods = {Period(int(y), int(q)) for y, q in zip(rows.year, rows.quarter, strict=True)}
    assert all(p in CATALOG.period_bounds(TODAY) for p in periods)


# ------------------------------------------------------------------- the catalog checks the bounds

BROKEN_BOUNDS = [
    # id, the bounds and ratios of a row added to indicators.yaml, the problem they must give
    pytest.param("bounds: [{level: enterprise, warn_above: 2.0e7}]", "", "bounds need an error_above for every level",
                 id="no-bound-for-every-level"),
    pytest.param("bounds: [{level: enterprise, warn_above: 3.0e10}, {error_above: 2.0e10}]", "",
                 "the enterprise bound does not fit the bound for every level", id="level-warning-beyond-every-error"),
    pytest.param("bounds: [{error_above: 2.0e10}]", "ratios: [{of: no_such_row, error_above: 10}]",
                 "ratio to 'no_such_row', which is not in indicators.yaml", id="ratio-to-unknown-row"),
    pytest.param("bounds: [{error_above: 2.0e10}]", "ratios: [{of: floor_area_built, error_above: 10}]",
                 "a ratio is to another row of the same form (reported by enterprise), not 'floor_area_built'",
                 id="ratio-to-another-form"),
    pytest.param("bounds: [{warn_above: 3.0e10, error_above: 2.0e10}]", "",
                 "bounds.0: Value error, the warning above must lie inside the error",
                 id="warning-outside-error"),
    pytest.param("bounds: [{error_above: 2.0e10}]", "ratios: [{of: main_revenue, warn_above: 10}]", None,
                 id="well-formed"),
]


@pytest.mark.parametrize(("bounds", "ratios", "problem"), BROKEN_BOUNDS)
def test_the_catalog_refuses_bounds_validation_could_not_apply(tmp_path, bounds, ratios, problem):
    from store.catalog import CatalogError, load_catalog
    from tests.catalog_files import copy_data

    data = copy_data(tmp_path)
    row = ("- {indicator_id: test_row, name_zh: 测试行, name_en: Test row, unit: 万元, kind: flow, "
           f"reported_by: enterprise, {bounds}{', ' + ratios if ratios else ''}}}\n")
    with (data / "indicators.yaml").open("a", encoding="utf-8") as f:
        f.write(row)
    if problem is None:
        assert load_catalog(data).indicators["test_row"].ratios[0].of == "main_revenue"
        return
    with pytest.raises(CatalogError) as refused:
        load_catalog(data)
    assert [p for p in refused.value.problems if problem in p], refused.value.problems
