"""The one message catalog: every word the product shows, in Chinese and English, rendered at the edge.

The words live in gettext PO files, one per language (`locale/<lang>/LC_MESSAGES/messages.po`), read
with Babel when this module is imported (no compile step, no .mo files). A msgid is a stable code —
dotted for a namespace (`status.achieved`, `briefing.ytd`, `period.quarter`), or one of the dashboard's
own short keys (`app_title`) — and its msgstr a `str.format` template with named parameters. Layers
below the UI (metrics, validation, the store) return `Message` values, a code with its parameters,
instead of words; the UI and the reports turn them into text with `render` / `text` in the reader's
language. A missing code, language, translation or parameter raises KeyError: never a silent fallback.

How parameters are formatted is written in the template, per language, so the code that makes a
message never formats a number: `{g:+.1%}` (a fraction as a signed percentage), `{v:,.2f}`, `{n:g}`,
and `{x:num}`, a figure as people write it (1,234,567.89, no trailing zeros, never an exponent). A
parameter that is itself a `Message` is rendered in the same language first (a status word inside a
sentence, `period.ytd` inside a reason). Text typed by people, ids and unit symbols go in as strings;
a parameter named `unit` holding a unit symbol (亿元, 万平方米, 个) is worded in the reader's language
(`unit.<symbol>`: "100 million yuan"), so a figure with its unit reads in one language.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel.messages.pofile import read_po

LANGS: dict[str, str] = {"zh": "中文", "en": "English"}  # each language in its own words, Chinese first (the source)
SOURCE_LANG = "zh"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
# A PO flag on an entry whose languages take different parameters on purpose (a date written as
# 2015年三季度 in Chinese and 2015Q3 in English); tests/test_messages.py holds every other entry to
# the same parameters in both languages.
OWN_PLACEHOLDERS = "own-placeholders"
# Parameters that carry a unit symbol as the plans write it (Chinese): worded per language.
UNIT_PARAMS = frozenset({"unit"})
# Except in a file's validation messages: they quote the unit as the file gave it beside the value
# as typed ("1,500,000,000 万元 … check the unit (元, 万元, 亿元)"), so the reader finds the cell;
# "1,500,000,000 10,000 yuan" would be neither the file's words nor English.
QUOTED_UNITS = ("validation.",)
# English counts money in millions and billions, not in 万 and 亿: a figure message (a `value` with
# its `unit`) in English writes 1,831 亿元 as "183.1 billion yuan" and 5,000 万元 as "50 million
# yuan" (`unit.sentence.<symbol>`); 万平方米 in millions of m², 万人 in people.
# symbol → (its size in the base unit, [(from this size up, the base unit's size of the word, word code)])
_YUAN = [(1e9, 1e9, "unit.sentence.亿元"), (0, 1e6, "unit.sentence.万元")]
_USD = [(1e9, 1e9, "unit.sentence.亿美元"), (0, 1e6, "unit.sentence.万美元")]
ENGLISH_SCALE: dict[str, tuple[float, list[tuple[float, float, str]]]] = {
    "亿元": (1e8, _YUAN), "万元": (1e4, _YUAN), "亿美元": (1e8, _USD), "万美元": (1e4, _USD),
    "万平方米": (1e4, [(0, 1e6, "unit.sentence.万平方米")]), "万m²": (1e4, [(0, 1e6, "unit.sentence.万m²")]),
    "万人": (1e4, [(0, 1, "unit.人")]), "万人次": (1e4, [(0, 1, "unit.人次")]),
}
FIGURE_CODES = frozenset({"figure.sig4"})


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _load(lang: str) -> Mapping[str, str]:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    # A fuzzy entry is a translation nobody has confirmed: gettext does not use it, nor do we.
    return MappingProxyType({m.id: m.string for m in catalog if m.id and not m.fuzzy})


_CATALOGS: dict[str, Mapping[str, str]] = {lang: _load(lang) for lang in LANGS}


def catalog(lang: str) -> Mapping[str, str]:
    """Every code of one language and its template (read-only)."""
    try:
        return _CATALOGS[lang]
    except KeyError:
        raise KeyError(f"no message catalog for language {lang!r} (there are: {', '.join(LANGS)})") from None


def exists(code: str) -> bool:
    """Whether `code` is in the catalog (in every language: the tests keep them equal)."""
    return all(code in table for table in _CATALOGS.values())


def template(code: str, lang: str) -> str:
    """The raw template of `code` in `lang`; KeyError naming both when there is none."""
    table = catalog(lang)
    try:
        return table[code]
    except KeyError:
        raise KeyError(f"no message {code!r} in the {lang!r} catalog") from None


@dataclass(frozen=True)
class Message:
    """A code and its parameters: what metrics, validation and the store say, before anyone has
    chosen a language. Frozen and hashable, so it can sit in a cached result or a pydantic model;
    parameters are numbers, strings, dates or other Messages. Build one with `Message.of`."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        try:
            hash(self.params)
        except TypeError:
            raise TypeError(f"message {self.code!r}: every parameter must be hashable (a number, string, date, "
                            f"Message): {self.params!r}") from None

    @classmethod
    def of(cls, code: str, /, **params: Any) -> Message:
        return cls(code, tuple(sorted(params.items())))

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)

    def render(self, lang: str) -> str:
        return render(self, lang)


class MessageError(ValueError):
    """An input refused for a reason the reader should read in their own language: the reason is a
    message code, worded by the reader's UI (`message(lang)`), and in English in logs and tracebacks."""

    def __init__(self, reason: Message):
        self.reason = reason
        super().__init__(render(reason, "en"))

    def message(self, lang: str) -> str:
        return render(self.reason, lang)


def people_number(x: float) -> str:
    """A figure in a sentence as people write it: 1,234,567.89 or 1,200,000 — never 1.2e+06."""
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return f"{x:,.2f}".rstrip("0").rstrip(".") if x != int(x) else f"{int(x):,}"


class _Formatter(string.Formatter):
    """str.format with two additions: Message parameters rendered in the same language, and the
    `num` format (`people_number`). With `escape`, every parameter as formatted passes through it
    while the template's own text does not (a Message parameter: its template kept, its own
    parameters escaped in turn)."""

    def __init__(self, code: str, lang: str, escape: Callable[[str], str] | None = None):
        self.code, self.lang, self.escape = code, lang, escape

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if key not in kwargs:
            raise KeyError(f"message {self.code!r} in {self.lang!r} needs the parameter {key!r}")
        value = kwargs[key]
        if (key in UNIT_PARAMS and isinstance(value, str) and not isinstance(value, _Word)
                and not self.code.startswith(QUOTED_UNITS)):
            return unit_word(value, self.lang)
        return value

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            out = escaped(value, self.lang, self.escape) if self.escape else render(value, self.lang)
            # A figure without a unit ("{value} {unit}", unit "") leaves a space that is no word.
            return format(out.rstrip(), format_spec)
        out = people_number(value) if format_spec == "num" else format(value, format_spec)
        return self.escape(out) if self.escape else out


def unit_word(symbol: str, lang: str) -> str:
    """A unit symbol as `lang` writes it: the symbol itself in Chinese (the plans' own), the
    catalog's `unit.<symbol>` in another language; a symbol without one (a code, m²) as it is."""
    if lang == SOURCE_LANG:
        return symbol
    return catalog(lang).get(f"unit.{symbol}", symbol)


def text(code: str, lang: str, /, **params: Any) -> str:
    """The one renderer: `code`'s template in `lang` with `params` filled in.

    Raises KeyError for an unknown language or code and for a parameter the template names but
    the caller did not give; extra parameters are ignored (a language may leave one out)."""
    return _Formatter(code, lang).vformat(template(code, lang), (), _scaled(code, lang, params))


def _scaled(code: str, lang: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """A figure's value and unit as `lang` counts (ENGLISH_SCALE), to four significant digits,
    with a space before a worded unit (1,831 亿元 → "183.1 billion yuan", 1.752 万人 → "17,520
    people", 40% stays "40%"); other messages as they are."""
    symbol, value = params.get("unit"), params.get("value")
    if (code not in FIGURE_CODES or lang == SOURCE_LANG or not isinstance(value, int | float)
            or not isinstance(symbol, str)):
        return params
    if symbol in ("", "%"):
        unit = symbol
    elif value == 1 and f"unit.one.{symbol}" in catalog(lang):  # 1 person, not 1 people
        unit = " " + catalog(lang)[f"unit.one.{symbol}"]
    elif symbol in ENGLISH_SCALE:
        size, words = ENGLISH_SCALE[symbol]
        base = value * size
        _, per, word = next(w for w in words if abs(base) >= w[0])
        value, unit = base / per, " " + catalog(lang)[word]
    else:
        unit = " " + unit_word(symbol, lang)
    return {**params, "value": float(f"{value:.4g}"), "unit": _Word(unit)}


class _Word(str):
    """A unit already worded in the reader's language (not a symbol to look up again)."""


def render(message: Message, lang: str) -> str:
    return text(message.code, lang, **message.kwargs)


def escaped(message: Message, lang: str, escape: Callable[[str], str]) -> str:
    """`render`, with every parameter passed through `escape` and the catalog's own words not: for
    a medium with markup (ui/text.py escapes for Streamlit's markdown), where the catalog's
    formatting is meant and the text people typed is not."""
    return _Formatter(message.code, lang, escape).vformat(template(message.code, lang), (), message.kwargs)


def words(lang: str) -> Callable[..., str]:
    """`text` bound to one language, for a document written in it: `t = words(lang)`, then
    `t("briefing.title", plan=…)`. An unknown language raises here, before any word is written."""
    catalog(lang)

    def t(code: str, /, **params: Any) -> str:
        return text(code, lang, **params)
    return t


def join(code: str, items: Iterable[str], lang: str) -> str:
    """Items joined as `lang` lists them: `code` is a template of `{head}` and `{tail}` (`join.list`
    is 甲、乙 in Chinese and A, B in English), applied pair by pair from the left."""
    out: str | None = None
    for item in items:
        out = item if out is None else text(code, lang, head=out, tail=item)
    return out or ""


def listed(items: Iterable[Any], code: str = "join.list") -> Message | str:
    """Items as one message parameter, listed in whichever language the message is rendered in
    (`join` for a message not yet worded): 甲、乙、丙 in Chinese, A, B, C in English."""
    out: Message | str | None = None
    for item in items:
        out = item if out is None else Message.of(code, head=out, tail=item)
    return "" if out is None else out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value)


def localized(obj: Any, field: str, lang: str) -> Any:
    """The `lang` side of a bilingual field of a model, a row or a frame column: `<field>_zh` in
    Chinese, `<field>_en` in English.

    A model that names its English side without a suffix is read the same way. An empty side
    falls back to the other, and only that: organisations may have no English name (firms,
    counties: `Organisation.name_en` defaults to ""). Frames and series are returned as they are.
    Words the product writes itself are never a bilingual pair: they are a `Message`."""
    catalog(lang)  # an unknown language raises here, as it does in `text`
    zh = getattr(obj, f"{field}_zh")
    en = getattr(obj, f"{field}_en") if hasattr(obj, f"{field}_en") else getattr(obj, field)
    first, other = (zh, en) if lang == SOURCE_LANG else (en, zh)
    return other if _blank(first) else first
