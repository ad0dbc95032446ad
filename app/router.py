"""The Streamlit app's router: sign-in gate, role-based pages, language switch, as-of quarter, demo badge.

`dashboard.py` (what `streamlit run` is given) calls `run()` on every script run; living in a
package puts the router inside the import contracts like every other layer. Each page is a file in
pages/, registered by path: the router never imports a page.
"""

import datetime as dt
import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from domain import policy
from ui import auth, components, media, ops, processes, queries, url
from ui.i18n import LANGS, localized, t

ROOT = Path(__file__).resolve().parent.parent  # the checkout: pages/ lies beside dashboard.py

EARLIEST_AS_AT = dt.date(2000, 1, 1)  # before any plan's base year

SPEC = {  # name: (script, title key, icon, url path)
    "overview": ("pages/overview.py", "overview", ":material/dashboard:", "overview"),
    "plan": ("pages/plan.py", "plan_detail", ":material/analytics:", "plan"),
    "plans": ("pages/plans.py", "plan_list", ":material/list_alt:", "plans"),
    "park": ("pages/park.py", "park", ":material/apartment:", "park"),
    "my_data": ("pages/my_data.py", "my_data", ":material/edit_note:", "my-data"),
    "users": ("pages/users.py", "users", ":material/group:", "users"),
    "entry": ("pages/entry.py", "entry", ":material/upload_file:", "entry"),
    "review": ("pages/review.py", "review", ":material/fact_check:", "review"),
    "reporting": ("pages/reporting.py", "reporting", ":material/checklist:", "reporting"),
    "export": ("pages/export.py", "export", ":material/description:", "export"),
    "backup": ("pages/backup.py", "backup", ":material/backup:", "backup"),
    "tasks": ("pages/tasks.py", "tasks_page", ":material/task_alt:", "tasks"),
    "bases": ("pages/bases.py", "bases_page", ":material/domain:", "bases"),
    "incentives": ("pages/incentives.py", "incentives_page", ":material/military_tech:", "incentives"),
    "my_submissions": ("pages/my_submissions.py", "my_submissions", ":material/inbox:", "my-submissions"),
    "register": ("pages/register.py", "register_page", ":material/badge:", "register"),
    "mail": ("pages/mail.py", "mail_page", ":material/mail:", "mail"),
    "compare": ("pages/compare.py", "compare_page", ":material/compare_arrows:", "compare"),
    "authoring": ("pages/authoring.py", "authoring_page", ":material/post_add:", "authoring"),
}

def landing_page(name: str | None, lang: str) -> st.Page:
    """The bare URL. Streamlit serves its default page only at "/", so a role's landing page is
    run here by path while its own URL (/park …) keeps working for bookmarks and links."""
    if name is None:
        return st.Page(lambda: None, title=t("app_title", lang), default=True, visibility="hidden")
    script = ROOT / SPEC[name][0]
    return st.Page(lambda: runpy.run_path(str(script)), title=t(SPEC[name][1], lang), url_path="home",
                   default=True, visibility="hidden")


def run() -> None:
    """One script run: the store check, the sign-in, the sidebar, then the chosen page."""
    if PagesManager.uses_pages_directory:
        # A server process's very first run: Streamlit sees a pages/ folder beside the script and
        # runs it in its old pages-directory mode until st.navigation is first called, so the
        # widgets of that run get other ids than in every later run, and the sign-in form drawn in
        # it would drop its first submission. The pages are ours (registered below by path), so
        # leave that mode before drawing anything and start the run again in the normal one.
        PagesManager.uses_pages_directory = False
        st.rerun()
    # The language radio below sets the page's language, but the page config comes first: the
    # radio's value from the run before (Chinese, its first option, on the very first run; or the
    # URL's lang= on that run, a bookmark or a reload).
    url.adopt("lang", "lang", {code: code for code in LANGS}, fresh="lang" not in st.session_state)
    st.set_page_config(page_title=t("app_title", st.session_state.get("lang", next(iter(LANGS)))), layout="wide")
    # A fixed bilingual label: a label that changed with the language would make a new widget.
    lang = st.sidebar.radio("语言 / Language", list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
    queries.begin_run()  # a reader process: the newest published snapshot, for the whole run
    if (problem := queries.store_problem()) is not None:  # a damaged, newer or busy store: a plain page, never a traceback
        ops.store_unavailable(problem, lang)
        st.stop()
    version = queries.data_version()
    if queries.is_demo(version):
        st.sidebar.warning(t("demo_badge", lang))

    pages = {name: st.Page(path, title=t(key, lang), icon=icon, url_path=url) for name, (path, key, icon, url) in SPEC.items()}


    who = auth.sign_in(lang)
    st.session_state["identity"] = who
    if who is None:
        # Every page is registered, hidden, and none runs: a URL naming a page (a bookmark, a
        # reload) survives the sign-in instead of ending in "page not found", and the bare URL
        # stays bare so that it lands on the role's own first page once signed in.
        st.navigation([landing_page(None, lang), *pages.values()], position="hidden")
        st.stop()
    st.sidebar.title(t("app_title", lang))
    plans = queries.visible_plans(who)
    catalog = queries.catalog()
    # The URL's plan and quarter are taken on the first signed-in run (a reload or a bookmark) and
    # on back/forward; later the widgets lead and the URL follows them.
    fresh = "url_read" not in st.session_state
    st.session_state["url_read"] = True
    url.adopt("plan", "plan_id", {p: p for p in plans}, fresh=fresh)  # a plan this user may open, or nothing
    if plans:
        plan_id = st.sidebar.selectbox(t("plan", lang), plans, key="plan_id",
                                       format_func=lambda p: localized(catalog.plans[p], "title", lang))
        scope = who.scope_org_id or catalog.plans[plan_id].scope
    else:
        scope = who.scope_org_id
    periods = queries.periods(version, scope)[::-1]
    # Keyed by scope: choosing another plan starts at the quarter that plan is read at (its latest
    # quarter with data within its horizon).
    if periods:
        start = catalog.plans[plan_id].reading_quarter(periods) if plans else periods[0]
        key = f"as_of-{scope}"
        url.adopt("q", key, {str(p): p for p in periods}, fresh=fresh)  # a quarter offered here, or nothing
        # The default through session state rather than index=: a value put there from the URL
        # beside an index would draw Streamlit's "default value and Session State" warning.
        if st.session_state.get(key) not in periods:
            st.session_state[key] = start
        st.session_state["as_of_period"] = st.sidebar.selectbox(
            t("as_of", lang), periods, key=key, format_func=lambda p: components.period_label(p, lang))
    else:
        st.session_state["as_of_period"] = None
    as_of = st.session_state["as_of_period"]
    if plans and st.query_params.get("plan", plan_id) != plan_id:  # another plan chosen: the URL's park and
        url.write({"park": None, "target": None, "firm": None})    # target are of the one before
    url.write({"lang": lang, "plan": plan_id if plans else None, "q": str(as_of) if as_of else None})
    # As it stood on a date: every judgment then reads the figures published by its end (revisions
    # after it are ignored), so last quarter's briefing can be produced again as it was.
    # (Streamlit's default earliest date is ten years back, which would put the 2011 plans out of reach.)
    st.sidebar.date_input(t("as_at_pick", lang), value=None, min_value=EARLIEST_AS_AT, max_value=dt.date.today(),
                          key="as_at", format="YYYY-MM-DD", help=t("as_at_help", lang))
    media.style()  # print and phone: no sidebar on paper; below 640 px the pickers' copy at the top
    media.phone_pickers(plans, lambda p: localized(catalog.plans[p], "title", lang), "plan_id", periods,
                        lambda p: components.period_label(p, lang), f"as_of-{scope}" if periods else None, lang)

    names = policy.pages(who.role)  # the role's pages, its landing page first
    if processes.reader():  # nothing here writes: those pages are links to the writer
        processes.write_links([n for n in names if n in processes.WRITE_PAGES],
                              {n: (SPEC[n][1], SPEC[n][3]) for n in names}, lang)
        names = tuple(n for n in names if n not in processes.WRITE_PAGES)
        processes.snapshot_caption(lang)
    try:
        # expanded: every page listed, not Streamlit's English "View 5 more" (it has no other words)
        st.navigation([landing_page(names[0] if names else None, lang), *(pages[name] for name in names)],
                      expanded=True).run()
    finally:  # also when the page stops early (st.stop): the URL still names the view
        url.flush()
