"""Chinese full-text indexing without a segmenter: overlapping character bigrams.

FTS5's tokenizers do not segment Chinese. A jieba segmentation would miss words that jieba cut differently (生物制造
inside 合成生物制造业 is cut 合成/生物/制造业), and trigrams cannot find two-character words (中试). Indexing every
overlapping bigram and querying a word as the phrase of its bigrams finds any substring of two or more characters;
a one-character query becomes a prefix search over the bigrams. Latin words and numbers pass through as they are.
"""

from __future__ import annotations

import re

from zhtext.script import HAN, HAN_RUN

_WORD = re.compile(f"[{HAN}]+|[0-9A-Za-z]+(?:[.'][0-9A-Za-z]+)*")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """The string stored in the Chinese FTS table for `text`."""
    out: list[str] = []
    for m in _WORD.finditer(text or ""):
        word = m.group()
        out.extend(_bigrams(word) if HAN_RUN.fullmatch(word) else [word.lower()])
    return " ".join(out)


def phrase(term: str) -> str:
    """FTS5 expression matching `term` as a substring of an indexed text."""
    parts: list[str] = []
    for m in _WORD.finditer(term):
        word = m.group()
        if HAN_RUN.fullmatch(word):
            parts.append(f'"{word}"*' if len(word) == 1 else '"' + " ".join(_bigrams(word)) + '"')
        else:
            parts.append('"' + word.lower().replace('"', "") + '"')
    return " ".join(parts)



def near(words: tuple[str, ...], gap: int) -> str:
    """FTS5 expression matching `words` (each two or more Han characters) in one text, in any order, with at most
    `gap` characters between them beyond the words themselves: 中试 + 平台, gap 4, finds 中试能力建设平台."""
    # between the end of the first phrase and the start of the last, c characters span c + 1 bigrams
    inner = sum(len(w) for w in words[1:-1])
    return f"NEAR({' '.join(phrase(w) for w in words)}, {inner + gap + len(words) - 1})"
