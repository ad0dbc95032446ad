"""Table builders: store frames → the columns and units officials read (亿元, %, 人)."""

from __future__ import annotations

import pandas as pd

from domain.access import ROLE_NAMES, Role
from ui.i18n import t


def enterprise_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Enterprises of a park: revenue in 亿元 (stored in 万元), 同比, share of the park total."""
    revenue = frame.software_revenue / 1e4
    total = revenue.sum()
    return pd.DataFrame({
        t("enterprise", lang): frame.name_zh,
        t("credit_code", lang): frame.credit_code,
        t("software_revenue_yi", lang): revenue.round(2),
        t("yoy", lang): (frame.software_revenue / frame.software_revenue_ly - 1).where(frame.software_revenue_ly > 0) * 100,
        t("share_of_park", lang): revenue / total * 100 if total else None,
        t("employees", lang): frame.employees,
        t("reported", lang): frame.reported,
    })


def figures_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("code", lang): frame.code,
        t("indicator", lang): frame.name_zh if lang == "zh" else frame.name_en,
        t("unit", lang): frame.unit,
        t("value", lang): frame.value,
        t("value_ly", lang): frame.value_last_year,
        t("yoy", lang): (frame.value / frame.value_last_year - 1).where(frame.value_last_year > 0) * 100,
    })


def users_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("username", lang): frame.username,
        t("role", lang): [ROLE_NAMES[Role(r)][0 if lang == "zh" else 1] for r in frame.role],
        t("scope", lang): frame.scope_name,
        "locked_until": frame.locked_until,
    })


def enterprise_column_config(lang: str) -> dict:
    import streamlit as st

    percent = st.column_config.NumberColumn(format="%.1f%%")
    return {t("yoy", lang): percent, t("share_of_park", lang): percent,
            t("software_revenue_yi", lang): st.column_config.NumberColumn(format="%,.2f")}


def incentive_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("enterprise", lang): frame.name_zh,
        t("threshold", lang): frame.threshold,
        t("annual_value", lang): frame.value.round(1),
        t("growth", lang): (frame.growth * 100).round(1),
        t("reward", lang): frame.reward,
    })
