"""Numbers as officials read them: 亿元 with two decimals, percentages, 万人, 万m².

Values arrive in the unit a plan wrote them in; `display` moves them into the unit a briefing
uses for that dimension (万元 → 亿元, 人 → 万人, m² → 万m²) so every page and export agree.
"""

from __future__ import annotations

import math

from domain.messages import text as t
from domain.periods import Period
from domain.units import DISPLAY, convert, unit


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
