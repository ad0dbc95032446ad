"""Words every report shares, Chinese first. Each report keeps its own wording beside the
sentences that use it (a report is a document template) and adds it to these."""

from __future__ import annotations

from collections.abc import Callable, Mapping

COMMON: dict[str, tuple[str, str]] = {
    "plan": ("规划", "Plan"),
    "nature": ("数据性质", "Nature of the data"),
    "demo": ("演示数据，非官方统计", "Demo data — not official statistics"),
    "total": ("合计", "Total"),
    "status": ("状态", "Status"),
    "park": ("园区", "Park"),
    "enterprise": ("企业名称", "Enterprise"),
    "credit_code": ("统一社会信用代码", "Credit code"),
}


def words(own: Mapping[str, tuple[str, str]]) -> Callable[[str, str], str]:
    """`t(key, lang)` over a report's own words and the common ones."""
    table = {**COMMON, **own}

    def t(key: str, lang: str) -> str:
        zh, en = table[key]
        return zh if lang == "zh" else en
    return t
