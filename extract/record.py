"""One JSON-ready record per article: the shape `pilotwatch tag` writes and the dev-set scorer reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Tag, Tagging
from .tagger import tag_article


def _place(t: Tag) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.value, "code": t.code}
    out.update(t.attrs)
    return out


def record_of(tagging: Tagging, record_id: Any = None) -> dict[str, Any]:
    by = {f: [t for t in tagging.tags if t.field == f] for f in
          ("sector", "province", "city", "place_mentioned", "host", "issuer", "target", "date", "money")}
    return {
        "id": record_id,
        "is_platform_announcement": tagging.is_platform_announcement,
        "mentions_pilot_platform": tagging.mentions_pilot_platform,
        "sectors": [t.value for t in by["sector"]],
        "provinces": [_place(t) for t in by["province"]],
        "cities": [_place(t) for t in by["city"]],
        "hosts": [{"name": t.value, **dict(t.attrs)} for t in by["host"]],
        "issuers": [{"name": t.value, **dict(t.attrs)} for t in by["issuer"]],
        "targets": [{"value": t.value, **dict(t.attrs)} for t in by["target"]],
        "dates": [{"value": t.value, **dict(t.attrs)} for t in by["date"]],
        "money": [{"value": t.value, **dict(t.attrs)} for t in by["money"]],
        "places_mentioned": [_place(t) for t in by["place_mentioned"]],
        "evidence": [{"field": t.field, "value": t.value, "part": t.part, "start": t.start, "end": t.end,
                      "text": t.evidence} for t in tagging.tags],
        "reasons": list(tagging.reasons),
    }


def tag_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """{"id", "title", "text", "published", "url"} → the tag record. Raises ValueError naming a bad field."""
    if not isinstance(record, Mapping):
        raise ValueError("each line must be a JSON object")
    for key in ("title", "text"):
        if record.get(key) is not None and not isinstance(record.get(key), str):
            raise ValueError(f"field {key!r} must be a string")
    published = record.get("published")
    if published is not None and not isinstance(published, str):
        raise ValueError("field 'published' must be YYYY-MM-DD or null")
    tagging = tag_article(record.get("title") or "", record.get("text") or "", published=published)
    return record_of(tagging, record.get("id"))
