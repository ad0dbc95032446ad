"""基地建设: counts against Zhejiang's programme, eligibility from the data, half-year reports —
by hand on small registers, then through the access layer on a real store, then the demo set."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pandas as pd
import pytest
from openpyxl import load_workbook

from domain import messages
from domain.access import SYSTEM, Identity, Role
from domain.models import Organisation, OrgKind, ProgrammeCountTarget
from domain.programme import BaseReportInput, BaseType, DesignationInput, ProgrammeInputError, base_id_for, validated
from metrics import bases
from metrics.progress import Status
from reports import render
from reports.bases import base_register
from store import access, demo_programme, orgs, submissions
from store.access import AuthorizationError
from store.sql import transaction  # the writers' own lock and transaction, which this file tests
from tests import rawsql

DEMO, FEAT, START = BaseType.DEMONSTRATION, BaseType.FEATURED, BaseType.STARTUP
REVIEWER = Identity(username="rev", display_name="审核员", role=Role.REVIEWER)
TODAY = dt.date(2019, 1, 10)


def base(bid: str, kind: BaseType, year: int, county: str = "c1", on: dt.date | None = None, teams: int | None = None,
         withdrawn: bool = False) -> bases.Designation:
    return bases.Designation(bid, f"基地{bid}", kind, county, f"县{county}", year, on or dt.date(year, 4, 1),
                             {DEMO: 1000.0, FEAT: 600.0, START: 300.0}[kind], teams, withdrawn)


def targets(catalog) -> list[ProgrammeCountTarget]:
    return [t for t in catalog.plans["zhejiang-2015"].targets if isinstance(t, ProgrammeCountTarget)]


def criteria(catalog):
    return catalog.plans["zhejiang-2015"].criteria


# ------------------------------------------------------------------------------- counts


REGISTER = [base(f"d{i}", DEMO, y) for i, y in enumerate([2016, 2016, 2016, 2017, 2017, 2017, 2018, 2018])] + \
           [base(f"f{i}", FEAT, y) for i, y in enumerate([2016] * 5 + [2017] * 2)] + \
           [base("w", DEMO, 2016, withdrawn=True)]


def rows(catalog, last_complete: int) -> dict[str, bases.CountRow]:
    return {r.target_id: r for r in bases.programme_counts(REGISTER, targets(catalog), last_complete)}


def test_counts_mid_programme_by_hand(catalog):
    """At the end of 2017: 左右 allows 10 % less, at least one: 8左右 is reached at 7, 12左右 at 10.8,
    16左右 at 14.4. Demonstration 3 + 3 = 6 in two years, 3 a year against 7 / 3 = 2.33 a year
    (R = 1.29, on track); featured 5 + 2 = 7, 3.5 a year against 10.8 / 3 = 3.6 (R = 0.972, on track);
    start-up none: R = 0, limited progress. The withdrawn base counts for nothing."""
    r = rows(catalog, 2017)
    demo, feat, start = r["zj-bases-demonstration"], r["zj-bases-featured"], r["zj-bases-startup"]
    assert (demo.count, demo.by_year) == (6, {2016: 3, 2017: 3, 2018: 2})  # 2018 is not over: not counted yet
    assert demo.assessment.ratio == pytest.approx(3 / (7 / 3)) and demo.assessment.status == Status.ON_TRACK
    assert feat.count == 7 and feat.assessment.ratio == pytest.approx(3.5 / 3.6)
    assert feat.assessment.status == Status.ON_TRACK
    assert start.count == 0 and start.assessment.status == Status.LIMITED
    # the 2016 plan (4 / 5 / 5) is final once 2016 is over: 3 demonstration bases miss 4, 5 featured reach 5
    assert r["zj-2016-bases-demonstration"].assessment.status == Status.MISSED
    assert r["zj-2016-bases-featured"].assessment.status == Status.ACHIEVED


def test_counts_final_by_hand(catalog):
    r = rows(catalog, 2018)
    assert r["zj-bases-demonstration"].count == 8 and r["zj-bases-demonstration"].assessment.status == Status.ACHIEVED
    assert r["zj-bases-featured"].count == 7 and r["zj-bases-featured"].assessment.status == Status.MISSED


def test_before_the_programme_nothing_can_be_judged(catalog):
    assert all(r.assessment.status == Status.CANNOT_ASSESS for r in rows(catalog, 2015).values())


# -------------------------------------------------------------------------- eligibility


def test_ranks_share_the_better_rank_on_ties():
    assert bases.ranks({"a": 10.0, "b": 30.0, "c": 30.0, "d": 5.0}) == {"b": 1, "c": 1, "a": 3, "d": 4}


# 25 counties in 2015 with 100, 99, … 76 亿元: k0 ranks 1st, k14 15th, k15 16th, k19 20th, k20 21st.
COUNTIES = {2015: {f"k{i}": 100.0 - i for i in range(25)}}


@pytest.mark.parametrize(("kind", "county", "teams", "expected"), [
    (DEMO, "k14", None, bases.Check.MET),  # 15th: within the top 15
    (DEMO, "k15", None, bases.Check.NOT_MET),  # 16th
    (FEAT, "k19", None, bases.Check.MET),  # 20th: within the top 20
    (FEAT, "k20", None, bases.Check.NOT_MET),
    (DEMO, "k99", None, bases.Check.UNKNOWN),  # no 2015 figure for the county
    (START, "k24", 20, bases.Check.MET),  # 不少于20家: 20 is enough
    (START, "k24", 19, bases.Check.NOT_MET),
    (START, "k24", None, bases.Check.UNKNOWN),
])
def test_eligibility_from_the_data(catalog, kind, county, teams, expected):
    overall, checks = bases.eligibility(base("x", kind, 2016, county, teams=teams), criteria(catalog), COUNTIES)
    assert overall == expected and len(checks) == 1


def test_rank_detail_names_rank_and_field(catalog):
    _, (c,) = bases.eligibility(base("x", DEMO, 2016, "k15"), criteria(catalog), COUNTIES)
    assert messages.render(c.detail, "zh") == "2015年全省第16位（共25个县市区有数据），要求前15位"
    assert messages.render(c.detail, "en") == "ranked 16 of 25 counties in 2015; must be within the top 15"


# ------------------------------------------------------------------------------ reports


def test_due_halves_follow_the_designation_date_and_the_construction_period():
    spring = base("a", DEMO, 2016, on=dt.date(2016, 4, 12))
    summer = base("b", DEMO, 2016, on=dt.date(2016, 7, 1))
    assert bases.due_halves(spring, dt.date(2017, 6, 30)) == [(2016, 1), (2016, 2), (2017, 1)]
    assert bases.due_halves(summer, dt.date(2017, 6, 30)) == [(2016, 2), (2017, 1)]
    assert bases.due_halves(spring, dt.date(2025, 1, 1)) == [(y, h) for y in (2016, 2017, 2018) for h in (1, 2)]


def test_report_status_by_hand():
    b = base("a", DEMO, 2016, on=dt.date(2016, 4, 12))
    received = {("a", 2016, 1): dt.date(2016, 6, 30),  # on the deadline: on time
                ("a", 2016, 2): dt.date(2017, 1, 1),  # a day late
                ("a", 2017, 2): dt.date(2018, 1, 20)}  # arrives after the day we look from
    got = {(s.year, s.half): s.state for s in bases.report_status([b], received, dt.date(2017, 12, 31))}
    assert got == {(2016, 1): bases.ReportState.ON_TIME, (2016, 2): bases.ReportState.LATE,
                   (2017, 1): bases.ReportState.MISSING, (2017, 2): bases.ReportState.MISSING}
    assert bases.half_summary(bases.report_status([b], received, dt.date(2017, 12, 31))) == [
        (2016, 1, 1, 0, 0), (2016, 2, 0, 1, 0), (2017, 1, 0, 0, 1), (2017, 2, 0, 0, 1)]


def test_view_leaves_out_later_and_withdrawn_designations(catalog):
    late = base("z", FEAT, 2018, on=dt.date(2018, 5, 1))
    view = bases.programme_view(catalog.plans["zhejiang-2015"], [*REGISTER, late], COUNTIES, {}, dt.date(2017, 12, 31))
    assert {d.base_id for d in view.designations} == {d.base_id for d in REGISTER if d.year <= 2017 and not d.withdrawn}


# ---------------------------------------------------------------------------- the store


@pytest.fixture
def zj(store):
    """Three counties of Zhejiang with 2015 software revenue (万元): 甲 300, 乙 200, 丙 100."""
    orgs.upsert_orgs(store, [Organisation(org_id=f"c{i}", name_zh=n, kind=OrgKind.DISTRICT, parent="zhejiang")
                             for i, n in enumerate(["甲县", "乙县", "丙县"])], "test")
    frame = pd.DataFrame([(f"c{i}", "software_revenue", 2015, 4, v, v, "万元", None)
                          for i, v in enumerate([300.0, 200.0, 100.0])], columns=submissions.REQUIRED_COLUMNS)
    submissions.write_submission(store, frame, actor="tester", origin="test", status="accepted")
    return store


def designate(con, who=REVIEWER, **kw) -> int:
    fields = dict(plan_id="zhejiang-2015", name="甲县大数据产业示范基地", base_type="demonstration", county_id="c0",
                  year=2016, designated_on=dt.date(2016, 4, 12), funding=1000.0)
    fields.update(kw)
    fields.setdefault("base_id", base_id_for(fields["year"], BaseType(fields["base_type"]), fields["county_id"]))
    return access.record_designation(con, who, validated(DesignationInput, **fields), today=TODAY)


def test_designations_and_corrections(zj, catalog):
    assert designate(zj) == 1
    assert designate(zj, county_id="c2", name="丙县示范基地") == 1
    assert designate(zj, funding=800.0) == 2  # same county, type and year: a correction
    frame = access.designations(zj, SYSTEM, "zhejiang-2015")
    assert len(frame) == 2 and frame.set_index("county_id").funding["c0"] == 800.0
    assert list(access.designation_history(zj, SYSTEM, "zhejiang-2015", "2016-demonstration-c0").funding) == [1000.0, 800.0]
    view = bases.programme_view(
        catalog.plans["zhejiang-2015"], bases.from_frame(frame),
        bases.county_values(access.county_figures(zj, SYSTEM, "zhejiang", "software_revenue", [2015])), {},
        dt.date(2016, 12, 31))
    # ranked on 2015 among the three counties: 甲 1st, 丙 3rd — both within the top 15
    assert {b: e[0] for b, e in view.eligibility.items()} == {"2016-demonstration-c0": bases.Check.MET,
                                                             "2016-demonstration-c2": bases.Check.MET}
    assert "第3位（共3个县市区有数据）" in messages.render(view.eligibility["2016-demonstration-c2"][1][0].detail, "zh")
    designate(zj, county_id="c2", name="丙县示范基地", withdrawn=True)  # entered in error
    left = bases.from_frame(access.designations(zj, SYSTEM, "zhejiang-2015"))
    counted = bases.programme_view(catalog.plans["zhejiang-2015"], left, {}, {}, dt.date(2016, 12, 31))
    assert [d.base_id for d in counted.designations] == ["2016-demonstration-c0"]
    log = rawsql.frame(zj, "SELECT actor FROM audit_log WHERE action = 'base.designation'")
    assert list(log.actor) == ["rev"] * 4


@pytest.mark.parametrize(("fields", "reason"), [
    (dict(county_id="hz-binjiang"), "不是本省的县"),  # a park, not a county
    (dict(county_id="nowhere"), "不是本省的县"),
    (dict(designated_on=dt.date(2019, 2, 1), year=2019), "晚于今天"),
    (dict(designated_on=dt.date(2017, 1, 5)), "不在2016年"),
    (dict(plan_id="hangzhou-2012"), "没有该类基地"),
    # applications closed 2015-12-31, then 7 days of publicity: 2016-01-08 at the earliest
    (dict(designated_on=dt.date(2016, 1, 7)), "早于 2016-01-08"),
])
def test_bad_designations_are_refused(zj, fields, reason):
    with pytest.raises(ProgrammeInputError) as e:
        designate(zj, **fields)
    assert reason in e.value.message("zh") and e.value.message("en")
    assert rawsql.scalar(zj, "SELECT count(*) FROM base_designations") == 0


def test_a_county_holds_one_type_in_the_2016_round(zj):
    assert designate(zj, designated_on=dt.date(2016, 1, 8)) == 1  # the first day after the publicity
    with pytest.raises(ProgrammeInputError) as e:
        designate(zj, base_type="featured", name="甲县特色基地", funding=600.0)
    assert "只申报一类基地" in e.value.message("zh") and "2016-demonstration-c0 (Demonstration base)" in e.value.message("en")
    assert rawsql.scalar(zj, "SELECT count(*) FROM base_designations") == 1
    designate(zj, withdrawn=True)  # the demonstration base entered in error goes …
    assert designate(zj, base_type="featured", name="甲县特色基地", funding=600.0) == 1  # … and the featured one may come
    # The rule is written in the 2016 notice only; a later round's notice is not in the text.
    assert designate(zj, county_id="c1", name="乙县示范基地", year=2017, designated_on=dt.date(2017, 3, 28)) == 1
    assert designate(zj, county_id="c1", name="乙县特色基地", base_type="featured", year=2017,
                     designated_on=dt.date(2017, 3, 28), funding=600.0) == 1


def test_leaders_may_not_designate(zj):
    leader = Identity(username="boss", display_name="领导", role=Role.LEADER)
    with pytest.raises(AuthorizationError):
        designate(zj, who=leader)
    assert rawsql.scalar(zj, "SELECT count(*) FROM base_designations") == 0


def report(con, **kw) -> int:
    fields = dict(plan_id="zhejiang-2015", base_id="2016-demonstration-c0", year=2016, half=1,
                  received_on=dt.date(2016, 6, 20))
    fields.update(kw)
    return access.record_base_report(con, REVIEWER, validated(BaseReportInput, **fields), today=TODAY)


def test_reports_and_their_status(zj):
    designate(zj)
    assert report(zj) == 1
    assert report(zj, year=2016, half=2, received_on=dt.date(2017, 1, 3)) == 1
    assert report(zj, year=2016, half=2, received_on=dt.date(2016, 12, 30)) == 2  # the date corrected
    got = bases.received(access.base_reports(zj, SYSTEM, "zhejiang-2015"))
    assert got == {("2016-demonstration-c0", 2016, 1): dt.date(2016, 6, 20),
                   ("2016-demonstration-c0", 2016, 2): dt.date(2016, 12, 30)}
    register = bases.from_frame(access.designations(zj, SYSTEM, "zhejiang-2015"))
    states = [s.state for s in bases.report_status(register, got, dt.date(2017, 6, 30))]
    assert states == [bases.ReportState.ON_TIME, bases.ReportState.ON_TIME, bases.ReportState.MISSING]


@pytest.mark.parametrize(("fields", "reason"), [
    (dict(base_id="2016-featured-c1"), "不是已认定的基地"),
    (dict(year=2019), "不在该基地建设期"),  # 2016 + two years: 2016–2018
    (dict(received_on=dt.date(2016, 3, 1)), "早于认定日期"),
    (dict(received_on=dt.date(2019, 6, 30), year=2018), "晚于今天"),
])
def test_bad_reports_are_refused(zj, fields, reason):
    designate(zj)
    with pytest.raises(ProgrammeInputError) as e:
        report(zj, **fields)
    assert reason in e.value.message("zh") and e.value.message("en")
    assert rawsql.scalar(zj, "SELECT count(*) FROM base_reports") == 0


def test_a_base_withdrawn_while_a_report_waits_gets_no_report(zj):
    """The report's checks run in the same transaction as its write: a withdrawal being written when
    the report comes in is seen once it commits, and the report is refused, not filed."""
    designate(zj)
    outcome: dict[str, str] = {}

    def enter_report(con):  # a second session on the same store, as another user's page would be
        try:
            outcome["revision"] = str(report(con))
        except ProgrammeInputError as e:
            outcome["refused"] = e.message("zh")

    other = zj.cursor()
    with transaction(zj):
        designate(zj, withdrawn=True)
        waiting = threading.Thread(target=enter_report, args=(other,))
        waiting.start()
        waiting.join(timeout=0.5)  # time for a check made outside the transaction to see the base still current
        assert waiting.is_alive()  # the report waits for the withdrawal's transaction
    waiting.join()
    assert outcome == {"refused": "2016-demonstration-c0 不是已认定的基地"}
    assert rawsql.scalar(zj, "SELECT count(*) FROM base_reports") == 0


# ------------------------------------------------------------------------- catalog counties


def test_counties_come_with_the_catalog(store, catalog):
    """Without the demo set (TRACKER_DEMO=0) the province's counties are there to designate bases in,
    each under its prefecture-level city."""
    listed = access.counties(store, SYSTEM, "zhejiang")
    declared = {o.org_id for o in catalog.organisations.values()
                if o.kind == OrgKind.DISTRICT and catalog.is_under(o.org_id, "zhejiang")}
    assert set(listed.org_id) == declared and len(declared) == 45  # the 45 declared in data/orgs.yaml
    assert {catalog.organisations[catalog.organisations[c].parent].kind for c in declared} == {OrgKind.CITY}
    assert orgs.city_of(store, "zj-nb-yinzhou") == "ningbo" and orgs.city_of(store, "zj-hz-binjiang") == "hangzhou"
    assert designate(store, county_id="zj-nb-yinzhou", name="宁波市鄞州区软件产业示范基地") == 1
    assert list(access.designations(store, SYSTEM, "zhejiang-2015").county_id) == ["zj-nb-yinzhou"]


def test_demo_figures_only_for_catalog_counties(catalog):
    cfg = {"counties": {"province": "zhejiang", "years": [2015, 2016], "growth": [0.1, 0.1],
                        "revenue_2015": {"zj-hz-xihu": 420, "zj-nowhere": 1, "hz-binjiang": 5, "sz-software-park": 3}},
           "seed": 1}
    with pytest.raises(ValueError, match="zj-nowhere, hz-binjiang, sz-software-park"):
        demo_programme.county_revenue(cfg, catalog)
    cfg["counties"]["revenue_2015"] = {"zj-hz-xihu": 420}
    # 420 亿元 in 2015 grown at 10 %: 462 in 2016
    assert demo_programme.county_revenue(cfg, catalog) == {"zj-hz-xihu": {2015: 420.0, 2016: 462.0}}


# ------------------------------------------------------------------------------ the demo


def demo_view(con, catalog, as_of=dt.date(2020, 12, 31)) -> bases.ProgrammeView:
    register = bases.from_frame(access.designations(con, SYSTEM, "zhejiang-2015"))
    figures = access.county_figures(con, SYSTEM, "zhejiang", "software_revenue", [2015, 2016, 2017])
    return bases.programme_view(catalog.plans["zhejiang-2015"], register, bases.county_values(figures),
                                bases.received(access.base_reports(con, SYSTEM, "zhejiang-2015")), as_of)


def test_demo_register_matches_the_province_counts(demo_store, catalog):
    """The plan page judges the counts on the bases_* series; the register must tell the same story."""
    view = demo_view(demo_store, catalog)
    series = rawsql.frame(demo_store, """SELECT indicator_id, year, value FROM current_observations
                                         WHERE org_id = 'zhejiang' AND indicator_id LIKE 'bases_%' AND quarter = 4""")
    register = bases.counts(view.designations)
    assert {(f"bases_{k.value}", y): n for (k, y), n in register.items()} == {
        (r.indicator_id, int(r.year)): int(r.value) for r in series.itertuples()}
    final = {r.target_id: r for r in view.counts}
    assert (final["zj-bases-demonstration"].count, final["zj-bases-featured"].count,
            final["zj-bases-startup"].count) == (9, 12, 15)  # 4+3+2, 5+4+3, 4+6+5 (data/demo.yaml)


def test_demo_has_one_failing_base_per_type(demo_store, catalog):
    view = demo_view(demo_store, catalog)
    failing = [d.base_type for d in view.designations if view.eligibility[d.base_id][0] == bases.Check.NOT_MET]
    assert sorted(failing) == sorted(BaseType)


def test_register_workbook(demo_store, catalog):
    view = demo_view(demo_store, catalog)
    book = load_workbook(io.BytesIO(render(base_register(catalog.plans["zhejiang-2015"], view, "zh", True), "xlsx")))
    ws = book["基地名单"]
    values = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(values) if r and r[0] == "认定年度")
    body = [r for r in values[head + 1:] if r[0]]
    assert len(body) == 36
    assert sum(r[4] for r in body) == 9 * 1000 + 12 * 600 + 15 * 300  # funding as numbers, 万元


def test_demo_programme_is_deterministic(catalog):
    import yaml

    from store.catalog import DATA_DIR

    cfg = yaml.safe_load((DATA_DIR / "demo.yaml").read_text(encoding="utf-8"))
    first, second = demo_programme.programme_tables(cfg, catalog), demo_programme.programme_tables(cfg, catalog)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(frame, second[name])
