"""The dashboard's words: `t`, a short alias of the one message catalog's renderer.

Every word lives in `locale/<lang>/LC_MESSAGES/messages.po` (see domain/messages.py); pages call
`t(code, lang, **params)`, which raises KeyError for a missing code, translation or parameter
rather than falling back to another language. For an element that renders markdown (a heading, a
caption, st.error …) with text people typed among the parameters, `md(code, lang, **params)` and
`md_message(message, lang)` escape the parameters and keep the catalog's own formatting (ui/text.py).
"""

from __future__ import annotations

from domain.messages import LANGS, Message, localized, render
from domain.messages import text as t
from ui.text import md, md_message

__all__ = ["LANGS", "Message", "localized", "md", "md_message", "render", "t"]
