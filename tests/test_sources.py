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
    for name in ("miit", "ndrc"):
        s = next(x for x in sources if x.name == name)
        (fb,) = s.fallback_lists
        assert fb.article_host == "www.gov.cn"
        assert s.is_article("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", fb)
        assert not s.is_article("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm")
        assert {"sousuo.www.gov.cn", "www.gov.cn"} <= s.hosts


@pytest.mark.parametrize("url,source,ok", [
    ("https://www.news.cn/tech/20251218/0123456789abcdef0123456789abcdef/c.html", "xinhua", True),
    ("https://www.news.cn/fortune/20260927/82b64bfa/c.html", "xinhua", True),
    ("http://www.news.cn/politics/2019-12/10/c_1125327450.htm", "xinhua", True),  # legacy template
    ("http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm", "xinhua", False),  # other host
    ("https://www.news.cn/tech/index.html", "xinhua", False),
    ("https://www.stdaily.com/web/gdxw/2025-12/19/content_1234567.html", "stdaily", True),
    ("https://www.stdaily.com/index/kejixinwen/2021-03/02/content_1091234.shtml", "stdaily", True),
    ("https://www.miit.gov.cn/jgsj/xfpgys/wjfb/art/2025/art_0123456789abcdef0123456789abcdef.html", "miit", True),
    ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/t20250611_1398765.html", "ndrc", True),
    ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/P020250611123456.pdf", "ndrc", False),
    ("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", "govcn", True),
    ("https://www.gov.cn/zhengce/content/2018-12/29/content_5353307.htm", "govcn", True),
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
    (lambda t: t.replace('kind = "html"', 'kind = "rss"'), "kind 'rss'"),
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
