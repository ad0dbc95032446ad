"""What a report says, independent of the file format it is written to.

A report is built once from the metrics (`reports.briefing`, or any page that wants to export a
table) and rendered to Word, PDF or Excel by `reports.render`. Text in it is plain text: the
renderers escape it for their format and neutralise spreadsheet formula triggers, so user-typed
text (a firm's name, a progress note) can be placed here as it is.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.messages import text

Cell = str | float | int | None

_CONTROL = dict.fromkeys(i for i in range(32) if chr(i) not in "\t\n\r")


def numeric(value: object) -> float | None:
    """A pandas cell as a table number: NaN and None become None (printed as a dash)."""
    return None if value is None or value != value else float(value)


def printable(text: str) -> str:
    """Text without the control characters XML (docx, xlsx) and PDF fonts cannot hold."""
    return text.translate(_CONTROL)


class Column(BaseModel):
    """A column: its header carries the unit (软件业务收入（亿元）), its kind drives number formats."""

    model_config = ConfigDict(frozen=True)

    header: str
    kind: Literal["text", "number", "integer", "percent", "year"] = "text"  # a year: 2016, never 2,016
    decimals: int = 1  # for numbers; for percents, decimals of the percentage (0.1234 -> 12.3%)
    on_paper: bool = True  # False: Excel only (a long reason that would crowd an A4 page)
    width: float = 0  # relative width on paper; 0: 2 for text, 1 for numbers (Word; the PDF measures its text)
    wrap: bool = True  # False: a cell is never broken across lines on paper (a status word: 进度正常)

    @property
    def weight(self) -> float:
        return self.width or (2.0 if self.kind == "text" else 1.0)

    def text(self, value: Cell, decimals: int | None = None) -> str:
        """A cell as an official reads it on paper: 1,234.56 / 12.3% / 1,234; a dash when missing.
        `decimals`: the cell's own, where the column mixes units (62 人 beside 1,054.69 亿元)."""
        if value is None:
            return "—"
        if isinstance(value, str):
            return value
        places = self.decimals if decimals is None else decimals
        if self.kind == "percent":
            return f"{value:.{places}%}"
        if self.kind == "integer":
            return f"{value:,.0f}"
        if self.kind == "number":
            return f"{value:,.{places}f}"
        if self.kind == "year":
            return f"{value:.0f}"
        return str(value)


class Paragraph(BaseModel):
    model_config = ConfigDict(frozen=True)

    type: Literal["paragraph"] = "paragraph"
    text: str


class Table(BaseModel):
    """Rows hold numbers as numbers (fractions for percents) so Excel can compute with them."""

    model_config = ConfigDict(frozen=True)

    type: Literal["table"] = "table"
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    note: str | None = None
    sheet: str | None = None  # Excel sheet name (≤ 31 chars); defaults to the title
    # Decimals per cell where a column holds figures in different units, row by row (None: the
    # column's own); empty: every cell the column's. Same shape as `rows`.
    places: list[list[int | None]] = []

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (for a preview on screen); headers made unique."""
        headers, seen = [], Counter()
        for c in self.columns:
            seen[c.header] += 1
            headers.append(c.header if seen[c.header] == 1 else f"{c.header} ({seen[c.header]})")
        return pd.DataFrame(self.rows, columns=headers)

    def on_paper(self) -> tuple[list[Column], list[list[Cell]]]:
        """The columns and rows printed in Word and PDF (Excel keeps them all)."""
        keep = [i for i, c in enumerate(self.columns) if c.on_paper]
        return [self.columns[i] for i in keep], [[row[i] for i in keep] for row in self.rows]

    def decimals(self, i: int, j: int) -> int | None:
        """The decimals of row i's cell j: its own where `places` gives one, else None (the column's)."""
        return self.places[i][j] if self.places else None

    def texts_on_paper(self) -> list[list[str]]:
        """The cells printed in Word and PDF, as text: each number in its own decimals."""
        keep = [j for j, c in enumerate(self.columns) if c.on_paper]
        return [[self.columns[j].text(row[j], self.decimals(i, j)) for j in keep] for i, row in enumerate(self.rows)]

    @model_validator(mode="after")
    def _rectangular(self) -> Table:
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.title!r} row {i}: {len(row)} cells for {len(self.columns)} columns")
        if self.places and [len(r) for r in self.places] != [len(r) for r in self.rows]:
            raise ValueError(f"table {self.title!r}: places must have the shape of its rows")
        return self


class ChartSeries(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    values: list[float | None]
    style: Literal["bar", "line", "dash", "dot"] = "line"


class Chart(BaseModel):
    """One chart, drawn as a picture in Word/PDF and as a native chart in Excel from the same data."""

    model_config = ConfigDict(frozen=True)

    type: Literal["chart"] = "chart"
    title: str
    categories: list[str]
    series: list[ChartSeries]
    y_title: str
    figure: dict | None = None  # plotly figure JSON for the picture; built from `series` when absent

    @model_validator(mode="after")
    def _aligned(self) -> Chart:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"chart {self.title!r} series {s.name!r}: "
                                 f"{len(s.values)} values for {len(self.categories)} categories")
        return self


Block = Annotated[Paragraph | Table | Chart, Field(discriminator="type")]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    heading: str
    blocks: list[Block] = []


class Document(BaseModel):
    """A whole report. `meta` is the title block (label, value) — plan, period, data date, nature."""

    model_config = ConfigDict(frozen=True)

    title: str
    subtitle: str | None = None
    meta: list[tuple[str, str]] = []
    summary: list[str] = []
    sections: list[Section] = []
    footer: str = ""  # on every page, e.g. 演示数据，非官方统计
    lang: Literal["zh", "en"] = "zh"
    file_stem: str = "report"
    # As an office issues it (printed in Word and PDF): 文号 under the title, the compiling office and
    # the date line above a rule, the distribution list (报：… / 送：…) under a rule at the end.
    issue: str = ""
    office: str = ""
    date_line: str = ""
    distribution: list[str] = []

    def meta_lines(self) -> list[str]:
        """The title block as printed: 规划：… / Plan: …"""
        return [text("format.labelled", self.lang, label=label, value=value) for label, value in self.meta]

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]
