"""Configuration, built once and passed down: packaged defaults < --config file < PILOTWATCH_* env < flags."""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
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


CADENCES = ("daily", "weekly", "immediate")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Subscription:
    """One analyst's (or team's) alert: what they follow and where it goes. Filters combine with AND; the values of
    one filter with OR; an empty filter does not narrow."""

    name: str  # unique; names its feed file and its deliveries
    recipients: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # sector ids (extract.SECTOR_LABELS)
    provinces: tuple[str, ...] = ()  # English names, as tagged
    events: tuple[str, ...] = ()  # registry events (listed, opened…): only platform events then match
    query: str = ""  # a saved search, as `pilotwatch search` reads it (Chinese and/or English)
    cadence: str = "daily"  # daily | weekly | immediate (at the end of each run)
    email: bool = True
    webhook_url: str = field(default="", repr=False)  # may carry a token: never printed, logged or stored
    webhook_url_env: str = ""  # the environment variable the URL was read from, when it was

    @property
    def follows(self) -> str:
        """What the subscription follows, in one line (said at the top of its digest)."""
        from extract.model import SECTOR_LABELS

        parts = []
        if self.sectors:
            parts.append("sectors " + ", ".join(SECTOR_LABELS.get(s, s) for s in self.sectors))
        if self.provinces:
            parts.append("provinces " + ", ".join(self.provinces))
        if self.events:
            parts.append("platform events " + ", ".join(self.events))
        if self.query:
            parts.append(f"search \u201c{self.query}\u201d")
        return "; ".join(parts) or "all platform news"


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
    operator_recipients: tuple[str, ...]  # source health and failures go here; analysts see a one-line notice
    feed_dir: str  # an Atom file per subscription, written each run
    feed_base_url: str  # where feed_dir is served: each feed's rel=self link
    webhook_retries: int
    webhook_backoff: float  # seconds before the first retry, doubling (a Retry-After answer wins)
    webhook_max_wait: float  # a longer Retry-After leaves the delivery to the next run
    webhook_deadline: float  # seconds one delivery may take with its retries
    subscriptions: tuple[Subscription, ...] = ()


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


def _apply(values: dict[str, Any], layer: Mapping[str, Any], where: str, env: Mapping[str, str] | None = None
           ) -> None:
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(layer) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    for key, value in layer.items():
        if key == "subscriptions":  # a later layer's list replaces the earlier one
            values[key] = _subscriptions(value, where, os.environ if env is None else env)
        else:
            values[key] = _coerce(key, value, where)


_SUB_KEYS = {f.name for f in fields(Subscription)} | {"feed"}


def _subscriptions(value: Any, where: str, env: Mapping[str, str]) -> tuple[Subscription, ...]:
    if isinstance(value, str):
        raise ConfigError(f"{where}: subscriptions can only be given in a config file ([[subscriptions]] tables)")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{where}: subscriptions must be [[subscriptions]] tables, got {value!r}")
    out: list[Subscription] = []
    seen: set[str] = set()
    for i, table in enumerate(value):
        name = table.get("name")
        at = f"{where}: subscriptions[{name if isinstance(name, str) and name else i}]"
        sub = _subscription(table, at, env)
        if sub.name.casefold() in seen:
            raise ConfigError(f"{at}.name: {sub.name!r} is used by another subscription")
        seen.add(sub.name.casefold())
        out.append(sub)
    return tuple(out)


def _strings(table: Mapping[str, Any], key: str, at: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{at}.{key}: must be a list of strings, got {value!r}")
    return tuple(dict.fromkeys(v.strip() for v in value))


def _subscription(table: Mapping[str, Any], at: str, env: Mapping[str, str]) -> Subscription:
    from extract.model import SECTOR_LABELS
    from registry.build import EVENT_ORDER

    from .places import province_choices, resolve_province

    unknown = sorted(set(table) - _SUB_KEYS)
    if unknown:
        raise ConfigError(f"{at}: unknown key(s): {', '.join(unknown)} (known: {', '.join(sorted(_SUB_KEYS))})")
    name = table.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(f"{at}.name: required, letters, digits, '.', '_' or '-' (up to 64, it names a feed file), "
                          f"got {name!r}")
    sectors = []
    by_label = {label.casefold(): sid for sid, label in SECTOR_LABELS.items()}
    for s in _strings(table, "sectors", at):
        sid = s if s in SECTOR_LABELS else by_label.get(s.casefold())
        if sid is None:
            raise ConfigError(f"{at}.sectors: unknown sector {s!r} (one of {', '.join(SECTOR_LABELS)})")
        sectors.append(sid)
    provinces = []
    for p in _strings(table, "provinces", at):
        found = resolve_province(p)
        if found is None:
            raise ConfigError(f"{at}.provinces: {p!r} is not a province (an English or Chinese name or a GB/T 2260 "
                              f"code: {province_choices()})")
        provinces.append(found[0])
    events = _strings(table, "events", at)
    bad = [e for e in events if e not in EVENT_ORDER]
    if bad:
        raise ConfigError(f"{at}.events: unknown event(s) {', '.join(map(repr, bad))} (one of {', '.join(EVENT_ORDER)})")
    values: dict[str, Any] = {}
    for key, kind in (("query", str), ("cadence", str), ("email", bool), ("webhook_url", str),
                      ("webhook_url_env", str)):
        if key in table:
            if not isinstance(table[key], kind):
                raise ConfigError(f"{at}.{key}: must be {kind.__name__}, got {table[key]!r}")
            values[key] = table[key].strip() if kind is str else table[key]
    if values.get("cadence", "daily") not in CADENCES:
        raise ConfigError(f"{at}.cadence: must be one of {', '.join(CADENCES)}, got {values['cadence']!r}")
    if len(values.get("query", "")) > 500 or any(ord(c) < 32 for c in values.get("query", "")):
        raise ConfigError(f"{at}.query: at most 500 characters on one line")
    if values.get("query"):
        from store import SearchError

        from .research import parse_query

        try:
            parse_query(values["query"])
        except SearchError as exc:
            raise ConfigError(f"{at}.query: {exc}") from None
    if values.get("webhook_url") and values.get("webhook_url_env"):
        raise ConfigError(f"{at}: give webhook_url or webhook_url_env, not both")
    if values.get("webhook_url_env"):  # the URL holds a token: it may come from the environment instead
        values["webhook_url"] = env.get(values["webhook_url_env"], "").strip()
        if not values["webhook_url"]:
            raise ConfigError(f"{at}.webhook_url_env: environment variable {values['webhook_url_env']} is not set")
    if values.get("webhook_url"):
        from digest.webhook import check_url

        problem = check_url(values["webhook_url"])
        if problem:
            raise ConfigError(f"{at}.webhook_url: {problem}")
    if table.get("feed", True) is not True:
        raise ConfigError(f"{at}.feed: every subscription has a feed; leave the key out")
    recipients = _strings(table, "recipients", at)
    _check_addresses(f"{at}.recipients", recipients)
    return Subscription(name=name, recipients=recipients, sectors=tuple(sectors), provinces=tuple(provinces),
                        events=events, **values)


def _read_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from exc


def load_config(path: str | Path | None = None, *, env: Mapping[str, str] | None = None,
                overrides: Mapping[str, Any] | None = None) -> Config:
    values: dict[str, Any] = {}
    env = os.environ if env is None else env
    defaults = resources.files("pilotwatch").joinpath("defaults.toml").read_text(encoding="utf-8")
    _apply(values, _read_toml(defaults, "defaults.toml"), "defaults.toml")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from exc
        _apply(values, _read_toml(text, str(path)), str(path), env)
    prefix = "PILOTWATCH_"
    named = {sub.webhook_url_env for sub in values.get("subscriptions", ())}  # secrets a subscription reads
    from_env = {k[len(prefix):].lower(): v for k, v in env.items()
                if k.startswith(prefix) and k != "PILOTWATCH_CONFIG" and k not in SECRET_ENV and k not in named}
    for key, value in from_env.items():
        _apply(values, {key: value}, f"environment variable {prefix}{key.upper()}", env)
    _apply(values, {k: v for k, v in (overrides or {}).items() if v is not None}, "command line")
    config = Config(**values)
    for key, allowed in CHOICES.items():
        if getattr(config, key) not in allowed:
            raise ConfigError(f"{key} must be one of {', '.join(allowed)}, got {getattr(config, key)!r}")
    positive = [k for k in ("max_bytes", "attachment_max_bytes", "timeout", "parse_timeout", "llm_timeout",
                            "webhook_deadline") if getattr(config, k) <= 0]
    if positive:
        raise ConfigError(f"{', '.join(positive)} must be positive")
    negative = [k for k in ("delay", "retries", "jitter", "blocked_backoff_hours", "recheck_days", "recheck_per_run",
                            "max_attachments", "parse_max_memory_mb", "webhook_retries", "webhook_backoff",
                            "webhook_max_wait") if getattr(config, k) < 0]
    if negative:
        raise ConfigError(f"{', '.join(negative)} must not be negative")
    if not 0.0 <= config.announcement_threshold <= 1.0:
        raise ConfigError(f"announcement_threshold must be between 0 and 1, got {config.announcement_threshold!r}")
    check_values(config)
    from .redact import remember_url, remember_webhook

    remember_url(config.llm_url)  # its password is redacted from logs and messages from now on
    for sub in config.subscriptions:
        remember_webhook(sub.webhook_url)
    return config


def check_values(config: Config) -> None:
    """What would otherwise fail only after the crawl (a time zone, a mail header) or mail someone unintended."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .redact import redact

    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"timezone: unknown time zone {config.timezone!r} (an IANA name such as "
                          "Asia/Shanghai or Europe/Berlin)") from None
    for key in ("smtp_host", "smtp_user", "smtp_from", "recipients", "operator_recipients", "llm_url", "llm_model",
                "user_agent", "feed_base_url"):
        value = getattr(config, key)
        for one in value if isinstance(value, tuple) else (value,):
            if any(ord(c) < 32 or ord(c) == 127 for c in one):  # CR/LF would write extra mail or HTTP headers
                raise ConfigError(f"{key}: {redact(repr(one))} contains a control character (CR, LF…); "
                                  "it would end up in a mail or HTTP header")
    _check_addresses("smtp_from", (config.smtp_from,) if config.smtp_from else ())
    _check_addresses("recipients", config.recipients)
    _check_addresses("operator_recipients", config.operator_recipients)
    if config.feed_base_url and not re.match(r"(?i)https?://[^/\s]+", config.feed_base_url):
        raise ConfigError(f"feed_base_url: must be an absolute http(s) URL, got {config.feed_base_url!r}")


def _check_addresses(key: str, values: tuple[str, ...]) -> None:
    from email.utils import getaddresses

    for value in values:
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ConfigError(f"{key}: {value!r} contains a control character (CR, LF…); it would end up in a mail "
                              "header")
        parsed = [a for _name, a in getaddresses([value])]
        if len([a for a in parsed if a]) > 1:
            raise ConfigError(f"{key}: {value!r} holds several addresses; give each recipient its own entry")
        local, _at, domain = parsed[0].rpartition("@") if len(parsed) == 1 else ("", "", "")
        if not local or not domain:
            raise ConfigError(f"{key}: {value!r} is not an e-mail address")
