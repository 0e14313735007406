"""Translation memory: sentence-level reuse keyed by (sentence, engine, model, glossary version).

A re-run, a repost or a boilerplate sentence ("现将有关事项通知如下：") costs one lookup, not one translation.
The memory itself lives in the store; this module only needs an object with two methods (the Memory protocol),
so the translate stage never imports the store.
"""


from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from zhtext.script import simplified

from .errors import TranslateError
from .glossary import glossary_version
from .segment import split_paragraphs, split_sentences

__all__ = ["Memory", "MemoryStats", "BufferedMemory", "memory_key", "translate_sentences", "translate_document"]


class Memory(Protocol):
    def tm_get_many(self, keys: list[str]) -> dict[str, str]: ...

    def tm_put_many(self, rows: list[dict[str, str]]) -> None: ...


class BufferedMemory:
    """A Memory over the store's that holds its writes until flush(), so an article's lookups and new sentences
    cost one commit (with the article's translation) instead of one per batch.

    Reads see the writes held back, so translate_sentences answers exactly as with the store's memory; flush()
    replays the writes (new sentences, hit counts) in their order. The underlying memory needs tm_lookup (read
    without counting) and tm_count_hits besides tm_put_many.
    """

    def __init__(self, memory) -> None:
        self.memory = memory
        self._held: dict[str, str] = {}  # key → English written but not flushed
        self._writes: list[tuple[str, list]] = []  # ("put", rows) | ("hits", keys), in order

    def tm_get_many(self, keys: list[str]) -> dict[str, str]:
        found = {k: self._held[k] for k in keys if k in self._held}
        rest = [k for k in keys if k not in found]
        if rest:
            found.update(self.memory.tm_lookup(rest))
        if found:
            self._writes.append(("hits", list(found)))
        return found

    def tm_put_many(self, rows: list[dict[str, str]]) -> None:
        if not rows:
            return
        for row in rows:
            self._held.setdefault(row["key"], row["english"])  # the first write wins, as in the store
        self._writes.append(("put", list(rows)))

    def flush(self) -> None:
        writes, self._writes, self._held = self._writes, [], {}
        for kind, arg in writes:
            if kind == "put":
                self.memory.tm_put_many(arg)
            else:
                self.memory.tm_count_hits(arg)


@dataclass
class MemoryStats:
    hits: int = 0
    misses: int = 0

    def add(self, other: MemoryStats) -> None:
        self.hits += other.hits
        self.misses += other.misses


def memory_key(engine: str, model: str, glossary: str, sentence: str) -> str:
    return hashlib.sha256("\x1f".join((engine, model, glossary, sentence)).encode("utf-8")).hexdigest()


def translate_sentences(translator, sentences: Sequence[str], memory: Memory | None = None
                        ) -> tuple[list[str], MemoryStats]:
    """Translate a batch, asking the memory first; repeated sentences in the batch are translated once. Every engine
    gets Simplified Chinese (Traditional folded character for character): one dictionary, one model vocabulary."""
    sentences = [simplified(s) for s in sentences]
    stats = MemoryStats()
    unique = list(dict.fromkeys(sentences))
    glossary = glossary_version()
    keys = {s: memory_key(translator.engine, translator.model, glossary, s) for s in unique}
    known = memory.tm_get_many(list(keys.values())) if memory is not None and unique else {}
    todo = [s for s in unique if keys[s] not in known]
    english = translator.translate(todo) if todo else []
    if len(english) != len(todo):
        raise TranslateError(f"engine {translator.engine!r} returned {len(english)} sentences for {len(todo)}",
                             engine=translator.engine)
    done = dict(zip(todo, english, strict=True))
    if memory is not None and todo:
        memory.tm_put_many([{"key": keys[s], "sentence": s, "english": e, "engine": translator.engine,
                             "model": translator.model, "glossary_version": glossary} for s, e in done.items()])
    stats.hits = sum(1 for s in sentences if keys[s] in known)
    stats.misses = len(sentences) - stats.hits
    return [known[keys[s]] if keys[s] in known else done[s] for s in sentences], stats


def translate_document(translator, text: str, memory: Memory | None = None) -> tuple[str, MemoryStats]:
    """Paragraph-aware translation: sentences of a paragraph rejoined with spaces, paragraphs with newlines; the
    output has exactly as many lines as the input."""
    (english,), stats = translate_documents(translator, [text], memory)
    return english, stats


def translate_documents(translator, texts: Sequence[str], memory: Memory | None = None
                        ) -> tuple[list[str], MemoryStats]:
    """translate_document over several texts (an article's title and body) in one request to the engine."""
    docs = [[split_sentences(p) for p in split_paragraphs(text)] for text in texts]
    flat = [s for paragraphs in docs for sentences in paragraphs for s in sentences]
    english, stats = translate_sentences(translator, flat, memory)
    out: list[str] = []
    i = 0
    for paragraphs in docs:
        lines = []
        for sentences in paragraphs:
            lines.append(" ".join(english[i:i + len(sentences)]))
            i += len(sentences)
        out.append("\n".join(lines))
    return out, stats
