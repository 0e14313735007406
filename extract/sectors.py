"""Sector votes from the keyword table (sectors.tsv) over organisation-masked text.

A title hit scores 3, a body hit 1. Sectors scoring at least 2 are emitted; if none does, the top scorers are
(so a one-line notice still gets its sector). An enumeration of three or more sector terms (面向食品及添加剂、生物医药、
化妆品…等领域) states the scope outright, so each of its sectors is kept whatever its count; so does one mention of a
long, specific term (植物底盘细胞, 木质纤维素: five or more characters), unlike generic words such as 食品 or 能源, and
of a term that qualifies a platform's own name (…酶制剂生物制造中试平台). Blocker rows ("-") win by leftmost-longest matching and vote nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from . import resources
from .matcher import Match, PatternMatcher, TermMatcher, english_term_pattern
from .model import SECTORS

_WEIGHT = {"title": 3, "body": 1}
_MIN_SCORE = 2
_MIN_ENUMERATION = 3
_SPECIFIC_LEN = 5
_NAMES_PLATFORM = re.compile(r"[^，。；、,;()（）\n]{0,12}?中试(?:能力建设)?(?:平台|基地|中心)")
_LIST_GAP = re.compile(r"\s*(?:[、，,;；/]|和|及|以及|与|或|and|or)?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class SectorHit:
    sector: str
    part: str
    start: int
    end: int


@cache
def _zh_matcher() -> TermMatcher[tuple[str, ...]]:
    terms: dict[str, list[str]] = defaultdict(list)
    for sector, lang, kw in resources.sector_keywords():
        if lang == "zh":
            terms[kw].append(sector)
    return TermMatcher({k: tuple(s for s in v if s != "-") for k, v in terms.items()})


@cache
def _en_matcher() -> PatternMatcher[tuple[str, ...]]:
    terms: dict[str, list[str]] = defaultdict(list)
    for sector, lang, kw in resources.sector_keywords():
        if lang == "en":
            terms[kw].append(sector)
    return PatternMatcher(
        ((english_term_pattern(k), tuple(s for s in v if s != "-")) for k, v in terms.items()), flags=re.IGNORECASE
    )


def vote(parts: dict[str, str], lang: str) -> list[SectorHit]:
    """``parts`` maps "title"/"body" to masked normalised text. Returns one hit (its first evidence) per sector kept,
    best score first."""
    matcher = _en_matcher() if lang == "en" else _zh_matcher()
    score: dict[str, int] = defaultdict(int)
    first: dict[str, SectorHit] = {}
    enumerated: set[str] = set()
    for part in ("title", "body"):
        text = parts.get(part, "")
        run: list[Match[tuple[str, ...]]] = []
        m: Match[tuple[str, ...]]
        for m in matcher.finditer(text):
            for sector in m.payload:
                score[sector] += _WEIGHT[part]
                if lang == "zh" and (len(m.text) >= _SPECIFIC_LEN or _NAMES_PLATFORM.match(text, m.end)):
                    enumerated.add(sector)
                first.setdefault(sector, SectorHit(sector, part, m.start, m.end))
            if not m.payload:
                continue
            if run and not _LIST_GAP.fullmatch(text, run[-1].end, m.start):
                run = []
            run.append(m)
            if len(run) >= _MIN_ENUMERATION:
                enumerated.update(sector for hit in run for sector in hit.payload)
    if not score:
        return []
    top = max(score.values())
    # with no sector reaching the minimum by count, the top scorers stand (a one-line notice keeps its sector)
    keep = [s for s, v in score.items() if v >= _MIN_SCORE or s in enumerated or (top < _MIN_SCORE and v == top)]
    keep.sort(key=lambda s: (-score[s], SECTORS.index(s)))
    return [first[s] for s in keep]
