"""Per-site parser tests: golden pairs written for PilotWatch, and the real pages in ../shared/fixtures-real.

Golden pairs live in tests/fixtures/sites/<site>/<name>.html with <name>.expected.json beside it. Each page is decoded with
its recorded Content-Type, looked up in the registry by host, checked to be an article URL, parsed with that source's
rules, and every expected field is compared. Fields are separate test items so that one known gap does not hide a
regression in another field of the same page.

Real pages (../shared/fixtures-real, described by its INDEX.json) are checked in place; that part is skipped when the
folder is absent. Never copy them into this repo.

A check the parser fails today is a strict xfail whose reason names the change it needs (see NEEDS and NEEDS_REAL): the
suite stays green until the change lands, then the XPASS fails the run so the mark is removed.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REAL_FIXTURES
from crawler import Parsed, ParseRules, decode, load_sources, normalize_date, parse_article

SITES = Path(__file__).parent / "fixtures" / "sites"
SOURCES = {host: s for s in load_sources() for host in s.site_hosts}  # every host a source's pages live on
BY_NAME = {s.name: s for s in load_sources()}

# --- known gaps: (page, field) → the change a strict xfail waits for; empty when the parser handles everything ---
NEEDS: dict[tuple[str, str], str] = {}

FIELDS = ("decode", "title", "published_at", "body", "doc_number", "issuer", "written_date", "source_name")


def _pair_ids() -> list[str]:
    return sorted(str(p.relative_to(SITES)).removesuffix(".expected.json") for p in SITES.glob("*/*.expected.json"))


PAIRS = _pair_ids()


@cache
def _golden(pair: str) -> tuple[dict, bytes]:
    expected = json.loads((SITES / f"{pair}.expected.json").read_text(encoding="utf-8"))
    return expected, (SITES / f"{pair}.html").read_bytes()


def _source(url: str):
    return SOURCES[urllib.parse.urlsplit(url).netloc.lower()]


@cache
def _parsed(pair: str) -> Parsed:
    expected, raw = _golden(pair)
    return parse_article(decode(raw, expected["content_type"]).text, expected["url"], _source(expected["url"]).parse)


def _on_page(html: str):
    """A test for 'this string is on the page': in the markup as written, or in its text with cells/tags as spaces."""
    flat = _ws(BeautifulSoup(html, "lxml").get_text(" "))
    return lambda snippet: snippet in html or snippet in flat


def _golden_params() -> list:
    params = []
    for pair in PAIRS:
        for name in FIELDS:
            reason = NEEDS.get((pair, name))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(pair, name, id=f"{pair}-{name}", marks=marks))
    return params


def test_every_site_has_golden_pairs():
    """Every source in the registry comes with at least two golden pages (a new site needs its own)."""
    sites = {pair.split("/")[0] for pair in PAIRS}
    assert sites == set(BY_NAME)
    for site in sites:
        assert sum(pair.startswith(site + "/") for pair in PAIRS) >= 2
    assert not {key for key in NEEDS if key[0] not in PAIRS or key[1] not in FIELDS}, "stale NEEDS entry"


@pytest.mark.parametrize("pair", PAIRS)
def test_golden_expectations_are_about_the_page(pair):
    """Snippets and chrome strings must occur in the page, or their assertions would be vacuous."""
    expected, raw = _golden(pair)
    on_page = _on_page(decode(raw, expected["content_type"]).text)
    assert [s for s in expected["body_contains"] + expected["body_not_contains"] if not on_page(s)] == []


@pytest.mark.parametrize("pair,name", _golden_params())
def test_golden(pair, name):
    expected, raw = _golden(pair)
    if name == "decode":
        decoded = decode(raw, expected["content_type"])
        assert decoded.encoding == expected["encoding"] and not decoded.lossy and "\ufffd" not in decoded.text
        source = _source(expected["url"])
        assert source.is_article(expected["url"]), f"{expected['url']} does not match {source.name}'s article_pattern"
        return
    parsed = _parsed(pair)
    if name == "body":
        body = parsed.body
        assert body.startswith(expected["body_startswith"]), body[:200]
        assert body.endswith(expected["body_endswith"]), body[-200:]
        for snippet in expected["body_contains"]:
            assert snippet in body
        leaked = [chrome for chrome in expected["body_not_contains"] if chrome in body]
        assert not leaked, f"page chrome in the body: {leaked}"
        return
    assert getattr(parsed, name) == expected[name]


def test_gbk_fixtures_really_are_gbk():
    """The two NDRC GBK pages must stay GBK bytes that a strict gb2312 decoder rejects (镕 is outside GB2312)."""
    for pair in ("ndrc/gbk_meta_gb2312", "ndrc/lying_header_utf8"):
        _, raw = _golden(pair)
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            raw.decode("gb2312")
        assert "镕".encode("gbk") in raw


# --- real pages ----------------------------------------------------------------------------------------------------
INDEX: list[dict] = (
    json.loads((REAL_FIXTURES / "INDEX.json").read_text(encoding="utf-8")) if (REAL_FIXTURES / "INDEX.json").is_file()
    else []
)

# INDEX.json is wrong for the people.com.cn page (and its GBK copy): its URL/date (2018/0423/c1013-29942426) are those
# of a sidebar link ("明星读经典,为你做海报"). The page itself says 2019-06-15 everywhere: <meta name="publishdate"
# content="2019-06-15">, the byline "2019年06月15日08:18", its own pager links /n1/2019/0615/c1013-31153719-2.html.
INDEX_ERRATA = {
    "other/people_com_cn_meta_gb2312_but_utf8_bytes.html": {
        "url": "http://culture.people.com.cn/n1/2019/0615/c1013-31153719.html", "published": "2019-06-15"},
    "derived-gbk/people_com_cn_2018-04-23_c1013-29942426.gbk.html": {
        "url": "http://culture.people.com.cn/n1/2019/0615/c1013-31153719.html", "published": "2019-06-15"},
}

# Title comparison: INDEX keeps the raw <title> (or, for the gov.cn fragments, the in-page 标题 plus a note). The parser's
# job is the article title, so the expected value is INDEX's title minus the trailing site/channel segments
# ("-新华网", "__2007年第23号国务院公报_中国政府网", " - 山西省人民政府门户网站", "--文化--人民网", "_财经_腾讯网") and minus
# the note. Whitespace runs (incl. U+3000) compare as one space: the parser normalises U+3000, and gov.cn breaks that
# title with "<br>　" exactly where the <title> has "　". Nothing else is forgiven: the "|" in "棱镜|…" is part of the
# qq.com title and a "-" inside a title ("1-10月…") is kept.
_SITE_SUFFIX = re.compile(
    r"\s*(?:-{1,2}|_{1,2})\s*(?:[^-_]{1,16}(?:-{1,2}|_{1,2}))*"
    r"(?:新华网|中国政府网|人民网|腾讯网|山西省人民政府门户网站)\s*$")
_NOTE = re.compile(r"\s*\(from in-page table; fragment has no <title>\)$")


def _ws(text: str) -> str:
    return re.sub(r"[\s\u3000]+", " ", text).strip()


def expected_title(entry: dict) -> str:
    return _ws(_SITE_SUFFIX.sub("", _NOTE.sub("", entry["title"])))


# Per real article page: sentences that must be in the body (distinctive, from the article text), chrome that must
# not be (navigation, bylines, share/print widgets, footers, metadata tables), bounds on the body length (the article
# text is about `min` to `max` characters; far more means chrome came along), and optionally the body's last line.
REAL: dict[str, dict] = {
    "xinhua/xinhuanet_world_2019-12-10_c_1125327450.html": {
        "sentences": ["据法国交管部门统计，9日上午大巴黎地区交通堵塞造成的车流长达创纪录的631公里。",
                      "目标是逐步将目前法国各行业的42种退休制度合并成一个统一方案"],
        "chrome": ["责任编辑", "尹世杰", "纠错", "分享到", "关注新华网", "图集", "新华社简介", "版权声明", "下一篇"],
        "min": 520, "max": 600, "endswith": "总理菲利普将于11日宣布退休制度改革的总体架构。"},
    "govcn/govcn_gongbao_2007-23_npc_decision.html": {
        "sentences": ["会议决定：批准发行15500亿元特别国债购买外汇，批准2007年末国债余额限额调整为53365.53亿元。"],
        "chrome": ["扫一扫在手机打开当前页", "相关稿件", "2007年第23号", "字号", "打印", "无障碍", "首页"],
        "min": 250, "max": 320},
    "govcn/govcn_zhengce_content_2018-12_5353307.fragment.html": {
        "sentences": ["对先行区内医疗机构因临床急需进口少量药品（不含疫苗）的申请，由海南省人民政府实施审批。"],
        "chrome": ["扫一扫在手机打开当前页", "索 引 号", "主题分类", "发文机关", "000014349/2018-00222"],
        "min": 400, "max": 500, "endswith": "（此件公开发布）"},
    "govcn/govcn_zhengce_content_2018-12_5352666.fragment.html": {
        "sentences": ["政务新媒体是移动互联网时代党和政府联系群众、服务群众、凝聚群众的重要渠道"],
        "chrome": ["扫一扫在手机打开当前页", "索 引 号", "主题分类", "发文机关"],
        "min": 4300, "max": 4700, "endswith": "（此件公开发布）"},
    "govcn/govcn_zhengce_content_2018-12_5352010.fragment.html": {
        "sentences": ["允许投资人以知识产权等无形资产评估作价出资组建文化企业"],
        "chrome": ["扫一扫在手机打开当前页", "索 引 号", "主题分类", "发文机关"],
        "min": 6300, "max": 6800, "endswith": "执行期限为2019年1月1日至2023年12月31日。"},
    "other/fgw_zj_gov_cn_2016-11-22_art_1621004_30332664.html": {
        "sentences": ["生产性服务业完成投资39.66亿元，占第三产业完成投资的33.1%"],
        "chrome": ["浏览次数", "信息来源", "打印", "关闭", "分享到"],
        "min": 220, "max": 300},
    "other/shanxi_gov_cn_2019-09-18_t20190918_693227.html": {
        "sentences": ["省贸促会分别与巴西华人协会、圣保罗商会、南共体市场工商协会签署合作协议"],
        "chrome": ["责任编辑", "字体", "放大", "打印", "网站标识码", "晋ICP备", "版权所有"],
        "min": 950, "max": 1100, "endswith": "南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）"},
    "other/people_com_cn_meta_gb2312_but_utf8_bytes.html": {
        "sentences": ["纸上得来终觉浅，绝知此事要躬行。", "东方朔不隐于山林而是隐于朝廷"],
        "chrome": ["人 民 网 版 权 所 有", "Copyright", "【详细】", "分享到", "来源：人民网-文化频道", "责编"],
        "min": 650, "max": 800, "endswith": "字里行间都是对儿子的爱。"},
    "other/finance_qq_com_meta_gb2312_but_utf8_bytes.html": {
        # Not asserted: the inline "返回腾讯网首页>>" link inside the last paragraph (no generic extractor can tell).
        "sentences": ["最终算下来一个借款用户的数据成本普遍在2元—10元之间"],
        "chrome": ["责任编辑", "正文已结束", "QQ空间", "新浪微博", "评论", "收藏"],
        "min": 3300, "max": 3600},
}
REAL["derived-gbk/people_com_cn_2018-04-23_c1013-29942426.gbk.html"] = REAL[
    "other/people_com_cn_meta_gb2312_but_utf8_bytes.html"]
REAL["derived-gbk/finance_qq_com_20190923_000843.gb18030.html"] = REAL[
    "other/finance_qq_com_meta_gb2312_but_utf8_bytes.html"]

# The gov.cn SQL-dump fragments: their metadata tables (发文机关 / 发文字号 / 成文日期), read in place.
REAL_METADATA = {
    "govcn/govcn_zhengce_content_2018-12_5353307.fragment.html": ("国发〔2018〕43号", "国务院", "2018-12-21"),
    "govcn/govcn_zhengce_content_2018-12_5352666.fragment.html": ("国办发〔2018〕123号", "国务院办公厅", "2018-12-07"),
    "govcn/govcn_zhengce_content_2018-12_5352010.fragment.html": ("国办发〔2018〕124号", "国务院办公厅", "2018-12-18"),
}

# (file, check) → reason
_PEOPLE = ("other/people_com_cn_meta_gb2312_but_utf8_bytes.html",
           "derived-gbk/people_com_cn_2018-04-23_c1013-29942426.gbk.html")
_QQ = ("other/finance_qq_com_meta_gb2312_but_utf8_bytes.html",
       "derived-gbk/finance_qq_com_20190923_000843.gb18030.html")
NEEDS_REAL: dict[tuple[str, str], str] = {}


def _entry(file: str) -> dict:
    entry = next(e for e in INDEX if e["file"] == file)
    return {**entry, **INDEX_ERRATA.get(file, {})}


def _real_params(kind: str, check: str) -> list:
    params = []
    for entry in INDEX:
        if not entry["page_type"].startswith(kind):
            continue
        reason = NEEDS_REAL.get((entry["file"], check))
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(entry["file"], id=entry["file"], marks=marks))
    return params


def _rules(entry: dict) -> ParseRules:
    """The parse rules of the source whose site the page is on (one of its site_hosts); else defaults."""
    host = urllib.parse.urlsplit(entry["url"]).netloc.lower() if entry["url"] else entry["site"]
    source = SOURCES.get(host)
    return source.parse if source else ParseRules()


@cache
def _real_parsed(file: str) -> Parsed:
    entry = _entry(file)
    text = decode((REAL_FIXTURES / file).read_bytes(), "text/html").text
    # The gongbao page has no URL in INDEX; its manuscriptId is 711039. The URL only labels errors.
    url = entry["url"] or "https://www.gov.cn/gongbao/content/2007/content_711039.htm"
    return parse_article(text, url, _rules(entry))


def test_real_index_and_assertions_match(real_fixtures):
    files = {e["file"] for e in INDEX}
    articles = {e["file"] for e in INDEX if e["page_type"].startswith("article")}
    assert articles == set(REAL), "every real article page needs body assertions here, and only those"
    assert set(REAL_METADATA) == {e["file"] for e in INDEX if e["page_type"] == "article-fragment"}
    assert all((real_fixtures / f).is_file() for f in files)
    assert not {key for key in NEEDS_REAL if key[0] not in files}, "stale NEEDS_REAL entry"


@pytest.mark.parametrize("file", _real_params("article", "assertions"))
def test_real_assertions_are_about_the_page(file):
    """The chosen sentences and chrome strings occur in the page, or their assertions would be vacuous."""
    on_page = _on_page(decode((REAL_FIXTURES / file).read_bytes(), "text/html").text)
    case = REAL[file]
    assert [s for s in case["sentences"] + case["chrome"] if not on_page(s)] == []


@pytest.mark.parametrize("file", _real_params("", "decode"))
def test_real_decode(file):
    """Every real page decodes without replacement characters, with the right codec family."""
    entry = _entry(file)
    decoded = decode((REAL_FIXTURES / file).read_bytes(), "text/html")
    family = "utf-8" if entry["byte_encoding"] == "utf-8" else "gb18030"  # gbk and gb18030 bytes → gb18030
    assert decoded.encoding == family
    assert not decoded.lossy and "\ufffd" not in decoded.text
    assert decoded.declared == ((entry["declared_charset"] or "").lower() or None)


@pytest.mark.parametrize("file", _real_params("list", "title"))
def test_real_list_page_title(file):
    """The 2018 MIIT/NDRC homepages: decoded text yields the page <title>, and the homepage is not taken for an article."""
    entry = _entry(file)
    text = decode((REAL_FIXTURES / file).read_bytes(), "text/html").text
    title = BeautifulSoup(text, "lxml").title
    assert title is not None and _ws(title.get_text()) == entry["title"]
    source = SOURCES[urllib.parse.urlsplit(entry["url"]).netloc]
    assert not source.is_article(entry["url"])


@pytest.mark.parametrize("file", _real_params("article", "title"))
def test_real_title(file):
    assert _ws(_real_parsed(file).title) == expected_title(_entry(file))


@pytest.mark.parametrize("file", _real_params("article", "published"))
def test_real_published(file):
    """Equal to INDEX's publication time; to the second where INDEX gives a time, else the day."""
    expected = normalize_date(_entry(file)["published"])
    assert expected
    got = _real_parsed(file).published_at or ""
    assert (got if "T" in expected else got[:10]) == expected


@pytest.mark.parametrize("file", _real_params("article", "body"))
def test_real_body(file):
    case = REAL[file]
    body = _real_parsed(file).body
    assert case["min"] <= len(body) <= case["max"], len(body)
    for sentence in case["sentences"]:
        assert sentence in body
    leaked = [chrome for chrome in case["chrome"] if chrome in body]
    assert not leaked, f"page chrome in the body: {leaked}"
    if "endswith" in case:
        assert body.endswith(case["endswith"]), body[-120:]


@pytest.mark.parametrize("file", _real_params("article-fragment", "metadata"))
def test_real_fragment_metadata(file):
    parsed = _real_parsed(file)
    assert (parsed.doc_number, parsed.issuer, parsed.written_date) == REAL_METADATA[file]
    assert parsed.published_at == _entry(file)["published"]
