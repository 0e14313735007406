import urllib.parse

import pytest

from crawler import SourceConfigError, load_sources
from crawler.sources import default_sources_path


def test_packaged_registry_has_the_five_sources():
    sources = load_sources()
    assert [s.name for s in sources] == ["xinhua", "stdaily", "miit", "ndrc", "govcn"]
    for s in sources:
        assert s.primary_lists and all(lst.url.startswith(s.base + "/") for lst in s.primary_lists)
    official = {s.name for s in sources if s.official}
    assert official == {"miit", "ndrc", "govcn"}
    # MIIT and NDRC fall back to gov.cn's ministry-documents library, parsed with the gov.cn rules
    # (asked in both parameter forms the evidence disagrees on: searchfield=puborg and bmfl=<ministry>)
    for name in ("miit", "ndrc"):
        s = next(x for x in sources if x.name == name)
        forms = [urllib.parse.parse_qs(urllib.parse.urlsplit(lst.url).query) for lst in s.fallback_lists]
        assert [(f.get("searchfield"), bool(f.get("bmfl"))) for f in forms] == [(["puborg"], False), (None, True)]
        for fb in s.fallback_lists:
            assert fb.article_host == "www.gov.cn"
            assert s.is_article("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", fb)
        assert not s.is_article("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm")
        assert {"sousuo.www.gov.cn", "www.gov.cn"} <= s.hosts


@pytest.mark.parametrize("url,source,ok", [
    ("https://www.news.cn/tech/20251218/0123456789abcdef0123456789abcdef/c.html", "xinhua", True),
    ("https://www.news.cn/fortune/20260927/82b64bfa/c.html", "xinhua", True),
    ("http://www.news.cn/politics/2019-12/10/c_1125327450.htm", "xinhua", True),  # legacy template
    ("http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm", "xinhua", True),  # Xinhua's old host
    ("https://sd.news.cn/20260415/0123456789abcdef0123456789abcdef/c.html", "xinhua", True),  # provincial channel
    ("https://www.nmg.news.cn/20250712/8bdd43f119184da0be15ac00aa9fe5c6/c.html", "xinhua", True),
    ("https://evil.news.cn/20260415/0123456789abcdef0123456789abcdef/c.html", "xinhua", False),  # not a channel
    ("https://www.news.cn/tech/index.html", "xinhua", False),
    ("https://www.stdaily.com/web/gdxw/2025-12/19/content_1234567.html", "stdaily", True),
    ("https://www.stdaily.com/web/2026-08/07/content_560381.html", "stdaily", True),  # 2026: no channel segment
    ("https://www.stdaily.com/web/2026-08/content_560381.html", "stdaily", False),
    ("https://www.stdaily.com/index/kejixinwen/2021-03/02/content_1091234.shtml", "stdaily", True),
    ("https://www.miit.gov.cn/jgsj/xfpgys/wjfb/art/2025/art_0123456789abcdef0123456789abcdef.html", "miit", True),
    ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/t20250611_1398765.html", "ndrc", True),
    ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/P020250611123456.pdf", "ndrc", False),
    ("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", "govcn", True),
    ("https://www.gov.cn/zhengce/content/2018-12/29/content_5353307.htm", "govcn", True),
    ("https://www.gov.cn/zhengce/202603/content_7063468.htm", "govcn", True),  # 2026: 中办国办 documents, 解读
    ("https://www.gov.cn/zhengce/2026-03/12/content_7063468.htm", "govcn", True),  # the same, legacy form
    ("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", "govcn", False),
    ("https://www.gov.cn/zhengce/202603/index.htm", "govcn", False),
    ("https://www.gov.cn/zhengce/zuixin/", "govcn", False),
])
def test_article_patterns(url, source, ok):
    s = {x.name: x for x in load_sources()}[source]
    assert s.is_article(url) is ok


def write(tmp_path, text):
    p = tmp_path / "sources.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = '''
[[source]]
name = "ndrc"
label = "NDRC"
base = "https://www.ndrc.gov.cn"
article_pattern = '^/x/.*\\.html$'
  [[source.lists]]
  url = "/xxgk/"
  kind = "html"
'''


@pytest.mark.parametrize("mutation,message", [
    (lambda t: t.replace('label = "NDRC"\n', ""), "missing required key 'label'"),
    (lambda t: t.replace('kind = "html"', 'kind = "xml"'), "kind 'xml'"),
    (lambda t: t + 'colour = "red"\n', "unknown key(s): colour"),
    (lambda t: t.replace('url = "/xxgk/"', 'url = "https://evil.example/"'), "is not on https://www.ndrc.gov.cn"),
    (lambda t: t.replace('name = "ndrc"', 'name = "ndrc"\nofficial = "yes"'), "official must be true or false"),
    (lambda t: t.replace("^/x/.*\\.html$", "(["), "article_pattern is not a valid regex"),
    (lambda t: t.replace('base = "https://www.ndrc.gov.cn"', 'base = "ftp://x"'), "must be an http(s) URL"),
    (lambda t: t + "[[", "invalid TOML"),
])
def test_bad_registry_names_the_fault(tmp_path, mutation, message):
    load_sources(write(tmp_path, GOOD))  # the unmutated file is fine
    with pytest.raises(SourceConfigError) as err:
        load_sources(write(tmp_path, mutation(GOOD)))
    assert message in str(err.value) and "sources.toml" in str(err.value)


def test_rebased_source_moves_lists_and_allow_list():
    s = load_sources(default_sources_path())[3].rebased(
        {"www.ndrc.gov.cn": "http://127.0.0.1:8123", "www.gov.cn": "http://127.0.0.1:8124",
         "sousuo.www.gov.cn": "http://127.0.0.1:8125"})
    assert s.host == "127.0.0.1:8123" and s.lists[0].url == "http://127.0.0.1:8123/xxgk/zcfb/tz/"
    assert s.is_article("http://127.0.0.1:8123/xxgk/zcfb/tz/202506/t20250611_1398765.html")
    fb = s.fallback_lists[0]
    assert fb.url.startswith("http://127.0.0.1:8125/search-gov/data?t=zhengcelibrary_bm")
    assert s.hosts == {"127.0.0.1:8123", "127.0.0.1:8124", "127.0.0.1:8125"}
    assert s.is_article("http://127.0.0.1:8124/zhengce/zhengceku/202512/content_7052311.htm", fb)


def test_fallback_lists_only_may_leave_the_site(tmp_path):
    text = GOOD.replace('url = "/xxgk/"', 'url = "https://sousuo.www.gov.cn/x"')
    with pytest.raises(SourceConfigError, match="only fallback lists"):
        load_sources(write(tmp_path, text))
    assert load_sources(write(tmp_path, text + "  fallback = true\n"))[0].fallback_lists


def test_article_hosts_carry_a_province_code_and_join_the_allow_list(tmp_path):
    text = GOOD + '  [source.article_hosts]\n  "sd.news.cn" = "370000"\n  "csj.news.cn" = ""\n'
    (s,) = load_sources(write(tmp_path, text))
    assert {"sd.news.cn", "csj.news.cn"} <= s.hosts and s.site_hosts == {"www.ndrc.gov.cn", "sd.news.cn", "csj.news.cn"}
    assert s.is_article("https://sd.news.cn/x/a.html") and s.region_hint("https://sd.news.cn/x/a.html") == "370000"
    assert s.region_hint("https://csj.news.cn/x/a.html") is None and s.region_hint("https://www.ndrc.gov.cn/x/a") is None
    moved = s.rebased({"sd.news.cn": "http://127.0.0.1:8130"})
    assert moved.region_hint("http://127.0.0.1:8130/x/a.html") == "370000"
    for bad in ('"sd.news.cn" = "Shandong"', '"SD.news.cn" = "370000"', '"sd.news.cn" = 370000'):
        with pytest.raises(SourceConfigError, match="article_hosts"):
            load_sources(write(tmp_path, GOOD + f"  [source.article_hosts]\n  {bad}\n"))


def test_every_xinhua_channel_maps_to_a_real_province():
    """The channel table names provinces by GB/T 2260 code: each code is a province-level division."""
    xinhua = {s.name: s for s in load_sources()}["xinhua"]
    codes = {code for code in xinhua.article_hosts.values() if code}
    assert len(codes) == 31  # every province-level division of the mainland has a channel
    assert all(code.endswith("0000") for code in codes)
    assert xinhua.region_hint("https://www.sd.news.cn/20260415/0123456789abcdef0123456789abcdef/c.html") == "370000"
