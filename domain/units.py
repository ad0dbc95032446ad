"""Units as the plans and forms write them, and their conversion to one canonical unit each.

Statistical forms report money in 万元 and exports in 万美元, plans speak in 亿元 and 万人; the
most common real input error is a figure 10 000x off. Every value is therefore converted
explicitly, through this one table, into the canonical unit of its dimension before it is stored
or compared. Canonical units are the form's units (万元, 万美元, 人, m², …) so stored figures read
like the forms they came from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Dimension(StrEnum):
    MONEY_CNY = "money_cny"  # canonical 万元
    MONEY_USD = "money_usd"  # canonical 万美元
    PEOPLE = "people"  # canonical 人
    PERSON_TIMES = "person_times"  # canonical 人次
    AREA = "area"  # canonical m²
    COUNT = "count"  # canonical 个 (firms, teams, products, scenarios …)
    RATIO = "ratio"  # canonical fraction (0.15 = 15 %)
    CNY_PER_AREA = "cny_per_area"  # canonical 万元/公顷


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: Dimension
    factor: float  # canonical units per one of this unit

    def to_canonical(self, value: float) -> float:
        return value * self.factor

    def from_canonical(self, value: float) -> float:
        return value / self.factor


CANONICAL: dict[Dimension, str] = {
    Dimension.MONEY_CNY: "万元",
    Dimension.MONEY_USD: "万美元",
    Dimension.PEOPLE: "人",
    Dimension.PERSON_TIMES: "人次",
    Dimension.AREA: "m²",
    Dimension.COUNT: "个",
    Dimension.RATIO: "比例",
    Dimension.CNY_PER_AREA: "万元/公顷",
}

_UNITS: tuple[Unit, ...] = (
    Unit("元", Dimension.MONEY_CNY, 1e-4),
    Unit("万元", Dimension.MONEY_CNY, 1.0),
    Unit("亿元", Dimension.MONEY_CNY, 1e4),
    Unit("万亿元", Dimension.MONEY_CNY, 1e8),
    Unit("美元", Dimension.MONEY_USD, 1e-4),
    Unit("万美元", Dimension.MONEY_USD, 1.0),
    Unit("亿美元", Dimension.MONEY_USD, 1e4),
    Unit("人", Dimension.PEOPLE, 1.0),
    Unit("名", Dimension.PEOPLE, 1.0),
    Unit("万人", Dimension.PEOPLE, 1e4),
    Unit("万名", Dimension.PEOPLE, 1e4),
    Unit("人次", Dimension.PERSON_TIMES, 1.0),
    Unit("万人次", Dimension.PERSON_TIMES, 1e4),
    Unit("m²", Dimension.AREA, 1.0),
    Unit("平方米", Dimension.AREA, 1.0),
    Unit("万m²", Dimension.AREA, 1e4),
    Unit("万平方米", Dimension.AREA, 1e4),
    Unit("公顷", Dimension.AREA, 1e4),
    Unit("亩", Dimension.AREA, 10000.0 / 15.0),
    Unit("平方公里", Dimension.AREA, 1e6),
    Unit("个", Dimension.COUNT, 1.0),
    Unit("家", Dimension.COUNT, 1.0),
    Unit("项", Dimension.COUNT, 1.0),
    Unit("%", Dimension.RATIO, 0.01),
    Unit("比例", Dimension.RATIO, 1.0),
    Unit("万元/公顷", Dimension.CNY_PER_AREA, 1.0),
    Unit("亿元/公顷", Dimension.CNY_PER_AREA, 1e4),
)

UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}


class UnitError(ValueError):
    """A unit that is unknown, or that does not fit the dimension it is used for."""


def unit(symbol: str) -> Unit:
    try:
        return UNITS[symbol.strip()]
    except KeyError:
        raise UnitError(f"unknown unit {symbol!r}; known: {', '.join(UNITS)}") from None


def to_canonical(value: float, symbol: str, dimension: Dimension | None = None) -> float:
    """Convert `value` in `symbol` to its canonical unit, checking the dimension if given."""
    u = unit(symbol)
    if dimension is not None and u.dimension != dimension:
        raise UnitError(
            f"unit {symbol!r} measures {u.dimension.value}, expected {dimension.value}"
            f" (canonical {CANONICAL[dimension]})"
        )
    return u.to_canonical(value)


def convert(value: float, from_symbol: str, to_symbol: str) -> float:
    a, b = unit(from_symbol), unit(to_symbol)
    if a.dimension != b.dimension:
        raise UnitError(f"cannot convert {from_symbol!r} to {to_symbol!r}")
    return b.from_canonical(a.to_canonical(value))


# The unit a briefing shows for each dimension: plans and officials speak in 亿元 and 万人.
DISPLAY: dict[Dimension, str] = {
    Dimension.MONEY_CNY: "亿元",
    Dimension.MONEY_USD: "亿美元",
    Dimension.PEOPLE: "万人",
    Dimension.PERSON_TIMES: "万人次",
    Dimension.AREA: "万m²",
    Dimension.COUNT: "个",
    Dimension.RATIO: "%",
    Dimension.CNY_PER_AREA: "亿元/公顷",
}


def in_display_unit(value, dimension: Dimension):
    """A value in `dimension`'s canonical unit, in the unit pages and briefings show it in (DISPLAY):
    万元 → 亿元, 人 → 万人 … A number or a pandas Series alike."""
    return unit(DISPLAY[dimension]).from_canonical(value)


def missing(value: object) -> bool:
    """None or NaN: a figure not there (shown as a dash)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


# People are counted in 人 until the figure reaches 万 (10,000): 62 人 is "62 人", never "0.01 万人".
PEOPLE_IN_WAN_FROM = 10_000
HEADS = (Dimension.PEOPLE, Dimension.PERSON_TIMES)
WHOLE = ("个", "家", "名", "人", "人次")  # units that count whole things: no ".00"


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
    heads = [abs(convert(v, symbol, small)) for v in values if not missing(v)]
    return small if max(heads, default=0) < PEOPLE_IN_WAN_FROM else DISPLAY[u.dimension]


def in_natural_unit(values: Sequence[float | None], symbol: str) -> tuple[list[float | None], str]:
    """`values` moved into their natural_unit, missing ones kept missing."""
    shown = natural_unit(values, symbol)
    return [None if missing(v) else convert(v, symbol, shown) for v in values], shown


def digits(shown: str, value: float | None = None) -> int:
    """Decimals a figure in unit `shown` needs: none for whole things (a fractional projection of
    people is rounded to whole people), two otherwise."""
    if shown in ("人", "人次"):
        return 0
    if shown in WHOLE and (value is None or missing(value) or float(value).is_integer()):
        return 0
    return 2


# A composite dimension's canonical unit as numerator ÷ denominator: a density is computed from
# two stored series, each converted to these units first (万元 ÷ 公顷 for 亿元/公顷 targets).
PER: dict[Dimension, tuple[str, str]] = {
    Dimension.CNY_PER_AREA: ("万元", "公顷"),
}


def ratio_canonical(numerator: float, num_unit: str, denominator: float, den_unit: str, dimension: Dimension) -> float:
    """numerator ÷ denominator, each in its stored unit, expressed in `dimension`'s canonical unit."""
    if dimension == Dimension.RATIO:
        return numerator / denominator
    num_to, den_to = PER[dimension]
    return convert(numerator, num_unit, num_to) / convert(denominator, den_unit, den_to)
