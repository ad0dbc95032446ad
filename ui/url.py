"""The view in the URL: language, plan, quarter, and a page's park or target as query parameters.

A reload, a bookmark or a shared link reproduces the view, and the browser's back and forward land
on the view of that URL. Every value read from the URL is hostile: it is taken only when it is, as
written, one of the options the widget offers this user now, so an unknown plan and a plan the
user may not see are ignored alike (nothing tells which exists) and anything else leaves the
widget at its default; nothing is parsed.

Why not the widgets' own `bind="query-params"`: it writes a widget's *label* into the URL (a plan's
title, a quarter spelt out in the page's language, which changes with the language) and drops a
value equal to the default, so a bookmark of "the latest quarter" would drift as data arrives. The
ids are written here instead, on every run: a page switch clears the query string and the router's
run that follows writes it again (`write` during the run, `flush` once at its end).
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_PENDING = "url.pending"  # session state: this run's parameters, until `flush`


def history_navigation() -> bool:
    """Whether this run answers the browser's back or forward (the URL then names the view)."""
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


def adopt(name: str, key: str, options: Mapping[str, object], *, fresh: bool) -> None:
    """Before the widget `key` is drawn: on a fresh view (`fresh`: a new session, a reload, a
    bookmark) or a back/forward step, give it the value the URL's `name` names among `options`
    (URL text → option); a value not among them changes nothing."""
    if not (fresh or history_navigation()):
        return
    value = param(name)
    if isinstance(value, str) and value in options:
        st.session_state[key] = options[value]


def write(values: Mapping[str, str | None]) -> None:
    """The view's ids for the URL (a None takes the parameter out), sent by `flush` at the end of
    the run: each change of the query string is a new entry in the browser's history, so one run
    makes one entry at most (the router's and the page's parameters together), not one each."""
    st.session_state.setdefault(_PENDING, {}).update(values)


def param(name: str) -> str | None:
    """The URL's `name` as this run has left it so far (a value `write` has taken out reads None)."""
    pending = st.session_state.get(_PENDING, {})
    return pending[name] if name in pending else st.query_params.get(name)


def flush() -> None:
    """Send what `write` collected in this run, in one change, if it changes anything."""
    pending = st.session_state.pop(_PENDING, {})
    now = st.query_params.to_dict()
    wanted = {k: v for k, v in {**now, **pending}.items() if v is not None}
    if wanted != now:
        st.query_params.from_dict(wanted)
