"""The register of reporting units (issue 17): a bureau's register file checked rule by rule, the plan
of what it would change, loaded all or nothing, one firm edited, its dated events, the firms'
accounts in bulk — through the service, the command line and the page, on real stores in tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from domain.access import SYSTEM, AuthorizationError, Identity, Role
from domain.credit_code import make_credit_code
from domain.models import Organisation, OrgKind
from domain.register import (
    Context,
    Place,
    Places,
    RegisterInputError,
    RegisterRow,
    StoredFirm,
    check,
    default_effective,
    parse_date,
    read_rows,
)
from service import commands, queries
from store import orgs, users
from store.db import connect
from store.register import RegisterRejected
from tests import mailserver
from tests.apptest_helpers import signed_in
from tests.test_cli import cli
from tests.test_figures_maintained import assert_matches_definition, summed, write
from ui.text import escape

DATA = Path(__file__).parent / "data" / "register" / "qingdao-register.csv"
HEADER = ["单位名称", "统一社会信用代码", "所属园区", "所属区县", "联系邮箱", "生效日期"]
DAY = dt.date(2024, 1, 1)
REVIEWER = Identity(username="rev", display_name="rev", role=Role.REVIEWER)

CODE_A = make_credit_code("91370212MA3C4K7L2")
CODE_B = make_credit_code("91370212MA3D1N8P5")
CODE_C = make_credit_code("9137020276366942X")
CODE_D = make_credit_code("91370203MA3B9R2T1")


def broken(code: str) -> str:
    """The code with another check character (a typo the check character catches)."""
    return code[:17] + ("1" if code[17] == "0" else "0")


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode("utf-8")


def audit_rows(con, action: str) -> list[tuple]:
    return con.execute("SELECT actor, object, detail FROM audit_log WHERE action = ? ORDER BY audit_id",
                       [action]).fetchall()


# ------------------------------------------------------------------------------- the rules

PLACES = Places([
    Place("qd-softcity", "青岛软件城", "park", "qingdao"),
    Place("qd-infovalley", "青岛信息谷", "park", "qingdao"),
    Place("qd-licang", "青岛市李沧区", "district", "qingdao"),
    Place("hz-binjiang", "高新技术产业开发区(滨江)", "park", "hangzhou"),
    Place("qingdao", "青岛市", "city", None),
    Place("twin-a", "同名园", "park", "qingdao"),
    Place("twin-b", "同名园", "park", "hangzhou"),
])
STORED = {CODE_A: StoredFirm("ent-a", "青岛海川智能软件有限公司", CODE_A, "qd-softcity", None),
          CODE_D: StoredFirm("qd-college", "青岛职业技术学院", CODE_D, "qingdao", None, "institution")}
CTX = Context("r.csv", PLACES, STORED, frozenset({"ent-a", "qd-college", f"ent-{CODE_B.lower()}"}), DAY)
OK = {"name": "青岛新软件有限公司", "credit_code": CODE_C, "park": "qd-softcity"}


def one(**fields: str) -> RegisterRow:
    return RegisterRow(row=2, **{**OK, **fields}, columns={"name": "单位名称", "credit_code": "统一社会信用代码",
                                                          "park": "所属园区", "district": "所属区县",
                                                          "email": "联系邮箱", "effective": "生效日期"})


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, []),
    ({"name": ""}, [("error", "单位名称", "register.name_missing")]),
    ({"name": "企" * 101}, [("error", "单位名称", "register.name_too_long")]),
    ({"name": "青岛\n软件"}, [("error", "单位名称", "register.name_control")]),
    ({"name": "=HYPERLINK(\"http://x\",\"青岛软件\")"}, [("error", "单位名称", "register.name_formula")]),
    ({"name": "@青岛软件"}, [("error", "单位名称", "register.name_formula")]),
    ({"credit_code": ""}, [("error", "统一社会信用代码", "register.code_missing")]),
    ({"credit_code": broken(CODE_C)},
     [("error", "统一社会信用代码", "register.code_invalid")]),
    ({"credit_code": "123"}, [("error", "统一社会信用代码", "register.code_invalid")]),
    ({"credit_code": CODE_C.lower()}, []),  # a code in lower case is the same code
    ({"park": ""}, [("error", "所属园区", "register.parent_missing")]),
    ({"park": "没有这个园区"}, [("error", "所属园区", "register.parent_unknown")]),
    ({"park": "青岛市"}, [("error", "所属园区", "register.parent_not_place")]),
    ({"park": "同名园"}, [("error", "所属园区", "register.parent_ambiguous")]),
    ({"park": "twin-a"}, []),  # the id settles it
    ({"park": "青岛市李沧区"}, [("error", "所属园区", "register.not_a_park")]),
    ({"park": "", "district": "青岛软件城"}, [("error", "所属区县", "register.not_a_district")]),
    ({"park": "", "district": "青岛市李沧区"}, []),
    ({"district": "qd-licang"}, []),  # a park and its city's district: counted in the park
    ({"park": "hz-binjiang", "district": "qd-licang"}, [("warning", "所属园区", "register.park_outside_district")]),
    ({"email": "tongji@example.cn"}, []),
    ({"email": "not an address"}, [("error", "联系邮箱", "register.email_invalid")]),
    ({"effective": "2024年4月1日"}, []),
    ({"effective": "2024-13-01"}, [("error", "生效日期", "register.effective_invalid")]),
    ({"credit_code": CODE_A, "name": "青岛海川软件有限公司"}, [("warning", "单位名称", "register.name_changed")]),
    ({"credit_code": CODE_D}, [("error", "统一社会信用代码", "register.code_not_enterprise")]),
    ({"credit_code": CODE_B}, [("error", "统一社会信用代码", "register.id_taken")]),
])
def test_each_rule_names_the_column_and_its_reason(fields, expected):
    entries, problems = check(CTX, [one(**fields)])
    assert [(p.severity.value, p.column, p.reason.code) for p in problems] == expected
    assert all(p.file == "r.csv" and p.row == 2 for p in problems)
    assert len(entries) == (0 if any(e[0] == "error" for e in expected) else 1)


def test_every_problem_of_a_row_is_collected_not_only_the_first():
    _, problems = check(CTX, [one(name="", credit_code="", park="没有", email="x", effective="soon")])
    assert {p.reason.code for p in problems} == {"register.name_missing", "register.code_missing",
                                                "register.parent_unknown", "register.email_invalid",
                                                "register.effective_invalid"}


def test_duplicates_within_a_file():
    rows = [RegisterRow(2, "甲公司", CODE_B, "qd-softcity"), RegisterRow(3, "乙公司", CODE_B, "qd-softcity"),
            RegisterRow(4, "甲公司", CODE_C, "qd-softcity")]
    ctx = Context("r.csv", PLACES, {}, frozenset(), DAY)
    entries, problems = check(ctx, rows)
    assert [(p.row, p.severity.value, p.reason.code, dict(p.reason.params)) for p in problems] == [
        (3, "error", "register.code_duplicate", {"first_row": 2}),
        (4, "warning", "register.name_duplicate", {"first_row": 2, "code": CODE_B}),
    ]
    assert [e.row for e in entries] == [2, 4]


def test_the_entry_of_a_row_that_passed():
    (entry,), _ = check(CTX, [one(email=" TongJi@Example.CN ", effective="2023/7/1", park="青岛信息谷")])
    assert entry.org_id == f"ent-{CODE_C.lower()}" and entry.credit_code == CODE_C
    assert entry.parent == "qd-infovalley" and entry.email == "tongji@example.cn"
    assert entry.effective == dt.date(2023, 7, 1)
    (entry,), _ = check(CTX, [one()])
    assert entry.effective == DAY and entry.email is None  # the import's day; no e-mail given


@pytest.mark.parametrize(("text", "day"), [("2024-01-05", dt.date(2024, 1, 5)), ("2024/1/5", dt.date(2024, 1, 5)),
                                           ("2024.1.5", dt.date(2024, 1, 5)), ("2024年1月5日", dt.date(2024, 1, 5)),
                                           ("2024-01-05 00:00:00", dt.date(2024, 1, 5)), ("5/1/2024", None), ("", None)])
def test_dates_as_registers_write_them(text, day):
    assert parse_date(text) == day


def test_the_header_in_english_below_a_title_block():
    grid = [(1, ["青岛市软件企业名录", ""]), (3, ["Name", "Credit code", "Park", "E-mail"]),
            (4, ["甲公司", CODE_B, "qd-softcity", "a@b.cn"])]
    rows, problems = read_rows("r.csv", grid)
    assert problems == []
    assert rows == [RegisterRow(4, "甲公司", CODE_B, "qd-softcity", "", "a@b.cn", "",
                                {"name": "Name", "credit_code": "Credit code", "park": "Park", "email": "E-mail"})]


def test_a_file_without_the_columns_says_which_it_needs():
    rows, (problem,) = read_rows("r.csv", [(1, ["名称", "代码"]), (2, ["甲", "乙"])])
    assert rows == [] and problem.reason.code == "register.missing_columns" and problem.row is None


# --------------------------------------------------------------------- the plan and the write


def firm(org_id: str, name: str, code: str, parent: str) -> Organisation:
    return Organisation(org_id=org_id, name_zh=name, kind=OrgKind.ENTERPRISE, parent=parent, credit_code=code)


@pytest.fixture
def registered(store):
    """An empty store with three firms of its own: A in 青岛软件城 with an e-mail, B there too, C in 信息谷."""
    orgs.upsert_orgs(store, [firm("ent-a", "甲软件有限公司", CODE_A, "qd-softcity"),
                             firm("ent-b", "乙软件有限公司", CODE_B, "qd-softcity"),
                             firm("ent-c", "丙软件有限公司", CODE_C, "qd-infovalley")], "user")
    commands.set_contact_email(store, SYSTEM, "ent-a", "a@jia.cn")
    return store


def test_the_plan_compared_with_the_store(registered):
    data = csv_bytes([
        ["甲软件有限公司", CODE_A, "青岛软件城", "", "", ""],  # as stored (a blank e-mail keeps a@jia.cn)
        ["乙软件股份有限公司", CODE_B, "青岛信息谷", "", "b@yi.cn", ""],  # renamed, moved, an e-mail
        ["丁软件有限公司", CODE_D, "", "青岛市李沧区", "", "2023-07-01"],  # new, in a district
    ])
    plan = commands.check_register(registered, SYSTEM, "r.csv", data, DAY)
    assert plan.problems[0].reason.code == "register.name_changed" and len(plan.problems) == 1
    assert [e.org_id for e in plan.unchanged] == ["ent-a"]
    (change,) = plan.changed
    assert change.before.org_id == "ent-b" and change.fields == ("name", "parent", "email")
    (added,) = plan.added
    assert (added.org_id, added.parent, added.effective) == (f"ent-{CODE_D.lower()}", "qd-licang", dt.date(2023, 7, 1))
    assert [f.org_id for f in plan.absent] == ["ent-c"]  # listed, never deleted
    assert plan.counts() == {"added": 1, "changed": 1, "unchanged": 1, "absent": 1}
    assert orgs.name_of(registered, "ent-b") == "乙软件有限公司"  # a check writes nothing


def test_loading_writes_firms_moves_events_and_one_audit_row(registered):
    before = len(registered.execute("SELECT * FROM audit_log").fetchall())
    data = csv_bytes([["乙软件有限公司", CODE_B, "qd-infovalley", "", "", ""],
                      ["丁软件有限公司", CODE_D, "", "qd-licang", "D@Ding.cn", ""]])
    plan = commands.import_register(registered, SYSTEM, "r.csv", data, DAY)
    assert plan.counts() == {"added": 1, "changed": 1, "unchanged": 0, "absent": 2}
    new = f"ent-{CODE_D.lower()}"
    row = registered.execute("SELECT name_zh, kind, parent_id, credit_code, origin, contact_email FROM orgs "
                             "WHERE org_id = ?", [new]).fetchall()
    assert row == [("丁软件有限公司", "enterprise", "qd-licang", CODE_D, "user", "d@ding.cn")]
    assert registered.execute("SELECT parent_id FROM orgs WHERE org_id = 'ent-b'").fetchall() == [("qd-infovalley",)]
    # the sums follow the tree: the moved firm is now under 信息谷, no longer under 软件城
    ancestors = {r[0] for r in registered.execute(
        "SELECT ancestor_id FROM org_closure WHERE descendant_id = 'ent-b'").fetchall()}
    assert "qd-infovalley" in ancestors and "qd-softcity" not in ancestors and "qingdao" in ancestors
    events = registered.execute("SELECT org_id, event, effective, from_parent, to_parent, entered_by FROM org_events "
                                "ORDER BY org_id").fetchall()
    assert events == sorted([("ent-b", "moved", DAY, "qd-softcity", "qd-infovalley", "system"),
                             (new, "entered_survey", DAY, None, None, "system")])
    (audit,) = audit_rows(registered, "register.import")
    assert json.loads(audit[2]) | {} == {"added": 1, "changed": 1, "unchanged": 0, "absent": 2, "moved": 1,
                                         "effective": "2024-01-01", "warnings": 0}
    assert len(registered.execute("SELECT * FROM audit_log").fetchall()) == before + 1



def test_a_move_loaded_from_a_register_leaves_the_quarters_before_its_day_where_they_were(registered):
    """B reports 2023Q4 (40) and 2024Q1 (12) in 软件城; the register then moves it to 信息谷 from
    2024-01-01: 软件城 keeps 2023Q4's 40, 信息谷 gets 2024Q1's 12, the city has both throughout."""
    write(registered, ("ent-b", "software_revenue", 2023, 4, 40.0), ("ent-b", "software_revenue", 2024, 1, 12.0))
    commands.import_register(registered, SYSTEM, "r.csv", csv_bytes([["乙软件有限公司", CODE_B, "qd-infovalley", "", "", ""]]),
                             DAY)
    assert summed(registered, "qd-softcity", year=2023, quarter=4) == (40.0, 1)
    assert summed(registered, "qd-softcity", year=2024, quarter=1) is None
    assert summed(registered, "qd-infovalley", year=2023, quarter=4) is None
    assert summed(registered, "qd-infovalley", year=2024, quarter=1) == (12.0, 1)
    assert [summed(registered, "qingdao", year=y, quarter=q) for y, q in ((2023, 4), (2024, 1))] == [(40.0, 1), (12.0, 1)]
    assert_matches_definition(registered)


def test_a_file_with_one_bad_row_writes_nothing(registered):
    def state():
        return (registered.execute("SELECT * FROM orgs ORDER BY org_id").fetchall(),
                registered.execute("SELECT count(*) FROM org_events").fetchall(),
                registered.execute("SELECT count(*) FROM audit_log").fetchall())
    before = state()
    data = csv_bytes([["乙软件有限公司", CODE_B, "qd-infovalley", "", "", ""],  # a move
                      ["丁软件有限公司", CODE_D, "", "qd-licang", "", ""],  # a new firm
                      ["戊软件有限公司", broken(CODE_D), "", "qd-licang", "", ""]])  # a bad code
    with pytest.raises(RegisterRejected) as refused:
        commands.import_register(registered, SYSTEM, "r.csv", data, DAY)
    assert [(p.row, p.reason.code) for p in refused.value.plan.errors] == [(4, "register.code_invalid")]
    assert state() == before


def test_a_file_the_reader_refuses_is_one_problem(registered):
    plan = commands.check_register(registered, SYSTEM, "r.pdf", b"%PDF-1.4", DAY)
    assert [p.reason.code for p in plan.errors] == ["validation.file.unsupported"]


def test_only_an_administrator_may_touch_the_register_and_a_refusal_is_audited(registered):
    data = csv_bytes([["丁软件有限公司", CODE_D, "", "qd-licang", "", ""]])
    attempts = [
        lambda: commands.check_register(registered, REVIEWER, "r.csv", data),
        lambda: commands.import_register(registered, REVIEWER, "r.csv", data),
        lambda: commands.set_contact_email(registered, REVIEWER, "ent-a", "x@y.cn"),
        lambda: commands.rename_org(registered, REVIEWER, "ent-a", "改名"),
        lambda: commands.record_org_event(registered, REVIEWER, "ent-a", "closed", DAY),
        lambda: commands.create_accounts_for_register(registered, REVIEWER),
        lambda: queries.register(registered, REVIEWER),
    ]
    for attempt in attempts:
        with pytest.raises(AuthorizationError):
            attempt()
    denied = audit_rows(registered, "access.denied")
    assert len(denied) == len(attempts) and {d[0] for d in denied} == {"rev"}
    assert orgs.name_of(registered, "ent-a") == "甲软件有限公司"
    assert registered.execute("SELECT count(*) FROM org_events").fetchall() == [(0,)]
    assert registered.execute("SELECT count(*) FROM users").fetchall() == [(0,)]


# --------------------------------------------------------------------------- one firm, events



@pytest.mark.parametrize(("today", "day"), [
    (dt.date(2026, 11, 29), dt.date(2026, 1, 1)),  # collecting 2026Q3: the survey year 2026
    (dt.date(2026, 3, 31), dt.date(2025, 1, 1)),  # 2026Q1 not over: collecting 2025Q4, the year 2025
    (dt.date(2026, 4, 1), dt.date(2026, 1, 1)),
])
def test_a_register_without_dates_takes_effect_from_the_survey_year_being_collected(today, day):
    assert default_effective(today) == day


def test_a_move_dated_before_the_firms_last_move_is_refused(registered):
    """C moved to 李沧 on 2025-10-01; a move to 崂山 dated 2024-04-01 would rewrite quarters the
    first one placed: refused for one event and for a register file alike, nothing written."""
    commands.record_org_event(registered, SYSTEM, "ent-c", "moved", dt.date(2025, 10, 1), to_parent="qd-licang")
    with pytest.raises(RegisterInputError) as refused:
        commands.record_org_event(registered, SYSTEM, "ent-c", "moved", dt.date(2024, 4, 1), to_parent="qd-laoshan")
    assert refused.value.reason.code == "register.move_before_last"
    plan = commands.check_register(registered, SYSTEM, "r.csv", csv_bytes([["丙软件有限公司", CODE_C, "", "qd-laoshan", "",
                                                                             "2024-04-01"]]), DAY)
    assert [(p.row, p.reason.code) for p in plan.errors] == [(2, "register.move_before_last")]
    assert registered.execute("SELECT parent_id FROM orgs WHERE org_id = 'ent-c'").fetchall() == [("qd-licang",)]
    assert registered.execute("SELECT count(*) FROM org_events WHERE org_id = 'ent-c'").fetchall() == [(1,)]


def test_an_edit_is_all_or_nothing(registered):
    """A new name with a malformed e-mail: refused before anything is written, the name included."""
    with pytest.raises(RegisterInputError):
        commands.edit_org(registered, SYSTEM, "ent-a", name="甲科技有限公司", email="not-an-address")
    assert orgs.name_of(registered, "ent-a") == "甲软件有限公司"
    commands.edit_org(registered, SYSTEM, "ent-a", name="甲科技有限公司", email="new@jia.cn", to_parent="qd-licang",
                      effective=dt.date(2025, 7, 1))
    assert registered.execute("SELECT name_zh, contact_email, parent_id FROM orgs WHERE org_id = 'ent-a'").fetchall() == [
        ("甲科技有限公司", "new@jia.cn", "qd-licang")]


def test_no_account_for_a_firm_that_closed_or_left_the_survey(registered):
    commands.record_org_event(registered, SYSTEM, "ent-a", "closed", dt.date(2025, 9, 30))
    commands.record_org_event(registered, SYSTEM, "ent-b", "left_survey", dt.date(2025, 1, 1))
    commands.record_org_event(registered, SYSTEM, "ent-b", "entered_survey", dt.date(2026, 1, 1))  # back in
    made = commands.create_accounts_for_register(registered, SYSTEM)
    assert sorted(a.org_id for a in made) == ["ent-b", "ent-c"]
    assert {a.org_id: a.credit_code for a in made} == {"ent-b": CODE_B, "ent-c": CODE_C}

def test_events_of_a_firm(registered):
    closed = commands.record_org_event(registered, SYSTEM, "ent-a", "closed", dt.date(2025, 9, 30), note="注销")
    moved = commands.record_org_event(registered, SYSTEM, "ent-c", "moved", dt.date(2025, 10, 1), to_parent="qd-licang")
    events = queries.org_events(registered, SYSTEM)
    assert events.event_id.tolist() == [closed, moved]
    assert registered.execute("SELECT org_id, event, from_parent, to_parent, note, entered_by FROM org_events "
                              "ORDER BY event_id").fetchall() == [
        ("ent-a", "closed", None, None, "注销", "system"), ("ent-c", "moved", "qd-infovalley", "qd-licang", "", "system")]
    assert registered.execute("SELECT parent_id FROM orgs WHERE org_id = 'ent-c'").fetchall() == [("qd-licang",)]
    assert [json.loads(a[2])["to"] for a in audit_rows(registered, "register.moved")] == ["qd-licang"]


@pytest.mark.parametrize(("org", "event", "to", "code"), [
    ("ent-x", "closed", None, "register.unknown_org"),
    ("qd-softcity", "closed", None, "register.not_a_firm"),
    ("ent-a", "moved", None, "register.move_needs_place"),
    ("ent-a", "closed", "qd-licang", "register.place_only_for_move"),
    ("ent-a", "moved", "qingdao", "register.not_a_place"),
    ("ent-a", "moved", "qd-softcity", "register.already_there"),
])
def test_an_event_that_does_not_fit_is_refused_and_writes_nothing(registered, org, event, to, code):
    with pytest.raises(RegisterInputError) as refused:
        commands.record_org_event(registered, SYSTEM, org, event, DAY, to_parent=to)
    assert refused.value.reason.code == code
    assert registered.execute("SELECT count(*) FROM org_events").fetchall() == [(0,)]


def test_a_name_and_an_email(registered):
    commands.rename_org(registered, SYSTEM, "ent-a", " 甲科技有限公司 ")
    assert orgs.name_of(registered, "ent-a") == "甲科技有限公司"
    assert commands.set_contact_email(registered, SYSTEM, "qd-softcity", " Park@QD.cn ") == "park@qd.cn"  # a park too
    assert commands.set_contact_email(registered, SYSTEM, "ent-a", "") is None
    for bad in (lambda: commands.set_contact_email(registered, SYSTEM, "ent-a", "nope"),
                lambda: commands.rename_org(registered, SYSTEM, "ent-a", "")):
        with pytest.raises(RegisterInputError):
            bad()


# ---------------------------------------------------------------------------------- accounts


def test_accounts_for_a_park_then_the_rest_and_never_twice(registered):
    users.add_user(registered, SYSTEM, "jia", "甲", Role.ENTERPRISE, "ent-a")  # A has one already
    first = commands.create_accounts_for_register(registered, SYSTEM, "qd-softcity")
    assert [(a.username, a.org_id, a.org_name) for a in first] == [(CODE_B.lower(), "ent-b", "乙软件有限公司")]
    rest = commands.create_accounts_for_register(registered, SYSTEM)
    assert [a.org_id for a in rest] == ["ent-c"]
    assert commands.create_accounts_for_register(registered, SYSTEM) == []
    for a in first + rest:
        who = users.identity(registered, a.username)
        assert (who.role, who.scope_org_id) == (Role.ENTERPRISE, a.org_id)
        assert a.password[0].isalnum() and len(a.password) >= users.MIN_PASSWORD_LENGTH
    stored = registered.execute("SELECT password_hash FROM users WHERE username = ?", [CODE_B.lower()]).fetchall()
    assert stored[0][0].startswith("$2") and first[0].password not in stored[0][0]
    assert users.verify_password(registered, first[0].username, first[0].password)
    with pytest.raises(RegisterInputError):
        commands.create_accounts_for_register(registered, SYSTEM, "ent-a")  # not a park or district


# ------------------------------------------------------------------------------ command line


@pytest.fixture(scope="module")
def fresh_cli(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by `init` without demo data (a bureau's first install)."""
    tmp = tmp_path_factory.mktemp("register-cli")
    db = tmp / "fresh.duckdb"
    assert cli(tmp, "init", db=db).returncode == 0
    return db


@pytest.fixture
def fresh(fresh_cli: Path, tmp_path: Path) -> Path:
    db = tmp_path / "fresh.duckdb"
    shutil.copy(fresh_cli, db)
    return db


def counts(db: Path) -> tuple[int, int, int]:
    con = connect(db, read_only=True)
    try:
        return tuple(con.execute(q).fetchall()[0][0] for q in (
            "SELECT count(*) FROM orgs WHERE kind = 'enterprise'", "SELECT count(*) FROM org_events",
            "SELECT count(*) FROM users"))
    finally:
        con.close()


def test_orgs_import_dry_run_then_load(fresh, tmp_path):
    dry = cli(tmp_path, "orgs", "import", str(DATA), "--dry-run", "--effective", "2024-01-01", db=fresh)
    assert dry.returncode == 0, dry.stderr
    assert "10 added, 0 changed, 0 unchanged" in dry.stdout and "nothing written" in dry.stdout
    assert counts(fresh) == (0, 0, 0)
    done = cli(tmp_path, "orgs", "import", str(DATA), "--effective", "2024-01-01", db=fresh)
    assert done.returncode == 0, done.stderr
    assert "loaded" in done.stdout and counts(fresh) == (10, 10, 0)
    again = cli(tmp_path, "orgs", "import", str(DATA), db=fresh)
    assert "0 added, 0 changed, 10 unchanged" in again.stdout and counts(fresh) == (10, 10, 0)
    listed = json.loads(cli(tmp_path, "orgs", "--json", db=fresh).stdout)
    firm_a = next(r for r in listed if r["credit_code"] == CODE_A)
    assert (firm_a["org_id"], firm_a["kind"], firm_a["parent_id"], firm_a["contact_email"]) == (
        f"ent-{CODE_A.lower()}", "enterprise", "qd-softcity", "baogong@haichuan-soft.cn")
    text = cli(tmp_path, "orgs", db=fresh).stdout.splitlines()[0].split()
    assert text == ["org_id", "name_zh", "name_en", "kind", "parent_id", "credit_code", "origin"]  # as before


def test_orgs_import_of_a_bad_file_exits_1_and_writes_nothing(fresh, tmp_path):
    bad = tmp_path / "bad.csv"
    rows = list(csv.reader(DATA.read_text("utf-8-sig").splitlines()))
    rows[3][2] = broken(rows[3][2])  # row 4: a broken check character
    rows[5][3] = "没有这个园区"  # row 6
    bad.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    result = cli(tmp_path, "orgs", "import", str(bad), db=fresh)
    assert result.returncode == 1
    assert "rejected, nothing written (2 error(s))" in result.stderr
    assert "bad.csv, row 4, column 统一社会信用代码" in result.stderr and "row 6, column 所属园区" in result.stderr
    assert counts(fresh) == (0, 0, 0)


def test_orgs_edit_and_event(fresh, tmp_path):
    assert cli(tmp_path, "orgs", "import", str(DATA), db=fresh).returncode == 0
    firm_a = f"ent-{CODE_A.lower()}"
    moved = cli(tmp_path, "orgs", "edit", firm_a, "--park", "qd-laoshan", "--on", "2025-10-01", "--email", "X@Y.cn",
                db=fresh)
    assert moved.returncode == 0, moved.stderr
    closed = cli(tmp_path, "orgs", "event", firm_a, "closed", "--on", "2025-12-31", "--note", "注销", db=fresh)
    assert closed.returncode == 0, closed.stderr
    assert cli(tmp_path, "orgs", "event", "ent-none", "closed", "--on", "2025-12-31", db=fresh).returncode == 2
    assert cli(tmp_path, "orgs", "edit", firm_a, "--park", "qd-laoshan", db=fresh).returncode == 2  # no --on
    assert cli(tmp_path, "orgs", "event", firm_a, "closed", "--on", "31.12.2025", db=fresh).returncode == 2
    con = connect(fresh, read_only=True)
    try:
        assert con.execute("SELECT parent_id, contact_email FROM orgs WHERE org_id = ?", [firm_a]).fetchall() == [
            ("qd-laoshan", "x@y.cn")]
        assert con.execute("SELECT event, effective, from_parent, to_parent FROM org_events WHERE org_id = ? "
                           "ORDER BY event_id", [firm_a]).fetchall()[1:] == [
            ("moved", dt.date(2025, 10, 1), "qd-softcity", "qd-laoshan"), ("closed", dt.date(2025, 12, 31), None, None)]
    finally:
        con.close()


def test_users_create_for_register_writes_each_password_once(fresh, tmp_path):
    assert cli(tmp_path, "orgs", "import", str(DATA), db=fresh).returncode == 0
    park = cli(tmp_path, "users", "create-for-register", "--park", "qd-softcity", db=fresh)  # to stdout
    assert park.returncode == 0, park.stderr
    rows = list(csv.DictReader(io.StringIO(park.stdout)))
    assert sorted(r["username"] for r in rows) == sorted([CODE_A.lower(), CODE_B.lower()])  # the file's two there
    assert "2 account(s) created, 0 firm(s) with an account left alone" in park.stderr
    out = tmp_path / "passwords.csv"
    rest = cli(tmp_path, "users", "create-for-register", "--csv", str(out), db=fresh)
    assert rest.returncode == 0, rest.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8-sig"))))
    assert len(rows) == 8 and "8 account(s) created, 2 firm(s) with an account left alone" in rest.stderr
    assert list(rows[0]) == ["username", "org_id", "org_name", "contact_email", "password"]
    assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert counts(fresh)[2] == 10
    again = cli(tmp_path, "users", "create-for-register", db=fresh)
    assert list(csv.DictReader(io.StringIO(again.stdout))) == [] and "0 account(s) created, 10 firm(s)" in again.stderr
    assert cli(tmp_path, "users", "create-for-register", "--csv", str(out), db=fresh).returncode == 2  # never overwritten



def test_users_create_for_register_emails_the_passwords_and_lists_only_the_rest(fresh, tmp_path, monkeypatch):
    """The file's ten firms, six with a contact e-mail: six messages, each with its firm's sign-in
    name and password; the four others in the CSV; no password in the mail log."""
    assert cli(tmp_path, "orgs", "import", str(DATA), db=fresh).returncode == 0
    mailserver.no_mail(monkeypatch)
    refused = cli(tmp_path, "users", "create-for-register", "--email", db=fresh)
    assert refused.returncode == 2 and "未配置" in refused.stderr and counts(fresh)[2] == 0  # nothing created
    out = tmp_path / "rest.csv"
    with mailserver.running() as box:
        mailserver.use(monkeypatch, box.port)
        made = cli(tmp_path, "users", "create-for-register", "--email", "--csv", str(out), db=fresh)
    assert made.returncode == 0, made.stderr
    assert "10 account(s) created, 0 firm(s) with an account left alone, 6 password(s) e-mailed, 0 failed" in made.stderr
    listed = {r["org_name"]: r for r in csv.DictReader(io.StringIO(out.read_text("utf-8-sig")))}
    assert sorted(listed) == sorted(["青岛泰和信息技术有限公司", "青岛瀚海动漫游戏有限公司", "青岛海纳系统集成有限公司",
                                     "青岛锐思电子科技有限公司"])  # the four without an address
    assert box.recipients == sorted(["baogong@haichuan-soft.cn", "tongji@lanhaiyun.com.cn", "report@xingtu-net.cn",
                                     "zhengquan@hengxin-comm.com", "mingdao_tj@163.com", "lingyun@qq.com"])
    (first,) = box.to("baogong@haichuan-soft.cn")
    assert "青岛海川智能软件有限公司" in first.subject and f"用户名：{CODE_A.lower()}" in first.body
    password = first.body.split("初始密码：")[1].split()[0]
    con = connect(fresh, read_only=True)
    try:
        assert users.verify_password(con, CODE_A.lower(), password)
        logged = repr(con.execute("SELECT * FROM mail_log").fetchall() + con.execute("SELECT * FROM audit_log").fetchall())
    finally:
        con.close()
    assert password not in logged

# ---------------------------------------------------------------------------------- the page


def test_register_page_upload_plan_apply(app_db):
    at = signed_in("admin")
    at.switch_page("pages/register.py").run()
    assert not at.exception and at.header[0].value == "报送单位名录"
    at.file_uploader(key="register-upload").set_value(("名录.csv", DATA.read_bytes(), "text/csv")).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["新增"] == "10"
    (apply,) = [b for b in at.button if b.key == "register-apply"]
    apply.click().run()
    assert not at.exception
    assert any("已写入" in s.value and "新增 10 家" in s.value for s in at.success)
    assert {m.label: m.value for m in at.metric}["不变"] == "10"  # the same file again: nothing left to load
    assert not [b for b in at.button if b.key == "register-apply"]
    assert any("已写入" in s.value for s in at.success)  # the confirmation stays


def test_register_page_shows_a_bad_files_problems_and_no_apply_button(app_db):
    at = signed_in("admin")
    at.switch_page("pages/register.py").run()
    data = csv_bytes([["青岛甲软件有限公司", broken(CODE_A), "[x](http://evil)", "", "", ""]])
    at.file_uploader(key="register-upload").set_value(("bad.csv", data, "text/csv")).run()
    assert not at.exception
    (table,) = at.table
    frame = table.value.reset_index()
    reasons = " ".join(str(v) for v in frame.iloc[:, -1])
    assert "统一社会信用代码无效" in reasons and "未知的园区或区县" in reasons
    assert any("未写入任何内容" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "register-apply"]
    assert not at.metric
    assert escape("[x](http://evil)") in [str(v) for v in frame.iloc[:, 3]]  # the file's text, escaped: not a link


def test_register_page_records_an_event_and_offers_new_passwords_once(app_db):
    at = signed_in("admin")
    at.switch_page("pages/register.py").run()
    firm = at.selectbox(key="register-firm").value
    at.selectbox(key="register-event").set_value("moved").run()
    at.selectbox(key="register-event-to").set_value("qd-licang").run()
    at.button(key="register-event-record").click().run()
    assert not at.exception
    assert any("已为" in s.value and "迁移到其他园区或区县" in s.value for s in at.success)
    events = at.dataframe[-1].value  # the firm's events, newest included
    assert events["迁入"].tolist()[-1] == "青岛市李沧区" and events["录入人"].tolist()[-1] == "admin"
    assert at.selectbox(key="register-firm").value == firm

    at.selectbox(key="register-accounts-scope").set_value("qd-softcity").run()
    at.button(key="register-accounts-create").click().run()
    assert not at.exception
    (created,) = [s.value for s in at.success if "新建" in s.value]
    assert "已有账号的 1 家企业保持不变" in created  # the demo's enterprise user
    assert [w for w in at.warning if "加盐哈希" in w.value]
    assert "下载初始密码（CSV，仅此一次）" in downloads(at)  # the passwords, offered
    at.button(key="register-accounts-discard").click().run()
    assert "下载初始密码（CSV，仅此一次）" not in downloads(at) and "下载名录（CSV）" in downloads(at)



def test_register_page_emails_passwords_to_firms_with_an_address(app_db, monkeypatch):
    """Two of 青岛软件城's firms get an address: the page e-mails those two their passwords and
    offers only the others' in its CSV."""
    from ui import queries as app_queries

    at = signed_in("admin")
    at.switch_page("pages/register.py").run()
    assert not [c for c in at.checkbox if c.key == "register-accounts-email"]  # no mail server: no such choice
    con = app_queries.cursor()
    firms = [r[0] for r in con.execute("SELECT org_id FROM orgs WHERE parent_id = 'qd-softcity' AND kind = 'enterprise' "
                                       "AND org_id NOT IN (SELECT scope_org_id FROM users WHERE scope_org_id IS NOT NULL) "
                                       "ORDER BY org_id").fetchall()]
    for n, org in enumerate(firms[:2]):
        commands.set_contact_email(con, SYSTEM, org, f"firm{n}@example.cn")
    with mailserver.running() as box:
        mailserver.use(monkeypatch, box.port)
        at.run()
        at.selectbox(key="register-accounts-scope").set_value("qd-softcity").run()
        at.checkbox(key="register-accounts-email").check().run()
        at.button(key="register-accounts-create").click().run()
    assert not at.exception
    (said,) = [s.value for s in at.success if "新建" in s.value]
    rest = len(firms) - 2
    assert f"新建 {len(firms)} 个账号" in said and f"已通过邮件发送 2 个密码，发送失败 0 个；其余 {rest} 个账号" in said
    assert box.recipients == ["firm0@example.cn", "firm1@example.cn"]
    assert "下载初始密码（CSV，仅此一次）" in downloads(at)


def test_register_page_sets_a_parks_contact_email(app_db):
    from ui import queries as app_queries

    at = signed_in("admin")
    at.switch_page("pages/register.py").run()
    at.selectbox(key="register-place").set_value("qd-softcity").run()
    at.text_input(key="register-place-email-qd-softcity").set_value("Tongji@QDSoftcity.cn").run()
    at.button(key="register-place-save").click().run()
    assert not at.exception
    assert app_queries.cursor().execute("SELECT contact_email FROM orgs WHERE org_id = 'qd-softcity'").fetchall() == [
        ("tongji@qdsoftcity.cn",)]

def downloads(at) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def test_an_xlsx_register_with_a_title_and_date_cells(registered):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年统计调查单位名录"])
    sheet.append(HEADER)
    sheet.append(["丁软件有限公司", CODE_D, "", "青岛市李沧区", "", dt.datetime(2023, 7, 1)])
    buf = io.BytesIO()
    book.save(buf)
    plan = commands.check_register(registered, SYSTEM, "名录.xlsx", buf.getvalue(), DAY)
    assert plan.problems == ()
    (added,) = plan.added
    assert (added.row, added.parent, added.effective) == (3, "qd-licang", dt.date(2023, 7, 1))
