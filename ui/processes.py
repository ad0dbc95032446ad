"""What a page shows of the process it runs in (TRACKER_PROCESS_ROLE, issue 19: past one process).

A reader process serves a published read-only snapshot (store/snapshots.py): nothing on it can
write. So its reading pages say how old their snapshot is, and everything that writes — sign-in,
sign-out, the write pages, a write form inside a reading page — is a link to the writer process
(TRACKER_WRITER_URL, `/w` behind the same nginx). In the single-process mode (the default) and on
the writer, every function here does nothing and the app is exactly as before.
"""

from __future__ import annotations

import html

import streamlit as st

from domain.config import settings
from ui import queries
from ui.i18n import t
from ui.text import escape

# Pages that write, or exist to lead to a write: served by the writer only.
WRITE_PAGES = frozenset({"entry", "review", "users", "register", "mail", "backup", "my_submissions", "authoring"})


def reader() -> bool:
    return queries.role() == "reader"


def writer_url(path: str = "") -> str:
    """The writer's address of `path` (a page's url path, "" for its first page)."""
    return f"{settings().writer_url.rstrip('/')}/{path}"


def snapshot_caption(lang: str) -> None:
    """On a reader: how old the data on this page is, in the sidebar."""
    age = queries.snapshot_age()
    if age is not None:
        st.sidebar.caption(t("processes.snapshot_age", lang, seconds=int(age)))


def send_to_sign_in(lang: str, ended: bool) -> None:
    """A reader has no sign-in form: the person signs in on the writer, whose cookie (path /) this
    process reads on the next visit."""
    st.title(t("app_title", lang))
    if ended:
        st.info(t("session_ended", lang))
    st.link_button(t("processes.sign_in_on_writer", lang), writer_url(), type="primary")
    # And the browser goes there by itself: a refresh element takes effect when it is inserted.
    st.markdown(f'<meta http-equiv="refresh" content="2; url={html.escape(writer_url(), quote=True)}">',
                unsafe_allow_html=True)


def sign_out_link(lang: str) -> None:
    st.sidebar.link_button(t("sign_out", lang), writer_url())


def write_links(names: list[str], titles: dict[str, tuple[str, str]], lang: str) -> None:
    """The role's write pages, as links to the writer, under the reading pages' menu."""
    if not names:
        return
    st.sidebar.caption(t("processes.on_writer", lang))
    for name in names:
        key, url_path = titles[name]
        st.sidebar.markdown(f"[{escape(t(key, lang))}]({writer_url(url_path)})")


def elsewhere(url_path: str, lang: str) -> bool:
    """On a reader, instead of a write form inside a reading page: a link to the same page on the
    writer; returns True (the caller leaves the form out). Elsewhere False: draw the form."""
    if not reader():
        return False
    st.markdown(f"[{escape(t('processes.change_on_writer', lang))}]({writer_url(url_path)})")
    return True
