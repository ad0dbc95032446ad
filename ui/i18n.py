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
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_in_sso": {"zh": "统一身份认证登录", "en": "Sign in with single sign-on"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "username": {"zh": "用户名", "en": "Username"},
    "password": {"zh": "密码", "en": "Password"},
    "bad_password": {"zh": "用户名或密码错误。", "en": "Wrong username or password."},
    "locked": {"zh": "登录失败次数过多，账户已锁定 {minutes} 分钟。请稍后再试或联系管理员重置密码。",
               "en": "Too many failed sign-ins: the account is locked for {minutes} minutes. Try later or ask an administrator to reset the password."},
    "sign_in_help": {"zh": "账户由系统管理员创建（python manage.py users add）。",
                     "en": "Accounts are created by an administrator (python manage.py users add)."},
    "no_account": {"zh": "该身份未在本系统登记，请联系管理员。", "en": "This identity has no account here; ask an administrator."},
    "park": {"zh": "园区", "en": "Park"},
    "my_data": {"zh": "本企业数据", "en": "My figures"},
    "users": {"zh": "用户管理", "en": "Users"},
    "as_of": {"zh": "数据截至", "en": "As of"},
    "not_allowed": {"zh": "无权查看该园区的企业数据。", "en": "You may not see this park's enterprise figures."},
    "no_parks": {"zh": "没有可查看的园区。", "en": "No park to show."},
    "enterprises": {"zh": "企业", "en": "Enterprises"},
    "enterprise": {"zh": "企业名称", "en": "Enterprise"},
    "credit_code": {"zh": "统一社会信用代码", "en": "Credit code"},
    "software_revenue_yi": {"zh": "软件业务收入（亿元）", "en": "Software revenue (亿元)"},
    "yoy": {"zh": "同比", "en": "YoY"},
    "share_of_park": {"zh": "占园区比重", "en": "Share of park"},
    "employees": {"zh": "从业人员（人）", "en": "Employees"},
    "reported": {"zh": "本期已填报", "en": "Reported"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "code": {"zh": "行代码", "en": "Row code"},
    "unit": {"zh": "单位", "en": "Unit"},
    "value": {"zh": "本期累计", "en": "This period (YTD)"},
    "value_ly": {"zh": "上年同期", "en": "Same period last year"},
    "role": {"zh": "角色", "en": "Role"},
    "scope": {"zh": "范围", "en": "Scope"},
    "no_reports": {"zh": "{period}该园区尚无企业填报数据，请在侧栏选择其他期别。",
                   "en": "No enterprise of this park has reported for {period}; pick another quarter in the sidebar."},
    "no_plans": {"zh": "尚未载入任何规划。请先运行 python manage.py init。",
                 "en": "No plans loaded yet. Run python manage.py init first."},
}


def t(key: str, lang: str) -> str:
    entry = STRINGS[key]
    return entry.get(lang) or entry["zh"]
