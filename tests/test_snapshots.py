"""Published snapshots (store/snapshots.py): publish, current, prune, a reader's switching, the
writer's publisher thread and spooled refusals — real DuckDB files in tmp_path, no Streamlit."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from domain.access import SYSTEM, Identity, Role
from store import access, sessions, snapshots, sql, users
from store.audit import data_version, record
from store.db import connect


def rows(con, table: str = "audit_log") -> int:
    return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("method", ["file", "copy"])
def test_publish_makes_a_current_read_only_copy_at_the_data_version(store, tmp_path, method):
    folder = tmp_path / "snaps"
    record(store, "test", "test.write")  # in the write-ahead log until a checkpoint
    snap = snapshots.publish(store, folder, method=method)
    assert snapshots.current(folder) == snap
    assert snap.version == data_version(store)
    assert sorted(p.name for p in folder.iterdir()) == sorted([snapshots.CURRENT, snap.path.name])
    con = connect(snap.path, read_only=True)
    try:
        assert sql.read_only(con) and not sql.read_only(store)
        assert rows(con) == rows(store)
        assert data_version(con) == snap.version
    finally:
        con.close()
    # A write after it is in the next snapshot, not in this one: one more audit row.
    record(store, "test", "test.write")
    later = snapshots.publish(store, folder, method=method)
    assert later.version == snap.version + 1 and later.path != snap.path
    assert snapshots.current(folder) == later


def test_no_snapshot_yet(tmp_path):
    assert snapshots.current(tmp_path) is None


def test_prune_keeps_the_newest_and_an_open_snapshot_stays_readable(store, tmp_path):
    folder = tmp_path / "snaps"
    first = snapshots.publish(store, folder, keep=2)
    held = connect(first.path, read_only=True)  # a reader still serving the first one
    made = [first]
    for _ in range(3):
        record(store, "test", "test.write")
        made.append(snapshots.publish(store, folder, keep=2))
    left = sorted(p.name for p in folder.glob("snapshot-*"))
    assert left == sorted(s.path.name for s in made[-2:])
    assert not first.path.exists()
    assert data_version(held) == first.version  # deleted, but open: still read (Linux)
    held.close()
    (folder / "snapshot-1.partial").write_bytes(b"left by a crash")
    assert snapshots.prune(folder, keep=2) == [folder / "snapshot-1.partial"]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_follower_switches_between_runs_and_closes_the_old_connection_after_the_grace(store, tmp_path):
    folder = tmp_path / "snaps"
    clock = Clock()
    follower = snapshots.Follower(folder, clock=clock, stat_every=1.0, grace=60.0)
    assert follower.refresh() is None and follower.connection() is None  # nothing published yet
    first = snapshots.publish(store, folder)
    clock.now += 1.0
    assert follower.refresh() == first
    old = follower.connection()
    record(store, "test", "test.write")
    second = snapshots.publish(store, folder)
    clock.now += 0.5  # within a second of the last look: no stat, the same snapshot
    assert follower.refresh() == first and follower.connection() is old
    clock.now += 0.5
    assert follower.refresh() == second
    new = follower.connection()
    assert data_version(new) == first.version + 1
    assert data_version(old) == first.version  # a run still on the old one carries on
    clock.now += 59.0
    follower.refresh()
    assert data_version(old) == first.version  # within the grace period
    clock.now += 1.0
    follower.refresh()
    with pytest.raises(Exception, match="closed"):
        old.execute("SELECT 1")
    follower.close()


def test_the_publisher_publishes_at_start_and_after_a_write(store, tmp_path):
    folder = tmp_path / "snaps"
    stop = threading.Event()
    thread = snapshots.start_publisher(store, folder, every=0.5, stop=stop, poll=0.05)
    try:
        first = wait_for(lambda: snapshots.current(folder))
        assert first.version == data_version(store)
        record(store, "test", "test.write")
        later = wait_for(lambda: (s := snapshots.current(folder)) is not None and s.version > first.version and s)
        assert later.version == first.version + 1
    finally:
        stop.set()
        thread.join(timeout=10)


def test_the_publisher_follows_sessions_issued_and_ended(store, tmp_path):
    """Neither issuing a session (a sign-in) nor ending one moves the data version, yet a reader
    checks cookies against its snapshot: the publisher follows both."""
    users.add_user(store, SYSTEM, "chief", "Chief", Role.ADMIN, password="pw-publisher-test-1")
    folder = tmp_path / "snaps"
    stop = threading.Event()
    thread = snapshots.start_publisher(store, folder, every=0.2, stop=stop, poll=0.05)

    def in_snapshot() -> int:
        snap = snapshots.current(folder)
        if snap is None:
            return -1
        con = connect(snap.path, read_only=True)
        try:
            return rows(con, "sessions")
        finally:
            con.close()

    try:
        wait_for(lambda: in_snapshot() == 0)
        before = data_version(store)
        sessions.issue(store, "chief", dt.timedelta(hours=1), "k" * 32)
        wait_for(lambda: in_snapshot() == 1)
        sessions.revoke(store, "chief", "test", "sign_out")
        wait_for(lambda: in_snapshot() == 0)
        assert data_version(store) == before
    finally:
        stop.set()
        thread.join(timeout=10)


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.05)
    return value


def test_a_refusal_on_a_reader_is_spooled_and_imported_by_the_writer(store, tmp_path, monkeypatch):
    folder = tmp_path / "snaps"
    monkeypatch.setenv("TRACKER_SNAPSHOT_DIR", str(folder))
    users.create_demo_users(store)
    token = sessions.issue(store, "leader", dt.timedelta(hours=1), "k" * 48)
    snap = snapshots.publish(store, folder)
    reader = connect(snap.path, read_only=True)
    who = Identity(username="nosy", role=Role.ENTERPRISE, scope_org_id="nowhere", display_name="Nosy")
    try:
        with pytest.raises(access.AuthorizationError):
            access.require_admin(reader, who, "list users")
        # A cookie sign-in on a reader skips its last-seen touch instead of failing.
        assert sessions.resume(reader, token, "k" * 48, touch=True) == "leader"
    finally:
        reader.close()
    before = rows(store)
    assert snapshots.import_spool(store, folder) == 1
    assert rows(store) == before + 1
    actor, action, obj = store.execute(
        "SELECT actor, action, object FROM audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()
    assert (actor, action, obj) == ("nosy", "access.denied", "users")
    assert snapshots.import_spool(store, folder) == 0  # imported once only
