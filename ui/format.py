"""Numbers as officials read them: 亿元 with two decimals, percentages, 万人, 万m².

Values arrive in the unit a plan wrote them in; `display` moves them into the unit a briefing
uses for that dimension (万元 → 亿元, 人 → 万人, m² → 万m²) so every page and export agree.
"""

from __future__ import annotations

import math

from domain.messages import LANGS, unit_word
from domain.messages import text as t
from domain.periods import Period

# The natural-unit rule lives in domain/units.py so reports and pages share it; re-exported here.
from domain.units import (  # noqa: F401
    HEADS,
    PEOPLE_IN_WAN_FROM,
    WHOLE,
    display,
    display_unit,
    in_natural_unit,
    missing,
    natural_unit,
)
from domain.units import digits as symbol_digits

# A table's unit column reads in the reader's language ("people"): each word back to its symbol,
# so a row's decimals follow its unit whichever language wrote it.
_SYMBOL_OF = {unit_word(s, lang): s for s in WHOLE for lang in LANGS}


def digits(shown: str, value: float | None = None) -> int:
    """Decimals a figure in unit `shown` (a symbol, or its word in either language) needs:
    domain.units.digits of the symbol."""
    return symbol_digits(_SYMBOL_OF.get(shown, shown), value)


def amount(value: float | None, shown: str) -> str:
    """A figure as a table cell in unit `shown`: thousands separators, digits(shown), a dash if missing."""
    if missing(value):
        return "—"
    return f"{value:,.{digits(shown, value)}f}"


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
