"""The one SQLite file: open (WAL, busy timeout, foreign keys, migrations), writes and named read queries.

Writes are short `BEGIN IMMEDIATE` transactions: a deferred transaction that later upgrades to a write skips the
busy timeout and fails with "database is locked" under a concurrent reader/writer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .schema import migrations


class StoreError(Exception):
    """The database cannot be opened or written; the message names the file."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000):
        self.path = Path(path)
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self.db = Database(conn)
            migrations.apply(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        return list(self.db.query(sql, params))

    # --- runs, sources, fetch log, failures ---

    def start_run(self, mode: str) -> int:
        with self.write() as conn:
            cur = conn.execute("INSERT INTO runs (started_at, mode, status) VALUES (?, ?, 'running')", (utcnow(), mode))
            return int(cur.lastrowid)

    def finish_run(self, run_id: int, *, exit_code: int, summary: str, **counts: int) -> None:
        cols = ", ".join(f"{k} = :{k}" for k in counts)
        with self.write() as conn:
            conn.execute(
                f"UPDATE runs SET finished_at = :at, status = 'done', exit_code = :exit_code, summary = :summary"
                f"{', ' + cols if cols else ''} WHERE id = :id",
                {"at": utcnow(), "exit_code": exit_code, "summary": summary, "id": run_id, **counts},
            )

    def upsert_source(self, name: str, label: str, base_url: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO sources (name, label, base_url) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET label = excluded.label, base_url = excluded.base_url",
                (name, label, base_url),
            )

    def mark_source(self, name: str, *, ok: bool, kind: str | None = None, error: str | None = None) -> None:
        with self.write() as conn:
            if ok:
                conn.execute("UPDATE sources SET last_ok_at = ? WHERE name = ?", (utcnow(), name))
            else:
                conn.execute(
                    "UPDATE sources SET last_error_at = ?, last_error_kind = ?, last_error = ? WHERE name = ?",
                    (utcnow(), kind, error, name),
                )

    def record_fetch(self, run_id: int, source: str, url: str, purpose: str, *, status: int | None = None,
                     fault_kind: str | None = None, error: str | None = None, nbytes: int | None = None,
                     elapsed_ms: int | None = None) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO fetches (run_id, source, url, purpose, status, fault_kind, error, bytes, elapsed_ms, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, source, url, purpose, status, fault_kind, error, nbytes, elapsed_ms, utcnow()),
            )

    def record_failure(self, run_id: int, stage: str, kind: str, message: str, *, source: str | None = None,
                       url: str | None = None, article_id: int | None = None) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO failures (run_id, source, url, article_id, stage, kind, message, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, source, url, article_id, stage, kind, message[:2000], utcnow()),
            )

    # --- articles ---

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        urls = list(urls)
        known: set[str] = set()
        for i in range(0, len(urls), 500):
            chunk = urls[i:i + 500]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self.db.execute(f"SELECT url FROM articles WHERE url IN ({marks})", chunk))
        return known

    def insert_article(self, run_id: int, fields: Mapping[str, Any]) -> int | None:
        """Insert a parsed article; returns its id, or None when the URL is already stored (idempotent)."""
        row = {**fields, "first_run_id": run_id, "first_seen_at": fields.get("first_seen_at") or utcnow()}
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join(f":{c}" for c in row)
        with self.write() as conn:
            cur = conn.execute(f"INSERT INTO articles ({cols}) VALUES ({marks}) ON CONFLICT(url) DO NOTHING", row)
            return int(cur.lastrowid) if cur.rowcount else None

    def pending_translation(self) -> list[dict[str, Any]]:
        return self.query("SELECT id, url, source, title_zh, body_zh FROM articles WHERE translated_at IS NULL ORDER BY id")

    def save_translation(self, article_id: int, *, title_en: str, body_en: str, engine: str, model: str,
                         missing: list[str]) -> None:
        with self.write() as conn:
            conn.execute(
                "UPDATE articles SET title_en = ?, body_en = ?, translation_engine = ?, translation_model = ?, "
                "translated_at = ?, fidelity_missing = ? WHERE id = ?",
                (title_en, body_en, engine, model, utcnow(), json.dumps(missing, ensure_ascii=False), article_id),
            )

    def pending_tagging(self, tagger_version: str) -> list[dict[str, Any]]:
        return self.query(
            "SELECT id, url, title_zh, body_zh FROM articles WHERE tagger_version IS NULL OR tagger_version != ? "
            "ORDER BY id",
            [tagger_version],
        )

    def save_tags(self, article_id: int, *, is_announcement: bool, mentions: bool, reasons: list[str],
                  tagger_version: str, tags: Iterable[Mapping[str, Any]]) -> None:
        """Replace an article's tags and its classification in one transaction (re-tagging never duplicates)."""
        with self.write() as conn:
            conn.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
            conn.executemany(
                'INSERT INTO tags (article_id, field, value, code, evidence, part, start, "end") '
                "VALUES (:article_id, :field, :value, :code, :evidence, :part, :start, :end)",
                [{**t, "article_id": article_id} for t in tags],
            )
            conn.execute(
                "UPDATE articles SET is_platform_announcement = ?, mentions_pilot_platform = ?, tag_reasons = ?, "
                "tagger_version = ?, tagged_at = ? WHERE id = ?",
                (int(is_announcement), int(mentions), json.dumps(reasons, ensure_ascii=False), tagger_version,
                 utcnow(), article_id),
            )

    # --- named read queries ---

    def articles_first_seen_between(self, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
        """Articles first stored in [start, end), each with its tags as a list of dicts, announcements first."""
        rows = self.query(
            "SELECT a.*, s.label AS source_label FROM articles a JOIN sources s ON s.name = a.source "
            "WHERE a.first_seen_at >= ? AND a.first_seen_at < ? "
            "ORDER BY a.is_platform_announcement DESC, a.published_at DESC, a.id",
            [start_utc, end_utc],
        )
        if rows:
            ids = [r["id"] for r in rows]
            marks = ",".join("?" * len(ids))
            by_article: dict[int, list[dict[str, Any]]] = {}
            for tag in self.query(f'SELECT * FROM tags WHERE article_id IN ({marks}) ORDER BY article_id, id', ids):
                by_article.setdefault(tag["article_id"], []).append(tag)
            for row in rows:
                row["tags"] = by_article.get(row["id"], [])
        return rows

    def source_health(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT name, label, last_ok_at, last_error_at, last_error_kind, last_error, "
            "(last_error_at IS NOT NULL AND (last_ok_at IS NULL OR last_error_at > last_ok_at)) AS failing "
            "FROM sources ORDER BY name"
        )


def open_store(path: str | Path) -> Store:
    return Store(path)
