"""Single sign-on's rules: what a usable `[auth]` section is, what a usable provider answers, and
which identity a provider's claims name.

Streamlit's own OIDC sign-in (`st.login`, with Authlib) reads the `[auth]` section of the secrets
files itself and fails page by page when it is wrong. So the section is checked here first, as a
whole, and every problem is a `Message` (both languages) for the log, the administrator's page and
`manage.py sso-check`; while any remains, single sign-on is off and the password form alone signs
people in. The live check (`probe`) asks the provider for its OpenID metadata with a short timeout,
so a provider that is down is a plain sentence on the sign-in page, not an error at the redirect.
The app (ui/sso.py) and the command line (app/cli.py) use these same functions.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from domain.messages import Message

SHARED_KEYS = ("redirect_uri", "cookie_secret")  # [auth] itself, whatever the provider
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")  # [auth] or [auth.NAME]
DEFAULT_PROVIDER = "default"  # Streamlit's name for a provider written straight into [auth]
CALLBACK_PATH = "/oauth2callback"  # the route Streamlit answers the provider's redirect on
# The cookie_secret signs Streamlit's identity cookie (30 days, HttpOnly): the same floor as the
# password form's cookie key (domain/config.py MIN_KEY_BYTES), well above joserfc's 14-byte warning.
MIN_SECRET_BYTES = 32
REQUIRED_SCOPES = ("openid", "email")  # the mapping needs the e-mail claim
METADATA_KEYS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
PROBE_TIMEOUT_S = 3.0
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit


@dataclass(frozen=True)
class Provider:
    """The one provider a usable section names: `name` is what st.login is given."""

    name: str
    metadata_url: str
    client_id: str

    @property
    def login_argument(self) -> str | None:
        return None if self.name == DEFAULT_PROVIDER else self.name


@dataclass(frozen=True)
class SsoCheck:
    """The `[auth]` section checked: absent (SSO off, nothing wrong), usable (`provider`), or wrong
    (`problems`, SSO off until they are fixed)."""

    present: bool
    provider: Provider | None = None
    problems: tuple[Message, ...] = ()


def normalise_email(email: str) -> str:
    """E-mail addresses are matched case-insensitively: stored and compared in lower case."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL_LENGTH and _EMAIL.fullmatch(email) is not None


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url(value: str) -> tuple[str, str | None, str]:
    try:
        parts = urlsplit(value.replace("{port}", "8501"))  # Streamlit fills {port} in at run time
        return parts.scheme, parts.hostname, parts.path
    except ValueError:
        return "", None, ""


def _texts(table: Mapping[str, Any], keys: tuple[str, ...], where: str) -> tuple[dict[str, str], list[Message]]:
    """The keys that hold non-empty text, and a problem for each that does not."""
    found, problems = {}, []
    for key in keys:
        value = table.get(key)
        if value is None or value == "":
            problems.append(Message.of("sso.problem.missing", where=where, key=key))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Message.of("sso.problem.not_text", where=where, key=key))
        else:
            found[key] = value
    return found, problems


def _shared(section: Mapping[str, Any]) -> list[Message]:
    found, problems = _texts(section, SHARED_KEYS, "[auth]")
    if "redirect_uri" in found:
        scheme, host, path = _url(found["redirect_uri"])
        if scheme not in ("http", "https") or not host or not path.endswith(CALLBACK_PATH):
            problems.append(Message.of("sso.problem.redirect_uri", value=found["redirect_uri"], path=CALLBACK_PATH))
    if "cookie_secret" in found and len(found["cookie_secret"].encode()) < MIN_SECRET_BYTES:
        problems.append(Message.of("sso.problem.cookie_secret_short", n=len(found["cookie_secret"].encode()),
                                   min=MIN_SECRET_BYTES))
    tokens = section.get("expose_tokens")
    if tokens is not None:
        listed = [tokens] if isinstance(tokens, str) else tokens if isinstance(tokens, list) else [None]
        if any(t not in ("id", "access") for t in listed):
            problems.append(Message.of("sso.problem.expose_tokens"))
    return problems


def _provider(section: Mapping[str, Any]) -> tuple[str, Mapping[str, Any], list[Message]]:
    """The provider's name and table, or the problems that leave none."""
    named = sorted(k for k, v in section.items() if isinstance(v, Mapping) and k != "client_kwargs")
    flat = [k for k in PROVIDER_KEYS if k in section]
    if flat and named:
        return "", {}, [Message.of("sso.problem.both", names=", ".join(f"[auth.{n}]" for n in named))]
    if len(named) > 1:
        return "", {}, [Message.of("sso.problem.many", names=", ".join(f"[auth.{n}]" for n in named))]
    if named:
        name = named[0]
        if "_" in name:  # Streamlit refuses it: its state keys split on underscores
            return name, {}, [Message.of("sso.problem.provider_name", name=name)]
        return name, section[name], []
    if flat:
        return DEFAULT_PROVIDER, section, []
    return "", {}, [Message.of("sso.problem.no_provider")]


def section_from_files(paths: Iterable[Path]) -> tuple[Any, list[Message]]:
    """The `[auth]` section as Streamlit reads its secrets files (for the command line, which runs
    without Streamlit): in order, a later file's top-level entries replacing an earlier file's,
    so the last file that has an `[auth]` gives all of it. Also a problem per unreadable file."""
    section, problems = None, []
    for path in paths:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            problems.append(Message.of("sso.problem.unreadable", path=str(path), error=str(e)))
            continue
        if "auth" in data:
            section = data["auth"]
    return section, problems


def check_section(section: Any) -> SsoCheck:
    """Check the `[auth]` section as a whole (None: there is none, so SSO is simply off)."""
    if section is None:
        return SsoCheck(present=False)
    if not isinstance(section, Mapping):
        return SsoCheck(present=True, problems=(Message.of("sso.problem.not_table"),))
    if not section:
        return SsoCheck(present=True, problems=(Message.of("sso.problem.empty"),))
    problems = _shared(section)
    name, table, found = _provider(section)
    problems += found
    if found:
        return SsoCheck(present=True, problems=tuple(problems))
    where = "[auth]" if name == DEFAULT_PROVIDER else f"[auth.{name}]"
    values, missing = _texts(table, PROVIDER_KEYS, where)
    problems += missing
    if "server_metadata_url" in values:
        scheme, host, _ = _url(values["server_metadata_url"])
        # Authlib fetches the keys that verify every ID token from here: plain HTTP only on this machine.
        if not host or not (scheme == "https" or (scheme == "http" and _loopback(host))):
            problems.append(Message.of("sso.problem.metadata_url", value=values["server_metadata_url"]))
    kwargs = table.get("client_kwargs")
    if kwargs is not None:
        if not isinstance(kwargs, Mapping):
            problems.append(Message.of("sso.problem.client_kwargs", where=where))
        elif "scope" in kwargs and not set(REQUIRED_SCOPES) <= set(str(kwargs["scope"]).split()):
            problems.append(Message.of("sso.problem.scope", where=where, scope=str(kwargs["scope"]),
                                       needed=" ".join(REQUIRED_SCOPES)))
    if problems:
        return SsoCheck(present=True, problems=tuple(problems))
    return SsoCheck(present=True, provider=Provider(name, values["server_metadata_url"], values["client_id"]))


def metadata_problems(url: str, document: Any) -> list[Message]:
    """What is wrong with a provider's OpenID metadata (empty: Authlib can use it)."""
    if not isinstance(document, Mapping):
        return [Message.of("sso.problem.metadata", url=url, missing=", ".join(METADATA_KEYS))]
    missing = [k for k in METADATA_KEYS if not isinstance(document.get(k), str) or not document[k]]
    return [Message.of("sso.problem.metadata", url=url, missing=", ".join(missing))] if missing else []


def probe(url: str, timeout_s: float = PROBE_TIMEOUT_S) -> list[Message]:
    """Ask the provider for its metadata now: empty when it answers usably, else why not (never
    raises for a network or format failure)."""
    import httpx  # Authlib's own HTTP client (st.login needs it); imported here only, when SSO is on

    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=True)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as e:  # ValueError: an answer that is not JSON
        return [Message.of("sso.problem.unreachable", url=url, error=f"{type(e).__name__}: {e}"[:300])]
    return metadata_problems(url, document)


def email_of(claims: Mapping[str, Any]) -> tuple[str | None, Message | None]:
    """The verified e-mail a provider's claims name, or why there is none usable. A provider that
    sends `email_verified` must send true (some send the string "true"); one that does not send it
    is trusted to hand out only addresses it controls (the README says to choose such a provider)."""
    email = claims.get("email")
    if not isinstance(email, str) or not valid_email(normalise_email(email)):
        return None, Message.of("sso.refused.no_email")
    email = normalise_email(email)
    if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
        return email, Message.of("sso.refused.unverified", email=email)
    return email, None
