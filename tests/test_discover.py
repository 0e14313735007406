import json

import pytest

from crawler import DiscoverError, discover, load_sources

SOURCES = {s.name: s for s in load_sources()}


def test_ndrc_relative_links_and_dates():
    html = '''<ul class="u-list">
      <li><a href="./202506/t20250611_1398765.html" title="关于开展生物制造中试能力建设平台培育工作的通知" target="_blank">关于开展…</a><span>2025/06/11</span></li>
      <li><a href="../../../xwdt/tzgg/202505/t20250520_1.html" title="无关栏目">x</a><span>2025/05/20</span></li>
      <li><a href="javascript:void(0)">分享</a></li>
      <li><a href="./202506/t20250611_1398765.html#top" title="重复">dup</a></li>
    </ul>'''
    src = SOURCES["ndrc"]
    links = discover(src, src.lists[0], html)
    assert [(lnk.url, lnk.title, lnk.date) for lnk in links] == [
        ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/t20250611_1398765.html",
         "关于开展生物制造中试能力建设平台培育工作的通知", "2025/06/11"),
        ("https://www.ndrc.gov.cn/xwdt/tzgg/202505/t20250520_1.html", "无关栏目", "2025/05/20"),
    ]


def test_xinhua_datasource_json_with_html_titles_and_bad_rows():
    data = {"datasource": [
        {"title": "<a href='x'>中试平台揭牌</a>", "publishUrl": "/tech/20251218/82b64bfa/c.html", "publishTime": "2025-12-18 10:21:05"},
        {"title": "相对路径", "publishUrl": "20251219/0123abcd/c.html", "publishTime": "2025-12-19 08:00:00"},
        {"title": "坏行", "publishUrl": None},
        "not a dict",
        {"title": "站外", "publishUrl": "https://other.example/20251218/82b64bfa/c.html"},
    ]}
    src = SOURCES["xinhua"]
    links = discover(src, src.lists[0], json.dumps(data, ensure_ascii=False))
    assert [lnk.url for lnk in links] == ["https://www.news.cn/tech/20251218/82b64bfa/c.html",
                                          "https://www.news.cn/tech/20251219/0123abcd/c.html"]
    assert links[0].title == "中试平台揭牌" and links[0].date == "2025-12-18 10:21:05"


def test_miit_jpaas_json_html():
    html = '<ul><li><a href="/jgsj/xfpgys/wjfb/art/2025/art_0123456789abcdef0123456789abcdef.html" title="通知">通知</a><span class="fr">2025-06-11</span></li></ul>'
    src = SOURCES["miit"]
    links = discover(src, src.lists[0], json.dumps({"success": True, "data": {"html": html}}))
    assert len(links) == 1 and links[0].date == "2025-06-11"


@pytest.mark.parametrize("text,message", [
    ("<html>shell</html>", "not valid JSON"),
    ('{"data": {"rows": [1]}}', "has no 'data.html'"),
    ('{"data": {"html": 5}}', "not an HTML string"),
])
def test_malformed_list_api_is_a_typed_error(text, message):
    src = SOURCES["miit"]
    with pytest.raises(DiscoverError) as err:
        discover(src, src.lists[0], text)
    assert message in str(err.value) and err.value.kind == "list_format"


def test_datasource_that_is_not_a_list():
    src = SOURCES["xinhua"]
    with pytest.raises(DiscoverError, match="not a list"):
        discover(src, src.lists[0], '{"datasource": "x"}')


def _spec(source: str, name: str):
    return next(lst for lst in SOURCES[source].lists if lst.name.startswith(name))


def test_govcn_zuixin_json_is_a_top_level_array():
    """gov.cn's 最新政策 page is a script shell; its rows come from ZUIXINZHENGCE.json (TITLE, URL, DOCRELPUBTIME),
    whose documents sit under every 2026 path shape."""
    rows = [
        {"TITLE": "国务院办公厅关于加快推进生物制造产业发展的意见", "SUB_TITLE": "", "URL":
         "https://www.gov.cn/zhengce/content/202603/content_7061234.htm", "DOCRELPUBTIME": "2026-03-10"},
        {"TITLE": "中共中央办公厅 国务院办公厅印发《关于…》", "SUB_TITLE": "",
         "URL": "https://www.gov.cn/zhengce/202603/content_7063468.htm", "DOCRELPUBTIME": "2026-03-12"},
        {"TITLE": "工业和信息化部等部门关于…的通知", "SUB_TITLE": "",
         "URL": "https://www.gov.cn/zhengce/zhengceku/2026-03/13/content_7063999.htm", "DOCRELPUBTIME": "2026-03-13"},
        {"TITLE": "专题页", "SUB_TITLE": "", "URL": "https://www.gov.cn/zhuanti/2026lh/index.htm", "DOCRELPUBTIME": ""},
    ]
    spec = _spec("govcn", "最新政策")
    assert spec.url == "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
    links = discover(SOURCES["govcn"], spec, json.dumps(rows, ensure_ascii=False))
    assert [(lnk.url, lnk.date) for lnk in links] == [(r["URL"], r["DOCRELPUBTIME"]) for r in rows[:3]]
    assert links[0].title == "国务院办公厅关于加快推进生物制造产业发展的意见"


def test_xinhua_multi_link_rows_yield_their_articles_without_the_rows_time():
    data = {"datasource": [
        {"title": "<p>专题</p>", "contentType": "Link", "publishUrl": "https://www.news.cn/local/zt/index.html",
         "publishTime": "2026-09-28 08:00:00",
         "linkUrls": [{"linkUrl": "https://sd.news.cn/20260927/0123456789abcdef0123456789abcdef/c.html"},
                      {"linkUrl": "/20260927/15e7281f/c.html"}, {"linkUrl": None}, "bad"]},
        {"title": "普通稿件", "publishUrl": "/local/20260926/a512e6e3/c.html", "publishTime": "2026-09-26 10:00:00"},
    ]}
    links = discover(SOURCES["xinhua"], _spec("xinhua", "地方"), json.dumps(data, ensure_ascii=False))
    assert [(lnk.url, lnk.date) for lnk in links] == [
        ("https://sd.news.cn/20260927/0123456789abcdef0123456789abcdef/c.html", ""),  # the row's time is not its own
        ("https://www.news.cn/20260927/15e7281f/c.html", ""),
        ("https://www.news.cn/local/20260926/a512e6e3/c.html", "2026-09-26 10:00:00"),
    ]


def test_miit_document_library_rows_nested_with_epoch_ms_dates_and_doc_numbers():
    row = {"title": "工业和信息化部办公厅关于…的通知", "deploytime": "1749634200000", "filenumbername": "工信厅联消费函〔2025〕186号",
           "url": "http://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_0123456789abcdef0123456789abcdef.html"}
    data = {"code": "200", "data": {"searchResult": {"dataResults": [
        {"groupData": [{"data": row}]}, {"groupData": []}, {"other": 1},
        {"groupData": [{"data": {**row, "url": "/zwgk/zcwj/wjfb/tz/art/2025/art_fedcba9876543210fedcba9876543210.html",
                                 "deploytime": 1749720600000, "filenumbername": ""}}]},
    ]}}}
    links = discover(SOURCES["miit"], _spec("miit", "政策文件库"), json.dumps(data, ensure_ascii=False))
    assert [(lnk.url, lnk.date, lnk.doc_number) for lnk in links] == [
        # the http:// link MIIT gives is stored as https://: one document, one URL
        ("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_0123456789abcdef0123456789abcdef.html",
         "2025-06-11 17:30:00", "工信厅联消费函〔2025〕186号"),
        ("https://www.miit.gov.cn/zwgk/zcwj/wjfb/tz/art/2025/art_fedcba9876543210fedcba9876543210.html",
         "2025-06-12 17:30:00", ""),
    ]


def test_http_links_of_other_hosts_are_left_alone():
    html = ('<ul><li><a href="http://www.miit.gov.cn/jgsj/kjs/wjfb/art/2026/art_0123456789abcdef0123456789abcdef.html">'
            'a</a></li><li><a href="http://other.example/jgsj/art/2026/art_0123456789abcdef0123456789abcdef.html">b</a>'
            '</li></ul>')
    links = discover(SOURCES["miit"], SOURCES["miit"].lists[0], json.dumps({"data": {"html": html}}))
    assert [lnk.url for lnk in links] == [
        "https://www.miit.gov.cn/jgsj/kjs/wjfb/art/2026/art_0123456789abcdef0123456789abcdef.html"]


@pytest.mark.parametrize("text", [
    '{"code":200,"msg":"操作成功","data":null}',  # gov.cn's search answering parameters it does not accept
    '{"code":200,"searchVO":null}',
    '{"code":200,"searchVO":{"listVO":null}}',
])
def test_an_api_envelope_without_rows_is_an_empty_list_not_a_format_change(text):
    src = SOURCES["ndrc"]
    with pytest.raises(DiscoverError) as err:
        discover(src, src.fallback_lists[0], text)
    assert err.value.kind == "empty_list" and "without rows" in str(err.value)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>山东省工业和信息化厅</title><link>https://gxt.shandong.gov.cn/</link>
<item><title>关于公布山东省生物制造中试平台名单的通知</title>
  <link>https://gxt.shandong.gov.cn/art/2026/3/2/art_15172_10345678.html</link>
  <pubDate>Mon, 02 Mar 2026 08:30:00 GMT</pubDate></item>
<item><title>站外</title><link>https://evil.example/art/2026/3/2/art_1_2.html</link></item>
<item><title>&lt;b&gt;相对&lt;/b&gt;链接</title><link>/art/2026/3/1/art_15172_10340000.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>RSSHub</title><id>urn:x</id><updated>2026-03-02T08:30:00Z</updated>
<entry><title>生物制造中试平台揭牌</title><id>urn:1</id>
  <link rel="alternate" href="https://gxt.shandong.gov.cn/art/2026/3/2/art_15172_10345679.html"/>
  <updated>2026-03-02T00:30:00Z</updated></entry>
</feed>"""

FEED_SOURCE = """
[[source]]
name = "sd_gxt"
label = "Shandong industry department"
base = "https://gxt.shandong.gov.cn"
article_pattern = '^/art/\\d{4}/\\d{1,2}/\\d{1,2}/art_\\d+_\\d+\\.html$'
  [[source.lists]]
  url = "/rss/tz.xml"
  kind = "rss"
  [[source.lists]]
  url = "/rsshub/atom.xml"
  kind = "atom"
"""


def test_feeds_are_lists_by_config_alone(tmp_path):
    (path := tmp_path / "sources.toml").write_text(FEED_SOURCE, encoding="utf-8")
    (src,) = load_sources(path)
    rss = discover(src, src.lists[0], RSS)
    assert [(lnk.url.rsplit("/", 1)[1], lnk.title, lnk.date) for lnk in rss] == [
        ("art_15172_10345678.html", "关于公布山东省生物制造中试平台名单的通知", "2026-03-02 16:30:00"),  # Beijing time
        ("art_15172_10340000.html", "相对链接", ""),
    ]
    atom = discover(src, src.lists[1], ATOM)
    assert [(lnk.url.rsplit("/", 1)[1], lnk.date) for lnk in atom] == [("art_15172_10345679.html", "2026-03-02 08:30:00")]
    with pytest.raises(DiscoverError, match="not a readable RSS or Atom feed"):
        discover(src, src.lists[0], "<html><body>维护中</body></html>")
