"""Run the pipeline once against the sample site, optionally SIGKILLing the process at the N-th call of a function.

    [CRASHRUN_CONFIG=pilotwatch.toml] python tests/crashrun.py DB DIGEST_DIR HOSTS_JSON [TARGET N]

TARGET names what to interrupt: a module function ("crawler.fetch"), a Store method ("Store.save_tags"), a class's
method ("crawler.Sandbox.extract_text"), or "Store.commit" — the N-th write transaction is killed after its statements
ran and before COMMIT, the worst moment for a database. The kill is a real SIGKILL: no finally blocks, no atexit, no flush.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def arm(target: str, nth: int) -> None:
    calls = {"n": 0}

    def hit() -> None:
        calls["n"] += 1
        if calls["n"] == nth:
            os.kill(os.getpid(), signal.SIGKILL)

    if target == "Store.commit":
        from store.db import Store

        @contextmanager
        def write(self):
            conn = self.db.conn
            if conn.in_transaction:  # nested in an outer write: it commits (or dies) for both
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            hit()  # the statements ran; the process dies before COMMIT
            conn.execute("COMMIT")

        Store.write = write
        return
    owner_name, _, attr = target.rpartition(".")
    if owner_name == "Store":
        from store.db import Store as owner
    else:
        try:
            owner = importlib.import_module(owner_name)
        except ModuleNotFoundError:  # a class's method: "crawler.Sandbox.extract_text"
            module, _, cls = owner_name.rpartition(".")
            owner = getattr(importlib.import_module(module), cls)
    original = getattr(owner, attr)

    def wrapper(*args, **kwargs):
        hit()
        return original(*args, **kwargs)

    setattr(owner, attr, wrapper)


def main() -> None:
    db, digest_dir, hosts_json = sys.argv[1:4]
    if len(sys.argv) > 4:
        arm(sys.argv[4], int(sys.argv[5]))
    from crawler import load_sources
    from pilotwatch.config import load_config
    from pilotwatch.pipeline import build_client, run_pipeline
    from store import open_store

    hosts = json.loads(hosts_json)
    # CRASHRUN_CONFIG: a config file (e.g. with subscriptions) under the same overrides
    config = load_config(os.environ.get("CRASHRUN_CONFIG") or None, env={},
                         overrides={"db": db, "digest_dir": digest_dir, "delay": 0.0, "retries": 0})
    sources = [replace(s.rebased(hosts), delay=0.0) for s in load_sources()]
    st = open_store(db)
    with build_client(config) as client:
        report = run_pipeline(config, sources=sources, client=client, store=st, mode="demo")
    st.close()
    print(report.summary())


if __name__ == "__main__":
    main()
