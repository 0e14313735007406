"""Secrets out of every message, in every form a library or a server may repeat them in.

`redact(text)` is the one function: the log filter on every handler (so httpx's and every other library's records
too), the failure messages the pipeline stores, doctor's output and the digest's SMTP errors all go through it.

What it removes:
  - the user:password@ of any URL (http://alice:pw@host/… → http://***@host/…);
  - each known secret (PILOTWATCH_SMTP_PASSWORD, PILOTWATCH_LLM_API_KEY, the password of llm_url, the path and
    query of each webhook URL), plain and URL-quoted;
  - base64 that carries a secret: an SMTP server echoing `AUTH PLAIN AHVzZXIAcGFzc3dvcmQ=` (\\0user\\0password),
    `user\\0user\\0password`, `AUTH LOGIN`'s base64 of the password alone, a Basic header of user:password. A
    base64 token is replaced whole when it decodes to bytes holding a secret, or when it contains the secret's
    encoding at any of the three byte alignments (a secret embedded in a longer encoded blob).
Secrets shorter than MIN_SECRET characters are not searched for (they would blank out ordinary words); such a
secret is no protection anyway.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import urllib.parse
from functools import lru_cache

from .config import SECRET_ENV

MIN_SECRET = 4
MASK = "***"
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/?#\"'<>]+@")  # up to the authority's last @
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{6,}={0,2}")
_remembered: set[str] = set()


def remember(*secrets: str | None) -> None:
    """Secrets found outside the environment (the password in llm_url): redacted from now on."""
    _remembered.update(s for s in secrets if s and len(s) >= MIN_SECRET)


def remember_url(url: str | None) -> None:
    """The password (and user:password pair) of a URL with credentials."""
    try:
        parts = urllib.parse.urlsplit(url or "")
    except ValueError:
        return
    if parts.password:
        remember(parts.password, urllib.parse.unquote(parts.password), f"{parts.username}:{parts.password}",
                 urllib.parse.unquote(f"{parts.username}:{parts.password}"))


def remember_webhook(url: str | None) -> None:
    """A webhook URL's path and query: Slack's and most services' URLs carry their token there."""
    try:
        parts = urllib.parse.urlsplit(url or "")
    except ValueError:
        return
    remember_url(url)
    tail = parts.path.strip("/") + (f"?{parts.query}" if parts.query else "")
    if len(tail) >= 8:  # a bare "/hook" is no token, and blanking it would blank ordinary words
        remember(tail, parts.path)


def _cores(secret: bytes) -> set[str]:
    """The base64 characters that depend on the secret alone, for each alignment it can start at in a stream."""
    out = set()
    for skip in range(3):
        body = secret[skip:]
        body = body[:len(body) // 3 * 3]
        if len(body) >= 6:  # 8 characters or more: long enough not to match by chance
            core = base64.b64encode(body).decode()
            out.update({core, core.replace("+", "-").replace("/", "_")})
    return out


@lru_cache(maxsize=16)
def _compiled(secrets: frozenset[str]) -> tuple[re.Pattern[str] | None, tuple[bytes, ...], frozenset[str]]:
    plain: set[str] = set()
    for s in secrets:
        plain.update({s, urllib.parse.quote(s, safe=""), urllib.parse.quote(s), urllib.parse.quote_plus(s)})
    pattern = re.compile("|".join(re.escape(p) for p in sorted(plain, key=len, reverse=True))) if plain else None
    raw = tuple(s.encode("utf-8") for s in secrets)
    cores = frozenset(c for r in raw for c in _cores(r))
    return pattern, raw, cores


def _decodes_to_secret(token: str, raw: tuple[bytes, ...]) -> bool:
    body = token.rstrip("=")
    for alphabet in (None, b"-_"):
        try:
            data = base64.b64decode(body + "=" * (-len(body) % 4), altchars=alphabet, validate=True)
        except (binascii.Error, ValueError):
            continue
        if any(r in data for r in raw):
            return True
    return False


def current_secrets() -> frozenset[str]:
    env = {os.environ.get(name) or "" for name in SECRET_ENV}
    return frozenset(s for s in env | _remembered if len(s) >= MIN_SECRET)


def redact(text: str, extra: tuple[str, ...] = ()) -> str:
    """The text without URL credentials and without any known secret, plain, URL-quoted or base64-encoded."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: m.group(1) + MASK + "@", text)
    secrets = current_secrets() | {s for s in extra if s and len(s) >= MIN_SECRET}
    if not secrets:
        return text
    pattern, raw, cores = _compiled(frozenset(secrets))

    def token(m: re.Match[str]) -> str:
        t = m.group(0)
        return MASK if any(c in t for c in cores) or _decodes_to_secret(t, raw) else t

    text = _B64_TOKEN.sub(token, text)
    return pattern.sub(MASK, text) if pattern else text


class RedactingFilter(logging.Filter):
    """On a handler: every record it emits, from any logger, is redacted (message, arguments and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as it would
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Put the redacting filter on every handler of the logger (default: root), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
