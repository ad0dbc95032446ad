"""Quarters as the statistical system names them.

A period is a year and a quarter; flows are reported year-to-date (Q3 = Jan–Sep), so the Q4
figure is the annual one. Parsing accepts both `2015Q3` and the form's `2015年1-9月`; how a
period is written on a screen or in a document is the message catalog's `period.ytd`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from domain.messages import Message

# The month a year-to-date period ends with, per quarter, as the forms write it (1-3月 …).
_END_MONTH = {1: 3, 2: 6, 3: 9, 4: 12}
_QUARTER_OF_END_MONTH = {m: q for q, m in _END_MONTH.items()}

_ISO = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]([1-4])\s*$")
_CN_YTD = re.compile(r"^\s*(\d{4})\s*年\s*1\s*[-—–~至到]\s*(\d{1,2})\s*月\s*$")
_CN_YEAR = re.compile(r"^\s*(\d{4})\s*年(?:度|全年)?\s*$")
_CN_QUARTER = re.compile(r"^\s*(\d{4})\s*年\s*(?:第)?\s*([一二三四1-4])\s*季度\s*$")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class Period(NamedTuple):
    year: int
    quarter: int  # 1..4; year-to-date through the end of this quarter

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def time_elapsed(self) -> float:
        """序时进度: the share of the year gone by at the end of the quarter."""
        return self.quarter / 4

    @property
    def end_month(self) -> int:
        return _END_MONTH[self.quarter]

    @property
    def last_complete_year(self) -> int:
        """The latest year whose annual (Q4) figure may be used at this quarter."""
        return self.year if self.quarter == 4 else self.year - 1

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        """The quarter a date falls in (the one being reported on that day)."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def end_date(self) -> dt.date:
        """The last day of the period (the quarter's last day)."""
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.end_month + 1, 1) - dt.timedelta(days=1)

    def deadline(self, days: int) -> dt.date:
        """The reporting deadline: `days` after the period ends."""
        return self.end_date + dt.timedelta(days=days)

    def previous(self) -> Period:
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def next(self) -> Period:
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.quarter)

    @property
    def ordinal(self) -> int:
        return self.year * 4 + self.quarter - 1


class PeriodError(ValueError):
    """`kind` names the fault for the message catalog (validation.period.<kind>): `not_a_period`, or
    `ytd_month` for a year-to-date period that does not end with a quarter."""

    def __init__(self, message: str, kind: str = "not_a_period"):
        super().__init__(message)
        self.kind = kind


def parse_period(text: str) -> Period:
    """Parse `2015Q3`, `2015年1-9月`, `2015年三季度` or `2015年` (the whole year = Q4)."""
    s = str(text).strip()
    if m := _ISO.match(s):
        return Period(int(m[1]), int(m[2]))
    if m := _CN_YTD.match(s):
        month = int(m[2])
        if month not in _QUARTER_OF_END_MONTH:
            raise PeriodError(f"{text!r}: a year-to-date period must end in March, June, September or December",
                              "ytd_month")
        return Period(int(m[1]), _QUARTER_OF_END_MONTH[month])
    if m := _CN_QUARTER.match(s):
        return Period(int(m[1]), _CN_DIGIT[m[2]])
    if m := _CN_YEAR.match(s):
        return Period(int(m[1]), 4)
    raise PeriodError(f"{text!r} is not a period; write 2015Q3 or 2015年1-9月")


def periods_between(first: Period, last: Period) -> list[Period]:
    out: list[Period] = []
    p = first
    while p.ordinal <= last.ordinal:
        out.append(p)
        p = p.next()
    return out


def period_message(period: Period) -> Message:
    """A period as each language writes it: 2015Q3, 2015年1-9月."""
    return Message.of("period.ytd", year=period.year, quarter=period.quarter, end_month=period.end_month)
