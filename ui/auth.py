"""Sign-in for the app: streamlit-authenticator's form and signed cookie over the users table.

The library renders the form, checks the bcrypt hash and keeps a signed re-authentication cookie;
the store keeps the users, counts failed attempts across sessions and locks an account after
MAX_FAILED_ATTEMPTS. Single sign-on, when configured, is offered above the form (ui/sso.py).
"""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth

from domain.access import Identity
from domain.config import settings
from domain.policy import LOCK_MINUTES, MAX_FAILED_ATTEMPTS  # the lock-out rule's numbers
from ui import queries, services, sso
from ui.i18n import t

COOKIE_NAME = "tracker_auth"
COOKIE_DAYS = 7


def sign_in(lang: str) -> Identity | None:
    """The signed-in identity, or None after rendering the sign-in form (the caller stops)."""
    if (who := sso.sign_in(lang)) is not None:
        return who
    creds = queries.credentials()
    for name, entry in creds["usernames"].items():
        if queries.locked_until(name):  # makes the library refuse it before checking the password
            entry["failed_login_attempts"] = MAX_FAILED_ATTEMPTS
    authenticator = stauth.Authenticate(creds, COOKIE_NAME, settings().signing_key(), COOKIE_DAYS, auto_hash=False,
                                        login_sleep_time=0)
    heading = st.empty()  # the title shows above the form only if the form is shown
    try:
        authenticator.login(fields={"Form name": t("sign_in", lang), "Username": t("username", lang),
                                    "Password": t("password", lang), "Login": t("sign_in", lang)},
                            max_login_attempts=MAX_FAILED_ATTEMPTS)
    except stauth.LoginError:
        st.error(t("locked", lang, minutes=LOCK_MINUTES))
        return None
    for name, entry in creds["usernames"].items():
        if 0 < entry.get("failed_login_attempts", 0) < MAX_FAILED_ATTEMPTS:
            if services.record_failed_attempt(name):
                st.error(t("locked", lang, minutes=LOCK_MINUTES))
                return None
    status = st.session_state.get("authentication_status")
    if status is False:
        st.error(t("bad_password", lang))
    if not status:
        heading.title(t("app_title", lang))
        st.caption(t("sign_in_help", lang))
        return None
    username = st.session_state["username"]
    who = queries.identity(username)
    if who is None:  # deleted or disabled since the cookie was issued
        authenticator.logout(location="unrendered")
        return None
    if st.session_state.get("signed_in_as") != username:
        services.record_sign_in(username)
        st.session_state["signed_in_as"] = username
    st.sidebar.markdown(f"**{who.display_name}** · {t(f'role.{who.role.value}', lang)}")
    authenticator.logout(t("sign_out", lang), location="sidebar")
    sso.signed_in_with_password(who, lang)
    return who
