"""The research interface: migrations keep data, bilingual search, exports, read-only SQL, concurrent use."""

import csv
import io
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from pilotwatch import research
from pilotwatch.cli import cli
from store import SearchError, migrations, open_store

ROOT = Path(__file__).resolve().parents[1]


def add(st, url, title, body, *, title_en="", body_en="", tags=(), announcement=False, published="2025-12-01"):
    run = st.start_run("live")
    st.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    aid, _ = st.store_article(run, {"url": url, "source": "ndrc", "raw_sha256": url, "parser_version": "3",
                                    "title_zh": title, "body_zh": body, "body_sha256": url, "published_at": published})
    st.save_translation(aid, title_en=title_en or title, body_en=body_en or body, engine="gloss", model="m",
                        missing=[])
    st.save_tags(aid, is_announcement=announcement, mentions=announcement, reasons=[], tagger_version="t",
                 tags=[{"field": f, "value": v, "code": None, "evidence": v, "part": "body", "start": 0, "end": 1}
                       for f, v in tags])
    return aid


@pytest.fixture
def st(tmp_path):
    s = open_store(tmp_path / "pw.db")
    add(s, "https://www.ndrc.gov.cn/a.html", "关于推动合成生物制造业发展的通知",
        "国家发展改革委印发通知，支持建设中试平台。到2027年培育20个平台。",
        title_en="Notice on developing the synthetic biomanufacturing industry",
        body_en="The NDRC issued a notice supporting pilot-scale platforms.", tags=[("sector", "enzymes"),
                                                                                   ("province", "Shandong")],
        announcement=True)
    add(s, "https://www.ndrc.gov.cn/b.html", "冬季能源保供工作通知", "做好今冬明春能源保供。",
        title_en="Winter energy supply notice", body_en="Ensure energy supply this winter.", published="2025-11-20")
    yield s
    s.close()


def urls(rows):
    return [r["url"].rsplit("/", 1)[1] for r in rows]


def test_chinese_word_inside_a_longer_word(st):
    assert urls(research.search(st, "生物制造")) == ["a.html"]  # inside 合成生物制造业
    assert urls(research.search(st, "中试")) == ["a.html"]  # two characters
    assert research.search(st, "制造业 能源") == []  # all terms must match


def test_agency_alias_from_the_glossary(st):
    rows = research.search(st, "发改委")  # the text says 国家发展改革委
    assert urls(rows) == ["a.html"] and "[国家发展改革委]" in rows[0]["snippet"]


def test_english_stems_phrases_and_filters(st):
    assert urls(research.search(st, "platform")) == ["a.html"]  # body says "platforms"
    assert urls(research.search(st, '"energy supply"')) == ["b.html"]
    assert urls(research.search(st, "notice", sector="enzymes")) == ["a.html"]
    assert urls(research.search(st, "notice", province="shandong", since="2025-12-01", until="2025-12-31")) == ["a.html"]
    assert research.search(st, "notice", source="stdaily") == []
    assert urls(research.search(st, "通知 winter")) == ["b.html"]  # Chinese and English together


def test_bad_fts_syntax_is_a_clear_error(st):
    with pytest.raises(SearchError, match="cannot read the search query"):
        research.search(st, "AND OR (")
    r = CliRunner().invoke(cli, ["search", "AND OR (", "--db", str(st.path)])
    assert r.exit_code == 1 and "Error: cannot read the search query" in r.output and "Traceback" not in r.output


def test_index_follows_edits(st):
    aid = st.query("SELECT id FROM articles WHERE url LIKE '%b.html'")[0]["id"]
    st.record_edit(aid, {"body_zh": "改为讨论植物底盘细胞。", "body_sha256": "x"})
    st.save_translation(aid, title_en="Winter", body_en="Now about plant chassis cells.", engine="gloss", model="m",
                        missing=[])
    assert urls(research.search(st, "底盘细胞")) == ["b.html"] and research.search(st, "今冬明春") == []
    assert urls(research.search(st, "chassis")) == ["b.html"]


def test_migration_from_the_previous_schema_keeps_data(tmp_path):
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path, isolation_level=None))
    migrations.apply(db, stop_before="m005_research_interface")
    db.execute("INSERT INTO sources (name, label, base_url) VALUES ('ndrc', 'NDRC', 'https://www.ndrc.gov.cn')")
    db.execute("INSERT INTO articles (url, source, first_seen_at, raw_sha256, parser_version, title_zh, body_zh, "
               "body_sha256, title_en, body_en) VALUES ('https://www.ndrc.gov.cn/x.html', 'ndrc', '2025-01-01', 'r', "
               "'1', '生物制造中试平台', '正文讲合成生物制造业。', 'b', 'Biomanufacturing platform', 'Body text.')")
    db.execute("INSERT INTO tags (article_id, field, value, evidence, part, start, \"end\") "
               "VALUES (1, 'sector', 'enzymes', '酶', 'body', 0, 1)")
    db.conn.close()
    st = open_store(path)  # applies m005 and what came after it
    assert "m005_research_interface" in [m.name for m in migrations.applied(st.db)]
    row = st.query("SELECT title_zh, site, canonical_url FROM articles")[0]
    assert row == {"title_zh": "生物制造中试平台", "site": "www.ndrc.gov.cn", "canonical_url": "https://www.ndrc.gov.cn/x.html"}
    assert st.query("SELECT value FROM tags")[0]["value"] == "enzymes"
    assert len(research.search(st, "生物制造")) == 1 and len(research.search(st, "platforms")) == 1  # indexes backfilled
    st.close()


def test_exports_round_trip(st):
    rows = st.export_rows(announcements_only=False)
    parsed = [json.loads(line) for line in research.to_jsonl(rows).splitlines()]
    assert [p["url"] for p in parsed] == [r["url"] for r in rows]
    assert parsed[0]["sectors"] == ["enzymes"] and parsed[0]["title_zh"] == "关于推动合成生物制造业发展的通知"
    back = list(csv.DictReader(io.StringIO(research.to_csv(rows))))
    assert [b["title_zh"] for b in back] == [r["title_zh"] for r in rows]
    assert back[0]["sectors"] == "enzymes" and back[0]["provinces"] == "Shandong" and back[0]["body_zh"] == rows[0]["body_zh"]
    assert [r["url"] for r in st.export_rows(announcements_only=True)] == ["https://www.ndrc.gov.cn/a.html"]


def test_atom_feed_validates(st):
    feedparser = pytest.importorskip("feedparser")
    rows = st.export_rows(announcements_only=False)
    feed = feedparser.parse(research.to_atom(rows, title="PilotWatch test", feed_id="urn:pilotwatch:test"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and len(feed.entries) == 2
    first = feed.entries[0]
    assert first.link == "https://www.ndrc.gov.cn/a.html" and "[gloss]" in first.title
    assert "关于推动合成生物制造业发展的通知" in first.title and first.tags[0].term == "enzymes"


def test_export_and_sql_commands(st, tmp_path):
    runner = CliRunner()
    out = tmp_path / "feed.xml"
    r = runner.invoke(cli, ["export", "--format", "atom", "--out", str(out), "--db", str(st.path)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<?xml")
    r = runner.invoke(cli, ["sql", "SELECT count(*) AS n FROM platform_announcements", "--db", str(st.path), "--json"])
    assert r.exit_code == 0 and json.loads(r.output) == {"n": 1}
    r = runner.invoke(cli, ["sql", "DELETE FROM articles", "--db", str(st.path)])
    assert r.exit_code == 1 and "readonly" in r.output
    assert st.db["articles"].count == 2


WRITER = """
import sys, time
from store import open_store
st = open_store(sys.argv[1])
st.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
for i in range(300):
    run = st.start_run("live")
    aid, _ = st.store_article(run, {"url": f"https://www.ndrc.gov.cn/w{i}.html", "source": "ndrc", "raw_sha256": str(i),
        "parser_version": "3", "title_zh": f"生物制造中试平台第{i}号", "body_zh": "合成生物制造业" * 50,
        "body_sha256": f"w{i}"})
    st.save_translation(aid, title_en=f"Platform {i}", body_en="pilot-scale platforms " * 50, engine="gloss",
                        model="m", missing=[])
    st.finish_run(run, exit_code=0, summary="s")
print("done")
"""


def test_a_writer_and_a_reader_in_two_processes_never_lock(st):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(st.path)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    reads = 0
    reader = open_store(st.path)
    while writer.poll() is None:
        research.search(reader, "生物制造")
        research.search(reader, "platform")
        reader.source_health()
        reads += 1
        time.sleep(0.005)
    out, err = writer.communicate()
    reader.close()
    assert writer.returncode == 0, err
    assert "database is locked" not in err and out.strip() == "done" and reads > 5
    assert st.query("SELECT count(*) AS n FROM articles")[0]["n"] == 302
