"""Figures in tables in their natural unit with whole numbers (issue 18 item 1): people in 人 below
10,000 and 万人 from there, whole things without ".00", thousands separators, a dash for missing.
Expected cells are worked out here by hand."""

from __future__ import annotations

import pytest

from domain.messages import Message
from metrics.progress import Status
from metrics.tracker import ProgressRow
from ui import components
from ui.format import amount, in_natural_unit, natural_unit
from ui.i18n import t


@pytest.mark.parametrize(("values", "symbol", "shown"), [
    ([62, 100], "人", "人"),  # the talent target: 62 人, not 0.01 万人
    ([0.0062, 0.01], "万人", "人"),  # the same people written in 万人 by the plan
    ([9_999, 5_000], "人", "人"),
    ([10_000, 5_000], "人", "万人"),  # the target reaches 万: the whole row in 万人
    ([2.7, None], "万人", "万人"),
    ([800, None], "人次", "人次"),
    ([3.2, 4], "万人次", "万人次"),
    ([1234.5, 2200], "亿元", "亿元"),
    ([5_000_000, 22_000_000], "万元", "亿元"),  # money keeps the briefing's 亿元
    ([3, 5], "个", "个"),
    ([None, None], "人", "人"),
])
def test_natural_unit(values, symbol, shown):
    assert natural_unit(values, symbol) == shown


def test_in_natural_unit_converts_and_keeps_missing():
    assert in_natural_unit([0.0062, None], "万人") == ([pytest.approx(62), None], "人")
    assert in_natural_unit([12_345, 20_000], "人") == ([pytest.approx(1.2345), pytest.approx(2.0)], "万人")
    assert in_natural_unit([500_000, None], "万元") == ([pytest.approx(50.0), None], "亿元")


@pytest.mark.parametrize(("value", "shown", "cell"), [
    (62.0, "人", "62"),
    (2700.0, "人", "2,700"),  # headcount without ".00"
    (61.6, "人", "62"),  # a projected headcount in whole people
    (1.2345, "万人", "1.23"),
    (1262.5, "亿元", "1,262.50"),  # the 差距 the issue saw clipped as ",262.50"
    (-1262.5, "亿元", "-1,262.50"),
    (1096722.7, "万元", "1,096,722.70"),
    (5.0, "个", "5"),
    (2.5, "个", "2.50"),
    (None, "亿元", "—"),
    (float("nan"), "人", "—"),
])
def test_amount(value, shown, cell):
    assert amount(value, shown) == cell


def row(**changes) -> ProgressRow:
    base = dict(plan_id="p", target_id="t", name_zh="人才", name_en="Talent", kind="quantity", headline=False,
                scope_id="c", scope_name="城", indicator_id="i", comparator=">=", unit="万人", target=0.01,
                target_year=2015, actual=0.0062, actual_period="2013", completion=0.62, as_of="2013Q4",
                time_elapsed=None, ytd=None, ytd_yoy=None, yearly_target=None, in_year_completion=None,
                ahead_of_schedule=None, base_year=None, base_value=None, actual_cagr=None, required_cagr=None,
                actual_pace=None, required_pace=None, ratio=None, projected_value=None, gap=0.0038,
                projected_gap=None, status=Status.ON_TRACK, reason=Message.of("status.legend"), final=False, series="official",
                coverage=None, source_quote="", method="linear")
    return ProgressRow(**(base | changes))


def test_progress_table_rows_in_natural_units_and_styled_cells():
    talent = row()
    revenue = row(target_id="r", unit="万元", target=22_000_000.0, actual=9_374_500.0, gap=12_625_500.0,
                  projected_value=None)
    frame = components.progress_table([talent, revenue], "zh")
    assert frame["单位"].tolist() == ["人", "亿元"]
    assert frame["实际值"].tolist() == pytest.approx([62.0, 937.45])
    assert frame["目标值"].tolist() == pytest.approx([100.0, 2200.0])
    assert frame["差距"].tolist() == pytest.approx([38.0, 1262.55])
    shown = components.style_status(frame, "zh")
    html = shown.to_html()
    for cell in (">62<", ">100<", ">38<", ">937.45<", ">2,200.00<", ">1,262.55<", ">—<"):
        assert cell in html, cell
    assert ">62.00<" not in html and ">0.01<" not in html


def test_preview_columns_formatted_as_on_paper():
    """The export preview: numbers with separators and the column's decimals; a year (integer) left alone."""
    from reports.model import Column
    from ui import programme

    config = programme.preview_column_config([Column(header="收入", kind="number", decimals=2),
                                              Column(header="占比", kind="percent"),
                                              Column(header="目标年", kind="integer"), Column(header="园区")])
    assert {k: v["type_config"]["format"] for k, v in config.items()} == {"收入": "%,.2f", "占比": "percent"}


def test_funding_columns_formatted_where_they_hold_money():
    import pandas as pd

    from ui import programme

    frame = pd.DataFrame({"基地类型": ["甲", "合计"], "2016": [8200.0, 20700.0], "年度": [2016, 2016], "名称": ["a", "b"]})
    config = programme.funding_column_config(frame, "zh")
    assert {k: v["type_config"]["format"] for k, v in config.items()} == {"2016": "localized", "年度": "%d"}


def test_every_plan_at_every_quarter_names_the_series_it_judged(demo_store, catalog):
    """The progress table of every plan, at each of the eight latest quarters with data, in both
    languages: each row says which series was judged in the catalog's words — a count of designated
    bases is judged on the designation register, which the table once did not know (a KeyError
    that the load benchmark met on switching plans)."""
    from service import queries

    words = {lang: {t(key, lang) for key in components.SERIES_KEYS.values()} | {"—"} for lang in ("zh", "en")}
    seen = set()
    for plan_id, plan in catalog.plans.items():
        for as_of in queries.periods(demo_store, plan.scope, catalog.period_bounds())[-8:]:
            rows = queries.judge(demo_store, catalog, plan_id, as_of).rows
            seen |= {r.series for r in rows}
            for lang in ("zh", "en"):
                frame = components.progress_table(rows, lang)
                assert set(frame[t("series_used", lang)]) <= words[lang], (plan_id, as_of)
    assert "register" in seen  # the case is met
