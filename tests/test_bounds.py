"""Hostile input is bounded (issue 13): robots.txt goes through the page fetch path (allow-list on every hop, size cap
after decompression), a request has a total deadline that per-read timeouts cannot stretch, a source has a deadline
per run, and a redirect to something that is not an http(s) URL on the allow-list is `offsite`.

Real localhost servers (tests/faultserver.py, HOSTILE scenarios) unless the point is a header value.
"""

import time
import tracemalloc
import zlib
from dataclasses import replace

import httpx
import pytest
from faultserver import ARTICLE, HOSTILE, ROBOTS_RULES, FaultServer, gzip_bomb

from crawler import FetchError, Politeness, fetch
from pilotwatch.config import load_config
from pilotwatch.health import reachability
from pilotwatch.pipeline import build_client, run_pipeline
from store import open_store

MB = 1_000_000


class Clock:
    """run_pipeline's progress messages with their times: how long each source's crawl took."""

    def __init__(self):
        self.marks = []

    def __call__(self, message):
        self.marks.append((message.split(" (")[0], time.monotonic()))

    def took(self, source):
        times = dict(self.marks)  # sources are crawled side by side: each says when it began and ended
        return times[f"crawled {source}"] - times[f"crawling {source}"]

    def crawl(self):
        return self.marks[-1][1] - self.marks[0][1]  # up to "tagging and translating"


def host(server, kind):
    return server.bases[kind].split("//")[1]


def article(server, kind, n=1):
    return server.url(kind, ARTICLE.format(kind=kind, n=n))


def robots_politeness():
    return Politeness(delay=0, obey_robots=True, user_agent="PilotWatch")


def peak_bytes(call):
    """Peak Python heap (tracemalloc, all threads) while `call` runs, and what it returned or raised."""
    tracemalloc.start()
    try:
        try:
            result = call()
        except FetchError as exc:
            result = exc
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


# --- robots.txt: the same fetch path as every page ---


def test_robots_redirect_to_another_host_is_not_followed():
    with FaultServer(kinds=["robots_redirect"]) as server, httpx.Client(timeout=5) as client:
        url = server.url("robots_redirect", "/robots_redirect/list.html")
        f = fetch(client, url, allowed_hosts={host(server, "robots_redirect")}, politeness=robots_politeness())
    assert f.status == 200
    # 127.0.0.2 (which disallows everything) was never asked: robots.txt counts as unavailable, i.e. no rules
    assert server.hits["/elsewhere/robots.txt"] == 0 and server.hits["/robots.txt"] == 1


def test_robots_redirect_within_the_host_is_followed():
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(301, headers={"Location": "/real-robots.txt"})
        if request.url.path == "/real-robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")
        return httpx.Response(200, text="ok")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    politeness = robots_politeness()
    with pytest.raises(FetchError) as err:
        fetch(client, "https://www.ndrc.gov.cn/private/a", allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness)
    assert err.value.kind == "robots"
    assert fetch(client, "https://www.ndrc.gov.cn/a", allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness).status == 200


def test_robots_gzip_bomb_is_read_to_the_cap_and_parsed():
    gzip_bomb(ROBOTS_RULES)  # built before measuring
    with FaultServer(kinds=["robots_bomb"]) as server, httpx.Client(timeout=5) as client:
        allowed = {host(server, "robots_bomb")}
        politeness = robots_politeness()
        started = time.monotonic()
        peak, f = peak_bytes(lambda: fetch(client, server.url("robots_bomb", "/robots_bomb/list.html"),
                                           allowed_hosts=allowed, politeness=politeness))
        elapsed = time.monotonic() - started
        assert not isinstance(f, FetchError) and f.status == 200
        with pytest.raises(FetchError) as err:  # the rules before the cap were parsed
            fetch(client, server.url("robots_bomb", "/robots_bomb/private/a.html"), allowed_hosts=allowed,
                  politeness=politeness)
    assert err.value.kind == "robots"
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB for a 200 MB robots.txt bomb"  # was > 400 MB
    assert elapsed < 2.0
    assert server.hits["/robots.txt"] == 1  # read once per host, cached


@pytest.mark.parametrize("status, allowed", [(404, True), (410, True), (500, False), (503, False), (429, False)])
def test_robots_status_meaning(status, allowed):
    """RFC 9309: 4xx means no rules; 5xx (and 429, a server fault in status_kind) means disallow all for now."""
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(status)
        return httpx.Response(200, text="ok")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    politeness = Politeness(delay=0, obey_robots=True, sleep=lambda s: None)
    call = lambda: fetch(client, "https://www.ndrc.gov.cn/a", allowed_hosts={"www.ndrc.gov.cn"},  # noqa: E731
                         politeness=politeness, retries=0)
    if allowed:
        assert call().status == 200
    else:
        with pytest.raises(FetchError) as err:
            call()
        assert err.value.kind == "robots"


def test_robots_5xx_is_retried_before_it_disallows_the_host():
    answers = [httpx.Response(503), httpx.Response(200, text="User-agent: *\nDisallow: /private/\n")]
    seen = []

    def handler(request):
        seen.append(request.url.path)
        return answers.pop(0) if request.url.path == "/robots.txt" else httpx.Response(200, text="ok")

    politeness = Politeness(delay=0, obey_robots=True, sleep=lambda s: None)
    f = fetch(httpx.Client(transport=httpx.MockTransport(handler)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness, retries=1)
    assert f.status == 200 and seen == ["/robots.txt", "/robots.txt", "/a"]


def test_doctor_reads_robots_through_the_fetch_path(tmp_path):
    gzip_bomb(ROBOTS_RULES)
    config = load_config(env={}, overrides={"db": str(tmp_path / "pw.db"), "request_deadline": 2.0})
    with FaultServer(kinds=["robots_redirect", "robots_bomb"]) as server:
        peak, checks = peak_bytes(lambda: list(reachability(config, server.sources())))
    assert [c.ok for c in checks] == [True, True], [str(c) for c in checks]
    assert server.hits["/elsewhere/robots.txt"] == 0
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB"  # client.get read the whole 200 MB


# --- decompressed-size cap: a bomb inflates at most one step past the cap ---


def test_page_gzip_bomb_inflates_at_most_a_step_past_the_cap():
    gzip_bomb()
    with FaultServer(kinds=["gzip_bomb"]) as server, httpx.Client(timeout=5) as client:
        peak, result = peak_bytes(lambda: fetch(client, article(server, "gzip_bomb"),
                                                allowed_hosts={host(server, "gzip_bomb")}, max_bytes=MB))
    assert isinstance(result, FetchError) and result.kind == "too_large"
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB"  # httpx's decoder inflates a whole 64 KiB read: ~64 MB


class Streamed(httpx.SyncByteStream):
    """A body httpx has not read yet (a plain MockTransport response is read at once), in network-sized pieces."""

    def __init__(self, data):
        self.data = data

    def __iter__(self):
        for i in range(0, len(self.data), 16_384):
            yield self.data[i:i + 16_384]


@pytest.mark.parametrize("encoding, pack", [
    ("gzip", lambda b: zlib.compress(b, wbits=16 + zlib.MAX_WBITS)),
    ("deflate", zlib.compress),  # with the zlib header, as RFC 9110 says
    ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),  # raw, as many servers send it
    ("identity", lambda b: b),
])
def test_content_encodings_are_undone(encoding, pack):
    body = "通知".encode() * 100_000
    resp = lambda r: httpx.Response(200, headers={"Content-Encoding": encoding}, stream=Streamed(pack(body)))  # noqa: E731
    f = fetch(httpx.Client(transport=httpx.MockTransport(resp)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"})
    assert f.content == body


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_corrupt_compressed_body_is_a_network_fault(encoding):
    resp = lambda r: httpx.Response(200, headers={"Content-Encoding": encoding}, stream=Streamed(b"\xff" * 1000))  # noqa: E731
    with pytest.raises(FetchError) as err:
        fetch(httpx.Client(transport=httpx.MockTransport(resp)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, retries=0)
    assert err.value.kind == "network" and "DecodingError" in str(err.value)


# --- a total deadline per request ---


@pytest.mark.parametrize("kind", ["trickle", "slow_headers"])
def test_trickling_server_is_cut_at_the_total_deadline(kind):
    """1 byte/s body or 4 bytes/s headers with a 5 s per-read timeout: no single read times out, the deadline does."""
    with FaultServer(kinds=[kind]) as server, httpx.Client(timeout=5) as client:
        politeness = Politeness(delay=0, obey_robots=False)
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetch(client, article(server, kind), allowed_hosts={host(server, kind)}, politeness=politeness,
                  retries=2, backoff=0.1, deadline=1.5)
        elapsed = time.monotonic() - started
    assert err.value.kind == "timeout" and "total deadline of 1.5 s" in str(err.value)
    assert 1.4 < elapsed < 2.0, elapsed  # was 30 s (trickle) / 32 s (headers) per attempt
    assert server.hits[ARTICLE.format(kind=kind, n=1)] == 1  # the budget is spent: no retry


@pytest.fixture
def tls_trickle(tmp_path):
    """An https server on 127.0.0.1 (self-signed) trickling /headers or /body a byte at a time: the real sources are
    https, where the watchdog must cut the TLS socket, not the plain one start_tls took over."""
    import datetime
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            raw = (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padding: " + b"p" * 60 + b"\r\n\r\nok"
                   if self.path == "/headers" else b"HTTP/1.1 200 OK\r\nContent-Length: 60\r\n\r\n" + b"x" * 60)
            start = 0 if self.path == "/headers" else raw.index(b"\r\n\r\n") + 4
            try:
                self.wfile.write(raw[:start])
                for i in range(start, len(raw)):
                    self.wfile.write(raw[i:i + 1])
                    time.sleep(0.2)
            except OSError:
                pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass

    server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("path", ["/headers", "/body"])
def test_trickling_https_server_is_cut_at_the_total_deadline(tls_trickle, path):
    with httpx.Client(verify=False, timeout=5) as client:
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetch(client, f"https://{tls_trickle}{path}", allowed_hosts={tls_trickle}, retries=1, deadline=1.0)
        elapsed = time.monotonic() - started
    assert err.value.kind == "timeout" and "total deadline" in str(err.value) and 0.9 < elapsed < 1.5, elapsed


def test_deadline_spans_retries():
    """Each attempt's read timeout (0.5 s) is short, but four attempts would take 2+ s: the deadline ends them."""
    with FaultServer(kinds=["timeout"], timeout_sleep=3) as server, httpx.Client(timeout=0.5) as client:
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            fetch(client, article(server, "timeout"), allowed_hosts={host(server, "timeout")}, retries=3,
                  backoff=0.1, deadline=1.2)
        elapsed = time.monotonic() - started
    assert err.value.kind == "timeout" and elapsed < 1.4, elapsed  # was 2.7 s: 4 × 0.5 s + 0.1 + 0.2 + 0.4 s pauses
    # 0.5 s timeout, 0.1 s pause, 0.5 s timeout: 0.1 s left, less than the next pause, so no third attempt
    assert server.hits[ARTICLE.format(kind="timeout", n=1)] == 2


def test_retry_does_not_start_when_the_budget_is_gone():
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(503)

    politeness = Politeness(delay=0, obey_robots=False, sleep=lambda s: None)
    with pytest.raises(FetchError) as err:
        fetch(httpx.Client(transport=httpx.MockTransport(handler)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness, retries=2, backoff=5.0, deadline=1.0)
    assert err.value.kind == "server" and len(requests) == 1 and "not retried" in str(err.value)


def test_politeness_pauses_do_not_count_against_the_deadline():
    politeness = Politeness(delay=0.6, jitter=0.0, obey_robots=False)
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text="ok")))
    fetch(client, "https://www.ndrc.gov.cn/a", allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness)
    f = fetch(client, "https://www.ndrc.gov.cn/b", allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness,
              deadline=0.3)  # waits 0.6 s for the host first: our pause, not the server's time
    assert f.status == 200


# --- redirects to things that are not http(s) URLs on the allow-list ---


@pytest.mark.parametrize("location", [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "mailto:a@b.c", "http://[::1",
    "http://[::1/x", "ftp://www.ndrc.gov.cn/x", "http://www.ndrc.gov.cn:abc/", "https://www.ndrc.gov.cn:99999/x",
    "http:///x", "\x00http://www.ndrc.gov.cn/x",
])
def test_redirect_to_a_non_http_or_malformed_location_is_offsite(location):
    requests = []

    def handler(request):
        requests.append(request)
        return httpx.Response(302, headers={"Location": location})

    with pytest.raises(FetchError) as err:
        fetch(httpx.Client(transport=httpx.MockTransport(handler)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, retries=2)
    assert err.value.kind == "offsite" and len(requests) == 1


# --- a deadline per source and run ---


def test_source_deadline_stops_a_slow_source_and_the_run_goes_on(tmp_path):
    config = load_config(env={}, overrides={"db": str(tmp_path / "pw.db"), "digest_dir": str(tmp_path / "d"),
                                            "delay": 0.0, "retries": 0, "request_deadline": 1.0,
                                            "source_deadline": 1.0, "max_attachments": 0})
    clock = Clock()
    with FaultServer(kinds=["slow_many", "ok"]) as server:
        st = open_store(config.db)
        with build_client(config) as client:
            report = run_pipeline(config, sources=server.sources(), client=client, store=st, mode="demo",
                                  digest_dir=tmp_path / "d", progress=clock)
    failures = st.query("SELECT source, stage, kind, message FROM failures")
    stored = {r["url"] for r in st.query("SELECT url FROM articles")}
    health = {r["name"]: r for r in st.source_health()}
    st.close()
    slow = sum(n for p, n in server.hits.items() if p.startswith("/slow_many/") and "list" not in p)
    assert 1 <= slow <= 4, slow  # 0.3 s each (plus parsing): stopped after about a second, not after all ten
    assert [(f["source"], f["stage"], f["kind"]) for f in failures] == [("f_slow_many", "fetch", "deadline")]
    assert "source_deadline" in failures[0]["message"]
    assert health["f_slow_many"]["last_error_kind"] == "deadline" and report.sources_failed == ["f_slow_many"]
    assert article(server, "ok") in stored  # the next source ran
    assert sum(1 for u in stored if "/slow_many/" in u) in (slow - 1, slow)  # the last one may have been cut short
    assert clock.took("f_slow_many") < 2.0, clock.marks  # 1 s, and at most one page's parsing after it


def test_hostile_sources_in_one_run(tmp_path):
    """All hostile scenarios next to a healthy one, in one run: each is recorded, bounded, and the run finishes."""
    gzip_bomb()
    gzip_bomb(ROBOTS_RULES)
    config = load_config(env={}, overrides={"db": str(tmp_path / "pw.db"), "digest_dir": str(tmp_path / "d"),
                                            "delay": 0.0, "retries": 1, "timeout": 5.0, "request_deadline": 1.0,
                                            "source_deadline": 2.0, "max_attachments": 0})
    clock = Clock()
    with FaultServer(kinds=[*HOSTILE, "ok"]) as server:
        st = open_store(config.db)
        with build_client(config) as client:
            report = run_pipeline(config, sources=[replace(s, delay=0.0) for s in server.sources()], client=client,
                                  store=st, mode="demo", digest_dir=tmp_path / "d", progress=clock)
    kinds = {(r["source"], r["stage"], r["kind"]) for r in st.query("SELECT source, stage, kind FROM failures")}
    stored = {r["url"] for r in st.query("SELECT url FROM articles")}
    st.close()
    assert kinds == {("f_trickle", "fetch", "timeout"), ("f_slow_headers", "fetch", "timeout"),
                     ("f_gzip_bomb", "fetch", "too_large"), ("f_slow_many", "fetch", "deadline")}
    for kind in ("ok", "robots_redirect", "robots_bomb"):
        assert article(server, kind) in stored, kind
    assert server.hits["/elsewhere/robots.txt"] == 0
    assert report.exit_code == 1
    assert clock.took("f_trickle") < 1.3 and clock.took("f_slow_headers") < 1.3, clock.marks
    assert clock.took("f_slow_many") < 3.0, clock.marks  # 2 s, and at most one page's parsing after it
    assert clock.crawl() < 8.0, clock.marks  # 1 s + 1 s + 2 s of deadlines, the rest is quick
