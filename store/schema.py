"""Schema as sqlite-utils migrations, applied on open. One function per change; never edit an applied one.

Every table and column is documented in README.md ("Database schema"); tests/test_docs.py checks that.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("pilotwatch")


@migrations()
def m001_initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            base_url TEXT NOT NULL,
            -- health, updated at the end of each source's crawl
            last_ok_at TEXT,
            last_error_at TEXT,
            last_error_kind TEXT,
            last_error TEXT
        );

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            mode TEXT NOT NULL,                 -- live | demo
            status TEXT NOT NULL,               -- running | done (a killed run stays "running")
            sources_ok INTEGER,
            sources_failed INTEGER,
            articles_new INTEGER,
            translated INTEGER,
            tagged INTEGER,
            announcements INTEGER,
            failures INTEGER,
            exit_code INTEGER,
            summary TEXT
        );

        CREATE TABLE fetches (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            source TEXT REFERENCES sources(name),
            url TEXT NOT NULL,
            purpose TEXT NOT NULL,              -- list | article
            status INTEGER,                     -- HTTP status; NULL when no answer
            fault_kind TEXT,                    -- NULL on success, else FetchError.kind
            error TEXT,
            bytes INTEGER,
            elapsed_ms INTEGER,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX fetches_run ON fetches(run_id);

        CREATE TABLE failures (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES runs(id),
            source TEXT,
            url TEXT,
            article_id INTEGER,
            stage TEXT NOT NULL,                -- list | fetch | parse | translate | tag | digest
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            at TEXT NOT NULL
        );

        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL REFERENCES sources(name),
            first_run_id INTEGER REFERENCES runs(id),
            first_seen_at TEXT NOT NULL,
            -- provenance of the page
            raw_sha256 TEXT NOT NULL,
            encoding TEXT,
            parser_version TEXT NOT NULL,
            -- the Chinese original
            list_title TEXT,
            title_zh TEXT NOT NULL,
            body_zh TEXT NOT NULL,
            body_sha256 TEXT NOT NULL,
            body_truncated INTEGER NOT NULL DEFAULT 0,
            published_at TEXT,
            written_date TEXT,
            source_name TEXT,
            issuer_zh TEXT,
            doc_number TEXT,
            -- the English version (NULL until translated)
            title_en TEXT,
            body_en TEXT,
            translation_engine TEXT,
            translation_model TEXT,
            translated_at TEXT,
            fidelity_missing TEXT,
            -- tagging (NULL until tagged)
            is_platform_announcement INTEGER,
            mentions_pilot_platform INTEGER,
            tag_reasons TEXT,
            tagger_version TEXT,
            tagged_at TEXT
        );
        CREATE INDEX articles_first_seen ON articles(first_seen_at);

        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            code TEXT,
            evidence TEXT NOT NULL,
            part TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL
        );
        CREATE INDEX tags_article ON tags(article_id);
        CREATE INDEX tags_field_value ON tags(field, value);
        """
    )



@migrations()
def m002_incremental_crawl(db: Database) -> None:
    """Crawler state: list freshness, source back-off, URL aliases, policy identity, versions, attachments."""
    _run(
        db,
        """
        ALTER TABLE sources ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN blocked_until TEXT;
        ALTER TABLE sources ADD COLUMN last_new_at TEXT;

        CREATE TABLE lists (
            url TEXT PRIMARY KEY,
            source TEXT NOT NULL REFERENCES sources(name),
            name TEXT,
            fallback INTEGER NOT NULL DEFAULT 0,
            etag TEXT,
            last_modified TEXT,
            fragment_sha256 TEXT,
            last_checked_at TEXT,
            last_ok_at TEXT,
            last_status INTEGER,
            last_fault_kind TEXT,
            items_found INTEGER,
            new_items INTEGER,
            empty_count INTEGER NOT NULL DEFAULT 0,
            consecutive_failures INTEGER NOT NULL DEFAULT 0
        );

        CREATE TABLE policy_documents (
            id INTEGER PRIMARY KEY,
            doc_key TEXT NOT NULL UNIQUE,
            doc_number TEXT NOT NULL,
            issuer TEXT,
            title_zh TEXT,
            first_seen_at TEXT NOT NULL
        );

        ALTER TABLE articles ADD COLUMN etag TEXT;
        ALTER TABLE articles ADD COLUMN last_modified TEXT;
        ALTER TABLE articles ADD COLUMN last_checked_at TEXT;
        ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'live';
        ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE articles ADD COLUMN policy_id INTEGER REFERENCES policy_documents(id);
        CREATE INDEX articles_body_sha ON articles(body_sha256);

        CREATE TABLE article_aliases (
            url TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            seen_at TEXT NOT NULL
        );

        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            change TEXT NOT NULL,
            title_zh TEXT,
            body_zh TEXT,
            body_sha256 TEXT,
            raw_sha256 TEXT,
            detected_at TEXT NOT NULL
        );
        CREATE INDEX article_versions_article ON article_versions(article_id);

        CREATE TABLE attachments (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            title TEXT,
            ext TEXT,
            sha256 TEXT,
            bytes INTEGER,
            status TEXT NOT NULL,
            pages INTEGER,
            detail TEXT,
            text TEXT,
            fetched_at TEXT NOT NULL,
            UNIQUE (article_id, url)
        );
        """,
    )


@migrations()
def m003_translation_memory(db: Database) -> None:
    """Sentence-level translation memory: a re-run or a repeated sentence costs nothing."""
    _run(
        db,
        """
        CREATE TABLE translation_memory (
            key TEXT PRIMARY KEY,
            sentence TEXT NOT NULL,
            english TEXT NOT NULL,
            engine TEXT NOT NULL,
            model TEXT NOT NULL,
            glossary_version TEXT NOT NULL,
            created_at TEXT NOT NULL,
            hits INTEGER NOT NULL DEFAULT 0
        );
        ALTER TABLE articles ADD COLUMN body_translated INTEGER NOT NULL DEFAULT 0;
        """,
    )


@migrations()
def m004_tag_attributes(db: Database) -> None:
    """Hosts, issuers, targets and dates carry details (name_en, type, unit, bound, kind…) as a JSON object."""
    _run(db, "ALTER TABLE tags ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}';\n")


@migrations()
def m005_research_interface(db: Database) -> None:
    """Provenance of every fetched file, digests sent, bilingual full-text search and views for common questions."""
    _run(
        db,
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            content_type TEXT,
            parser_version TEXT,
            fetched_at TEXT NOT NULL,
            UNIQUE (url, sha256)
        );

        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            html_path TEXT,
            text_path TEXT,
            items INTEGER NOT NULL DEFAULT 0,
            announcements INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            recipients TEXT,
            message_id TEXT
        );

        ALTER TABLE articles ADD COLUMN site TEXT;
        ALTER TABLE articles ADD COLUMN canonical_url TEXT;
        UPDATE articles SET canonical_url = url,
            site = lower(substr(url, instr(url, '//') + 2, instr(substr(url, instr(url, '//') + 2) || '/', '/') - 1));

        CREATE VIRTUAL TABLE articles_fts_en USING fts5(
            title_en, body_en, content='articles', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER articles_fts_en_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts_en(rowid, title_en, body_en) VALUES (new.id, new.title_en, new.body_en);
        END;
        CREATE TRIGGER articles_fts_en_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts_en(articles_fts_en, rowid, title_en, body_en)
            VALUES ('delete', old.id, old.title_en, old.body_en);
        END;
        CREATE TRIGGER articles_fts_en_au AFTER UPDATE OF title_en, body_en ON articles BEGIN
            INSERT INTO articles_fts_en(articles_fts_en, rowid, title_en, body_en)
            VALUES ('delete', old.id, old.title_en, old.body_en);
            INSERT INTO articles_fts_en(rowid, title_en, body_en) VALUES (new.id, new.title_en, new.body_en);
        END;
        INSERT INTO articles_fts_en(articles_fts_en) VALUES ('rebuild');

        CREATE VIRTUAL TABLE articles_fts_zh USING fts5(title, body, tokenize='unicode61');

        CREATE VIEW platform_announcements AS
        SELECT a.id AS article_id, a.published_at, a.source, a.title_en, a.title_zh, a.url,
            (SELECT group_concat(value, '; ') FROM (SELECT DISTINCT value FROM tags t WHERE t.article_id = a.id AND t.field = 'sector')) AS sectors,
            (SELECT group_concat(value, '; ') FROM (SELECT DISTINCT value FROM tags t WHERE t.article_id = a.id AND t.field = 'province')) AS provinces,
            (SELECT group_concat(value, '; ') FROM (SELECT DISTINCT value FROM tags t WHERE t.article_id = a.id AND t.field = 'city')) AS cities,
            (SELECT group_concat(value, '; ') FROM (SELECT DISTINCT value FROM tags t WHERE t.article_id = a.id AND t.field = 'host')) AS hosts,
            coalesce((SELECT group_concat(value, '; ') FROM (SELECT DISTINCT value FROM tags t WHERE t.article_id = a.id AND t.field = 'issuer')), a.issuer_zh) AS issuers,
            a.doc_number, a.translation_engine, a.first_seen_at
        FROM articles a WHERE a.is_platform_announcement = 1;

        CREATE VIEW source_health AS
        SELECT s.name, s.label, s.last_ok_at, s.last_new_at, s.last_error_at, s.last_error_kind, s.last_error,
            s.consecutive_failures, s.blocked_until,
            (s.last_error_at IS NOT NULL AND (s.last_ok_at IS NULL OR s.last_error_at > s.last_ok_at)) AS failing,
            (SELECT count(*) FROM articles a WHERE a.source = s.name) AS articles,
            (SELECT count(*) FROM articles a WHERE a.source = s.name AND a.status = 'gone') AS gone,
            (SELECT count(*) FROM lists l WHERE l.source = s.name) AS lists,
            (SELECT sum(l.empty_count) FROM lists l WHERE l.source = s.name) AS empty_list_reads
        FROM sources s;
        """,
    )
    from .fts import index_text

    rows = db.execute("SELECT id, title_zh, body_zh FROM articles").fetchall()
    db.conn.executemany("INSERT INTO articles_fts_zh(rowid, title, body) VALUES (?, ?, ?)",
                        [(r[0], index_text(r[1]), index_text(r[2])) for r in rows])


@migrations()
def m006_attachment_attempts(db: Database) -> None:
    """Attempts to read each attachment: one that never finishes (the reader died, the run was killed mid-read) is
    given up after a few runs instead of being fetched and read again forever."""
    _run(db, "ALTER TABLE attachments ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;\n")


@migrations()
def m007_announcement_score(db: Database) -> None:
    """The tagger's announcement score beside its decision (users trade precision for recall with a threshold), and
    what it flagged about the input (empty, binary, other language, too long)."""
    _run(db, "ALTER TABLE articles ADD COLUMN announcement_score REAL;\n"
             "ALTER TABLE articles ADD COLUMN tag_flags TEXT NOT NULL DEFAULT '[]';\n")


@migrations()
def m008_platform_registry(db: Database) -> None:
    """The platform registry: one row per platform across articles and lists, its events, the programmes' steps and
    the curators' overrides (rebuilt from the platform tag rows after each run; overrides are never rebuilt)."""
    _run(
        db,
        """
        CREATE TABLE platforms (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,          -- stable identity: its oldest record's host|sector|place or name|place
            name TEXT NOT NULL,
            hosts TEXT NOT NULL DEFAULT '[]',  -- JSON arrays (Datasette: ?_facet_array=hosts)
            hosts_en TEXT NOT NULL DEFAULT '[]',
            sectors TEXT NOT NULL DEFAULT '[]',
            province TEXT,
            province_code TEXT,
            city TEXT,
            city_code TEXT,
            county TEXT,
            county_code TEXT,
            level TEXT NOT NULL,
            status TEXT NOT NULL,
            listed TEXT NOT NULL DEFAULT '[]',
            first_seen_at TEXT NOT NULL,
            first_event_at TEXT,
            last_event TEXT,
            last_event_at TEXT,
            events INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX platforms_place ON platforms(province_code, city_code);

        CREATE TABLE platform_events (
            id INTEGER PRIMARY KEY,
            platform_id INTEGER NOT NULL REFERENCES platforms(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            attachment_id INTEGER REFERENCES attachments(id) ON DELETE SET NULL,
            part TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            event TEXT NOT NULL,
            level TEXT NOT NULL,
            date TEXT,
            evidence TEXT NOT NULL,
            evidence_en TEXT,
            rule TEXT NOT NULL,
            first_seen_at TEXT NOT NULL
        );
        CREATE INDEX platform_events_platform ON platform_events(platform_id);
        CREATE INDEX platform_events_seen ON platform_events(first_seen_at);

        CREATE TABLE programme_steps (
            id INTEGER PRIMARY KEY,
            programme TEXT NOT NULL,           -- national | provincial:<GB/T 2260 code>
            level TEXT NOT NULL,
            province TEXT,
            province_code TEXT,
            step TEXT NOT NULL,                -- called | shortlisted | listed
            date TEXT,
            article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
            evidence TEXT NOT NULL,
            articles INTEGER NOT NULL
        );

        CREATE TABLE platform_overrides (
            id INTEGER PRIMARY KEY,
            action TEXT NOT NULL CHECK (action IN ('merge', 'split', 'rename', 'reject')),
            platform_key TEXT NOT NULL,
            other_key TEXT,
            article_id INTEGER,
            value TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            matched INTEGER                    -- 1 when the last rebuild found its platform(s), 0 when not
        );

        CREATE VIEW platform_hosts AS
        SELECT p.id AS platform_id, p.name, h.value AS host, coalesce(json_extract(p.hosts_en, '$[' || h.key || ']'), '') AS host_en,
            p.sectors, p.province, p.province_code, p.city, p.city_code, p.level, p.status
        FROM platforms p, json_each(p.hosts) h WHERE p.status != 'not_a_platform';

        CREATE VIEW platform_timeline AS
        SELECT e.id AS event_id, e.platform_id, p.name, e.event, e.level, e.date, e.evidence, e.evidence_en, e.rule,
            e.article_id, e.part, a.url, a.title_zh, a.title_en, a.source
        FROM platform_events e JOIN platforms p ON p.id = e.platform_id JOIN articles a ON a.id = e.article_id;
        """,
    )


@migrations()
def m009_blocked_paths_and_region(db: Database) -> None:
    """Back-off at the grain of a path family: one anti-bot answer on one list or article family of a host no longer
    stops the whole source. And the province of the channel an article was published on (Xinhua's sd.news.cn …)."""
    _run(
        db,
        """
        CREATE TABLE blocked_paths (
            scope TEXT PRIMARY KEY,            -- host/first path segments (www.gov.cn/zhengce/zhengceku), host/* = all
            source TEXT NOT NULL,
            url TEXT NOT NULL,                 -- the request that was answered with the anti-bot page
            status INTEGER,
            message TEXT NOT NULL,
            blocked_at TEXT NOT NULL,
            blocked_until TEXT NOT NULL
        );
        ALTER TABLE articles ADD COLUMN region_hint TEXT;
        """,
    )


@migrations()
def m010_translation_fallback(db: Database) -> None:
    """An article glossed while the configured engine was down is translated again once the engine answers."""
    _run(db, "ALTER TABLE articles ADD COLUMN translation_fallback INTEGER NOT NULL DEFAULT 0;\n")


@migrations()
def m011_deliveries(db: Database) -> None:
    """Subscriptions' deliveries (e-mail per recipient, webhook per endpoint, operator reports): what each one carried,
    claimed before it is sent, so a re-run never sends an item twice and a killed run's delivery is re-sent with the
    same key (the e-mail's Message-ID, the webhook's Idempotency-Key)."""
    _run(
        db,
        """
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            subscription TEXT NOT NULL,        -- the subscription's name; operator reports: ':operator'
            channel TEXT NOT NULL,             -- email | webhook
            target TEXT NOT NULL,              -- the recipient's address, or the endpoint as scheme://host/…#<hash>
            period TEXT NOT NULL,              -- 2026-12-07 (daily) | 2026-W50 (weekly) | run:17 (immediate)
            key TEXT NOT NULL UNIQUE,          -- idempotency key: Idempotency-Key header, Message-ID
            items TEXT NOT NULL DEFAULT '[]',  -- JSON: the item ids it carries (event:…, article:…)
            status TEXT NOT NULL,              -- sending | sent | failed | empty (nothing matched in the period)
            payload BLOB,                      -- the exact bytes to (re)send; dropped once sent
            attempts INTEGER NOT NULL DEFAULT 0,
            http_status INTEGER,
            error_kind TEXT,
            error TEXT,
            run_id INTEGER,
            created_at TEXT NOT NULL,
            last_attempt_at TEXT,
            sent_at TEXT,
            UNIQUE (subscription, channel, target, period)
        );
        CREATE TABLE delivered_items (
            subscription TEXT NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            item TEXT NOT NULL,
            delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
            PRIMARY KEY (subscription, channel, target, item)
        );
        """,
    )



@migrations()
def m012_search_index(db: Database) -> None:
    """Search at scale (issue 20): published_at and title_en sit after body_zh in the articles row, so reading them
    walks the body's overflow pages. `articles_published` orders articles newest first for `search --order date`;
    `articles_search` gives a matched article's date, source and English title (filters, ranking) without its row."""
    _run(db, "CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at);\n"
             "CREATE INDEX IF NOT EXISTS articles_search ON articles(id, published_at, source, title_en);\n")


@migrations()
def m013_registry_inputs(db: Database) -> None:
    """What the registry was last built from, so a run with nothing new skips the rebuild; and an index that keeps
    source health's per-source counts from reading every article as history grows."""
    _run(
        db,
        """
        CREATE TABLE registry_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            inputs TEXT NOT NULL,              -- the rules' version, the platform records' and overrides' counts and ids
            built_at TEXT NOT NULL
        );
        CREATE INDEX articles_source_status ON articles(source, status);
        """,
    )

def _run(db: Database, script: str) -> None:
    # executescript() would COMMIT the migration's transaction first, so statements run one by one
    # (complete_statement keeps trigger bodies, which contain semicolons, in one piece).
    import sqlite3

    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]}")
