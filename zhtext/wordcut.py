"""jieba's word segmentation over one prefix dictionary per process, shared by the stages (issue 20).

`Segmenter.cut(text)` yields what `jieba.Tokenizer.cut(text, HMM=True)` yields for the same prefix dictionary (FREQ,
total): the same blocks, the same maximum-probability route (the same float arithmetic, ties to the longer word as
jieba's max over (probability, end) does), the same HMM over runs of single characters no dictionary word covers.
tests/test_gloss_speed_behaviour.py and tests/test_pos_cut.py check it word for word against jieba on real articles.

What differs is where the dictionary lives. jieba holds one dict of 500,000 words and prefixes per tokenizer, and its
part-of-speech tagger a second table of 350,000 tags; the gloss and the tagger each add their own words, so a process
held two or three copies (~300 MB). Here:

- `Dictionary`: jieba's own dict.txt, words grouped by first character into shards, each a marshal blob unpacked the
  first time a text holds that character. One per process (`shared`), whoever asks first.
- `Words`: a user's view of it: the base plus what `jieba.Tokenizer.add_word` would have changed for that user's words
  (`added`: new words, new prefixes, a new total, new tags), a few thousand entries.

Stdlib only (a zhtext rule): the callers hand in jieba's pieces (the block regexes, the HMM, a Tokenizer for add_word).
"""

from __future__ import annotations

import functools
import marshal
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from math import log
from typing import Any

from . import cache

__all__ = ["Dictionary", "Segmenter", "Words", "added", "jieba_dictionary_path", "load", "read_dictionary", "shard_tables",
           "shared"]


def read_dictionary(data: bytes) -> tuple[dict[str, int], int, dict[str, str]]:
    """(FREQ, total, tags) of a dictionary in jieba's dict.txt format, as jieba.Tokenizer.gen_pfdict and
    jieba.posseg.POSTokenizer.load_word_tag read it: every prefix of a word is in FREQ (0 unless a word itself)."""
    freq: dict[str, int] = {}
    tags: dict[str, str] = {}
    total = 0
    for lineno, raw in enumerate(data.splitlines(), 1):
        line = raw.strip().decode("utf-8")
        parts = line.split(" ")
        try:
            word, count = parts[0], int(parts[1])
        except (IndexError, ValueError):
            raise ValueError(f"invalid dictionary entry at line {lineno}: {line!r}") from None
        freq[word] = count
        total += count
        for end in range(1, len(word)):
            if word[:end] not in freq:
                freq[word[:end]] = 0
        if len(parts) == 3:
            tags[word] = parts[2]
    return freq, total, tags


def added(freq: dict[str, int], total: int, tags: dict[str, str], words: Iterable[tuple[str, str]],
          tokenizer: Any) -> tuple[dict[str, int], int, dict[str, str], list[str]]:
    """What `tokenizer.add_word(word, tag=tag)` for each of words, in order, changes in (freq, total, tags): (the changed
    and new entries of FREQ, the new total, the new tags, the words of frequency 0 jieba would force-split). tokenizer
    is a fresh jieba.Tokenizer(); freq is not modified."""
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = dict(freq), total, True
    for word, tag in words:
        tokenizer.add_word(word, tag=tag)
    changed = {w: f for w, f in tokenizer.FREQ.items() if freq.get(w) != f}
    new_tags = {w: t for w, t in tokenizer.user_word_tag_tab.items() if tags.get(w) != t}
    force_split = [w for w, _ in words if tokenizer.FREQ.get(w) == 0]
    return changed, tokenizer.total, new_tags, force_split


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


class Dictionary:
    """A prefix dictionary in shards (see the module docstring), unpacked as texts reach each first character."""

    def __init__(self, total: int, index: dict[str, tuple[int, int]], blob: bytes) -> None:
        self.total = total
        self._index = index
        self._blob = blob
        self.freqs: dict[str, dict[str, int]] = {}  # first character → its words' frequencies (0: a prefix only)
        self.tags: dict[str, dict[str, str]] = {}  # first character → its words' part-of-speech tags
        self.shards_loaded = 0

    def load(self, first: str) -> dict[str, int]:
        """The shard of words starting with first (unpacked now if it was not yet): its frequencies."""
        span = self._index.get(first)
        if span is None:
            freq: dict[str, int] = {}
            tags: dict[str, str] = {}
        else:
            freq, tags = marshal.loads(self._blob[span[0] : span[1]])
            self.shards_loaded += 1
        self.tags[first] = tags  # tags first: a reader that sees freqs[first] finds tags[first] too
        self.freqs[first] = freq
        return freq

    def firsts(self) -> Iterable[str]:
        return self._index.keys()


_SHARED: dict[str, Dictionary] = {}
_SHARED_LOCK = threading.Lock()


def shared(key: str, load: Callable[[], tuple[int, dict[str, tuple[int, int]], bytes]]) -> Dictionary:
    """The process's Dictionary for key (a hash of the dictionary file), made from load() = (total, index, blob) the
    first time any stage asks for it."""
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            found = _SHARED[key] = Dictionary(*load())
        return found


_BASE_CACHE = "jieba-dict"
_BASE_FORMAT = "jieba-dict 1"
_ADDED_FORMAT = "jieba-added 1"


def jieba_dictionary_path(jieba: Any) -> str:
    """The dict.txt jieba's default tokenizer reads (jieba.Tokenizer().get_dict_file()), given the jieba module."""
    return os.path.join(os.path.dirname(jieba.__file__), jieba.DEFAULT_DICT_NAME)


@functools.cache
def _base_key(path: str, version: str) -> str:
    """The cache key of jieba's dictionary file: read and hashed once per process, whichever stage asks first."""
    with open(path, "rb") as f:
        return cache.key_of(_BASE_FORMAT, version, f.read())


def load(name: str, path: str, version: str, words: list[tuple[str, str]],
         tokenizer: Callable[[], Any]) -> tuple[Dictionary, int, dict[str, int], dict[str, str], list[str]]:
    """(the process's Dictionary of jieba's dict.txt at path, and name's words added to it: total, freq, tags,
    force_split).

    version is jieba's; tokenizer makes a jieba.Tokenizer (only to build). Both tables come from the user cache
    (zhtext/cache.py) when they were built from the same inputs, else are built and cached: the dictionary's shards
    under "jieba-dict", name's additions under name. The file is read again only to build."""
    base_key = _base_key(path, version)

    def read() -> tuple[dict[str, int], int, dict[str, str]]:
        with open(path, "rb") as f:
            return read_dictionary(f.read())

    def base_tables() -> list[Any]:
        freq, total, tags = read()
        return [total, *shard_tables(freq, tags)]

    base = shared(base_key, lambda: cache.cached(_BASE_CACHE, base_key, base_tables, _valid_base))
    key = cache.key_of(_ADDED_FORMAT, base_key, "\n".join(f"{w}\t{t}" for w, t in words))

    def added_tables() -> list[Any]:
        freq, total, tags = read()
        changed, new_total, new_tags, force_split = added(freq, total, tags, words, tokenizer())
        return [new_total, changed, new_tags, force_split]

    total, freq, tags, force_split = cache.cached(name, key, added_tables, _valid_added)
    return base, total, freq, tags, force_split


def _valid_base(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], int) and value[0] > 0
            and isinstance(value[1], dict) and bool(value[1]) and isinstance(value[2], bytes))


def _valid_added(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 4 and isinstance(value[0], int) and value[0] > 0
            and isinstance(value[1], dict) and isinstance(value[2], dict) and isinstance(value[3], list))


class Words:
    """A Dictionary plus one user's added words (`added`): FREQ, total and tags as jieba would hold them after
    add_word, without a copy of the dictionary."""

    def __init__(self, base: Dictionary, total: int, freq: dict[str, int], tags: dict[str, str]) -> None:
        self.base = base
        self.total = total
        self._logtotal = log(total)
        self._added: dict[str, dict[str, int]] = {}  # first character → added words and prefixes
        for word, f in freq.items():
            if word:
                self._added.setdefault(word[0], {})[word] = f
        self._added_tags = tags

    @property
    def shards_loaded(self) -> int:
        return self.base.shards_loaded

    def freq(self, word: str) -> int | None:
        """jieba's FREQ.get(word): the word's count, 0 for a prefix that is no word, None when unknown."""
        if not word:
            return None
        mine = self._added.get(word[0])
        if mine is not None and word in mine:
            return mine[word]
        shard = self.base.freqs.get(word[0])
        if shard is None:
            shard = self.base.load(word[0])
        return shard.get(word)

    def tag(self, word: str) -> str | None:
        """The word's part-of-speech tag from jieba's dictionary (ours included), None when it has none."""
        if not word:
            return None
        mine = self._added_tags.get(word)
        if mine is not None:
            return mine
        if word[0] not in self.base.freqs:
            self.base.load(word[0])
        return self.base.tags[word[0]].get(word)

    def full_freq(self) -> dict[str, int]:
        """The whole prefix dictionary as jieba's FREQ (unpacks every shard): for comparisons with jieba."""
        out: dict[str, int] = {}
        for first in self.base.firsts():
            shard = self.base.freqs.get(first)
            out.update(self.base.load(first) if shard is None else shard)
        for mine in self._added.values():
            out.update(mine)
        return out

    def route(self, sentence: str) -> list[int]:
        """end[i]: where the best route's word starting at i ends (exclusive): jieba's get_DAG + calc, fused."""
        n = len(sentence)
        logtotal = self._logtotal
        shards = self.base.freqs
        added_by_first = self._added
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        for idx in range(n - 1, -1, -1):
            first = sentence[idx]
            shard = shards.get(first)
            if shard is None:
                shard = self.base.load(first)
            mine = added_by_first.get(first)
            best = 0.0
            best_end = -1
            i = idx
            frag = first
            while i < n:
                # an added word or prefix overrides the dictionary's entry, as add_word overwrote FREQ
                f = mine.get(frag) if mine is not None else None
                if f is None:
                    f = shard.get(frag)
                    if f is None:
                        break
                if f:
                    # jieba: max((log(FREQ.get(w) or 1) - logtotal + route[x + 1][0], x) for x in DAG[idx]): the
                    # same sum in the same order; on a tie the larger x (the longer word) wins, as max over tuples.
                    p = log(f) - logtotal + score[i + 1]
                    if best_end < 0 or p >= best:
                        best, best_end = p, i
                i += 1
                frag = sentence[idx : i + 1]
            if best_end < 0:  # no word starts here: the character alone, FREQ.get(ch) or 1
                best, best_end = log(self.freq(first) or 1) - logtotal + score[idx + 1], idx
            score[idx] = best
            end[idx] = best_end + 1
        return end


    def walk(self, sentence: str) -> Iterator[tuple[str, bool]]:
        """The best route's words, as (word, False), with each run of single characters gathered into (run, True):
        jieba's __cut_DAG (and posseg's), which hands such a run of two or more that is no word to its HMM."""
        end = self.route(sentence)
        x = 0
        buf = ""
        n = len(sentence)
        while x < n:
            y = end[x]
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    yield buf, True
                    buf = ""
                yield sentence[x:y], False
            x = y
        if buf:
            yield buf, True


class Segmenter(Words):
    """jieba.Tokenizer.cut(HMM=True) over Words. blocks = (jieba.re_han_default, jieba.re_skip_default); hmm =
    jieba.finalseg.cut."""

    def __init__(self, base: Dictionary, total: int, freq: dict[str, int], tags: dict[str, str], *,
                 blocks: tuple[Any, Any], hmm: Callable[[str], Iterable[str]]) -> None:
        super().__init__(base, total, freq, tags)
        self._re_han, self._re_skip = blocks
        self._hmm = hmm

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

    def _cut_block(self, sentence: str) -> Iterator[str]:
        for piece, run in self.walk(sentence):
            yield from (self._flush(piece) if run else (piece,))

    def _flush(self, buf: str) -> Iterator[str]:
        if len(buf) == 1:
            yield buf
        elif not self.freq(buf):
            yield from self._hmm(buf)
        else:
            yield from buf
