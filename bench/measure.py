"""One benchmark figure on one store, in a process of its own; prints its result as JSON.

    .venv/bin/python -m bench.measure progress --db bench/data/province.duckdb

bench/run.py starts one of these per figure and size, so that each starts cold (no DuckDB buffer
cache, no streamlit cache, nothing imported beyond what the figure needs) and a figure's memory
never inflates the next one's. Times are wall-clock seconds (time.perf_counter).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.generate import BENCH_PASSWORDS, ENTERPRISE_ROWS, LAST_YEAR
from domain import policy
from domain.access import SYSTEM, Role
from domain.periods import Period

ROOT = Path(__file__).resolve().parent.parent
AS_OF = Period(LAST_YEAR, 4)  # the latest quarter of every generated store: what the app opens on
REPEAT = 5


def _median(seconds: list[float]) -> float:
    return statistics.median(seconds)


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------ progress table

# The floor (store.figures.raw_sums): the least work that reads the same rows the progress tables
# need — each key's own figures (official, or a park's report) and, for the plans' own targets,
# every descendant's figures for the bottom-up sum (the threshold counts read a subset of those) —
# as one aggregate over the raw observations, all plans at once, with no revision or review logic.


def progress(db: Path) -> dict:
    """Every plan's progress table at AS_OF, against the floor, in one process on one connection."""
    from metrics import tracker
    from service import queries
    from store import figures
    from store.catalog import load_catalog
    from store.db import connect

    catalog = load_catalog()
    con = connect(db, read_only=True)
    primary = {(t.scope, t.indicator) for p in catalog.plans.values() for t in p.targets}
    every = {(k.org_id, k.indicator_id) for p in catalog.plans.values() for k in tracker.needs(p, catalog).series}
    keys = pd.DataFrame([(o, i, (o, i) in primary) for o, i in sorted(every)],
                        columns=["org_id", "indicator_id", "bottom_up"])

    def tables() -> float:
        start = time.perf_counter()
        for plan_id in catalog.plans:
            queries.plan_progress(con, catalog, SYSTEM, plan_id, AS_OF)
        return time.perf_counter() - start

    def floor() -> float:
        start = time.perf_counter()
        figures.raw_sums(con, keys, AS_OF)
        return time.perf_counter() - start

    cold = tables()  # the first run on a fresh connection: nothing in DuckDB's buffers yet
    floor_cold = floor()
    runs, floors = [], []
    for _ in range(REPEAT):  # interleaved, so that a burst of load on the machine hits both alike
        runs.append(tables())
        floors.append(floor())
    per_plan = {}
    for plan_id in catalog.plans:
        start = time.perf_counter()
        queries.plan_progress(con, catalog, SYSTEM, plan_id, AS_OF)
        per_plan[plan_id] = time.perf_counter() - start
    return {"cold": cold, "warm": _median(runs), "floor_cold": floor_cold, "floor": _median(floors),
            "ratio": _median(runs) / _median(floors), "runs": runs, "floors": floors, "per_plan": per_plan,
            "targets": sum(len(p.targets) for p in catalog.plans.values()), "keys": len(keys),
            "peak_rss_mb": _peak_rss_mb()}


# --------------------------------------------------------------------------------------- pages


def page_list() -> dict[str, list[str]]:
    """The pages each role sees (the policy table), as the scripts the router (app/router.py's
    SPEC) registers for them, the landing page first."""
    from app.router import SPEC  # deferred: the router loads streamlit, which the other figures never need

    return {role.value: [SPEC[name][0] for name in policy.pages(role)] for role in Role}


def pages(db: Path, work: Path) -> dict:
    """Every page's server-side run (AppTest from dashboard.py, signed in), cold and warm.

    Cold: streamlit's data and resource caches cleared first, so the run opens the store anew (a
    new DuckDB instance, empty buffers) and computes everything, as the first visitor after a
    restart does. Data-cold: only the data caches cleared (after any submission every cached read is
    recomputed). Warm: the same page run again (median of three reruns). The administrator sees
    every page but one; the enterprise user's own page is run as that user."""
    import os

    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    store = work / "pages.duckdb"
    shutil.copy(db, store)  # signing in writes to the audit log: never to the generated file
    os.environ["TRACKER_DB"] = str(store)
    os.environ["TRACKER_COOKIE_KEY"] = "bench-cookie-key-" + "x" * 40
    os.environ.pop("TRACKER_BACKUP_DIR", None)
    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # as tests/conftest.py's production_routing: route through dashboard.py
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    def clear() -> None:
        from ui import queries  # the store lives outside the caches: closed too, for a cold start as before

        st.cache_data.clear()
        st.cache_resource.clear()
        queries.close_stores()
        gc.collect()

    out: dict[str, dict] = {}
    listing = page_list()
    for user, role in (("admin", "admin"), ("enterprise", "enterprise")):
        clear()
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        start = time.perf_counter()
        at.run()
        at.text_input[0].input(user)
        at.text_input[1].input(BENCH_PASSWORDS[user])
        at.button[0].click().run()
        signed_in = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(f"sign-in as {user} failed: {at.exception[0].value}")
        for page in listing[role]:
            if page in out:
                continue
            clear()
            start = time.perf_counter()
            at.switch_page(page).run()
            cold = time.perf_counter() - start
            # Data-cold: only the data caches emptied, as after any submission (every cached read is
            # keyed by the data version), with the store already open.
            st.cache_data.clear()
            start = time.perf_counter()
            at.run()
            data_cold = time.perf_counter() - start
            warm = []
            for _ in range(3):
                start = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - start)
            out[page] = {"cold": cold, "data_cold": data_cold, "warm": _median(warm), "user": user,
                         "error": str(at.exception[0].value)[:300] if at.exception else None}
        out[f"(sign-in as {user})"] = {"cold": signed_in, "warm": None, "user": user, "error": None}
    return {"pages": out, "peak_rss_mb": _peak_rss_mb()}


# -------------------------------------------------------------------------------------- upload

UPLOAD_ROWS = 100_000


def upload_file(con, rows: int = UPLOAD_ROWS) -> bytes:
    """A tidy CSV of `rows` figures for the quarters after the data end: every enterprise's form
    rows, its figure of the same quarter a year (or more) before grown 10 % a year, so the file
    passes validation (parts within totals, year-to-date rising, 同比 within ±50 %)."""
    from store import figures, orgs

    per_quarter = orgs.count_of(con, "enterprise") * len(ENTERPRISE_ROWS)
    quarters = -(-rows // per_quarter)
    base = figures.of_year(con, LAST_YEAR, ENTERPRISE_ROWS)
    out = []
    for k in range(quarters):
        period = Period(LAST_YEAR + 1 + k // 4, k % 4 + 1)
        grown = base[base.quarter == period.quarter].copy()
        factor = 1.1 ** (period.year - LAST_YEAR)
        # A loss is written as a profit: ingest refuses a year-to-date loss that deepens within a
        # year ("falls"), a rule the generated losses would trip (reported in bench/ANALYSIS.md).
        grown["value"] = (grown.value.abs() * factor).round(1)
        people = grown.indicator_id == "employees"
        grown.loc[people, "value"] = grown.value[people].round()
        grown["period"] = str(period)
        out.append(grown)
    frame = pd.concat(out).sort_values(["period", "org_id", "indicator_id"]).head(rows)
    units = {"software_exports": "万美元", "employees": "人"}
    frame["unit"] = frame.indicator_id.map(units).fillna("万元")
    buf = io.StringIO()
    frame.rename(columns={"org_id": "org", "indicator_id": "indicator"})[["org", "period", "indicator", "value", "unit"]] \
        .to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8")


def upload(db: Path, work: Path, repeat: int = 3) -> dict:
    """Validate and commit a 100 000-row tidy CSV through store.ingest, on a fresh copy of the store
    each time (median of `repeat`): the administrator's import (accepted at once, so the derived
    tables are brought up to date in the same transaction). On the last copy the same rows again,
    uploaded as pending, then accepted by a reviewer (the app's path)."""
    from store import ingest, submissions, users
    from store.catalog import load_catalog
    from store.db import connect

    catalog = load_catalog()
    store = work / "upload.duckdb"
    runs = []
    for _ in range(repeat):
        shutil.copy(db, store)
        con = connect(store)
        admin = users.identity(con, "admin")
        data = upload_file(con)
        start = time.perf_counter()
        checked = ingest.check_file(con, catalog, "bench-upload.csv", data, who=admin)
        validated = time.perf_counter() - start
        if checked.errors:
            raise RuntimeError(f"the bench upload was refused: {checked.errors[:3]}")
        start = time.perf_counter()
        ingest.submit(con, checked, who=admin, origin="import", status="accepted", explanation="bench")
        runs.append((validated, time.perf_counter() - start))
        con.close()
    shutil.copy(db, store)  # a fresh copy: the same figures again would be the same intent, and write nothing
    con = connect(store)
    admin = users.identity(con, "admin")
    again = ingest.check_file(con, catalog, "bench-upload-2.csv", data, who=admin)
    start = time.perf_counter()
    sub = ingest.submit(con, again, who=admin, origin="upload", status="pending", explanation="bench")
    pending = time.perf_counter() - start
    start = time.perf_counter()
    submissions.review_submission(con, sub, reviewer="admin", decision="accepted", comment=None)
    reviewed = time.perf_counter() - start
    con.close()
    n = data.count(b"\n") - 1
    validate = _median([v for v, _ in runs])
    commit = _median([c for _, c in runs])
    total = _median([v + c for v, c in runs])
    return {"rows": n, "validate": validate, "commit": commit, "rows_per_s": n / total, "runs": runs,
            "pending_commit": pending, "review_accept": reviewed, "peak_rss_mb": _peak_rss_mb()}


# ------------------------------------------------------------------------------------- reports


def reports(db: Path, plan_id: str = "qingdao-2012") -> dict:
    """The three report formats of one plan at AS_OF (issue 6's API), built once, rendered thrice."""
    from reports import render
    from reports.briefing import build
    from service.queries import briefing_inputs
    from store.catalog import load_catalog
    from store.db import connect

    catalog = load_catalog()
    con = connect(db, read_only=True)
    start = time.perf_counter()
    doc = build(briefing_inputs(con, catalog, SYSTEM, plan_id, AS_OF))  # the reads and the document, timed together
    built = time.perf_counter() - start
    out = {"plan": plan_id, "build": built, "bytes": {}}
    for fmt in ("docx", "pdf", "xlsx"):
        start = time.perf_counter()
        out["bytes"][fmt] = len(render(doc, fmt))
        out[fmt] = time.perf_counter() - start
    out["total"] = built + out["docx"] + out["pdf"] + out["xlsx"]
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


# -------------------------------------------------------------------------------------- memory


def memory(db: Path, work: Path) -> dict:
    """Peak resident memory of a real `streamlit run dashboard.py` serving the store while headless
    Chromium signs in as the administrator and opens every page in turn (VmHWM of the server)."""
    sys.path.insert(0, str(ROOT))
    from tests.browser import chromium, idle, sign_in, streamlit_server

    store = work / "memory.duckdb"
    shutil.copy(db, store)
    from app.router import SPEC

    spec = {Path(p).stem: p for p in page_list()["admin"]}
    urls = {script: url for script, _, _, url in SPEC.values()}
    visited, times = [], {}
    with streamlit_server(store, work / "server.log") as base:
        pid = _server_pid(base, work / "server.log")
        with chromium() as page:
            sign_in(page, base, "admin", BENCH_PASSWORDS["admin"])
            for path in spec.values():
                start = time.perf_counter()
                page.goto(f"{base}/{urls[path]}")
                idle(page, quiet_ms=1500, timeout_s=600)
                times[path] = time.perf_counter() - start
                if page.get_by_label("密码").count():  # the sign-in form again: the page never ran
                    raise RuntimeError(f"{path}: the browser was signed out")
                visited.append(path)
            status = Path(f"/proc/{pid}/status").read_text()
    fields = {line.split(":")[0]: line.split(":")[1].strip() for line in status.splitlines() if ":" in line}
    return {"server_peak_rss_mb": int(fields["VmHWM"].split()[0]) / 1024, "pages": visited, "seconds": times}


def _server_pid(base: str, log: Path) -> int:
    """The pid of the streamlit process started with `base`'s port (found through /proc)."""
    port = base.rsplit(":", 1)[1]
    wanted = f"--server.port\x00{port}\x00"
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if wanted in (proc / "cmdline").read_text():
                    return int(proc.name)
            except OSError:
                continue
    raise RuntimeError(f"no streamlit process with port {port} (see {log})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figure", choices=["progress", "pages", "upload", "reports", "memory"])
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=args.db.parent) as tmp:
        work = Path(tmp)
        result = {
            "progress": lambda: progress(args.db),
            "pages": lambda: pages(args.db, work),
            "upload": lambda: upload(args.db, work),
            "reports": lambda: reports(args.db),
            "memory": lambda: memory(args.db, work),
        }[args.figure]()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
