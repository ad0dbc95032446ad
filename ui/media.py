"""Paper and phones: the print view of a page's tables, the style sheet for printing and narrow
screens, and the plan and quarter pickers a phone reaches without opening the sidebar.

st.dataframe is a canvas grid: printed, it shows only the rows scrolled into view. The print view
(a toggle, or `print=1` in the URL) draws the same frames as static HTML tables instead, every row,
each cell's text escaped, the figures formatted as the grid's column configuration says.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ui import url
from ui.format import number
from ui.i18n import t

PHONE_KEY = "phone-pickers"  # st.container key: the class st-key-phone-pickers
PRINT_KEY = "print-toggle"
REASON_KEY = "reason"  # a container holding a status's one-line reason (st-key-reason…)
# Secondary text dark enough to read: #4d5361 on white is 7.5:1 (WCAG AA asks 4.5:1 for body
# text); Streamlit's caption grey (rgba(49, 51, 63, 0.6), about #83858c) is 3.7:1.
REASON_COLOUR = "#4d5361"

# Printing leaves out what paper cannot use: the sidebar, the header and its toolbar, widgets and
# buttons, the grids' own toolbars. Below 640 px (Streamlit's own break point, where columns
# stack) the pickers' copy is shown at the top of the page; above it the sidebar holds them.
CSS = f"""<style>
.st-key-{PHONE_KEY} {{ display: none; }}
@media (max-width: 639.98px) {{
  .st-key-{PHONE_KEY} {{ display: flex; }}
}}
[class*="st-key-{REASON_KEY}"] [data-testid="stCaptionContainer"],
[class*="st-key-{REASON_KEY}"] [data-testid="stCaptionContainer"] p {{ color: {REASON_COLOUR}; }}
.print-table-frame {{ overflow-x: auto; max-width: 100%; }}
.print-table {{ border-collapse: collapse; font-size: 0.8rem; }}
.print-table th, .print-table td {{ border: 1px solid #c9ccd3; padding: 0.15rem 0.4rem; vertical-align: top; }}
.print-table th {{ background: #f0f2f6; text-align: left; }}
@media print {{
  [data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stStatusWidget"], [data-testid="stElementToolbar"],
  [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stDateInput"],
  [data-testid="stCheckbox"],
  .st-key-{PHONE_KEY}, .st-key-{PRINT_KEY}, button {{ display: none !important; }}
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {{ margin: 0 !important; padding: 0 !important;
    max-width: none !important; }}
  .print-table {{ font-size: 9pt; }}
  .print-table tr {{ break-inside: avoid; }}
}}
</style>"""


def style() -> None:
    """The style sheet, once per run (a style-only st.html takes no room on the page)."""
    st.html(CSS)


# ----------------------------------------------------------------------------------- the phone

def phone_pickers(plans: Sequence[str], plan_label: Callable[[str], str], plan_key: str,
                  periods: Sequence, period_label: Callable[[object], str], period_key: str | None,
                  lang: str) -> None:
    """A copy of the sidebar's plan and quarter pickers at the top of the page, shown below 640 px
    only. The copies follow the sidebar's values on every run and hand a choice back to the
    sidebar's widgets through their callbacks, so the URL, the pages and the sidebar see one
    state. Call it after the sidebar's pickers are drawn."""
    if not plans and not periods:
        return
    with st.container(key=PHONE_KEY, horizontal=True):
        if plans:
            st.session_state["phone-plan"] = st.session_state.get(plan_key)
            st.selectbox(t("plan", lang), plans, key="phone-plan", format_func=plan_label,
                         on_change=_copy, args=("phone-plan", plan_key))
        if periods and period_key is not None:
            st.session_state["phone-q"] = st.session_state.get(period_key)
            st.selectbox(t("as_of", lang), periods, key="phone-q", format_func=period_label,
                         on_change=_copy, args=("phone-q", period_key))


def _copy(source: str, target: str) -> None:
    st.session_state[target] = st.session_state[source]


# ----------------------------------------------------------------------------------- the print view

def print_view(lang: str) -> bool:
    """The print-view toggle (its value in the URL as print=1): on, tables are drawn whole."""
    if "print_view" not in st.session_state or url.history_navigation():
        st.session_state["print_view"] = url.param("print") == "1"
    with st.container(key=PRINT_KEY):
        on = st.toggle(t("print.view", lang), key="print_view", help=t("print.help", lang))
    url.write({"print": "1" if on else None})
    return on


def table(data: pd.DataFrame | Styler, column_config: Mapping[str, dict | None] | None, printing: bool) -> None:
    """A table: the interactive grid on screen, or in the print view every row as static HTML."""
    if printing:
        st.html(static_table(data, column_config))
    else:
        grid(data, column_config=column_config)


def grid(data: pd.DataFrame | Styler, lang: str | None = None, **options) -> None:
    """st.dataframe as every page draws one (no index, full width, `—` for a missing cell), or for
    a frame with no row a line in the reader's language: Streamlit writes its own English "empty"
    inside an empty grid whatever the page's language."""
    frame = data.data if isinstance(data, Styler) else data
    if frame.empty:
        st.caption(t("table.empty", lang or st.session_state.get("lang", "zh")))
        return
    st.dataframe(data, **{"hide_index": True, "width": "stretch", "placeholder": "—", **options})


_PRINTF = re.compile(r"%(,?)(?:\.(\d+))?([fd])(%%)?")


def _printf(fmt: str, value: object) -> str:
    """A number as a column configuration's printf-style format writes it ("%,.2f", "%.1f%%", "%d");
    other formats ("localized") with two decimals and separators; a dash if missing."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    m = _PRINTF.fullmatch(fmt)
    if m is None:
        return number(value)
    comma, places, kind, percent = m.groups()
    places = "0" if kind == "d" else (places or "6")
    return f"{value:{comma}.{places}f}" + ("%" if percent else "")


def static_table(data: pd.DataFrame | Styler, column_config: Mapping[str, dict | None] | None = None) -> str:
    """The frame (or a Styler's, keeping its cell formats and colours) as an HTML table: columns
    the configuration hides (None) or whose name starts with "_" left out, figures right-aligned
    in the configuration's formats, every text cell and heading escaped, a dash for missing."""
    styler = data if isinstance(data, Styler) else data.style
    frame = styler.data
    config = column_config or {}
    hidden = [c for c in frame.columns if str(c).startswith("_") or (c in config and config[c] is None)]
    shown = [c for c in frame.columns if c not in hidden]
    numeric = [c for c in shown if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    text = [c for c in shown if c not in numeric]
    if text:
        styler = styler.format(na_rep="—", escape="html", subset=text)
    for column in numeric:
        fmt = ((config.get(column) or {}).get("type_config") or {}).get("format")
        if fmt is not None:
            styler = styler.format(lambda v, fmt=fmt: _printf(fmt, v), subset=[column])
        elif not isinstance(data, Styler):  # a Styler's own formats stay (style_status's units)
            styler = styler.format(lambda v: _printf("localized", v), subset=[column])
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    styler = (styler.hide(axis="index").hide(subset=hidden, axis="columns")
              .format_index(lambda c: html.escape(str(c)), axis="columns"))
    body = styler.to_html(table_attributes='class="print-table"')
    return f'<div class="print-table-frame">{body}</div>'
