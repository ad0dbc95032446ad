"""The dashboard pages, run server-side from dashboard.py as a signed-in leader (AppTest).

Numbers are checked against the demo settings in data/demo.yaml, worked out by hand here:
Qingdao's official software revenue is 600 亿元 in 2011 growing 25 % a year, so 2014 is
600·1.25³ = 1171.875 亿元 and 2016 is 600·1.25⁵ = 1831.0546875 亿元; the target is 2200 亿元.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from domain.periods import Period
from tests.conftest import LEADER_PASSWORD
from ui.format import period_label
from ui.text import escape

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = LEADER_PASSWORD
QD_2014 = 600 * 1.25**3
QD_2016 = 600 * 1.25**5


@pytest.fixture
def app_db(leader_app):
    return leader_app


def signed_in(**state) -> AppTest:
    """A leader's session; sidebar choices are put in session state before the first run
    (AppTest drops sidebar elements after a rerun under st.navigation)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.text_input[0].input("leader")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.mark.parametrize(("page", "header"), [
    ("pages/overview.py", "总览"),
    ("pages/plan.py", "深圳市创建中国软件名城分解实施方案"),
    ("pages/park.py", "园区 · 高新南区填海区软件产业基地"),  # the first park of the first plan (Shenzhen)
    ("pages/plans.py", "规划列表"),
])
def test_every_page_renders(app_db, page, header):
    at = signed_in()
    at.switch_page(page).run()
    assert not at.exception
    assert at.header[0].value == header


def official(org: str, indicator: str, quarter: Period) -> float:
    """The figure in force in the app's store, in 亿元 (stored in 万元)."""
    from tests import rawsql
    from ui import queries

    return rawsql.scalar(queries.cursor(), "SELECT value / 1e4 FROM current_observations WHERE org_id = ? AND "
                         "indicator_id = ? AND year = ? AND quarter = ?", [org, indicator, *quarter])


def overview_card(at: AppTest, title: str) -> tuple[list[str], list[str]]:
    """One card of the overview: its metrics' values and its notes (st.info), found by its title."""
    box = next(c for c in at.main.children.values() if isinstance(c, Block)
               and any(s.value == escape(title) for s in c.get("subheader")))
    return [m.value for m in box.get("metric")], [i.value for i in box.get("info")]


@pytest.mark.parametrize("quarter", [Period(2014, 4), Period(2015, 4), Period(2016, 4)])
def test_overview_follows_the_sidebar_quarter(app_db, catalog, quarter):
    """Every card is read at the sidebar's quarter: Qingdao's headline is its official software
    revenue of that quarter (from the store; by hand 600·1.25^(year−2011)), and its completion that
    over 2200; a plan the quarter lies outside says so, naming its span and its own latest quarter."""
    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": quarter})
    assert at.header[0].value == "总览"
    assert period_label(quarter, "zh") in at.caption[0].value
    actual = official("qingdao", "software_revenue", quarter)
    assert actual == pytest.approx(600 * 1.25 ** (quarter.year - 2011), abs=0.01)
    metrics, notes = overview_card(at, catalog.plans["qingdao-2012"].title_zh)
    assert f"{actual:,.2f}" in metrics and f"{actual / 2200:.1%}" in metrics and not notes
    # Jiaxing's plan runs 2021–2025: no figures, the reason and its own latest quarter instead
    jiaxing = catalog.plans["jiaxing-2021"]
    metrics, notes = overview_card(at, jiaxing.title_zh)
    assert not metrics
    assert notes and "2021—2025" in notes[0] and period_label(quarter, "zh") in notes[0]


def test_plan_detail_figures_follow_plan_and_quarter(app_db):
    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2014, 4)})
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["_id"] == "qd-software-revenue"].iloc[0]
    assert row["实际值"] == pytest.approx(QD_2014, abs=0.01)
    assert row["完成率"] == pytest.approx(QD_2014 / 2200 * 100, abs=0.01)
    g_req = (2200 / 600) ** (1 / 5) - 1
    assert row["状态"] == "需加快"  # R = 0.25 / g_req = 0.84
    assert 0.25 / g_req == pytest.approx(0.8425, abs=1e-3)
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # the target chart, parks, components
    assert "到2016年，全市软件业务收入达到2200亿元" in " ".join(x.value for x in at.text)


def test_plan_detail_in_year_progress_mid_year(app_db):
    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2014, 3)})
    at.switch_page("pages/plan.py").run()
    table = at.dataframe[0].value
    row = table[table["_id"] == "qd-software-revenue"].iloc[0]
    # year-to-date Jan–Sep 2014 = 1171.875 · 0.72 (seasonal share) against 600·(1+g_req)³
    g_req = (2200 / 600) ** (1 / 5) - 1
    assert row["年度目标完成率"] == pytest.approx(QD_2014 * 0.72 / (600 * (1 + g_req) ** 3) * 100, abs=0.01)
    assert row["年内序时进度"] == 75.0  # beside 年度目标完成率, the in-year reading it belongs to
    assert row["规划期已过"] == pytest.approx(55.0)  # base 2011 → target 2016: 60 months; to 2014-09-30: 33 months
    assert len(at.get("plotly_chart")) >= 4  # with the in-year gauge


def test_plan_detail_as_it_stood_on_a_date_beside_the_status_now(app_db):
    """On 2014-12-31 no 2014 Q4 figure had been entered (the demo enters each some days after its
    quarter): the table as it stood then reads Qingdao's 2013 revenue, 600 · 1.25² = 937.5 亿元, says
    so in a banner, and shows the status on today's figures beside it."""
    import datetime as dt

    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2014, 4)})
    at.session_state["as_at"] = dt.date(2014, 12, 31)  # the sidebar's date, once signed in
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    assert any("2014-12-31" in w.value for w in at.warning)
    table = at.dataframe[0].value
    row = table[table["_id"] == "qd-software-revenue"].iloc[0]
    assert row["实际值"] == pytest.approx(600 * 1.25**2, abs=0.01) and row["期别"] == "2013"
    assert row["现行状态"] == "需加快"  # today: 2014 at 1171.875, R = 0.25 / g_req = 0.84


def test_plan_detail_in_english(app_db):
    at = signed_in(lang="en", plan_id="qingdao-2012", **{"as_of-qingdao": Period(2014, 4)})
    at.switch_page("pages/plan.py").run()
    table = at.dataframe[0].value
    row = table[table["_id"] == "qd-software-revenue"].iloc[0]
    assert row["Status"] == "Acceleration needed"
    assert row["Actual"] == pytest.approx(QD_2014, abs=0.01)
    # Labels, units and notes are joined the English way: no Chinese punctuation built into the screen.
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Why: ") for c in captions)
    assert any(m.value.startswith("**Source text** (") for m in at.markdown)
    assert [s for s in captions if "：" in s or "（" in s] == []
    assert "Admission criteria check" in [s.value for s in at.subheader]


def test_plan_detail_checks_admission_criteria_park_by_park(app_db):
    """Qingdao's 准入条件 are checked per park, units below a criterion first. 通信产业园 invests 8 亿元
    in 2011 growing 10 % a year, reported from 2010 (data/demo.yaml), on 1200 亩 = 80 公顷: Σ 2010–2016
    = 8/1.1 + 8·(1.1⁶ − 1)/0.1 = 69.0 亿元 = 690 000 万元 ÷ 80 公顷 = 8624.7 万元/公顷 ≥ 4000."""
    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2016, 4)})
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    assert "准入条件核查" in [s.value for s in at.subheader]
    table = at.dataframe[-1].value
    rows = table[(table["园区/企业"] == "国家（青岛）通信产业园") & table["准入条件"].str.contains("投资强度")]
    row = rows.iloc[0]
    invest = 8 / 1.1 + 8 * (1.1**6 - 1) / 0.1  # 亿元
    assert row["核算值"] == pytest.approx(invest * 1e4 / 80, abs=0.02)
    assert (row["条件核对"], row["要求"], row["单位"]) == ("符合", 4000, "万元/公顷")
    assert row["核算方法"] == "累计固定资产投资 2010–2016年 ÷ 产业用地面积（2016年末）"
    assert table["条件核对"].iloc[0] == "不符合"
    assert list(table["条件核对"]) == sorted(table["条件核对"], key=["不符合", "无法核对", "符合"].index)


def test_periods_named_in_english(app_db):
    """The quarter is the catalog's period.ytd in the reader's language, never 2016年1-12月 on an English screen."""
    at = signed_in(lang="en", plan_id="qingdao-2012", **{"as_of-qingdao": Period(2016, 4)})
    at.switch_page("pages/reporting.py").run()
    assert not at.exception
    assert any(" · 2016Q4 · deadline " in c.value for c in at.caption)
    at.switch_page("pages/park.py").run()
    assert "Enterprises (2016Q4)" in [s.value for s in at.subheader]
    assert not [x for x in (*at.caption, *at.subheader, *at.info) if "年1-" in x.value]


def test_park_page_follows_the_chosen_park(app_db):
    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2016, 4)})
    at.switch_page("pages/park.py").run()
    assert at.header[0].value == "园区 · 青岛国际动漫游戏产业园"  # Qingdao's parks in id order: qd-anime-park first
    park_box = next(s for s in at.selectbox if s.label == "园区")
    park_box.set_value("qd-haier-park").run()
    assert at.header[0].value == "园区 · 海尔信息产业园"
    targets = at.dataframe[0].value
    # 海尔信息产业园: revenue target 600 亿元 by 2016 (the park's own target row)
    assert targets["目标值"].tolist() == [600.0]
    ents = at.dataframe[1].value
    assert ents["占园区比重"].sum() == pytest.approx(100.0, abs=0.01)
    # the anchor firm (海尔) holds 85 % of the park in data/demo.yaml, drifting with noise
    assert ents["占园区比重"].max() > 50


def test_empty_quarter_says_so(app_db):
    at = signed_in(plan_id="jiaxing-2021", **{"as_of-jiaxing": Period(2019, 1)})
    at.switch_page("pages/plan.py").run()
    assert not at.exception
    # At 2019Q1 the last complete year is 2018, before any Jiaxing series starts: no table, a sentence.
    assert [i.value for i in at.info] == ["该规划在 2019年1-3月 尚无数据。"]
    assert not at.dataframe and not at.get("plotly_chart")


def test_new_data_shows_without_restarting(app_db):
    """A figure landing in the store (here a correction) shows on the next run: cached reads are
    keyed by the store's data version, so nothing stale survives a write."""
    import pandas as pd

    from store import submissions
    from ui import queries

    at = signed_in(plan_id="qingdao-2012", **{"as_of-qingdao": Period(2016, 4)})
    at.switch_page("pages/plan.py").run()
    row = at.dataframe[0].value.set_index("_id").loc["qd-software-revenue"]
    assert row["实际值"] == pytest.approx(QD_2016, abs=0.01) and row["状态"] == "未完成"
    correction = pd.DataFrame([("qingdao", "software_revenue", 2016, 4, 23_000_000.0, 2300.0, "亿元", None)],
                              columns=submissions.REQUIRED_COLUMNS)  # 2300 亿元 = 23 000 000 万元
    submissions.write_submission(queries.cursor(), correction, actor="statistician", origin="test", status="accepted")
    at.run()
    row = at.dataframe[0].value.set_index("_id").loc["qd-software-revenue"]
    assert row["实际值"] == pytest.approx(2300.0) and row["状态"] == "已完成"
