"""jieba's word segmentation over a prefix dictionary read shard by shard (issue 20: a cheaper gloss, a faster start).

`Segmenter.cut(text)` yields what `jieba.Tokenizer.cut(text, HMM=True)` yields for the same prefix dictionary (FREQ,
total): the same blocks (jieba.re_han_default / re_skip_default), the same maximum-probability route (the same float
arithmetic, ties to the longer word as jieba's max over (probability, end) does), the same HMM (jieba.finalseg) over
runs of single characters no dictionary word covers. tests/test_gloss_speed_behaviour.py checks it word for word
against jieba on real articles.

What differs is where the dictionary lives: jieba holds one dict of 500,000 words and prefixes, which takes longer to
read than translating a sentence. Here the words are grouped by first character into shards, each a marshal blob,
unpacked the first time a text holds that character. Every lookup of a word (route, HMM test, part-of-speech tag) only
needs the shard of its first character, so one sentence unpacks a handful of shards; a long run ends up with all of
them, for about what reading the whole dictionary once costs.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from math import log
from typing import Any

__all__ = ["Segmenter", "shard_tables"]


def shard_tables(freq: dict[str, int], tags: dict[str, str]) -> tuple[dict[str, tuple[int, int]], bytes]:
    """(index: first character → (start, end) in blob, blob): each shard is marshal([{word: freq}, {word: tag}])."""
    groups: dict[str, tuple[dict[str, int], dict[str, str]]] = {}
    for word, f in freq.items():
        group = groups.get(word[0])
        if group is None:
            group = groups[word[0]] = ({}, {})
        group[0][word] = f
        tag = tags.get(word)
        if tag is not None:
            group[1][word] = tag  # the same str object as the freq key: marshal stores it once
    for word, tag in tags.items():  # a tagged word the prefix dictionary lacks (none from jieba's own files)
        if word and word not in freq:
            groups.setdefault(word[0], ({}, {}))[1][word] = tag
    index: dict[str, tuple[int, int]] = {}
    parts: list[bytes] = []
    pos = 0
    for first, (f_shard, t_shard) in groups.items():
        blob = marshal.dumps([f_shard, t_shard])
        index[first] = (pos, pos + len(blob))
        parts.append(blob)
        pos += len(blob)
    return index, b"".join(parts)


class Segmenter:
    """jieba.Tokenizer.cut(HMM=True) over a sharded prefix dictionary; see the module docstring."""

    def __init__(self, total: int, index: dict[str, tuple[int, int]], blob: bytes) -> None:
        import jieba
        from jieba import finalseg

        self._re_han, self._re_skip, self._finalseg = jieba.re_han_default, jieba.re_skip_default, finalseg
        self.total = total
        self._logtotal = log(total)
        self._index = index
        self._blob = blob
        self._freq: dict[str, dict[str, int]] = {}  # first character → its words' frequencies (0: a prefix only)
        self._tags: dict[str, dict[str, str]] = {}  # first character → its words' part-of-speech tags
        self.shards_loaded = 0

    def _load(self, first: str) -> dict[str, int]:
        span = self._index.get(first)
        if span is None:
            freq: dict[str, int] = {}
            tags: dict[str, str] = {}
        else:
            freq, tags = marshal.loads(self._blob[span[0] : span[1]])
            self.shards_loaded += 1
        self._freq[first] = freq
        self._tags[first] = tags
        return freq

    def freq(self, word: str) -> int | None:
        """jieba's FREQ.get(word): the word's count, 0 for a prefix that is no word, None when unknown."""
        if not word:
            return None
        shard = self._freq.get(word[0])
        if shard is None:
            shard = self._load(word[0])
        return shard.get(word)

    def tag(self, word: str) -> str | None:
        """The word's part-of-speech tag from jieba's dictionary (ours included), None when it has none."""
        if not word:
            return None
        if word[0] not in self._tags:
            self._load(word[0])
        return self._tags[word[0]].get(word)

    def full_freq(self) -> dict[str, int]:
        """The whole prefix dictionary as jieba's FREQ (unpacks every shard)."""
        out: dict[str, int] = {}
        for first in self._index:
            shard = self._freq.get(first)
            out.update(self._load(first) if shard is None else shard)
        return out

    def jieba_tokenizer(self) -> Any:
        """A jieba.Tokenizer holding the same prefix dictionary (for comparisons: bench/gloss_speed.py, tests)."""
        import jieba

        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = self.full_freq(), self.total, True
        return tokenizer

    def cut(self, sentence: str) -> Iterator[str]:
        """The words of sentence, as jieba.Tokenizer.cut(sentence, HMM=True) gives them."""
        re_han, re_skip = self._re_han, self._re_skip
        for block in re_han.split(sentence):
            if not block:
                continue
            if re_han.match(block):
                yield from self._cut_block(block)
            else:
                for piece in re_skip.split(block):
                    if re_skip.match(piece):
                        yield piece
                    else:
                        yield from piece

    def _route(self, sentence: str) -> list[int]:
        """end[i]: where the best route's word starting at i ends (exclusive): jieba's get_DAG + calc, fused."""
        n = len(sentence)
        logtotal = self._logtotal
        shards = self._freq
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        for idx in range(n - 1, -1, -1):
            first = sentence[idx]
            shard = shards.get(first)
            if shard is None:
                shard = self._load(first)
            best = 0.0
            best_end = -1
            i = idx
            frag = first
            while i < n and frag in shard:
                f = shard[frag]
                if f:
                    # jieba: max((log(FREQ.get(w) or 1) - logtotal + route[x + 1][0], x) for x in DAG[idx]): the
                    # same sum in the same order; on a tie the larger x (the longer word) wins, as max over tuples.
                    p = log(f) - logtotal + score[i + 1]
                    if best_end < 0 or p >= best:
                        best, best_end = p, i
                i += 1
                frag = sentence[idx : i + 1]
            if best_end < 0:  # no word starts here: the character alone, FREQ.get(ch) or 1
                best, best_end = log(shard.get(first) or 1) - logtotal + score[idx + 1], idx
            score[idx] = best
            end[idx] = best_end + 1
        return end

    def _cut_block(self, sentence: str) -> Iterator[str]:
        # jieba.Tokenizer.__cut_DAG: single characters gather in buf; a buf of two or more that is no dictionary word
        # goes through the HMM (finalseg), which joins characters into words no dictionary has (names).
        end = self._route(sentence)
        x = 0
        buf = ""
        n = len(sentence)
        while x < n:
            y = end[x]
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    yield from self._flush(buf)
                    buf = ""
                yield word
            x = y
        if buf:
            yield from self._flush(buf)

    def _flush(self, buf: str) -> Iterator[str]:
        if len(buf) == 1:
            yield buf
        elif not self.freq(buf):
            yield from self._finalseg.cut(buf)
        else:
            yield from buf
