"""Streamlit's own words on Chinese pages, in a real browser (issue 18, item 7).

Streamlit writes some widget text itself, in English: a multiselect's "Select all" option and
"Choose options" placeholder, a file uploader's "Drag and drop file here" / "Browse files". Where a
parameter or the page's own CSS allows, the Chinese pages say it in Chinese or leave it out
(ui/i18n.py `builtin_words`, ui/entry.py `hide_uploader_words`). This opens the Chinese pages that
carry such widgets — the plan page's filters with a dropdown open, the upload form — and reads the
page text as a person sees it.
"""

from __future__ import annotations

import re

import pytest

from domain.messages import text
from tests.browser import BROWSER, chromium, demo_app, idle, screenshot, sign_in

pytestmark = BROWSER
PASSWORD = "browser-test-password"
UPLOAD_TAB = text("upload_tab", "zh")
# Streamlit's own English words that have a setting (or a CSS hook) on these widgets.
BUILTIN = ("Select all", "Choose an option", "Choose options", "Drag and drop file here", "Browse files",
           "Limit 200MB per file")


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_db):
    yield from demo_app(tmp_path_factory, demo_db, "builtin-words", PASSWORD, "admin")


def english_in(page) -> list[str]:
    body = page.inner_text("body")
    return [w for w in BUILTIN if w in body] + re.findall(r"View \d+ more", body)  # the navigation's


def test_chinese_pages_show_no_builtin_english(app):
    with chromium() as page:
        sign_in(page, app, "admin", PASSWORD)
        page.goto(f"{app}/plan?lang=zh&plan=qingdao-2012&q=2014Q3")
        page.get_by_text(text("filter_status", "zh")).first.wait_for(timeout=60_000)
        idle(page)
        assert not english_in(page)
        # The dropdown of the status filter, open: its options, no "Select all".
        page.locator('[data-testid="stMultiSelect"]').first.click()
        page.get_by_role("option").first.wait_for(timeout=30_000)
        screenshot(page, "builtin-words-plan-zh")
        found = english_in(page)
        assert not found, found
        page.keyboard.press("Escape")

        page.goto(f"{app}/entry?lang=zh")
        page.get_by_role("tab", name=UPLOAD_TAB).first.wait_for(timeout=60_000)
        page.get_by_role("tab", name=UPLOAD_TAB).first.click()
        page.locator('[data-testid="stFileUploader"]').first.wait_for(timeout=60_000)
        idle(page)
        screenshot(page, "builtin-words-entry-zh")
        found = english_in(page)
        assert not found, found
        # The uploader's button says the catalog's word, drawn by CSS (not in the text: read its style).
        drawn = page.locator('[data-testid="stFileUploaderDropzone"] button').first.evaluate(
            "b => getComputedStyle(b, '::after').content")
        assert text("submitter.upload_button", "zh") in drawn
