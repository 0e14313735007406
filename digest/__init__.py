"""Digest stage: build (pure: store rows → Digest) and render (Jinja2 HTML + plain text)."""

from .build import SECTOR_LABELS, Digest, Item, build_digest
from .render import render_html, render_text, safe_url, write_digest

__all__ = ["SECTOR_LABELS", "Digest", "Item", "build_digest", "render_html",
           "render_text", "safe_url", "write_digest"]
