"""Text from users stays text in tables a spreadsheet could open (markdown elements: tests/test_text.py)."""

from __future__ import annotations

import pandas as pd

from ui import tables


def test_user_text_in_a_shown_table_cannot_become_a_formula():
    # An explanation typed by a submitter, shown in the review table (downloadable as CSV).
    frame = pd.DataFrame({
        "submission_id": [7], "status": ["pending"], "orgs": ["=HYPERLINK(\"http://x\")"], "periods": ["2015Q3"],
        "submitted_by": ["@alice"], "submitted_at": ["2026-01-01"], "explanation": ["+cmd|' /C calc'!A0"],
        "review_comment": [None],
    })
    shown = tables.submissions_table(frame, "zh")
    row = shown.iloc[0].tolist()
    assert "'=HYPERLINK(\"http://x\")" in row and "'@alice" in row and "'+cmd|' /C calc'!A0" in row
    assert 7 in row  # numbers stay numbers
