"""The progress table is unchanged by refactoring: `manage.py progress --json` for every plan at
four quarters on the demo store equals the golden file recorded before the metrics were rebuilt
(tests/data/golden/make_golden.py says how and when to record it again).

Floats are compared to 1e-9 relative: bottom-up sums are added in parallel by DuckDB, so their
last bits may differ between runs; every other field must be identical. A row may gain fields
(the output is additive for scripts that read it); it may not lose or change one.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from tests.data.golden.make_golden import QUARTERS, progress_json

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden" / "progress.json").read_text(encoding="utf-8"))


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and type(a) is type(b)


@pytest.fixture(scope="module")
def demo_copy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "demo.duckdb"
    shutil.copy(demo_db, path)
    return path


def test_golden_covers_every_plan(catalog) -> None:
    assert set(GOLDEN) == set(catalog.plans) == set(QUARTERS)


@pytest.mark.parametrize(("plan", "quarter"), [(p, q) for p, qs in QUARTERS.items() for q in qs])
def test_progress_json_unchanged(demo_copy: Path, plan: str, quarter: str) -> None:
    now = progress_json(demo_copy, plan, quarter)
    before = GOLDEN[plan][quarter]
    assert [r["target_id"] for r in now] == [r["target_id"] for r in before]
    for new, old in zip(now, before, strict=True):
        differing = {k: (old.get(k), new.get(k)) for k in old if not same(old.get(k), new.get(k))}
        assert not differing, f"{plan} {quarter} {old['target_id']}: {differing}"
