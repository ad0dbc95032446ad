"""What every page needs from the session: the signed-in identity, the language, the as-of quarter."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from domain.access import Identity
from domain.periods import Period


@dataclass(frozen=True)
class PageContext:
    who: Identity
    lang: str
    plan_id: str | None
    as_of: Period | None


def current() -> PageContext:
    """The page's context; a page reached without a signed-in identity renders nothing."""
    who = st.session_state.get("identity")
    if who is None:
        st.stop()
    return PageContext(who=who, lang=st.session_state.get("lang", "zh"), plan_id=st.session_state.get("plan_id"),
                       as_of=st.session_state.get("as_of_period"))
