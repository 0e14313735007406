"""End to end through the real code: localhost sample site → httpx → parse → translate → tag → SQLite → digest."""

from dataclasses import replace

import httpx
import pytest

from conftest import sample_expected
from crawler import load_sources
from pilotwatch.pipeline import build_client, run_pipeline
from store import open_store


def local_sources(hosts):
    return [replace(s.rebased(hosts), delay=0.0) for s in load_sources()]


def run_once(config, sources, tmp_path, client=None):
    st = open_store(config.db)
    try:
        with (client or build_client(config)) as c:
            return run_pipeline(config, sources=sources, client=c, store=st, mode="demo", digest_dir=tmp_path / "out")
    finally:
        st.close()


def test_demo_run_stores_every_article_once_and_rerun_adds_nothing(config, sample_hosts, tmp_path):
    sources = local_sources(sample_hosts)
    first = run_once(config, sources, tmp_path)
    expected = sample_expected()
    assert first.exit_code == 0, first.summary()
    assert first.articles_new == len(expected) == first.translated == first.tagged

    st = open_store(config.db)
    rows = {r["url"].split("/", 3)[3]: r for r in st.query("SELECT * FROM articles")}
    assert len(rows) == len(expected)
    for case in expected:
        row = rows[case["path"].lstrip("/")]
        assert row["title_zh"] == case["title"] and row["body_zh"] and row["title_en"]
        assert row["translation_engine"] == "gloss"
        assert bool(row["is_platform_announcement"]) == case["is_platform_announcement"], case["title"]
        assert bool(row["mentions_pilot_platform"]) == case["mentions_pilot_platform"], case["title"]
        tags = st.query("SELECT field, value FROM tags WHERE article_id = ?", [row["id"]])
        assert {t["value"] for t in tags if t["field"] == "sector"} == set(case["sectors"]), case["title"]
        assert {t["value"] for t in tags if t["field"] == "province"} == set(case["provinces"]), case["title"]
    gbk = next(r for r in rows.values() if r["encoding"] == "gb18030")
    assert "王镕" in gbk["body_zh"]
    assert st.query("SELECT count(*) AS n FROM failures")[0]["n"] == 0
    # attachments are downloaded, hashed and read; the scanned PDF is kept and flagged, not dropped
    atts = {r["ext"] + ":" + r["status"] for r in st.query("SELECT ext, status FROM attachments")}
    assert atts == {"pdf:ok", "docx:ok", "pdf:no_text"}
    assert st.query("SELECT count(*) AS n FROM attachments WHERE sha256 IS NULL OR bytes IS NULL")[0]["n"] == 0
    listing = st.query("SELECT text FROM attachments WHERE text LIKE '%首批生物制造中试能力建设平台名单%'")
    assert listing and "江南大学" in listing[0]["text"]
    # every official document carries its 文号: one policy identity each (reposts would join it; see test_store)
    assert st.query("SELECT count(*) AS n FROM policy_documents")[0]["n"] == 6
    fetches_after_first = st.db["fetches"].count
    st.close()

    html = first.digest_paths[0].read_text(encoding="utf-8")
    for case in expected:
        if case["is_platform_announcement"]:
            url = next(r["url"] for p, r in rows.items() if p == case["path"].lstrip("/"))
            assert f'href="{url}"' in html and rows[case["path"].lstrip("/")]["title_en"] in html

    second = run_once(config, sources, tmp_path)
    assert (second.articles_new, second.translated, second.tagged) == (0, 0, 0)
    st = open_store(config.db)
    assert st.db["articles"].count == len(expected)
    article_fetches = st.query("SELECT count(*) AS n FROM fetches WHERE purpose = 'article' AND id > ?",
                               [fetches_after_first])[0]["n"]
    assert article_fetches == 0  # nothing new: no article page is fetched again
    assert [r["status"] for r in st.query("SELECT status FROM runs")] == ["done", "done"]
    st.close()


def test_blocked_source_backs_off_and_its_fallback_serves(config, sample_hosts, tmp_path):
    sources = local_sources(sample_hosts)
    ndrc = sample_hosts["www.ndrc.gov.cn"]
    hits = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(str(request.url))
        if str(request.url).startswith(ndrc):
            return httpx.Response(521, text="anti-bot")
        with httpx.Client() as real:  # everything else goes to the real localhost server
            r = real.get(str(request.url))
            return httpx.Response(r.status_code, headers=r.headers, content=r.content)

    report = run_once(config, sources, tmp_path, client=httpx.Client(transport=httpx.MockTransport(handler)))
    # NDRC is blocked after ONE request (its robots.txt); gov.cn's ministry-documents library stands in for it
    assert sum(u.startswith(ndrc) for u in hits) == 1
    assert report.via_fallback == ["ndrc"] and report.sources_failed == [] and report.exit_code == 1
    assert "sources 5 ok (ndrc via fallback) / 0 failed" in report.summary()
    st = open_store(config.db)
    assert ("list", "blocked") in {(f["stage"], f["kind"]) for f in st.query("SELECT stage, kind FROM failures")}
    # the notice the fallback lists is stored once, by whichever of ndrc (via the fallback) and govcn (the library
    # is its site) took it on first: the two are crawled side by side
    via = st.query("SELECT url, source FROM articles WHERE url LIKE '%/zhengce/zhengceku/202512/content_7052311.htm'")
    assert len(via) == 1 and via[0]["source"] in ("ndrc", "govcn")
    assert st.db["articles"].count == len(sample_expected()) - 2  # NDRC's own two notices wait for the back-off
    health = {h["name"]: h for h in st.source_health()}
    assert health["ndrc"]["blocked_until"] and health["ndrc"]["last_error_kind"] == "blocked"
    st.close()

    # the next run does not contact NDRC at all while backing off
    hits.clear()
    run_once(config, sources, tmp_path, client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert not any(u.startswith(ndrc) for u in hits)


def test_bad_article_page_is_a_recorded_failure_not_a_stopped_run(config, sample_hosts, tmp_path):
    sources = local_sources(sample_hosts)

    def handler(request):
        if request.url.path.endswith("content_7052311.htm"):
            return httpx.Response(200, content=b"\x00\xff" * 50 + b"<html></html>")
        with httpx.Client() as real:
            r = real.get(str(request.url))
            return httpx.Response(r.status_code, headers=r.headers, content=r.content)

    report = run_once(config, sources, tmp_path, client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert report.articles_failed == 1 and report.articles_new == len(sample_expected()) - 1 and report.exit_code == 1
    st = open_store(config.db)
    assert st.query("SELECT stage, kind FROM failures") == [{"stage": "parse", "kind": "parse"}]
    st.close()


def test_nearly_all_sources_failing_exits_2(config, tmp_path):
    dead = {h: "http://127.0.0.1:9" for s in load_sources() for h in s.hosts}  # nothing listens on port 9
    sources = local_sources(dead)
    report = run_once(config, sources, tmp_path)
    assert report.exit_code == 2 and len(report.sources_failed) == 5
    assert report.digest_paths[0].exists()  # silence is never ambiguous: the digest still says what failed


@pytest.mark.parametrize("kill_after", ["insert", "translate"])
def test_interrupted_run_resumes_without_duplicates(config, sample_hosts, tmp_path, monkeypatch, kill_after):
    import store.db as sdb

    sources = local_sources(sample_hosts)
    target = {"insert": "store_article", "translate": "save_translation"}[kill_after]
    original = getattr(sdb.Store, target)
    calls = {"n": 0}

    def dying(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt  # the process is killed mid-run
        return original(self, *a, **kw)

    monkeypatch.setattr(sdb.Store, target, dying)
    with pytest.raises(KeyboardInterrupt):
        run_once(config, sources, tmp_path)
    monkeypatch.setattr(sdb.Store, target, original)
    run_once(config, sources, tmp_path)
    st = open_store(config.db)
    n = len(sample_expected())
    assert st.db["articles"].count == n
    assert st.query("SELECT count(*) AS n FROM articles WHERE title_en IS NOT NULL AND tagger_version IS NOT NULL")[0]["n"] == n
    assert st.query("SELECT count(DISTINCT url) AS n FROM articles")[0]["n"] == n
    st.close()


def test_recheck_records_edits_as_versions_and_404_as_gone(config, tmp_path):
    import shutil
    from datetime import UTC, datetime, timedelta

    from pilotwatch.sample_server import sample_site_root, serve_sample_site

    site = tmp_path / "site"
    shutil.copytree(sample_site_root(), site)
    with serve_sample_site(site) as hosts:
        sources = local_sources(hosts)
        run_once(config, sources, tmp_path)
        edited = site / "www.gov.cn/zhengce/content/202510/content_7046518.htm"
        edited.write_text(edited.read_text(encoding="utf-8").replace("社区居家养老", "社区居家养老（更正）"), encoding="utf-8")
        (site / "www.ndrc.gov.cn/xxgk/zcfb/tz/202511/t20251120_1401873.html").unlink()
        later = datetime.now(UTC) + timedelta(days=8)  # past recheck_days: every official document is due
        st = open_store(config.db)
        with build_client(config) as client:
            report = run_pipeline(config, sources=sources, client=client, store=st, mode="demo",
                                  digest_dir=tmp_path / "out", now=later)
    assert (report.edited, report.gone) == (1, 1) and report.articles_new == 0
    assert report.memory_hits > report.memory_misses > 0  # only the edited sentence is translated again
    versions = st.query("SELECT a.url, v.change, v.version, v.body_zh FROM article_versions v "
                        "JOIN articles a ON a.id = v.article_id ORDER BY v.id")
    assert {(v["url"].rsplit("/", 1)[1], v["change"], v["version"]) for v in versions} == {
        ("content_7046518.htm", "edit", 1), ("t20251120_1401873.html", "gone", 1)}
    edit = next(v for v in versions if v["change"] == "edit")
    assert "社区居家养老" in edit["body_zh"] and "（更正）" not in edit["body_zh"]  # the earlier text is kept
    row = st.query("SELECT body_zh, version, status, translated_at, tagger_version FROM articles "
                   "WHERE url LIKE '%content_7046518.htm'")[0]
    assert "（更正）" in row["body_zh"] and row["version"] == 2 and row["status"] == "live"
    assert row["translated_at"] and row["tagger_version"]  # re-translated and re-tagged in the same run
    gone = st.query("SELECT status FROM articles WHERE url LIKE '%t20251120_1401873.html'")[0]
    assert gone["status"] == "gone"
    assert "1 edited, 1 gone" in report.summary()
    st.close()


def test_missing_model_falls_back_to_gloss_and_says_which_setting(config, sample_hosts, tmp_path):
    from dataclasses import replace as dc_replace

    cfg = dc_replace(config, translate_engine="ct2", model_dir="")
    report = run_once(cfg, local_sources(sample_hosts), tmp_path)
    assert report.translated == len(sample_expected()) and report.engine == "gloss"
    st = open_store(cfg.db)
    engine_failures = st.query("SELECT message FROM failures WHERE stage = 'translate' AND kind = 'engine'")
    assert len(engine_failures) == 1 and "model_dir" in engine_failures[0]["message"]
    assert {r["translation_engine"] for r in st.query("SELECT translation_engine FROM articles")} == {"gloss"}
    st.close()


def test_unreachable_llm_falls_back_per_article_and_gives_up(config, sample_hosts, tmp_path):
    from dataclasses import replace as dc_replace

    from pilotwatch.translation import ENGINE_GIVE_UP

    cfg = dc_replace(config, translate_engine="llm", llm_url="http://127.0.0.1:9/v1", llm_model="any")
    report = run_once(cfg, local_sources(sample_hosts), tmp_path)
    assert report.translated == len(sample_expected()) and report.translate_failed == 0
    st = open_store(cfg.db)
    fallbacks = st.query("SELECT message FROM failures WHERE stage = 'translate' AND kind = 'fallback'")
    assert len(fallbacks) == ENGINE_GIVE_UP and all("llm_url" in f["message"] for f in fallbacks)
    st.close()


def test_bodies_of_unrelated_articles_can_be_left_untranslated(config, sample_hosts, tmp_path):
    from dataclasses import replace as dc_replace

    cfg = dc_replace(config, translate_bodies="relevant")
    run_once(cfg, local_sources(sample_hosts), tmp_path)
    st = open_store(cfg.db)
    rows = st.query("SELECT title_en, body_en, body_translated, is_platform_announcement, mentions_pilot_platform "
                    "FROM articles")
    for r in rows:
        relevant = r["is_platform_announcement"] or r["mentions_pilot_platform"]
        assert r["title_en"] and bool(r["body_en"]) == bool(relevant) == bool(r["body_translated"])
    st.close()


def test_translation_memory_makes_retranslation_free(config, sample_hosts, tmp_path):
    run_once(config, local_sources(sample_hosts), tmp_path)
    st = open_store(config.db)
    before = st.query("SELECT id, title_en, body_en FROM articles ORDER BY id")
    with st.write() as conn:  # forget the translations, keep the memory
        conn.execute("UPDATE articles SET translated_at = NULL, title_en = NULL, body_en = NULL")
    st.close()
    report = run_once(config, local_sources(sample_hosts), tmp_path)
    assert report.translated == len(before) and report.memory_misses == 0 and report.memory_hits > 50
    st = open_store(config.db)
    assert st.query("SELECT id, title_en, body_en FROM articles ORDER BY id") == before
    st.close()
