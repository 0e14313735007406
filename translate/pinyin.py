"""pypinyin's readings of names, from a compact cached table (issue 20: memory).

`syllables(text)` returns what `pypinyin.lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")`
returns (tests/test_pinyin.py checks it on real text and random strings). Importing pypinyin loads its 47,000
phrases, 42,000 characters and a prefix set of every phrase as Python objects: +41 MB in every process that
romanises one name. pypinyin's reading of a text is context-free per word: the text is split into runs of characters
with and without readings, each run with readings is cut by forward maximum matching over the phrase list (a word is a
listed phrase or one character), and each word has one reading. So the table holds each phrase's and each character's
reading as pypinyin gives it, and which strings are phrase prefixes, in shards of 64 code points by first character,
unpacked when a name needs them. It is built with pypinyin once and kept in the user cache (zhtext/cache.py).
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import marshal
import re
import sys
from pathlib import Path
from typing import Any

from zhtext import cache

__all__ = ["syllables"]

_CACHE = "pinyin"
_FORMAT = "pinyin 1"
_PREFIX, _PHRASE = 1, 2  # flags of a shard entry: a prefix of some phrase, a phrase itself
_SHIFT = 6  # a shard holds the words whose first character shares its code point's upper bits


def _build() -> list[Any]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS

    def reading(word: str) -> tuple[str, ...]:
        return tuple(sys.intern(s) for s in lazy_pinyin(word, style=Style.NORMAL, v_to_u=True, errors="default"))

    entries: dict[str, list[Any]] = {}
    for phrase in PHRASES_DICT:
        for end in range(1, len(phrase) + 1):
            entries.setdefault(phrase[:end], [0, None])[0] |= _PREFIX
        entries[phrase][0] |= _PHRASE
    for code in PINYIN_DICT:
        entries.setdefault(chr(code), [0, None])
    for word, entry in entries.items():
        if entry[0] & _PHRASE or len(word) == 1:
            entry[1] = reading(word)
    shards: dict[int, dict[str, tuple[Any, ...]]] = {}
    for word, (flags, syl) in entries.items():
        shards.setdefault(ord(word[0]) >> _SHIFT, {})[word] = (flags, syl)
    return [RE_HANS.pattern, RE_HANS.flags, {k: marshal.dumps(v) for k, v in shards.items()}]


def _valid(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and isinstance(value[1], int)
            and isinstance(value[2], dict) and bool(value[2]))


class _Table:
    def __init__(self, tables: list[Any]) -> None:
        pattern, flags, blobs = tables
        self.hans = re.compile(pattern, flags)
        self._blobs: dict[int, bytes] = blobs
        self._shards: dict[int, dict[str, tuple[int, tuple[str, ...] | None]]] = {}

    def shard(self, first: str) -> dict[str, tuple[int, tuple[str, ...] | None]]:
        key = ord(first) >> _SHIFT
        shard = self._shards.get(key)
        if shard is None:
            blob = self._blobs.get(key)
            shard = self._shards[key] = {} if blob is None else marshal.loads(blob)
        return shard


@functools.cache
def _table() -> _Table:
    # Keyed by pypinyin's version and data files, found without importing it (its import loads what we avoid).
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pypinyin is not installed", name="pypinyin")
    folder = Path(next(iter(spec.submodule_search_locations)))
    key = cache.key_of(_FORMAT, importlib.metadata.version("pypinyin"), (folder / "phrases_dict.json").read_bytes(),
                       (folder / "pinyin_dict.json").read_bytes())
    return _Table(cache.cached(_CACHE, key, _build, _valid))


def _runs(text: str, hans: re.Pattern[str]) -> list[str]:
    """pypinyin's simple_seg: runs of characters that have readings and of those that do not."""
    runs: list[str] = []
    run = ""
    kind = None
    for ch in text:
        has = hans.match(ch) is not None
        if kind is None or has == kind:
            run += ch
        else:
            runs.append(run)
            run = ch
        kind = has
    runs.append(run)
    return runs


def _words(run: str, table: _Table) -> list[str]:
    """pypinyin's mmseg (strict): the longest phrase at each point, else one character."""
    words: list[str] = []
    remain = run
    while remain:
        shard = table.shard(remain[0])
        last, last_end = "", 0
        for end in range(1, len(remain) + 1):
            entry = shard.get(remain[:end])
            if entry is None or not entry[0] & _PREFIX:
                if last:
                    words.append(last)
                    remain = remain[last_end:]
                else:
                    words.append(remain[0])
                    remain = remain[1:]
                break
            if entry[0] & _PHRASE:
                last, last_end = remain[:end], end
        else:  # the whole rest is a prefix
            if last:
                words.append(last)
                remain = remain[last_end:]
            else:
                words.extend(remain)
                break
    return words


def syllables(text: str) -> list[str]:
    """Hanyu Pinyin syllables without tones (ü kept), as pypinyin gives them; characters without a reading are kept
    as written (a run of them as one item)."""
    table = _table()
    out: list[str] = []
    for run in _runs(text, table.hans):
        if not table.hans.match(run):
            if run:
                out.append(run)
            continue
        for word in _words(run, table):
            entry = table.shard(word[0]).get(word)
            reading = entry[1] if entry is not None else None
            if reading is None:  # a character pypinyin has no reading for: kept as written
                out.append(word)
            else:
                out.extend(reading)
    return out
