"""Typed readers for IPTRIAD_* environment variables that refuse bad values loudly."""

from __future__ import annotations

import dataclasses
import email.utils
import os
import urllib.parse
import zoneinfo


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message names the variable and what is wrong."""


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ConfigurationError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    value = env_str(name, default)
    if value not in zoneinfo.available_timezones():
        raise ConfigurationError(f"{name} must be an IANA time zone such as Europe/London, not {value!r}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


# --- Notifications: the e-mail and SMS transports and the task queue ----------------------------------

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclasses.dataclass(frozen=True)
class EmailUrl:
    """Where e-mail goes, from IPTRIAD_EMAIL_URL: Django's e-mail settings say the same thing field by field."""

    backend: str  # "console" or "smtp"
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False  # STARTTLS after connecting
    use_ssl: bool = False  # implicit TLS from the first byte (smtps)
    timeout: int = 30


def parse_email_url(name: str, raw: str) -> EmailUrl:
    """`console://`, `smtp://user:pass@host:port` (`?starttls=1`), `smtp+starttls://...` or `smtps://...`."""
    parts = urllib.parse.urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailUrl(backend="console")
    if scheme not in {"smtp", "smtps", "smtp+starttls"}:
        raise ConfigurationError(f"{name} must start with smtp://, smtps://, smtp+starttls:// or console://")
    query = urllib.parse.parse_qs(parts.query)
    starttls = scheme == "smtp+starttls" or query.get("starttls", ["0"])[-1].lower() in {"1", "true", "yes", "on"}
    use_ssl = scheme == "smtps"
    if starttls and use_ssl:
        raise ConfigurationError(f"{name}: smtps:// is TLS already; leave out starttls")
    try:
        port = parts.port or (465 if use_ssl else 587 if starttls else 25)
        timeout = int(query.get("timeout", ["30"])[-1])
    except ValueError:
        raise ConfigurationError(f"{name} has a port or timeout that is not a number") from None
    if not parts.hostname:
        raise ConfigurationError(f"{name} must name the SMTP server's host, as smtp://host:port")
    if timeout <= 0:
        raise ConfigurationError(f"{name}: the timeout must be a positive number of seconds")
    return EmailUrl(
        backend="smtp",
        host=parts.hostname,
        port=port,
        user=urllib.parse.unquote(parts.username or ""),
        password=urllib.parse.unquote(parts.password or ""),
        use_tls=starttls,
        use_ssl=use_ssl,
        timeout=timeout,
    )


def env_email_url(name: str, default: str) -> EmailUrl:
    return parse_email_url(name, env_str(name, default))


def env_email_address(name: str, default: str) -> str:
    """A sender such as `iptriad@example.org` or `Clinic <iptriad@example.org>`."""
    value = env_str(name, default)
    _display, address = email.utils.parseaddr(value)
    local, _, domain = address.rpartition("@")
    if not local or not domain or " " in address or "\n" in value or "\r" in value:
        raise ConfigurationError(f"{name} must be an e-mail address such as iptriad@example.org, not {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class SmsUrl:
    """Where SMS goes, from IPTRIAD_SMS_URL; backend "none" when it is not set (SMS messages then fail)."""

    backend: str  # "none", "file" or "twilio"
    path: str = ""  # file: a directory (one file per message) or a file (one line per message)
    account_sid: str = ""
    auth_token: str = ""
    base_url: str = ""  # twilio: https://api.twilio.com, or http:// for a loopback stand-in in tests
    sender: str = ""  # twilio: the From number or messaging service
    timeout: int = 15


def parse_sms_url(name: str, raw: str) -> SmsUrl:
    """`file:///path` or `twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=%2B44...`; empty: no SMS."""
    if raw == "":
        return SmsUrl(backend="none")
    parts = urllib.parse.urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if not parts.path.startswith("/"):
            raise ConfigurationError(f"{name}: a file:// URL needs an absolute path, as file:///var/lib/iptriad/sms")
        return SmsUrl(backend="file", path=urllib.parse.unquote(parts.path))
    if scheme != "twilio":
        raise ConfigurationError(f"{name} must start with twilio:// or file://")
    query = urllib.parse.parse_qs(parts.query)
    sender = query.get("from", [""])[-1]
    if not parts.username or not parts.password or not parts.hostname:
        raise ConfigurationError(f"{name} must be twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=NUMBER")
    if not sender:
        raise ConfigurationError(f"{name} must say the sending number, as ?from=%2B441234567890")
    try:
        timeout = int(query.get("timeout", ["15"])[-1])
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"{name} has a port or timeout that is not a number") from None
    # Plain HTTP only to this machine (a stand-in server in tests); anything else is HTTPS.
    http_scheme = "http" if parts.hostname in _LOOPBACK_HOSTS else "https"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return SmsUrl(
        backend="twilio",
        account_sid=urllib.parse.unquote(parts.username),
        auth_token=urllib.parse.unquote(parts.password),
        base_url=f"{http_scheme}://{host}" + (f":{port}" if port else ""),
        sender=sender,
        timeout=timeout,
    )


def env_sms_url(name: str) -> SmsUrl:
    return parse_sms_url(name, os.environ.get(name, "").strip())


def env_task_broker_url(name: str) -> str:
    """Empty (the embedded SQLite storage in the data directory) or a redis:// URL."""
    raw = os.environ.get(name, "").strip()
    if raw and urllib.parse.urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(f"{name} must be a redis:// URL (or unset for the embedded storage), not {raw!r}")
    return raw


def env_cache_url(name: str) -> str:
    """Empty (each process's own memory) or a redis:// URL (one cache every app server shares)."""
    raw = os.environ.get(name, "").strip()
    if raw and urllib.parse.urlsplit(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ConfigurationError(f"{name} must be a redis:// URL (or unset for each process's memory), not {raw!r}")
    return raw
