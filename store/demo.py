"""The deterministic demo data set (fixed seed), labelled as demo data wherever it shows.

Fictitious enterprises are spread over every park the plans name, each with a valid credit code
and quarterly year-to-date reports of the MIIT form rows; parks report their own indicators;
cities, provinces and the nation have official totals; districts and a college report what a
plan asks of each of them (a city's figure of those is the sum of theirs). Parameters live in data/demo.yaml so the
story the demo tells (which target is on track, which is slipping) is readable without code.
Everything goes through the same write path as a real submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from domain.credit_code import ALPHABET, make_credit_code
from domain.models import IndicatorKind, Organisation, OrgKind
from domain.periods import Period
from domain.units import unit
from store import demo_programme, orgs, programme, settings, sql, submissions
from store.catalog import DATA_DIR, Catalog

DEMO_ACTOR = "demo-generator"
_WORDS_A = ["云帆", "数智", "恒信", "天衡", "海纳", "星图", "博远", "睿联", "启明", "中科", "华软", "易达",
            "联创", "致远", "汇智", "新航", "通达", "卓越", "明道", "锐思", "凌云", "瀚海", "泰和", "正元"]
_WORDS_B = ["信息技术", "软件", "网络科技", "数据科技", "智能科技", "电子科技", "系统集成", "信息服务"]
_FLOW_COMPONENTS = {  # software revenue components and their sub-rows (share of the component)
    "software_products": {"basic_software": (0.05, 0.25), "industrial_software": (0.05, 0.35)},
    "it_services": {"cloud_services": (0.05, 0.3), "big_data_services": (0.03, 0.2), "ic_design": (0.0, 0.15)},
    "info_security": {},
    "embedded_software": {},
}


def _path(spec: Mapping, years: range) -> dict[int, float]:
    """Annual values of a path in its written unit (see data/demo.yaml for the two forms)."""
    if "values" in spec:
        return {int(y): float(v) for y, v in spec["values"].items()}
    base_year, base_value = spec["base"]
    growth = spec["growth"]
    rate = (lambda y: growth.get(y, growth.get(base_year, 0.0))) if isinstance(growth, Mapping) else (lambda y: growth)
    out = {base_year: float(base_value)}
    for y in range(base_year + 1, years.stop):
        out[y] = out[y - 1] * (1 + rate(y))
    for y in range(base_year - 1, years.start - 1, -1):
        out[y] = out[y + 1] / (1 + rate(y + 1))
    return {y: v for y, v in out.items() if y in years}


# Keys of a city in data/demo.yaml whose organisations report figures of their own, and the kind
# each must be: an indicator they report is summed into the city only if it is reported by that kind.
OWN_REPORTERS = {"districts": OrgKind.DISTRICT, "institutions": OrgKind.INSTITUTION}


def own_reports(catalog: Catalog, city: str, c: Mapping) -> list[tuple[str, str, dict[int, float], str]]:
    """What the districts and institutions under a city report themselves, as (org, indicator,
    annual values, unit as written). An organisation that is not of its key's kind under the city,
    or an indicator its kind does not report (no bottom-up sum would count it), is refused."""
    years = range(c["years"][0], c["years"][1] + 1)
    out = []
    for key, kind in OWN_REPORTERS.items():
        for org, series in c.get(key, {}).items():
            o = catalog.organisations.get(org)
            if o is None or o.kind != kind or not catalog.is_under(org, city):
                raise ValueError(f"data/demo.yaml: cities.{city}.{key}: {org} is not of kind {kind.value} under {city}")
            for ind, spec in series.items():
                if catalog.indicators[ind].reported_by != kind:
                    raise ValueError(f"data/demo.yaml: cities.{city}.{key}.{org}: {ind} is not reported by kind {kind.value}")
                out.append((org, ind, _path(spec, years), spec["unit"]))
    return out


def _fill_stock(values: dict[int, float], years: range) -> dict[int, float]:
    """A stock given for some years holds its last value until the next one."""
    out, last = {}, None
    for y in years:
        last = values.get(y, last)
        if last is not None:
            out[y] = last
    return out


class _Rows:
    """Collects observation rows in canonical units, expanding annual values to quarters."""

    def __init__(self, catalog: Catalog, seasonal: list[float]):
        self.catalog = catalog
        self.seasonal = seasonal
        self.rows: list[tuple] = []

    def annual(self, org: str, indicator: str, values: Mapping[int, float], written_unit: str,
               seasonal: list[float] | None = None) -> None:
        ind = self.catalog.indicators[indicator]
        canon = {y: unit(written_unit).to_canonical(v) for y, v in values.items()}
        integral = ind.dimension.value in ("count", "people", "person_times")
        for y, v in sorted(canon.items()):
            for q in range(1, 5):
                if ind.kind == IndicatorKind.FLOW:
                    x = v * (seasonal or self.seasonal)[q - 1]
                else:
                    prev = canon.get(y - 1, v)
                    x = prev + (v - prev) * q / 4
                x = float(np.floor(x)) if integral and q < 4 else round(x, 2 if not integral else 0)
                self.add(org, indicator, y, q, x)

    def add(self, org: str, indicator: str, year: int, quarter: int, value: float) -> None:
        canonical_unit = self.catalog.indicators[indicator].unit
        self.rows.append((org, indicator, year, quarter, value, value, canonical_unit, None))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=submissions.REQUIRED_COLUMNS)


def _enterprise_name(rng: np.random.Generator, city_zh: str, used: set[str]) -> str:
    while True:
        name = f"{city_zh[:2]}{rng.choice(_WORDS_A)}{rng.choice(_WORDS_A)}{rng.choice(_WORDS_B)}有限公司"
        if name not in used:
            used.add(name)
            return name


def _credit_code(rng: np.random.Generator, region: str, used: set[str]) -> str:
    while True:
        body = "91" + region + "".join(rng.choice(list(ALPHABET), size=9))
        code = make_credit_code(body)
        if code not in used:
            used.add(code)
            return code


def _enterprise_rows(rows: _Rows, rng: np.random.Generator, org: str, revenue: Mapping[int, float],
                     profile: Mapping) -> None:
    """All form rows of one enterprise from its annual software revenue (万元), parts summing exactly."""
    lo, hi = profile["main_revenue_factor"]
    main_factor = rng.uniform(lo, hi)
    export_share = rng.uniform(*profile["export_share"])
    margin = rng.uniform(*profile["profit_margin"])
    rd_share = rng.uniform(*profile["rd_share"])
    productivity = rng.uniform(*profile["revenue_per_employee"])
    comp_shares = rng.dirichlet([3, 5, 1, 2])
    sub_shares = {c: {s: rng.uniform(*r) for s, r in subs.items()} for c, subs in _FLOW_COMPONENTS.items()}
    export_split = rng.dirichlet([3, 2, 1])
    for y, total in sorted(revenue.items()):
        cum = np.cumsum(rng.dirichlet([20, 24, 25, 30]))  # this year's seasonal pattern
        cum[-1] = 1.0
        for q in range(1, 5):
            share = float(cum[q - 1])
            parts = {c: round(total * s * share, 1) for c, s in zip(_FLOW_COMPONENTS, comp_shares, strict=True)}
            software = round(sum(parts.values()), 1)
            for c, v in parts.items():
                rows.add(org, c, y, q, v)
                for s, f in sub_shares[c].items():
                    rows.add(org, s, y, q, round(v * f, 1))
            rows.add(org, "software_revenue", y, q, software)
            rows.add(org, "main_revenue", y, q, round(software * main_factor, 1))
            exports = [round(software * export_share / profile["cny_per_usd"] * f, 1) for f in export_split]
            for ind, v in zip(("outsourcing_exports", "embedded_exports", "other_exports"), exports, strict=True):
                rows.add(org, ind, y, q, v)
            rows.add(org, "software_exports", y, q, round(sum(exports), 1))
            rows.add(org, "total_profit", y, q, round(software * margin, 1))
            rows.add(org, "rd_expenditure", y, q, round(software * rd_share, 1))
            rows.add(org, "employees", y, q, float(max(1, round(total / productivity * (0.96 + 0.04 * q / 4)))))


def build_demo(catalog: Catalog, settings_path: Path = DATA_DIR / "demo.yaml") -> tuple[list[Organisation], pd.DataFrame]:
    """The demo enterprises and every observation row, deterministically from the settings."""
    cfg = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    rng = np.random.default_rng(cfg["seed"])
    rows = _Rows(catalog, cfg["seasonal_ytd"])
    enterprises: list[Organisation] = []
    names: set[str] = set()
    codes: set[str] = set()

    for org, series in cfg["reference"].items():
        for ind, spec in series.items():
            years = range(spec.get("years", [2009, 2025])[0], spec.get("years", [2009, 2025])[1] + 1)
            rows.annual(org, ind, _path(spec, years), spec["unit"])

    for city, c in cfg["cities"].items():
        years = range(c["years"][0], c["years"][1] + 1)
        for ind, spec in c["official"].items():
            rows.annual(city, ind, _path(spec, years), spec["unit"])
        for park, p in c["parks"].items():
            for ind, spec in p.items():
                if ind in ("enterprises", "anchor", "software_revenue"):
                    continue
                values = _path(spec, years)
                if catalog.indicators[ind].kind == IndicatorKind.STOCK:
                    values = _fill_stock(values, years)
                rows.annual(park, ind, values, spec["unit"])
            n = p.get("enterprises", 0)
            if not n:
                continue
            park_revenue = {y: unit(p["software_revenue"]["unit"]).to_canonical(v)
                            for y, v in _path(p["software_revenue"], years).items()}
            weights = rng.pareto(1.1, size=n) + 0.05
            if "anchor" in p:  # one dominant firm (海尔, 海信) holding this share of the park
                weights[0] = 0
                weights = weights / weights.sum() * (1 - p["anchor"])
                weights[0] = p["anchor"]
            drift = rng.normal(0, 0.08, size=(n, len(years))).cumsum(axis=1)
            for _ in range(n):
                code = _credit_code(rng, c["region_code"], codes)
                org_id = f"ent-{code.lower()}"
                city_zh = catalog.organisations[city].name_zh
                enterprises.append(Organisation(org_id=org_id, name_zh=_enterprise_name(rng, city_zh, names),
                                                kind=OrgKind.ENTERPRISE, parent=park, credit_code=code))
            shares = weights[:, None] * np.exp(drift)
            shares = shares / shares.sum(axis=0)
            for i, ent in enumerate(enterprises[-n:]):
                revenue = {y: park_revenue[y] * shares[i, k] for k, y in enumerate(years) if y in park_revenue}
                _enterprise_rows(rows, rng, ent.org_id, revenue, cfg["enterprise_profile"])
    frame = _published(rows.frame(), catalog)
    # Each figure is dated as reported some days after its quarter ended: most on time, some late
    # against the default 20-day deadline, so the reporting-status page has something to show.
    ends = {(y, q): Period(y, q).end_date for y, q in frame[["year", "quarter"]].drop_duplicates().itertuples(index=False)}
    delay = {org: int(d) for org, d in zip(frame.org_id.unique(), rng.integers(3, 28, size=frame.org_id.nunique()),
                                            strict=True)}
    frame["entered_at"] = [pd.Timestamp(ends[(y, q)]) + pd.Timedelta(days=delay[o], hours=10)
                           for o, y, q in zip(frame.org_id, frame.year, frame.quarter, strict=True)]
    # Official figures of Zhejiang's counties (catalog organisations; the base programme ranks them),
    # and what districts and a college report themselves (Qingdao's 区市, 嘉职院), drawn from a
    # stream of their own so that everything above stays as it was.
    counties = _Rows(catalog, cfg["seasonal_ytd"])
    for org, values in demo_programme.county_revenue(cfg, catalog).items():
        counties.annual(org, "software_revenue", values, "亿元")
    for city, c in cfg["cities"].items():
        for org, ind, values, written in own_reports(catalog, city, c):
            counties.annual(org, ind, values, written)
    extra = counties.frame()
    extra["entered_at"] = [pd.Timestamp(Period(y, q).end_date) + pd.Timedelta(days=15, hours=10)
                           for y, q in zip(extra.year, extra.quarter, strict=True)]
    return enterprises, pd.concat([frame, extra], ignore_index=True)


# The demo's national series publishes its 同比 on a comparable base, a point below the ratio of its
# levels from 2019 on (the survey's population changes); its latest year is still provisional.
COMPARABLE_BASE_GAP = 0.01
COMPARABLE_FROM = 2019


def _published(frame: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Official statistics as a bureau publishes them: each figure with its 同比 (to 0.1 %), the
    national one on a comparable base, and the national latest year marked provisional (P)."""
    kinds = frame.org_id.map(lambda o: catalog.organisations[o].kind.value if o in catalog.organisations else "")
    official = kinds.isin(["country", "province", "city"])
    key = ["org_id", "indicator_id", "year", "quarter"]
    before = frame.loc[official, key + ["value"]].assign(year=lambda f: f.year + 1).rename(columns={"value": "before"})
    joined = frame[key].merge(before, on=key, how="left")  # the same period a year earlier, official rows only
    base = joined["before"].where(joined["before"] > 0).to_numpy()  # no rate from a zero or missing year
    rate = frame["value"].to_numpy() / base - 1
    national = (frame.org_id == catalog.root).to_numpy()
    rate[national & (frame.year >= COMPARABLE_FROM).to_numpy()] -= COMPARABLE_BASE_GAP
    out = frame.copy()
    out["yoy"] = pd.Series(rate, index=frame.index).where(official.to_numpy()).round(3)
    out["yoy"] = out["yoy"].astype(object).where(out["yoy"].notna(), None)
    out["obs_status"] = "A"
    out.loc[national & (frame.year == frame.year[national].max()).to_numpy(), "obs_status"] = "P"
    return out


def has_demo(con: sql.Con) -> bool:
    """Whether the demo set has been written into this store."""
    return bool(sql.scalar(con, "SELECT count(*) FROM submissions WHERE origin = 'demo'"))


def load_demo(con: sql.Con, catalog: Catalog) -> int:
    """Write the demo set as one accepted submission (idempotent: skipped if already loaded)."""
    if has_demo(con):
        return 0
    enterprises, frame = build_demo(catalog)
    cfg = yaml.safe_load((DATA_DIR / "demo.yaml").read_text(encoding="utf-8"))
    with sql.transaction(con):  # all of it or none: a crash half-way must not leave a demo that never completes
        orgs.upsert_orgs(con, enterprises, "demo")
        submissions.write_submission(con, frame, actor=DEMO_ACTOR, origin="demo", status="accepted",
                                     file_name="data/demo.yaml", explanation="演示数据 demo data")
        programme.load_programme_rows(con, demo_programme.programme_tables(cfg, catalog), DEMO_ACTOR)
        settings.set_setting(con, "demo_data", "true")
    return len(frame)
