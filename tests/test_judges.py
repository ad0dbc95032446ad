"""Judging is pure and has one judge per kind: snapshots built by hand, no store at all, and the
route from the store through a snapshot on the demo data.

The hand-built snapshots are small enough to redo on paper; the demo checks are invariants that tie
the progress table to the chart drawn beside it (they come from the same judge, so they must agree).
"""

from __future__ import annotations

import pytest

from domain.access import SYSTEM
from domain.models import TargetKind
from domain.periods import Period
from domain.snapshot import CountKey, Figures, SeriesKey, Snapshot
from metrics import judges, tracker
from metrics.progress import Status
from service import queries
from store import snapshot


def test_every_kind_has_exactly_one_judge(catalog):
    """One judge class per kind, and no class judging two kinds' targets differently: each kind
    in the catalog maps to one class, and every kind of the enum occurs in the catalog."""
    seen: dict[TargetKind, type] = {}
    for plan in catalog.plans.values():
        for t in plan.targets:
            judge = type(judges.judge_for(t))
            assert seen.setdefault(t.kind, judge) is judge, f"{t.kind} judged by two classes"
    unused = {TargetKind.DENSITY}  # Qingdao's land figures are conditions of admission now (metrics/criteria.py)
    assert set(seen) == set(TargetKind) - unused, f"the catalog no longer has a target of kinds {set(TargetKind) - set(seen)}"
    assert len(set(seen.values())) >= len(TargetKind) - 1  # shares and densities share the ratio judge only


@pytest.mark.parametrize("as_of", [Period(2016, 4), Period(2017, 2), Period(2018, 4)])
def test_the_bases_page_and_the_plan_judge_programme_counts_alike(demo_store, catalog, as_of):
    """Zhejiang's base counts on the base-programme page and in the plan's progress table come
    from the same register through the same judge: status, count and reason agree."""
    from domain.access import SYSTEM
    from domain.messages import render

    judged = queries.plan_judgement(demo_store, catalog, SYSTEM, "zhejiang-2015", as_of)
    view = queries.base_programme(demo_store, catalog, SYSTEM, "zhejiang-2015", as_of.end_date)
    assert view.counts
    for count in view.counts:
        row = judged.row(count.target_id)
        assert row.series == "register"
        assert count.assessment.status == row.status
        assert render(count.assessment.reason, "zh") == render(row.reason, "zh")
        if row.actual is not None:
            assert count.count == row.actual


def test_a_level_judged_from_a_hand_built_snapshot(catalog):
    """Qingdao's 2200 亿元 software revenue by 2016 from 600 亿元 in 2011, read in 2013 Q4 at 937.5 亿元
    (600 · 1.25²): growth 25 % a year against (2200/600)^(1/5) − 1 required."""
    plan = catalog.plans["qingdao-2012"]
    snap = Snapshot(Period(2013, 4), series={
        SeriesKey("qingdao", "software_revenue"): Figures(official={Period(2011, 4): 6_000_000.0,
                                                                   Period(2013, 4): 9_375_000.0}),
    }, counts={})
    judged = tracker.judge_plan(plan, catalog, snap)
    r = judged.row("qd-software-revenue")
    required = (2200 / 600) ** (1 / 5) - 1
    assert r.actual == pytest.approx(937.5) and r.actual_period == "2013" and r.series == "official"
    assert r.actual_cagr == pytest.approx(0.25) and r.required_cagr == pytest.approx(required)
    assert r.ratio == pytest.approx(0.25 / required)
    assert r.projected_value == pytest.approx(937.5 * 1.25 ** 3)
    chart = judged.series["qd-software-revenue"]
    assert chart.annual == {2011: pytest.approx(600.0), 2013: pytest.approx(937.5)}
    assert chart.required_path[2016] == pytest.approx(2200.0)
    assert chart.projection[2016] == pytest.approx(937.5 * 1.25 ** 3)
    # every target whose series is not in the snapshot has nothing to read: cannot assess, never an error
    others = [x for x in judged.rows if x.indicator_id != "software_revenue" and x.kind in ("level", "growth")]
    assert len(others) >= 3 and all(x.status == Status.CANNOT_ASSESS for x in others)


def test_threshold_counts_come_from_the_snapshot(catalog):
    """Firms above 1 亿元 counted 20 in 2011 and 28 in 2013, against 40 by 2016."""
    plan = catalog.plans["qingdao-2012"]
    t = catalog.target("qingdao-2012", "qd-firms-over-1yi")
    key = CountKey(t.scope, t.indicator, float(t.threshold.canonical), strict=True)  # 过亿元: above 1亿
    assert key in tracker.needs(plan, catalog).counts
    snap = Snapshot(Period(2013, 4), series={}, counts={key: {2011: 20, 2013: 28}})
    r = tracker.judge_plan(plan, catalog, snap).row(t.target_id)
    assert r.series == "bottom_up" and r.actual == 28 and r.actual_period == "2013"
    assert r.actual_cagr == pytest.approx((28 / 20) ** (1 / 2) - 1)
    assert r.required_cagr == pytest.approx((40 / 20) ** (1 / 5) - 1)


@pytest.mark.parametrize("as_of", [Period(2013, 2), Period(2015, 3), Period(2016, 4)])
def test_the_snapshot_holds_nothing_after_its_quarter(demo_store, catalog, as_of):
    plan = catalog.plans["qingdao-2012"]
    snap = snapshot.read(demo_store, tracker.needs(plan, catalog), as_of)
    assert snap.series and snap.counts
    for figures in snap.series.values():
        assert all(p.ordinal <= as_of.ordinal for p in [*figures.official, *figures.bottom_up])
    for counts in snap.counts.values():
        assert all(year <= as_of.last_complete_year for year in counts)


@pytest.mark.parametrize(("plan_id", "as_of"), [("qingdao-2012", Period(2014, 3)), ("hangzhou-2012", Period(2014, 4)),
                                                ("jiaxing-2021", Period(2023, 2)), ("zhejiang-2015", Period(2018, 4))])
def test_the_chart_draws_what_the_row_says(demo_store, catalog, plan_id, as_of):
    """A row's actual figure is the chart's point for the same year, in the same unit, for every
    level-like target; a projected value is the chart's projection in the target year."""
    judged = queries.plan_judgement(demo_store, catalog, SYSTEM, plan_id, as_of)
    checked = projected = 0
    for r in judged.rows:
        chart = judged.series[r.target_id]
        if r.kind in ("level", "share", "density", "threshold_count", "cumulative", "programme_count") \
                and r.actual is not None:
            assert chart.unit == r.unit
            assert chart.annual[int(r.actual_period)] == pytest.approx(r.actual), r.target_id
            checked += 1
        if r.kind in ("level", "share", "density", "threshold_count") and chart.projection:
            assert chart.projection[r.target_year] == pytest.approx(r.projected_value), r.target_id
            projected += 1
    # every plan read before its end has at least one projected level; at its end there is none
    assert checked >= 3 and (projected >= 1 or all(r.final for r in judged.rows if r.kind == "level"))


def test_the_app_checks_every_caller_and_judges_once_for_all_readers(app_db, monkeypatch):
    """ui/queries.judgement: the leader, a reviewer and a park manager share one cached judgment
    (it is the same for every reader of aggregates); an enterprise user is refused on every call,
    and each refusal is audited — a cache never answers for the check."""
    from domain.access import AuthorizationError
    from ui import queries as ui_queries

    judged = []  # every real judgment the app makes (the real function, counted)
    real = ui_queries.service.judge
    monkeypatch.setattr(ui_queries.service, "judge", lambda *a: judged.append(a[2:]) or real(*a))
    version = ui_queries.data_version()
    who = {name: ui_queries.service.identity(ui_queries.cursor(), name)
           for name in ("leader", "reviewer", "park-softcity", "enterprise")}
    first = ui_queries.judgement(version, who["leader"], "qingdao-2012", Period(2015, 3))
    for name in ("reviewer", "park-softcity"):
        assert ui_queries.judgement(version, who[name], "qingdao-2012", Period(2015, 3)).rows == first.rows
    assert judged == [("qingdao-2012", Period(2015, 3), None)]  # once, on the figures now in force (no as-at date)
    refusals = []
    for _ in range(2):
        with pytest.raises(AuthorizationError):
            ui_queries.judgement(version, who["enterprise"], "qingdao-2012", Period(2015, 3))
        refusals.append(ui_queries.cursor().execute(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'enterprise'").fetchone()[0])
    assert refusals[1] == refusals[0] + 1 >= 2
