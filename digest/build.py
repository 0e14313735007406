"""Store rows → Digest. Pure: no I/O, no clock; the caller passes the rows and the day."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SECTOR_LABELS = {
    "food_additives": "Food & additives",
    "biopharma": "Biopharma",
    "cosmetics": "Cosmetics",
    "chemicals": "Chemicals",
    "energy": "Energy",
    "enzymes": "Enzymes",
    "feedstock_lignocellulose": "Lignocellulose feedstock",
    "feedstock_c1": "C1 feedstock",
    "plant_chassis_cells": "Plant chassis cells",
}


@dataclass(frozen=True)
class Item:
    url: str
    title_en: str
    title_zh: str
    source_label: str
    published: str
    engine: str  # "gloss" is labelled as a gloss wherever it is shown
    is_announcement: bool
    sectors: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    issuer: str = ""
    doc_number: str = ""
    evidence: str = ""
    fidelity_missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Digest:
    day: str  # YYYY-MM-DD
    announcements: tuple[Item, ...]
    others: tuple[Item, ...]
    sources: tuple[Mapping[str, Any], ...] = ()
    failures: int = 0
    attribution: str = ""
    groups: tuple[tuple[str, tuple[Item, ...]], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.announcements and not self.others

    @property
    def subject(self) -> str:
        if self.empty:
            return f"PilotWatch {self.day}: nothing new"
        return (f"PilotWatch {self.day}: {len(self.announcements)} platform announcement"
                f"{'s' if len(self.announcements) != 1 else ''}, {len(self.others)} other")


_SENTENCE_END = "。！？；\n"
SNIPPET_SIDE = 60  # characters of context kept on each side of the evidence


def snippet(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], cut to SNIPPET_SIDE characters on each side."""
    left = max((text.rfind(c, 0, start) for c in _SENTENCE_END), default=-1) + 1
    rights = [i for i in (text.find(c, end) for c in _SENTENCE_END) if i != -1]
    right = min(rights) + 1 if rights else len(text)
    left, right = max(left, start - SNIPPET_SIDE), min(right, end + SNIPPET_SIDE)
    return text[left:right].strip()


def _item(row: Mapping[str, Any]) -> Item:
    tags = row.get("tags") or []
    sectors = tuple(dict.fromkeys(t["value"] for t in tags if t["field"] == "sector"))
    provinces = tuple(dict.fromkeys(t["value"] for t in tags if t["field"] == "province"))
    evidence_tag = next((t for t in tags if t["field"] in ("sector", "province")), None)
    missing = tuple(json.loads(row["fidelity_missing"])) if row.get("fidelity_missing") else ()
    return Item(
        url=row["url"],
        title_en=row.get("title_en") or "(not yet translated)",
        title_zh=row["title_zh"],
        source_label=row.get("source_label") or row["source"],
        published=(row.get("published_at") or "")[:10],
        engine=row.get("translation_engine") or "",
        is_announcement=bool(row.get("is_platform_announcement")),
        sectors=sectors,
        provinces=provinces,
        issuer=row.get("issuer_zh") or "",
        doc_number=row.get("doc_number") or "",
        evidence=_evidence(row, evidence_tag),
        fidelity_missing=missing,
    )


def _evidence(row: Mapping[str, Any], tag: Mapping[str, Any] | None) -> str:
    if tag is None:
        return ""
    text = row.get("title_zh" if tag.get("part") == "title" else "body_zh") or ""
    start, end = tag.get("start"), tag.get("end")
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == tag["evidence"]:
        return snippet(text, start, end)
    return str(tag["evidence"])


def build_digest(day: str, rows: Iterable[Mapping[str, Any]], *, sources: Iterable[Mapping[str, Any]] = (),
                 failures: int = 0, attribution: str = "") -> Digest:
    items = [_item(r) for r in rows]
    announcements = tuple(i for i in items if i.is_announcement)
    groups: dict[str, list[Item]] = {}
    for item in announcements:
        key = SECTOR_LABELS.get(item.sectors[0], item.sectors[0]) if item.sectors else "Sector not stated"
        groups.setdefault(key, []).append(item)
    return Digest(
        day=day,
        announcements=announcements,
        others=tuple(i for i in items if not i.is_announcement),
        sources=tuple(sources),
        failures=failures,
        attribution=attribution,
        groups=tuple((k, tuple(v)) for k, v in sorted(groups.items())),
    )
