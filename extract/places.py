"""Province and prefecture gazetteer matching. Every hit resolves to its province (GB/T 2260 code + English name)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import resources
from .matcher import PatternMatcher, TermMatcher
from .resources import DataError, Province

# A name ending in one of these is a full administrative name (山东省, 武汉市, 恩施土家族苗族自治州, 兴安盟).
_FULL_SUFFIX = ("省", "市", "自治区", "自治州", "地区", "盟", "特别行政区", "特区")


@dataclass(frozen=True)
class _Entry:
    province: Province
    full: bool


@dataclass(frozen=True)
class PlaceHit:
    start: int
    end: int
    province: Province
    full: bool


@cache
def _zh_matcher() -> TermMatcher[_Entry | None]:
    by_code = {p.code: p for p in resources.provinces()}
    terms: dict[str, _Entry | None] = {}

    def add(term: str, province: Province) -> None:
        if not term:
            return
        if len(term) < 2:
            raise DataError(f"place name {term!r} is shorter than two characters")
        old = terms.get(term)
        if old is not None and old.province.code != province.code:
            raise DataError(f"place name {term!r} is ambiguous: {old.province.code} and {province.code}")
        terms[term] = _Entry(province, term.endswith(_FULL_SUFFIX))

    for p in resources.provinces():
        for term in (p.name, p.short, *p.aliases_zh):
            add(term, p)
    for c in resources.cities():
        for term in (c.name, *c.aliases):
            add(term, by_code[c.province_code])
    for veto in resources.terms()["places"]["vetoes"]:
        terms[veto] = None
    return TermMatcher(terms)


@cache
def _en_matcher() -> PatternMatcher[Province]:
    patterns = []
    for p in resources.provinces():
        for name in (p.name_en, *p.aliases_en):
            patterns.append((r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b", p))
    return PatternMatcher(patterns)


def find_places(text: str, lang: str) -> list[PlaceHit]:
    """Leftmost-longest place mentions in normalised ``text``; vetoed strings (三明治, 长治久安…) are skipped."""
    if lang == "en":
        return [PlaceHit(m.start, m.end, m.payload, True) for m in _en_matcher().finditer(text)]
    return [
        PlaceHit(m.start, m.end, m.payload.province, m.payload.full)
        for m in _zh_matcher().finditer(text)
        if m.payload is not None
    ]


def leading_chain(text: str, start: int, end: int) -> tuple[int, int]:
    """Full administrative names chained at ``text[start:end]``'s start (湖北省武汉市…): (how many, where they end)."""
    count, pos = 0, start
    matcher = _zh_matcher()
    while pos < end:
        hit = next(iter(matcher.finditer(text[pos:end])), None)
        if hit is None or hit.start != 0 or hit.payload is None or not hit.payload.full:
            break
        count, pos = count + 1, pos + hit.end
    return count, pos
