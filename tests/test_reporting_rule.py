"""The reporting rule (domain/reporting.py): on time up to and including the deadline day, late
after it, not reported without a report; the rate of a group is reported ÷ firms; the deadline's
days within 0–120, held by the write path too."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.access import SYSTEM
from domain.periods import Period
from domain.reporting import (
    DEFAULT_DEADLINE_DAYS,
    MAX_DEADLINE_DAYS,
    MIN_DEADLINE_DAYS,
    DeadlineError,
    ReportStanding,
    Tally,
    check_deadline_days,
    standing,
    tally,
)
from service import commands, queries

DEADLINE = Period(2015, 3).deadline(20)  # 30 September + 20 days


@pytest.mark.parametrize(("first_report", "expected"), [
    (None, ReportStanding.NOT_REPORTED),
    (dt.date(2015, 10, 5), ReportStanding.ON_TIME),
    (dt.date(2015, 10, 20), ReportStanding.ON_TIME),  # the deadline day itself
    (dt.date(2015, 10, 21), ReportStanding.LATE),
    (dt.date(2016, 1, 2), ReportStanding.LATE),
])
def test_standing(first_report, expected):
    assert DEADLINE == dt.date(2015, 10, 20)
    assert standing(first_report, DEADLINE) == expected


def test_tally_counts_and_rate():
    # five firms: two on time, one late, two missing → reported 3 of 5 = 60 %
    k = tally([True, True, True, False, False], [True, True, False, False, False])
    assert (k.firms, k.reported, k.on_time, k.late, k.missing) == (5, 3, 2, 1, 2)
    assert k.rate == 3 / 5


def test_no_firms_has_no_rate():
    assert tally([], []) == Tally(firms=0, reported=0, on_time=0)
    assert tally([], []).rate is None


# ------------------------------------------------------------------------------- the deadline


@pytest.mark.parametrize(("days", "allowed"), [(-1, False), (0, True), (20, True), (120, True), (121, False)])
def test_the_deadline_lies_within_its_range(days, allowed):
    assert (MIN_DEADLINE_DAYS, DEFAULT_DEADLINE_DAYS, MAX_DEADLINE_DAYS) == (0, 20, 120)
    if allowed:
        assert check_deadline_days(days) == days
    else:
        with pytest.raises(DeadlineError) as refused:
            check_deadline_days(days)
        assert refused.value.reason.code == "reporting.deadline_out_of_range"
        assert refused.value.message("zh") == f"报送期限须为季度结束后 0–120 天，不能是 {days} 天"


def test_the_write_refuses_a_deadline_out_of_range_and_writes_nothing(store):
    """The widget offers 0–120 only; the write path holds the same range for any other caller."""
    with pytest.raises(DeadlineError):
        commands.set_report_deadline(store, SYSTEM, MAX_DEADLINE_DAYS + 1)
    assert queries.report_deadline_days(store) == DEFAULT_DEADLINE_DAYS
    commands.set_report_deadline(store, SYSTEM, MAX_DEADLINE_DAYS)
    assert queries.report_deadline_days(store) == MAX_DEADLINE_DAYS
