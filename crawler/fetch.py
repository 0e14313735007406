"""Fetch one URL politely and classify every failure.

Exceptions::

    FetchError            (carries .url and .kind; .status when the server answered)
      kind = "offsite"    host not on the allow-list (also for redirects that leave it, and for redirects to anything
                          that is not an http(s) URL: javascript:, data:, mailto:, a malformed URL)
             "robots"     disallowed by the host's robots.txt
             "timeout"    connect/read timeout, after retries; or the fetch's total deadline passed
             "network"    connection refused, DNS, TLS, protocol errors, after retries
             "blocked"    403 / 412 / 521 and JS cookie-challenge pages: anti-bot answers; never retried
             "gone"       404 / 410
             "http"       any other 4xx
             "server"     429 / 5xx, after retries
             "too_large"  body above the size cap
             "redirects"  redirect loop or too many hops

What bounds one fetch:

    time     `deadline`: seconds for the whole call (robots.txt the first time per host, every redirect hop, every
             attempt and the backoff between them; our own politeness pauses are not counted). The client's timeout
             only bounds each network step (connect, one read), so a server sending a byte a second would never
             trip it: each request gets timeouts no longer than what is left, and a watchdog shuts the socket when
             the deadline passes (which also stops headers sent a byte at a time).
    size     `max_bytes` after decompression; gzip/deflate are inflated at most 64 KiB per step, so a bomb costs
             about the cap, not what one compressed network read inflates to. robots.txt: read up to 512 KiB
             (RFC 9309 asks for at least 500 KiB) and the part read is parsed.
    hosts    the allow-list on every hop, robots.txt included; only http(s) URLs.

Only this module and the store do I/O; the HTTP client is injected so tests can pass a MockTransport
or point at a localhost server.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import socket
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import httpx

from .urls import host_of

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
BLOCKED_STATUSES = frozenset({403, 412, 521})
GONE_STATUSES = frozenset({404, 410})
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})  # not 304: a conditional GET's "unchanged" is an answer
# Tokens of the JS cookie challenges and captcha walls WAFs serve with a 200: Jiasule, Aliyun, generic cookie setters,
# Cloudflare, Tencent captcha, and the Chinese notices a 2026 crawler of these sites rejects (in UTF-8 and GBK bytes).
_CHALLENGE_MARKERS = (b"__jsl_clearance", b"acw_sc__v2", b"_waf_", b"document.cookie", b"challenge-platform",
                      b"/cdn-cgi/challenge", b"just a moment", b"captcha-container", b"ttgcaptcha",
                      *(word.encode(codec) for word in ("安全验证", "访问验证", "访问过于频繁") for codec in ("utf-8", "gbk")))
_CHALLENGE_MAX_BYTES = 16_384
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
_INFLATE_STEP = 65_536  # most bytes a compressed body inflates to before the size cap is checked again
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


class FetchError(Exception):
    def __init__(self, url: str, kind: str, message: str, status: int | None = None):
        super().__init__(f"{kind}: {message} ({url})")
        self.url = url
        self.kind = kind
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Fetched:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    content: bytes  # raw, undecoded; decoding happens once, in crawler.decode
    elapsed_ms: int
    truncated: bool = False  # cut at the size cap (only when the caller asked for truncation: robots.txt)

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
    try:
        host = host_of(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise FetchError(url, "offsite", "malformed URL") from None
    if host not in allowed_hosts:
        raise FetchError(url, "offsite", f"host {host!r} is not on the allow-list")


def _redirect_target(base: str, location: str, url: str, allowed: frozenset[str]) -> str:
    """Where a redirect leads, if we may follow it: an http(s) URL on the allow-list. Anything else (another host,
    javascript:, data:, mailto:, a malformed URL) is `offsite`, never an exception from deep in a URL parser."""
    try:
        target = urllib.parse.urljoin(base, location.strip())
        parts = urllib.parse.urlsplit(target)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL):
        raise FetchError(url, "offsite", f"redirect to a malformed location {location[:200]!r}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, "offsite", f"redirect to a {parts.scheme or 'scheme-less'} URL {location[:200]!r}")
    _check_host(target, allowed)
    return target


class _Deadline:
    """The wall-clock budget of one fetch, shared by its robots.txt read, redirect hops, attempts and backoff pauses.
    `seconds=None`: unbounded (only the client's per-step timeouts apply)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self._end = math.inf if seconds is None else time.monotonic() + seconds

    @property
    def bounded(self) -> bool:
        return self.seconds is not None

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def paused(self, seconds: float) -> None:
        """Our own politeness pause is not the server's time: move the end out by its length."""
        self._end += seconds

    def timeouts(self, client: httpx.Client) -> httpx.Timeout:
        """The client's per-step timeouts, none longer than what is left."""
        left = max(self.remaining(), 0.001)
        base = client.timeout

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(connect=cap(base.connect), read=cap(base.read), write=cap(base.write),
                             pool=cap(base.pool))

    def error(self, url: str) -> FetchError:
        return FetchError(url, "timeout", f"no complete answer within the total deadline of {self.seconds:g} s")


class _Reaper:
    """One daemon thread that fires every watchdog whose time has come. A thread per request (threading.Timer)
    cost ~0.45 ms per fetch, more than the fetch itself on a fast link; this costs a heap push."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, _Watchdog]] = []  # (monotonic end, tie-break, watchdog), a heap
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, end: float, watchdog: _Watchdog) -> None:
        with self._cond:
            heapq.heappush(self._due, (end, next(self._seq), watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pilotwatch-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            fire: list[_Watchdog] = []
            with self._cond:
                while self._due and (self._due[0][2].finished or self._due[0][0] <= time.monotonic()):
                    _, _, watchdog = heapq.heappop(self._due)
                    if not watchdog.finished:
                        fire.append(watchdog)
                if not fire:
                    self._cond.wait(self._due[0][0] - time.monotonic() if self._due else None)
            for watchdog in fire:  # outside the lock: shutting a socket may block briefly
                watchdog.cut()


class _Watchdog:
    """Shuts the connection of one request when the deadline passes. Per-step timeouts cannot stop a server that
    sends its headers or body a byte at a time; a shut socket ends any read at once. The socket comes from httpcore's
    `trace` hook at connect time, so a bounded request asks for a connection of its own (`Connection: close`)."""

    def __init__(self, deadline: _Deadline):
        self.fired = threading.Event()
        self.finished = False  # the request is over: nothing left to cut
        self._streams: list[object] = []
        self._lock = threading.Lock()
        self._deadline = deadline

    def __enter__(self) -> _Watchdog:
        if self._deadline.bounded:
            _REAPER.watch(time.monotonic() + max(self._deadline.remaining(), 0.0), self)
        return self

    def __exit__(self, *exc: object) -> None:
        self.finished = True

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            with self._lock:
                self._streams.append(info.get("return_value"))
                late = self.fired.is_set()
            if late:  # connected just as the deadline passed
                self.cut()

    def cut(self) -> None:
        with self._lock:
            self.fired.set()
            streams = list(self._streams)
        for stream in streams:
            sock = getattr(stream, "get_extra_info", lambda _: None)("socket")
            if isinstance(sock, socket.socket):
                try:  # the plain socket method: an SSLSocket's own would tear down its TLS state under the reader
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed (or detached by start_tls: the TLS stream's socket is cut instead)


_REAPER = _Reaper()


@dataclass(frozen=True)
class RobotsAnswer:
    """What reading a host's robots.txt came to. `rules` is the text to obey; RFC 9309 §2.3.1 decides it:

    2xx                      its first 512 KiB, parsed as far as read
    4xx ("gone", "http")     no rules: allow all (robots.txt unavailable)
    "offsite", "redirects"   no rules: a redirect we do not follow (off the allow-list, not http(s), more than five
                             hops) leaves robots.txt unavailable
    "server" (5xx, 429)      disallow all, for this run (unreachable: "assume complete disallow")
    "timeout", "network"     no rules: the page fetch that follows meets the same fault and records it as what it
                             is (the RFC would disallow; recording `robots` for a dead host would mislead)
    "blocked"                an anti-bot wall stands in front of robots.txt: the crawl raises it
    """

    url: str
    status: int | None  # the last HTTP status, None when none came
    kind: str | None  # the fault kind when the read failed
    detail: str
    rules: str


def read_robots(client: httpx.Client, url: str, *, allowed_hosts: Iterable[str], politeness: Politeness | None = None,
                retries: int = 0, backoff: float = 1.0, deadline: float | None = None) -> RobotsAnswer:
    """Read the robots.txt of `url`'s host through the page fetch path (allow-list on every hop, size cap after
    decompression, total deadline). Never raises a FetchError: the fault is in the answer."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    return _read_robots(client, url, allowed, politeness or Politeness(delay=0, obey_robots=False), retries, backoff,
                        _Deadline(deadline))


def _read_robots(client: httpx.Client, url: str, allowed: frozenset[str], politeness: Politeness, retries: int,
                 backoff: float, deadline: _Deadline) -> RobotsAnswer:
    parts = urllib.parse.urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        _check_host(robots_url, allowed)
        # Retried only for 429/5xx, which would disallow the host for the run; after a timeout or network error the
        # page fetch that follows meets the fault, with its own retries.
        fetched = _with_retries(lambda: _fetch_once(client, robots_url, allowed, politeness, ROBOTS_MAX_BYTES, {},
                                                    deadline, truncate=True),
                                retries, backoff, politeness, deadline, statuses_only=True)
    except FetchError as exc:
        rules = _DISALLOW_ALL if exc.kind == "server" else ""
        return RobotsAnswer(robots_url, exc.status, exc.kind, exc.message, rules)
    detail = f"HTTP {fetched.status}" + (f", read to the {ROBOTS_MAX_BYTES // 1024} KiB cap" if fetched.truncated else "")
    text = fetched.content.decode("utf-8", "replace") if 200 <= fetched.status < 300 else ""
    return RobotsAnswer(robots_url, fetched.status, None, detail, text)


def _robots_allows(client: httpx.Client, url: str, politeness: Politeness, allowed: frozenset[str], retries: int,
                   backoff: float, deadline: _Deadline) -> bool:
    from protego import Protego  # small, but only needed when crawling

    host = host_of(url)
    parser = politeness._robots.get(host)
    if parser is None:
        answer = _read_robots(client, url, allowed, politeness, retries, backoff, deadline)
        if answer.kind == "blocked":  # the anti-bot wall already stands in front of robots.txt
            raise FetchError(answer.url, "blocked", f"robots.txt: {answer.detail}", answer.status)
        parser = Protego.parse(answer.rules)
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
    deadline: float | None = None,
) -> Fetched:
    """GET `url`, following redirects only within the allow-list, with retries for transient faults, all within
    `deadline` seconds (see the module docstring for what it covers)."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    politeness = politeness or Politeness(delay=0, obey_robots=False)
    _check_host(url, allowed)
    budget = _Deadline(deadline)
    if politeness.obey_robots and not _robots_allows(client, url, politeness, allowed, retries, backoff, budget):
        raise FetchError(url, "robots", "disallowed by robots.txt")
    return _with_retries(lambda: _fetch_once(client, url, allowed, politeness, max_bytes, headers or {}, budget),
                         retries, backoff, politeness, budget)


def _with_retries(attempt_once: Callable[[], Fetched], retries: int, backoff: float, politeness: Politeness,
                  deadline: _Deadline, *, statuses_only: bool = False) -> Fetched:
    """Retry timeouts, network errors (unless statuses_only), 429 and 5xx with exponential backoff; a retry that
    could not finish before the deadline is not started."""
    attempt = 0
    while True:
        try:
            return attempt_once()
        except FetchError as exc:
            retryable = exc.status in RETRY_STATUSES or (not statuses_only and exc.kind in ("timeout", "network"))
            if not retryable or attempt >= retries or deadline.remaining() <= 0:
                raise
            attempt += 1
            pause = backoff * 2 ** (attempt - 1)
            if deadline.remaining() <= pause:
                raise FetchError(exc.url, exc.kind, f"{exc.message}; not retried: the total deadline of "
                                 f"{deadline.seconds:g} s would pass first", exc.status) from exc
            politeness.sleep(pause)


def _fetch_once(
    client: httpx.Client,
    url: str,
    allowed: frozenset[str],
    politeness: Politeness,
    max_bytes: int,
    headers: dict[str, str],
    deadline: _Deadline,
    *,
    truncate: bool = False,
) -> Fetched:
    """One attempt: every redirect hop checked against the allow-list, the body read up to `max_bytes` (a larger
    body is `too_large`, or with `truncate` cut there), all before the deadline."""
    started = time.monotonic()
    current = url
    if deadline.bounded:
        headers = {**headers, "Connection": "close"}  # a connection of its own, so the watchdog can cut it
    for _ in range(MAX_REDIRECTS + 1):
        host = host_of(current)
        paused = time.monotonic()
        politeness.wait(host)
        deadline.paused(time.monotonic() - paused)
        if deadline.remaining() <= 0:
            raise deadline.error(url)
        watchdog = _Watchdog(deadline)
        try:
            with watchdog, client.stream(
                "GET", current, headers=headers, follow_redirects=False,
                timeout=deadline.timeouts(client) if deadline.bounded else httpx.USE_CLIENT_DEFAULT,
                extensions={"trace": watchdog.trace} if deadline.bounded else None,
            ) as response:
                if response.status_code in _REDIRECTS and response.headers.get("location"):
                    current = _redirect_target(str(response.url), response.headers["location"], url, allowed)
                    continue
                _raise_for_status(url, response.status_code)
                declared = response.headers.get("content-length")
                if not truncate and declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, "too_large", f"Content-Length {declared} exceeds {max_bytes} bytes")
                body = bytearray()
                for chunk in _inflated(response):
                    body += chunk
                    if len(body) > max_bytes:
                        if not truncate:
                            raise FetchError(url, "too_large", f"body exceeds {max_bytes} bytes")
                        del body[max_bytes:]
                        break
                    if deadline.remaining() <= 0:
                        raise deadline.error(url)
                if watchdog.fired.is_set():  # the cut may have ended a body without a length early
                    raise deadline.error(url)
                if _looks_like_challenge(response.status_code, response.headers.get("content-type", ""), body):
                    raise FetchError(url, "blocked", "JS cookie-challenge page instead of content", response.status_code)
                return Fetched(
                    url=url,
                    final_url=current,
                    status=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=bytes(body),
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                    truncated=len(body) == max_bytes and truncate,
                )
        except httpx.InvalidURL as exc:  # httpx resolves a Location itself (response.next_request) before we see it
            raise FetchError(url, "offsite", f"malformed URL or redirect location ({exc})") from exc
        except httpx.TimeoutException as exc:
            if watchdog.fired.is_set() or deadline.remaining() <= 0:
                raise deadline.error(url) from exc
            raise FetchError(url, "timeout", type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            if watchdog.fired.is_set():
                raise deadline.error(url) from exc
            if isinstance(exc, httpx.RemoteProtocolError) and str(exc).startswith("Invalid URL in location header"):
                # httpx parses Location itself before we see the response
                raise FetchError(url, "offsite", f"redirect to a malformed location ({exc})") from exc
            raise FetchError(url, "network", f"{type(exc).__name__}: {exc}") from exc
        finally:
            politeness.done(host)
    raise FetchError(url, "redirects", f"more than {MAX_REDIRECTS} redirects")


def _inflated(response: httpx.Response) -> Iterator[bytes]:
    """The body with its Content-Encoding undone, at most _INFLATE_STEP bytes at a time, so the size cap stops a
    compression bomb one step past the cap (httpx's own decoder inflates a whole 64 KiB network read at once: up to
    ~64 MB of zeros). Encodings other than gzip/deflate (br, zstd when installed; stacked codings) go through httpx."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    wbits = _ZLIB_WBITS.get(encoding)
    if response.is_stream_consumed or (wbits is None and encoding not in ("", "identity")):
        yield from response.iter_bytes()  # already read (a MockTransport response), or a coding zlib does not know
        return
    if wbits is None:
        yield from response.iter_raw()
        return
    inflater = zlib.decompressobj(wbits)
    may_be_raw = encoding == "deflate"  # many servers send "deflate" as a raw stream without the zlib header
    try:
        for raw in response.iter_raw():
            data = raw
            while data and not inflater.eof:
                try:
                    out = inflater.decompress(data, _INFLATE_STEP)
                except zlib.error:
                    if not may_be_raw:
                        raise
                    may_be_raw = False
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                may_be_raw = False
                data = inflater.unconsumed_tail
                if out:
                    yield out
        tail = inflater.flush()
        if tail:
            yield tail
    except zlib.error as exc:
        raise httpx.DecodingError(f"{encoding} body: {exc}") from exc


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
