"""The validation rules one by one, on plain inputs: no store, no file, a catalog built here.

Each table lists records (or figures and the stored figures they meet) and EVERY problem they
must yield, in order, as the reader sees it in English — so a row with three faults is shown to
give three problems, and a rule that should stay silent is shown to. The catalog below is a
small hand-made one, so the sum-of-parts rule is seen to follow the catalog (a total of two parts
here) rather than a hard-coded indicator. The arithmetic of every threshold is written beside
its case.
"""

from __future__ import annotations

import datetime as dt

import pytest

from domain import validation as v
from domain.catalog import Catalog
from domain.credit_code import credit_code_problem, make_credit_code
from domain.messages import Message, render
from domain.models import Indicator
from domain.periods import Period, period_message
from domain.validation import Figure, Organisations, Problem, Reading, Record, Severity

FILE = "upload.csv"
TODAY = dt.date(2016, 2, 1)  # 2015Q4 is the last complete quarter; 2016Q1 is under way, 2016Q2 in the future


def ind(indicator_id: str, code: str, name: str, unit: str = "万元", kind: str = "flow", **kw) -> Indicator:
    return Indicator(indicator_id=indicator_id, code=code, name_zh=name, name_en=indicator_id, unit=unit, kind=kind,
                     reported_by="enterprise", **kw)


CATALOG = Catalog(indicators={i.indicator_id: i for i in [
    ind("main_revenue", "2010", "主营业务收入"),
    ind("software_revenue", "2020", "软件业务收入", parent="main_revenue"),
    # Two summed parts here (four in data/indicators.yaml): the rule must count what the catalog says.
    ind("software_products", "2021", "软件产品收入", parent="software_revenue", components_sum_to_parent=True),
    ind("it_services", "2022", "信息技术服务收入", parent="software_revenue", components_sum_to_parent=True),
    ind("cloud_services", "20221", "云服务收入", parent="it_services"),  # "of which": not summed
    ind("software_exports", "2040", "软件业务出口", unit="万美元"),
    ind("outsourcing_exports", "2041", "外包服务出口", unit="万美元", parent="software_exports",
        components_sum_to_parent=True),
    ind("other_exports", "2043", "其他软件出口", unit="万美元", parent="software_exports", components_sum_to_parent=True),
    ind("total_profit", "2090", "利润总额", allow_negative=True),
    ind("employees", "2112", "平均用工人数", unit="人", kind="stock"),
]}, organisations={}, plans={})

CODE = make_credit_code("91330108MA2CKL7X1")  # ent-a's registered code
UNREGISTERED = make_credit_code("91330108MA2CKL7X9")  # valid, but nobody's
ORGS = Organisations(["park-a", "ent-a"], ["甲园区", "甲软件有限公司"], [None, CODE])


def wrong_check(code: str) -> str:
    """The same code with another (allowed) last character."""
    return code[:17] + ("X" if code[17] != "X" else "Y")


def rec(org: str = "park-a", period: str = "2015Q3", indicator: str = "2020", value: str = "100", unit: str = "万元",
        row: int = 2, **kw) -> Record:
    return Record(row, org, period, indicator, value, unit, **kw)


def shown(problems: list[Problem]) -> list[tuple]:
    """What the reader sees of each problem: where, the cell's text and the reason in English."""
    return [(p.row, p.column, p.value, render(p.reason, "en")) for p in problems]


def rows(*records: Record) -> list[tuple]:
    _, problems, _ = v.check_rows(FILE, records, CATALOG, ORGS, TODAY)
    return shown(problems)


# ---------------------------------------------------------------------------- row rules


UNKNOWN_ORG = ("unknown organisation, or one you may not submit figures for: give the id, exact registered name or "
               "unified social credit code of one in your scope")
NOT_A_PERIOD = "is not a period; write 2015Q3 or 2015年1-9月"

ROW_CASES = [
    # id, the record, every problem it yields: (column, cell text, English reason)
    pytest.param(rec(), [], id="good"),
    pytest.param(rec(org="甲软件有限公司"), [], id="org-by-registered-name"),
    pytest.param(rec(org=CODE.lower()), [], id="org-by-credit-code-any-case"),
    pytest.param(rec(org="no-such"), [("org", "no-such", UNKNOWN_ORG)], id="org-unknown"),
    # A valid code nobody registered gets the unknown-organisation answer: registration is not disclosed.
    pytest.param(rec(org=UNREGISTERED), [("org", UNREGISTERED, UNKNOWN_ORG)], id="credit-code-unregistered"),
    pytest.param(rec(org=wrong_check(CODE)),
                 [("org", wrong_check(CODE), "not a valid unified social credit code: check character is "
                                             f"{wrong_check(CODE)[17]!r}, expected {CODE[17]!r}")],
                 id="credit-code-check-character"),
    pytest.param(rec(org="91330108MA2CKL7XO1"),
                 [("org", "91330108MA2CKL7XO1", "not a valid unified social credit code: characters 'O' are not allowed "
                                                "(I, O, Z, S, V are never used)")], id="credit-code-letter-o"),
    pytest.param(rec(indicator="software_revenue"), [], id="indicator-by-id"),
    pytest.param(rec(indicator="9999"),
                 [("indicator", "9999", "unknown indicator: give its id or its MIIT row code (e.g. 2020)")],
                 id="indicator-unknown"),
    pytest.param(rec(period="2015年1-9月"), [], id="period-chinese"),
    pytest.param(rec(period="2015Q5"), [("period", "2015Q5", f"'2015Q5' {NOT_A_PERIOD}")], id="period-q5"),
    pytest.param(rec(period="2015年1-8月"),
                 [("period", "2015年1-8月",
                   "'2015年1-8月': a year-to-date period must end in March, June, September or December")],
                 id="period-month-not-quarter-end"),
    # On 2016-02-01 the quarter under way (2016Q1) is not over: its year-to-date figure cannot exist yet.
    pytest.param(rec(period="2015Q4"), [], id="period-last-complete-quarter"),
    pytest.param(rec(period="2016Q1"),
                 [("period", "2016Q1", "period 2016Q1 is not over yet; the latest complete quarter is 2015Q4")],
                 id="period-current-quarter"),
    pytest.param(rec(period="2016Q2"), [("period", "2016Q2", "period 2016Q2 is in the future")], id="period-future"),
    pytest.param(rec(value="１２,３４５.６"), [], id="value-full-width"),
    *[pytest.param(rec(value=text), [("value", text, "not a number")], id=f"value-{name}")
      for name, text in [("letters", "abc"), ("empty", ""), ("percent", "12.5%"), ("nan", "nan"), ("inf", "inf")]],
    pytest.param(rec(unit="斤"), [("unit", "斤", "unknown unit; 软件业务收入 is reported in 万元")], id="unit-unknown"),
    pytest.param(rec(unit="人"), [("unit", "人", "人 does not measure 软件业务收入 (stored in 万元)")], id="unit-wrong"),
    pytest.param(rec(indicator="2040", unit="万元"), [("unit", "万元", "万元 does not measure 软件业务出口 (stored in 万美元)")],
                 id="unit-yuan-for-dollars"),
    # A form-wide "单位：万元" does not apply to 人: the row is in its own unit.
    pytest.param(rec(indicator="2112", unit="万元", unit_global=True), [], id="unit-of-the-whole-form"),
    # finite as typed, infinite once converted: 1e305 万人 is 1e309 人, beyond a float
    pytest.param(rec(indicator="2112", value="1e305", unit="万人"),
                 [("value", "1e305", "the value is too large to store: in 人 (the stored unit) it is no longer a finite "
                                     "number")], id="infinite-after-conversion"),
    pytest.param(rec(value="-200"), [("value", "-200", "软件业务收入 cannot be negative")], id="negative-revenue"),
    pytest.param(rec(indicator="2112", value="-3", unit="人"), [("value", "-3", "平均用工人数 cannot be negative")],
                 id="negative-staff"),
    pytest.param(rec(indicator="2090", value="-350.5"), [], id="a-loss-is-a-figure"),
    # A rule whose input an earlier rule refused stays silent: no unit problem for an unknown indicator
    # or a value that is not a number.
    pytest.param(rec(indicator="9999", unit="斤"),
                 [("indicator", "9999", "unknown indicator: give its id or its MIIT row code (e.g. 2020)")],
                 id="unit-not-judged-without-indicator"),
    pytest.param(rec(value="abc", unit="斤"), [("value", "abc", "not a number")], id="unit-not-judged-without-value"),
    # Three faults on one row: three problems, in column order.
    pytest.param(rec(org="x", period="bad", value="abc"),
                 [("org", "x", UNKNOWN_ORG), ("period", "bad", f"'bad' {NOT_A_PERIOD}"), ("value", "abc", "not a number")],
                 id="three-faults-three-problems"),
    pytest.param(rec(org="x", period="2099Q1", indicator="y", value="-"),
                 [("org", "x", UNKNOWN_ORG),
                  ("indicator", "y", "unknown indicator: give its id or its MIIT row code (e.g. 2020)"),
                  ("period", "2099Q1", "period 2099Q1 is in the future"), ("value", "-", "not a number")],
                 id="four-faults-four-problems"),
]


@pytest.mark.parametrize(("record", "expected"), ROW_CASES)
def test_row_rules(record, expected):
    assert rows(record) == [(2, column, value, reason) for column, value, reason in expected]


def test_each_row_rule_alone_returns_its_problem_and_passes_on_what_it_read():
    ctx = v.RowContext.of(FILE, CATALOG, ORGS, TODAY)
    got = Reading()
    record = rec(org="ent-a", period="2015年1-6月", indicator="2020", value="1.5", unit="亿元")
    for rule in v.ROW_RULES:
        assert rule(record, got, ctx) == []
    assert got == Reading(org_id="ent-a", indicator=CATALOG.indicators["software_revenue"], period=Period(2015, 2),
                          number=1.5, unit="亿元", value=1.5 * 10_000)  # 1.5 亿元 = 15 000 万元
    assert shown(v.value_is_number(rec(value="x"), Reading(), ctx)) == [(2, "value", "x", "not a number")]
    refused = Reading(indicator=CATALOG.indicators["software_revenue"], number=-1.0, value=-1.0)
    assert shown(v.not_negative(rec(value="-1"), refused, ctx)) == [(2, "value", "-1", "软件业务收入 cannot be negative")]
    assert refused.value is None  # refused: no later rule compares it


def test_figures_are_in_the_canonical_unit_with_what_was_typed():
    figures, problems, named = v.check_rows(FILE, [
        rec(org="ent-a", value="1.5", unit="亿元"),  # 1.5 × 10 000 = 15 000 万元
        rec(org="甲软件有限公司", indicator="2112", value="１２０", unit="", row=3),  # a blank unit is the indicator's
        rec(org="no-such", row=4),
    ], CATALOG, ORGS, TODAY)
    assert figures == [Figure("ent-a", "software_revenue", 2015, 3, 15_000.0, 1.5, "亿元", None, 2, "value"),
                       Figure("ent-a", "employees", 2015, 3, 120.0, 120.0, "人", None, 3, "value")]
    assert shown(problems) == [(4, "org", "no-such", UNKNOWN_ORG)]
    assert named == {"ent-a"}


def test_wide_layout_problems_point_at_the_code_column():
    wide = rec(org=wrong_check(CODE), indicator="2020", value="-5", cell="2020 软件业务收入", org_cell="统一社会信用代码")
    assert [(p.column, p.value) for p in v.check_rows(FILE, [wide], CATALOG, ORGS, TODAY)[1]] == [
        ("统一社会信用代码", wrong_check(CODE)), ("2020 软件业务收入", "-5")]
    wide = wide._replace(org=CODE, period="2099Q1")
    assert [(p.column, p.value) for p in v.check_rows(FILE, [wide], CATALOG, ORGS, TODAY)[1]] == [
        ("period", "2099Q1"), ("2020 软件业务收入", "-5")]


def test_a_duplicate_is_reported_on_its_own_row_naming_the_first():
    assert rows(rec(row=2), rec(period="2015年1-9月", indicator="software_revenue", row=3), rec(row=4)) == [
        (3, "period", "2015年1-9月", "duplicate of row 2 (same organisation, indicator and period)"),
        (4, "period", "2015Q3", "duplicate of row 2 (same organisation, indicator and period)")]
    # A refused row is no figure, so nothing duplicates it.
    assert rows(rec(value="-1", row=2), rec(row=3)) == [(2, "value", "-1", "软件业务收入 cannot be negative")]


@pytest.mark.parametrize(("code", "code_of_fault", "en", "zh"), [
    ("9111000060003734", "credit_code.length", "must have 18 characters, has 16", "应为 18 位"),
    ("91110000600O37341L", "credit_code.characters", "characters 'O' are not allowed (I, O, Z, S, V are never used)",
     "含有不允许的字符（代码中不使用 I、O、Z、S、V）"),
    ("91110000600037341M", "credit_code.check_character", "check character is 'M', expected 'L'",
     "校验码错误（实为 'M'，应为 'L'）"),
])
def test_credit_code_faults_are_codes_with_their_figures(code, code_of_fault, en, zh):
    fault = credit_code_problem(code)
    assert fault.code == code_of_fault
    assert (render(fault, "en"), render(fault, "zh")) == (en, zh)
    assert credit_code_problem("91110000600037341L") is None  # the published example


# ---------------------------------------------------------------------- comparison rules


def fig(indicator: str, year: int, quarter: int, value: float, row: int = 2, org: str = "ent-a") -> Figure:
    return Figure(org, indicator, year, quarter, float(value), float(value), CATALOG.indicators[indicator].unit, None, row,
                  "value")


def compare(figures: list[Figure], stored: dict | None = None) -> list[tuple]:
    problems = v.check_figures(FILE, figures, CATALOG, stored or {})
    return [(p.row, p.value, render(p.reason, "en"), p.severity.value) for p in problems]


def stored(*items: tuple) -> dict:
    """Stored figures of ent-a: (indicator, year, quarter, value) → {(org, indicator, year, quarter): value}."""
    return {("ent-a", i, y, q): float(x) for i, y, q, x in items}


E, W = "error", "warning"

COMPARISON_CASES = [
    # id, the file's figures, the stored ones, every problem: (row, value shown, reason, severity)
    pytest.param([fig("software_revenue", 2015, 1, 100), fig("software_products", 2015, 1, 150, row=3)], {},
                 [(3, "150", "软件产品收入 150 exceeds its total 软件业务收入 100", E)], id="part-above-total-in-file"),
    pytest.param([fig("software_products", 2015, 1, 150)], stored(("software_revenue", 2015, 1, 100)),
                 [(2, "150", "软件产品收入 150 exceeds its total 软件业务收入 100", E)], id="part-above-stored-total"),
    pytest.param([fig("software_products", 2015, 1, 100)], stored(("software_revenue", 2015, 1, 100)), [],
                 id="part-equal-to-total"),
    pytest.param([fig("software_revenue", 2015, 1, 120)], stored(("main_revenue", 2015, 1, 100)),
                 [(2, "120", "软件业务收入 120 exceeds its total 主营业务收入 100", E)], id="software-above-main-revenue"),
    pytest.param([fig("software_revenue", 2015, 1, 100)], stored(("software_products", 2015, 1, 500)),
                 [(2, "100", "软件业务收入 100 is smaller than its part 软件产品收入 500", E)], id="total-below-stored-part"),
    # Both in the file: reported once, on the part's row.
    pytest.param([fig("software_revenue", 2015, 1, 100), fig("software_products", 2015, 1, 500, row=3)], {},
                 [(3, "500", "软件产品收入 500 exceeds its total 软件业务收入 100", E)], id="total-below-part-in-file-once"),
    pytest.param([fig("software_revenue", 2015, 1, 200), fig("software_revenue", 2015, 2, 150, row=3)], {},
                 [(3, "150", "year-to-date figure falls from 200 in Q1 to 150 in Q2", E)], id="ytd-falls-in-file"),
    pytest.param([fig("software_revenue", 2015, 2, 150)], stored(("software_revenue", 2015, 1, 200)),
                 [(2, "150", "year-to-date figure falls from 200 in Q1 to 150 in Q2", E)], id="ytd-falls-vs-stored"),
    pytest.param([fig("software_revenue", 2015, 3, 60)], stored(("software_revenue", 2015, 4, 50)),
                 [(2, "60", "year-to-date figure 60 in Q3 is above 50 already reported for Q4", E)],
                 id="ytd-above-later-stored"),
    # 利润总额 may be negative, so a deepening loss is a falling figure that is correct.
    pytest.param([fig("total_profit", 2015, 2, -561.6)], stored(("total_profit", 2015, 1, -293.6)), [], id="deepening-loss"),
    pytest.param([fig("employees", 2015, 2, 90)], stored(("employees", 2015, 1, 100)), [], id="a-stock-may-fall"),
    # Unit slip: Q1 100, Q2 100 × 5000 = 500 000: the ratio 5000 reaches UNIT_SLIP.
    pytest.param([fig("software_revenue", 2015, 2, 500_000)], stored(("software_revenue", 2015, 1, 100)),
                 [(2, "500000", "500,000 is about 10⁴ times 100 reported for a neighbouring period: check the unit "
                                "(万元 vs 元 or 亿元)", E)], id="unit-slip-ratio-5000"),
    # 499 999 / 100 = 4 999.99 < 5000: no slip (and no 同比 without last year's figure).
    pytest.param([fig("software_revenue", 2015, 2, 499_999)], stored(("software_revenue", 2015, 1, 100)), [],
                 id="unit-slip-ratio-4999.99"),
    # Downward: 100 / 0.02 = 5000. The figure also falls within the year: two faults, two problems.
    pytest.param([fig("software_revenue", 2015, 2, 0.02)], stored(("software_revenue", 2015, 1, 100)),
                 [(2, "0.02", "year-to-date figure falls from 100 in Q1 to 0.02 in Q2", E),
                  (2, "0.02", "0.02 is about 10⁴ times 100 reported for a neighbouring period: check the unit "
                              "(万元 vs 元 or 亿元)", E)], id="unit-slip-downward-and-falling"),
    # Without the quarter before, the same quarter a year earlier is the reference: 1 000 000 / 100 = 10⁴.
    # The slip is an error; the +999 900 % 同比 is not also warned about.
    pytest.param([fig("software_revenue", 2015, 2, 1_000_000)], stored(("software_revenue", 2014, 2, 100)),
                 [(2, "1000000", "1,000,000 is about 10⁴ times 100 reported for a neighbouring period: check the unit "
                                 "(万元 vs 元 or 亿元)", E)], id="unit-slip-vs-last-year-no-yoy-warning"),
    # 同比 = this ÷ last year − 1, warned beyond ±50 %: 160 / 100 − 1 = +60 %, 40 / 100 − 1 = −60 %.
    pytest.param([fig("software_revenue", 2015, 4, 160)], stored(("software_revenue", 2014, 4, 100)),
                 [(2, "160", "year-on-year change +60% exceeds ±50 %; explain it before submitting", W)], id="yoy-plus-60"),
    pytest.param([fig("software_revenue", 2015, 4, 40)], stored(("software_revenue", 2014, 4, 100)),
                 [(2, "40", "year-on-year change -60% exceeds ±50 %; explain it before submitting", W)], id="yoy-minus-60"),
    # 150 / 100 − 1 = +50 % exactly, and 50 / 100 − 1 = −50 %: at the limit, not beyond it.
    pytest.param([fig("software_revenue", 2015, 4, 150)], stored(("software_revenue", 2014, 4, 100)), [], id="yoy-plus-50"),
    pytest.param([fig("software_revenue", 2015, 4, 50)], stored(("software_revenue", 2014, 4, 100)), [], id="yoy-minus-50"),
    # 150.5 / 100 − 1 = +50.5 %: beyond, shown rounded to +50 %.
    pytest.param([fig("software_revenue", 2015, 4, 150.5)], stored(("software_revenue", 2014, 4, 100)),
                 [(2, "150.5", "year-on-year change +50% exceeds ±50 %; explain it before submitting", W)],
                 id="yoy-plus-50.5"),
    # A loss last year gives no growth rate to judge.
    pytest.param([fig("total_profit", 2015, 4, 50)], stored(("total_profit", 2014, 4, -100)), [], id="yoy-from-a-loss"),
]


@pytest.mark.parametrize(("figures", "before", "expected"), COMPARISON_CASES)
def test_comparison_rules(figures, before, expected):
    assert compare(figures, before) == expected


SUM_CASES = [
    # id, software_revenue, its parts software_products and it_services (None: not reported), problems
    # Tolerance max(1, 0.1 % of the total). 100 vs 60 + 38.9 = 98.9: off by 1.1 > max(1, 0.1) = 1.
    pytest.param(100, 60, 38.9, ["软件业务收入 100 is not the sum of its two parts 98.9"], id="off-by-1.1-of-100"),
    pytest.param(100, 60, 39, [], id="off-by-1-of-100"),  # 100 − 99 = 1, not beyond 1
    # 10 000 vs 6 000 + 3 990 = 9 990: off by 10 = 0.1 % × 10 000, not beyond; 3 989: off by 11.
    pytest.param(10_000, 6_000, 3_990, [], id="off-by-0.1-percent"),
    pytest.param(10_000, 6_000, 3_989, ["软件业务收入 10,000 is not the sum of its two parts 9,989"], id="off-by-11-of-10000"),
    pytest.param(100, 60, None, [], id="a-part-missing-no-judgement"),
]


@pytest.mark.parametrize(("total", "products", "services", "expected"), SUM_CASES)
def test_components_sum_to_their_total(total, products, services, expected):
    figures = [fig("software_revenue", 2015, 4, total), fig("software_products", 2015, 4, products, row=3)]
    if services is not None:
        figures.append(fig("it_services", 2015, 4, services, row=4))
    # cloud_services is an "of which" of it_services, not a summed part of software_revenue.
    figures.append(fig("cloud_services", 2015, 4, 1, row=5))
    assert [(row, value, reason) for row, value, reason, _ in compare(figures)] == [
        (2, v.plain(total), reason) for reason in expected]  # on the quarter's first row, showing the total


def test_every_summed_total_of_the_catalog_is_checked_with_stored_parts():
    """The exports total is checked like software revenue, because the catalog marks its parts summed;
    parts already stored count, and each organisation's quarter is reported once, at its first row."""
    figures = [fig("employees", 2015, 4, 10, row=2), fig("software_exports", 2015, 4, 100, row=3),
               fig("software_revenue", 2015, 4, 50, row=4)]
    before = stored(("outsourcing_exports", 2015, 4, 60), ("other_exports", 2015, 4, 30),  # 60 + 30 = 90 ≠ 100
                    ("software_products", 2015, 4, 20), ("it_services", 2015, 4, 20))  # 20 + 20 = 40 ≠ 50
    assert compare(figures, before) == [  # in catalog order of the totals
        (2, "50", "软件业务收入 50 is not the sum of its two parts 40", E),
        (2, "100", "软件业务出口 100 is not the sum of its two parts 90", E)]


def test_summed_totals_come_from_the_catalog(catalog):
    assert {t: [p.indicator_id for p in parts] for t, parts in v.summing_parts(catalog).items()} == {
        "software_revenue": ["software_products", "it_services", "info_security", "embedded_software"],
        "software_exports": ["outsourcing_exports", "embedded_exports", "other_exports"]}
    assert render(Message.of("validation.components_sum", name="软件业务收入", total=1000.0, sum=900.0,
                             count=v.count_message(4)), "zh") == "软件业务收入 1,000 不等于四个分项之和 900"
    assert v.count_message(12) == 12  # no word for it: the digits


# ------------------------------------------------------------------------------ the validator


def test_validate_runs_every_rule_and_lists_problems_as_the_file_reads():
    shape = Problem(file=FILE, row=9, column=None, value="a,b,c,d,e,f", reason=Message.of("validation.row_shape", fields=6,
                                                                                              expected=5))
    records = [rec(org="ent-a", period="2015Q1", value="200", row=2),
               rec(org="no-such", row=3),
               rec(org="ent-a", period="2015Q2", value="150", row=4),  # falls from 200
               rec(org="ent-a", period="2015Q1", value="200", row=5)]  # duplicate of row 2
    calls = []

    def read(pairs, periods):
        calls.append(("stored", list(pairs), list(periods)))
        return {}

    outcome = v.validate(FILE, records, CATALOG, ORGS, stored=read, today=TODAY, earlier=[shape],
                         guard=lambda named: calls.append(("guard", named)))
    assert [(p.row, p.column) for p in outcome.problems] == [(9, None), (3, "org"), (5, "period"), (4, "value")]
    assert [(f.year, f.quarter, f.value) for f in outcome.figures] == [(2015, 1, 200.0), (2015, 2, 150.0)]
    # The guard sees the organisations first; the stored figures read are those of each figure's
    # quarter, the quarters either side and the same quarter a year before.
    assert calls == [("guard", {"ent-a"}),
                     ("stored", [("ent-a", "software_revenue")],
                      [Period(2014, 1), Period(2014, 2), Period(2014, 4), Period(2015, 1), Period(2015, 2), Period(2015, 3)])]


def test_a_refusing_guard_stops_before_any_stored_figure_is_read():
    class Refused(Exception):
        pass

    def guard(named):
        raise Refused(named)

    def read(pairs, periods):
        raise AssertionError("stored figures read for a refused file")

    with pytest.raises(Refused):
        v.validate(FILE, [rec(org="ent-a"), rec(org="park-a", value="x", row=3)], CATALOG, ORGS, stored=read,
                   today=TODAY, guard=guard)


def test_an_empty_file_says_so_unless_its_rows_were_all_refused_while_reading():
    nothing = v.validate(FILE, [], CATALOG, ORGS, stored=lambda *_: {}, today=TODAY)
    assert shown(nothing.problems) == [(None, None, None, "the file has no data rows")]
    shape = Problem(file=FILE, row=2, column=None, value="a", reason=Message.of("validation.row_shape", fields=1, expected=5))
    assert v.validate(FILE, [], CATALOG, ORGS, stored=lambda *_: {}, today=TODAY, earlier=[shape]).problems == [shape]


def test_missing_columns_are_named_on_the_header_row():
    expected = ("org", "period", "indicator", "value", "unit")
    assert shown(v.missing_columns(FILE, ["org", "period", "value"], expected)) == [
        (1, "indicator, unit", None, "missing column(s) indicator, unit; expected org, period, indicator, value, unit")]
    assert v.missing_columns(FILE, expected, expected) == []


# ----------------------------------------------------------------------- how a problem reads


@pytest.mark.parametrize(("problem", "en", "zh"), [
    (Problem(file=FILE, row=3, column="org", value="no-such", reason=Message.of("validation.org_unknown")),
     "error: upload.csv, row 3, column org (value 'no-such'): unknown organisation, or one you may not submit figures "
     "for: give the id, exact registered name or unified social credit code of one in your scope",
     "错误：upload.csv，第 3 行，“org”列（值 'no-such'）：未知单位或无权为该单位填报：请填写本单位（或本园区企业）的编号、"
     "登记全称或统一社会信用代码"),
    (Problem(file=FILE, row=2, column="value", value="160", severity=Severity.WARNING,
             reason=Message.of("validation.yoy", change=0.6)),
     "warning: upload.csv, row 2, column value (value '160'): "
     "year-on-year change +60% exceeds ±50 %; explain it before submitting",
     "提示：upload.csv，第 2 行，“value”列（值 '160'）：同比变化 +60% 超过 ±50%，提交前请说明原因"),
    (Problem(file=FILE, row=4, column="period", value="2099Q1",
             reason=Message.of("validation.period_future", period=period_message(Period(2099, 1)))),
     "error: upload.csv, row 4, column period (value '2099Q1'): period 2099Q1 is in the future",
     "错误：upload.csv，第 4 行，“period”列（值 '2099Q1'）：报告期 2099年1-3月 尚未到来"),
    (v.whole_file(FILE, Message.of("validation.file.unsupported", suffix=Message.of("validation.file.no_suffix"))),
     "error: upload.csv: unsupported file type (none); upload .csv or .xlsx",
     "错误：upload.csv：不支持的文件类型 （无扩展名），请上传 .csv 或 .xlsx"),
    (v.whole_file(FILE, Message.of("validation.file.too_large", size=50.00001, limit=50.0)),
     "error: upload.csv: the file is 50.0 MB, more than the 50 MB allowed", "错误：upload.csv：文件大小 50.0 MB，超过上限 50 MB"),
])
def test_a_problem_reads_the_same_in_both_languages_as_before(problem, en, zh):
    assert (problem.text("en"), problem.text("zh"), str(problem)) == (en, zh, en)


@pytest.mark.parametrize(("severities", "explanation", "missing"), [
    ([], None, False),
    ([Severity.ERROR], None, False),  # errors reject on their own: no explanation lifts them
    ([Severity.WARNING], None, True),
    ([Severity.WARNING], "  \n", True),  # blank text is no explanation
    ([Severity.ERROR, Severity.WARNING], "re-based on the 2015 census", False),
])
def test_warnings_need_an_explanation(severities, explanation, missing):
    problems = [v.whole_file("f.csv", Message.of("validation.explain_warnings"), s) for s in severities]
    assert v.explanation_missing(problems, explanation) is missing
