"""Deliver one JSON message to a subscription's webhook (Slack-compatible incoming webhooks) over HTTP POST.

A failed delivery is data, not an exception: `post` returns a `PostResult` whose `kind` says what went wrong
("http_404", "timeout", "network", "redirect", "deadline", "rate_limited", "bad_url") and whose `error` is one line
that names the endpoint only as `endpoint_label(url)`. A webhook URL is a bearer credential (Slack's
/services/T…/B…/<secret>), so its path and query never reach an error, a log line or a repr made here.

Only a caller's mistake raises: an unusable idempotency key (ValueError) or a payload json cannot encode (TypeError,
or ValueError for NaN and circular references).

The HTTP client is injected; its timeout applies as configured. Redirects are never followed, whatever the client's
setting: the POST carries the token, and a 3xx could hand it to another host.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import re
import socket
import time
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

BODY_CAP = 64 * 1024  # bytes of an answer read at most: only its start goes into an error line
SNIPPET_CHARS = 200  # characters of the answer quoted in an error line
# Statuses worth sending again: the receiver timed out, asked for a replay later (425 Too Early), throttled us, or
# failed on its side. Any other 4xx says the request itself is wrong (bad token, archived channel), so a resend
# would fail the same way.
RETRY_STATUSES = frozenset({408, 425, 429, *range(500, 600)})
# errno of the OSError under an httpx.TransportError → the words of an error line
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.ECONNABORTED: "connection aborted",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "connection timed out",
    errno.EPIPE: "connection closed while sending",
}
_KEY = re.compile(r"[!-~]{1,200}")  # visible ASCII: a header value that can neither split nor need encoding


@dataclass(frozen=True)
class PostResult:
    ok: bool
    status: int | None  # the last HTTP status this call received; None when no answer came
    attempts: int  # requests made in this call
    error: str = ""  # one line, "<endpoint_label>: <what happened>"; never the URL's path or query
    # on failure: f"http_{status}" for an HTTP answer that ended the call, "timeout", "network", "redirect",
    # "deadline" (the next wait would pass the deadline), "rate_limited" (Retry-After exceeded max_wait), "bad_url"
    kind: str = ""
    retry_after: float | None = None  # seconds the endpoint asked to wait, when we gave up because it was > max_wait
    waits: tuple[float, ...] = ()  # seconds slept between attempts, in order


@dataclass(frozen=True)
class _Attempt:
    """What one request came to: an answer's status, or the kind of transport failure."""
    status: int | None
    kind: str  # "" for a 2xx
    detail: str  # what happened, e.g. "HTTP 503", "timed out after 10 s"
    note: str = ""  # the start of the answer's text, one line
    retryable: bool = False
    wait_hint: float | None = None  # Retry-After of a retryable answer, in seconds


def _bad_char(c: str) -> bool:
    return c.isspace() or unicodedata.category(c) == "Cc"


def _is_loopback(host: str) -> bool:
    host = host.rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


def endpoint_label(url: str) -> str:
    """scheme://host[:port] of `url`, plus "/…" when it has a path, query or fragment (which may hold the token):
    "https://hooks.slack.com/…". Never the path itself, nor any user:password@. Unparseable → "(invalid URL)"."""
    try:
        parts = urllib.parse.urlsplit(str(url))
        port = parts.port
    except ValueError:
        return "(invalid URL)"
    host = parts.hostname
    if not parts.scheme or not host:
        return "(invalid URL)"
    if ":" in host:  # IPv6 literal: brackets keep the port readable
        host = f"[{host}]"
    label = f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        label += "/…"
    return label


def check_url(url: str) -> str | None:
    """None when `url` may receive a webhook POST, else a one-line reason. Acceptable: an absolute https URL with a
    host, or http to a loopback host only (localhost, 127.0.0.0/8, ::1) — the token in the path must not travel in
    clear text over a network; no user:password@; no whitespace or control characters anywhere."""
    if not isinstance(url, str) or not url:
        return "empty URL"
    if any(_bad_char(c) for c in url):
        return "URL contains whitespace or control characters"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 — parsing the port raises ValueError when it is not a number in range
    except ValueError:
        return "not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"scheme must be https, got {scheme + ':' if scheme else 'none (not an absolute URL)'}"
    if "@" in parts.netloc:
        return "URL must not contain user:password@ (put credentials in the path the service gave you)"
    if not parts.hostname:
        return "URL has no host"
    if scheme == "http" and not _is_loopback(parts.hostname):
        return "http sends the token in clear text; use https (http is allowed only to localhost)"
    return None


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header value asks to wait (RFC 9110 §10.2.3): delta-seconds ("120") or an HTTP-date
    measured from `now`; a date already past → 0.0; missing or unparseable → None. A date without a zone (the
    obsolete "-0000" form) and a naive `now` are taken as UTC."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():  # delta-seconds is 1*DIGIT: no sign, no fraction
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):  # the parser's failures vary across Python versions
        return None
    if when is None:  # Python < 3.10 returned None instead of raising
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _secrets(url: str) -> list[str]:
    """The parts of `url` an answer might echo back that must not reach an error line: its path, query and their
    pieces, longest first so a whole path is replaced before its segments."""
    parts = urllib.parse.urlsplit(url)
    whole = [p for p in (parts.path, parts.query, parts.fragment) if p not in ("", "/")]
    pieces = [p for w in whole for p in re.split(r"[/&=;]", w) if len(p) >= 4]
    return sorted(set(whole + pieces), key=len, reverse=True)


def _clean(text: str, secrets: list[str]) -> str:
    """One line: control and format characters dropped, whitespace folded, the URL's secrets replaced by "…"."""
    text = "".join(c if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf") else "" for c in text)
    text = " ".join(text.split())
    for s in secrets:
        text = text.replace(s, "…")
    for s in secrets:  # an answer cut at the read cap may end in the start of a secret
        for n in range(len(s) - 1, 3, -1):
            if text.endswith(s[:n]):
                return text[:-n] + "…"
    return text


def _head(chunks: Iterator[bytes], cap: int = BODY_CAP) -> bytes:
    """At most `cap` bytes from `chunks`; stops reading there, so a huge answer never sits in memory."""
    buf = bytearray()
    for chunk in chunks:
        buf += chunk[: cap - len(buf)]
        if len(buf) >= cap:
            break
    return bytes(buf)


def _transport_words(exc: httpx.TransportError) -> str:
    """What went wrong under a transport error, in a few words: the errno's meaning when an OSError caused it."""
    seen, cause = set(), exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return "host name not resolved"
        if isinstance(cause, OSError) and cause.errno in _ERRNO_WORDS:
            return _ERRNO_WORDS[cause.errno]
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:  # some backends keep only the message, not the OSError
        return "connection refused"
    return f"{type(exc).__name__}: {str(exc)}" if str(exc) else type(exc).__name__


def _timeout_words(client: httpx.Client, exc: httpx.TimeoutException) -> str:
    phase = {httpx.ConnectTimeout: "connect", httpx.ReadTimeout: "read", httpx.WriteTimeout: "write",
             httpx.PoolTimeout: "pool"}.get(type(exc), "read")
    seconds = getattr(client.timeout, phase, None)
    after = f" after {seconds:g} s" if seconds is not None else ""
    return f"timed out{after}" + (f" ({phase})" if phase != "read" else "")


def _attempt(client: httpx.Client, url: str, body: bytes, headers: dict[str, str], secrets: list[str],
             now: Callable[[], datetime]) -> _Attempt:
    try:
        # follow_redirects=False per request: the client may follow redirects for crawling, this POST must not
        with client.stream("POST", url, content=body, headers=headers, follow_redirects=False) as resp:
            status = resp.status_code
            if 200 <= status < 300:
                # accepted: the body is not needed (Slack answers "ok"), and an error reading it must not undo that
                return _Attempt(status, "", "")
            if 300 <= status < 400:
                where = resp.headers.get("Location")
                to = f" to {endpoint_label(urllib.parse.urljoin(url, where))}" if where else ""
                return _Attempt(status, "redirect", f"HTTP {status} redirect{to} not followed")
            try:
                head = _head(resp.iter_bytes())
            except httpx.HTTPError:  # the status already says what happened; the text is a bonus
                head = b""
            try:
                decoded = head.decode(resp.charset_encoding or "utf-8", errors="replace")
            except LookupError:  # a charset Python does not know
                decoded = head.decode("utf-8", errors="replace")
            text = _clean(decoded, secrets)[:SNIPPET_CHARS]
            if status in RETRY_STATUSES:
                hint = retry_after(resp.headers.get("Retry-After"), now())
                return _Attempt(status, f"http_{status}", f"HTTP {status}", text, True, hint)
            return _Attempt(status, f"http_{status}", f"HTTP {status}", text)
    except httpx.TimeoutException as exc:  # before TransportError, its parent
        # a timeout may come after the receiver took the message: resending is safe because of the Idempotency-Key
        return _Attempt(None, "timeout", _timeout_words(client, exc), retryable=True)
    except httpx.TransportError as exc:
        return _Attempt(None, "network", _clean(_transport_words(exc), secrets)[:SNIPPET_CHARS], retryable=True)
    except httpx.InvalidURL as exc:  # passed check_url yet httpx cannot send to it (e.g. a host IDNA rejects)
        return _Attempt(None, "bad_url", _clean(f"invalid URL: {exc}", secrets)[:SNIPPET_CHARS])


def post(client: httpx.Client, url: str, payload: Mapping[str, Any], *, key: str, retries: int = 3,
         backoff: float = 2.0, max_wait: float = 60.0, deadline: float = 120.0,
         sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
         now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> PostResult:
    """POST `payload` as UTF-8 JSON to `url` with `Idempotency-Key: key`, retrying what a later try may fix.

    - A URL `check_url` refuses: no request; kind "bad_url".
    - 2xx: ok. 3xx: kind "redirect", never followed nor retried. 408, 425, 429, 5xx, timeouts ("timeout") and
      transport errors ("network"): sent again up to `retries` more times. Any other 4xx: kind f"http_{status}" at
      once, with the start of the answer's text (≤ 200 characters, one line) in `error`.
    - The wait before the n-th retry is the answer's Retry-After when it has one, else `backoff * 2**(n-1)`. A
      Retry-After above `max_wait` ends the call at once with kind "rate_limited" and `retry_after` set, even when no
      retries were left: the caller tries again in a later run, no sooner than that. A wait that would end past
      `deadline` seconds after the call started (by `clock`) ends it with kind "deadline"; `status` keeps the last
      answer's status.
    - At most 64 KiB of an answer is read. Retries exhausted: the last failure's kind, "after N attempts" in `error`.
    """
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError("idempotency key must be 1–200 visible ASCII characters")
    label = endpoint_label(url)
    reason = check_url(url)
    if reason:
        return PostResult(False, None, 0, f"{label}: bad webhook URL: {reason}", kind="bad_url")
    body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")  # NaN is not JSON
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        # the receiver drops a delivery it has already seen under this key: a retry after a lost answer is harmless
        "Idempotency-Key": key,
        # only an error's first lines are read; an uncompressed answer keeps a small read small (no inflating bombs)
        "Accept-Encoding": "identity",
    }
    secrets = _secrets(url)
    start = clock()
    waits: list[float] = []
    status: int | None = None
    attempts = 0

    def result(ok: bool, kind: str, error: str, retry_after: float | None = None) -> PostResult:
        return PostResult(ok, status, attempts, f"{label}: {error}" if error else "", kind, retry_after, tuple(waits))

    while True:
        attempts += 1
        got = _attempt(client, url, body, headers, secrets, now)
        if got.status is not None:
            status = got.status
        if not got.kind:
            return result(True, "", "")
        note = f": {got.note}" if got.note else ""
        if got.wait_hint is not None and got.wait_hint > max_wait:
            log.info("webhook %s: %s; asked to wait %g s (> %g s), giving up for this run", label, got.detail,
                     got.wait_hint, max_wait)
            return result(False, "rate_limited", f"{got.detail}, Retry-After {got.wait_hint:g} s exceeds the "
                                                 f"{max_wait:g} s we wait{note}", got.wait_hint)
        if not got.retryable or attempts > retries:
            # "timed out after 10 s after 3 attempts" would read as one duration
            tries = "" if attempts == 1 else f" ({attempts} attempts)" if got.kind == "timeout" else \
                f" after {attempts} attempts"
            return result(False, got.kind, got.detail + tries + note)
        wait = got.wait_hint if got.wait_hint is not None else backoff * 2 ** (attempts - 1)
        if clock() - start + wait > deadline:
            return result(False, "deadline", f"{got.detail}, then a {wait:g} s wait would pass the {deadline:g} s "
                                             f"deadline; stopped after {attempts} attempts{note}")
        log.info("webhook %s: %s; retry %d of %d in %g s", label, got.detail, attempts, retries, wait)
        waits.append(wait)
        sleep(wait)


def slack_escape(text: str) -> str:
    """`text` safe inside Slack mrkdwn: its three control characters become entities (& → &amp;, < → &lt;,
    > → &gt;), so crawled text can neither open a link nor ping <!channel>. Nothing else is touched."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str, label: str) -> str:
    """A Slack mrkdwn link "<url|label>" with `label` escaped; just the escaped label when `url` is not an absolute
    http(s) URL with a host and no whitespace or control characters, or contains "|" or ">" (either would end the
    link's URL early and let the rest of it be read as the label or as markup). An empty label shows the URL.

    An "&" in the URL is written "&amp;", as Slack itself writes links: entities are decoded in the whole text."""
    shown = slack_escape(label)
    url = str(url or "")
    if not url or "|" in url or ">" in url or any(_bad_char(c) for c in url):
        return shown
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return shown
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return shown
    return f"<{slack_escape(url)}|{shown}>" if shown else f"<{slack_escape(url)}>"
