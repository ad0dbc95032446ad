"""Many users at once (issue 19): simulated users against a real `streamlit run dashboard.py` on loopback.

    .venv/bin/python -m bench.load                                   # the full matrix, writes bench/LOAD.md
    .venv/bin/python -m bench.load --sizes demo --users 1,10 --duration 20 --no-record   # a quick look
    .venv/bin/python -m bench.load --sizes national --users 20,40 --readers 1,2,4   # a writer and reader processes
    .venv/bin/python -m bench.load --make-sessions S.json --db data/tracker.duckdb --users 40   # before the processes start
    .venv/bin/python -m bench.load --urls http://127.0.0.1:8501,http://127.0.0.1:8502 --sessions S.json --users 20,40

Each simulated user speaks Streamlit's own websocket protocol (`/_stcore/stream`, BackMsg and
ForwardMsg protobufs from `streamlit.proto`) as the browser's frontend does: it loads `/` for the
`_streamlit_xsrf` cookie, opens the websocket with the subprotocols the frontend offers
(`streamlit`, then the XSRF token) and the cookie header — the app's `tracker_auth` cookie holding a
session made beforehand in the store with `store.sessions.issue`, so every user is signed in as a
browser with a valid cookie is — and then sends `rerun_script` requests: on connect with the page's
path and the URL's query string (a bookmark `?plan=…&q=…`); on a page switch with the target page's
`page_script_hash` (from the `navigation` message) and an emptied query string, as the frontend
does; on a change of plan or quarter with the sidebar selectbox's new value in `widget_states`
(its formatted option, what the frontend sends); a submitter fills the entry page's quarterly form
(every pre-filled figure grown by 0–5 %) and presses its button (a trigger in `widget_states`).
Widgets not named keep their values on the server, which is what the browser's full set of states
would say as well. Between actions each user thinks 2–6 s (seeded).

Per run it measures the time to the first `delta` after the request and to `script_finished` (a run
that ends early because the script reran itself goes on to the run after it); errors are
`exception` elements, `page_not_found`, closed connections and runs not finished within the
timeout. Meanwhile a thread polls `/_stcore/health` every 0.5 s, and the server's CPU (user + system
seconds of it and its children over wall time, /proc) and peak RSS (VmHWM) are read.

Without `--urls` it starts one server per size (a private copy of the store: the demo store built as
store/demo.py builds it, or bench/data/national.duckdb from bench/generate.py) and a fresh server per
level, warmed by one user walking the pages once. With `--urls` it loads already running processes
(the multi-process mode): users are spread over them by a hash of the user's number and stay on
theirs, as nginx's `hash` upstream keeps a browser on one process; CPU and RSS are then read for the
local processes listening on those ports. Their sessions are made beforehand (`--make-sessions`, while
no process holds the store) under the app's own cookie key.

With `--readers K` each level runs as issue 19's several processes instead: a writer (under `/w`,
publishing snapshots every PUBLISH_S seconds) and K reader processes on them, started here with the
settings deploy/ gives them; readers' users stay on one reader each (sticky), enterprise users work
on the writer (every page of theirs writes), and CPU, RSS and health cover every process.

Submissions are counted in the store after the server stops (rows in `submissions`). The client
itself runs in this process (asyncio, one connection per user) and takes CPU from the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "bench" / "LOAD.md"
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## 8. Many users at once: simulated users on a real server"
SECTION_MULTI = "## 9. Many users at once on several processes: a writer and reader processes"
COOKIE = "tracker_auth"  # ui/sessions.py COOKIE_NAME
KEY = "load-bench-cookie-key-" + "k" * 40  # the server's TRACKER_COOKIE_KEY and the key the sessions are issued under
LEVELS = (1, 10, 20, 40)
SIZES = ("demo", "national")
# The role mix, repeated: mostly leaders and park managers, a reviewer, some enterprise submitters.
MIX = ("leader", "park-softcity", "leader", "enterprise", "park-softcity", "leader", "reviewer", "park-softcity",
       "leader", "enterprise")
SUBMITTERS = frozenset({"enterprise", "park-softcity"})
# Pages a simulated user visits (url paths, of those its role has); exports, backups, users and mail are left out.
READING = ("overview", "plan", "plans", "park", "compare", "reporting", "review", "my-data", "my-submissions",
           "tasks", "bases", "incentives")
THINK_S = (2.0, 6.0)
RUN_TIMEOUT_S = 60.0
HEALTH_EVERY_S = 0.5
# Targets of issue 19 (two cores, national size): p95 of a run's finish per level, health latency.
TARGETS = {20: 2.0, 40: 4.0}
HEALTH_S = 0.1


# ------------------------------------------------------------------------------------ the client


@dataclass
class Run:
    """One script run as the client saw it."""

    action: str
    page: str
    first: float | None = None  # seconds to the first delta
    done: float | None = None  # seconds to script_finished
    error: str | None = None
    texts: list[str] = field(default_factory=list)  # headings, markdown and alert bodies
    exceptions: list[str] = field(default_factory=list)
    selects: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # widget id: (shown option, options)
    numbers: dict[str, float | None] = field(default_factory=dict)  # number input id: its value
    buttons: dict[str, str] = field(default_factory=dict)  # widget id: label


def _xsrf(base: str) -> str | None:
    """The `_streamlit_xsrf` cookie the index page sets, as the browser gets it before connecting."""
    with urllib.request.urlopen(base + "/", timeout=30) as r:
        for header in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";", 1)[0]
    return None


class Client:
    """One browser tab's websocket, driven as the frontend drives it."""

    def __init__(self, base: str, token: str | None, lang_locale: str = "zh-CN"):
        self.base = base.rstrip("/")
        self.token = token
        self.locale = lang_locale
        self.ws: ClientConnection | None = None
        self.query = ""  # the URL's query string as the server last set it (page_info_changed)
        self.pages: dict[str, str] = {}  # url path: page_script_hash (navigation)
        self.page_hash = ""

    async def __aenter__(self) -> Client:
        xsrf = await asyncio.to_thread(_xsrf, self.base)
        cookies = [f"{COOKIE}={self.token}"] if self.token else []
        if xsrf:
            cookies.append(f"_streamlit_xsrf={xsrf}")
        headers = {"Cookie": "; ".join(cookies)} if cookies else {}
        url = self.base.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(url, subprotocols=["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"],
                                additional_headers=headers, max_size=None, open_timeout=RUN_TIMEOUT_S)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, action: str, *, path: str = "", page_hash: str | None = None, query: str | None = None,
                    widgets: list[WidgetState] | None = None, timeout_s: float = RUN_TIMEOUT_S) -> Run:
        """Send one `rerun_script` and read until the run has finished."""
        assert self.ws is not None
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query if query is None else query
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        state.page_name = path if not state.page_script_hash else ""
        state.widget_states.widgets.extend(widgets or [])
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, self.locale
        info.url = f"{self.base}/{path}" + (f"?{state.query_string}" if state.query_string else "")
        name = path or next((p for p, h in self.pages.items() if h == state.page_script_hash), "")
        run = Run(action, name)
        start = time.perf_counter()
        try:
            await self.ws.send(msg.SerializeToString())
            while True:
                left = timeout_s - (time.perf_counter() - start)
                if left <= 0:
                    raise TimeoutError
                fwd = ForwardMsg()
                fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), left))
                kind = fwd.WhichOneof("type")
                if kind == "delta":
                    if run.first is None:
                        run.first = time.perf_counter() - start
                    _element(fwd, run)
                elif kind == "script_finished":
                    if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # the script reran itself (st.rerun): the run after it is what the user waits for
                    run.done = time.perf_counter() - start
                    if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        run.error = "compile error"
                    break
                elif kind == "page_info_changed":
                    self.query = fwd.page_info_changed.query_string
                elif kind == "navigation":
                    self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
                    self.page_hash = fwd.navigation.page_script_hash
                elif kind == "page_not_found":
                    run.error = "page not found"
        except TimeoutError:
            run.error = "timeout"
        except ConnectionClosed as e:
            run.error = f"disconnected ({e.__class__.__name__})"
        if run.exceptions and run.error is None:
            run.error = "exception: " + run.exceptions[0][:200]
        return run

    async def open(self, path: str, query: str = "") -> Run:
        """The first run of a freshly loaded URL /path?query."""
        return await self.rerun("connect", path=path, page_hash="", query=query)

    async def switch(self, path: str) -> Run:
        """A click on the sidebar's link to `path`: the query string is emptied, as the frontend does."""
        return await self.rerun("page", page_hash=self.pages[path], query="")


def _element(fwd: ForwardMsg, run: Run) -> None:
    delta = fwd.delta
    if delta.WhichOneof("type") != "new_element":
        return
    element = delta.new_element
    match element.WhichOneof("type"):
        case "heading":
            run.texts.append(element.heading.body)
        case "markdown":
            run.texts.append(element.markdown.body)
        case "alert":
            run.texts.append(element.alert.body)
        case "exception":
            where = [line.strip() for line in element.exception.stack_trace if line.strip().startswith("File ")]
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}"
                                  + (f" ({where[-1]})" if where else ""))
        case "selectbox":
            box = element.selectbox
            options = list(box.options)
            now = box.raw_value if box.set_value else (options[box.default] if 0 <= box.default < len(options) else "")
            run.selects[box.id] = (now, options)
        case "number_input":
            box = element.number_input
            run.numbers[box.id] = box.value if box.set_value else (box.default if box.HasField("default") else None)
        case "button":
            run.buttons[element.button.id] = element.button.label


# ------------------------------------------------------------------------------------ a user


def _choose(run: Run, marker: str, rng: random.Random) -> WidgetState | None:
    """Another option of the selectbox whose key contains `marker` (Streamlit ends a widget's id with
    its key), as the frontend sends it: the option's text."""
    found = next(((wid, now, opts) for wid, (now, opts) in run.selects.items() if f"-{marker}" in wid), None)
    if found is None or len(others := [o for o in found[2] if o != found[1]]) < 1:
        return None
    state = WidgetState(id=found[0])
    state.string_value = rng.choice(others)
    return state


def _filled_form(run: Run, rng: random.Random) -> list[WidgetState] | None:
    """The entry form's figures and its submit button pressed: each pre-filled figure grown by 0–5 %;
    a form with none pre-filled (a quarter not reported yet) gets its headcount, a stock that no
    sum or year-to-date rule ties to another row (else its first row), 20–500."""
    button = next((wid for wid in run.buttons if wid.endswith("form-submit")), None)
    rows = {wid: v for wid, v in run.numbers.items() if "-in-" in wid}
    if button is None or not rows:
        return None
    figures = {wid: round(v * (1 + rng.uniform(0.0, 0.05)), 2) for wid, v in rows.items() if v is not None}
    if not figures:
        wid = next((w for w in rows if w.endswith("-employees")), next(iter(rows)))
        figures = {wid: float(rng.randint(20, 500))}
    states = []
    for wid, value in figures.items():
        state = WidgetState(id=wid)
        state.double_value = value
        states.append(state)
    press = WidgetState(id=button)
    press.trigger_value = True
    return [*states, press]


async def user(number: int, base: str, username: str, token: str, until: float, seed: int,
               runs: list[dict]) -> None:
    """One simulated user until `until` (monotonic): connect on a page, then think, act, think …"""
    rng = random.Random(seed * 1000 + number)
    await asyncio.sleep(rng.uniform(0, 2.0))  # not everyone arrives in the same instant

    def keep(run: Run) -> None:
        runs.append({"user": number, "username": username, "action": run.action, "page": run.page,
                     "first": run.first, "done": run.done, "error": run.error, "at": time.monotonic()})

    reload = ("", "")  # a reconnect reloads the URL the user was on (path, query); the first visit is the bare URL
    while time.monotonic() < until:
        try:
            async with Client(base, token) as c:
                last = await c.open(*reload)
                keep(last)
                if last.error:
                    await asyncio.sleep(rng.uniform(*THINK_S))
                    continue
                paths = [p for p in READING if p in c.pages]
                while time.monotonic() < until:
                    await asyncio.sleep(rng.uniform(*THINK_S))
                    if time.monotonic() >= until:
                        break
                    roll = rng.random()
                    if username in SUBMITTERS and "entry" in c.pages and roll < 0.2:
                        last = await c.switch("entry")
                        keep(last)
                        form = None if last.error else _filled_form(last, rng)
                        if form is not None:
                            await asyncio.sleep(rng.uniform(*THINK_S))  # typing the figures
                            last = await c.rerun("submit", widgets=form)
                            keep(last)
                    elif roll < 0.35 and (choice := _choose(last, "plan_id", rng)) is not None:
                        last = await c.rerun("plan", widgets=[choice])
                        keep(last)
                    elif roll < 0.5 and (choice := _choose(last, "as_of", rng)) is not None:
                        last = await c.rerun("quarter", widgets=[choice])
                        keep(last)
                    else:
                        last = await c.switch(rng.choice(paths or [next(iter(c.pages))]))
                        keep(last)
                    if last.error and (last.error == "timeout" or last.error.startswith("disconnected")):
                        reload = (last.page, c.query)
                        break  # as a browser would: a new connection
        except (OSError, ConnectionClosed, TimeoutError) as e:
            runs.append({"user": number, "username": username, "action": "connect", "page": "", "first": None,
                         "done": None, "error": f"connect failed ({e.__class__.__name__})", "at": time.monotonic()})
            await asyncio.sleep(1.0)


def sticky(number: int, urls: list[str]) -> str:
    """The process a user stays on: a hash of the user, as nginx's `hash` upstream keeps a browser on one."""
    return urls[zlib.crc32(f"user-{number}".encode()) % len(urls)]


def process_for(number: int, username: str, urls: list[str], writer: str | None) -> str:
    """Where a user works: with a writer beside reader processes (issue 19's several processes), an
    enterprise user on the writer — every page of its role writes (本企业数据, 数据填报, 我的报送), and a
    reader only links to them —, everyone else on a reader, sticky."""
    if writer is not None and username == "enterprise":
        return writer
    return sticky(number, urls)


async def drive(urls: list[str], tokens: list[tuple[str, str]], duration: float, seed: int,
                writer: str | None = None) -> list[dict]:
    until = time.monotonic() + duration
    runs: list[dict] = []
    tasks = [asyncio.create_task(user(i, process_for(i, name, urls, writer), name, token, until, seed, runs))
             for i, (name, token) in enumerate(tokens)]
    # Bounded: every user stops at `until` once its run in flight has finished (or timed out).
    await asyncio.wait(tasks, timeout=duration + RUN_TIMEOUT_S + 30)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return runs


# ------------------------------------------------------------------------------------ the server side


class Health(threading.Thread):
    """`/_stcore/health` of each process every HEALTH_EVERY_S, its latency kept (a failure as None)."""

    def __init__(self, urls: list[str]):
        super().__init__(daemon=True)
        self.urls, self.seconds, self.failures = urls, [], 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for url in self.urls:
                start = time.perf_counter()
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=10) as r:
                        r.read()
                    self.seconds.append(time.perf_counter() - start)
                except OSError:
                    self.failures += 1
            self.stop.wait(HEALTH_EVERY_S)


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                todo += [int(c) for c in task.read_text().split()]
            except OSError:
                pass
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system seconds of the processes and their live descendants."""
    total = 0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in {d for p in pids for d in _descendants(p)}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / tick


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def _pid_for(url: str) -> int | None:
    from bench.measure import _server_pid

    try:  # by its port alone: a writer's URL ends in its base path (/w)
        return _server_pid(f"http://127.0.0.1:{urllib.parse.urlsplit(url).port}", Path("-"))
    except RuntimeError:
        return None


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def summary(runs: list[dict], health: Health, cpu: float, wall: float, rss: list[float | None]) -> dict:
    first = [r["first"] for r in runs if r["first"] is not None and r["error"] is None]
    done = [r["done"] for r in runs if r["done"] is not None and r["error"] is None]
    errors: dict[str, int] = {}
    for r in runs:
        if r["error"]:
            key = r["error"].split(":", 1)[0].split(" (", 1)[0]
            errors[key] = errors.get(key, 0) + 1
    return {"runs": len(runs), "ok": len(done), "first": {"p50": pct(first, .5), "p95": pct(first, .95),
                                                          "max": max(first, default=None)},
            "done": {"p50": pct(done, .5), "p95": pct(done, .95), "max": max(done, default=None)},
            "errors": errors, "error_examples": sorted({f"{r['action']} {r['page']}: {r['error']}" for r in runs
                                                        if r["error"]})[:8],
            "submits": sum(r["action"] == "submit" for r in runs),
            "cpu": cpu / wall if wall else None, "rss_mb": [x for x in rss if x is not None],
            "health": {"p50": pct(health.seconds, .5), "p95": pct(health.seconds, .95),
                       "max": max(health.seconds, default=None), "failures": health.failures,
                       "polls": len(health.seconds)}}


def measure_level(urls: list[str], tokens: list[tuple[str, str]], duration: float, seed: int, log,
                  writer: str | None = None) -> dict:
    every = [*urls, *([writer] if writer else [])]
    pids = sorted({p for p in (_pid_for(u) for u in every) if p is not None})  # a URL named twice is one process
    health = Health(every)
    health.start()
    cpu0, wall0 = cpu_seconds(pids), time.monotonic()
    runs = asyncio.run(drive(urls, tokens, duration, seed, writer))
    cpu1, wall1 = cpu_seconds(pids), time.monotonic()
    health.stop.set()
    health.join(timeout=15)
    out = summary(runs, health, cpu1 - cpu0, wall1 - wall0, [peak_rss_mb(p) for p in pids])
    out.update(users=len(tokens), processes=len(pids), duration=duration, wall=wall1 - wall0, detail=runs)
    log(f"  {len(tokens)} users: {out['runs']} runs, finished p50 {_s(out['done']['p50'])} p95 "
        f"{_s(out['done']['p95'])}, errors {out['errors'] or 0}, health p95 {_s(out['health']['p95'])}")
    return out


# ------------------------------------------------------------------------------------ stores and sessions


def demo_store(folder: Path) -> Path:
    """The demo store (store/demo.py) with the demo users, as `manage.py demo` leaves it."""
    from service import commands
    from store.catalog import load_catalog
    from store.db import connect

    path = folder / "demo.duckdb"
    con = connect(path)
    try:
        catalog = load_catalog()
        commands.sync_catalog(con, catalog, "bench")
        commands.load_demo(con, catalog)
        commands.create_demo_users(con)
    finally:
        con.close()
    return path


def national_store(folder: Path, log) -> Path:
    from bench.run import DATA, ensure_store

    DATA.mkdir(parents=True, exist_ok=True)
    ensure_store("national", log)
    path = folder / "national.duckdb"
    shutil.copy(DATA / "national.duckdb", path)
    return path


def sign_in(db: Path, users: int, key: str = KEY) -> list[tuple[str, str]]:
    """A valid sign-in session per simulated user, made directly in the store as a password sign-in
    would (store/sessions.py issue), under the key the server is given: (username, cookie token)."""
    from store import sessions
    from store.db import connect

    con = connect(db)
    try:
        return [(name, sessions.issue(con, name, dt.timedelta(hours=6), key))
                for name in (MIX[i % len(MIX)] for i in range(users))]
    finally:
        con.close()


def submissions(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM submissions").fetchone()[0]
    finally:
        con.close()


def server_env() -> dict[str, str]:
    return {"TRACKER_COOKIE_KEY": KEY}


def warm(base: str, token: str) -> None:
    """One leader walks the pages once, so a level starts on a warm server as a working day does."""
    async def walk() -> None:
        async with Client(base, token) as c:
            await c.open("")
            for path in READING:
                if path in c.pages:
                    await c.switch(path)

    asyncio.run(walk())


# Seconds between a writer's snapshots in the bench, by size: README "Several processes" — a publish
# copies the store under the write lock (0.01 s at demo size, 4-9 s at national size on ext4).
PUBLISH_S = {"demo": 5.0, "national": 60.0}


def servers(stack: ExitStack, db: Path, work: Path, size: str, n: int, readers: int) -> tuple[list[str], str | None]:
    """The processes of one level: one server (readers=0), or a writer under /w and `readers` reader
    processes on its published snapshots, each with its own log; (the URLs users read on, the writer's)."""
    from store import snapshots
    from store.db import connect
    from tests.browser import free_port, streamlit_server

    if not readers:
        return [stack.enter_context(streamlit_server(db, work / f"server-{size}-{n}.log", env=server_env()))], None
    snaps = work / f"snapshots-{size}-{n}"
    con = connect(db)  # the readers' first snapshot, with the users' sessions in it (`manage.py publish`)
    try:
        snapshots.publish(con, snaps)
    finally:
        con.close()
    port = free_port()
    common = {**server_env(), "TRACKER_SNAPSHOT_DIR": str(snaps), "TRACKER_DEMO": "0",
              "TRACKER_WRITER_URL": f"http://127.0.0.1:{port}/w"}
    writer = stack.enter_context(streamlit_server(
        db, work / f"writer-{size}-{n}.log", port=port, base_path="w",
        env={**common, "TRACKER_PROCESS_ROLE": "writer", "TRACKER_PUBLISH_SECONDS": str(PUBLISH_S[size])}))
    reading = [stack.enter_context(streamlit_server(db, work / f"reader{k}-{size}-{n}.log",
                                                    env={**common, "TRACKER_PROCESS_ROLE": "reader"}))
               for k in range(readers)]
    return reading, writer


def run_size(size: str, levels: list[int], duration: float, seed: int, work: Path, log, readers: int = 0) -> dict:
    work = work / f"{size}-{readers}"  # a store of its own: a stopped writer may leave a log beside its file
    work.mkdir()
    db = demo_store(work) if size == "demo" else national_store(work, log)
    warmer = sign_in(db, 1)[0][1]  # MIX[0]: a leader of its own, so the users' mix starts at MIX[0] too
    tokens = sign_in(db, max(levels))
    out: dict = {}
    for n in levels:
        before = submissions(db)
        with ExitStack() as stack:
            urls, writer = servers(stack, db, work, size, n, readers)
            for base in [*urls, *([writer] if writer else [])]:
                warm(base, warmer)
            out[n] = measure_level(urls, tokens[:n], duration, seed, log, writer)
        out[n]["accepted"] = submissions(db) - before
    return out


# ------------------------------------------------------------------------------------ writing


def _s(x: float | None) -> str:
    from bench.run import sec

    return sec(x)


def verdict(n: int, r: dict) -> str:
    from bench.run import ok

    target = TARGETS.get(n)
    checks = [not r["errors"], (r["health"]["max"] or 0) <= HEALTH_S and not r["health"]["failures"]]
    if target is not None:
        checks.append(r["done"]["p95"] is not None and r["done"]["p95"] <= target)
    return ok(all(checks))


def write(info: dict, results: dict, duration: float, note: str = "", title: str = SECTION) -> str:
    setup = ("a fresh, warmed server per level" if title == SECTION else
             f"per level a fresh writer (under /w, publishing every {PUBLISH_S['demo']:g} s at demo size, "
             f"{PUBLISH_S['national']:g} s at national size) and reader processes on its snapshots, each warmed; "
             "enterprise users on the writer, the others sticky on a reader")
    lines = [title, "", *([f"**{note}**", ""] if note else []),
             f"`python -m bench.load` ({info['date']}): {duration:g} s per level, simulated users speaking Streamlit's "
             "websocket protocol to `streamlit run dashboard.py` on loopback, each signed in with a valid cookie, "
             "switching pages, plans and quarters with 2–6 s think time, enterprise and park users submitting "
             f"the entry form now and then; {setup}. Machine: "
             f"{info['machine']['cpu']}, {info['machine']['cores']} cores, {info['machine']['ram_gb']} GB; "
             f"load average {info['load_start']} at the start, {info['load_end']} at the end. The client runs on the "
             "same cores as the server.", "",
             f"Targets (issue 19, national size, two cores): 20 users p95 ≤ {TARGETS[20]:g} s, 40 users p95 ≤ "
             f"{TARGETS[40]:g} s (time to a finished run), no errors, health ≤ {HEALTH_S * 1000:.0f} ms throughout. "
             "At other sizes and levels the verdict checks errors and health only.", "",
             "| size | users | procs | runs | first element p50 / p95 / max | finished run p50 / p95 / max | errors "
             "| submits (accepted) | server CPU | runs per CPU second | peak RSS | health p50 / p95 / max | verdict |",
             "|---|---:|---:|---:|---|---|---|---:|---:|---:|---:|---|---|"]
    for size, levels in results.items():
        for n, r in levels.items():
            if "error" in r:
                lines.append(f"| {size} | {n} | | | failed: {r['error'][:200]} | | | | | | | | |")
                continue
            trio = lambda d: " / ".join(_s(d[k]) for k in ("p50", "p95", "max"))
            errors = ", ".join(f"{k} {v}" for k, v in r["errors"].items()) or "0"
            health = trio(r["health"]) + (f" ({r['health']['failures']} failed)" if r["health"]["failures"] else "")
            rss = " + ".join(f"{x:,.0f} MB" for x in r["rss_mb"]) or "—"
            cpu = "—" if r["cpu"] is None else f"{r['cpu'] * 100:.0f} %"
            per_cpu = "—" if not r["cpu"] else f"{r['runs'] / (r['cpu'] * r['wall']):.1f}"
            lines.append(f"| {size} | {n} | {r['processes']} | {r['runs']} | {trio(r['first'])} | {trio(r['done'])} "
                         f"| {errors} | {r['submits']} ({r.get('accepted', '—')}) | {cpu} | {per_cpu} | {rss} | {health} "
                         f"| {verdict(int(n), r)} |")
    lines += ["", "Server CPU: user + system seconds of the server processes and their children over the wall "
              "time (100 % = one core); runs per CPU second: the runs served for each second of one core the "
              "servers used (capacity per core). A run's times exclude runs that failed; errors are counted per kind "
              "(an `exception` element, a run not finished within "
              f"{RUN_TIMEOUT_S:g} s, a closed connection).", ""]
    return "\n".join(lines)


def _replace(text: str, title: str, section: str, before: str) -> str:
    """`text` with the section headed `title` replaced by `section`, or `section` put before `before`."""
    if title in text:
        head, rest = text.split(title, 1)
        tail = rest.split("\n## ", 1)
        return head + section + ("\n## " + tail[1] if len(tail) > 1 else "\n")
    head, after = text.split(before, 1) if before in text else (text, "")
    return head.rstrip("\n") + "\n\n" + section + "\n" + (before + after if after or before in text else "")


def record(section: str, title: str = SECTION) -> None:
    """The section into bench/LOAD.md (one process and several processes are measured apart, so it
    holds both; bench.run keeps it in RESULTS.md) and into RESULTS.md now."""
    load = LOAD.read_text(encoding="utf-8") if LOAD.exists() else ""
    others = [t for t in (SECTION, SECTION_MULTI) if t != title and t in load]
    load = _replace(load, title, section, SECTION_MULTI if title == SECTION and others else "\u0000")
    LOAD.write_text(load.strip("\n") + "\n", encoding="utf-8")
    text = RESULTS.read_text(encoding="utf-8")
    for t in (SECTION, SECTION_MULTI):
        if t in load:
            part = t + load.split(t, 1)[1].split("\n## ", 1)[0]
            text = _replace(text, t, part.rstrip("\n") + "\n", "\n## Analysis")
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--users", default=",".join(map(str, LEVELS)), help="levels N, comma-separated")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per level")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--urls", default="", help="comma-separated base URLs of running processes: no server is "
                        "started, users are spread over them (sticky), signed in with the sessions of --sessions")
    parser.add_argument("--sessions", type=Path, help="with --urls: the sessions file `--make-sessions` wrote")
    parser.add_argument("--make-sessions", type=Path, metavar="FILE", help="only make max(--users) sessions in --db "
                        "(before its processes start: one process holds a store) under the app's cookie key "
                        "(domain/config.py, as `streamlit run` in this checkout resolves it) and write them to FILE")
    parser.add_argument("--db", type=Path, help="with --make-sessions: the store")
    parser.add_argument("--readers", default="0", help="comma-separated counts of reader processes beside a writer "
                        "(issue 19's several processes; 0: one process serves everything, as by default)")
    parser.add_argument("--raw", type=Path, default=ROOT / "bench" / "data" / "load.json")
    parser.add_argument("--note", default="", help="a line put atop the section (a partial or noisy run says so)")
    parser.add_argument("--no-record", action="store_true", help="print the section, write neither LOAD.md nor RESULTS.md")
    args = parser.parse_args(argv)
    from bench.run import load, machine

    levels = [int(n) for n in args.users.split(",") if n]
    log = lambda text: print(text, file=sys.stderr, flush=True)
    info = {"machine": machine(), "load_start": load(), "date": dt.datetime.now().isoformat(timespec="minutes")}
    results: dict = {}
    if args.make_sessions:
        from domain.config import settings

        if args.db is None:
            parser.error("--make-sessions needs --db")
        tokens = sign_in(args.db, max(levels), settings().signing_key())
        args.make_sessions.write_text(json.dumps(tokens), encoding="utf-8")
        args.make_sessions.chmod(0o600)  # sign-in tokens
        return
    if args.urls:
        urls = [u.rstrip("/") for u in args.urls.split(",") if u]
        if args.sessions is None:
            parser.error("--urls needs --sessions (made by --make-sessions before the processes started)")
        tokens = [tuple(x) for x in json.loads(args.sessions.read_text(encoding="utf-8"))]
        if len(tokens) < max(levels):
            parser.error(f"{args.sessions} holds {len(tokens)} sessions, fewer than {max(levels)} users")
        results[f"{len(urls)} processes"] = {n: measure_level(urls, tokens[:n], args.duration, args.seed, log)
                                             for n in levels}
    else:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            for size in [s for s in args.sizes.split(",") if s]:
                for readers in [int(k) for k in args.readers.split(",") if k]:
                    label = size if not readers else f"{size}, writer + {readers} reader{'s' if readers > 1 else ''}"
                    log(f"{label}:")
                    try:
                        results[label] = run_size(size, levels, args.duration, args.seed, Path(tmp), log, readers)
                    except Exception as e:  # one size failing still writes the other
                        log(f"  {label} failed: {e!r}")
                        results[label] = {n: {"error": repr(e)} for n in levels}
    info["load_end"] = load()
    title = SECTION_MULTI if any(int(k) for k in args.readers.split(",") if k) or args.urls else SECTION
    section = write(info, results, args.duration, args.note, title)
    args.raw.parent.mkdir(parents=True, exist_ok=True)
    args.raw.write_text(json.dumps({"info": info, "results": results}, ensure_ascii=False, indent=1, default=str),
                        encoding="utf-8")
    if not args.no_record:
        record(section, title)
    print(section)


if __name__ == "__main__":
    main()
