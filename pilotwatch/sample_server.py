"""A localhost HTTP server over the bundled sample site: one port per original host, so list and article URLs keep
their real path shapes and the real crawler runs unchanged against them (demo, tests, benchmarks).

Pages may link across hosts with absolute URLs (gov.cn's search API points at www.gov.cn pages): when served,
"https://<sample host>" becomes that host's localhost address.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit


def sample_site_root() -> Path:
    return Path(str(resources.files("pilotwatch").joinpath("sample_site")))


def _handler(root: Path, rewrites: dict[bytes, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "PilotWatchSample/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            path = unquote(urlsplit(self.path).path)  # the query string is ignored (list APIs are one file each)
            target = (root / path.lstrip("/")).resolve()
            if target.is_dir():
                target = next((target / n for n in ("index.html", "index.htm") if (target / n).is_file()), target)
            if root not in target.parents or not target.is_file():
                self.send_error(404)
                return
            body = target.read_bytes()
            for real, local in rewrites.items():  # ASCII only, so GBK pages stay intact
                body = body.replace(real, local)
            if target.suffix in (".html", ".htm"):
                ctype = "text/html"  # no charset: pages declare their own, as the GBK sample does
            elif target.suffix in ("", ".json"):
                ctype = "application/json; charset=utf-8"
            else:
                ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the pipeline logs its own fetches
            pass

    return Handler


@contextlib.contextmanager
def serve_sample_site(root: Path | None = None, port_base: int = 0) -> Iterator[dict[str, str]]:
    """Serve every host folder under `root`; yields {original host: "http://127.0.0.1:<port>"}.

    With `port_base`, hosts get fixed ports port_base, port_base+1, … in name order, so article URLs (the
    articles' identity) are the same in every demo run; with 0 the OS picks free ports.
    """
    root = (root or sample_site_root()).resolve()
    servers: dict[str, ThreadingHTTPServer] = {}
    rewrites: dict[bytes, bytes] = {}  # filled once every host has its port
    try:
        for i, host_dir in enumerate(sorted(p for p in root.iterdir() if p.is_dir())):
            port = port_base + i if port_base else 0
            try:
                server = ThreadingHTTPServer(("127.0.0.1", port), _handler(host_dir, rewrites))
            except OSError as exc:
                raise OSError(f"cannot serve the sample site on 127.0.0.1:{port}: {exc.strerror}") from exc
            server.daemon_threads = True
            # a short poll interval: shutdown() waits up to one interval per server
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            servers[host_dir.name] = server
        hosts = {host: f"http://127.0.0.1:{s.server_address[1]}" for host, s in servers.items()}
        for host, base in hosts.items():
            for scheme in ("https", "http"):
                rewrites[f"{scheme}://{host}".encode()] = base.encode()
        yield hosts
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()
