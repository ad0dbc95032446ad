"""The view in the URL (issue 18): language, plan, quarter and target read from the query string
of a fresh session (a reload, a bookmark), hostile values ignored, choices written back."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from streamlit.testing.v1 import AppTest

from domain.periods import Period
from tests.apptest_helpers import new_app, sign_in_any_language
from ui.components import period_label
from ui.text import escape

BOOKMARK = {"lang": "en", "plan": "qingdao-2012", "q": "2014Q3"}


def opened(query: Mapping[str, str], username: str = "leader", page: str | None = None) -> AppTest:
    """A session started at a URL with `query` (a bookmark, a reload), on `page` if given, signed
    in through the form (its fields by position: their labels follow the URL's language)."""
    at = new_app()
    at.query_params.update(query)
    at.run()
    if page is not None:
        at.switch_page(page)
    return sign_in_any_language(at, username)


def park_box(at: AppTest):
    """The park page's own picker (the page's top also holds the phone's copy of the sidebar's)."""
    return next(s for s in at.selectbox if s.label == "园区")


def view(at: AppTest) -> tuple[str, str, Period]:
    """What the sidebar shows: language, plan, quarter."""
    return at.session_state["lang"], at.session_state["plan_id"], at.session_state["as_of_period"]


def test_a_bookmark_opens_its_plan_and_quarter_in_its_language(app_db, catalog):
    at = opened(BOOKMARK)
    assert view(at) == ("en", "qingdao-2012", Period(2014, 3))
    assert [(s.label, s.value) for s in at.sidebar.selectbox] == [("Plan", "qingdao-2012"), ("As of", Period(2014, 3))]
    assert at.header[0].value == "Overview"
    at.switch_page("pages/plan.py").run()  # a page switch clears the query string; the router writes it again
    assert not at.exception
    assert at.header[0].value == escape(catalog.plans["qingdao-2012"].title_en)
    assert at.caption[0].value.endswith(period_label(Period(2014, 3), "en"))
    assert {k: at.query_params[k] for k in BOOKMARK} == BOOKMARK


@pytest.mark.parametrize("query", [
    {"q": "9999Q9"}, {"q": "2014Q5"}, {"q": "1900Q1"}, {"q": "2014Q3' OR 1=1 --"}, {"q": ""}, {"q": "2014年1-9月"},
    {"plan": "nope"}, {"plan": "../../etc/passwd"}, {"plan": "QINGDAO-2012"}, {"lang": "fr"}, {"lang": "<script>"},
])
def test_a_hostile_value_falls_back_to_the_default(app_db, query):
    default = opened({})
    at = opened(query)
    assert view(at) == view(default)
    # the URL now names the view shown, not the rejected value
    assert {k: at.query_params[k] for k in ("lang", "plan", "q")} == {
        "lang": view(default)[0], "plan": view(default)[1], "q": str(view(default)[2])}


def test_a_plan_the_user_may_not_see_is_ignored_like_one_that_does_not_exist(app_db):
    """The park manager of 青岛软件城 sees Qingdao's plan only: Shenzhen's id in the URL gets the
    very answer an unknown id gets, so the URL cannot be used to learn which plans exist."""
    unknown = opened({"plan": "nope"}, "park-softcity")
    hidden = opened({"plan": "shenzhen-2011"}, "park-softcity")
    assert view(hidden) == view(unknown)
    assert view(hidden)[1] == "qingdao-2012"
    assert hidden.query_params["plan"] == "qingdao-2012"


def test_choosing_a_quarter_writes_it_to_the_url(app_db):
    at = opened({"plan": "qingdao-2012"})
    assert at.query_params["plan"] == "qingdao-2012"
    quarter = at.sidebar.selectbox[1]
    quarter.select(Period(2013, 2))
    at.run()
    assert not at.exception
    assert at.session_state["as_of_period"] == Period(2013, 2)
    assert at.query_params["q"] == "2013Q2"


def test_after_the_first_run_the_widgets_lead(app_db):
    """The URL is read once (and on back/forward): a later rerun keeps what was chosen."""
    at = opened(BOOKMARK)
    at.sidebar.selectbox[1].select(Period(2015, 4))
    at.run()
    at.run()
    assert view(at) == ("en", "qingdao-2012", Period(2015, 4))
    assert at.query_params["q"] == "2015Q4"


def test_a_bookmarked_target_opens_on_the_plan_page(app_db):
    at = opened({"plan": "qingdao-2012", "q": "2014Q4", "target": "qd-exports"}, page="pages/plan.py")
    assert at.selectbox(key="target").value == "qd-exports"
    assert at.query_params["target"] == "qd-exports"


@pytest.mark.parametrize("target", ["nope", "sz-national-share", ""])  # unknown, another plan's, empty
def test_a_target_not_of_the_plan_leaves_the_headline_one(app_db, target):
    at = opened({"plan": "qingdao-2012", "q": "2014Q4", "target": target}, page="pages/plan.py")
    assert at.selectbox(key="target").value == "qd-software-revenue"  # the plan's headline target
    assert at.query_params["target"] == "qd-software-revenue"


def test_choosing_a_target_writes_it_to_the_url(app_db):
    at = opened({"plan": "qingdao-2012", "q": "2014Q4"}, page="pages/plan.py")
    at.selectbox(key="target").select("qd-firms")
    at.run()
    assert not at.exception
    assert at.query_params["target"] == "qd-firms"
    assert at.subheader[0].value == "软件企业数"  # the chosen target's heading


def test_choosing_a_park_writes_it_to_the_url(app_db):
    at = opened({"plan": "qingdao-2012"}, page="pages/park.py")
    parks = park_box(at)
    first, other = parks.value, parks.options[1]
    parks.select_index(1)
    at.run()
    assert not at.exception
    assert park_box(at).value == at.query_params["park"] != first
    assert at.query_params["park"] in other  # the label shows the id beside the name


def test_choosing_another_plan_on_a_park_page_opens_that_plans_parks(app_db):
    """The URL's park is of the plan before: another plan's city starts at its own first park."""
    at = opened({"plan": "qingdao-2012", "park": "qd-infovalley"}, page="pages/park.py")
    assert park_box(at).value == at.query_params["park"] == "qd-infovalley"
    at.sidebar.selectbox[0].select("hangzhou-2012")
    at.run()
    assert not at.exception
    assert at.query_params["plan"] == "hangzhou-2012"
    assert park_box(at).value == at.query_params["park"] and at.query_params["park"].startswith("hz-")
