"""The reporting rule: whether a firm has reported for a quarter, on time or late, and how a group
of firms stands — the counts and the reporting rate every page and report shows.

A firm's report counts from the first submission holding any figure of the quarter that was not
returned (the store finds that date); it is on time when it arrived by the quarter's deadline,
`Period.deadline(days)`, the deadline day itself included; how many days that is, is a setting an
administrator may change within MIN_DEADLINE_DAYS…MAX_DEADLINE_DAYS (`check_deadline_days`, enforced
by the write). Over a span of quarters (`ranking_span`: the year up to the chosen quarter) the
same rule gives each firm and each park a record — due, on time, late, not reported, returned,
corrected — and a place in the bureau's ranking (`rank`, order in its docstring). Pure: no store,
no pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from domain.messages import Message, MessageError
from domain.periods import Period

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


# ---------------------------------------------------------------- timeliness and quality ranking
# How a bureau ranks its reporters (报送及时性排名) over a span of quarters: for each firm, the quarters
# it owed, how many arrived on time, late or not at all, how many of its submissions were returned
# and how many of those it corrected; a park is the same summed over its firms (firm-quarters).


def ranking_span(as_of: Period) -> list[Period]:
    """The quarters a ranking at `as_of` covers: those of its year up to and including it (2015Q3:
    Q1, Q2, Q3) — the same span as the year-to-date figures the product reports at that quarter."""
    return [Period(as_of.year, q) for q in range(1, as_of.quarter + 1)]


@dataclass(frozen=True)
class QuarterReport:
    """One firm's quarter as the store found it: the day its first report that was not returned
    arrived (None: none yet), how many of its submissions for the quarter were returned, and how
    many of those were corrected (`store.reporting.timeliness_quarters` decides which)."""

    period: Period
    first_report: dt.date | None
    returned: int = 0
    corrected: int = 0


@dataclass(frozen=True)
class Record:
    """How a reporter (a firm, or a park's firms together) reported over a span: quarters due, on
    time, late, not reported; submissions returned and of those corrected. Counts add up: a park's
    record is the sum of its firms'."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    corrected: int = 0

    @property
    def missing(self) -> int:
        return self.due - self.on_time - self.late

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def timeliness(self) -> float | None:
        """及时率: on time ÷ due; None when nothing was due."""
        return self.on_time / self.due if self.due else None

    @property
    def rate(self) -> float | None:
        """报送率: reported (on time or late) ÷ due; None when nothing was due."""
        return self.reported / self.due if self.due else None

    @property
    def uncorrected(self) -> int:
        return self.returned - self.corrected

    def __add__(self, other: Record) -> Record:
        return Record(due=self.due + other.due, on_time=self.on_time + other.on_time, late=self.late + other.late,
                      returned=self.returned + other.returned, corrected=self.corrected + other.corrected)


def record(quarters: Iterable[QuarterReport], deadline_days: int, today: dt.date) -> Record:
    """A firm's record over its quarters, each judged by `standing` against the quarter's deadline.

    A quarter is due once its deadline has passed on `today`, or as soon as the firm reported it: a
    quarter still open for reporting counts neither for nor against a firm that has not yet sent it.
    Returns count whenever they happened."""
    out = Record()
    for q in quarters:
        deadline = q.period.deadline(deadline_days)
        found = standing(q.first_report, deadline)
        due = found != ReportStanding.NOT_REPORTED or today > deadline
        out += Record(due=int(due), on_time=int(found == ReportStanding.ON_TIME), late=int(found == ReportStanding.LATE),
                      returned=q.returned, corrected=q.corrected)
    return out


@dataclass(frozen=True)
class Ranked:
    """A reporter in a ranking: its place (shared by ties), id, name and record; `firms` counts the
    firms of a park (1 for a firm)."""

    rank: int
    key: str
    name: str
    record: Record
    firms: int = 1


def _order(r: Ranked) -> tuple:
    k = r.record
    return (k.due == 0, -(k.timeliness or 0.0), -(k.rate or 0.0), k.returned)


def rank(units: Iterable[Ranked]) -> list[Ranked]:
    """Reporters in the order a bureau ranks them, each with its place:

    1. 及时率 (on time ÷ due), highest first;
    2. then 报送率 (reported at all ÷ due), highest first — late beats never;
    3. then fewer submissions returned;
    4. then by name (code-point order), for a stable list; reporters equal on 1–3 share a place
       (1, 1, 3 …). Reporters with nothing due come last, unranked among themselves by 1–3.

    The `rank` of each input is ignored and set here."""
    ordered = sorted(units, key=lambda r: (*_order(r), r.name, r.key))
    out: list[Ranked] = []
    for i, r in enumerate(ordered):
        place = out[-1].rank if out and _order(out[-1]) == _order(r) else i + 1
        out.append(Ranked(rank=place, key=r.key, name=r.name, record=r.record, firms=r.firms))
    return out


@dataclass(frozen=True)
class Timeliness:
    """The ranking at a quarter: its span, the deadline days it was judged by, the parks and the
    firms each ranked (`rank`), and the total of all firms."""

    span: list[Period]
    deadline_days: int
    parks: list[Ranked]
    firms: list[Ranked]
    total: Record


def timeliness(firms: Iterable[tuple[str, str, str, str, list[QuarterReport]]], span: list[Period],
               deadline_days: int, today: dt.date) -> Timeliness:
    """Rank firms and parks from each firm's (id, name, park id, park name, quarters) over `span`.
    A park's record is its firms' records summed (及时率 over firm-quarters). A firm that moved
    within the span comes once per park, with the quarters it was there: each park counts those,
    and the firm is ranked once, on all of them."""
    own: dict[str, Record] = {}
    firm_names, parks, names, counts = {}, {}, {}, {}
    for key, name, park_id, park_name, quarters in firms:
        k = record(quarters, deadline_days, today)
        own[key] = own.get(key, Record()) + k
        firm_names[key] = name
        parks[park_id] = parks.get(park_id, Record()) + k
        names[park_id] = park_name
        counts[park_id] = counts.get(park_id, 0) + 1
    ranked = [Ranked(rank=0, key=key, name=firm_names[key], record=k) for key, k in own.items()]
    total = sum((r.record for r in ranked), Record())
    return Timeliness(span=list(span), deadline_days=deadline_days, firms=rank(ranked), total=total,
                      parks=rank(Ranked(rank=0, key=p, name=names[p], record=k, firms=counts[p]) for p, k in parks.items()))


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
