"""Run every benchmark and write bench/RESULTS.md.

    .venv/bin/python -m bench.run                       # small, province and national: 1×, 10×, 100×
    .venv/bin/python -m bench.run --sizes small,province --figures progress,pages

Stores are generated into bench/data/ (git-ignored) when missing, and reused when present (their
generation time is read from FILE.json). Each figure runs in a process of its own
(`python -m bench.measure FIGURE --db FILE`) one after another, never in parallel. Every ratio is
taken between figures measured in the same run on the same machine; the machine, its load and the
versions are written at the top of the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import SIZES
from store.schema import LATEST_VERSION

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "RESULTS.md"
ANALYSIS = ROOT / "bench" / "ANALYSIS.md"
HOSTILE = ROOT / "bench" / "HOSTILE.md"  # bench/hostile_upload.py's section (issue 16), measured on its own
LOAD = ROOT / "bench" / "LOAD.md"  # bench/load.py's section (issue 19), measured on its own
FIGURES = ("progress", "pages", "upload", "reports", "memory")
SCALE = ("small", "province", "national")  # 1×, 10×, 100× the enterprises

# Targets of issue 8.
PROGRESS_RATIO = 2.0  # × the floor
PROGRESS_NATIONAL_S = 1.0
PAGE_WARM_S = 0.5
PAGE_COLD_S = 3.0
UPLOAD_ROWS_PER_S = 20_000
REPORTS_S = 10.0
MEMORY_MB = 2048


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    import duckdb
    import pandas
    import streamlit

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "duckdb": duckdb.__version__, "pandas": pandas.__version__,
            "streamlit": streamlit.__version__, "os": platform.platform(),
            "date": dt.datetime.now().isoformat(timespec="minutes")}


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def ensure_store(size: str, log) -> dict:
    path = DATA / f"{size}.duckdb"
    meta = Path(f"{path}.json")
    if path.exists() and meta.exists() and _schema_version(path) != LATEST_VERSION:
        log(f"the {size} store has an older schema: generating it anew")
        path.unlink()
    if not path.exists() or not meta.exists():
        log(f"generating the {size} store …")
        subprocess.run([sys.executable, "-m", "bench.generate", "--size", size, "--out", str(path), "--force"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return json.loads(meta.read_text(encoding="utf-8"))


def _schema_version(path: Path) -> int:
    import duckdb

    from store.db import schema_version

    con = duckdb.connect(str(path), read_only=True)
    try:
        return schema_version(con)
    finally:
        con.close()


def measure(figure: str, size: str, log) -> dict:
    path = DATA / f"{size}.duckdb"
    start = time.perf_counter()
    before = load()
    done = subprocess.run([sys.executable, "-m", "bench.measure", figure, "--db", str(path)], cwd=ROOT,
                          capture_output=True, text=True)
    took = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-6:])
        log(f"  {figure} at {size}: FAILED\n{tail}")
        return {"error": tail, "load": before}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = before
    log(f"  {figure} at {size}: {took:.0f} s (load {before})")
    return result


# ------------------------------------------------------------------------------------ writing


def ok(passed: bool | None) -> str:
    return "—" if passed is None else ("pass" if passed else "**miss**")


def sec(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def growth(values: dict[str, float | None]) -> str:
    """How a figure grows from 1× to 10× to 100×: the two ratios and the exponent k of t ∝ n^k."""
    a, b, c = (values.get(s) for s in SCALE)
    parts = []
    for lo, hi in ((a, b), (b, c)):
        if lo and hi:
            parts.append(f"×{hi / lo:.1f} (k={math.log10(hi / lo):.2f})")
        else:
            parts.append("—")
    return " → ".join(parts)


def linear(values: dict[str, float | None]) -> bool | None:
    a, b, c = (values.get(s) for s in SCALE)
    steps = [hi / lo for lo, hi in ((a, b), (b, c)) if lo and hi]
    return None if not steps else all(r <= 10.0 * 1.25 for r in steps)  # 25 % for noise on a shared machine


def per_size(results: dict, sizes: list[str], figure: str, width: int, cells) -> list[str]:
    """A table row per size: `cells(result)` after the size, or why it failed, spread over `width` columns."""
    out = []
    for s in sizes:
        r = results.get(s, {}).get(figure)
        if not r or "error" in r:
            out.append(f"| {s} | failed: {(r or {}).get('error', 'not run')[:300]} |" + " |" * (width - 2))
        else:
            out.append(f"| {s} | " + " | ".join(cells(r)) + " |")
    return out


def write(results: dict, info: dict, sizes: list[str], started: str, finished: str) -> str:
    lines = ["# Benchmark results", "",
             f"Written by `.venv/bin/python -m bench.run --sizes {','.join(sizes)}` — do not edit by hand; "
             "the analysis below the figures is bench/ANALYSIS.md.", ""]
    m = info["machine"]
    lines += ["## Machine", "", "| | |", "|---|---|",
              f"| CPU | {m['cpu']}, {m['cores']} cores (shared with other jobs) |",
              f"| RAM | {m['ram_gb']} GB |", f"| OS | {m['os']} |",
              f"| Python / DuckDB / pandas / streamlit | {m['python']} / {m['duckdb']} / {m['pandas']} / {m['streamlit']} |",
              f"| run | {started} → {finished} |",
              f"| load average (1/5/15 min) at start / end | {info['load_start']} / {info['load_end']} |", ""]

    lines += ["## Data sets", "", "| size | enterprises | parks | cities | quarters | observation rows | file | generated in |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        g = info["stores"][s]
        lines.append(f"| {s} | {g['counts']['enterprises']:,} | {g['counts']['parks']:,} | {g['counts']['cities']:,} | "
                     f"{g['size']['quarters']} | {g['counts']['observations']:,} | {g['bytes'] / 1e6:,.0f} MB | "
                     f"{g['seconds']:.0f} s |")
    national = info["stores"].get("national")
    if national:
        lines += ["", "Generation phases at national size: " + "; ".join(
            f"{k} {v:.0f} s" for k, v in national["phases"].items()) + "."]
    lines.append("")

    # Progress table.
    lines += ["## 1. Progress table: every plan at one quarter vs the floor", "",
              "All five plans' tables (80 targets) at 2020Q4 on one connection: the first run (cold) and the median "
              f"of five; the floor is one hand-written aggregate over the same rows (bench/measure.py FLOOR_SQL), run "
              f"interleaved with them. Target: ≤ {PROGRESS_RATIO:g}× the floor, and < {PROGRESS_NATIONAL_S:g} s "
              "at national size.", "",
              "| size | tables cold | tables (median) | floor (median) | ratio | target | per plan (median run) |",
              "|---|---:|---:|---:|---:|---|---|"]
    for s in sizes:
        r = results.get(s, {}).get("progress")
        if not r or "error" in r:
            lines.append(f"| {s} | failed: {r.get('error', 'not run') if r else 'not run'} | | | | | |")
            continue
        passed = r["ratio"] <= PROGRESS_RATIO and (s != "national" or r["warm"] < PROGRESS_NATIONAL_S)
        plans = ", ".join(f"{k.split('-')[0]} {sec(v)}" for k, v in r["per_plan"].items())
        lines.append(f"| {s} | {sec(r['cold'])} | {sec(r['warm'])} | {sec(r['floor'])} | {r['ratio']:.2f}× | "
                     f"{ok(passed)} | {plans} |")
    lines.append("")

    # Pages.
    lines += ["## 2. Every page's server-side run (AppTest)", "",
              "dashboard.py run by streamlit's AppTest, signed in (the administrator for every page but one, the "
              "enterprise user for 本企业数据), switching to each page. **Cold**: streamlit's data and resource caches "
              "cleared first, so the run reopens the store and recomputes everything (the first visitor after a "
              "restart); the operating system's file cache stays warm. **Data-cold**: only the data caches cleared, "
              "the store already open (what every page costs after any submission, as each cached read is keyed by "
              "the data version). **Warm**: the median of three reruns. "
              f"Targets: warm ≤ {PAGE_WARM_S:g} s, cold ≤ {PAGE_COLD_S:g} s.", ""]
    page_sizes = [s for s in sizes if results.get(s, {}).get("pages") and "error" not in results[s]["pages"]]
    if page_sizes:
        header = "| page | " + " | ".join(f"{s} cold | {s} data-cold | {s} warm" for s in page_sizes) + " | target |"
        lines += [header, "|---|" + "---:|---:|---:|" * len(page_sizes) + "---|"]
        names = list(results[page_sizes[-1]]["pages"]["pages"])
        for name in names:
            cells, passed = [], True
            for s in page_sizes:
                p = results[s]["pages"]["pages"].get(name)
                if not p:
                    cells += ["—", "—", "—"]
                    continue
                if p.get("error"):
                    cells += [f"error: {p['error'][:60]}", "—", "—"]
                    passed = False
                    continue
                cells += [sec(p["cold"]), sec(p.get("data_cold")), sec(p["warm"])]
                if name.startswith("("):
                    continue
                passed = (passed and p["cold"] <= PAGE_COLD_S and p["data_cold"] <= PAGE_COLD_S
                          and p["warm"] <= PAGE_WARM_S)
            verdict = "(not a page)" if name.startswith("(") else ok(passed)
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {verdict} |")
    for s in sizes:
        r = results.get(s, {}).get("pages")
        if r and "error" in r:
            lines.append(f"\n{s}: the page run failed:\n```\n{r['error']}\n```")
    lines.append("")

    # Upload.
    lines += ["## 3. Validating and committing a 100 000-row upload", "",
              "A tidy CSV (org, period, indicator, value, unit) of 100 000 form rows for the quarters after the data "
              "end, through `store.ingest.check_file` and `ingest.submit` as the administrator's import (accepted, so "
              "the maintained tables are updated in the same transaction), on a fresh copy of the store each time: the "
              "median of three. Then the same file as an app upload (pending) and a reviewer's acceptance. "
              f"Target: ≥ {UPLOAD_ROWS_PER_S:,} rows/s for validate + commit.", "",
              "| size | validate | commit (accepted) | rows/s | target | commit pending | review → accepted |",
              "|---|---:|---:|---:|---|---:|---:|"]
    lines += per_size(results, sizes, "upload", 7, lambda r: [
        sec(r["validate"]), sec(r["commit"]), f"{r['rows_per_s']:,.0f}", ok(r["rows_per_s"] >= UPLOAD_ROWS_PER_S),
        sec(r["pending_commit"]), sec(r["review_accept"])])
    lines.append("")

    # Reports.
    lines += ["## 4. The three report formats for one plan", "",
              "`reports.briefing.build` for qingdao-2012 at 2020Q4 (29 targets), then `reports.render` to docx, pdf "
              f"and xlsx. Target: ≤ {REPORTS_S:g} s together.", "",
              "| size | build | docx | pdf | xlsx | total | target |", "|---|---:|---:|---:|---:|---:|---|"]
    lines += per_size(results, sizes, "reports", 7, lambda r: [
        sec(r["build"]), sec(r["docx"]), sec(r["pdf"]), sec(r["xlsx"]), sec(r["total"]), ok(r["total"] <= REPORTS_S)])
    lines.append("")

    # Scaling.
    lines += ["## 5. Growth from 1× to 10× to 100× the data", "",
              "Each figure's time at small (500 enterprises), province (5 000) and national (50 000) size: the ratio "
              "of each step and the exponent k of time ∝ size^k (k ≤ 1 is linear or better; a 10× step should cost "
              "at most 10×).", "", "| figure | 1× | 10× | 100× | growth | linear or better |", "|---|---:|---:|---:|---|---|"]
    rows: dict[str, dict[str, float | None]] = {}

    def put(name: str, size: str, value: float | None) -> None:
        rows.setdefault(name, {})[size] = value

    for s in sizes:
        r = results.get(s, {})
        if r.get("progress") and "error" not in r["progress"]:
            put("progress tables (median)", s, r["progress"]["warm"])
            put("floor aggregate", s, r["progress"]["floor"])
        if r.get("upload") and "error" not in r["upload"]:
            put("upload: validate + commit", s, r["upload"]["validate"] + r["upload"]["commit"])
        if r.get("reports") and "error" not in r["reports"]:
            put("reports: build + 3 formats", s, r["reports"]["total"])
        if r.get("pages") and "error" not in r["pages"]:
            for name, p in r["pages"]["pages"].items():
                if not name.startswith("(") and not p.get("error"):
                    put(f"{name} cold", s, p["cold"])
        g = info["stores"].get(s)
        if g:
            put("generating the store", s, g["seconds"])
    for name, values in rows.items():
        lines.append(f"| {name} | " + " | ".join(sec(values.get(s)) for s in SCALE) + f" | {growth(values)} | "
                     f"{ok(linear(values))} |")
    lines.append("")

    # Memory.
    lines += ["## 6. Peak memory of the app at national size", "",
              "A real `streamlit run dashboard.py` on the national store while headless Chromium signs in as the "
              "administrator and opens every page in turn; the server process's peak resident set (VmHWM). "
              f"Target: < {MEMORY_MB / 1024:g} GB.", "", "| size | server peak RSS | pages walked | target |",
              "|---|---:|---|---|"]
    for s in sizes:
        r = results.get(s, {}).get("memory")
        if r is None:
            continue
        if "error" in r:
            lines.append(f"| {s} | failed: {r['error'][:300]} | | |")
            continue
        walked = ", ".join(f"{Path(p).stem} {sec(t)}" for p, t in r["seconds"].items())
        lines.append(f"| {s} | {r['server_peak_rss_mb']:,.0f} MB | {walked} | {ok(r['server_peak_rss_mb'] < MEMORY_MB)} |")
    lines.append("")
    lines += ["Peak memory of the measuring processes themselves (VmHWM): " + "; ".join(
        f"{s} {f} {results[s][f]['peak_rss_mb']:,.0f} MB" for s in sizes for f in ("progress", "pages", "upload", "reports")
        if results.get(s, {}).get(f) and "peak_rss_mb" in results[s][f]) + ".", ""]
    if HOSTILE.exists():
        lines += [HOSTILE.read_text(encoding="utf-8").strip(), ""]
    if LOAD.exists():
        lines += [LOAD.read_text(encoding="utf-8").strip(), ""]
    if ANALYSIS.exists():
        lines += [ANALYSIS.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(SCALE), help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--figures", default=",".join(FIGURES), help="comma-separated, of " + ", ".join(FIGURES))
    parser.add_argument("--memory-size", default="national", help="the size whose server memory is measured")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--raw", type=Path, default=DATA / "results.json", help="every measurement, as JSON")
    parser.add_argument("--rewrite", action="store_true", help="only write RESULTS.md again from --raw (after "
                        "editing bench/ANALYSIS.md), measuring nothing")
    args = parser.parse_args(argv)
    if args.rewrite:
        saved = json.loads(args.raw.read_text(encoding="utf-8"))
        args.out.write_text(write(saved["results"], saved["info"], saved["sizes"], saved["started"], saved["finished"]),
                            encoding="utf-8")
        return
    sizes = [s for s in args.sizes.split(",") if s]
    figures = [f for f in args.figures.split(",") if f]
    DATA.mkdir(parents=True, exist_ok=True)
    log = lambda text: print(text, file=sys.stderr, flush=True)
    started = dt.datetime.now().isoformat(timespec="minutes")
    info = {"machine": machine(), "load_start": load(), "stores": {}}
    results: dict[str, dict] = {}
    for size in sizes:
        info["stores"][size] = ensure_store(size, log)
        results[size] = {}
        for figure in figures:
            if figure == "memory" and size != args.memory_size:
                continue
            results[size][figure] = measure(figure, size, log)
    info["load_end"] = load()
    finished = dt.datetime.now().isoformat(timespec="minutes")
    args.raw.write_text(json.dumps({"info": info, "results": results, "sizes": sizes, "started": started,
                                    "finished": finished}, ensure_ascii=False, indent=1), encoding="utf-8")
    args.out.write_text(write(results, info, sizes, started, finished), encoding="utf-8")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
