"""Readings that explain themselves (issue 18 item 2): the status key beside every table or card
that shows statuses, each row's reason in the table, the plan period elapsed beside 完成率, and what
changed since last quarter. Words and figures expected here are worked out by hand."""

from __future__ import annotations

import math

import pytest

from domain.messages import Message
from domain.models import Comparator
from domain.periods import Period
from metrics import progress as pg
from metrics.changes import Change
from metrics.progress import Status
from metrics.tracker import ProgressRow, plan_period_elapsed
from tests.apptest_helpers import new_app, sign_in_any_language
from ui import components, status
from ui.i18n import t

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
    (Status.MOVING_AWAY, "不增反降，离目标越来越远", "falling, moving away from the target"),
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
    """The badges on the page and its captions."""
    return [m.value for m in at.markdown if "-badge[" in m.value], [c.value for c in at.caption]


def keyed(badges: list[str], s: Status, lang: str) -> bool:
    """Whether a badge shows the status's icon, word and meaning."""
    return any(status.ICONS[s] in b and f"{status.word(s, lang)}{'：' if lang == 'zh' else ' – '}{status.meaning(s, lang)}" in b
               for b in badges)


@pytest.mark.parametrize(("lang", "title"), [("zh", "状态说明"), ("en", "Status key")])
def test_the_plan_page_keys_the_statuses_of_its_table(app_db, lang, title):
    at = leader_at("pages/plan.py", lang)
    badges, captions = legend(at)
    assert title in captions
    shown = set(at.dataframe[0].value["_status"])
    assert len(shown) > 1
    for s in map(Status, shown):  # every status in the table: its word with its icon, colour and meaning
        assert keyed(badges, s, lang), (s, badges)
    for s in set(Status) - set(map(Status, shown)):  # none that the table does not show
        assert not keyed(badges, s, lang)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/park.py"])
def test_the_overview_and_the_park_page_key_their_statuses(app_db, page):
    at = leader_at(page)
    badges, captions = legend(at)
    assert "状态说明" in captions
    assert sum(keyed(badges, s, "zh") for s in Status) >= 1


# ------------------------------------------------------------------ the plan period elapsed


@pytest.mark.parametrize(("base", "target", "as_of", "months"), [
    (2011, 2016, Period(2014, 3), 33),  # the issue's Qingdao 2014 Q3: 24 + 9 months of 60 = 55 %
    (2011, 2016, Period(2012, 1), 3),  # one quarter into the first plan year
    (2011, 2016, Period(2016, 4), 60),  # the target year's end: the whole period
    (2011, 2015, Period(2013, 2), 18),  # 12 + 6 of 48
    (2020, 2025, Period(2023, 4), 36),  # Jiaxing-like: 2021, 2022, 2023 gone, 3 whole years of 5
    (2011, 2016, Period(2011, 4), 0),  # the base year's last quarter: nothing gone yet
    (2011, 2016, Period(2010, 2), 0),  # before the period: clipped to 0
    (2011, 2016, Period(2018, 2), 60),  # after it: clipped to the whole
])
def test_plan_period_elapsed(base, target, as_of, months):
    assert plan_period_elapsed(base, target, as_of) == pytest.approx(months / ((target - base) * 12))


def test_plan_period_elapsed_for_the_issues_reading():
    assert plan_period_elapsed(2011, 2016, Period(2014, 3)) == pytest.approx(0.55)


def row(**changes) -> ProgressRow:
    base = dict(plan_id="p", target_id="t", name_zh="收入", name_en="Revenue", kind="level", headline=False,
                scope_id="c", scope_name="城", indicator_id="i", comparator=">=", unit="亿元", target=2200.0,
                target_year=2016, actual=937.5, actual_period="2014Q3", completion=0.426, as_of="2014Q3",
                time_elapsed=0.75, ytd=None, ytd_yoy=None, yearly_target=None, in_year_completion=0.7,
                ahead_of_schedule=None, base_year=2011, base_value=600.0, actual_cagr=None, required_cagr=None,
                actual_pace=None, required_pace=None, ratio=None, projected_value=None, gap=1262.5,
                projected_gap=None, status=Status.ACCELERATION_NEEDED,
                reason=Message.of("progress.level.growth", actual=0.25, required=0.2967, ratio=0.84,
                                  share=pg.ratio_words(0.84, "growth")),
                final=False, series="official", coverage=None, source_quote="", method="compound", plan_elapsed=0.55)
    return ProgressRow(**(base | changes))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_table_reason_and_the_two_elapsed_columns(lang):
    paced = row()
    yearly = row(target_id="y", time_elapsed=0.75, in_year_completion=None, plan_elapsed=0.4)  # no in-year figure
    frame = components.progress_table([paced, yearly], lang)
    assert frame[t("reason", lang)].tolist() == [paced.reason.render(lang)] * 2
    assert frame[t("table.plan_elapsed", lang)].tolist() == pytest.approx([55.0, 40.0])
    assert frame[t("in_year", lang)].tolist()[0] == pytest.approx(70.0)
    elapsed = frame[t("table.time_elapsed_in_year", lang)].tolist()
    assert elapsed[0] == 75.0 and math.isnan(elapsed[1])  # blank where in-year completion is blank
    assert t("time_elapsed", lang) not in frame  # no bare 序时进度 beside 完成率
    html = components.style_status(frame, lang).to_html()
    assert ">55.0%<" in html and ">75.0%<" in html
    config = components.progress_column_config(lang)
    assert config[t("reason", lang)]["width"] == "large"


def test_the_plan_page_shows_reason_and_plan_period_elapsed(app_db):
    """Qingdao 2014 Q3 (the issue's reading): revenue's completion against 2200 亿元 beside 55 % of
    the plan period gone, its in-year completion beside 75 % of the year, and every row's reason."""
    at = leader_at("pages/plan.py")
    table = at.dataframe[0].value
    revenue = table[table["_id"] == "qd-software-revenue"].iloc[0]
    assert revenue["规划期已过"] == pytest.approx(55.0)  # 33 months of 60
    assert revenue["年内序时进度"] == 75.0
    assert table["判断依据"].map(lambda s: isinstance(s, str) and len(s) > 4).all()
    no_in_year = table[table["年度目标完成率"].isna()]
    assert len(no_in_year) and no_in_year["年内序时进度"].isna().all()


# ------------------------------------------------------------------ since last quarter


def change(before, now, *, period_before="2013", period_now="2014", done_before=0.40, done_now=0.46,
           actual_now=2.0) -> Change:
    return Change(target_id="t", status_before=before, status_now=now, actual_before=None if before is None else 1.0,
                  actual_now=actual_now, period_before=None if before is None else period_before, period_now=period_now,
                  completion_before=None if before is None else done_before, completion_now=done_now)


S = Status


@pytest.mark.parametrize(("c", "zh", "en"), [
    # a new figure: the arrow, then 46 % − 40 % = +6.0 points of completion
    (change(S.ACCELERATION_NEEDED, S.ON_TRACK), "↑ 完成率+6.0个百分点", "↑ completion +6.0 pp"),
    (change(S.ON_TRACK, S.LIMITED, done_now=0.385), "↓ 完成率-1.5个百分点", "↓ completion -1.5 pp"),
    (change(S.ON_TRACK, S.ON_TRACK, done_now=0.40), "→ 完成率+0.0个百分点", "→ completion +0.0 pp"),
    # the same year's figure as last quarter: no new figure, whatever the status did
    (change(S.ON_TRACK, S.ON_TRACK, period_now="2013", done_now=0.40), "→ 无新数据", "→ no new figure"),
    (change(S.ON_TRACK, S.ACCELERATION_NEEDED, period_now="2013", done_now=0.40), "↓ 无新数据", "↓ no new figure"),
    (change(None, S.ON_TRACK), "新评估", "newly judged"),
    (change(S.CANNOT_ASSESS, S.MISSED), "新评估", "newly judged"),
    (change(S.ON_TRACK, S.CANNOT_ASSESS, done_now=None), "本季无法评估 有新数据", "not judged now new figure"),
    (change(S.ON_TRACK, S.CANNOT_ASSESS, period_now="2013", actual_now=None, done_now=None),
     "本季无法评估 无新数据", "not judged now no new figure"),
])
def test_since_last_quarter_in_words(c, zh, en):
    assert components.since_words(c, "zh") == zh and components.since_words(c, "en") == en


def test_the_plan_and_park_tables_say_what_moved_since_last_quarter(app_db):
    """Qingdao 2014 Q3 against Q2: revenue is judged on 2013's whole year at both (the year-to-date
    figure feeds only the in-year columns), so no new figure; every cell is one of the forms."""
    for page in ("pages/plan.py", "pages/park.py"):
        at = leader_at(page)
        table = at.dataframe[0].value
        since = table["较上季度"]
        assert since.str.fullmatch(r"(新评估|本季无法评估 .+|[↑↓→] (无新数据|有新数据|完成率[+-]\d+\.\d个百分点))").all(), \
            since.tolist()
        if page == "pages/plan.py":
            assert table[table["_id"] == "qd-software-revenue"].iloc[0]["较上季度"] == "→ 无新数据"


def test_a_new_yearly_figure_shows_its_points_of_completion(app_db):
    """At 2014 Q4 the 2014 figure replaces 2013's: 600·1.25³ = 1171.875 against 600·1.25² = 937.5,
    (1171.875 − 937.5) ÷ 2200 = 10.65 points of completion."""
    at = leader_at("pages/plan.py", "en", {"plan": "qingdao-2012", "q": "2014Q4"})
    table = at.dataframe[0].value
    cell = table[table["_id"] == "qd-software-revenue"].iloc[0]["Since last quarter"]
    assert (1171.875 - 937.5) / 2200 * 100 == pytest.approx(10.65, abs=0.01)
    assert cell.endswith("completion +10.7 pp") and cell[0] in "↑↓→", cell


# ------------------------------------------------------------------ R in words


def test_the_progress_ratio_is_said_in_words():
    """Qingdao: 600 in 2011, 600·1.25² = 937.5 in 2013, 2200 by 2016. Required growth
    (2200/600)^(1/5) − 1 = 29.67 %, actual 25 %: R = 0.25 / 0.2967 = 0.8425, said as 84 %."""
    g_req = (2200 / 600) ** (1 / 5) - 1
    assert 0.25 / g_req == pytest.approx(0.8425, abs=1e-4)
    a = pg.assess_level({2011: 600.0, 2013: 937.5}, 2200.0, Comparator.GE, 2011, 2016, 2013)
    assert a.ratio == pytest.approx(0.8425, abs=1e-4) and a.status is Status.ACCELERATION_NEEDED
    assert a.reason.render("zh") == "实际年均增长+25.0%，需年均增长+29.7%（实际增速为所需的84%）"
    assert a.reason.render("en") == "actual growth +25.0% a year against +29.7% required (growth at 84% of the pace required)"
    assert "R =" not in a.reason.render("zh") + a.reason.render("en")


@pytest.mark.parametrize(("ratio", "zh", "en"), [
    (2.0, "实际进度为所需的200%", "at 200% of the pace required"),  # 8 designated by 2013: 4 a year against 2
    (0.5, "实际进度为所需的50%", "at 50% of the pace required"),
    (0.0, "实际进度为所需的0%", "at 0% of the pace required"),
    (-6.5, "实际变化方向与目标相反", "moving the opposite way to the target"),  # never "−650 %"
])
def test_a_pace_ratio_in_words(ratio, zh, en):
    m = pg.ratio_words(ratio, "pace")
    assert m.render("zh") == zh and m.render("en") == en


def test_a_linear_pace_reason_in_words():
    """重点支持10家领军企业 by 2016 from none in 2011: 8 by 2013 is 4 a year against 10 / 5 = 2 (R = 2)."""
    a = pg.assess_pace({2012: 6.0, 2013: 8.0}, 10.0, 2011, 2016, 2013, per_year=False)
    assert a.ratio == pytest.approx(2.0)
    assert a.reason.render("zh").endswith("（实际进度为所需的200%）"), a.reason.render("zh")


# ------------------------------------------------------------------ a count in its first year


@pytest.mark.parametrize(("quarter", "status_", "words"), [
    # 重点支持10家领军企业 by 2016, none in 2011, 6 designated in 2012 (the demo). Within 2012 no whole
    # year is over, so no pace yet, and the row says how many so far against the target...
    (Period(2012, 1), Status.CANNOT_ASSESS, "2011年之后尚无完整年度数据；2012年目前6家（目标10家），首个完整年度结束后评估进度"),
    (Period(2012, 3), Status.CANNOT_ASSESS, "2011年之后尚无完整年度数据；2012年目前6家（目标10家），首个完整年度结束后评估进度"),
    # ...and at the year's end the same 6 is 6 a year against 10 / 5 = 2 a year: R = 3, on track.
    (Period(2012, 4), Status.ON_TRACK, "年均6家，需年均2家（实际进度为所需的300%）"),
])
def test_a_count_from_zero_in_its_first_year_says_what_it_has(demo_store, catalog, quarter, status_, words):
    from domain.access import SYSTEM
    from service.queries import plan_progress

    row = next(r for r in plan_progress(demo_store, catalog, SYSTEM, "qingdao-2012", quarter)
               if r.target_id == "qd-leading-firms")
    assert row.status is status_ and row.reason.render("zh") == words
