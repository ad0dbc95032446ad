"""The register page's parts (pages/register.py lays them out): the register as a searchable table,
loading a register file (its plan, its problems, then the write), editing one firm and recording its
events, and creating the firms' accounts with their passwords offered once.

Reads go through ui/queries.py, writes through ui/services.py. Every text a file or a person
supplied is shown in tables (plain text) or escaped (ui/text.py) where Streamlit renders markdown;
downloads go through ui/safe.py. A write leaves a confirmation that stays until the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from domain.access import Identity
from domain.register import Change, RegisterInputError, RegisterPlan, default_effective
from ui import entry, queries, safe, services
from ui.i18n import local_names, md, md_message, org_names, t
from ui.safe import csv_bytes
from ui.services import RegisterRejected

DONE = "register-done"  # session state: the confirmation of the last write, shown until the next
ACCOUNTS = "register-accounts"  # session state: the CSV of new passwords, until dismissed
_PLAN = "register-plan"  # session state: (what was checked, its plan)
EVENTS = [e.value for e in services.OrgEvent]


def confirmation() -> None:
    """The last write's confirmation (it stays until the next write replaces it)."""
    if message := st.session_state.get(DONE):
        st.success(message)


def _done(message: str) -> None:
    st.session_state[DONE] = message
    st.rerun()  # the tables read the store again


def _place_names(version: int, who: Identity, lang: str) -> dict[str, str]:
    places = queries.register_places(version, who)
    return dict(zip(places.org_id, local_names(places.name_zh, places.get("name_en"), lang), strict=True))


def _place_labels(places: pd.DataFrame, lang: str) -> dict[str, str]:
    """'City · place' in the reader's language (a county without an English name stays Chinese)."""
    cities = local_names(places.city_name.fillna(""), places.get("city_name_en"), lang)
    own = local_names(places.name_zh, places.get("name_en"), lang)
    return {o: f"{c} · {n}" for o, c, n in zip(places.org_id, cities, own, strict=True)}


# ------------------------------------------------------------------------------ the register


def register_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The register as shown and downloaded: one row per firm, in the reader's words."""
    return pd.DataFrame({
        t("register.col.name", lang): frame.name_zh,
        t("register.col.code", lang): frame.credit_code,
        t("register.col.parent", lang): org_names(frame.parent_name.fillna(frame.parent_id), lang, queries.catalog()),
        t("register.col.email", lang): frame.contact_email,
        t("register.col.events", lang): frame.events,
        t("register.col.accounts", lang): frame.accounts,
    })


def search(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """The firms whose name, code, park or e-mail contains the query (case-blind, taken literally)."""
    query = query.strip().lower()
    if not query:
        return frame
    hay = (frame.name_zh.fillna("") + "\n" + frame.credit_code.fillna("") + "\n" + frame.parent_name.fillna("")
           + "\n" + frame.parent_id.fillna("") + "\n" + frame.contact_email.fillna("")).str.lower()
    return frame[hay.str.contains(query, regex=False)]


def table_section(who: Identity, version: int, lang: str) -> None:
    frame = queries.register(version, who)
    if frame.empty:
        st.info(t("register.empty", lang))
        return
    query = st.text_input(t("register.search", lang), key="register-search")
    shown = search(frame, query)
    st.caption(t("register.shown", lang, shown=len(shown), total=len(frame)))
    table = register_table(shown, lang)
    st.dataframe(safe.shown(table), hide_index=True, placeholder="—", width="stretch")
    st.download_button(t("register.download", lang), csv_bytes(register_table(frame, lang)), "register.csv", "text/csv")


# ------------------------------------------------------------------------------- the import


def checked_register(who: Identity, name: str, data: bytes, effective: dt.date) -> RegisterPlan:
    """A register file's plan, computed once per content, date and state of the store (the page runs
    again at every click while the file sits in the uploader)."""
    key = (who.username, name, hashlib.sha256(data).hexdigest(), effective, queries.data_version())
    kept = st.session_state.get(_PLAN)
    if kept is not None and kept[0] == key:
        return kept[1]
    plan = services.check_register(who, name, data, effective)
    st.session_state[_PLAN] = (key, plan)
    return plan


def _changes(c: Change, places: dict[str, str], lang: str) -> str:
    def shown(field: str, value: str | None) -> str:
        return "—" if not value else places.get(value, value) if field == "parent" else value
    old = {"name": c.before.name, "parent": c.before.parent, "email": c.before.email}
    new = {"name": c.entry.name, "parent": c.entry.parent, "email": c.entry.email}
    return ("；" if lang == "zh" else "; ").join(
        t("register.change", lang, field=t(f"register.field.{f}", lang), old=shown(f, old[f]), new=shown(f, new[f]))
        for f in c.fields)


def plan_tables(plan: RegisterPlan, places: dict[str, str], lang: str) -> dict[str, pd.DataFrame]:
    """The plan's four lists as tables (plain text: st.dataframe shows a file's text as it is)."""
    col = {k: t(f"register.col.{k}", lang) for k in ("row", "name", "code", "parent", "email", "effective", "fields")}
    return {
        "added": pd.DataFrame([{col["row"]: e.row, col["name"]: e.name, col["code"]: e.credit_code,
                                col["parent"]: places.get(e.parent, e.parent), col["email"]: e.email,
                                col["effective"]: e.effective.isoformat()} for e in plan.added]),
        "changed": pd.DataFrame([{col["row"]: c.entry.row, col["name"]: c.entry.name, col["code"]: c.entry.credit_code,
                                  col["fields"]: _changes(c, places, lang)} for c in plan.changed]),
        "unchanged": pd.DataFrame([{col["row"]: e.row, col["name"]: e.name, col["code"]: e.credit_code}
                                   for e in plan.unchanged]),
        "absent": pd.DataFrame([{col["name"]: f.name, col["code"]: f.credit_code,
                                 col["parent"]: places.get(f.parent or "", f.parent)} for f in plan.absent]),
    }


def import_section(who: Identity, version: int, lang: str) -> None:
    st.caption(t("register.file_help", lang))
    effective = st.date_input(t("register.effective", lang), value=default_effective(dt.date.today()),
                              help=t("register.effective_help", lang), key="register-effective")
    entry.hide_uploader_words("register-upload-box", lang)
    with st.container(key="register-upload-box"):
        upload = st.file_uploader(t("register.upload", lang), type=["csv", "xlsx"], key="register-upload")
    if upload is None:
        return
    plan = checked_register(who, upload.name, upload.getvalue(), effective)
    # The problems first, above anything that could be pressed.
    if plan.problems:
        shown = sorted(plan.problems, key=lambda p: (p.row or 0, p.severity.value))[:entry.MAX_SHOWN]
        st.table(entry.problems_table(shown, lang).set_index(t("severity", lang)))
        if len(plan.problems) > entry.MAX_SHOWN:
            st.caption(t("more_problems", lang, n=len(plan.problems) - entry.MAX_SHOWN))
    if plan.errors:
        st.error(t("register.refused", lang, n=len(plan.errors)))
        return
    if plan.warnings:
        st.warning(t("register.warnings", lang, n=len(plan.warnings)))
    counts = plan.counts()
    for column, kind in zip(st.columns(4), counts, strict=True):
        column.metric(t(f"register.count.{kind}", lang), counts[kind])
    tables = plan_tables(plan, _place_names(version, who, lang), lang)
    for kind, table in tables.items():
        if not table.empty:
            with st.expander(f"{t(f'register.count.{kind}', lang)} ({len(table)})", expanded=kind != "unchanged"):
                if kind == "absent":
                    st.caption(t("register.absent_note", lang))
                st.dataframe(safe.shown(table), hide_index=True, placeholder="—", width="stretch")
    if not (plan.added or plan.changed):
        st.info(t("register.nothing_to_apply", lang))
        return
    if st.button(t("register.apply", lang), type="primary", key="register-apply"):
        try:
            done = services.import_register(who, upload.name, upload.getvalue(), effective)
        except RegisterRejected as e:  # the store changed under the plan: show what is wrong now
            st.session_state.pop(_PLAN, None)
            st.error(t("register.refused", lang, n=len(e.plan.errors)))
            return
        _done(md("register.applied", lang, file=upload.name, **{k: v for k, v in done.counts().items()
                                                                   if k != "absent"}))


# --------------------------------------------------------------------------- one firm at a time


def edit_section(who: Identity, version: int, lang: str) -> None:
    frame = queries.register(version, who)
    if frame.empty:
        st.info(t("register.empty", lang))
        return
    names = dict(zip(frame.org_id, frame.name_zh + " · " + frame.credit_code.fillna(""), strict=True))
    org = st.selectbox(t("register.edit.firm", lang), list(frame.org_id), format_func=names.get, key="register-firm")
    firm = frame[frame.org_id == org].iloc[0]
    a, b = st.columns(2)
    name = a.text_input(t("register.edit.name", lang), value=firm.name_zh, max_chars=200, key=f"register-name-{org}")
    email = b.text_input(t("register.edit.email", lang), value=firm.contact_email or "", key=f"register-email-{org}")
    if st.button(t("register.edit.save", lang), key="register-save"):
        try:
            services.edit_org(who, org, name=name, email=email)
        except RegisterInputError as e:
            st.error(md_message(e.reason, lang))
        else:
            _done(md("register.edit.saved", lang, org=name.strip()))

    st.subheader(t("register.event.kind", lang))
    places = queries.register_places(version, who)
    label = _place_labels(places, lang)
    a, b = st.columns(2)
    event = a.selectbox(t("register.event.kind", lang), EVENTS, format_func=lambda e: t(f"register.event.{e}", lang),
                        key="register-event")
    on = b.date_input(t("register.event.date", lang), value=dt.date.today(), key="register-event-on")
    to = None
    if event == services.OrgEvent.MOVED.value:
        choices = [p for p in places.org_id if p != firm.parent_id]
        to = st.selectbox(t("register.event.to", lang), choices, format_func=label.get, key="register-event-to")
    note = st.text_input(t("register.event.note", lang), max_chars=500, key="register-event-note")
    if st.button(t("register.event.record", lang), type="primary", key="register-event-record"):
        try:
            services.record_org_event(who, org, event, on, to_parent=to, note=note)
        except RegisterInputError as e:
            st.error(md_message(e.reason, lang))
        else:
            _done(md("register.event.recorded", lang, org=firm.name_zh, event=t(f"register.event.{event}", lang),
                     date=on.isoformat()))
    events_table(queries.org_events(version, who, org), _place_names(version, who, lang), lang)


def place_email_section(who: Identity, version: int, lang: str) -> None:
    """A park's or district's own contact e-mail: where notices of its own submissions go when its
    submitter has no address of their own."""
    st.subheader(t("register.place_email", lang))
    places = queries.register_places(version, who)
    if places.empty:
        return
    label = _place_labels(places, lang)
    a, b = st.columns(2)
    place = a.selectbox(t("register.place", lang), list(places.org_id), format_func=label.get,
                        key="register-place")
    stored = places.contact_email[places.org_id == place].iloc[0]
    email = b.text_input(t("register.edit.email", lang), value=stored if isinstance(stored, str) else "",
                         key=f"register-place-email-{place}")
    if st.button(t("register.edit.save", lang), key="register-place-save"):
        try:
            services.set_contact_email(who, place, email)
        except RegisterInputError as e:
            st.error(md_message(e.reason, lang))
        else:
            _done(md("register.edit.saved", lang, org=places.name_zh[places.org_id == place].iloc[0]))

def events_table(events: pd.DataFrame, places: dict[str, str], lang: str) -> None:
    st.caption(t("register.event.history", lang))
    if events.empty:
        st.caption(t("register.event.none", lang))
        return
    st.dataframe(safe.shown(pd.DataFrame({
        t("register.col.effective", lang): events.effective.astype(str),
        t("register.col.event", lang): [t(f"register.event.{e}", lang) for e in events.event],
        t("register.col.from", lang): [places.get(p, p) if isinstance(p, str) else None for p in events.from_parent],
        t("register.col.to", lang): [places.get(p, p) if isinstance(p, str) else None for p in events.to_parent],
        t("register.col.note", lang): events.note,
        t("register.col.by", lang): events.entered_by,
    })), hide_index=True, placeholder="—", width="stretch")


# ---------------------------------------------------------------------------------- accounts


def accounts_csv(accounts: list[services.NewAccount], lang: str) -> bytes:
    """The new accounts and their passwords, for the administrator to hand over (formula-safe)."""
    return csv_bytes(pd.DataFrame({
        t("register.col.username", lang): [a.username for a in accounts],
        t("register.col.name", lang): [a.org_name for a in accounts],
        t("register.col.code", lang): [a.credit_code or "" for a in accounts],
        t("register.col.email", lang): [a.contact_email for a in accounts],
        t("register.col.password", lang): [a.password for a in accounts],
    }))


def accounts_section(who: Identity, version: int, lang: str) -> None:
    places = queries.register_places(version, who)
    label = _place_labels(places, lang)
    scope = st.selectbox(t("register.accounts.scope", lang), [None, *places.org_id],
                         format_func=lambda p: t("register.accounts.all", lang) if p is None else label[p],
                         key="register-accounts-scope")
    by_email = queries.mail_server() is not None and st.checkbox(t("register.accounts.by_email", lang),
                                                                 key="register-accounts-email")
    if st.button(t("register.accounts.create", lang), key="register-accounts-create"):
        existing = int((queries.register(version, who, scope).accounts > 0).sum())
        created = services.create_accounts_for_register(who, scope)
        said = (t("register.accounts.created", lang, n=len(created), existing=existing) if created
                else t("register.accounts.none", lang))
        if by_email and created:
            mailed, failed = services.send_account_notices(who, created)
            created = [a for a in created if a.org_id not in mailed]  # their passwords are in their mailboxes
            said += " " + t("register.accounts.mailed", lang, sent=len(mailed), failed=failed, rest=len(created))
        st.session_state[ACCOUNTS] = accounts_csv(created, lang) if created else None
        _done(said)
    if (passwords := st.session_state.get(ACCOUNTS)) is not None:
        st.warning(t("register.accounts.note", lang))
        a, b = st.columns(2)
        a.download_button(t("register.accounts.download", lang), passwords, "accounts.csv", "text/csv",
                          type="primary", key="register-accounts-download")
        if b.button(t("register.accounts.discard", lang), key="register-accounts-discard"):
            st.session_state[ACCOUNTS] = None
            st.rerun()
