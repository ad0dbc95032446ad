"""The reviewer's side of the reporting cycle (issue 17): the flags a check raised kept with the
submission and worded in the reader's language, every figure old → new with Δ and 同比, bulk
acceptance of the submissions that raised none, a comment required to return one, and the review
page's states (AppTest). Real DuckDB stores in tmp_path; the arithmetic is written here."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain import message_json
from domain.access import SYSTEM, Identity, Role
from domain.credit_code import make_credit_code
from domain.messages import Message, render
from domain.models import Organisation, OrgKind
from domain.periods import Period
from domain.review import BulkOutcome, CommentRequired
from service import commands, queries
from store import access, ingest, orgs, readers, submissions
from tests import rawsql
from tests.apptest_helpers import signed_in
from ui import tables

REVIEWER = Identity(username="reviewer", display_name="审核员", role=Role.REVIEWER)
LEADER = Identity(username="leader", display_name="领导", role=Role.LEADER)
FIRM, FIRM_ZH = "ent-rev-a", "杭州审核测试软件有限公司"
Q = Period(2016, 3)


# ------------------------------------------------------------------- message parameters as JSON


LEVEL = Message.of("validation.level.enterprise")
ROUND_TRIPS = [
    pytest.param(Message.of("validation.yoy", change=1.4), id="float"),
    pytest.param(Message.of("validation.yoy", change=-0.625), id="negative-float"),
    pytest.param(Message.of("validation.duplicate", first=3), id="int"),
    pytest.param(Message.of("validation.bound.warning_above", name="平均用工人数", value=400_000.0, unit="人",
                            limit=300_000.0, level=LEVEL), id="nested-message"),
    pytest.param(Message.of("x.outer", inner=Message.of("x.middle", deeper=Message.of("x.leaf", n=1))), id="deeply-nested"),
    pytest.param(Message.of("x.period", period=Period(2016, 3), before=Period(2015, 4)), id="periods"),
    pytest.param(Message.of("x.dates", day=dt.date(2016, 10, 20), at=dt.datetime(2016, 10, 20, 9, 30, 5)), id="dates"),
    pytest.param(Message.of("x.odd", text='引号"\\与 {括号}', flag=True, none=None, pair=(1, "a")), id="text-bool-none-tuple"),
    pytest.param(Message.of("x.big", value=1e300, tiny=5e-324, whole=2**62), id="extreme-numbers"),
    pytest.param(Message.of("x.infinite", up=math.inf, down=-math.inf), id="infinities"),
]


@pytest.mark.parametrize("message", ROUND_TRIPS)
def test_every_parameter_type_round_trips_through_strict_json(message):
    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant}")

    for text, back in ((message_json.dumps(message), message_json.loads),
                       (message_json.dumps_params(message), lambda s: message_json.loads_message(message.code, s))):
        json.loads(text, parse_constant=refuse)  # no NaN, no Infinity
        restored = back(text)
        assert restored == message
        assert [type(v) for _, v in restored.params] == [type(v) for _, v in message.params]


def test_nan_is_stored_and_comes_back_as_nan():
    restored = message_json.loads(message_json.dumps(Message.of("x.nan", v=math.nan)))
    assert math.isnan(restored.kwargs["v"])


def test_a_stored_message_renders_as_the_original_in_both_languages():
    m = Message.of("validation.bound.warning_above", name="平均用工人数", value=400_000.0, unit="人",
                   limit=300_000.0, level=LEVEL)
    restored = message_json.loads_message(m.code, message_json.dumps_params(m))
    for lang in ("zh", "en"):
        assert render(restored, lang) == render(m, lang)


@pytest.mark.parametrize("value", [object(), frozenset({1}), b"bytes", complex(1, 2)],
                         ids=["object", "frozenset", "bytes", "complex"])
def test_a_parameter_json_cannot_hold_faithfully_is_refused_when_written(value):
    with pytest.raises(TypeError, match="cannot be stored"):
        message_json.dumps(Message.of("x.bad", v=value))


# ---------------------------------------------------------------- a store with one firm's figures


def tidy(rows: list[list[str]], yoy: list[str] | None = None) -> pd.DataFrame:
    """Tidy records as the form hands them to validation (sheet rows from 2), with a published 同比
    column when given."""
    frame = pd.DataFrame([[*r, n, "value", "org", False] for n, r in enumerate(rows, start=2)],
                         columns=[*readers.TIDY_COLUMNS, readers.ROW, readers.COLUMN, readers.ORG_COLUMN,
                                  readers.UNIT_GLOBAL])
    if yoy is not None:
        frame["yoy"] = yoy
    return frame


def write(con, rows: list[tuple], status: str = "accepted", actor: str = "seed") -> int:
    return submissions.write_submission(con, pd.DataFrame(rows, columns=submissions.REQUIRED_COLUMNS),
                                        actor=actor, origin="import", status=status)


@pytest.fixture
def firm_store(store):
    """A firm of 滨江 with 2015Q3 and 2016Q3 software revenue (90, 100 万元) and 2015Q3 staff (100,000 人)."""
    orgs.upsert_orgs(store, [Organisation(org_id=FIRM, name_zh=FIRM_ZH, kind=OrgKind.ENTERPRISE, parent="hz-binjiang",
                                          credit_code=make_credit_code("91330108MA2RRW0A1"))], "test")
    write(store, [(FIRM, "software_revenue", 2015, 3, 90.0, 90.0, "万元", None),
                  (FIRM, "software_revenue", 2016, 3, 100.0, 100.0, "万元", None),
                  (FIRM, "employees", 2015, 3, 100_000.0, 100_000.0, "人", None)])
    return store


def submit(con, catalog, rows: list[list[str]], explanation: str | None = None, yoy: list[str] | None = None) -> int:
    checked = ingest.validate_tidy(con, catalog, "季报.csv", tidy(rows, yoy))
    assert not checked.errors, checked.errors
    return ingest.submit(con, checked, who=SYSTEM, origin="upload", status="pending", explanation=explanation)


def revenue(value: str) -> list[str]:
    return [FIRM, str(Q), "software_revenue", value, "万元"]


# ------------------------------------------------------------------------ the reviewer's numbers


def test_the_reviewers_table_against_arithmetic(firm_store, catalog):
    sub = submit(firm_store, catalog, [revenue("112.5")], yoy=["24.0"])  # published 同比 +24.0 %
    reading = queries.submission_reading(firm_store, REVIEWER, sub)
    (row,) = reading.figures.itertuples()
    old, new, last_year = 100.0, 112.5, 90.0
    assert (row.old_value, row.new_value, row.last_year_value) == (old, new, last_year)
    assert row.delta == new - old == 12.5
    assert row.delta_pct == pytest.approx((new - old) / old) == pytest.approx(0.125)
    assert row.yoy == pytest.approx(new / last_year - 1) == pytest.approx(0.25)
    assert row.published_yoy == pytest.approx(0.24)
    assert row.flag_reasons == ()

    zh = tables.change_table(reading.figures, "zh").iloc[0].to_dict()
    assert zh == {"填报单位": FIRM_ZH, "指标": "软件业务收入", "报告期": "2016年1-9月", "单位": "万元",
                  "原值": "100.0", "新值": "112.5", "增减": "+12.5", "增减幅度": "+12.5%", "上年同期": "90.0",
                  "同比": "+25.0%", "公布同比": "+24.0%", "疑点": "—"}
    en = tables.change_table(reading.figures, "en").iloc[0].to_dict()
    assert (en["Quarter"], en["Old"], en["New"], en["Change"], en["Change %"], en["YoY"]) == (
        "2016Q3", "100.0", "112.5", "+12.5", "+12.5%", "+25.0%")


@pytest.mark.parametrize(("old", "new", "last_year", "cells"), [
    # numbers written alike: the same decimals for all of a row, thousands separators, a dash when missing
    (1_234_567.0, 1_300_000.25, None, ("1,234,567.00", "1,300,000.25", "+65,433.25", "—")),
    (None, 120.0, 50.0, ("—", "120", "—", "50")),
    (260.0, 240.0, 200.0, ("260", "240", "-20", "200")),
    (0.125, 0.5, 0.25, ("0.125", "0.500", "+0.375", "0.250")),
    (3.14159265, 3.0, None, ("3.1416", "3.0000", "-0.1416", "—")),  # at most four decimals
])
def test_old_and_new_are_written_alike(old, new, last_year, cells):
    figures = pd.DataFrame([{
        "org_name": "甲", "org_name_en": "", "indicator_name": "软件业务收入", "indicator_name_en": "Software",
        "unit": "万元", "year": 2016, "quarter": 3, "old_value": math.nan if old is None else old, "new_value": new,
        "last_year_value": math.nan if last_year is None else last_year,
        "delta_pct": math.nan, "yoy": math.nan, "published_yoy": math.nan, "flag_reasons": ()}])
    shown = tables.change_table(figures, "zh").iloc[0]
    assert (shown["原值"], shown["新值"], shown["增减"], shown["上年同期"]) == cells
    assert "None" not in shown.tolist() and "nan" not in " ".join(map(str, shown.tolist()))


def test_the_old_figure_of_an_accepted_submission_is_the_one_it_replaced(firm_store, catalog):
    sub = submit(firm_store, catalog, [revenue("112.5")])
    assert access.review(firm_store, REVIEWER, sub, "accepted", None)
    (row,) = queries.submission_reading(firm_store, REVIEWER, sub).figures.itertuples()
    assert (row.old_value, row.new_value) == (100.0, 112.5)


# ----------------------------------------------------------------------------------------- flags


def test_flags_are_kept_with_the_submission_and_worded_in_either_language(firm_store, catalog):
    # 400,000 staff: beyond a firm's warning bound (300,000) and +300 % on last year's 100,000.
    sub = submit(firm_store, catalog, [revenue("112.5"), [FIRM, str(Q), "employees", "400000", "人"]],
                 explanation="并购后合并报表")
    stored = rawsql.frame(firm_store, """SELECT row_no, org_id, indicator_id, year, quarter, severity, code, params
                                         FROM submission_flags WHERE submission_id = ? ORDER BY code""", [sub])
    assert list(stored.itertuples(index=False, name=None)) == [
        (3, FIRM, "employees", 2016, 3, "warning", "validation.bound.warning_above",
         json.dumps({"level": {"$message": "validation.level.enterprise", "params": {}}, "limit": 300000.0,
                     "name": "平均用工人数", "unit": "人", "value": 400000.0}, ensure_ascii=False, sort_keys=True)),
        (3, FIRM, "employees", 2016, 3, "warning", "validation.yoy", json.dumps({"change": 400_000 / 100_000 - 1})),
    ]
    reading = queries.submission_reading(firm_store, REVIEWER, sub)
    assert reading.submission["flag_count"] == 2 and reading.submission["explanation"] == "并购后合并报表"
    by_indicator = dict(zip(reading.figures.indicator_id, reading.figures.flag_reasons, strict=True))
    assert by_indicator["software_revenue"] == ()
    assert {m.code for m in by_indicator["employees"]} == {"validation.yoy", "validation.bound.warning_above"}

    zh = tables.change_table(reading.figures, "zh").set_index("指标")["疑点"]
    assert zh["软件业务收入"] == "—"
    assert "平均用工人数 400,000 人 超过 300,000 人，对一家企业而言不合常理" in zh["平均用工人数"]
    assert "同比变化 +300% 超过 ±50%" in zh["平均用工人数"] and "；" in zh["平均用工人数"]
    en = tables.change_table(reading.figures, "en").set_index("Indicator")["Flags"]
    assert "year-on-year change +300% exceeds ±50 %" in en["Average employees"]
    assert "平均用工人数 400,000 人" in en["Average employees"]  # quoted as the file gave it (name and unit)
    flags = tables.flags_table(reading, "en")
    assert list(flags["Row"]) == ["3", "3"] and set(flags["Indicator"]) == {"Average employees"}
    assert list(flags["Quarter"]) == ["2016Q3", "2016Q3"]

    listed = queries.submissions(firm_store, REVIEWER, "pending")
    assert dict(zip(listed.submission_id, listed["flag_count"], strict=True)) == {sub: 2}


def test_a_submission_without_warnings_and_the_demo_have_no_flags(firm_store, catalog, demo_store):
    sub = submit(firm_store, catalog, [revenue("112.5")])
    assert rawsql.scalar(firm_store, "SELECT count(*) FROM submission_flags WHERE submission_id = ?", [sub]) == 0
    assert rawsql.scalar(demo_store, "SELECT count(*) FROM submission_flags") == 0


def test_a_flag_on_the_published_yoy_cell_is_on_its_figure(firm_store, catalog):
    # Published +60 % beside levels giving +25 %: the gap (35 points) is flagged on the 同比 cell.
    sub = submit(firm_store, catalog, [revenue("112.5")], explanation="同口径", yoy=["60"])
    (flag,) = queries.submission_reading(firm_store, REVIEWER, sub).flags
    assert (flag.row, flag.org_id, flag.indicator_id, flag.period) == (2, FIRM, "software_revenue", Q)
    assert flag.reason.code == "validation.yoy_off_levels"


# --------------------------------------------------------------------------- decisions on many


def test_bulk_review_accepts_only_flag_free_pending_submissions_each_audited(firm_store, catalog):
    con = firm_store
    clean_a = submit(con, catalog, [revenue("112.5")])
    flagged = submit(con, catalog, [[FIRM, str(Q), "employees", "400000", "人"]], explanation="并购")
    clean_b = submit(con, catalog, [[FIRM, "2016Q2", "software_revenue", "70", "万元"]])
    decided = submit(con, catalog, [[FIRM, "2016Q1", "software_revenue", "30", "万元"]])
    assert access.review(con, REVIEWER, decided, "returned", "请补充说明")
    since = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log")

    outcomes = commands.review_many(con, REVIEWER, [clean_a, flagged, decided, clean_b, 9999], "季度批量审核")
    assert outcomes == {clean_a: BulkOutcome.ACCEPTED, flagged: BulkOutcome.FLAGGED, decided: BulkOutcome.NOT_PENDING,
                        clean_b: BulkOutcome.ACCEPTED, 9999: BulkOutcome.NOT_PENDING}
    status = dict(rawsql.frame(con, "SELECT submission_id, status FROM submissions").itertuples(index=False, name=None))
    assert (status[clean_a], status[clean_b], status[flagged], status[decided]) == (
        "accepted", "accepted", "pending", "returned")
    log = rawsql.frame(con, """SELECT actor, action, object, detail->>'comment' AS comment, detail->>'bulk' AS bulk
                               FROM audit_log WHERE audit_id > ? ORDER BY audit_id""", [since])
    assert list(log.itertuples(index=False, name=None)) == [
        ("reviewer", "review.accepted", f"submission:{clean_a}", "季度批量审核", "true"),
        ("reviewer", "review.accepted", f"submission:{clean_b}", "季度批量审核", "true"),
    ]
    # Accepted in bulk counts like any acceptance: the figure in force is the new one.
    assert rawsql.scalar(con, """SELECT value FROM current_observations WHERE org_id = ? AND indicator_id =
                                 'software_revenue' AND year = 2016 AND quarter = 3""", [FIRM]) == 112.5


def test_only_reviewers_decide_in_bulk(firm_store, catalog):
    sub = submit(firm_store, catalog, [revenue("112.5")])
    with pytest.raises(access.AuthorizationError):
        commands.review_many(firm_store, LEADER, [sub])
    assert rawsql.scalar(firm_store, "SELECT status FROM submissions WHERE submission_id = ?", [sub]) == "pending"
    assert rawsql.scalar(firm_store, "SELECT count(*) FROM audit_log WHERE action = 'access.denied' AND actor = 'leader'") == 1


# ------------------------------------------------------------------------ a comment to return


@pytest.mark.parametrize("comment", [None, "", "   \n"], ids=["none", "empty", "blank"])
def test_returning_without_a_comment_is_refused(firm_store, catalog, comment):
    sub = submit(firm_store, catalog, [revenue("112.5")])
    since = rawsql.scalar(firm_store, "SELECT max(audit_id) FROM audit_log")
    with pytest.raises(CommentRequired) as refused:
        commands.review(firm_store, REVIEWER, sub, "returned", comment)
    assert refused.value.reason.code == "review.comment_required"
    assert "必须填写审核意见" in refused.value.message("zh") and "comment" in refused.value.message("en")
    assert rawsql.scalar(firm_store, "SELECT status FROM submissions WHERE submission_id = ?", [sub]) == "pending"
    assert rawsql.scalar(firm_store, "SELECT count(*) FROM audit_log WHERE audit_id > ?", [since]) == 0


def test_accepting_needs_no_comment_and_a_return_keeps_its_comment_stripped(firm_store, catalog):
    a = submit(firm_store, catalog, [revenue("112.5")])
    b = submit(firm_store, catalog, [[FIRM, "2016Q2", "software_revenue", "70", "万元"]])
    assert commands.review(firm_store, REVIEWER, a, "accepted", None)
    assert commands.review(firm_store, REVIEWER, b, "returned", "  二季度数据与报表不符  ")
    got = firm_store.execute("SELECT review_comment FROM submissions WHERE submission_id IN (?, ?) "
                             "ORDER BY submission_id", [a, b]).fetchall()
    assert got == [(None,), ("二季度数据与报表不符",)]


def test_the_list_filters_by_organisation_under_it_and_says_what_each_answers(firm_store, catalog):
    sub = submit(firm_store, catalog, [revenue("112.5")])
    firm_store.execute("UPDATE submissions SET answers = 1 WHERE submission_id = ?", [sub])
    for org in (FIRM, "hz-binjiang", "hangzhou"):
        listed = queries.submissions(firm_store, REVIEWER, None, 200, org)
        assert sub in set(listed.submission_id), org
    assert queries.submissions(firm_store, REVIEWER, None, 200, "qd-softcity").empty
    shown = tables.submissions_table(queries.submissions(firm_store, REVIEWER, "pending"), "zh")
    assert list(shown["疑点数"]) == [0] and list(shown["更正的提交"]) == ["#1"]


# ------------------------------------------------------------------------- the page (AppTest)


def app_cursor():
    from ui import queries as app_queries

    return app_queries.cursor()


def pending_submission(value: float, *, flagged: bool = False, explanation: str | None = None,
                       quarter: int = 4) -> int:
    """A pending submission of 青岛软件城's floor area in the app's store; `flagged` keeps a flag with
    it, as a check's warning would."""
    rows = pd.DataFrame([("qd-softcity", "floor_area_built", 2016, quarter, value, value, "m²", None)],
                        columns=submissions.REQUIRED_COLUMNS)
    flags = pd.DataFrame([(2, "qd-softcity", "floor_area_built", 2016, quarter, "warning", "validation.yoy",
                           message_json.dumps_params(Message.of("validation.yoy", change=0.8)))],
                         columns=submissions.FLAG_COLUMNS) if flagged else None
    return submissions.write_submission(app_cursor(), rows, actor="park-softcity", origin="form", status="pending",
                                        explanation=explanation, flags=flags)


def status_of(sub: int) -> str:
    return rawsql.scalar(app_cursor(), "SELECT status FROM submissions WHERE submission_id = ?", [sub])


def review_page() -> AppTest:
    at = signed_in("reviewer")
    assert [h.value for h in at.header][0] == "审核"
    assert not at.exception, [e.value for e in at.exception]
    return at


def choose(at: AppTest, sub: int) -> AppTest:
    (box,) = [s for s in at.selectbox if s.label == "选择提交"]
    box.set_value(sub).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def comment_box(at: AppTest):
    (box,) = [w for w in at.text_input if w.label == "审核意见"]
    return box


def texts(elements) -> str:
    return " ".join(e.value for e in elements)


def test_page_with_nothing_pending(app_db):
    at = review_page()
    assert "没有待审核的提交" in texts(at.info)
    assert not [b for b in at.button if b.key == "review-bulk-accept"] and not at.multiselect
    assert not [w for w in at.text_input if w.label == "审核意见"]


def test_page_shows_the_chosen_submissions_figures_explanation_and_flags(app_db):
    pending_submission(2_850_000.0, flagged=True, explanation="竣工验收面积调整")
    at = review_page()
    pending = [d.value for d in at.dataframe if "疑点数" in d.value.columns][0]
    assert list(pending["疑点数"]) == [1] and list(pending["更正的提交"]) == ["—"]
    (changes,) = [d.value for d in at.dataframe if "增减" in d.value.columns]
    old = rawsql.scalar(app_cursor(), """SELECT value FROM current_observations WHERE org_id = 'qd-softcity'
                                         AND indicator_id = 'floor_area_built' AND year = 2016 AND quarter = 4""")
    row = changes.iloc[0]
    assert (row["原值"], row["新值"]) == (f"{old:,.0f}", "2,850,000")
    assert row["增减"] == f"{2_850_000 - old:+,.0f}" and row["疑点"] == "同比变化 +80% 超过 ±50%，提交前请说明原因"
    assert "竣工验收面积调整" in texts(at.markdown)
    assert "检查提出 1 处疑点" in texts(at.warning)
    assert "退回时必须填写审核意见" in texts(at.caption)
    # The revision history opens on the figure in view, not on some other organisation.
    (figure,) = [s for s in at.selectbox if s.label == "本次提交中的数据"]
    assert figure.value == 0 and "青岛软件城" in figure.format_func(0)
    history = [d.value for d in at.dataframe if "修订号" in d.value.columns]
    assert history and history[-1].iloc[-1]["新值"] == "2,850,000.00"  # formatted as the old value


def test_the_confirmation_stays_and_the_next_submission_gets_an_empty_comment_box(app_db):
    first = pending_submission(2_850_000.0, quarter=4)
    second = pending_submission(2_000_000.0, quarter=3)
    at = choose(review_page(), first)
    comment_box(at).input("核实无误").run()
    at.button(key="accepted").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert status_of(first) == "accepted"
    assert f"第 {first} 号提交已处理：已通过" in texts(at.success)
    assert box_value(at) == second
    assert comment_box(at).value == ""  # the next submission's box, not the one typed into
    at.run()  # a rerun (any click elsewhere): the confirmation is still there
    assert f"第 {first} 号提交已处理：已通过" in texts(at.success)


def box_value(at: AppTest) -> int:
    (box,) = [s for s in at.selectbox if s.label == "选择提交"]
    return box.value


def test_a_return_without_a_comment_is_refused_on_the_page(app_db):
    sub = pending_submission(2_850_000.0)
    at = review_page()
    at.button(key="returned").click().run()
    assert "退回提交时必须填写审核意见" in texts(at.error)
    assert status_of(sub) == "pending" and not at.success
    comment_box(at).input("面积与竣工备案不符").run()
    at.button(key="returned").click().run()
    assert status_of(sub) == "returned"
    assert f"第 {sub} 号提交已处理：已退回" in texts(at.success)
    # Nothing pending now: the history stays on the figure just decided, not on another organisation.
    assert "没有待审核的提交" in texts(at.info)
    (figure,) = [s for s in at.selectbox if s.label == "本次提交中的数据"]
    assert "青岛软件城" in figure.format_func(figure.value)
    (history,) = [d.value for d in at.dataframe if "修订号" in d.value.columns]
    assert list(history["状态"])[-1] == "已退回" and list(history["审核意见"])[-1] == "面积与竣工备案不符"
    (recent,) = [d.value for d in at.dataframe if "疑点数" in d.value.columns]
    assert "None" not in recent.astype(str).to_numpy().ravel().tolist()


def test_bulk_acceptance_on_the_page_takes_only_the_unflagged(app_db):
    a = pending_submission(2_850_000.0, quarter=4)
    b = pending_submission(2_000_000.0, quarter=3)
    flagged = pending_submission(1_000_000.0, quarter=2, flagged=True, explanation="调整")
    at = review_page()
    (pick,) = at.multiselect
    assert sorted(pick.options) == sorted([f"#{a} · 青岛软件城", f"#{b} · 青岛软件城"])  # the flagged one is not offered
    assert sorted(pick.value) == sorted([a, b])
    (bulk,) = [x for x in at.button if x.key == "review-bulk-accept"]
    assert bulk.label == "批量通过所选 2 份"
    bulk.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert (status_of(a), status_of(b), status_of(flagged)) == ("accepted", "accepted", "pending")
    assert "批量审核完成：通过 2 份" in texts(at.success)
    assert "没有无疑点的待审核提交" in texts(at.caption)
    assert box_value(at) == flagged


def test_a_submission_waiting_from_before_flags_were_kept_is_never_accepted_in_bulk(tmp_path):
    """Migration 10 gives every submission pending in an older store one flag — its flags are
    unknown — so bulk acceptance refuses it and the reviewer reads why; a decided one gets none."""
    from store.db import connect

    old = rawsql.store_before(tmp_path / "old.duckdb", 10)
    for sid, status in ((1, "pending"), (2, "accepted")):
        old.execute("INSERT INTO submissions (submission_id, origin, status, submitted_by, row_count) "
                    "VALUES (?, 'upload', ?, 'park-softcity', 0)", [sid, status])
    old.close()
    con = connect(tmp_path / "old.duckdb")
    try:
        assert rawsql.frame(con, "SELECT submission_id, code FROM submission_flags").values.tolist() == [
            [1, "review.flags_unknown"]]
        assert commands.review_many(con, REVIEWER, [1]) == {1: BulkOutcome.FLAGGED}
        (flag,) = queries.submission_reading(con, REVIEWER, 1).general_flags
        assert render(flag.reason, "zh").startswith("本提交在疑点记录功能上线前提交")
    finally:
        con.close()
