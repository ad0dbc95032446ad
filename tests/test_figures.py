"""Charts as a reader sees them, read from the figures' JSON (fig.to_dict()): legends above the
plot, year-to-date bars on their year, definition breaks between the years, the gauge whole in a
quarter column, every colour named in a legend, the target labelled once, one colour-blind-safe
palette with statuses told apart by more than hue (and each status colour ≥ 3:1 on white), and
every word in the reader's language with numbers formatted and in their unit."""

from __future__ import annotations

import datetime as dt
import functools
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from domain.programme import BaseType, TaskStatus
from metrics import bases, tasks
from metrics.progress import Status
from metrics.tracker import ParkShare, TargetSeries
from reports import images
from reports.model import Chart, ChartSeries
from ui import figures, palette, programme_figures, status

HAN = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"%\{([^}]*)\}")

SERIES = TargetSeries(
    target_id="t", unit="亿元", target=2200.0, base_year=2010, target_year=2016,
    annual={2010: 820.0, 2011: 1005.3, 2012: 1134.4430632110766, 2013: 1390.0, 2014: 1580.2},
    ytd={"2015Q1": 402.1, "2015Q2": 830.5, "2015Q3": 1262.5},
    required_path={2010: 820.0, 2012: 1150.0, 2014: 1600.0, 2016: 2200.0},
    projection={2014: 1580.2, 2015: 1790.0, 2016: 2010.0},
    definition_changes=[(2013, "2013年起统计主营业务收入", "From 2013 main-business revenue"),
                        (2008, "早于规划期", "before the plan")],  # outside the chart: not drawn
    series="official", provisional_years=[2014])
PARKS = [
    ParkShare(org_id="a", name_zh="滨江", name_en="Binjiang", value=820.0, target=1000.0, target_id="a1",
              status=Status.ON_TRACK),
    ParkShare(org_id="b", name_zh="下沙", name_en="Xiasha", value=300.0, target=500.0, target_id="b1",
              status=Status.ACCELERATION_NEEDED),
    ParkShare(org_id="c", name_zh="西湖", name_en="West Lake", value=120.0, target=None, target_id=None, status=None),
    ParkShare(org_id="d", name_zh="未来城", name_en="Future City", value=90.0, target=200.0, target_id="d1",
              status=Status.ON_TRACK),
]
PARTS = pd.DataFrame({"indicator_id": ["p", "p", "s", "s"], "year": [2014, 2015, 2014, 2015],
                      "value": [500.0, 612.25, 300.0, 350.5], "name_zh": ["软件产品"] * 2 + ["信息技术服务"] * 2,
                      "name_en": ["Software products"] * 2 + ["IT services"] * 2})


@functools.cache
def charts(lang: str) -> dict[str, dict]:
    """Every chart builder's figure as JSON, given data whose own names are in `lang` (built once)."""
    name = {"zh": "组", "en": "group"}[lang]
    done = tasks.Completion(name=name, total=5, done=2, in_progress=1, delayed=1, not_started=1, overdue=1)
    designation = bases.Designation(base_id="b", name=name, base_type=next(iter(BaseType)), county_id="c",
                                    county_name=name, year=2015, designated_on=dt.date(2015, 6, 1), funding=10.0)
    built: dict[str, go.Figure] = {
        "target": figures.target_chart(SERIES, lang),
        "compact": figures.target_chart(SERIES, lang, height=220, compact=True),
        "status": figures.status_bar({Status.ON_TRACK: 3, Status.MISSED: 1}, lang),
        "parks": figures.park_bars(PARKS, "亿元", lang),
        "components": figures.components_chart(PARTS, lang),
        "gauge": figures.in_year_gauge(0.574, 0.75, lang, usual=0.68),
        "tasks": programme_figures.completion_bars([done], lang),
        "bases": programme_figures.count_bars([designation], [], lang),
        "growth": programme_figures.growth_bars({2014: 100.0, 2015: 112.5}, 0.1, 2015, 2015, lang),
    }
    return {key: fig.to_dict() for key, fig in built.items()}


ALL = [(lang, key) for lang in ("zh", "en") for key in charts("zh")]


def spans(fig: dict) -> list[tuple[float, float]]:
    """Where each vertical bar stands on the x axis: (left, right)."""
    out = []
    for tr in fig["data"]:
        if tr["type"] != "bar" or tr.get("orientation") == "h":
            continue
        n = len(tr["x"])
        widths = tr.get("width", 0.8)
        widths = widths if isinstance(widths, list) else [widths] * n
        offsets = tr.get("offset")
        offsets = offsets if isinstance(offsets, list) else [(-w / 2 if offsets is None else offsets) for w in widths]
        out += [(x + o, x + o + w) for x, o, w in zip(tr["x"], offsets, widths, strict=True) if isinstance(x, (int, float))]
    return out


@pytest.mark.parametrize(("lang", "key"), ALL)
def test_a_legend_sits_above_the_plot_with_room_kept(lang, key):
    fig = charts(lang)[key]
    layout = fig["layout"]
    if not layout.get("showlegend", True):
        return
    legend = layout["legend"]
    assert (legend["orientation"], legend["yanchor"], legend["traceorder"]) == ("h", "bottom", "normal") and legend["y"] >= 1
    assert layout["margin"]["t"] >= figures.LEGEND_ROOM and layout["margin"].get("autoexpand", True)


def test_the_compact_overview_chart_explains_its_lines_too():
    layout = charts("zh")["compact"]["layout"]
    assert layout["showlegend"] and layout["legend"]["y"] >= 1 and layout["height"] == 220


def test_a_briefing_picture_keeps_its_title_above_the_legend():
    fig = images.figure(Chart(title="图 1", categories=[], series=[], y_title="亿元", figure=charts("zh")["target"]))
    layout = fig.to_dict()["layout"]
    assert layout["title"]["yref"] == "container" and layout["title"]["yanchor"] == "top"
    assert layout["margin"]["t"] >= figures.LEGEND_ROOM + 30  # the legend's room and the title's


@pytest.mark.parametrize(("lang", "labels"), [("zh", ["1-3月", "1-6月", "1-9月"]),
                                              ("en", ["YTD Q1", "YTD Q2", "YTD Q3"])])
def test_year_to_date_bars_stand_on_their_years_tick_labelled_by_period(lang, labels):
    bar = next(tr for tr in charts(lang)["target"]["data"] if tr["type"] == "bar")
    assert list(bar["x"]) == [2015, 2015, 2015] and list(bar["text"]) == labels
    left, right = spans({"data": [bar]})[0][0], spans({"data": [bar]})[-1][1]
    assert (left + right) / 2 == pytest.approx(2015)  # centred on the tick
    assert 2014.5 < left and right < 2015.5  # within the year's slot
    assert list(bar["customdata"]) == {"zh": ["2015年1-3月", "2015年1-6月", "2015年1-9月"],
                                       "en": ["2015Q1", "2015Q2", "2015Q3"]}[lang]


@pytest.mark.parametrize("year", [2011, 2013, 2015, 2016])
def test_a_definition_break_stands_between_years_never_through_a_bar(year):
    s = SERIES.model_copy(update={"definition_changes": [(year, "口径", "definition")],
                                  "ytd": {"2015Q1": 1.0, "2015Q2": 2.0, "2015Q3": 3.0, "2015Q4": 4.0}})
    fig = figures.target_chart(s, "zh").to_dict()
    marks = [tr for tr in fig["data"] if tr.get("legendgroup") == "definition_change"]
    assert len(marks) == 1 and list(marks[0]["x"]) == [year - 0.5, year - 0.5]
    assert marks[0]["name"] == "口径调整" and list(marks[0]["hovertext"]) == ["口径", "口径"]
    assert spans(fig) and not any(a < year - 0.5 < b for a, b in spans(fig))
    assert not fig["layout"].get("shapes")  # no line drawn anywhere else


def test_the_gauge_keeps_its_title_and_scale_inside_a_quarter_column():
    fig = figures.in_year_gauge(0.574, 0.75, "zh", usual=0.68).to_dict()
    layout, gauge = fig["layout"], fig["data"][0]
    assert 220 <= layout["height"] <= 260
    # each mark on its own short line under the name, the top margin holding all three lines
    assert gauge["title"]["text"].count("<br>") == 2 and "序时进度 75%" in gauge["title"]["text"]
    assert layout["margin"]["t"] >= 3 * 14 + 20
    # the end ticks' labels ("0%", "100%") stand outside the arc: the sides keep room for them
    assert layout["margin"]["l"] >= 24 and layout["margin"]["r"] >= 24
    assert gauge["delta"]["suffix"] == "个百分点"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_park_colour_is_named_in_the_legend_with_its_own_swatch(lang):
    fig = charts(lang)["parks"]
    bars = [tr for tr in fig["data"] if tr["type"] == "bar"]
    expected = {status.word(Status.ON_TRACK, lang): (status.COLOURS[Status.ON_TRACK], ["未来城", "滨江"]),
                status.word(Status.ACCELERATION_NEEDED, lang): (status.COLOURS[Status.ACCELERATION_NEEDED], ["下沙"]),
                figures.label("no_status", lang): (palette.LIGHT_GREY, ["西湖"])}
    assert {tr["name"] for tr in bars} == set(expected)
    for tr in bars:
        colour, names = expected[tr["name"]]
        assert tr["marker"]["color"] == colour  # one colour per trace: the swatch is the bars' colour
        if lang == "zh":
            assert sorted(tr["y"]) == sorted(names)
    by_name = {tr["name"]: tr for tr in bars}
    assert by_name[status.word(Status.ON_TRACK, lang)]["marker"]["pattern"]["shape"] == status.PATTERNS[Status.ON_TRACK]
    assert list(fig["layout"]["yaxis"]["categoryarray"]) == [{"zh": n, "en": e}[lang] for n, e in
                                                             [("未来城", "Future City"), ("西湖", "West Lake"),
                                                              ("下沙", "Xiasha"), ("滨江", "Binjiang")]]


@pytest.mark.parametrize(("unit", "target", "annual", "lang", "label"), [
    ("亿元", 2200.0, {2014: 1580.2}, "zh", "目标 2016: 2,200.00 亿元"),
    ("亿元", 2200.0, {2014: 1580.2}, "en", "Target 2016: 2,200.00 100 million yuan"),
    ("万元", 22_000_000.0, {2014: 15_802_000.0}, "zh", "目标 2016: 2,200.00 亿元"),  # 万元 shown in 亿元
    ("万人", 0.02, {2014: 0.0062}, "zh", "目标 2016: 200 人"),  # 200 people, never "0.02 万人"
    ("万人", 0.02, {2014: 0.0062}, "en", "Target 2016: 200 people"),
])
def test_the_target_is_labelled_once_at_its_end_and_no_value_sits_on_its_line(unit, target, annual, lang, label):
    s = SERIES.model_copy(update={"unit": unit, "target": target, "annual": annual, "ytd": {}, "projection": {},
                                  "required_path": {}, "provisional_years": []})
    fig = figures.target_chart(s, lang).to_dict()
    notes = fig["layout"]["annotations"]
    assert [a["text"] for a in notes] == [label]
    assert (notes[0]["x"], notes[0]["xanchor"], notes[0]["yanchor"]) == (2016, "right", "bottom")
    line = next(tr for tr in fig["data"] if tr.get("name") == figures.label("target", lang))
    assert "text" not in line and not any("text" in tr for tr in fig["data"] if tr["type"] != "bar")


@pytest.mark.parametrize(("annual", "projection", "side"), [
    ({2014: 1580.0}, {2015: 1800.0, 2016: 2010.0}, "bottom"),  # everything below the target: label above
    ({2014: 1580.0, 2015: 2300.0}, {}, "top"),  # the actual line crosses above: label below the line
    ({2014: 1580.0}, {2016: 2400.0}, "top"),  # so does the projection
    ({2012: 2300.0, 2015: 1900.0}, {}, "bottom"),  # above the target long before the label's years
])
def test_the_target_label_stands_on_the_side_of_its_line_the_values_leave_free(annual, projection, side):
    s = SERIES.model_copy(update={"annual": annual, "projection": projection, "ytd": {}})
    note = figures.target_chart(s, "zh").to_dict()["layout"]["annotations"][0]
    assert note["yanchor"] == side and (note["yshift"] > 0) == (side == "bottom")


@pytest.mark.parametrize(("colour", "ratio"), [("#000000", 21.0), ("#ffffff", 1.0), ("#767676", 4.54),
                                               ("#E69F00", 2.25), ("#0072B2", 5.19)])
def test_contrast_against_white_as_wcag_computes_it(colour, ratio):
    assert palette.contrast(colour) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("s", list(Status))
def test_each_status_colour_is_at_least_3_to_1_on_white(s):
    assert palette.contrast(status.COLOURS[s]) >= 3.0


@pytest.mark.parametrize("s", list(Status))
def test_a_status_word_in_its_colour_is_at_least_4_5_to_1_on_white(s):
    assert palette.contrast(status.TEXT_COLOURS[s]) >= 4.5


@pytest.mark.parametrize("s", list(TaskStatus))
def test_each_task_status_colour_is_at_least_3_to_1_on_white(s):
    assert palette.contrast(programme_figures.TASK_COLOURS[s]) >= 3.0


def test_statuses_differ_by_more_than_hue():
    for table in (status.SYMBOLS, status.PATTERNS, status.COLOURS):
        assert set(table) == set(Status) and len(set(table.values())) == len(Status)
    assert len(set(programme_figures.TASK_PATTERNS.values())) == len(TaskStatus)


def colours(node, key=""):
    """Every colour a figure's traces and marks are drawn in (not the template's)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from colours(v, k)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from colours(v, key)
    elif key in ("color", "bgcolor", "fgcolor") and isinstance(node, str) and node.startswith("#"):
        yield node.upper()


@pytest.mark.parametrize(("lang", "key"), ALL)
def test_every_chart_draws_in_the_one_palette(lang, key):
    fig = charts(lang)[key]
    allowed = {c.upper() for c in (*palette.OKABE_ITO, palette.DARK_ORANGE, palette.GREY, palette.LIGHT_GREY,
                                   palette.INK)}
    used = set(colours(fig["data"])) | set(colours(fig["layout"].get("annotations", [])))
    assert used <= allowed, used - allowed
    assert fig["layout"]["colorway"] == palette.COLORWAY


def words(fig: dict) -> list[str]:
    """Every string a reader sees: names, texts, hovers, annotations, axis and gauge titles."""
    out: list[str] = []
    for tr in fig["data"]:
        for k in ("name", "hovertemplate", "hovertext", "text", "customdata", "y"):
            v = tr.get(k)
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, list | tuple):
                out += [x for x in v if isinstance(x, str)]
        for part in ("title", "delta", "number"):
            item = tr.get(part) or {}
            out += [item[k] for k in ("text", "suffix") if isinstance(item.get(k), str)]
    layout = fig["layout"]
    out += [a["text"] for a in layout.get("annotations", [])]
    out += [layout[ax]["title"]["text"] for ax in ("xaxis", "yaxis") if (layout.get(ax) or {}).get("title", {}).get("text")]
    return out


@pytest.mark.parametrize(("lang", "key"), ALL)
def test_every_word_is_in_the_readers_language(lang, key):
    for w in words(charts(lang)[key]):
        plain = re.sub(r"<[^>]*>|%\{[^}]*\}", " ", w)
        if lang == "en":
            assert not HAN.search(plain), w
        else:
            assert not re.search(r"[A-Za-z]{2,}", plain), w


NAMES = {"parks": ("y",), "tasks": ("y",), "bases": ("x",)}  # placeholders that hold a category's name


@pytest.mark.parametrize(("lang", "key"), ALL)
def test_hover_numbers_carry_separators_and_the_unit_and_no_raw_floats(lang, key):
    fig = charts(lang)[key]
    unit = {"zh": "亿元", "en": "100 million yuan"}[lang]
    for tr in fig["data"]:
        if tr["type"] == "indicator":
            continue
        template = tr.get("hovertemplate")
        assert template or tr.get("hoverinfo") in ("skip", "text"), tr.get("name")
        for field in PLACEHOLDER.findall(template or ""):
            # a number is formatted (years as years); otherwise it is a name or a period's label
            assert field in ("x:d", "customdata", "fullData.name", *NAMES.get(key, ())) or ":," in field \
                or ":." in field or ":d" in field, field
            if ":," in field and key in ("target", "compact", "parks", "components"):
                assert unit in template, template
    for w in words(fig):
        assert not re.search(r"\d\.\d{3,}", w), w  # 134.4430632110766 never reaches a reader


def test_a_chart_in_people_counts_whole_people():
    s = SERIES.model_copy(update={"unit": "万人", "target": 0.02, "annual": {2013: 0.0041, 2014: 0.0062}, "ytd": {},
                                  "projection": {}, "required_path": {}, "provisional_years": []})
    fig = figures.target_chart(s, "zh").to_dict()
    actual = next(tr for tr in fig["data"] if tr["name"] == figures.label("actual", "zh"))
    assert list(actual["y"]) == pytest.approx([41, 62]) and ":,.0f} 人" in actual["hovertemplate"]
    assert fig["layout"]["yaxis"]["title"]["text"] == "人"


def test_briefing_fallback_chart_hovers_formatted():
    fig = images.figure(Chart(title="t", categories=["2014", "2015"], y_title="亿元",
                              series=[ChartSeries(name="实际", values=[1.23456, 2.0], style="bar")]))
    assert ":,.2f} 亿元" in fig.to_dict()["data"][0]["hovertemplate"]


@pytest.mark.parametrize(("lang", "key"), ALL)
def test_every_chart_is_styled_by_the_part_of_simple_white_it_draws_and_carries_no_more(lang, key):
    """The template each chart carries (ui.figures.TEMPLATE) is simple_white's own for the traces
    and axes the charts draw, and none of the rest (8 KB of every chart's JSON before)."""
    import plotly.io as pio

    fig = charts(lang)[key]
    full = pio.templates["simple_white"].to_plotly_json()
    template = fig["layout"]["template"]
    assert {trace["type"] for trace in fig["data"]} <= {*template["data"], "indicator"}  # simple_white styles no indicator
    assert not set(fig["layout"]) & set(figures.UNDRAWN)
    assert template["data"] == {trace: full["data"][trace] for trace in figures.TRACES}
    assert template["layout"] == {k: v for k, v in full["layout"].items() if k not in figures.UNDRAWN}
