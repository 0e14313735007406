"""translate.check(): every number, year and agency of the Chinese must survive into any engine's English."""

from __future__ import annotations

import pytest

import translate
from translate import check, missing_numbers, number_words

NOTICE = (
    "工业和信息化部、国家发展改革委日前发布通知，提出到2027年，培育生物制造中试能力建设平台20个以上，"
    "服务企业数量超过200家，孵化产品400个以上。"
)
MIIT = "Ministry of Industry and Information Technology (MIIT)"
NDRC = "National Development and Reform Commission (NDRC)"
NOTICE_EN = (
    f"The {MIIT} and the {NDRC} recently issued a notice proposing that by 2027, 20 or more biomanufacturing "
    "pilot-scale capability-building platforms be cultivated, serving more than 200 enterprises and incubating "
    "400 or more products."
)
# The same notice with its numbers written in Chinese characters.
NOTICE_CN = (
    "工业和信息化部、国家发展改革委日前发布通知，提出到二〇二七年，培育生物制造中试能力建设平台二十个以上，"
    "服务企业数量超过两百家，孵化产品四百个以上。"
)
NOTICE_CN_WORDS = NOTICE_EN.replace("20 or more", "twenty or more").replace("200", "two hundred").replace(
    "400", "four hundred"
)


# --- the notice ---------------------------------------------------------------------------------


def test_faithful_translation_passes() -> None:
    assert check(NOTICE, NOTICE_EN) == []


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        ("by 2027", "by then", ["2027"]),
        ("more than 200 enterprises", "many enterprises", ["200"]),
        ("20 or more", "several", ["20"]),
        (MIIT, "industry ministry", ["MIIT"]),
        (NDRC, "planning agency", ["NDRC"]),
    ],
)
def test_each_dropped_fact_is_reported(old: str, new: str, missing: list[str]) -> None:
    assert old in NOTICE_EN
    assert check(NOTICE, NOTICE_EN.replace(old, new)) == missing


def test_misses_come_in_source_order_without_repeats() -> None:
    assert check(NOTICE, "A notice.") == ["MIIT", "NDRC", "2027", "20", "200", "400"]
    assert check(NOTICE + NOTICE, "A notice.") == ["MIIT", "NDRC", "2027", "20", "200", "400"]
    assert check(NOTICE_CN, "A notice.") == [
        "MIIT",
        "NDRC",
        "二〇二七年 (2027)",
        "二十个 (20)",
        "两百家 (200)",
        "四百个 (400)",
    ]
    assert check(NOTICE, "A notice.") == check(NOTICE, "A notice.")  # deterministic


@pytest.mark.parametrize(
    "miit",
    ["Ministry of Industry and Information Technology", "MIIT", "the ministry of industry and information technology"],
)
def test_entity_may_appear_as_name_or_abbreviation_in_any_case(miit: str) -> None:
    assert check(NOTICE, NOTICE_EN.replace(MIIT, miit)) == []


def test_chinese_numerals_pass_as_digits_or_words() -> None:
    assert check(NOTICE_CN, NOTICE_EN) == []
    assert check(NOTICE_CN, NOTICE_CN_WORDS) == []
    assert check(NOTICE_CN, NOTICE_CN_WORDS.replace("two hundred", "two-hundred")) == []


@pytest.mark.parametrize(
    ("old", "old_in_words", "new", "missing"),
    [
        ("400 or more products", "four hundred or more products", "products", ["四百个 (400)"]),
        ("more than 200 enterprises", "more than two hundred enterprises", "enterprises", ["两百家 (200)"]),
        ("20 or more", "twenty or more", "some", ["二十个 (20)"]),
        ("by 2027", "by 2027", "by then", ["二〇二七年 (2027)"]),
        # A year must appear as digits.
        ("by 2027", "by 2027", "by two thousand twenty-seven", ["二〇二七年 (2027)"]),
    ],
)
def test_a_missing_chinese_numeral_is_reported(old: str, old_in_words: str, new: str, missing: list[str]) -> None:
    assert check(NOTICE_CN, NOTICE_EN.replace(old, new)) == missing
    assert old_in_words in NOTICE_CN_WORDS
    assert check(NOTICE_CN, NOTICE_CN_WORDS.replace(old_in_words, new)) == missing


def test_gloss_engine_output_passes() -> None:
    gloss = translate.load_translator("gloss")
    for zh in (NOTICE, NOTICE_CN):
        (en,) = gloss.translate([zh])
        assert check(zh, en) == [], en


# --- Chinese numerals: what is a quantity and how it may be written -----------------------------


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("“十五五”期间", "during the 15th Five-Year Plan period"),  # 十五五 is a plan, not a number
        ("“十五五”期间", "in the coming five years"),
        ("十分重要", "very important"),  # 十分 "very"
        ("建设一个平台", "build a platform"),  # 一个 "a"
        ("一批项目", "a batch of projects"),
        ("千万不要", "by no means"),
        ("数百家企业", "hundreds of enterprises"),
        ("唯一一家", "the only one"),
        ("二十大报告", "the report to the 20th CPC National Congress"),
        ("五台县", "Wutai County"),  # a place name, not five machines
        ("第三批", "the third batch"),
        ("第三批", "batch 3"),
        ("五千万元", "50 million yuan"),
        ("五千万元", "fifty million yuan"),
        ("五千万元", "50,000,000 yuan"),
        ("三亿五千万元", "350 million yuan"),
        ("一百二十项标准", "one hundred and twenty standards"),
        ("一百多家", "more than a hundred"),
        ("十余年", "over a decade"),
        ("三十多个", "more than 30"),
        ("十一个", "eleven"),
        ("两倍", "twice"),
        ("三年行动计划", "a three-year action plan"),
        ("二〇二五年六月十一日", "June 11, 2025"),
        ("二〇二五年六月十一日", "on the eleventh of June 2025"),
        ("一九九八年", "in 1998"),
        ("六月一日", "June 1"),
        ("二十以上", "20 or more"),
    ],
)
def test_chinese_numeral_renderings_accepted(zh: str, en: str) -> None:
    assert check(zh, en) == []


@pytest.mark.parametrize(
    ("zh", "en", "missing"),
    [
        ("二〇二五年六月十一日", "June 2025", ["十一日 (11)"]),
        ("二〇二五年六月十一日", "the 11th", ["二〇二五年 (2025)", "六月 (6)"]),
        ("五千万元", "5 million yuan", ["五千万元 (50000000)"]),
        ("第三批", "the second batch", ["第三批 (3)"]),
        ("三十多个", "dozens", ["三十多个 (30)"]),
        ("二十以上", "many", ["二十以上 (20)"]),
        ("两个平台", "platforms", ["两个 (2)"]),
    ],
)
def test_chinese_numeral_misses(zh: str, en: str, missing: list[str]) -> None:
    assert check(zh, en) == missing


# --- entities -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("财政部门给予补助", "finance departments give subsidies"),  # 财政部门 is not 财政部
        ("海南省人民政府", "Hainan Province People's Government"),
        ("各省、自治区、直辖市人民政府", "the people's governments of all provinces and municipalities"),
        ("新华社北京6月11日电", "BEIJING, June 11 (Xinhua) --"),
        ("中共中央、国务院印发", "The CPC Central Committee and the State Council issued"),
        ("国家发改委", "the NDRC"),
    ],
)
def test_entity_renderings_accepted(zh: str, en: str) -> None:
    assert check(zh, en) == []


def test_entity_misses_are_labelled_by_abbreviation_or_name() -> None:
    assert check("财政部、国务院发布", "issued") == ["MOF", "State Council"]
    assert check("中共中央印发", "issued") == ["CPC Central Committee"]


# --- the existing digit check is unchanged ------------------------------------------------------


def test_missing_numbers_unchanged() -> None:
    en = "MIIT and NDRC: by 2027, 20 or more platforms, more than 200 firms, 400 or more products."
    assert missing_numbers(NOTICE, en) == []
    assert missing_numbers(NOTICE, en.replace("200", "two hundred")) == ["200"]
    assert missing_numbers(NOTICE, "in 20270, 200 platforms, 400 products") == ["2027", "20"]
    assert missing_numbers(NOTICE_CN, "") == []  # Chinese numerals are check()'s business
    assert check("投资1.5亿元，6月完成", "150 million yuan invested, finished in June") == []


@pytest.mark.parametrize(
    ("n", "cardinal", "ordinal"),
    [
        (2, "two", "second"),
        (12, "twelve", "twelfth"),
        (20, "twenty", "twentieth"),
        (21, "twenty one", "twenty first"),
        (120, "one hundred twenty", "one hundred twentieth"),
        (35000, "thirty five thousand", "thirty five thousandth"),
        (50_000_000, "fifty million", "fifty millionth"),
    ],
)
def test_number_words(n: int, cardinal: str, ordinal: str) -> None:
    assert number_words(n) == cardinal
    assert number_words(n, ordinal=True) == ordinal
