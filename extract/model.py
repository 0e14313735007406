"""The tagger's output types. Plain frozen dataclasses: no behaviour, safe to store and compare."""

from __future__ import annotations

from dataclasses import dataclass

SECTORS = (
    "food_additives",
    "biopharma",
    "cosmetics",
    "chemicals",
    "energy",
    "enzymes",
    "feedstock_lignocellulose",
    "feedstock_c1",
    "plant_chassis_cells",
)

# Fields emitted today; a later issue adds host, issuer, target, date, city.
FIELDS = ("sector", "province", "place_mentioned")


@dataclass(frozen=True)
class Tag:
    field: str  # "sector" | "province" | "place_mentioned"
    value: str  # sector id, or English province name ("Shandong", "Inner Mongolia", "Hong Kong")
    code: str | None  # GB/T 2260 code for places ("370000"), None otherwise
    evidence: str  # the text matched, exactly as written in the original title/body
    part: str  # "title" | "body"
    start: int  # offsets of evidence in that part, as passed in
    end: int


@dataclass(frozen=True)
class Tagging:
    is_platform_announcement: bool
    mentions_pilot_platform: bool
    tags: tuple[Tag, ...]
    reasons: tuple[str, ...]  # short human-readable why
