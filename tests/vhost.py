"""The sites under their real names, on localhost: a virtual-host HTTP server and a resolver transport for httpx.

`Resolver` is what DNS pointing every configured host at 127.0.0.1 would be: the crawler asks for
https://sd.news.cn/…, the URL it sees and stores is unchanged, and the request (with its Host header) reaches the
local server over plain HTTP. Hosts not in the table fail as an unresolvable name does. So the packaged source
registry (real hosts, allow-lists, article patterns, https upgrades) is tested as it is, not rebased.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

# (status, content type, body) per host and path (the query string is ignored)
Page = tuple[int, str, bytes]


class VirtualHosts:
    def __init__(self, sites: dict[str, dict[str, Page]]):
        self.sites = sites
        self.hits: Counter[str] = Counter()  # "host/path"
        pages, hits = self.sites, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                path = urlsplit(self.path).path
                hits[host + path] += 1
                status, ctype, body = pages.get(host, {}).get(path, (404, "text/plain", b"not found"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True

    def __enter__(self) -> VirtualHosts:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def client(self) -> httpx.Client:
        return httpx.Client(transport=Resolver(set(self.sites), self.server.server_address[1]),
                            headers={"User-Agent": "PilotWatch-test"}, timeout=5.0, follow_redirects=False)


class Resolver(httpx.BaseTransport):
    def __init__(self, hosts: set[str], port: int):
        self.hosts, self.port = hosts, port
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in self.hosts:
            raise httpx.ConnectError(f"[Errno -2] Name or service not known: {request.url.host}", request=request)
        local = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        headers = httpx.Headers(request.headers)
        headers["Host"] = request.url.host
        return self.inner.handle_request(httpx.Request(request.method, local, headers=headers, stream=request.stream,
                                                       extensions=request.extensions))

    def close(self) -> None:
        self.inner.close()
