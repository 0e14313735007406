"""The one gazetteer of names: provinces, cities, counties, development zones, host institutions and issuing bodies,
each with its English name. The tagger matches these names (extract/resources.py reads the same files); the
translator renders them (translate/names.py). One source of English names, so a tag and its gloss never disagree.

Files under zhtext/data/ (UTF-8 TSV; lines starting with # are comments; the first other line is the header):
    provinces.tsv     34 provincial-level divisions: code, name, short, name_en, aliases_zh, aliases_en
    cities.tsv        333 prefecture-level divisions: code, name, name_en, province_code, kind, aliases, aliases_en
    counties.tsv      county-level divisions: code, name, city_code, name_en (given for county-level cities)
    institutions.tsv  host institutions: name, type, name_en, source
    aliases.tsv       their short and other names: alias, name, source
    zones.tsv         development zones and named areas: name, kind, code, city_code, aliases, aliases_en
    issuers.tsv       issuing bodies: kind, name, abbr, name_en, aliases, aliases_en
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cache
from importlib import resources

FILES = frozenset({"provinces.tsv", "cities.tsv", "counties.tsv", "institutions.tsv", "aliases.tsv", "zones.tsv",
                   "issuers.tsv"})


class GazetteerError(ValueError):
    """A gazetteer file is malformed (names the file and the row)."""


@cache
def read_tsv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of one gazetteer file, as dicts by header name, cells stripped."""
    if name not in FILES:
        raise GazetteerError(f"{name}: not a gazetteer file (known: {', '.join(sorted(FILES))})")
    return parse_tsv((resources.files(__package__) / "data" / name).read_text(encoding="utf-8"), name)


def parse_tsv(text: str, name: str) -> tuple[dict[str, str], ...]:
    """A data TSV (# comments, a header line, tab-separated cells) as dicts; GazetteerError names a ragged row."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for lineno, row in enumerate(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
        if None in row or any(v is None for v in row.values()):
            raise GazetteerError(f"{name}: row {lineno} has the wrong number of columns: {row}")
        rows.append({k: v.strip() for k, v in row.items()})
    return tuple(rows)


def split(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


# English for the generic part of a division's or zone's name, after its romanised stem (朝阳区 → Chaoyang District).
DIVISION_SUFFIXES = (
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"), ("自治旗", "Autonomous Banner"),
    ("新区", "New Area"), ("林区", "Forestry District"), ("特区", "Special District"), ("地区", "Prefecture"),
    ("盟", "League"), ("区", "District"), ("县", "County"), ("旗", "Banner"), ("市", "City"),
)
ZONE_SUFFIXES = (
    ("高新技术产业开发区", "Hi-tech Industrial Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("高新区", "Hi-tech Zone"), ("经开区", "Economic Development Zone"), ("新区", "New Area"),
    ("开发区", "Development Zone"), ("产业园", "Industrial Park"), ("科技园", "Science Park"), ("园区", "Park"),
)


def stem_english(zh: str, kind: str, romanise: Callable[[str], str]) -> str:
    """English for a division or zone no table names: its romanised stem and generic suffix (朝阳区 → "<stem>
    District"); "" when the name has no known suffix."""
    for suffix, en in ZONE_SUFFIXES if kind == "zone" else DIVISION_SUFFIXES:
        if zh.endswith(suffix) and len(zh) > len(suffix):
            return f"{romanise(zh[: -len(suffix)])} {en}"
    return ""


@cache
def english_names() -> dict[str, tuple[str, str]]:
    """{Chinese name: (English name, kind)} over every name and alias of the gazetteer; kind is province, city,
    county, zone, institution or agency. The English is "" for a county or zone no table names in English (a caller
    with a romaniser derives it: stem_english).

    Where two entries share a Chinese name the more specific table wins in this order: agency, institution, zone,
    province, city, county (a name is an agency before it is a place)."""
    out: dict[str, tuple[str, str]] = {}

    def put(zh: str, en: str, kind: str, *, derivable: bool = False) -> None:
        if zh and (en or derivable) and zh not in out:
            out[zh] = (en, kind)

    for r in read_tsv("issuers.tsv"):
        if r["name_en"]:
            for zh in (r["name"], *split(r["aliases"])):
                put(zh, r["name_en"], "agency")
    institutions = {r["name"]: r["name_en"] for r in read_tsv("institutions.tsv")}
    for zh, en in institutions.items():
        put(zh, en, "institution")
    for r in read_tsv("aliases.tsv"):
        put(r["alias"], institutions.get(r["name"], ""), "institution")
    for r in read_tsv("zones.tsv"):
        en = (split(r["aliases_en"]) or ("",))[0]
        put(r["name"], en, "zone", derivable=True)
        for zh in split(r["aliases"]):
            put(zh, en, "zone")
    for r in read_tsv("provinces.tsv"):
        for zh in (r["name"], r["short"], *split(r["aliases_zh"])):
            put(zh, r["name_en"], "province")
    for r in read_tsv("cities.tsv"):
        for zh in (r["name"], *split(r["aliases"])):
            put(zh, r["name_en"], "city")
    for r in read_tsv("counties.tsv"):
        put(r["name"], r["name_en"], "county", derivable=True)
    return out
