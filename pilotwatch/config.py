"""Configuration, built once and passed down: packaged defaults < --config file < PILOTWATCH_* env < flags."""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

# Secrets come only from these environment variables; they are not configuration keys and never reach the DB or logs.
SECRET_LLM_KEY = "PILOTWATCH_LLM_API_KEY"
SECRET_SMTP_PASSWORD = "PILOTWATCH_SMTP_PASSWORD"
SECRET_ENV = frozenset({SECRET_LLM_KEY, SECRET_SMTP_PASSWORD})
CHOICES = {"translate_engine": ("gloss", "ct2", "hf", "llm"), "translate_bodies": ("all", "relevant"),
           "smtp_security": ("starttls", "ssl", "none")}


class ConfigError(ValueError):
    """Bad configuration; the message names the file or variable and the key at fault."""


@dataclass(frozen=True)
class Config:
    db: str
    digest_dir: str
    sources_file: str
    user_agent: str
    timeout: float
    request_deadline: float
    source_deadline: float
    delay: float
    jitter: float
    max_bytes: int
    retries: int
    obey_robots: bool
    blocked_backoff_hours: float
    recheck_days: float
    recheck_per_run: int
    max_attachments: int
    attachment_max_bytes: int
    parse_timeout: float  # seconds per article page or attachment parsed in the worker process (crawler.sandbox)
    parse_max_memory_mb: int  # that worker's memory cap on top of its loaded parsers; 0: none
    announcement_threshold: float  # the tagger's announcement score from which an item counts as an announcement
    translate_engine: str
    translate_bodies: str
    model_dir: str
    llm_url: str
    llm_model: str
    llm_timeout: float  # seconds the llm engine waits for one answer
    timezone: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    smtp_user: str
    smtp_from: str
    smtp_timeout: float
    recipients: tuple[str, ...]
    send_empty: bool


def _coerce(key: str, value: Any, where: str) -> Any:
    kind = Config.__dataclass_fields__[key].type
    try:
        if kind == "tuple[str, ...]":
            if isinstance(value, str):  # from the environment: comma-separated
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(value)
            return tuple(value)
        if kind == "bool":
            if isinstance(value, str):
                low = value.strip().lower()
                if low not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ValueError(value)
                return low in ("1", "true", "yes", "on")
            if not isinstance(value, bool):
                raise ValueError(value)
            return value
        if kind == "int":
            if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return int(value)  # int(inf) raises OverflowError: caught below
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            number = float(value)
            if not math.isfinite(number):  # TOML and float() accept nan and inf; no setting means them
                raise ConfigError(f"{where}: {key} must be a finite number, got {value!r}")
            return number
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except ConfigError:
        raise
    except (TypeError, ValueError, OverflowError):
        kind = "a list of strings" if kind == "tuple[str, ...]" else kind
        raise ConfigError(f"{where}: {key} must be {kind}, got {value!r}") from None


def _apply(values: dict[str, Any], layer: Mapping[str, Any], where: str) -> None:
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(layer) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    for key, value in layer.items():
        values[key] = _coerce(key, value, where)


def _read_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Config:
    values: dict[str, Any] = {}
    defaults = resources.files("pilotwatch").joinpath("defaults.toml").read_text(encoding="utf-8")
    _apply(values, _read_toml(defaults, "defaults.toml"), "defaults.toml")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
        _apply(values, _read_toml(text, str(path)), str(path))
    env = os.environ if env is None else env
    prefix = "PILOTWATCH_"
    from_env = {k[len(prefix):].lower(): v for k, v in env.items()
                if k.startswith(prefix) and k != "PILOTWATCH_CONFIG" and k not in SECRET_ENV}
    for key, value in from_env.items():
        _apply(values, {key: value}, f"environment variable {prefix}{key.upper()}")
    _apply(values, {k: v for k, v in (overrides or {}).items() if v is not None}, "command line")
    config = Config(**values)
    for key, allowed in CHOICES.items():
        if getattr(config, key) not in allowed:
            raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got {getattr(config, key)!r}")
    if (config.max_bytes <= 0 or config.timeout <= 0 or config.attachment_max_bytes <= 0 or config.parse_timeout <= 0
            or config.llm_timeout <= 0):
        raise ConfigError("max_bytes, attachment_max_bytes, timeout, parse_timeout and llm_timeout must be positive")
    negative = [k for k in ("delay", "retries", "jitter", "blocked_backoff_hours", "recheck_days", "recheck_per_run",
                            "max_attachments", "parse_max_memory_mb") if getattr(config, k) < 0]
    if negative:
        raise ConfigError(f"{', '.join(negative)} must not be negative")
    if not 0.0 <= config.announcement_threshold <= 1.0:
        raise ConfigError(f"announcement_threshold must be between 0 and 1, got {config.announcement_threshold!r}")
    check_values(config)
    from .redact import remember_url

    remember_url(config.llm_url)  # its password is redacted from logs and messages from now on
    return config


def check_values(config: Config) -> None:
    """What would otherwise fail only after the crawl (a time zone, a mail header) or mail someone unintended."""
    from email.utils import getaddresses
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .redact import redact

    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"timezone: unknown time zone {config.timezone!r} (an IANA name such as "
                          "Asia/Shanghai or Europe/Berlin)") from None
    for key in ("smtp_host", "smtp_user", "smtp_from", "recipients", "llm_url", "llm_model", "user_agent"):
        value = getattr(config, key)
        for one in value if isinstance(value, tuple) else (value,):
            if any(ord(c) < 32 or ord(c) == 127 for c in one):  # CR/LF would write extra mail or HTTP headers
                raise ConfigError(f"{key}: {redact(repr(one))} contains a control character (CR, LF…); "
                                  "it would end up in a mail or HTTP header")
    for key, values in (("smtp_from", (config.smtp_from,) if config.smtp_from else ()),
                        ("recipients", config.recipients)):
        for value in values:
            parsed = [a for _name, a in getaddresses([value])]
            if len([a for a in parsed if a]) > 1:
                raise ConfigError(f"{key}: {value!r} holds several addresses; give each recipient its own entry")
            local, _at, domain = parsed[0].rpartition("@") if len(parsed) == 1 else ("", "", "")
            if not local or not domain:
                raise ConfigError(f"{key}: {value!r} is not an e-mail address")
