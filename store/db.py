"""The one SQLite file: open (WAL, busy timeout, foreign keys, migrations), writes and named read queries.

Writes are short `BEGIN IMMEDIATE` transactions: a deferred transaction that later upgrades to a write skips the
busy timeout and fails with "database is locked" under a concurrent reader/writer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .deliveries import DeliveryStore
from .fts import en_snippets, index_text, near, phrase, search_ids
from .registry import RegistryStore
from .schema import migrations


class StoreError(Exception):
    """The database cannot be opened or written; the message names the file."""


class SearchError(ValueError):
    """A search query the full-text index cannot read (bad FTS5 syntax); the message says what to fix."""


# how FTS5 reports a query it cannot parse (other OperationalErrors, e.g. I/O, are not the query's fault)
_FTS_QUERY_ERRORS = ("fts5", "syntax error", "no such column", "unterminated string", "unknown special query",
                     "parser stack overflow")


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def known_migrations() -> list[str]:
    """The migrations this version of PilotWatch has, in order."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def unknown_migrations(db: Database) -> list[str]:
    """Migrations applied to db that this version does not have: a newer PilotWatch wrote it."""
    known = set(known_migrations())
    return [m.name for m in migrations.applied(db) if m.name not in known]


def newer_schema(path: str | Path, unknown: Iterable[str]) -> str:
    return (f"db: {path} was written by a newer PilotWatch (migrations {', '.join(unknown)} unknown to this version); "
            "upgrade PilotWatch before using this database")


class Store(RegistryStore, DeliveryStore):
    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000, readonly: bool = False):
        """readonly (search, export): a connection that cannot write (`open_readonly`), no migrations; a file that
        is not a PilotWatch database is a StoreError, never given a schema. (Only this class's own SQL runs on it,
        so it needs no authorizer; sqlite-utils wraps each query in a SAVEPOINT, which one would refuse.)"""
        self.path = Path(path)
        if readonly:
            conn = open_readonly(path, busy_timeout_ms=busy_timeout_ms)
            conn.row_factory = None
            try:
                self.db = Database(conn)  # sets PRAGMA recursive_triggers: per connection, writes nothing
                applied = migrations.applied(self.db)
            except sqlite3.Error as exc:
                conn.close()
                raise StoreError(f"cannot read database {path}: {exc}") from exc
            if not applied:
                conn.close()
                raise StoreError(f"{path} is not a PilotWatch database")
            return
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self.db = Database(conn)
            unknown = unknown_migrations(self.db)
            if not unknown:
                migrations.apply(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        if unknown:  # whatever a newer PilotWatch changed, this code must not write into it
            conn.close()
            raise StoreError(newer_schema(path, unknown))

    def close(self) -> None:
        self.db.conn.close()

    def pending_migrations(self) -> list[str]:
        """Migrations this PilotWatch has and the file has not (a readonly Store does not apply them)."""
        return [m.name for m in migrations.pending(self.db)]

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction. Nested inside another write(), it joins the outer one, so a caller can
        group several writes (an article, its fetch and its provenance) into one commit."""
        conn = self.db.conn
        if conn.in_transaction:
            yield conn
            return
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

    def source_state(self, name: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM sources WHERE name = ?", [name])
        return rows[0] if rows else {}

    def mark_source(self, name: str, *, ok: bool, kind: str | None = None, error: str | None = None,
                    blocked_until: str | None = None, new_items: int = 0, keep_block: bool = False) -> None:
        """keep_block: the source delivered through a fallback while its own site is still backed off."""
        now = utcnow()
        with self.write() as conn:
            if ok:
                conn.execute(
                    "UPDATE sources SET last_ok_at = ?, consecutive_failures = 0, "
                    "blocked_until = CASE WHEN ? THEN blocked_until ELSE NULL END, "
                    "last_new_at = CASE WHEN ? > 0 THEN ? ELSE last_new_at END WHERE name = ?",
                    (now, int(keep_block), new_items, now, name),
                )
            else:
                conn.execute(
                    "UPDATE sources SET last_error_at = ?, last_error_kind = ?, last_error = ?, "
                    "consecutive_failures = consecutive_failures + 1, blocked_until = coalesce(?, blocked_until) "
                    "WHERE name = ?",
                    (now, kind, error, blocked_until, name),
                )

    # --- list pages: conditional-GET validators, fragment hash, health ---

    def list_state(self, url: str) -> dict[str, Any]:
        rows = self.query("SELECT * FROM lists WHERE url = ?", [url])
        return rows[0] if rows else {}

    def update_list(self, url: str, source: str, name: str, fallback: bool, *, ok: bool,
                    status: int | None = None, fault_kind: str | None = None, etag: str | None = None,
                    last_modified: str | None = None, fragment_sha256: str | None = None,
                    items_found: int | None = None, new_items: int | None = None) -> None:
        """Record one read of a list. Validators and counts are kept when the server answered 304."""
        now = utcnow()
        empty = ok and items_found == 0
        with self.write() as conn:
            conn.execute(
                "INSERT INTO lists (url, source, name, fallback) VALUES (?, ?, ?, ?) ON CONFLICT(url) DO UPDATE "
                "SET source = excluded.source, name = excluded.name, fallback = excluded.fallback",
                (url, source, name, int(fallback)),
            )
            conn.execute(
                "UPDATE lists SET last_checked_at = :now, last_status = :status, last_fault_kind = :fault, "
                "last_ok_at = CASE WHEN :ok THEN :now ELSE last_ok_at END, "
                "consecutive_failures = CASE WHEN :ok THEN 0 ELSE consecutive_failures + 1 END, "
                "empty_count = empty_count + :empty, "
                "etag = coalesce(:etag, etag), last_modified = coalesce(:lm, last_modified), "
                "fragment_sha256 = coalesce(:frag, fragment_sha256), items_found = coalesce(:items, items_found), "
                "new_items = coalesce(:new, new_items) WHERE url = :url",
                {"now": now, "status": status, "fault": fault_kind, "ok": int(ok), "empty": int(empty), "etag": etag,
                 "lm": last_modified, "frag": fragment_sha256, "items": items_found, "new": new_items, "url": url},
            )

    def source_lists(self, source: str | None = None) -> list[dict[str, Any]]:
        if source:
            return self.query("SELECT * FROM lists WHERE source = ? ORDER BY fallback, url", [source])
        return self.query("SELECT * FROM lists ORDER BY source, fallback, url")

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

    def last_failure(self, run_id: int, source: str) -> dict[str, Any] | None:
        """The most recent failure recorded for a source in a run."""
        rows = self.query("SELECT kind, message FROM failures WHERE run_id = ? AND source = ? ORDER BY id DESC LIMIT 1",
                          [run_id, source])
        return rows[0] if rows else None

    def count_failures_between(self, start_utc: str, end_utc: str) -> int:
        return self.query("SELECT count(*) AS n FROM failures WHERE at >= ? AND at < ?", [start_utc, end_utc])[0]["n"]

    def failure_kinds_between(self, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
        """Failures recorded in [start, end) by stage, kind and source, with the latest message (the operator's
        report)."""
        return self.query(
            "SELECT stage, kind, source, count(*) AS n, max(at) AS last_at, "
            "(SELECT f2.message FROM failures f2 WHERE f2.stage = f.stage AND f2.kind = f.kind AND "
            "f2.source IS f.source AND f2.at >= ? AND f2.at < ? ORDER BY f2.id DESC LIMIT 1) AS message "
            "FROM failures f WHERE at >= ? AND at < ? GROUP BY stage, kind, source ORDER BY n DESC, stage, kind",
            [start_utc, end_utc, start_utc, end_utc])

    # --- articles ---

    def article_count(self) -> int:
        return self.query("SELECT count(*) AS n FROM articles")[0]["n"]

    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """The URLs already stored, as articles or as aliases (the same body seen under another URL)."""
        urls = list(urls)
        known: set[str] = set()
        for i in range(0, len(urls), 400):
            chunk = urls[i:i + 400]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self.db.execute(
                f"SELECT url FROM articles WHERE url IN ({marks}) UNION SELECT url FROM article_aliases "
                f"WHERE url IN ({marks})", chunk + chunk))
        return known

    def hopeless_urls(self, urls: list[str], *, lasting_kinds: Iterable[str], attempts: int) -> set[str]:
        """URLs whose fetch or parse failed with one of `lasting_kinds` (the crawler's policy says which) in
        `attempts` different runs."""
        if not urls:
            return set()
        kinds = sorted(lasting_kinds)
        marks, kind_marks = ",".join("?" * len(urls)), ",".join("?" * len(kinds))
        rows = self.db.execute(
            f"SELECT url FROM failures WHERE url IN ({marks}) AND stage IN ('fetch', 'parse') "
            f"AND kind IN ({kind_marks}) GROUP BY url HAVING count(DISTINCT run_id) >= ?",
            [*urls, *kinds, attempts],
        )
        return {r[0] for r in rows}

    def store_article(self, run_id: int, fields: Mapping[str, Any], *, doc_key: str | None = None,
                      attachments: Iterable[Mapping[str, str]] = ()) -> tuple[int, str]:
        """Insert a parsed article, idempotently. Returns (article id, outcome):

        "new"             stored now
        "known"           the URL was already stored
        "duplicate_body"  the same body is already stored under another URL; this URL becomes an alias of it
        A policy document number (文号, normalised into `doc_key`) links the article to its policy_documents row,
        so the ministry original and its reposts share one policy_id. `attachments` ({url, title, ext}) are
        recorded as pending in the same transaction: a killed run still knows to fetch them.
        """
        url = fields["url"]
        with self.write() as conn:
            row = conn.execute("SELECT id FROM articles WHERE url = ? UNION ALL "
                               "SELECT article_id FROM article_aliases WHERE url = ?", (url, url)).fetchone()
            if row:
                return int(row[0]), "known"
            same = conn.execute("SELECT id FROM articles WHERE body_sha256 = ? ORDER BY id LIMIT 1",
                                (fields["body_sha256"],)).fetchone()
            if same:
                conn.execute("INSERT INTO article_aliases (url, article_id, reason, seen_at) VALUES (?, ?, ?, ?)",
                             (url, same[0], "duplicate_body", utcnow()))
                return int(same[0]), "duplicate_body"
            policy_id = None
            if doc_key:
                conn.execute(
                    "INSERT INTO policy_documents (doc_key, doc_number, issuer, title_zh, first_seen_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(doc_key) DO UPDATE SET issuer = coalesce(issuer, excluded.issuer)",
                    (doc_key, fields.get("doc_number") or doc_key, fields.get("issuer_zh"), fields.get("title_zh"),
                     utcnow()),
                )
                policy_id = conn.execute("SELECT id FROM policy_documents WHERE doc_key = ?", (doc_key,)).fetchone()[0]
            row = {"canonical_url": url, **fields, "first_run_id": run_id,
                   "first_seen_at": fields.get("first_seen_at") or utcnow(), "last_checked_at": utcnow(),
                   "policy_id": policy_id, "site": urllib.parse.urlsplit(url).netloc.lower()}
            cols = ", ".join(f'"{c}"' for c in row)
            marks = ", ".join(f":{c}" for c in row)
            cur = conn.execute(f"INSERT INTO articles ({cols}) VALUES ({marks})", row)
            article_id = int(cur.lastrowid)
            self._index_zh(conn, article_id, fields["title_zh"], fields["body_zh"])
            conn.executemany(
                "INSERT INTO attachments (article_id, url, title, ext, status, fetched_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT(article_id, url) DO NOTHING",
                [(article_id, a["url"], a.get("title", ""), a.get("ext", ""), utcnow()) for a in attachments],
            )
            return article_id, "new"

    def pending_attachments(self, source: str) -> list[dict[str, Any]]:
        return self.query("SELECT x.id, x.article_id, x.url, x.title, x.ext, x.attempts FROM attachments x "
                          "JOIN articles a ON a.id = x.article_id WHERE a.source = ? AND x.status = 'pending' "
                          "ORDER BY x.id", [source])

    def count_attachment_attempt(self, attachment_id: int) -> None:
        """One more attempt to read an attachment, committed before reading starts: a run killed mid-read still
        counts it (see crawler.policy, ATTACHMENT_ATTEMPTS)."""
        with self.write() as conn:
            conn.execute("UPDATE attachments SET attempts = attempts + 1 WHERE id = ?", (attachment_id,))

    @staticmethod
    def _index_zh(conn: sqlite3.Connection, article_id: int, title: str, body: str) -> None:
        # The English index follows the articles table by trigger; the Chinese one needs Python (bigrams), so every
        # write of title_zh/body_zh goes through here, in the same transaction.
        conn.execute("DELETE FROM articles_fts_zh WHERE rowid = ?", (article_id,))
        conn.execute("INSERT INTO articles_fts_zh(rowid, title, body) VALUES (?, ?, ?)",
                     (article_id, index_text(title), index_text(body)))

    def record_document(self, *, url: str, kind: str, sha256: str, nbytes: int, content_type: str | None,
                        parser_version: str | None = None, article_id: int | None = None) -> None:
        """Provenance: one row per distinct file fetched (page or attachment), with its hash."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO documents (url, kind, article_id, sha256, bytes, content_type, parser_version, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url, sha256) DO UPDATE SET "
                "article_id = coalesce(excluded.article_id, article_id)",
                (url, kind, article_id, sha256, nbytes, content_type, parser_version, utcnow()),
            )

    def insert_article(self, run_id: int, fields: Mapping[str, Any]) -> int | None:
        """Insert an article; its id, or None when the URL (or its body) is already stored."""
        article_id, outcome = self.store_article(run_id, fields)
        return article_id if outcome == "new" else None

    # --- re-checks of official documents: edits become versions, 404 becomes "gone" ---

    def due_for_recheck(self, source: str, checked_before: str, limit: int) -> list[dict[str, Any]]:
        return self.query(
            "SELECT id, url, title_zh, body_sha256, raw_sha256, etag, last_modified, status, version FROM articles "
            "WHERE source = ? AND (last_checked_at IS NULL OR last_checked_at < ?) ORDER BY last_checked_at, id "
            "LIMIT ?",
            [source, checked_before, limit],
        )

    def mark_checked(self, article_id: int, *, etag: str | None = None, last_modified: str | None = None) -> None:
        with self.write() as conn:
            conn.execute("UPDATE articles SET last_checked_at = ?, etag = coalesce(?, etag), "
                         "last_modified = coalesce(?, last_modified) WHERE id = ?",
                         (utcnow(), etag, last_modified, article_id))

    def record_edit(self, article_id: int, fields: Mapping[str, Any]) -> int:
        """The page changed: keep the previous text as a version, store the new one, and queue it for translation
        and tagging again. Returns the new version number."""
        with self.write() as conn:
            old = conn.execute("SELECT version, title_zh, body_zh, body_sha256, raw_sha256, status FROM articles "
                               "WHERE id = ?", (article_id,)).fetchone()
            change = "restored" if old[5] == "gone" else "edit"
            conn.execute(
                "INSERT INTO article_versions (article_id, version, change, title_zh, body_zh, body_sha256, "
                "raw_sha256, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, old[0], change, old[1], old[2], old[3], old[4], utcnow()),
            )
            sets = ", ".join(f'"{k}" = :{k}' for k in fields)
            conn.execute(
                f"UPDATE articles SET {sets}, version = version + 1, status = 'live', last_checked_at = :now, "
                "translated_at = NULL, tagger_version = NULL WHERE id = :id",
                {**fields, "now": utcnow(), "id": article_id},
            )
            title, body = conn.execute("SELECT title_zh, body_zh FROM articles WHERE id = ?", (article_id,)).fetchone()
            self._index_zh(conn, article_id, title, body)
            return int(old[0]) + 1

    def mark_gone(self, article_id: int) -> bool:
        """A known document now answers 404/410 (possible withdrawal). True the first time it is seen gone."""
        with self.write() as conn:
            old = conn.execute("SELECT version, status, body_sha256, raw_sha256 FROM articles WHERE id = ?",
                               (article_id,)).fetchone()
            conn.execute("UPDATE articles SET last_checked_at = ?, status = 'gone' WHERE id = ?", (utcnow(), article_id))
            if old[1] == "gone":
                return False
            conn.execute(
                "INSERT INTO article_versions (article_id, version, change, body_sha256, raw_sha256, detected_at) "
                "VALUES (?, ?, 'gone', ?, ?, ?)",
                (article_id, old[0], old[2], old[3], utcnow()),
            )
            return True

    def save_attachment(self, article_id: int, *, url: str, title: str, ext: str, sha256: str | None,
                        nbytes: int | None, status: str, pages: int | None, detail: str, text: str) -> None:
        """Store an attachment's outcome. Text makes its article pending tagging again, in the same transaction: the
        article's tags and its attachments' are saved together (a text read in a later run is tagged too)."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO attachments (article_id, url, title, ext, sha256, bytes, status, pages, detail, text, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id, url) DO UPDATE SET "
                "sha256 = excluded.sha256, bytes = excluded.bytes, status = excluded.status, pages = excluded.pages, "
                "detail = excluded.detail, text = excluded.text, fetched_at = excluded.fetched_at",
                (article_id, url, title, ext, sha256, nbytes, status, pages, detail, text, utcnow()),
            )
            if text:
                conn.execute("UPDATE articles SET tagger_version = NULL WHERE id = ?", (article_id,))

    def attachment_texts(self, article_id: int) -> list[dict[str, Any]]:
        """The article's attachments that yielded text (ok, or truncated), in link order."""
        return self.query("SELECT id, url, title, text FROM attachments WHERE article_id = ? AND text != '' "
                          "AND status IN ('ok', 'truncated') ORDER BY id", [article_id])

    def pending_translation(self, *, retry_fallbacks: bool = False) -> Pending:
        """Articles never translated; with retry_fallbacks, also those glossed while the configured engine was
        down (translated_at is set on those), after the untranslated ones. Read as they are worked through."""
        where = "translated_at IS NULL" + (" OR translation_fallback = 1" if retry_fallbacks else "")
        ids = [r["id"] for r in self.query(f"SELECT id FROM articles WHERE {where} "
                                           "ORDER BY translated_at IS NOT NULL, id")]
        return Pending(self, ids, "id, url, source, title_zh, body_zh, is_platform_announcement, "
                                  "mentions_pilot_platform, translated_at")

    def save_translation(self, article_id: int, *, title_en: str, body_en: str | None, engine: str, model: str,
                         missing: list[str], fallback: bool = False) -> None:
        """body_en None: only the title was translated (config translate_bodies = "relevant", article not relevant).
        fallback: glossed in place of the configured engine, which is to translate it again once it answers."""
        with self.write() as conn:
            conn.execute(
                "UPDATE articles SET title_en = ?, body_en = ?, translation_engine = ?, translation_model = ?, "
                "translated_at = ?, fidelity_missing = ?, body_translated = ?, translation_fallback = ? WHERE id = ?",
                (title_en, body_en, engine, model, utcnow(), json.dumps(missing, ensure_ascii=False),
                 int(body_en is not None), int(fallback), article_id),
            )

    # --- translation memory ---

    def tm_get_many(self, keys: list[str]) -> dict[str, str]:
        """English for the keys already translated; counts each hit."""
        found = self.tm_lookup(keys)
        if found:
            self.tm_count_hits(found)
        return found

    def tm_lookup(self, keys: list[str]) -> dict[str, str]:
        """English for the keys already translated, without counting the hits (tm_count_hits does that)."""
        found: dict[str, str] = {}
        for i in range(0, len(keys), 400):
            chunk = keys[i:i + 400]
            marks = ",".join("?" * len(chunk))
            found.update((r[0], r[1]) for r in self.db.execute(
                f"SELECT key, english FROM translation_memory WHERE key IN ({marks})", chunk))
        return found

    def tm_count_hits(self, keys: Iterable[str]) -> None:
        with self.write() as conn:
            conn.executemany("UPDATE translation_memory SET hits = hits + 1 WHERE key = ?", [(k,) for k in keys])

    def tm_put_many(self, rows: list[dict[str, str]]) -> None:
        """rows: key, sentence, english, engine, model, glossary_version."""
        if not rows:
            return
        now = utcnow()
        with self.write() as conn:
            conn.executemany(
                "INSERT INTO translation_memory (key, sentence, english, engine, model, glossary_version, created_at) "
                "VALUES (:key, :sentence, :english, :engine, :model, :glossary_version, :now) ON CONFLICT(key) DO NOTHING",
                [{**r, "now": now} for r in rows],
            )

    def pending_tagging(self, tagger_version: str) -> Pending:
        """Articles not tagged by this tagger version, read as they are worked through."""
        ids = [r["id"] for r in self.query("SELECT id FROM articles WHERE tagger_version IS NULL OR tagger_version != ? "
                                           "ORDER BY id", [tagger_version])]
        return Pending(self, ids, "id, url, title_zh, body_zh, published_at")

    def save_tags(self, article_id: int, *, is_announcement: bool, mentions: bool, reasons: list[str],
                  tagger_version: str, tags: Iterable[Mapping[str, Any]], score: float | None = None,
                  flags: Iterable[str] = ()) -> None:
        """Replace an article's tags and its classification in one transaction (re-tagging never duplicates)."""
        with self.write() as conn:
            conn.execute("DELETE FROM tags WHERE article_id = ?", (article_id,))
            conn.executemany(
                'INSERT INTO tags (article_id, field, value, code, evidence, part, start, "end", attrs) '
                "VALUES (:article_id, :field, :value, :code, :evidence, :part, :start, :end, :attrs)",
                [{**t, "article_id": article_id, "attrs": json.dumps(dict(t.get("attrs") or {}), ensure_ascii=False)}
                 for t in tags],
            )
            conn.execute(
                "UPDATE articles SET is_platform_announcement = ?, mentions_pilot_platform = ?, tag_reasons = ?, "
                "tagger_version = ?, tagged_at = ?, announcement_score = ?, tag_flags = ? WHERE id = ?",
                (int(is_announcement), int(mentions), json.dumps(reasons, ensure_ascii=False), tagger_version,
                 utcnow(), score, json.dumps(list(flags)), article_id),
            )

    # --- named read queries ---

    def articles_first_seen_between(self, start_utc: str, end_utc: str) -> Iterator[dict[str, Any]]:
        """Articles first stored in [start, end), announcements first, with what the digest and alerts show and no
        more, read DIGEST_CHUNK at a time (a day of thousands of articles, with their tags, must not sit in memory at
        once): the columns of DIGEST_COLUMNS, "source_label", "body_en_start" (the English body's first LEAD_CHARS
        characters, for its lead), "tags" (the DIGEST_TAG_FIELDS tags, as dicts) and "evidence_window" — (offset,
        text): body_zh from SNIPPET_SIDE characters before to SNIPPET_SIDE after the article's first sector or
        province tag in the body, or None."""
        ids = [r["id"] for r in self.query(
            "SELECT id FROM articles WHERE first_seen_at >= ? AND first_seen_at < ? "
            "ORDER BY is_platform_announcement DESC, published_at DESC, id", [start_utc, end_utc])]
        fields = ", ".join(f"'{f}'" for f in DIGEST_TAG_FIELDS)
        for i in range(0, len(ids), DIGEST_CHUNK):
            chunk = ids[i:i + DIGEST_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = {r["id"]: r for r in self.query(
                f"SELECT {', '.join('a.' + c for c in DIGEST_COLUMNS)}, substr(a.body_en, 1, {LEAD_CHARS}) AS "
                f"body_en_start, s.label AS source_label FROM articles a JOIN sources s ON s.name = a.source "
                f"WHERE a.id IN ({marks})", chunk)}
            by_article: dict[int, list[dict[str, Any]]] = {}
            for tag in self.query(f"SELECT * FROM tags WHERE article_id IN ({marks}) AND field IN ({fields}) "
                                  "ORDER BY article_id, id", chunk):
                by_article.setdefault(tag["article_id"], []).append(tag)
            windows: dict[int, tuple[int, str]] = {}
            for w in self.query(
                    f"SELECT t.article_id, max(t.start - {SNIPPET_SIDE}, 0) AS offset, substr(a.body_zh, "
                    f"max(t.start - {SNIPPET_SIDE}, 0) + 1, t.\"end\" - max(t.start - {SNIPPET_SIDE}, 0) + "
                    f"{SNIPPET_SIDE}) AS text FROM tags t JOIN articles a ON a.id = t.article_id WHERE t.id IN ("
                    f"SELECT min(id) FROM tags WHERE article_id IN ({marks}) AND field IN ('sector', 'province') "
                    "GROUP BY article_id) AND t.part = 'body' AND t.start IS NOT NULL", chunk):
                windows[w["article_id"]] = (w["offset"], w["text"] or "")
            for article_id in chunk:
                row = rows.get(article_id)
                if row is None:  # deleted since the id query (a re-run's cleanup in another process)
                    continue
                row["tags"] = by_article.get(article_id, [])
                row["evidence_window"] = windows.get(article_id)
                yield row

    def block_path(self, scope: str, *, source: str, url: str, status: int | None, message: str,
                   until: str) -> None:
        """Back off from a path family until `until` (ISO, UTC); a later answer extends it."""
        with self.write() as conn:
            conn.execute(
                "INSERT INTO blocked_paths (scope, source, url, status, message, blocked_at, blocked_until) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(scope) DO UPDATE SET source = excluded.source, "
                "url = excluded.url, status = excluded.status, message = excluded.message, "
                "blocked_at = excluded.blocked_at, blocked_until = max(blocked_until, excluded.blocked_until)",
                (scope, source, url, status, message, utcnow(), until))

    def blocked_paths(self, now: str) -> dict[str, str]:
        """{scope: blocked_until} of the back-offs still running at `now` (ISO, UTC)."""
        return {r["scope"]: r["blocked_until"] for r in
                self.query("SELECT scope, blocked_until FROM blocked_paths WHERE blocked_until > ?", [now])}

    def source_health(self) -> list[dict[str, Any]]:
        """Per source: last success, last error, consecutive failures, back-off, and its lists' item counts."""
        rows = self.query(
            "SELECT s.name, s.label, s.last_ok_at, s.last_new_at, s.last_error_at, s.last_error_kind, s.last_error, "
            "s.consecutive_failures, s.blocked_until, "
            "(s.last_error_at IS NOT NULL AND (s.last_ok_at IS NULL OR s.last_error_at > s.last_ok_at)) AS failing, "
            "(SELECT count(*) FROM articles a WHERE a.source = s.name) AS articles, "
            "(SELECT count(*) FROM articles a WHERE a.source = s.name AND a.status = 'gone') AS gone "
            "FROM sources s ORDER BY s.name"
        )
        lists = self.source_lists()
        for row in rows:
            row["lists"] = [lst for lst in lists if lst["source"] == row["name"]]
        return rows

    def changes_between(self, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
        """Edits, withdrawals (gone) and restorations of stored documents detected in [start, end)."""
        return self.query(
            "SELECT v.change, v.version, v.detected_at, a.id AS article_id, a.url, a.title_zh, a.title_en, a.source "
            "FROM article_versions v JOIN articles a ON a.id = v.article_id "
            "WHERE v.detected_at >= ? AND v.detected_at < ? ORDER BY v.detected_at",
            [start_utc, end_utc],
        )


    # --- digests ---

    def record_digest(self, *, day: str, period_start: str, period_end: str, html_path: str, text_path: str,
                      items: int, announcements: int) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO digests (day, period_start, period_end, html_path, text_path, items, announcements, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (day, period_start, period_end, html_path, text_path, items, announcements, utcnow()),
            )

    def digest_sent(self, day: str) -> dict[str, Any] | None:
        rows = self.query("SELECT sent_at, message_id FROM digests WHERE day = ? AND sent_at IS NOT NULL "
                          "ORDER BY sent_at DESC LIMIT 1", [day])
        return rows[0] if rows else None

    def mark_digest_sent(self, day: str, *, recipients: list[str], message_id: str, claim: int | None = None) -> None:
        """The day's digest went out; `claim` (from claim_digest_send) names the row claimed before sending."""
        with self.write() as conn:
            conn.execute("UPDATE digests SET sent_at = ?, recipients = ?, message_id = ? WHERE id = "
                         "coalesce(?, (SELECT max(id) FROM digests WHERE day = ?))",
                         (utcnow(), json.dumps(recipients), message_id, claim, day))

    def claim_digest_send(self, day: str, *, force: bool = False) -> int | None:
        """Claim the sending of a day's digest in one transaction, before any SMTP: the id of the claimed digests
        row (sent_at set, message_id NULL until mark_digest_sent), or None when the day was sent or claimed before
        (unless force). Of two concurrent senders only one gets the claim."""
        with self.write() as conn:
            if not force and conn.execute("SELECT 1 FROM digests WHERE day = ? AND sent_at IS NOT NULL",
                                          (day,)).fetchone():
                return None
            row = conn.execute("SELECT max(id) FROM digests WHERE day = ?", (day,)).fetchone()
            if row[0] is None:  # not written first: a bare row holds the claim
                cur = conn.execute("INSERT INTO digests (day, period_start, period_end, created_at) VALUES (?, '', '', ?)",
                                   (day, utcnow()))
                row = (cur.lastrowid,)
            conn.execute("UPDATE digests SET sent_at = ?, message_id = NULL, recipients = NULL WHERE id = ?",
                         (utcnow(), row[0]))
            return int(row[0])

    def release_digest_claim(self, claim: int) -> None:
        """The claimed send did not happen (SMTP failed, or nothing to send): a later run may send the day."""
        with self.write() as conn:
            conn.execute("UPDATE digests SET sent_at = NULL WHERE id = ? AND message_id IS NULL", (claim,))

    # --- search and export (the research interface) ---

    def search(self, *, zh_terms: list[list[str | tuple[str, ...]]] | None = None, en_query: str | None = None,
               source: str | None = None, since: str | None = None, until: str | None = None,
               sector: str | None = None, province: str | None = None, limit: int = 20,
               order: str = "relevance") -> list[dict[str, Any]]:
        """Full-text search over both languages.

        zh_terms: each Chinese term with its alternative spellings (all terms must match, any spelling of each); a
        tuple of words is a spelling whose words may stand a few characters apart (fts.near);
        en_query: an FTS5 query over the English (porter stemming). With both, an article must match both.
        Filters: source name, published_at within [since, until] (YYYY-MM-DD), a sector id, a province name.
        order: "relevance" (best first: bm25, or for words in thousands of articles their newest matches with the
        words in the title first; see fts.search_ids) or "date" (newest publication first).
        Rows of the page only, each with body_zh (for the Chinese snippet), score (bm25, None where bm25 did not
        order) and en_snippet (FTS5's snippet() of an English-only query).
        """
        if order not in ("relevance", "date"):
            raise SearchError(f"order must be relevance or date, got {order!r}")
        if not zh_terms and not en_query:
            raise SearchError("empty query")
        zh = [(expr, alts) for alts in zh_terms or [] if (expr := " OR ".join(filter(None, map(_zh_expression, alts))))]
        if zh_terms and not zh and not en_query:
            return []
        where, params = self._search_filters(source, since, until, sector, province)
        conn = self.db.conn
        own = not conn.in_transaction
        if own:
            conn.execute("BEGIN")  # one snapshot for the several reads below
        try:
            ranked = search_ids(conn, zh_parts=[e for e, _ in zh], zh_spellings=[a for _, a in zh], en=en_query,
                                where=where.removeprefix("WHERE "), params=params, limit=limit, order=order)
            ids = json.dumps(ranked.ids)
            rows = {r["id"]: r for r in self.query(
                "SELECT a.id, a.url, a.source, a.published_at, a.title_zh, a.title_en, a.body_zh, "
                "a.is_platform_announcement, a.translation_engine FROM articles a "
                "WHERE a.id IN (SELECT value FROM json_each(?))", [ids])}
            snippets: dict[int, str] = {}
            if en_query and not zh:  # a Chinese query's snippet comes from body_zh (research._zh_snippet)
                snippets = en_snippets(conn, ranked.ids, en_query)
        except sqlite3.OperationalError as exc:
            if str(exc).startswith(_FTS_QUERY_ERRORS):
                raise SearchError(f"cannot read the search query: {exc}. Quote phrases with \"…\", join terms with "
                                  "AND / OR / NOT, or put a word in quotes to search it literally") from None
            raise
        finally:
            if own and conn.in_transaction:
                conn.execute("COMMIT")
        return [{**rows[i], "score": ranked.scores.get(i), "en_snippet": snippets.get(i)} for i in ranked.ids
                if i in rows]

    @classmethod
    def _search_filters(cls, source: str | None, since: str | None, until: str | None, sector: str | None,
                        province: str | None) -> tuple[str, dict[str, Any]]:
        """`_filters` with each article's tags looked up by article (tags_article): on its own the planner takes
        tags_field_value and reads every tag with that sector once per matching article (30 s for one query at
        20,000 articles)."""
        where, params = cls._filters(source, since, until, sector, province)
        return where.replace("FROM tags t WHERE", "FROM tags t INDEXED BY tags_article WHERE"), params

    @staticmethod
    def _filters(source: str | None, since: str | None, until: str | None, sector: str | None,
                 province: str | None) -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        if source:
            clauses.append("a.source = :source")
            params["source"] = source
        if since:
            clauses.append("a.published_at >= :since")
            params["since"] = since
        if until:
            clauses.append("substr(a.published_at, 1, 10) <= :until")
            params["until"] = until
        # the tagged articles found once through tags(field, value), not the tags read again per article
        if sector:
            clauses.append("a.id IN (SELECT t.article_id FROM tags t WHERE t.field = 'sector' AND t.value = :sector)")
            params["sector"] = sector
        if province:
            clauses.append("a.id IN (SELECT t.article_id FROM tags t WHERE t.field = 'province' "
                           "AND lower(t.value) = lower(:province))")
            params["province"] = province
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def export_rows(self, *, announcements_only: bool = False, source: str | None = None, since: str | None = None,
                    until: str | None = None, sector: str | None = None, province: str | None = None
                    ) -> list[dict[str, Any]]:
        """Articles (or only platform announcements) with their tags summarised, newest first."""
        where, params = self._filters(source, since, until, sector, province)
        if announcements_only:
            where = (where + " AND " if where else "WHERE ") + "a.is_platform_announcement = 1"
        rows = self.query(
            "SELECT a.id, a.url, a.source, a.site, a.published_at, a.first_seen_at, a.title_zh, a.title_en, "
            "a.body_zh, a.body_en, a.translation_engine, a.translation_model, a.fidelity_missing, "
            "a.is_platform_announcement, a.mentions_pilot_platform, a.doc_number, a.issuer_zh, a.status, a.version "
            f"FROM articles a {where} ORDER BY coalesce(a.published_at, a.first_seen_at) DESC, a.id DESC",
            params,
        )
        tags: dict[int, dict[str, list[str]]] = {}
        for i in range(0, len(rows), 500):  # only these articles' tags, not the whole table
            ids = [r["id"] for r in rows[i:i + 500]]
            for t in self.query(f"SELECT article_id, field, value FROM tags WHERE article_id IN "
                                f"({', '.join('?' * len(ids))}) AND field IN ('sector', 'province', 'city', 'host', "
                                "'issuer') ORDER BY id", ids):
                bucket = tags.setdefault(t["article_id"], {}).setdefault(t["field"], [])
                if t["value"] not in bucket:
                    bucket.append(t["value"])
        for row in rows:
            got = tags.get(row["id"], {})
            for field, name in (("sector", "sectors"), ("province", "provinces"), ("city", "cities"),
                                ("host", "hosts"), ("issuer", "issuers")):
                row[name] = got.get(field, [])
        return rows


NEAR_GAP = 4  # characters a Chinese term's words may stand apart: 中试能力建设平台, 中试公共服务平台 (more finds unrelated text)


def _zh_expression(term: str | tuple[str, ...]) -> str:
    return near(term, NEAR_GAP) if isinstance(term, tuple) else phrase(term)


class Pending:
    """Articles waiting for a step: their count up front, their rows (bodies included) read a chunk at a time as
    the step works through them, so a day of thousands of long documents is never in memory at once."""

    CHUNK = 64

    def __init__(self, store: Store, ids: list[int], columns: str):
        self.store, self.ids, self.columns = store, ids, columns

    def __len__(self) -> int:
        return len(self.ids)

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(0, len(self.ids), self.CHUNK):
            chunk = self.ids[i:i + self.CHUNK]
            rows = {r["id"]: r for r in self.store.query(
                f"SELECT {self.columns} FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk)}
            yield from (rows[i] for i in chunk if i in rows)


# What the digest and alerts read of an article (articles_first_seen_between): no bodies but a window of each
DIGEST_COLUMNS = ("id", "url", "source", "published_at", "first_seen_at", "title_zh", "title_en", "translation_engine",
                  "is_platform_announcement", "mentions_pilot_platform", "doc_number", "issuer_zh", "fidelity_missing")
DIGEST_TAG_FIELDS = ("sector", "province", "city", "issuer", "host", "target")
DIGEST_CHUNK = 500  # articles per read (SQLite's bound-parameter limit is 999 on old builds)
LEAD_CHARS = 2000  # the digest's lead is at most three sentences cut at 600 characters
SNIPPET_SIDE = 60  # the digest's evidence snippet: at most this many characters either side of the tag


def open_store(path: str | Path, *, readonly: bool = False) -> Store:
    return Store(path, readonly=readonly)


def readonly_uri(path: str | Path) -> str:
    """The `file:` URI that opens `path` read-only.

    The path is percent-escaped (Path.as_uri): pasted raw, a '#' or '?' in it ends the file name and drops
    `?mode=ro` (the file then opens read-write), and a '%' is read as an escape (another file). On read-only media
    (the file or its folder not writable: a CD, a chmod'd copy) it adds `immutable=1`: SQLite then takes no locks
    and does not try to create the -wal/-shm files it cannot create there; nobody can be writing such a file.
    """
    resolved = Path(path).resolve()
    writable = os.access(resolved, os.W_OK) and os.access(resolved.parent, os.W_OK)
    return resolved.as_uri() + "?mode=ro" + ("" if writable else "&immutable=1")


def open_readonly(path: str | Path, *, busy_timeout_ms: int = 30_000) -> sqlite3.Connection:
    """A connection that cannot write: `mode=ro` (see readonly_uri) and PRAGMA query_only. Fails if the file does
    not exist. Researchers' own SQL also needs ReadOnlyAuthorizer (`run_readonly_query` installs it): a read-only
    connection still runs VACUUM INTO and ATTACH, which write other files."""
    if not Path(path).exists():
        raise StoreError(f"database {path} does not exist")
    try:
        conn = sqlite3.connect(readonly_uri(path), uri=True, timeout=busy_timeout_ms / 1000, isolation_level=None)
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc
    conn.row_factory = sqlite3.Row
    return conn


_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in (
    "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE", "DROP_INDEX", "DROP_TABLE", "DROP_TEMP_INDEX",
    "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW", "INSERT", "PRAGMA",
    "READ", "SELECT", "TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE",
    "CREATE_VTABLE", "DROP_VTABLE", "FUNCTION", "SAVEPOINT", "RECURSIVE")}
_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                           sqlite3.SQLITE_RECURSIVE})
# PRAGMAs that only report (Datasette's list); data_version is asked by FTS5 itself on every MATCH.
_PRAGMAS_ON_A_NAME = frozenset({"table_info", "table_xinfo", "index_info", "index_xinfo", "index_list",
                                "foreign_key_list"})
_PRAGMAS_BARE = frozenset({"database_list", "function_list", "page_count", "max_page_count", "page_size",
                           "schema_version", "data_version"})


class ReadOnlyAuthorizer:
    """sqlite3 authorizer that lets a statement read and nothing else (as Datasette's read-only queries): SELECT,
    reads of columns, functions, recursive CTEs and the reporting PRAGMAs above (without a value: `PRAGMA
    schema_version = 1` is refused). Everything else, ATTACH (so VACUUM INTO, which attaches its target), BEGIN
    (so VACUUM), writes and DDL, is denied at prepare time. Remembers the first refusal for the error message."""

    def __init__(self) -> None:
        self.refused: str | None = None

    def __call__(self, action: int, arg1: str | None, arg2: str | None, db_name: str | None,
                 trigger: str | None) -> int:
        if action in _READ_ACTIONS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg1 in _PRAGMAS_ON_A_NAME or arg1 in _PRAGMAS_BARE and arg2 is None):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and trigger is None:
            # asked while SQLite builds a virtual table (FTS5, json_each, pragma_table_info) from its declaration;
            # a statement's own UPDATE of sqlite_master is refused by SQLite ("may not be modified") before this
            return sqlite3.SQLITE_OK
        if self.refused is None:
            self.refused = " ".join(x for x in (_ACTIONS.get(action, str(action)), arg1) if x)
        return sqlite3.SQLITE_DENY


class QueryError(StoreError):
    """A researcher's statement was refused, failed, or ran out of time; the message is one line."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool  # the statement had more than max_rows rows; `rows` holds the first max_rows


def run_readonly_query(path: str | Path, statement: str, *, max_rows: int = 10_000,
                       time_limit: float = 10.0) -> QueryResult:
    """Run one statement of a researcher's (`pilotwatch sql`) so that it cannot write and cannot run away: the
    read-only connection, ReadOnlyAuthorizer, a time limit (a progress handler every 1,000 SQLite instructions:
    an endless recursive CTE stops) and a row cap."""
    guard = ReadOnlyAuthorizer()
    conn = open_readonly(path)
    conn.row_factory = None
    conn.set_authorizer(guard)
    deadline = time.monotonic() + time_limit
    timed_out = False

    def over_time() -> int:
        nonlocal timed_out
        timed_out = time.monotonic() >= deadline
        return int(timed_out)

    conn.set_progress_handler(over_time, 1000)
    try:
        cur = conn.execute(statement)
        rows = cur.fetchmany(max_rows + 1)
        columns = [d[0] for d in cur.description or []]
    except (sqlite3.Error, sqlite3.Warning) as exc:
        if timed_out:
            raise QueryError(f"query exceeded {time_limit:g} s (--time-limit)") from None
        if guard.refused:
            words = statement.upper().split() or [""]
            # name the statement, whose refused step may be an inner one (VACUUM attaches, CREATE and ANALYZE insert
            # into sqlite_master); where a read holds the write, or for PRAGMA and ATTACH, name the step
            what = guard.refused if words[0] in ("SELECT", "WITH", "VALUES", "EXPLAIN", "PRAGMA", "ATTACH", "DETACH") \
                else " ".join(words[:2]) if words[0] in ("CREATE", "DROP", "ALTER") else words[0]
            raise QueryError(f"SQL error: {what} refused: the database is open readonly (SELECT, WITH and "
                             "reporting PRAGMAs only)") from None
        raise QueryError(f"SQL error: {exc}") from None
    finally:
        conn.close()
    return QueryResult(columns, rows[:max_rows], len(rows) > max_rows)


def inspect_database(path: str | Path, *, integrity: bool = True) -> dict[str, Any]:
    """What `doctor` and the start of a run check, read-only: never creates, migrates or writes the file.

    exists; quick_check (["ok"] or SQLite's complaints; with integrity); unknown_migrations (applied by a newer
    PilotWatch: this code must not write it); pending_migrations (the next open applies them); articles; last_run
    (the last finished run's id and recorded new articles, with `held`: the articles carrying its id now; fewer
    means committed writes were lost, e.g. a deleted -wal file). Raises StoreError when the file is not a database.
    """
    if not Path(path).exists():
        return {"exists": False}
    known = known_migrations()
    try:
        conn = open_readonly(path)
        conn.row_factory = None
        try:
            db = Database(conn)
            check = ["ok"]
            if integrity:
                try:
                    check = [r[0] for r in conn.execute("PRAGMA quick_check")]
                except sqlite3.DatabaseError as exc:  # too damaged to walk: that is the answer
                    check = [str(exc)]
            applied = [m.name for m in migrations.applied(db)]
            out: dict[str, Any] = {
                "exists": True, "quick_check": check,
                "unknown_migrations": [n for n in applied if n not in known],
                "pending_migrations": [n for n in known if n not in applied], "articles": None, "last_run": None}
            if "articles" in db.table_names():
                out["articles"] = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                run = conn.execute("SELECT id, articles_new FROM runs WHERE status = 'done' ORDER BY id DESC LIMIT 1"
                                   ).fetchone()
                if run:
                    held = conn.execute("SELECT count(*) FROM articles WHERE first_run_id = ?", (run[0],)).fetchone()[0]
                    out["last_run"] = {"id": run[0], "articles_new": run[1], "held": held}
            return out
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot read database {path}: {exc}") from exc

