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

from domain.periods import Period
from domain.units import UNITS, Dimension, unit


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


# ---------------------------------------------------------------- indicators and organisations


class IndicatorKind(StrEnum):
    FLOW = "flow"  # reported year-to-date; Q4 is the annual figure
    STOCK = "stock"  # a period-end level (or a period average, like 平均用工人数)


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


class Indicator(Frozen):
    indicator_id: Id
    code: str | None = None  # MIIT form row code (2020 …), where the indicator is a form row
    name_zh: str
    name_en: str
    unit: str  # canonical unit of the stored value
    kind: IndicatorKind
    reported_by: OrgKind  # the level whose reports are summed into a bottom-up total
    parent: Id | None = None  # the total this indicator is a part of (2021 ⊂ 2020)
    components_sum_to_parent: bool = False  # parts add up exactly to the parent
    allow_negative: bool = False  # profit can be negative; revenue cannot
    definition_changes: tuple[DefinitionChange, ...] = ()

    @model_validator(mode="after")
    def _unit_known(self) -> Indicator:
        unit(self.unit)
        return self

    @property
    def dimension(self) -> Dimension:
        return UNITS[self.unit].dimension


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


# ------------------------------------------------------------------------------------ targets


class Comparator(StrEnum):
    GE = ">="  # 达到, 以上, 不低于
    GT = ">"  # 超过
    LE = "<="  # 不超过 (a falling-is-good target)
    LT = "<"
    ABOUT = "about"  # 左右: judged as reaching at least 95 % of the value

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
    headline: bool = False  # the plan's lead figure, shown on the overview card
    source_quote: str = Field(min_length=4)
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> TargetBase:
        unit(self.unit)
        if self.target_year <= self.base_year:
            raise ValueError(f"target_year {self.target_year} must be after base_year {self.base_year}")
        return self

    @property
    def value_canonical(self) -> float:
        return unit(self.unit).to_canonical(self.value)


class LevelTarget(TargetBase):
    """The indicator's annual value in the target year reaches the value (2200 亿元 by 2016)."""

    kind: Literal[TargetKind.LEVEL] = TargetKind.LEVEL
    yearly_targets: dict[int, float] = {}  # 年度分解目标 where the plan gives them, in `unit`


class GrowthTarget(TargetBase):
    """Compound annual growth over base_year → target_year reaches the rate (年均增长30%)."""

    kind: Literal[TargetKind.GROWTH] = TargetKind.GROWTH


class ShareTarget(TargetBase):
    """Indicator at scope ÷ the denominator reaches a percentage (≥ 5 % of the national total)."""

    kind: Literal[TargetKind.SHARE] = TargetKind.SHARE
    denominator: Operand


class DensityTarget(TargetBase):
    """A ratio of two indicators of the same scope in other units (2 亿元 revenue per 公顷)."""

    kind: Literal[TargetKind.DENSITY] = TargetKind.DENSITY
    denominator: Operand


class ThresholdCountTarget(TargetBase):
    """Number of enterprises in scope whose annual indicator reaches `threshold` (40 firms ≥ 1 亿元)."""

    kind: Literal[TargetKind.THRESHOLD_COUNT] = TargetKind.THRESHOLD_COUNT
    threshold: Amount


class YearlyQuotaTarget(TargetBase):
    """Each year from first_year to target_year the indicator reaches the quota (5万人次 a year)."""

    kind: Literal[TargetKind.YEARLY_QUOTA] = TargetKind.YEARLY_QUOTA
    first_year: int


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
    task_id: Id
    section: str  # the heading the task sits under, e.g. （二）探索多层次集约化的产业集聚发展模式
    text: str
    lead_departments: tuple[str, ...]
    phase: int
    source_quote: str = Field(min_length=4)


class Criterion(Frozen):
    """An eligibility rule of a programme (产业规模位居全省前15位; 初创团队不少于20家)."""

    criterion_id: Id
    applies_to: str  # designation type
    text_zh: str
    indicator: Id | None = None
    comparator: Comparator | Literal["rank_within"] = Comparator.GE
    value: float
    unit: str | None = None
    source_quote: str = Field(min_length=4)


class Measure(Frozen):
    """A quantified support measure (funding amount, subsidy cap) that is not itself a target."""

    measure_id: Id
    text_zh: str
    amount: Amount | None = None
    applies_to: str | None = None
    source_quote: str = Field(min_length=4)


class Plan(Frozen):
    plan_id: Id
    title_zh: str
    title_en: str
    issuer_zh: str
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

    def reading_quarter(self, periods: Sequence[Period]) -> Period | None:
        """The quarter the plan is read at unless someone picks another: its latest quarter with
        data, but not past its horizon (figures reported after a plan has ended, for a later plan,
        would otherwise open it on a quarter it says nothing about)."""
        within = [p for p in periods if p.year <= self.horizon_end]
        return max(within or periods, key=lambda p: p.ordinal, default=None)
