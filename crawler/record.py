"""A fetched and parsed page as the columns the store keeps for an article (pure)."""

from __future__ import annotations

import hashlib
from typing import Any

from .decode import Decoded
from .discover import Link
from .fetch import Fetched
from .parse import PARSER_VERSION, Parsed, normalize_date


def article_record(parsed: Parsed, fetched: Fetched, decoded: Decoded, link: Link) -> dict[str, Any]:
    return {
        "url": link.url,
        "raw_sha256": hashlib.sha256(fetched.content).hexdigest(),
        "encoding": decoded.encoding,
        "parser_version": PARSER_VERSION,
        "list_title": link.title or None,
        "title_zh": parsed.title,
        "body_zh": parsed.body,
        "body_sha256": hashlib.sha256(parsed.body.encode("utf-8")).hexdigest(),
        "body_truncated": int(parsed.truncated),
        "published_at": parsed.published_at or normalize_date(link.date),
        "written_date": parsed.written_date,
        "source_name": parsed.source_name,
        "issuer_zh": parsed.issuer,
        "doc_number": parsed.doc_number or link.doc_number or None,
        "etag": fetched.headers.get("etag"),
        "last_modified": fetched.headers.get("last-modified"),
    }
