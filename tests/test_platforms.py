"""Per-platform records, publishing furniture, the announcement score and bad input (LABELS.md's contract).

Self-written texts: unit tests of behaviour, not quality claims (those are measured on the real set,
bench/score_extract.py).
"""

import json

from click.testing import CliRunner

from extract import tag_article
from extract.lead import blank, furniture
from extract.record import platform_rows, tag_record
from pilotwatch.cli import cli

MISSION = ("工业和信息化部、国家发展改革委日前印发通知,部署开展生物制造中试能力建设平台培育工作……培育食品及添加剂、生物制药、"
           "化妆品、化工、能源、酶制剂等重点产品领域的中试平台。")


def values(tagging, field):
    return {t.value for t in tagging.tags if t.field == field}


def test_the_missions_notice_behind_source_and_byline_lines():
    body = f"来源: 新华网\n新华社北京6月12日电(记者 张三 李四)\n{MISSION}"
    r = tag_article("", body)
    assert {t.attr("abbr") for t in r.tags if t.field == "issuer"} == {"MIIT", "NDRC"}  # not 新华网, not 新华社
    assert values(r, "sector") == {"food_additives", "biopharma", "cosmetics", "chemicals", "energy", "enzymes"}
    assert values(r, "province") == set()  # the dateline's Beijing is where the reporter was
    [programme] = r.platforms  # the bare 中试平台 at the end is the programme's, not a second platform
    assert programme.name == "生物制造中试能力建设平台"
    assert (programme.event, programme.level) == ("called", "national")
    assert 0.0 <= r.announcement_score <= 1.0


def test_furniture_is_blanked_in_place():
    body = "两部门印发通知\n2025-06-13 记者 郭倩 来源:经济参考报\n本报北京6月12日讯 工信部印发通知。\n责任编辑:李四"
    spans = furniture("两部门印发通知", body, "zh")
    assert [s.kind for s in spans] == ["headline", "meta", "dateline", "meta"]
    cleaned = blank(body, spans)
    assert len(cleaned) == len(body) and "工信部印发通知。" in cleaned and "郭倩" not in cleaned


def test_each_platform_gets_its_own_host_place_and_sector():
    body = ("江南大学牵头建设的食品及添加剂生物制造中试平台落户江苏省无锡市。"
            "另一方面，由天津大学建设的酶制剂中试基地在天津市滨海新区启用。")
    r = tag_article("两个生物制造中试平台揭牌", body)
    by_name = {p.name: p for p in r.platforms}
    food = next(p for n, p in by_name.items() if n.endswith("食品及添加剂生物制造中试平台"))
    enzyme = next(p for n, p in by_name.items() if n.endswith("酶制剂中试基地"))
    assert {t.value for t in food.sectors} == {"food_additives"} and {t.value for t in enzyme.sectors} == {"enzymes"}
    assert {t.value for t in food.places} == {"Jiangsu", "Wuxi"}
    assert {t.value for t in enzyme.places} == {"Tianjin"}  # a municipality: province and city
    assert [t.value for t in food.hosts] == ["江南大学"] and [t.value for t in enzyme.hosts] == ["天津大学"]
    assert enzyme.event == "opened"


def test_a_list_body_yields_one_record_per_row():
    body = ("工业和信息化部办公厅 国家发展改革委办公厅公布首批生物制造中试能力建设平台名单。\n"
            "序号\t平台名称\t牵头单位\t所在地\t方向\n"
            "1\t江南大学食品及添加剂生物制造中试平台\t江南大学\t江苏省无锡市\t食品及添加剂\n"
            "2\t天津酶制剂生物制造中试平台\t中国科学院天津工业生物技术研究所\t天津市\t酶制剂\n"
            "3\t山东化工生物制造中试平台\t齐鲁工业大学\t山东省济南市\t化工\n")
    out = tag_record({"title": "首批生物制造中试能力建设平台名单", "text": body})
    rows = [p for p in out["platforms"] if p["hosts"]]  # the rows; the programme the title names is a record too
    assert [(p["hosts"][0]["name"], p["city"]["name"], p["sectors"]) for p in rows] == [
        ("江南大学", "Wuxi", ["food_additives"]),
        ("中国科学院天津工业生物技术研究所", "Tianjin", ["enzymes"]),
        ("齐鲁工业大学", "Jinan", ["chemicals"]),
    ]
    assert {p["level"] for p in rows} == {"national"}
    stored = platform_rows(tag_article("首批生物制造中试能力建设平台名单", body))
    assert [r["attrs"]["city"] for r in stored if r["attrs"]["hosts"]] == ["Wuxi", "Tianjin", "Jinan"]


def test_bad_input_is_flagged_never_a_crash():
    assert tag_article("", "  ").flags == ("empty",)
    junk = "".join(chr(c % 32) for c in range(4000))
    r = tag_article("", junk)
    assert "binary" in r.flags and r.tags == ()
    r = tag_article("", "これは日本語のニュースです。バイオ製造のパイロットプラットフォームについて。" * 5)
    assert "other_language" in r.flags and not r.mentions_pilot_platform
    big = "生物制造中试平台在江苏省无锡市揭牌。" * 60_000  # over 1 MB
    r = tag_article("", big)
    assert "too_long" in r.flags and r.mentions_pilot_platform


def test_threshold_trades_precision_for_recall():
    r = tag_article("", MISSION)
    assert tag_article("", MISSION, threshold=0.0).is_platform_announcement
    assert not tag_article("", MISSION, threshold=1.0).is_platform_announcement or r.announcement_score == 1.0


def test_tag_command_prints_platforms_score_and_flags():
    lines = [json.dumps({"id": 1, "title": "", "text": MISSION}, ensure_ascii=False), json.dumps({"id": 2, "text": ""})]
    result = CliRunner().invoke(cli, ["tag", "--threshold", "0.0"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert first["is_platform_announcement"] and 0 <= first["announcement_score"] <= 1
    assert first["platforms"][0]["name"] == "生物制造中试能力建设平台" and first["platforms"][0]["event"] == "called"
    assert second["flags"] == ["empty"] and second["platforms"] == []


def test_the_demo_list_attachment_yields_one_record_per_row():
    from pathlib import Path

    from crawler.attachments import extract_text

    pdf = Path(__file__).resolve().parents[1] / "pilotwatch/sample_site/www.gov.cn/zhengce/zhengceku/202512"
    text = extract_text((pdf / "P020251222570318462915.pdf").read_bytes(), "pdf").text
    rows = [p for p in tag_article("首批生物制造中试能力建设平台名单", text).platforms if p.name != "生物制造中试能力建设平台"]
    assert len(rows) == 8 and {p.event for p in rows} == {"listed"}  # the sample list's 8 rows
    assert len({t.value for p in rows for t in p.sectors}) == 8  # each row its own sector
