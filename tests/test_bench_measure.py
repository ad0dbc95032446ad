"""The benchmark's page list (bench/measure.py `page_list`): the pages each role is offered, as the
router registers them — checked without running a benchmark, so a moved router or a renamed page
breaks a test rather than the next benchmark run."""

from __future__ import annotations

from pathlib import Path

from bench import measure
from domain import policy
from domain.access import Role

ROOT = Path(__file__).resolve().parents[1]


def test_page_list_gives_each_role_its_policy_pages_as_scripts():
    listing = measure.page_list()
    assert set(listing) == {role.value for role in Role}
    for role in Role:
        scripts = listing[role.value]
        assert [Path(s).stem for s in scripts] == list(policy.pages(role)), role  # landing page first
        assert all((ROOT / s).is_file() for s in scripts), scripts
