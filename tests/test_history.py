"""Re-runs stay flat with history (issue 20): a run with nothing new does not rebuild the registry from every
stored record, and rebuilds as soon as anything it reads changed."""

from __future__ import annotations

from test_pipeline import local_sources, run_once

import registry
from pilotwatch import platforms
from pilotwatch.report import RunReport
from pilotwatch.translation import load_engine
from store import open_store


def test_the_registry_is_rebuilt_only_when_what_it_reads_changed(config, sample_hosts, tmp_path, monkeypatch):
    first = run_once(config, local_sources(sample_hosts), tmp_path)
    builds = []
    real = registry.build
    monkeypatch.setattr(registry, "build", lambda *a, **kw: builds.append(1) or real(*a, **kw))

    again = run_once(config, local_sources(sample_hosts), tmp_path)  # nothing new
    assert builds == [] and again.platforms == first.platforms > 0 and again.platforms_new == 0

    st = open_store(config.db)
    try:
        key = st.query("SELECT key FROM platforms ORDER BY id LIMIT 1")[0]["key"]
        st.add_platform_override("reject", key)  # a curator's decision changes the inputs
        report = RunReport(run_id=st.start_run("demo"))

        def gloss():
            return load_engine(config, "gloss")

        platforms.update(st, report, gloss, gloss)
        assert builds == [1]
        platforms.update(st, report, gloss, gloss)  # and once built, the same inputs again skip it
        assert builds == [1]
        monkeypatch.setattr(registry, "RULES_VERSION", registry.RULES_VERSION + "-next")  # new rules: rebuild
        platforms.update(st, report, gloss, gloss)
        assert builds == [1, 1]
        tags = st.query("SELECT id FROM tags WHERE field = 'platform' ORDER BY id DESC LIMIT 1")
        with st.write() as conn:  # re-tagging replaces tag rows: a record gone is a change too
            conn.execute("DELETE FROM tags WHERE id = ?", (tags[0]["id"],))
        platforms.update(st, report, gloss, gloss)
        assert builds == [1, 1, 1]
    finally:
        st.close()


def test_the_digest_reads_no_bodies_and_shows_the_same(config, sample_hosts, tmp_path, monkeypatch):
    from digest.build import _item
    from store import db

    run_once(config, local_sources(sample_hosts), tmp_path)
    st = open_store(config.db)
    try:
        rows = list(st.articles_first_seen_between("2000-01-01", "2999-01-01"))
        full = {r["id"]: r for r in st.query("SELECT * FROM articles")}
        every_tag = {t["id"]: t for t in st.query("SELECT * FROM tags")}
        monkeypatch.setattr(db, "DIGEST_CHUNK", 3)  # read three at a time: the same rows in the same order
        assert list(st.articles_first_seen_between("2000-01-01", "2999-01-01")) == rows
        # the progress block and the chart from the lean platform rows: what the whole rows give
        from digest.platforms import chart_panels, programme_progress
        from extract import SECTOR_LABELS

        whole, lean = st.platform_rows(include_rejected=True), st.platform_summaries()
        assert whole and len(lean) == sum(p["status"] != "not_a_platform" for p in whole)
        for rows_ in (whole, lean):
            assert programme_progress(rows_, st.programme_steps(), target=20, target_year=2027,
                                      sector_labels=SECTOR_LABELS) == programme_progress(
                whole, st.programme_steps(), target=20, target_year=2027, sector_labels=SECTOR_LABELS)
            assert chart_panels(rows_, SECTOR_LABELS) == chart_panels(whole, SECTOR_LABELS)
    finally:
        st.close()
    assert [r["is_platform_announcement"] for r in rows] == sorted((r["is_platform_announcement"] for r in rows),
                                                                   reverse=True)
    assert rows and not any("body_zh" in r or "body_en" in r for r in rows)
    assert {t["field"] for r in rows for t in r["tags"]} <= {"sector", "province", "city", "issuer", "host", "target"}
    windows = 0
    for row in rows:
        # the article as a whole row with all its tags shows the same item as the lean row
        whole = {**full[row["id"]], "source_label": row["source_label"],
                 "tags": [t for t in every_tag.values() if t["article_id"] == row["id"]]}
        lean, rich = _item(row), _item(whole)
        assert (lean.evidence, lean.lead, lean.sectors, lean.places) == (rich.evidence, rich.lead, rich.sectors,
                                                                         rich.places)
        windows += row["evidence_window"] is not None
    assert windows >= 4  # the announcements' evidence came from body windows


def test_pending_articles_are_read_a_chunk_at_a_time(config, sample_hosts, tmp_path, monkeypatch):
    from store.db import Pending

    run_once(config, local_sources(sample_hosts), tmp_path)
    st = open_store(config.db)
    try:
        with st.write() as conn:
            conn.execute("UPDATE articles SET tagger_version = NULL")
        monkeypatch.setattr(Pending, "CHUNK", 3)
        pending = st.pending_tagging("any")
        assert len(pending) == 10 and not any("body_zh" in k for k in vars(pending))  # only the ids so far
        reads = []
        real = st.query
        monkeypatch.setattr(st, "query", lambda sql, params=(): reads.append(sql) or real(sql, params))
        rows = list(pending)
        assert [r["id"] for r in rows] == sorted(r["id"] for r in rows) and all(r["body_zh"] for r in rows)
        assert len(reads) == 4  # ten rows, three at a time
    finally:
        st.close()
