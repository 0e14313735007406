"""The project glossary (glossary.tsv): zh<TAB>en<TAB>kind<TAB>source, '#' comments. It always beats CC-CEDICT.

Columns: the Chinese term, its English, its kind (central, party, academy, local, media, zone, policy, sector, bio,
enzyme, chem, usage; the file's header says what each means) and where the entry came from (seed, cedict-fix,
corpus:<n>, domain). Only zh and en are required: a user glossary may have 2, 3 or 4 columns, and a missing
kind or source is "". Extra columns after the fourth are ignored.

Loaded once per path per process. Its version is the first 8 hex digits of the file's sha256, so a
stored translation can say exactly which glossary produced it.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from zhtext.cache import LOADS

from .errors import GlossaryFileError

__all__ = ["Glossary", "GlossaryEntry", "DEFAULT_GLOSSARY", "load_glossary", "glossary_version"]

DEFAULT_GLOSSARY = "glossary.tsv"


@dataclass(frozen=True)
class GlossaryEntry:
    zh: str
    en: str
    kind: str
    source: str = ""  # provenance: seed, cedict-fix, corpus:<n>, domain ("" in user glossaries without it)


@dataclass(frozen=True)
class Glossary:
    path: str
    version: str  # 8 hex digits of the file's sha256
    entries: dict[str, GlossaryEntry]  # by zh

    def get(self, zh: str) -> str | None:
        entry = self.entries.get(zh)
        return entry.en if entry else None


def _default_bytes() -> tuple[str, bytes]:
    ref = resources.files(__package__).joinpath(DEFAULT_GLOSSARY)
    return str(ref), ref.read_bytes()


@functools.cache
def load_glossary(path: str | None = None) -> Glossary:
    """Parse a glossary file (default: the packaged glossary.tsv). Raises GlossaryFileError on bad lines."""
    if path is None:
        name, data = _default_bytes()
    else:
        name, data = str(path), Path(path).read_bytes()
    LOADS["glossary"] += 1
    entries: dict[str, GlossaryEntry] = {}
    for lineno, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise GlossaryFileError(
                f"{name}:{lineno}: expected zh<TAB>en[<TAB>kind[<TAB>source]], got {line!r}", setting="glossary"
            )
        zh, en = cols[0].strip(), cols[1].strip()
        if zh in entries:
            raise GlossaryFileError(f"{name}:{lineno}: duplicate entry {zh!r}", setting="glossary")
        kind = cols[2].strip() if len(cols) > 2 else ""
        source = cols[3].strip() if len(cols) > 3 else ""
        entries[zh] = GlossaryEntry(zh, en, kind, source)
    return Glossary(name, hashlib.sha256(data).hexdigest()[:8], entries)


def glossary_version(path: str | None = None) -> str:
    """8 hex digits of the glossary file's sha256 (default: the packaged glossary)."""
    return load_glossary(path).version
