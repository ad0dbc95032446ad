"""Single sign-on beside the password form: Streamlit's own OIDC sign-in (`st.login`, Authlib).

With a usable `[auth]` section in the secrets (domain/sso.py checks it first, as a whole) and a
provider that answers, the sign-in page offers the provider's button above the password form. After
the provider's redirect, Streamlit's signed identity cookie gives `st.user`; its verified e-mail is
looked up in the users table on every run, so disabling the user or clearing their e-mail ends it
at once. An unmapped, disabled or unverified identity is refused with a plain message and an audit
row. A missing section leaves the password form alone; a wrong one, or a provider that cannot be
reached, leaves it too, says on the sign-in page that single sign-on is unavailable, writes the
reasons to the log (both languages) and shows them to an administrator once signed in.

The password form stays beside single sign-on whatever the section says: it is how an
administrator gets in while the provider is down or misconfigured.
"""

from __future__ import annotations

import logging
import threading
import time

import streamlit as st

from domain import sso
from domain.access import Identity
from domain.messages import Message, render
from domain.policy import Permission, may
from ui import queries, services
from ui.i18n import t
from ui.text import md_message

log = logging.getLogger("tracker.sso")
PROBE_TTL_S = 60.0  # how long a provider's answer (or silence) is believed before asking again

_lock = threading.Lock()
_probes: dict[str, tuple[float, tuple[Message, ...]]] = {}
_logged: set[tuple[Message, ...]] = set()
_BLOCK = "_sso_block"  # session-state key of this run's placeholder (see sign_in)


def _section() -> object | None:
    """The `[auth]` section as Streamlit reads it (None: no secrets, or no such section). A secrets
    file that cannot be parsed counts as none here; domain/config.py reports it."""
    if not st.secrets.load_if_toml_exists():
        return None
    return st.secrets.to_dict().get("auth")


def _log_once(problems: tuple[Message, ...]) -> None:
    with _lock:
        if problems in _logged:
            return
        _logged.add(problems)
    for p in problems:
        log.warning("single sign-on is off: %s / %s", render(p, "zh"), render(p, "en"))


def check() -> sso.SsoCheck:
    """The section checked now (a changed secrets file is seen on the next run); its problems
    go to the log once."""
    result = sso.check_section(_section())
    if result.problems:
        _log_once(result.problems)
    return result


def provider_problems(provider: sso.Provider) -> tuple[Message, ...]:
    """Whether the provider answers with usable metadata, asked at most once a minute per process
    (a provider that is down costs one short timeout a minute, not one per page)."""
    now = time.monotonic()
    with _lock:
        hit = _probes.get(provider.metadata_url)
    if hit is not None and now - hit[0] < PROBE_TTL_S:
        return hit[1]
    problems = tuple(sso.probe(provider.metadata_url))
    with _lock:
        _probes[provider.metadata_url] = (now, problems)
    if problems:
        _log_once(problems)
    return problems


def _sign_out_button(lang: str, key: str, where=st, who: Identity | None = None) -> None:
    if where.button(t("sign_out", lang), key=key):
        if who is not None:  # every sign-in of the user ends, a copy of this browser's cookie too
            services.end_sessions(who)
        st.session_state.pop("signed_in_as", None)
        st.logout()


def _mapped(provider: sso.Provider, lang: str) -> Identity | None:
    """The user the signed-in identity maps to, or None after saying why not."""
    claims = st.user.to_dict()
    email, refusal = sso.email_of(claims)
    who = None
    if refusal is None and claims.get("provider") != provider.name:
        refusal = Message.of("sso.refused.provider")  # a cookie from a provider configured before
    if refusal is None:
        who, reason = queries.identity_by_email(email, claims.get("iat"))
        if who is None:
            refusal = Message.of(f"sso.refused.{reason}", email=email)
    if refusal is not None:
        seen = (email, refusal.code)
        if st.session_state.get("sso_refused") != seen:  # one audit row per refusal, not per rerun
            services.record_sso_refused(email or "", refusal.code.removeprefix("sso.refused."), provider.name)
            st.session_state["sso_refused"] = seen
        st.error(md_message(refusal, lang))
        _sign_out_button(lang, "sso_sign_out_refused")
        return None
    if st.session_state.get("signed_in_as") != who.username:
        services.record_sso_sign_in(who.username, email, provider.name)
        st.session_state["signed_in_as"] = who.username
    return who


def _signed_in(who: Identity, lang: str) -> None:
    st.sidebar.text(f"{who.display_name} · {t(f'role.{who.role.value}', lang)}")
    _sign_out_button(lang, "sso_sign_out", st.sidebar, who)


def sign_in(lang: str) -> Identity | None:
    """The identity signed in through the provider, or None after offering the provider's button
    (when single sign-on is usable) or saying it is unavailable (when configured but not usable).
    The caller shows the password form whenever this returns None, and calls
    `signed_in_with_password` once the form (or its cookie) has signed someone in."""
    result = check()
    # What the sign-in page shows of single sign-on sits in one placeholder, emptied again when the
    # password's cookie signs someone in during this same run (it must not stay above every page).
    block = st.session_state[_BLOCK] = st.empty()
    if result.provider is not None and st.user.is_logged_in:
        with block.container():
            who = _mapped(result.provider, lang)
        if who is not None:
            st.session_state.pop(_BLOCK)
            _signed_in(who, lang)
        return who
    if result.provider is None:
        if result.present:
            block.info(t("sso.unavailable", lang))
        return None
    if provider_problems(result.provider):
        block.info(t("sso.unavailable", lang))
        return None
    with block.container():
        if st.button(t("sign_in_sso", lang), type="primary", key="sso_sign_in"):
            st.login(result.provider.login_argument)
        st.caption(t("sso.or_password", lang))
    return None


def signed_in_with_password(who: Identity, lang: str) -> None:
    """Take single sign-on's part of the sign-in page away, and show an administrator why single
    sign-on is off (the sidebar, on every page), as the log says it; nobody else sees it."""
    block = st.session_state.pop(_BLOCK, None)
    if block is not None:
        block.empty()
    if not may(who.role, Permission.MANAGE_USERS):
        return
    result = check()
    problems = result.problems or (provider_problems(result.provider) if result.provider else ())
    if problems:
        lines = "\n".join(f"- {md_message(p, lang)}" for p in problems)
        st.sidebar.warning(f"{t('sso.admin_heading', lang)}\n\n{lines}")
