"""The packaged source registry against the sites' 2026 shapes, end to end: the real hosts and URLs (served on
localhost through a resolver transport), the real crawler, store and pipeline. Pages are self-written (golden pages
and the bundled sample site); list responses are built here in the shapes the 2026 evidence describes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from vhost import VirtualHosts

from crawler import load_sources
from pilotwatch.pipeline import run_pipeline
from pilotwatch.sample_server import sample_site_root
from store import open_store

SOURCES = {s.name: s for s in load_sources()}
SITES = Path(__file__).parent / "fixtures" / "sites"
SAMPLE = sample_site_root()
HTML, JSON = "text/html; charset=utf-8", "application/json; charset=utf-8"
SD_URL = "https://sd.news.cn/20260415/7c2e9b41d5a04f3e8b6a1d0c9f2e7a53/c.html"
MIIT_ART = "/zwgk/zcwj/wjfb/tz/art/2025/art_e2b7c4a19d0f4b3e8c5a6d7f10e2b3c4.html"
GOV_LISTED = "/zhengce/zhengceku/202512/content_7052311.htm"
GOV_CONTENT = "/zhengce/content/202510/content_7046518.htm"


def page(path: Path) -> tuple[int, str, bytes]:
    return 200, HTML, path.read_bytes()


def js(data: object, status: int = 200) -> tuple[int, str, bytes]:
    return status, JSON, json.dumps(data, ensure_ascii=False).encode()


def only(name: str, *lists: str):
    """The packaged source with only the named lists (by name prefix), no politeness delay."""
    src = SOURCES[name]
    return replace(src, delay=0.0, lists=tuple(lst for lst in src.lists if lst.name.startswith(lists)))


def run(config, sources, vh: VirtualHosts, tmp_path: Path):
    st = open_store(config.db)
    with vh.client() as client:
        report = run_pipeline(config, sources=sources, client=client, store=st, mode="live",
                              digest_dir=tmp_path / "out")
    return report, st


@pytest.fixture
def cfg(config):
    return replace(config, max_attachments=0)


def test_a_provincial_channel_article_behind_a_multi_link_row(cfg, tmp_path):
    """Xinhua's local list names a topic row whose article sits on sd.news.cn: it is fetched on its own host (the
    allow-list has the channels), parsed with Xinhua's rules (the branch template) and keeps Shandong as its region."""
    local = {"datasource": [{"title": "<p>专题</p>", "contentType": "Link", "publishTime": "2026-04-16 08:00:00",
                             "publishUrl": "https://www.news.cn/local/zt/swzz/index.html",
                             "linkUrls": [{"linkUrl": SD_URL}]}]}
    sites = {
        "www.news.cn": {"/local/ds_5c5939c2f07b4d9c96de44dad32eadc8.json": js(local)},
        "sd.news.cn": {"/20260415/7c2e9b41d5a04f3e8b6a1d0c9f2e7a53/c.html":
                       page(SITES / "xinhua" / "branch_sd_keywords.html")},
    }
    with VirtualHosts(sites) as vh:
        report, st = run(cfg, [only("xinhua", "地方")], vh, tmp_path)
    (row,) = st.query("SELECT url, site, region_hint, title_zh, published_at, source_name FROM articles")
    assert row == {"url": SD_URL, "site": "sd.news.cn", "region_hint": "370000",
                   "title_zh": "潍坊生物制造中试平台启用 首批23个项目签约入驻",
                   "published_at": "2026-04-15T10:32:05+08:00", "source_name": "新华网"}
    assert report.sources_failed == [] and vh.hits["www.news.cn/local/zt/swzz/index.html"] == 0  # the row's own page
    st.close()


def test_an_http_miit_link_and_its_https_twin_are_one_document(cfg, tmp_path):
    """MIIT's 最新政策 gives http:// links; its document library gives the same document (with its 文号): stored once,
    as https, fetched once."""
    jpaas = {"success": True, "code": 200, "data": {"html": (
        f'<div class="page-content"><ul><li class="cf"><a class="fl" href="http://www.miit.gov.cn{MIIT_ART}" '
        'title="关于开展生物制造中试能力建设平台培育工作的通知">关于开展…</a><span class="fr">2025-06-11</span></li></ul></div>')}}
    library = {"code": "200", "data": {"searchResult": {"dataResults": [{"groupData": [{"data": {
        "title": "关于开展生物制造中试能力建设平台培育工作的通知", "url": f"https://www.miit.gov.cn{MIIT_ART}",
        "deploytime": "1749634200000", "filenumbername": "工信厅联消费函〔2025〕186号"}}]}]}}}
    art = SAMPLE / "www.miit.gov.cn/jgsj/xfpgys/wjfb/art/2025/art_e2b7c4a19d0f4b3e8c5a6d7f10e2b3c4.html"
    sites = {"www.miit.gov.cn": {
        "/api-gateway/jpaas-publish-server/front/page/build/unit": js(jpaas),
        "/search-front-server/api/search/info": js(library),
        MIIT_ART: page(art),
    }}
    with VirtualHosts(sites) as vh:
        report, st = run(cfg, [only("miit", "最新政策", "政策文件库")], vh, tmp_path)
    rows = st.query("SELECT url, doc_number FROM articles")
    assert rows == [{"url": f"https://www.miit.gov.cn{MIIT_ART}", "doc_number": "工信厅联消费函〔2025〕186号"}]
    assert vh.hits[f"www.miit.gov.cn{MIIT_ART}"] == 1 and report.sources_failed == []
    fetched = {r["url"] for r in st.query("SELECT url FROM fetches WHERE purpose = 'article'")}
    assert fetched == {f"https://www.miit.gov.cn{MIIT_ART}"}
    st.close()


def test_a_403_on_one_list_leaves_the_hosts_other_lists_running(cfg, tmp_path):
    """gov.cn walls off 最新政策 (403): 政策解读 on the same host is still read and its document stored; the back-off
    holds that path family only, in this run and the next."""
    sites = {"www.gov.cn": {
        "/zhengce/zuixin/ZUIXINZHENGCE.json": (403, "text/html", b"<html>403 Forbidden</html>"),
        "/zhengce/jiedu/ZCJD_QZ.json": js([{"TITLE": "名单的通知", "SUB_TITLE": "", "DOCRELPUBTIME": "2025-12-22",
                                            "URL": f"https://www.gov.cn{GOV_LISTED}"}]),
        GOV_LISTED: page(SAMPLE / "www.gov.cn" / GOV_LISTED.lstrip("/")),
    }}
    with VirtualHosts(sites) as vh:
        report, st = run(cfg, [only("govcn", "最新政策", "政策解读")], vh, tmp_path)
        assert [r["url"] for r in st.query("SELECT url FROM articles")] == [f"https://www.gov.cn{GOV_LISTED}"]
        assert report.sources_failed == [] and report.blocked == []
        (blocked,) = st.query("SELECT scope, source, status FROM blocked_paths")
        assert blocked == {"scope": "www.gov.cn/zhengce/zuixin", "source": "govcn", "status": 403}
        health = {h["name"]: h for h in st.source_health()}
        assert health["govcn"]["blocked_until"] is None and not health["govcn"]["failing"]
        st.close()

        before = dict(vh.hits)
        again, st = run(cfg, [only("govcn", "最新政策", "政策解读")], vh, tmp_path)
        assert vh.hits["www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"] == before["www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"]
        assert vh.hits["www.gov.cn/zhengce/jiedu/ZCJD_QZ.json"] == before["www.gov.cn/zhengce/jiedu/ZCJD_QZ.json"] + 1
        kinds = [(r["stage"], r["kind"]) for r in st.query("SELECT stage, kind FROM failures WHERE run_id = ?",
                                                          [again.run_id])]
        assert kinds == [("list", "backoff")]
    st.close()


def test_a_403_on_a_fallback_article_does_not_stop_the_host_for_other_sources(cfg, tmp_path):
    """NDRC's own lists fail; of gov.cn's two search forms one answers an empty envelope (empty_list) and the other
    serves, but the document library walls off its article. gov.cn's own source still reads www.gov.cn."""
    sousuo_rows = {"code": 200, "searchVO": {"totalCount": 1, "listVO": [
        {"title": "名单的通知", "url": f"https://www.gov.cn{GOV_LISTED}", "pubtimeStr": "2025.12.22"}]}}
    sites = {
        "www.ndrc.gov.cn": {},  # every list 404
        "sousuo.www.gov.cn": {"/search-gov/data": js(sousuo_rows)},
        "www.gov.cn": {
            "/zhengce/zuixin/ZUIXINZHENGCE.json": js([{"TITLE": "意见", "SUB_TITLE": "", "DOCRELPUBTIME": "2025-10-14",
                                                       "URL": f"https://www.gov.cn{GOV_CONTENT}"}]),
            GOV_LISTED: (403, "text/html", b"<html>403 Forbidden</html>"),
            GOV_CONTENT: page(SAMPLE / "www.gov.cn" / GOV_CONTENT.lstrip("/")),
        },
    }
    shell = js({"code": 200, "msg": "操作成功", "data": None})
    ndrc = SOURCES["ndrc"]
    puborg, bmfl = ndrc.fallback_lists
    with VirtualHosts(sites) as vh:
        # the two forms share a path on the live site; here the first answers the envelope, by its own path
        sites["sousuo.www.gov.cn"]["/search-gov/shell"] = shell
        ndrc = replace(ndrc, delay=0.0, lists=(*ndrc.primary_lists, replace(puborg, url=puborg.url.replace(
            "/search-gov/data", "/search-gov/shell")), bmfl))
        report, st = run(cfg, [ndrc, only("govcn", "最新政策")], vh, tmp_path)
    failures = {(r["source"], r["stage"], r["kind"]) for r in st.query("SELECT source, stage, kind FROM failures")}
    assert {("ndrc", "list", "gone"), ("ndrc", "list", "empty_list"), ("ndrc", "fetch", "blocked")} <= failures
    assert [r["url"] for r in st.query("SELECT url FROM articles")] == [f"https://www.gov.cn{GOV_CONTENT}"]
    assert report.via_fallback == ["ndrc"] and "govcn" not in report.sources_failed
    assert [r["scope"] for r in st.query("SELECT scope FROM blocked_paths")] == ["www.gov.cn/zhengce/zhengceku"]
    st.close()
