"""Attachment text is tagged and stored with its article (part "attachment:<id>"): once, also when read late, and the
same after a killed run."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import extract
from crawler import load_sources
from pilotwatch.pipeline import build_client, run_pipeline, tag_pending
from pilotwatch.report import RunReport
from store import open_store

ROOT = Path(__file__).resolve().parents[1]
LIST_PDF = "/zhengce/zhengceku/202512/P020251222570318462915.pdf"
LIST_PROVINCES = {"Jiangsu", "Tianjin", "Shanghai", "Shandong", "Guangdong", "Henan", "Shanxi", "Yunnan"}


def run_once(config, hosts, tmp_path):
    st = open_store(config.db)
    try:
        with build_client(config) as client:
            sources = [replace(s.rebased(hosts), delay=0.0) for s in load_sources()]
            return run_pipeline(config, sources=sources, client=client, store=st, mode="demo",
                                digest_dir=tmp_path / "out")
    finally:
        st.close()


def all_tags(db) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute('SELECT article_id, field, value, code, evidence, part, start, "end", attrs FROM tags')
        return sorted(rows.fetchall(), key=lambda row: tuple("" if v is None else str(v) for v in row))  # code: NULL
    finally:
        conn.close()


def test_the_sample_lists_attachment_is_tagged_once(config, sample_hosts, tmp_path):
    first = run_once(config, sample_hosts, tmp_path)
    assert first.exit_code == 0, first.summary()
    st = open_store(config.db)
    att = st.query("SELECT id, article_id, title, text FROM attachments WHERE url LIKE ?", [f"%{LIST_PDF}"])[0]
    tags = st.query("SELECT * FROM tags WHERE article_id = ? AND part LIKE 'attachment:%'", [att["article_id"]])
    body = [t for t in tags if t["part"] == f"attachment:{att['id']}"]
    assert {t["value"] for t in body if t["field"] == "province"} == LIST_PROVINCES  # a province per row
    assert tags == body
    for t in tags:  # evidence is where the offsets say, in the attachment's text
        assert att["text"][t["start"]:t["end"]] == t["evidence"], t
    # the article's own tags are still there beside them
    assert st.query("SELECT count(*) AS n FROM tags WHERE article_id = ? AND part = 'body'", [att["article_id"]])[0]["n"]
    # attachments without a list are tagged too; the scanned PDF (no text) is not
    parts = {r["part"] for r in st.query("SELECT DISTINCT part FROM tags WHERE part LIKE 'attachment:%'")}
    no_text = st.query("SELECT id FROM attachments WHERE status = 'no_text'")[0]["id"]
    assert not any(p.split(":")[1] == str(no_text) for p in parts)
    st.close()
    before = all_tags(config.db)

    second = run_once(config, sample_hosts, tmp_path)
    assert second.tagged == 0
    assert all_tags(config.db) == before  # nothing added, nothing moved


def article(url="https://www.gov.cn/zhengce/zhengceku/202512/content_1.htm"):
    return {"url": url, "source": "govcn", "raw_sha256": "r" * 64, "parser_version": "1",
            "title_zh": "关于公布首批生物制造中试能力建设平台名单的通知", "body_zh": "名单见附件。",
            "body_sha256": "b" * 64}


LIST_TEXT = ("序号\t平台名称\t牵头单位\t所在地\t方向\n"
             "1\t食品及添加剂生物制造中试平台\t江南大学\t江苏省无锡市\t食品及添加剂\n"
             "2\t酶制剂生物制造中试平台\t中国科学院天津工业生物技术研究所\t天津市\t酶制剂")


@pytest.fixture
def st(tmp_path):
    s = open_store(tmp_path / "pw.db")
    s.upsert_source("govcn", "gov.cn", "https://www.gov.cn")
    yield s
    s.close()


def stored_with_pending_attachment(st):
    run = st.start_run("live")
    url = "https://www.gov.cn/zhengce/zhengceku/202512/P1.xlsx"
    aid, _ = st.store_article(run, article(), attachments=[{"url": url, "title": "平台名单", "ext": "xlsx"}])
    return run, aid, url


def test_an_attachment_read_in_a_later_run_is_tagged_then(st):
    run, aid, url = stored_with_pending_attachment(st)
    tag_pending(st, RunReport(run_id=run))  # the attachment could not be fetched yet
    assert st.query("SELECT count(*) AS n FROM tags WHERE part LIKE 'attachment:%'")[0]["n"] == 0

    st.save_attachment(aid, url=url, title="平台名单", ext="xlsx", sha256="s" * 64, nbytes=10, status="ok", pages=None,
                       detail="", text=LIST_TEXT)
    assert [r["id"] for r in st.pending_tagging(extract.TAGGER_VERSION)] == [aid]  # its text makes it pending
    report = RunReport(run_id=run)
    tag_pending(st, report)
    assert report.tagged == 1
    att_id = st.query("SELECT id FROM attachments")[0]["id"]
    provinces = st.query("SELECT value FROM tags WHERE part = ? AND field = 'province'", [f"attachment:{att_id}"])
    assert {r["value"] for r in provinces} == {"Jiangsu", "Tianjin"}
    count = st.db["tags"].count
    tag_pending(st, RunReport(run_id=run))
    assert st.db["tags"].count == count  # nothing pending, nothing added


def test_an_attachment_that_yields_no_text_changes_nothing(st):
    run, aid, url = stored_with_pending_attachment(st)
    tag_pending(st, RunReport(run_id=run))
    st.save_attachment(aid, url=url, title="平台名单", ext="xlsx", sha256=None, nbytes=None, status="not_found",
                       pages=None, detail="HTTP 404", text="")
    assert list(st.pending_tagging(extract.TAGGER_VERSION)) == []


def test_a_tagger_failure_on_an_attachment_is_recorded_and_the_article_saved(st, monkeypatch):
    run, aid, url = stored_with_pending_attachment(st)
    st.save_attachment(aid, url=url, title="平台名单", ext="xlsx", sha256="s" * 64, nbytes=10, status="ok", pages=None,
                       detail="", text=LIST_TEXT)
    real = extract.tag_article

    def fails_on_attachments(title, body, **kw):
        if body == LIST_TEXT:
            raise RuntimeError("boom")
        return real(title, body, **kw)

    monkeypatch.setattr(extract, "tag_article", fails_on_attachments)
    tag_pending(st, RunReport(run_id=run))
    assert list(st.pending_tagging(extract.TAGGER_VERSION)) == []  # the article is tagged, without the attachment's tags
    assert st.query("SELECT count(*) AS n FROM tags WHERE part LIKE 'attachment:%'")[0]["n"] == 0
    failure = st.query("SELECT stage, kind, url FROM failures")
    assert failure == [{"stage": "tag", "kind": "RuntimeError", "url": url}]


def test_a_run_killed_while_tagging_attachments_resumes_to_the_same_tags(tmp_path, sample_hosts):
    def run(db, *kill):
        return subprocess.run([sys.executable, str(ROOT / "tests" / "crashrun.py"), str(db), str(db.parent / "d"),
                               json.dumps(sample_hosts), *map(str, kill)], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)

    clean = tmp_path / "clean" / "pw.db"
    clean.parent.mkdir()
    assert run(clean).returncode == 0
    killed = tmp_path / "killed" / "pw.db"
    killed.parent.mkdir()
    # mid-way through tagging: some articles saved with their attachments' tags, one computed and not saved
    assert run(killed, "pilotwatch.pipeline.attachment_tags", 5).returncode == -signal.SIGKILL
    assert run(killed).returncode == 0

    def tags_by_url(db):
        conn = sqlite3.connect(db)
        try:
            # an attachment by its URL: row ids follow the order sources crawled side by side stored them in
            return sorted(conn.execute(
                "SELECT a.url, t.field, t.value, t.evidence, CASE WHEN t.part LIKE 'attachment:%' THEN 'attachment:' "
                "|| (SELECT x.url FROM attachments x WHERE x.id = CAST(substr(t.part, 12) AS INTEGER)) ELSE t.part "
                'END, t.start, t."end" FROM tags t JOIN articles a ON a.id = t.article_id').fetchall())
        finally:
            conn.close()

    got, want = tags_by_url(killed), tags_by_url(clean)
    assert any(part.startswith("attachment:") for *_, part, _, _ in want)
    assert got == want
