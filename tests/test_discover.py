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
    ('{"data": {}}', "has no 'data.html'"),
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
