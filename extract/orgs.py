"""Organisation spans found by suffix rules (…大学, …研究所, …有限公司, …工业和信息化厅).

Two uses: a place inside a non-government organisation's name is not where a platform is (中国科学院天津工业生物技术
研究所 partnering a Shandong platform), and words inside any organisation's name do not vote for sectors (华中农业大学,
中国医药集团, 国家能源局). Government bodies are kept apart: their place prefix is a jurisdiction.

From each suffix the name is grown leftwards over CJK characters and Latin letters until punctuation, a digit, a cue word
(依托, 联合, 与, 和…, except inside 工业和信息化-type compounds), a zone name (…高新区), the previous organisation or
``max_name_chars``. A leading chain of two or more full administrative names (湖北省武汉市…) is an address, not part
of the name, and is cut off. A span containing 中试 is a platform's own name, not its host, and is not an organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from zhtext.script import HAN_CHAR

from . import resources
from .places import leading_chain


@dataclass(frozen=True)
class OrgSpan:
    start: int
    end: int
    gov: bool


@dataclass(frozen=True)
class _ZhRules:
    suffix: re.Pattern[str]
    stops: re.Pattern[str]
    stop_maxlen: int
    compounds: re.Pattern[str]
    max_chars: int


def _longest_first(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


@cache
def _zh_rules() -> _ZhRules:
    t = resources.terms()["orgs"]
    suffix = re.compile(f"(?P<gov>{'|'.join(t['gov_suffixes'])})|(?P<org>{_longest_first(t['suffixes'])})")
    stops = [re.escape(w) for w in t["left_stops"]]
    return _ZhRules(
        suffix=suffix,
        stops=re.compile(f"(?:{_longest_first(stops)})\\Z"),
        stop_maxlen=max(len(w) for w in t["left_stops"]),
        compounds=re.compile(_longest_first([re.escape(w) for w in t["compounds"]])),
        max_chars=int(t["max_name_chars"]),
    )


@cache
def _en_rules() -> tuple[re.Pattern[str], re.Pattern[str]]:
    t = resources.terms()["orgs_en"]
    return re.compile(t["pattern"]), re.compile(r"\b(?:" + "|".join(t["gov_words"]) + r")\b")


def _name_char(ch: str) -> bool:
    return bool(HAN_CHAR.match(ch)) or ("A" <= ch <= "Z") or ("a" <= ch <= "z")


def _zh_spans(text: str) -> list[OrgSpan]:
    rules = _zh_rules()
    protected: set[int] = set()  # boundaries strictly inside a compound such as 工业和信息化
    for m in rules.compounds.finditer(text):
        protected.update(range(m.start() + 1, m.end()))
    spans: list[OrgSpan] = []
    prev_end = 0
    for m in rules.suffix.finditer(text):
        s, e = m.span()
        gov = m.lastgroup == "gov"
        limit = max(prev_end, s - rules.max_chars)
        pos = s
        while pos > limit and _name_char(text[pos - 1]):
            if pos not in protected and rules.stops.search(text, max(0, pos - rules.stop_maxlen), pos):
                break
            pos -= 1
        count, chain_end = leading_chain(text, pos, s)
        if count >= 2:
            pos = chain_end
        if not gov and s - pos < 2:
            continue  # a bare suffix (大学, 公司) names no one
        if "中试" in text[pos:e]:
            continue
        spans.append(OrgSpan(pos, e, gov))
        prev_end = e
    return spans


def _en_spans(text: str) -> list[OrgSpan]:
    pattern, gov_words = _en_rules()
    return [OrgSpan(m.start(), m.end(), bool(gov_words.search(m.group()))) for m in pattern.finditer(text)]


def find_orgs(text: str, lang: str) -> list[OrgSpan]:
    """Organisation spans in normalised ``text``, left to right, not overlapping."""
    return _en_spans(text) if lang == "en" else _zh_spans(text)


def mask(text: str, spans: list[OrgSpan], fill: str = "\u25a1") -> str:
    """``text`` with every span overwritten by ``fill`` (same length, so offsets still hold)."""
    if not spans:
        return text
    chars = list(text)
    for sp in spans:
        chars[sp.start : sp.end] = fill * (sp.end - sp.start)
    return "".join(chars)
