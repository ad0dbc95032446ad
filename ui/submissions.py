"""我的报送 — what an enterprise or a park has submitted, and what became of it.

Every submission holding a figure of the user's organisations (store/access.py scopes it: a firm
its own, a park manager its park and the park's firms), newest first: its number, its status as a
coloured word, when and by whom, its periods and figures, the reviewer's comment, the submission it
corrects and the one that corrected it. A returned submission not yet corrected opens by itself and
offers 更正: the entry form (ui/entry.py, the one form) opens on it, pre-filled.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.periods import Period
from ui import entry, queries, tables
from ui.context import PageContext
from ui.format import period_label
from ui.i18n import md, t

COLOURS = {"pending": "orange", "accepted": "green", "returned": "red"}
ORIGINS = ("form", "upload", "import")


def status_word(status: str, lang: str) -> str:
    """The status as a coloured word (markdown)."""
    return f":{COLOURS.get(status, 'gray')}[{t(status, lang)}]"


def periods_text(ordinals: object, lang: str) -> str:
    return "、".join(period_label(Period(int(o) // 4, int(o) % 4 + 1), lang) for o in list(ordinals))


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def label(row: pd.Series, lang: str) -> str:
    """One submission's line: №, the coloured status, when, which organisations, periods, how many figures."""
    rest = md("submitter.item", lang, at=f"{pd.Timestamp(row.submitted_at):%Y-%m-%d %H:%M}", orgs=row.orgs,
              periods=periods_text(row.ordinals, lang), n=int(row.figures))
    return f"№{int(row.submission_id)} · {status_word(row.status, lang)} · {rest}"


def details(ctx: PageContext, version: int, row: pd.Series, open_: bool) -> None:
    """Inside a submission: by whom and how, the explanation, the review, the links, 更正 for a
    returned one, and — once opened, so that a long list costs one read per opened submission —
    its figures."""
    lang = ctx.lang
    origin = row.origin if row.origin in ORIGINS else "import"
    st.markdown(md("submitter.by", lang, by=row.submitted_by, origin=t(f"submitter.origin.{origin}", lang)))
    if (name := _text(row.file_name)) and origin != "form":
        st.markdown(md("submitter.file", lang, name=name))
    if explanation := _text(row.explanation):
        st.markdown(md("submitter.explanation", lang, text=explanation))
    if _text(row.reviewed_by):
        st.markdown(md("submitter.reviewed", lang, by=row.reviewed_by, at=f"{pd.Timestamp(row.reviewed_at):%Y-%m-%d %H:%M}"))
    if comment := _text(row.review_comment):
        st.markdown(md("submitter.comment", lang, comment=comment))
    if not pd.isna(row.answers):
        st.markdown(t("submitter.answers", lang, id=int(row.answers)))
    if not pd.isna(row.answered_by):
        st.markdown(t("submitter.answered_by", lang, id=int(row.answered_by)))
    if row.status == "returned" and pd.isna(row.answered_by):  # corrected already: the correction is the one to follow
        if st.button(t("submitter.correct", lang), key=f"correct-{int(row.submission_id)}", type="primary"):
            entry.start_correction(int(row.submission_id))
            st.switch_page("pages/entry.py")
    if open_:
        figures = queries.my_submission_figures(version, ctx.who, int(row.submission_id))
        st.dataframe(tables.submitted_figures(figures, queries.catalog().indicators, {}, lang),
                     hide_index=True, placeholder="—", width="stretch")


def my_submissions(ctx: PageContext) -> None:
    """The page: every submission touching the user's organisations, newest first."""
    version = queries.data_version()
    mine = queries.my_submissions(version, ctx.who)
    if mine.empty:
        st.info(t("submitter.none", ctx.lang))
        return
    st.caption(t("submitter.count", ctx.lang, n=len(mine)))
    for _, row in mine.iterrows():
        waiting = row.status == "returned" and pd.isna(row.answered_by)  # to be corrected: open by itself
        box = st.expander(label(row, ctx.lang), expanded=bool(waiting), key=f"submission-{int(row.submission_id)}",
                          on_change="rerun")
        with box:
            details(ctx, version, row, bool(box.open))
