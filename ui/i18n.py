"""UI strings in Chinese (first) and English. Keys are short English phrases."""

from __future__ import annotations

LANGS = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "软件产业规划目标监测", "en": "Software-industry plan tracker"},
    "demo_badge": {"zh": "演示数据，非官方统计", "en": "Demo data — not official statistics"},
    "plans": {"zh": "规划列表", "en": "Plans"},
    "plan": {"zh": "规划", "en": "Plan"},
    "issuer": {"zh": "发文单位", "en": "Issuer"},
    "issued": {"zh": "发布日期", "en": "Issued"},
    "horizon": {"zh": "目标年", "en": "Horizon"},
    "targets": {"zh": "目标数", "en": "Targets"},
    "headline": {"zh": "核心目标", "en": "Headline target"},
    "source": {"zh": "原文", "en": "Source text"},
    "no_plans": {"zh": "尚未载入任何规划。请先运行 python manage.py init。",
                 "en": "No plans loaded yet. Run python manage.py init first."},
}


def t(key: str, lang: str) -> str:
    entry = STRINGS[key]
    return entry.get(lang) or entry["zh"]
