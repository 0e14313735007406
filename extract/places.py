"""Place mentions: provinces, prefecture-level cities, county-level divisions and development zones.

Every hit resolves upwards: a zone or county to its city and province, a city to its province. Chinese text is scanned
once with an Aho-Corasick automaton (pyahocorasick) holding every name, leftmost-longest (``iter_long``), so 北京市朝阳区
is 北京市 + 朝阳区 and 三明治 (a veto) hides 三明. The keys are normalised like the text (zhtext.script.fold), so Traditional
and full-width spellings match too.

What is matched:
    provinces and cities   full names, short names and aliases (provinces.tsv, cities.tsv)
    counties               full names only (朝阳区, never 朝阳), counties.tsv
    zones                  names and aliases (东湖高新区, 张江, 苏州工业园区), zones.tsv
    vetoes                 strings that contain a name but are not a place ([places] in terms.toml)

How a name becomes a place (rules in [places] of terms.toml):
    * A name shared by several places (朝阳区 in Beijing and Changchun) takes the one in the city, or else the province,
      of the nearest preceding hit: 北京市朝阳区 -> 110105, 长春市朝阳区 -> 220104. Unresolved, it is dropped.
    * Two-character county names (和县, 代县) and county names that are ordinary words (城区, 老城区, 解放区) count only
      right after their own city or province (安徽省和县, 阳泉市城区).
    * A county or zone name running into a word (中原区域, 创新和县域) is not one; the shorter names inside it are tried.
    * Generic zone words (高新区, 经开区) count only right after a city or county: 济南市高新区 is looked up as 济南高新区.
English text: province, city and zone English names (Shandong, Jinan, Xi'an, Tianjin Binhai, Suzhou Industrial Park),
whole words, case-sensitive. An English name shared by two cities (Suzhou, Taizhou, Fuzhou, Yichun, Yulin) is resolved
by the nearest preceding place or a province named just after it ("Taizhou, Jiangsu"); otherwise it is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from zhtext.script import fold as normalize  # length-preserving NFKC + Traditional→Simplified

from . import resources
from .resources import City, County, DataError, Province, Zone

# A name ending in one of these is a full administrative name (山东省, 武汉市, 恩施土家族苗族自治州, 兴安盟).
_FULL_SUFFIX = ("省", "市", "自治区", "自治州", "地区", "盟", "特别行政区", "特区")
# A zone name ending in one of these is a full name (东湖高新区, 中国医药城); 张江, 亦庄, 光谷 are not.
_ZONE_FULL_SUFFIX = ("区", "园", "城", "港")
# County-level suffixes, stripped to build "{short}高新区" (昆山市 -> 昆山).
_COUNTY_SUFFIX = ("自治县", "自治旗", "林区", "特区", "区", "县", "市", "旗")
# How far after an ambiguous English city name a province may stand to resolve it ("Taizhou, Jiangsu province").
_EN_LOOKAHEAD = 40


@dataclass(frozen=True)
class PlaceHit:
    start: int
    end: int
    province: Province
    city: City | None  # the prefecture-level city; None for a province hit, in Beijing, Tianjin, Shanghai and
    #                    Chongqing (provinces, not cities), and for county-level units governed by a province (仙桃市)
    county: County | None  # the county-level division named, or the one a zone lies in
    via: str  # "province" | "city" | "county" | "zone": what the matched name is
    full: bool  # a full administrative name (山东省, 朝阳区, 东湖高新区), not a short one (山东, 张江)
    zone: Zone | None = None

    @property
    def code(self) -> str:
        """The most specific GB/T 2260 code: zone (own statistical code, else its county or city), county, city,
        province."""
        if self.zone is not None:
            return self.zone.code
        if self.county is not None:
            return self.county.code
        if self.city is not None:
            return self.city.code
        return self.province.code


@dataclass(frozen=True)
class _Place:
    via: str
    province: Province
    city: City | None
    county: County | None
    zone: Zone | None

    def compatible(self, ctx: PlaceHit) -> bool:
        """Does this candidate lie in the context hit's city (or, for a hit without a city, its province)?"""
        if ctx.city is not None and self.city is not None:
            return self.city.code == ctx.city.code
        return self.province.code == ctx.province.code


@dataclass(frozen=True)
class _Term:
    places: tuple[_Place, ...]  # empty for a veto or a generic zone word
    full: bool
    context_only: bool = False  # counts only right after its own city or province
    county_or_zone: bool = False  # subject to the right-context vetoes (区域, 县域...)
    generic: str | None = None  # a generic zone word (高新区): the canonical suffix to look up after a city


class _Fold(dict[int, int]):
    """str.translate table: a character that occurs in no name becomes NUL (filled on first sight of each character).

    Speed: looking up a character that starts no name at the automaton's root (~950 children) is slow in pyahocorasick.
    Folded, those characters (的, 在, punctuation, digits, Latin) all become NUL, which the dummy key in _gazetteer
    makes the root's first child. Measured: 2.1 -> 10 M chars/s on raw HTML, 2.3 -> 3.1 M chars/s on article text,
    where place characters are dense. Offsets are unchanged.
    """

    def __init__(self, alphabet: set[str]) -> None:
        super().__init__()
        self._alphabet = alphabet

    def __missing__(self, code: int) -> int:
        self[code] = code if chr(code) in self._alphabet else 0
        return self[code]


@dataclass(frozen=True)
class _Gazetteer:
    automaton: Any  # ahocorasick.Automaton; imported on first use so that importing extract loads no matcher
    fold: _Fold
    zone_terms: dict[str, tuple[_Place, ...]]  # normalised zone name or alias -> zones
    right_vetoes: tuple[str, ...]


@cache
def _provinces() -> dict[str, Province]:
    return {p.code: p for p in resources.provinces()}


def _county_place(c: County) -> _Place:
    return _Place("county", _provinces()[c.province_code], resources.city_by_code().get(c.city_code), c, None)


def _zone_place(z: Zone) -> _Place:
    county = _counties_by_code().get(z.code)
    return _Place("zone", _provinces()[z.province_code], resources.city_by_code().get(z.city_code), county, z)


@cache
def _counties_by_code() -> dict[str, County]:
    return {c.code: c for c in resources.counties()}


@cache
def _gazetteer() -> _Gazetteer:
    import ahocorasick

    terms = resources.terms()["places"]
    context_only = set(terms["county_context_only"])
    by_key: dict[str, list[_Place]] = {}
    flags: dict[str, dict[str, bool]] = {}

    def add(name: str, place: _Place, full: bool, **flag: bool) -> None:
        if len(name) < 2:
            raise DataError(f"place name {name!r} is shorter than two characters")
        key = normalize(name)
        places = by_key.setdefault(key, [])
        if place not in places:
            places.append(place)
        f = flags.setdefault(key, {"full": False, "context_only": False, "county_or_zone": False})
        f["full"] = f["full"] or full
        for k, v in flag.items():
            f[k] = f[k] or v

    for p in resources.provinces():
        for name in (p.name, p.short, *p.aliases_zh):
            if name:
                add(name, _Place("province", p, None, None, None), name.endswith(_FULL_SUFFIX))
    for c in resources.cities():
        for name in (c.name, *c.aliases):
            add(name, _Place("city", _provinces()[c.province_code], c, None, None), name.endswith(_FULL_SUFFIX))
    for county in resources.counties():
        ctx = len(county.name) == 2 or county.name in context_only
        add(county.name, _county_place(county), True, context_only=ctx, county_or_zone=True)
    zone_terms: dict[str, list[_Place]] = {}
    for z in resources.zones():
        place = _zone_place(z)
        for name in (z.name, *z.aliases):
            add(name, place, name == z.name or name.endswith(_ZONE_FULL_SUFFIX), county_or_zone=True)
            zone_terms.setdefault(normalize(name), []).append(place)

    automaton = ahocorasick.Automaton()
    automaton.add_word("\x00\x01", (2, _Term((), True)))  # never matches (\x01 is folded to NUL); makes NUL child 0
    for key, places in by_key.items():
        if sum(pl.via in ("province", "city") for pl in places) > 1:
            raise DataError(f"place name {key!r} is given to two provinces or cities")
        if flags[key]["context_only"] and any(pl.via != "county" for pl in places):
            raise DataError(f"context-only county name {key!r} is also another kind of place")
        # A name given to places of different levels nested in one city (大理市: the prefecture's old alias and the
        # county-level city; 滨海新区: the district and the new area) is the most specific of them.
        nested = len({pl.via for pl in places}) == len(places) and len({(pl.province, pl.city) for pl in places}) == 1
        if len(places) > 1 and nested:
            places = [min(places, key=lambda pl: ("county", "zone", "city", "province").index(pl.via))]
        automaton.add_word(key, (len(key), _Term(tuple(places), **flags[key])))
    for veto in terms["vetoes"]:
        if normalize(veto) in by_key:
            raise DataError(f"veto {veto!r} is itself a place name")
        automaton.add_word(normalize(veto), (len(veto), _Term((), True)))
    for word, canonical in terms["zone_generic"].items():
        key = normalize(word)
        if key in by_key:
            raise DataError(f"generic zone word {word!r} is also a place name")
        automaton.add_word(key, (len(key), _Term((), True, generic=canonical)))
    automaton.make_automaton()
    return _Gazetteer(
        automaton,
        _Fold({ch for key in automaton.keys() for ch in key} - {"\x00", "\x01"}),
        {k: tuple(v) for k, v in zone_terms.items()},
        tuple(normalize(v) for v in terms["county_right_vetoes"]),
    )


def _stems(hit: PlaceHit) -> list[str]:
    """Names a generic zone word may follow: 昆山市 -> 昆山市, 昆山; 济南市 -> 济南市, 济南; 北京市 -> 北京市, 北京."""
    out: list[str] = []
    if hit.county is not None and hit.via == "county":
        name = hit.county.name
        out.append(name)
        for suffix in _COUNTY_SUFFIX:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    elif hit.via == "city" and hit.city is not None:
        out.extend((hit.city.name, *hit.city.aliases))
        for suffix in _FULL_SUFFIX:
            if hit.city.name.endswith(suffix) and len(hit.city.name) - len(suffix) >= 2:
                out.append(hit.city.name[: -len(suffix)])
    elif hit.via == "province":
        out.extend((hit.province.name, hit.province.short))  # 北京市经开区 -> 北京经开区
    return out


def _hit(start: int, end: int, place: _Place, full: bool) -> PlaceHit:
    return PlaceHit(start, end, place.province, place.city, place.county, place.via, full, place.zone)


def _scan_zh(text: str, offset: int, hits: list[PlaceHit]) -> None:
    g = _gazetteer()
    for end_index, (length, term) in g.automaton.iter_long(text.translate(g.fold)):
        end = end_index + 1
        start = end - length
        prev = hits[-1] if hits else None
        adjacent = prev is not None and prev.end == offset + start
        if term.generic is not None:
            if prev is not None and adjacent:
                for stem in _stems(prev):
                    zones = [z for z in g.zone_terms.get(normalize(stem + term.generic), ()) if z.compatible(prev)]
                    if len(zones) == 1:
                        hits.append(_hit(offset + start, offset + end, zones[0], True))
                        break
            continue
        if not term.places:
            continue  # a veto
        places = term.places
        if term.county_or_zone and any(text.startswith(v, end - 1) for v in g.right_vetoes):
            places = ()
        elif term.context_only:
            places = tuple(p for p in places if adjacent and prev is not None and p.compatible(prev))
        elif len(places) > 1:
            places = tuple(p for p in places if prev is not None and p.compatible(prev))
        if len(places) == 1:
            hits.append(_hit(offset + start, offset + end, places[0], term.full))
        elif length > 2:
            _scan_zh(text[start : end - 1], offset + start, hits)  # try the names inside: 海南区域 -> 海南


@cache
def _en_index() -> tuple[re.Pattern[str], dict[str, tuple[_Place, ...]]]:
    by_name: dict[str, list[_Place]] = {}

    def add(name: str, place: _Place) -> None:
        places = by_name.setdefault(_en_key(name), [])
        if place not in places:
            places.append(place)

    province_names = set()
    for p in resources.provinces():
        for name in (p.name_en, *p.aliases_en):
            add(name, _Place("province", p, None, None, None))
            province_names.add(_en_key(name))
    for c in resources.cities():
        for name in (c.name_en, *c.aliases_en):
            if _en_key(name) not in province_names:  # Jilin, Hainan: the province; the city needs "Jilin City"
                add(name, _Place("city", _provinces()[c.province_code], c, None, None))
    for z in resources.zones():
        for name in z.aliases_en:
            add(name, _zone_place(z))
    names = sorted(by_name, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(w).replace("'", "['’]") for w in n.split()) for n in names)
    return re.compile(rf"\b(?:{body})\b"), {k: tuple(v) for k, v in by_name.items()}


def _en_key(name: str) -> str:
    return " ".join(name.replace("’", "'").split())


def _scan_en(text: str) -> list[PlaceHit]:
    pattern, by_name = _en_index()
    found = [(m.start(), m.end(), by_name[_en_key(m.group())]) for m in pattern.finditer(text)]
    hits: list[PlaceHit] = []
    for i, (start, end, places) in enumerate(found):
        if len(places) > 1:
            prev = hits[-1] if hits else None
            chosen = tuple(p for p in places if prev is not None and p.compatible(prev))
            if len(chosen) != 1 and i + 1 < len(found) and found[i + 1][0] - end <= _EN_LOOKAHEAD:
                nxt = found[i + 1][2]
                provinces = {p.province.code for p in nxt if p.via == "province"}
                chosen = tuple(p for p in places if p.province.code in provinces) if len(provinces) == 1 else ()
            places = chosen
        if len(places) == 1:
            hits.append(_hit(start, end, places[0], True))
    return hits


def find_places(text: str, lang: str) -> list[PlaceHit]:
    """Place mentions in normalised ``text`` (see zhtext.script.fold), left to right, not overlapping."""
    if lang == "en":
        return _scan_en(text)
    hits: list[PlaceHit] = []
    _scan_zh(text, 0, hits)
    return hits


def leading_chain(text: str, start: int, end: int) -> tuple[int, int]:
    """Full administrative names chained at ``text[start:end]``'s start (湖北省武汉市…): (how many, where they end)."""
    count, pos = 0, start
    for hit in find_places(text[start:end], "zh"):
        if start + hit.start != pos or not hit.full:
            break
        count, pos = count + 1, start + hit.end
    return count, pos
