"""The tagger's output types. Plain frozen dataclasses: no behaviour, safe to store and compare."""

from __future__ import annotations

from dataclasses import dataclass

# The programme's sectors (June 2025 MIIT/NDRC notice, plus its feedstock and chassis lines), in the notice's order:
# id → English label. The one list: the CLI's --sector choices and the digest's headings come from here.
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
SECTORS = tuple(SECTOR_LABELS)

# What each field's value and attrs mean:
#   sector           value: an id from SECTORS
#   province         value: English name without suffix ("Shandong"); code: GB/T 2260 ("370000")
#   city             value: English name without suffix ("Jinan"); code ("370100"); attrs: province
#   place_mentioned  a province or city named but not the platform's (e.g. inside an institute's name)
#   host             value: Chinese name as written; attrs: name_en, type (university, cas_institute, national_lab,
#                    company, park, hospital, research_institute, other)
#   issuer           value: Chinese name of the issuing body (办公厅 folded to its parent); attrs: name_en, abbr
#   target           value: number as digits ("20"); attrs: unit (个/家/项…), bound (ge/approx/eq/le), noun
#   date             value: ISO date, year or "start/end" range; attrs: kind (published, date, target_year, recent,
#                    period)
#   money            value: amount in yuan as digits; attrs: bound
FIELDS = ("sector", "province", "city", "place_mentioned", "host", "issuer", "target", "date", "money")


@dataclass(frozen=True)
class Tag:
    field: str  # one of FIELDS
    value: str
    code: str | None  # GB/T 2260 code for places, None otherwise
    evidence: str  # the text matched, exactly as written in the original title/body ("" for metadata)
    part: str  # "title" | "body" | "meta" (from page metadata, e.g. the publication date)
    start: int  # offsets of evidence in that part, as passed in
    end: int
    attrs: tuple[tuple[str, str], ...] = ()  # field-specific details, see above

    def attr(self, name: str, default: str = "") -> str:
        return dict(self.attrs).get(name, default)


EVENTS = ("called", "shortlisted", "listed", "established", "opened", "construction", "signed", "planned", "mentioned")
LEVELS = ("national", "provincial", "municipal", "unknown")


@dataclass(frozen=True)
class Platform:
    """One platform mention (a named or unnamed platform, a list row, or the programme) with the facts linked to it.

    ``hosts``, ``sectors`` and ``places`` are the same Tag objects that appear in Tagging.tags (places: province, city
    and county tags); ``part``/``start``/``end`` span the evidence sentence or list row."""

    name: str  # as written, "" when unnamed
    event: str  # one of EVENTS
    level: str  # one of LEVELS
    part: str
    start: int
    end: int
    evidence: str
    hosts: tuple[Tag, ...] = ()
    sectors: tuple[Tag, ...] = ()
    places: tuple[Tag, ...] = ()


@dataclass(frozen=True)
class Tagging:
    is_platform_announcement: bool
    mentions_pilot_platform: bool
    tags: tuple[Tag, ...]
    reasons: tuple[str, ...]  # short human-readable why
    announcement_score: float = 0.0  # in [0, 1]; is_platform_announcement is score >= the threshold
    platforms: tuple[Platform, ...] = ()
    flags: tuple[str, ...] = ()  # input the tagger could not read as intended: empty, too_long, binary, other_language
