"""A per-user cache of finished tables, so a process reads them instead of building them (issue 20).

jieba's prefix dictionary in shards and its part-of-speech table (zhtext/wordcut.py), each stage's words added to it,
jieba's part-of-speech HMM in compact form (extract/pos.py) and CC-CEDICT's index (translate/cedict.py) take seconds
to build and a fraction of that to read back. Each table is one file in the cache folder:

    $XDG_CACHE_HOME/pilotwatch/<name>.cache      (default ~/.cache/pilotwatch; the folder is made mode 0700)

A file holds a magic line, the key it was built for, a blake2b digest of its payload and the payload (marshal: plain
dicts, lists, strings and numbers only). The key is a hash of everything the table is built from (the dictionary's
bytes, the glossary's and gazetteer's words, the format), so a changed glossary rebuilds the table and rewrites the
file. A file that is missing, truncated, corrupt, of another key or of an unexpected shape is ignored and rebuilt;
a folder that cannot be made or written leaves the process to build its tables as before, with no error. Files are
written to a temporary name in the same folder and renamed over the old one, so a reader never sees half a file and
two processes writing at once leave one whole file.

A table whose shape changes takes a new name (not only a new key): two installed versions side by side (an upgrade
under way, a bench against an older tree) would otherwise rebuild and overwrite each other's file on every run.

LOADS counts, per process, how often each table was built or read (tests and bench/gloss_speed.py check that each is
loaded once).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["LOADS", "STATS", "cache_dir", "key_of", "read", "write", "cached"]

log = logging.getLogger(__name__)

MAGIC = b"PILOTWATCH-CACHE 1\n"
_DIGEST = 32  # bytes of blake2b
_KEY = 64  # hex characters of a key

LOADS: Counter[str] = Counter()  # table → times built or read in this process
STATS: Counter[str] = Counter()  # "<name> hit|miss|stale|bad|written|unwritable"

T = TypeVar("T")


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/pilotwatch (an absolute XDG_CACHE_HOME only, as the spec says), else ~/.cache/pilotwatch;
    None when there is no home folder to put it in."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if base and os.path.isabs(base):
        return Path(base) / "pilotwatch"
    try:
        return Path.home() / ".cache" / "pilotwatch"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return None


def key_of(*parts: bytes | str) -> str:
    """A cache key: 64 hex digits of blake2b over the parts (each length-prefixed, so parts cannot run together) and
    marshal's format version (another Python may write another format)."""
    h = hashlib.blake2b(digest_size=32)
    h.update(marshal.version.to_bytes(4, "little"))
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _path(name: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"{name}.cache"


def read(name: str, key: str, valid: Callable[[Any], bool]) -> Any | None:
    """The table cached under name for key, or None (missing, of another key, corrupt, or not valid())."""
    path = _path(name)
    try:
        if path is None:
            raise FileNotFoundError("no cache folder")
        with open(path, "rb") as f:
            data = f.read()  # one read: marshal.load on a file reads it in small pieces, far slower
    except OSError:
        STATS[f"{name} miss"] += 1
        return None
    head = len(MAGIC) + _KEY + 1
    if not data.startswith(MAGIC) or len(data) < head + _DIGEST:
        STATS[f"{name} bad"] += 1
        return None
    if data[len(MAGIC) : len(MAGIC) + _KEY] != key.encode("ascii"):
        STATS[f"{name} stale"] += 1
        return None
    # a view, not a copy: the payload is most of the file (13 MB for jieba's dictionary)
    digest, payload = data[head : head + _DIGEST], memoryview(data)[head + _DIGEST :]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        STATS[f"{name} bad"] += 1
        return None
    try:
        value = marshal.loads(payload)
        ok = valid(value)
    except Exception:  # a payload that is no marshal data, or of another shape than valid() expects
        ok = False
    if not ok:
        STATS[f"{name} bad"] += 1
        return None
    STATS[f"{name} hit"] += 1
    return value


def write(name: str, key: str, value: Any) -> bool:
    """Store value (marshal-able) under name for key, atomically; False (and a debug log) when it cannot be written."""
    folder = cache_dir()
    tmp = None
    try:
        if folder is None:
            raise FileNotFoundError("no home folder for the cache")
        payload = marshal.dumps(value)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + key.encode("ascii") + b"\n")
            f.write(hashlib.blake2b(payload, digest_size=_DIGEST).digest())
            f.write(payload)
        os.replace(tmp, folder / f"{name}.cache")
        tmp = None
    except (OSError, ValueError) as exc:
        STATS[f"{name} unwritable"] += 1
        log.debug("cannot write the %s cache in %s: %s", name, folder, exc)
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    STATS[f"{name} written"] += 1
    return True


def cached(name: str, key: str, build: Callable[[], T], valid: Callable[[Any], bool]) -> T:
    """The table from the cache, else build() it and write it for the next process."""
    value = read(name, key, valid)
    if value is not None:
        LOADS[f"{name} (cache)"] += 1
        return value
    value = build()
    LOADS[f"{name} (built)"] += 1
    write(name, key, value)
    return value
