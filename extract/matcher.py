"""Leftmost-longest dictionary matching with the standard library only.

Terms are compiled into one trie-shaped regular expression (shared prefixes become nested groups). At each position ``re`` tries
the longest continuation first and backs off to shorter terms, and ``finditer`` moves left to right without overlaps:
that is leftmost-longest matching, the same result as an Aho-Corasick ``iter_long`` scan, with no extra dependency.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P")

_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")


def _trie_pattern(terms: Iterable[str]) -> str:
    trie: dict = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        terminal = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted((k, v) for k, v in node.items() if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
        return body + "?" if terminal else body

    return build(trie)


@dataclass(frozen=True)
class Match(Generic[P]):
    start: int
    end: int
    text: str
    payload: P


class TermMatcher(Generic[P]):
    """Exact terms → payloads. A term that starts or ends with an ASCII letter/digit must not touch another one
    (so "C1" does not match inside "C10")."""

    def __init__(self, terms: dict[str, P]) -> None:
        if not terms:
            raise ValueError("TermMatcher needs at least one term")
        self._payloads = dict(terms)
        self._regex = re.compile(_trie_pattern(self._payloads))

    def finditer(self, text: str) -> Iterator[Match[P]]:
        for m in self._regex.finditer(text):
            s, e = m.span()
            word = m.group()
            if _ASCII_ALNUM.match(word[0]) and s > 0 and _ASCII_ALNUM.match(text[s - 1]):
                continue
            if _ASCII_ALNUM.match(word[-1]) and e < len(text) and _ASCII_ALNUM.match(text[e]):
                continue
            yield Match(s, e, word, self._payloads[word])


class PatternMatcher(Generic[P]):
    """(regex, payload) pairs; all matches, then resolved leftmost-longest without overlaps. For the short English
    lists, where word boundaries and stems (``enzym*``) matter more than speed."""

    def __init__(self, patterns: Iterable[tuple[str, P]], flags: int = 0) -> None:
        self._patterns = [(re.compile(p, flags), payload) for p, payload in patterns]

    def finditer(self, text: str) -> Iterator[Match[P]]:
        found = [
            (m.start(), -(m.end() - m.start()), i, m, payload)
            for i, (rx, payload) in enumerate(self._patterns)
            for m in rx.finditer(text)
            if m.end() > m.start()
        ]
        found.sort(key=lambda t: (t[0], t[1], t[2]))
        last_end = -1
        for start, _neglen, _i, m, payload in found:
            if start >= last_end:
                last_end = m.end()
                yield Match(start, m.end(), m.group(), payload)


def english_term_pattern(term: str) -> str:
    """``enzym*`` → a whole-word prefix match; ``skin care`` → the exact words (spaces match any whitespace)."""
    stem = term.endswith("*")
    core = term.rstrip("*")
    body = r"\s+".join(re.escape(w) for w in core.split())
    return r"\b" + body + (r"[\w-]*" if stem else "") + r"\b"
