"""A plan's versions on the plan page: which version the quarter read is judged against, and how
each target that a mid-term adjustment changed was set in every version (domain/models.py Plan)."""

from __future__ import annotations

import pandas as pd

from domain.models import Plan
from domain.periods import Period
from ui.i18n import t


def version_caption(plan: Plan, as_of: Period | None, lang: str) -> str | None:
    """第2版（2014-07-01起施行）, or 第1版（共2版）, for an adjusted plan; None for a plan never adjusted."""
    if not plan.adjustments:
        return None
    version = plan.version_at(as_of)
    if version == 1:  # the issue date is beside it already
        return t("plan.version_first", lang, versions=plan.version)
    return _words(plan, version, lang)


def latest_words(plan: Plan, lang: str) -> str:
    """The plan's latest version in words: 第1版, or 第2版（2014-07-01起施行） once adjusted."""
    return _words(plan, plan.version, lang)


def _words(plan: Plan, version: int, lang: str) -> str:
    if version == 1:
        return t("plan.version_only", lang, version=1)
    return t("plan.version_caption", lang, version=version, date=plan.adjustments[version - 2].effective.isoformat())


def document_of(plan: Plan, target_id: str, as_of: Period | None) -> str:
    """Where the target's wording comes from in the version in force at `as_of`: the plan's text, or
    the title of the adjusting document that set it."""
    version = plan.version_at(as_of)
    setting = [v for v, _, target, _ in plan.history(target_id) if v <= version and target is not None]
    return plan.seed_file if not setting or setting[-1] == 1 else plan.adjustments[setting[-1] - 2].document_zh


def history_frame(plan: Plan, target_id: str, as_of: Period | None, lang: str) -> pd.DataFrame | None:
    """Every version that set or dropped the target, oldest first, with the one the quarter is
    judged against marked; None where the target was never changed."""
    history = plan.history(target_id)
    if len(history) < 2:
        return None
    current = plan.version_at(as_of)
    applies = max((v for v, *_ in history if v <= current), default=None)
    rows = []
    for version, since, target, quote in history:
        document = plan.title_zh if version == 1 else plan.adjustments[version - 2].document_zh
        rows.append({
            t("history.version", lang): version,
            t("history.in_force", lang): "✓" if version == applies else "",
            t("history.effective", lang): since,
            t("history.value", lang): (t("history.dropped", lang) if target is None
                                       else t("figure.sig4", lang, value=target.value, unit=target.unit)),
            t("history.target_year", lang): "—" if target is None else str(target.target_year),
            t("history.document", lang): document,
            t("history.quote", lang): quote,
        })
    return pd.DataFrame(rows)
