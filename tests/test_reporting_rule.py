"""The reporting rule (domain/reporting.py): on time up to and including the deadline day, late
after it, not reported without a report; the rate of a group is reported ÷ firms; the deadline's
days within 0–120, held by the write path too. The timeliness ranking over a span of quarters: each
firm's record (due, on time, late, not reported, returned, corrected), the bureau's order, a park's
及时率 over its firm-quarters; the store's read of it against submissions written at chosen dates;
the 填报率 page showing it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from domain.access import SYSTEM, AuthorizationError, Identity, Role
from domain.models import Organisation, OrgKind
from domain.periods import Period
from domain.reporting import (
    DEFAULT_DEADLINE_DAYS,
    MAX_DEADLINE_DAYS,
    MIN_DEADLINE_DAYS,
    DeadlineError,
    QuarterReport,
    Ranked,
    Record,
    ReportStanding,
    Tally,
    check_deadline_days,
    rank,
    ranking_span,
    record,
    standing,
    tally,
    timeliness,
)
from service import commands, queries
from store import access, orgs, submissions
from tests import rawsql
from tests.apptest_helpers import signed_in

DEADLINE = Period(2015, 3).deadline(20)  # 30 September + 20 days


@pytest.mark.parametrize(("first_report", "expected"), [
    (None, ReportStanding.NOT_REPORTED),
    (dt.date(2015, 10, 5), ReportStanding.ON_TIME),
    (dt.date(2015, 10, 20), ReportStanding.ON_TIME),  # the deadline day itself
    (dt.date(2015, 10, 21), ReportStanding.LATE),
    (dt.date(2016, 1, 2), ReportStanding.LATE),
])
def test_standing(first_report, expected):
    assert DEADLINE == dt.date(2015, 10, 20)
    assert standing(first_report, DEADLINE) == expected


def test_tally_counts_and_rate():
    # five firms: two on time, one late, two missing → reported 3 of 5 = 60 %
    k = tally([True, True, True, False, False], [True, True, False, False, False])
    assert (k.firms, k.reported, k.on_time, k.late, k.missing) == (5, 3, 2, 1, 2)
    assert k.rate == 3 / 5


def test_no_firms_has_no_rate():
    assert tally([], []) == Tally(firms=0, reported=0, on_time=0)
    assert tally([], []).rate is None


# ------------------------------------------------------------------------------- the deadline


@pytest.mark.parametrize(("days", "allowed"), [(-1, False), (0, True), (20, True), (120, True), (121, False)])
def test_the_deadline_lies_within_its_range(days, allowed):
    assert (MIN_DEADLINE_DAYS, DEFAULT_DEADLINE_DAYS, MAX_DEADLINE_DAYS) == (0, 20, 120)
    if allowed:
        assert check_deadline_days(days) == days
    else:
        with pytest.raises(DeadlineError) as refused:
            check_deadline_days(days)
        assert refused.value.reason.code == "reporting.deadline_out_of_range"
        assert refused.value.message("zh") == f"报送期限须为季度结束后 0–120 天，不能是 {days} 天"


def test_the_write_refuses_a_deadline_out_of_range_and_writes_nothing(store):
    """The widget offers 0–120 only; the write path holds the same range for any other caller."""
    with pytest.raises(DeadlineError):
        commands.set_report_deadline(store, SYSTEM, MAX_DEADLINE_DAYS + 1)
    assert queries.report_deadline_days(store) == DEFAULT_DEADLINE_DAYS
    commands.set_report_deadline(store, SYSTEM, MAX_DEADLINE_DAYS)
    assert queries.report_deadline_days(store) == MAX_DEADLINE_DAYS


# ------------------------------------------------------------------ the timeliness ranking: the rule

Q1, Q2, Q3 = Period(2015, 1), Period(2015, 2), Period(2015, 3)  # due 20 Apr, 20 Jul, 20 Oct at 20 days


def test_the_span_is_the_year_up_to_the_quarter():
    assert ranking_span(Q3) == [Q1, Q2, Q3]
    assert ranking_span(Q1) == [Q1]
    assert ranking_span(Period(2016, 4)) == [Period(2016, q) for q in (1, 2, 3, 4)]


D = dt.date


@pytest.mark.parametrize(("case", "quarter", "today", "expected"), [
    # expected: (due, on_time, late, missing, returned, corrected)
    ("on the deadline day", QuarterReport(Q1, D(2015, 4, 20)), D(2016, 1, 1), (1, 1, 0, 0, 0, 0)),
    ("a day late", QuarterReport(Q1, D(2015, 4, 21)), D(2016, 1, 1), (1, 0, 1, 0, 0, 0)),
    ("never reported", QuarterReport(Q1, None), D(2016, 1, 1), (1, 0, 0, 1, 0, 0)),
    ("not reported, deadline today", QuarterReport(Q1, None), D(2015, 4, 20), (0, 0, 0, 0, 0, 0)),
    ("not reported, deadline passed yesterday", QuarterReport(Q1, None), D(2015, 4, 21), (1, 0, 0, 1, 0, 0)),
    ("reported early, deadline ahead", QuarterReport(Q1, D(2015, 4, 2)), D(2015, 4, 3), (1, 1, 0, 0, 0, 0)),
    ("returned, corrected in time", QuarterReport(Q1, D(2015, 4, 18), returned=1, corrected=1), D(2016, 1, 1),
     (1, 1, 0, 0, 1, 1)),
    ("returned, corrected late", QuarterReport(Q1, D(2015, 5, 2), returned=1, corrected=1), D(2016, 1, 1),
     (1, 0, 1, 0, 1, 1)),
    ("returned twice, never corrected", QuarterReport(Q1, None, returned=2), D(2016, 1, 1), (1, 0, 0, 1, 2, 0)),
])
def test_a_quarters_record(case, quarter, today, expected):
    k = record([quarter], 20, today)
    assert (k.due, k.on_time, k.late, k.missing, k.returned, k.corrected) == expected, case


def test_a_record_over_three_quarters_and_its_rates():
    k = record([QuarterReport(Q1, D(2015, 4, 20)), QuarterReport(Q2, D(2015, 7, 21), returned=1, corrected=1),
                QuarterReport(Q3, None, returned=1)], 20, D(2016, 1, 1))
    assert (k.due, k.on_time, k.late, k.missing, k.returned, k.corrected, k.uncorrected) == (3, 1, 1, 1, 2, 1, 1)
    assert (k.timeliness, k.rate) == (1 / 3, 2 / 3)
    assert Record().timeliness is None and Record().rate is None


def R(due: int, on_time: int, late: int = 0, returned: int = 0) -> Record:
    return Record(due=due, on_time=on_time, late=late, returned=returned)


@pytest.mark.parametrize(("case", "units", "expected"), [
    ("及时率 first", [("甲", R(3, 2)), ("乙", R(3, 3))], [(1, "乙"), (2, "甲")]),
    ("late beats never at equal 及时率", [("甲", R(3, 1)), ("乙", R(3, 1, late=2))], [(1, "乙"), (2, "甲")]),
    ("then fewer returns", [("甲", R(3, 3, returned=2)), ("乙", R(3, 3, returned=1))], [(1, "乙"), (2, "甲")]),
    ("及时率 outweighs returns", [("甲", R(4, 4, returned=3)), ("乙", R(4, 3))], [(1, "甲"), (2, "乙")]),
    ("ties share a place, in name order", [("丙", R(3, 1)), ("乙", R(3, 3)), ("甲", R(3, 3))],
     [(1, "乙"), (1, "甲"), (3, "丙")]),
    ("nothing due comes last", [("甲", R(0, 0)), ("乙", R(3, 0))], [(1, "乙"), (2, "甲")]),
    ("the rate is a share, not a count", [("甲", R(2, 2)), ("乙", R(12, 11))], [(1, "甲"), (2, "乙")]),
])
def test_the_bureaus_order(case, units, expected):
    ranked = rank(Ranked(rank=0, key=name, name=name, record=k) for name, k in units)
    assert [(r.rank, r.name) for r in ranked] == expected, case


def test_a_parks_timeliness_is_over_its_firm_quarters():
    """园区甲: firm a on time in Q1–Q3 (3 of 3), firm b only owed Q3 and missed it (0 of 1): 3 of 4 = 75 %,
    not the mean of 100 % and 0 %. 园区乙: one firm, 2 of 3 on time = 66.7 % — below 甲."""
    found = timeliness([
        ("a", "甲一", "p1", "园区甲", [QuarterReport(q, q.deadline(20)) for q in (Q1, Q2, Q3)]),
        ("b", "甲二", "p1", "园区甲", [QuarterReport(Q3, None)]),
        ("c", "乙一", "p2", "园区乙", [QuarterReport(Q1, D(2015, 4, 1)), QuarterReport(Q2, D(2015, 7, 30)),
                                     QuarterReport(Q3, D(2015, 10, 1))]),
    ], [Q1, Q2, Q3], 20, D(2016, 1, 1))
    parks = {r.key: r for r in found.parks}
    assert (parks["p1"].record.on_time, parks["p1"].record.due, parks["p1"].firms) == (3, 4, 2)
    assert parks["p1"].record.timeliness == 3 / 4
    assert [(r.rank, r.name) for r in found.parks] == [(1, "园区甲"), (2, "园区乙")]
    assert [(r.rank, r.name) for r in found.firms] == [(1, "甲一"), (2, "乙一"), (3, "甲二")]
    assert (found.total.due, found.total.on_time, found.total.late, found.total.missing) == (7, 5, 1, 1)


# -------------------------------------------------------------- the timeliness ranking: the store

BINJIANG, XINXIGANG = "hz-binjiang", "hz-xinxigang"
FIRMS = {"ent-t-a": ("杭州甲软件有限公司", BINJIANG), "ent-t-b": ("杭州乙软件有限公司", BINJIANG),
         "ent-t-c": ("杭州丙软件有限公司", BINJIANG), "ent-t-d": ("杭州丁软件有限公司", XINXIGANG)}


def _submit(con, figures: list[tuple[str, Period]], at: dt.datetime, status: str = "pending") -> int:
    rows = pd.DataFrame([(org, "software_revenue", p.year, p.quarter, 100.0, 100.0, "万元", None) for org, p in figures],
                        columns=submissions.REQUIRED_COLUMNS)
    return submissions.write_submission(con, rows, actor="tester", origin="form", status=status, at=at)


def _return(con, submission_id: int) -> None:
    assert submissions.review_submission(con, submission_id, reviewer="reviewer", decision="returned", comment="请更正")


@pytest.fixture
def timely_store(store):
    """Four firms, three in 滨江 and one in 信息港, reporting 2015Q1–Q3 (deadlines 20 Apr, 20 Jul, 20 Oct):

    a: Q1 on 20 Apr (the deadline day), Q2 on 21 Jul (late), Q3 on 1 Oct, again on 10 Oct.
    b: Q1 on 5 Apr, returned; corrected on 25 Apr (late). Q2 on 5 Jul, returned, never corrected.
       Q3 on 10 Oct, in one submission with a's second Q3 figure.
    c: no Q1. Q2's figure sent on 3 Oct (meant for Q3), returned; answered on 8 Oct by a Q3 figure
       whose submission names it (`answers`): Q2 corrected, not reported; Q3 on time.
    d: Q1 on 2 Apr, returned; again on 3 Apr, returned; nothing since.
    """
    orgs.upsert_orgs(store, [Organisation(org_id=o, name_zh=n, kind=OrgKind.ENTERPRISE, parent=p)
                             for o, (n, p) in FIRMS.items()], "test")
    at = dt.datetime
    _submit(store, [("ent-t-a", Q1)], at(2015, 4, 20, 23, 59, 59), "accepted")
    _submit(store, [("ent-t-a", Q2)], at(2015, 7, 21, 0, 0, 0))
    _submit(store, [("ent-t-a", Q3)], at(2015, 10, 1, 9, 0))
    _return(store, _submit(store, [("ent-t-b", Q1)], at(2015, 4, 5, 9, 0)))
    _submit(store, [("ent-t-b", Q1)], at(2015, 4, 25, 9, 0))
    _return(store, _submit(store, [("ent-t-b", Q2)], at(2015, 7, 5, 9, 0)))
    _submit(store, [("ent-t-a", Q3), ("ent-t-b", Q3)], at(2015, 10, 10, 9, 0), "accepted")
    wrong = _submit(store, [("ent-t-c", Q2)], at(2015, 10, 3, 9, 0))
    _return(store, wrong)
    answer = _submit(store, [("ent-t-c", Q3)], at(2015, 10, 8, 9, 0))
    store.execute("UPDATE submissions SET answers = ? WHERE submission_id = ?", [wrong, answer])  # H3's write sets it
    _return(store, _submit(store, [("ent-t-d", Q1)], at(2015, 4, 2, 9, 0)))
    _return(store, _submit(store, [("ent-t-d", Q1)], at(2015, 4, 3, 9, 0)))
    assert rawsql.scalar(store, "SELECT count(*) FROM submissions") == 11
    return store


LEADER = Identity(username="leader", display_name="领导", role=Role.LEADER)


def test_the_store_reads_each_firms_quarters(timely_store):
    found = access.reporting_timeliness(timely_store, LEADER, "hangzhou", Q1, Q3)
    assert len(found) == 4 * 3  # every firm, every quarter, reported or not
    got = {(r.org_id, r.quarter): (None if pd.isna(r.first_at) else r.first_at.to_pydatetime(), r.returned, r.corrected)
           for r in found.itertuples()}
    at = dt.datetime
    assert got == {
        ("ent-t-a", 1): (at(2015, 4, 20, 23, 59, 59), 0, 0),
        ("ent-t-a", 2): (at(2015, 7, 21), 0, 0),
        ("ent-t-a", 3): (at(2015, 10, 1, 9), 0, 0),  # the first of its two Q3 figures
        ("ent-t-b", 1): (at(2015, 4, 25, 9), 1, 1),  # the returned one of 5 Apr does not count
        ("ent-t-b", 2): (None, 1, 0),
        ("ent-t-b", 3): (at(2015, 10, 10, 9), 0, 0),
        ("ent-t-c", 1): (None, 0, 0),
        ("ent-t-c", 2): (None, 1, 1),  # corrected through `answers`, by a figure of Q3
        ("ent-t-c", 3): (at(2015, 10, 8, 9), 0, 0),
        ("ent-t-d", 1): (None, 2, 0),  # a returned one after a returned one corrects nothing
        ("ent-t-d", 2): (None, 0, 0),
        ("ent-t-d", 3): (None, 0, 0),
    }
    assert list(found.park_name.drop_duplicates()) == ["信息港", "高新技术产业开发区(滨江)"]


def test_the_ranking_from_the_store(timely_store):
    """By hand: a 2 on time of 3 (Q2 late); b 1 of 3 (Q1 late, Q2 missing), 2 returns, 1 corrected;
    c 1 of 3, reported 1 of 3, 1 return corrected; d 0 of 3, 2 returns. 滨江 4 of 9, 信息港 0 of 3."""
    found = queries.reporting_timeliness(timely_store, LEADER, "hangzhou", Q3, 20, today=D(2016, 1, 1))
    firms = {r.key: r for r in found.firms}
    assert [(r.rank, r.key) for r in found.firms] == [(1, "ent-t-a"), (2, "ent-t-b"), (3, "ent-t-c"), (4, "ent-t-d")]
    k = [(firms[f].record.due, firms[f].record.on_time, firms[f].record.late, firms[f].record.missing,
          firms[f].record.returned, firms[f].record.corrected) for f in sorted(firms)]
    assert k == [(3, 2, 1, 0, 0, 0), (3, 1, 1, 1, 2, 1), (3, 1, 0, 2, 1, 1), (3, 0, 0, 3, 2, 0)]
    parks = [(r.rank, r.key, r.firms, r.record.on_time, r.record.due, r.record.returned, r.record.corrected)
             for r in found.parks]
    assert parks == [(1, BINJIANG, 3, 4, 9, 3, 2), (2, XINXIGANG, 1, 0, 3, 2, 0)]
    assert found.parks[0].record.timeliness == 4 / 9
    # On 15 Oct Q3's deadline is still ahead: d and the others owe only Q1 and Q2 unless they sent Q3.
    early = queries.reporting_timeliness(timely_store, LEADER, "hangzhou", Q3, 20, today=D(2015, 10, 15))
    assert {r.key: r.record.due for r in early.firms} == {"ent-t-a": 3, "ent-t-b": 3, "ent-t-c": 3, "ent-t-d": 2}


def test_the_ranking_is_scoped(timely_store):
    own = Identity(username="pm-binjiang", display_name="滨江", role=Role.PARK_MANAGER, scope_org_id=BINJIANG)
    other = Identity(username="pm-xinxigang", display_name="信息港", role=Role.PARK_MANAGER, scope_org_id=XINXIGANG)
    reviewer = Identity(username="reviewer", display_name="审核员", role=Role.REVIEWER)
    assert set(access.reporting_timeliness(timely_store, own, BINJIANG, Q1, Q3).org_id) == {"ent-t-a", "ent-t-b", "ent-t-c"}
    for who, under in [(own, "hangzhou"), (other, BINJIANG)]:  # the city, another park: refused, audited
        with pytest.raises(AuthorizationError):
            access.reporting_timeliness(timely_store, who, under, Q1, Q3)
    assert rawsql.scalar(timely_store, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'") == 2
    assert len(access.reporting_timeliness(timely_store, reviewer, "hangzhou", Q1, Q3)) == 12
    enterprise = Identity(username="firm", display_name="甲", role=Role.ENTERPRISE, scope_org_id="ent-t-a")
    with pytest.raises(AuthorizationError):
        access.reporting_timeliness(timely_store, enterprise, "ent-t-a", Q1, Q3)


# ------------------------------------------------------------------ the timeliness ranking: the page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reporting_page_ranks_parks_and_firms(app_db, lang):
    """On 填报率: the parks ranked, each with its firms' on-time reports of the quarters due ("33 / 36")
    as the store's first reports say, counted here by hand in pandas; then every firm ranked."""
    from ui import queries as app_queries

    at = signed_in("reviewer")
    at.session_state["lang"] = lang  # the sign-in form is read in Chinese; the page in either language
    at.switch_page("pages/reporting.py").run()
    assert not at.exception, [e.value for e in at.exception]
    heading = "报送及时性排名" if lang == "zh" else "Reporting timeliness ranking"
    assert heading in [s.value for s in at.subheader]
    w = {"rank": "名次", "park": "园区", "firm": "企业名称", "of": "按时 / 应报", "rate": "及时率", "firms": "企业家数"} \
        if lang == "zh" else {"rank": "Rank", "park": "Park", "firm": "Enterprise", "of": "On time / due",
                              "rate": "Timeliness", "firms": "Number of firms"}
    (parks,) = [d.value for d in at.dataframe if w["park"] in d.value.columns and w["rank"] in d.value.columns]
    (firms,) = [d.value for d in at.dataframe if w["firm"] in d.value.columns and w["rank"] in d.value.columns]
    root = app_queries.catalog().plans[at.session_state["plan_id"]].scope
    as_of: Period = at.session_state["as_of_period"]
    days = queries.report_deadline_days(app_queries.cursor())
    assert any(f"{days}" in c.value and ("第1至" in c.value or "Q1–" in c.value) for c in at.caption)
    firsts = rawsql.frame(app_queries.cursor(), """
        WITH ents AS (SELECT e.org_id, CASE WHEN ? = 'en' AND coalesce(p.name_en, '') <> '' THEN p.name_en
                                            ELSE p.name_zh END AS park FROM orgs e
                      JOIN org_closure c ON c.descendant_id = e.org_id AND c.ancestor_id = ?
                      JOIN orgs p ON p.org_id = e.parent_id WHERE e.kind = 'enterprise')
        SELECT e.park, e.org_id, o.quarter, min(o.entered_at) AS first_at
        FROM ents e LEFT JOIN (SELECT o.* FROM observations o JOIN submissions s USING (submission_id)
                               WHERE s.status <> 'returned' AND o.year = ? AND o.quarter <= ?) o
                           ON o.org_id = e.org_id
        GROUP BY ALL""", [lang, root, as_of.year, as_of.quarter])  # a park by its name in the page's language
    deadline = {q: pd.Timestamp(Period(as_of.year, q).deadline(days)) + pd.Timedelta(days=1) for q in range(1, 5)}
    on_time = firsts[[q == q and at_ < deadline[int(q)] for q, at_ in zip(firsts.quarter, firsts.first_at,
                                                                         strict=True)]].groupby("park").size()
    n_firms = firsts.groupby("park").org_id.nunique()
    expected = {park: f"{on_time.get(park, 0)} / {n * as_of.quarter}" for park, n in n_firms.items()}  # all due by now
    assert dict(zip(parks[w["park"]], parks[w["of"]], strict=True)) == expected
    assert dict(zip(parks[w["park"]], parks[w["firms"]], strict=True)) == n_firms.to_dict()
    assert list(parks[w["rate"]]) == sorted(parks[w["rate"]], reverse=True)  # ranked by 及时率
    assert list(parks[w["rank"]])[0] == 1 and list(parks[w["rank"]]) == sorted(parks[w["rank"]])
    assert len(firms) == n_firms.sum() and list(firms[w["rank"]]) == sorted(firms[w["rank"]])
    assert firms[w["rate"]].iloc[0] >= firms[w["rate"]].iloc[-1]
    # The survey's units that year: with no register event in the demo, every firm under the scope.
    n = int(n_firms.sum())
    said = (f"{as_of.year}年内 {n} 家，年末 {n} 家" if lang == "zh" else f"{n} during {as_of.year}, {n} at its end")
    assert any(said in c.value for c in at.caption), [c.value for c in at.caption]
