"""The reporting rule (domain/reporting.py): on time up to and including the deadline day, late
after it, not reported without a report; the rate of a group is reported ÷ firms."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.periods import Period
from domain.reporting import ReportStanding, Tally, standing, tally

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
