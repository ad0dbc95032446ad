"""Readings that explain themselves (issue 18 item 2): the status key beside every table or card
that shows statuses, each row's reason in the table, the plan period elapsed beside 完成率, and what
changed since last quarter. Words and figures expected here are worked out by hand."""

from __future__ import annotations

import pytest

from metrics.progress import Status
from tests.apptest_helpers import new_app, sign_in_any_language
from ui import status

QINGDAO_2014Q3 = {"plan": "qingdao-2012", "q": "2014Q3"}


def leader_at(page: str, lang: str = "zh", query: dict | None = None):
    """The leader's session on `page`, opened from a bookmark of Qingdao at 2014 Q3."""
    at = new_app()
    at.query_params.update(query or QINGDAO_2014Q3)
    at.session_state["lang"] = lang
    at.run()
    sign_in_any_language(at, "leader")
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(("s", "zh", "en"), [
    (Status.ACHIEVED, "已达到目标值", "target value reached"),
    (Status.ON_TRACK, "实际增速达到所需增速的95%以上", "growing at 95% or more of the pace required"),
    (Status.ACCELERATION_NEEDED, "实际增速为所需增速的60%至95%", "growing at 60% to 95% of the pace required"),
    (Status.LIMITED, "有增长，但不足所需增速的60%", "growing, but at less than 60% of the pace required"),
    (Status.MOVING_AWAY, "不增反降，离目标越来越远", "falling: moving away from the target"),
    (Status.MISSED, "目标年已过，未达到目标值", "target year over, target not reached"),
    (Status.CANNOT_ASSESS, "数据不足，无法判断", "too few figures to judge"),
])
def test_each_status_has_a_one_line_meaning_with_the_thresholds(s, zh, en):
    assert status.meaning(s, "zh") == zh and status.meaning(s, "en") == en


def test_statuses_told_apart_by_icon_and_badge_colour():
    """Colour alone fails in grey print: every status has its own icon; and the two that tables
    draw in amber and orange have badges of different colours too."""
    assert len(set(status.ICONS.values())) == len(Status)
    assert status.BADGE_COLOURS[Status.ACCELERATION_NEEDED] != status.BADGE_COLOURS[Status.LIMITED]


def legend(at) -> tuple[list[str], list[str]]:
    """The badges' words and the captions on the page."""
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    return badges, [c.value for c in at.caption]


@pytest.mark.parametrize(("lang", "title"), [("zh", "状态说明"), ("en", "Status key")])
def test_the_plan_page_keys_the_statuses_of_its_table(app_db, lang, title):
    at = leader_at("pages/plan.py", lang)
    badges, captions = legend(at)
    assert title in captions
    shown = set(at.dataframe[0].value["_status"])
    assert len(shown) > 1
    for s in map(Status, shown):  # every status in the table: its word with its icon, and its meaning
        assert any(status.word(s, lang) in b and status.ICONS[s] in b for b in badges), (s, badges)
        assert status.meaning(s, lang) in captions
    for s in set(Status) - set(map(Status, shown)):  # none that the table does not show
        assert status.meaning(s, lang) not in captions


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/park.py"])
def test_the_overview_and_the_park_page_key_their_statuses(app_db, page):
    at = leader_at(page)
    badges, captions = legend(at)
    assert "状态说明" in captions
    assert sum(status.meaning(s, "zh") in captions for s in Status) >= 1
