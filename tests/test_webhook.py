"""Tests of digest/webhook.py: post() against a scripted server on 127.0.0.1, and its URL, Retry-After and Slack helpers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from digest.webhook import (
    BODY_CAP,
    SNIPPET_CHARS,
    PostResult,
    check_url,
    endpoint_label,
    post,
    retry_after,
    slack_escape,
    slack_link,
)

TOKEN = "SECRETTOKEN123"
HOOK_PATH = f"/services/T000/B000/{TOKEN}"
KEY = "digest:2025-01-01:biomanufacturing#1"
PAYLOAD = {"text": "新发布：生物制造中试平台 & <b>", "items": [{"title": "关于中试平台建设的通知", "n": 1}]}

# (status, headers, body); a callable body is given the request's path (to echo it back)
Answer = tuple[int, dict[str, str], bytes | Callable[[str], bytes]]


@dataclass
class Received:
    path: str
    headers: Message
    body: bytes


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a client hanging up on a huge answer is expected
        pass


@dataclass
class Hook:
    """A webhook receiver on 127.0.0.1: gives `answers` in order (then 200 "ok") and records every request."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = HOOK_PATH) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def label(self) -> str:
        return f"http://127.0.0.1:{self.port}/…"


@contextmanager
def serve() -> Iterator[Hook]:
    hook = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append(Received(self.path, self.headers, body))
            status, headers, content = hook.answers.pop(0) if hook.answers else (200, {}, b"ok")
            content = content(self.path) if callable(content) else content
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def hook() -> Iterator[Hook]:
    with serve() as h:
        yield h


@pytest.fixture
def other_hook() -> Iterator[Hook]:
    with serve() as h:
        yield h


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5, trust_env=False) as c:
        yield c


class FakeTime:
    """clock, sleep and now for post(): a sleep is recorded and moves the clock on, without waiting."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []
        self.start = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)

    def clock(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.t)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def send(client: httpx.Client, url: str, fake: FakeTime, **kw) -> PostResult:
    return post(client, url, PAYLOAD, key=KEY, sleep=fake.sleep, clock=fake.clock, now=fake.now, **kw)


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> tuple[httpx.Client, list[httpx.Request]]:
    """A client whose transport calls `handler` in-process, and the list of requests it was given."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.Client(transport=httpx.MockTransport(record), timeout=10), seen


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- post ---------------------------------------------------------------------------------------------------------

def test_a_2xx_is_delivered_on_the_first_try(hook, client, fake):
    result = send(client, hook.url(), fake)
    assert result == PostResult(ok=True, status=200, attempts=1)
    [req] = hook.requests
    assert req.path == HOOK_PATH
    assert json.loads(req.body.decode("utf-8")) == PAYLOAD
    assert "生物制造中试平台".encode() in req.body  # UTF-8 on the wire, not \u escapes
    assert req.headers["Content-Type"].startswith("application/json")
    assert req.headers["Idempotency-Key"] == KEY
    assert fake.slept == []


def test_5xx_is_retried_with_doubling_backoff_and_the_same_key_and_body(hook, client, fake):
    hook.answers = [(503, {}, b"busy"), (503, {}, b"busy"), (200, {}, b"ok")]
    result = send(client, hook.url(), fake, backoff=2.0)
    assert result.ok and result.status == 200 and result.attempts == 3
    assert result.waits == (2.0, 4.0) and fake.slept == [2.0, 4.0]
    assert len(hook.requests) == 3
    assert {r.headers["Idempotency-Key"] for r in hook.requests} == {KEY}
    assert {r.body for r in hook.requests} == {hook.requests[0].body}


def test_retry_after_seconds_is_the_wait(hook, client, fake):
    hook.answers = [(429, {"Retry-After": "7"}, b"slow down")]
    result = send(client, hook.url(), fake)
    assert result.ok and result.attempts == 2
    assert result.waits == (7.0,) and fake.slept == [7.0]


def test_retry_after_http_date_is_the_wait(hook, client, fake):
    when = format_datetime(fake.start + timedelta(seconds=30), usegmt=True)
    hook.answers = [(429, {"Retry-After": when}, b"slow down")]
    result = send(client, hook.url(), fake)
    assert result.ok and result.waits == (30.0,)


@pytest.mark.parametrize("retries", [0, 3])
def test_retry_after_above_max_wait_gives_up_without_sleeping(hook, client, fake, retries):
    hook.answers = [(429, {"Retry-After": "3600"}, b"rate limited")]
    result = send(client, hook.url(), fake, retries=retries, max_wait=60)
    assert not result.ok and result.kind == "rate_limited"
    assert result.retry_after == 3600.0 and result.status == 429 and result.attempts == 1
    assert "Retry-After 3600 s" in result.error
    assert fake.slept == [] and len(hook.requests) == 1


def test_retries_exhausted_keep_the_last_failure(hook, client, fake):
    hook.answers = [(503, {}, b"down for maintenance")] * 4
    result = send(client, hook.url(), fake, retries=3)
    assert not result.ok and result.kind == "http_503" and result.status == 503
    assert result.attempts == 4 and len(hook.requests) == 4
    assert "after 4 attempts" in result.error and "down for maintenance" in result.error
    assert result.waits == (2.0, 4.0, 8.0)


@pytest.mark.parametrize("status", [400, 404])
def test_a_client_error_is_not_retried_and_the_token_never_reaches_the_error(hook, client, fake, status):
    hook.answers = [(status, {"Content-Type": "text/plain"},
                     lambda path: f"no_such_hook: {path}\ntoken {path.rsplit('/', 1)[-1]} is invalid".encode())]
    url = hook.url()
    result = send(client, url, fake)
    assert not result.ok and result.kind == f"http_{status}" and result.status == status
    assert result.attempts == 1 and len(hook.requests) == 1 and fake.slept == []
    assert endpoint_label(url) == hook.label
    assert result.error.startswith(f"{hook.label}: HTTP {status}: no_such_hook: ")
    assert "is invalid" in result.error and "\n" not in result.error
    assert TOKEN not in result.error and "/services/" not in result.error


@pytest.mark.parametrize("status", [302, 307, 308])
def test_a_redirect_is_not_followed_even_by_a_following_client(hook, other_hook, fake, status):
    hook.answers = [(status, {"Location": other_hook.url()}, b"")]
    with httpx.Client(timeout=5, trust_env=False, follow_redirects=True) as following:
        result = send(following, hook.url(), fake)
    assert not result.ok and result.kind == "redirect" and result.status == status
    assert result.attempts == 1 and fake.slept == []
    assert other_hook.requests == []
    assert f"redirect to {other_hook.label} not followed" in result.error
    assert TOKEN not in result.error


def test_connection_refused_is_a_retried_network_failure(client, fake):
    port = closed_port()
    result = send(client, f"http://127.0.0.1:{port}{HOOK_PATH}", fake, retries=2)
    assert not result.ok and result.kind == "network" and result.status is None
    assert result.attempts == 3 and result.waits == (2.0, 4.0)
    assert result.error.startswith(f"http://127.0.0.1:{port}/…: connection refused")
    assert "after 3 attempts" in result.error and TOKEN not in result.error


def test_a_read_timeout_is_a_retried_timeout(fake):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, seen = mock_client(handler)
    with client:
        result = send(client, f"https://hooks.example.com{HOOK_PATH}", fake, retries=1)
    assert not result.ok and result.kind == "timeout" and result.status is None
    assert result.attempts == 2 and len(seen) == 2 and result.waits == (2.0,)
    assert result.error == "https://hooks.example.com/…: timed out after 10 s (2 attempts)"


def test_a_wait_past_the_deadline_stops(hook, client, fake):
    hook.answers = [(503, {}, b"busy")] * 5
    # t=0: 503, wait 2 (ends at 2 ≤ 5); t=2: 503, wait 4 would end at 6 > 5
    result = send(client, hook.url(), fake, retries=5, backoff=2.0, deadline=5.0)
    assert not result.ok and result.kind == "deadline" and result.status == 503
    assert result.attempts == 2 and len(hook.requests) == 2
    assert result.waits == (2.0,) and fake.slept == [2.0]
    assert "deadline" in result.error


def test_a_10_mb_error_answer_gives_a_short_one_line_snippet(hook, client, fake):
    line = b"upstream exploded\r\n\tretry later\n"
    hook.answers = [(500, {"Content-Type": "text/plain; charset=utf-8"}, line * (10_000_000 // len(line)))]
    result = send(client, hook.url(), fake, retries=0)
    assert result.kind == "http_500" and result.attempts == 1
    prefix = f"{hook.label}: HTTP 500: "
    assert result.error.startswith(prefix)
    snippet = result.error[len(prefix):]
    assert snippet.startswith("upstream exploded retry later upstream exploded")
    assert 0 < len(snippet) <= SNIPPET_CHARS
    assert not any(c in result.error for c in "\r\n\t")


def test_at_most_body_cap_bytes_of_an_answer_are_read(fake):
    pulled = []

    class Endless(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(10_000):  # 160 MB if read to the end
                pulled.append(16_384)
                yield b"e" * 16_384

    client, _ = mock_client(lambda request: httpx.Response(500, stream=Endless()))
    with client:
        result = send(client, f"https://hooks.example.com{HOOK_PATH}", fake, retries=0)
    assert result.kind == "http_500"
    assert sum(pulled) <= BODY_CAP + 16_384


# --- bad input ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"http://example.org{HOOK_PATH}",
    f"ftp://127.0.0.1:2121{HOOK_PATH}",
    f"https://user:hunter2@hooks.example.com{HOOK_PATH}",
    f"https://hooks.example.com{HOOK_PATH} ",
    "",
])
def test_a_bad_url_makes_no_request(fake, url):
    client, seen = mock_client(lambda request: httpx.Response(200))
    with client:
        result = send(client, url, fake)
    assert seen == []
    assert not result.ok and result.kind == "bad_url" and result.attempts == 0 and result.status is None
    assert "bad webhook URL" in result.error and TOKEN not in result.error and "hunter2" not in result.error


@pytest.mark.parametrize("key", ["", "two words", "line\nbreak", "ключ", "k" * 201, None, 42])
def test_a_bad_idempotency_key_raises(fake, key):
    client, seen = mock_client(lambda request: httpx.Response(200))
    with client, pytest.raises(ValueError):
        post(client, f"https://hooks.example.com{HOOK_PATH}", PAYLOAD, key=key, sleep=fake.sleep)
    assert seen == []


def test_a_200_character_key_is_sent(fake):
    client, seen = mock_client(lambda request: httpx.Response(200))
    with client:
        result = post(client, f"https://hooks.example.com{HOOK_PATH}", PAYLOAD, key="~" * 200, sleep=fake.sleep)
    assert result.ok and seen[0].headers["Idempotency-Key"] == "~" * 200


# --- check_url, endpoint_label ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "HTTPS://hooks.example.com:8443/x",
    "http://localhost:8080/hook",
    "http://127.0.0.1/hook",
    "http://127.0.0.2:9000/hook",
    "http://[::1]:9000/hook",
])
def test_check_url_accepts(url):
    assert check_url(url) is None


@pytest.mark.parametrize("url, reason", [
    ("http://example.org/hook", "clear text"),
    ("http://127.0.0.1.example.org/hook", "clear text"),
    ("https://user:pass@hooks.example.com/x", "user:password@"),
    ("http://user@localhost/x", "user:password@"),
    ("https://hooks.example.com/a b", "whitespace"),
    (" https://hooks.example.com/x", "whitespace"),
    ("https://hooks.example.com/x\n", "whitespace"),
    ("https://hooks.example.com/\x00", "control"),
    ("ftp://127.0.0.1/x", "scheme"),
    ("hooks.example.com/x", "scheme"),
    ("https:///x", "no host"),
    ("http://localhost:99999/x", "not a valid URL"),
    ("", "empty"),
])
def test_check_url_refuses(url, reason):
    assert reason in (check_url(url) or "")


@pytest.mark.parametrize("url, label", [
    ("https://hooks.slack.com/services/T/B/SECRET", "https://hooks.slack.com/…"),
    ("https://hooks.example.com/?token=abc", "https://hooks.example.com/…"),
    ("https://user:pw@hooks.example.com:8443", "https://hooks.example.com:8443"),
    ("HTTP://[::1]:8080/x", "http://[::1]:8080/…"),
    ("not a url", "(invalid URL)"),
])
def test_endpoint_label(url, label):
    assert endpoint_label(url) == label


# --- retry_after --------------------------------------------------------------------------------------------------

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_retry_after_delta_seconds():
    assert retry_after("120", NOW) == 120.0
    assert retry_after(" 0 ", NOW) == 0.0


def test_retry_after_http_date():
    assert retry_after("Wed, 01 Jan 2025 12:02:00 GMT", NOW) == 120.0
    assert retry_after("Wed, 01 Jan 2025 12:02:00 GMT", NOW.replace(tzinfo=None)) == 120.0  # naive now is UTC
    assert retry_after("Tue, 31 Dec 2024 12:00:00 GMT", NOW) == 0.0  # already past


@pytest.mark.parametrize("value", ["soon", "", "-5", "1.5", "1e3", "Wed, 99 Foo 2025", None])
def test_retry_after_unusable(value):
    assert retry_after(value, NOW) is None


# --- Slack mrkdwn -------------------------------------------------------------------------------------------------

def test_slack_escape():
    assert slack_escape("a & b <c> d") == "a &amp; b &lt;c&gt; d"
    assert slack_escape("<!channel>") == "&lt;!channel&gt;"
    assert slack_escape("生物制造 *bold*") == "生物制造 *bold*"


def test_slack_link():
    assert slack_link("https://example.com/a?b=1&c=2", "Report <!channel> & more") == \
        "<https://example.com/a?b=1&amp;c=2|Report &lt;!channel&gt; &amp; more>"
    assert slack_link("http://example.com/", "") == "<http://example.com/>"


@pytest.mark.parametrize("url", [
    "https://example.com/a|b",
    "https://example.com/a>b",
    "https://example.com/a b",
    "https://example.com/a\tb",
    "javascript:alert(1)",
    "ftp://example.com/x",
    "mailto:someone@example.com",
    "/relative/path",
    "https://",
    "",
])
def test_slack_link_refuses_a_url_and_shows_the_escaped_label(url):
    assert slack_link(url, "<!channel> news") == "&lt;!channel&gt; news"
