"""A browser's sign-in session: the cookie that carries its token, and what a session that has not
signed in may not do.

The cookie `tracker_auth` holds only a session's random token (store/sessions.py keeps its digest,
its user, its expiry and the user's session version). It is read from the websocket's handshake
(`st.context.cookies`) once per browser connection; from then on the token lives in this session's
state and is checked against the store on every run, so a session ended elsewhere (sign-out in
another tab, a password reset, a role change, a lock-out) stops at the next click.

Streamlit scripts cannot set HTTP headers, so the cookie is written in the page by a component
(extra_streamlit_components.CookieManager) through `document.cookie`: it cannot be HttpOnly. It is
SameSite=Strict, Secure when the request came over HTTPS (X-Forwarded-Proto from deploy/nginx.conf),
and lives TRACKER_SESSION_HOURS; README "Sessions and cookies" says what else compensates.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import extra_streamlit_components as stx
import streamlit as st
from streamlit.runtime.app_session import AppSession

from domain.access import Identity
from domain.config import settings
from domain.policy import Permission, may
from ui import queries, services

log = logging.getLogger("tracker.sessions")

COOKIE_NAME = "tracker_auth"
TOKEN = "session_token"  # session state: the token this browser session is signed in with
_HANDSHAKE_READ = "session_cookie_read"  # session state: the handshake's cookie has had its one try
_PENDING = "session_cookie_write"  # session state: a cookie write the browser has not confirmed
_SEQUENCE = "session_cookie_seq"  # session state: numbers each write, so each gets a component of its own


@dataclass(frozen=True)
class _Write:
    """A cookie to set (a token) or to delete (None), and the number of its component."""

    token: str | None
    number: int
    expires: dt.datetime  # aware: the browser reads a naive time in its own time zone
    max_age: int  # seconds; a browser prefers it to `expires`
    secure: bool


def current() -> tuple[Identity | None, bool]:
    """The identity this browser session is signed in as, or None; the flag is True when a sign-in
    it had — an open session or the browser's cookie — has just been refused (expired or ended), so
    that the form can say "please sign in again" and nothing more."""
    _write_pending_cookie()
    # A reader process (ui/processes.py) checks the cookie against a snapshot that may be seconds
    # older than the sign-in: it never deletes the cookie (the writer's), and tries the handshake's
    # cookie again on every run, so the sign-in counts here as soon as it is published.
    reader = queries.role() == "reader"
    token = st.session_state.get(TOKEN)
    if token is not None:
        who = queries.session_identity(token)
        if who is not None:
            return who, False
        del st.session_state[TOKEN]
        if not reader:
            _forget_cookie()
        return None, True
    if st.session_state.get(_HANDSHAKE_READ) and not reader:
        return None, False
    # The handshake's cookies stay the same for the whole connection, also after a sign-out or a
    # refusal, so they get one try per connection.
    st.session_state[_HANDSHAKE_READ] = True
    cookie = _handshake_cookie()
    if cookie is None:
        return None, False
    who = services.resume_session(cookie)
    if who is None:
        if not reader:
            _forget_cookie()
        return None, True
    st.session_state[TOKEN] = cookie
    return who, False


def start(token: str) -> None:
    """A password sign-in succeeded: this session holds the token and the browser is told to keep it."""
    st.session_state[TOKEN] = token
    st.session_state[_HANDSHAKE_READ] = True
    _queue(token, dt.timedelta(hours=settings().session_hours))


def end(who: Identity) -> None:
    """Sign-out (a button's callback): every session of the user ends, and this browser's cookie goes."""
    services.end_sessions(who)
    st.session_state.pop(TOKEN, None)
    _forget_cookie()


def _handshake_cookie() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # a header the parser chokes on is a missing cookie, never a traceback
        log.warning("the sign-in cookie could not be read", exc_info=True)
        return None
    return value if isinstance(value, str) and value else None


def _over_https() -> bool:
    """Whether the page came over HTTPS: nginx (deploy/nginx.conf) says so in X-Forwarded-Proto.
    A client reaching the app directly can claim it too, which only makes its own cookie stricter."""
    try:
        proto = st.context.headers.get("X-Forwarded-Proto") or ""
    except Exception:
        return False
    return proto.split(",")[0].strip().lower() == "https"


def _forget_cookie() -> None:
    _queue(None, dt.timedelta(0))


def _queue(token: str | None, lifetime: dt.timedelta) -> None:
    number = st.session_state.get(_SEQUENCE, 0) + 1
    st.session_state[_SEQUENCE] = number
    st.session_state[_PENDING] = _Write(token, number, dt.datetime.now(dt.UTC) + lifetime,
                                        int(lifetime.total_seconds()), _over_https())


def _write_pending_cookie() -> None:
    """Render the component that writes the pending cookie, run after run, until the browser has
    confirmed it (the component's value turns true); a rerun in between never loses the write."""
    write: _Write | None = st.session_state.get(_PENDING)
    if write is None:
        return
    done = f"tracker-cookie-done-{write.number}"
    if st.session_state.get(done):
        del st.session_state[_PENDING]
        return
    jar = stx.CookieManager(key=f"tracker-cookie-jar-{write.number}")
    if write.token is not None:
        jar.set(COOKIE_NAME, write.token, key=done, expires_at=write.expires, max_age=write.max_age,
                secure=write.secure, same_site="strict")
    else:
        jar.cookies.setdefault(COOKIE_NAME, "")  # the library also drops it from its own copy
        jar.delete(COOKIE_NAME, key=done)


# ----------------------------------------------------------------- clear_cache: administrators only

# Any websocket client can send a `clear_cache` BackMsg, signed in or not, and Streamlit has no
# setting to refuse it: AppSession._handle_clear_cache_request empties st.cache_data and
# st.cache_resource for every session of the process. The store itself no longer lives in a cache
# (ui/queries.py), but every cached read would be recomputed for everybody on demand of an anonymous
# client. The narrowest hook is that one method: wrapped once per process, it runs only for a
# session whose own state holds a token the store still accepts, of a user whose role may clear
# caches; anything else is logged and ignored. It runs on the server's event loop, so it reads the
# session's state and makes one small query, nothing more.


def _refuse_anonymous_clear_cache() -> None:
    original = AppSession._handle_clear_cache_request
    if getattr(original, "tracker_guarded", False):
        return

    def guarded(self: AppSession) -> None:
        try:
            token = self._session_state[TOKEN]
        except KeyError:
            token = None
        try:
            who = queries.session_identity(token) if token is not None else None
        except Exception:  # the store unavailable: nobody is known, so nothing is cleared
            log.exception("clear_cache: the session's sign-in could not be checked")
            who = None
        if who is not None and may(who.role, Permission.CLEAR_CACHES):
            log.info("clear_cache by %s", who.username)
            original(self)
            return
        log.warning("clear_cache refused for session %s (%s)", self.id,
                    "not signed in" if who is None else f"{who.username} may not clear caches")

    guarded.tracker_guarded = True  # type: ignore[attr-defined]
    AppSession._handle_clear_cache_request = guarded  # type: ignore[method-assign]


_refuse_anonymous_clear_cache()  # at import: the first script run of the process, before any sign-in
