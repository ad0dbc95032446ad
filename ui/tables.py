"""Table builders: store frames → the columns and units officials read (亿元, %, 人)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from types import SimpleNamespace

import pandas as pd

from domain.access import Role
from domain.catalog import Catalog
from domain.growth import change
from domain.messages import exists, join, render
from domain.models import Indicator
from domain.periods import Period
from domain.reporting import Ranked, Tally, Timeliness, tally
from domain.units import Dimension, in_display_unit
from ui import safe
from ui.format import in_natural_unit, number, pct, period_label
from ui.i18n import localized, org_names, t, unit_word


def _safe(build):
    """Tables shown with st.dataframe can be downloaded as CSV from its toolbar: text that would
    start a spreadsheet formula is neutralised before it is shown."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> pd.DataFrame:
        return safe.safe_frame(build(*args, **kwargs))
    return wrapper


def _yoy_percent(now: pd.Series, before: pd.Series) -> pd.Series:
    """同比 per row in percent, for a percent column: domain.growth.change, blank where it is undefined."""
    return pd.Series([change(a, b) for a, b in zip(now, before, strict=True)], index=now.index, dtype=float) * 100


# A firm's "reported this quarter" as a mark a leader reads (and grey print keeps), not True/False.
REPORTED_MARK = {True: "✓", False: "✗"}


@_safe
def enterprise_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Enterprises of a park: revenue in 亿元 (stored in 万元), 同比, share of the park total."""
    revenue = in_display_unit(frame.software_revenue, Dimension.MONEY_CNY)
    total = revenue.sum()
    return pd.DataFrame({
        t("enterprise", lang): frame.name_zh,
        t("credit_code", lang): frame.credit_code,
        t("software_revenue_yi", lang): revenue.round(2),
        t("yoy", lang): _yoy_percent(frame.software_revenue, frame.software_revenue_ly),
        t("share_of_park", lang): revenue / total * 100 if total else None,
        t("employees", lang): frame.employees,
        t("reported", lang): [REPORTED_MARK[bool(r)] for r in frame.reported],
    })


def _unit_word(symbol: str, lang: str) -> str:
    """A unit in the reader's language (`unit.<symbol>`; a symbol the catalog lacks as it is)."""
    return t(f"unit.{symbol}", lang) if symbol and exists(f"unit.{symbol}") else symbol


@_safe
def firm_history_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A firm's own figures over time: a row per quarter (newest first; figures are year-to-date,
    as reported), a column per indicator headed with its natural unit, `None` where it reported none."""
    if frame.empty:
        return pd.DataFrame({t("period", lang): []})
    periods = sorted({(int(y), int(q)) for y, q in zip(frame.year, frame.quarter, strict=True)}, reverse=True)
    table = {t("period", lang): [period_label(Period(y, q), lang) for y, q in periods]}
    for _, rows in frame.groupby("indicator_id", sort=False):
        by_period = {(int(r.year), int(r.quarter)): float(r.value) for r in rows.itertuples(index=False)}
        values, shown = in_natural_unit([by_period.get(p) for p in periods], rows.unit.iloc[0])
        label = localized(rows.iloc[0], "name", lang)
        table[t("format.with_unit", lang, label=label, unit=_unit_word(shown, lang))] = pd.Series(values, dtype=float)
    return pd.DataFrame(table)


def firm_history_column_config(table: pd.DataFrame) -> dict:
    """Every figure with thousands separators (its unit is in the heading)."""
    import streamlit as st

    return {name: st.column_config.NumberColumn(format="localized") for name in table.columns[1:]}


@_safe
def figures_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("code", lang): frame.code,
        t("indicator", lang): localized(frame, "name", lang),
        t("unit", lang): [unit_word(u, lang) if isinstance(u, str) else u for u in frame.unit],
        t("value", lang): frame.value,
        t("value_ly", lang): frame.value_last_year,
        t("yoy", lang): _yoy_percent(frame.value, frame.value_last_year),
    })


@_safe
def users_table(frame: pd.DataFrame, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        t("username", lang): frame.username,
        t("email", lang): frame.email,  # what single sign-on maps an identity by
        t("role", lang): [t(f"role.{Role(r).value}", lang) for r in frame.role],
        t("scope", lang): org_names(frame.scope_name, lang, catalog),
        t("users.locked_until", lang): frame.locked_until,
    })


def enterprise_column_config(lang: str) -> dict:
    import streamlit as st

    percent = st.column_config.NumberColumn(format="%.1f%%")
    return {t("yoy", lang): percent, t("share_of_park", lang): percent,
            t("software_revenue_yi", lang): st.column_config.NumberColumn(format="%,.2f"),
            t("employees", lang): st.column_config.NumberColumn(format="%,.0f")}  # 12,335 people, not 12335.0


def figures_column_config(lang: str) -> dict:
    """A firm's own figures as typed (万元, 人 …): thousands separators and up to two decimals."""
    import streamlit as st

    return {t("value", lang): st.column_config.NumberColumn(format="localized"),
            t("value_ly", lang): st.column_config.NumberColumn(format="localized"),
            t("yoy", lang): st.column_config.NumberColumn(format="%.1f%%")}


@_safe
def incentive_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("enterprise", lang): frame.name_zh,
        t("threshold", lang): frame.threshold,
        t("annual_value", lang): frame.value.round(1),
        t("growth", lang): (frame.growth * 100).round(1),
        t("reward", lang): frame.reward,
    })


def incentive_column_config(lang: str) -> dict:
    """万元 with thousands separators (1,096,722.7, not 1096722.7), growth in percent."""
    import streamlit as st

    return {t("threshold", lang): st.column_config.NumberColumn(format="%,.0f"),
            t("annual_value", lang): st.column_config.NumberColumn(format="%,.1f"),
            t("reward", lang): st.column_config.NumberColumn(format="%,.1f"),
            t("growth", lang): st.column_config.NumberColumn(format="%.1f%%")}


def _dash(values: pd.Series) -> pd.Series:
    """A missing number shown as a dash (a first revision has no old value), not 'None'."""
    return values.map(lambda v: "—" if pd.isna(v) else f"{v:,.2f}")


@_safe
def submissions_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        "#": frame.submission_id,
        t("status", lang): [t(s, lang) for s in frame.status],
        t("org", lang): frame.orgs,
        t("quarter", lang): frame.periods,
        t("by", lang): frame.submitted_by,
        t("at", lang): frame.submitted_at,
        t("explanation", lang): _blank_if_missing(frame.explanation),
        t("comment", lang): _blank_if_missing(frame.review_comment),
    } | _flag_columns(frame, lang))


def _blank_if_missing(text: pd.Series) -> list:
    """Text nobody typed is an empty cell, not the word None."""
    return ["" if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in text]


def _flag_columns(frame: pd.DataFrame, lang: str) -> dict:
    """How many flags a listed submission raised and which earlier submission it answers (a dash
    for none), where the list carries them."""
    out = {}
    if "flag_count" in frame:
        out[t("review.flag_count", lang)] = frame["flag_count"]
    if "answers" in frame:
        out[t("review.answers", lang)] = ["—" if pd.isna(a) else f"#{int(a)}" for a in frame.answers]
    return out


def change_table(figures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every figure of a submission as a reviewer reads it (service SubmissionReading.figures): old →
    new, Δ and Δ %, last year's figure of the same quarter and 同比 on it, the published 同比, the
    unit and the row's flags in `lang`. The numbers of a row are written alike (separators, the
    same decimals for old, new, Δ and last year); a missing one is a dash.

    The text columns are made formula-safe one by one rather than the whole frame (`_safe`): a
    signed change (+12.5, −3.0 %) is our own writing, and would otherwise get an apostrophe."""
    cells = [_figure_cells(old, new, ly) for old, new, ly in
             zip(figures.old_value, figures.new_value, figures.last_year_value, strict=True)]
    return pd.DataFrame({
        t("org", lang): _safe_text(_names(figures.org_name, figures.org_name_en, lang)),
        t("indicator", lang): _safe_text(_names(figures.indicator_name, figures.indicator_name_en, lang)),
        t("quarter", lang): [period_label(Period(int(y), int(q)), lang)
                             for y, q in zip(figures.year, figures.quarter, strict=True)],
        t("unit", lang): _safe_text([unit_word(u, lang) if isinstance(u, str) else u for u in figures.unit]),
        t("old", lang): [c[0] for c in cells],
        t("new", lang): [c[1] for c in cells],
        t("review.delta", lang): [c[2] for c in cells],
        t("review.delta_pct", lang): [pct(_nan_none(x), 1, signed=True) for x in figures.delta_pct],
        t("review.last_year", lang): [c[3] for c in cells],
        t("yoy", lang): [pct(_nan_none(x), 1, signed=True) for x in figures.yoy],
        t("review.published_yoy", lang): [pct(_nan_none(x), 1, signed=True) for x in figures.published_yoy],
        t("review.flags", lang): _safe_text(flag_text(reasons, lang) for reasons in figures["flag_reasons"]),
    })


def _safe_text(values) -> list:
    return [safe.neutralise(v) for v in values]


def flag_text(reasons, lang: str) -> str:
    """A figure's flags in `lang`, one sentence after another; a dash when it raised none."""
    return join("review.flag_join", [render(m, lang) for m in reasons], lang) or "—"


@_safe
def flags_table(reading, lang: str) -> pd.DataFrame:
    """Every flag of a submission (service SubmissionReading): the file's row, the figure it
    concerns (a dash for the submission as a whole) and its reason in `lang`."""
    f = reading.figures
    orgs = dict(zip(f.org_id, _names(f.org_name, f.org_name_en, lang), strict=True))
    indicators = dict(zip(f.indicator_id, _names(f.indicator_name, f.indicator_name_en, lang), strict=True))
    return pd.DataFrame({
        t("row", lang): ["—" if x.row is None else str(x.row) for x in reading.flags],
        t("org", lang): [orgs.get(x.org_id, x.org_id or "—") for x in reading.flags],
        t("indicator", lang): [indicators.get(x.indicator_id, x.indicator_id or "—") for x in reading.flags],
        t("quarter", lang): ["—" if x.period is None else period_label(x.period, lang) for x in reading.flags],
        t("review.flag", lang): [render(x.reason, lang) for x in reading.flags],
    }, dtype=object)


def _names(zh: pd.Series, en: pd.Series, lang: str) -> list[str]:
    """The `lang` side of a name, the other where it is blank (firms have no English name)."""
    return [localized(SimpleNamespace(name_zh=a, name_en=b if isinstance(b, str) else ""), "name", lang)
            for a, b in zip(zh, en, strict=True)]


def _nan_none(x: object) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


def _places(x: float | None, most: int = 4) -> int:
    """The decimals `x` needs, at most `most`: 112.5 → 1, 100 → 0, 0.12345 → 4."""
    if x is None or not math.isfinite(x):
        return 0
    return len(f"{x:.{most}f}".rstrip("0").split(".")[1])


def _figure_cells(old: object, new: object, last_year: object) -> tuple[str, str, str, str]:
    """Old, new, Δ (signed) and last year's figure, written alike: thousands separators and the same
    decimals (as many as the most precise of them needs, at most four); a dash for a missing one."""
    old, new, last_year = _nan_none(old), _nan_none(new), _nan_none(last_year)
    delta = None if old is None or new is None else new - old
    d = max(_places(old), _places(new), _places(last_year))

    def cell(x: float | None, sign: str = "") -> str:
        return "—" if x is None else f"{x:{sign},.{d}f}"
    return cell(old), cell(new), cell(delta, "+"), cell(last_year)


@_safe
def history_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Every revision of one figure: who, when, old → new (formatted alike, in the indicator's unit),
    as typed (with the unit typed), explanation, review."""
    previous = frame.value.shift(1)
    return pd.DataFrame({
        t("rev", lang): frame.revision,
        t("old", lang): _dash(previous),
        t("new", lang): _dash(frame.value),
        t("value", lang): [f"{v:,.2f} {u}" for v, u in zip(frame.value_entered, frame.unit_entered, strict=True)],
        t("by", lang): frame.entered_by,
        t("at", lang): frame.entered_at,
        t("status", lang): [t(s, lang) if s in ("pending", "accepted", "returned") else s for s in frame.status],
        t("explanation", lang): _blank_if_missing(frame.explanation),
        t("comment", lang): _blank_if_missing(frame.review_comment),
    })


def reporting_tallies(status: pd.DataFrame) -> tuple[list[tuple[object, Tally]], Tally]:
    """How the firms of a reporting-status frame stand, per park and in total: the one grouping
    behind the 填报率 page's table and the briefing's. Parks in name order, firms without a park
    last under a missing name (NaN), which each caller shows its own way."""
    parks = [(name, tally(g.reported, g.on_time)) for name, g in status.groupby("park_name", dropna=False)]
    return parks, tally(status.reported, status.on_time)


def reporting_summary(status: pd.DataFrame, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """Per park, and in total: firms, reported on time, late, missing, rate."""
    def row(name: object, k: Tally) -> dict:
        return {t("park", lang): org_names([name], lang, catalog)[0], t("total", lang): k.firms, t("on_time", lang): k.on_time,
                t("late", lang): k.late, t("missing", lang): k.missing,
                t("rate", lang): k.rate * 100 if k.rate is not None else None}
    parks, total = reporting_tallies(status)
    return pd.DataFrame([*(row(name, k) for name, k in parks), row(t("sum", lang), total)])


@_safe
def reminder_list(status: pd.DataFrame, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    todo = status[~status.reported]
    return pd.DataFrame({t("park", lang): org_names(todo.park_name, lang, catalog), t("enterprise", lang): todo.name_zh,
                         t("credit_code", lang): todo.credit_code})


# ------------------------------------------------------- issue 17: the reporting timeliness ranking


def _of(part: int, whole: int) -> str:
    """A count of a whole, as a bureau writes it: 11 / 12."""
    return f"{part} / {whole}"


def _percent(value: float | None) -> float | None:
    return None if value is None else value * 100


def _ranked_rows(ranked: list[Ranked], lang: str, name_header: str, firms: bool,
                 catalog: Catalog | None = None) -> pd.DataFrame:
    rows = []
    for r in ranked:
        k = r.record
        row = {t("timeliness.rank", lang): r.rank, name_header: org_names([r.name], lang, catalog)[0]}
        if firms:
            row[t("timeliness.firm_count", lang)] = r.firms
        row |= {t("timeliness.on_time_of_due", lang): _of(k.on_time, k.due),
                t("timeliness.timeliness", lang): _percent(k.timeliness),
                t("late", lang): k.late, t("missing", lang): k.missing,
                t("timeliness.rate", lang): _percent(k.rate),
                t("timeliness.returned", lang): k.returned,
                t("timeliness.corrected", lang): _of(k.corrected, k.returned)}
        rows.append(row)
    return pd.DataFrame(rows)


@_safe
def timeliness_parks(found: Timeliness, lang: str, catalog: Catalog | None = None) -> pd.DataFrame:
    """The parks ranked (domain/reporting.py `rank`): firms, on time of due ("11 / 12"), 及时率 and
    报送率 in percent, late, not reported, returned, corrected of returned."""
    return _ranked_rows(found.parks, lang, t("park", lang), firms=True, catalog=catalog)


@_safe
def timeliness_firms(found: Timeliness, lang: str) -> pd.DataFrame:
    """Every firm ranked, with the same columns as the parks but the count of firms."""
    return _ranked_rows(found.firms, lang, t("enterprise", lang), firms=False)


def timeliness_column_config(lang: str) -> dict:
    """The two rates shown as 100.0 % (numbers underneath, so the columns sort)."""
    import streamlit as st

    percent = st.column_config.NumberColumn(format="%.1f %%")
    return {t("timeliness.timeliness", lang): percent, t("timeliness.rate", lang): percent}


def timeliness_span(found: Timeliness, lang: str) -> str:
    """The span in words: 2015年第1至3季度 / 2015 Q1–Q3 (one quarter: 2015年第1季度)."""
    last = found.span[-1]
    return t("timeliness.span_one" if len(found.span) == 1 else "timeliness.span", lang, year=last.year,
             quarter=last.quarter)
# ------------------------------------------- the submitter's side (issue 17): figures in their words


def _figure(value: float, unit: str) -> str:
    """A value as `number` writes it for its unit (a count of people without decimals), the unit
    itself left to its own column."""
    text = number(value, unit)
    return text[: -len(unit)].rstrip() if unit and text.endswith(unit) else text


@_safe
def submitted_figures(frame: pd.DataFrame, indicators: Mapping[str, Indicator], names: Mapping[str, str],
                      lang: str) -> pd.DataFrame:
    """Figures of an upload about to be written, or of a submission made, as the submitter reads
    them: the file's row (an upload's), the organisation's name, the indicator's row code and name,
    its unit, the period as a label, the value formatted and the published 同比 — never an id.
    `frame` holds org_id, indicator_id, year, quarter, value and, where known, yoy, source_row and
    org_name; an organisation missing from both `names` and org_name is shown as a dash."""
    own = dict(zip(frame.org_id, frame.org_name, strict=True)) if "org_name" in frame else {}
    shown = [indicators.get(i) for i in frame.indicator_id]
    out = {}
    if "source_row" in frame:
        out[t("row", lang)] = frame.source_row.tolist()
    out[t("org", lang)] = [names.get(o) or own.get(o) or "—" for o in frame.org_id]
    out[t("indicator", lang)] = [f"{i.code or ''} {localized(i, 'name', lang)}".strip() if i else "—" for i in shown]
    out[t("unit", lang)] = [unit_word(i.unit, lang) if i else "" for i in shown]
    out[t("quarter", lang)] = [period_label(Period(int(y), int(q)), lang)
                               for y, q in zip(frame.year, frame.quarter, strict=True)]
    out[t("value", lang)] = [_figure(v, i.unit if i else "") for v, i in zip(frame.value, shown, strict=True)]
    yoy = frame.yoy.tolist() if "yoy" in frame else [None] * len(frame)
    out[t("yoy", lang)] = [pct(None if pd.isna(g) else float(g), signed=True) for g in yoy]
    return pd.DataFrame(out)
