"""The leadership group's quarterly briefing (季度简报) of one plan, optionally for one park.

Everything in it comes from the same metrics the dashboard shows (`metrics.tracker`), read with
the caller's identity so a park manager's briefing can only hold what that manager may see. The
summary paragraph is written from the numbers, in the form an office would write it by hand:
截至2015年三季度，…累计 xx 亿元，同比增长 xx%，完成年度目标的 xx%，高于序时进度 x 个百分点。
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pandas as pd

from domain.access import SYSTEM, Identity
from domain.models import OrgKind
from domain.periods import Period
from metrics import incentives, tracker
from metrics.progress import Status
from metrics.tracker import ProgressRow
from reports import text
from reports.model import Chart, ChartSeries, Column, Document, Paragraph, Section, Table, numeric
from service import queries
from store import access, repo
from store.catalog import Catalog
from ui import figures, status
from ui.format import display, number, pct, period_label

DEFAULT_DEADLINE_DAYS = 20
QUARTER_ZH = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
NUMERALS = "一二三四五六七八九十"

# The briefing's own wording, Chinese first. Kept here, beside the sentences that use it, so the
# document reads as one text.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("{plan}实施情况季度简报", "{plan}: quarterly briefing"),
    "subtitle": ("{year}年第{q}季度（{months}）", "{period}"),
    "issuer": ("发文单位", "Issued by"),
    "period": ("报告期", "Period"),
    "data_date": ("数据截至", "Data as of"),
    "generated": ("生成时间", "Generated"),
    "official": ("统计数据（已审核）", "Statistics (reviewed)"),
    "no_data": ("截至{period}，本规划尚无已审核的数据。", "As of {period} the plan has no reviewed figures."),
    "ytd": ("截至{year}年{q}，{name}累计 {value}，同比{yoy}，完成年度目标的 {done}，{ahead}序时进度 {points} 个百分点。",
            "By {period}, {name} reached {value} year to date, {yoy} year on year: {done} of this year's target, "
            "{points} points {ahead} time elapsed."),
    "level": ("{name}{year}年为 {value}，完成{target_year}年目标（{target}）的 {done}；{pace}",
              "{name} was {value} in {year}: {done} of the {target_year} target ({target}); {pace}"),
    "pace": ("按{base}—{target_year}年测算，实现目标需年均增长 {required}，{base}年以来实际年均增长 {actual}。",
             "from {base} to {target_year} the target needs {required} a year; the average since {base} has been "
             "{actual}."),
    "status_line": ("{name}：{status}（{reason}）。", "{name}: {status} ({reason})."),
    "status_only": ("总体评估：{status}。", "Assessment: {status}."),
    "counts": ("全部{n}项目标中，{parts}。", "Of {n} targets: {parts}."),
    "count_part": ("{status}{k}项", "{k} {status}"),
    "s_targets": ("目标完成情况", "Targets"),
    "s_charts": ("核心指标走势", "Headline series"),
    "s_parks": ("园区情况", "Parks"),
    "s_enterprises": ("企业情况", "Enterprises"),
    "s_incentives": ("新达到奖励门槛的企业", "Firms newly over an incentive threshold"),
    "s_reporting": ("数据报送情况", "Reporting"),
    "s_notes": ("说明", "Notes"),
    "t_targets": ("表{n}  规划目标完成情况（截至{period}）", "Table {n}. Targets as of {period}"),
    "t_parks": ("表{n}  各园区{indicator}（{year}年）", "Table {n}. {indicator} by park, {year}"),
    "t_park": ("表{n}  {park}目标完成情况", "Table {n}. {park}: targets"),
    "t_enterprises": ("表{n}  {park}企业主要指标（{period}）", "Table {n}. {park}: enterprises, {period}"),
    "t_incentives": ("表{n}  {year}年新达到奖励门槛的企业", "Table {n}. Firms newly over a threshold in {year}"),
    "t_reporting": ("表{n}  {period}数据报送情况（截止日期{deadline}）",
                    "Table {n}. Reports for {period} (deadline {deadline})"),
    "c_target": ("图{n}  {name}", "Figure {n}. {name}"),
    "target": ("目标", "Target"),
    "scope": ("范围", "Scope"),
    "target_value": ("目标值", "Target value"),
    "unit": ("单位", "Unit"),
    "target_year": ("目标年", "Target year"),
    "actual": ("实际值", "Actual"),
    "data_period": ("数据期", "Period of data"),
    "completion": ("完成率", "Completion"),
    "in_year": ("年度完成率", "Share of this year's target"),
    "elapsed": ("序时进度", "Time elapsed"),
    "reason": ("说明", "Reason"),
    "series_used": ("数据来源", "Series used"),
    "value_unit": ("{name}（{unit}）", "{name} ({unit})"),
    "share": ("占比", "Share"),
    "park_target": ("园区目标（{unit}）", "Park target ({unit})"),
    "yoy": ("同比", "YoY"),
    "employees": ("从业人员（人）", "Employees"),
    "reported": ("已报送", "Reported"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "threshold": ("奖励门槛（万元）", "Threshold (万元)"),
    "revenue_yi": ("软件业务收入（亿元）", "Software revenue (亿元)"),
    "growth": ("增长", "Growth"),
    "reward": ("奖励（万元）", "Reward (万元)"),
    "firms": ("企业数", "Firms"),
    "on_time": ("按时", "On time"),
    "late": ("逾期", "Late"),
    "missing": ("未报", "Missing"),
    "rate": ("报送率", "Rate"),
    "no_incentives": ("{year}年没有新达到奖励门槛的企业。", "No firm newly crossed a threshold in {year}."),
    "incentive_total": ("奖励合计 {total} 万元（{k}家企业、{m}项）。", "Rewards total {total} 万元 ({k} firms, {m} awards)."),
    "incentive_unpriced": ("另有{n}项奖励规划未定金额，未计入合计。",
                           " {n} awards have no amount in the plan and are not in the total."),
    "rate_line": ("{period}应报企业{n}家，已报{done}家（按时{on_time}家），报送率 {rate}。",
                  "{n} firms were due to report for {period}; {done} did ({on_time} on time): {rate}."),
    "note_official": ("“{name}”采用官方统计数。", "“{name}” uses the official statistics."),
    "note_bottom_up": ("以下目标无官方统计数，按所属园区、企业报送数汇总（自下而上）：{names}。",
                       "These targets have no official figure and use the sum of what parks and firms reported "
                       "(bottom-up): {names}."),
    "note_coverage": ("企业报送汇总数约为官方统计数的 {coverage}（{name}），差额为未纳入本系统报送的企业。",
                      "Firms' reports add up to {coverage} of the official figure ({name}); the rest is firms that do "
                      "not report here."),
    "note_definition": ("{year}年起，{indicator}：{note}", "From {year}, {indicator}: {note}"),
    "note_method": ("完成率=实际值÷目标值；序时进度=已过季度÷4；“需加快”等状态按实际年均增速与所需年均增速之比判定。",
                    "Completion = actual ÷ target; time elapsed = quarters passed ÷ 4; statuses compare the actual "
                    "average growth with the growth the target requires."),
    "higher": ("高于", "ahead of"),
    "lower": ("低于", "behind"),
    "up": ("增长 {x}", "up {x}"),
    "down": ("下降 {x}", "down {x}"),
}


_word = text.words(TEXT)


def _t(lang: str) -> Callable[..., str]:
    """`t(key, **values)`: the briefing's sentence in `lang` with its numbers filled in."""
    def t(key: str, **kw: object) -> str:
        return _word(key, lang).format(**kw)
    return t


def _name(obj, lang: str) -> str:
    return obj.name_zh if lang == "zh" or not getattr(obj, "name_en", "") else obj.name_en


def _yoy_words(t: Callable[..., str], yoy: float | None) -> str:
    if yoy is None:
        return "—"
    return t("up", x=pct(abs(yoy))) if yoy >= 0 else t("down", x=pct(abs(yoy)))


def summary(rows: list[ProgressRow], as_of: Period, lang: str) -> list[str]:
    """The opening paragraphs: the headline target in the office's sentence, then the status count."""
    t = _t(lang)
    if not rows or all(r.actual is None for r in rows):
        return [t("no_data", period=period_label(as_of, lang))]
    out = []
    for head in [r for r in rows if r.headline] or rows[:1]:
        name = _name(head, lang)
        sentences = []
        if head.ytd is not None and head.in_year_completion is not None:
            value, shown = display(head.ytd, head.unit)
            ahead = head.ahead_of_schedule or 0.0
            sentences.append(t("ytd", year=as_of.year, q=QUARTER_ZH[as_of.quarter], period=period_label(as_of, lang),
                               name=name, value=number(value, shown), yoy=_yoy_words(t, head.ytd_yoy),
                               done=pct(head.in_year_completion), ahead=t("higher" if ahead >= 0 else "lower"),
                               points=f"{abs(ahead) * 100:.1f}"))
        if head.actual is not None and head.completion is not None and head.kind != "growth":
            value, shown = display(head.actual, head.unit)
            target, _ = display(head.target, head.unit)
            pace = (t("pace", required=pct(head.required_cagr), actual=pct(head.actual_cagr), base=head.base_year,
                      target_year=head.target_year)
                    if head.required_cagr is not None and head.actual_cagr is not None else "")
            sentences.append(t("level", name=name, year=(head.actual_period or "")[:4], value=number(value, shown),
                               target_year=head.target_year, target=number(target, shown), done=pct(head.completion),
                               pace=pace))
        reason = head.status_reason_zh if lang == "zh" else head.status_reason
        if len(sentences) == 2:  # the pace sentence already gives the reason's numbers
            sentences.append(t("status_only", status=status.word(head.status, lang)))
        else:
            sentences.append(t("status_line", name=name, status=status.word(head.status, lang), reason=reason))
        out.append(("" if lang == "zh" else " ").join(sentences))
    counts = Counter(r.status for r in rows)
    parts = [t("count_part", status=status.word(s, lang), k=counts[s]) for s in Status if counts[s]]
    out.append(t("counts", n=len(rows), parts=("、" if lang == "zh" else ", ").join(parts)))
    return out


def status_table(rows: list[ProgressRow], catalog: Catalog, lang: str, title: str) -> Table:
    """Every target's standing, numbers in the units a briefing uses (亿元, 万人, %)."""
    t = _t(lang)
    body = []
    for r in rows:
        actual, shown = display(r.actual, r.unit)
        target, _ = display(r.target, r.unit)
        scope = catalog.organisations.get(r.scope_id)
        body.append([_name(r, lang), _name(scope, lang) if scope else r.scope_id, target, actual, shown, r.target_year,
                     r.actual_period, r.completion, r.in_year_completion, r.time_elapsed if r.in_year_completion is not None
                     else None, status.word(r.status, lang), r.status_reason_zh if lang == "zh" else r.status_reason])
    return Table(title=title, sheet=t("s_targets"), rows=body, columns=[
        Column(header=t("target"), width=3), Column(header=t("scope"), width=1.6),
        Column(header=t("target_value"), kind="number", decimals=2, width=1.5),
        Column(header=t("actual"), kind="number", decimals=2, width=1.5),
        Column(header=t("unit"), width=1.1), Column(header=t("target_year"), kind="integer", on_paper=False),
        Column(header=t("data_period"), width=1.1), Column(header=t("completion"), kind="percent", width=1.2),
        Column(header=t("in_year"), kind="percent", width=1.2), Column(header=t("elapsed"), kind="percent", width=1.2),
        Column(header=t("status"), width=1.3), Column(header=t("reason"), on_paper=False)])


def target_chart(s: tracker.TargetSeries, lang: str, title: str) -> Chart:
    """The headline series against its required path and target, as the dashboard draws it."""
    years = list(range(min([s.base_year, *s.annual]), s.target_year + 1))
    scale = display(1.0, s.unit)[0] or 1.0  # the chart shows briefing units (亿元 rather than 万元)
    shown = display(1.0, s.unit)[1]

    def values(series: dict[int, float]) -> list[float | None]:
        return [series[y] * scale if y in series else None for y in years]

    native = [ChartSeries(name=figures.label("actual", lang), values=values(s.annual), style="bar"),
              ChartSeries(name=figures.label("path", lang), values=values(s.required_path), style="dash")]
    if s.projection:
        native.append(ChartSeries(name=figures.label("projection", lang), values=values(s.projection), style="dot"))
    native.append(ChartSeries(name=figures.label("target", lang),
                              values=values({y: s.target for y in years if y >= s.base_year}), style="line"))
    return Chart(title=title, categories=[str(y) for y in years], series=native, y_title=shown,
                 figure=figures.target_chart(s, lang, height=400).to_dict())


def park_summary(shares: list[tracker.ParkShare], row: ProgressRow, lang: str, title: str) -> Table:
    t = _t(lang)
    total = sum(s.value or 0 for s in shares)
    shown = display(1.0, row.unit)[1]
    scale = display(1.0, row.unit)[0] or 1.0
    body = [[_name(s, lang), None if s.value is None else s.value * scale, (s.value or 0) / total if total else None,
             None if s.target is None else s.target * scale, status.word(s.status, lang) if s.status else "—"]
            for s in shares]
    return Table(title=title, sheet=t("s_parks"), rows=body, columns=[
        Column(header=t("park")), Column(header=t("value_unit", name=_name(row, lang), unit=shown), kind="number", decimals=2),
        Column(header=t("share"), kind="percent"), Column(header=t("park_target", unit=shown), kind="number", decimals=2),
        Column(header=t("status"))])


def enterprise_table(frame, lang: str, title: str) -> Table:
    t = _t(lang)
    body = []
    for r in frame.itertuples():
        revenue = None if r.software_revenue is None or r.software_revenue != r.software_revenue else r.software_revenue / 1e4
        ly = r.software_revenue_ly
        yoy = r.software_revenue / ly - 1 if revenue is not None and ly and ly == ly and ly > 0 else None
        employees = None if r.employees is None or r.employees != r.employees else int(r.employees)
        body.append([r.name_zh, r.credit_code, revenue, yoy, employees, t("yes") if r.reported else t("no")])
    return Table(title=title, sheet=t("s_enterprises"), rows=body, columns=[
        Column(header=t("enterprise")), Column(header=t("credit_code"), on_paper=False),
        Column(header=t("revenue_yi"), kind="number", decimals=2), Column(header=t("yoy"), kind="percent"),
        Column(header=t("employees"), kind="integer"), Column(header=t("reported"))])


def reporting_table(frame, lang: str, title: str) -> Table:
    t = _t(lang)

    def row(name: str, g) -> list:
        n, done, on_time = len(g), int(g.reported.sum()), int(g.on_time.sum())
        return [name, n, on_time, done - on_time, n - done, done / n if n else None]

    body = [row("—" if pd.isna(name) else str(name), g) for name, g in frame.groupby("park_name", dropna=False)]
    body.append(row(t("total"), frame))
    return Table(title=title, sheet=t("s_reporting"), rows=body, columns=[
        Column(header=t("park")), Column(header=t("firms"), kind="integer"), Column(header=t("on_time"), kind="integer"),
        Column(header=t("late"), kind="integer"), Column(header=t("missing"), kind="integer"),
        Column(header=t("rate"), kind="percent")])


def notes(rows: list[ProgressRow], catalog: Catalog, lang: str) -> list[str]:
    """Where each figure comes from (official vs bottom-up, coverage) and definition changes."""
    t = _t(lang)
    out = []
    bottom_up = [_name(r, lang) for r in rows if r.series == "bottom_up"]
    if bottom_up:
        out.append(t("note_bottom_up", names=("、" if lang == "zh" else "; ").join(bottom_up)))
    for r in rows:
        if r.series == "official" and r.coverage is not None and r.headline:
            out.append(t("note_official", name=_name(r, lang)) + t("note_coverage", coverage=pct(r.coverage),
                                                                      name=_name(r, lang)))
    seen = set()
    for r in rows:
        ind = catalog.indicators.get(r.indicator_id)
        if ind is None or ind.indicator_id in seen:
            continue
        seen.add(ind.indicator_id)
        for change in ind.definition_changes:
            out.append(t("note_definition", year=change.year, indicator=_name(ind, lang),
                         note=change.note_zh if lang == "zh" else change.note_en))
    out.append(t("note_method"))
    return out


class _Numbering:
    """表1, 表2 … and 图1, 图2 … in document order."""

    def __init__(self) -> None:
        self.tables = 0
        self.charts = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def chart(self) -> int:
        self.charts += 1
        return self.charts


def incentive_blocks(con: repo.Con, catalog: Catalog, plan_id: str, as_of: Period, park_id: str | None,
                     who: Identity, lang: str, n: _Numbering) -> list:
    """Firms whose annual software revenue first reached one of the plan's reward thresholds in the
    last complete year (Jiaxing also asks for ≥ 10 % growth), with rewards and their total."""
    t = _t(lang)
    year = as_of.last_complete_year
    found = queries.plan_winners(con, who, catalog.plans[plan_id], park_id or catalog.plans[plan_id].scope, year)
    if found.empty:
        return [Paragraph(text=t("no_incentives", year=year))]
    body = [[r.name_zh, r.threshold, r.value / 1e4, numeric(r.growth), numeric(r.reward)] for r in found.itertuples()]
    total = incentives.total_of(found)
    body.append([t("total"), None, None, None, total.amount])
    line = t("incentive_total", total=f"{total.amount:,.0f}", k=total.firms, m=total.awards)
    if total.unpriced:
        line += t("incentive_unpriced", n=total.unpriced)
    return [Paragraph(text=line),
            Table(title=t("t_incentives", n=n.table(), year=year), sheet=t("s_incentives"), rows=body, columns=[
                Column(header=t("enterprise")), Column(header=t("threshold"), kind="number", decimals=0),
                Column(header=t("revenue_yi"), kind="number", decimals=2), Column(header=t("growth"), kind="percent"),
                Column(header=t("reward"), kind="number", decimals=0)])]


def _heading(i: int, text: str, lang: str) -> str:
    return f"{NUMERALS[i]}、{text}" if lang == "zh" else f"{i + 1}. {text}"


def build(con: repo.Con, catalog: Catalog, plan_id: str, as_of: Period, park_id: str | None = None,
          lang: str = "zh", who: Identity = SYSTEM, today: dt.date | None = None) -> Document:
    """The briefing of `plan_id` at `as_of` (for one park when `park_id` is given), read as `who`.

    Raises ValueError for a park outside the plan, `store.access.AuthorizationError` when `who`
    may not see the park's firms."""
    t = _t(lang)
    plan = catalog.plans[plan_id]
    park = catalog.organisations.get(park_id) if park_id else None
    if park_id is not None:
        parks = [o.org_id for o in catalog.parks_under(plan.scope)]
        if park_id not in parks:
            raise ValueError(f"{park_id!r} is not a park of {plan_id} ({plan.scope}); its parks: {', '.join(parks) or 'none'}")
        access.require_enterprises_of(con, who, park_id, "export the briefing of")
    judged = queries.plan_judgement(con, catalog, plan_id, as_of)
    rows = judged.rows
    if park_id:  # the park's own targets first, then the plan's headline targets for context
        rows_shown = list({r.target_id: r for r in [r for r in rows if r.scope_id == park_id]
                           + [r for r in rows if r.headline]}.values())
    else:
        rows_shown = rows
    n = _Numbering()
    period = period_label(as_of, lang)
    parts: list[tuple[str, list]] = [("s_targets", [status_table(rows_shown, catalog, lang,
                                                                 t("t_targets", n=n.table(), period=period))])]

    charts = []
    for head in [r for r in rows if r.headline and r.actual is not None and r.kind != "growth"]:
        series = judged.series[head.target_id]
        if series.annual:
            charts.append(target_chart(series, lang, t("c_target", n=n.chart(), name=_name(head, lang))))
    if charts:
        parts.append(("s_charts", charts))

    park_blocks: list = []
    head_level = next((r for r in rows if r.headline and r.kind == "level"), None)
    if park is None:
        if head_level is not None:
            shares = judged.parks[head_level.target_id]
            if any(s.value for s in shares):
                park_blocks.append(park_summary(shares, head_level, lang, t(
                    "t_parks", n=n.table(), indicator=_name(head_level, lang), year=as_of.last_complete_year)))
        for org in catalog.organisations.values():  # a table per park that has targets of its own
            own = [r for r in rows if r.scope_id == org.org_id]
            if own and org.kind == OrgKind.PARK:
                park_blocks.append(status_table(own, catalog, lang, t("t_park", n=n.table(), park=_name(org, lang))))
    else:
        firms = access.enterprise_figures(con, who, park.org_id, as_of)
        if not firms.empty:
            park_blocks.append(enterprise_table(firms, lang, t("t_enterprises", n=n.table(), park=_name(park, lang),
                                                               period=period)))
    if park_blocks:
        parts.append(("s_parks" if park is None else "s_enterprises", park_blocks))
    if plan.incentives:
        parts.append(("s_incentives", incentive_blocks(con, catalog, plan_id, as_of, park_id, who, lang, n)))

    root = park_id or plan.scope
    days = int(repo.setting(con, "report_deadline_days") or DEFAULT_DEADLINE_DAYS)
    reporting = access.reporting_status(con, who, root, as_of, days)
    if not reporting.empty:
        done, on_time = int(reporting.reported.sum()), int(reporting.on_time.sum())
        parts.append(("s_reporting", [
            Paragraph(text=t("rate_line", period=period, n=len(reporting), done=done, on_time=on_time,
                             rate=pct(done / len(reporting)))),
            reporting_table(reporting, lang, t("t_reporting", n=n.table(), period=period,
                                               deadline=as_of.deadline(days).isoformat()))]))
    parts.append(("s_notes", [Paragraph(text=x) for x in notes(rows_shown, catalog, lang)]))

    demo = repo.setting(con, "demo_data") == "true"
    data_date = repo.data_date(con, root, as_of)
    plan_name = plan.title_zh if lang == "zh" else plan.title_en
    meta = [(t("plan"), plan_name), (t("issuer"), plan.issuer_zh), (t("period"), period)]
    if park is not None:
        meta.append((t("park"), _name(park, lang)))
    meta += [(t("data_date"), data_date.isoformat() if data_date else "—"),
             (t("generated"), (today or dt.date.today()).isoformat()),
             (t("nature"), t("demo") if demo else t("official"))]
    subtitle = t("subtitle", year=as_of.year, q=NUMERALS[as_of.quarter - 1], months=f"1-{as_of.end_month}月",
                 period=str(as_of))
    return Document(
        title=t("title", plan=plan_name), subtitle=subtitle + (f" · {_name(park, lang)}" if park else ""), meta=meta,
        summary=summary(rows_shown, as_of, lang),
        sections=[Section(heading=_heading(i, t(key), lang), blocks=blocks) for i, (key, blocks) in enumerate(parts)],
        footer=t("demo") if demo else "", lang=lang,
        file_stem=f"{plan_id}-{as_of}" + (f"-{park_id}" if park_id else "") + ("" if lang == "zh" else "-en"))
