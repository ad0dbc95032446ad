"""The dashboard's words: `t`, a short alias of the one message catalog's renderer.

Every word lives in `locale/<lang>/LC_MESSAGES/messages.po` (see domain/messages.py); pages call
`t(code, lang, **params)`, which raises KeyError for a missing code, translation or parameter
rather than falling back to another language. For an element that renders markdown (a heading, a
caption, st.error …) with text people typed among the parameters, `md(code, lang, **params)` and
`md_message(message, lang)` escape the parameters and keep the catalog's own formatting (ui/text.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace

from domain.catalog import Catalog
from domain.messages import LANGS, SOURCE_LANG, Message, localized, render, unit_word
from domain.messages import text as t
from ui.text import md, md_message

__all__ = ["LANGS", "Message", "builtin_words", "local_names", "localized", "md", "md_message", "org_names",
           "render", "t", "unit_word"]


def local_names(zh: Iterable[str], en: Iterable[object] | None, lang: str) -> list[str]:
    """Names of a frame's rows in `lang` (`name_zh` and `name_en` columns): the English name where
    the catalog has one, the Chinese where it has none (a firm's own name, a county)."""
    zh = list(zh)
    en = [""] * len(zh) if en is None else [b if isinstance(b, str) else "" for b in en]
    return [localized(SimpleNamespace(name_zh=a, name_en=b), "name", lang) for a, b in zip(zh, en, strict=True)]


def org_names(values: Iterable[object], lang: str, catalog: Catalog | None) -> list[object]:
    """Organisation names as the store joins them (the Chinese name: a park, a city, a user's
    scope) in `lang`: the catalog's English name where it has one, else as they are (a firm). No
    catalog: as they are."""
    values = list(values)
    if lang == SOURCE_LANG or catalog is None:
        return values
    english = {o.name_zh: o.name_en for o in catalog.organisations.values() if o.name_en}
    return [english.get(v, v) if isinstance(v, str) else v for v in values]


# The language Streamlit's own widget words are written in ("Select all", "No results"), with no
# setting to change them.
STREAMLIT_LANG = "en"


def builtin_words(lang: str) -> bool:
    """Whether a page in `lang` may offer a widget feature that speaks only in Streamlit's words (a
    multiselect's "Select all" option): in English, yes; on a Chinese page it is left out."""
    return lang == STREAMLIT_LANG
