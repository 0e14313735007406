"""Search at scale (issue 20): the new search finds exactly what the one-statement search of before found, on every
path it takes (bm25 over a rare word's matches, a common word's newest matches ranked by title, date order by walking
or by reading every match), with filters, in both languages, and on a database from before m012."""

from __future__ import annotations

import random
import sqlite3

import pytest
from sqlite_utils import Database
from test_research import add

from pilotwatch import research
from store import fts, migrations, open_store
from store.db import Store, _zh_expression

WORDS = ["生物制造", "中试平台", "酶制剂", "合成生物", "化妆品", "能源保供", "木质纤维素", "产业园"]
FILLER = ["会议强调要做好相关工作。", "有关部门将加强统筹协调。", "各地区要结合实际抓好落实。", "现将有关事项通知如下。"]
EN = ["pilot platform", "enzyme production", "energy supply", "synthetic biology", "cosmetics", "lignocellulose",
      "industrial park", "biomanufacturing"]
SECTORS = ["enzymes", "biopharma", "cosmetics"]
PROVINCES = ["Shandong", "Jiangsu", "Yunnan"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """60 articles: each with a few of the words in its body, some in its title, its own date, source and tags."""
    path = tmp_path_factory.mktemp("scale") / "pw.db"
    st = open_store(path)
    st.upsert_source("miit", "MIIT", "https://www.miit.gov.cn")
    rnd = random.Random(20)
    days = rnd.sample(range(3000), 60)  # every article its own day: date order has no ties to break
    for i in range(60):
        words = rnd.sample(WORDS, rnd.randint(1, 4))
        title = ("关于" + words[0] + "的通知") if rnd.random() < 0.4 else "工作动态" + str(i)
        body = "".join(rnd.choice(FILLER) + w + "发展" + str(rnd.randint(1, 99)) + "。" for w in words * 2)
        if rnd.random() < 0.2:
            body += "中试能力建设平台投入使用。"  # 中试平台 with four characters between its words
        en = [EN[WORDS.index(w)] for w in words]
        published = f"{2018 + days[i] // 360}-{days[i] % 360 // 30 + 1:02d}-{days[i] % 30 + 1:02d}"
        aid = add(st, f"https://www.ndrc.gov.cn/{i}.html", title, body,
                  title_en=("Notice on " + en[0]) if rnd.random() < 0.4 else f"News {i}",
                  body_en=" ".join(f"The meeting discussed {e} and other work." for e in en * 2),
                  tags=[("sector", rnd.choice(SECTORS)), ("province", rnd.choice(PROVINCES))], published=published)
        if i % 3 == 0:
            st.db.execute("UPDATE articles SET source = 'miit' WHERE id = ?", [aid])
    st.close()
    return path


QUERIES = [("生物制造", {}), ("中试平台", {}), ('"中试平台"', {}), ("生物制造 酶制剂", {}), ("合成生物 化妆品 产业园", {}),
           ("发改委", {}), ("platform", {}), ("synthetic biology", {}), ('"energy supply"', {}),
           ("enzym* OR cosmetics", {"fts": True}), ("生物制造 platform", {}), ("酶制剂 energy", {}),
           ("生物制造", {"sector": "enzymes"}), ("中试", {"province": "shandong", "since": "2020-01-01"}),
           ("platform", {"source": "miit", "until": "2024-06-30"}), ("酶制剂 产业园", {"sector": "cosmetics"}),
           ("木质纤维素", {})]


def old_search(st: Store, query: str, *, fts: bool = False, order: str = "relevance", **filters) -> list[dict]:
    """The search before issue 20: one statement, bm25 and snippet() for every match, then sort."""
    zh_terms, en_query = research.parse_query(query, fts=fts)
    zh = " AND ".join("(" + " OR ".join(e for t in alts if (e := _zh_expression(t))) + ")" for alts in zh_terms)
    zh_sql = ("SELECT rowid AS id, bm25(articles_fts_zh, 5.0, 1.0) AS score FROM articles_fts_zh "
              "WHERE articles_fts_zh MATCH :zh")
    if zh_terms and en_query:
        matches = (f"WITH zh AS MATERIALIZED ({zh_sql}), en AS MATERIALIZED (SELECT rowid AS id, "
                   "bm25(articles_fts_en, 5.0, 1.0) AS score FROM articles_fts_en WHERE articles_fts_en MATCH :en) "
                   "SELECT zh.id, zh.score + en.score AS score, NULL AS en_snippet FROM zh JOIN en ON en.id = zh.id")
    elif zh_terms:
        matches = f"SELECT id, score, NULL AS en_snippet FROM ({zh_sql})"
    else:
        matches = ("SELECT rowid AS id, bm25(articles_fts_en, 5.0, 1.0) AS score, "
                   "snippet(articles_fts_en, -1, '[', ']', '…', 12) AS en_snippet FROM articles_fts_en "
                   "WHERE articles_fts_en MATCH :en")
    where, params = Store._filters(filters.get("source"), filters.get("since"), filters.get("until"),
                                   filters.get("sector"), filters.get("province"))
    sql = (f"SELECT a.id, a.published_at, m.score, m.en_snippet, a.body_zh FROM ({matches}) m "
           f"JOIN articles a ON a.id = m.id {where} ORDER BY "
           f"{'m.score, a.published_at DESC' if order == 'relevance' else 'a.published_at DESC, m.score'}")
    rows = st.query(sql, {**params, "zh": zh, "en": en_query})
    for row in rows:
        row["snippet"] = row.pop("en_snippet") or research._zh_snippet(row.pop("body_zh") or "", zh_terms)
    return rows


def ids(rows):
    return [r["id"] for r in rows]


@pytest.fixture
def reader(corpus):
    st = open_store(corpus, readonly=True)
    yield st
    st.close()


@pytest.mark.parametrize("query,kw", QUERIES)
def test_rare_words_find_and_rank_as_before(reader, query, kw):
    """Every part with few matches (all of them, here): bm25 over all matches, the same order and snippets."""
    old = old_search(reader, query, **kw)
    new = research.search(reader, query, limit=1000, **kw)
    assert ids(new) == ids(old)
    assert [r["snippet"] for r in new] == [r["snippet"] for r in old]
    assert ids(research.search(reader, query, order="date", limit=1000, **kw)) == ids(old_search(
        reader, query, order="date", **kw))


@pytest.mark.parametrize("query,kw", QUERIES)
@pytest.mark.parametrize("lookup_cost", [0, 10**9])  # date order: walk the date index, or read every match
def test_common_words_find_the_same_articles(reader, monkeypatch, query, kw, lookup_cost):
    """Every part common (EXACT_MAX 3): the same matches whatever the limit, date order unchanged."""
    monkeypatch.setattr(fts, "EXACT_MAX", 3)
    monkeypatch.setattr(fts, "WINDOW", 4)
    monkeypatch.setattr(fts, "LOOKUP_COST", lookup_cost)
    old = old_search(reader, query, **kw)
    assert sorted(ids(research.search(reader, query, limit=1000, **kw))) == sorted(ids(old))
    for limit in (1, 5, 12):
        page = ids(research.search(reader, query, limit=limit, **kw))
        assert len(page) == min(limit, len(old)) and len(set(page)) == len(page) and set(page) <= set(ids(old))
        by_date = ids(old_search(reader, query, order="date", **kw))
        assert ids(research.search(reader, query, order="date", limit=limit, **kw)) == by_date[:limit]


def test_common_words_rank_title_matches_first_then_newest(reader, monkeypatch):
    monkeypatch.setattr(fts, "EXACT_MAX", 3)
    monkeypatch.setattr(fts, "WINDOW", 1000)
    rows = research.search(reader, "生物制造", limit=1000)
    titled = ["生物制造" in r["title_zh"] for r in rows]
    assert titled == sorted(titled, reverse=True) and any(titled) and not all(titled)
    for group in (True, False):
        dates = [r["published_at"] for r, t in zip(rows, titled, strict=True) if t == group]
        assert dates == sorted(dates, reverse=True)
    assert all(r["score"] is None for r in rows)  # no bm25 here
    rows = research.search(reader, "biomanufacturing", limit=1000)  # English titles: through FTS5's stemmer
    assert [r["title_en"].startswith("Notice on biomanufacturing") for r in rows][:1] == [True]


@pytest.mark.parametrize("lookup_cost", [0, 10**9])  # the other index: test each of the few, or read across them
@pytest.mark.parametrize("common", ["生物制造", "meeting"])
def test_a_rare_part_ranks_the_query_by_its_bm25(reader, monkeypatch, lookup_cost, common):
    """木质纤维素 rare, the other word common: ranked by the rare word's bm25 (a common word weighs about nothing)."""
    monkeypatch.setattr(fts, "EXACT_MAX", len(old_search(reader, "木质纤维素")))
    monkeypatch.setattr(fts, "LOOKUP_COST", lookup_cost)
    new = research.search(reader, f"木质纤维素 {common}", limit=1000)
    assert sorted(ids(new)) == sorted(ids(old_search(reader, f"木质纤维素 {common}"))) and new
    scores = {r["id"]: r["score"] for r in old_search(reader, "木质纤维素")}
    assert [r["score"] for r in new] == [scores[i] for i in ids(new)]
    assert [r["score"] for r in new] == sorted(r["score"] for r in new)


def test_prefix_query_snippets_are_fts5s(reader, monkeypatch):
    old = old_search(reader, "enzym* OR cosmetics", fts=True)
    new = research.search(reader, "enzym* OR cosmetics", fts=True, limit=1000)
    assert ids(new) == ids(old) and [r["snippet"] for r in new] == [r["snippet"] for r in old]
    assert any("[enzyme]" in r["snippet"] for r in new)


def test_a_database_from_before_m012_is_searched_read_only(corpus, tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    src = sqlite3.connect(corpus)
    src.backup(dst := sqlite3.connect(path))
    src.close()
    dst.execute("DROP INDEX articles_published")
    dst.execute("DROP INDEX articles_search")
    dst.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_search_index'")
    dst.commit()
    dst.close()
    old = open_store(path, readonly=True)
    new = open_store(corpus, readonly=True)
    try:
        assert old.pending_migrations() == ["m012_search_index"]
        for query, kw in QUERIES:
            for order in ("relevance", "date"):
                assert ids(research.search(old, query, order=order, **kw)) == ids(research.search(
                    new, query, order=order, **kw))
        monkeypatch.setattr(fts, "EXACT_MAX", 3)
        for query, kw in QUERIES:
            assert ids(research.search(old, query, order="date", **kw)) == ids(research.search(
                new, query, order="date", **kw))
    finally:
        old.close()
        new.close()
    st = open_store(path)  # the migration upgrades it in place
    assert {"articles_published", "articles_search"} <= {r["name"] for r in st.query(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    st.close()


def test_matches_of_two_indexes_are_merged_newest_first():
    assert list(fts._common([iter([9, 7, 5, 3, 1]), iter([8, 7, 6, 3, 2])])) == [7, 3]
    assert list(fts._common([iter([9, 8]), iter([5, 4])])) == [] and list(fts._common([iter([2, 1])])) == [2, 1]


def test_filters_read_tags_by_article(reader):
    """The tag filters' subquery goes by article: by (field, value) it read every tag with that sector per match."""
    where, params = Store._search_filters("miit", "2020-01-01", "2024-12-31", "enzymes", "Shandong")
    plan = " ".join(str(r) for r in reader.db.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT a.id FROM articles a {where}", params))
    assert "tags_article" in plan and "tags_field_value" not in plan


def test_migration_indexes_and_the_list(tmp_path):
    db = Database(sqlite3.connect(tmp_path / "x.db"))
    migrations.apply(db)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()}
    assert {"articles_published", "articles_search"} <= names
    plan = " ".join(str(r) for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT a.id, a.published_at, a.title_en FROM articles a INDEXED BY articles_search "
        "WHERE a.id IN (1, 2)"))
    assert "COVERING INDEX articles_search" in plan


@pytest.mark.parametrize("lookup_cost", [0, 10**9])
@pytest.mark.parametrize("indexed", [True, False])
def test_date_order_breaks_a_days_ties_by_relevance(tmp_path, monkeypatch, lookup_cost, indexed):
    """Several articles a day: newest day first; within a day bm25 order (few matches), or the ones with the word
    in the title first (common word); the page ends inside a day and still takes that day's best."""
    st = open_store(tmp_path / "pw.db")
    for i in range(12):
        day = ["2025-03-03", "2025-03-02", "2025-03-01"][i // 4]
        titled = i % 4 == 3  # the last stored of each day has it in the title
        add(st, f"https://www.ndrc.gov.cn/{i}.html", "生物制造简讯" if titled else f"简讯{i}",
            "生物制造" * (1 + i % 4) + "。会议强调要做好相关工作。" * (4 - i % 4), published=day)
    if not indexed:
        st.db.execute("DROP INDEX articles_published")
        st.db.execute("DROP INDEX articles_search")
    st.close()
    st = open_store(tmp_path / "pw.db", readonly=True)
    try:
        exact = research.search(st, "生物制造", order="date", limit=6)
        assert ids(exact) == ids(old_search(st, "生物制造", order="date"))[:6]  # bm25 within each day, as before
        monkeypatch.setattr(fts, "EXACT_MAX", 1)
        monkeypatch.setattr(fts, "LOOKUP_COST", lookup_cost)
        rows = research.search(st, "生物制造", order="date", limit=6)
        assert [r["published_at"] for r in rows] == ["2025-03-03"] * 4 + ["2025-03-02"] * 2
        assert [r["title_zh"] == "生物制造简讯" for r in rows] == [True, False, False, False, True, False]
        assert ids(rows)[1:4] == sorted(ids(rows)[1:4], reverse=True)  # then newest stored
    finally:
        st.close()
