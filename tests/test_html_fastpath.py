"""The lxml fast path (crawler/_html.py) answers exactly as BeautifulSoup + soupsieve did, or hands the page back.

parse_article, discover and find_attachments read pages through the fast path for speed (see BENCHMARKS.md); the
BeautifulSoup code stays as the reference and the fallback. Each test runs both on the same input and compares.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import crawler
from crawler import _html

# the modules, not the functions of the same name that crawler/__init__.py exports
attachments = importlib.import_module("crawler.attachments")
discover = importlib.import_module("crawler.discover")
parse = importlib.import_module("crawler.parse")

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 1, tzinfo=UTC)
RULES = [crawler.ParseRules(), *(s.parse for s in crawler.load_sources())]
PAGES = sorted([*(ROOT / "pilotwatch" / "sample_site").rglob("*.htm*"), *(ROOT / "tests" / "fixtures").rglob("*.htm*"),
                *(ROOT.parent / "shared" / "fixtures-real").rglob("*.htm*")])

EDGE_CASES = [
    # strings split by comments, processing instructions and dropped elements stay separate strings
    "<html><head><title>标题：测试页面</title></head><body><h1>标<!-- c -->题</h1><div id='detail'><p>a<?pi x?>b"
    "<span class='editor'>drop</span>tail</p><p>第二段<script>var x = 1;</script>文字</p></div></body></html>",
    # script, style, template and ruby text only count for themselves
    "<html><body><div class='pages_content'><div class='content'><template><p>模板</p></template><p>正文<rt>zhèng"
    "</rt>内容<style>p{}</style></p><textarea>  \n  </textarea><pre>\n \n</pre></div></div></body></html>",
    # classes split on any whitespace (U+3000 too); tag names and attributes lower-cased by the parser
    "<HTML><BODY><DIV CLASS='TRS_Editor\u3000x'><P>大写标签里的正文内容足够长了吗？是的，足够长。</P></DIV>"
    "<Div Class='article_title'>标题</Div><META NAME='PubDate' CONTENT='2025-07-24 10:00'></BODY></HTML>",
    # content after </html>: more than one top-level element, left to BeautifulSoup
    "0</HTML><html><head><title>文件标题在后面</title></head><body><p>正文在后面的文档里，也足够长。</p></body></html>",
    # a metadata table, and drops with nested matches
    "<html><body><table class='bd1'><tr><td>标\u3000题：</td><td> 关于 <b>某某</b> 的通知 </td></tr><tr><td>发文字号："
    "</td><td>国办发〔2025〕35号</td></tr></table><div id='UCAP-CONTENT'><script><script>x</script></script><p>通知正文"
    "第一段。</p><p>通知正文第二段，内容足够长。</p></div></body></html>",
    "",
    "   ",
    "<!-- only a comment -->",
    "纯文本，没有任何标签，也没有标题。",
    "<html><body>" + "<div>" * 400 + "<p>很深的嵌套" + "</div>" * 400 + "</body></html>",
]


def outcome(fn, *args, **kwargs):
    try:
        return "ok", fn(*args, **kwargs)
    except Exception as exc:  # the same error, raised the same way, is the same answer
        return "error", type(exc).__name__, str(exc)


def parse_both(html: str, rules: crawler.ParseRules):
    url = "https://www.example.org/a.html"
    slow = outcome(parse._parse, parse._SoupPage(html), html, url, rules, NOW)
    try:
        fast = outcome(parse._parse, parse._LxmlPage(html, rules), html, url, rules, NOW)
    except _html.Unsupported:
        return slow, slow  # handed back: parse_article reads it with BeautifulSoup
    if fast[:2] == ("error", "Unsupported"):
        return slow, slow  # handed back while reading (the root element was to be dropped)
    return slow, fast


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_parse_fast_path_matches_beautifulsoup_on_real_pages(path):
    html = crawler.decode(path.read_bytes()).text
    for rules in RULES:
        slow, fast = parse_both(html, rules)
        assert fast == slow, rules


@pytest.mark.parametrize("html", EDGE_CASES)
def test_parse_fast_path_matches_beautifulsoup_on_edge_cases(html):
    for rules in RULES:
        slow, fast = parse_both(html, rules)
        assert fast == slow, rules


def test_the_registry_selectors_take_the_fast_path():
    for source in crawler.load_sources():
        for selector in (source.parse.title, source.parse.body, source.parse.date, source.parse.source,
                         source.parse.drop, source.parse.metadata_table, *(s.select for s in source.lists)):
            for part in filter(None, (p.strip() for p in selector.split(","))):
                _html.compile_selector(part)


CLASS_CASES = (
    # class lists split on form feed, U+3000 and NBSP (bs4) but not on cssselect's four XPath spaces; nested matches
    "<html><body><div class='x\x0cy'><p class='y\u3000z'>甲</p><p class='z\xa0w'>乙<a href='/a' TITLE='t'>丙</a></p>"
    "<div class='x'><div class='xx'><ul><li><a href='/b'>丁</a></li></ul></div></div></div><p class='X'>戊</p>"
    "<p id='-x' class='-y'>己</p></body></html>")
SUBSET_SELECTORS = ["*.x", ".y", ".z", ".w", "p.X", "DIV.X", "a[TITLE]", "div > p", ".x li a[href]", ".x > .x a",
                    "div div", "#-x, .-y", "body > div p", "#detail p", ".pages_content .content p", "table.bd1 td"]


@pytest.mark.parametrize("selector", SUBSET_SELECTORS)
def test_selectors_of_the_subset_match_soupsieve(selector):
    from bs4 import BeautifulSoup

    for html in [crawler.decode(p.read_bytes()).text for p in PAGES] + EDGE_CASES + [CLASS_CASES]:
        root = _html.open_tree(html)
        if root is None:
            continue
        fast = [(el.tag, _html.text(el, " ", True)) for el in _html.select(root, selector)]
        assert fast == [(el.name, el.get_text(" ", strip=True)) for el in BeautifulSoup(html, "lxml").select(selector)]


@pytest.mark.parametrize("selector", ["a:first-child", "div[class=x]", "*", "a + b", "a ~ b", ".1x", "#a\\:b", "a,",
                                      "> a", "a >", "a > > b", "ul.中文", "div > *", "#1x", "*|a", "a::text"])
def test_other_selectors_are_left_to_soupsieve(selector):
    with pytest.raises(_html.Unsupported):
        _html.compile_selector(selector)


def test_discover_fast_path_matches_beautifulsoup():
    selectors = {spec.select for source in crawler.load_sources() for spec in source.lists if spec.kind != "json"}
    unit = ROOT / "pilotwatch/sample_site/www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    inputs = [crawler.decode(p.read_bytes()).text for p in PAGES] + EDGE_CASES + [json.loads(unit.read_text())["data"]["html"]]
    for selector in selectors:
        for html in inputs:
            fast = outcome(discover._html_links_fast, html, selector, "https://www.example.org/list/")
            if fast[:2] == ("error", "Unsupported"):
                continue  # handed back: discover reads it with BeautifulSoup
            assert fast == outcome(_soup_links, html, selector, "https://www.example.org/list/"), selector


def _soup_links(html: str, selector: str, page_url: str) -> list[crawler.Link]:
    """discover._html_links with the fast path switched off."""
    original = discover._html_links_fast
    discover._html_links_fast = _unsupported
    try:
        return discover._html_links(html, selector, page_url)
    finally:
        discover._html_links_fast = original


def _unsupported(*args):
    raise _html.Unsupported("off")


@pytest.mark.parametrize("title", ["华中农业大学生物制造中试平台启用", "  前后有空格  ", "", "a  b", "]]>", "x > y",
                                   "<a href='/x'>专题 | 生物制造</a>", "&amp; 与", "全角\u3000空格", "\ufeffBOM"])
def test_plain_json_titles_read_as_beautifulsoup_reads_them(title):
    from bs4 import BeautifulSoup

    assert discover._plain_text(title) == BeautifulSoup(title, "lxml").get_text(strip=True)


@pytest.mark.parametrize("link", ["x.pdf", "x.&#112;df", "x&period;pdf", "x.\npdf", "x%2Epdf", "x.%70df", "x&percnt;2epdf",
                                  "?f=a.PDF", "/d?id=1", "x.html", "x.et", "x.wps", "javascript:x.pdf"])
def test_attachment_precheck_never_hides_an_attachment(link):
    for text in ("名单", "附件1：名单.pdf", "附件：名单.&#101;t"):
        for page_url in ("https://www.example.org/a.html", "https://www.example.org/a.pdf"):
            html = f'<html><body><table class="enclosure"><tr><td><a href="{link}">{text}</a></td></tr></table></body></html>'
            with_precheck = attachments.find_attachments(html, page_url)
            original = attachments._may_name_documents
            attachments._may_name_documents = lambda text: True  # always parse
            try:
                assert with_precheck == attachments.find_attachments(html, page_url)
            finally:
                attachments._may_name_documents = original


ATTACHMENT_PAGES = [
    # NDRC's enclosure table, 附件 text, a query-string file, a <base href>, a duplicate, a link inside a dropped block
    "<html><head><base href='https://www.ndrc.gov.cn/xxgk/'></head><body><div class='TRS_Editor'><p>正文</p>"
    "<a href='fj/名单.pdf'>附件1：名单.pdf</a><a href='fj/名单.pdf'>again</a></div><table class='enclosure'><tr><td>"
    "<a href='d?id=7'>附件：汇总表</a></td></tr></table><div class='editor'><a href='/x.XLSX' title='表'> </a></div>"
    "<template><a href='/t.doc'>模板.doc</a></template><a href='javascript:x.pdf'>x.pdf</a></body></html>",
    "<html><body><p>没有附件的页面。</p><a href='/a.html'>链接</a></body></html>",
]


@pytest.mark.parametrize("path", [*PAGES, *range(len(ATTACHMENT_PAGES))], ids=str)
def test_attachments_found_on_the_parsers_tree_equal_a_fresh_read(path):
    html = ATTACHMENT_PAGES[path] if isinstance(path, int) else crawler.decode(path.read_bytes(), None).text
    url = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202512/t20251222_1.html"
    expected = attachments.find_attachments(html, "https://final.example.org/a/b.html")
    for rules in RULES:
        got = outcome(parse.parse_article, html, url, rules, now=NOW, base_url="https://final.example.org/a/b.html")
        if got[0] == "ok":
            assert list(got[1].attachments) == expected
    if path == 0:  # the links resolve against <base href>; each file once; the one in a dropped block too
        assert [(a.url.rsplit("/", 1)[1], a.ext) for a in expected] == [("%E5%90%8D%E5%8D%95.pdf", "pdf"),
                                                                        ("x.XLSX", "xlsx"), ("t.doc", "doc")]
