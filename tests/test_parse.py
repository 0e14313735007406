"""Golden test: every sample-site article parses to its expected fields; real pages parse without site rules."""

from datetime import UTC

import pytest

from conftest import sample_expected
from crawler import ParseError, ParseRules, decode, load_sources, normalize_date, parse_article
from pilotwatch.sample_server import sample_site_root

SOURCES = {s.host: s for s in load_sources()}
EXPECTED = sample_expected()


@pytest.mark.parametrize("case", EXPECTED, ids=[c["host"] + ":" + c["path"].rsplit("/", 2)[-2][-8:] + "/" + c["path"].rsplit("/", 1)[-1][-12:] for c in EXPECTED])
def test_sample_article(case):
    raw = (sample_site_root() / case["host"] / case["path"].lstrip("/")).read_bytes()
    decoded = decode(raw, "text/html")
    assert decoded.encoding == ("gb18030" if case["encoding"] == "gbk" else "utf-8") and not decoded.lossy
    source = SOURCES[case["host"]]
    url = source.base + case["path"]
    assert source.is_article(url)
    parsed = parse_article(decoded.text, url, source.parse)
    assert parsed.title == case["title"]
    for snippet in case["body_contains"]:
        assert snippet in parsed.body
    assert parsed.title not in parsed.body.split("\n")[0] or len(parsed.body) > len(parsed.title) * 3
    assert (parsed.published_at or "").replace("T", " ")[:len(case["published"])] == case["published"]
    assert parsed.doc_number == case.get("doc_number")
    # no page chrome in the body
    for chrome in ("版权所有", "ICP备", "分享到", "function("):
        assert chrome not in parsed.body


@pytest.mark.parametrize("text,iso", [
    ("发布时间：2025-06-11 17:30", "2025-06-11T17:30:00+08:00"),
    ("2025年12月22日", "2025-12-22"),
    ("2025-12-22-17:05:33", "2025-12-22T17:05:33+08:00"),
    ("2025/06/11", "2025-06-11"),
    ("2025-13-40", None),
    ("", None),
])
def test_normalize_date(text, iso):
    assert normalize_date(text) == iso


def test_no_title_or_body_is_a_typed_error():
    with pytest.raises(ParseError) as err:
        parse_article("<html><body></body></html>", "https://www.gov.cn/x", ParseRules())
    assert err.value.kind == "parse"


def test_real_govcn_fragment_metadata_table(real_fixtures):
    html = decode((real_fixtures / "govcn" / "govcn_zhengce_content_2018-12_5353307.fragment.html").read_bytes()).text
    rules = SOURCES["www.gov.cn"].parse
    p = parse_article(html, "https://www.gov.cn/zhengce/content/2018-12/29/content_5353307.htm", rules)
    assert p.doc_number == "国发〔2018〕43号" and p.issuer == "国务院"
    assert p.written_date == "2018-12-21" and p.published_at == "2018-12-29"
    assert p.title.startswith("国务院关于在海南博鳌乐城国际医疗旅游先行区") and "药品管理法" in p.body


def test_real_govcn_page(real_fixtures):
    html = decode((real_fixtures / "govcn" / "govcn_gongbao_2007-23_npc_decision.html").read_bytes()).text
    p = parse_article(html, "https://www.gov.cn/gongbao/content/2007/content_711039.htm", SOURCES["www.gov.cn"].parse)
    assert p.published_at == "2007-08-20T23:59:59+08:00" and "特别国债" in p.title and "特别国债" in p.body


def test_real_legacy_xinhua_page(real_fixtures):
    html = decode((real_fixtures / "xinhua" / "xinhuanet_world_2019-12-10_c_1125327450.html").read_bytes()).text
    p = parse_article(html, "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm", SOURCES["www.news.cn"].parse)
    assert p.title.startswith("法国全国大罢工") and p.published_at.startswith("2019-12-10") and len(p.body) > 200


@pytest.mark.parametrize("name", ["fgw_zj_gov_cn_2016-11-22_art_1621004_30332664.html",
                                  "shanxi_gov_cn_2019-09-18_t20190918_693227.html"])
def test_real_pages_without_site_rules_go_through_trafilatura(real_fixtures, name):
    html = decode((real_fixtures / "other" / name).read_bytes()).text
    p = parse_article(html, "https://example.gov.cn/x.html", ParseRules())
    assert len(p.body) > 200 and p.title


def test_future_dates_are_never_publication_dates():
    from datetime import datetime

    html = ('<html><head><meta name="PubDate" content="2031-01-01 09:00"></head><body><h1>标题</h1>'
            '<div class="TRS_Editor"><p>正文第一段，足够长的正文内容用于测试。</p></div>'
            '<span class="time">2025-06-11 10:00</span></body></html>')
    rules = SOURCES["www.ndrc.gov.cn"].parse
    now = datetime(2025, 6, 12, tzinfo=UTC)
    assert parse_article(html, "https://www.ndrc.gov.cn/x", rules, now=now).published_at == "2025-06-11T10:00:00+08:00"
    html_only_future = html.replace("2025-06-11 10:00", "")
    assert parse_article(html_only_future, "https://www.ndrc.gov.cn/x", rules, now=now).published_at is None
