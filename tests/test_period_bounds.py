"""The periods the tracker holds (domain/periods.py PeriodBounds): from ten years before the plans'
earliest base year to the last complete quarter — in parsing, in validation and in the pages.

The plans' earliest base year is 2010 (Shenzhen's and Hangzhou's targets), so the first period is
(2010 − 10)Q1 = 2000Q1; on 2026-11-29 the quarter under way is 2026Q4 (October–December), so the
last complete one is 2026Q3.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from domain import validation as v
from domain.catalog import Catalog
from domain.messages import render
from domain.periods import Period, PeriodBounds, PeriodError, last_complete_quarter, parse_period
from store import submissions
from store.db import connect
from tests.apptest_helpers import signed_in

TODAY = dt.date(2026, 11, 29)

PERIODS = [
    # text, the kind of refusal (None: inside the bounds), the English reason
    ("0000Q4", "too_early", "period 0Q4 is before 2000Q1, ten years before the earliest plan's base year: check the year"),
    ("1900Q1", "too_early", "period 1900Q1 is before 2000Q1, ten years before the earliest plan's base year: check the year"),
    ("1999Q4", "too_early", "period 1999Q4 is before 2000Q1, ten years before the earliest plan's base year: check the year"),
    ("2000Q1", None, None),
    ("2000年1-3月", None, None),
    ("2026Q3", None, None),
    ("2026年1-9月", None, None),
    ("2026Q4", "incomplete", "period 2026Q4 is not over yet; the latest complete quarter is 2026Q3"),
    ("2026年", "incomplete", "period 2026Q4 is not over yet; the latest complete quarter is 2026Q3"),
    ("2027Q1", "future", "period 2027Q1 is in the future"),
    ("9999Q4", "future", "period 9999Q4 is in the future"),
]


def test_the_bounds_of_the_catalog(catalog):
    assert min(p.base_year for p in catalog.plans.values()) == 2010
    assert catalog.period_bounds(TODAY) == PeriodBounds(first=Period(2000, 1), last=Period(2026, 3))
    # A new quarter completes on its first day after: on 2027-01-01 2026Q4 is over.
    assert catalog.period_bounds(dt.date(2027, 1, 1)).last == Period(2026, 4)
    assert last_complete_quarter(dt.date(2026, 9, 30)) == Period(2026, 2)
    # Without any plan there is no base year: the floor is the same 2000.
    assert Catalog(indicators={}, organisations={}, plans={}).period_bounds(TODAY).first == Period(2000, 1)


@pytest.mark.parametrize(("text", "kind", "reason"), PERIODS)
def test_parse_period_within_the_bounds(catalog, text, kind, reason):
    bounds = catalog.period_bounds(TODAY)
    if kind is None:
        assert parse_period(text, bounds) in bounds
        return
    with pytest.raises(PeriodError) as refused:
        parse_period(text, bounds)
    assert (refused.value.kind, str(refused.value)) == (kind, reason)
    assert parse_period(text) not in bounds  # parsed without bounds, it is a period, outside them
    render(refused.value.reason, "zh")  # worded in Chinese too, year 0 included


@pytest.mark.parametrize(("text", "kind", "reason"), PERIODS)
def test_validation_refuses_a_period_outside_the_bounds(catalog, text, kind, reason):
    orgs = v.Organisations(["qingdao"], ["青岛市"], [None], ["city"])
    _, problems, _ = v.check_rows("up.csv", [v.Record(2, "qingdao", text, "software_revenue", "100", "万元")],
                                  catalog, orgs, TODAY)
    assert [(p.column, p.value, render(p.reason, "en")) for p in problems] == \
           ([] if kind is None else [("period", text, reason)])


# ------------------------------------------------------------------------------------- pages

# What an older release let into the store: its validation refused only periods after the current
# quarter, so 0000Q4 and 1900Q1 went in (the issue), a future one such as 9999Q4 never did.
OUTSIDE = [Period(0, 4), Period(1900, 1)]


@pytest.fixture
def app_db(users_template: Path, app_store, tmp_path: Path) -> Path:
    """The app's store with figures at periods outside the bounds, as an older release let through."""
    template = tmp_path / "outside.duckdb"
    shutil.copy(users_template, template)
    con = connect(template)
    rows = pd.DataFrame([dict(org_id="qingdao", indicator_id="software_revenue", year=p.year, quarter=p.quarter,
                              value=1000.0, value_entered=1000.0, unit_entered="万元", note=None) for p in OUTSIDE])
    submissions.write_submission(con, rows, actor="older-release", origin="import", status="accepted")
    con.close()
    return app_store(template)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/plan.py", "pages/park.py", "pages/reporting.py",
                                  "pages/export.py", "pages/review.py", "pages/incentives.py"])
def test_pages_never_offer_or_use_a_period_outside_the_bounds(app_db, page):
    """Neither the store's periods nor a forged session value reach a page: the sidebar offers
    only periods inside the bounds, and a period outside them in the session is dropped."""
    at = signed_in("admin", state={"plan_id": "qingdao-2012", "as_of_period": Period(0, 4)})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    offered = [o for box in at.selectbox for o in box.options]
    assert offered and "1900年1-3月" not in offered and "0年1-12月" not in offered


@pytest.mark.parametrize("page", ["pages/plan.py", "pages/park.py", "pages/reporting.py"])
def test_a_period_outside_the_bounds_forced_into_the_quarter_choice_is_not_used(app_db, page):
    at = signed_in("admin", state={"plan_id": "qingdao-2012", "as_of-qingdao": Period(0, 4)})
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_entry_form_offers_complete_quarters_only(catalog):
    from ui.entry import reporting_periods

    offered = reporting_periods(TODAY, back=4)
    assert offered == [Period(2026, 3), Period(2026, 2), Period(2026, 1), Period(2025, 4)]
    assert all(p in catalog.period_bounds(TODAY) for p in offered)
