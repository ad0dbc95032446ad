"""Every page of every role, in both languages, shows no raw Python value and no word of the other
language (issue 18, items 1, 7 and 10): one walk, both checks.

A leader must never read None, nan, NaT, True or False: a missing number is `—`, missing text is
empty, a yes/no is a word or a mark. The walk signs in as each demo user (AppTest through
dashboard.py), opens each page of the role's menu (domain/policy.py) and reads what a person would
read: every cell of every displayed table and the text of markdown, captions, metrics, headings and
alerts. The language yardstick (what may stay in the other language) is tests/test_languages.py's.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.router import SPEC
from domain import policy
from store import users
from tests.apptest_helpers import DEMO_NAMES, WALK_STATES
from tests.apptest_helpers import signed_in_with as signed_in
from tests.test_languages import allowed_names, foreign, visible_text

RAW_WORDS = ("None", "nan", "NaN", "NaT", "True", "False", "<NA>")
RAW_TEXT = re.compile(r"(?<![\w-])(None|nan|NaN|NaT|True|False|<NA>)(?![\w-])")

STATES = WALK_STATES


def raw_cell(value: object) -> bool:
    """Whether a table cell would show a Python value rather than a reading."""
    if value is None or value is pd.NaT or isinstance(value, bool):
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if pd.isna(value) is True:
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(value, str) and RAW_TEXT.fullmatch(value.strip()) is not None


def missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def raw_in_tables(at: AppTest) -> list[str]:
    """Raw cells of every table. An empty cell of a grid given `placeholder="—"` is drawn as that
    dash (the browser never sees the null), so only there may a cell be missing."""
    found = []
    for element in [*at.dataframe, *at.table]:
        frame = element.value
        if not isinstance(frame, pd.DataFrame):
            continue
        dashed = getattr(element.proto, "placeholder", "") == "—"
        for column in frame.columns:
            for value in frame[column].tolist():
                if dashed and missing(value):
                    continue
                if raw_cell(value):
                    found.append(f"{column!s}={value!r}")
        found += [f"header {c!r}" for c in frame.columns if raw_cell(c)]
    return found


def empty_grids(at: AppTest) -> list[str]:
    """Grids with no row: Streamlit draws its own English "empty" inside them, whatever the page's
    language, so a page says in its own words that there is nothing instead (ui.media.grid)."""
    return [f"empty grid {list(e.value.columns)[:4]!r}" for e in at.dataframe
            if isinstance(e.value, pd.DataFrame) and e.value.empty]


def unseparated(at: AppTest) -> list[str]:
    """Columns of fractional numbers reaching 1,000 that the grid would draw without thousands
    separators (1096722.7): neither a column format nor a Styler's formatted cells."""
    found = []
    for element in at.dataframe:
        frame, proto = element.value, element.proto
        config = json.loads(proto.columns or "{}")
        styled = bool(proto.arrow_data.HasField("styler") and proto.arrow_data.styler.display_values)
        for column in frame.columns:
            values = frame[column]
            if not pd.api.types.is_float_dtype(values) or not values.abs().max() >= 1000:
                continue
            if styled or (config.get(str(column)) or {}).get("type_config", {}).get("format"):
                continue
            found.append(f"unseparated {column!s} (up to {values.abs().max():.1f})")
    return found


def strings(value: object) -> list[str]:
    """Every string inside a chart's JSON: titles, legend names, axis categories, labels, hover templates."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def visible_texts(at: AppTest) -> list[str]:
    """What a person reads on the page: tests/test_languages.visible_text (text elements, alerts,
    metrics, labels, options and placeholders of widgets, tabs, expanders, table headings and text
    cells), and besides it code, toasts, download labels, progress text and the words inside charts."""
    texts = visible_text(at)
    texts += [str(e.value) for kind in ("code", "toast") for e in getattr(at, kind)]
    texts += [str(e.proto.text) for e in at.get("progress")]
    for chart in at.get("plotly_chart"):
        texts += strings(json.loads(chart.proto.spec or "{}"))
    return texts


def raw_in_text(at: AppTest) -> list[str]:
    return [t for t in visible_texts(at) if RAW_TEXT.search(t)]


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", DEMO_NAMES)
def test_every_page_reads_whole_and_in_one_language(app_db, username, lang, state):
    at = signed_in(username, {"lang": lang, **STATES[state]})
    assert at.sidebar.radio[0].value == lang
    from ui import queries

    role = users.identity(queries.cursor(), username).role
    names = allowed_names(lang)
    problems = {}
    for page in policy.pages(role):
        at.switch_page(SPEC[page][0]).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        found = (raw_in_tables(at) + empty_grids(at) + unseparated(at) + [f"text {t[:160]!r}" for t in raw_in_text(at)]
                 + [f"other language {t[:120]!r}" for t in foreign(visible_text(at), lang, names)])
        if found:
            problems[page] = sorted(set(found))[:12]
    assert not problems, problems


@pytest.mark.parametrize(("value", "raw"), [
    (None, True), (float("nan"), True), (pd.NaT, True), (pd.NA, True), (True, True), (False, True),
    ("None", True), (" nan ", True), ("False", True), ("—", False), ("", False), ("✓", False),
    (0, False), (0.0, False), ("Nonesuch", False), ("1,262.50", False),
])
def test_raw_cell_tells_a_python_value_from_a_reading(value, raw):
    """The walk's own yardstick can fail: raw values are caught, readings are not."""
    assert raw_cell(value) is raw


def test_raw_text_finds_words_not_parts_of_words():
    assert RAW_TEXT.search("上年同期 None")
    assert RAW_TEXT.search("完成率 nan %")
    assert not RAW_TEXT.search("Nonetheless, the NaNjing office")


def test_enterprise_table_marks_reporting_and_works_out_revenue():
    """The builder behind the park page's firms: 万元 → 亿元, 同比 and share worked out here, a mark
    for reporting, and a missing year-ago figure left missing (drawn as the grid's dash)."""
    from ui import tables

    frame = pd.DataFrame({"name_zh": ["甲", "乙"], "credit_code": ["A1", "B2"],
                          "software_revenue": [30000.0, 10000.0], "software_revenue_ly": [24000.0, None],
                          "employees": [120, 45], "reported": [True, False]})
    table = tables.enterprise_table(frame, "zh")
    assert table["软件业务收入（亿元）"].tolist() == [3.0, 1.0]
    assert table["同比"][0] == pytest.approx((30000 / 24000 - 1) * 100)
    assert math.isnan(table["同比"][1])
    assert table["占园区比重"].tolist() == pytest.approx([75.0, 25.0])
    assert table["本期已填报"].tolist() == ["✓", "✗"]
    assert not any(isinstance(v, bool) for v in table["本期已填报"])


def test_the_text_walk_reads_widgets_and_charts(app_db):
    """The walk reads more than markdown: on the plan page a filter's label, the
    target picker, and the chart's legend words are among what it checks."""
    at = signed_in("leader", {"lang": "zh"})
    at.switch_page(SPEC["plan"][0]).run()
    texts = visible_texts(at)
    assert {"按状态筛选", "选择目标", "目标路径"} <= set(texts)


def test_a_chart_name_or_category_reading_none_is_found():
    spec = {"data": [{"name": "None", "x": ["2012", None], "y": [1.0, None]}], "layout": {"title": {"text": "营收"}}}
    assert [s for s in strings(spec) if RAW_TEXT.search(s)] == ["None"]
    assert "营收" in strings(spec)
