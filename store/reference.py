"""The published reference pack: national software business revenue as the ministry published it
(data/reference/national_software_revenue.yaml), read and checked, turned into observation rows, and
written into the store once.

Two halves, so the file can be checked without a store: `load_pack` reads and validates the file
into frozen models (a bad entry raises ReferencePackError naming the file and the entry) and `pack_frame`
turns it into observation rows — quarter 4 of each year (a year-to-date flow, so the whole year), the
value in the indicator's canonical 万元, the published 同比 as a fraction, the status code and the
publication date. `load_reference` writes those rows through `submissions.write_submission`, one
accepted submission per publication date in date order, so a verified figure becomes the revision
after the provisional one it replaces.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.units import unit
from store import sql, submissions
from store.catalog import DATA_DIR

PACK_PATH = DATA_DIR / "reference" / "national_software_revenue.yaml"
ORIGIN = "reference"
ACTOR = "reference"


class ReferencePackError(ValueError):
    """The reference file cannot be used as it stands; the message names the file and the entry."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    citation: str = Field(min_length=1)
    quote: str = Field(min_length=1)
    urls: tuple[str, ...] = Field(min_length=1)

    @field_validator("urls")
    @classmethod
    def _web_addresses(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for u in urls:
            if not u.startswith(("http://", "https://")):
                raise ValueError(f"not a web address: {u!r}")
        return urls


class Entry(_Frozen):
    """One publication of one year's figure."""

    year: int = Field(ge=1990, le=2100)
    value: float = Field(gt=0)  # in the series' unit (亿元), as published
    yoy: float  # percent, as published: 11.2 means +11.2 %
    # SDMX CL_OBS_STATUS; the pack holds first publications (P) and verified figures (A) only.
    status: Literal["P", "A"]
    published_on: dt.date
    date_basis: Literal["stated", "copy", "inferred"]
    note: str | None = None
    source: Source

    @field_validator("yoy")
    @classmethod
    def _plausible_rate(cls, yoy: float) -> float:
        # A percent, not a fraction: a value like 0.112 would silently read as +0.1 %.
        if not -50 < yoy < 100 or (yoy != 0 and abs(yoy) < 1):
            raise ValueError(f"yoy {yoy} is not a plausible percent (write 11.2 for +11.2 %)")
        return yoy

    @model_validator(mode="after")
    def _published_after_the_year(self) -> Entry:
        if self.published_on <= dt.date(self.year, 12, 31):
            raise ValueError(f"published_on {self.published_on} is not after the end of {self.year}")
        if self.date_basis == "inferred" and not self.note:
            raise ValueError("an inferred published_on needs a note saying how it was inferred")
        return self


class LeftOut(_Frozen):
    year: int
    candidate: str
    reason: str = Field(min_length=1)


class SeriesKey(_Frozen):
    org_id: str
    indicator_id: str
    unit: str


class Pack(_Frozen):
    series: SeriesKey
    entries: tuple[Entry, ...] = Field(min_length=1)
    left_out: tuple[LeftOut, ...] = ()

    @model_validator(mode="after")
    def _one_figure_per_year_and_status(self) -> Pack:
        seen: set[tuple[int, str]] = set()
        for e in self.entries:
            if (e.year, e.status) in seen:
                raise ValueError(f"two {e.status} entries for {e.year}")
            seen.add((e.year, e.status))
        for e in self.entries:
            if e.status == "A" and (e.year, "P") in seen:
                provisional = next(p for p in self.entries if p.year == e.year and p.status == "P")
                if provisional.published_on >= e.published_on:
                    raise ValueError(f"{e.year}: the verified figure must be published after the provisional one")
        return self


def load_pack(path: Path = PACK_PATH) -> Pack:
    """The reference file read and validated; ReferencePackError names the file and the bad entry."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReferencePackError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(raw, dict):
        raise ReferencePackError(f"{path}: expected a mapping with series and entries")
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = list(err["loc"])
            field = ".".join(str(p) for p in loc)
            where = ""
            if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int) and loc[1] < len(raw.get("entries") or []):
                year = (raw["entries"][loc[1]] or {}).get("year", "?")
                where, field = f"entry {loc[1] + 1} (year {year}): ", ".".join(str(p) for p in loc[2:])
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{where}{field + ': ' if field else ''}{msg}")
        raise ReferencePackError(f"{path}: " + "; ".join(lines)) from exc


def pack_frame(pack: Pack) -> pd.DataFrame:
    """The pack as observation rows, ordered by publication date (then year): the order they must be
    written in, so each year's later publication becomes its later revision."""
    written = unit(pack.series.unit)
    rows = []
    for e in sorted(pack.entries, key=lambda e: (e.published_on, e.year)):
        rows.append({
            "org_id": pack.series.org_id, "indicator_id": pack.series.indicator_id,
            "year": e.year, "quarter": 4,  # a year-to-date flow: Q4 is the whole year
            "value": written.to_canonical(e.value), "value_entered": e.value, "unit_entered": written.symbol,
            "note": e.source.citation,
            "yoy": round(e.yoy / 100, 6),  # rounded so 11.2 % is 0.112, not 0.11199999999999999
            "obs_status": e.status,
            "published_on": pd.Timestamp(e.published_on),
        })
    return pd.DataFrame(rows)


def _loaded(con: sql.Con, file_name: str, at: dt.datetime) -> bool:
    return bool(sql.scalar(
        con, "SELECT count(*) FROM submissions WHERE origin = ? AND file_name = ? AND submitted_at = ?",
        [ORIGIN, file_name, at]))


def load_reference(con: sql.Con, path: Path = PACK_PATH) -> int:
    """Write the pack's publications not yet in the store, one accepted submission per publication
    date, oldest first; returns the rows written (0 when all were already there)."""
    frame = pack_frame(load_pack(path))
    try:
        file_name = path.resolve().relative_to(DATA_DIR.parent).as_posix()
    except ValueError:  # a pack outside the repository (tests): its name is enough to tell it apart
        file_name = path.name
    written = 0
    for published, batch in frame.groupby("published_on", sort=True):
        at = published.to_pydatetime()
        if _loaded(con, file_name, at):
            continue
        batch = batch.assign(entered_at=published)
        submissions.write_submission(
            con, batch, actor=ACTOR, origin=ORIGIN, status="accepted", file_name=file_name,
            explanation=f"公开发布数据 published figures of {published.date().isoformat()}", at=at)
        written += len(batch)
    return written
