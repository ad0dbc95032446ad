"""The dashboard's words: `t`, a short alias of the one message catalog's renderer.

Every word lives in `locale/<lang>/LC_MESSAGES/messages.po` (see domain/messages.py); pages call
`t(code, lang, **params)`, which raises KeyError for a missing code, translation or parameter
rather than falling back to another language.
"""

from __future__ import annotations

from domain.messages import LANGS, Message, localized, render
from domain.messages import text as t

__all__ = ["LANGS", "Message", "localized", "render", "t"]
