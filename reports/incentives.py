"""The list of firms that newly qualify for a plan's one-off rewards in a year (企业奖励名单), with
each award, its amount in 万元 and the total — for Qingdao's and Jiaxing's revenue thresholds.

Built from the same table the 企业奖励 page shows (`metrics.incentives.winners`); rewards the plan
names without an amount (青岛's 特殊贡献奖励) are listed, left out of the total, and said so.
"""

from __future__ import annotations

import pandas as pd

from domain.models import Plan
from metrics import incentives
from reports import text
from reports.model import Column, Document, Paragraph, Section, Table, numeric

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{plan}企业奖励名单", "{plan}: reward list"),
    "subtitle": ("{year}年度新达到奖励门槛的企业（{scope}）", "Firms newly over a reward threshold in {year} ({scope})"),
    "scope": ("范围", "Scope"),
    "year": ("年度", "Year"),
    "rule": ("认定规则", "Rule"),
    "rule_text": ("年度软件业务收入首次达到门槛的年份给予一次性奖励{growth}；跨越多个门槛的分别计奖。",
                  "A one-off reward in the first year the annual software revenue reaches a threshold{growth}; a firm "
                  "crossing several thresholds at once earns each."),
    "growth_rule": ("，且当年增速不低于{g:.0%}", ", with growth of at least {g:.0%} that year"),
    "summary": ("{year}年共有{firms}家企业新达到奖励门槛，获奖{awards}项，奖励金额合计{amount:,.0f}万元。",
                "In {year}, {firms} firms newly crossed a threshold: {awards} awards totalling {amount:,.0f} 万元."),
    "unpriced": ("另有{n}项为规划未定金额的奖励（{what}），未计入合计。",
                 "{n} further awards have no amount in the plan ({what}) and are not in the total."),
    "special": ("特殊贡献奖励", "special contribution award"),
    "none": ("{year}年没有企业新达到奖励门槛。", "No firm newly crossed a threshold in {year}."),
    "s_list": ("奖励名单", "Awards"),
    "t_list": ("表1  {year}年新达到奖励门槛的企业", "Table 1. Firms newly over a threshold in {year}"),
    "sheet": ("奖励名单", "Awards"),
    "threshold": ("奖励门槛（万元）", "Threshold (万元)"),
    "value": ("年度软件业务收入（万元）", "Annual software revenue (万元)"),
    "previous": ("上年软件业务收入（万元）", "Previous year (万元)"),
    "growth": ("增速", "Growth"),
    "reward": ("奖励（万元）", "Reward (万元)"),
}


_t = text.words(TEXT)


def incentive_list(plan: Plan, scope_name: str, year: int, winners: pd.DataFrame, lang: str = "zh",
                   demo: bool = False) -> Document:
    """One row per award (firm, park, threshold, revenue, the year before, growth, reward) and a
    total row; `winners` is `metrics.incentives.winners` output."""
    total = incentives.total_of(winners)
    title = plan.title_zh if lang == "zh" else plan.title_en
    growth = {i.min_growth_pct for i in plan.incentives if i.min_growth_pct is not None}
    rule = _t("rule_text", lang).format(
        growth=_t("growth_rule", lang).format(g=min(growth) / 100) if growth else "")
    rows = [[r.name_zh, r.credit_code, r.park_name, float(r.threshold), float(r.value), numeric(r.previous),
             numeric(r.growth), numeric(r.reward)] for r in winners.itertuples(index=False)]
    rows.append([_t("total", lang), None, None, None, None, None, None, total.amount])
    summary = [_t("summary", lang).format(year=year, firms=total.firms, awards=total.awards, amount=total.amount)
               if total.awards else _t("none", lang).format(year=year)]
    if total.unpriced:
        summary.append(_t("unpriced", lang).format(n=total.unpriced, what=_t("special", lang)))
    meta = [(_t("plan", lang), title), (_t("scope", lang), scope_name), (_t("year", lang), str(year)),
            (_t("rule", lang), rule)]
    if demo:
        meta.append((_t("nature", lang), _t("demo", lang)))
    table = Table(
        title=_t("t_list", lang).format(year=year), sheet=_t("sheet", lang),
        columns=[Column(header=_t("enterprise", lang)), Column(header=_t("credit_code", lang)),
                 Column(header=_t("park", lang)), Column(header=_t("threshold", lang), kind="number", decimals=0),
                 Column(header=_t("value", lang), kind="number", decimals=1),
                 Column(header=_t("previous", lang), kind="number", decimals=1),
                 Column(header=_t("growth", lang), kind="percent", decimals=1),
                 Column(header=_t("reward", lang), kind="number", decimals=0)],
        rows=rows,
        note=summary[-1] if total.unpriced else None,
    )
    return Document(
        title=_t("title", lang).format(plan=title),
        subtitle=_t("subtitle", lang).format(year=year, scope=scope_name),
        meta=meta, summary=summary,
        sections=[Section(heading=_t("s_list", lang), blocks=[table] if total.awards else [Paragraph(text=summary[0])])],
        footer=_t("demo", lang) if demo else "",
        lang="zh" if lang == "zh" else "en",
        file_stem=f"{plan.plan_id}-rewards-{year}",
    )
