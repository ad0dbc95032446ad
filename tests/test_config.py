"""The one settings object (domain/config.py): documented in full, parsed strictly, read everywhere.

The README's "Settings" table and the Settings fields are held equal both ways; parsing is
table-driven (defaults, good values, bad values whose error names the variable); a mistyped value
stops the app and the command line with that message; and no product module reads the
environment itself.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from domain import config
from domain.config import DEFAULT_DB, ConfigError, Settings, settings
from store.backup import schedule_from_env
from store.db import StoreError, resolve_path

ROOT = Path(__file__).resolve().parents[1]
KEY = "k" * 40  # long enough to sign cookies


def readme_settings() -> dict[str, tuple[str, str]]:
    """The README's Settings table as {variable: (default, meaning)}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert [c.strip() for c in rows[0].strip("|").split("|")] == ["variable", "default", "meaning"]
    table = {}
    for line in rows[2:]:  # past the header and its |---| line
        variable, default, meaning = (c.strip() for c in line.strip("|").split("|"))
        assert re.fullmatch(r"`[A-Z_]+`", variable), variable
        table[variable.strip("`")] = (default, meaning)
    return table


def test_every_setting_is_in_the_readme_table_and_every_row_is_a_setting():
    assert sorted(readme_settings()) == sorted(Settings.variables())


def test_every_field_is_set_by_one_variable_and_described():
    assert len(set(Settings.variables())) == len(Settings.model_fields)
    for name, info in Settings.model_fields.items():
        assert info.description, f"{name} needs a description"


def _as_written(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, Path):
        return str(value.relative_to(ROOT))
    return str(value)


def test_the_readme_states_each_default():
    table = readme_settings()
    for variable, name in Settings.variables().items():
        default = Settings.model_fields[name].default
        if default is not None:
            assert f"`{_as_written(default)}`" in table[variable][0], variable


def test_defaults():
    assert Settings.from_environ({}).model_dump() == {
        "db": DEFAULT_DB, "demo": True, "cookie_key": None, "session_hours": 12, "backup_key": None, "backup_dir": None,
        "backup_at": dt.time(2, 30), "backup_keep": 14, "check_timeout": 30, "check_memory_mb": 1024, "check_workers": 2,
        "plan_upload_mb": 10, "browser_path": None, "smtp_host": None, "smtp_port": 587, "smtp_from": None, "smtp_user": None,
        "smtp_password": None, "smtp_tls": "starttls", "smtp_timeout": 10, "remind_before_days": 5,
        "remind_after_every": 7, "remind_at": dt.time(9, 0), "briefing_header": {},
        "process_role": "single", "snapshot_dir": None, "publish_seconds": 5.0, "writer_url": "/w"}


@pytest.mark.parametrize(("variable", "text", "field", "value"), [
    ("TRACKER_DB", "/var/lib/tracker/tracker.duckdb", "db", Path("/var/lib/tracker/tracker.duckdb")),
    ("TRACKER_DB", "relative.duckdb", "db", Path("relative.duckdb")),  # relative to the working directory, as before
    ("TRACKER_DB", "", "db", DEFAULT_DB),  # empty is unset
    ("TRACKER_DEMO", "0", "demo", False),
    ("TRACKER_DEMO", "1", "demo", True),
    ("TRACKER_DEMO", "", "demo", True),
    ("TRACKER_BACKUP_DIR", "/var/backups/tracker", "backup_dir", Path("/var/backups/tracker")),
    ("TRACKER_BACKUP_DIR", "", "backup_dir", None),
    ("TRACKER_BACKUP_AT", "23:05", "backup_at", dt.time(23, 5)),
    ("TRACKER_BACKUP_AT", "02:30:15", "backup_at", dt.time(2, 30, 15)),
    ("TRACKER_BACKUP_KEEP", "1", "backup_keep", 1),
    ("TRACKER_BACKUP_KEEP", "30", "backup_keep", 30),
    ("BROWSER_PATH", "/usr/bin/chromium", "browser_path", "/usr/bin/chromium"),
    ("TRACKER_SESSION_HOURS", "1", "session_hours", 1),
    ("TRACKER_SESSION_HOURS", "720", "session_hours", 720),
    ("TRACKER_CHECK_TIMEOUT", "5", "check_timeout", 5),
    ("TRACKER_CHECK_MEMORY_MB", "512", "check_memory_mb", 512),
    ("TRACKER_CHECK_MEMORY_MB", "4096", "check_memory_mb", 4096),
    ("TRACKER_CHECK_WORKERS", "1", "check_workers", 1),
    ("TRACKER_SMTP_HOST", "smtp.bureau.gov.cn", "smtp_host", "smtp.bureau.gov.cn"),
    ("TRACKER_SMTP_PORT", "465", "smtp_port", 465),
    ("TRACKER_SMTP_PORT", "25", "smtp_port", 25),
    ("TRACKER_SMTP_FROM", "tracker@bureau.gov.cn", "smtp_from", "tracker@bureau.gov.cn"),
    ("TRACKER_SMTP_FROM", "填报系统 <tracker@bureau.gov.cn>", "smtp_from", "填报系统 <tracker@bureau.gov.cn>"),
    ("TRACKER_SMTP_USER", "tracker", "smtp_user", "tracker"),
    ("TRACKER_SMTP_TLS", "ssl", "smtp_tls", "ssl"),
    ("TRACKER_SMTP_TLS", "none", "smtp_tls", "none"),
    ("TRACKER_SMTP_TIMEOUT", "30", "smtp_timeout", 30),
    ("TRACKER_REMIND_BEFORE_DAYS", "0", "remind_before_days", 0),
    ("TRACKER_REMIND_BEFORE_DAYS", "120", "remind_before_days", 120),
    ("TRACKER_REMIND_AFTER_EVERY", "1", "remind_after_every", 1),
    ("TRACKER_REMIND_AT", "08:15", "remind_at", dt.time(8, 15)),
    ("TRACKER_BRIEFING_HEADER", '{"qingdao-2012": {"issue": "青软办〔{year}〕{quarter}号", "office": "软件办"}}',
     "briefing_header", {"qingdao-2012": config.BriefingHeader(issue="青软办〔{year}〕{quarter}号", office="软件办")}),
    ("TRACKER_BRIEFING_HEADER", '{"*": {"distribution": ["报：市委办公厅", "送：各区市"]}}', "briefing_header",
     {"*": config.BriefingHeader(distribution=("报：市委办公厅", "送：各区市"))}),
])
def test_good_values(variable, text, field, value):
    # a mail server needs its sender (tested below): given beside every value
    sender = {} if variable == "TRACKER_SMTP_FROM" else {"TRACKER_SMTP_FROM": "t@bureau.gov.cn"}
    assert getattr(Settings.from_environ({**sender, variable: text}), field) == value


def test_the_mail_password_is_a_secret():
    parsed = Settings.from_environ({"TRACKER_SMTP_PASSWORD": "mail-pass-123"})
    assert parsed.smtp_password.get_secret_value() == "mail-pass-123"
    assert "mail-pass-123" not in repr(parsed) and "mail-pass-123" not in str(parsed.model_dump())


def test_a_mail_server_needs_a_sender():
    with pytest.raises(ConfigError) as refused:
        Settings.from_environ({"TRACKER_SMTP_HOST": "smtp.bureau.gov.cn"})
    assert str(refused.value) == "TRACKER_SMTP_FROM must be set when TRACKER_SMTP_HOST is (the sender of every message)"


def test_the_cookie_key_is_a_secret():
    parsed = Settings.from_environ({"TRACKER_COOKIE_KEY": KEY})
    assert parsed.cookie_key.get_secret_value() == KEY
    assert KEY not in repr(parsed) and KEY not in str(parsed.model_dump())


@pytest.mark.parametrize(("variable", "text", "says"), [
    ("TRACKER_BACKUP_AT", "midnight", "TRACKER_BACKUP_AT must be a time such as 02:30, not 'midnight'"),
    ("TRACKER_BACKUP_AT", "25:00", "TRACKER_BACKUP_AT must be a time such as 02:30"),
    ("TRACKER_BACKUP_AT", "3600", "TRACKER_BACKUP_AT must be a time"),  # not seconds, as pydantic would take it
    ("TRACKER_BACKUP_KEEP", "0", "TRACKER_BACKUP_KEEP must be a whole number of at least 1, not '0'"),
    ("TRACKER_BACKUP_KEEP", "x", "TRACKER_BACKUP_KEEP must be a whole number"),
    ("TRACKER_BACKUP_KEEP", "-3", "TRACKER_BACKUP_KEEP must be a whole number"),
    ("TRACKER_BACKUP_KEEP", "3.0", "TRACKER_BACKUP_KEEP must be a whole number"),
    ("TRACKER_CHECK_TIMEOUT", "0", "TRACKER_CHECK_TIMEOUT must be a whole number of at least 1, not '0'"),
    ("TRACKER_CHECK_TIMEOUT", "2.5", "TRACKER_CHECK_TIMEOUT must be a whole number"),
    ("TRACKER_CHECK_MEMORY_MB", "256", "TRACKER_CHECK_MEMORY_MB must be a whole number of at least 512, not '256'"),
    ("TRACKER_CHECK_WORKERS", "0", "TRACKER_CHECK_WORKERS must be a whole number of at least 1"),
    ("TRACKER_DEMO", "true", "TRACKER_DEMO must be 1 or 0, not 'true'"),  # it used to mean "off": refused, not guessed
    ("TRACKER_DEMO", "yes", "TRACKER_DEMO must be 1 or 0"),
    ("TRACKER_SESSION_HOURS", "0", "TRACKER_SESSION_HOURS must be a whole number of hours from 1 to 720, not '0'"),
    ("TRACKER_SESSION_HOURS", "721", "TRACKER_SESSION_HOURS must be a whole number of hours from 1 to 720"),
    ("TRACKER_SESSION_HOURS", "1.5", "TRACKER_SESSION_HOURS must be a whole number of hours"),
    ("TRACKER_SESSION_HOURS", "-1", "TRACKER_SESSION_HOURS must be a whole number of hours"),
    ("TRACKER_SMTP_PORT", "0", "TRACKER_SMTP_PORT must be a port number from 1 to 65535, not '0'"),
    ("TRACKER_SMTP_PORT", "65536", "TRACKER_SMTP_PORT must be a port number"),
    ("TRACKER_SMTP_PORT", "smtp", "TRACKER_SMTP_PORT must be a port number"),
    ("TRACKER_SMTP_TLS", "tls", "TRACKER_SMTP_TLS must be starttls, ssl or none, not 'tls'"),
    ("TRACKER_SMTP_TLS", "STARTTLS", "TRACKER_SMTP_TLS must be starttls, ssl or none"),
    ("TRACKER_SMTP_FROM", "tracker", "TRACKER_SMTP_FROM must be an address such as tracker@bureau.gov.cn"),
    ("TRACKER_SMTP_FROM", "填报系统 <@bureau.gov.cn>", "TRACKER_SMTP_FROM must be an address"),
    ("TRACKER_SMTP_TIMEOUT", "0", "TRACKER_SMTP_TIMEOUT must be a whole number of at least 1, not '0'"),
    ("TRACKER_REMIND_BEFORE_DAYS", "-1", "TRACKER_REMIND_BEFORE_DAYS must be a whole number of days from 0 to 120"),
    ("TRACKER_REMIND_BEFORE_DAYS", "121", "TRACKER_REMIND_BEFORE_DAYS must be a whole number of days from 0 to 120"),
    ("TRACKER_REMIND_AFTER_EVERY", "0", "TRACKER_REMIND_AFTER_EVERY must be a whole number of days from 1 to 120, not '0'"),
    ("TRACKER_REMIND_AT", "9am", "TRACKER_REMIND_AT must be a time such as 02:30, not '9am'"),
    ("TRACKER_COOKIE_KEY", "short-key",
     "TRACKER_COOKIE_KEY (or cookie_key in .streamlit/secrets.toml) must have at least 32 bytes"),
    ("TRACKER_BRIEFING_HEADER", "office=软件办", "TRACKER_BRIEFING_HEADER must be a JSON object, not valid JSON"),
    ("TRACKER_BRIEFING_HEADER", '["软件办"]', "TRACKER_BRIEFING_HEADER must be a JSON object by plan id"),
    ("TRACKER_BRIEFING_HEADER", '{"*": {"offices": "软件办"}}', "TRACKER_BRIEFING_HEADER.*.offices: Extra inputs"),
])
def test_bad_values_are_refused_naming_the_variable(variable, text, says):
    with pytest.raises(ConfigError) as refused:
        Settings.from_environ({"TRACKER_BACKUP_DIR": "/b", variable: text})
    assert says in str(refused.value)
    if variable == "TRACKER_COOKIE_KEY":
        assert text not in str(refused.value)  # a secret is never echoed, not even a wrong one


def test_a_briefing_header_per_plan_else_for_every_plan():
    given = Settings.from_environ({"TRACKER_BRIEFING_HEADER": '{"qingdao-2012": {"issue": "青软办〔{year}〕{quarter}号"}, '
                                                              '"*": {"issue": "第{quarter}期"}}'})
    assert given.header_of("qingdao-2012").issue_for(2015, 3) == "青软办〔2015〕3号"
    assert given.header_of("jiaxing-2021").issue_for(2023, 4) == "第4期"
    assert Settings.from_environ({}).header_of("qingdao-2012") is None
    # the template is filled by replacement, never str.format: an operator's {year.__class__} stays text
    assert config.BriefingHeader(issue="{year.__class__}{quarter}").issue_for(2015, 3) == "{year.__class__}3"


def test_every_bad_value_is_named_at_once():
    with pytest.raises(ConfigError) as refused:
        Settings.from_environ({"TRACKER_BACKUP_AT": "noon", "TRACKER_BACKUP_KEEP": "none"})
    assert "TRACKER_BACKUP_AT" in str(refused.value) and "TRACKER_BACKUP_KEEP" in str(refused.value)


# ------------------------------------------------------------------- the environment, read now


def test_settings_see_a_changed_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_BACKUP_KEEP", "3")
    assert settings().backup_keep == 3
    monkeypatch.setenv("TRACKER_BACKUP_KEEP", "4")
    assert settings().backup_keep == 4
    monkeypatch.delenv("TRACKER_BACKUP_KEEP")
    assert settings().backup_keep == 14


def test_variable_names_are_case_sensitive(monkeypatch):
    monkeypatch.delenv("TRACKER_BACKUP_KEEP", raising=False)
    monkeypatch.setenv("tracker_backup_keep", "3")
    assert settings().backup_keep == 14


def test_cookie_key_from_the_secrets_files_below_the_environment(tmp_path, monkeypatch):
    first, second = tmp_path / "home.toml", tmp_path / "project.toml"
    first.write_text('cookie_key = "%s"\n' % ("a" * 40), encoding="utf-8")
    second.write_text('cookie_key = "%s"\n[auth]\nclient_id = "x"\n' % ("b" * 40), encoding="utf-8")
    monkeypatch.setattr(config, "secrets_files", lambda: [first, tmp_path / "absent.toml", second])
    monkeypatch.delenv("TRACKER_COOKIE_KEY", raising=False)
    assert settings().cookie_key.get_secret_value() == "b" * 40  # the later file wins, as in Streamlit
    monkeypatch.setenv("TRACKER_COOKIE_KEY", KEY)
    assert settings().cookie_key.get_secret_value() == KEY
    second.write_text("cookie_key = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="project.toml cannot be read as TOML"):
        settings()


def test_without_a_configured_key_one_is_generated_once_readable_by_the_owner_only(tmp_path):
    key_file = tmp_path / "secrets" / "cookie_key"
    none = Settings.from_environ({})
    key = none.signing_key(key_file)
    assert len(key.encode()) >= config.MIN_KEY_BYTES
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert none.signing_key(key_file) == key
    assert Settings.from_environ({"TRACKER_COOKIE_KEY": KEY}).signing_key(key_file) == KEY
    key_file.write_text("too-short", encoding="ascii")
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        none.signing_key(key_file)


# ----------------------------------------------------------- a mistyped value stops the product


def test_the_store_and_the_schedule_name_a_mistyped_value(monkeypatch):
    monkeypatch.setenv("TRACKER_BACKUP_DIR", "/b")
    monkeypatch.setenv("TRACKER_BACKUP_AT", "midnight")
    with pytest.raises(StoreError, match="TRACKER_BACKUP_AT must be a time"):
        resolve_path()
    with pytest.raises(StoreError, match="TRACKER_BACKUP_AT must be a time"):
        schedule_from_env()
    assert resolve_path("given.duckdb") == Path("given.duckdb")  # --db needs no settings


def test_the_command_line_names_a_mistyped_value(tmp_path):
    env = {**os.environ, "TRACKER_DB": str(tmp_path / "unused.duckdb"), "TRACKER_BACKUP_KEEP": "many",
           "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "manage.py", "progress", "--plan", "qingdao-2012", "--as-of", "2015Q4"],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: TRACKER_BACKUP_KEEP must be a whole number of at least 1, not 'many'")
    assert not (tmp_path / "unused.duckdb").exists()


def test_the_app_shows_its_plain_page_for_a_mistyped_value(empty_db, app_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    app_store(empty_db)
    monkeypatch.setenv("TRACKER_BACKUP_DIR", "/b")
    monkeypatch.setenv("TRACKER_BACKUP_AT", "half past two")
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "数据存储暂时无法打开" in at.error[0].value
    assert not at.text_input  # no sign-in form


# ------------------------------------------------------------------- nobody else reads settings

# What may still touch the environment or Streamlit's secrets, and why.
ALLOWED = {
    ("reports/images.py", "os.environ"),  # tells kaleido which browser to start, as kaleido expects
    ("ui/sso.py", "st.secrets"),  # st.login's own [auth] section, checked as Streamlit reads it
}


def test_no_product_module_reads_the_environment_itself():
    found = set()
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/")) or relative == "domain/config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                    (node.value.id, node.attr) in {("os", "environ"), ("os", "getenv"), ("st", "secrets")}):
                found.add((relative, f"{node.value.id}.{node.attr}"))
            if isinstance(node, ast.ImportFrom) and node.module == "os" and {"environ", "getenv"} & {
                    alias.name for alias in node.names}:  # `from os import environ` reads it all the same
                found.add((relative, "from os import environ/getenv"))
    assert found == ALLOWED
