"""The list of firms that newly qualify for a plan's one-off rewards in a year (企业奖励名单), with
each award, its amount in 万元 and the total — for Qingdao's and Jiaxing's revenue thresholds.

Built from the same table the 企业奖励 page shows (`metrics.incentives.winners`, read by
`service.queries.plan_winners`); rewards the plan
names without an amount (青岛's 特殊贡献奖励) are listed, left out of the total, and said so.
"""

from __future__ import annotations

import pandas as pd

from domain.messages import localized, words
from domain.models import Plan
from domain.units import Dimension, to_canonical
from reports.model import Column, Document, Paragraph, Section, Table, numeric
from ui.programme import reward_total


def incentive_list(plan: Plan, scope_name: str, year: int, winners: pd.DataFrame, lang: str = "zh",
                   demo: bool = False) -> Document:
    """One row per award (firm, park, threshold, revenue, the year before, growth, reward) and a
    total row; `winners` is `metrics.incentives.winners` output."""
    t = words(lang)
    total = reward_total(winners)
    title = localized(plan, "title", lang)
    growth = {i.min_growth_pct for i in plan.incentives if i.min_growth_pct is not None}
    rule = t("reward_report.rule_text", growth=t("reward_report.growth_rule", g=to_canonical(min(growth), "%", Dimension.RATIO))
             if growth else "")
    rows = [[r.name_zh, r.credit_code, r.park_name, float(r.threshold), float(r.value), numeric(r.previous),
             numeric(r.growth), numeric(r.reward)] for r in winners.itertuples(index=False)]
    rows.append([t("sum"), None, None, None, None, None, None, total.amount])
    summary = [t("reward_report.summary", year=year, firms=total.firms, awards=total.awards, amount=total.amount)
               if total.awards else t("incentive_none", year=year)]
    if total.unpriced:
        summary.append(t("reward_report.unpriced", n=total.unpriced, what=t("reward_report.special")))
    meta = [(t("plan"), title), (t("scope"), scope_name), (t("year"), str(year)),
            (t("reward_report.rule"), rule)]
    if demo:
        meta.append((t("report.nature"), t("demo_badge")))
    table = Table(
        title=t("reward_report.t_list", year=year), sheet=t("reward_report.s_list"),
        columns=[Column(header=t("enterprise")), Column(header=t("credit_code")),
                 Column(header=t("park")), Column(header=t("briefing.threshold"), kind="number", decimals=0),
                 Column(header=t("annual_value"), kind="number", decimals=1),
                 Column(header=t("previous_value"), kind="number", decimals=1),
                 Column(header=t("growth"), kind="percent", decimals=1),
                 Column(header=t("reward"), kind="number", decimals=0)],
        rows=rows,
        note=summary[-1] if total.unpriced else None,
    )
    return Document(
        title=t("reward_report.title", plan=title),
        subtitle=t("reward_report.subtitle", year=year, scope=scope_name),
        meta=meta, summary=summary,
        sections=[Section(heading=t("reward_report.s_list"),
                          blocks=[table] if total.awards else [Paragraph(text=summary[0])])],
        footer=t("demo_badge") if demo else "",
        lang=lang,
        file_stem=f"{plan.plan_id}-rewards-{year}",
    )
