"""The catalog as data: indicators, organisations and plans with their targets.

Plans are declared in `data/plans/*.yaml` and loaded into these frozen models. Every target quotes
the sentence of its plan it comes from (`source_quote`), so a reader can check the product against
the text. Target kinds form a discriminated union: the metrics layer matches on them exhaustively,
so adding a kind without teaching the metrics how to judge it fails the tests (metrics/judges.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from domain.periods import Period
from domain.units import UNITS, Dimension, unit


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


# ---------------------------------------------------------------- indicators and organisations


class IndicatorKind(StrEnum):
    FLOW = "flow"  # reported year-to-date; Q4 is the annual figure
    STOCK = "stock"  # a period-end level (or a period average, like 平均用工人数)


class Timing(StrEnum):
    """When in the year a flow happens, which decides whether 序时进度 means anything for it."""

    SPREAD = "spread"  # accrues through the year (revenue, training): a year-to-date figure has a pace
    ANNUAL_EVENT = "annual_event"  # happens once a year (graduations, designations, list selections,
    # talent intakes): a figure before year end is not behind, just not yet counted


class OrgKind(StrEnum):
    COUNTRY = "country"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    BASE = "base"  # a named group of parks (青岛示范基地, 一港四区)
    PARK = "park"
    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"  # a college or research body a plan sets a quota for (嘉职院); reports its own figures


class DefinitionChange(Frozen):
    year: int  # first year reported under the new definition
    note_zh: str
    note_en: str


class Limits(Frozen):
    """How far a figure (or a ratio of two) may go before it is implausible — a warning that needs an
    explanation — or impossible — an error. Each side is optional; a warning lies inside its error."""

    warn_above: float | None = None
    error_above: float | None = None
    warn_below: float | None = None
    error_below: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if all(x is None for x in (self.warn_above, self.error_above, self.warn_below, self.error_below)):
            raise ValueError("a bound needs at least one limit")
        for warn, error, side in ((self.warn_above, self.error_above, "above"), (self.error_below, self.warn_below, "below")):
            if warn is not None and error is not None and warn >= error:
                raise ValueError(f"the warning {side} must lie inside the error {side}")
        return self

    def breach(self, x: float) -> tuple[str, str, float] | None:
        """(severity "error" or "warning", side "above" or "below", the limit passed), or None."""
        for severity, side, limit in (("error", "above", self.error_above), ("error", "below", self.error_below),
                                      ("warning", "above", self.warn_above), ("warning", "below", self.warn_below)):
            if limit is not None and (x > limit if side == "above" else x < limit):
                return severity, side, limit
        return None


class Bound(Limits):
    """Plausible values of an indicator, in its stored unit, for one reporting level (`level`), or
    for every level without a bound of its own (no level)."""

    level: OrgKind | None = None


class RatioBound(Limits):
    """Plausible values of this indicator ÷ another row of the same form (`of`), at the same
    organisation and period. A flow over a stock (revenue per employee) is taken on the flow
    annualised (year-to-date × 4 ÷ quarter), so one bound holds in every quarter."""

    of: Id


class Indicator(Frozen):
    indicator_id: Id
    code: str | None = None  # MIIT form row code (2020 …), where the indicator is a form row
    name_zh: str
    name_en: str
    # Words plans write for it (营业收入, 从业人员): how domain/extract.py recognises it in a plan's text.
    terms_zh: tuple[str, ...] = ()
    unit: str  # canonical unit of the stored value
    kind: IndicatorKind
    reported_by: OrgKind  # the level whose reports are summed into a bottom-up total
    parent: Id | None = None  # the total this indicator is a part of (2021 ⊂ 2020)
    components_sum_to_parent: bool = False  # parts add up exactly to the parent
    allow_negative: bool = False  # profit can be negative; revenue cannot
    timing: Timing = Timing.SPREAD  # only meaningful for flows
    definition_changes: tuple[DefinitionChange, ...] = ()
    # Plausibility (data/indicators.yaml; store/catalog.py requires them of every catalog indicator):
    # absolute bounds per reporting level, and bounds on ratios to other rows of the same form.
    bounds: tuple[Bound, ...] = ()
    ratios: tuple[RatioBound, ...] = ()

    @model_validator(mode="after")
    def _unit_known(self) -> Indicator:
        unit(self.unit)
        levels = [b.level for b in self.bounds]
        if len(set(levels)) != len(levels):
            raise ValueError("one bound per reporting level")
        return self

    def bound_for(self, level: OrgKind | None) -> Limits | None:
        """The limits of a figure reported by an organisation of this kind: its level's own, each
        limit it leaves open taken from the bound for every level (a park's warning, every level's
        error)."""
        by_level = {b.level: b for b in self.bounds}
        own, every = by_level.get(level) if level is not None else None, by_level.get(None)
        if own is None or every is None:
            return own or every
        fields = ("warn_above", "error_above", "warn_below", "error_below")
        return Limits(**{f: getattr(every, f) if getattr(own, f) is None else getattr(own, f) for f in fields})

    @property
    def dimension(self) -> Dimension:
        return UNITS[self.unit].dimension


class BreakKind(StrEnum):
    DEFINITION = "definition"  # what an indicator counts changed (software revenue: six parts, then four)
    THRESHOLD = "threshold"  # which firms the survey covers changed (主营业务收入 ≥ 500万 → ≥ 2000万元)
    MERGE = "merge"  # the area changed (江干区 and 下城区 merged in 2021)


class SeriesBreak(Frozen):
    """A dated break in series (catalog data, data/breaks.yaml): from `year` on, the figures of the
    given indicators (every indicator where none is named) at the given organisations and every one
    below them are on a new footing, so growth across it compares unlike figures unless the bureau
    publishes a comparable rate."""

    break_id: Id
    kind: BreakKind
    year: int  # the first year on the new footing
    indicators: tuple[Id, ...] = ()
    scopes: tuple[Id, ...]
    note_zh: str
    note_en: str
    source: str = Field(min_length=4)  # where the change is documented


class Organisation(Frozen):
    org_id: Id
    name_zh: str
    name_en: str = ""
    kind: OrgKind
    parent: Id | None = None
    credit_code: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""
    source_quote: str | None = None  # where a plan names this organisation
    planned_land: Amount | None = None  # a park's planned land area as the plan writes it (1200 亩, 17 平方公里)
    planned_land_about: bool = False  # the plan writes 约 (about) before it

    @model_validator(mode="after")
    def _land_is_an_area(self) -> Organisation:
        if self.planned_land is not None and unit(self.planned_land.unit).dimension != Dimension.AREA:
            raise ValueError(f"planned_land is an area, not {self.planned_land.unit!r}")
        return self


# ------------------------------------------------------------------------------------ targets


class Comparator(StrEnum):
    GE = ">="  # 达到, 以上, 不低于
    GT = ">"  # 超过
    LE = "<="  # 不超过 (a falling-is-good target)
    LT = "<"
    ABOUT = "about"  # 左右: reaching the value less the declared tolerance (metrics/progress.py ABOUT_*)

    @property
    def falling_is_good(self) -> bool:
        return self in (Comparator.LE, Comparator.LT)


class TargetKind(StrEnum):
    LEVEL = "level"
    GROWTH = "growth"
    SHARE = "share"
    DENSITY = "density"
    THRESHOLD_COUNT = "threshold_count"
    YEARLY_QUOTA = "yearly_quota"
    CUMULATIVE = "cumulative"
    AVERAGE_INCREASE = "average_increase"
    PROGRAMME_COUNT = "programme_count"


class Operand(Frozen):
    """The other side of a ratio: an indicator at an organisation (national total, city GDP)."""

    indicator: Id
    scope: Id


class Amount(Frozen):
    value: float
    unit: str

    @model_validator(mode="after")
    def _unit_known(self) -> Amount:
        unit(self.unit)
        return self

    @property
    def canonical(self) -> float:
        return unit(self.unit).to_canonical(self.value)


class TargetBase(Frozen):
    target_id: Id
    name_zh: str
    name_en: str
    scope: Id  # organisation the target is about
    indicator: Id
    comparator: Comparator = Comparator.GE
    value: float  # as written in the plan
    unit: str  # as written in the plan
    base_year: int
    target_year: int
    # The quarter of target_year in which the plan (or its phase) ends: Shenzhen's runs to 2012-03, so
    # its targets are read on the last whole year before it (2011) and on the 2012 Q1 year-to-date 同比.
    target_quarter: int = Field(default=4, ge=1, le=4)
    headline: bool = False  # the plan's lead figure, shown on the overview card
    source_quote: str = Field(min_length=4)
    note: str = ""  # where the judgment interprets the words: how, and why

    @model_validator(mode="after")
    def _check(self) -> TargetBase:
        unit(self.unit)
        if self.target_year <= self.base_year:  # its type is the message code's (domain/problems.py shape_reason)
            raise PydanticCustomError("target_years", "target_year {target_year} must be after base_year {base_year}",
                                      {"target_year": self.target_year, "base_year": self.base_year})
        if self.last_whole_year <= self.base_year:
            raise ValueError(f"the plan must end after a whole year past base_year {self.base_year}")
        return self

    @property
    def value_canonical(self) -> float:
        return unit(self.unit).to_canonical(self.value)

    @property
    def end(self) -> Period:
        """The quarter at whose end the target is judged for good."""
        return Period(self.target_year, self.target_quarter)

    @property
    def last_whole_year(self) -> int:
        """The last whole year the plan covers: the target year, or the year before a plan that ends
        within its target year."""
        return self.target_year if self.target_quarter == 4 else self.target_year - 1


class LevelTarget(TargetBase):
    """The indicator's annual value in the target year reaches the value (2200 亿元 by 2016)."""

    kind: Literal[TargetKind.LEVEL] = TargetKind.LEVEL
    yearly_targets: dict[int, float] = {}  # 年度分解目标 where the plan gives them, in `unit`
    # A list the plan creates (重点支持10家领军企业) is empty before it: judged on a linear pace from zero
    # in the base year, never on compound growth from a base that cannot exist.
    from_zero: bool = False


class GrowthTarget(TargetBase):
    """Compound annual growth over base_year → target_year reaches the rate (年均增长30%)."""

    kind: Literal[TargetKind.GROWTH] = TargetKind.GROWTH
    # 保持X%以上 / 年均增长X%以上: every year's 同比 must reach the rate too, not only the compound rate.
    each_year: bool = False

    @model_validator(mode="after")
    def _rises(self) -> GrowthTarget:
        # A rate to sustain is reached from below; a ceiling on growth (不超过) would need its own judge.
        if self.comparator.falling_is_good:
            raise PydanticCustomError("growth_floor", "{target_id}: a growth target is judged as a floor (>=, >, about), "
                                      "not {comparator}", {"target_id": self.target_id, "comparator": self.comparator.value})
        return self


class ShareTarget(TargetBase):
    """Indicator at scope ÷ the denominator reaches a percentage (≥ 5 % of the national total)."""

    kind: Literal[TargetKind.SHARE] = TargetKind.SHARE
    denominator: Operand

    @model_validator(mode="after")
    def _part_of_whole(self) -> ShareTarget:
        # A share of another organisation's total (在全国的占比) is a part of the same whole: the same
        # indicator on both sides, or the ratio mixes definitions (主营业务收入 ÷ 软件业务收入).
        if self.denominator.scope != self.scope and self.denominator.indicator != self.indicator:
            raise PydanticCustomError("share_like_for_like", "{target_id}: a share of {whole}'s total must divide "
                                      "{denominator} by itself, not {indicator}",
                                      {"target_id": self.target_id, "whole": self.denominator.scope,
                                       "denominator": self.denominator.indicator, "indicator": self.indicator})
        return self


class DensityTarget(TargetBase):
    """A ratio of two indicators of the same scope in other units (2 亿元 revenue per 公顷)."""

    kind: Literal[TargetKind.DENSITY] = TargetKind.DENSITY
    denominator: Operand


class ThresholdCountTarget(TargetBase):
    """Number of enterprises in scope whose annual indicator reaches `threshold` (40 firms ≥ 1 亿元)."""

    kind: Literal[TargetKind.THRESHOLD_COUNT] = TargetKind.THRESHOLD_COUNT
    threshold: Amount
    # 过/超过 is strictly above the threshold; 以上/达到 is at or above it.
    threshold_comparator: Literal[Comparator.GE, Comparator.GT] = Comparator.GE
    # A count the statistics office records (a stock indicator at the scope), used for the years it
    # exists; the count of the firms' own reports otherwise.
    official_indicator: Id | None = None
    within: Id | None = None  # 其中: the wider tier this count is part of (firms over 10亿 within those over 1亿)


class YearlyQuotaTarget(TargetBase):
    """Each year from first_year to target_year the indicator reaches the quota (5万人次 a year)."""

    kind: Literal[TargetKind.YEARLY_QUOTA] = TargetKind.YEARLY_QUOTA
    first_year: int
    # A quota each organisation of this kind under the scope must meet (相关区市每年要引进2名以上):
    # judged district by district, never on their total.
    per: OrgKind | None = None


class CumulativeTarget(TargetBase):
    """The running total of a yearly flow since first_year reaches the value by target_year."""

    kind: Literal[TargetKind.CUMULATIVE] = TargetKind.CUMULATIVE
    first_year: int


class AverageIncreaseTarget(TargetBase):
    """The stock rises on average by the value each year (年均新增就业2万人)."""

    kind: Literal[TargetKind.AVERAGE_INCREASE] = TargetKind.AVERAGE_INCREASE


class ProgrammeCountTarget(TargetBase):
    """Designations of one type made since first_year reach a count (about 8 demonstration bases)."""

    kind: Literal[TargetKind.PROGRAMME_COUNT] = TargetKind.PROGRAMME_COUNT
    first_year: int
    designation_type: str


Target = Annotated[
    LevelTarget
    | GrowthTarget
    | ShareTarget
    | DensityTarget
    | ThresholdCountTarget
    | YearlyQuotaTarget
    | CumulativeTarget
    | AverageIncreaseTarget
    | ProgrammeCountTarget,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------- incentives, tasks, criteria


class Incentive(Frozen):
    """A one-off reward when a firm's annual indicator first reaches a threshold."""

    incentive_id: Id
    scope: Id
    indicator: Id
    threshold: Amount
    reward: Amount | None  # None where the plan names a reward without an amount (特殊贡献奖励)
    min_growth_pct: float | None = None  # Jiaxing: and growth ≥ 10 %
    source_quote: str = Field(min_length=4)


class Phase(Frozen):
    phase: int
    name_zh: str
    start: dt.date
    end: dt.date
    source_quote: str = Field(min_length=4)


class Task(Frozen):
    """A one-off task with its lead departments, due by the end of its phase or on its own date."""

    task_id: Id
    section: str  # the heading the task sits under, e.g. （二）探索多层次集约化的产业集聚发展模式
    text: str
    lead_departments: tuple[str, ...]
    phase: int | None = None  # the plan phase it belongs to (Shenzhen's two phases)
    due: dt.date | None = None  # its own date where the plan gives one (到2016年; 半年拉框架); else the phase's end
    source_quote: str = Field(min_length=4)

    @model_validator(mode="after")
    def _dated(self) -> Task:
        if self.phase is None and self.due is None:
            raise ValueError(f"task {self.task_id}: give a phase or a due date")
        return self


class ClusterBase(Frozen):
    """A named industry base a plan commits to building by a year (Qingdao's 产业集群: 物联网产业基地,
    中国北方数据中心 …): a role the plan gives its parks, not an organisation that reports figures, so
    it names the parks charged with it instead of sitting in the organisation tree."""

    cluster_id: Id
    name_zh: str  # as written, and found verbatim in source_quote
    name_en: str
    standing_zh: str  # the rank the plan aims at, as written: 国内领先, 国内重要, 国际一流
    by_year: int
    parks: tuple[Id, ...] = ()  # the parks the plan charges with it; empty where it names none
    source_quote: str = Field(min_length=4)
    park_quote: str | None = None  # where the plan gives it to its parks


class Responsibility(Frozen):
    """Who the plan makes answerable for some of its targets, in its own words: departments it names
    (由市经信委负责牵头组织实施), or the lead departments of tasks it charges with them. `targets` empty:
    every target of the plan. Only what the quoted sentence says; a plan naming no one has none."""

    targets: tuple[Id, ...] = ()
    departments: tuple[str, ...] = ()  # as the plan writes them, each found in source_quote
    tasks: tuple[Id, ...] = ()  # tasks whose lead departments answer for the targets
    source_quote: str = Field(min_length=4)

    @model_validator(mode="after")
    def _someone(self) -> Responsibility:
        if not self.departments and not self.tasks:
            raise ValueError("a responsibility names departments or tasks")
        return self


class DutyKind(StrEnum):
    REPORT = "report"  # progress information sent up (每季度末报送本单位工作进展信息)
    BRIEFING = "briefing"  # the briefing compiled from it; its recipients are the task briefing's distribution
    EVALUATION = "evaluation"  # a step of an evaluation chain (自评报告 → 省审核 → 部实地考核评估)
    AWARD = "award"  # a recurring commendation (每两年表彰…领军人物)


class Recurrence(StrEnum):
    QUARTERLY = "quarterly"  # 每季度末
    BIENNIAL = "biennial"  # 每两年

    @property
    def months(self) -> int:
        return {Recurrence.QUARTERLY: 3, Recurrence.BIENNIAL: 24}[self]


def _month_end(year: int, month: int) -> dt.date:
    """The last day of a month; `month` may run past 12 (month 14 of 2012 is February 2013)."""
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


class Duty(Frozen):
    """An obligation the plan sets beside its tasks: who owes what to whom, once or at every
    recurrence (每季度末报送本单位工作进展信息; 每两年表彰…领军人物; 自评报告报广东省审核). A step of a
    chain names the duty it follows (`after`). Dated only where the plan gives a date: `due` is the
    date of a one-off duty or the first of a recurring one (a month end), `until` the last a
    recurring one runs to."""

    duty_id: Id
    kind: DutyKind
    text: str
    owed_by: tuple[str, ...] = ()  # as written; empty where the plan names nobody
    recipients: tuple[str, ...] = ()  # to whom it is sent (报送…), as written
    every: Recurrence | None = None  # None: once
    due: dt.date | None = None
    until: dt.date | None = None
    after: Id | None = None
    source_quote: str = Field(min_length=4)
    note: str = ""

    @model_validator(mode="after")
    def _dates(self) -> Duty:
        if self.every is not None:
            if self.due is None or self.until is None:
                raise ValueError(f"duty {self.duty_id}: a recurring duty needs its first date (due) and its last (until)")
            if self.due != _month_end(self.due.year, self.due.month):
                raise ValueError(f"duty {self.duty_id}: a recurring duty falls due at a month end, not {self.due}")
        elif self.until is not None:
            raise ValueError(f"duty {self.duty_id}: until is for a recurring duty")
        if self.due and self.until and self.until < self.due:
            raise ValueError(f"duty {self.duty_id}: until {self.until} is before due {self.due}")
        return self

    def occurrences(self) -> list[dt.date]:
        """Every date the duty falls due: its one date, or each recurrence from due to until."""
        if self.due is None:
            return []
        if self.every is None or self.until is None:
            return [self.due]
        out, k = [], 0
        while (d := _month_end(self.due.year, self.due.month + k * self.every.months)) <= self.until:
            out.append(d)
            k += 1
        return out

    def next_due(self, after: dt.date) -> dt.date | None:
        """The first date it falls due after a day (a quarter's is the one after the previous quarter's
        end); None when none is left, or it has no date."""
        return next((d for d in self.occurrences() if d > after), None)


ADMISSION = "admission"  # Criterion.applies_to of a plan's conditions of admission (准入条件)


class CriterionMeasure(StrEnum):
    """How a unit's figure is formed for a ratio criterion (an indicator of the unit over its land)."""

    CUMULATIVE = "cumulative"  # Σ of a yearly flow since the unit's first reported year ÷ the denominator stock
    ANNUAL = "annual"  # one year's flow ÷ the denominator stock at that year's end


class Criterion(Frozen):
    """An eligibility rule of a programme (产业规模位居全省前15位; 初创团队不少于20家), or a plan's
    condition of admission (`applies_to: admission`): a threshold each park or firm admitted to
    `scope` is checked against one by one (单位土地平均投资强度4000万元/公顷以上), not a target of the
    scope as a whole (metrics/criteria.py)."""

    criterion_id: Id
    applies_to: str  # designation type, or ADMISSION
    text_zh: str
    text_en: str = ""
    indicator: Id | None = None
    comparator: Comparator | Literal["rank_within"] = Comparator.GE
    value: float
    unit: str | None = None
    scope: Id | None = None  # admission: the organisation whose parks and firms are checked
    measure: CriterionMeasure | None = None  # a ratio criterion: how the unit's own figure is formed
    denominator: Id | None = None  # a ratio criterion: the unit's own stock divided into it (land_area)
    source_quote: str = Field(min_length=4)

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        if self.unit is not None:
            unit(self.unit)
        if (self.measure is None) != (self.denominator is None):
            raise ValueError("a ratio criterion needs both `measure` and `denominator`")
        if self.measure is not None and (self.indicator is None or self.unit is None or self.comparator == "rank_within"):
            raise ValueError("a ratio criterion needs an indicator, a unit and a comparator of values")
        if self.applies_to == ADMISSION and (self.scope is None or self.measure is None):
            raise ValueError("a condition of admission needs the `scope` it admits to and a `measure`")
        return self


class RuleKind(StrEnum):
    APPLICATION_DEADLINE = "application_deadline"
    PUBLICITY = "publicity"
    ONE_TYPE_PER_COUNTY = "one_type_per_county"


class RuleBase(Frozen):
    """A procedural rule of a designation programme (Zhejiang's bases): when applications are due,
    how long the list is published, what a county may apply for. `round` is the designation year
    the rule is written for (the 2016 notice), None where it holds for every year."""

    rule_id: Id
    text_zh: str
    round: int | None = None
    source_quote: str = Field(min_length=4)


class ApplicationDeadline(RuleBase):
    """A round's applications reach the province by a date (于2015年12月底前行文上报)."""

    kind: Literal[RuleKind.APPLICATION_DEADLINE] = RuleKind.APPLICATION_DEADLINE
    round: int
    due: dt.date
    recipients: tuple[str, ...] = ()


class PublicityPeriod(RuleBase):
    """The bases to be designated are published for objections for so many days first (公示时间为7天);
    a designation is announced only after it."""

    kind: Literal[RuleKind.PUBLICITY] = RuleKind.PUBLICITY
    days: int = Field(gt=0)


class OneTypePerCounty(RuleBase):
    """A county applies for one of the programme's types in a round (选择…中的一项进行申报)."""

    kind: Literal[RuleKind.ONE_TYPE_PER_COUNTY] = RuleKind.ONE_TYPE_PER_COUNTY


ProgrammeRule = Annotated[ApplicationDeadline | PublicityPeriod | OneTypePerCounty, Field(discriminator="kind")]


class Measure(Frozen):
    """A quantified support measure (funding amount, subsidy cap) that is not itself a target."""

    measure_id: Id
    text_zh: str
    amount: Amount | None = None
    applies_to: str | None = None
    source_quote: str = Field(min_length=4)


class Adjustment(Frozen):
    """A mid-term adjustment (中期调整): a later document that changes a published plan's targets.

    From `effective` on, each of its targets replaces the plan's target of the same id (or joins the
    plan), and each id in `dropped` stops being judged. The plan with its first k adjustments applied
    is version k + 1; a quarter is judged against the version in force on its last day
    (Plan.in_force), so the quarters before the adjustment keep the verdicts they had."""

    effective: dt.date
    document_zh: str = Field(min_length=2)  # the adjusting document's title, as issued
    seed_file: str  # the adjusting document's text; its quotes are checked against it
    source_quote: str = Field(min_length=4)  # the sentence that makes the adjustment
    targets: tuple[Target, ...] = ()
    dropped: tuple[Id, ...] = ()


class Plan(Frozen):
    plan_id: Id
    title_zh: str
    title_en: str
    issuer_zh: str
    issuer_en: str = ""  # the office's own English name, where it has one
    issued: dt.date
    seed_file: str
    scope: Id  # the city or province the plan governs
    base_year: int  # last full year before the plan, unless the plan says otherwise
    horizon_end: int
    organisations: tuple[Organisation, ...] = ()  # parks and bases the plan names
    targets: tuple[Target, ...]
    incentives: tuple[Incentive, ...] = ()
    phases: tuple[Phase, ...] = ()
    tasks: tuple[Task, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    measures: tuple[Measure, ...] = ()
    cluster_bases: tuple[ClusterBase, ...] = ()
    duties: tuple[Duty, ...] = ()
    rules: tuple[ProgrammeRule, ...] = ()
    responsibilities: tuple[Responsibility, ...] = ()  # who answers for which targets (issue 18)
    adjustments: tuple[Adjustment, ...] = ()  # mid-term adjustments, in the order they took effect

    @model_validator(mode="after")
    def _adjustments_in_order(self) -> Plan:
        days = [a.effective for a in self.adjustments]
        if days != sorted(days) or len(set(days)) != len(days):  # the types are message codes (shape.…)
            raise PydanticCustomError("adjustment_order", "adjustments must take effect on distinct days, in order, "
                                      "each after the last ({last})", {"last": max(days[:-1]).isoformat()})
        if days and days[0] <= self.issued:
            raise PydanticCustomError("adjustment_after_issue", "an adjustment takes effect after the plan is issued "
                                      "({issued})", {"issued": self.issued.isoformat()})
        return self

    @property
    def version(self) -> int:
        """The plan's latest version: 1 as issued, one more per adjustment."""
        return 1 + len(self.adjustments)

    def version_on(self, day: dt.date) -> int:
        """The version in force on `day`."""
        return 1 + sum(1 for a in self.adjustments if a.effective <= day)

    def in_force(self, day: dt.date) -> Plan:
        """The plan as it stood on `day`: its targets with every adjustment effective by then
        applied, in the order of the original targets (new ones last); no adjustments left on it."""
        targets = {t.target_id: t for t in self.targets}
        for a in self.adjustments:
            if a.effective > day:
                break
            for gone in a.dropped:
                targets.pop(gone, None)
            targets.update({t.target_id: t for t in a.targets})
        return self.model_copy(update={"targets": tuple(targets.values()), "adjustments": ()})

    def version_at(self, period: Period | None) -> int:
        """The version a quarter is judged against (in force on its last day); the latest without one."""
        return self.version if period is None else self.version_on(period.end_date)

    def at(self, period: Period | None) -> Plan:
        """The version a quarter is judged against (in force on its last day); the latest without one."""
        return self.latest() if period is None else self.in_force(period.end_date)

    def latest(self) -> Plan:
        """The plan with every adjustment applied (the version in force from the last one on)."""
        return self.in_force(dt.date.max)

    def history(self, target_id: str) -> list[tuple[int, dt.date, Target | None, str]]:
        """Each version that set or dropped target `target_id`: (version, in force from, the
        target or None where dropped, the sentence that set it). Empty for an unknown id."""
        out: list[tuple[int, dt.date, Target | None, str]] = []
        first = next((t for t in self.targets if t.target_id == target_id), None)
        if first is not None:
            out.append((1, self.issued, first, first.source_quote))
        for i, a in enumerate(self.adjustments, start=2):
            new = next((t for t in a.targets if t.target_id == target_id), None)
            if new is not None:
                out.append((i, a.effective, new, new.source_quote))
            elif target_id in a.dropped:
                out.append((i, a.effective, None, a.source_quote))
        return out

    def all_targets(self) -> list[Target]:
        """Every target any version holds (what reading the plan in any quarter may need)."""
        return [*self.targets, *(t for a in self.adjustments for t in a.targets)]

    def due_of(self, task: Task) -> dt.date:
        """When a task is due: its own date, else the end of its phase."""
        if task.due is not None:
            return task.due
        return next(p.end for p in self.phases if p.phase == task.phase)

    def reading_quarter(self, periods: Sequence[Period]) -> Period | None:
        """The quarter the plan is read at unless someone picks another: its latest quarter with
        data, but not past its horizon (figures reported after a plan has ended, for a later plan,
        would otherwise open it on a quarter it says nothing about)."""
        within = [p for p in periods if p.year <= self.horizon_end]
        return max(within or periods, key=lambda p: p.ordinal, default=None)


# Organisation's planned_land is an Amount, declared further down beside the targets: resolve it now
# rather than on first use.
Organisation.model_rebuild()
