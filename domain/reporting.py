"""The reporting rule: whether a firm has reported for a quarter, on time or late, and how a group
of firms stands — the counts and the reporting rate every page and report shows.

A firm's report counts from the first submission holding any figure of the quarter that was not
returned (the store finds that date); it is on time when it arrived by the quarter's deadline,
`Period.deadline(days)`, the deadline day itself included; how many days that is, is a setting an
administrator may change within MIN_DEADLINE_DAYS…MAX_DEADLINE_DAYS (`check_deadline_days`, enforced
by the write). Pure: no store, no pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.messages import Message, MessageError

DEFAULT_DEADLINE_DAYS = 20  # days after a quarter's end, until an administrator sets another
MIN_DEADLINE_DAYS = 0  # due on the quarter's last day
MAX_DEADLINE_DAYS = 120  # four months after the quarter's end: the longest the reporting page has ever offered


class DeadlineError(MessageError):
    """A reporting deadline outside the allowed days."""


def check_deadline_days(days: int) -> int:
    """`days` as a reporting deadline, or DeadlineError when it is outside MIN…MAX_DEADLINE_DAYS."""
    if not MIN_DEADLINE_DAYS <= days <= MAX_DEADLINE_DAYS:
        raise DeadlineError(Message.of("reporting.deadline_out_of_range", days=days, low=MIN_DEADLINE_DAYS,
                                       high=MAX_DEADLINE_DAYS))
    return days


class ReportStanding(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    NOT_REPORTED = "not_reported"


def standing(first_report: dt.date | None, deadline: dt.date) -> ReportStanding:
    """Where a firm stands for a quarter, from the day its first report arrived (None: none yet)."""
    if first_report is None:
        return ReportStanding.NOT_REPORTED
    return ReportStanding.ON_TIME if first_report <= deadline else ReportStanding.LATE


@dataclass(frozen=True)
class Tally:
    """How a group of firms stands for a quarter."""

    firms: int
    reported: int
    on_time: int

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def missing(self) -> int:
        return self.firms - self.reported

    @property
    def rate(self) -> float | None:
        """The reporting rate: the share of the firms that have reported (on time or late); None for
        no firms at all."""
        return self.reported / self.firms if self.firms else None


def tally(reported: Iterable[bool], on_time: Iterable[bool]) -> Tally:
    """The tally of a group from each firm's two flags (has it reported; was that on time)."""
    flags = list(zip(reported, on_time, strict=True))
    return Tally(firms=len(flags), reported=sum(bool(r) for r, _ in flags), on_time=sum(bool(o) for _, o in flags))


# ------------------------------------------------------------------ reminders (催报), issue 17


class ReminderKind(StrEnum):
    """A reminder to a firm that has not reported: before its quarter's deadline, or after it."""

    BEFORE = "reminder_before"
    AFTER = "reminder_after"


def reminder_kind(today: dt.date, deadline: dt.date) -> ReminderKind:
    """The kind of a reminder sent on `today` (on demand): before the deadline up to the deadline
    day itself, after it from the next day."""
    return ReminderKind.BEFORE if today <= deadline else ReminderKind.AFTER


def reminder_due(today: dt.date, deadline: dt.date, before_days: int, every: int,
                 opens: dt.date | None = None) -> ReminderKind | None:
    """The scheduled reminder due on `today` for a quarter due by `deadline`, or None.

    BEFORE once, `before_days` before the deadline — but not before `opens`, the first day the
    quarter's figures can be reported (the day after it ends): a reminder before that would ask for
    a quarter still under way, so it goes on `opens` instead, if that is not past the deadline.
    AFTER on the day after the deadline and every `every` days after that (the firms that have
    reported by then are left out by the caller)."""
    first = deadline - dt.timedelta(days=before_days)
    if opens is not None:
        first = max(first, opens)
    if today == first and today <= deadline:
        return ReminderKind.BEFORE
    late = (today - deadline).days
    if late >= 1 and (late - 1) % every == 0:
        return ReminderKind.AFTER
    return None
