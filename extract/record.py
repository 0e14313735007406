"""One JSON-ready record per article: the shape `pilotwatch tag` writes and the dev-set scorer reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Platform, Tag, Tagging
from .tagger import tag_article


def _place(t: Tag) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.value, "code": t.code}
    out.update(t.attrs)
    return out


def _platform(p: Platform) -> dict[str, Any]:
    place = {t.field: t for t in p.places}
    county = place["city"].attr("county") if "city" in place else ""
    county_code = place["city"].attr("county_code") if "city" in place else ""
    return {
        "name": p.name,
        "hosts": [{"name": t.value, **dict(t.attrs), "as_written": t.evidence} for t in p.hosts],
        "sectors": [t.value for t in p.sectors],
        "province": _place(place["province"]) if "province" in place else None,
        "city": _place(place["city"]) if "city" in place else None,
        "county": county or None,
        "county_code": county_code or None,
        "event": p.event,
        "level": p.level,
        "evidence": {"part": p.part, "start": p.start, "end": p.end, "text": p.evidence},
    }


def record_of(tagging: Tagging, record_id: Any = None) -> dict[str, Any]:
    by = {f: [t for t in tagging.tags if t.field == f] for f in
          ("sector", "province", "city", "place_mentioned", "host", "issuer", "target", "date", "money")}
    return {
        "id": record_id,
        "is_platform_announcement": tagging.is_platform_announcement,
        "announcement_score": round(tagging.announcement_score, 4),
        "mentions_pilot_platform": tagging.mentions_pilot_platform,
        "sectors": [t.value for t in by["sector"]],
        "provinces": [_place(t) for t in by["province"]],
        "cities": [_place(t) for t in by["city"]],
        "hosts": [{"name": t.value, **dict(t.attrs)} for t in by["host"]],
        "issuers": [{"name": t.value, **dict(t.attrs)} for t in by["issuer"]],
        # a goal (力争到2027年…20个以上) is a target; a count of what exists is kept apart (LABELS.md)
        "targets": [{"value": t.value, **dict(t.attrs)} for t in by["target"] if t.attr("kind") != "count"],
        "counts": [{"value": t.value, **dict(t.attrs)} for t in by["target"] if t.attr("kind") == "count"],
        "dates": [{"value": t.value, **dict(t.attrs)} for t in by["date"]],
        "money": [{"value": t.value, **dict(t.attrs)} for t in by["money"]],
        "places_mentioned": [_place(t) for t in by["place_mentioned"]],
        "evidence": [{"field": t.field, "value": t.value, "part": t.part, "start": t.start, "end": t.end,
                      "text": t.evidence} for t in tagging.tags],
        "platforms": [_platform(p) for p in tagging.platforms],
        "reasons": list(tagging.reasons),
        "flags": list(tagging.flags),
    }


def platform_rows(tagging: Tagging) -> list[dict[str, Any]]:
    """Each platform record as a "platform" tag row: its sentence as evidence, its linked facts in attrs (index links
    it to the article's other tags; "record" is the whole record as `pilotwatch tag` prints it, which the platform
    registry reads)."""
    rows = []
    for i, p in enumerate(tagging.platforms):
        place = {t.field: t for t in p.places}
        attrs = {"index": str(i), "event": p.event, "level": p.level,
                 "hosts": "; ".join(t.value for t in p.hosts), "sectors": "; ".join(t.value for t in p.sectors),
                 "province": place["province"].value if "province" in place else "",
                 "city": place["city"].value if "city" in place else "",
                 "code": (place.get("city") or place.get("province")).code if place else "",
                 "record": {k: v for k, v in _platform(p).items() if k != "evidence"}}  # evidence: the row's own
        rows.append({"field": "platform", "value": p.name, "code": attrs["code"] or None, "evidence": p.evidence,
                     "part": p.part, "start": p.start, "end": p.end, "attrs": attrs})
    return rows


def tag_rows(tagging: Tagging) -> list[dict[str, Any]]:
    """The rows the store keeps for one tagging: each Tag's fields as they are (asdict would deep-copy), then one
    "platform" row per platform record."""
    return [*(vars(t) for t in tagging.tags), *platform_rows(tagging)]


def tag_record(record: Mapping[str, Any], *, threshold: float | None = None) -> dict[str, Any]:
    """{"id", "title", "text", "published", "url"} → the tag record. Raises ValueError naming a bad field."""
    if not isinstance(record, Mapping):
        raise ValueError("each line must be a JSON object")
    for key in ("title", "text"):
        if record.get(key) is not None and not isinstance(record.get(key), str):
            raise ValueError(f"field {key!r} must be a string")
    published = record.get("published")
    if published is not None and not isinstance(published, str):
        raise ValueError("field 'published' must be YYYY-MM-DD or null")
    tagging = tag_article(record.get("title") or "", record.get("text") or "", published=published,
                          threshold=threshold)
    return record_of(tagging, record.get("id"))
