"""Same answer for an unknown organisation and a forbidden one (issue 16, item 7).

A park manager or an enterprise must not learn which parks and firms are registered by trying
names: another park in the URL and an id that is no park give the same page; an upload naming
another park's firm and one naming nobody get the same problem. The forbidden attempt still
leaves an access.denied row in the audit log (store-level cases: tests/test_access.py).
"""

from __future__ import annotations

import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from tests import rawsql
from tests.apptest_helpers import signed_in

OTHER_PARK = "qd-infovalley"
NO_PARK = "qd-no-such-park"
ANSWER = "未知园区或无权查看该园区的企业数据。"


def app_cursor():
    """The running app's own connection (DuckDB refuses a second one of another kind in-process)."""
    from ui import queries

    return queries.cursor()


def last_audit() -> int:
    return int(rawsql.scalar(app_cursor(), "SELECT max(audit_id) FROM audit_log"))


def denials_after(since: int) -> list[tuple[str, str]]:
    return [tuple(r) for r in rawsql.frame(app_cursor(), "SELECT actor, object FROM audit_log WHERE audit_id > ? "
                                                         "AND action = 'access.denied' ORDER BY audit_id", [since]).values]


def page_as_seen(at: AppTest) -> dict[str, list]:
    """Everything a reader of the main area could compare: texts of every kind, tables, widgets."""
    kinds = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success", "text")
    seen = {kind: [e.value for e in getattr(at, kind)] for kind in kinds}
    seen["dataframes"] = [d.value.shape for d in at.dataframe]
    seen["selectboxes"] = [(s.label, list(s.options)) for s in at.selectbox]
    seen["metrics"] = [(m.label, m.value) for m in at.metric]
    return seen


@pytest.mark.parametrize("page", ["pages/park.py", "pages/incentives.py"])
def test_another_park_and_no_park_in_the_url_look_the_same(app_db, page):
    answers = {}
    for park in (OTHER_PARK, NO_PARK):
        at = signed_in("park-softcity", state={"plan_id": "qingdao-2012"})
        since = last_audit()
        at.switch_page(page)
        at.query_params["park"] = park
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        answers[park] = page_as_seen(at)
        assert ANSWER in answers[park]["error"]
        assert not at.dataframe
        if park == OTHER_PARK:  # the administrator still sees the attempt
            assert ("park-softcity", OTHER_PARK) in denials_after(since)
    assert answers[OTHER_PARK] == answers[NO_PARK]


def test_a_leader_gets_the_same_answer_for_an_id_that_is_no_park(app_db):
    at = signed_in("leader")
    at.switch_page("pages/park.py")
    at.query_params["park"] = NO_PARK
    at.run()
    assert not at.exception and ANSWER in [e.value for e in at.error] and not at.dataframe


UPLOAD_SCRIPT = """
import streamlit as st
from domain.access import Identity, Role
from ui import entry, services

who = Identity(username="park-softcity", display_name="p", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
checked = entry.checked_or_refused(lambda: services.check_file(who, "upload.csv", st.session_state["data"]), "zh")
if checked is not None:
    entry.submit_checked(checked, who, "upload", "", "zh")
"""


def upload(org: str) -> AppTest:
    at = AppTest.from_string(textwrap.dedent(UPLOAD_SCRIPT), default_timeout=60)
    at.session_state["data"] = f"org,period,indicator,value,unit\n{org},2015Q3,software_revenue,100,万元\n".encode()
    return at.run()


def test_an_upload_naming_another_parks_firm_reads_like_one_naming_nobody(app_db):
    upload("warm-up")  # opens the app's connection
    firm, name = rawsql.first(app_cursor(), "SELECT org_id, name_zh FROM orgs WHERE kind = 'enterprise' "
                                            "AND parent_id = ? ORDER BY org_id LIMIT 1", [OTHER_PARK])
    seen = {}
    for typed in (firm, name, "ent-no-such-firm", "没有这家企业有限公司"):
        since = last_audit()
        at = upload(typed)
        assert not at.exception, [e.value for e in at.exception]
        (table,) = at.table
        rows = table.value.reset_index()
        # everything but the cell as typed: the severity, row, column and reason
        seen[typed] = (rows.drop(columns=["填报值"]).values.tolist(), [e.value for e in at.error])
        assert "未知单位或无权为该单位填报" in rows["判断依据"].iloc[0]
        assert (("park-softcity", firm) in denials_after(since)) == (typed in (firm, name))
    assert len({repr(v) for v in seen.values()}) == 1, seen
