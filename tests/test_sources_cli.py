"""`pilotwatch sources test`: a source's lists and one article read now with its rules, from the localhost sample site
or a saved file, reported as text or JSON; nothing is stored. And `pilotwatch sources` (no subcommand) is unchanged."""

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from crawler import Source, load_sources
from pilotwatch.cli import cli
from pilotwatch.sample_server import sample_site_root, serve_sample_site

ENV = {"PILOTWATCH_DELAY": "0", "PILOTWATCH_RETRIES": "0", "PILOTWATCH_REQUEST_DEADLINE": "20"}
# article pages of the bundled sample site (the titles their pages carry)
NDRC_NOTICE_PATH = "/xxgk/zcfb/tz/202511/t20251120_1401873.html"
NDRC_NOTICE = "国家发展改革委办公厅关于做好2025年冬季能源保供工作的通知"
NDRC_GUIDE_PATH = "/xxgk/zcfb/tz/202507/t20250724_1399412.html"
NDRC_GUIDE = "国家发展改革委关于推动制造业中试平台高质量发展的指导意见"
GOVCN_ARTICLE = "/zhengce/zhengceku/202512/content_7052311.htm"
GOVCN_TITLE = "工业和信息化部 国家发展改革委关于公布首批生物制造中试能力建设平台名单的通知"
XINHUA_ARTICLE = "/tech/20251218/3f9c2a7e1b0d4c58a6e2f71d09b4c8e3/c.html"
XINHUA_TITLE = "华中农业大学生物制造中试平台在武汉东湖高新区启用"
STDAILY_ARTICLE = "/web/gdxw/2025-12/19/content_1842316.html"
MIIT_ARTICLE = "/jgsj/xfpgys/wjfb/art/2025/art_7c0d2e9f4a1b48d6b3e5f8a2c9d1e4b7.html"


# --- the site: the bundled sample site's pages, with list pages of this test's own -----------------------------------
# The sample site's own lists follow crawler/sources.toml, which moves on; these stay as the registry below reads them.

def _row(path: str, title: str, date: str) -> str:
    return f'<li><a href="{path}" title="{title}">{title}</a><span>{date}</span></li>'


LISTS = {
    "www.ndrc.gov.cn/pw-test/tz.html": '<html><head><meta charset="utf-8"></head><body><ul class="u-list">'
    + _row(NDRC_NOTICE_PATH, NDRC_NOTICE, "2025/11/20") + _row(NDRC_GUIDE_PATH, NDRC_GUIDE, "2025/07/24")
    + '<li><a href="/xxgk/">信息公开</a></li></ul></body></html>',
    "www.ndrc.gov.cn/pw-test/tzgg.html": '<html><head><meta charset="utf-8"></head><body><ul class="u-list">'
    + _row(NDRC_NOTICE_PATH, NDRC_NOTICE, "2025/11/20") + "</ul></body></html>",
    "www.gov.cn/pw-test/zuixin.html": '<html><head><meta charset="utf-8"></head><body>'
    f'<h4><a href="{GOVCN_ARTICLE}">{GOVCN_TITLE}</a><span>2025-12-22</span></h4>'
    '<h4><a href="/zhengce/content/202510/content_7046518.htm">国务院办公厅关于加快发展社区居家养老服务的意见</a></h4>'
    "</body></html>",
    "sousuo.www.gov.cn/pw-test/data.json": json.dumps({"searchVO": {"listVO": [
        {"url": f"https://www.gov.cn{GOVCN_ARTICLE}", "title": GOVCN_TITLE, "pubtimeStr": "2025.12.22"}]}},
        ensure_ascii=False),
    "www.news.cn/pw-test/ds_tech.json": json.dumps({"datasource": [
        {"title": XINHUA_TITLE, "publishUrl": f"..{XINHUA_ARTICLE}", "publishTime": "2025-12-18 10:21:05"},
        {"title": "专题", "publishUrl": "/politics/zt/swzz/index.html", "publishTime": "2025-12-20 09:00:00"},
        {"title": "南昌生物医药产业示范基地揭牌", "publishUrl": "/tech/20251105/a71e5d09c3b24f6e8d1c0b9a2e7f4d61/c.html",
         "publishTime": "2025-11-05 15:40:12"}]}, ensure_ascii=False),
    "www.stdaily.com/pw-test/node.html": '<html><head><meta charset="utf-8"></head><body><div class="f_lieb_list">'
    f'<dl><dt></dt><dd><h3><a href="{STDAILY_ARTICLE}">中试平台</a></h3></dd></dl></div></body></html>',
    "www.miit.gov.cn/pw-test/unit.json": json.dumps({"data": {"html": "<ul>" + _row(
        MIIT_ARTICLE, "工业和信息化部关于公布2025年度国家中小企业公共服务示范平台名单的通知", "2025-09-26") + "</ul>"}},
        ensure_ascii=False),
}

REGISTRY = r"""
[[source]]
name = "xinhua"
label = "Xinhua (news.cn)"
base = "https://www.news.cn"
delay = 0.0
article_pattern = '^/(?:[a-z]+/)*\d{8}/[0-9a-f]{8,32}/c\.html$'
  [[source.lists]]
  name = "科技 tech"
  url = "/pw-test/ds_tech.json"
  kind = "json"
  items = "datasource"
  link = "publishUrl"
  title = "title"
  date = "publishTime"
  [source.parse]
  title = ".head-line h1 .title, .head-line h1, .h-title"
  body = "#detail, #detailContent, #p-detail"
  date = ".header-time, .h-time"
  meta_source = "source"

[[source]]
name = "stdaily"
label = "Science and Technology Daily (stdaily.com)"
base = "https://www.stdaily.com"
delay = 0.0
article_pattern = '^/web/[a-z]+/\d{4}-\d{2}/\d{2}/content_\d+\.html$'
  [[source.lists]]
  name = "热点新闻 hot news"
  url = "/pw-test/node.html"
  kind = "html"
  select = ".f_lieb_list dl h3 a"
  [source.parse]
  title = ".articleHead h1"
  body = ".pages_content .content"
  date = ".articleHead .time1, .article-info .time"

[[source]]
name = "miit"
label = "MIIT notices (miit.gov.cn)"
base = "https://www.miit.gov.cn"
delay = 0.0
official = true
article_pattern = '^/(?:[a-z0-9]+/)+art/\d{4}/art_[0-9a-f]{32}\.html$'
  [[source.lists]]
  name = "最新政策 latest policies"
  url = "/pw-test/unit.json?pageId=42cd38164cb6441a84bdfa441909e15e"
  kind = "json_html"
  items = "data.html"
  select = "li a"
  [[source.lists]]
  name = "gov.cn 部门文件库"
  fallback = true
  url = "https://sousuo.www.gov.cn/pw-test/data.json?t=zhengcelibrary_bm&q=%E5%B7%A5%E4%B8%9A"
  kind = "json"
  items = "searchVO.listVO"
  link = "url"
  title = "title"
  date = "pubtimeStr"
  article_host = "www.gov.cn"
  article_pattern = '^/zhengce/zhengceku/\d{6}/content_\d+\.htm$'
  [source.parse]
  title = "#con_title, h1"
  body = "#con_con, .ccontent"
  date = "#con_time"
  meta_source = "ContentSource"

[[source]]
name = "ndrc"
label = "NDRC notices (ndrc.gov.cn)"
base = "https://www.ndrc.gov.cn"
delay = 0.0
official = true
article_pattern = '^/(?:[a-z]+/)+\d{6}/t\d{8}_\d+\.html$'
  [[source.lists]]
  name = "政策发布·通知 policy notices"
  url = "/pw-test/tz.html"
  kind = "html"
  select = "ul.u-list li a"
  [[source.lists]]
  name = "通知公告 announcements"
  url = "/pw-test/tzgg.html"
  kind = "html"
  select = "ul.u-list li a"
  [[source.lists]]
  name = "gov.cn 部门文件库"
  fallback = true
  url = "https://sousuo.www.gov.cn/pw-test/data.json?t=zhengcelibrary_bm&q=%E5%9B%BD%E5%AE%B6"
  kind = "json"
  items = "searchVO.listVO"
  link = "url"
  title = "title"
  date = "pubtimeStr"
  article_host = "www.gov.cn"
  article_pattern = '^/zhengce/zhengceku/\d{6}/content_\d+\.htm$'
  [source.parse]
  title = ".article_title, h2"
  body = "div.TRS_Editor, .article_con, div.article"
  date = ".time"
  meta_title = "ArticleTitle"
  meta_date = "PubDate"
  meta_source = "ContentSource"
  drop = "script, style, table.enclosure"

[[source]]
name = "govcn"
label = "State Council policy library (gov.cn)"
base = "https://www.gov.cn"
delay = 0.0
official = true
article_pattern = '^/zhengce/(?:content|zhengceku)/\d{6}/content_\d+\.htm$'
  [[source.lists]]
  name = "最新政策 latest policies"
  url = "/pw-test/zuixin.html"
  kind = "html"
  select = "h4 a"
  [source.parse]
  title = "div.share-title, .article h1"
  body = "#UCAP-CONTENT, .pages_content"
  meta_date = "firstpublishedtime"
  source = ".pages-date"
  metadata_table = "table.bd1"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The bundled sample site with this test's list pages, served on localhost: {real host: base URL}."""
    root = tmp_path_factory.mktemp("site") / "sample_site"
    shutil.copytree(sample_site_root(), root)
    for path, text in LISTS.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    with serve_sample_site(root) as hosts:
        yield hosts


def write_registry(tmp_path: Path, hosts: Mapping[str, str], text: str = REGISTRY) -> Path:
    """REGISTRY moved onto the localhost site, as the sample server moves the pages' own links."""
    for host, base in hosts.items():
        text = text.replace(f"https://{host}", base).replace(f'"{host}"', f'"{urlsplit(base).netloc}"')
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def registry(tmp_path, site) -> Path:
    return write_registry(tmp_path, site)


@pytest.fixture
def local(registry) -> dict[str, Source]:
    return {s.name: s for s in load_sources(registry)}


@pytest.fixture(autouse=True)
def workdir(tmp_path, monkeypatch):
    """Each test runs in its own folder, with the config's database there: a test may look for files written."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PILOTWATCH_DB", str(tmp_path / "pw.db"))
    return tmp_path


def source_test(registry: Path, *args: str):
    return CliRunner().invoke(cli, ["sources", "test", *args, "--sources", str(registry)], env=ENV)




def saved(tmp_path: Path, host_path: str, name: str) -> Path:
    """A page of the site ("host/path"), saved to a file as an operator would from a browser."""
    out = tmp_path / name
    if host_path in LISTS:
        out.write_text(LISTS[host_path], encoding="utf-8")
    else:
        out.write_bytes((sample_site_root() / host_path).read_bytes())
    return out


# --- no TARGET: every primary list, then the first article ---------------------------------------------------------

def test_default_run_reports_every_list_and_the_first_article(registry, local, workdir):
    r = source_test(registry, "ndrc")
    assert r.exit_code == 0, r.output
    base = local["ndrc"].base
    assert r.output.startswith("source ndrc: NDRC notices (ndrc.gov.cn)\n")
    assert (f"\nlist 政策发布·通知 policy notices\n  url     {base}/pw-test/tz.html\n  status  200\n"
            f"  links   2 article links\n    2025/11/20  {NDRC_NOTICE}  {base}{NDRC_NOTICE_PATH}\n"
            f"    2025/07/24  {NDRC_GUIDE}  {base}{NDRC_GUIDE_PATH}\n") in r.output
    assert (f"\nlist 通知公告 announcements\n  url     {base}/pw-test/tzgg.html\n  status  200\n"
            "  links   1 article links\n") in r.output
    assert "部门文件库" not in r.output  # fallback lists only with --all-lists
    article = r.output.split("\narticle ", 1)[1]
    assert article.startswith(f"{base}{NDRC_NOTICE_PATH}\n  status        200\n  rules         ndrc\n")
    assert f"  title         {NDRC_NOTICE}\n" in article and "  doc_number    发改办运行〔2025〕902号\n" in article
    assert "  published_at  2025-11-20" in article and "  issuer        -\n" in article
    assert "\n    | 发改办运行〔2025〕902号\n" in article  # the body's start
    assert "  attachments   0\n" in article
    assert r.output.endswith("\nok: the rules found article links and a complete article\n")
    assert not list(workdir.rglob("*.db*"))  # nothing stored: no database opened or created


def test_all_lists_and_limit(registry, local):
    r = source_test(registry, "miit", "--all-lists", "--limit", "0")
    assert r.exit_code == 0, r.output
    govcn = local["govcn"].base
    assert "\nlist 最新政策 latest policies\n" in r.output and "\nfallback list gov.cn 部门文件库\n" in r.output
    assert r.output.count("  links   1 article links\n") == 2
    assert f"  {govcn}{GOVCN_ARTICLE}" not in r.output  # --limit 0: counts only
    r = source_test(registry, "xinhua", "--limit", "1")
    assert "  links   2 article links\n" in r.output and "南昌" not in r.output.split("\narticle ")[0]


def test_one_list_by_name_or_number_without_target(registry, local):
    for choice in ("通知公告 announcements", "2"):
        r = source_test(registry, "ndrc", "--list", choice)
        assert r.exit_code == 0, r.output
        assert r.output.count("list ") == 1 and "\nlist 通知公告 announcements\n" in r.output
        assert f"\n  title         {NDRC_NOTICE}\n" in r.output


def test_a_list_without_links_fails_with_a_line_saying_so(tmp_path, site):
    # the site renamed the class the list's selector relies on
    registry = write_registry(tmp_path, site, REGISTRY.replace(".f_lieb_list dl", ".f_lieb_list_v2 dl"))
    r = source_test(registry, "stdaily")
    assert r.exit_code == 1, r.output
    assert "  status  200\n  links   0 article links — selector or template changed?\n" in r.output
    assert "\nproblem: list 热点新闻 hot news: empty_list: list yielded no article links" in r.output
    assert "\nproblem: no article tested: no list yielded an article link\n" in r.output
    assert r.output.endswith("\nFAILED: 2 problem(s)\n") and "\narticle " not in r.output


def test_a_list_that_fails_to_fetch(tmp_path, site):
    registry = write_registry(tmp_path, site, REGISTRY.replace("/pw-test/tzgg.html", "/pw-test/moved.html"))
    r = source_test(registry, "ndrc")
    assert r.exit_code == 1, r.output
    assert "  status  404\n  FAILED  gone: HTTP 404" in r.output
    assert "\nproblem: list 通知公告 announcements: gone: " in r.output
    assert f"\n  title         {NDRC_NOTICE}\n" in r.output  # the other list still led to an article


def test_json_has_the_links_and_the_article(registry, local):
    r = source_test(registry, "govcn", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["source"] == "govcn" and data["ok"] is True and data["problems"] == []
    [lst] = data["lists"]
    base = local["govcn"].base
    assert lst == {"name": "最新政策 latest policies", "url": f"{base}/pw-test/zuixin.html", "fallback": False,
                   "status": 200, "found": 2, "error": None, "links": [
                       {"date": "2025-12-22", "title": GOVCN_TITLE, "url": base + GOVCN_ARTICLE},
                       {"date": "", "title": "国务院办公厅关于加快发展社区居家养老服务的意见",
                        "url": f"{base}/zhengce/content/202510/content_7046518.htm"}]}
    article = data["article"]
    assert article["url"] == base + GOVCN_ARTICLE and article["title"] == GOVCN_TITLE
    assert article["body_length"] > 100 and article["error"] is None and article["rules"] == "govcn"
    # `sources --json test …` asks for the same
    again = CliRunner().invoke(cli, ["sources", "--json", "test", "govcn", "--sources", str(registry)], env=ENV)
    assert json.loads(again.output) == data
    r = source_test(registry, "ndrc", "--json", "--list", "9")
    assert r.exit_code == 2  # usage errors stay click errors


# --- URL targets ---------------------------------------------------------------------------------------------------

def test_a_list_url_target_reports_that_list_only(registry, local):
    base = local["ndrc"].base
    r = source_test(registry, "ndrc", f"{base}/pw-test/./tz.html#top")  # the same list in another spelling
    assert r.exit_code == 0, r.output
    assert r.output.count("list ") == 1 and f"\nlist 政策发布·通知 policy notices\n  url     {base}/pw-test/tz.html\n" \
        in r.output
    assert NDRC_GUIDE in r.output and "\narticle " not in r.output and r.output.endswith("\nok\n")


def test_an_article_url_target(registry, local):
    base = local["govcn"].base
    r = source_test(registry, "govcn", base + GOVCN_ARTICLE, "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    article = data["article"]
    assert data["lists"] == [] and article["status"] == 200
    assert article["title"] == GOVCN_TITLE and article["doc_number"] == "工信部联消费〔2025〕236号"
    assert article["issuer"] == "工业和信息化部 国家发展改革委" and article["written_date"] == "2025-12-16"
    assert article["published_at"].startswith("2025-12-22")
    assert article["attachments"] == [{"ext": "pdf", "title": "首批生物制造中试能力建设平台名单",
                                       "url": f"{base}/zhengce/zhengceku/202512/P020251222570318462915.pdf"}]
    r = source_test(registry, "govcn", base + GOVCN_ARTICLE)
    assert f"\n  attachments   1\n    pdf  首批生物制造中试能力建设平台名单  {base}/zhengce/zhengceku/" in r.output


def test_an_article_of_another_site_is_parsed_with_that_sites_rules(registry, local):
    # MIIT's fallback list reads gov.cn's library: its articles are gov.cn pages, parsed with gov.cn's rules
    r = source_test(registry, "miit", local["govcn"].base + GOVCN_ARTICLE)
    assert r.exit_code == 0, r.output
    assert "  rules         govcn\n" in r.output and f"  title         {GOVCN_TITLE}\n" in r.output


def test_a_missing_article_is_a_fetch_failure(registry, local):
    url = local["ndrc"].base + "/xxgk/zcfb/tz/202501/t20250101_1.html"  # an article URL the site does not have
    r = source_test(registry, "ndrc", url)
    assert r.exit_code == 1, r.output
    assert "  status        404\n  rules         ndrc\n  FAILED        gone: HTTP 404" in r.output
    assert f"\nproblem: article {url}: gone: " in r.output


@pytest.mark.parametrize("url", ["stdaily", "http://example.invalid/xxgk/zcfb/tz/202511/t20251120_1.html"])
def test_a_url_of_another_host_is_a_usage_error(registry, local, url):
    url = local["stdaily"].base + STDAILY_ARTICLE if url == "stdaily" else url
    r = source_test(registry, "ndrc", url)
    assert r.exit_code == 2, r.output
    assert "URL is neither a list nor an article of ndrc" in r.output and "Traceback" not in r.output


# --- file targets --------------------------------------------------------------------------------------------------

def test_a_file_target_is_read_as_an_article(registry, local, tmp_path):
    page = saved(tmp_path, "www.ndrc.gov.cn" + NDRC_GUIDE_PATH, "saved.html")
    r = source_test(registry, "ndrc", str(page))
    assert r.exit_code == 0, r.output
    assert f"\narticle {local['ndrc'].base}/\n  status        file\n  rules         ndrc\n" in r.output
    assert f"  title         {NDRC_GUIDE}\n" in r.output and "  doc_number    发改产业〔2025〕968号\n" in r.output
    assert "\nlist " not in r.output and r.output.endswith("\nok\n")
    # --url names where it came from: its host picks the rules (a gov.cn page tested from MIIT's entry)
    page = saved(tmp_path, "www.gov.cn" + GOVCN_ARTICLE, "govcn.html")
    r = source_test(registry, "miit", str(page), "--url", local["govcn"].base + GOVCN_ARTICLE)
    assert r.exit_code == 0, r.output
    assert "  rules         govcn\n" in r.output and "  doc_number    工信部联消费〔2025〕236号\n" in r.output
    assert "  attachments   1\n    pdf  " in r.output


def test_a_file_target_with_list_is_read_as_that_lists_json(registry, local, tmp_path):
    xinhua = local["xinhua"]
    file = saved(tmp_path, "www.news.cn/pw-test/ds_tech.json", "list.json")
    for choice in ("1", "科技 tech"):
        r = source_test(registry, "xinhua", str(file), "--list", choice, "--json")
        assert r.exit_code == 0, r.output
        data = json.loads(r.output)
        [lst] = data["lists"]
        assert lst["name"] == "科技 tech" and lst["url"] == xinhua.lists[0].url and lst["status"] is None
        assert lst["found"] == 2 and lst["links"][0] == {"date": "2025-12-18 10:21:05", "title": XINHUA_TITLE,
                                                        "url": xinhua.base + XINHUA_ARTICLE}
        assert data["article"] is None and data["ok"] is True
    # a list response that is no longer JSON (an error page, a new front end)
    file.write_text("<html><body>系统维护中</body></html>", encoding="utf-8")
    r = source_test(registry, "xinhua", str(file), "--list", "1")
    assert r.exit_code == 1 and "  status  file\n  FAILED  list_format: " in r.output
    assert "\nproblem: list 科技 tech: list_format: " in r.output


def test_site_text_cannot_reach_the_terminal(registry, tmp_path):
    page = tmp_path / "hostile.html"
    page.write_text("<html><head><title>x</title></head><body><h2>标题\x1b]0;owned\x07\x1b[31m红\x9b2J</h2>"
                    "<div class='TRS_Editor'><p>正文第一段\x1b[2J，足够长的一段文字用于测试。</p><p>第二段\r\n\x07结束。</p>"
                    "</div></body></html>", encoding="utf-8")
    for args in ((), ("--json",)):
        r = source_test(registry, "ndrc", str(page), *args)
        assert r.exit_code == 0, r.output
        assert not any(c in r.output for c in "\x1b\x07\x9b\r"), repr(r.output)
    text = source_test(registry, "ndrc", str(page)).output
    assert "  title         标题红2J\n" in text and "\n    | 正文第一段，足够长的一段文字用于测试。\n" in text


# --- usage errors and nothing written ------------------------------------------------------------------------------

def test_unknown_source_names_it_and_the_known_ones(registry, local):
    r = source_test(registry, "nosuch")
    assert r.exit_code == 2 and "unknown source 'nosuch' (known: xinhua, stdaily, miit, ndrc, govcn)" in r.output


def test_bad_options_are_usage_errors(registry, local, tmp_path):
    r = source_test(registry, "ndrc", "--list", "99")
    assert r.exit_code == 2 and "ndrc has no list '99' (its lists: 1 政策发布·通知 policy notices; 2 " in r.output
    r = source_test(registry, "ndrc", "--url", local["ndrc"].base + "/")
    assert r.exit_code == 2 and "--url" in r.output
    r = source_test(registry, "ndrc", str(tmp_path / "missing.html"))
    assert r.exit_code == 2 and "neither an http(s) URL nor a readable file" in r.output
    r = source_test(registry, "ndrc", "--all-lists", "--list", "1")
    assert r.exit_code == 2 and "--all-lists" in r.output


def test_nothing_is_written(registry, local, workdir):
    before = set(workdir.rglob("*"))
    for args in (("ndrc",), ("govcn", local["govcn"].base + GOVCN_ARTICLE), ("stdaily", "--json")):
        assert source_test(registry, *args).exit_code == 0
    assert set(workdir.rglob("*")) == before and not (workdir / "pw.db").exists()


# --- `pilotwatch sources` without a subcommand ---------------------------------------------------------------------

def test_sources_table_still_works(tmp_path, registry, monkeypatch):
    from store import open_store

    monkeypatch.setenv("PILOTWATCH_SOURCES_FILE", str(registry))
    configured = load_sources(registry)
    ndrc = next(s for s in configured if s.name == "ndrc")
    spec = ndrc.primary_lists[0]
    db = tmp_path / "health.db"
    store = open_store(db)
    store.upsert_source("ndrc", ndrc.label, ndrc.base)
    store.update_list(spec.url, "ndrc", spec.name, spec.fallback, ok=True, status=200, items_found=3, new_items=2)
    store.close()
    r = CliRunner().invoke(cli, ["sources", "--db", str(db)])
    assert r.exit_code == 0, r.output
    for source in configured:
        assert f"{source.name:8} never run last ok never, 0 failures in a row, 0 articles\n" in r.output
    assert f"\n    {spec.name}: 3 items, 2 new, 0 empty reads, HTTP 200\n" in r.output
    data = json.loads(CliRunner().invoke(cli, ["sources", "--db", str(db), "--json"]).output)
    assert [s["name"] for s in data] == [s.name for s in configured]
    [row] = next(s for s in data if s["name"] == "ndrc")["lists"]
    assert row["name"] == spec.name and row["items_found"] == 3
    r = CliRunner().invoke(cli, ["sources", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "does not exist" in r.output
    r = CliRunner().invoke(cli, ["sources", "--help"])
    assert r.exit_code == 0 and "test" in r.output and "Example:" in r.output
