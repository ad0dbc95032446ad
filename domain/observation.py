"""What a statistics bureau publishes with a figure beyond its value: the SDMX observation status
(CL_OBS_STATUS) and whether a status counts as final.

A preliminary figure (快报) is published first with status P and a verified one (年报核实) later with
status A; the store keeps both as revisions of one figure (migration 6). Codes are those of the SDMX
cross-domain code list CL_OBS_STATUS (version 2.2), so a figure copied from an SDMX source keeps its
flag as published; each code's words are in the message catalog (`obs_status.<code>`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from domain.messages import Message


class ObsStatus(StrEnum):
    """SDMX CL_OBS_STATUS codes."""

    NORMAL = "A"
    BREAK = "B"  # time series break: the figure starts a new scope or definition
    DEFINITION_DIFFERS = "D"
    ESTIMATED = "E"
    FORECAST = "F"
    EXPERIMENTAL = "G"
    MISSING_HOLIDAY = "H"
    IMPUTED = "I"
    DEROGATION = "J"
    IN_ANOTHER_CATEGORY = "K"
    MISSING_NOT_COLLECTED = "L"
    MISSING_CANNOT_EXIST = "M"
    NOT_SIGNIFICANT = "N"
    MISSING = "O"
    PROVISIONAL = "P"
    SUPPRESSED = "Q"
    STRIKE = "S"
    LOW_RELIABILITY = "U"
    UNVALIDATED = "V"
    INCLUDES_ANOTHER_CATEGORY = "W"


DEFAULT = ObsStatus.NORMAL

# The statuses of a figure that will not be revised as a matter of course: a normal value, or one
# marked only for its comparability (a break, another definition, another category). Every other
# status (P provisional, E estimated, F forecast, G experimental, I imputed, U low reliability,
# V unvalidated, the missing codes …) marks a figure the reader must not take as final.
FINAL: frozenset[ObsStatus] = frozenset({ObsStatus.NORMAL, ObsStatus.BREAK, ObsStatus.DEFINITION_DIFFERS,
                                         ObsStatus.DEROGATION, ObsStatus.IN_ANOTHER_CATEGORY,
                                         ObsStatus.NOT_SIGNIFICANT, ObsStatus.STRIKE,
                                         ObsStatus.INCLUDES_ANOTHER_CATEGORY})


def parse_status(text: str | None) -> ObsStatus | None:
    """A status as typed (a code in either case, blank for the default A); None when not a code."""
    code = (text or "").strip().upper()
    if not code:
        return DEFAULT
    try:
        return ObsStatus(code)
    except ValueError:
        return None


def is_final(code: str) -> bool:
    """Whether a stored status code marks a final figure (an unknown code is not final)."""
    return code in {s.value for s in FINAL}


def status_message(status: ObsStatus | str) -> Message:
    """The status's name in the reader's language (P → 初步数 / provisional)."""
    return Message.of(f"obs_status.{ObsStatus(status).value}")


def check_as_at(day: dt.date, today: dt.date | None = None) -> dt.date:
    """A date to read the store "as it stood" on: any day up to today (ValueError after it)."""
    today = today or dt.date.today()
    if day > today:
        raise ValueError(f"--as-at {day.isoformat()} is in the future (today is {today.isoformat()}): "
                         "the store can be read as it stood on a past date or today, not on a date to come")
    return day


def parse_as_at(text: str, today: dt.date | None = None) -> dt.date:
    """A date written YYYY-MM-DD, not after today (ValueError saying why not)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--as-at {text!r} is not a date written YYYY-MM-DD (e.g. 2020-06-30)") from None
    return check_as_at(day, today)
