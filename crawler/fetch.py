"""Fetch one URL politely and classify every failure.

Exceptions::

    FetchError            (carries .url and .kind; .status when the server answered)
      kind = "offsite"    host not on the allow-list (also for redirects that leave it, and for redirects to anything
                          that is not an http(s) URL: javascript:, data:, mailto:, a malformed URL)
             "robots"     disallowed by the host's robots.txt
             "timeout"    connect/read timeout, after retries; or the fetch's total deadline passed
             "network"    DNS lookup or TCP connect failed (not retried: the host is then unreachable for the run, see
                          below); TLS, protocol errors, broken connections, after retries
             "unreachable" not asked: the host's DNS lookup or TCP connect failed earlier with this Politeness (the
                          run); no request, no politeness pause
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
    hosts    the allow-list on every hop, robots.txt included; only http(s) URLs. A host whose DNS lookup or TCP
             connect fails is not asked again with the same Politeness (one warning names it and the reason): an
             offline machine costs one attempt per host, not retries and pauses per URL.

Retries (`retries`: timeouts, network errors, 429, 5xx) wait what a Retry-After header asks (seconds or an HTTP date),
else `backoff` doubling per attempt; a wait the deadline cannot hold is not started. Each retry is logged at INFO.

Only this module and the store do I/O; the HTTP client is injected so tests can pass a MockTransport
or point at a localhost server.
"""

from __future__ import annotations

import email.utils
import errno
import heapq
import itertools
import logging
import math
import random
import socket
import ssl
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

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
RETRY_AFTER_MAX = 120.0  # the longest Retry-After honoured when the fetch has no deadline of its own
# errors of a TCP connect that asking again in this run will not cure (a DNS failure is a socket.gaierror)
_UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN,
                                 errno.EHOSTDOWN, errno.EADDRNOTAVAIL})

log = logging.getLogger(__name__)


class FetchError(Exception):
    """A failed fetch. str() is "<message> (<url>)" as for DiscoverError and ParseError: the kind is a field of its
    own (stored in its own column), never repeated in the message."""

    def __init__(self, url: str, kind: str, message: str, status: int | None = None, *,
                 retry_after: float | None = None, down: Unreachable | None = None):
        super().__init__(f"{message} ({url})")
        self.url = url
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds a 429/5xx answer's Retry-After asked for
        self.down = down  # set when this failure made a host unreachable for the run: not retried


@dataclass(frozen=True)
class Unreachable:
    """Why a host could not be reached: `step` "DNS" (the name did not resolve) or "connect" (TCP connect refused or
    unreachable), in the system's words (`reason`)."""

    step: str
    reason: str

    def __str__(self) -> str:
        return f"{'DNS lookup' if self.step == 'DNS' else 'TCP connect'} failed: {self.reason}"


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
    """Per-host delay with jitter, robots.txt answers cached per host, and the hosts found unreachable. One instance
    serves a whole run, so two sources on one host (gov.cn's library as a fallback) still share that host's pacing,
    and a dead host is tried once per run, whichever source asks.

    Thread-safe: hosts are crawled side by side, each in its own turn. `wait` takes the host's turn (one request at
    a time per host, whichever thread asks) and its pause; `done` ends it. The delay is measured from the end of the
    previous request to the same host.
    """

    delay: float = 5.0  # default for hosts not in host_delays
    host_delays: dict[str, float] = field(default_factory=dict)
    jitter: float = 0.5
    obey_robots: bool = True
    user_agent: str = "PilotWatch"
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    # hosts whose DNS lookup or TCP connect failed: not asked again by fetches sharing this instance (the run)
    unreachable: dict[str, Unreachable] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, object] = field(default_factory=dict)
    _turns: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, host: str) -> None:
        """Take the host's turn (blocking while another thread has it), then pause out its delay. Every wait is
        followed by one done(host), which ends the turn."""
        with self._guard:
            turn = self._turns.setdefault(host, threading.Lock())
        turn.acquire()
        try:
            last = self._last.get(host)
            delay = self.host_delays.get(host, self.delay)
            if last is not None and delay > 0:
                pause = delay * (1 + random.uniform(-self.jitter, self.jitter)) - (self.clock() - last)
                if pause > 0:
                    self.sleep(pause)
        except BaseException:
            turn.release()
            raise

    def done(self, host: str, *, asked: bool = True) -> None:
        """End the host's turn; asked=False: no request went out, so the next one need not wait for this one."""
        if asked:
            self._last[host] = self.clock()
        turn = self._turns.get(host)
        if turn is not None and turn.locked():
            turn.release()

    def check_reachable(self, url: str, host: str) -> None:
        """Refuse, without a request or a pause, a URL on a host found unreachable earlier."""
        down = self.unreachable.get(host)
        if down is not None:
            raise FetchError(url, "unreachable", f"not asked: {host} was unreachable earlier in this run ({down})")

    def mark_unreachable(self, host: str, down: Unreachable) -> None:
        if host not in self.unreachable:
            self.unreachable[host] = down
            log.warning("%s unreachable (%s) — skipping it for this run", host, down)


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
                             is (the RFC would disallow; recording `robots` for a dead host would mislead); a DNS
                             or connect failure is raised for the page at once (the host is unreachable for the run)
    "unreachable"            not asked: the host was found unreachable earlier with the same Politeness
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
        if host in politeness.unreachable:  # robots.txt found the host dead: the page fails for the same reason
            raise FetchError(url, "network", str(politeness.unreachable[host]), down=politeness.unreachable[host])
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
    politeness.check_reachable(url, host_of(url))
    budget = _Deadline(deadline)
    if politeness.obey_robots and not _robots_allows(client, url, politeness, allowed, retries, backoff, budget):
        raise FetchError(url, "robots", "disallowed by robots.txt")
    return _with_retries(lambda: _fetch_once(client, url, allowed, politeness, max_bytes, headers or {}, budget),
                         retries, backoff, politeness, budget)


def _with_retries(attempt_once: Callable[[], Fetched], retries: int, backoff: float, politeness: Politeness,
                  deadline: _Deadline, *, statuses_only: bool = False) -> Fetched:
    """Retry timeouts, network errors (unless statuses_only; never a DNS or connect failure), 429 and 5xx. The pause
    is what the answer's Retry-After asks, else exponential backoff; a retry that could not start before the deadline
    is not started (the error says why), and each retry is logged at INFO.

    A hand loop rather than tenacity/stamina: the pause depends on the failure (Retry-After), the give-up on the
    deadline shared with robots.txt and redirects, and a give-up rewrites the error's message — three custom hooks
    around a ten-line loop."""
    attempt = 0
    while True:
        try:
            return attempt_once()
        except FetchError as exc:
            retryable = exc.status in RETRY_STATUSES or (not statuses_only and exc.kind in ("timeout", "network")
                                                         and exc.down is None)
            if not retryable or attempt >= retries or deadline.remaining() <= 0:
                raise
            attempt += 1
            asked = exc.retry_after is not None
            pause = exc.retry_after if asked else backoff * 2 ** (attempt - 1)
            room = deadline.remaining() if deadline.bounded else RETRY_AFTER_MAX if asked else math.inf
            if pause >= room:
                limit = (f"the {max(room, 0):.0f} s left of the total deadline of {deadline.seconds:g} s"
                         if deadline.bounded else f"the {RETRY_AFTER_MAX:g} s we wait at most")
                why = (f"Retry-After asks {pause:g} s, more than {limit}" if asked else
                       f"the total deadline of {deadline.seconds:g} s would pass first")
                raise FetchError(exc.url, exc.kind, f"{exc.message}; not retried: {why}", exc.status) from exc
            log.info("GET %s: %s, retry %d of %d in %s s (%s)", exc.url, exc.message, attempt, retries,
                     f"{pause:.1f}".removesuffix(".0"), "Retry-After" if asked else "backoff")
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
        politeness.check_reachable(url, host)  # before the pause: a dead host costs no waiting
        paused = time.monotonic()
        politeness.wait(host)
        deadline.paused(time.monotonic() - paused)
        if deadline.remaining() <= 0:
            politeness.done(host, asked=False)
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
                _raise_for_status(url, response.status_code, response.headers.get("retry-after"))
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
            raise FetchError(url, "timeout", _timeout_reason(exc)) from exc
        except httpx.HTTPError as exc:
            if watchdog.fired.is_set():
                raise deadline.error(url) from exc
            if isinstance(exc, httpx.RemoteProtocolError) and str(exc).startswith("Invalid URL in location header"):
                # httpx parses Location itself before we see the response
                raise FetchError(url, "offsite", f"redirect to a malformed location ({exc})") from exc
            down = _unreachable(exc)
            if down is not None:
                politeness.mark_unreachable(host, down)
                raise FetchError(url, "network", str(down), down=down) from exc
            raise FetchError(url, "network", _transport_reason(exc)) from exc
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


def _raise_for_status(url: str, status: int, retry_after: str | None = None) -> None:
    kind = status_kind(status)
    if kind is not None:
        raise FetchError(url, kind, f"HTTP {status}" + (" (anti-bot answer)" if kind == "blocked" else ""), status,
                         retry_after=_retry_after(retry_after) if status in RETRY_STATUSES else None)


def _retry_after(value: str | None) -> float | None:
    """The seconds a Retry-After header asks for (RFC 9110 §10.2.3: delta-seconds or an HTTP date); None when absent
    or unreadable (then the backoff applies)."""
    value = (value or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _os_error(exc: BaseException) -> OSError | None:
    """The system error under an httpx error (httpx → httpcore → socket), if there is one."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, OSError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _os_words(err: OSError) -> str:
    """The system's words for an error, with its errno name where it has one: "Connection refused (ECONNREFUSED)",
    "Name or service not known" (a resolver's code is no errno), "TLS: CERTIFICATE_VERIFY_FAILED …"."""
    if isinstance(err, ssl.SSLError):
        return f"TLS: {err.strerror or err}"
    words = err.strerror or str(err) or type(err).__name__
    name = None if isinstance(err, socket.gaierror) else errno.errorcode.get(err.errno or 0)
    return f"{words} ({name})" if name else words


def _unreachable(exc: httpx.HTTPError) -> Unreachable | None:
    """A DNS or TCP connect failure, which asking again in this run will not cure; None for anything else (TLS
    failures, broken connections, protocol errors)."""
    if not isinstance(exc, httpx.ConnectError):
        return None
    err = _os_error(exc)
    if isinstance(err, socket.gaierror):
        return Unreachable("DNS", _os_words(err))
    if err is None:  # no system error underneath (a transport that says only "cannot connect")
        return Unreachable("connect", str(exc) or type(exc).__name__)
    if err.errno in _UNREACHABLE_ERRNOS:
        return Unreachable("connect", _os_words(err))
    return None


def _transport_reason(exc: httpx.HTTPError) -> str:
    """What went wrong on the wire, in the system's words when it has some ("Connection reset by peer
    (ECONNRESET)"), else httpx's ("RemoteProtocolError: peer closed connection without sending complete message
    body")."""
    err = _os_error(exc)
    if err is not None and err.strerror:
        return _os_words(err)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _timeout_reason(exc: httpx.TimeoutException) -> str:
    step = {httpx.ConnectTimeout: "connecting", httpx.ReadTimeout: "waiting for data", httpx.WriteTimeout: "sending",
            httpx.PoolTimeout: "waiting for a free connection"}.get(type(exc), type(exc).__name__)
    return f"timed out {step}"
