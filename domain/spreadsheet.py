"""What a spreadsheet runs as a formula: text starting with = + - @ (or a tab or carriage return) is
executed by Excel and LibreOffice when a CSV or a cell holding it is opened (CSV injection).

One list for the two uses: exports neutralise such text (ui/safe.py), and a register refuses a firm
name that starts with one (domain/register.py), since that name goes into every template and export.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
