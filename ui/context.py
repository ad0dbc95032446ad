"""What every page needs from the session: the signed-in identity, the language, the as-of quarter."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from domain.access import Identity
from domain.periods import Period
from ui import queries


@dataclass(frozen=True)
class PageContext:
    who: Identity
    lang: str
    plan_id: str | None
    as_of: Period | None


def current() -> PageContext:
    """The page's context; a page reached without a signed-in identity renders nothing. The as-of
    quarter is the router's choice among the periods inside the bounds; anything else found in the
    session is dropped, so no page computes on a period outside them (year 0 has no dates)."""
    who = st.session_state.get("identity")
    if who is None:
        st.stop()
    as_of = st.session_state.get("as_of_period")
    if as_of not in queries.catalog().period_bounds():
        as_of = None
    return PageContext(who=who, lang=st.session_state.get("lang", "zh"), plan_id=st.session_state.get("plan_id"),
                       as_of=as_of)
