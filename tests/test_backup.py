"""Backups: a consistent snapshot with a manifest, verification that catches any change, a restore
that keeps what it replaces, the command line, the nightly schedule and the administrators' page.

Real DuckDB files in tmp_path throughout; expected digests are computed from the source store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain import config
from domain.access import Identity, Role
from store import backup, submissions
from store.access import AuthorizationError
from store.backup import BackupError
from store.db import LATEST_VERSION, connect, table_digests
from tests import rawsql
from tests.conftest import BACKUP_KEY, demo_with_users

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Backup-test-passphrase-1"


def rows(n: int, start: int = 0) -> pd.DataFrame:
    """`n` valid observation rows for one enterprise-less figure set (quarterly staff of 青岛)."""
    return pd.DataFrame([("qingdao", "employees", 2000 + (start + i) // 4, (start + i) % 4 + 1, 1000.0 + i,
                          1000.0 + i, "人", None) for i in range(n)], columns=submissions.REQUIRED_COLUMNS)


@pytest.fixture(scope="module")
def template(tmp_path_factory, demo_db) -> Path:
    """The demo store with users, a pending submission and a review, so every table and both
    sequences have been used (built once: password hashing is slow)."""
    path = demo_with_users(demo_db, tmp_path_factory.mktemp("backup"), {"admin": PASSWORD, "leader": PASSWORD})
    con = connect(path)
    sub = submissions.write_submission(con, rows(3), actor="alice", origin="upload", status="pending")
    submissions.review_submission(con, sub, reviewer="bob", decision="returned", comment="单位有误")
    con.close()
    return path


@pytest.fixture
def source(tmp_path, template) -> Path:
    path = tmp_path / "source.duckdb"
    shutil.copy(template, path)
    return path


def digests(path: Path) -> dict[str, tuple[int, str]]:
    con = connect(path, read_only=True)
    try:
        return table_digests(con)
    finally:
        con.close()


def frame(path: Path, sql: str) -> pd.DataFrame:
    con = connect(path, read_only=True)
    try:
        return rawsql.frame(con, sql)
    finally:
        con.close()


# ------------------------------------------------------------------ snapshot and round trip


def test_a_backup_holds_every_table_and_restores_to_the_same_store(tmp_path, source):
    expected = digests(source)
    con = connect(source)
    manifest = backup.create(con, tmp_path / "b1", actor="tester")
    con.close()
    assert sorted(p.name for p in (tmp_path / "b1").iterdir()) == ["manifest.json", "manifest.sig", "store.duckdb"]
    assert {k: (v.rows, v.checksum) for k, v in manifest.tables.items()} == expected
    assert manifest.schema_version == LATEST_VERSION and manifest.created_by == "tester"
    assert manifest.files == {"store.duckdb": backup.sha256(tmp_path / "b1" / "store.duckdb")}
    # each sequence at its table's last id (ids start at 1 and none was lost); one never used has no position
    assert manifest.sequences == {"audit_seq": expected["audit_log"][0], "submission_seq": expected["submissions"][0],
                                  "mail_seq": expected["mail_log"][0] or None,
                                  "org_event_seq": expected["org_events"][0] or None,
                                  "plan_revision_seq": expected["plan_revisions"][0]}  # the shipped plans, one each
    on_disk = json.loads((tmp_path / "b1" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["tables"]["observations"]["rows"] == expected["observations"][0]
    assert backup.verify(tmp_path / "b1") == manifest

    # Into a place with no store yet: nothing to keep.
    fresh = tmp_path / "elsewhere" / "restored.duckdb"
    done = backup.restore(tmp_path / "b1", fresh, actor="tester")
    assert done.previous is None
    after = digests(fresh)  # the restore adds one audit entry and nothing else
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in expected.items() if k != "audit_log"}
    assert after["audit_log"][0] == expected["audit_log"][0] + 1
    view = "SELECT * FROM current_observations ORDER BY org_id, indicator_id, year, quarter"
    pd.testing.assert_frame_equal(frame(fresh, view), frame(source, view))
    # Ids go on from where they were: a new submission and a new audit entry get fresh numbers.
    con = connect(fresh)
    new_sub = submissions.write_submission(con, rows(1, start=40), actor="carol", origin="upload", status="accepted")
    assert new_sub == expected["submissions"][0] + 1
    assert rawsql.frame(con, "SELECT action, actor FROM audit_log ORDER BY audit_id DESC LIMIT 2").values.tolist() == [
        ["submission.accepted", "carol"], ["backup.restored", "tester"]]
    assert rawsql.scalar(con, "SELECT max(audit_id) FROM audit_log") == expected["audit_log"][0] + 2
    con.close()


def test_a_restore_keeps_the_store_it_replaces(tmp_path, source):
    con = connect(source)
    backup.create(con, tmp_path / "b1")
    submissions.write_submission(con, rows(2, start=20), actor="late", origin="upload", status="accepted")
    con.close()
    replaced = backup.sha256(source)
    later = digests(source)
    done = backup.restore(tmp_path / "b1", source, now=dt.datetime(2030, 1, 2, 3, 4, 5))
    assert done.previous == source.with_name(source.name + ".before-restore-20300102-030405")
    assert backup.sha256(done.previous) == replaced and digests(done.previous) == later
    assert digests(source)["submissions"][0] == later["submissions"][0] - 1  # the late submission is gone …
    assert not list(tmp_path.glob(".*restoring*")) and not source.with_name(source.name + ".wal").exists()


def test_a_backup_taken_while_sessions_write_is_one_consistent_moment(tmp_path, source):
    """Writers keep committing submissions of 3 rows while the backup runs on the same connection:
    the copy holds whole submissions only, its sequences lie beyond every id, and it verifies."""
    con = connect(source)
    stop = threading.Event()
    errors: list[BaseException] = []
    count = [0]

    def writer() -> None:
        try:
            while not stop.is_set():
                submissions.write_submission(con.cursor(), rows(3, start=60 + 3 * count[0]), actor="busy",
                                             origin="upload", status="accepted")
                count[0] += 1
        except BaseException as e:
            errors.append(e)

    thread = threading.Thread(target=writer)
    thread.start()
    while count[0] < 3:  # the writer is under way
        time.sleep(0.01)
    manifest = backup.create(con, tmp_path / "busy")
    stop.set()
    thread.join(timeout=60)
    assert not errors, errors
    assert count[0] > 3
    backup.verify(tmp_path / "busy")
    copy = tmp_path / "busy" / "store.duckdb"
    whole = frame(copy, """SELECT s.submission_id, s.row_count, count(o.revision) AS n FROM submissions s
                           LEFT JOIN observations o USING (submission_id) WHERE s.submitted_by = 'busy' GROUP BY ALL""")
    assert len(whole) >= 3 and (whole.n == whole.row_count).all() and set(whole.row_count) == {3}
    assert manifest.sequences["submission_seq"] >= frame(copy, "SELECT max(submission_id) AS m FROM submissions").m[0]
    con.close()


# ---------------------------------------------------------------------------- verification


@pytest.fixture
def made(tmp_path, source) -> Path:
    con = connect(source)
    backup.create(con, tmp_path / "b")
    con.close()
    return tmp_path / "b"


def shown(body: str) -> str:
    """A markdown body as read: backslash escapes of punctuation (ui/text.py) undone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body)


def flip_a_byte(path: Path) -> None:
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))


def _edit_manifest(folder: Path, change, resign: bool = True) -> None:
    """Change the manifest; re-signed with the right key (as only its owner could), so that the
    checks behind the signature are what is tested."""
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    if resign:
        backup.sign(folder, BACKUP_KEY.encode())


@pytest.mark.parametrize("damage, words", [
    ("flip a byte", "sha256 differs"),
    ("drop the store", "store.duckdb is missing"),
    ("add a file", "notes.txt is not listed"),
    ("claim another row", r"table observations: \d+ rows, expected \d+"),
    ("claim another checksum", "content checksum"),
    ("another sequence position", "sequences"),
    ("garble the manifest", "not a valid manifest"),
    ("no manifest", "has no manifest.json"),
])
def test_verify_finds_any_change(made, damage, words):
    store = made / "store.duckdb"
    match damage:
        case "flip a byte":
            flip_a_byte(store)
        case "drop the store":
            store.unlink()
        case "add a file":
            (made / "notes.txt").write_text("x", encoding="utf-8")
        case "claim another row":
            _edit_manifest(made, lambda d: d["tables"]["observations"].update(rows=d["tables"]["observations"]["rows"] + 1))
        case "claim another checksum":
            _edit_manifest(made, lambda d: d["tables"]["settings"].update(checksum="12345"))
        case "another sequence position":
            _edit_manifest(made, lambda d: d["sequences"].update(submission_seq=1))
        case "garble the manifest":
            (made / "manifest.json").write_text("{not json", encoding="utf-8")
        case "no manifest":
            (made / "manifest.json").unlink()
    with pytest.raises(BackupError, match=words):
        backup.verify(made)


def test_restore_verifies_first_and_touches_nothing_on_failure(tmp_path, made, source):
    _edit_manifest(made, lambda d: d["tables"]["users"].update(rows=0))
    before = backup.sha256(source)
    with pytest.raises(BackupError, match="users"):
        backup.restore(made, source)
    assert backup.sha256(source) == before
    assert sorted(p.name for p in source.parent.iterdir() if p.name.startswith(source.name)) == [source.name]


def test_a_backup_from_a_newer_release_is_not_restored(tmp_path, source):
    con = connect(source)
    con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [LATEST_VERSION + 1])
    con.close()
    con = backup.open_source(source)  # a backup can still be taken of such a store
    backup.create(con, tmp_path / "newer")
    con.close()
    target = tmp_path / "target.duckdb"
    with pytest.raises(BackupError, match="newer than this release") as refused:
        backup.restore(tmp_path / "newer", target)
    assert refused.value.kind == "newer" and not target.exists()


@pytest.fixture
def held(source):
    """Another process with the store open, as the running app has it."""
    proc = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                             "print('open', flush=True); sys.stdin.read()", str(source)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    yield proc
    proc.stdin.close()
    proc.wait(timeout=30)


def test_a_store_in_use_is_not_replaced(tmp_path, made, source, held):
    before = backup.sha256(source)
    with pytest.raises(BackupError, match=f"in use by another process \\(PID {held.pid}\\)") as refused:
        backup.restore(made, source)
    assert refused.value.kind == "locked" and "stop the service first" in str(refused.value)
    assert backup.sha256(source) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((source.name, "." + source.name))) == [
        source.name]


# ------------------------------------------------------------------------------- signature


def forge(folder: Path, password_hash: str = "$2b$12$" + "x" * 53) -> None:
    """What an intruder who can write the backup directory (but not read the key) does: change an
    administrator's password hash in the backed-up store, then compute the manifest again with the
    product's own code, so that every checksum, row count and sha256 matches."""
    store = folder / "store.duckdb"
    con = connect(store)
    con.execute("UPDATE users SET password_hash = ? WHERE username = 'admin'", [password_hash])
    con.close()
    manifest = backup.read_manifest(folder)
    _, tables, sequences, _ = backup._read_store(store)
    forged = manifest.model_copy(update={"tables": tables, "sequences": sequences,
                                         "files": {"store.duckdb": backup.sha256(store)}})
    backup._write_manifest(folder / "manifest.json", forged)


def assert_forgery_is_otherwise_perfect(folder: Path) -> None:
    """Without its signature the forged backup passes every other check: only the key stops it."""
    manifest = backup.read_manifest(folder)
    assert backup.sha256(folder / "store.duckdb") == manifest.files["store.duckdb"]
    assert backup._store_problems(folder / "store.duckdb", manifest) == []


@pytest.mark.parametrize("signature, words", [
    ("left as it was", "signature does not match"),
    ("removed", "has no signature .*--trust-unsigned"),
    ("made with a key of the intruder's own", "signed with another key"),
    ("copied key id, made-up value", "signature does not match"),
    ("garbled", "manifest.sig is not a signature"),
    ("another algorithm", "algorithm 'sha256'"),
])
def test_an_edited_backup_with_a_recomputed_manifest_is_refused(tmp_path, made, source, signature, words):
    forge(made)
    sig = made / "manifest.sig"
    original = json.loads(sig.read_text(encoding="ascii"))
    match signature:
        case "removed":
            sig.unlink()
        case "made with a key of the intruder's own":
            backup.sign(made, b"intruder-key-" + b"i" * 40)
        case "copied key id, made-up value":
            sig.write_text(json.dumps({**original, "signature": "0" * 64}), encoding="ascii")
        case "garbled":
            sig.write_text("{", encoding="ascii")
        case "another algorithm":
            sig.write_text(json.dumps({**original, "algorithm": "sha256"}), encoding="ascii")
    assert_forgery_is_otherwise_perfect(made)
    with pytest.raises(BackupError, match=words):
        backup.verify(made)
    before = backup.sha256(source)
    with pytest.raises(BackupError, match=words):
        backup.restore(made, source)
    assert backup.sha256(source) == before  # the store is untouched, nothing set aside, no copy left
    assert sorted(p.name for p in tmp_path.iterdir() if source.name in p.name) == [source.name]
    elsewhere = tmp_path / "drill" / "restored.duckdb"
    with pytest.raises(BackupError, match=words):
        backup.restore(made, elsewhere)
    assert not elsewhere.parent.exists() or not any(elsewhere.parent.iterdir())


def test_the_app_lists_a_forged_backup_as_refused(tmp_path, source):
    base = tmp_path / "backups"
    con = connect(source)
    good, _ = backup.create_in(con, base, now=dt.datetime(2024, 1, 1, 2, 30))
    bad, _ = backup.create_in(con, base, now=dt.datetime(2024, 1, 2, 2, 30))
    forge(bad)
    from service import queries

    admin = Identity(username="admin", display_name="admin", role=Role.ADMIN)
    checked = queries.verify_backups(con, admin, base)
    con.close()
    assert checked[good.name] is None and "signature does not match" in checked[bad.name]


def test_an_unsigned_backup_is_accepted_only_knowingly_and_the_restore_says_so(tmp_path, made):
    (made / "manifest.sig").unlink()  # as a backup made before backups were signed
    with pytest.raises(BackupError, match="--trust-unsigned") as refused:
        backup.verify(made)
    assert refused.value.kind == "unsigned"
    assert backup.verify(made, trust_unsigned=True) == backup.read_manifest(made)
    target = tmp_path / "restored.duckdb"
    with pytest.raises(BackupError, match="--trust-unsigned"):
        backup.restore(made, target)
    assert not target.exists()
    backup.restore(made, target, actor="ops", trust_unsigned=True)
    row = frame(target, "SELECT actor, detail FROM audit_log WHERE action = 'backup.restored'")
    assert list(row.actor) == ["ops"]
    assert json.loads(row.detail[0])["signature"] == "none: accepted as trusted by the operator"
    # A forged one stays refused even with the flag: only a missing signature can be trusted.
    forge(made)
    backup.sign(made, b"intruder-key-" + b"i" * 40)
    with pytest.raises(BackupError, match="signed with another key"):
        backup.verify(made, trust_unsigned=True)


def test_the_key_stays_outside_the_backup(tmp_path, made, backup_key):
    for path in made.iterdir():
        assert backup_key.encode() not in path.read_bytes(), path.name
    assert json.loads((made / "manifest.sig").read_text(encoding="ascii"))["key_id"] == backup.key_id(
        backup_key.encode())


def test_without_a_configured_key_one_is_generated_by_the_first_backup_only(tmp_path, source, monkeypatch):
    monkeypatch.delenv("TRACKER_BACKUP_KEY")
    key_file = tmp_path / "secrets" / "backup_key"
    monkeypatch.setattr(config, "BACKUP_KEY_FILE", key_file)
    con = connect(source)
    backup.create(con, tmp_path / "b" / "first")
    with pytest.raises(BackupError, match="inside the backups' directory"):  # a key among the backups signs nothing
        monkeypatch.setattr(config, "BACKUP_KEY_FILE", tmp_path / "backups" / "key")
        backup.create_in(con, tmp_path / "backups")
    con.close()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600" and len(key_file.read_bytes()) >= 32
    monkeypatch.setattr(config, "BACKUP_KEY_FILE", key_file)
    backup.verify(tmp_path / "b" / "first")
    monkeypatch.setattr(config, "BACKUP_KEY_FILE", tmp_path / "elsewhere" / "backup_key")  # another machine
    with pytest.raises(BackupError, match="no backup key on this machine"):
        backup.verify(tmp_path / "b" / "first")
    assert not (tmp_path / "elsewhere").exists()  # a verify never makes a key
    monkeypatch.setenv("TRACKER_BACKUP_KEY", key_file.read_text(encoding="ascii"))  # the key carried over
    backup.verify(tmp_path / "b" / "first")


# ---------------------------------------------------------------------------- command line


def manage(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_DB": str(db.with_name("never-used.duckdb")), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "manage.py", *args, "--db", str(db), "--user", "ops"], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_backup_verify_restore_from_the_command_line(tmp_path, source):
    expected = digests(source)
    made = manage("backup", str(tmp_path / "cli"), db=source)
    assert made.returncode == 0, made.stderr
    n = expected["observations"][0]
    assert made.stdout.startswith(f"backup written to {tmp_path / 'cli'}: ") and f"{n} observations" in made.stdout
    assert backup.read_manifest(tmp_path / "cli").created_by == "ops"
    checked = manage("verify", str(tmp_path / "cli"), db=source)
    assert checked.returncode == 0 and "is intact" in checked.stdout
    assert manage("backup", str(tmp_path / "cli"), db=source).stderr.startswith("error: ")  # never over a backup
    restored = manage("restore", str(tmp_path / "cli"), db=tmp_path / "new.duckdb")
    assert restored.returncode == 0, restored.stderr
    assert {k: v for k, v in digests(tmp_path / "new.duckdb").items() if k != "audit_log"} == {
        k: v for k, v in expected.items() if k != "audit_log"}
    flip_a_byte(tmp_path / "cli" / "store.duckdb")
    broken = manage("verify", str(tmp_path / "cli"), db=source)
    assert broken.returncode == 2 and "sha256 differs" in broken.stderr and "Traceback" not in broken.stderr


def test_the_command_line_refuses_a_forged_backup_and_trusts_an_unsigned_one_only_when_told(tmp_path, made):
    forge(made)
    refused = manage("verify", str(made), db=made.parent / "x.duckdb")
    assert refused.returncode == 2 and "signature does not match" in refused.stderr
    assert "Traceback" not in refused.stderr
    restored = manage("restore", str(made), db=made.parent / "x.duckdb")
    assert restored.returncode == 2 and "signature does not match" in restored.stderr
    assert not (made.parent / "x.duckdb").exists()
    (made / "manifest.sig").unlink()
    unsigned = manage("verify", str(made), db=made.parent / "x.duckdb")
    assert unsigned.returncode == 2 and "--trust-unsigned" in unsigned.stderr
    trusted = manage("verify", str(made), "--trust-unsigned", db=made.parent / "x.duckdb")
    assert trusted.returncode == 0 and "is intact" in trusted.stdout and "no signature" in trusted.stderr


def test_the_command_line_points_to_the_app_while_it_runs(tmp_path, source, held):
    done = manage("backup", str(tmp_path / "while-running"), db=source)
    assert done.returncode == 2
    assert f"in use by another process (PID {held.pid})" in done.stderr and "备份 / Backup" in done.stderr
    assert "TRACKER_BACKUP_DIR" in done.stderr and not (tmp_path / "while-running").exists()
    refused = manage("restore", str(tmp_path / "anything"), db=source)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


# --------------------------------------------------------------------- nightly and retention


def test_the_schedule_comes_from_the_environment():
    assert backup.schedule_from_env({}) is None
    plan = backup.schedule_from_env({"TRACKER_BACKUP_DIR": "/b"})
    assert plan == backup.Schedule(Path("/b"), dt.time(2, 30), 14)
    plan = backup.schedule_from_env({"TRACKER_BACKUP_DIR": "/b", "TRACKER_BACKUP_AT": "23:05",
                                     "TRACKER_BACKUP_KEEP": "3"})
    assert plan == backup.Schedule(Path("/b"), dt.time(23, 5), 3)
    for bad in ({"TRACKER_BACKUP_AT": "midnight"}, {"TRACKER_BACKUP_KEEP": "0"}, {"TRACKER_BACKUP_KEEP": "x"}):
        with pytest.raises(backup.StoreError, match=next(iter(bad))):
            backup.schedule_from_env({"TRACKER_BACKUP_DIR": "/b", **bad})


def test_next_run_is_the_next_occurrence_of_the_time():
    at = dt.time(2, 30)
    assert backup.next_run(dt.datetime(2024, 5, 1, 1, 0), at) == dt.datetime(2024, 5, 1, 2, 30)
    assert backup.next_run(dt.datetime(2024, 5, 1, 2, 30), at) == dt.datetime(2024, 5, 2, 2, 30)
    assert backup.next_run(dt.datetime(2024, 12, 31, 23, 0), at) == dt.datetime(2025, 1, 1, 2, 30)


def test_only_the_newest_backups_are_kept(tmp_path, source):
    base = tmp_path / "backups"
    (base / "20000101-000000.partial").mkdir(parents=True)  # left by an interrupted backup
    (base / "keep-me").mkdir()  # not ours: never touched
    con = connect(source)
    made = [backup.create_in(con, base, keep=2, now=dt.datetime(2024, 1, day, 2, 30))[0] for day in (1, 2, 3)]
    con.close()
    assert [p.name for p in made] == ["20240101-023000", "20240102-023000", "20240103-023000"]
    assert sorted(p.name for p in base.iterdir()) == ["20240102-023000", "20240103-023000", "keep-me"]
    assert [e.path.name for e in backup.backups(base)] == ["20240103-023000", "20240102-023000"]


def test_the_nightly_thread_makes_a_backup_at_its_time(tmp_path, source):
    con = connect(source)
    soon = (dt.datetime.now() + dt.timedelta(seconds=2)).time().replace(microsecond=0)
    stop = threading.Event()
    thread = backup.start_nightly(con, backup.Schedule(tmp_path / "nightly", soon, 5), stop)
    deadline = time.monotonic() + 60
    while not backup.backups(tmp_path / "nightly") and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    thread.join(timeout=60)
    con.close()
    (entry,) = backup.backups(tmp_path / "nightly")
    assert entry.manifest.created_by == "nightly-backup"
    backup.verify(entry.path)
    assert not thread.is_alive()


# ------------------------------------------------------------------------------ in the app


def test_an_administrator_backs_up_from_the_app(tmp_path, source, app_store, monkeypatch):
    base = tmp_path / "app-backups"
    monkeypatch.setenv("TRACKER_BACKUP_DIR", str(base))
    monkeypatch.setenv("TRACKER_BACKUP_AT", "03:00")
    monkeypatch.setenv("TRACKER_BACKUP_KEEP", "7")
    app_store(source)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    fields = {w.label: w for w in at.text_input}
    fields["用户名"].input("admin")
    fields["密码"].input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/backup.py").run()
    assert [h.value for h in at.header] == ["备份"]
    # (markdown elements: the parameters arrive escaped, 03\:00, and read 03:00 — see tests/test_text.py)
    assert "每天 03:00" in shown(at.info[0].value) and "保留最近 7 份" in shown(at.info[0].value)
    assert "暂无备份" in " ".join(i.value for i in at.info)
    (now,) = [b for b in at.button if b.label == "立即备份"]
    now.click().run()
    assert not at.exception, [e.value for e in at.exception]
    (entry,) = backup.backups(base)
    assert entry.manifest.created_by == "admin"
    n = entry.manifest.tables["observations"].rows
    assert shown(at.success[0].value) == f"备份 {entry.path.name} 已写入并校验通过：{n} 条数据。"
    table = at.dataframe[0].value
    assert list(table["备份"]) == [entry.path.name] and list(table["状态"]) == ["未校验"]
    (check,) = [b for b in at.button if b.label == "校验全部备份"]
    check.click().run()
    assert list(at.dataframe[0].value["状态"]) == ["完好"]
    from ui import queries

    log = rawsql.frame(queries.cursor(), "SELECT actor, action, object FROM audit_log WHERE action = 'backup.created'")
    assert log.values.tolist() == [["admin", "backup.created", str(entry.path)]]


def test_only_administrators_see_or_make_backups(tmp_path, source, app_store):
    path = app_store(source)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    fields = {w.label: w for w in at.text_input}
    fields["用户名"].input("leader")
    fields["密码"].input(PASSWORD)
    at.form_submit_button[0].click().run()
    assert not at.exception
    offered = {Path(i["script_path"]).name for i in at._registered_pages.values() if i.get("script_path")}
    assert "backup.py" not in offered and "overview.py" in offered
    from ui import queries, services

    leader = Identity(username="leader", display_name="leader", role=Role.LEADER)
    for action in (queries.backups, services.backup_now, queries.verify_backups):
        with pytest.raises(AuthorizationError):
            action(leader)
    assert not (path.parent / "backups").exists()
