"""Loads the tagger's data once per process, on first use (functools.cache).

The name tables (provinces, cities, counties, institutions and their aliases, zones, issuing bodies) are the shared
gazetteer in zhtext/data/ (zhtext/gazetteer.py describes them): the translator renders the same names in English.
The tagger's own files, under extract/data/ (UTF-8; lines starting with # are comments; a TSV's first other line is
its header):
    sectors.tsv    sector keyword table: sector (or "-" for a blocker), lang, keyword
    terms.toml     classifier patterns, organisation suffixes and stop words, place vetoes and rules
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources as _res
from typing import Any

from zhtext import gazetteer


class DataError(ValueError):
    """A data file under extract/data/ is malformed (names the file and the row)."""


def _read_text(name: str) -> str:
    return (_res.files(__package__) / "data" / name).read_text(encoding="utf-8")


def read_tsv(name: str) -> list[dict[str, str]]:
    try:
        rows = gazetteer.read_tsv(name) if name in gazetteer.FILES else gazetteer.parse_tsv(_read_text(name), name)
    except gazetteer.GazetteerError as exc:
        raise DataError(str(exc)) from exc
    return [dict(row) for row in rows]


_split = gazetteer.split


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    short: str
    name_en: str
    aliases_zh: tuple[str, ...]
    aliases_en: tuple[str, ...]


@dataclass(frozen=True)
class City:
    code: str
    name: str
    name_en: str
    province_code: str
    kind: str  # city | prefecture | autonomous_prefecture | league
    aliases: tuple[str, ...]
    aliases_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city_code: str  # a cities() code, or the province code where there is no prefecture: the districts of Beijing,
    #                 Tianjin, Shanghai and Chongqing and the county-level units governed by a province (仙桃市)
    province_code: str
    name_en: str = ""  # county-level cities only (津市市 → Jinshi): they count as cities in tags


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str  # hi_tech | etdz | new_area | other | stat (see zones.tsv)
    code: str  # its own statistical code (xx7x), else the county it lies in, else its city
    city_code: str  # as County.city_code
    province_code: str
    aliases: tuple[str, ...]
    aliases_en: tuple[str, ...]


ZONE_KINDS = ("hi_tech", "etdz", "new_area", "other", "stat")


@cache
def provinces() -> tuple[Province, ...]:
    out = tuple(
        Province(r["code"], r["name"], r["short"], r["name_en"], _split(r["aliases_zh"]), _split(r["aliases_en"]))
        for r in read_tsv("provinces.tsv")
    )
    codes = [p.code for p in out]
    if len(set(codes)) != len(codes):
        raise DataError("provinces.tsv: duplicate codes")
    return out


@cache
def cities() -> tuple[City, ...]:
    """The 333 prefecture-level divisions. Beijing, Tianjin, Shanghai and Chongqing are provinces, not cities."""
    known = {p.code for p in provinces()}
    out = []
    for r in read_tsv("cities.tsv"):
        if r["province_code"] not in known:
            raise DataError(f"cities.tsv: {r['name']} has unknown province_code {r['province_code']}")
        if not r["name_en"]:
            raise DataError(f"cities.tsv: {r['name']} has no name_en")
        out.append(
            City(
                r["code"],
                r["name"],
                r["name_en"],
                r["province_code"],
                r["kind"],
                _split(r["aliases"]),
                _split(r["aliases_en"]),
            )
        )
    return tuple(out)


@cache
def city_by_code() -> dict[str, City]:
    return {c.code: c for c in cities()}


@cache
def _province_codes() -> frozenset[str]:
    return frozenset(p.code for p in provinces())


def _parent_code(name: str, row: dict[str, str]) -> str:
    """The row's city_code, checked: a prefecture-level city, or its own province code."""
    code = row["city_code"]
    province = code[:2] + "0000"
    if code not in city_by_code() and code != province:
        raise DataError(f"{name}: {row['name']} has unknown city_code {code}")
    if province not in _province_codes():
        raise DataError(f"{name}: {row['name']} has unknown province {province}")
    return code


@cache
def counties() -> tuple[County, ...]:
    out = []
    seen: set[str] = set()
    for r in read_tsv("counties.tsv"):
        code = r["code"]
        if len(code) != 6 or not code.isdigit() or code in seen:
            raise DataError(f"counties.tsv: bad or duplicate code {code!r} ({r['name']})")
        seen.add(code)
        city_code = _parent_code("counties.tsv", r)
        out.append(County(code, r["name"], city_code, city_code[:2] + "0000", r.get("name_en") or ""))
    return tuple(out)


@cache
def zones() -> tuple[Zone, ...]:
    known = {c.code for c in counties()} | set(city_by_code())
    out = []
    names: set[str] = set()
    for r in read_tsv("zones.tsv"):
        if r["kind"] not in ZONE_KINDS:
            raise DataError(f"zones.tsv: {r['name']} has unknown kind {r['kind']!r}")
        if r["name"] in names:
            raise DataError(f"zones.tsv: duplicate zone {r['name']}")
        names.add(r["name"])
        city_code = _parent_code("zones.tsv", r)
        code = r["code"]
        own_statistical = len(code) == 6 and code[4] == "7" and code[:2] == city_code[:2]
        if code not in known and code != city_code and not own_statistical:
            raise DataError(f"zones.tsv: {r['name']} has unknown code {code}")
        out.append(
            Zone(
                r["name"],
                r["kind"],
                code,
                city_code,
                city_code[:2] + "0000",
                _split(r["aliases"]),
                _split(r["aliases_en"]),
            )
        )
    return tuple(out)


@cache
def sector_keywords() -> tuple[tuple[str, str, str], ...]:
    """(sector, lang, keyword) rows; sector "-" marks a blocker."""
    from .model import SECTORS

    rows = []
    for r in read_tsv("sectors.tsv"):
        if r["sector"] != "-" and r["sector"] not in SECTORS:
            raise DataError(f"sectors.tsv: unknown sector {r['sector']!r}")
        if r["lang"] not in ("zh", "en"):
            raise DataError(f"sectors.tsv: unknown lang {r['lang']!r}")
        rows.append((r["sector"], r["lang"], r["keyword"]))
    return tuple(rows)


@cache
def terms() -> dict[str, Any]:
    return tomllib.loads(_read_text("terms.toml"))

