"""Since last quarter (metrics/changes.py) over a real store: each target at a quarter against the
plan judged a quarter earlier — a new figure, a status that moved, completion in points."""

from __future__ import annotations

import pytest

from domain.access import SYSTEM
from domain.periods import Period
from metrics import progress as pg
from metrics.changes import Change, Direction
from service.queries import plan_changes
from tests.test_tracker import qingdao  # noqa: F401 (the fixture: 600 亿元 in 2011, 937.5 亿元 in 2013)

REVENUE = "qd-software-revenue"  # 2200 亿元 by 2016


def change_at(con, catalog, year: int, quarter: int) -> Change:
    return plan_changes(con, catalog, SYSTEM, "qingdao-2012", Period(year, quarter))[REVENUE]


def test_a_new_yearly_figure_moves_completion_by_its_points(qingdao, catalog):  # noqa: F811
    c = change_at(qingdao, catalog, 2013, 4)  # 2013's 937.5 亿元 first read at 2013Q4
    assert (c.period_before, c.period_now) == ("2011", "2013")
    assert c.new_figure
    assert c.actual_delta == pytest.approx(937.5 - 600)
    assert c.completion_delta == pytest.approx(937.5 / 2200 - 600 / 2200)
    # 2011's figure alone could not be judged (no year since the base); 2013's can.
    assert c.status_before is pg.Status.CANNOT_ASSESS and c.direction is Direction.NEW


def test_no_new_figure_within_the_year_is_said_as_such(qingdao, catalog):  # noqa: F811
    c = change_at(qingdao, catalog, 2014, 1)  # 2013's figure still the latest
    assert (c.period_before, c.period_now) == ("2013", "2013")
    assert not c.new_figure
    assert c.completion_delta == 0 and c.direction is Direction.SAME


@pytest.mark.parametrize(("before", "now", "direction"), [
    (pg.Status.ACCELERATION_NEEDED, pg.Status.ON_TRACK, Direction.BETTER),
    (pg.Status.ON_TRACK, pg.Status.MOVING_AWAY, Direction.WORSE),
    (pg.Status.ON_TRACK, pg.Status.ON_TRACK, Direction.SAME),
    (None, pg.Status.ON_TRACK, Direction.NEW),
    (pg.Status.CANNOT_ASSESS, pg.Status.MISSED, Direction.NEW),  # first judged, though it is bad news
    (pg.Status.ON_TRACK, pg.Status.CANNOT_ASSESS, Direction.LOST),
    (pg.Status.CANNOT_ASSESS, pg.Status.CANNOT_ASSESS, Direction.SAME),
])
def test_direction_by_status(before, now, direction):
    c = Change(target_id="t", status_before=before, status_now=now, actual_before=1.0 if before else None,
               actual_now=2.0, period_before="2013" if before else None, period_now="2014",
               completion_before=0.4 if before else None, completion_now=0.6)
    assert c.direction is direction
    assert c.completion_delta == (pytest.approx(0.6 - 0.4) if before else None)
