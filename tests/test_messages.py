"""The message catalog: both languages complete and in step, every code the source names present,
and the renderer strict (a missing code, language or parameter raises; nothing falls back).

The PO files are read here with Babel directly, not through domain.messages, so a flag or a fuzzy
entry the loader would skip is still seen.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from domain import messages
from domain.access import Role
from domain.messages import LANGS, Message, join, localized, render, text
from domain.programme import BaseType, TaskStatus
from metrics.bases import Check, ReportState
from metrics.progress import Status

ROOT = Path(__file__).resolve().parents[1]
# A literal code given to the renderer (`t("…"`, `text("…"`, `messages.text("…"`), not a method such as `p.text("zh")`.
CALL = re.compile(r"""(?:(?<![\w.])(?:t|text|_t)|\bmessages\.text)\(\s*["']([^"'{}\s]+)["']""")


def po(lang: str) -> dict[str, object]:
    with messages.po_path(lang).open("rb") as f:
        return {m.id: m for m in read_po(f) if m.id}


CATALOGS = {lang: po(lang) for lang in LANGS}


def placeholders(template: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_both_languages_have_the_same_codes():
    zh, en = set(CATALOGS["zh"]), set(CATALOGS["en"])
    assert sorted(zh - en) == [], "codes without an English text"
    assert sorted(en - zh) == [], "codes without a Chinese text"


@pytest.mark.parametrize("lang", list(LANGS))
def test_no_empty_or_fuzzy_text(lang):
    assert [code for code, m in CATALOGS[lang].items() if not m.string] == []
    assert [code for code, m in CATALOGS[lang].items() if m.fuzzy] == []


def test_placeholders_agree_between_the_languages():
    """Same parameters in both languages, unless the entry is flagged own-placeholders in both files
    (a date each language writes its own way) — and a flagged entry must really differ."""
    for code, zh in CATALOGS["zh"].items():
        en = CATALOGS["en"][code]
        flagged = {messages.OWN_PLACEHOLDERS in m.flags for m in (zh, en)}
        assert len(flagged) == 1, f"{code}: flag {messages.OWN_PLACEHOLDERS} in one language only"
        differ = placeholders(zh.string) != placeholders(en.string)
        assert differ == flagged.pop(), f"{code}: {placeholders(zh.string)} vs {placeholders(en.string)}"


def test_every_template_parses():
    for lang, entries in CATALOGS.items():
        for code, m in entries.items():
            list(string.Formatter().parse(m.string))  # raises on a stray brace
            assert all(name for _, name, _, _ in string.Formatter().parse(m.string) if name is not None), \
                f"{code} ({lang}): positional {{}} — parameters are named"


def source_files() -> list[Path]:
    skip = {ROOT / ".venv", ROOT / "tests" / "test_messages.py"}
    return [p for p in ROOT.rglob("*.py") if not any(p == s or s in p.parents for s in skip)]


def test_every_code_the_source_names_exists():
    used = {(path.relative_to(ROOT).as_posix(), code) for path in source_files()
            for code in CALL.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 300  # the scan finds the call sites (a broken pattern would pass vacuously)
    assert sorted((where, code) for where, code in used if not messages.exists(code)) == []


@pytest.mark.parametrize(("prefix", "values"), [
    ("status", Status), ("role", Role), ("task_status", TaskStatus), ("base_type", BaseType), ("check", Check),
    ("report_state", ReportState)])
def test_every_enum_member_has_a_word(prefix, values):
    """Codes built from an enum's value (`status.{s}`) cannot be found by scanning the source."""
    assert [v.value for v in values if not messages.exists(f"{prefix}.{v.value}")] == []


@pytest.mark.parametrize(("code", "lang", "params", "expected"), [
    ("backup_done", "zh", {"name": "b1", "rows": 12}, "备份 b1 已写入并校验通过：12 条数据。"),
    ("backup_done", "en", {"name": "b1", "rows": 12}, "Backup b1 written and verified: 12 figures."),
    ("growth_condition", "zh", {"g": 10.0}, "，且增速不低于 10%"),
    ("figure.growth_target", "en", {"rate": 0.15}, "Target 15%"),
    ("format.points", "zh", {"points": 3.2}, "+3.2个百分点"),
    ("format.points", "en", {"points": -0.5}, "-0.5 pp"),
    ("period.ytd", "zh", {"year": 2015, "quarter": 3, "end_month": 9}, "2015年1-9月"),
    ("period.ytd", "en", {"year": 2015, "quarter": 3, "end_month": 9}, "2015Q3"),
    # A label and its value, unit or note: full-width punctuation in Chinese only.
    ("format.labelled", "zh", {"label": "判断依据", "value": "已完成"}, "判断依据：已完成"),
    ("format.labelled", "en", {"label": "Why", "value": "achieved"}, "Why: achieved"),
    ("format.with_unit", "zh", {"label": "目标值", "unit": "亿元"}, "目标值（亿元）"),
    ("format.with_unit", "en", {"label": "Target", "unit": "亿元"}, "Target (100 million yuan)"),
    # A `unit` parameter is worded in the reader's language; a figure without one leaves no space.
    ("figure.sig4", "en", {"value": 1831.2, "unit": "万平方米"}, "18.31 million m²"),
    ("figure.sig4", "en", {"value": 1.0, "unit": "亿元"}, "100 million yuan"),
    ("figure.sig4", "en", {"value": 1.752, "unit": "万人"}, "17,520 people"),
    ("figure.sig4", "en", {"value": 11.59, "unit": "%"}, "11.59%"),
    ("figure.sig4", "en", {"value": 1831.2, "unit": "亿元"}, "183.1 billion yuan"),
    ("figure.sig4", "en", {"value": 5000, "unit": "万元"}, "50 million yuan"),
    ("figure.sig4", "zh", {"value": 1831.2, "unit": "万平方米"}, "1,831万平方米"),
    ("figure.sig4", "en", {"value": 12.0, "unit": "个"}, "12 units"),
    ("progress.level.fell_short", "en", {"year": 2016, "value": Message.of("figure.sig4", value=426.0, unit=""),
                                  "target": Message.of("figure.sig4", value=400.0, unit="")},
     "2016 value 426 fell short of the target 400"),
    ("format.aside", "zh", {"text": "2017年上半年", "aside": dt.date(2017, 7, 31)}, "2017年上半年（2017-07-31）"),
    ("format.aside", "en", {"text": "2017 H1", "aside": dt.date(2017, 7, 31)}, "2017 H1 (2017-07-31)"),
    ("period.half.2", "zh", {"year": 2017}, "2017年下半年"),
    ("status.acceleration_needed", "en", {}, "Acceleration needed"),
    ("role.park_manager", "zh", {}, "园区管理员"),
    ("reward_report.summary", "en", {"year": 2015, "firms": 3, "awards": 4, "amount": 1250.0},
     "In 2015, 3 firms newly crossed a threshold: 4 awards totalling 1,250 (in 10,000 yuan)."),
    ("briefing.heading", "zh", {"numeral": Message.of("numeral.3"), "text": "园区情况"}, "三、园区情况"),
    ("briefing.heading", "en", {"numeral": Message.of("numeral.3"), "text": "Parks"}, "3. Parks"),
    ("briefing.incentive_total", "zh", {"total": 1250.0, "k": 2, "m": 3}, "奖励合计 1,250 万元（2家企业、3项）。"),
])
def test_renders_with_parameters(code, lang, params, expected):
    assert text(code, lang, **params) == expected


def test_unknown_code_language_or_parameter_raises():
    with pytest.raises(KeyError, match="no message 'no.such.code' in the 'en' catalog"):
        text("no.such.code", "en")
    with pytest.raises(KeyError, match="language 'fr'"):
        text("app_title", "fr")
    with pytest.raises(KeyError, match="'backup_done' in 'zh' needs the parameter 'rows'"):
        text("backup_done", "zh", name="b1")


def test_the_ui_alias_is_the_same_renderer():
    from ui.i18n import LANGS as UI_LANGS
    from ui.i18n import t

    assert t is text and UI_LANGS == LANGS == {"zh": "中文", "en": "English"}
    with pytest.raises(KeyError):
        t("no_such_key", "zh")


def test_a_message_is_a_value_rendered_in_either_language():
    m = Message.of("backup_done", rows=3, name="b")
    assert m == Message.of("backup_done", name="b", rows=3) and hash(m) == hash(Message.of("backup_done", name="b", rows=3))
    assert {m: 1}[Message("backup_done", (("name", "b"), ("rows", 3)))] == 1
    assert render(m, "en") == m.render("en") == "Backup b written and verified: 3 figures."
    with pytest.raises(AttributeError):
        m.code = "other"  # type: ignore[misc]
    with pytest.raises(TypeError, match="hashable"):
        Message.of("backup_done", name=["a list"])


def test_a_message_inside_a_message_and_people_numbers():
    """A nested Message takes the outer one's language; `num` writes figures as people do."""
    when = Message.of("period.ytd", year=2015, quarter=3, end_month=9)
    assert text("no_reports", "zh", period=when) == "2015年1-9月该园区尚无企业填报数据，请在侧栏选择其他期别。"
    assert text("no_reports", "en", period=when).startswith("No enterprise of this park has reported for 2015Q3;")
    assert [messages.people_number(x) for x in (1234567.891, 1200000.0, 12, 0.5)] == ["1,234,567.89", "1,200,000", "12", "0.5"]
    assert messages._Formatter("x", "zh").format("{v:num} 万元", v=1234.5) == "1,234.5 万元"
    assert text("no_data_plan", "en", period=dt.date(2015, 9, 30)) == "This plan has no data for 2015-09-30 yet."


def test_join_lists_the_way_each_language_does():
    assert join("join.list", ["甲", "乙", "丙"], "zh") == "甲、乙、丙"
    assert join("join.list", ["A", "B", "C"], "en") == "A, B, C"
    assert join("join.names", ["A", "B"], "en") == "A; B"
    assert join("join.sentences", ["一。", "二。"], "zh") == "一。二。"
    assert join("join.sentences", ["One.", "Two."], "en") == "One. Two."
    assert join("join.clauses", ["经信委：推进中", "财政局：未报送"], "zh") == "经信委：推进中；财政局：未报送"
    assert join("join.clauses", ["A: done", "B: not reported"], "en") == "A: done; B: not reported"
    assert join("join.list", [], "en") == "" and join("join.list", ["only"], "en") == "only"


class Named:
    def __init__(self, **kw):
        self.__dict__.update(kw)


@pytest.mark.parametrize(("obj", "field", "lang", "expected"), [
    (Named(title_zh="青岛规划", title_en="Qingdao plan"), "title", "zh", "青岛规划"),
    (Named(title_zh="青岛规划", title_en="Qingdao plan"), "title", "en", "Qingdao plan"),
    (Named(name_zh="某某软件有限公司", name_en=""), "name", "en", "某某软件有限公司"),  # firms have no English name
    (Named(reason_zh="缺少基期数据", reason="no base value"), "reason", "en", "no base value"),  # English without a suffix
    (Named(reason_zh="", reason="not a CSV file"), "reason", "zh", "not a CSV file"),  # English-only problem
])
def test_localized_reads_the_language_side_of_a_field(obj, field, lang, expected):
    assert localized(obj, field, lang) == expected


def test_localized_refuses_an_unknown_language():
    with pytest.raises(KeyError):
        localized(Named(title_zh="a", title_en="b"), "title", "de")
