"""The submitter's side of the reporting cycle (issue 17): one submission per intent, 我的报送 and its
scope, corrections that answer a returned submission, the form's quarter and deadline, the upload
in the user's words, and templates of the user's own organisations.

Store-level tests run on real DuckDB files (an empty store with the catalog, or a copy of the demo
store); the pages run under AppTest on a copy of the demo store with the demo users.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.access import AuthorizationError, Identity, Role
from domain.messages import render
from domain.periods import Period, last_complete_quarter
from service import commands
from store import access, ingest, readers, submissions
from tests import rawsql
from tests.apptest_helpers import signed_in
from tests.browser import browser
from tests.conftest import open_copy
from tests.test_cli import cli, submission_count

TESTER = Identity(username="tester", display_name="tester", role=Role.ADMIN)
OTHER_ADMIN = Identity(username="tester-2", display_name="tester 2", role=Role.ADMIN)
REVIEWER = Identity(username="reviewer", display_name="审核员", role=Role.REVIEWER)
BINJIANG = "hz-binjiang"
BINJIANG_MANAGER = Identity(username="pm-binjiang", display_name="滨江", role=Role.PARK_MANAGER, scope_org_id=BINJIANG)
SOFTCITY, INFOVALLEY = "qd-softcity", "qd-infovalley"


def counts(con) -> tuple[int, int]:
    return (rawsql.scalar(con, "SELECT count(*) FROM observations"), rawsql.scalar(con, "SELECT count(*) FROM submissions"))


def tidy(rows: list[list[str]]) -> pd.DataFrame:
    """Tidy records as a file hands them to validation (row numbers from 2, like a sheet)."""
    return pd.DataFrame([[*r, n, "value", "org", False] for n, r in enumerate(rows, start=2)],
                        columns=[*readers.TIDY_COLUMNS, readers.ROW, readers.COLUMN, readers.ORG_COLUMN,
                                 readers.UNIT_GLOBAL])


def land(value: str, period: str = "2015Q4", org: str = BINJIANG) -> list[str]:
    return [org, period, "land_area", value, "m²"]


def checked(con, catalog, rows: list[list[str]], name: str = "a.csv", who: Identity = TESTER) -> ingest.Checked:
    found = ingest.validate_tidy(con, catalog, name, tidy(rows), who=who)
    assert not found.errors, found.errors
    return found


def send(con, catalog, rows, *, who: Identity = TESTER, name: str = "a.csv", origin: str = "upload",
         status: str = "pending", answers: int | None = None) -> int:
    return ingest.submit(con, checked(con, catalog, rows, name, who), who=who, origin=origin, status=status,
                         explanation="说明", answers=answers)


# ------------------------------------------------------------------ one submission per intent


def test_the_same_intent_twice_writes_one_submission_and_names_the_first(store, catalog):
    first = send(store, catalog, [land("5000"), land("6000", "2016Q4")])
    before = counts(store)
    # Another file name, another origin, the rows the other way round: the same figures by the same user.
    with pytest.raises(ingest.AlreadySubmitted) as caught:
        send(store, catalog, [land("6000", "2016Q4"), land("5000")], name="again.xlsx", origin="form")
    assert caught.value.submission_id == first
    assert render(caught.value.reason, "zh") == f"已作为第 {first} 号报送提交，本次没有重复写入。"
    assert render(caught.value.reason, "en") == f"Already submitted as No. {first}; nothing was written again."
    assert counts(store) == before
    assert rawsql.scalar(store, "SELECT count(DISTINCT digest) FROM submissions") == 1


@pytest.mark.parametrize(("second", "who"), [
    pytest.param([land("5001")], TESTER, id="another-value"),
    pytest.param([land("5000", "2016Q4")], TESTER, id="another-period"),
    pytest.param([[BINJIANG, "2015Q4", "floor_area_built", "5000", "m²"]], TESTER, id="another-indicator"),
    pytest.param([land("5000"), land("6000", "2016Q4")], TESTER, id="one-more-figure"),
    pytest.param([land("5000")], OTHER_ADMIN, id="another-submitter"),
])
def test_a_different_intent_is_a_second_submission(store, catalog, second, who):
    first = send(store, catalog, [land("5000")])
    again = send(store, catalog, second, who=who)
    assert again != first
    assert counts(store)[1] == 2


def test_the_same_value_in_another_unit_is_the_same_intent(store, catalog):
    first = send(store, catalog, [[BINJIANG, "2015Q4", "2020", "1.5", "亿元"]])
    with pytest.raises(ingest.AlreadySubmitted) as caught:
        send(store, catalog, [[BINJIANG, "2015Q4", "2020", "15000", "万元"]])
    assert caught.value.submission_id == first


def test_a_published_yoy_or_status_makes_another_intent(store, catalog):
    plain = tidy([land("5000")])
    send(store, catalog, [land("5000")])
    for extra in ({"yoy": "3.5"}, {"status": "P"}, {"published_on": "2016-01-20"}):
        rows = plain.assign(**extra)
        found = ingest.validate_tidy(store, catalog, "a.csv", rows, who=TESTER)
        assert not found.errors, found.errors
        ingest.submit(store, found, who=TESTER, origin="upload", status="pending", explanation="说明")
    assert counts(store)[1] == 4


def test_a_returned_submission_does_not_stand_in_the_way(store, catalog):
    first = send(store, catalog, [land("5000")])
    assert access.review(store, REVIEWER, first, "returned", "请核实")
    again = send(store, catalog, [land("5000")])
    assert again != first


def test_putting_back_a_value_that_was_changed_since_is_a_new_intent(store, catalog):
    first = send(store, catalog, [land("5000")], status="accepted")
    send(store, catalog, [land("5200")], status="accepted")
    third = send(store, catalog, [land("5000")], status="accepted")  # back to 5000: the figure in force changes
    assert third > first
    assert rawsql.scalar(store, "SELECT value FROM current_observations WHERE indicator_id = 'land_area'") == 5000


def test_two_presses_at_once_write_one_submission(store, catalog):
    threads_n, ids, already, errors = 6, [], [], []
    lock, barrier = threading.Lock(), threading.Barrier(6)

    def work() -> None:
        cur = store.cursor()
        try:
            found = checked(cur, catalog, [land("5000"), land("7000", "2016Q4")])
            barrier.wait(timeout=30)
            sub = ingest.submit(cur, found, who=TESTER, origin="form", status="pending", explanation="说明")
            with lock:
                ids.append(sub)
        except ingest.AlreadySubmitted as e:
            with lock:
                already.append(e.submission_id)
        except BaseException as e:  # collected and reported: nothing may escape unseen
            with lock:
                errors.append(repr(e))
            barrier.abort()
        finally:
            cur.close()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(ids) == 1 and already == [ids[0]] * (threads_n - 1)
    assert counts(store) == (2, 1)


def test_import_of_the_same_file_twice_exits_0_and_says_already_submitted(tmp_path, empty_db):
    db = tmp_path / "cli.duckdb"
    shutil.copy(empty_db, db)
    path = tmp_path / "figures.csv"
    path.write_text("org,period,indicator,value,unit\nhz-binjiang,2015Q4,land_area,5000,m²\n", encoding="utf-8")
    first = cli(tmp_path, "import", str(path), db=db)
    assert first.returncode == 0, first.stderr
    sub = submission_count(db)
    second = cli(tmp_path, "import", str(path), db=db)
    assert second.returncode == 0, second.stderr
    assert f"Already submitted as No. {sub}" in second.stdout
    assert f"已作为第 {sub} 号报送提交" in second.stdout
    assert submission_count(db) == sub


# ------------------------------------------------------------------------------ corrections


def test_a_correction_answers_the_returned_submission(store, catalog):
    first = send(store, catalog, [land("5000")], who=BINJIANG_MANAGER)
    assert access.review(store, REVIEWER, first, "returned", "面积单位有误")
    fix = send(store, catalog, [land("5000")], who=BINJIANG_MANAGER, answers=first)  # the same figure, now answering
    assert rawsql.scalar(store, "SELECT answers FROM submissions WHERE submission_id = ?", [fix]) == first
    mine = access.my_submissions(store, BINJIANG_MANAGER).set_index("submission_id")
    assert list(mine.index) == [fix, first]  # newest first
    assert mine.loc[first, "status"] == "returned" and mine.loc[first, "review_comment"] == "面积单位有误"
    assert mine.loc[first, "answered_by"] == fix and pd.isna(mine.loc[fix, "answered_by"])
    assert mine.loc[fix, "answers"] == first
    with pytest.raises(ingest.AlreadySubmitted):  # a second correction of the same: the same intent
        send(store, catalog, [land("5000")], who=BINJIANG_MANAGER, answers=first)


def test_only_a_returned_submission_can_be_answered(store, catalog):
    pending = send(store, catalog, [land("5000")], who=BINJIANG_MANAGER)
    with pytest.raises(ingest.SubmissionRejected) as caught:
        send(store, catalog, [land("5100")], who=BINJIANG_MANAGER, answers=pending)
    assert [p.reason.code for p in caught.value.problems] == ["submitter.not_returned"]
    assert counts(store)[1] == 1


def test_another_parks_submission_cannot_be_answered(store, catalog):
    theirs = send(store, catalog, [[SOFTCITY, "2015Q4", "land_area", "5000", "m²"]])
    assert access.review(store, REVIEWER, theirs, "returned", "面积有误")
    with pytest.raises(AuthorizationError):
        send(store, catalog, [land("5000")], who=BINJIANG_MANAGER, answers=theirs)
    assert rawsql.scalar(store, "SELECT count(*) FROM audit_log WHERE action = 'access.denied'") >= 1


# --------------------------------------------------------------------- 我的报送: the scope


@pytest.fixture
def demo_copy(tmp_path: Path, demo_db: Path):
    yield from open_copy(demo_db, tmp_path / "demo.duckdb")


def firms(con, park: str) -> list[str]:
    return list(rawsql.frame(con, "SELECT org_id FROM orgs WHERE parent_id = ? AND kind = 'enterprise' ORDER BY org_id",
                             [park]).org_id)


def write(con, org: str, actor: str, value: float) -> int:
    rows = pd.DataFrame([(org, "software_revenue", 2016, 3, value, value, "万元", None)],
                        columns=submissions.REQUIRED_COLUMNS)
    return submissions.write_submission(con, rows, actor=actor, origin="form", status="pending")


def test_my_submissions_are_those_of_the_users_organisations(demo_copy):
    a, a2 = firms(demo_copy, SOFTCITY)[:2]
    (b, *_) = firms(demo_copy, INFOVALLEY)
    sub_a, sub_a2, sub_b = write(demo_copy, a, "ent-a", 100.0), write(demo_copy, a2, "ent-a2", 200.0), \
        write(demo_copy, b, "ent-b", 300.0)
    park_sub = write(demo_copy, a, "park-softcity", 110.0)  # the park manager for the firm: the firm sees it too
    firm = Identity(username="ent-a", display_name="a", role=Role.ENTERPRISE, scope_org_id=a)
    softcity = Identity(username="park-softcity", display_name="p", role=Role.PARK_MANAGER, scope_org_id=SOFTCITY)
    infovalley = Identity(username="pm-infovalley", display_name="p", role=Role.PARK_MANAGER, scope_org_id=INFOVALLEY)
    seen = {who.username: list(access.my_submissions(demo_copy, who).submission_id)
            for who in (firm, softcity, infovalley)}
    assert seen == {"ent-a": [park_sub, sub_a], "park-softcity": [park_sub, sub_a2, sub_a], "pm-infovalley": [sub_b]}
    assert set(access.my_submissions(demo_copy, firm).origin) == {"form"}  # the demo's own loads are not listed
    figures = access.my_submission_figures(demo_copy, firm, sub_a)
    assert list(figures.name_zh) == ["软件业务收入"] and list(figures.value) == [100.0]
    with pytest.raises(AuthorizationError):
        access.my_submission_figures(demo_copy, firm, sub_b)
    with pytest.raises(AuthorizationError):
        access.my_submissions(demo_copy, REVIEWER)


def test_a_submission_shows_only_the_users_organisations_of_it(demo_copy):
    """An administrator's file holding two parks' firms: each park sees its own firm, counted alone."""
    a, b = firms(demo_copy, SOFTCITY)[0], firms(demo_copy, INFOVALLEY)[0]
    rows = pd.DataFrame([(a, "software_revenue", 2016, 3, 1.0, 1.0, "万元", None),
                         (b, "software_revenue", 2016, 3, 2.0, 2.0, "万元", None)], columns=submissions.REQUIRED_COLUMNS)
    sub = submissions.write_submission(demo_copy, rows, actor="admin", origin="import", status="accepted")
    softcity = Identity(username="p", display_name="p", role=Role.PARK_MANAGER, scope_org_id=SOFTCITY)
    (row,) = access.my_submissions(demo_copy, softcity).itertuples()
    name_a = rawsql.scalar(demo_copy, "SELECT name_zh FROM orgs WHERE org_id = ?", [a])
    assert (row.submission_id, row.figures, row.orgs, list(row.org_ids)) == (sub, 1, name_a, [a])
    assert list(access.my_submission_figures(demo_copy, softcity, sub).org_id) == [a]


# ------------------------------------------------------------------------ periods and deadline


@pytest.mark.parametrize(("today", "first"), [
    (dt.date(2026, 11, 29), Period(2026, 3)),
    (dt.date(2026, 1, 1), Period(2025, 4)),
    (dt.date(2026, 3, 31), Period(2025, 4)),
    (dt.date(2026, 4, 1), Period(2026, 1)),
])
def test_the_form_offers_complete_quarters_only(today, first):
    from ui import entry

    offered = entry.reporting_periods(today)
    assert offered[0] == first
    assert Period.containing(today) not in offered
    assert all(p.end_date < today for p in offered)


@pytest.mark.parametrize(("today", "expected"), [
    (dt.date(2026, 10, 20), "报送截止：2026-10-20"),  # the deadline day itself: not passed
    (dt.date(2026, 10, 21), "报送截止：2026-10-20（已过）"),
])
def test_the_deadline_beside_the_quarter(today, expected):
    from ui import entry

    assert entry.deadline_note(Period(2026, 3), 20, "zh", today) == expected  # 2026-09-30 + 20 days


def test_a_quarter_not_yet_ended_is_refused_for_every_indicator_of_the_form(store, catalog):
    from ui import entry, services

    now = Period.containing(dt.date.today())
    indicators = entry.form_indicators("park")
    rows = services.form_rows(BINJIANG, now, {i.indicator_id: 1.0 for i in indicators}, indicators)
    found = commands.check_rows(store, catalog, TESTER, "表单填报", rows)
    assert found.rows.empty
    assert [p.reason.code for p in found.errors] == ["validation.period.incomplete"] * len(indicators)
    assert {p.row for p in found.errors} == set(range(1, len(indicators) + 1))


# ------------------------------------------------------------------------------- templates


def test_templates_hold_the_users_organisations_and_the_last_complete_quarter(demo_copy):
    from ui import entry

    manager = Identity(username="p", display_name="p", role=Role.PARK_MANAGER, scope_org_id=SOFTCITY)
    orgs = access.writable_orgs(demo_copy, manager)
    quarter = last_complete_quarter(dt.date.today())
    label = f"{quarter.year}年1-{quarter.end_month}月"
    rows = list(csv.reader(io.StringIO(entry.tidy_template(orgs).decode("utf-8-sig"))))
    assert rows[0] == [*readers.TIDY_COLUMNS, readers.TEMPLATE_NAME_COLUMN]
    body = rows[1:]
    per_org = {name: sum(r[0] == name for r in body) for name in orgs.name_zh}
    expected = {name: len(entry.form_indicators(kind)) for name, kind in zip(orgs.name_zh, orgs.kind, strict=True)}
    assert per_org == expected and sum(expected.values()) == len(body)
    assert {r[1] for r in body} == {label}
    assert not {r[0] for r in body} - set(orgs.name_zh)  # nobody else's
    others = rawsql.frame(demo_copy, "SELECT name_zh FROM orgs WHERE kind = 'enterprise' AND parent_id <> ?", [SOFTCITY])
    assert not set(others.name_zh) & {r[0] for r in body}

    book = openpyxl.load_workbook(io.BytesIO(entry.wide_template(orgs)))
    sheet = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    assert sheet[1][0] == f"报告期：{label}"
    firms_ = orgs[orgs.kind == "enterprise"]
    assert [(r[0], r[1]) for r in sheet[4:]] == list(zip(firms_.credit_code, firms_.name_zh, strict=True))


# -------------------------------------------------------------------------- the pages (AppTest)


def read(sql: str, params: list | None = None) -> pd.DataFrame:
    from ui import queries

    return rawsql.frame(queries.cursor(), sql, params)


def entry_page(username: str = "park-softcity") -> AppTest:
    at = signed_in(username)
    at.switch_page("pages/entry.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def box(at: AppTest, label: str):
    (found,) = [s for s in at.selectbox if s.label == label]
    return found


def form_no(at: AppTest) -> int:
    return at.session_state["entry-form"] if "entry-form" in at.session_state else 0


def value_input(at: AppTest, indicator: str):
    return at.number_input(key=f"in-{form_no(at)}-{box(at, '填报单位').value}-{box(at, '报告期').value}-{indicator}")


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def in_order(node) -> list:
    """Every element under `node`, in the order the page shows them."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in in_order(children[key])]


def test_the_form_opens_on_the_last_complete_quarter_with_its_deadline(app_db):
    at = entry_page()
    quarter = last_complete_quarter(dt.date.today())
    assert box(at, "报告期").value == quarter
    days = int(read("SELECT coalesce(max(value), '20') AS d FROM settings WHERE key = 'report_deadline_days'").d[0])
    due = quarter.end_date + dt.timedelta(days=days)
    expected = f"报送截止：{due.isoformat()}" + ("（已过）" if due < dt.date.today() else "")
    assert expected in [c.value for c in at.caption]


def test_after_a_submission_the_form_is_empty_and_the_same_again_is_already_submitted(app_db):
    at = entry_page()
    before = int(read("SELECT count(*) AS n FROM submissions").n[0])
    value_input(at, "firm_count").set_value(260.0)
    at.button(key="form-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sub = int(read("SELECT max(submission_id) AS s FROM submissions").s[0])
    assert f"已提交（第 {sub} 号，1 项数据）" in texts(at.success)
    assert value_input(at, "firm_count").value is None  # a fresh form
    at.run()  # no action: the confirmation stays
    assert f"第 {sub} 号" in texts(at.success)
    value_input(at, "firm_count").set_value(260.0).run()  # the next action ends it
    assert not at.success
    at.button(key="form-submit").click().run()  # the very same figure again
    assert f"已作为第 {sub} 号报送提交" in texts(at.info)
    assert not at.success
    assert int(read("SELECT count(*) AS n FROM submissions").n[0]) == before + 1


def upload(at: AppTest, name: str, text: str) -> AppTest:
    at.tabs[1]  # the upload tab renders with the page; its uploader is the only one
    (uploader,) = at.file_uploader
    uploader.set_value((name, text.encode("utf-8"), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def firm_of(park: str) -> tuple[str, str, str]:
    row = read("SELECT org_id, name_zh, credit_code FROM orgs WHERE parent_id = ? AND kind = 'enterprise' "
               "ORDER BY org_id LIMIT 1", [park]).iloc[0]
    return row.org_id, row.name_zh, row.credit_code


def test_the_upload_preview_speaks_names_not_ids_with_problems_sorted_above_the_button(app_db):
    firm, name, code = firm_of(SOFTCITY)
    period = last_complete_quarter(dt.date.today())
    at = upload(entry_page(), "good.csv", "\n".join([
        "org,period,indicator,value,unit",
        f"{code},{period},2010,100,万元",          # row 2: main revenue (small beside row 4's people)
        f"{code},{period},2090,150,万元",          # row 3: profit above revenue (a ratio, found among the last)
        f"{code},{period},2112,400000,人",         # row 4: very many people (a bound, found first)
    ]))
    (problems,) = [t.value.reset_index() for t in at.table]
    from ui import services

    found = services.check_file(Identity(username="park-softcity", display_name="p", role=Role.PARK_MANAGER,
                                         scope_org_id=SOFTCITY), "good.csv", at.file_uploader[0].value.getvalue())
    assert [p.row for p in found.problems] != sorted(p.row for p in found.problems)  # the rules' own order
    assert list(problems["行"]) == sorted(p.row for p in found.problems) == [2, 3, 4]  # the page's: by row
    assert set(problems["类别"]) == {"提示"}
    (preview,) = [d.value for d in at.dataframe]
    cells = {str(c) for c in preview.columns} | {str(v) for col in preview.columns for v in preview[col]}
    for internal in ("org_id", "indicator_id", "main_revenue", "total_profit", "ent-", firm, code):
        assert not [c for c in cells if internal in c], internal
    assert list(preview["填报单位"]) == [name] * 3
    assert list(preview["指标"]) == ["2010 主营业务收入", "2090 利润总额", "2112 平均用工人数"]
    assert list(preview["单位"]) == ["万元", "万元", "人"]
    assert set(preview["报告期"]) == {f"{period.year}年1-{period.end_month}月"}
    assert list(preview["本期累计"]) == ["100.00", "150.00", "400,000"]
    shown = in_order(at.main)
    table_at = next(i for i, e in enumerate(shown) if getattr(e, "type", "") == "table")
    button_at = next(i for i, e in enumerate(shown) if getattr(e, "key", None) == "upload-submit")
    assert table_at < button_at


def test_a_refused_file_has_no_preview_and_no_submit_button(app_db):
    _, _, code = firm_of(SOFTCITY)
    period = last_complete_quarter(dt.date.today())
    at = upload(entry_page(), "bad.csv", "\n".join([
        "org,period,indicator,value,unit",
        f"{code},{period},2021,150,万元",          # row 2: a part above its total — found second
        f"{code},{period},2020,100,万元",          # row 3
        f"{code},{period},2112,abc,人",            # row 4: not a number — found first
    ]))
    (problems,) = [t.value.reset_index() for t in at.table]
    assert list(problems["行"]) == [2, 4]
    assert "本次提交未写入任何数据" in texts(at.error)
    assert not at.dataframe
    assert "upload-submit" not in {b.key for b in at.button}


def test_my_submissions_shows_the_comment_and_its_correction_answers_it(app_db):
    from ui import queries

    firm = read("SELECT scope_org_id AS org FROM users WHERE username = 'enterprise'").org[0]
    period = last_complete_quarter(dt.date.today())
    con = queries.cursor()
    rows = pd.DataFrame([(firm, "main_revenue", period.year, period.quarter, 200.0, 200.0, "万元", None),
                         (firm, "software_revenue", period.year, period.quarter, 120.0, 120.0, "万元", None)],
                        columns=submissions.REQUIRED_COLUMNS)
    returned = submissions.write_submission(con, rows, actor="enterprise", origin="form", status="pending")
    assert access.review(con, REVIEWER, returned, "returned", "软件业务收入请按季度累计填报")

    at = signed_in("enterprise")
    at.switch_page("pages/my_submissions.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (item,) = [e for e in at.expander if e.label.startswith(f"№{returned} ")]
    assert "已退回" in item.label
    assert "软件业务收入请按季度累计填报" in texts(item.markdown)
    (figures,) = [d.value for d in item.dataframe]
    assert list(figures["指标"]) == ["2010 主营业务收入", "2020 软件业务收入"]

    item.button(key=f"correct-{returned}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == ["数据填报"]  # st.switch_page ran the entry page
    at.switch_page("pages/entry.py")  # and AppTest, unlike a browser, must be told to stay on it
    assert f"正在更正第 {returned} 号报送" in texts(at.warning)
    assert box(at, "填报单位").value == firm and box(at, "报告期").value == period
    assert value_input(at, "main_revenue").value == 200.0 and value_input(at, "software_revenue").value == 120.0
    value_input(at, "software_revenue").set_value(150.0)
    at.button(key="form-submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    fix = int(read("SELECT max(submission_id) AS s FROM submissions").s[0])
    assert f"作为第 {returned} 号报送的更正" in texts(at.success)
    assert read("SELECT answers FROM submissions WHERE submission_id = ?", [fix]).answers[0] == returned
    assert "正在更正" not in texts(at.warning)  # the correction is over

    at.switch_page("pages/my_submissions.py").run()
    (item,) = [e for e in at.expander if e.label.startswith(f"№{returned} ")]
    assert f"已由第 {fix} 号更正" in texts(item.markdown)
    (newer,) = [e for e in at.expander if e.label.startswith(f"№{fix} ")]
    assert "待审核" in newer.label and f"更正第 {returned} 号报送" in texts(newer.markdown)


# ------------------------------------------------------------------ the uploader in a browser


@browser
def test_the_uploader_speaks_the_ui_language_and_states_the_real_limit(tmp_path, demo_db):
    """Streamlit's own words on the uploader ("Upload", "200MB per file") are hidden, ours shown."""
    from tests.browser import CHROMIUM, chromium, demo_app_store, screenshot, streamlit_server
    from tests.browser import sign_in as browser_sign_in

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run scripts/test.sh as root")
    db = demo_app_store(tmp_path, demo_db, "Uploader-test-passphrase", "park-softcity")
    with streamlit_server(db, tmp_path / "streamlit.log") as base, chromium() as page:
        browser_sign_in(page, base, "park-softcity", "Uploader-test-passphrase")
        page.goto(f"{base}/entry")
        page.get_by_role("tab", name="文件上传").click()
        zone = page.locator('[data-testid="stFileUploaderDropzone"]')
        zone.wait_for(timeout=60_000)
        page.get_by_text("不超过 50 MB").first.wait_for(timeout=30_000)
        screenshot(page, "uploader-words")
        shown = zone.inner_text()  # what is rendered and visible inside the drop zone
        assert "Upload" not in shown and "per file" not in shown and "200" not in shown, shown
        button = zone.locator("button")
        after = button.evaluate("b => getComputedStyle(b, '::after').content")
        assert after == '"选择文件"'
        assert button.is_visible()
