"""Operations: a killed import loses nothing, sessions read while others write, a damaged or newer
store is refused at start with a clear message, and the deployment examples refer to real things.

All on real DuckDB files in tmp_path; the crash test kills a real `manage.py import` process.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM, Identity, Role
from domain.periods import Period
from service.queries import plan_progress
from store import ingest
from store.db import Con, StoreError, connect, table_digests
from store.schema import LATEST_VERSION
from tests import rawsql
from tests.browser import CHROMIUM, CHROMIUM_ARGS, browser, idle, screenshot, sign_in, streamlit_server

ROOT = Path(__file__).resolve().parents[1]
ADMIN = Identity(username="ops-test", display_name="ops-test", role=Role.ADMIN)


def digests(db: Path) -> dict[str, tuple[int, str]]:
    """Every table's row count and content checksum, opening the store as the app does
    (read-write: a log left by a killed process is replayed here)."""
    con = connect(db)
    try:
        return table_digests(con)
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------- 1. crash safety


@pytest.fixture(scope="module")
def big_import(tmp_path_factory: pytest.TempPathFactory, demo_db: Path) -> tuple[Path, int]:
    """Every enterprise figure of 2013–2015 that cannot be negative, submitted again as it
    stands (a bureau re-importing three years): tens of thousands of rows, all valid."""
    folder = tmp_path_factory.mktemp("crash")
    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute(
        """SELECT c.org_id, c.year || 'Q' || c.quarter, c.indicator_id, c.value, i.unit
           FROM current_observations c JOIN orgs o USING (org_id) JOIN indicators i USING (indicator_id)
           WHERE o.kind = 'enterprise' AND NOT i.allow_negative AND c.year BETWEEN 2013 AND 2015
           ORDER BY ALL""").fetchall()
    con.close()
    path = folder / "BIG.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["org", "period", "indicator", "value", "unit"])
        writer.writerows(rows)
    assert len(rows) > 30_000
    return path, len(rows)


def import_cmd(db: Path, file: Path) -> list[str]:
    return [sys.executable, "manage.py", "import", str(file), "--db", str(db), "--explanation", "re-import"]


def kill_during(db: Path, file: Path, stage: str, delay: float) -> list[str]:
    """Run the import, SIGKILL it `delay` seconds after it reports `stage`; its stderr lines."""
    env = {**os.environ, "TRACKER_DB": str(db.with_name("never-used.duckdb")), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(import_cmd(db, file), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line.strip())
            if line.startswith(stage):
                if delay:
                    time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, (stage, seen)
    return seen


def test_an_import_killed_at_any_point_leaves_the_store_as_it_was_or_complete(tmp_path, demo_db, big_import):
    file, n = big_import
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_db, db)
    before = digests(db)
    committed = 0
    # Killed while validating, at the moment it starts writing, and 50 ms into the write: each time
    # the store reopens cleanly and is exactly as before — or, only for the last, holds the whole
    # submission (the kill came after the commit).
    for stage, delay in (("reading", 0.3), ("writing", 0.0), ("writing", 0.05)):
        seen = kill_during(db, file, stage, delay)
        assert seen[-1].startswith(stage)
        assert stage == "reading" or any(line.startswith(f"validated {n} rows") for line in seen), seen
        after = digests(db)  # no StoreError; a log left by the killed process is replayed here
        if after == before:
            continue
        assert delay > 0, f"a kill at {stage}+{delay}s changed the store"
        reference = tmp_path / "reference.duckdb"  # the same import run to its end on a copy
        shutil.copy(demo_db, reference)
        assert subprocess.run(import_cmd(reference, file), cwd=ROOT, capture_output=True, timeout=300).returncode == 0
        assert {k: rows for k, (rows, _) in after.items()} == {k: rows for k, (rows, _) in digests(reference).items()}
        assert after["observations"][0] == before["observations"][0] + n
        before, committed = after, committed + 1
    assert committed <= 1
    # A later import goes through whole, and its figures are the next revision of each.
    done = subprocess.run(import_cmd(db, file), cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{n} rows written" in done.stdout
    assert [line for line in done.stderr.splitlines() if line.split()[0] in ("reading", "validated", "writing")] == [
        f"reading BIG.csv ({file.stat().st_size} bytes)", f"validated {n} rows: 0 error(s), "
        + re.search(r"(\d+) warning", done.stderr).group(1) + " warning(s)", f"writing {n} rows"]
    con = connect(db)
    sub = rawsql.scalar(con, "SELECT max(submission_id) FROM submissions")
    assert rawsql.first(con, "SELECT count(*), min(revision), max(revision) FROM observations WHERE submission_id = ?",
                        [sub]) == (n, 2 + committed, 2 + committed)
    assert rawsql.scalar(con, "SELECT count(*) FROM submissions s WHERE row_count <> "
                              "(SELECT count(*) FROM observations o WHERE o.submission_id = s.submission_id)") == 0
    con.close()


@pytest.fixture
def small_disk(tmp_path, demo_db):
    """A file system of its own (tmpfs) holding a copy of the demo store with room for it and
    little more; skipped where mounting is not allowed (not root, no CAP_SYS_ADMIN)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    size = demo_db.stat().st_size + 16 * 2**20
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        shutil.copy(demo_db, disk / "store.duckdb")
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_rolls_the_import_back_and_loses_nothing(small_disk, big_import):
    file, n = big_import
    db = small_disk / "store.duckdb"
    before = digests(db)
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    with filler.open("wb") as f:  # leave 1 MB: far less than the import's log needs
        f.truncate(0)
        os.posix_fallocate(f.fileno(), 0, free - 2**20)
    done = subprocess.run(import_cmd(db, file), cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr and "nothing of it was stored" in done.stderr
    filler.unlink()
    assert digests(db) == before  # opens cleanly, exactly as before
    done = subprocess.run(import_cmd(db, file), cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)
    assert done.returncode == 0 and f"{n} rows written" in done.stdout


# --------------------------------------------------------------------------- 2. concurrency


def _figures(con: Con) -> list[tuple[str, str]]:
    """Three figures of 2015Q4 that stand alone (no parent total to agree with): the R&D spending
    of two enterprises of 青岛软件城 and the staff of a third."""
    firms = [r[0] for r in con.execute(
        """SELECT o.org_id FROM orgs o JOIN org_closure c ON c.descendant_id = o.org_id
           WHERE c.ancestor_id = 'qd-softcity' AND o.kind = 'enterprise' ORDER BY o.org_id LIMIT 3""").fetchall()]
    return [(firms[0], "rd_expenditure"), (firms[1], "rd_expenditure"), (firms[2], "employees")]


def _revision_csv(con: Con, figures: list[tuple[str, str]], step: int) -> bytes:
    """A correction of `figures` at 2015Q4: the stored values raised by `step` per mille."""
    lines = ["org,period,indicator,value,unit"]
    for org, indicator in figures:
        value, unit = rawsql.first(con, """SELECT c.value, i.unit FROM current_observations c JOIN indicators i
                                           USING (indicator_id) WHERE org_id = ? AND indicator_id = ?
                                           AND year = 2015 AND quarter = 4""", [org, indicator])
        lines.append(f"{org},2015Q4,{indicator},{round(value * (1 + step / 1000), 0 if indicator == 'employees' else 1)},"
                     f"{unit}")
    return ("\n".join(lines) + "\n").encode()


def test_sessions_read_while_others_submit_on_one_connection(tmp_path, demo_db, catalog):
    """The app's arrangement: one connection per process, a cursor per session. Four writers
    submit five corrections each of the same three figures while three readers compute plan
    progress and check that no submission is ever seen half-written."""
    db = tmp_path / "app.duckdb"
    shutil.copy(demo_db, db)
    app = connect(db)
    figures = _figures(app)
    subs_before = rawsql.scalar(app, "SELECT count(*) FROM submissions")
    errors: list[BaseException] = []
    partial: list[tuple] = []
    reads = [0]
    written: list[int] = []
    writers_done = threading.Event()
    start = threading.Barrier(7)

    def writer(k: int) -> None:
        try:
            start.wait()
            for i in range(5):
                cur = app.cursor()
                checked = ingest.check_file(cur, catalog, f"w{k}-{i}.csv", _revision_csv(cur, figures, k * 10 + i + 1), who=ADMIN)
                assert not checked.errors, checked.errors
                written.append(ingest.submit(cur, checked, who=ADMIN, origin="upload", status="accepted",
                                             explanation="correction"))
        except BaseException as e:
            errors.append(e)

    def reader() -> None:
        try:
            start.wait()
            while not writers_done.is_set() or reads[0] < 3:
                cur = app.cursor()
                rows = plan_progress(cur, catalog, SYSTEM, "qingdao-2012", Period(2015, 4))
                assert rows and all(r.status for r in rows)
                partial.extend(cur.execute(
                    """SELECT s.submission_id, s.row_count, count(o.revision) FROM submissions s
                       LEFT JOIN observations o USING (submission_id) GROUP BY ALL
                       HAVING count(o.revision) <> s.row_count""").fetchall())
                reads[0] += 1
        except BaseException as e:
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    readers = [threading.Thread(target=reader) for _ in range(3)]
    for t in writers + readers:
        t.start()
    for t in writers:
        t.join(timeout=300)
    writers_done.set()
    for t in readers:
        t.join(timeout=300)
    assert not errors, errors
    assert partial == []
    assert reads[0] >= 3
    assert len(written) == len(set(written)) == 20
    assert rawsql.scalar(app, "SELECT count(*) FROM submissions") == subs_before + 20
    for org, indicator in figures:  # 1 (the demo's) + 20 corrections, numbered without gaps
        revisions = rawsql.frame(app, """SELECT revision FROM observations WHERE org_id = ? AND indicator_id = ?
                                         AND year = 2015 AND quarter = 4 ORDER BY revision""", [org, indicator])
        assert list(revisions.revision) == list(range(1, 22))
    rows = rawsql.frame(app, "SELECT submission_id, count(*) AS n FROM observations WHERE submission_id IN "
                             "(SELECT unnest(?)) GROUP BY ALL", [written])
    assert sorted(rows.submission_id) == sorted(written) and set(rows.n) == {len(figures)}
    app.close()


@browser
def test_a_real_server_serves_readers_while_a_park_manager_submits(tmp_path, demo_db):
    """`streamlit run dashboard.py` with four browser sessions: three leaders switching between
    the overview and a plan page while a park manager uploads three corrections. The server
    runs each session's script in its own thread on the one store connection."""
    from playwright.sync_api import sync_playwright

    from domain.access import SYSTEM
    from store import users

    db = tmp_path / "app.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    users.create_demo_users(con)
    for name in ("leader", "park-softcity"):
        users.reset_password(con, SYSTEM, name, "Concurrent-sessions-1")
    last_before = rawsql.scalar(con, "SELECT max(submission_id) FROM submissions")
    con.close()
    files = []
    for i in range(3):
        f = tmp_path / f"firms-{i}.csv"
        f.write_text(f"org,period,indicator,value,unit\nqd-softcity,2017Q1,firm_count,{321 + i},个\n", encoding="utf-8")
        files.append(f)
    log = tmp_path / "streamlit.log"
    with streamlit_server(db, log) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pages = [browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
                     for _ in range(4)]
            readers, writer = pages[:3], pages[3]
            for page in readers:
                sign_in(page, base, "leader", "Concurrent-sessions-1")
            sign_in(writer, base, "park-softcity", "Concurrent-sessions-1")
            writer.goto(f"{base}/entry")
            writer.get_by_role("tab", name="文件上传").click()
            seen: set[str] = set()
            for i, f in enumerate(files):
                link = "规划详情" if i % 2 == 0 else "总览"
                for page in readers:  # set every reader computing …
                    page.locator('[data-testid="stSidebarNav"]').get_by_text(link, exact=True).click()
                writer.locator('input[type="file"]').set_input_files(str(f))  # … while the upload is checked
                # The file's chip: attached is enough (its name can lay out hidden for a moment under
                # load, 1 run in 4); the check button below must be visible to be clicked anyway.
                writer.get_by_text(f.name).first.wait_for(state="attached", timeout=60_000)
                idle(writer)
                writer.get_by_role("button", name="检查并提交").last.click()  # … and written
                done = writer.get_by_text(re.compile(r"已提交（第 \d+ 号，1 项数据）"))
                try:
                    done.first.wait_for(timeout=60_000)
                except Exception:
                    screenshot(writer, f"concurrent-upload-{i}-not-submitted")
                    raise
                deadline = time.monotonic() + 60
                while done.first.inner_text() in seen and time.monotonic() < deadline:  # this upload's, not the last one's
                    writer.wait_for_timeout(200)
                seen.add(done.first.inner_text())
                heading = "深圳市创建中国软件名城分解实施方案" if i % 2 == 0 else "总览"  # the first plan's page, or the overview
                for page in readers:
                    page.get_by_role("heading", name=heading).first.wait_for(timeout=90_000)
                    idle(page)
            for page in pages:
                assert page.locator('[data-testid="stException"]').count() == 0
                assert page.get_by_text("数据文件").count() == 0
        finally:
            browser.close()
    text = log.read_text(encoding="utf-8")
    for sign in ("Traceback", "Could not set lock", "Conflict", "TransactionException"):  # no error, no lock wait
        assert sign not in text, text[-3000:]
    con = connect(db, read_only=True)
    new = rawsql.frame(con, """SELECT s.submitted_by, s.status, o.value, o.revision FROM submissions s
                               JOIN observations o USING (submission_id) WHERE s.submission_id > ? ORDER BY o.revision""",
                       [last_before])
    con.close()
    assert new.values.tolist() == [["park-softcity", "pending", 321.0 + i, new.revision[0] + i] for i in range(3)]
    assert len(seen) == 3


# ----------------------------------------------------------- 3. a store that cannot be used


def _damage(db: Path, tables: list[str] | None = None) -> None:
    """Overwrite the start of every stored data block of `tables` (default: every table but
    schema_version) with zeros, found through DuckDB's own storage map. The catalog stays
    intact, so the file still opens; reading those rows fails DuckDB's block checksum."""
    con = duckdb.connect(str(db), read_only=True)
    block_size = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()[0][0]
    tables = tables or [r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_version'").fetchall()]
    blocks = {r[0] for t in tables for r in con.execute(
        "SELECT DISTINCT block_id FROM pragma_storage_info(?) WHERE persistent AND block_id >= 0", [t]).fetchall()}
    con.close()
    assert blocks
    header = 3 * 4096  # DuckDB's file header and two database headers precede block 0
    with db.open("r+b") as f:
        for block in blocks:
            f.seek(header + block * block_size)
            f.write(b"\0" * 4096)


@pytest.fixture
def damaged(tmp_path, demo_db) -> Path:
    db = tmp_path / "damaged.duckdb"
    shutil.copy(demo_db, db)
    _damage(db, ["observations"])
    return db


def test_a_damaged_block_is_found_at_start_and_the_file_left_alone(damaged):
    fingerprint = sha256(damaged)
    con = connect(damaged)  # opening alone does not read the damaged block …
    con.close()
    with pytest.raises(StoreError, match="damaged") as refused:  # … reading every row at start does
        connect(damaged, verify=True)
    assert refused.value.kind == "corrupt"
    assert sha256(damaged) == fingerprint


@pytest.mark.parametrize("damage", ["truncated", "garbled header", "empty"])
def test_a_truncated_or_garbled_file_is_refused_and_left_alone(tmp_path, demo_db, damage):
    db = tmp_path / "s.duckdb"
    shutil.copy(demo_db, db)
    with db.open("r+b") as f:
        match damage:
            case "truncated":
                f.truncate(db.stat().st_size // 2)
            case "garbled header":
                f.seek(4096)
                f.write(os.urandom(4096))
            case "empty":
                f.truncate(0)
    fingerprint = sha256(db)
    with pytest.raises(StoreError) as refused:
        connect(db, verify=True)
    assert refused.value.kind == "corrupt", refused.value
    assert sha256(db) == fingerprint


def test_another_programs_duckdb_file_is_not_turned_into_a_store(tmp_path):
    db = tmp_path / "other.duckdb"
    other = duckdb.connect(str(db))
    other.execute("CREATE TABLE invoices (id INTEGER)")
    other.close()
    fingerprint = sha256(db)
    with pytest.raises(StoreError, match="something else") as refused:
        connect(db)
    assert refused.value.kind == "foreign"
    assert sha256(db) == fingerprint


def _newer(tmp_path: Path, empty_db: Path) -> Path:
    db = tmp_path / "newer.duckdb"
    shutil.copy(empty_db, db)
    con = connect(db)
    con.execute("INSERT INTO schema_version VALUES (?, current_timestamp)", [LATEST_VERSION + 1])
    con.close()
    return db


def test_the_command_line_explains_a_damaged_or_newer_store(tmp_path, demo_db, empty_db):
    newer = _newer(tmp_path, empty_db)
    damaged = tmp_path / "all-damaged.duckdb"
    shutil.copy(demo_db, damaged)
    _damage(damaged)  # it opens, and the command meets the damage halfway
    for db, words in ((damaged, "restore the latest backup"), (newer, "newer than this release")):
        fingerprint = sha256(db)
        env = {**os.environ, "TRACKER_DB": str(tmp_path / "unused.duckdb"), "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run([sys.executable, "manage.py", "progress", "--plan", "qingdao-2012", "--as-of", "2015Q4",
                               "--db", str(db)], cwd=ROOT, env=env, capture_output=True, text=True,
                              encoding="utf-8", timeout=120)
        assert done.returncode == 2, done.stdout
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("error: ") and words in done.stderr
        assert sha256(db) == fingerprint


@pytest.mark.parametrize("case", ["damaged", "newer", "locked"])
def test_the_app_shows_a_plain_page_for_a_store_it_cannot_use(tmp_path, damaged, empty_db, app_store, case):
    template = {"damaged": damaged, "locked": empty_db}.get(case) or _newer(tmp_path, empty_db)
    path = app_store(template)
    holder = None
    if case == "locked":  # another process (say a restore in progress) has the file open
        holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                                   "print('open', flush=True); sys.stdin.read()", str(path)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "open"
    try:
        fingerprint = sha256(path)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception, [e.value for e in at.exception]
        expected = {"damaged": "数据文件已损坏", "newer": "更新版本", "locked": "另一个进程占用"}[case]
        assert [e.value for e in at.error] and expected in at.error[0].value
        assert not at.text_input  # no sign-in form over a store that cannot be used
        assert str(path) not in " ".join(e.value for e in at.error)  # no server paths to anonymous visitors
        at.session_state["lang"] = "en"
        at.run()
        assert "administrator" in at.error[0].value
    finally:
        if holder:
            holder.stdin.close()
            holder.wait(timeout=30)
    assert sha256(path) == fingerprint


# ------------------------------------------------------------------------ 4. deployment files


def _unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as {section: [(key, value), …]} (keys may repeat, unlike an ini file)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, value = line.split("=", 1)
            current.append((key, value))
    return sections


def test_the_systemd_unit_runs_the_app_from_the_checkout(tmp_path):
    text = (ROOT / "deploy" / "tracker.service").read_text(encoding="utf-8")
    unit = _unit(text)
    assert {"Unit", "Service", "Install"} <= set(unit)
    service = dict(unit["Service"])
    checkout = Path(service["WorkingDirectory"])
    python = str(checkout / ".venv" / "bin" / "python")
    # The app: the checkout's venv python running streamlit on dashboard.py, on loopback only.
    start = service["ExecStart"].split()
    assert start[:5] == [python, "-m", "streamlit", "run", "dashboard.py"] and (ROOT / "dashboard.py").is_file()
    flags = dict(zip(start[5::2], start[6::2], strict=True))
    assert flags["--server.address"] == "127.0.0.1"
    # Before it, `manage.py init` creates or migrates the store.
    assert service["ExecStartPre"].split() == [python, "manage.py", "init"] and (ROOT / "manage.py").is_file()
    # Every variable it sets is one the code reads.
    env = dict(value.split("=", 1) for key, value in unit["Service"] if key == "Environment")
    sources = "".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("*/*.py"), ROOT / "dashboard.py"])
    assert env.keys() >= {"TRACKER_DB", "TRACKER_BACKUP_DIR"}
    for name in env:
        assert f'"{name}"' in sources, name
    assert service["Restart"] in {"on-failure", "always"} and dict(unit["Install"])["WantedBy"] == "multi-user.target"
    # The proxy forwards to that port, with the websocket upgrade Streamlit needs.
    nginx = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert nginx.count("{") == nginx.count("}")
    assert f"proxy_pass http://127.0.0.1:{flags['--server.port']};" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx and 'proxy_set_header Connection "upgrade";' in nginx
    assert "location = /_stcore/health" in nginx
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/tracker.service" in readme and "deploy/nginx.conf" in readme
    # systemd itself accepts it, with the checkout in place of /opt/tracker (so the commands exist).
    if shutil.which("systemd-analyze"):
        local = tmp_path / "tracker.service"
        local.write_text(text.replace(str(checkout), str(ROOT)), encoding="utf-8")
        done = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True)
        assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed here")
@pytest.mark.parametrize("example", ["nginx.conf", "nginx-multi.conf"])  # one process; a writer and readers
def test_the_nginx_examples_pass_nginx_t(tmp_path, example):
    conf = tmp_path / "nginx.conf"
    site = (ROOT / "deploy" / example).read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate(_key)? [^;]+;", "", site).replace("listen 443 ssl", "listen 8443")
    conf.write_text(f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
                    f"http {{ access_log off; {site} }}\n", encoding="utf-8")
    done = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# ------------------------------------------- the multi-process mode (issue 19): writer and readers


def test_the_writer_and_reader_units_and_their_nginx_site_agree(tmp_path):
    """tracker-writer.service serves under /w on one port, tracker-reader@PORT.service on the port
    of its instance name; nginx-multi.conf routes /w/ to the writer and the rest to the readers,
    sticky on the sign-in cookie; systemd accepts both units."""
    writer_text = (ROOT / "deploy" / "tracker-writer.service").read_text(encoding="utf-8")
    reader_text = (ROOT / "deploy" / "tracker-reader@.service").read_text(encoding="utf-8")
    writer, reader = dict(_unit(writer_text)["Service"]), dict(_unit(reader_text)["Service"])
    w_flags = dict(zip(writer["ExecStart"].split()[5::2], writer["ExecStart"].split()[6::2], strict=True))
    r_flags = dict(zip(reader["ExecStart"].split()[5::2], reader["ExecStart"].split()[6::2], strict=True))
    assert w_flags["--server.baseUrlPath"] == "w" and "--server.baseUrlPath" not in r_flags
    assert r_flags["--server.port"] == "%i" and w_flags["--server.address"] == r_flags["--server.address"] == "127.0.0.1"
    env = {name: dict(v.split("=", 1) for k, v in _unit(text)["Service"] if k == "Environment")
           for name, text in (("writer", writer_text), ("reader", reader_text))}
    assert env["writer"]["TRACKER_PROCESS_ROLE"] == "writer" and env["reader"]["TRACKER_PROCESS_ROLE"] == "reader"
    assert env["writer"]["TRACKER_SNAPSHOT_DIR"] == env["reader"]["TRACKER_SNAPSHOT_DIR"]
    assert env["reader"]["TRACKER_WRITER_URL"] == "/" + w_flags["--server.baseUrlPath"]
    assert "ExecStartPre" not in reader  # only the writer migrates the store
    nginx = (ROOT / "deploy" / "nginx-multi.conf").read_text(encoding="utf-8")
    assert nginx.count("{") == nginx.count("}")
    assert f"proxy_pass http://127.0.0.1:{w_flags['--server.port']};" in nginx and "location /w/ {" in nginx
    assert "hash $cookie_tracker_auth consistent;" in nginx and "proxy_pass http://tracker_readers;" in nginx
    assert nginx.count("server 127.0.0.1:") >= 2
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "deploy/tracker-writer.service" in readme and "deploy/nginx-multi.conf" in readme
    if shutil.which("systemd-analyze"):
        for name, text in (("tracker-writer.service", writer_text), ("tracker-reader@8511.service", reader_text)):
            local = tmp_path / name
            local.write_text(text.replace("/opt/tracker", str(ROOT)), encoding="utf-8")
            done = subprocess.run(["systemd-analyze", "verify", str(local)], capture_output=True, text=True)
            assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stdout + done.stderr
