"""The print view's static tables (ui.media.static_table): every row, text escaped, figures in the
grid's column formats, a dash for missing, hidden columns left out."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from ui import components
from ui.media import _printf, static_table


@pytest.mark.parametrize(("fmt", "value", "shown"), [
    ("%,.2f", 1262.5, "1,262.50"),
    ("%.1f%%", 42.64, "42.6%"),
    ("%,.0f", 12335.0, "12,335"),
    ("%d", 2016, "2016"),
    ("localized", 1096722.7, "1,096,722.70"),
    ("%,.2f", None, "—"),
    ("%.1f%%", float("nan"), "—"),
])
def test_printf_formats_as_the_grid_does(fmt, value, shown):
    assert _printf(fmt, value) == shown


def test_every_row_escaped_with_dashes_and_no_hidden_columns():
    rows = 40  # more than a grid shows without scrolling
    frame = pd.DataFrame({
        "名称": [f"<img src=x onerror=alert({i})>" if i == 0 else f"企业{i}" for i in range(rows)],
        "收入": [1234.5 if i else None for i in range(rows)],
        "份额": [12.345] * rows,
        "_id": ["secret-id"] * rows,
        "hidden": ["gone"] * rows,
    })
    html = static_table(frame, {"份额": st.column_config.NumberColumn(format="%.1f%%"), "hidden": None})
    assert html.count("<tr>") == rows + 1  # the heading row and every row
    assert "<img" not in html and "&lt;img src=x onerror=alert(0)&gt;" in html
    assert "1,234.50" in html and "12.3%" in html and "—" in html
    assert "secret-id" not in html and "gone" not in html and "None" not in html and "nan" not in html


def test_the_progress_table_keeps_its_units_and_status_colours():
    """A Styler's own formats (one unit's decimals per row) stay; the completion column takes the
    grid's %.1f%% format; the status word keeps its colour."""
    frame = pd.DataFrame({"状态": ["进度正常", "需加快"], "目标": ["软件企业数", "软件出口"], "实际值": [1040.0, 5.21],
                          "目标值": [1500.0, 10.0], "单位": ["家", "亿美元"], "完成率": [69.33, None],
                          "_status": ["on_track", "behind"]})
    styler = components.style_status(frame, "zh")
    html = static_table(styler, components.progress_column_config("zh"))
    assert ">1,040<" in html.replace(" ", "") and ">5.21<" in html.replace(" ", "")
    assert "69.3%" in html and "on_track" not in html
    assert "color:" in html.replace(" ", "")
