"""The quarterly entry form and the upload, between the widgets and the ingest path.

The form's values become tidy rows (ui/services.py `form_rows`), and both go through ui/services.py
(`check_rows` / `check_file`, then `submit`:
service/commands.py over store/ingest.py), the same path as `manage.py import`, so a figure is
accepted or refused the same way wherever it comes from. Submissions from the app wait for a
reviewer (status pending).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from domain.access import AuthorizationError, Identity
from domain.models import Indicator, OrgKind
from domain.observation import ObsStatus
from domain.periods import Period, last_complete_quarter
from domain.validation import Problem, Severity, explanation_missing
from ui import queries, services
from ui.format import period_label
from ui.i18n import md_message, t
from ui.services import Checked
from ui.text import escape

MAX_SHOWN = 200


def form_indicators(kind: str) -> list[Indicator]:
    """The rows of the form an organisation of this kind fills in: the MIIT rows for an enterprise,
    the park indicators for a park."""
    cat = queries.catalog()
    wanted = OrgKind.ENTERPRISE if kind == "enterprise" else OrgKind.PARK
    rows = [i for i in cat.indicators.values() if i.reported_by == wanted]
    return sorted(rows, key=lambda i: (i.code is None, i.code or "", i.indicator_id))


STATUSES = list(ObsStatus)  # the form's status select, A (normal) first


def with_published(rows: pd.DataFrame, yoy: dict[str, float | None], status: str,
                   published_on: dt.date | None) -> pd.DataFrame:
    """The form's tidy rows with what a bureau publishes beside a figure: each row's 同比 as typed (in
    percent, blank where none), the status and publication date chosen for the whole form."""
    out = rows.copy()
    out["yoy"] = [("" if (x := yoy.get(i)) is None else repr(x)) for i in out["indicator"]]
    out["status"] = status
    out["published_on"] = "" if published_on is None else published_on.isoformat()
    return out


def reporting_periods(today: dt.date | None = None, back: int = 12) -> list[Period]:
    """The quarters one may report: the last complete one and those before it, newest first (the
    quarter under way has no year-to-date figure yet; validation refuses it)."""
    p = last_complete_quarter(today or dt.date.today())
    out = []
    for _ in range(back):
        out.append(p)
        p = p.previous()
    return out


def problems_table(problems: list[Problem], lang: str) -> pd.DataFrame:
    """Problems for st.table, which renders markdown: a column name or cell from the file is
    escaped, and so is every parameter of a reason (its catalog words are not)."""
    return pd.DataFrame([{
        t("severity", lang): t("error", lang) if p.severity == Severity.ERROR else t("warning", lang),
        t("row", lang): p.row, t("column", lang): None if p.column is None else escape(p.column),
        t("cell_value", lang): None if p.value is None else escape(p.value),
        t("reason", lang): md_message(p.reason, lang),
    } for p in problems])


def checked_or_refused(check, lang: str) -> Checked | None:
    """Run a validation; a file naming organisations outside the user's scope is refused whole."""
    try:
        return check()
    except AuthorizationError:
        st.error(t("not_allowed_write", lang))
        return None


_UPLOAD_CHECK = "upload-check"  # session state: (what was checked, its outcome)


def checked_upload(who: Identity, name: str, data: bytes, lang: str) -> Checked | None:
    """An uploaded file checked once per content and state of the store. The page runs again on
    every widget change while the file sits in the uploader (typing the explanation, pressing
    submit); checking it again each time would hold a worker each time, so one user's two tabs
    could keep every worker busy. A write anywhere changes the data version and so checks anew."""
    key = (who.username, name, hashlib.sha256(data).hexdigest(), queries.data_version())
    kept = st.session_state.get(_UPLOAD_CHECK)
    if kept is not None and kept[0] == key:
        return kept[1]
    checked = checked_or_refused(
        lambda: services.check_file(who, name, data, waiting=lambda: st.info(t("upload_waiting", lang))), lang)
    st.session_state[_UPLOAD_CHECK] = (key, checked) if checked is not None else None
    return checked


def submit_checked(checked: Checked, who: Identity, origin: str, explanation: str, lang: str) -> None:
    """Show the problems, or submit as pending and say so."""
    if checked.problems:
        # A plain table (not the canvas grid): every message stays selectable, printable and findable.
        shown = list(checked.problems)[:MAX_SHOWN]
        st.table(problems_table(shown, lang).set_index(t("severity", lang)))
        if len(checked.problems) > MAX_SHOWN:
            st.caption(t("more_problems", lang, n=len(checked.problems) - MAX_SHOWN))
    if checked.errors:
        st.error(t("rejected", lang, n=len(checked.errors)))
        return
    if explanation_missing(checked.problems, explanation):
        st.warning(t("explain_first", lang))
        return
    try:
        sub = services.submit(who, checked, origin, explanation)
    except AuthorizationError:
        st.error(t("not_allowed_write", lang))
        return
    st.success(t("submitted", lang, id=sub, n=len(checked.rows)))


def tidy_template() -> bytes:
    """The tidy layout's template (org, period, indicator, value, unit) as CSV."""
    return queries.tidy_template()


def wide_template() -> bytes:
    """The MIIT enterprise form laid out wide, titled with last quarter's period, as XLSX."""
    codes = [(i.code, i.name_zh) for i in form_indicators("enterprise") if i.code]
    return queries.wide_template(codes, period_label(reporting_periods()[0], "zh"))  # the MIIT form is in Chinese
