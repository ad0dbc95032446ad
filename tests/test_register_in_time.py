"""The register in time (issue 17): each quarter's park and city sums count a firm where it was
then, and a quarter's reporting units are the firms in the survey then (store/placements.py).

Every sum is worked out by hand from the figures written; each test also checks the maintained
tables against their definition figure by figure and against a full rebuild
(tests/test_figures_maintained.py's `assert_matches_definition`)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.access import AuthorizationError, Identity
from domain.models import Organisation, OrgKind
from domain.periods import Period
from domain.policy import Role
from service import queries
from store import figures, org_events, orgs, placements, reporting
from store.org_events import OrgEvent
from store.sql import transaction
from tests import rawsql
from tests.test_figures_maintained import BINJIANG, XIASHA, assert_matches_definition, firms, summed, write

SR = "software_revenue"
MOVE_DAY = dt.date(2016, 7, 15)  # in 2016Q3: the first quarter the move applies to
LEADER = Identity(username="leader", display_name="领导", role=Role.LEADER)


def move(con, org: str, src: str, dst: str, day: dt.date, *, event_first: bool = True) -> None:
    """What the register does for a move: the dated event and the new parent, in one transaction,
    then the derived tables brought up to date (either order of the two writes)."""
    with transaction(con):
        if event_first:
            org_events.add_event(con, org, OrgEvent.MOVED, day, actor="t", from_parent=src, to_parent=dst)
        firms(con, (org, dst))
        if not event_first:
            org_events.add_event(con, org, OrgEvent.MOVED, day, actor="t", from_parent=src, to_parent=dst)
        figures.refresh_after_events(con, [org])


def event(con, org: str, kind: OrgEvent, day: dt.date) -> None:
    with transaction(con):
        org_events.add_event(con, org, kind, day, actor="t")
        figures.refresh_after_events(con, [org])


def sums(con, org: str, year: int = 2016) -> dict[int, tuple[float, int] | None]:
    return {q: summed(con, org, SR, year, q) for q in (1, 2, 3, 4)}


def year_2016(con) -> None:
    """ent-m in Binjiang reports all four quarters; ent-a (Binjiang) Q2 and Q4; ent-b (Xiasha) Q1 and Q3."""
    firms(con, ("ent-m", BINJIANG), ("ent-a", BINJIANG), ("ent-b", XIASHA))
    write(con, *[("ent-m", SR, 2016, q, v) for q, v in ((1, 10.0), (2, 25.0), (3, 40.0), (4, 60.0))],
          ("ent-a", SR, 2016, 2, 7.0), ("ent-a", SR, 2016, 4, 100.0),
          ("ent-b", SR, 2016, 1, 5.0), ("ent-b", SR, 2016, 3, 9.0))


# ------------------------------------------------------------------------------ placement in time


@pytest.mark.parametrize("event_first", [True, False], ids=["event-then-parent", "parent-then-event"])
def test_a_move_takes_the_quarters_from_its_day_on_and_leaves_the_earlier_ones(store, event_first):
    year_2016(store)
    city_before = sums(store, "hangzhou")
    assert city_before == {1: (15.0, 2), 2: (32.0, 2), 3: (49.0, 2), 4: (160.0, 2)}  # 10+5, 25+7, 40+9, 60+100
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY, event_first=event_first)
    assert sums(store, BINJIANG) == {1: (10.0, 1), 2: (32.0, 2), 3: None, 4: (100.0, 1)}  # Q2 still 25 + 7
    assert sums(store, XIASHA) == {1: (5.0, 1), 2: None, 3: (49.0, 2), 4: (60.0, 1)}  # Q3: 40 + 9
    for org in ("hangzhou", "zhejiang", "cn"):
        assert sums(store, org) == city_before  # the firm never left the city
    assert figures.periods(store, BINJIANG) == [Period(2016, 1), Period(2016, 2), Period(2016, 4)]
    assert figures.periods(store, XIASHA) == [Period(2016, 1), Period(2016, 3), Period(2016, 4)]
    assert_matches_definition(store)
    # Later figures follow the same rule: a correction of Q2 lands in Binjiang, 2017Q1 in Xiasha.
    write(store, ("ent-m", SR, 2016, 2, 30.0), ("ent-m", SR, 2017, 1, 12.0))
    assert summed(store, BINJIANG, SR, 2016, 2) == (37.0, 2)  # 30 + 7
    assert summed(store, XIASHA, SR, 2016, 2) is None
    assert summed(store, XIASHA, SR, 2017, 1) == (12.0, 1)
    assert summed(store, BINJIANG, SR, 2017, 1) is None
    assert summed(store, "hangzhou", SR, 2016, 2) == (37.0, 2)
    assert_matches_definition(store)


def test_two_moves_across_cities(store):
    firms(store, ("ent-m", BINJIANG))
    write(store, ("ent-m", SR, 2016, 2, 25.0), ("ent-m", SR, 2016, 4, 60.0), ("ent-m", SR, 2017, 1, 12.0))
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY)
    move(store, "ent-m", XIASHA, "qd-softcity", dt.date(2017, 2, 1))
    assert summed(store, BINJIANG, SR, 2016, 2) == (25.0, 1)
    assert summed(store, XIASHA, SR, 2016, 4) == (60.0, 1)
    assert summed(store, "hangzhou", SR, 2016, 4) == (60.0, 1)
    assert summed(store, "hangzhou", SR, 2017, 1) is None
    assert summed(store, "qd-softcity", SR, 2017, 1) == (12.0, 1)
    assert summed(store, "qingdao", SR, 2017, 1) == (12.0, 1)
    assert summed(store, "qingdao", SR, 2016, 4) is None
    assert summed(store, "shandong", SR, 2017, 1) == (12.0, 1)
    assert summed(store, "zhejiang", SR, 2017, 1) is None
    assert [summed(store, "cn", SR, y, q) for y, q in ((2016, 2), (2016, 4), (2017, 1))] == [
        (25.0, 1), (60.0, 1), (12.0, 1)]
    assert figures.periods(store, "qingdao") == [Period(2017, 1)]
    assert figures.periods(store, "hangzhou") == [Period(2016, 2), Period(2016, 4)]
    assert_matches_definition(store)


def test_a_moved_park_takes_its_firms_along_from_the_day_on(store):
    firms(store, ("ent-a", BINJIANG))
    write(store, ("ent-a", SR, 2016, 1, 10.0), ("ent-a", SR, 2016, 2, 25.0))
    district = "zj-hz-binjiang"
    with transaction(store):
        org_events.add_event(store, BINJIANG, OrgEvent.MOVED, dt.date(2016, 4, 1), actor="t",
                             from_parent="hangzhou", to_parent=district)
        orgs.upsert_orgs(store, [Organisation(org_id=BINJIANG, name_zh="滨江园区", kind=OrgKind.PARK, parent=district)],
                         "catalog")
        figures.refresh_after_events(store, [BINJIANG])
    assert summed(store, district, SR, 2016, 1) is None
    assert summed(store, district, SR, 2016, 2) == (25.0, 1)
    assert [summed(store, "hangzhou", SR, 2016, q) for q in (1, 2)] == [(10.0, 1), (25.0, 1)]
    assert_matches_definition(store)


def test_where_a_firm_is_now_is_corrected_without_an_event(store):
    """The last range of a moved firm follows its current parent: a wrong park entered with the move
    is put right by editing the firm, from the move's quarter on, the earlier quarters untouched."""
    year_2016(store)
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY)
    firms(store, ("ent-m", "hz-chengxi"))
    assert summed(store, BINJIANG, SR, 2016, 2) == (32.0, 2)
    assert summed(store, "hz-chengxi", SR, 2016, 3) == (40.0, 1)
    assert summed(store, XIASHA, SR, 2016, 3) == (9.0, 1)
    assert summed(store, "hz-chengxi", SR, 2016, 2) is None
    assert_matches_definition(store)


def test_a_move_without_an_event_restates_every_quarter(store):
    """Re-registering a firm elsewhere without a dated move says it always belonged there."""
    year_2016(store)
    firms(store, ("ent-m", XIASHA))
    assert sums(store, BINJIANG) == {1: None, 2: (7.0, 1), 3: None, 4: (100.0, 1)}
    assert not placements.has_dated(store)
    assert_matches_definition(store)


def test_events_that_move_nothing_leave_the_sums_as_a_store_without_events(store, tmp_path, empty_db):
    import shutil

    from store.db import connect

    shutil.copy(empty_db, tmp_path / "plain.duckdb")
    plain = connect(tmp_path / "plain.duckdb")
    try:
        for con in (store, plain):
            year_2016(con)
        event(store, "ent-a", OrgEvent.CLOSED, dt.date(2016, 11, 2))
        event(store, "ent-b", OrgEvent.LEFT_SURVEY, dt.date(2016, 7, 1))
        event(store, "ent-m", OrgEvent.ENTERED_SURVEY, dt.date(2015, 1, 1))
        for table in ("current_figures", "bottom_up", "org_periods", "org_closure_dated"):
            query = f"SELECT * EXCLUDE (submission_id) FROM {table} ORDER BY ALL" if table == "current_figures" \
                else f"SELECT * FROM {table} ORDER BY ALL"
            pd.testing.assert_frame_equal(rawsql.frame(store, query), rawsql.frame(plain, query))
        assert not placements.has_dated(store)
        assert_matches_definition(store)
    finally:
        plain.close()


def test_a_failed_move_leaves_everything_as_it_was(store):
    year_2016(store)
    with pytest.raises(RuntimeError), transaction(store):
        org_events.add_event(store, "ent-m", OrgEvent.MOVED, MOVE_DAY, actor="t", from_parent=BINJIANG, to_parent=XIASHA)
        firms(store, ("ent-m", XIASHA))
        figures.refresh_after_events(store, ["ent-m"])
        raise RuntimeError("the register's write failed after the move")
    assert summed(store, XIASHA, SR, 2016, 3) == (9.0, 1)
    assert not placements.has_dated(store)
    assert_matches_definition(store)


def test_bottom_up_as_it_stood_and_the_matched_ratio_place_the_firm_too(store):
    """The reads that sum figures outside the maintained table (as it stood on a date; Σ/Σ over
    the same firms) use the same placement."""
    from domain.snapshot import SeriesKey

    year_2016(store)
    write(store, *[("ent-m", "main_revenue", 2016, q, v) for q, v in ((2, 50.0), (3, 80.0))])
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY)
    past = figures.series(store, [SeriesKey(BINJIANG, SR), SeriesKey(XIASHA, SR)], Period(2016, 4),
                          as_at=dt.date.today())
    now = figures.series(store, [SeriesKey(BINJIANG, SR), SeriesKey(XIASHA, SR)], Period(2016, 4))
    pd.testing.assert_frame_equal(past, now)
    assert figures.matched_sums(store, BINJIANG, SR, "main_revenue", Period(2016, 4)) == {(2016, 2): (25.0, 50.0, 1)}
    assert figures.matched_sums(store, XIASHA, SR, "main_revenue", Period(2016, 4)) == {(2016, 3): (40.0, 80.0, 1)}


# ------------------------------------------------------------------------------ the survey


Q = [Period(2016, 1), Period(2016, 2), Period(2016, 3), Period(2016, 4), Period(2017, 1), Period(2017, 2)]


@pytest.mark.parametrize(("events", "listed"), [
    ([], Q),
    ([(OrgEvent.CLOSED, dt.date(2016, 5, 10))], Q[:2]),  # reports the quarter it closed in, not the next
    ([(OrgEvent.CLOSED, dt.date(2016, 3, 31))], Q[:1]),
    ([(OrgEvent.ENTERED_SURVEY, dt.date(2016, 10, 1))], Q[3:]),
    ([(OrgEvent.LEFT_SURVEY, dt.date(2017, 1, 1))], Q[:4]),
    ([(OrgEvent.ENTERED_SURVEY, dt.date(2016, 4, 1)), (OrgEvent.LEFT_SURVEY, dt.date(2017, 1, 1))], Q[1:4]),
    ([(OrgEvent.LEFT_SURVEY, dt.date(2016, 4, 1)), (OrgEvent.ENTERED_SURVEY, dt.date(2016, 10, 1))], [Q[0], *Q[3:]]),
    ([(OrgEvent.CLOSED, dt.date(2016, 5, 10)), (OrgEvent.ENTERED_SURVEY, dt.date(2017, 4, 2))], [*Q[:2], Q[5]]),
], ids=["none", "closed-q2", "closed-last-day-q1", "entered", "left", "entered-then-left", "left-then-entered",
        "closed-then-reentered"])
def test_a_firm_is_chased_in_the_quarters_it_is_in_the_survey(store, events, listed):
    firms(store, ("ent-x", BINJIANG), ("ent-y", BINJIANG))
    for kind, day in events:
        event(store, "ent-x", kind, day)
    chased = [p for p in Q if "ent-x" in set(reporting.reporting_status(store, BINJIANG, p, p.deadline(20)).org_id)]
    assert chased == listed
    assert all("ent-y" in set(reporting.reporting_status(store, BINJIANG, p, p.deadline(20)).org_id) for p in Q)


def test_a_moved_firm_is_chased_by_the_park_it_was_in(store):
    firms(store, ("ent-m", BINJIANG), ("ent-a", BINJIANG))
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY)

    def listed(under: str, period: Period) -> dict[str, str]:
        status = reporting.reporting_status(store, under, period, period.deadline(20))
        return dict(zip(status.org_id, status.park_id, strict=True))

    assert listed(BINJIANG, Period(2016, 2)) == {"ent-m": BINJIANG, "ent-a": BINJIANG}
    assert listed(BINJIANG, Period(2016, 3)) == {"ent-a": BINJIANG}
    assert listed(XIASHA, Period(2016, 2)) == {}
    assert listed(XIASHA, Period(2016, 3)) == {"ent-m": XIASHA}
    assert listed("hangzhou", Period(2016, 2)) == {"ent-m": BINJIANG, "ent-a": BINJIANG}
    assert listed("hangzhou", Period(2016, 3)) == {"ent-m": XIASHA, "ent-a": BINJIANG}


def register_2015_2017(con) -> None:
    """Five firms in Binjiang: c closes in 2016Q2, l leaves the survey with 2017, e enters it in
    2016Q4, m moves to Xiasha in 2016Q3, x has no event."""
    firms(con, *[(f"ent-{k}", BINJIANG) for k in "clemx"])
    event(con, "ent-c", OrgEvent.CLOSED, dt.date(2016, 5, 10))
    event(con, "ent-l", OrgEvent.LEFT_SURVEY, dt.date(2017, 1, 1))
    event(con, "ent-e", OrgEvent.ENTERED_SURVEY, dt.date(2016, 10, 1))
    move(con, "ent-m", BINJIANG, XIASHA, MOVE_DAY)


@pytest.mark.parametrize(("under", "year", "during", "year_end"), [
    ("hangzhou", 2015, 4, 4),   # c, l, m, x (e not yet in)
    ("hangzhou", 2016, 5, 4),   # all five during; c closed before Q4
    ("hangzhou", 2017, 3, 3),   # e, m, x (l left with 2017, c closed)
    (BINJIANG, 2016, 5, 3),     # m there in Q1–Q2; at year end l, e, x
    (XIASHA, 2016, 1, 1),       # m from Q3
    (XIASHA, 2015, 0, 0),
    ("qingdao", 2016, 0, 0),
])
def test_survey_population_of_a_year(store, under, year, during, year_end):
    register_2015_2017(store)
    assert placements.survey_population(store, under, year) == (year, during, year_end)


def test_survey_population_is_read_through_the_service_with_scope(store):
    register_2015_2017(store)
    assert queries.survey_population(store, LEADER, "hangzhou", 2016) == (2016, 5, 4)
    other = Identity(username="ent-user", display_name="某企业", role=Role.ENTERPRISE, scope_org_id="ent-x")
    with pytest.raises(AuthorizationError):
        queries.survey_population(store, other, "ent-c", 2016)


def test_the_timeliness_ranking_counts_a_firm_where_and_while_it_was_a_reporting_unit(store):
    """ent-m moves from Binjiang to Xiasha in 2016Q3; ent-b closes in 2016Q2. Over 2016Q1–Q4
    Binjiang owes ent-m's Q1 and Q2, Xiasha its Q3 and Q4; ent-b owes Q1 and Q2 and nothing after."""
    year_2016(store)
    move(store, "ent-m", BINJIANG, XIASHA, MOVE_DAY)
    event(store, "ent-b", OrgEvent.CLOSED, dt.date(2016, 5, 10))
    found = reporting.timeliness_quarters(store, "hangzhou", Period(2016, 1), Period(2016, 4))
    owed = {key: sorted(int(q) for q in g.quarter) for key, g in found.groupby(["org_id", "park_id"])}
    assert owed == {("ent-m", BINJIANG): [1, 2], ("ent-m", XIASHA): [3, 4],
                    ("ent-a", BINJIANG): [1, 2, 3, 4], ("ent-b", XIASHA): [1, 2]}
    # Ranked once per firm, on every quarter it owed; each park on the quarters the firm was there.
    ranking = queries.reporting_timeliness(store, LEADER, "hangzhou", Period(2016, 4), 20, today=dt.date(2017, 6, 30))
    assert sorted((f.key, f.record.due) for f in ranking.firms) == [("ent-a", 4), ("ent-b", 2), ("ent-m", 4)]
    assert {p.key: (p.record.due, p.firms) for p in ranking.parks} == {BINJIANG: (6, 2), XIASHA: (4, 2)}
