"""Exports that are safe to open: text a user typed never becomes a spreadsheet formula.

A cell starting with = + - @ (or a tab / carriage return) is run as a formula by Excel and
LibreOffice (CSV injection); such text gets a leading apostrophe. Numbers are left as numbers.
"""

from __future__ import annotations

import pandas as pd

from domain.spreadsheet import runs_as_formula


def neutralise(value: object) -> object:
    return "'" + value if runs_as_formula(value) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as a table shows it (and offers it for download): formula triggers neutralised, and
    text nobody gave an empty cell rather than the word None."""
    out = safe_frame(frame)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so Excel shows Chinese correctly, formula triggers neutralised."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
