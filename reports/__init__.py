"""Exports: a `reports.model.Document` rendered to Word, PDF or Excel.

`render(doc, "docx" | "pdf" | "xlsx")` returns the file's bytes; `MIME` names their media types.
"""

from __future__ import annotations

from typing import Literal

from reports.model import Document

Format = Literal["docx", "pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("docx", "pdf", "xlsx")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(doc: Document, fmt: Format) -> bytes:
    """The document as a file of the given format."""
    if fmt == "docx":
        from reports.word import render_docx
        return render_docx(doc)
    if fmt == "pdf":
        from reports.pdf import render_pdf
        return render_pdf(doc)
    if fmt == "xlsx":
        from reports.excel import render_xlsx
        return render_xlsx(doc)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
