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
        evidence=evidence_tag["evidence"] if evidence_tag else "",
        fidelity_missing=missing,
    )


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
