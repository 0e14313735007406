"""Configuration, built once and passed down: packaged defaults < --config file < PILOTWATCH_* env < flags."""

from __future__ import annotations

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
    translate_engine: str
    translate_bodies: str
    model_dir: str
    llm_url: str
    llm_model: str
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
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except (TypeError, ValueError):
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
    if config.max_bytes <= 0 or config.timeout <= 0 or config.attachment_max_bytes <= 0:
        raise ConfigError("max_bytes, attachment_max_bytes and timeout must be positive")
    negative = [k for k in ("delay", "retries", "jitter", "blocked_backoff_hours", "recheck_days", "recheck_per_run",
                            "max_attachments") if getattr(config, k) < 0]
    if negative:
        raise ConfigError(f"{', '.join(negative)} must not be negative")
    return config
