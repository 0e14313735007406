"""The platform registry on the demo site: one row per platform across articles, lists, reposts and re-crawls, events
that attach to the platform they describe, overrides that survive re-tagging, and the research question it answers."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import replace

import pytest

import registry
from crawler import load_sources
from pilotwatch.pipeline import build_client, run_pipeline, tag_pending
from pilotwatch.platforms import rebuild_registry
from pilotwatch.report import RunReport
from store import open_store

# The demo list's rows (pilotwatch/sample_site …/P020251222570318462915.pdf): host, city, sector.
LIST_ROWS = {
    ("江南大学", "Wuxi", "food_additives"),
    ("中国科学院天津工业生物技术研究所", "Tianjin", "enzymes"),
    ("华东理工大学", "Shanghai", "chemicals"),
    ("济南康源合成生物医药有限公司", "Jinan", "biopharma"),
    ("广州美研生物科技有限公司", "Guangzhou", "cosmetics"),
    ("南阳禾能生物质科技有限公司", "Nanyang", "feedstock_lignocellulose"),
    ("太原碳元生物科技有限公司", "Taiyuan", "feedstock_c1"),
    ("昆明植研生物技术有限公司", "Kunming", "plant_chassis_cells"),
}

# README "Research questions": which provinces host enzyme platforms, and who runs them
ENZYME_QUESTION = """
SELECT DISTINCT province, host FROM platform_hosts
WHERE EXISTS (SELECT 1 FROM json_each(platform_hosts.sectors) s WHERE s.value = 'enzymes')
ORDER BY province, host
"""


def run_demo(config, hosts, out):
    st = open_store(config.db)
    try:
        with build_client(config) as client:
            sources = [replace(s.rebased(hosts), delay=0.0) for s in load_sources()]
            return run_pipeline(config, sources=sources, client=client, store=st, mode="demo", digest_dir=out)
    finally:
        st.close()


def add_article(st, url: str, title: str, body: str, *, published: str, source: str = "xinhua") -> int:
    """An article as the crawler stores it, then tagged and the registry rebuilt, as a run does."""
    run = st.start_run("demo")
    article_id, outcome = st.store_article(run, {
        "url": url, "source": source, "raw_sha256": hashlib.sha256(body.encode()).hexdigest(), "parser_version": "t",
        "title_zh": title, "body_zh": body, "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
        "published_at": published})
    assert outcome == "new"
    tag_pending(st, RunReport(run_id=run))
    rebuild_registry(st)
    return article_id


def platforms(db) -> dict[int, tuple]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in conn.execute(
            "SELECT id, key, name, hosts, sectors, province, city, level, status, listed FROM platforms")}
    finally:
        conn.close()


def by_host(db, host: str) -> tuple[int, tuple]:
    found = [(i, p) for i, p in platforms(db).items() if host in json.loads(p[2])]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def demo(config, sample_hosts, tmp_path):
    report = run_demo(config, sample_hosts, tmp_path / "out")
    assert report.exit_code == 0
    return config


def test_the_sample_list_gives_one_platform_per_row(demo):
    conn = sqlite3.connect(demo.db)
    rows = conn.execute("SELECT hosts, city, sectors, listed FROM platforms WHERE listed LIKE '%national%'").fetchall()
    got = {(json.loads(h)[0], city, json.loads(s)[0]) for h, city, s, _ in rows if json.loads(h)}
    assert len(rows) == len(LIST_ROWS) and got == LIST_ROWS
    # each list platform holds both its mention in the notice and its row in the attachment, linked by a rule
    rules = conn.execute("SELECT p.name, group_concat(e.part || ':' || e.rule, ' ') FROM platforms p JOIN "
                         "platform_events e ON e.platform_id = p.id WHERE p.listed LIKE '%national%' GROUP BY p.id")
    for name, events in rules:
        assert "body:first" in events and "attachment:" in events and "same_article" in events, (name, events)
    # the programme: the June call, then the December list
    steps = conn.execute("SELECT programme, step, date FROM programme_steps WHERE programme = 'national'").fetchall()
    assert steps == [("national", "called", "2025-06-11"), ("national", "listed", "2025-12-22")]


def test_a_recrawl_and_a_repost_add_no_platform(demo, sample_hosts, tmp_path):
    before = platforms(demo.db)
    report = run_demo(demo, sample_hosts, tmp_path / "again")
    assert report.articles_new == 0 and report.platforms_new == 0
    assert platforms(demo.db) == before  # same ids, same facts
    st = open_store(demo.db)
    try:
        # Xinhua reposts the list notice: its platforms are the same ones (same host, sector and place)
        add_article(st, "https://www.news.cn/tech/20251223/aaaabbbbccccddddeeeeffff00001111/c.html",
                    "两部门公布首批生物制造中试能力建设平台名单",
                    "新华社北京12月23日电 工业和信息化部、国家发展改革委日前公布首批生物制造中试能力建设平台名单，"
                    "江南大学牵头建设的食品及添加剂生物制造中试平台（江苏省无锡市）、华东理工大学牵头建设的化工生物制造中试平台"
                    "（上海市）等43个平台入选。", published="2025-12-23")
    finally:
        st.close()
    after = platforms(demo.db)
    assert set(after) == set(before)
    pid, jiangnan = by_host(demo.db, "江南大学")
    conn = sqlite3.connect(demo.db)
    rules = {r for (r,) in conn.execute("SELECT rule FROM platform_events WHERE platform_id = ?", (pid,))}
    assert "same_host_sector_place" in rules


def test_a_provincial_list_links_to_the_national_platform_and_an_opening_attaches(demo):
    pid, before = by_host(demo.db, "江南大学")
    st = open_store(demo.db)
    try:
        add_article(st, "https://www.stdaily.com/web/gdxw/2026-03/02/content_1900001.html",
                    "江苏省公布首批省级生物制造中试平台名单",
                    "科技日报记者 张三\n江苏省工业和信息化厅日前公布首批省级生物制造中试平台名单，其中包括江南大学牵头建设的"
                    "食品及添加剂生物制造中试平台（无锡市）。", published="2026-03-02", source="stdaily")
        add_article(st, "https://www.news.cn/tech/20260415/bbbbccccddddeeeeffff000011112222/c.html",
                    "江南大学食品及添加剂生物制造中试平台在无锡揭牌",
                    "新华社南京4月15日电 15日，江南大学牵头建设的食品及添加剂生物制造中试平台在江苏省无锡市揭牌。",
                    published="2026-04-15")
    finally:
        st.close()
    same, after = by_host(demo.db, "江南大学")
    assert same == pid and after[0] == before[0]  # the same row and key
    assert json.loads(after[8]) == ["national", "provincial"]
    assert after[7] == "opened" and after[6] == "national"
    conn = sqlite3.connect(demo.db)
    events = conn.execute("SELECT event, level, date FROM platform_events WHERE platform_id = ? ORDER BY date",
                          (pid,)).fetchall()
    assert ("listed", "provincial", "2026-03-02") in events and events[-1][0] == "opened"
    assert conn.execute("SELECT count(*) FROM programme_steps WHERE programme = 'provincial:320000' "
                        "AND step = 'listed'").fetchone() == (1,)


def test_overrides_survive_a_retag(demo):
    st = open_store(demo.db)
    try:
        keys = {p["hosts"][0] if p["hosts"] else p["name"]: p["key"] for p in st.platform_rows()}
        st.add_platform_override("rename", keys["江南大学"], value="江南大学食品生物制造中试平台")
        st.add_platform_override("reject", keys["生物基化工材料中试平台"], note="a research partnership, not a platform")
        st.add_platform_override("merge", keys["华东理工大学"], other_key=keys["中国科学院天津工业生物技术研究所"])
        first = rebuild_registry(st)
        assert first["unmatched_overrides"] == 0
        once = platforms(demo.db)
        st.db.conn.execute("UPDATE articles SET tagger_version = NULL")  # everything is tagged again
        tag_pending(st, RunReport(run_id=st.start_run("demo")))
        rebuild_registry(st)
        assert platforms(demo.db) == once
        rows = {p["key"]: p for p in st.platform_rows(include_rejected=True)}
    finally:
        st.close()
    assert rows[keys["江南大学"]]["name"] == "江南大学食品生物制造中试平台"
    assert rows[keys["生物基化工材料中试平台"]]["status"] == "not_a_platform"
    merged = rows[keys["华东理工大学"]]
    assert set(merged["hosts"]) == {"华东理工大学", "中国科学院天津工业生物技术研究所"}
    assert keys["中国科学院天津工业生物技术研究所"] not in rows


def test_the_enzyme_question_gives_the_linked_pairs(demo):
    conn = sqlite3.connect(demo.db)
    assert conn.execute(ENZYME_QUESTION).fetchall() == [
        ("Hubei", "华中农业大学"),  # the Wuhan platform (enzymes and food additives), opened by both
        ("Hubei", "武汉绿源酶创生物科技有限公司"),
        ("Tianjin", "中国科学院天津工业生物技术研究所"),  # on the national list
    ]


def rec(article_id, name, hosts=(), sectors=(), city=None, event="mentioned", level="unknown", seen="2026-01-01",
        part="body", doc="", index=0):
    return registry.Record(article_id=article_id, part=part, index=index, name=name,
                           hosts=tuple((h, "") for h in hosts), sectors=tuple(sectors),
                           province=(city[0], city[1][:2] + "0000") if city else None, city=city, county=None,
                           event=event, level=level, evidence=name, date=seen[:10], first_seen_at=seen,
                           doc_number=doc)


def test_a_host_with_two_platforms_keeps_them_apart():
    wuxi = ("Wuxi", "320200")
    food = rec(1, "食品生物制造中试平台", ["江南大学"], ["food_additives"], wuxi, "listed", "national")
    enzyme = rec(2, "酶制剂中试平台", ["江南大学"], ["enzymes"], wuxi, "opened", seen="2026-02-01")
    vague = rec(3, "中试基地", ["江南大学"], [], wuxi, "signed", seen="2026-03-01")
    built = registry.build([food, enzyme, vague])
    assert len(built.platforms) == 3  # the vague record fits both: kept apart for a curator, never guessed
    assert [e.rule for p in built.platforms for e in p.events] == ["first", "first", "ambiguous"]
    # a second vague record alike: its own platform again, under a key of its own
    again = registry.build([food, enzyme, vague, replace(vague, article_id=5, first_seen_at="2026-05-01")])
    keys = [p.key for p in again.platforms]
    assert len(keys) == len(set(keys)) == 4 and keys[-1].endswith("#2")
    # a record naming another sector or another province never joins
    other = rec(4, "食品生物制造中试平台", ["江南大学"], ["food_additives"], ("Suzhou", "320500"), seen="2026-04-01")
    assert len(registry.build([food, other]).platforms) == 2


def test_programme_records_are_steps_not_platforms():
    call = rec(1, "生物制造中试能力建设平台", event="called", level="national", seen="2025-06-11")
    general = rec(2, "制造业中试平台", event="planned", level="national", seen="2025-07-24")
    built = registry.build([call, general])
    assert built.platforms == ()
    assert [(s.programme, s.step) for s in built.steps] == [("national", "called")]


def test_an_override_that_no_longer_matches_is_reported():
    food = rec(1, "食品生物制造中试平台", ["江南大学"], ["food_additives"], ("Wuxi", "320200"))
    stale = registry.Override("rename", "host:不存在|food_additives|320200", value="x", id=7)
    built = registry.build([food], [stale])
    assert built.unmatched_overrides == (stale,) and built.platforms[0].name == "食品生物制造中试平台"
