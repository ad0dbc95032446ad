"""Units, periods and credit codes: the vocabulary every layer relies on."""

from __future__ import annotations

import pytest

from domain.credit_code import credit_code_problem, make_credit_code
from domain.messages import render
from domain.periods import Period, PeriodError, parse_period
from domain.units import Dimension, UnitError, convert, ratio_canonical, to_canonical


@pytest.mark.parametrize(
    ("value", "frm", "to", "expected"),
    [
        (2200, "亿元", "万元", 22_000_000),  # 1 亿元 = 10 000 万元
        (15, "万人", "人", 150_000),
        (1000, "万平方米", "m²", 10_000_000),
        (1200, "亩", "公顷", 80),  # 15 亩 = 1 公顷
        (17, "平方公里", "公顷", 1700),
        (10, "亿美元", "万美元", 100_000),
        (5, "%", "比例", 0.05),
        (2, "亿元/公顷", "万元/公顷", 20_000),
    ],
)
def test_unit_conversions(value, frm, to, expected):
    assert convert(value, frm, to) == pytest.approx(expected)


def test_unit_dimension_is_checked():
    with pytest.raises(UnitError):
        convert(1, "亿元", "人")
    with pytest.raises(UnitError):
        to_canonical(1, "斤")


def test_density_from_stored_units():
    # 400 000 万元 over 2 000 000 m² (= 200 公顷) → 2 000 万元/公顷 = 0.2 亿元/公顷
    assert ratio_canonical(400_000, "万元", 2_000_000, "m²", Dimension.CNY_PER_AREA) == pytest.approx(2000)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2015Q3", Period(2015, 3)),
        ("2015q1", Period(2015, 1)),
        ("2015年1-9月", Period(2015, 3)),
        ("2015年1—6月", Period(2015, 2)),
        ("2015年1-12月", Period(2015, 4)),
        ("2015年三季度", Period(2015, 3)),
        ("2015年", Period(2015, 4)),
    ],
)
def test_parse_period(text, period):
    assert parse_period(text) == period


@pytest.mark.parametrize("text", ["2015Q5", "2015年1-8月", "Q3 2015", "", "2015-09"])
def test_parse_period_rejects(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_period_arithmetic():
    p = Period(2015, 1)
    assert p.previous() == Period(2014, 4)
    assert Period(2014, 4).next() == p
    assert p.time_elapsed == 0.25 and Period(2015, 4).time_elapsed == 1.0
    assert Period(2015, 3).end_month == 9  # its label (2015年1-9月, 2015Q3) is the catalog's period.ytd


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("91110000600037341L", None),  # published example, valid
        ("91350100M000100Y43", None),
        ("91110000600037341M", "check character"),
        ("9111000060003734", "18 characters"),
        ("91110000600O37341L", "not allowed"),  # letter O is never used
    ],
)
def test_credit_code(code, problem):
    found = credit_code_problem(code)
    if problem is None:
        assert found is None
    else:
        assert problem in render(found, "en")


def test_make_credit_code_round_trips():
    code = make_credit_code("91330100MA27XF6T4")
    assert len(code) == 18 and credit_code_problem(code) is None


@pytest.mark.parametrize(("now", "before", "expected"), [
    (125.0, 100.0, 0.25),  # 125 ÷ 100 − 1
    (90.0, 120.0, -0.25),  # 90 ÷ 120 − 1
    (50.0, 0.0, None),  # from nothing: undefined, not infinite
    (50.0, -10.0, None),  # from a loss: undefined, not a negative rate
    (None, 100.0, None),
    (100.0, None, None),
    (float("nan"), 100.0, None),  # a missing cell read as NaN
])
def test_change_is_written_once_and_undefined_where_it_must_be(now, before, expected):
    from domain.growth import change

    assert change(now, before) == (None if expected is None else pytest.approx(expected))
