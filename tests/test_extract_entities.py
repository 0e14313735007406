"""extract entity extractors: hosts, issuers, targets, dates, money; their data files; offsets and throughput.

Every example sentence below was written for these tests.
"""

from __future__ import annotations

import time

import pytest

from extract import hosts, issuers, resources
from extract.dates import find_dates
from extract.entities import entity_tags, find_entities
from extract.hits import Hit
from extract.hosts import find_hosts
from extract.issuers import find_issuers, signature_start
from extract.orgs import find_orgs
from extract.quantities import SURPLUS_BOUND, find_money, find_targets
from zhtext.script import fold as normalize

PROGRAMME = "到2027年培育20个以上生物制造中试能力建设平台，服务企业超过200家，孵化产品400个以上。"


def host_names(text: str) -> list[str]:
    t = normalize(text)
    return [h.value for h in find_hosts(t, find_orgs(t, "zh"))]


def host(text: str, name: str) -> Hit:
    t = normalize(text)
    return next(h for h in find_hosts(t, find_orgs(t, "zh")) if h.value == name)


def issuer_hits(text: str, part: str = "body") -> list[Hit]:
    t = normalize(text)
    return find_issuers(t, find_orgs(t, "zh"), part=part)


def targets(text: str) -> set[tuple[str, str, str, str]]:
    return {(h.value, h.attr("unit"), h.attr("bound"), h.attr("noun")) for h in find_targets(normalize(text))}


def dates(text: str, published: str | None = "2025-06-12") -> set[tuple[str, str]]:
    return {(h.attr("kind"), h.value) for h in find_dates(normalize(text), published)}


def money(text: str) -> set[tuple[str, str]]:
    return {(h.value, h.attr("bound")) for h in find_money(normalize(text))}


# --- hosts ----------------------------------------------------------------------------------------------------------


def test_host_by_yituo_from_the_gazetteer():
    h = host("该平台依托华中农业大学建设，面向湖北省内企业开放。", "华中农业大学")
    assert (h.attr("name_en"), h.attr("type"), h.attr("cue"), h.attr("as_written")) == (
        "Huazhong Agricultural University", "university", "依托", "华中农业大学")
    assert float(h.attr("score")) >= hosts.MIN_SCORE


def test_host_that_leads():
    assert host_names("平台由江南大学牵头，联合无锡多家企业共同建设。") == ["江南大学"]


def test_host_co_building_cas_institute():
    h = host("潍坊一家企业与中国科学院天津工业生物技术研究所共建一碳生物转化中试基地。", "中国科学院天津工业生物技术研究所")
    assert h.attr("type") == "cas_institute"
    assert h.attr("name_en") == "Tianjin Institute of Industrial Biotechnology, CAS"


@pytest.mark.parametrize("short", ["天津工业生物所", "天津工生所", "中科院天津工业生物所", "中国科学院天津工业生物技术研究所"])
def test_cas_short_names_share_one_identity(short):
    # The value is the canonical name (LABELS.md: the official full name; aliases map to it), the form as written stays
    # in attrs. The sentence has a cue: a mere mention (…参与了方案设计) is not a host by LABELS.md.
    h = host(f"据介绍，中试平台由{short}牵头建设。", "中国科学院天津工业生物技术研究所")
    assert h.key == h.value == "中国科学院天津工业生物技术研究所"
    assert h.attr("type") == "cas_institute" and h.attr("as_written") == short
    assert host_names(f"据介绍，{short}参与了方案设计。") == []


def test_compound_name_is_kept_whole():
    assert host_names("浙江大学杭州国际科创中心牵头的合成生物中试平台入选。") == ["浙江大学杭州国际科创中心"]
    assert host_names("中国科学院深圳先进技术研究院合成生物学研究所牵头建设。") == [
        "中国科学院深圳先进技术研究院合成生物学研究所"
    ]
    assert host("中国科学院深圳先进技术研究院合成生物学研究所牵头建设。",
                "中国科学院深圳先进技术研究院合成生物学研究所").attr("type") == "cas_institute"
    # a company name with a bracketed part, and a suffix chain (研究所 + 有限责任公司)
    assert host_names("平台由华东理工大学与上海张江(集团)有限公司共同建设。") == ["华东理工大学", "上海张江(集团)有限公司"]
    assert host_names("平台由吉林大学联合长春生物制品研究所有限责任公司建设。") == [
        "吉林大学", "长春生物制品研究所有限责任公司"
    ]


def test_de_is_a_boundary():
    assert host_names("张江科学城的华东理工大学牵头建设合成生物中试平台。") == ["华东理工大学"]


def test_a_platform_name_is_not_its_host():
    assert host_names("拟认定平台包括江南大学食品生物制造中试平台、南京工业大学生物基材料中试平台等。") == [
        "江南大学", "南京工业大学"
    ]


def test_leading_place_chain_is_stripped():
    names = host_names("近日，江苏省常州市金坛区华罗庚科技园与江南大学签约共建生物制造中试平台。")
    assert names == ["华罗庚科技园", "江南大学"]
    assert host("近日，江苏省常州市金坛区华罗庚科技园与江南大学签约共建。", "华罗庚科技园").attr("type") == "park"
    assert host_names("湖北省武汉市华中农业大学牵头建设。") == ["华中农业大学"]
    # a provincial academy's own name keeps its province
    assert host_names("平台依托黑龙江省科学院建设。") == ["黑龙江省科学院"]


def test_rule_hosts_need_a_cue():
    h = host("基地由吉林中粮生化有限公司投资建设，总投资4亿元。", "吉林中粮生化有限公司")
    assert (h.attr("name_en"), h.attr("type"), h.attr("cue")) == ("", "company", "投资建设")
    assert host_names("吉林中粮生化有限公司发布年度报告。") == []
    assert host_names("由中国科学技术大学与合肥高新区管委会共建。") == ["中国科学技术大学", "合肥高新区管委会"]
    assert host_names("华熙生物科技股份有限公司与济南高新区签约，共建中试平台。") == ["华熙生物科技股份有限公司", "济南高新区"]


def test_more_cues():
    assert host_names("平台建设单位为山东大学，运营主体为山东福瑞达生物股份有限公司。") == [
        "山东大学", "山东福瑞达生物股份有限公司"
    ]
    # a government body inside the list of builders is not a host, and does not break the list
    assert host_names("由江南大学、无锡市滨湖区人民政府和无锡晶海氨基酸股份有限公司三方共建。") == [
        "江南大学", "无锡晶海氨基酸股份有限公司"
    ]
    # a partner with no name
    assert host_names("平台由黑龙江省科学院与大庆某能源企业共建。") == ["黑龙江省科学院"]
    # signing counts when what is signed is about building
    assert host_names("南京工业大学与南京江北新区签署战略合作协议，共同建设生物制造中试平台。") == [
        "南京工业大学", "南京江北新区"
    ]
    assert host_names("山西金兰化工有限公司与巴西佛罗伊特国际公司签署了贸易协议。") == []
    assert host_names("关于印发《国家产业创新中心建设工作指引》的通知") == []  # a category, not an institution


def test_issuers_districts_and_anonymous_bodies_are_not_hosts():
    assert host_names("工业和信息化部、国家发展改革委联合印发通知，依托中国科学院建设一批平台。") == []
    assert host_names("山东省工业和信息化厅牵头建设省级平台库。") == []
    assert host_names("平台由中国科学院深圳先进技术研究院与深圳市光明区共建。") == ["中国科学院深圳先进技术研究院"]
    assert host_names("项目由赤峰某药业公司与中国科学院植物研究所合作建设。") == ["中国科学院植物研究所"]
    assert host_names("平台由齐鲁工业大学(山东省科学院)与聊城市政府共建。") == ["齐鲁工业大学"]


def test_host_value_is_simplified_and_the_evidence_keeps_the_original_script():
    # LABELS.md: report names in Simplified, keep the form as written in the evidence (this test used to expect the
    # Traditional value).
    original = {"title": "", "body": "該平臺由華東理工大學牽頭建設。"}
    norm = {k: normalize(v) for k, v in original.items()}
    orgs = {k: find_orgs(v, "zh") for k, v in norm.items()}
    tags = [t for t in entity_tags(norm, original, orgs) if t.field == "host"]
    assert [(t.value, t.evidence, t.attr("name_en")) for t in tags] == [
        ("华东理工大学", "華東理工大學", "East China University of Science and Technology")
    ]


# --- issuers --------------------------------------------------------------------------------------------------------


def test_municipal_commission():
    (h,) = issuer_hits("上海市经济和信息化委员会日前印发若干措施。")
    assert h.value == "上海市经济和信息化委员会"
    assert h.attrs == (("name_en", "Shanghai Municipal Commission of Economy and Informatization"), ("abbr", ""))


def test_provincial_department():
    (h,) = issuer_hits("山东省工业和信息化厅公布首批省级生物制造中试平台名单。")
    assert (h.value, h.attr("name_en")) == ("山东省工业和信息化厅", "Shandong Department of Industry and Information Technology")


def test_general_office_is_folded_into_its_ministry():
    text = "工业和信息化部办公厅 国家发展改革委办公厅关于组织开展生物制造中试能力建设平台培育工作的通知"
    hits = issuer_hits(text, part="title")
    assert [(h.value, h.attr("abbr")) for h in hits] == [("工业和信息化部", "MIIT"), ("国家发展和改革委员会", "NDRC")]
    assert [text[h.start : h.end] for h in hits] == ["工业和信息化部办公厅", "国家发展改革委办公厅"]
    assert hits[0].attr("name_en") == "Ministry of Industry and Information Technology"


def test_short_forms_are_canonical():
    assert [h.value for h in issuer_hits("工信部：加快布局生物制造中试平台", part="title")] == ["工业和信息化部"]
    assert [h.value for h in issuer_hits("湖北省经信厅日前公布名单。")] == ["湖北省经济和信息化厅"]
    assert [h.value for h in issuer_hits("山东省人民政府办公厅印发行动方案。")] == ["山东省人民政府"]


def test_a_bare_province_takes_the_place_named_just_before():
    hits = issuer_hits("浙江省经信厅、省发展改革委、省科技厅联合印发通知。")
    assert [h.value for h in hits] == ["浙江省经济和信息化厅", "浙江省发展和改革委员会", "浙江省科学技术厅"]
    assert hits[1].attr("name_en") == "Zhejiang Development and Reform Commission"
    assert issuer_hits("省发改委发布通知。") == []


def test_city_bodies():
    (h,) = issuer_hits("武汉市人民政府办公厅近日印发若干政策。")
    assert h.value == "武汉市人民政府"
    assert h.attr("name_en") in ("Wuhan Municipal People's Government", "")  # "" while cities.tsv has no English


def test_only_opening_sentences_and_signature_count():
    body = ("近日，广西壮族自治区生物能源中试平台在南宁揭牌。平台依托广西大学建设。"
            "广西壮族自治区工业和信息化厅有关负责人出席揭牌仪式。")
    assert issuer_hits(body) == []
    notice = ("各省、自治区、直辖市工业和信息化主管部门：现将有关事项通知如下。一、申报条件。二、申报程序。特此通知。\n\n"
              "工业和信息化部办公厅\n国家发展改革委办公厅\n2025年6月11日")
    assert notice.index("特此通知。") < signature_start(notice) <= notice.index("工业和信息化部办公厅")
    assert [h.attr("abbr") for h in issuer_hits(notice)] == ["MIIT", "NDRC"]


def test_names_that_are_not_issuers():
    assert issuer_hits("中国科学院天津工业生物技术研究所牵头建设。") == []
    assert issuer_hits("中科院深圳先进院牵头建设。") == []
    assert issuer_hits("中国科学院院士出席活动。") == []
    assert issuer_hits("各地教育部门、科技部门积极参与。") == []
    assert issuer_hits("市发改委相关负责人介绍。") == []


# --- targets --------------------------------------------------------------------------------------------------------


def test_the_programme_sentence():
    assert targets(PROGRAMME) == {("20", "个", "ge", "平台"), ("200", "家", "ge", "企业"), ("400", "个", "ge", "产品")}


def test_noun_before_the_number():
    assert targets("力争到2027年，中试平台服务企业数量超过200家。") == {("200", "家", "ge", "企业")}


def test_chinese_numerals_and_bounds():
    assert targets("已完成中试项目二十余项。") == {("20", "项", SURPLUS_BOUND, "项目")}
    assert targets("已为近30家企业提供服务。") == {("30", "家", "approx", "企业")}
    assert targets("每年开展培训不少于10次。") == {("10", "次", "ge", "")}  # 培训 is not a counted noun we know
    assert targets("计划建设约5个中试平台。") == {("5", "个", "approx", "平台")}
    assert targets("入驻企业达到8家。") == {("8", "家", "eq", "企业")}
    assert targets("吸引一百二十家企业入驻，两百家企业签约。") == {("120", "家", "eq", "企业"), ("200", "家", "eq", "企业")}
    assert targets("新增一百零五家企业。") == {("105", "家", "eq", "企业")}


def test_noun_found_or_empty_never_wrong():
    (t,) = targets("到2030年，建成国家级生物农业中试基地30家左右。")
    assert t[:3] == ("30", "家", "approx") and t[3] in ("基地", "")
    (t,) = targets("吸引2000余名市民参观实验室。")
    assert t[3] != "实验室"


def test_list_members_inherit_the_noun():
    assert targets("首批平台共9家，其中深圳5家、广州3家、珠海1家。") == {
        ("9", "家", "eq", "平台"), ("5", "家", "eq", "平台"), ("3", "家", "eq", "平台"), ("1", "家", "eq", "平台")
    }


@pytest.mark.parametrize("text", [
    "2027年", "2025年6月11日", "设备投资的30%", "百分之二十的企业", "提高3个百分点", "总投资5亿元", "联系电话：0531-86912345",
    "工信厅联消费〔2025〕12号", "公示期为5个工作日", "6个月内完成", "第三批名单", "唯一一家", "千家万户", "500升至20吨发酵罐",
])
def test_not_targets(text):
    assert targets(text) == set()


# --- dates ----------------------------------------------------------------------------------------------------------


def test_dates_in_a_notice():
    assert dates("日前，两部门印发通知，到2027年培育20个以上平台。") == {("recent", "2025-06-12"), ("target_year", "2027")}
    assert dates("日前印发通知。", published=None) == {("recent", "")}
    assert dates("2025年6月11日，山东省公布名单。") == {("date", "2025-06-11")}
    assert dates("6月11日，山东省公布名单。") == {("date", "2025-06-11")}
    assert dates("6月11日，山东省公布名单。", published=None) == set()
    assert dates("发布日期：2025-06-11") == {("date", "2025-06-11")}
    assert dates("二〇二五年六月十一日") == {("date", "2025-06-11")}


def test_periods_and_targets():
    assert dates("“十四五”期间") == {("period", "2021/2025")}
    assert dates("“十五五”时期") == {("period", "2026/2030")}
    assert dates("三年行动方案（2024—2027年）") == {("period", "2024/2027")}
    assert dates("今年上半年") == {("period", "2025-01/2025-06")}
    assert dates("公示期为2025年9月10日至9月16日。") == {("period", "2025-09-10/2025-09-16")}
    assert dates("力争到2027年底建成。") == {("target_year", "2027")}
    assert dates("预计2026年底前建成投用。") == {("target_year", "2026")}
    assert dates("截至2024年底，已建成12家。") == {("date", "2024-12")}
    assert dates("2025年前三季度") == {("period", "2025-01/2025-09")}


def test_day_deadlines_are_not_recent():
    assert dates("请于6月30日前报送。") == {("date", "2025-06-30")}
    assert dates("请于5个工作日前反馈。") == set()
    assert dates("12月28日举行。", published="2025-01-12") == {("date", "2024-12-28")}


# --- money ----------------------------------------------------------------------------------------------------------


def test_money():
    assert money("平台总投资超过5亿元。") == {("500000000", "ge")}
    assert money("首期投资1.2亿元人民币。") == {("120000000", "eq")}
    assert money("给予3000万元以上支持。") == {("30000000", "ge")}
    assert money("总投资62亿元。") == {("6200000000", "eq")}
    assert money("给予最高2000万元补贴。") == {("20000000", "le")}
    assert money("总投资约3.5亿元。") == {("350000000", "approx")}
    assert money("出厂价3000元/吨，一元化管理。") == set()


# --- offsets and the one-call API ------------------------------------------------------------------------------------

MIXED = ("日前，江苏省工业和信息化厅公布名单，平台由江南大学牵头，联合常州某企业建设，总投资超过5亿元。"
         "到2027年，平台服务企业超过200家。“十四五”以来，累计孵化项目40余项。")


def test_offsets_slice_back_to_the_evidence():
    text = normalize(MIXED)
    hits = find_entities(text, find_orgs(text, "zh"), published="2025-06-12")
    assert {h.field for h in hits} == {"host", "issuer", "target", "date", "money"}
    for h in hits:
        assert 0 <= h.start < h.end <= len(text)
        assert text[h.start : h.end].strip() == text[h.start : h.end]
    evidence = {(h.field, text[h.start : h.end]) for h in hits}
    assert {("host", "江南大学"), ("issuer", "江苏省工业和信息化厅"), ("money", "超过5亿元"), ("target", "超过200家"),
            ("target", "40余项"), ("date", "到2027年"), ("date", "十四五"), ("date", "日前")} <= evidence


def test_entity_tags_deduplicate_and_order():
    original = {"title": "华熙生物与济南高新区共建中试平台 服务企业50家以上",
                "body": "日前，华熙生物科技股份有限公司与济南高新区签约，共建中试平台，服务企业50家以上。"}
    norm = {k: normalize(v) for k, v in original.items()}
    orgs = {k: find_orgs(v, "zh") for k, v in norm.items()}
    tags = entity_tags(norm, original, orgs, published="2025-05-09")
    assert [t.field for t in tags] == ["host", "host", "target", "date", "date"]
    assert {t.value for t in tags if t.field == "host"} == {"华熙生物科技股份有限公司", "济南高新区"}  # longest mention
    assert [(t.value, t.part) for t in tags if t.field == "target"] == [("50", "title")]
    assert [(t.part, t.attr("kind")) for t in tags if t.field == "date"] == [("meta", "published"), ("body", "recent")]
    for t in tags:
        assert t.evidence == (original[t.part][t.start : t.end] if t.part != "meta" else "")


def test_english_text_gives_no_hits():
    text = "MIIT will cultivate more than 20 platforms by 2027 with Jiangnan University."
    assert find_hosts(text) == [] and find_issuers(text) == []


# --- data files -----------------------------------------------------------------------------------------------------


def test_institutions_file():
    rows = resources.read_tsv("institutions.tsv")
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names))
    assert all(r["type"] in hosts.TYPES and r["name_en"] and r["source"] for r in rows)
    assert sum(r["type"] == "university" for r in rows) >= 147
    assert all(normalize(n) == n for n in names)  # canonical names are Simplified
    terms = hosts.institutions()  # raises DataError if one term names two institutions
    aliases = resources.read_tsv("aliases.tsv")
    assert all(r["source"] for r in aliases)
    for r in aliases:
        assert terms[r["alias"]].name == r["name"] and r["alias"] != r["name"]
    assert terms["大连化物所"].name == "中国科学院大连化学物理研究所"
    assert terms["中科院青岛能源所"].name == "中国科学院青岛生物能源与过程研究所"


def test_issuers_file():
    rows = resources.read_tsv("issuers.tsv")
    assert {r["kind"] for r in rows} == {"national", "local"}
    for kind in ("national", "local"):
        keys = [k for r in rows if r["kind"] == kind for k in (r["name"], *filter(None, r["aliases"].split("|")))]
        assert len(keys) == len(set(keys)), kind
    national = [r for r in rows if r["kind"] == "national"]
    assert all(r["abbr"] and r["name_en"] for r in national)
    assert len({r["abbr"] for r in national}) == len(national)
    assert {b.abbr for b in issuers.bodies()} >= {"MIIT", "NDRC", "MOST", "MOF", "MARA", "NMPA", "NHC", "SAMR", "CAS"}


# --- throughput -----------------------------------------------------------------------------------------------------


def test_throughput_on_1000_char_texts():
    text = normalize((MIXED + PROGRAMME + "11月6日，浙江大学杭州国际科创中心生物制造中试平台投入运行，首批已有12家企业签约入驻。") * 5)[:1000]
    orgs = find_orgs(text, "zh")
    find_entities(text, orgs, published="2025-06-12")  # load data, compile patterns
    n = 100
    t0 = time.perf_counter()
    for _ in range(n):
        find_entities(text, orgs, published="2025-06-12")
    per_text = (time.perf_counter() - t0) / n
    assert per_text < 0.05  # measured about 2 ms; this only catches a pathological pattern
