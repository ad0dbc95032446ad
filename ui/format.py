"""Numbers as officials read them: 亿元 with two decimals, percentages, 万人, 万m².

Values arrive in the unit a plan wrote them in; `display` moves them into the unit a briefing
uses for that dimension (万元 → 亿元, 人 → 万人, m² → 万m²) so every page and export agree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from domain.messages import LANGS, unit_word
from domain.messages import text as t
from domain.periods import Period
from domain.units import DISPLAY, Dimension, convert, unit

# People are counted in 人 until the figure reaches 万 (10,000): 62 人 is "62 人", never "0.01 万人".
PEOPLE_IN_WAN_FROM = 10_000
HEADS = (Dimension.PEOPLE, Dimension.PERSON_TIMES)
WHOLE = ("个", "家", "名", "人", "人次")  # units that count whole things: no ".00"
# The same units as a table shows them in each language (a unit column in English says "people").
HEAD_WORDS = frozenset(unit_word(s, lang) for s in ("人", "人次") for lang in LANGS)
WHOLE_WORDS = frozenset(unit_word(s, lang) for s in WHOLE for lang in LANGS)


def display_unit(symbol: str) -> str:
    """The unit a briefing shows for values written in `symbol` (counts and % stay as they are)."""
    u = unit(symbol)
    shown = DISPLAY[u.dimension]
    # Counts of firms keep the plan's word (家/个/名); a plan's 亿美元 or 万平方米 is already shown as is.
    return symbol if u.factor == unit(shown).factor else shown


def display(value: float | None, symbol: str) -> tuple[float | None, str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, display_unit(symbol)
    shown = display_unit(symbol)
    return convert(value, symbol, shown), shown


def natural_unit(values: Iterable[float | None], symbol: str) -> str:
    """The one unit a row (or column group) of figures written in `symbol` is shown in: the
    briefing's unit (display_unit), except that people stay in 人/人次 while the largest of
    them is below PEOPLE_IN_WAN_FROM."""
    u = unit(symbol)
    if u.dimension not in HEADS:
        return display_unit(symbol)
    small = "人" if u.dimension == Dimension.PEOPLE else "人次"
    heads = [abs(convert(v, symbol, small)) for v in values if not _missing(v)]
    return small if max(heads, default=0) < PEOPLE_IN_WAN_FROM else DISPLAY[u.dimension]


def in_natural_unit(values: Sequence[float | None], symbol: str) -> tuple[list[float | None], str]:
    """`values` moved into their natural_unit, missing ones kept missing."""
    shown = natural_unit(values, symbol)
    return [None if _missing(v) else convert(v, symbol, shown) for v in values], shown


def digits(shown: str, value: float | None = None) -> int:
    """Decimals a figure in unit `shown` needs: none for whole things (a fractional projection of
    people is rounded to whole people), two otherwise."""
    if shown in HEAD_WORDS:
        return 0
    if shown in WHOLE_WORDS and (value is None or _missing(value) or float(value).is_integer()):
        return 0
    return 2


def amount(value: float | None, shown: str) -> str:
    """A figure as a table cell in unit `shown`: thousands separators, digits(shown), a dash if missing."""
    if _missing(value):
        return "—"
    return f"{value:,.{digits(shown, value)}f}"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, symbol: str = "", digits: int = 2) -> str:
    """'1,234.56 亿元' (or '1,234.56' without a unit); a dash for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if symbol in ("个", "家", "名", "人", "人次") and float(value).is_integer():
        return f"{value:,.0f} {symbol}"
    return f"{value:,.{digits}f} {symbol}".rstrip()


def pct(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.1234 → '12.3%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}%}" if signed else f"{value:.{digits}%}"


def points(value: float | None, lang: str = "zh") -> str:
    """A difference of two fractions in percentage points: 0.032 → '+3.2个百分点'."""
    if value is None:
        return "—"
    return t("format.points", lang, points=value * 100)


def period_label(p: Period, lang: str) -> str:
    """2015年1-9月 in Chinese, 2015Q3 in English."""
    return t("period.ytd", lang, year=p.year, quarter=p.quarter, end_month=p.end_month)
