"""The mail log as a table for the mail page: kinds, states and periods in the reader's words, the
failed messages marked red. Plain values in, a pandas Styler out (st.dataframe shows cell text as it
is, so names and subjects people typed need no escaping here)."""

from __future__ import annotations

import pandas as pd
from pandas.io.formats.style import Styler

from domain.periods import Period
from ui import safe
from ui.format import period_label
from ui.i18n import t

FAILED_BACKGROUND = "background-color: #fde2e1; color: #8a1c14"  # the red of st.error, readable on it


def kind_label(kind: str | None, lang: str) -> str:
    return t("mail.filter.all", lang) if kind is None else t(f"mail.kind.{kind}", lang)


def status_label(status: str | None, lang: str) -> str:
    return t("mail.filter.all", lang) if status is None else t(f"mail.status.{status}", lang)


def log_table(log: pd.DataFrame, lang: str) -> Styler:
    """One row per message, newest first as given; a failed one in red."""
    col = {name: t(f"mail.col.{name}", lang) for name in
           ("time", "kind", "status", "recipient", "org", "period", "submission", "subject", "error", "actor")}
    periods = [None if pd.isna(y) else period_label(Period(int(y), int(q)), lang) for y, q in zip(log.year, log.quarter,
                                                                                                   strict=True)]
    table = pd.DataFrame({
        col["time"]: log.logged_at.dt.strftime("%Y-%m-%d %H:%M:%S"),
        col["kind"]: [kind_label(k, lang) for k in log.kind],
        col["status"]: [status_label(s, lang) for s in log.status],
        col["recipient"]: log.recipient,
        col["org"]: log.org_name.fillna(""),
        col["period"]: pd.Series(periods, index=log.index, dtype=object).fillna(""),
        col["submission"]: log.submission_id.astype("Int64").astype(str).replace("<NA>", ""),
        col["subject"]: log.subject,
        col["error"]: log.error.fillna(""),
        col["actor"]: log.actor,
    })
    failed = list(log.status == "failed")

    def mark(row: pd.Series) -> list[str]:
        return [FAILED_BACKGROUND if failed[row.name] else ""] * len(row)

    return safe.shown(table.reset_index(drop=True)).style.apply(mark, axis=1)


def failures(failed: tuple[tuple[str, str, str], ...], lang: str) -> pd.DataFrame:
    """The (recipient, firm, reason) of each reminder that failed."""
    return safe.shown(pd.DataFrame(list(failed), columns=[t(f"mail.col.{c}", lang) for c in ("recipient", "org", "error")]))


def firms(names: tuple[str, ...], lang: str) -> pd.DataFrame:
    """Firms by name (those a reminder could not reach: no contact e-mail)."""
    return safe.shown(pd.DataFrame({t("mail.col.org", lang): list(names)}))
