"""The quarterly entry form and the upload, between the widgets and the ingest path.

The form's values become tidy rows (ui/services.py `form_rows`), and both go through ui/services.py
(`check_rows` / `check_file`, then `submit`:
service/commands.py over store/ingest.py), the same path as `manage.py import`, so a figure is
accepted or refused the same way wherever it comes from. Submissions from the app wait for a
reviewer (status pending).

The submitter's side of the reporting cycle (issue 17) lives here too. The form opens on the last
complete quarter with its deadline beside it; the same intent sent twice is answered "already
submitted as №N" (store/submissions.py); after a submission the form is emptied — its widget keys
carry a counter bumped on success — and the outcome stays on screen until the next action. A
returned submission is corrected through this same form: 我的报送 calls `start_correction`, and the
form opens on its organisation and quarter, filled with its figures, and submits a new submission
that answers it. The upload shows what it would write in the user's words (names, indicator names
and units, period labels, formatted values) with its problems above the submit button.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from domain.access import AuthorizationError, Identity
from domain.growth import change
from domain.models import Indicator, OrgKind
from domain.observation import ObsStatus
from domain.periods import Period, last_complete_quarter
from domain.validation import Problem, Severity, explanation_missing
from ui import queries, services, tables
from ui.context import PageContext
from ui.format import pct, period_label
from ui.i18n import local_names, localized, md, md_message, t
from ui.services import AlreadySubmitted, Checked
from ui.text import escape

MAX_SHOWN = 200
UPLOAD_MB = queries.upload_limit_mb()  # the uploader's own limit: the reader's (.streamlit/config.toml says the same)

# Session state of the entry page. FORM: a counter in every widget key of the form and the upload,
# bumped after a submission, so the next run shows them empty. NOTICE: the outcome of the last
# submission, (kind, text), shown until the next action. CORRECTING: the returned submission the
# form is correcting.
FORM = "entry-form"
NOTICE = "entry-notice"
CORRECTING = "entry-correcting"


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


def deadline_note(period: Period, days: int, lang: str, today: dt.date | None = None) -> str:
    """The quarter's reporting deadline (`days` after it ends), and whether it has passed."""
    due = period.deadline(days)
    passed = due < (today or dt.date.today())
    return t("submitter.deadline_passed" if passed else "submitter.deadline", lang, date=due.isoformat())


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


def _by_row(problems) -> list[Problem]:
    """Problems in the order a reader goes through the file: by row (whole-file ones first), errors
    before warnings on a row, in the order found otherwise."""
    return sorted(problems, key=lambda p: (p.row is not None, p.row or 0, p.severity != Severity.ERROR))


def show_problems(checked: Checked, lang: str) -> None:
    """The problems of a check, sorted by row, in a plain table (not the canvas grid: every message
    stays selectable, printable and findable); a refused one says that nothing will be written."""
    if checked.problems:
        shown = _by_row(checked.problems)[:MAX_SHOWN]
        st.table(problems_table(shown, lang).set_index(t("severity", lang)))
        if len(checked.problems) > MAX_SHOWN:
            st.caption(t("more_problems", lang, n=len(checked.problems) - MAX_SHOWN))
    if checked.errors:
        st.error(t("rejected", lang, n=len(checked.errors)))


def submit_checked(checked: Checked, who: Identity, origin: str, explanation: str, lang: str, *,
                   answers: int | None = None) -> int | None:
    """Show the problems, or submit as pending and say so; returns the new submission's number,
    None when nothing was written (the outcome is on screen: refused, explanation missing, or the
    same intent already submitted — as №N)."""
    show_problems(checked, lang)
    if checked.errors:
        return None
    if explanation_missing(checked.problems, explanation):
        st.warning(t("explain_first", lang))
        return None
    try:
        sub = services.submit(who, checked, origin, explanation, answers=answers)
    except AuthorizationError:
        st.error(t("not_allowed_write", lang))
        return None
    except AlreadySubmitted as e:
        _notice("info", md_message(e.reason, lang))
        return None
    _notice("success", _submitted(sub, len(checked.rows), answers, lang))
    return sub


def _submitted(sub: int, n: int, answers: int | None, lang: str) -> str:
    if answers is None:
        return t("submitted", lang, id=sub, n=n)
    return t("submitter.submitted_correction", lang, id=sub, n=n, answers=answers)


# ---------------------------------------------------------------- the page's state across runs


def _form_no() -> int:
    return int(st.session_state.get(FORM, 0))


def _notice(kind: str, text: str) -> None:
    """The outcome of a submission: shown now, and kept until the next action."""
    st.session_state[NOTICE] = (kind, text)
    getattr(st, kind)(text)


def clear_notice() -> None:
    """Every widget of the form and the upload calls this on change: the next action ends the notice."""
    st.session_state.pop(NOTICE, None)


def show_notice() -> None:
    """The last submission's outcome, if no action has been taken since."""
    if kept := st.session_state.get(NOTICE):
        kind, text = kept
        getattr(st, kind)(text)


def _fresh_form() -> None:
    """Empty the form and the uploader: new widget keys on the next run."""
    st.session_state[FORM] = _form_no() + 1


def start_correction(submission_id: int) -> None:
    """Open the form on a returned submission (我的报送's 更正): its organisation, quarter and figures."""
    st.session_state[CORRECTING] = int(submission_id)
    clear_notice()
    _fresh_form()


def _end_correction() -> None:
    st.session_state.pop(CORRECTING, None)
    clear_notice()
    _fresh_form()


@dataclass(frozen=True)
class Correction:
    """The returned submission the form is correcting: its number, the reviewer's comment, its
    explanation and its figures at the submitter's organisations."""

    submission_id: int
    comment: str | None
    explanation: str | None
    figures: pd.DataFrame

    def at(self, org_id: str, period: Period) -> pd.DataFrame:
        f = self.figures
        return f[(f.org_id == org_id) & (f.year == period.year) & (f.quarter == period.quarter)]

    @property
    def first(self) -> tuple[str, Period]:
        row = self.figures.iloc[0]
        return str(row.org_id), Period(int(row.year), int(row.quarter))


def correction(ctx: PageContext, version: int) -> Correction | None:
    """The returned submission being corrected, with its banner and a way out; None when there is
    none (or it is no longer returned, or no longer the user's to see)."""
    sub = st.session_state.get(CORRECTING)
    if sub is None:
        return None
    mine = queries.my_submissions(version, ctx.who)
    row = mine[mine.submission_id == sub]
    if row.empty or row.status.iloc[0] != "returned":
        st.session_state.pop(CORRECTING, None)
        return None
    row = row.iloc[0]
    comment = None if pd.isna(row.review_comment) else str(row.review_comment)
    found = Correction(int(sub), comment, None if pd.isna(row.explanation) else str(row.explanation),
                       queries.my_submission_figures(version, ctx.who, int(sub)))
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.warning(md("submitter.correcting", ctx.lang, id=found.submission_id, comment=comment or "—"))
    right.button(t("submitter.cancel_correction", ctx.lang), on_click=_end_correction, key="cancel-correction")
    return found


# ---------------------------------------------------------------------------------- the form


def _number(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def form(ctx: PageContext, version: int, orgs: pd.DataFrame, fix: Correction | None) -> None:
    """The quarterly form: one organisation, one quarter, the rows of its kind's form; pre-filled
    with the figures in force, or with a returned submission's figures when correcting it."""
    n = _form_no()
    names = dict(zip(orgs.org_id, local_names(orgs.name_zh, orgs.get("name_en"), ctx.lang), strict=True))
    ids = list(orgs.org_id)
    periods = reporting_periods()
    org_at, period_at = 0, 0
    if fix is not None:
        first_org, first_period = fix.first
        org_at = ids.index(first_org) if first_org in ids else 0
        if first_period not in periods:
            periods = sorted({*periods, first_period}, key=lambda p: p.ordinal, reverse=True)
        period_at = periods.index(first_period)
    left, right = st.columns([3, 1])
    org = left.selectbox(t("org", ctx.lang), ids, index=org_at, format_func=names.get, key=f"form-org-{n}",
                         on_change=clear_notice)
    period = right.selectbox(t("quarter", ctx.lang), periods, index=period_at, key=f"form-period-{n}",
                             format_func=lambda p: period_label(p, ctx.lang), on_change=clear_notice)
    right.caption(deadline_note(period, queries.report_deadline_days(version), ctx.lang))
    kind = orgs.kind[orgs.org_id == org].iloc[0]
    indicators = form_indicators(kind)
    known = queries.known_values(version, ctx.who, org, (period, period.same_period_last_year()))
    given = fix.at(org, period) if fix is not None else None
    if given is not None and not given.empty:  # the returned figures, not those in force
        start = {i: _number(v) for i, v in zip(given.indicator_id, given.value, strict=True)}
        start_yoy = {i: None if (g := _number(v)) is None else round(g * 100, 6)
                     for i, v in zip(given.indicator_id, given.yoy, strict=True)}
        status_start = str(given.obs_status.iloc[0] or "A")
        day = given.published_on.dropna()
        published_start = None if day.empty else pd.Timestamp(day.iloc[0]).date()
    else:
        start = {ind.indicator_id: known.get((ind.indicator_id, period.year, period.quarter)) for ind in indicators}
        start_yoy, status_start, published_start = {}, "A", None
    typed: dict[str, float | None] = {}
    published: dict[str, float | None] = {}  # 同比 as the bureau published it, in percent
    for ind in indicators:
        a, b, c, d = st.columns([3, 1.2, 0.8, 1], vertical_alignment="bottom")
        name = f"{ind.code or ''} {localized(ind, 'name', ctx.lang)}".strip()
        label = t("format.with_unit", ctx.lang, label=name, unit=ind.unit)
        typed[ind.indicator_id] = a.number_input(label, value=start.get(ind.indicator_id),
                                                 min_value=None if ind.allow_negative else 0.0, format="%.2f",
                                                 key=f"in-{n}-{org}-{period}-{ind.indicator_id}", on_change=clear_notice)
        before = known.get((ind.indicator_id, period.year - 1, period.quarter))
        b.caption(t("format.labelled", ctx.lang, label=t("last_year", ctx.lang),
                    value="—" if before is None else f"{before:,.2f}"))
        now = typed[ind.indicator_id]
        c.caption(f"{t('yoy', ctx.lang)} {pct(change(now, before))}")
        published[ind.indicator_id] = d.number_input(t("entry_yoy", ctx.lang), value=start_yoy.get(ind.indicator_id),
                                                     format="%.1f", help=t("entry_yoy_help", ctx.lang),
                                                     key=f"yoy-{n}-{org}-{period}-{ind.indicator_id}",
                                                     on_change=clear_notice)
    left, right = st.columns(2)
    codes = [s.value for s in STATUSES]
    status = left.selectbox(t("entry_status", ctx.lang), STATUSES,
                            index=codes.index(status_start) if status_start in codes else 0,
                            format_func=lambda s: f"{s.value} {t(f'obs_status.{s.value}', ctx.lang)}",
                            key=f"form-status-{n}", on_change=clear_notice)
    published_on = right.date_input(t("entry_published_on", ctx.lang), value=published_start, max_value=dt.date.today(),
                                    help=t("entry_published_on_help", ctx.lang), key=f"form-published-on-{n}",
                                    on_change=clear_notice)
    explanation = st.text_area(t("explanation", ctx.lang), value=(fix.explanation if fix else None) or "",
                               key=f"form-explanation-{n}", on_change=clear_notice)
    if st.button(t("check_submit", ctx.lang), type="primary", key="form-submit", on_click=clear_notice):
        rows = with_published(services.form_rows(org, period, typed, indicators), published, status.value,
                              published_on)
        if rows.empty:
            st.warning(t("nothing_to_submit", ctx.lang))
            return
        checked = checked_or_refused(lambda: services.check_rows(ctx.who, t("form_tab", ctx.lang), rows), ctx.lang)
        if checked is None:
            return
        submit_checked(checked, ctx.who, "form", explanation, ctx.lang,
                       answers=fix.submission_id if fix is not None else None)
        if NOTICE in st.session_state:  # written, or found already written (the press itself cleared it)
            _after_submit()


def _after_submit() -> None:
    """A submission was written (or found already made): empty the form, end a correction, and run
    again — the notice stays."""
    st.session_state.pop(CORRECTING, None)
    _fresh_form()
    st.rerun()


# -------------------------------------------------------------------------------- the upload

# The uploader's own words are Streamlit's, in English ("Upload", "50MB per file • CSV, XLSX"), and
# cannot be set (st.file_uploader in 1.67 takes a label and a size limit only). A scoped rule hides
# them: the size line, and the button's word, which is replaced by ours (catalog text, never user text).
_UPLOADER_CSS = """<style>
.st-key-{box} [data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
.st-key-{box} [data-testid="stFileUploaderDropzone"] button p,
.st-key-{box} [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{ display: none; }}
.st-key-{box} [data-testid="stFileUploaderDropzone"] button::after {{ content: "{button}"; }}
</style>"""


def hide_uploader_words(box: str, lang: str) -> None:
    """Streamlit's file uploader writes "Drag and drop file here", "Limit 200MB per file" and
    "Browse files" in English whatever the page's language, with no parameter to change them: the
    uploader inside container `box` shows the catalog's button word instead and no instructions
    (the caller says what to drop in its own caption)."""
    st.html(_UPLOADER_CSS.format(box=box, button=t("submitter.upload_button", lang).replace('"', "")))


def tidy_template(orgs: pd.DataFrame) -> bytes:
    """The tidy layout's template, one row per organisation the user may write and row of its
    form, for the last complete quarter (values left blank)."""
    period = period_label(reporting_periods()[0], "zh")
    rows = [(name, period, ind.code or ind.indicator_id, ind.unit, ind.name_zh)
            for name, kind in zip(orgs.name_zh, orgs.kind, strict=True) for ind in form_indicators(kind)]
    return queries.tidy_template(rows)


def wide_template(orgs: pd.DataFrame) -> bytes:
    """The MIIT enterprise form laid out wide, titled with the last complete quarter, one row per
    enterprise the user may write (credit code and name), as XLSX."""
    codes = [(i.code, i.name_zh) for i in form_indicators("enterprise") if i.code]
    firms = orgs[orgs.kind == "enterprise"]
    return queries.wide_template(codes, period_label(reporting_periods()[0], "zh"),  # the MIIT form is in Chinese
                                 list(zip(firms.credit_code.fillna(""), firms.name_zh, strict=True)))


def upload(ctx: PageContext, version: int, orgs: pd.DataFrame, fix: Correction | None) -> None:
    """Templates of the user's own organisations, the uploader in the UI's words, then for a file:
    its problems (sorted by row); for a refused file nothing more; else a preview in names, the
    explanation and the submit button."""
    n = _form_no()
    a, b = st.columns(2)
    a.download_button(t("template_tidy", ctx.lang), functools.partial(tidy_template, orgs), "tidy-template.csv",
                      "text/csv", on_click="ignore", key="template-tidy")
    b.download_button(t("template_wide", ctx.lang), functools.partial(wide_template, orgs), "miit-form-template.xlsx",
                      on_click="ignore", key="template-wide")
    box = "upload-box"
    hide_uploader_words(box, ctx.lang)
    with st.container(key=box):
        upload = st.file_uploader(t("upload_file", ctx.lang), type=["csv", "xlsx"], key=f"upload-{n}",
                                  max_upload_size=UPLOAD_MB, on_change=clear_notice)
        st.caption(t("submitter.upload_hint", ctx.lang, mb=UPLOAD_MB))
    if upload is None:
        return
    checked = checked_upload(ctx.who, upload.name, upload.getvalue(), ctx.lang)
    if checked is None:
        return
    show_problems(checked, ctx.lang)
    if checked.errors:
        return  # a refused file: no preview, nothing to submit
    if not checked.rows.empty:
        st.caption(t("preview", ctx.lang))
        shown = checked.rows.head(MAX_SHOWN)
        names = dict(zip(orgs.org_id, local_names(orgs.name_zh, orgs.get("name_en"), ctx.lang), strict=True))
        st.dataframe(tables.submitted_figures(shown, queries.catalog().indicators, names, ctx.lang),
                     hide_index=True, placeholder="—", width="stretch")
        if len(checked.rows) > MAX_SHOWN:
            st.caption(t("submitter.more_rows", ctx.lang, n=len(checked.rows) - MAX_SHOWN))
    explanation = st.text_area(t("explanation", ctx.lang), key=f"upload-explanation-{n}", on_change=clear_notice)
    if st.button(t("check_submit", ctx.lang), type="primary", key="upload-submit", on_click=clear_notice):
        answers = fix.submission_id if fix is not None else None
        if explanation_missing(checked.problems, explanation):
            st.warning(t("explain_first", ctx.lang))
            return
        try:
            sub = services.submit(ctx.who, checked, "upload", explanation, answers=answers)
        except AuthorizationError:
            st.error(t("not_allowed_write", ctx.lang))
            return
        except AlreadySubmitted as e:
            _notice("info", md_message(e.reason, ctx.lang))
        else:
            _notice("success", _submitted(sub, len(checked.rows), answers, ctx.lang))
        _after_submit()
