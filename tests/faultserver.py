"""A real localhost HTTP server that misbehaves on purpose, one scenario per path prefix.

Every request is counted per path, so tests can assert what was (not) retried. Pages follow the NDRC template
(ul.u-list lists, TRS_Editor bodies) so the registry's NDRC rules apply to every scenario.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler import ListSpec, ParseRules, Source

ARTICLE = "/{kind}/202501/t20250101_{n}.html"
SCENARIOS = [
    # kind: (what the list does, what its article does)
    "ok", "retry_429", "always_503", "article_403", "list_412", "list_521", "timeout", "truncated", "oversized",
    "redirect_loop", "lying_charset", "malformed", "empty_list", "robots", "offsite_redirect", "etag",
]
# Hostile input (issue 13), not part of the shared fault run above: each costs up to a deadline of wall time, so tests
# start them on their own with FaultServer(kinds=...). robots_redirect's robots.txt redirects to another loopback host
# (127.0.0.2, which disallows everything); robots_bomb's robots.txt is a gzip bomb; trickle sends its body and
# slow_headers its status line and headers a byte at a time; slow_many lists ten articles that take 0.3 s each.
HOSTILE = ["trickle", "slow_headers", "robots_redirect", "robots_bomb", "gzip_bomb", "slow_many"]
BOMB_BYTES = 200_000_000  # inflated size of the gzip bombs (about 200 KB on the wire)
ROBOTS_RULES = b"User-agent: *\nDisallow: /robots_bomb/private/\n"
BODY = "国家发展改革委发布通知，部署推进{kind}相关工作。到2027年，培育中试平台20个以上，服务企业超过200家。"


def page(kind: str, n: int) -> str:
    return (f"<html><head><meta charset='utf-8'><meta name='ArticleTitle' content='关于{kind}的通知{n}'>"
            f"<meta name='PubDate' content='2025-01-01 10:00'></head><body><div class='TRS_Editor'>"
            f"<p>{BODY.format(kind=kind)}</p><p>第{n}号。</p></div></body></html>")


def list_page(kind: str, count: int = 1) -> str:
    items = "".join(f'<li><a href="{ARTICLE.format(kind=kind, n=n)}" title="通知{n}">通知{n}</a><span>2025/01/01</span></li>'
                    for n in range(1, count + 1))
    return f"<html><head><meta charset='utf-8'></head><body><ul class='u-list'>{items}</ul></body></html>"


@functools.cache
def gzip_bomb(prefix: bytes = b"", size: int = BOMB_BYTES) -> bytes:
    """`prefix` then zeros up to `size` bytes, gzip-compressed, built a megabyte at a time (never `size` in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [packer.compress(prefix)]
    zeros = bytes(1_000_000)
    for _ in range((size - len(prefix)) // len(zeros)):
        out.append(packer.compress(zeros))
    out.append(packer.flush())
    return b"".join(out)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # clients hanging up mid-fault are the point here
        pass


class FaultServer:
    """One server (one host:port) per scenario: blocking is per host, so one scenario's 403 must not silence the
    others. Paths are unique per scenario, so hits are counted by path (robots.txt: summed over the hosts)."""

    def __init__(self, timeout_sleep: float = 1.5, kinds: list[str] | None = None, trickle_interval: float = 1.0,
                 trickle_bytes: int = 30):
        self.hits: Counter[str] = Counter()
        self.timeout_sleep = timeout_sleep
        self.trickle_interval, self.trickle_bytes = trickle_interval, trickle_bytes
        self._lock = threading.Lock()
        self.servers = {kind: _QuietServer(("127.0.0.1", 0), self._handler()) for kind in kinds or SCENARIOS}
        for kind, srv in self.servers.items():
            srv.kind = kind  # type: ignore[attr-defined]
        self.bases = {kind: f"http://127.0.0.1:{srv.server_address[1]}" for kind, srv in self.servers.items()}
        # Another loopback host, for redirects that leave the allow-list: 127.0.0.2 is not 127.0.0.1 to the crawler.
        self.elsewhere = _QuietServer(("127.0.0.2", 0), self._handler())
        self.elsewhere.kind = "elsewhere"  # type: ignore[attr-defined]
        self.elsewhere_base = f"http://127.0.0.2:{self.elsewhere.server_address[1]}"

    def __enter__(self) -> FaultServer:
        for srv in [*self.servers.values(), self.elsewhere]:
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for srv in [*self.servers.values(), self.elsewhere]:
            srv.shutdown()
            srv.server_close()

    def url(self, kind: str, path: str) -> str:
        return self.bases[kind] + path

    def sources(self) -> list[Source]:
        pattern = r"^/[a-z_0-9]+/\d{6}/t\d{8}_\d+\.html$"
        rules = ParseRules(body="div.TRS_Editor", meta_title="ArticleTitle", meta_date="PubDate")
        return [
            Source(name=f"f_{kind}", label=f"fault {kind}", base=base, article_pattern=pattern, delay=0.0,
                   lists=(ListSpec(url=f"{base}/{kind}/list.html", kind="html", select="ul.u-list li a",
                                   name=f"{kind} list"),),
                   parse=rules)
            for kind, base in self.bases.items()
        ]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
                     headers: dict[str, str] | None = None, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802, C901 (one branch per scenario reads best here)
                path = self.path.split("?")[0]
                with outer._lock:
                    outer.hits[path] += 1
                    hit = outer.hits[path]
                host_kind = getattr(self.server, "kind", "")
                if path == "/robots.txt" and host_kind == "robots_redirect":
                    return self.send(302, b"", headers={"Location": outer.elsewhere_base + "/elsewhere/robots.txt"})
                if path == "/robots.txt" and host_kind == "robots_bomb":
                    return self.send(200, gzip_bomb(ROBOTS_RULES), "text/plain", headers={"Content-Encoding": "gzip"})
                if path == "/robots.txt":
                    return self.send(200, b"User-agent: *\nDisallow: /robots/\n", "text/plain")
                if path == "/elsewhere/robots.txt":
                    return self.send(200, b"User-agent: *\nDisallow: /\n", "text/plain")
                kind, _, rest = path.strip("/").partition("/")
                is_list = rest == "list.html"
                if kind == "slow_many" and is_list:
                    return self.send(200, list_page(kind, 10).encode())
                if kind == "empty_list" and is_list:
                    return self.send(200, b"<html><body><ul class='u-list'></ul><p>\xe6\x9a\x82\xe6\x97\xa0</p></body></html>")
                if kind == "list_412" and is_list:
                    return self.send(412, b"<html><script>document.cookie='x=1'</script></html>",
                                     headers={"Set-Cookie": "__jsl_clearance=abc; path=/"})
                if kind == "list_521" and is_list:
                    return self.send(521, b"")
                if kind == "etag" and is_list:
                    body = list_page(kind).encode()
                    tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    if self.headers.get("If-None-Match") == tag:
                        return self.send(304, b"", headers={"ETag": tag})
                    return self.send(200, body, headers={"ETag": tag})
                if is_list:
                    return self.send(200, list_page(kind).encode())
                n = int(path.rsplit("_", 1)[-1].split(".")[0]) if "_" in rest else 1
                if kind == "retry_429" and hit == 1:
                    return self.send(429, b"slow down", headers={"Retry-After": "0"})
                if kind == "always_503":
                    return self.send(503, b"busy")
                if kind == "article_403":
                    return self.send(403, b"forbidden")
                if kind == "timeout":
                    time.sleep(outer.timeout_sleep)
                    return self.send(200, page(kind, n).encode())
                if kind == "trickle":  # headers at once, then the body a byte at a time
                    self.send(200, b"", length=outer.trickle_bytes)
                    for _ in range(outer.trickle_bytes):
                        time.sleep(outer.trickle_interval)
                        self.wfile.write(b"x")
                    return None
                if kind == "slow_headers":  # the status line and headers a byte at a time: no single read is slow
                    body = page(kind, n).encode()
                    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                            f"Content-Length: {len(body)}\r\nX-Padding: {'p' * 40}\r\n\r\n").encode()
                    for i in range(len(head)):
                        self.wfile.write(head[i:i + 1])
                        time.sleep(outer.trickle_interval / 4)
                    self.wfile.write(body)
                    return None
                if kind == "gzip_bomb":
                    return self.send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
                if kind == "slow_many":
                    time.sleep(0.3)
                    return self.send(200, page(kind, n).encode())
                if kind == "truncated":
                    body = page(kind, n).encode()
                    self.send(200, body[:100], length=len(body))  # promise more than we send, then hang up
                    self.close_connection = True
                    return None
                if kind == "oversized":
                    return self.send(200, page(kind, n).encode() + b" " * 3_000_000)
                if kind == "redirect_loop":
                    return self.send(302, b"", headers={"Location": path})
                if kind == "offsite_redirect":
                    return self.send(302, b"", headers={"Location": "https://evil.example/landing.html"})
                if kind == "lying_charset":  # the header claims UTF-8; the bytes are GBK
                    html = page(kind, n).replace("<p>第", "<p>联系人：王镕。第")
                    return self.send(200, html.encode("gbk"), "text/html; charset=utf-8")
                if kind == "malformed":
                    html = page(kind, n).replace("</p>", "<p><div><span><b>").replace("</div></body></html>", "<td><<>>&&")
                    return self.send(200, html.encode())
                return self.send(200, page(kind, n).encode())

        return Handler
