"""城市对比: the table and the grouped bar chart of the plans' cities side by side (pure builders).

The figures arrive judged and read by service.queries.city_comparison (one row per plan, each with
the period it is of); these builders only move 万元 into 亿元, fractions into percent and words into
the reader's language. Kept apart from ui/tables.py and ui/figures.py: one page's builders together.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from domain.catalog import Catalog
from domain.units import convert
from ui import safe
from ui.format import period_label
from ui.i18n import localized, t

SHOWN = "亿元"  # revenues are stored in 万元 and read in 亿元


def _yi(value: float | None) -> float | None:
    return None if value is None else convert(value, "万元", SHOWN)


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def place(catalog: Catalog, plan_id: str, lang: str) -> str:
    """The plan's city (or province) and the year of the plan: 青岛市（2012年规划）."""
    plan = catalog.plans[plan_id]
    org = catalog.organisations.get(plan.scope)
    return t("compare.place", lang, place=localized(org, "name", lang) if org else plan.scope, year=plan.issued.year)


def columns(lang: str) -> dict[str, str]:
    """Each column's heading, with its unit."""
    money = t(f"unit.{SHOWN}", lang)
    return {
        "place": t("compare.city", lang),
        "period": t("compare.period", lang),
        "revenue": t("format.with_unit", lang, label=t("compare.revenue", lang), unit=money),
        "it": t("format.with_unit", lang, label=t("compare.it_services", lang), unit=money),
        "growth": t("format.with_unit", lang, label=t("compare.growth", lang), unit="%"),
        "year": t("compare.year", lang),
        "share": t("format.with_unit", lang, label=t("compare.share", lang), unit="%"),
        "over_10": t("compare.firms_over_10", lang),
        "mid": t("compare.firms_1_to_10", lang),
        "under_1": t("compare.firms_under_1", lang),
    }


def table(rows: Sequence, catalog: Catalog, lang: str) -> pd.DataFrame:
    """One row per plan, a column per indicator; `None` where the store has no figure."""
    c = columns(lang)
    return safe.safe_frame(pd.DataFrame({
        c["place"]: [place(catalog, r.plan_id, lang) for r in rows],
        c["period"]: [period_label(r.period, lang) if r.period else None for r in rows],
        c["revenue"]: pd.Series([_yi(r.software_revenue) for r in rows], dtype=float),
        c["it"]: pd.Series([_yi(r.it_services) for r in rows], dtype=float),
        c["growth"]: pd.Series([_pct(r.growth) for r in rows], dtype=float),
        c["year"]: [None if r.year is None else str(r.year) for r in rows],
        c["share"]: pd.Series([_pct(r.national_share) for r in rows], dtype=float),
        c["over_10"]: pd.Series([r.firms_over_10yi for r in rows], dtype=float),  # a missing count shows "—"
        c["mid"]: pd.Series([r.firms_1_to_10yi for r in rows], dtype=float),  # a missing count shows "—"
        c["under_1"]: pd.Series([r.firms_under_1yi for r in rows], dtype=float),  # a missing count shows "—"
    }))


def column_config(lang: str) -> dict:
    import streamlit as st

    c = columns(lang)
    money = st.column_config.NumberColumn(format="%,.2f")
    percent = st.column_config.NumberColumn(format="%.1f%%")
    count = st.column_config.NumberColumn(format="%,.0f")
    return {c["revenue"]: money, c["it"]: money, c["growth"]: percent, c["share"]: percent,
            c["over_10"]: count, c["mid"]: count, c["under_1"]: count}


def bars(rows: Sequence, catalog: Catalog, lang: str, height: int = 360) -> go.Figure:
    """Software revenue and its IT-service part per city, grouped, in 亿元 (the period in the hover)."""
    shown = [r for r in rows if r.software_revenue is not None]
    names = [place(catalog, r.plan_id, lang) for r in shown]
    periods = [period_label(r.period, lang) for r in shown]
    fig = go.Figure()
    # Two colour-blind-safe hues of different lightness: the pair stays apart printed in grey.
    for label, values, colour in ((t("compare.revenue", lang), [_yi(r.software_revenue) for r in shown], "#0072B2"),
                                  (t("compare.it_services", lang), [_yi(r.it_services) for r in shown], "#E69F00")):
        fig.add_bar(name=label, x=names, y=values, marker_color=colour, customdata=periods,
                    hovertemplate="%{x} · %{customdata}<br>%{y:,.2f} " + t(f"unit.{SHOWN}", lang) + "<extra></extra>")
    fig.update_layout(barmode="group", height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                      yaxis={"title": {"text": t(f"unit.{SHOWN}", lang)}, "tickformat": ",.0f"})
    return fig
