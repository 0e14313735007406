"""extract/hosts.py: organisation names by suffix grammar and part of speech, hosts linked by scored cues, canonical
names through the alias table.

Every example sentence below was written for these tests.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract import hosts, resources
from extract.entities import entity_tags
from extract.hits import Hit
from extract.hosts import MIN_SCORE, find_hosts
from extract.orgs import find_orgs
from zhtext.script import fold

ROOT = Path(__file__).resolve().parents[1]


def hits(text: str) -> list[Hit]:
    t = fold(text)
    return find_hosts(t, find_orgs(t, "zh"))


def names(text: str) -> list[str]:
    return [h.value for h in hits(text)]


def one(text: str, value: str) -> Hit:
    found = [h for h in hits(text) if h.value == value]
    assert len(found) == 1, [h.value for h in hits(text)]
    return found[0]


def score(h: Hit) -> float:
    return float(h.attr("score"))


# --- the name's left edge: part of speech, not only stop words -------------------------------------------------------


def test_a_stop_character_inside_a_word_does_not_cut_the_name():
    # 为 is a stop word, but in 华为 it is inside a word of the segmentation
    assert names("该中试平台由华为技术有限公司牵头建设。") == ["华为技术有限公司"]


def test_a_conjunction_inside_a_known_compound_stays_inside_the_name():
    assert names("由中国石油和化学工业联合会牵头建设中试平台。") == ["中国石油和化学工业联合会"]


def test_verbs_between_name_words_stay_inside_the_name():
    assert names("平台依托浙江省海洋开发研究院建设。") == ["浙江省海洋开发研究院"]
    assert names("项目由中国酿酒工业协会牵头建设。") == ["中国酿酒工业协会"]
    assert names("该基地由国家食品质量检验检测中心(山东)运营。") == ["国家食品质量检验检测中心(山东)"]


def test_a_verb_before_a_proper_noun_is_the_predicate():
    h = one("记者走进江苏华昌生物科技股份有限公司，该公司牵头建设的中试平台已投入使用。", "江苏华昌生物科技股份有限公司")
    assert h.attr("as_written") == "江苏华昌生物科技股份有限公司"  # not 走进…


def test_cue_verbs_are_never_part_of_a_name():
    # 组建 is no stop word of terms.toml, but a cue verb: the name starts after it
    assert names("由南开大学牵头组建天津合成生物研究院。") == ["南开大学"]


def test_a_bracket_only_inside_a_name():
    assert names("平台由华东理工大学与上海张江(集团)有限公司共同建设。") == ["华东理工大学", "上海张江(集团)有限公司"]
    assert names("(本报记者李华)宁夏大学牵头建设的中试平台揭牌。") == ["宁夏大学"]


def test_more_organisation_suffixes():
    assert names("平台依托江西省轻工业研究设计院建设。") == ["江西省轻工业研究设计院"]
    assert names("平台由石家庄市第一制药厂牵头建设。") == ["石家庄市第一制药厂"]
    assert names("该平台由苏州高新区管委和苏州大学合作建设，总投资3亿元。") == ["苏州高新区管委", "苏州大学"]
    assert one("项目由中国酿酒工业协会牵头建设。", "中国酿酒工业协会").attr("type") == "other"


def test_suffixes_that_are_words():
    assert names("园区将建设细胞工厂中试平台。") == []  # 工厂: a kind of plant
    assert names("平台位于中心城区，由江南大学牵头建设。") == ["江南大学"]
    assert names("江门市概念验证中心由江门市科技局牵头建设。") == []  # a platform, and its builder a government body


def test_a_platform_name_is_a_wall():
    # the table cells run together: the host starts after the platform's name
    text = "序号平台名称依托单位1合成生物中试平台湖南大学2发酵中试基地湖南岳阳生物科技发展有限公司"
    assert names(text) == ["湖南大学", "湖南岳阳生物科技发展有限公司"]


# --- cues, scored ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value", "cue"), [
    ("平台由江南大学牵头建设。", "江南大学", "牵头"),
    ("该平台依托华中农业大学建设。", "华中农业大学", "依托"),
    ("平台建设单位为山东大学。", "山东大学", "建设单位为"),
    ("中心以浙江大学作为牵头单位，搭建中试平台。", "浙江大学", "作为牵头单位"),
    ("江南大学建设的食品中试平台投入运营。", "江南大学", "建设的"),
    ("宜昌市的安琪酵母股份有限公司依托自有产线建设的酵母中试平台投用。", "安琪酵母股份有限公司", "依托自有产线建设的"),
    ("潍坊一家企业与中国科学院天津工业生物技术研究所共建中试基地。", "中国科学院天津工业生物技术研究所", "共建"),
    ("江苏恒顺醋业股份有限公司“酿造食品中试平台”入选省级名单。", "江苏恒顺醋业股份有限公司", "酿造食品中试平台"),
    ("浙江新安化工集团股份有限公司的新安生物基材料中试基地投入运营。", "浙江新安化工集团股份有限公司", "的中试基地"),
    ("安琪酵母股份有限公司入选第一批生物制造中试平台名单。", "安琪酵母股份有限公司", "入选"),
])
def test_each_cue_is_named(text, value, cue):
    h = one(text, value)
    assert h.attr("cue") == cue
    assert MIN_SCORE <= score(h) <= 1.0


def test_builders_joined_in_a_list_or_after_deng_share_the_cue():
    text = "项目由中国酿酒工业协会牵头，联合四川大学、宜宾五粮液股份有限公司等单位共同组建。"
    assert names(text) == ["中国酿酒工业协会", "四川大学", "宜宾五粮液股份有限公司"]
    assert names("江南大学与合肥工业大学等高校联合建设的中试平台启用。") == ["江南大学", "合肥工业大学"]


def test_joining_without_building_is_weaker_and_joint_research_is_no_host():
    built = one("平台由南京工业大学牵头，联合江苏省产业技术研究院等单位共同建设。", "江苏省产业技术研究院")
    assert score(built) >= 0.8
    assert names("平台由南京工业大学牵头，联合江苏省产业技术研究院开展研发。") == ["南京工业大学"]
    assert names("江南大学与安琪酵母股份有限公司合作研发新型酵母。") == []


def test_a_platform_named_after_its_host_and_its_direction():
    text = "入选名单的有：江南大学食品生物制造中试平台(食品添加剂方向)、南京工业大学生物基材料中试平台。"
    jiangnan, nanjing = one(text, "江南大学"), one(text, "南京工业大学")
    assert score(jiangnan) > score(nanjing) >= MIN_SCORE  # "(…方向)" after the platform's name


def test_a_table_with_a_host_column():
    text = "序号\t平台名称\t依托单位\t方向\n1\t合成生物中试平台\t天津大学\t生物医药\n2\t酶制剂中试基地\t山东隆科特酶制剂有限公司\t酶"
    assert [(h.value, h.attr("cue")) for h in hits(text)] == [("天津大学", "依托单位"), ("山东隆科特酶制剂有限公司", "依托单位")]


def test_a_subsidiary_builds_and_its_parent_does_not():
    assert names("中试基地由滨海控股集团旗下天津滨海生物科技有限公司开发建设。") == ["天津滨海生物科技有限公司"]
    # a builder with no suffix, taken from the frame 由…建设
    assert names("中试基地由鲁商集团旗下鲁商福瑞开发建设。") == ["鲁商福瑞"]


def test_the_subject_of_a_clause_about_a_platform():
    text = "山东省科学院生物研究所是我省生物技术研究重镇。该所近日入选省级生物制造中试平台名单。"
    h = one(text, "山东省科学院生物研究所")
    assert (h.attr("cue"), h.attr("as_written")) == ("入选", "山东省科学院生物研究所")
    assert names("宁夏大学教授王明表示，中试平台建设需要资金。") == []  # the name qualifies 教授


def test_a_zone_is_a_host_only_when_it_builds():
    assert names("成都高新区蜂巢生物中试基地正式启用。") == []  # where the platform is
    assert names("平台由南京江北新区与南京工业大学共建。") == ["南京江北新区", "南京工业大学"]


@pytest.mark.parametrize("text", [
    "红杉资本领投，浙江大学投资1亿元。",  # investors
    "签约仪式在苏州工业园区举行。",  # a venue
    "入驻企业包括上海蓝晶生物科技有限公司等十余家企业已签约入驻。",  # tenants
    "南京工业大学与扬子江药业集团有限公司签署合作协议。",  # signing, nothing built
    "据介绍，天津工生所参与了方案设计。",  # a mention only
])
def test_not_hosts(text):
    assert names(text) == []


def test_a_name_without_a_cue_scores_below_the_threshold():
    t = fold("据介绍，天津工生所参与了方案设计。")
    found, _ = hosts._names(t, find_orgs(t, "zh"))
    assert len(found) == 1 and found[0].inst is not None  # found, known …
    assert find_hosts(t, find_orgs(t, "zh")) == []  # … but not linked to a platform


def test_investing_in_building_is_building():
    assert names("江南大学投资建设中试平台。") == ["江南大学"]


# --- canonical names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "canonical"), [
    ("中科院天津工生所", "中国科学院天津工业生物技术研究所"),
    ("天津工业生物所", "中国科学院天津工业生物技术研究所"),
    ("中科院深圳先进院", "中国科学院深圳先进技术研究院"),
    ("青岛能源所", "中国科学院青岛生物能源与过程研究所"),
    ("华熙生物", "华熙生物科技股份有限公司"),
    ("浙大杭州国际科创中心", "浙江大学杭州国际科创中心"),
    ("哈工大", "哈尔滨工业大学"),
    ("江南大学", "江南大学"),
])
def test_aliases_map_to_the_full_name(written, canonical):
    h = one(f"该中试平台由{written}牵头建设。", canonical)
    assert h.attr("as_written") == written and h.key == canonical
    assert h.attr("name_en")


def test_traditional_forms_map_through_the_fold():
    h = one("浙大杭州國際科創中心牽頭建設生物製造中試平臺。", "浙江大学杭州国际科创中心")
    assert h.attr("as_written") == "浙大杭州国际科创中心"


def test_one_hit_per_institution_its_best_mention():
    text = "由中科院天津工生所牵头，天津工业生物所建设的中试平台揭牌；天津工生所所长出席。"
    (h,) = hits(text)
    assert h.value == "中国科学院天津工业生物技术研究所"
    assert score(h) == max(score(h), 0.9)


def test_the_tag_value_is_canonical_and_the_evidence_as_written():
    original = {"title": "", "body": "平臺由中科院天津工生所牽頭建設。"}
    norm = {k: fold(v) for k, v in original.items()}
    orgs = {k: find_orgs(v, "zh") for k, v in norm.items()}
    (tag,) = [t for t in entity_tags(norm, original, orgs) if t.field == "host"]
    assert (tag.value, tag.evidence, tag.attr("as_written")) == (
        "中国科学院天津工业生物技术研究所", "中科院天津工生所", "中科院天津工生所")


def test_short_aliases_count_only_as_whole_words():
    assert names("平台将推动创新和成果转化，由江南大学牵头建设。") == ["江南大学"]  # 新和成 is inside 创新和成果
    assert names("由新和成牵头建设的中试平台投用。") == ["浙江新和成股份有限公司"]


def test_canonical_name_lookup():
    assert hosts.canonical_name("大连化物所") == "中国科学院大连化学物理研究所"
    assert hosts.canonical_name("中科院大连化物所") == "中国科学院大连化学物理研究所"
    assert hosts.canonical_name("某研究所") is None


# --- data ------------------------------------------------------------------------------------------------------------


def test_alias_table_is_complete_and_unambiguous():
    rows = resources.read_tsv("aliases.tsv")
    aliases = {r["alias"] for r in rows}
    assert len(rows) == len(aliases) >= 300
    # a generic institute short form is only listed with its CAS prefix; ambiguous university short forms not at all
    assert not aliases & {"微生物所", "化学所", "植物所", "动物所", "物理所", "北大", "南大", "江大", "山大", "南航", "中大"}
    cas = [r for r in resources.read_tsv("institutions.tsv") if r["type"] == "cas_institute"]
    assert len(cas) >= 90 and all(r["name"].startswith("中国科学院") for r in cas)
    assert {r["alias"] for r in rows if r["source"].startswith("CAS unit list")} >= {"天津工生所", "青岛能源所", "大连化物所"}


# --- cost ------------------------------------------------------------------------------------------------------------


def test_importing_hosts_does_not_load_jieba():
    code = "import sys, extract.hosts; print('jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_the_tokenizer_is_loaded_once():
    assert hosts._pos_tokenizer() is hosts._pos_tokenizer()


def test_throughput_on_1000_char_texts():
    base = ("日前，平台由江南大学牵头，联合无锡晶海氨基酸股份有限公司等单位共同建设。中国科学院天津工业生物技术研究所"
            "参与共建的一碳生物制造中试平台也在名单之列。记者走进江苏华昌生物科技股份有限公司，了解中试平台运行情况。")
    texts = [fold((base * 8)[i : i + 1000]) for i in range(0, 100)]
    find_hosts(texts[0])  # load the tokenizer and the data
    t0 = time.perf_counter()
    for t in texts:
        find_hosts(t, find_orgs(t, "zh"))
    per_text = (time.perf_counter() - t0) / len(texts)
    assert per_text < 0.05  # measured about 5 ms with an empty segmentation cache; this only catches a pathology
