"""The demo data set where a plan's quota is not the city's: Qingdao's districts report their top
talents themselves (相关区市每年要引进2名以上) and 嘉职院 its graduates, so the city's figure is the
sum of theirs and the college's quota is judged on the college's figure.

Expected figures are data/demo.yaml's, written out here; sums are done by hand in the comments.
"""

from __future__ import annotations

import pytest
import yaml

from domain.periods import Period
from domain.snapshot import Needs, SeriesKey
from metrics.series import labelled, pick
from store import demo, snapshot
from store.catalog import DATA_DIR
from tests import rawsql

TALENTS = "top_talents_introduced"
YEARS = [2012, 2013, 2014, 2015, 2016]
# Each district's yearly figure (Q4, the year's total); 胶州 sent none for 2014.
DISTRICTS = {
    "qd-shinan": [3, 4, 3, 4, 4],
    "qd-shibei": [2, 3, 2, 3, 3],
    "qd-licang": [2, 2, 1, 2, 3],
    "qd-laoshan": [5, 6, 4, 6, 7],
    "qd-huangdao": [3, 4, 3, 4, 5],
    "qd-chengyang": [2, 2, 2, 3, 3],
    "qd-jimo": [2, 2, 2, 2, 2],
    "qd-jiaozhou": [2, 2, None, 2, 3],
    "qd-pingdu": [1, 2, 2, 2, 2],
    "qd-laixi": [2, 2, 2, 0, 2],
}


def annual(con, org: str, indicator: str) -> dict[int, float]:
    rows = rawsql.frame(con, """SELECT year, value FROM current_observations
                                WHERE org_id = ? AND indicator_id = ? AND quarter = 4""", [org, indicator])
    return {int(y): v for y, v in zip(rows.year, rows.value, strict=True)}


def test_each_qingdao_district_reports_its_top_talents_year_by_year(demo_store):
    for district, values in DISTRICTS.items():
        assert annual(demo_store, district, TALENTS) == {y: v for y, v in zip(YEARS, values, strict=True)
                                                         if v is not None}, district
    # Four year-to-date quarters a reported year: 9 districts × 5 years × 4 + 胶州's 4 years × 4.
    rows = rawsql.scalar(demo_store, """SELECT count(*) FROM current_observations o JOIN orgs g USING (org_id)
                                        WHERE o.indicator_id = ? AND g.kind = 'district'""", [TALENTS])
    assert rows == 9 * 5 * 4 + 4 * 4 == 196


def test_some_district_years_fall_short_of_the_quota_of_two(demo_store):
    short = rawsql.frame(demo_store, """SELECT org_id, year, value FROM current_observations
                                        WHERE indicator_id = ? AND quarter = 4 AND value < 2
                                        ORDER BY org_id""", [TALENTS])
    assert list(short.itertuples(index=False, name=None)) == [
        ("qd-laixi", 2015, 0.0), ("qd-licang", 2014, 1.0), ("qd-pingdu", 2012, 1.0)]


def test_qingdao_has_no_top_talents_figure_of_its_own_only_the_districts_sum(demo_store):
    assert annual(demo_store, "qingdao", TALENTS) == {}
    summed = rawsql.frame(demo_store, """SELECT year, total, reporters FROM bottom_up
                                         WHERE ancestor_id = 'qingdao' AND indicator_id = ? AND quarter = 4
                                         ORDER BY year""", [TALENTS])
    assert list(summed.itertuples(index=False, name=None)) == [
        (2012, 3 + 2 + 2 + 5 + 3 + 2 + 2 + 2 + 1 + 2, 10),  # 24
        (2013, 4 + 3 + 2 + 6 + 4 + 2 + 2 + 2 + 2 + 2, 10),  # 29
        (2014, 3 + 2 + 1 + 4 + 3 + 2 + 2 + 2 + 2, 9),  # 21: 胶州 did not report
        (2015, 4 + 3 + 2 + 6 + 4 + 3 + 2 + 2 + 2 + 0, 10),  # 28: 莱西's zero is a report
        (2016, 4 + 3 + 3 + 7 + 5 + 3 + 2 + 3 + 2 + 2, 10),  # 34
    ]


def test_the_college_reports_its_graduates_and_the_city_has_none_of_its_own(demo_store):
    college = {2021: 380.0, 2022: 390.0, 2023: 405.0, 2024: 410.0, 2025: 395.0}
    assert annual(demo_store, "jx-vocational-college", "graduates_college") == college
    assert annual(demo_store, "jiaxing", "graduates_college") == {}


def test_the_judged_series_are_the_districts_sum_and_the_colleges_own_report(demo_store, catalog):
    """What a judge of qd-top-talents and jx-graduates-college is handed: Qingdao's series is the
    bottom-up sum; the college's is its own figure, labelled as a report, not official statistics."""
    keys = [SeriesKey("qingdao", TALENTS), SeriesKey("jx-vocational-college", "graduates_college")]
    city = pick(snapshot.read(demo_store, Needs(series=frozenset(keys[:1])), Period(2016, 4)), "qingdao", TALENTS)
    assert city.which == "bottom_up" and city.values[Period(2016, 4)] == 34
    snap = snapshot.read(demo_store, Needs(series=frozenset(keys[1:])), Period(2025, 4))
    own = labelled(pick(snap, "jx-vocational-college", "graduates_college"), catalog, "jx-vocational-college")
    assert own.which == "reported" and own.values[Period(2025, 4)] == 395


def _settings() -> dict:
    return yaml.safe_load((DATA_DIR / "demo.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("city", "key", "org", "indicator", "refused"), [
    ("qingdao", "districts", "zj-hz-xihu", TALENTS, "not of kind district under qingdao"),  # another city's district
    ("qingdao", "districts", "qd-softcity", TALENTS, "not of kind district under qingdao"),  # a park, not a district
    ("jiaxing", "institutions", "jx-core", "graduates_college", "not of kind institution under jiaxing"),
    ("qingdao", "districts", "qd-laoshan", "software_revenue", "software_revenue is not reported by kind district"),
])
def test_own_reports_refuses_a_figure_no_sum_would_count(catalog, city, key, org, indicator, refused):
    c = _settings()["cities"][city]
    c[key] = {org: {indicator: {"unit": "人" if indicator != "software_revenue" else "亿元", "values": {2015: 3}}}}
    with pytest.raises(ValueError, match=refused):
        demo.own_reports(catalog, city, c)


def test_own_reports_of_the_settings(catalog):
    cfg = _settings()
    reports = {(org, ind): values for city, c in cfg["cities"].items()
               for org, ind, values, _ in demo.own_reports(catalog, city, c)}
    assert len(reports) == 10 + 1  # Qingdao's ten districts, 嘉职院
    assert reports[("qd-jiaozhou", TALENTS)] == {2012: 2, 2013: 2, 2015: 2, 2016: 3}
