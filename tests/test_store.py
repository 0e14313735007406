import json
import sqlite3
from functools import partial

import pytest

from store import StoreError, migrations, open_store
from store.db import known_migrations


def article(url="https://www.ndrc.gov.cn/a.html", **kw):
    return {"url": url, "source": "ndrc", "raw_sha256": "r" * 64, "parser_version": "1", "title_zh": "标题",
            "body_zh": "正文", "body_sha256": "b" * 64, **kw}


@pytest.fixture
def st(tmp_path):
    s = open_store(tmp_path / "sub" / "pw.db")
    s.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    yield s
    s.close()


def test_open_applies_migrations_with_wal_and_foreign_keys(st):
    assert [m.name for m in migrations.applied(st.db)] == ["m001_initial", "m002_incremental_crawl", "m003_translation_memory", "m004_tag_attributes", "m005_research_interface",
                                                       "m006_attachment_attempts", "m007_announcement_score",
                                                       "m008_platform_registry", "m009_blocked_paths_and_region",
                                                       "m010_translation_fallback", "m011_deliveries",
                                                       "m012_search_index", "m013_registry_inputs"]
    assert st.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert st.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"sources", "runs", "fetches", "failures", "articles", "tags"} <= set(st.db.table_names())


def test_reopen_keeps_data_and_does_not_reapply(tmp_path):
    s = open_store(tmp_path / "pw.db")
    s.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    run = s.start_run("live")
    s.insert_article(run, article())
    s.close()
    s = open_store(tmp_path / "pw.db")
    assert s.db["articles"].count == 1 and len(migrations.applied(s.db)) == len(known_migrations())


def test_articles_are_unique_by_url(st):
    run = st.start_run("live")
    assert st.insert_article(run, article()) is not None
    assert st.insert_article(run, article(title_zh="另一个")) is None
    assert st.db["articles"].count == 1 and st.known_urls(["https://www.ndrc.gov.cn/a.html", "x"]) == {"https://www.ndrc.gov.cn/a.html"}


def test_same_body_under_another_url_becomes_an_alias(st):
    run = st.start_run("live")
    first, outcome = st.store_article(run, article())
    assert outcome == "new"
    assert st.store_article(run, article(url="https://www.ndrc.gov.cn/copy.html")) == (first, "duplicate_body")
    assert st.store_article(run, article(url="https://www.ndrc.gov.cn/copy.html")) == (first, "known")
    assert st.db["articles"].count == 1 and "https://www.ndrc.gov.cn/copy.html" in st.known_urls(["https://www.ndrc.gov.cn/copy.html"])


def test_policy_documents_cluster_by_doc_key(st):
    run = st.start_run("live")
    a, _ = st.store_article(run, article(doc_number="工信部联消费〔2025〕236号"), doc_key="工信部联消费〔2025〕236号")
    b, _ = st.store_article(run, article(url="https://www.gov.cn/c.htm", body_sha256="c" * 64, issuer_zh="工业和信息化部",
                                         doc_number="工信部联消费[2025]236号"), doc_key="工信部联消费〔2025〕236号")
    ids = {r["policy_id"] for r in st.query("SELECT policy_id FROM articles")}
    assert len(ids) == 1 and None not in ids
    assert st.query("SELECT issuer FROM policy_documents")[0]["issuer"] == "工业和信息化部"


def test_edits_become_versions_and_requeue_translation_and_tagging(st):
    run = st.start_run("live")
    aid, _ = st.store_article(run, article())
    st.save_translation(aid, title_en="T", body_en="B", engine="gloss", model="m", missing=[])
    st.save_tags(aid, is_announcement=False, mentions=False, reasons=[], tagger_version="v1", tags=[])
    assert st.record_edit(aid, {"body_zh": "更正后的正文", "body_sha256": "d" * 64, "raw_sha256": "e" * 64}) == 2
    assert st.mark_gone(aid) is True and st.mark_gone(aid) is False
    versions = st.query("SELECT version, change, body_zh FROM article_versions ORDER BY id")
    assert versions == [{"version": 1, "change": "edit", "body_zh": "正文"}, {"version": 2, "change": "gone", "body_zh": None}]
    row = st.query("SELECT body_zh, version, status, translated_at, tagger_version FROM articles")[0]
    assert row == {"body_zh": "更正后的正文", "version": 2, "status": "gone", "translated_at": None, "tagger_version": None}
    assert [r["id"] for r in st.pending_translation()] == [aid]


def test_article_needs_a_known_source(st):
    run = st.start_run("live")
    with pytest.raises(sqlite3.IntegrityError):
        st.insert_article(run, article(source="nosuch"))
    assert st.db["articles"].count == 0  # the failed transaction left nothing behind


def test_translation_and_tagging_are_pending_until_saved_and_retagging_replaces(st):
    run = st.start_run("live")
    aid = st.insert_article(run, article())
    assert [r["id"] for r in st.pending_translation()] == [aid]
    st.save_translation(aid, title_en="Title", body_en="Body", engine="gloss", model="m", missing=["2027"])
    assert list(st.pending_translation()) == []
    assert json.loads(st.query("SELECT fidelity_missing FROM articles")[0]["fidelity_missing"]) == ["2027"]
    tag = {"field": "sector", "value": "enzymes", "code": None, "evidence": "酶", "part": "body", "start": 0, "end": 1}
    assert [r["id"] for r in st.pending_tagging("v1")] == [aid]
    for _ in range(2):
        st.save_tags(aid, is_announcement=True, mentions=True, reasons=["r"], tagger_version="v1", tags=[tag])
    assert list(st.pending_tagging("v1")) == [] and st.db["tags"].count == 1
    assert [r["id"] for r in st.pending_tagging("v2")] == [aid]  # a new tagger version re-tags


def test_runs_fetches_failures_and_health(st):
    run = st.start_run("live")
    st.record_fetch(run, "ndrc", "https://www.ndrc.gov.cn/x", "list", status=403, fault_kind="blocked", error="HTTP 403")
    st.record_failure(run, "list", "blocked", "HTTP 403", source="ndrc", url="https://www.ndrc.gov.cn/x")
    st.mark_source("ndrc", ok=False, kind="blocked", error="HTTP 403")
    st.finish_run(run, exit_code=2, summary="s", sources_ok=0, sources_failed=1)
    assert st.source_health()[0]["failing"] == 1
    r = st.query("SELECT status, exit_code, sources_failed FROM runs")[0]
    assert r == {"status": "done", "exit_code": 2, "sources_failed": 1}
    st.mark_source("ndrc", ok=True)
    assert st.source_health()[0]["failing"] == 0


def test_unwritable_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open database"):
        open_store(blocker / "pw.db")


def test_urls_failing_for_lasting_reasons_become_hopeless_after_three_runs(st):
    url = "https://www.ndrc.gov.cn/missing.html"
    hopeless = partial(st.hopeless_urls, lasting_kinds={"gone", "parse"}, attempts=3)
    for _ in range(3):
        run = st.start_run("live")
        assert url not in hopeless([url])
        st.record_failure(run, "fetch", "gone", "HTTP 404", source="ndrc", url=url)
        st.record_failure(run, "fetch", "timeout", "slow", source="ndrc", url="https://www.ndrc.gov.cn/slow.html")
    assert hopeless([url, "https://www.ndrc.gov.cn/slow.html"]) == {url}  # timeouts never give up


def test_translation_memory_round_trip_counts_hits(st):
    row = {"key": "k1", "sentence": "中试", "english": "pilot-scale", "engine": "gloss", "model": "m",
           "glossary_version": "g"}
    st.tm_put_many([row, {**row, "english": "ignored: first write wins"}])
    assert st.tm_get_many(["k1", "k2"]) == {"k1": "pilot-scale"}
    st.tm_get_many(["k1"])
    assert st.query("SELECT hits FROM translation_memory")[0]["hits"] == 2
