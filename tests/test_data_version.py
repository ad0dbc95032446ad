"""The data version the app's caches are keyed by (store/audit.py): a write that changes what pages
show raises it; a sign-in, a refusal, an ended session leave it alone (under load they are most of
the log, and each used to empty every session's caches); the users list, which shows sign-in
counters, follows every audit row. A process's watermark reads only the log's newest rows and
gives what a full read gives, a write that commits just below the newest id seen included."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from domain.access import SYSTEM, Role
from service import commands
from store import access, audit, sessions, users
from tests import rawsql
from tests.apptest_helpers import APP_PASSWORD
from tests.conftest import open_copy

KEY = "k" * 48
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def con(tmp_path, users_template):
    yield from open_copy(users_template, tmp_path / "version.duckdb")


QUIET: dict[str, Callable] = {  # what it does: leaves the figures, catalog, organisations and users alone
    "login.ok": lambda con: users.sign_in(con, "leader", APP_PASSWORD, HOUR, KEY),
    "login.failed": lambda con: users.record_failed_attempt(con, "reviewer"),
    "login.locked + session.revoked": lambda con: [users.record_failed_attempt(con, "admin")
                                                   for _ in range(users.MAX_FAILED_ATTEMPTS)],
    "access.denied": lambda con: access.note_denied(con, users.identity(con, "park-softcity"), "read", ["qd-laoshan"]),
    "session.revoked": lambda con: sessions.revoke(con, "leader", "leader", "sign_out"),
    "login.sso_refused": lambda con: users.record_sso_refused(con, "who@example.org", "unknown", "idp"),
}

DATA: dict[str, Callable] = {  # the audit action of a write that changes something a page shows
    "user.add": lambda con: users.add_user(con, SYSTEM, "carol", "Carol", Role.LEADER, password=APP_PASSWORD),
    "user.disable": lambda con: users.set_disabled(con, SYSTEM, "reviewer", True),
    "settings.report_deadline_days": lambda con: commands.set_report_deadline(con, users.identity(con, "admin"), 20),
    "something.new": lambda con: audit.record(con, "system", "something.new", "x"),  # any action not named quiet
}


def newest(con) -> int:
    return int(rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log"))


@pytest.mark.parametrize("action", QUIET)
def test_sign_ins_and_refusals_leave_the_data_version(con, action):
    version, rows = audit.data_version(con), newest(con)
    QUIET[action](con)
    assert newest(con) > rows  # it was audited
    assert audit.data_version(con) == version
    assert audit.audit_version(con) == newest(con)  # the users list's key moved


@pytest.mark.parametrize("action", DATA)
def test_a_write_raises_the_data_version_to_its_audit_row(con, action):
    version = audit.data_version(con)
    DATA[action](con)
    written = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log WHERE action = ?", [action])
    assert audit.data_version(con) == written > version  # (disabling also ends sessions: a quiet row after it)


def test_a_watermark_gives_what_a_full_read_gives(con):
    mark = audit.Watermark()
    steps = [QUIET["login.ok"], DATA["user.add"], QUIET["access.denied"], QUIET["login.failed"],
             DATA["settings.report_deadline_days"], QUIET["session.revoked"]]
    assert audit.data_version(con, mark) == audit.data_version(con)
    for step in steps:
        step(con)
        assert audit.data_version(con, mark) == audit.data_version(con)
    assert mark.seen == newest(con)


def test_a_write_committed_below_the_newest_id_seen_still_counts(con):
    mark = audit.Watermark()
    early = int(rawsql.scalar(con, "SELECT nextval('audit_seq')"))  # a write that took its id first …
    QUIET["login.ok"](con)                                             # … a sign-in commits after it
    before = audit.data_version(con, mark)
    assert mark.seen > early > before
    con.execute("INSERT INTO audit_log (audit_id, actor, action) VALUES (?, 'admin', 'user.add')", [early])
    assert audit.data_version(con, mark) == early  # … and the write lands: the next look counts it


def test_a_submission_waiting_for_review_leaves_the_figures_version_until_it_is_accepted(con, catalog):
    """The judgments are keyed by the figures version: a send waiting for review moves the data
    version (the review queue shows it) but not the figures version; accepting it moves both."""
    from tests.test_submitter import REVIEWER, send

    mark = audit.Watermark()
    data, figures = audit.data_version(con), audit.figures_version(con, mark)
    assert figures == data  # the template's newest data write is no pending submission
    submission_id = send(con, catalog, [["hz-binjiang", "2015Q4", "land_area", "5000", "m²"]])
    pending = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log WHERE action = 'submission.pending'")
    assert audit.data_version(con) == pending > data
    assert audit.figures_version(con) == audit.figures_version(con, mark) == figures
    commands.review(con, REVIEWER, submission_id, "accepted", None)
    accepted = rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log WHERE action = 'review.accepted'")
    assert audit.figures_version(con) == audit.figures_version(con, mark) == audit.data_version(con) == accepted
