"""Quarters as the statistical system names them.

A period is a year and a quarter; flows are reported year-to-date (Q3 = Jan–Sep), so the Q4
figure is the annual one. Parsing accepts both `2015Q3` and the form's `2015年1-9月`; how a
period is written on a screen or in a document is the message catalog's `period.ytd`.

Which periods the tracker holds at all is decided here too (`PeriodBounds`): from ten years before
the plans' earliest base year to the last complete quarter. Validation, the command line and the
pages all ask the same bounds, so a period none of them accepts can never reach a page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from domain.messages import Message, render

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
    """A period refused: `reason` says why in the reader's language (the exception text is its English);
    `kind` names the fault: `not_a_period`, `ytd_month` (a year-to-date period not ending with a
    quarter), `future`, `incomplete` or `too_early` (outside `PeriodBounds`)."""

    def __init__(self, reason: Message, kind: str = "not_a_period"):
        super().__init__(render(reason, "en"))
        self.reason = reason
        self.kind = kind


# The earliest period is this many years before the plans' earliest base year: enough for a plan's
# base year to have a history of its own (growth into the base year, a series' earlier breaks),
# and early enough that no real figure is refused — the MIIT software survey itself starts in the
# early 2000s. A year before it (1900, 0000) is a typing slip.
YEARS_BEFORE_BASE = 10
# Without any plan there is no base year: the earliest plan's base year is 2010, so the same floor.
FIRST_YEAR_WITHOUT_PLANS = 2000


def last_complete_quarter(today: dt.date) -> Period:
    """The latest quarter that is over on `today` (on 2026-11-29: 2026Q3): the latest one a figure can
    be reported for, since a year-to-date figure covers the whole of its quarter."""
    return Period.containing(today).previous()


@dataclass(frozen=True)
class PeriodBounds:
    """The periods the tracker holds: from `first` to `last` (the last complete quarter), inclusive."""

    first: Period
    last: Period

    @classmethod
    def of(cls, earliest_base_year: int | None, today: dt.date) -> PeriodBounds:
        first_year = FIRST_YEAR_WITHOUT_PLANS if earliest_base_year is None else earliest_base_year - YEARS_BEFORE_BASE
        return cls(Period(first_year, 1), last_complete_quarter(today))

    def __contains__(self, period: object) -> bool:
        return isinstance(period, Period) and self.first.ordinal <= period.ordinal <= self.last.ordinal

    def problem(self, period: Period) -> tuple[str, Message] | None:
        """(kind, why) when `period` lies outside the bounds, else None. A quarter after the one under
        way is in the future; the one under way is not over yet; one before `first` is too early."""
        if period.ordinal > self.last.next().ordinal:
            return "future", Message.of("validation.period_future", period=period_message(period))
        if period.ordinal > self.last.ordinal:
            return "incomplete", Message.of("validation.period.incomplete", period=period_message(period),
                                            last=period_message(self.last))
        if period.ordinal < self.first.ordinal:
            return "too_early", Message.of("validation.period.too_early", period=period_message(period),
                                           first=period_message(self.first))
        return None

    def check(self, period: Period) -> Period:
        """`period`, or PeriodError saying why it lies outside the bounds."""
        if found := self.problem(period):
            kind, reason = found
            raise PeriodError(reason, kind)
        return period


def _parse(text: str) -> Period:
    s = str(text).strip()
    if m := _ISO.match(s):
        return Period(int(m[1]), int(m[2]))
    if m := _CN_YTD.match(s):
        month = int(m[2])
        if month not in _QUARTER_OF_END_MONTH:
            raise PeriodError(Message.of("validation.period.ytd_month", text=text), "ytd_month")
        return Period(int(m[1]), _QUARTER_OF_END_MONTH[month])
    if m := _CN_QUARTER.match(s):
        return Period(int(m[1]), _CN_DIGIT[m[2]])
    if m := _CN_YEAR.match(s):
        return Period(int(m[1]), 4)
    raise PeriodError(Message.of("validation.period.not_a_period", text=text))


def parse_period(text: str, within: PeriodBounds | None = None) -> Period:
    """Parse `2015Q3`, `2015年1-9月`, `2015年三季度` or `2015年` (the whole year = Q4); with `within`,
    a period outside those bounds is refused too (PeriodError either way)."""
    period = _parse(text)
    return period if within is None else within.check(period)


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
