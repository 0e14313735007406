"""extract.issuers: who issued the policy, call or list a text reports (LABELS.md `issuers`), Chinese and English."""

from __future__ import annotations

import re

import pytest

from extract import issuers
from extract.hits import Hit
from extract.issuers import find_issuers, find_issuers_en
from extract.resources import read_tsv
from zhtext.script import fold


def zh(text: str, part: str = "body") -> list[Hit]:
    t = fold(text)
    return find_issuers(t, part=part)


def values(hits: list[Hit]) -> list[str]:
    return [h.value for h in hits]


def en(text: str, part: str = "body") -> list[tuple[str, str]]:
    return [(h.value, h.attr("abbr")) for h in find_issuers(text, part=part, lang="en")]


# --- the subject of an issuing verb ----------------------------------------------------------------------------------


def test_a_news_story_reporting_a_joint_notice_names_both_ministries():
    hits = zh("工业和信息化部、国家发展改革委日前印发通知，部署开展生物制造中试能力建设平台培育工作。")
    assert [(h.value, h.attr("abbr")) for h in hits] == [("工业和信息化部", "MIIT"), ("国家发展和改革委员会", "NDRC")]
    assert hits[1].attr("name_en") == "National Development and Reform Commission"


@pytest.mark.parametrize("text", [
    "工信部会同国家发改委联合印发了《指南》。",
    "工业和信息化部与国家发展和改革委员会6月11日联合发布通知。",
    "工信部和国家发展改革委近日出台实施意见。",
    "工业和信息化部、国家发展改革委两部门日前联合印发《建设指南》。",
])
def test_coordinated_subjects_and_adverbials(text):
    assert [h.attr("abbr") for h in zh(text)] == ["MIIT", "NDRC"]


@pytest.mark.parametrize("text, expected", [
    ("山东省工业和信息化厅公布首批省级生物制造中试平台名单。", "山东省工业和信息化厅"),
    ("经山东省工业和信息化厅认定，8家平台入选。", "山东省工业和信息化厅"),  # 经X认定
    ("该平台由湖北省科技厅批复建设。", "湖北省科学技术厅"),  # 由X批复
    ("该中心是国家发改委批复的第十个产业创新中心。", "国家发展和改革委员会"),  # X批复的: a relative clause
    ("工业和信息化部网站发布了首批名单公示。", "工业和信息化部"),  # the body's own site publishes for it
    ("国务院国资委于近日正式发布服务手册。", "国务院国有资产监督管理委员会"),
])
def test_issuing_verbs(text, expected):
    assert values(zh(text)) == [expected]


def test_a_topic_chain_keeps_its_subject_across_one_comma():
    text = "宁波市科技局高度重视中试基地建设工作，2022年制订了实施方案。"
    assert values(zh(text)) == ["宁波市科学技术局"]
    # …but not when the next clause has a subject of its own
    assert zh("宁波市科技局高度重视中试基地建设工作，某公司发布了新产品。") == []


def test_a_body_merely_named_is_not_an_issuer():
    assert zh("广西壮族自治区工业和信息化厅有关负责人出席揭牌仪式。") == []
    assert zh("在工信部的指导下，某公司发布了新产品。") == []  # X的…: X modifies a noun
    assert zh("工信部总工程师谢少锋在新闻发布会上介绍情况。") == []  # 发布会 is an event
    assert zh("认真贯彻党中央、国务院决策部署，加快布局建设中试平台。") == []  # 决策部署 is a noun
    assert zh("常州市人民政府与江南大学签署合作协议，共建中试平台。") == []


# --- notice headings, titles and signatures -------------------------------------------------------------------------


def test_a_heading_names_its_authors_with_offices_folded():
    text = "工业和信息化部办公厅 国家发展改革委办公厅关于组织开展生物制造中试能力建设平台培育工作的通知"
    hits = zh(text, part="title")
    assert [h.attr("abbr") for h in hits] == ["MIIT", "NDRC"]
    assert [text[h.start : h.end] for h in hits] == ["工业和信息化部办公厅", "国家发展改革委办公厅"]


def test_a_heading_as_the_first_line_of_a_body_and_a_department_folded_to_its_ministry():
    body = "工业和信息化部消费品工业司关于开展生物制造典型案例征集工作的通知\n各省、自治区、直辖市工业和信息化主管部门："
    (h,) = zh(body)
    assert (h.value, fold(body)[h.start : h.end]) == ("工业和信息化部", "工业和信息化部消费品工业司")


def test_a_title_opening_with_a_colon():
    assert values(zh("工信部：加快布局生物制造中试平台", part="title")) == ["工业和信息化部"]


def test_a_signature_over_two_lines_then_the_date_after_an_attachment():
    text = ("近日，福州市科学技术局等四部门印发实施方案。\n现印发你们，请结合工作实施。\n"
            "福州市科学技术局 福州市工业和信息化局\n福州市发展和改革委员会 福州市教育局\n2025年3月12日\n（此件主动公开）\n"
            "福州市中试创新服务平台体系建设实施方案\n一、总体要求")
    assert values(zh(text)) == ["福州市科学技术局", "福州市工业和信息化局", "福州市发展和改革委员会", "福州市教育局"]


def test_a_flattened_signature_runs_into_its_date():
    text = "附件:2025年舟山市中试平台拟认定名单舟山市科学技术局2025年8月13日附件2025年舟山市中试平台拟认定名单序号"
    assert values(zh(text)) == ["舟山市科学技术局"]


def test_a_signature_dated_in_chinese_numerals_or_closed_by_a_remark():
    assert values(zh("特此通知。\n山东省工业和信息化厅\n二〇二五年六月十一日")) == ["山东省工业和信息化厅"]
    assert values(zh("特此通知。\n山东省工业和信息化厅\n（此件公开发布）")) == ["山东省工业和信息化厅"]


def test_a_body_in_a_line_that_does_not_end_in_a_date_is_no_signature():
    assert zh("温州市科学技术局\n关于概念验证中心的说明") == []


# --- citations are not issuers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "根据《制造业中试创新发展实施意见》(工信部联科〔2024〕11号)，现将有关事项通知如下。",
    "按照《工业和信息化部办公厅关于做好第七批产业技术基础公共服务平台申报工作的通知》要求，现组织申报。",
    "根据国家发展改革委印发的实施方案，现组织申报。",  # a 根据 clause
    "附件:1.工业和信息化部办公厅关于做好第七批产业技术基础公共服务平台申报工作的通知",  # an attachment list
    "据工信部消息，近日多地出台支持政策。",  # an attribution to a source, for an act with its own subject
    "来源:工业和信息化部网站\n近日，多地出台支持政策。",  # a source line names the publisher
    "平台落实《工业和信息化部关于加快制造业中试平台建设的通知》有关部署。",
])
def test_citations_and_source_lines_name_no_issuer(text):
    assert zh(text) == []


# --- local bodies ------------------------------------------------------------------------------------------------------


def test_a_bare_province_or_city_body_is_the_one_the_text_is_about():
    text = "省工信厅最近公布制造业中试服务平台认定培育名单。其中，莆田市双源鞋业有限公司的平台入选。"
    (h,) = zh(text)
    assert (h.value, fold(text)[h.start : h.end]) == ("福建省工业和信息化厅", "省工信厅")  # 莆田 is in Fujian
    assert values(zh("日前，市科技局公布2022年德州市科技成果转化中试基地备案名单。")) == ["德州市科学技术局"]
    assert zh("省发改委发布通知。") == []  # no place in the text: no one to name


def test_a_bare_body_after_a_named_one_shares_its_place():
    hits = zh("浙江省经信厅、省发展改革委、省科技厅联合印发通知。")
    assert values(hits) == ["浙江省经济和信息化厅", "浙江省发展和改革委员会", "浙江省科学技术厅"]


def test_provincial_government_short_form():
    assert values(zh("广东省政府印发行动方案。")) == ["广东省人民政府"]
    text = "广东省人民政府办公厅关于印发行动方案的通知\n各地级以上市人民政府：\n现将方案印发给你们。\n省政府办公厅\n2025年1月22日"
    assert values(zh(text)) == ["广东省人民政府"]


def test_bodies_outside_the_tables_are_kept_as_written():
    text = "日前，北京市科学技术委员会、中关村科技园区管理委员会等多部门印发行动计划。"
    assert values(zh(text)) == ["北京市科学技术委员会", "中关村科技园区管理委员会"]
    # the office of a body named in full is that body
    sig = "现印发给你们。\n\n温州市科学技术局    中共温州市委教育科技人才一体化委员会办公室\n\n2025年10月17日"
    assert values(zh(sig)) == ["温州市科学技术局", "中共温州市委教育科技人才一体化委员会"]
    # a committee of experts is not a government body
    assert zh("由专家委员会评选产生。") == []


# --- list owners --------------------------------------------------------------------------------------------------------


def test_the_body_that_selects_a_list():
    assert values(zh("会上发布了国家工信部首批生物制造中试能力建设平台名单。")) == ["工业和信息化部"]
    assert values(zh("该实验室入选国家工信部首批重点培育中试平台。")) == ["工业和信息化部"]


def test_the_source_of_a_report_of_a_list_that_names_no_issuer():
    assert values(zh("记者从山东省工业和信息化厅获悉，首批省级生物制造中试平台名单日前出炉。")) == ["山东省工业和信息化厅"]
    assert values(zh("据江苏省科技厅消息，我省8家平台入选国家级名单。")) == ["江苏省科学技术厅"]
    assert zh("记者从山东省工业和信息化厅获悉，平台运行良好。") == []


# --- Traditional text ---------------------------------------------------------------------------------------------------


def test_traditional_text_is_folded_before_matching():
    hits = zh("工業和資訊化部、國家發展改革委近日聯合印發《製造業中試創新發展實施意見》。")
    assert [h.attr("abbr") for h in hits] == ["MIIT", "NDRC"]  # 資訊 is the Taiwan press's word for 信息


# --- English --------------------------------------------------------------------------------------------------------------


def test_english_subjects_with_abbreviations_and_general_offices():
    text = ("On June 4, the General Office of the Ministry of Industry and Information Technology (MIIT) and the "
            "General Office of the Chinese Academy of Sciences (CAS) jointly issued the “Notice of the General Office "
            "of the Ministry of Finance on …”.")
    assert en(text) == [("工业和信息化部", "MIIT"), ("中国科学院", "CAS")]  # not MOF: inside a quoted title
    hits = find_issuers_en(text)
    assert text[hits[0].start : hits[0].end] == "General Office of the Ministry of Industry and Information Technology (MIIT)"


@pytest.mark.parametrize("text, expected", [
    ("China's National Development and Reform Commission (NDRC) on Tuesday issued a plan.", ["NDRC"]),
    ("guidelines for the 14th Five-Year Plan period (2021-25) issued by the National Development and Reform "
     "Commission on May 10", ["NDRC"]),
    ("MIIT's circular sets out 20 platforms.", ["MIIT"]),
    ("the Ministry of Industry and Information Technology has recently unveiled a new circular", ["MIIT"]),
    ("with the Ministry of Industry and Information Technology recently announcing the first batch", ["MIIT"]),
])
def test_english_issuing_verbs(text, expected):
    assert [abbr for _, abbr in en(text)] == expected


def test_english_titles():
    assert [a for _, a in en("MIIT and NDRC Initiate Pilot Program to Foster Platforms", part="title")] == ["MIIT", "NDRC"]
    assert [a for _, a in en("NDRC: China to build pilot platforms", part="title")] == ["NDRC"]


def test_english_local_bodies_get_their_chinese_names():
    assert en("The Heilongjiang Provincial Government has issued a set of policy measures.") == [("黑龙江省人民政府", "")]
    assert en("The Shandong Provincial Department of Industry and Information Technology on June 12 published "
              "its first list.") == [("山东省工业和信息化厅", "")]
    assert en("The Department of Industry and Information Technology of Hubei Province has released a list.") == [
        ("湖北省工业和信息化厅", "")]


@pytest.mark.parametrize("text", [
    "People's Daily (the official newspaper of China's Ministry of Science and Technology) announced the plan.",
    "Officials from the Ministry of Industry and Information Technology attended the opening ceremony.",
    "Most firms announced results.",  # MOST is not matched as a bare word
    "Jiangsu University, with support from the Chinese Academy of Sciences, launched a platform.",
    "In line with the plan issued by the State Council, the city set up a platform.",
])
def test_english_non_issuers(text):
    assert en(text) == []


def test_chinese_finder_ignores_english_unless_asked():
    text = "The Ministry of Industry and Information Technology issued a notice."
    assert find_issuers(text) == []
    assert [h.attr("abbr") for h in find_issuers(text, lang="en")] == ["MIIT"]


# --- the table ------------------------------------------------------------------------------------------------------------


def test_issuers_table_is_complete_and_consistent():
    rows = read_tsv("issuers.tsv")
    national = [r for r in rows if r["kind"] == "national"]
    local = [r for r in rows if r["kind"] == "local"]
    assert all(r["abbr"] and r["name_en"] for r in national)
    assert len({r["abbr"] for r in national}) == len(national)
    assert all(not r["abbr"] and r["name_en"] for r in local)
    for abbr in ("MIIT", "NDRC", "MOST", "MOF", "MARA", "MOFCOM", "NHC", "NMPA", "SAMR", "CAS", "SASAC", "TAO"):
        assert abbr in {r["abbr"] for r in national}
    names = {b.name for b in issuers.bodies()}
    assert {"工业和信息化部", "国家发展和改革委员会", "国务院台湾事务办公室"} <= names
    assert all(re.search(r"[部委院局署会室行央构]$", n) for n in names)


def test_hits_are_spans_of_the_text_given():
    text = fold("近日，工業和信息化部辦公廳關於開展培育工作的通知印發。")
    for h in find_issuers(text):
        assert 0 <= h.start < h.end <= len(text)
        assert h.field == "issuer" and h.key == h.value
