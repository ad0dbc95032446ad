"""A plan draft: what the authoring page and `manage.py plans add` let a person confirm before publishing.

The extractor (domain/extract.py) proposes candidates; a draft holds them as plain rows — one table
of targets, one of incentives, one of tasks, one of the new scopes (parks, districts) the plan
needs — that a person keeps, corrects or drops, and adds to. `build` turns the kept rows and the
plan's header into the data/plans schema, which the catalog's own models and checks then judge
(store/catalog.py): the draft adds no rule of its own beyond filling what a row leaves blank from
the plan (its scope, base year, horizon) and from the indicator (the target's name).

Rows are dicts keyed by the column names below; an empty cell is None or "". Every problem is
returned at once, each naming its table and row (1-based, as the page numbers them) and its reason
as a message (domain/problems.py shape_reason: pydantic's error type as a code of the catalog).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from domain.messages import Message, render
from domain.models import Indicator, Plan, TargetKind
from domain.problems import shape_reason

TARGET_COLUMNS = ("keep", "headline", "target_id", "kind", "indicator", "scope", "comparator", "value", "unit",
                  "base_year", "target_year", "first_year", "threshold_value", "threshold_unit",
                  "denominator_indicator", "denominator_scope", "designation_type", "name_zh", "quote")
INCENTIVE_COLUMNS = ("keep", "incentive_id", "scope", "indicator", "threshold_value", "threshold_unit",
                     "reward_value", "reward_unit", "min_growth_pct", "quote")
TASK_COLUMNS = ("keep", "task_id", "section", "text", "lead_departments", "due", "quote")
SCOPE_COLUMNS = ("keep", "org_id", "name_zh", "name_en", "kind", "parent", "quote")

KIND_SUFFIX_ZH = {  # the target's name where the row gives none: the indicator's name and what is asked of it
    TargetKind.GROWTH: "年均增长", TargetKind.SHARE: "占比", TargetKind.DENSITY: "密度",
    TargetKind.THRESHOLD_COUNT: "企业数", TargetKind.YEARLY_QUOTA: "年度指标", TargetKind.CUMULATIVE: "累计",
    TargetKind.AVERAGE_INCREASE: "年均增加", TargetKind.PROGRAMME_COUNT: "认定数",
}
KIND_SUFFIX_EN = {
    TargetKind.GROWTH: "average annual growth", TargetKind.SHARE: "share", TargetKind.DENSITY: "density",
    TargetKind.THRESHOLD_COUNT: "firms above the tier", TargetKind.YEARLY_QUOTA: "yearly quota",
    TargetKind.CUMULATIVE: "cumulative", TargetKind.AVERAGE_INCREASE: "average yearly increase",
    TargetKind.PROGRAMME_COUNT: "designations",
}
_KINDS = {k.value for k in TargetKind}
_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass(frozen=True)
class Header:
    """What the plan says about itself; the extractor guesses, the person confirms."""

    plan_id: str
    title_zh: str
    issuer_zh: str
    issued: dt.date
    scope: str
    base_year: int
    horizon_end: int
    seed_file: str  # the name the store keeps the plan's text under
    title_en: str = ""
    issuer_en: str = ""
    scope_parent: str | None = None  # the province (or country) the scope lies in: a share of 全省 divides by it
    country: str | None = None  # the top of the tree: a share of 全国 divides by it


@dataclass(frozen=True)
class Problem:
    table: str  # "plan", "targets", "incentives", "tasks", "scopes"
    row: int | None  # 1-based row of that table, None for the plan as a whole
    column: str | None
    reason: Message  # worded in the reader's language by the page; in English by str()

    def __str__(self) -> str:
        where = self.table if self.row is None else f"{self.table} row {self.row}"
        return f"{where}{f' · {self.column}' if self.column else ''}: {render(self.reason, 'en')}"


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _kept(rows: Iterable[Mapping]) -> list[tuple[int, Mapping]]:
    """The rows a person kept, with their 1-based number in the table as shown."""
    return [(n, r) for n, r in enumerate(rows, start=1) if r.get("keep", True) is not False]


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if not _blank(v)}


def _target(row: Mapping, n: int, header: Header, indicators: Mapping[str, Indicator]) -> dict:
    kind = row.get("kind") or TargetKind.LEVEL.value
    ind = indicators.get(row.get("indicator") or "")
    suffix_zh, suffix_en = KIND_SUFFIX_ZH.get(kind), KIND_SUFFIX_EN.get(kind)  # StrEnum keys match their values
    name_zh = row.get("name_zh") or (ind.name_zh + (suffix_zh or "") if ind else f"目标{n}")
    name_en = ind.name_en + (f" — {suffix_en}" if suffix_en else "") if ind else f"Target {n}"
    base_year = row.get("base_year") or header.base_year
    out = {
        "target_id": row.get("target_id") or f"{header.plan_id}-t{n}",
        "kind": kind, "name_zh": name_zh, "name_en": name_en, "scope": row.get("scope") or header.scope,
        "indicator": row.get("indicator"), "comparator": row.get("comparator") or ">=", "value": row.get("value"),
        "unit": row.get("unit"), "base_year": base_year, "target_year": row.get("target_year") or header.horizon_end,
        "headline": bool(row.get("headline")), "source_quote": row.get("quote"),
    }
    if kind in (TargetKind.YEARLY_QUOTA, TargetKind.CUMULATIVE, TargetKind.PROGRAMME_COUNT):
        out["first_year"] = row.get("first_year") or (int(base_year) + 1 if base_year else None)
    if kind == TargetKind.THRESHOLD_COUNT:
        out["threshold"] = {"value": row.get("threshold_value"), "unit": row.get("threshold_unit")}
    if kind in (TargetKind.SHARE, TargetKind.DENSITY):
        out["denominator"] = {"indicator": row.get("denominator_indicator") or row.get("indicator"),
                              "scope": row.get("denominator_scope") or _whole(row.get("quote") or "", header)}
    if kind == TargetKind.PROGRAMME_COUNT:
        out["designation_type"] = row.get("designation_type")
    return _clean(out)


def _whole(quote: str, header: Header) -> str | None:
    """Whose total a share the row leaves open divides by, as its words say: 全国 the country, 全省 the
    province the plan's scope lies in, else the scope itself (研发投入占业务收入比重). The extractor
    names it where the catalog holds the scope; a plan of a new city needs the header's word."""
    if "全国" in quote:
        return header.country
    if "全省" in quote:
        return header.scope_parent
    return header.scope


def _incentive(row: Mapping, n: int, header: Header) -> dict:
    reward = None if _blank(row.get("reward_value")) else {"value": row.get("reward_value"), "unit": row.get("reward_unit")}
    return _clean({
        "incentive_id": row.get("incentive_id") or f"{header.plan_id}-i{n}", "scope": row.get("scope") or header.scope,
        "indicator": row.get("indicator"), "threshold": {"value": row.get("threshold_value"), "unit": row.get("threshold_unit")},
        "reward": reward, "min_growth_pct": row.get("min_growth_pct"), "source_quote": row.get("quote"),
    }) | {"reward": reward}


def _task(row: Mapping, n: int, header: Header) -> dict:
    leads = row.get("lead_departments") or ()
    if isinstance(leads, str):
        leads = [x for x in _SPLIT.split(leads) if x]
    return _clean({
        "task_id": row.get("task_id") or f"{header.plan_id}-task{n}", "section": row.get("section") or "—",
        "text": row.get("text") or row.get("quote"), "lead_departments": list(leads),
        "due": row.get("due") or dt.date(header.horizon_end, 12, 31), "source_quote": row.get("quote"),
    }) | {"lead_departments": list(leads)}


def _scope(row: Mapping, header: Header) -> dict:
    return _clean({"org_id": row.get("org_id"), "name_zh": row.get("name_zh"), "name_en": row.get("name_en") or "",
                   "kind": row.get("kind") or "park", "parent": row.get("parent") or header.scope,
                   "source_quote": row.get("quote")})


_TABLES = {"targets": "targets", "incentives": "incentives", "tasks": "tasks", "organisations": "scopes"}


def build(header: Header, indicators: Mapping[str, Indicator], targets: Iterable[Mapping] = (),
          incentives: Iterable[Mapping] = (), tasks: Iterable[Mapping] = (),
          scopes: Iterable[Mapping] = ()) -> tuple[Plan | None, list[Problem]]:
    """The plan the kept rows make, or None and every problem of its shape, each pointed at the row
    and column the person typed it in. Cross-references (a scope or an indicator that does not
    exist) and quotes are the catalog's checks at publishing."""
    kept = {"targets": _kept(targets), "incentives": _kept(incentives), "tasks": _kept(tasks),
            "organisations": _kept(scopes)}
    data = {
        "plan_id": header.plan_id, "title_zh": header.title_zh, "title_en": header.title_en or header.title_zh,
        "issuer_zh": header.issuer_zh, "issuer_en": header.issuer_en, "issued": header.issued,
        "seed_file": header.seed_file, "scope": header.scope, "base_year": header.base_year,
        "horizon_end": header.horizon_end,
        "targets": [_target(r, n, header, indicators) for n, r in kept["targets"]],
        "incentives": [_incentive(r, n, header) for n, r in kept["incentives"]],
        "tasks": [_task(r, n, header) for n, r in kept["tasks"]],
        "organisations": [_scope(r, header) for _, r in kept["organisations"]],
    }
    problems = []
    if not data["targets"]:
        problems.append(Problem("targets", None, None, Message.of("draft.no_targets")))
    if data["targets"] and not any(t.get("headline") for t in data["targets"]):
        data["targets"][0]["headline"] = True  # the overview's card shows one: the first, unless one is marked
    try:
        plan = Plan.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = list(err["loc"])
            table = _TABLES.get(str(loc[0])) if loc else None
            if table is not None and len(loc) > 1 and isinstance(loc[1], int):
                number = kept[str(loc[0])][loc[1]][0]
                names = [str(x) for x in loc[2:] if isinstance(x, str)]
                if names and names[0] in _KINDS:  # the union's tag, not a column
                    names = names[1:]
                column = ".".join(names) or None
                problems.append(Problem(table, number, column, shape_reason(err)))
            else:
                problems.append(Problem("plan", None, ".".join(str(x) for x in loc) or None, shape_reason(err)))
        return None, problems
    return (None, problems) if problems else (plan, [])


# ------------------------------------------------------------------ the extractor's proposal as rows


_PLACE = re.compile(r"^(?:关于印发|关于|印发)?([\u4e00-\u9fff]{2,5}?(?:自治区|省|市))")  # 南湖市人民政府… → 南湖市


def place_named(title: str | None, known: Iterable[str] = ()) -> str | None:
    """The city or province a plan's title or issuer names first (南湖市人民政府办公室… → 南湖市), where it
    is none of the `known` names: the place a plan from a bureau the catalog does not hold yet governs."""
    m = _PLACE.search((title or "").strip("《“ \n"))
    if m is None or m.group(1) in set(known):
        return None
    return m.group(1)


def place_row(org_id: str, name_zh: str, kind: str, parent: str, text: str) -> dict:
    """The new-scopes row of the place a plan governs when the catalog lacks it (a new city or
    province), quoting its name where the text writes it."""
    return {"keep": True, "org_id": org_id, "name_zh": name_zh, "name_en": "", "kind": kind, "parent": parent,
            "quote": name_zh if name_zh and name_zh in text else None}


def suggested_plan_id(scope: str | None, year: int | None) -> str:
    """A plan id from its scope and the year it is issued (qingdao-2026): the person may change it."""
    return "-".join(x for x in ((scope or "plan"), str(year) if year else "") if x)


def rows_from(proposal: object, scope: str | None = None) -> dict[str, list[dict]]:
    """The extractor's proposal (domain/extract.py Proposal) as the draft's four tables, each row
    kept, carrying its sentence in `quote`. A scope the candidates name but the catalog lacks
    (candidate.scope_name) becomes one row of the new-scopes table under the plan's `scope`, with an
    id the person may change; the candidates naming it point at that id."""
    new_scopes: dict[str, dict] = {}
    for c in proposal.candidates:  # type: ignore[attr-defined]
        if c.scope is None and c.scope_name and c.scope_name not in new_scopes:
            new_scopes[c.scope_name] = {
                "keep": True, "org_id": f"{scope or 'new'}-p{len(new_scopes) + 1}", "name_zh": c.scope_name,
                "name_en": "", "kind": "park", "parent": scope, "quote": c.quote}

    def scope_of(c: object) -> str | None:
        if c.scope is not None:  # type: ignore[attr-defined]
            return c.scope  # type: ignore[attr-defined]
        named = new_scopes.get(c.scope_name or "")  # type: ignore[attr-defined]
        return named["org_id"] if named else None

    def amount(a: object | None) -> tuple[float | None, str | None]:
        return (None, None) if a is None else (a.value, a.unit)  # type: ignore[attr-defined]

    tables: dict[str, list[dict]] = {"targets": [], "incentives": [], "tasks": [], "scopes": list(new_scopes.values())}
    for c in proposal.candidates:  # type: ignore[attr-defined]
        if c.kind == "task":
            tables["tasks"].append({"keep": True, "task_id": None, "section": None, "text": c.text or c.quote,
                                    "lead_departments": "、".join(c.lead_departments), "due": None, "quote": c.quote})
        elif c.kind == "incentive":
            (tv, tu), (rv, ru) = amount(c.threshold), amount(c.reward)
            tables["incentives"].append({"keep": True, "incentive_id": None, "scope": scope_of(c),
                                         "indicator": c.indicator, "threshold_value": tv, "threshold_unit": tu,
                                         "reward_value": rv, "reward_unit": ru, "min_growth_pct": None,
                                         "quote": c.quote})
        else:
            tv, tu = amount(c.threshold)
            tables["targets"].append({
                "keep": True, "headline": False, "target_id": None, "kind": c.kind, "indicator": c.indicator,
                "scope": scope_of(c), "comparator": c.comparator, "value": c.value, "unit": c.unit,
                "base_year": c.base_year, "target_year": c.target_year, "first_year": c.first_year,
                "threshold_value": tv, "threshold_unit": tu,
                "denominator_indicator": getattr(c, "denominator_indicator", None),
                "denominator_scope": c.denominator_scope, "designation_type": None, "name_zh": None, "quote": c.quote})
    return tables
