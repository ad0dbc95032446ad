"""A national-size (or province-size) store for the benchmarks, written in minutes.

    .venv/bin/python -m bench.generate --size national --out bench/data/national.duckdb

The store is one the real app opens: created by `store.db.connect` (the real migrations), the real
catalog mirrored by `store.plans.sync_catalog` (five plans, their cities, parks and targets), demo users
with known bench passwords, and `demo_data` set so every page labels it as demo data. Around the
catalog's four cities it adds provinces, cities and parks up to the size asked for, puts the
plans' cities among the largest (so their bottom-up sums run over thousands of enterprises), and
fills 40 quarters of the MIIT form rows for every enterprise.

It follows store/demo.py's conventions — indicator ids and canonical units, year-to-date flows
that only grow within a year, software revenue equal to the sum of its four parts, ids
`ent-<credit code>` with valid unified social credit codes, official city totals recorded at the
city as quarterly year-to-date rows, the catalog cities' official paths, park indicators and the
own reports of their districts and college taken from data/demo.yaml — so the numbers are
plausible, not random. Everything is deterministic (seeded numpy). Rows are built as numpy
arrays and loaded as Arrow tables through the store's bulk writer (store/bulk.py: by named
columns, checked against the table's), half a million at a time,
in the order a real store receives them — quarter by quarter, park upload by park upload — so the
file's layout is a real one; nothing is inserted row by row. The derived tables the app reads
(migration 4) are then computed once, as the migration would.

Beside the store it writes FILE.json: the size, the counts and how long each phase took.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from domain.access import SYSTEM
from domain.credit_code import ALPHABET, make_credit_code
from domain.models import IndicatorKind, OrgKind
from domain.periods import Period
from domain.units import unit
from store import audit, bulk, demo, figures, orgs, plans, settings, submissions, users
from store.catalog import DATA_DIR, Catalog, load_catalog
from store.db import Con, connect

LAST_YEAR = 2020  # the data end with 2020Q4; 40 quarters start in 2011Q1
SEED = 20121029


@dataclass(frozen=True)
class Size:
    enterprises: int
    parks: int  # including the catalog's parks and bases
    cities: int  # including the catalog's four
    quarters: int  # a multiple of 4, ending with LAST_YEAR Q4

    @property
    def years(self) -> range:
        return range(LAST_YEAR - self.quarters // 4 + 1, LAST_YEAR + 1)


SIZES = {
    "tiny": Size(enterprises=60, parks=26, cities=6, quarters=8),  # for the test of this generator
    "small": Size(enterprises=500, parks=40, cities=8, quarters=40),  # 1×
    "province": Size(enterprises=5_000, parks=200, cities=30, quarters=40),  # 10×
    "national": Size(enterprises=50_000, parks=2_000, cities=300, quarters=40),  # 100×
}

# The MIIT form rows every enterprise reports each quarter (10 of the form's rows; the "of which"
# breakdowns are optional on the form and left out). Sorted by id: rows are written in key order.
ENTERPRISE_ROWS = ("embedded_software", "employees", "info_security", "it_services", "main_revenue",
                   "rd_expenditure", "software_exports", "software_products", "software_revenue", "total_profit")
SOFTWARE_PARTS = ("software_products", "it_services", "info_security", "embedded_software")
PARK_ROWS = ("fixed_investment", "floor_area_built")  # what a generated park reports of itself
CITY_ROWS = ("employees", "main_revenue", "software_exports", "software_revenue")  # every city's official totals
EXTEND_RATE = 0.12  # how the demo's paths for the plans' cities go on beyond the years it gives
CORRECTED_EVERY = 100  # every 100th enterprise (offset 7) corrects its employees: a second revision
PENDING_EVERY = 20  # every 20th park's (offset 3) last-quarter upload still awaits review

PROVINCES = (
    ("11", "北京市", "Beijing"), ("12", "天津市", "Tianjin"), ("13", "河北省", "Hebei"), ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"), ("21", "辽宁省", "Liaoning"), ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"), ("31", "上海市", "Shanghai"), ("32", "江苏省", "Jiangsu"),
    ("34", "安徽省", "Anhui"), ("35", "福建省", "Fujian"), ("36", "江西省", "Jiangxi"), ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"), ("43", "湖南省", "Hunan"), ("45", "广西壮族自治区", "Guangxi"), ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"), ("51", "四川省", "Sichuan"), ("52", "贵州省", "Guizhou"), ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"), ("61", "陕西省", "Shaanxi"), ("62", "甘肃省", "Gansu"), ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"), ("65", "新疆维吾尔自治区", "Xinjiang"),
)
CATALOG_PROVINCES = {"zhejiang": "33", "guangdong": "44", "shandong": "37"}
# The plans' cities: region code and rank among the cities by number of enterprises (as a share of
# the city count, so that they stay among the largest at every size).
CATALOG_CITIES = {"shenzhen": ("440300", 0.0), "hangzhou": ("330100", 0.007),
                  "qingdao": ("370200", 0.025), "jiaxing": ("330400", 0.08)}

# Known passwords of the demo users in a generated store (a throwaway file on the bench machine).
BENCH_PASSWORDS = {name: f"bench-{name}-password" for name in ("admin", "leader", "reviewer", "park-softcity",
                                                               "enterprise")}


def _shares(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """`total` split in proportion to `weights` into integers that add up exactly (largest
    remainder), each at least `minimum` where the total allows."""
    weights = np.asarray(weights, dtype=float)
    floor = np.full(len(weights), minimum if total >= minimum * len(weights) else 0)
    rest = total - floor.sum()
    exact = weights / weights.sum() * rest
    out = np.floor(exact).astype(int)
    short = rest - out.sum()
    out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out + floor


def _codes(rng: np.random.Generator, regions: list[str], used: set[str]) -> list[str]:
    """Valid, distinct unified social credit codes, one per region given."""
    letters = np.array(list(ALPHABET))
    out = []
    for region in regions:
        while True:
            code = make_credit_code("91" + region + "".join(letters[rng.integers(0, len(letters), 9)]))
            if code not in used:
                used.add(code)
                out.append(code)
                break
    return out


def _names(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """n distinct fictitious company names for one city (the demo's word lists)."""
    a, b = demo._WORDS_A, demo._WORDS_B
    combos = len(a) * len(a) * len(b)
    picks = rng.permutation(combos)[:n] if n <= combos else np.arange(n)
    return [f"{prefix}{a[k // (len(a) * len(b)) % len(a)]}{a[k // len(b) % len(a)]}{b[k % len(b)]}"
            f"{'' if n <= combos else k // combos or ''}有限公司" for k in picks]


class _Frame:
    """The administrative frame: provinces, cities, parks with their enterprise counts and paths."""

    def __init__(self, catalog: Catalog, cfg: Mapping, size: Size, rng: np.random.Generator):
        years = list(size.years)
        y0 = years[0]
        known = catalog.organisations
        self.orgs: list[tuple] = []  # generated (org_id, name_zh, name_en, kind, parent_id, credit_code)
        # Provinces: the catalog's three and enough real ones to hold about ten cities each.
        n_prov = min(len(PROVINCES) + 3, max(3, -(-size.cities // 10) + 1))
        provinces = list(CATALOG_PROVINCES.items())
        for code, zh, en in PROVINCES[: n_prov - 3]:
            provinces.append((f"prov-{code}", code))
            self.orgs.append((f"prov-{code}", zh, en, "province", "cn", None))
        # Cities, ranked by size (enterprises ∝ rank^-0.8); the catalog's at their ranks.
        generated = size.cities - len(CATALOG_CITIES)
        if generated < 0 or size.parks - self._catalog_parks(catalog) < generated:
            raise ValueError(f"{size} is too small for the catalog's cities and parks")
        ranked: list[str | None] = [None] * size.cities
        for city, (_, at) in CATALOG_CITIES.items():
            slot = min(int(at * size.cities), size.cities - 1)
            while ranked[slot] is not None:
                slot += 1
            ranked[slot] = city
        self.region: dict[str, str] = {c: r for c, (r, _) in CATALOG_CITIES.items()}
        self.city_zh: dict[str, str] = {c: known[c].name_zh for c in CATALOG_CITIES}
        per_province: dict[str, int] = {}
        for i in range(generated):
            prov_id, prov_code = provinces[i % len(provinces)]
            k = per_province[prov_id] = per_province.get(prov_id, 10) + 1
            city = f"city-{prov_code}{k:02d}"
            prov_zh = known[prov_id].name_zh if prov_id in known else next(z for c, z, _ in PROVINCES if c == prov_code)
            short = prov_zh.removesuffix("省").removesuffix("市").removesuffix("自治区")[:2]
            self.region[city] = f"{prov_code}{k:02d}00"
            self.city_zh[city] = f"{short}{k}市"
            self.orgs.append((city, self.city_zh[city], f"City {prov_code}-{k}", "city", prov_id, None))
            ranked[ranked.index(None)] = city
        self.cities: list[str] = ranked  # type: ignore[assignment]
        n_city = _shares(size.enterprises, np.arange(1, size.cities + 1) ** -0.8,
                         minimum=1)
        self.enterprises_of_city = dict(zip(self.cities, n_city.tolist(), strict=True))

        # Parks: the catalog's, then one per generated city, the rest in proportion to enterprises.
        spare = size.parks - self._catalog_parks(catalog) - generated
        extra = _shares(spare, n_city.astype(float))
        self.parks: list[str] = []
        self.park_city: dict[str, str] = {}
        self.path: dict[str, np.ndarray] = {}  # park → annual software revenue of its enterprises (万元)
        self.anchor: dict[str, float] = {}
        self.official: dict[str, np.ndarray] = {}  # plan city → its official software revenue (万元)
        self.coverage: dict[str, float] = {}
        for c, city in enumerate(self.cities):
            cov = float(rng.uniform(0.8, 0.95))  # bottom-up ÷ official: the sample misses small firms
            self.coverage[city] = cov
            own: list[str] = []
            if city in CATALOG_CITIES:
                spec = cfg["cities"][city]
                for park, p in spec["parks"].items():
                    if "software_revenue" in p:
                        own.append(park)
                        self.path[park] = self._annual(p["software_revenue"], years, spec["years"])
                        if "anchor" in p:
                            self.anchor[park] = float(p["anchor"])
                self.official[city] = self._annual(spec["official"]["software_revenue"], years, spec["years"])
                city_total = self.official[city] * cov
                rest = np.maximum(city_total - sum(self.path[p] for p in own), 0.1 * city_total)
            else:
                growth = np.clip(rng.uniform(0.06, 0.25) + rng.normal(0, 0.03, len(years)), -0.05, 0.45)
                growth[0] = 0.0
                rest = self.enterprises_of_city[city] * rng.lognormal(np.log(2500), 0.35) * np.cumprod(1 + growth)
            n_new = int(extra[c]) + (0 if city in CATALOG_CITIES else 1)
            weights = rng.lognormal(0, 0.6, n_new)
            for j in range(n_new):
                park = f"park-{self.region[city]}-{j + 1:02d}"
                own.append(park)
                self.path[park] = rest * weights[j] / weights.sum()
                kind = ["软件园", "信息产业园", "软件产业基地", "数字经济产业园"][j % 4]
                self.orgs.append((park, f"{self.city_zh[city]}第{j + 1}{kind}", f"Park {self.region[city]}-{j + 1}",
                                  "park", city, None))
            for park in own:
                self.park_city[park] = city
            self.parks += own
        # Enterprises per park, in proportion to the park's revenue in the first year.
        self.enterprises_of_park: dict[str, int] = {}
        for city in self.cities:
            own = [p for p in self.parks if self.park_city[p] == city]
            counts = _shares(self.enterprises_of_city[city], np.array([self.path[p][0] for p in own]), minimum=1)
            self.enterprises_of_park.update(zip(own, counts.tolist(), strict=True))
        self.y0 = y0

    @staticmethod
    def _catalog_parks(catalog: Catalog) -> int:
        return sum(o.kind in (OrgKind.PARK, OrgKind.BASE) for o in catalog.organisations.values())

    @staticmethod
    def _annual(spec: Mapping, years: list[int], known: list[int]) -> np.ndarray:
        """A demo.yaml path over the window's years, in canonical units. Within the years the demo
        covers (`known`, first and last) it is the demo's path; beyond them it moves at a common
        EXTEND_RATE, so the plans' parks and their city keep the proportions the demo gives them."""
        values = demo._path(spec, range(known[0], known[1] + 1))
        first, last = min(values), max(values)
        scale = unit(spec["unit"]).to_canonical(1.0)
        at = lambda y: values[min(max(y, first), last)] * (1 + EXTEND_RATE) ** (y - min(max(y, first), last))
        return np.array([at(y) * scale for y in years])


def _enterprises(frame: _Frame, cfg: Mapping, size: Size, rng: np.random.Generator) -> pd.DataFrame:
    """One row per enterprise: ids, names, park, and the profile its form rows follow."""
    used: set[str] = set()
    parks = [p for p in frame.parks for _ in range(frame.enterprises_of_park[p])]
    park_index = {p: i for i, p in enumerate(frame.parks)}
    city_of = [frame.park_city[p] for p in parks]
    codes = _codes(rng, [frame.region[c] for c in city_of], used)
    names: list[str] = [""] * len(parks)
    for city in frame.cities:
        where = [i for i, c in enumerate(city_of) if c == city]
        for i, name in zip(where, _names(rng, frame.city_zh[city].removesuffix("市"), len(where)), strict=True):
            names[i] = name
    prof = cfg["enterprise_profile"]
    n = len(parks)
    ents = pd.DataFrame({
        "org_id": [f"ent-{c.lower()}" for c in codes], "name_zh": names, "credit_code": codes, "park": parks,
        "park_index": [park_index[p] for p in parks],
        "main_factor": rng.uniform(*prof["main_revenue_factor"], n),
        "export_share": rng.uniform(*prof["export_share"], n),
        "margin": rng.uniform(*prof["profit_margin"], n),
        "rd_share": rng.uniform(*prof["rd_share"], n),
        "productivity": rng.uniform(*prof["revenue_per_employee"], n),
    })
    # Annual software revenue: the park's path shared by Pareto-sized firms drifting apart (demo's rule).
    n_years = len(size.years)
    weights = rng.pareto(1.1, n) + 0.05
    for park, share in frame.anchor.items():  # one dominant firm holding this share of its park
        idx = np.flatnonzero(ents.park.to_numpy() == park)
        if len(idx) > 1:
            others = weights[idx[1:]]
            weights[idx[1:]] = others / others.sum() * (1 - share)
            weights[idx[0]] = share
    raw = weights[:, None] * np.exp(rng.normal(0, 0.08, (n, n_years)).cumsum(axis=1))
    totals = np.zeros((len(frame.parks), n_years))
    np.add.at(totals, ents.park_index.to_numpy(), raw)
    paths = np.stack([frame.path[p] for p in frame.parks])
    revenue = paths[ents.park_index.to_numpy()] * raw / totals[ents.park_index.to_numpy()]
    ents["revenue"] = list(revenue)
    ents["components"] = list(rng.dirichlet([3, 5, 1, 2], n))
    seasonal = np.cumsum(rng.dirichlet([20, 24, 25, 30], (n, n_years)), axis=2)
    seasonal[:, :, -1] = 1.0
    ents["seasonal"] = list(seasonal)
    return ents.sort_values("org_id", kind="stable").reset_index(drop=True)


def _form_values(chunk: pd.DataFrame, cny_per_usd: float) -> np.ndarray:
    """Every form row of every enterprise in the chunk: shape (enterprise, row, year, quarter)."""
    revenue = np.stack(chunk.revenue.to_numpy())  # (n, Y)
    ytd = revenue[:, :, None] * np.stack(chunk.seasonal.to_numpy())  # (n, Y, 4)
    comps = np.stack(chunk.components.to_numpy())  # (n, 4)
    parts = {name: np.round(ytd * comps[:, k, None, None], 1) for k, name in enumerate(SOFTWARE_PARTS)}
    software = np.round(sum(parts.values()), 1)
    col = lambda name: chunk[name].to_numpy()[:, None, None]
    quarter_factor = 0.96 + 0.04 * np.arange(1, 5) / 4
    values = {
        **parts,
        "software_revenue": software,
        "main_revenue": np.round(software * col("main_factor"), 1),
        "software_exports": np.round(software * col("export_share") / cny_per_usd, 1),
        "total_profit": np.round(software * col("margin"), 1),
        "rd_expenditure": np.round(software * col("rd_share"), 1),
        "employees": np.maximum(1.0, np.round(revenue[:, :, None] / col("productivity") * quarter_factor)),
    }
    return np.stack([values[name] for name in ENTERPRISE_ROWS], axis=1)


def _dict(values: np.ndarray, index: np.ndarray) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), pa.array(values, pa.string()))


class _Writer:
    """Loads observation rows into the store through Arrow, a table of a few million at a time, and
    counts the rows of each submission (the submissions' row counts)."""

    def __init__(self, con: Con, catalog: Catalog):
        self.con = con
        self.catalog = catalog
        self.rows = 0
        self.per_submission: dict[int, int] = {}

    def write(self, org: np.ndarray, org_index: np.ndarray, indicator: np.ndarray, indicator_index: np.ndarray,
              year: np.ndarray, quarter: np.ndarray, revision: np.ndarray, value: np.ndarray,
              submission: np.ndarray, actor: np.ndarray, actor_index: np.ndarray, at: np.ndarray) -> None:
        units = np.array([self.catalog.indicators[i].unit for i in indicator])
        table = pa.table({
            "org_id": _dict(org, org_index), "indicator_id": _dict(indicator, indicator_index),
            "year": pa.array(year.astype(np.int16)), "quarter": pa.array(quarter.astype(np.int8)),
            "revision": pa.array(revision.astype(np.int32)), "value": pa.array(value),
            "value_entered": pa.array(value), "unit_entered": _dict(units, indicator_index),
            "submission_id": pa.array(submission.astype(np.int64)), "entered_by": _dict(actor, actor_index),
            "entered_at": pa.array(at.astype("datetime64[us]")), "note": pa.nulls(len(value), pa.string()),
        })
        bulk.insert(self.con, "observations", table)
        self.rows += len(value)
        ids, n = np.unique(submission.astype(np.int64), return_counts=True)
        for i, k in zip(ids.tolist(), n.tolist(), strict=True):
            self.per_submission[i] = self.per_submission.get(i, 0) + k


def _quarter_ends(years: range) -> np.ndarray:
    """(year, quarter) → the quarter's last day, as datetime64[D]."""
    return np.array([[np.datetime64(Period(y, q).end_date) for q in range(1, 5)] for y in years])


def generate(out: Path, size: Size, seed: int = SEED, log=print, with_users: bool = True) -> dict:
    """Build the store at `out` (which must not exist); return what FILE.json records.
    `with_users=False` leaves out the demo users (their bcrypt hashes are most of a tiny store's time)."""
    if out.exists():
        raise FileExistsError(f"{out} exists; remove it first")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    tick = time.perf_counter

    catalog = load_catalog()
    cfg = yaml.safe_load((DATA_DIR / "demo.yaml").read_text(encoding="utf-8"))
    rng = np.random.default_rng(seed)
    years = size.years
    n_q = size.quarters

    t = tick()
    frame = _Frame(catalog, cfg, size, rng)
    ents = _enterprises(frame, cfg, size, rng)
    phases["plan the frame (numpy)"] = tick() - t

    t = tick()
    con = connect(out)
    plans.sync_catalog(con, catalog, actor="bench-generator")
    org_rows = pd.DataFrame(frame.orgs, columns=["org_id", "name_zh", "name_en", "kind", "parent_id", "credit_code"])
    org_rows = pd.concat([org_rows, pd.DataFrame({"org_id": ents.org_id, "name_zh": ents.name_zh, "name_en": "",
                                                  "kind": "enterprise", "parent_id": ents.park,
                                                  "credit_code": ents.credit_code})], ignore_index=True)
    org_rows["origin"] = "demo"
    bulk.insert(con, "orgs", org_rows)
    orgs.rebuild_closure(con)
    phases["organisations and closure"] = tick() - t

    # Submission ids in the order a real store receives them: each quarter, every park's upload
    # (1 + quarter·parks + park), then the statistics bureau's release per quarter, then one
    # correction per quarter. Only ids that end up holding rows are recorded.
    n_parks = len(frame.parks)
    park_index = {p: i for i, p in enumerate(frame.parks)}
    first_ord = Period(years[0], 1).ordinal
    stats_base = n_parks * n_q + 1
    stats_first = Period(min(years[0], 2009), 1).ordinal  # official series reach back before the window
    correction_base = stats_base + (Period(LAST_YEAR, 4).ordinal - stats_first + 1)
    ends = _quarter_ends(years).reshape(-1)
    delay = rng.integers(3, 28, n_parks).astype("timedelta64[D]")  # days after the quarter each park uploads
    hours = np.timedelta64(10, "h")

    t = tick()
    official = _official_rows(catalog, cfg, frame, ents, size, rng)
    ordinal = official.year.to_numpy() * 4 + official.quarter.to_numpy() - 1
    # A park's rows inside the window travel in its quarterly upload; the rest with the statistics.
    is_park = official.org_id.isin(park_index).to_numpy() & (ordinal >= first_ord)
    off_park = official.org_id.map(park_index).fillna(0).astype(int).to_numpy()
    off_sub = np.where(is_park, 1 + (ordinal - first_ord) * n_parks + off_park, stats_base + (ordinal - stats_first))
    off_end = np.array([np.datetime64(Period(int(y), int(q)).end_date)
                        for y, q in zip(official.year, official.quarter, strict=True)])
    off_at = np.where(is_park, off_end + delay[off_park], off_end + np.timedelta64(45, "D")).astype("datetime64[s]")
    actors = np.array([*(f"mgr-{p}" for p in frame.parks), "stats-bureau", "stats-correction"])
    values = _form_values(ents, cfg["enterprise_profile"]["cny_per_usd"])  # (enterprise, row, year, quarter)
    phases["plan the rows (numpy)"] = tick() - t

    t = tick()
    writer = _Writer(con, catalog)

    def write_official(mask: np.ndarray) -> None:
        if not mask.any():
            return
        part = official[mask]
        org_codes, org_values = pd.factorize(part.org_id)
        ind_codes, ind_values = pd.factorize(part.indicator_id)
        writer.write(org=np.asarray(org_values), org_index=org_codes, indicator=np.asarray(ind_values),
                     indicator_index=ind_codes, year=part.year.to_numpy(), quarter=part.quarter.to_numpy(),
                     revision=np.ones(len(part)), value=part.value.to_numpy(dtype=float), submission=off_sub[mask],
                     actor=actors, actor_index=np.where(is_park[mask], off_park[mask], n_parks),
                     at=off_at[mask] + hours)

    write_official(ordinal < first_ord)  # official history before the window
    # Then quarter by quarter, park by park, as uploads arrive; each quarter's corrections after it.
    by_park = np.lexsort((ents.org_id.to_numpy(), ents.park_index.to_numpy()))
    org_ids = ents.org_id.to_numpy()[by_park]
    pidx = ents.park_index.to_numpy()[by_park]
    inds = np.array(ENTERPRISE_ROWS)
    n_rows, n_ent = len(ENTERPRISE_ROWS), len(ents)
    fixed = np.flatnonzero(np.arange(n_ent) % CORRECTED_EVERY == 7)  # in org-id order
    employees = ENTERPRISE_ROWS.index("employees")
    corrected = 0
    for k in range(n_q):
        year, quarter = years[k // 4], k % 4 + 1
        cells = n_ent * n_rows
        writer.write(
            org=org_ids, org_index=np.repeat(np.arange(n_ent), n_rows), indicator=inds,
            indicator_index=np.tile(np.arange(n_rows), n_ent), year=np.full(cells, year), quarter=np.full(cells, quarter),
            revision=np.ones(cells), value=values[by_park, :, k // 4, k % 4].reshape(-1),
            submission=np.repeat(1 + k * n_parks + pidx, n_rows), actor=actors, actor_index=np.repeat(pidx, n_rows),
            at=np.repeat(ends[k] + delay[pidx] + hours, n_rows),
        )
        write_official(ordinal == first_ord + k)
        if len(fixed):  # every CORRECTED_EVERY-th enterprise revises its employees: a second revision
            m = len(fixed)
            writer.write(
                org=ents.org_id.to_numpy()[fixed], org_index=np.arange(m), indicator=np.array(["employees"]),
                indicator_index=np.zeros(m), year=np.full(m, year), quarter=np.full(m, quarter), revision=np.full(m, 2),
                value=np.round(values[fixed, employees, k // 4, k % 4] * 1.02 + 1), submission=np.full(m, correction_base + k),
                actor=actors, actor_index=np.full(m, n_parks + 1), at=np.full(m, ends[k] + np.timedelta64(60, "D") + hours),
            )
            corrected += m
        if k % 4 == 3:
            log(f"  {year}: {writer.rows:,} rows")
    phases["observations (Arrow → DuckDB)"] = tick() - t

    t = tick()
    _submissions(con, frame, n_q, first_ord, stats_base, stats_first, correction_base, ends, delay, writer.per_submission)
    phases["submissions"] = tick() - t

    t = tick()
    figures.rebuild_figures(con)  # the bulk load bypassed write_submission: derive what it maintains
    phases["figures in force and bottom-up sums"] = tick() - t

    t = tick()
    parks = orgs.count_of(con, "park", "base")
    if with_users:
        users.create_demo_users(con)
        for name, password in BENCH_PASSWORDS.items():
            if users.identity(con, name) is not None:
                users.reset_password(con, SYSTEM, name, password)
    settings.set_setting(con, "demo_data", "true")
    audit.record(con, "bench-generator", "bench.generate", None, {"size": asdict(size), "seed": seed})
    bulk.checkpoint(con)
    con.close()
    phases["users and checkpoint"] = tick() - t

    counts = {
        "enterprises": len(ents), "parks": parks, "cities": len(frame.cities),
        "observations": writer.rows, "enterprise_rows": len(ents) * len(ENTERPRISE_ROWS) * n_q, "corrections": corrected,
        "official_and_park_rows": len(official),
    }
    info = {"size": asdict(size), "seed": seed, "file": str(out), "bytes": out.stat().st_size, "counts": counts,
            "seconds": round(time.perf_counter() - started, 1), "phases": {k: round(v, 2) for k, v in phases.items()},
            "generated_at": dt.datetime.now().isoformat(timespec="seconds")}
    Path(f"{out}.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return info


def _official_rows(catalog: Catalog, cfg: Mapping, frame: _Frame, ents: pd.DataFrame, size: Size,
                   rng: np.random.Generator) -> pd.DataFrame:
    """Official totals (cities, provinces, the nation) and parks' own indicators, as quarterly
    year-to-date rows through the demo's expansion of annual values (`demo._Rows`)."""
    rows = demo._Rows(catalog, cfg["seasonal_ytd"])
    years = list(size.years)
    last = years[-1]
    for org, series in cfg["reference"].items():  # the nation's and provinces' totals, as the demo has them
        for ind, spec in series.items():
            span = range(spec.get("years", [2009, 2025])[0], min(spec.get("years", [2009, 2025])[1], last) + 1)
            rows.annual(org, ind, demo._path(spec, span), spec["unit"])
    # Every city's official totals: bottom-up ÷ coverage, or the demo's own path for the plans' cities.
    revenue = np.stack(ents.revenue.to_numpy())
    city_index = {c: i for i, c in enumerate(frame.cities)}
    cities = ents.park.map(frame.park_city).map(city_index).to_numpy()
    sums = {ind: np.zeros((len(frame.cities), len(years))) for ind in CITY_ROWS}
    np.add.at(sums["software_revenue"], cities, revenue)
    np.add.at(sums["main_revenue"], cities, revenue * ents.main_factor.to_numpy()[:, None])
    np.add.at(sums["software_exports"], cities, revenue * ents.export_share.to_numpy()[:, None] / cfg[
        "enterprise_profile"]["cny_per_usd"])
    np.add.at(sums["employees"], cities, revenue / ents.productivity.to_numpy()[:, None])
    for city, c in city_index.items():
        for ind in CITY_ROWS:
            annual = sums[ind][c] / frame.coverage[city]
            if ind == "software_revenue" and city in frame.official:
                annual = frame.official[city]
            rows.annual(city, ind, dict(zip(years, annual.tolist(), strict=True)), catalog.indicators[ind].unit)
        if city in CATALOG_CITIES:  # the plans' other official series and park indicators, as the demo has them
            spec = cfg["cities"][city]
            span = range(spec["years"][0], min(spec["years"][1], last) + 1)
            for ind, s in spec["official"].items():
                if ind not in CITY_ROWS:
                    rows.annual(city, ind, demo._path(s, span), s["unit"])
            for org, ind, values, written in demo.own_reports(catalog, city, spec):  # districts, a college
                rows.annual(org, ind, {y: v for y, v in values.items() if y in span}, written)
            for park, p in spec["parks"].items():
                for ind, s in p.items():
                    if ind in ("enterprises", "anchor", "software_revenue"):
                        continue
                    values = demo._path(s, span)
                    if catalog.indicators[ind].kind == IndicatorKind.STOCK:
                        values = demo._fill_stock(values, span)
                    rows.annual(park, ind, values, s["unit"])
    # Generated parks report their floor area (m², growing) and fixed investment (万元 a year).
    for park in frame.parks:
        if not park.startswith("park-"):
            continue
        area = rng.uniform(2e4, 5e5) * np.cumprod(np.r_[1.0, 1 + rng.uniform(0, 0.12, len(years) - 1)])
        rows.annual(park, "floor_area_built", dict(zip(years, np.round(area).tolist(), strict=True)), "m²")
        invest = frame.path[park] * rng.uniform(0.02, 0.08)
        rows.annual(park, "fixed_investment", dict(zip(years, invest.tolist(), strict=True)), "万元")
    out = rows.frame()
    return out[(out.year >= min(2009, years[0])) & (out.year <= last)].reset_index(drop=True)


def _submissions(con: Con, frame: _Frame, n_q: int, first_ord: int, stats_base: int, stats_first: int,
                 correction_base: int, ends: np.ndarray, delay: np.ndarray, rows: Mapping[int, int]) -> None:
    """One submission per id that holds rows (`rows`: id → its number of rows); uploads reviewed two
    days after they arrive, the last quarter's upload of every PENDING_EVERY-th park still pending."""
    meta = []
    flat_ends = ends.reshape(-1)
    for i, park in enumerate(frame.parks):
        for k in range(n_q):
            at = pd.Timestamp(flat_ends[k]) + pd.Timedelta(days=int(delay[i].astype(int)), hours=10)
            pending = k == n_q - 1 and i % PENDING_EVERY == 3
            p = Period((first_ord + k) // 4, (first_ord + k) % 4 + 1)
            meta.append((1 + k * len(frame.parks) + i, "upload", f"{park}-{p}.xlsx", "pending" if pending else "accepted",
                         f"mgr-{park}", at, None if pending else "reviewer", None if pending else at + pd.Timedelta(days=2)))
    for k in range(correction_base - stats_base):
        p = Period((stats_first + k) // 4, (stats_first + k) % 4 + 1)
        at = pd.Timestamp(p.end_date) + pd.Timedelta(days=45, hours=10)
        meta.append((stats_base + k, "import", f"stats-{p}.xlsx", "accepted", "stats-bureau", at, "admin", at))
    for k in range(n_q):
        at = pd.Timestamp(flat_ends[k]) + pd.Timedelta(days=60, hours=10)
        meta.append((correction_base + k, "import", f"corrections-{k}.csv", "accepted", "stats-correction", at,
                     "reviewer", at + pd.Timedelta(days=1)))
    subs = pd.DataFrame(meta, columns=["submission_id", "origin", "file_name", "status", "submitted_by",
                                       "submitted_at", "reviewed_by", "reviewed_at"])
    subs = subs[subs.submission_id.isin(rows)].sort_values("submission_id", kind="stable").reset_index(drop=True)
    subs["row_count"] = subs.submission_id.map(rows)
    subs["explanation"] = subs["review_comment"] = None
    bulk.insert(con, "submissions", subs)
    submissions.skip_loaded_ids(con)  # the ids were given explicitly: the app's next one must be free


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="province")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    args = parser.parse_args(argv)
    if args.force:
        for p in (args.out, Path(f"{args.out}.wal"), Path(f"{args.out}.json")):
            p.unlink(missing_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    info = generate(args.out, SIZES[args.size], args.seed)
    print(json.dumps(info, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
