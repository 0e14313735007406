"""Digest → HTML and plain text (Jinja2; the HTML is autoescaped: crawled titles are untrusted), and writing them.

The two renderings are the two parts of the e-mail (send.build_message): text first, HTML second.
"""

from __future__ import annotations

import urllib.parse
from functools import cache
from pathlib import Path

from .build import Digest


def safe_url(url: str) -> str:
    """Only absolute http(s) links reach an analyst's mailbox; anything else (javascript:, data:, relative, a URL with
    spaces or control characters that could break a line of the text part) becomes the inert "#"."""
    url = str(url or "")
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return "#"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "#"
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else "#"


def text_url(url: str) -> str:
    """The link line of the plain-text part: the URL, or a note that it was withheld."""
    safe = safe_url(url)
    return safe if safe != "#" else "(link withheld: not an absolute http(s) URL)"


@cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("digest", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["text_url"] = text_url
    return env


CHART_CID = "chart@pilotwatch.digest"  # the e-mail's inline chart (send.build_message attaches it under this id)


def chart_file(d: Digest) -> str:
    return f"digest-{d.day}-chart.png"


def render_html(d: Digest, chart_src: str = f"cid:{CHART_CID}") -> str:
    """The HTML part; chart_src is where the chart image is: the e-mail's inline part, or the file beside a written
    digest."""
    return _env().get_template("digest.html.j2").render(d=d, chart_src=chart_src)


def render_text(d: Digest) -> str:
    return _env().get_template("digest.txt.j2").render(d=d)


def render(d: Digest) -> tuple[str, str]:
    """(html, text): both parts of the message."""
    return render_html(d), render_text(d)


def write_digest(d: Digest, out_dir: str | Path) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path, text_path = out / f"digest-{d.day}.html", out / f"digest-{d.day}.txt"
    files: list[tuple[Path, str | bytes]] = [(html_path, render_html(d, chart_file(d) if d.chart_png else "")),
                                             (text_path, render_text(d))]
    if d.chart_png:
        files.insert(0, (out / chart_file(d), d.chart_png))
    # Write then rename, so a killed run never leaves a half-written digest behind.
    for path, content in files:
        tmp = path.with_suffix(path.suffix + ".tmp")
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return html_path, text_path
