import json

from digest import build_digest, render_html, render_text, safe_url, write_digest


def row(**kw):
    base = {"id": 1, "url": "https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", "source": "govcn",
            "source_label": "gov.cn", "title_zh": "关于公布首批生物制造中试能力建设平台名单的通知",
            "title_en": "Notice on the first list of biomanufacturing pilot-scale platforms", "published_at": "2025-12-22T17:05:33+08:00",
            "translation_engine": "gloss", "is_platform_announcement": 1, "issuer_zh": "工业和信息化部",
            "doc_number": "工信部联消费〔2025〕231号", "fidelity_missing": json.dumps(["43"]),
            "tags": [{"field": "sector", "value": "enzymes", "evidence": "酶制剂"},
                     {"field": "province", "value": "Tianjin", "evidence": "天津市"}]}
    base.update(kw)
    return base


def test_announcements_grouped_and_others_listed():
    d = build_digest("2025-12-22", [row(), row(id=2, url="https://www.ndrc.gov.cn/x.html", is_platform_announcement=0,
                                             title_en="Winter energy supply", tags=[])])
    assert len(d.announcements) == 1 and len(d.others) == 1
    assert d.groups[0][0] == "Enzymes" and d.announcements[0].provinces == ("Tianjin",)
    html = render_html(d)
    assert "Notice on the first list" in html and 'href="https://www.gov.cn/zhengce' in html
    assert ">gloss<" in html and "missing in English: 43" in html and "酶制剂" in html
    text = render_text(d)
    assert "[gloss]" in text and "Tags: Enzymes, Tianjin" in text and "Winter energy supply" in text
    assert d.subject == "PilotWatch 2025-12-22: 1 platform announcement, 1 other"


def test_crawled_markup_is_inert():
    evil = '<script>alert(1)</script><!-- x --><img src=x onerror=alert(2)>'
    d = build_digest("2025-12-22", [row(title_en=evil, title_zh=evil, url="javascript:alert(3)")])
    html = render_html(d)
    assert "<script>" not in html and "<img" not in html and "<!-- x -->" not in html
    assert "&lt;script&gt;" in html and 'href="#"' in html and "javascript:" not in html
    assert safe_url("javascript:alert(1)") == "#" and safe_url("https://www.news.cn/x") == "https://www.news.cn/x"


def test_empty_day_says_nothing_new(tmp_path):
    d = build_digest("2025-12-23", [], sources=[{"label": "NDRC", "last_ok_at": "2025-12-23T01:00", "failing": 0}])
    assert d.empty and d.subject.endswith("nothing new")
    html_path, text_path = write_digest(d, tmp_path)
    assert "Nothing new today" in html_path.read_text(encoding="utf-8")
    assert "NDRC: ok" in text_path.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digest-2025-12-23.html", "digest-2025-12-23.txt"]


def test_evidence_is_the_sentence_around_the_tag():
    body = "第一句话。面向食品及添加剂、生物医药等领域建设中试平台；其他内容。"
    start = body.index("食品及添加剂")
    tag = {"field": "sector", "value": "food_additives", "evidence": "食品及添加剂", "part": "body", "start": start,
           "end": start + 6}
    d = build_digest("2025-12-22", [row(body_zh=body, tags=[tag])])
    assert d.announcements[0].evidence == "面向食品及添加剂、生物医药等领域建设中试平台；"
