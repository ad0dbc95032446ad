"""Text stays text (issue 16, item 6): what people typed, files held or a URL carried is shown as
its own characters — never as a link, a remote image, a colour, a formula, an icon or a heading.

The checker `markup` reads a markdown body the way Streamlit's frontend does: CommonMark (through
markdown-it-py) for links, images and raw HTML, and Streamlit's own extensions by the frontend's
own tests (its math and emoji detection regexes, ported from StreamlitMarkdown.js of 1.67, and the
`:name[…]` directive syntax of colours). Every payload is first shown to be caught when it is not
escaped, so no check here passes for want of looking.
"""

from __future__ import annotations

import html
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from domain.access import SYSTEM, Role
from domain.messages import Message
from store import submissions, users
from store.db import connect
from tests import rawsql
from tests.apptest_helpers import APP_PASSWORD, new_app, sign_in, signed_in
from tests.browser import browser
from ui.i18n import md, md_message
from ui.text import escape

PAYLOADS = [
    "[x](http://evil)",
    "![i](http://evil/i.png)",
    ":red[x]",
    "$x^2$",
    "<img src=x onerror=alert(1)>",
    "**b**",
    "`code`",
    "# h",
    "> q",
    "|a|b|\n|-|-|\n|c|d|",  # a table needs its delimiter row to be one
    # and a few more of Streamlit's and GitHub's extensions
    ":material/home: :smile:",
    "$$\\frac{1}{2}$$",
    "<http://evil>",
    "see www.evil.com or http://evil.com",
    "write to a@evil.cn",
    ":blue-background[x] :small[y]",
    "~~gone~~ _it_",
    "1. first\n2. second",
    "line\n- item\n\n    code",
    "&lt;script&gt; &#x24;x&#x24;",
    "a\\*b\\* \\$x\\$",  # already escaped text must stay as typed, backslashes included
]
# What a hostile park id, display name, organisation name, file cell or comment looks like: all at once.
ALL_IN_ONE = "[x](http://evil) ![i](http://evil/i.png) :red[x] $x^2$ <img src=x onerror=alert(1)> **b** `code`"

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# StreamlitMarkdown.js: `bm` decides whether KaTeX runs (after blanking code and \\ \$ \` escapes),
# `hm` whether the emoji plugin runs.
_MATH_SKIP = re.compile(r"(?m)^ {0,3}(`{3,}|~{3,})[\s\S]*?(?:\n[ \t]*\1|\Z)|(?<!`)(`+)[^`\n]+\2(?!`)|\\[\\$`]")
_MATH_BLOCK = re.compile(r"(?<!\$)\$\$+(?!\$)[\s\S]*?\$\$")
_MATH_INLINE = re.compile(r"(?<!\$)\$(?![\s$])[^$\n]*?[^\s$]\$(?!\d)")
_EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")  # a backslash escape of ASCII punctuation
_BLOCKS = {"link_open": "link", "image": "image", "html_inline": "raw html", "html_block": "raw html",
           "strong_open": "bold", "em_open": "italic", "code_inline": "code", "s_open": "strikethrough",
           "heading_open": "heading", "blockquote_open": "quote", "table_open": "table", "bullet_list_open": "list",
           "ordered_list_open": "list", "fence": "code block", "code_block": "code block", "hr": "rule"}
# What the product's own words may carry (the sidebar's bold name, the preview's headings); a
# payload's emphasis is caught instead by its text not being shown as typed.
OWN_FORMATTING = {"bold", "italic", "heading"}


def markup(body: str, *, allowed: set[str] = frozenset()) -> list[str]:
    """What in `body` Streamlit would render as something other than its text."""
    found = set()
    for token in _MD.parse(body):
        for t in [token, *(token.children or [])]:
            if t.type in _BLOCKS:
                found.add(_BLOCKS[t.type])
    neutral = _ESCAPED.sub("\0", body)  # what is left once every escaped character is set aside
    blanked = _MATH_SKIP.sub("_", body)
    if "$" in body and (_MATH_BLOCK.search(blanked) or _MATH_INLINE.search(blanked)):
        found.add("formula")
    if re.search(r":[A-Za-z][\w-]*[\[{]|::", neutral):
        found.add("directive (colour, size, badge)")
    if _EMOJI.search(body) or ":material/" in body:
        found.add("emoji or icon")
    # Autolink literals are found in the decoded text, after every escape is gone (as Streamlit's
    # frontend finds them), so only a character that breaks the pattern there stops them.
    if re.search(r"https?://|www\.|[\w.+-]+@[\w-]+\.\w", decoded(body)):
        found.add("autolink")
    return sorted(found - allowed)


def decoded(body: str) -> str:
    """The body's text as the markdown parser leaves it: escapes and entities resolved."""
    return html.unescape(re.sub(r"<[^>]+>", "", _MD.render(body)))


def shown(body: str) -> str:
    """The text a reader sees: the body rendered, tags removed, entities decoded, spaces collapsed,
    zero-width spaces (invisible) dropped."""
    return re.sub(r"\s+", " ", decoded(body).replace("\u200b", "")).strip()


def literal(payload: str) -> str:
    return re.sub(r"\s+", " ", payload).strip()


# ------------------------------------------------------------------------------ the helper


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_is_caught_unescaped_and_shown_as_its_text_escaped(payload):
    assert markup(payload) or shown(payload) != literal(payload), "the checker must see this payload as markup"
    body = escape(payload)
    assert markup(body) == []
    assert shown(body) == literal(payload)
    assert "\n" not in body  # inline: never starts a block


def test_the_one_payload_with_everything_in_it():
    assert set(markup(ALL_IN_ONE)) >= {"link", "image", "raw html", "bold", "code", "formula",
                                       "directive (colour, size, badge)"}
    assert markup(escape(ALL_IN_ONE)) == [] and shown(escape(ALL_IN_ONE)) == ALL_IN_ONE


def test_md_escapes_the_parameters_and_keeps_the_catalog_words():
    body = md("reporting_for", "zh", org=ALL_IN_ONE, period="2015年1-9月", on_time=1, late=2, missing=3, n=6,
              deadline="2015-10-20", days=20)
    assert markup(body) == [] and ALL_IN_ONE in shown(body)
    # A Message inside a Message: the inner template kept, the inner parameters escaped too.
    reason = Message.of("format.labelled", label="原因", value=Message.of("programme.not_a_base", base=ALL_IN_ONE))
    body = md_message(reason, "en")
    assert markup(body) == [] and ALL_IN_ONE in shown(body)
    assert shown(body) == reason.render("en")
    assert md("format.aside", "zh", text="甲", aside=3) == "甲（3）"  # numbers and plain words pass unchanged


# ------------------------------------------------------------------------------ in the app


MARKDOWN_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "error", "warning", "info", "success")


# st.badge sends `:green-badge[:material/check_circle: 已完成]`: the status words of ui/status.py
_STATUS_BADGE = re.compile(r":[a-z]+-badge\[:material/[a-z_]+: [^\[\]:$\\]*\]")


def bodies(at: AppTest) -> list[str]:
    """The markdown body of every element that renders one (the sidebar's included), except the
    product's own: the sign-in component's style sheet (markdown with unsafe_allow_html) and the
    status badges."""
    return [e.value for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)
            if not getattr(e.proto, "allow_html", False) and not _STATUS_BADGE.fullmatch(e.value)]


def assert_text_stays_text(at: AppTest, payload: str, *, expected_in: str | None = None) -> None:
    assert not at.exception, [e.value for e in at.exception]
    found = {body: markup(body, allowed=OWN_FORMATTING) for body in bodies(at)}
    assert not {b: m for b, m in found.items() if m}, found
    if expected_in is not None:
        assert any(literal(payload) in shown(b) for b in getattr(at, expected_in).values), \
            (expected_in, getattr(at, expected_in).values)


def store_path() -> Path:
    import os

    return Path(os.environ["TRACKER_DB"])


def change_store(sql: str, params: list) -> None:
    con = connect(store_path())
    con.execute(sql, params)
    con.close()


@pytest.mark.parametrize("username", ["leader", "park-softcity"])
def test_a_park_id_in_the_url(app_db, username):
    at = signed_in(username)
    at.switch_page("pages/park.py")
    at.query_params["park"] = ALL_IN_ONE
    at.run()
    assert_text_stays_text(at, ALL_IN_ONE)
    assert not at.dataframe


def test_an_enterprise_name_in_its_heading_and_in_its_parks_table(app_db):
    """Firms' names are the store's (parks', cities' and plans' come from the catalog files)."""
    org = rawsql.scalar(connect(store_path(), read_only=True), "SELECT scope_org_id FROM users WHERE username = 'enterprise'")
    change_store("UPDATE orgs SET name_zh = ? WHERE org_id = ?", [ALL_IN_ONE, org])
    at = signed_in("enterprise")
    at.switch_page("pages/my_data.py").run()
    assert_text_stays_text(at, ALL_IN_ONE, expected_in="header")
    at = signed_in("park-softcity")  # its park page lists the firm in a table: plain text, shown as typed
    assert_text_stays_text(at, ALL_IN_ONE)
    assert ALL_IN_ONE in {str(v) for d in at.dataframe for v in d.value.get("企业名称", [])}


def test_a_display_name_in_the_sidebar(app_db):
    con = connect(store_path())
    users.add_user(con, SYSTEM, "hostile", ALL_IN_ONE, Role.LEADER, password=APP_PASSWORD)
    con.close()
    at = new_app().run()
    sign_in(at, "hostile")
    assert_text_stays_text(at, ALL_IN_ONE)
    assert any(literal(ALL_IN_ONE) in shown(b) for b in at.sidebar.markdown.values)


def test_a_review_comment_and_an_explanation_are_shown_as_typed(app_db):
    con = connect(store_path())
    sub = submissions.write_submission(
        con, submissions_rows(), actor="park-softcity", origin="upload", status="pending", explanation=ALL_IN_ONE)
    con.close()
    at = signed_in("reviewer")
    at.switch_page("pages/review.py").run()
    (box,) = [s for s in at.selectbox if s.label == "选择提交"] or [at.selectbox[-1]]
    if box.value != sub:
        box.set_value(sub).run()
    (comment,) = [w for w in at.text_input if w.label == "审核意见"]
    comment.input(ALL_IN_ONE)
    (back,) = [b for b in at.button if b.label == "退回"]
    back.click().run()
    assert_text_stays_text(at, ALL_IN_ONE)
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in d.value[col].tolist()}
    assert ALL_IN_ONE in cells  # tables show text as it is: neither escaped nor rendered


def submissions_rows():
    import pandas as pd

    return pd.DataFrame([("qd-softcity", "employees", 2015, 3, 1.0, 1.0, "万人", None)],
                        columns=submissions.REQUIRED_COLUMNS)


UPLOAD_SCRIPT = """
import streamlit as st
from domain.access import Identity, Role
from ui import entry, services

who = Identity(username="park-softcity", display_name="p", role=Role.PARK_MANAGER, scope_org_id="qd-softcity")
checked = services.check_file(who, st.session_state["name"], st.session_state["data"])
entry.submit_checked(checked, who, "upload", "", "zh")
"""


def test_cells_and_names_of_an_uploaded_file_in_the_problem_table(app_db):
    rows = [
        ("org", "period", "indicator", "value", "unit"),
        (ALL_IN_ONE, "2015Q3", "software_revenue", "1", "万元"),  # an organisation name
        ("qd-softcity", ":red[x]", "software_revenue", "1", "万元"),  # a period
        ("qd-softcity", "2015Q3", "$x^2$", "1", "万元"),  # an indicator
        ("qd-softcity", "2015Q3", "software_revenue", "[x](http://evil)", "万元"),  # a value
        ("qd-softcity", "2015Q3", "software_revenue", "1", "![i](http://evil/i.png)"),  # a unit
    ]
    data = "\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode("utf-8")
    at = AppTest.from_string(textwrap.dedent(UPLOAD_SCRIPT), default_timeout=60)
    at.session_state["name"] = "**upload** $x$.csv"
    at.session_state["data"] = data
    at.run()
    assert_text_stays_text(at, ALL_IN_ONE)
    (table,) = at.table
    frame = table.value.reset_index()
    cells = [str(v) for col in frame.columns for v in frame[col].tolist() if isinstance(v, str)]
    assert [c for c in cells if markup(c)] == []
    seen = {shown(c) for c in cells}
    for typed in (ALL_IN_ONE, ":red[x]", "$x^2$", "[x](http://evil)", "![i](http://evil/i.png)"):
        assert literal(typed) in seen, (typed, seen)


@browser
def test_a_firm_named_with_markup_in_a_real_browser(tmp_path, demo_db):
    from tests.browser import chromium, screenshot, streamlit_server
    from tests.browser import sign_in as browser_sign_in

    db = tmp_path / "app.duckdb"
    shutil.copy(demo_db, db)
    con = connect(db)
    users.create_demo_users(con)
    users.reset_password(con, SYSTEM, "enterprise", APP_PASSWORD)
    org = rawsql.scalar(con, "SELECT scope_org_id FROM users WHERE username = 'enterprise'")
    con.execute("UPDATE orgs SET name_zh = ? WHERE org_id = ?", [ALL_IN_ONE, org])
    con.close()
    with streamlit_server(db, tmp_path / "streamlit.log") as base, chromium() as page:
        browser_sign_in(page, base, "enterprise", APP_PASSWORD)
        page.goto(f"{base}/my-data")
        heading = page.get_by_role("heading").filter(has_text=ALL_IN_ONE)
        heading.first.wait_for(timeout=60_000)
        assert heading.first.inner_text().replace("\u200b", "").strip().endswith(ALL_IN_ONE)  # zero-width: invisible
        main = page.locator('[data-testid="stMain"]')
        # (the heading's own anchor, href="#x-http-evil-…", is Streamlit's link to the heading itself)
        assert main.locator("a[href*='evil']:not([href^='#'])").count() == 0
        assert page.locator("img[src*='evil'], img[src='x']").count() == 0
        assert main.locator(".katex, [data-testid='stMarkdownColoredText'], .stMarkdownColoredText").count() == 0
        assert main.locator("h1 strong, h2 strong, h2 code, h3 strong").count() == 0
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)
        screenshot(page, "text-stays-text-firm-heading")
