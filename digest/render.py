"""Digest → HTML and plain text (Jinja2, autoescaped: crawled titles are untrusted), and writing them to a folder."""

from __future__ import annotations

import urllib.parse
from functools import cache
from pathlib import Path

from .build import SECTOR_LABELS, Digest


def safe_url(url: str) -> str:
    """Only http(s) links reach an analyst's mailbox; anything else (javascript:, data:) becomes inert."""
    return url if urllib.parse.urlsplit(url).scheme in ("http", "https") else "#"


@cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("digest", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["safe_url"] = safe_url
    env.filters["sector_label"] = lambda s: SECTOR_LABELS.get(s, s)
    return env


def render_html(d: Digest) -> str:
    return _env().get_template("digest.html.j2").render(d=d, sector_labels=SECTOR_LABELS)


def render_text(d: Digest) -> str:
    return _env().get_template("digest.txt.j2").render(d=d, sector_labels=SECTOR_LABELS)


def write_digest(d: Digest, out_dir: str | Path) -> tuple[Path, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html_path, text_path = out / f"digest-{d.day}.html", out / f"digest-{d.day}.txt"
    # Write then rename, so a killed run never leaves a half-written digest behind.
    for path, content in ((html_path, render_html(d)), (text_path, render_text(d))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    return html_path, text_path
