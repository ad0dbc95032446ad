"""A private copy of the catalog's data files, for tests that break one on purpose and load the rest."""

from __future__ import annotations

import shutil
from pathlib import Path

from store.catalog import DATA_DIR


def copy_data(tmp_path: Path) -> Path:
    """data/plans, data/seeds, indicators.yaml and orgs.yaml under tmp_path/data."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR / "plans", data / "plans")
    shutil.copytree(DATA_DIR / "seeds", data / "seeds")
    for name in ("indicators.yaml", "orgs.yaml"):
        shutil.copy(DATA_DIR / name, data / name)
    return data
