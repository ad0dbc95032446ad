"""The demo set for plans beyond revenue: figures for Zhejiang's counties (the county organisations
themselves are catalog data, data/orgs.yaml), Shenzhen's task reports, Zhejiang's base designations
and half-year reports. Deterministic (its own seeded generator, so the rest of
the demo set is unchanged) and labelled demo data like everything else; settings in data/demo.yaml.

The story it tells: most of Shenzhen's tasks are done by their due date, some finish late, a few
are still delayed and overdue, a few departments have not reported in the last quarter and some
reports were corrected; Zhejiang designates the province's counts of bases per year, one base of
each type fails a criterion, most half-year reports arrive on time, some late, a few never.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from domain.catalog import Catalog
from domain.messages import text
from domain.models import OrgKind, Plan
from domain.periods import Period, parse_period
from domain.programme import (
    BaseType,
    TaskStatus,
    base_id_for,
    canonical_department,
    first_report_quarter,
    half_year_deadline,
)

ACTOR = "demo-generator"
SEED_OFFSET = 7  # this part draws from its own stream: seed + offset

_NOTES = {
    TaskStatus.NOT_STARTED: ["前期调研中", "待相关方案批复后启动"],
    TaskStatus.IN_PROGRESS: ["已形成工作方案，正在组织实施", "已完成初稿，正征求相关部门意见", "项目已立项，正在推进",
                             "已召开协调会，落实责任分工"],
    TaskStatus.DONE: ["已完成，相关文件已印发", "已完成并通过验收", "工作机制已建立并正常运行"],
    TaskStatus.DELAYED: ["受用地审批影响，进度滞后", "配套资金尚未落实，进度滞后", "跨部门协调未完成，预计下季度完成"],
}
_THEMES = ["云计算", "大数据", "数字内容", "智能制造服务", "电子商务", "互联网金融", "地理信息"]


def _rng(cfg: Mapping) -> np.random.Generator:
    return np.random.default_rng(int(cfg["seed"]) + SEED_OFFSET)


# ---------------------------------------------------------------------------- county figures


def county_revenue(cfg: Mapping, catalog: Catalog) -> dict[str, dict[int, float]]:
    """Each county's annual software revenue (亿元): the 2015 figure grown or shrunk at its own rate.

    The counties must be the catalog's (data/orgs.yaml) counties of the province: a figure for an
    organisation the store does not hold would be written nowhere a designation can name."""
    c = cfg["counties"]
    orgs = catalog.organisations
    wrong = [org for org in c["revenue_2015"]
             if org not in orgs or orgs[org].kind != OrgKind.DISTRICT or not catalog.is_under(org, c["province"])]
    if wrong:
        raise ValueError(f"data/demo.yaml counties: not a county of {c['province']} in data/orgs.yaml: {', '.join(wrong)}")
    rng = _rng(cfg)
    lo, hi = c["growth"]
    first, last = c["years"]
    out = {}
    for org, base in c["revenue_2015"].items():
        g = float(rng.uniform(lo, hi))
        out[org] = {y: round(float(base) * (1 + g) ** (y - 2015), 2) for y in range(first, last + 1)}
    return out


# ------------------------------------------------------------------------------ task reports


def _quarters(first: Period, last: Period) -> list[Period]:
    out, p = [], first
    while p.ordinal <= last.ordinal:
        out.append(p)
        p = p.next()
    return out


def task_updates(cfg: Mapping, plan: Plan) -> pd.DataFrame:
    """Quarterly reports of every lead department on every task it leads, until it reports done."""
    s = cfg["programme"]["tasks"]
    rng = _rng(cfg)
    rng.random(len(cfg["counties"]["revenue_2015"]))  # past the draws county_revenue makes
    quarters = _quarters(first_report_quarter(plan), parse_period(s["last_quarter"]))
    due = max(p.end for p in plan.phases)
    due_q = Period.containing(due)
    order = rng.permutation(len(plan.tasks))
    late, after = set(order[: s["late_tasks"]]), set(order[s["late_tasks"]: s["late_tasks"] + s["done_after_due"]])
    rows = []
    for i, task in enumerate(plan.tasks):
        start = quarters[int(rng.integers(0, 2))]
        if i in late:
            done_at = None
        elif i in after:
            done_at = due_q.ordinal + int(rng.integers(1, 4))
        else:
            done_at = due_q.ordinal - int(rng.integers(0, 3))
        for k, dept in enumerate(dict.fromkeys(canonical_department(d) for d in task.lead_departments)):
            finish = None if done_at is None else max(start.ordinal, done_at - (k > 0) * int(rng.integers(0, 2)))
            for q in quarters:
                if finish is not None and q.ordinal > finish:
                    break  # reported done: no more reports owed
                if q.ordinal < start.ordinal:
                    status = TaskStatus.NOT_STARTED
                elif finish is not None and q.ordinal == finish:
                    status = TaskStatus.DONE
                elif q.end_date > due:
                    status = TaskStatus.DELAYED
                else:
                    status = TaskStatus.IN_PROGRESS
                if status != TaskStatus.DONE and q != quarters[-1] and rng.random() < s["skip_share"]:
                    continue  # a missed report (never the one that says done)
                note = str(rng.choice(_NOTES[status]))
                at = pd.Timestamp(q.end_date) + pd.Timedelta(days=int(rng.integers(3, 25)), hours=10)
                rows.append([plan.plan_id, task.task_id, dept, q.year, q.quarter, 1, status.value, note, ACTOR, at])
    frame = pd.DataFrame(rows, columns=["plan_id", "task_id", "department", "year", "quarter", "revision", "status",
                                        "note", "entered_by", "entered_at"])
    # Some departments that still owe reports in the last quarter have not sent them.
    last = quarters[-1]
    in_last = frame[(frame.year == last.year) & (frame.quarter == last.quarter)]
    owing = sorted(in_last.department.unique())
    silent = set(rng.choice(owing, size=min(s["silent_last_quarter"], len(owing)), replace=False))
    frame = frame.drop(in_last.index[in_last.department.isin(silent)]).reset_index(drop=True)
    # A few reports corrected: the second revision says the first was too optimistic.
    fixed = frame[frame.status == TaskStatus.IN_PROGRESS.value].sample(n=s["corrections"], random_state=rng)
    fixed = fixed.assign(revision=2, status=TaskStatus.DELAYED.value, note="更正：原报进度偏乐观，实际滞后",
                         entered_at=fixed.entered_at + pd.Timedelta(days=5))
    return pd.concat([frame, fixed], ignore_index=True)


# --------------------------------------------------------------------------- the base programme


def _ranked(revenue: Mapping[str, Mapping[int, float]], year: int) -> list[str]:
    return sorted(revenue, key=lambda c: -revenue[c][year])


def designations(cfg: Mapping, catalog: Catalog, plan: Plan) -> pd.DataFrame:
    """The province's counts of designations per type and year (reference.zhejiang.bases_*), each in a
    county that meets the type's criterion except one per type (`failing`), with the standard funding."""
    b = cfg["programme"]["bases"]
    rng = _rng(cfg)
    rng.random(500)  # a stream of its own, apart from the task reports
    revenue = county_revenue(cfg, catalog)
    funding = {m.applies_to: m.amount.canonical for m in plan.measures if m.amount and m.applies_to}
    limits = {c.applies_to: c.value for c in plan.criteria}
    reference = cfg["reference"][plan.scope]
    used: set[tuple[str, object]] = set()  # (county, type) and (county, year): once each
    rows = []
    for year in sorted({int(y) for t in BaseType for y in reference[f"bases_{t.value}"]["values"]}):
        ranked = _ranked(revenue, year - 1)
        month, day = b["designated_on"][year]
        for kind in BaseType:
            n = int(reference[f"bases_{kind.value}"]["values"].get(year, 0))
            fail = b["failing"].get(kind.value) == year
            free = [c for c in ranked if (c, kind) not in used and (c, year) not in used]
            if kind == BaseType.STARTUP:
                pool = free[::-1]  # start-up bases grow in the smaller counties
            else:
                top = int(limits[kind.value])
                pool = [c for c in free if ranked.index(c) < top]
                if fail:  # one county just outside the ranking the type requires
                    pool = [next(c for c in free if ranked.index(c) >= top), *pool]
            for k, county in enumerate(pool[:n]):
                used |= {(county, kind), (county, year)}
                teams = None
                if kind == BaseType.STARTUP:
                    teams = int(limits[kind.value]) - 2 if fail and k == 0 else int(rng.integers(22, 61))
                theme = str(rng.choice(_THEMES))
                name = f"{catalog.organisations[county].name_zh}{theme}产业{text(f'base_type.{kind.value}', 'zh')}"
                on = dt.date(year, month, day) + dt.timedelta(days=k)
                rows.append([plan.plan_id, base_id_for(year, kind, county), 1, name, kind.value,
                             county, year, on, funding[kind.value], teams, False, "", ACTOR,
                             pd.Timestamp(on) + pd.Timedelta(hours=9)])
    frame = pd.DataFrame(rows, columns=["plan_id", "base_id", "revision", "name", "base_type", "county_id", "year",
                                        "designated_on", "funding", "startup_teams", "withdrawn", "note", "entered_by",
                                        "entered_at"])
    return frame.astype({"startup_teams": "Int64"})


def base_reports(cfg: Mapping, bases: pd.DataFrame) -> pd.DataFrame:
    """Half-year reports of each base over its construction period: mostly on time, some late, a few never."""
    b = cfg["programme"]["bases"]
    rng = _rng(cfg)
    rng.random(1000)
    until = dt.date.fromisoformat(str(b["reports_until"]))
    rows = []
    for base in bases.itertuples(index=False):
        for year in range(base.year, base.year + 3):
            for half in (1, 2):
                deadline = half_year_deadline(year, half)
                if not base.designated_on < deadline <= until:
                    continue
                draw = rng.random()
                if draw < b["missing_share"]:
                    continue
                if draw < b["missing_share"] + b["late_share"]:
                    got = deadline + dt.timedelta(days=int(rng.integers(*b["late_days"])))
                else:
                    got = deadline - dt.timedelta(days=int(rng.integers(*b["on_time_days"])))
                rows.append([base.plan_id, base.base_id, year, half, 1, got, "", ACTOR,
                             pd.Timestamp(got) + pd.Timedelta(hours=15)])
    return pd.DataFrame(rows, columns=["plan_id", "base_id", "year", "half", "revision", "received_on", "note",
                                       "entered_by", "entered_at"])


def programme_tables(cfg: Mapping, catalog: Catalog) -> dict[str, pd.DataFrame]:
    tasks = catalog.plans[cfg["programme"]["tasks"]["plan"]]
    bases_plan = catalog.plans[cfg["programme"]["bases"]["plan"]]
    bases = designations(cfg, catalog, bases_plan)
    return {"task_updates": task_updates(cfg, tasks), "base_designations": bases,
            "base_reports": base_reports(cfg, bases)}
