"""The one settings object: every environment variable and secret the product reads, typed and checked.

`settings()` looks at the environment (and the `cookie_key` of Streamlit's secrets files) on every
call, so a changed environment — a test's monkeypatch, a restarted service — is seen at once; the
object is built again only when they differ from the last call's (building it costs ~2 ms, and a
page run asks several times). A mistyped value raises ConfigError naming the variable; the store
turns that into a StoreError, so the app shows its "cannot open" page and `manage.py` one `error:`
line. README.md's "Settings" table documents every field (tests/test_config.py holds them equal).
Nothing else in the product reads os.environ or st.secrets for its own settings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import threading
import tomllib
from collections.abc import Mapping
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "tracker.duckdb"
KEY_FILE = ROOT / "data" / "secrets" / "cookie_key"  # the generated fallback; git-ignored
BACKUP_KEY_FILE = ROOT / "data" / "secrets" / "backup_key"  # the same for backup manifests; never in a backup
MIN_KEY_BYTES = 32
MAX_SESSION_HOURS = 24 * 30  # a month: a longer-lived sign-in is a stolen cookie waiting to happen
MIN_CHECK_MEMORY_MB = 512  # below this the worker cannot even import pandas and openpyxl
SMTP_TLS = ("starttls", "ssl", "none")  # how the connection to the mail server is protected
MAX_REMIND_DAYS = 120  # as far as a reporting deadline may lie after its quarter (domain/reporting.py)


class ConfigError(ValueError):
    """A setting has a value the product cannot use; the message names the variable."""


def secrets_files() -> list[Path]:
    """Streamlit's default secrets.toml files, in its order (a later file wins): the user's, the
    working directory's, the checkout's. Streamlit's `secrets.files` option is not consulted: domain
    imports no streamlit."""
    files = []
    try:
        files.append(Path.home() / ".streamlit" / "secrets.toml")
    except RuntimeError:  # no home directory (a bare service account): only the project files
        pass
    for folder in (Path.cwd(), ROOT):
        path = folder / ".streamlit" / "secrets.toml"
        if path not in files:
            files.append(path)
    return files


class _StreamlitSecrets(PydanticBaseSettingsSource):
    """`cookie_key` from the secrets files, below the environment in precedence. Other entries
    (the `[auth]` section for st.login) are Streamlit's own and are left to it."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ returns every value at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for path in secrets_files():
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
                raise ConfigError(f"{path} cannot be read as TOML: {e}") from e
            if data.get("cookie_key"):
                values["TRACKER_COOKIE_KEY"] = data["cookie_key"]
        return values


class BriefingHeader(BaseModel):
    """How an office issues a plan's quarterly briefing: its issue number (文号), the compiling
    office and the distribution list (报：… / 送：…), printed in the Word and PDF header and foot.
    `issue` may hold {year} and {quarter}, filled with the briefing's quarter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issue: str = ""  # 青软办〔{year}〕{quarter}号, or 第{quarter}期
    office: str = ""  # 青岛市软件产业发展领导小组办公室
    distribution: tuple[str, ...] = ()  # one line each: 报：市委办公厅、市政府办公厅

    def issue_for(self, year: int, quarter: int) -> str:
        # Replaced, not str.format: the template is typed by an operator and must not reach attributes.
        return self.issue.replace("{year}", str(year)).replace("{quarter}", str(quarter))


class Settings(BaseSettings):
    """Every setting, by its environment variable (the alias); an empty variable counts as unset."""

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    db: Path = Field(DEFAULT_DB, validation_alias="TRACKER_DB",
                     description="the store file (`manage.py --db` overrides it)")
    demo: bool = Field(True, validation_alias="TRACKER_DEMO",
                       description="`1` fills an *empty* store with the demo set and demo users at the app's first "
                                   "start; `0` in production")
    cookie_key: SecretStr | None = Field(
        None, validation_alias="TRACKER_COOKIE_KEY",
        description=f"keys the digests of sign-in tokens kept in the store, at least {MIN_KEY_BYTES} bytes; else `cookie_key` in "
                    "`.streamlit/secrets.toml`, else a key generated on first start into `data/secrets/cookie_key` "
                    "(mode 600). Changing it signs everyone out")
    session_hours: int = Field(12, validation_alias="TRACKER_SESSION_HOURS",
                               description="how long a sign-in lasts, in hours from the password sign-in (fixed: use "
                                           f"does not extend it), 1 to {MAX_SESSION_HOURS}")
    backup_key: SecretStr | None = Field(
        None, validation_alias="TRACKER_BACKUP_KEY",
        description=f"signs every backup's manifest (HMAC-SHA256), at least {MIN_KEY_BYTES} bytes; else a key "
                    "generated on the first backup into `data/secrets/backup_key` (mode 600). Kept outside the "
                    "backups: verify and restore need it, and refuse a backup it did not sign")
    backup_dir: Path | None = Field(None, validation_alias="TRACKER_BACKUP_DIR",
                                    description="set, the app makes a backup there every night")
    backup_at: dt.time = Field(dt.time(2, 30), validation_alias="TRACKER_BACKUP_AT",
                               description="the time of the nightly backup, `HH:MM`")
    backup_keep: int = Field(14, validation_alias="TRACKER_BACKUP_KEEP",
                             description="how many nightly backups are kept, at least 1")
    check_timeout: int = Field(30, validation_alias="TRACKER_CHECK_TIMEOUT",
                               description="seconds reading and checking one uploaded or imported file may take (in a "
                                           "worker process) before the worker is stopped and the user asked to split "
                                           "the file, at least 1")
    check_memory_mb: int = Field(1024, validation_alias="TRACKER_CHECK_MEMORY_MB",
                                 description="the address space (RLIMIT_AS) of each file-checking worker, in MB, at least "
                                             f"{MIN_CHECK_MEMORY_MB}; a file needing more is refused")
    plan_upload_mb: int = Field(10, validation_alias="TRACKER_PLAN_UPLOAD_MB",
                                description="the largest plan document (text, .docx or PDF) read for its targets, in MB, "
                                            "at least 1")
    check_workers: int = Field(2, validation_alias="TRACKER_CHECK_WORKERS",
                               description="files checked at once, each in its own worker; others wait, at least 1")
    # Past one process (issue 19): one writer holds the store, readers serve published snapshots of it.
    process_role: Literal["single", "writer", "reader"] = Field(
        "single", validation_alias="TRACKER_PROCESS_ROLE",
        description="`single`: one process holds the store and serves every page; `writer`: holds the store, "
                    "serves every page (under `/w`) and publishes read-only snapshots; `reader`: serves the reading "
                    "pages from the newest snapshot and links to the writer for the rest")
    snapshot_dir: Path | None = Field(None, validation_alias="TRACKER_SNAPSHOT_DIR",
                                      description="where the writer publishes snapshots and readers find them; "
                                                  "unset: a `snapshots` folder beside the store")
    # 5 s: a publish copies the whole store under the write lock (0.01 s at demo size, 0.2 s at
    # province size, seconds at national size on ext4: README), so during a reporting week's stream
    # of submissions it runs at most once per interval, not once per write, and a figure still
    # reaches the reading pages within seconds (the bound is this interval plus one publish).
    publish_seconds: float = Field(5.0, validation_alias="TRACKER_PUBLISH_SECONDS",
                                   description="the writer publishes a snapshot at most this often, seconds after "
                                               "a write, at least 0.5")
    writer_url: str = Field("/w", validation_alias="TRACKER_WRITER_URL",
                            description="where the browser reaches the writer, for readers' links (the "
                                        "writer's `--server.baseUrlPath`, behind the same host)")
    browser_path: str | None = Field(None, validation_alias="BROWSER_PATH",
                                     description="the chromium that draws the charts of Word and PDF briefings; "
                                                 "else `chromium` or `chromium-browser` on the PATH")
    # E-mail (issue 17): reminders (催报) and review notices. No host: the product sends nothing and says so.
    smtp_host: str | None = Field(None, validation_alias="TRACKER_SMTP_HOST",
                                  description="the mail server reminders and notices are sent through; unset, no "
                                              "e-mail is sent (the reporting and mail pages and `manage.py remind` say so)")
    smtp_port: int = Field(587, validation_alias="TRACKER_SMTP_PORT",
                           description="its port, 1 to 65535 (587 for STARTTLS, 465 for SSL)")
    smtp_from: str | None = Field(None, validation_alias="TRACKER_SMTP_FROM", validate_default=True,
                                  description="the sender, `addr@host` or `名称 <addr@host>`; required with "
                                              "TRACKER_SMTP_HOST")
    smtp_user: str | None = Field(None, validation_alias="TRACKER_SMTP_USER",
                                  description="the account to log in with; unset, no login")
    smtp_password: SecretStr | None = Field(None, validation_alias="TRACKER_SMTP_PASSWORD",
                                            description="its password; a secret, never shown or logged")
    smtp_tls: Literal["starttls", "ssl", "none"] = Field(
        "starttls", validation_alias="TRACKER_SMTP_TLS",
        description="`starttls`, `ssl` (TLS from the first byte) or `none` (a server on the same machine)")
    smtp_timeout: int = Field(10, validation_alias="TRACKER_SMTP_TIMEOUT",
                              description="seconds a connection to the mail server may take, at least 1")
    remind_before_days: int = Field(5, validation_alias="TRACKER_REMIND_BEFORE_DAYS",
                                    description="the scheduled reminder before the deadline goes this many days "
                                                f"before it, 0 to {MAX_REMIND_DAYS}")
    remind_after_every: int = Field(7, validation_alias="TRACKER_REMIND_AFTER_EVERY",
                                    description="after the deadline, a scheduled reminder the day after it and "
                                                f"every this many days, 1 to {MAX_REMIND_DAYS}")
    remind_at: dt.time = Field(dt.time(9, 0), validation_alias="TRACKER_REMIND_AT",
                               description="the time of day of the scheduled reminders, `HH:MM`")
    # The briefing as an office issues it (issue 18): per plan id, "*" for every other plan.
    briefing_header: dict[str, BriefingHeader] = Field(
        {}, validation_alias="TRACKER_BRIEFING_HEADER",
        description='a JSON object: per plan id (or "*" for every plan) the briefing\'s `issue` (文号, may hold '
                    "{year} and {quarter}), compiling `office` and `distribution` lines")

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _StreamlitSecrets(settings_cls)

    # Before-validators: the messages below are what an operator reads in the log; they name the
    # variable (ConfigError adds it) and echo the value, except the key's.

    @field_validator("demo", mode="before")
    @classmethod
    def _demo(cls, value: Any) -> Any:
        # Only 1 and 0: any other word meant "off" before this object existed, so rather than
        # guess what "true" or "yes" should mean now, they are refused.
        if isinstance(value, str):
            if value not in ("0", "1"):
                raise ValueError(f"must be 1 or 0, not {value!r}")
            return value == "1"
        return value

    @field_validator("cookie_key", "backup_key", mode="after")
    @classmethod
    def _key(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < MIN_KEY_BYTES:
            also = " (or cookie_key in .streamlit/secrets.toml)" if info.field_name == "cookie_key" else ""
            raise ValueError(f"{also.strip()} must have at least {MIN_KEY_BYTES} bytes".strip())
        return value

    @field_validator("backup_at", "remind_at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> Any:
        if isinstance(value, str):  # ISO only: pydantic would also take "3600" as seconds
            try:
                return dt.time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"must be a time such as 02:30, not {value!r}") from None
        return value

    @field_validator("backup_keep", "check_timeout", "check_workers", "plan_upload_mb", "smtp_timeout", mode="before")
    @classmethod
    def _keep(cls, value: Any) -> Any:
        return _whole(value, 1)

    @field_validator("publish_seconds")
    @classmethod
    def _publish(cls, value: float) -> float:
        if value < 0.5:
            raise ValueError("must be at least 0.5 seconds")
        return value

    @field_validator("check_memory_mb", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        return _whole(value, MIN_CHECK_MEMORY_MB)

    @field_validator("smtp_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        text = str(value)
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise ValueError(f"must be a port number from 1 to 65535, not {text!r}")
        return int(text)

    @field_validator("remind_before_days", "remind_after_every", mode="before")
    @classmethod
    def _days(cls, value: Any, info: ValidationInfo) -> Any:
        least = 0 if info.field_name == "remind_before_days" else 1
        text = str(value)
        if not text.isdigit() or not least <= int(text) <= MAX_REMIND_DAYS:
            raise ValueError(f"must be a whole number of days from {least} to {MAX_REMIND_DAYS}, not {text!r}")
        return int(text)

    @field_validator("smtp_tls", mode="before")
    @classmethod
    def _tls(cls, value: Any) -> Any:
        if value not in SMTP_TLS:
            raise ValueError(f"must be {', '.join(SMTP_TLS[:-1])} or {SMTP_TLS[-1]}, not {value!r}")
        return value

    @field_validator("smtp_from", mode="after")
    @classmethod
    def _sender(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A server without a sender would refuse every message, or worse, accept one from nobody.
        if value is None:
            if info.data.get("smtp_host"):
                raise ValueError("must be set when TRACKER_SMTP_HOST is (the sender of every message)")
            return None
        _, address = parseaddr(value)
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            raise ValueError(f"must be an address such as tracker@bureau.gov.cn or 名称 <tracker@bureau.gov.cn>, "
                             f"not {value!r}")
        return value

    @field_validator("briefing_header", mode="before")
    @classmethod
    def _header(cls, value: Any) -> Any:
        if isinstance(value, str):  # from_environ passes the variable's text; the environment decodes JSON itself
            try:
                value = json.loads(value)
            except json.JSONDecodeError as e:
                raise ValueError(f"must be a JSON object, not valid JSON: {e}") from None
        if not isinstance(value, dict):
            raise ValueError('must be a JSON object by plan id, e.g. {"*": {"office": "…"}}')
        return value

    def header_of(self, plan_id: str) -> BriefingHeader | None:
        """The briefing header of a plan: its own, else the one for every plan ("*"), else none."""
        return self.briefing_header.get(plan_id) or self.briefing_header.get("*")

    @field_validator("session_hours", mode="before")
    @classmethod
    def _hours(cls, value: Any) -> Any:
        text = str(value)
        if not text.isdigit() or not 1 <= int(text) <= MAX_SESSION_HOURS:
            raise ValueError(f"must be a whole number of hours from 1 to {MAX_SESSION_HOURS}, not {text!r}")
        return int(text)

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Each environment variable and the field it sets."""
        return {str(info.validation_alias): name for name, info in cls.model_fields.items()}

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """The settings `environ` alone gives (no process environment, no secrets files); empty
        values count as unset, as in the environment."""
        given = {var: environ[var] for var in cls.variables() if environ.get(var)}
        return _checked(lambda: _FromMapping(**given))

    def snapshot_folder(self) -> Path:
        """Where snapshots are published: TRACKER_SNAPSHOT_DIR, else `snapshots` beside the store."""
        return self.snapshot_dir if self.snapshot_dir is not None else self.db.parent / "snapshots"

    def signing_key(self, key_file: Path = KEY_FILE) -> str:
        """The key of the sign-in tokens' digests (store/sessions.py): the configured one, else the generated one in `key_file`,
        written on first use (readable by the owner only)."""
        if self.cookie_key is not None:
            return self.cookie_key.get_secret_value()
        return _file_key(key_file, "cookie", create=True)

    def backup_signing_key(self, key_file: Path = BACKUP_KEY_FILE, *, create: bool = False) -> bytes | None:
        """The key that signs backup manifests: the configured one, else the one in `key_file`,
        generated there (readable by the owner only) when `create` — by the first backup, never by
        a verify or a restore, which get None on a machine that has no key."""
        if self.backup_key is not None:
            return self.backup_key.get_secret_value().encode()
        key = _file_key(key_file, "backup", create=create)
        return None if key is None else key.encode()


def _whole(value: Any, least: int) -> int:
    text = str(value)
    if not text.isdigit() or int(text) < least:  # digits only: no "+3", " 3" or "3.0"
        raise ValueError(f"must be a whole number of at least {least}, not {text!r}")
    return int(text)


class _FromMapping(Settings):
    """Settings given as arguments only (Settings.from_environ)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   **others: PydanticBaseSettingsSource) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _checked(build: Any) -> Settings:
    try:
        return build()
    except ValidationError as e:
        message = "; ".join(_explain(error) for error in e.errors())
    # Raised outside the except block, so the ValidationError is not even its context: pydantic's
    # text quotes every input, and one of them may be the cookie key.
    raise ConfigError(message)


def _explain(error: Any) -> str:
    variable = ".".join(str(part) for part in error["loc"])
    # A default that fails (TRACKER_SMTP_FROM left unset beside a host) is located by its field name.
    variable = {name: str(info.validation_alias) for name, info in Settings.model_fields.items()}.get(variable, variable)
    message = error["msg"].removeprefix("Value error, ")
    return f"{variable} {message}" if error["type"] == "value_error" else f"{variable}: {message}"


def _file_key(key_file: Path, what: str, *, create: bool) -> str | None:
    """A generated key kept in `key_file`: written there on first use when `create` (random, readable
    by the owner only), else None while there is none; refused if someone shortened it."""
    if not key_file.exists():
        if not create:
            return None
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(48), encoding="ascii")
    key = key_file.read_text(encoding="ascii").strip()
    if len(key.encode()) < MIN_KEY_BYTES:
        raise ConfigError(f"the {what} key in {key_file} must have at least {MIN_KEY_BYTES} bytes")
    return key


# One thread per numeric library in a child process doing one core's work (file checks, exports):
# each thread's reserved memory would also count against a worker's address-space cap.
CHILD_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def child_environment(**extra: str) -> dict[str, str]:
    """The environment for a child process the app starts (store/worker.py, reports/apart.py): this
    process's, without its secrets — a child parsing a hostile file or rendering a document needs no
    key to sign cookies or backups —, one thread per numeric library, and `extra`."""
    return {**{k: v for k, v in os.environ.items() if not (k.startswith("TRACKER_") and k.endswith("_KEY"))},
            **CHILD_THREADS, **extra}


_LAST: list[tuple[object, Settings]] = []  # the last call's inputs and the (frozen) settings built from them
_LAST_LOCK = threading.Lock()


def settings() -> Settings:
    """The settings as the environment and the secrets files give them now."""
    seen = _inputs()
    with _LAST_LOCK:
        if _LAST and _LAST[0][0] == seen:
            return _LAST[0][1]
    built = _checked(Settings)  # a mistyped value raises every time: only a good result is kept
    with _LAST_LOCK:
        _LAST[:] = [(seen, built)]
    return built


def _inputs() -> object:
    """Everything `Settings` is built from: the environment and each secrets file's identity —
    inode, size and modification time in nanoseconds, which a rewrite changes. A stat, not a read:
    settings() is asked many times a run, and under load opening and reading the files was 5 % of
    the server's samples (bench/ANALYSIS.md, "Under load")."""
    files = []
    for path in secrets_files():
        try:
            st = os.stat(path)
            files.append((path, st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            files.append((path, None))
    return dict(os.environ), files
