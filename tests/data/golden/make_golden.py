"""Write tests/data/golden/progress.json: `manage.py progress --json` for every plan at four
quarters on the demo store.

Recorded once, before the metrics were rebuilt around a snapshot (issue "One route for the
data"), so that the rebuild could be shown to change no number. Run it again only when a change
of judgment is intended, and say so in the commit:

    .venv/bin/python tests/data/golden/make_golden.py
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

# Four quarters per plan: early in the plan, mid-plan, late in the year, and at or after its end.
QUARTERS = {
    "hangzhou-2012": ["2012Q3", "2013Q4", "2014Q2", "2015Q4"],
    "qingdao-2012": ["2012Q2", "2013Q3", "2015Q1", "2016Q4"],
    "shenzhen-2011": ["2010Q4", "2011Q3", "2011Q4", "2012Q1"],
    "zhejiang-2015": ["2015Q4", "2016Q3", "2018Q2", "2018Q4"],
    "jiaxing-2021": ["2020Q4", "2021Q3", "2023Q2", "2025Q4"],
}


def progress_json(db: Path, plan: str, quarter: str) -> list[dict]:
    import manage

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = manage.main(["progress", "--db", str(db), "--plan", plan, "--as-of", quarter, "--json"])
    assert code == 0, (plan, quarter, code)
    return json.loads(out.getvalue())


def build_demo(path: Path) -> None:
    import manage

    with contextlib.redirect_stdout(io.StringIO()):
        assert manage.main(["init", "--db", str(path), "--demo"]) == 0


def record(db: Path) -> dict[str, dict[str, list[dict]]]:
    return {plan: {q: progress_json(db, plan, q) for q in quarters} for plan, quarters in QUARTERS.items()}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        build_demo(db)
        data = record(db)
    target = Path(__file__).with_name("progress.json")
    target.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {target}: {sum(len(rows) for qs in data.values() for rows in qs.values())} rows")
