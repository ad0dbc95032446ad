"""Sign-in for the app: a password form over the users table, and a session cookie after it.

The form checks the bcrypt hash in the store (store/users.py), which counts failed attempts across
sessions and locks an account after MAX_FAILED_ATTEMPTS; a right password opens a session whose
token the browser keeps in a cookie (ui/sessions.py, store/sessions.py). Single sign-on, when
configured, is offered above the form (ui/sso.py).
"""

from __future__ import annotations

import streamlit as st

from domain.access import Identity
from domain.policy import LOCK_MINUTES  # the lock-out rule's number, for the message
from ui import processes, queries, services, sessions, sso
from ui.i18n import t
from ui.text import escape

FORM_KEY = "Login"


def sign_in(lang: str) -> Identity | None:
    """The signed-in identity, or None after rendering the sign-in form (the caller stops)."""
    reader = processes.reader()  # a reader process signs nobody in or out: the writer does (ui/processes.py)
    if not reader and (who := sso.sign_in(lang)) is not None:
        return who
    who, ended = sessions.current()
    if who is None and reader:
        processes.send_to_sign_in(lang, ended)
        return None
    if who is None:
        who = _password_form(lang, ended)
    if who is None:
        return None
    st.sidebar.markdown(f"**{escape(who.display_name)}** · {t(f'role.{who.role.value}', lang)}")
    if reader:
        processes.sign_out_link(lang)
        return who
    st.sidebar.button(t("sign_out", lang), on_click=sessions.end, args=(who,))
    sso.signed_in_with_password(who, lang)
    return who


def _password_form(lang: str, ended: bool) -> Identity | None:
    """The form; a right password opens a session, a wrong one counts towards the lock-out."""
    heading = st.empty()  # the title shows above the form only if the form stays
    if ended:
        st.info(t("session_ended", lang))
    with st.form(FORM_KEY):
        st.subheader(t("sign_in", lang))
        username = st.text_input(t("username", lang)).strip()  # the store lowercases it
        password = st.text_input(t("password", lang), type="password").strip()  # no password begins or ends with a space
        submitted = st.form_submit_button(t("sign_in", lang))
    if submitted and username and password:
        if queries.locked_until(username):
            st.error(t("locked", lang, minutes=LOCK_MINUTES))
        elif (token := services.sign_in_with_password(username, password)) is not None:
            sessions.start(token)
            st.rerun()  # the next run shows the page alone and writes the cookie
        elif services.record_failed_attempt(username):
            st.error(t("locked", lang, minutes=LOCK_MINUTES))
        else:
            st.error(t("bad_password", lang))
    elif submitted:
        st.error(t("bad_password", lang))
    heading.title(t("app_title", lang))
    st.caption(t("sign_in_help", lang))
    return None
