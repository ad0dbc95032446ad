"""A seed plan taken the way a bureau's new plan is (issue 20 item 6): its text through the
extractor, the proposals that match the shipped file accepted on the draft, the draft published —
and its headline targets judged exactly as the shipped YAML judges them, quarter by quarter."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain import drafts
from domain.access import Identity, Role
from domain.catalog import Catalog
from domain.extract import matches, propose
from domain.periods import Period
from service import plans as plan_service
from service import queries
from store.catalog import DATA_DIR
from tests.conftest import open_copy

ADMIN = Identity(username="admin", display_name="Admin", role=Role.ADMIN)
COMPARED = ("status", "target", "actual", "actual_period", "completion", "actual_cagr", "required_cagr", "ratio",
            "projected_value", "time_elapsed", "in_year_completion", "final", "method")


@pytest.fixture
def db(tmp_path: Path, demo_db: Path):
    yield from open_copy(demo_db, tmp_path / "d.duckdb")


@pytest.mark.parametrize("plan_id", ["qingdao-2012", "jiaxing-2021"])
def test_a_seed_plan_read_confirmed_and_published_judges_its_headline_targets_as_shipped(db, catalog: Catalog,
                                                                                       plan_id: str):
    shipped = catalog.plans[plan_id]
    text = (DATA_DIR / "seeds" / shipped.seed_file).read_text(encoding="utf-8")
    proposal = propose(text, catalog, shipped.scope)
    tables = drafts.rows_from(proposal, shipped.scope)
    proposed = [c for c in proposal.candidates if c.kind not in ("task", "incentive")]
    accepted = {}
    for candidate, row in zip(proposed, tables["targets"], strict=True):
        # The reviewer keeps a proposal that says what the shipped file says, under the file's id.
        same = next((t for t in shipped.targets if matches(candidate, t, text, exact=True)
                     and t.target_id not in accepted), None)
        row["keep"] = same is not None
        if same is not None:
            row.update(target_id=same.target_id, headline=same.headline)
            accepted[same.target_id] = row
    headline = [t.target_id for t in shipped.targets if t.headline]
    assert headline and set(headline) <= set(accepted)
    assert len(accepted) >= 0.9 * len(shipped.targets)  # the extractor's exact recall on this plan
    header = drafts.Header(plan_id=f"{plan_id}-reread", title_zh=shipped.title_zh, issuer_zh=shipped.issuer_zh,
                           issued=shipped.issued, scope=shipped.scope, base_year=shipped.base_year,
                           horizon_end=shipped.horizon_end, seed_file=shipped.seed_file)
    plan, problems = drafts.build(header, catalog.indicators, tables["targets"])
    assert problems == [] and plan is not None
    plan_service.publish(db, ADMIN, plan, {}, "app")  # its text is the one the store keeps for the shipped plan
    in_force = plan_service.catalog_in_force(db, catalog)
    quarters = [Period(y, q) for y in range(shipped.base_year + 1, shipped.horizon_end + 1) for q in (2, 4)]
    judged = 0
    for quarter in quarters:
        as_shipped = queries.judge(db, in_force, plan_id, quarter)
        as_read = queries.judge(db, in_force, plan.plan_id, quarter)
        for target_id in headline:
            a, b = as_shipped.row(target_id), as_read.row(target_id)
            assert {k: getattr(b, k) for k in COMPARED} == {k: getattr(a, k) for k in COMPARED}, (quarter, target_id)
            assert b.source_quote in text
            judged += a.actual is not None
    assert judged >= 2  # the demo holds figures for these quarters: the verdicts compared are real ones
