"""The layers hold at run time, not only in import-linter's static graph: importing every module of
domain, store, metrics and service loads neither streamlit nor plotly (a deferred import inside a
function would slip past a static check, and would make the command line and the benchmarks pay
for a UI toolkit they never draw with).

Each check runs in a fresh interpreter, since this test process has long since imported streamlit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
    toolkit = sorted(n for n in sys.modules if n.split(".")[0] in ("streamlit", "plotly"))
    if toolkit:
        print(f"importing {name} loaded {toolkit[0]}")
        sys.exit(1)
print(len(names))
"""


def probe(package: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, package], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("package", ["domain", "store", "metrics", "service"])
def test_importing_a_lower_layer_loads_no_ui_toolkit(package: str) -> None:
    done = probe(package)
    assert done.returncode == 0, done.stdout + done.stderr
    assert int(done.stdout.split()[-1]) >= 1, f"{package} has no modules: is the walk broken?"


def test_the_probe_sees_a_toolkit_where_there_is_one() -> None:
    done = probe("ui")  # the UI layer draws with streamlit and plotly: the probe must say so
    assert done.returncode == 1 and ("loaded streamlit" in done.stdout or "loaded plotly" in done.stdout), done.stdout


@pytest.mark.parametrize("entry", ["dashboard.py", "manage.py"])
def test_entry_points_only_hand_over_to_app(entry: str) -> None:
    """import-linter cannot see a top-level module, so the two scripts stay shims over app/,
    which it checks like every other package: they import app and, for exit codes, sys."""
    import ast

    tree = ast.parse((ROOT / entry).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"app", "sys"} and "app" in imported, imported
