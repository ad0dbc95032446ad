"""审核 — pending submissions: each figure old → new with Δ, 同比 and the flags its check raised,
the submitter's explanation; accept or return one (returning needs a comment), or accept those that
raised no flag all at once; and the revision history of a figure of the submission in view."""

import streamlit as st

from domain.messages import MessageError, exists
from domain.periods import Period
from ui import components, context, media, queries, services, tables
from ui.i18n import builtin_words, local_names, localized, md, md_message, t

ctx = context.current()
lang = ctx.lang
st.header(t("review", lang))
# The outcome of the last decision stays on screen, through reruns, until the next decision replaces it.
if done := st.session_state.get("review-done"):
    st.success(done)
version = queries.data_version()
pending = queries.submissions(version, ctx.who, "pending")


def label(submission_id: int, frame=pending) -> str:
    orgs = frame.orgs[frame.submission_id == submission_id]
    return f"#{submission_id} · {orgs.iloc[0] if len(orgs) and isinstance(orgs.iloc[0], str) else '—'}"


def decided(message: str) -> None:
    st.session_state["review-done"] = message
    st.rerun()


reading = None
if pending.empty:
    st.info(t("no_pending", lang))
else:
    st.dataframe(tables.submissions_table(pending, lang), hide_index=True, placeholder="—", width="stretch")

    # Bulk acceptance: only submissions whose check raised no flag are offered (the service refuses
    # any other); each is audited as its own review.
    with st.container(border=True):
        st.subheader(t("review.bulk", lang))
        clean = [int(s) for s in pending.submission_id[pending["flag_count"] == 0]]
        if not clean:
            st.caption(t("review.bulk_none", lang))
        else:
            picked = st.multiselect(t("review.bulk_pick", lang, n=len(clean)), clean, default=clean,
                                    format_func=label, key=f"review-bulk-{version}", wrap=True,
                                    placeholder=t("review.bulk_none_picked", lang), select_all=builtin_words(lang))
            bulk_comment = st.text_input(t("review.bulk_comment", lang), key=f"review-bulk-comment-{version}")
            if st.button(t("review.bulk_accept", lang, n=len(picked)), key="review-bulk-accept", disabled=not picked,
                         type="primary"):
                outcomes = list(services.review_many(ctx.who, picked, bulk_comment or None).values())
                decided(t("review.bulk_done", lang, accepted=outcomes.count("accepted"),
                          flagged=outcomes.count("flagged"), not_pending=outcomes.count("not_pending")))

    chosen = int(st.selectbox(t("choose_submission", lang), list(pending.submission_id), format_func=label))
    reading = queries.submission_reading(version, ctx.who, chosen)
    if reading is None:  # no such submission any more: nothing to read or decide
        st.info(t("review.not_pending", lang, id=chosen))
        st.stop()
    head = reading.submission
    origin = f"review.origin.{head['origin']}"
    st.caption(md("review.submitted", lang, by=head["submitted_by"], at=f"{head['submitted_at']:%Y-%m-%d %H:%M}",
                  rows=int(head["row_count"]),
                  origin=head["file_name"] or (t(origin, lang) if exists(origin) else head["origin"])))
    if head["answers"] is not None:
        st.caption(t("review.answers_earlier", lang, id=int(head["answers"])))
    explanation = head["explanation"]
    if isinstance(explanation, str) and explanation.strip():
        st.markdown(md("review.explanation", lang, text=explanation))
    else:
        st.caption(t("review.no_explanation", lang))
    st.dataframe(tables.change_table(reading.figures, lang), hide_index=True, placeholder="—", width="stretch")
    if reading.flags:
        st.warning(t("review.flagged", lang, n=len(reading.flags)))
        st.dataframe(tables.flags_table(reading, lang), hide_index=True, placeholder="—", width="stretch")
    else:
        st.caption(t("review.no_flags", lang))

    # A fresh comment box for each submission: what was typed for one is never sent with the next.
    comment = st.text_input(t("comment", lang), key=f"review-comment-{chosen}", max_chars=2000)
    st.caption(t("review.comment_help", lang))
    accept, back = st.columns(2)
    for column, decision in ((accept, "accepted"), (back, "returned")):
        if column.button(t("accept" if decision == "accepted" else "return", lang), key=decision, width="stretch"):
            try:
                changed = services.review(ctx.who, chosen, decision, comment or None)
            except MessageError as err:
                st.session_state.pop("review-done", None)
                st.error(md_message(err.reason, lang))
            else:
                decided(t("review.decided", lang, id=chosen, decision=t(decision, lang)) if changed
                        else t("review.not_pending", lang, id=chosen))

st.subheader(t("recent", lang))
recent = queries.submissions(version, ctx.who, None, limit=50)
media.grid(tables.submissions_table(recent, lang), lang)

# The revision history of a figure in view: a row of the chosen submission (with nothing pending,
# of the latest submission), unless the reviewer asks for another figure.
st.subheader(t("history", lang))
if reading is None and not recent.empty:
    reading = queries.submission_reading(version, ctx.who, int(recent.submission_id.iloc[0]))
in_view = reading is not None and not reading.figures.empty
if in_view and not st.toggle(t("review.history_other", lang), key="history-other"):
    figs = reading.figures
    shown = tables.change_table(figs, lang)
    names = [f"{o} · {i} · {p}" for o, i, p in zip(shown[t("org", lang)], shown[t("indicator", lang)],
                                                   shown[t("quarter", lang)], strict=True)]
    row = st.selectbox(t("review.history_figure", lang), list(range(len(figs))), format_func=names.__getitem__,
                       key=f"history-row-{reading.submission['submission_id']}")
    org, indicator = figs.org_id.iloc[row], figs.indicator_id.iloc[row]
    period = Period(int(figs.year.iloc[row]), int(figs.quarter.iloc[row]))
else:
    a, b, c = st.columns([2, 2, 1])
    orgs = queries.reviewable_orgs(version, ctx.who)
    names = dict(zip(orgs.org_id, local_names(orgs.name_zh, orgs.get("name_en"), lang), strict=True))
    org = a.selectbox(t("org", lang), list(orgs.org_id), format_func=names.get, key="history-org")
    cat = queries.catalog()
    indicator = b.selectbox(t("indicator", lang), list(cat.indicators), key="history-indicator",
                            format_func=lambda i: localized(cat.indicators[i], "name", lang))
    period = c.selectbox(t("quarter", lang), queries.periods(version, org)[::-1] or [ctx.as_of],
                         format_func=lambda p: components.period_label(p, lang), key="history-period")
media.grid(tables.history_table(queries.history(version, ctx.who, org, indicator, period), lang), lang)
