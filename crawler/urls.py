"""Canonical URLs: one spelling per page, so dedupe by URL works across lists, reposts and re-runs."""

from __future__ import annotations

import posixpath
import urllib.parse


def canonical_url(url: str) -> str:
    """Lower-cased host, default port dropped, dot segments resolved, fragment and tracking parameters removed,
    query parameters sorted (courlan). `www.` is kept: MIIT answers differently without it."""
    from courlan import normalize_url

    url = urllib.parse.urldefrag(url.strip()).url
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = "/" if path in (".", "/") else path + ("/" if trailing and not path.endswith("/") else "")
    return normalize_url(urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")))


def host_of(url: str) -> str:
    """host[:port] of a URL, lower-cased; the unit of politeness and of the allow-list."""
    return urllib.parse.urlsplit(url).netloc.lower()
