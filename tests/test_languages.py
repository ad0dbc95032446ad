"""Both languages complete (issue 18, item 7): every page of every role read in English shows no
Chinese, and read in Chinese shows no English words, except names that have no other form.

The yardstick lives here; the walk that applies it to every page is tests/test_no_raw_values.py's
(AppTest through dashboard.py, each demo user, each page of the role's menu, two sidebar states,
one walk for both checks). `visible_text` reads what a person would read: markdown, captions,
headings, alerts, metrics, tabs, expanders, buttons, every widget's label and options, and every
column name and cell of every table.

What may stay in the other language is computed, never listed by hand:
- in English, the names that have no English form: organisations whose catalog `name_en` is empty
  (firms' own names, which a translation or transliteration would not be), and what people typed
  (users' display names) — text that belongs to its author, not to the catalog;
- in Chinese, Latin words that are not English: codes and ids (letters with digits or dashes),
  units and format names (Word, PDF, Excel, CSV …) and the English names of organisations, which
  the Chinese pages never show but a firm may carry as its own name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from domain.messages import LANGS
from store import users

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# An English word: three or more Latin letters written as a word (all lower case, or capitalised),
# not part of a code: a letter run touching a digit, a dash, an underscore, a dot or a slash is an
# id, a file name or a path, and one in capitals or mixed case (IPv6, xDSL, SaaS, ITO) an abbreviation.
LATIN_WORD = re.compile(r"(?<![\w./\\-])(?:[a-z]{3,}|[A-Z][a-z]{2,})(?![\w./\\-])")
CODE_SPAN = re.compile(r"`[^`]*`")  # commands and file names shown as code are not words
# Words a Chinese page may carry in Latin letters: file formats and products the reader meets under
# those names. (Each language's own name on the language switch is LANGS, read below.)
NOT_ENGLISH = frozenset({"Word", "Excel", "Zip", "Chromium", "Python", "DuckDB"})
# A catalog text cut to fit a label (a task's first 40 characters) still counts as that text from
# this many characters on.
CUT_FROM = 8
# The language switch is labelled in both languages on purpose (app/router.py): a reader who cannot
# read the page's language still finds it.
SWITCH_LABEL = "语言 / Language"


def hidden_columns(element) -> set[str]:
    """Columns a grid is told not to show (column_config None: ids and sort keys)."""
    config = json.loads(getattr(element.proto, "columns", "") or "{}")
    return {name for name, c in config.items() if isinstance(c, dict) and c.get("hidden")}


def visible_text(at: AppTest) -> list[str]:
    """Every string the last run put on the page, as a reader would see it."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "info", "warning", "success",
                 "error", "text", "latex"):
        texts += [str(e.value) for e in getattr(at, kind)]
    texts = [t for t in texts if not t.lstrip().startswith("<style>")]  # CSS, not words
    for m in at.metric:
        texts += [str(m.label), str(m.value), str(m.delta or "")]
    for kind in ("tabs", "expander"):
        texts += [str(e.label) for e in getattr(at, kind)]
    for kind in ("button", "checkbox", "toggle", "text_input", "text_area", "number_input",
                 "date_input", "time_input", "color_picker", "slider", "select_slider", "selectbox",
                 "multiselect", "radio"):
        for widget in getattr(at, kind):
            texts += [str(widget.label), str(getattr(widget, "help", "") or "")]
            texts += [str(o) for o in getattr(widget, "options", ()) or ()]
            placeholder = getattr(widget.proto, "placeholder", "")
            texts += [str(placeholder)] if placeholder else []
    for kind in ("download_button", "file_uploader"):
        texts += [str(e.proto.label) for e in at.get(kind)]
    for element in [*at.dataframe, *at.table]:
        frame = element.value
        if not isinstance(frame, pd.DataFrame):
            continue
        shown = [c for c in frame.columns if str(c) not in hidden_columns(element)]
        texts += [str(c) for c in shown]
        for column in shown:
            texts += [v for v in frame[column].tolist() if isinstance(v, str)]
    return [t for t in texts if t and t != SWITCH_LABEL]


def without(text: str, names: Iterable[str]) -> str:
    """`text` with every allowed name taken out, and first a name cut short at the end of a label
    (its first CUT_FROM characters or more, then the label ends: a task's first 40 characters)."""
    tail = text.rstrip(" ….")
    cut = max((next((k for k in range(len(name), CUT_FROM - 1, -1) if tail.endswith(name[:k])), 0)
               for name in names), default=0)  # the longest cut name wins: a quote before a quote's tail
    if cut:
        text = tail[:-cut]
    for name in names:  # longest first (the caller sorts): 青岛软件城 before 青岛
        text = text.replace(name, " ")
    return text


def foreign(texts: Iterable[str], lang: str, names: Iterable[str]) -> list[str]:
    """The strings that carry words of the other language once the allowed names are taken out."""
    names = sorted(set(names), key=len, reverse=True)
    found = []
    for text in texts:
        rest = without(CODE_SPAN.sub(" ", text.replace("\\", "")), names)
        if lang == "en" and HAN.search(rest):
            found.append(text)
        elif lang != "en" and [w for w in LATIN_WORD.findall(rest) if w not in NOT_ENGLISH]:
            found.append(text)
    return found


def catalog_only_chinese() -> set[str]:
    """What the catalog holds only as the plans wrote it, with no English side: quotes, tasks and
    their sections and lead departments, duties, measures, phases, rules, and organisations with
    no English name (firms, whose own name a translation would not be)."""
    from store.catalog import default_catalog

    cat = default_catalog()
    out: set[str] = set()
    for plan in cat.plans.values():
        out.add(plan.issuer_zh if not getattr(plan, "issuer_en", "") else "")
        for org in plan.organisations:
            out.add(org.name_zh if not org.name_en else "")
        for part in (*plan.targets, *plan.incentives, *plan.phases, *plan.tasks, *plan.criteria,
                     *plan.measures, *plan.cluster_bases, *plan.duties, *plan.rules, *plan.responsibilities):
            data = part.model_dump()
            out.update(str(data.get(k) or "") for k in ("source_quote", "park_quote", "text", "section",
                                                         "text_zh", "standing_zh"))
            if "name_zh" in data and not data.get("name_en"):
                out.add(data["name_zh"])
            if "text_zh" in data and not data.get("text_en"):
                out.add(data["text_zh"])
            for k in ("lead_departments", "owed_by", "recipients", "departments"):
                out.update(data.get(k) or ())
    return {t for t in out if t}


def allowed_names(lang: str) -> set[str]:
    """Names with no form in the page's language, read from the catalog and the store the app reads."""
    from store import orgs
    from ui import queries

    con = queries.cursor()
    table = orgs.orgs(con)
    other = [name for code, name in LANGS.items() if code != lang]  # the switch names each language in its own words
    if lang != "en":
        return {*table["name_en"].dropna().tolist(), *other}
    untranslated = table[table["name_en"].fillna("").str.strip() == ""]["name_zh"].tolist()
    typed = [*users.list_users(con)["display_name"].tolist(),  # what people typed is theirs
             *con.execute("SELECT DISTINCT note FROM task_updates").fetchdf()["note"].tolist(),
             # a department as the plan's task list names it (canonical_department), no English in the catalog
             *con.execute("SELECT DISTINCT department FROM task_updates").fetchdf()["department"].tolist(),
             # a base's name as the province designates it (recorded by a reviewer), no English form
             *con.execute("SELECT DISTINCT name FROM base_designations").fetchdf()["name"].tolist()]
    return {n for n in [*untranslated, *typed, *catalog_only_chinese(), *other] if n}


@pytest.mark.parametrize(("text", "lang", "names", "bad"), [
    ("Revenue 1,234.50 100 million yuan", "en", set(), False),
    ("Revenue 1,234.50 亿元", "en", set(), True),
    ("Firm 青岛某某软件有限公司 reported", "en", {"青岛某某软件有限公司"}, False),
    ("2012年1-12月", "en", set(), True),
    ("导出 Word / PDF / Excel", "zh", set(), False),
    ("园区 qd-softcity，指标 2020", "zh", set(), False),
    ("软件业务收入 empty", "zh", set(), True),
    ("Select all", "zh", set(), True),
    ("企业 Haier Software", "zh", {"Haier Software"}, False),
    ("sz-t-05 加快高新南区填海区60万平方米", "en", {"加快高新南区填海区60万平方米软件产业基地建设"}, False),
    ("加快高新南区填海区60万平方米 亿元", "en", {"加快高新南区填海区60万平方米软件产业基地建设"}, True),
    ("到2016年，全市软件业务收入达到2200亿元", "en",
     {"到2016年，全市软件业务收入达到2200亿元", "全市软件业务收入达到2200亿元以上"}, False),
])
def test_foreign_tells_a_stray_word_from_a_name(text, lang, names, bad):
    """The yardstick can fail: a unit or period left in Chinese is caught, a name with no other
    form and a code are not."""
    assert bool(foreign([text], lang, names)) is bad
