"""Fetch one URL politely and classify every failure.

Exceptions::

    FetchError            (carries .url and .kind; .status when the server answered)
      kind = "offsite"    host not on the allow-list (also for redirects that leave it)
             "robots"     disallowed by the host's robots.txt
             "timeout"    connect/read timeout, after retries
             "network"    connection refused, DNS, TLS, protocol errors, after retries
             "blocked"    403 / 412 / 521 and JS cookie-challenge pages: anti-bot answers; never retried
             "gone"       404 / 410
             "http"       any other 4xx
             "server"     429 / 5xx, after retries
             "too_large"  body above the size cap
             "redirects"  redirect loop or too many hops

Only this module and the store do I/O; the HTTP client is injected so tests can pass a MockTransport
or point at a localhost server.
"""

from __future__ import annotations

import random
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from .urls import host_of

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
BLOCKED_STATUSES = frozenset({403, 412, 521})
GONE_STATUSES = frozenset({404, 410})
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})  # not 304: a conditional GET's "unchanged" is an answer
# Tokens of the JS cookie challenges Chinese government WAFs serve with a 200 (Jiasule, Aliyun, generic).
_CHALLENGE_MARKERS = (b"__jsl_clearance", b"acw_sc__v2", b"_waf_", b"document.cookie")
_CHALLENGE_MAX_BYTES = 16_384


class FetchError(Exception):
    def __init__(self, url: str, kind: str, message: str, status: int | None = None):
        super().__init__(f"{kind}: {message} ({url})")
        self.url = url
        self.kind = kind
        self.status = status


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes  # raw, undecoded; decoding happens once, in crawler.decode
    elapsed_ms: int

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


@dataclass
class Politeness:
    """Per-host delay with jitter, plus robots.txt answers cached per host. One instance serves a whole run, so
    two sources on one host (gov.cn's library as a fallback) still share that host's pacing.

    One connection per host comes from fetching sequentially; the delay is measured from the end of the previous
    request to the same host.
    """

    delay: float = 5.0  # default for hosts not in host_delays
    host_delays: dict[str, float] = field(default_factory=dict)
    jitter: float = 0.5
    obey_robots: bool = True
    user_agent: str = "PilotWatch"
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, object] = field(default_factory=dict)

    def wait(self, host: str) -> None:
        last = self._last.get(host)
        delay = self.host_delays.get(host, self.delay)
        if last is not None and delay > 0:
            pause = delay * (1 + random.uniform(-self.jitter, self.jitter)) - (self.clock() - last)
            if pause > 0:
                self.sleep(pause)

    def done(self, host: str) -> None:
        self._last[host] = self.clock()


def _check_host(url: str, allowed_hosts: Iterable[str]) -> None:
    if host_of(url) not in allowed_hosts:
        raise FetchError(url, "offsite", f"host {host_of(url)!r} is not on the allow-list")


def _robots_allows(client: httpx.Client, url: str, politeness: Politeness, max_bytes: int) -> bool:
    from protego import Protego  # small, but only needed when crawling

    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.lower()
    parser = politeness._robots.get(host)
    if parser is None:
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            politeness.wait(host)
            response = client.get(robots_url, follow_redirects=True)
            status = response.status_code
            text = response.text[:max_bytes] if status == 200 else ""
        except httpx.HTTPError:
            status, text = 404, ""  # unreachable robots.txt: allow; the page fetch itself reports the real fault
        finally:
            politeness.done(host)
        if status in BLOCKED_STATUSES:  # the anti-bot wall already stands in front of robots.txt
            raise FetchError(robots_url, "blocked", f"robots.txt answered HTTP {status} (anti-bot answer)", status)
        if status >= 500:  # RFC 9309: an unreachable robots.txt means "disallow all" for now
            text = "User-agent: *\nDisallow: /\n"
        parser = Protego.parse(text)
        politeness._robots[host] = parser
    return parser.can_fetch(url, politeness.user_agent)  # type: ignore[attr-defined]


def fetch(
    client: httpx.Client,
    url: str,
    *,
    allowed_hosts: Iterable[str],
    politeness: Politeness | None = None,
    max_bytes: int = 5_000_000,
    retries: int = 2,
    backoff: float = 1.0,
    headers: dict[str, str] | None = None,
) -> Fetched:
    """GET `url`, following redirects only within the allow-list, with retries for transient faults."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    politeness = politeness or Politeness(delay=0, obey_robots=False)
    _check_host(url, allowed)
    if politeness.obey_robots and not _robots_allows(client, url, politeness, max_bytes):
        raise FetchError(url, "robots", "disallowed by robots.txt")
    attempt = 0
    while True:
        try:
            return _fetch_once(client, url, allowed, politeness, max_bytes, headers or {})
        except FetchError as exc:
            retryable = exc.kind in ("timeout", "network") or exc.status in RETRY_STATUSES
            if not retryable or attempt >= retries:
                raise
            attempt += 1
            politeness.sleep(backoff * 2 ** (attempt - 1))


def _fetch_once(
    client: httpx.Client,
    url: str,
    allowed: frozenset[str],
    politeness: Politeness,
    max_bytes: int,
    headers: dict[str, str],
) -> Fetched:
    started = time.monotonic()
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        host = host_of(current)
        politeness.wait(host)
        try:
            with client.stream("GET", current, headers=headers, follow_redirects=False) as response:
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    target = str(response.url.join(response.headers["location"]))
                    _check_host(target, allowed)
                    current = target
                    continue
                _raise_for_status(url, response.status_code)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, "too_large", f"Content-Length {declared} exceeds {max_bytes} bytes")
                body = bytearray()
                # iter_bytes yields decompressed data, so the cap also stops decompression bombs.
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise FetchError(url, "too_large", f"body exceeds {max_bytes} bytes")
                if _looks_like_challenge(response.status_code, response.headers.get("content-type", ""), body):
                    raise FetchError(url, "blocked", "JS cookie-challenge page instead of content", response.status_code)
                return Fetched(
                    url=url,
                    final_url=current,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=bytes(body),
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                )
        except httpx.TimeoutException as exc:
            raise FetchError(url, "timeout", type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, "network", f"{type(exc).__name__}: {exc}") from exc
        finally:
            politeness.done(host)
    raise FetchError(url, "redirects", f"more than {MAX_REDIRECTS} redirects")


def _looks_like_challenge(status: int, content_type: str, body: bytes | bytearray) -> bool:
    """A small HTML page that only sets a cookie and reloads: the site let us in without content."""
    if status != 200 or len(body) > _CHALLENGE_MAX_BYTES or (content_type and "html" not in content_type.lower()):
        return False
    head = bytes(body).lower()
    return b"<script" in head and any(marker in head for marker in _CHALLENGE_MARKERS) and b"<p" not in head


def status_kind(status: int) -> str | None:
    """The fault kind of an HTTP status (None for a success or redirect): the one table of what an answer means."""
    if status < 400:
        return None
    if status in BLOCKED_STATUSES:
        return "blocked"
    if status in GONE_STATUSES:
        return "gone"
    return "server" if status == 429 or status >= 500 else "http"


def _raise_for_status(url: str, status: int) -> None:
    kind = status_kind(status)
    if kind is not None:
        raise FetchError(url, kind, f"HTTP {status}" + (" (anti-bot answer)" if kind == "blocked" else ""), status)
