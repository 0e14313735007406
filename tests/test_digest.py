import json
from datetime import UTC, datetime
from functools import partial

import pytest

import digest
import registry
from digest import render_html, render_text, safe_url, write_digest
from digest.build import TITLE_MAX, clean
from extract import SECTOR_LABELS
from pilotwatch.health import source_rows

# the pipeline passes the tagger's sector vocabulary in; so do these tests
build_digest = partial(digest.build_digest, sector_labels=SECTOR_LABELS)


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


def test_policies_have_their_own_section_and_others_are_listed():
    d = build_digest("2025-12-22", [row(), row(id=2, url="https://www.ndrc.gov.cn/x.html", is_platform_announcement=0,
                                             title_en="Winter energy supply", tags=[])])
    assert len(d.policies) == 1 and len(d.others) == 1 and d.policies[0].provinces == ("Tianjin",)
    html = render_html(d)
    assert "Notice on the first list" in html and 'href="https://www.gov.cn/zhengce' in html
    assert ">gloss<" in html and "missing in English: 43" in html
    text = render_text(d)
    # a policy is listed once, with its scope, never under one sector's heading
    assert "== Policies, calls and lists ==" in text and "Scope: Enzymes" in text and "-- Enzymes --" not in text
    assert "Place: Tianjin" in text and "[gloss]" in text and "Winter energy supply" in text
    assert d.subject == "PilotWatch 2025-12-22: 0 platforms with news (0 new), 1 policy, 1 other item"


def test_crawled_markup_is_inert():
    evil = '<script>alert(1)</script><!-- x --><img src=x onerror=alert(2)>'
    d = build_digest("2025-12-22", [row(title_en=evil, title_zh=evil, url="javascript:alert(3)")])
    html = render_html(d)
    assert "<script>" not in html and "<img" not in html and "<!-- x -->" not in html
    assert "&lt;script&gt;" in html and 'href="#"' in html and "javascript:" not in html
    assert safe_url("javascript:alert(1)") == "#" and safe_url("https://www.news.cn/x") == "https://www.news.cn/x"


def test_empty_day_says_nothing_new(tmp_path):
    d = build_digest("2025-12-23", [], sources=[{"label": "NDRC", "last_ok_at": "2025-12-23T01:00", "status": "ok"}])
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
    assert d.policies[0].evidence == "面向食品及添加剂、生物医药等领域建设中试平台；"


# --- grouping, entities, progress, footer ---------------------------------------------------------------------------

NOW = datetime(2025, 12, 22, 12, 0, tzinfo=UTC)


def tag(field, value, evidence="", **attrs):
    return {"field": field, "value": value, "evidence": evidence, "part": "body", "start": 0, "end": 0,
            "attrs": json.dumps(attrs, ensure_ascii=False)}


def ann(i, sectors, province=None, **kw):
    tags = [tag("sector", s) for s in sectors] + ([tag("province", province)] if province else [])
    return row(id=i, url=f"https://www.gov.cn/{i}.htm", doc_number=None, title_en=f"Announcement {i}", tags=tags, **kw)


def test_announcement_details_issuer_hosts_places_targets():
    tags = [tag("sector", "enzymes", "酶制剂"), tag("province", "Jiangsu", "江苏省"),
            tag("city", "Wuxi", "无锡市", province="Jiangsu"), tag("province", "Tianjin", "天津市"),
            tag("issuer", "工业和信息化部", "工业和信息化部", name_en="Ministry of Industry and Information Technology",
                abbr="MIIT"),
            tag("host", "江南大学", "江南大学", name_en="Jiangnan University", type="university"),
            tag("host", "某某生物科技有限公司", "某某生物科技有限公司"),
            tag("target", "20", "20个以上平台", unit="个", bound="ge", noun="平台", kind="goal"),
            tag("target", "5", "5种菌株", unit="种", bound="eq", noun="菌株", kind="goal"),
            tag("target", "200", "约200家", unit="家", bound="approx", noun="", kind="goal"),
            tag("target", "5", "5个中试车间", unit="个", bound="eq", noun="车间", kind="count"),
            tag("target", "43", "43个平台", unit="个", bound="eq", noun="平台", kind="count")]
    item = build_digest("2025-12-22", [row(tags=tags)]).policies[0]
    assert item.issuers[0].label == "Ministry of Industry and Information Technology (MIIT) · 工业和信息化部"
    assert [h.label for h in item.hosts] == ["Jiangnan University · 江南大学", "某某生物科技有限公司"]
    assert item.places == ("Wuxi, Jiangsu", "Tianjin")
    # goals and plain counts apart, units in English (an unknown noun keeps its Chinese in brackets)
    assert item.targets == ("≥20 platforms", "5 strains", "≈200 organisations")
    assert item.counts == ("5 (车间)", "43 platforms")
    text = render_text(build_digest("2025-12-22", [row(tags=tags)]))
    assert "Issuer: Ministry of Industry and Information Technology (MIIT) · 工业和信息化部" in text
    # hosts belong to platforms (their own lines), not to the policy that names them
    assert "Hosts:" not in text
    assert "Places: Wuxi, Jiangsu; Tianjin" in text and "Goals: ≥20 platforms, 5 strains, ≈200 organisations" in text
    assert "Figures reported: 5 (车间), 43 platforms" in text
    # without an issuer tag, the page's own issuer field is shown
    assert build_digest("2025-12-22", [row()]).policies[0].issuers[0].label == "工业和信息化部"
    # attrs as a dict (not yet stored) read the same as the stored JSON
    dict_tags = [{**t, "attrs": json.loads(t["attrs"])} for t in tags]
    assert build_digest("2025-12-22", [row(tags=dict_tags)]).policies[0] == item


def test_a_day_of_thousands_keeps_only_the_others_it_lists():
    from digest.build import SHOWN_MAX

    OTHERS_MAX = SHOWN_MAX["others"]

    consumed = []

    def rows():  # the store streams rows; the digest must not need them twice nor hold them all
        yield row()
        for i in range(2, 2 + OTHERS_MAX + 250):
            consumed.append(i)
            yield row(id=i, url=f"https://www.ndrc.gov.cn/{i}.html", is_platform_announcement=0,
                      mentions_pilot_platform=0, title_en=f"Other item {i}", tags=[], issuer_zh=None)

    d = build_digest("2025-12-22", rows())
    assert len(consumed) == OTHERS_MAX + 250 and len(d.announcements) == 1
    assert len(d.others) == OTHERS_MAX and d.others[0].title_en == "Other item 2"  # the first ones, in the store's order
    assert d.other_count == OTHERS_MAX + 250 and d.more("others") == 250
    assert "… and 250 more (see the database)." in render_text(d) and "… and 250 more" in render_html(d)
    assert f"{OTHERS_MAX + 250} other items" in d.subject


def test_long_sections_show_their_first_lines_and_count_the_rest(monkeypatch):
    from digest import build

    monkeypatch.setitem(build.SHOWN_MAX, "policies", 2)
    monkeypatch.setitem(build.SHOWN_MAX, "relevant", 1)
    rows = [row(id=i, url=f"https://www.gov.cn/{i}.html", title_en=f"Policy {i}") for i in range(1, 6)]
    rows += [row(id=i, url=f"https://www.news.cn/{i}.html", is_platform_announcement=0, mentions_pilot_platform=1,
                 title_en=f"Mention {i}", tags=[], issuer_zh=None) for i in range(6, 9)]
    d = build_digest("2025-12-22", rows)
    assert len(d.policies) == 5 and [i.title_en for i in d.shown("policies")] == ["Policy 1", "Policy 2"]
    assert len(d.relevant) == 3 and len(d.shown("relevant")) == 1
    html, text = render_html(d), render_text(d)
    for out in (html, text):
        assert "Policy 2" in out and "Policy 3" not in out and "Mention 6" in out and "Mention 7" not in out
        assert "… and 3 more (see the database)." in out and "… and 2 more (see the database)." in out
    assert "5 policies" in text  # the counts stay whole

    monkeypatch.setitem(build.SHOWN_MAX, "platforms", 1)
    d = build_digest("2025-12-22", [row()], events=[event(1, "listed", id=1), event(2, "listed", id=2)],
                     period_start="2025-12-22T00:00:00+00:00", event_rank=registry.STATUS_RANK)
    assert len(d.platforms) == 2 and len(d.shown("platforms")) == 1
    for out in (render_html(d), render_text(d)):
        assert "… and 1 more platforms with news (" in out and "pilotwatch platforms" in out


def test_relevant_articles_then_collapsed_other_items():
    rows = [row(), row(id=2, url="https://www.news.cn/a/c.html", is_platform_announcement=0, mentions_pilot_platform=1,
                       title_en="Pilot platform opens in Jinan", tags=[], issuer_zh=None),
            row(id=3, url="https://www.ndrc.gov.cn/x.html", is_platform_announcement=0, mentions_pilot_platform=0,
                title_en="Winter energy supply", tags=[])]
    d = build_digest("2025-12-22", rows)
    assert [i.title_en for i in d.relevant] == ["Pilot platform opens in Jinan"]
    assert [i.title_en for i in d.others] == ["Winter energy supply"]
    html, text = render_html(d), render_text(d)
    assert html.index("Policies, calls and lists") < html.index("Other relevant articles") < html.index("Other new items")
    assert "- Winter energy supply [gloss] | gov.cn | https://www.ndrc.gov.cn/x.html" in text


def platform(pid, hosts, sectors, province, city, listed=("national",), status="listed", **kw):
    return {"id": pid, "key": f"k{pid}", "name": f"平台{pid}", "hosts": json.dumps(hosts, ensure_ascii=False),
            "hosts_en": json.dumps(kw.pop("hosts_en", [""] * len(hosts))), "sectors": json.dumps(sectors),
            "province": province, "city": city, "listed": json.dumps(list(listed)), "status": status,
            "first_seen_at": "2025-12-22T01:00:00+00:00", "first_event_at": kw.pop("first", "2025-12-22"), **kw}


def event(pid, event_, *, article=1, seen="2025-12-22T02:00:00+00:00", platform_seen="2025-12-22T01:00:00+00:00", **kw):
    p = platform(pid, kw.pop("hosts", ["江南大学"]), kw.pop("sectors", ["food_additives"]), "Jiangsu", "Wuxi",
                 hosts_en=kw.pop("hosts_en", ["Jiangnan University"]))
    return {**p, "platform_id": pid, "article_id": article, "event": event_, "level": kw.pop("level", "national"),
            "date": kw.pop("date", "2025-12-22"), "evidence": kw.pop("evidence", "江南大学牵头建设的食品平台（江苏省无锡市）"),
            "evidence_en": kw.pop("evidence_en", "The food platform led by Jiangnan University (Wuxi, Jiangsu)"),
            "url": "https://www.gov.cn/1.htm", "part": "body", "first_seen_at": seen,
            "platform_first_seen_at": platform_seen, "issuers": "工业和信息化部\x1f国家发展改革委",
            "translation_engine": "gloss", **kw}


def test_one_line_per_platform_new_first_with_host_sector_place_event_issuer_and_evidence():
    events = [event(1, "listed", id=1),
              event(2, "opened", id=2, hosts=["华中农业大学"], hosts_en=[""], sectors=["enzymes"],
                    platform_seen="2025-12-01T00:00:00+00:00"),
              event(1, "mentioned", id=3)]  # a second event of platform 1 in the period: one line, the furthest
    issuer = tag("issuer", "工业和信息化部", name_en="Ministry of Industry and Information Technology", abbr="MIIT")
    d = build_digest("2025-12-22", [row(tags=[issuer])], events=events, period_start="2025-12-22T00:00:00+00:00",
                     event_rank=registry.STATUS_RANK)
    assert [(p.id, p.new, p.event) for p in d.platforms] == [(1, True, "listed"), (2, False, "opened")]
    line = d.platforms[0]
    assert line.place == "Wuxi, Jiangsu" and line.hosts[0].label == "Jiangnan University · 江南大学"
    assert line.issuers[0].label == "Ministry of Industry and Information Technology (MIIT) · 工业和信息化部"
    text = render_text(d)
    assert ("* [new] Jiangnan University · 江南大学 · Food & additives · Wuxi, Jiangsu · on the list (national) · "
            "Ministry of Industry and Information Technology (MIIT) · 工业和信息化部; 国家发展改革委") in text
    assert "English: The food platform led by Jiangnan University (Wuxi, Jiangsu) [gloss]" in text
    assert "[update] 华中农业大学 · Enzymes" in text
    assert text.index("Platforms: new and changed") < text.index("Policies, calls and lists")
    assert d.subject == "PilotWatch 2025-12-22: 2 platforms with news (1 new), 1 policy, 0 other items"


def test_progress_counts_listed_platforms_never_announcements():
    platforms = [platform(1, ["江南大学"], ["food_additives"], "Jiangsu", "Wuxi"),
                 platform(2, ["天津工生所"], ["enzymes", "chemicals"], "Tianjin", "Tianjin", status="opened"),
                 platform(3, ["齐鲁工业大学"], ["chemicals"], "Shandong", "Jinan", listed=("provincial",)),
                 platform(4, ["某公司"], [], "Shandong", "Qingdao", listed=()),
                 platform(5, ["被否"], ["enzymes"], "Hubei", "Wuhan", status="not_a_platform")]
    steps = [{"programme": "national", "step": "called", "date": "2025-06-11", "evidence": "通知", "articles": 2},
             {"programme": "national", "step": "listed", "date": "2025-12-22", "evidence": "名单", "articles": 1},
             {"programme": "provincial:370000", "province": "Shandong", "step": "listed", "date": "2025-12-19",
              "evidence": "名单", "articles": 1}]
    # an announcement naming 43 platforms is one article, not 43 platforms: only listed platforms count
    d = build_digest("2025-12-22", [row()], platforms=platforms, steps=steps, chart=False)
    p = d.programme
    assert (p.listed, p.target, p.target_year, p.percent, p.opened, p.tracked) == (2, 20, 2027, 10, 1, 4)
    assert dict(p.by_sector) == {"Food & additives": 1, "Enzymes": 1, "Chemicals": 1}
    assert dict(p.by_province) == {"Jiangsu": 1, "Tianjin": 1}
    assert p.provincial == (("Shandong", 1, "2025-12-19"),)
    assert [(s.label, s.date) for s in p.steps] == [("Call", "2025-06-11"), ("List", "2025-12-22")]
    text, html = render_text(d), render_html(d)
    assert "2 platforms on the national list, against the target of at least 20 by 2027 (10%); 1 reported open" in text
    assert "National programme: Call 2025-06-11 -> List 2025-12-22" in text
    assert "Provincial lists: Shandong 1 (2025-12-19)" in text and "announcements are not counted" in text.lower()
    assert "2 platforms on the national list" in " ".join(html.replace("<strong>", "").replace("</strong>", "").split())
    # no registry passed: no progress block
    assert build_digest("2025-12-22", [row()]).programme is None


def test_the_chart_goes_inline_in_the_mail_and_beside_the_file(tmp_path):
    platforms = [platform(1, ["江南大学"], ["food_additives"], "Jiangsu", "Wuxi"),
                 platform(2, ["天津工生所"], ["enzymes"], "Tianjin", "Tianjin", first="2026-01-05")]
    d = build_digest("2025-12-22", [row()], platforms=platforms)
    assert d.chart_png.startswith(b"\x89PNG") and "Jiangsu 1" in d.chart_alt and "2026-01 1" in d.chart_alt
    html_path, _ = write_digest(d, tmp_path)
    assert (tmp_path / "digest-2025-12-22-chart.png").read_bytes() == d.chart_png
    assert 'src="digest-2025-12-22-chart.png"' in html_path.read_text(encoding="utf-8")
    assert f'alt="{d.chart_alt.replace("&", "&amp;")}"' in render_html(d) and 'src="cid:chart@pilotwatch.digest"' in render_html(d)


STORE_ROWS = [  # as store.source_health() returns them
    {"name": "ndrc", "label": "NDRC", "last_ok_at": "2025-12-22T01:00:00+00:00", "consecutive_failures": 0},
    {"name": "miit", "label": "MIIT", "last_ok_at": "2025-12-15T01:00:00+00:00", "last_error_kind": "blocked",
     "last_error_at": "2025-12-22T06:00:00+00:00", "last_error": "403: anti-bot page", "consecutive_failures": 4,
     "blocked_until": "2025-12-23T06:00:00+00:00"},
    {"name": "govcn", "label": "gov.cn", "last_ok_at": "2025-12-21T01:00:00+00:00", "last_error_kind": "timeout",
     "last_error_at": "2025-12-22T01:00:00+00:00", "last_error": "read timed out", "consecutive_failures": 2},
    {"name": "stdaily", "label": "S&T Daily", "last_ok_at": "2025-12-18T01:00:00+00:00"},
    {"name": "newsite", "label": "New site", "last_ok_at": None},
    # a back-off that has ended is no longer reported as blocked
    {"name": "news", "label": "Xinhua", "last_ok_at": "2025-12-22T02:00:00+00:00",
     "blocked_until": "2025-12-20T00:00:00+00:00"},
]
SOURCES = source_rows(STORE_ROWS, NOW)  # the status decided once, by crawler.source_status


def test_source_health_stale_blocked_failing():
    d = build_digest("2025-12-22", [row()], sources=SOURCES)
    by = {s.name: s for s in d.sources}
    assert {n: s.status for n, s in by.items()} == {"ndrc": "ok", "miit": "blocked", "govcn": "failing",
                                                    "stdaily": "stale", "newsite": "never run", "news": "ok"}
    assert by["miit"].detail == ("blocked, backing off until 2025-12-23 06:00 UTC; 4 consecutive failures; "
                                 "no success in 7 days")
    assert by["govcn"].detail == "failing (timeout); 2 consecutive failures"
    assert by["stdaily"].detail == "no success in 4 days" and by["newsite"].detail == "never succeeded"
    assert by["ndrc"].last_ok_at == "2025-12-22 01:00 UTC" and by["newsite"].last_ok_at == "never"
    assert d.subject.endswith("; 4 sources unhealthy")
    text, html = render_text(d), render_html(d)
    assert "MIIT: BLOCKED, last success 2025-12-15 01:00 UTC -- blocked, backing off until 2025-12-23 06:00 UTC" in text
    assert "gov.cn: FAILING" in text and "failing (timeout); 2 consecutive failures" in text
    assert "S&T Daily: STALE, last success 2025-12-18 01:00 UTC -- no success in 4 days" in text
    assert "NDRC: ok, last success 2025-12-22 01:00 UTC" in text and "Xinhua: ok" in text
    assert "S&amp;T Daily" in html and '<span class="badge warn">blocked</span>' in html and "403: anti-bot page" in html
    # the same source three days and a minute after its last success is stale
    later = datetime(2025, 12, 25, 2, 1, tzinfo=UTC)
    assert build_digest("2025-12-25", [], sources=source_rows(STORE_ROWS[:1], later)).sources[0].status == "stale"


def test_footer_lists_edits_and_withdrawals():
    changes = [
        {"change": "edit", "version": 1, "detected_at": "2025-12-22T03:00:00+00:00", "article_id": 7,
         "url": "https://www.miit.gov.cn/a.html", "title_zh": "关于开展中试平台建设的通知", "title_en": "Notice on pilot platforms",
         "source": "miit"},
        {"change": "gone", "version": 2, "detected_at": "2025-12-22T04:00:00+00:00", "article_id": 8,
         "url": "https://www.gov.cn/b.htm", "title_zh": "旧通知<script>x()</script>", "title_en": None, "source": "govcn"},
        {"change": "restored", "version": 3, "detected_at": "2025-12-22T05:00:00+00:00", "article_id": 9,
         "url": "javascript:alert(1)", "title_zh": "恢复", "title_en": "Restored notice", "source": "ndrc"},
    ]
    d = build_digest("2025-12-22", [], changes=changes, sources=SOURCES[:1])
    assert [(c.change, c.label) for c in d.changes] == [("edit", "edited"), ("gone", "gone (404/410: possibly withdrawn)"),
                                                        ("restored", "restored")]
    assert d.changes[1].title == "旧通知<script>x()</script>"  # no English yet: the Chinese title
    text, html = render_text(d), render_html(d)
    assert "== Changes to official documents ==" in text
    assert "- edited: Notice on pilot platforms | miit | 2025-12-22 03:00 UTC\n  https://www.miit.gov.cn/a.html" in text
    assert "- gone (404/410: possibly withdrawn): 旧通知" in text
    assert "<script>" not in html and "javascript:" not in html and 'href="https://www.gov.cn/b.htm"' in html
    # a digest without changes has no such section
    assert "Changes to official documents" not in render_html(build_digest("2025-12-22", []))


def test_empty_day_is_short_and_says_why_it_might_be_empty():
    healthy = build_digest("2025-12-23", [], sources=SOURCES[:1])
    assert healthy.subject == "PilotWatch 2025-12-23: nothing new"
    text = render_text(healthy)
    assert "Nothing new today" in text and "all sources were checked" in text and "== Platform announcements" not in text
    assert len(text.splitlines()) < 20
    quiet_but_broken = build_digest("2025-12-23", [], sources=SOURCES)
    assert quiet_but_broken.subject == "PilotWatch 2025-12-23: nothing new; 4 sources unhealthy"
    html = render_html(quiet_but_broken)
    assert "Nothing new today" in html and "4 sources are not healthy" in html
    assert "Other new items" not in html and "Platform announcements" not in html
    assert "No sources have been crawled yet" in render_text(build_digest("2025-12-23", []))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>x</b>", "/relative",
                                 "//evil.example/x", "vbscript:x", "https://ok.example/a b", "https://ok.example/\nX",
                                 "http://", ""])
def test_only_absolute_http_links(url):
    d = build_digest("2025-12-22", [row(url=url)])
    assert safe_url(url) == "#"
    assert 'href="#"' in render_html(d)
    assert "link withheld" in render_text(d)


def test_untrusted_text_is_capped_and_flattened():
    long_title = "中试" * 400
    d = build_digest("2025-12-22", [row(title_zh=long_title, title_en="A\nB\u202eC  " + "x" * 1000,
                                        body_zh="", tags=[{"field": "sector", "value": "enzymes", "evidence": "酶" * 900,
                                                           "part": "body", "start": 0, "end": 900}])])
    item = d.announcements[0]
    assert len(item.title_zh) == TITLE_MAX and item.title_zh.endswith("…")
    assert item.title_en.startswith("A BC x") and "\n" not in item.title_en and len(item.title_en) == TITLE_MAX
    assert len(item.evidence) <= 240
    assert clean("<!-- c -->\x00 a\tb ") == "<!-- c --> a b"
    html = render_html(build_digest("2025-12-22", [row(title_en="x <!-- c --> <img src=x onerror=alert(1)>")]))
    assert "<!--" not in html.split("<body>")[1] and "&lt;!-- c --&gt;" in html and "<img" not in html


def test_an_english_lead_under_each_platform_and_policy_labelled_gloss():
    body = ("The first list of 43 platforms was published. It covers six sectors. Each platform serves firms. "
            "A fourth sentence is not in the lead.\nA second paragraph never is.")
    events = [event(1, "listed", id=1, body_en=body)]
    d = build_digest("2025-12-22", [row(body_en=body), row(id=2, body_en="", is_platform_announcement=0, tags=[])],
                     events=events, period_start="2025-12-22T00:00:00+00:00", event_rank=registry.STATUS_RANK)
    lead = "The first list of 43 platforms was published. It covers six sectors. Each platform serves firms."
    assert d.platforms[0].lead == lead and d.policies[0].lead == lead and d.others[0].lead == ""
    text, html = render_text(d), render_html(d)
    assert text.count(f"Lead: {lead} [gloss]") == 2 and "fourth sentence" not in text and "second paragraph" not in text
    assert html.count(f'<div class="lead">{lead} <span class="badge gloss"') == 2
    assert digest.build.lead("word " * 400, limit=50).endswith(" …") and len(digest.build.lead("word " * 400, limit=50)) <= 52
