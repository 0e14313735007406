"""Crash safety: SIGKILL the pipeline at 20 points (fetch, parse, tag, translate, store, digest), run it again to
completion each time, and compare the database with an uninterrupted run: same articles, tags, translations and
attachments, no duplicates, nothing missing."""

import json
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("crashrun.py")
ROOT = Path(__file__).resolve().parents[1]

KILL_POINTS = [
    ("crawler.fetch", 1), ("crawler.fetch", 4), ("crawler.fetch", 9), ("crawler.fetch", 15),
    ("crawler.Sandbox.parse_article", 2), ("crawler.Sandbox.parse_article", 7),
    ("crawler.Sandbox.extract_text", 2),  # the crawl's call; the reading itself runs in the worker process
    ("extract.tag_article", 1), ("extract.tag_article", 6),
    ("translate.memory.translate_sentences", 1), ("translate.memory.translate_documents", 4),
    ("Store.store_article", 5), ("Store.save_translation", 3), ("Store.save_tags", 8),
    ("Store.commit", 5), ("Store.commit", 25), ("Store.commit", 45), ("Store.commit", 60),
    ("digest.write_digest", 1), ("digest.render.render_html", 1),
]


def run(db: Path, hosts: dict, *kill) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUNNER), str(db), str(db.parent / "digests"), json.dumps(hosts),
                           *map(str, kill)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def snapshot(db: Path) -> dict:
    conn = sqlite3.connect(db)
    # NULLs sort as "" (a platform row's code may be NULL beside a place's)
    q = lambda sql: sorted(conn.execute(sql).fetchall(), key=lambda r: tuple("" if v is None else v for v in r))  # noqa: E731
    snap = {
        "articles": q("SELECT url, source, title_zh, body_zh, body_sha256, published_at, doc_number, title_en, body_en, "
                      "translation_engine, is_platform_announcement, mentions_pilot_platform, tagger_version FROM articles"),
        # an attachment by its URL: row ids follow the order sources crawled side by side stored them in
        "tags": q("SELECT a.url, t.field, t.value, t.code, t.evidence, CASE WHEN t.part LIKE 'attachment:%' THEN "
                  "'attachment:' || (SELECT x.url FROM attachments x WHERE x.id = CAST(substr(t.part, 12) AS INTEGER)) "
                  "ELSE t.part END, t.start, t.\"end\", t.attrs FROM tags t JOIN articles a ON a.id = t.article_id"),
        "attachments": q("SELECT a.url, x.url, x.status, x.sha256, x.text FROM attachments x "
                         "JOIN articles a ON a.id = x.article_id"),
        "policies": q("SELECT doc_key FROM policy_documents"),
        "zh_index": q("SELECT a.url, f.title, f.body FROM articles_fts_zh f JOIN articles a ON a.id = f.rowid"),
        "duplicates": q("SELECT url, count(*) FROM articles GROUP BY url HAVING count(*) > 1"),
        "pending": q("SELECT url FROM articles WHERE translated_at IS NULL OR tagger_version IS NULL"),
    }
    conn.close()
    return snap


@pytest.fixture(scope="module")
def reference(tmp_path_factory, sample_hosts):
    db = tmp_path_factory.mktemp("clean") / "pw.db"
    done = run(db, sample_hosts)
    assert done.returncode == 0, done.stderr
    snap = snapshot(db)
    assert len(snap["articles"]) == 10 and snap["tags"] and snap["attachments"]
    return snap


@pytest.mark.parametrize("target,nth", KILL_POINTS, ids=[f"{t}#{n}" for t, n in KILL_POINTS])
def test_killed_run_resumes_to_the_same_database(tmp_path, sample_hosts, reference, target, nth):
    db = tmp_path / "pw.db"
    killed = run(db, sample_hosts, target, nth)
    assert killed.returncode == -signal.SIGKILL, f"{target}#{nth} was never reached: {killed.stdout}{killed.stderr}"
    resumed = run(db, sample_hosts)
    assert resumed.returncode == 0, resumed.stderr
    got = snapshot(db)
    assert got["duplicates"] == [] and got["pending"] == []
    for part in ("articles", "tags", "attachments", "policies", "zh_index"):
        assert got[part] == reference[part], f"{part} differ after a kill at {target}#{nth}"
