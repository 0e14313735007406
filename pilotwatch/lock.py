"""One run per database at a time."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class RunLocked(Exception):
    """Another run holds the lock of this database."""


@contextmanager
def run_lock(db_path: str | Path) -> Iterator[None]:
    """An exclusive flock on <db>.lock. The kernel drops the lock when the holder exits or is killed, so a crashed
    run never leaves a stale lock behind. The lock sits beside the database's real path (symlinks resolved), so a
    second run reaching the same file through a symlink, or through a symlinked folder, waits for the same lock."""
    lock_path = Path(f"{os.path.realpath(db_path)}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 (held for the whole run)
    except OSError as exc:
        raise RunLocked(f"cannot open database {db_path}: cannot create lock file {lock_path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise RunLocked(f"another pilotwatch run (pid {holder}) is using {db_path}; lock file {lock_path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()
