"""Text stays text: what people typed, files held or a URL carried, shown in Streamlit's markdown.

Headings, captions, st.markdown, st.error/warning/info/success, st.table cells and widget labels
render their text as markdown, and Streamlit's markdown does more than CommonMark: `$…$` is a
formula (KaTeX), `:red[…]` a colour, `:material/x:` an icon, `:smile:` an emoji, and bare URLs
and e-mail addresses become links (these are broken up with an invisible zero-width space). So
an organisation named `[x](http://evil)`, a display name `![i](http://evil/i.png)` or a cell
`$x^2$` would be shown as a link, a remote image or a formula. `escape` makes any such text
literal: CommonMark lets every ASCII punctuation character be escaped with a backslash, and
Streamlit's own extensions (math, directives, emoji, icons) are parsed from the same escaped
source, so escaping all of them (not a hand-picked few) leaves nothing for any of them to act on.
Line breaks become spaces: inline text never starts a block (a heading, a list, a quote, a table).

Where text is shown as plain text — st.dataframe cells and headers, st.text, st.code, selectbox and
multiselect options — it is left as it is (an escape there would show its backslashes).

The message catalog's own words are markdown on purpose (`**…**`); `md` and `md_message` escape a
message's parameters only (domain/messages.py `escaped`).
"""

from __future__ import annotations

import re
import string
from typing import Any

from domain.messages import Message, escaped

_PUNCTUATION = frozenset(string.punctuation)  # the ASCII punctuation CommonMark allows to escape
_BREAKS = re.compile(r"\s+")  # newlines, tabs, form feeds, U+2028 …: one space, as markdown shows them
# Bare URLs and e-mail addresses become links after the markdown is parsed, in its decoded text
# (GitHub's autolink literals), where no backslash escape is left to stop them. A zero-width space
# after the scheme, after "www" and after "@" keeps them from matching, and shows nothing.
_INVISIBLE = "\u200b"
_AUTOLINK = re.compile(r"(?i)\b(?:https?|ftp|mailto|www)(?=[:.])|@")


def escape(value: object) -> str:
    """`value` as markdown that renders to exactly its text, on one line (None: an empty string)."""
    if value is None:
        return ""
    flat = _AUTOLINK.sub("\\g<0>" + _INVISIBLE, _BREAKS.sub(" ", str(value)))
    return "".join("\\" + c if c in _PUNCTUATION else c for c in flat)


def md(code: str, lang: str, /, **params: Any) -> str:
    """The catalog's `code` in `lang` as markdown: its template as written, every parameter escaped."""
    return escaped(Message.of(code, **params), lang, escape)


def md_message(message: Message, lang: str) -> str:
    """A Message (a validation reason, a refused input's reason) as markdown, its parameters escaped."""
    return escaped(message, lang, escape)
