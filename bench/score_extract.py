"""Score the tagger (extract.record.tag_record) against a labelled set: the self-written tests/fixtures/extract_dev.jsonl
(the default, unit-test material) or, with --data tests/fixtures/extract_real.jsonl, the real set — the measure.

Labels follow ../shared/LABELS.md: fields are filled whenever a platform is mentioned (not only for announcements),
issuers whenever the item reports a policy, call or list; municipalities are province and city at once. Besides the
per-field table it prints the announcement P/R/F1 at each threshold of ``announcement_score`` and per-platform
linking: the share of gold platform records for which a predicted record has host, place and sector all right
(overall and on list items).

    .venv/bin/python bench/score_extract.py                     # tables for dev, test and all
    .venv/bin/python bench/score_extract.py --split dev --errors
    .venv/bin/python bench/score_extract.py --split all --json

Importable: ``load_items()``, ``evaluate(items)`` → ``{"metrics": {field: {...}}, "errors": [...]}``,
``score_split(split)`` and the vocabularies used by tests/test_extract_dev.py.

Dataset
=======
One JSON object per line: ``id``, ``split`` (dev | test), ``kind``, ``lang`` (zh | zh-Hant | en), ``title``, ``text``,
``published`` (YYYY-MM-DD or null), ``url`` (null) and ``gold``. The texts are original, written for this set (they are
not copies of real articles). The ``test`` items were labelled before any tagger output was seen; do not tune rules on
them, only report them.

``kind`` says which case an item exercises:
  pos:programme   national programme notice or statement (MIIT/NDRC 生物制造中试能力建设平台 …)
  pos:policy      provincial / municipal support policy or recognition notice for bio pilot platforms
  pos:list        a list, 名单 or 公示 of recognised platforms (national or provincial)
  pos:opening     a platform opens, is inaugurated (揭牌/启用/投运/落成)
  pos:groundbreaking  construction starts (开工/奠基)
  pos:signing     an agreement to co-build a platform (签约共建)
  pos:progress    a report on what an existing platform has done
  neg:general_manufacturing  pilot platforms/bases for 新材料/高端装备/制造业 in general (bio at most one of many fields)
  neg:demo_base   示范基地 (another facility kind)
  neg:industrial_park  产业园 openings and construction
  neg:process_step  中试 as a process step (完成中试, 中试放大, 千吨级中试, 中试线)
  neg:demo_platform  示范平台 lists
  neg:passing_mention  a bio pilot platform is named, but the item is about something else (financing, statistics,
                       a firm's 中试 run done at a platform)
  neg:unrelated   anything else, including place-name traps (北京市朝阳区 vs 长春市朝阳区) and bio news with no platform

Labelling guideline (what counts for each gold field)
=====================================================
is_platform_announcement
    True when the item's main subject is one or more biomanufacturing pilot-scale platforms / bases / centres
    (生物制造中试平台, 中试基地, 中试服务平台, 中试能力建设平台; also sector-named ones such as 生物医药中试平台,
    一碳生物制造中试基地, 植物底盘细胞中试平台) or the programme that creates them: programme notices, calls for
    applications, support policies, lists and 公示, openings, groundbreakings, co-building agreements, progress reports.
    False when biomanufacturing is only one of several fields of a general-manufacturing pilot policy, when the facility
    is another kind (示范基地, 产业园, 示范平台), when 中试 is a process step, or when a platform is only mentioned.
mentions_pilot_platform
    True when the text names any pilot-scale platform, base or centre as a facility (any sector, so general-manufacturing
    中试平台/中试基地 count) or the pilot-platform programme, even in passing. 中试 as a process step (完成中试,
    中试放大), a firm's own 中试线 or 小试车间, 示范基地 and 示范平台 do not count.

The fields below describe the platform(s) or programme the item mentions (LABELS.md; the self-written set was
relabelled to that rule, see tests/test_extract_dev.py) and are empty when no platform is mentioned (issuers excepted).

sectors
    Ids from extract.model.SECTORS for the focus fields stated for the platform(s) / programme, including fields implied
    by a named product when the product's field is unambiguous: 功能糖, 酵母, 氨基酸, 维生素, 替代/微生物蛋白,
    食品配料 → food_additives; 医药中间体, 抗体, 疫苗, 紫杉醇, 中药 → biopharma; 化妆品(活性)原料, 透明质酸,
    重组胶原蛋白 → cosmetics; 生物基化学品/材料, 尼龙, PLA/PHA, 1,3-丙二醇, 乳酸, 乙二醇 → chemicals; 燃料乙醇,
    生物燃料, 生物航煤, 生物天然气 → energy; 酶制剂, 工业酶, 酶工程 → enzymes; 秸秆, 木质纤维素, 甘蔗渣 →
    feedstock_lignocellulose; 一碳, CO2, 甲醇, CO → feedstock_c1; 植物底盘细胞, 植物细胞培养 → plant_chassis_cells.
    Generic words (合成生物, 生物制造, 发酵) give no sector. Context about a region's industry ("广东在生物医药…具备
    完整产业链") is not the platform's focus and gives no sector.
provinces / cities
    English names (provinces as in zhtext/data/provinces.tsv: "Shandong", "Inner Mongolia"; cities: pinyin without
    suffix: "Jinan", "Hohhot", see CITIES below) of where the platform(s) are or will be, as stated in the text
    outside organisation names: an explicit place (济南市历城区 → Jinan + Shandong), a development zone or new area
    mapped to its city (东湖高新区 → Wuhan, 青岛西海岸新区 → Qingdao, 北京经济技术开发区 → Beijing, 苏州工业园区 →
    Suzhou), or the jurisdiction of the issuing government body (山东省工业和信息化厅's list → Shandong). A city implies
    its province, which is always listed too. The four municipalities are provinces only (no city). Counties and
    districts are not labelled. A place that appears only inside a non-government organisation's name (南京工业大学,
    中国科学院天津工业生物技术研究所) is not a platform location: it goes to places_mentioned.
places_mentioned
    Provinces and cities named in the text (by English name, as above) that are not platform locations. For an
    announcement these are places inside organisation names or otherwise not the platform's (e.g. Tianjin for the
    Tianjin CAS institute co-building a Shandong platform; Hong Kong in 香港科技大学（广州）). For a non-announcement,
    every province and city named, including inside organisation names, plus zones mapped to their city (武汉东湖高新区
    → Wuhan). Only names actually written count (a city does not add its province here).
hosts
    Organisations that build, operate or co-build the platform (依托/牵头/建设/运营/共建/签约共建 units): universities,
    CAS and other institutes, companies, parks, zones and park management committees (管委会). Not hosts: issuers,
    district/city governments, officials who attend, unnamed firms (某企业). The name as written at its first full
    mention (Traditional stays Traditional; English items use the English name), without a leading address chain
    (江苏省常州市金坛区华罗庚科技园 → 华罗庚科技园) and without a parenthetical alias (齐鲁工业大学（山东省科学院） →
    齐鲁工业大学; BioBAY dropped), but keeping a parenthesis that is part of the official name (香港科技大学（广州）,
    上海张江（集团）有限公司). Scored exactly and relaxed (one name contains the other).
issuers
    Bodies that issue the notice, policy, list or recognition the item reports, or speak for the programme. National
    bodies by abbreviation (MIIT, NDRC, … see ISSUER_ABBRS); others by their Chinese name as written, with 办公厅/办公室
    folded to the parent (山东省人民政府办公厅 → 山东省人民政府) and a ministry's 司 folded to the ministry
    (工业和信息化部消费品工业司 → MIIT). English items use the same Chinese name. Co-builders, attendees and event
    organisers are not issuers.
targets
    "value|bound|noun" for every count of platforms, firms, products, projects, bases or service bodies tied to the
    platform(s) or programme: goals (到2027年…20个以上), list sizes (共8家平台入选), sub-counts (其中武汉4家),
    achievements (已服务企业30余家) and eligibility thresholds (服务企业不少于20家). value in digits (二十余 → 20,
    eight → 8); bound: 以上/超过/逾/余/多/不少于/突破/more than → ge; 近/约/左右/about → approx; 不超过/以内/最高 → le;
    otherwise eq. noun from TARGET_NOUNS (平台, 企业, 产品, 项目, 机构, 基地 …; English nouns are labelled in Chinese).
    Not targets: capacities (千吨级, 500吨, 2000升), counts of provinces/regions, percentages, money, years.
    Also scored value-only ("targets_value").
dates
    "kind:value". recent:<published> for 日前/近日/近期/recently (not labelled when published is null);
    date:YYYY-MM-DD / YYYY-MM / YYYY for explicit calendar expressions about the item, at the precision written
    (9月18日 takes the published year; 2025年省级…名单 → date:2025; deadlines such as 7月31日前 → date:2025-07-31);
    target_year:YYYY for goals and completion deadlines (到2027年, 力争2030年, 预计2026年底前建成, 2026年6月建成);
    period:YYYY/YYYY for plan periods (十四五 → 2021/2025, 十五五 → 2026/2030, 2025—2027年 → 2025/2027) and
    period:YYYY-MM-DD/YYYY-MM-DD for explicit date ranges (公示期). Relative spans (近三年, 三年内, 明年) and the
    publication date itself are not labelled. Predictions of kind "published" are ignored.
money
    "yuan|bound" for investment or funding amounts tied to the platform(s) or programme (总投资超过5亿元 →
    500000000|ge, 最高2000万元 → 20000000|le, 约3.5亿元 → 350000000|approx). Same bound rules as targets.

Matching (prediction → canonical strings)
=========================================
sectors by id; provinces/cities/places by GB/T 2260 code when the code is known here, else by English or Chinese name;
hosts and issuers after NFKC, Traditional→Simplified (character table below) and case folding (relaxed hosts: one
contains the other, the shorter having at least 3 characters); issuers by abbreviation
when the tag's abbr (or its Chinese name) is a known national body, else by name; targets as value|bound|noun with the
noun reduced to the TARGET_NOUNS word it contains; dates as kind:value with "<=" stripped, target years cut to the year
and whole-year ranges cut to years; money as integer yuan|bound. Micro P/R/F1 per field: per item set intersection,
summed over items. Binary fields are P/R/F1 of the positive class.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "tests" / "fixtures" / "extract_dev.jsonl"

SECTOR_IDS = (
    "food_additives", "biopharma", "cosmetics", "chemicals", "energy", "enzymes", "feedstock_lignocellulose",
    "feedstock_c1", "plant_chassis_cells",
)

KINDS = (
    "pos:programme", "pos:policy", "pos:list", "pos:opening", "pos:groundbreaking", "pos:signing", "pos:progress",
    "neg:general_manufacturing", "neg:demo_base", "neg:industrial_park", "neg:process_step", "neg:demo_platform",
    "neg:passing_mention", "neg:unrelated",
)
LANGS = ("zh", "zh-Hant", "en")
SPLITS = ("dev", "test")

# GB/T 2260 code → (English name as emitted in tags, Chinese full name)
PROVINCES: dict[str, tuple[str, str]] = {
    "110000": ("Beijing", "北京市"), "120000": ("Tianjin", "天津市"), "130000": ("Hebei", "河北省"),
    "140000": ("Shanxi", "山西省"), "150000": ("Inner Mongolia", "内蒙古自治区"), "210000": ("Liaoning", "辽宁省"),
    "220000": ("Jilin", "吉林省"), "230000": ("Heilongjiang", "黑龙江省"), "310000": ("Shanghai", "上海市"),
    "320000": ("Jiangsu", "江苏省"), "330000": ("Zhejiang", "浙江省"), "340000": ("Anhui", "安徽省"),
    "350000": ("Fujian", "福建省"), "360000": ("Jiangxi", "江西省"), "370000": ("Shandong", "山东省"),
    "410000": ("Henan", "河南省"), "420000": ("Hubei", "湖北省"), "430000": ("Hunan", "湖南省"),
    "440000": ("Guangdong", "广东省"), "450000": ("Guangxi", "广西壮族自治区"), "460000": ("Hainan", "海南省"),
    "500000": ("Chongqing", "重庆市"), "510000": ("Sichuan", "四川省"), "520000": ("Guizhou", "贵州省"),
    "530000": ("Yunnan", "云南省"), "540000": ("Tibet", "西藏自治区"), "610000": ("Shaanxi", "陕西省"),
    "620000": ("Gansu", "甘肃省"), "630000": ("Qinghai", "青海省"), "640000": ("Ningxia", "宁夏回族自治区"),
    "650000": ("Xinjiang", "新疆维吾尔自治区"), "710000": ("Taiwan", "台湾省"),
    "810000": ("Hong Kong", "香港特别行政区"), "820000": ("Macao", "澳门特别行政区"),
}
PROVINCE_NAMES = frozenset(en for en, _ in PROVINCES.values())

# The cities the gold uses: English name → (GB/T 2260 code, Chinese name, province). Prefecture-level cities come from
# the project's GB/T 2260 tables (zhtext/data) wherever their English name is unique; _CITY_CODES names the rest by
# code: names two prefectures share (the labels mean the one given) and county-level cities, which the county table
# does not romanise. Add a row there when a label needs one.
_CITY_CODES = {
    "Suzhou": "320500", "Taizhou": "321200", "Fuzhou": "350100", "Yulin": "610800",  # not 宿州, 台州, 抚州, 玉林
    "Jinshi": "430781", "Yucheng": "371482", "Changshu": "320581", "Kunshan": "320583", "Liuyang": "430181",
    "Pingdu": "370283", "Taicang": "320585", "Taixing": "321283", "Wusu": "654202", "Yongkang": "330784",
    "Yushu": "220182", "Zhangjiagang": "320582", "Zhaodong": "231282", "Shouguang": "370783", "Zouping": "371681",
    "Zhucheng": "370782", "Qingzhou": "370781", "Xinghua": "321281", "Rugao": "320682",
}
# Beijing, Tianjin, Shanghai and Chongqing are both province and city (LABELS.md), under the province's code.
_MUNICIPALITIES = ("110000", "120000", "310000", "500000")


def _admin_table(name: str) -> list[dict[str, str]]:
    lines = (ROOT / "zhtext" / "data" / name).read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader((line for line in lines if line and not line.startswith("#")), delimiter="\t"))


def _cities() -> dict[str, tuple[str, str, str]]:
    province = {code: en for code, (en, _) in PROVINCES.items()}
    prefectures = _admin_table("cities.tsv")
    named: dict[str, list[dict[str, str]]] = {}
    for row in prefectures:
        named.setdefault(row["name_en"], []).append(row)
    table = {en: (rows[0]["code"], rows[0]["name"], province[rows[0]["province_code"]])
             for en, rows in named.items() if len(rows) == 1}
    by_code = {row["code"]: row["name"] for row in prefectures + _admin_table("counties.tsv")}
    table.update({en: (code, by_code[code], province[code[:2] + "0000"]) for en, code in _CITY_CODES.items()})
    table.update({PROVINCES[code][0]: (code, PROVINCES[code][1], PROVINCES[code][0]) for code in _MUNICIPALITIES})
    return table


CITIES: dict[str, tuple[str, str, str]] = _cities()

# National issuing bodies: abbreviation → Chinese names (a prediction with one of these names scores as the abbr).
ISSUER_ABBRS: dict[str, tuple[str, ...]] = {
    "MIIT": ("工业和信息化部", "工信部"),
    "NDRC": ("国家发展改革委", "国家发展和改革委员会", "国家发改委"),
    "MOST": ("科学技术部", "科技部"),
    "MOF": ("财政部",),
    "MARA": ("农业农村部",),
    "MOE": ("教育部",),
    "MOFCOM": ("商务部",),
    "NHC": ("国家卫生健康委员会", "国家卫生健康委", "国家卫健委"),
    "NMPA": ("国家药品监督管理局", "国家药监局"),
    "SAMR": ("国家市场监督管理总局", "市场监管总局"),
    "NEA": ("国家能源局",),
    "CAS": ("中国科学院", "中科院"),
    "State Council": ("国务院",),
    "SASAC": ("国务院国有资产监督管理委员会", "国务院国资委"),
}

TARGET_NOUNS = ("平台", "企业", "产品", "项目", "机构", "基地", "中心", "成果", "团队", "人才", "标准", "技术", "服务")
BOUNDS = ("ge", "approx", "eq", "le")
DATE_KINDS = ("recent", "date", "target_year", "period")

# English nouns in predicted targets → the canonical Chinese noun
_EN_NOUNS = {
    "platform": "平台", "facility": "平台", "facilities": "平台", "site": "平台", "company": "企业",
    "companies": "企业", "firm": "企业", "enterprise": "企业", "business": "企业", "product": "产品",
    "project": "项目", "institution": "机构", "organisation": "机构", "organization": "机构", "base": "基地",
    "centre": "中心", "center": "中心",
}
_BOUND_ALIASES = {"gte": "ge", ">=": "ge", "≥": "ge", "gt": "ge", ">": "ge", "about": "approx", "~": "approx",
                  "≈": "approx", "lte": "le", "<=": "le", "≤": "le", "lt": "le", "<": "le", "=": "eq", "": "eq"}

# Traditional → Simplified, one character each (from OpenCC t2s, restricted to the characters the set needs plus
# common ones in organisation names); built in so the scores do not depend on an optional package.
_T = ("並來個備價儀億內兩創劃劑動務勵區協參員啟單國園圖團妝學實寧將專島嶼幣庫廈廠廣廳張彥態慶據數於晉書會東業構標樣"
      "機檢氣測準滬漢漿濟灣為無營爾牽現環瓊產發監種粵糧級紡絡絲經綠維網線縣總織纖聯腦臺與舉華萬藥蘇處術衛裝製規計訊"
      "設試該認證護財貴貿資質贛車軟輕轉農進過選遼鄉鄭醣醫釀銷鋼錢錫鎮鏈鐵長門開間閩關陝陸陽隊雲電項預領頭駐驗體魯點龍")
_S = ("并来个备价仪亿内两创划剂动务励区协参员启单国园图团妆学实宁将专岛屿币库厦厂广厅张彦态庆据数于晋书会东业构标样"
      "机检气测准沪汉浆济湾为无营尔牵现环琼产发监种粤粮级纺络丝经绿维网线县总织纤联脑台与举华万药苏处术卫装制规计讯"
      "设试该认证护财贵贸资质赣车软轻转农进过选辽乡郑糖医酿销钢钱锡镇链铁长门开间闽关陕陆阳队云电项预领头驻验体鲁点龙")
assert len(_T) == len(_S)
_T2S = str.maketrans(_T, _S)

BINARY_FIELDS = ("is_platform_announcement", "mentions_pilot_platform")
SET_FIELDS = ("sectors", "provinces", "cities", "places_mentioned", "hosts", "issuers", "targets", "targets_value",
              "dates", "money")
FIELDS = BINARY_FIELDS + ("sectors", "provinces", "cities", "places_mentioned", "hosts", "hosts_relaxed", "issuers",
                          "targets", "targets_value", "dates", "money")


# ------------------------------------------------------------------------------------------------ normalisation
def fold(text: str) -> str:
    """NFKC, Traditional→Simplified, no whitespace, case-folded: the form names are compared in."""
    text = unicodedata.normalize("NFKC", text or "").translate(_T2S)
    return re.sub(r"\s+", " ", text).strip().casefold()


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


_PLACE_BY_CODE: dict[str, str] = {code: en for code, (en, _) in PROVINCES.items()}
_PLACE_BY_CODE.update({code: en for en, (code, _, _) in CITIES.items()})
_PLACE_BY_NAME: dict[str, str] = {}
for _code, (_en, _zh) in PROVINCES.items():
    _PLACE_BY_NAME[_letters(_en)] = _en
    _PLACE_BY_NAME[fold(_zh)] = _en
for _en, (_code, _zh, _prov) in CITIES.items():
    _PLACE_BY_NAME[_letters(_en)] = _en
    _PLACE_BY_NAME[fold(_zh)] = _en
_PLACE_BY_NAME.update({"xizang": "Tibet", "macau": "Macao", "neimongol": "Inner Mongolia"})


def place_key(pred: Any) -> str:
    """A predicted place (dict with name/code, or a string) → English name when known, else its name as given."""
    if isinstance(pred, Mapping):
        code = str(pred.get("code") or "")
        if code in _PLACE_BY_CODE:
            return _PLACE_BY_CODE[code]
        name = str(pred.get("name") or pred.get("value") or "")
    else:
        name = str(pred)
    for key in (_letters(name), fold(name)):
        if key and key in _PLACE_BY_NAME:
            return _PLACE_BY_NAME[key]
    return name


_NATIONAL_BY_NAME = {fold(name): abbr for abbr, names in ISSUER_ABBRS.items() for name in names}
_ABBR_FOLDED = {fold(abbr): abbr for abbr in ISSUER_ABBRS}
_UNIT_SUFFIX = re.compile(r"(\([^)]*\)|办公厅|办公室|(?<=[部委局署])[\u4e00-\u9fff]{2,10}司)$")


def issuer_key(value: str, abbr: str = "") -> str:
    """Issuer → abbr for a known national body, else its folded Chinese name (办公厅 and a ministry's 司 folded)."""
    name = fold(value)
    if fold(abbr) in _ABBR_FOLDED:
        return _ABBR_FOLDED[fold(abbr)]
    if name in _ABBR_FOLDED:
        return _ABBR_FOLDED[name]
    while True:
        if name in _NATIONAL_BY_NAME:
            return _NATIONAL_BY_NAME[name]
        stripped = _UNIT_SUFFIX.sub("", name)
        if stripped == name or not stripped:
            return name
        name = stripped


def host_key(value: str) -> str:
    """A host's folded name, through the tagger's alias table (青岛能源所 → 中国科学院青岛生物能源与过程研究所), so a
    short form written in the text and its canonical full name are the same host (LABELS.md)."""
    name = fold(value).strip(" ,.;:，。；：、")
    return fold(_canonical_host(name) or name)


def _canonical_host(name: str) -> str | None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from extract.hosts import canonical_name
    except ImportError:  # a revision before the alias table (bench/real_text.py --baseline): names as written
        return None
    return canonical_name(name)


def _number(value: Any) -> str:
    text = fold(str(value)).replace(",", "").replace("，", "")
    try:
        num = float(text)
    except ValueError:
        return text
    return str(int(num)) if num == int(num) else str(num)


def noun_key(noun: str) -> str:
    noun = fold(noun)
    for word in sorted(TARGET_NOUNS, key=len, reverse=True):
        if word in noun:
            return word
    for word in re.findall(r"[a-z]+", noun):
        base = word[:-1] if word.endswith("s") and word[:-1] in _EN_NOUNS else word
        if base in _EN_NOUNS:
            return _EN_NOUNS[base]
    return noun


def bound_key(bound: Any) -> str:
    b = fold(str(bound or ""))
    return _BOUND_ALIASES.get(b, b)


def target_key(pred: Any) -> tuple[str, str]:
    """→ ("value|bound|noun", "value")."""
    if not isinstance(pred, Mapping):
        value = _number(pred)
        return f"{value}|eq|", value
    value = _number(pred.get("value", ""))
    return f"{value}|{bound_key(pred.get('bound'))}|{noun_key(str(pred.get('noun') or ''))}", value


_YEAR_RANGE = re.compile(r"^(\d{4})-01-01/(\d{4})-12-31$")


def date_key(pred: Any) -> str | None:
    """→ "kind:value", or None for the publication date (metadata, not extracted)."""
    if not isinstance(pred, Mapping):
        return str(pred)
    kind = str(pred.get("kind") or "date")
    if kind == "published":
        return None
    value = re.sub(r"^(<=|≤|<|~)", "", str(pred.get("value") or "").strip())
    if kind == "target_year":
        m = re.match(r"\d{4}", value)
        value = m.group(0) if m else value
    elif kind == "period":
        m = _YEAR_RANGE.match(value)
        if m:
            value = f"{m.group(1)}/{m.group(2)}"
    return f"{kind}:{value}"


def money_key(pred: Any) -> str:
    if not isinstance(pred, Mapping):
        return f"{_number(pred)}|eq"
    return f"{_number(pred.get('value', ''))}|{bound_key(pred.get('bound'))}"


def canonical_prediction(rec: Mapping[str, Any]) -> dict[str, Any]:
    """tag_record output → the gold's shape (bools and sets of canonical strings)."""
    targets = [target_key(t) for t in rec.get("targets") or []]
    dates = {date_key(d) for d in rec.get("dates") or []}
    return {
        "is_platform_announcement": bool(rec.get("is_platform_announcement")),
        "mentions_pilot_platform": bool(rec.get("mentions_pilot_platform")),
        "sectors": {str(s) for s in rec.get("sectors") or []},
        "provinces": {place_key(p) for p in rec.get("provinces") or []},
        "cities": {place_key(p) for p in rec.get("cities") or []},
        "places_mentioned": {place_key(p) for p in rec.get("places_mentioned") or []},
        "hosts": {str(h.get("name", "")) if isinstance(h, Mapping) else str(h) for h in rec.get("hosts") or []},
        # a host's canonical name and the form written in the text both stand for it (青岛能源所 → 中国科学院青岛…)
        "host_forms": {str(h.get("name", "")): {str(h.get("name", "")), str(h.get("as_written") or "")} - {""}
                       for h in rec.get("hosts") or [] if isinstance(h, Mapping)},
        "issuers": {issuer_key(str(i.get("name", "")), str(i.get("abbr") or "")) if isinstance(i, Mapping)
                    else issuer_key(str(i)) for i in rec.get("issuers") or []},
        "targets": {full for full, _ in targets},
        "targets_value": {value for _, value in targets},
        "dates": {d for d in dates if d is not None},
        "money": {money_key(m) for m in rec.get("money") or []},
    }


_MUNICIPALITY_NAMES = frozenset(PROVINCES[code][0] for code in _MUNICIPALITIES)


def canonical_gold(gold: Mapping[str, Any]) -> dict[str, Any]:
    provinces = set(gold.get("provinces", []))
    return {
        "is_platform_announcement": bool(gold["is_platform_announcement"]),
        "mentions_pilot_platform": bool(gold["mentions_pilot_platform"]),
        "sectors": set(gold.get("sectors", [])),
        "provinces": set(gold.get("provinces", [])),
        # a municipality is province and city at once (LABELS.md), however the item was labelled
        "cities": set(gold.get("cities", [])) | (provinces & _MUNICIPALITY_NAMES),
        "places_mentioned": set(gold.get("places_mentioned", [])),
        "hosts": set(gold.get("hosts", [])),
        "issuers": {issuer_key(i) for i in gold.get("issuers", [])},
        "targets": set(gold.get("targets", [])),
        "targets_value": {t.split("|", 1)[0] for t in gold.get("targets", [])},
        "dates": set(gold.get("dates", [])),
        "money": set(gold.get("money", [])),
    }


# ------------------------------------------------------------------------------------------------ scoring
def _contains(a: str, b: str) -> bool:
    """One folded name contains the other; the shorter must have 3+ characters (大学 alone matches nothing)."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and short in long_


def _relaxed_matches(gold: Iterable[str], pred: Iterable[str], forms: Mapping[str, set[str]] | None = None,
                     same: Callable[[str, str], bool] | None = None
                     ) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Maximum one-to-one matching where one folded name contains the other (or ``same`` says they match; any of a
    prediction's ``forms`` may match) → (pairs, unmatched gold, unmatched pred)."""
    golds, preds = sorted(gold), sorted(pred)
    forms = forms or {}
    same = same or (lambda g, p: _contains(host_key(g), host_key(p)))
    edges = [[j for j in range(len(preds)) if any(same(golds[i], f) for f in forms.get(preds[j], {preds[j]}))]
             for i in range(len(golds))]
    match_of_pred: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in match_of_pred or augment(match_of_pred[j], seen):
                match_of_pred[j] = i
                return True
        return False

    for i in range(len(golds)):
        augment(i, set())
    pairs = [(golds[i], preds[j]) for j, i in match_of_pred.items()]
    matched_g = {i for i in match_of_pred.values()}
    return (pairs, [g for i, g in enumerate(golds) if i not in matched_g],
            [p for j, p in enumerate(preds) if j not in match_of_pred])


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "gold": tp + fn, "pred": tp + fp, "p": p, "r": r, "f1": f1}


def _place_of(value: Any) -> str | None:
    return place_key(value) if value else None


def platform_right(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    """A predicted platform record has the gold record's host(s), place and sectors all right: every gold host
    matched (relaxed, canonical or as written), province and city equal (both absent counts as equal), same sectors."""
    hosts = [h for h in pred.get("hosts") or [] if isinstance(h, Mapping)]
    names = [str(h.get("name", "")) for h in hosts]
    forms = {str(h.get("name", "")): {str(h.get("name", "")), str(h.get("as_written") or "")} - {""} for h in hosts}
    _, missed, _ = _relaxed_matches(gold.get("hosts") or [], names, forms)
    province = gold.get("province")
    city = gold.get("city") or (province if province in _MUNICIPALITY_NAMES else None)
    return (not missed and _place_of(pred.get("province")) == province and _place_of(pred.get("city")) == city
            and set(pred.get("sectors") or []) == set(gold.get("sectors") or []))


def is_list_item(item: Mapping[str, Any]) -> bool:
    """An official or local list: kind pos:list, or three or more platform records in the gold."""
    return item.get("kind") == "pos:list" or len(item["gold"].get("platforms") or []) >= 3


THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def threshold_table(scores: list[tuple[float, bool]]) -> list[dict[str, float]]:
    """Announcement P/R/F1 at each threshold, from (announcement_score, gold) pairs."""
    rows = []
    for t in THRESHOLDS:
        tp = sum(score >= t and gold for score, gold in scores)
        fp = sum(score >= t and not gold for score, gold in scores)
        fn = sum(score < t and gold for score, gold in scores)
        rows.append({"threshold": t, **{k: v for k, v in _prf(tp, fp, fn).items() if k in ("p", "r", "f1")}})
    return rows


def load_items(path: Path | str = DATASET) -> list[dict[str, Any]]:
    items = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: {e}") from e
    return items


def select(items: Iterable[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    return [it for it in items if split == "all" or it.get("split") == split]


def default_tagger() -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from extract.record import tag_record

    return tag_record


def evaluate(items: Iterable[dict[str, Any]],
             tagger: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Tag every item and score it → {"n": items, "metrics": {field: tp/fp/fn/gold/pred/p/r/f1}, "errors": [...]}.

    errors: {"field", "id", "type": "FP"|"FN", "value"} for every wrong or missed value (binary fields too)."""
    tagger = tagger or default_tagger()
    counts = {f: [0, 0, 0] for f in FIELDS}
    errors: list[dict[str, Any]] = []
    scores: list[tuple[float, bool]] = []
    links = {"records": 0, "right": 0, "list_records": 0, "list_right": 0}
    n = 0
    for it in items:
        n += 1
        record = {k: it.get(k) for k in ("id", "title", "text", "published", "url")}
        raw = tagger(record)
        pred = canonical_prediction(raw)
        gold = canonical_gold(it["gold"])
        scores.append((float(raw.get("announcement_score", pred["is_platform_announcement"])),
                       gold["is_platform_announcement"]))
        for gp in it["gold"].get("platforms") or []:
            right = any(platform_right(gp, pp) for pp in raw.get("platforms") or [])
            links["records"] += 1
            links["right"] += right
            if is_list_item(it):
                links["list_records"] += 1
                links["list_right"] += right
            if not right:
                errors.append({"field": "platform_links", "id": it["id"], "type": "FN", "value": gp.get("name")})
        for f in BINARY_FIELDS:
            g, p = gold[f], pred[f]
            c = counts[f]
            c[0] += g and p
            c[1] += p and not g
            c[2] += g and not p
            if g != p:
                errors.append({"field": f, "id": it["id"], "type": "FP" if p else "FN", "value": f"predicted {p}"})
        for f in SET_FIELDS:
            g, p = gold[f], pred[f]
            if f == "hosts":  # exact match on the folded form (canonical or as written), reporting values as written
                forms = pred["host_forms"]
                exact, fns, fps = _relaxed_matches(g, p, forms, lambda a, b: host_key(a) == host_key(b))
                counts[f][0] += len(exact)
                pairs, fn_relaxed, fp_relaxed = _relaxed_matches(g, p, forms)
                r = counts["hosts_relaxed"]
                r[0] += len(pairs)
                r[1] += len(fp_relaxed)
                r[2] += len(fn_relaxed)
                errors += [{"field": "hosts_relaxed", "id": it["id"], "type": "FP", "value": v} for v in fp_relaxed]
                errors += [{"field": "hosts_relaxed", "id": it["id"], "type": "FN", "value": v} for v in fn_relaxed]
            else:
                tp = g & p
                fps, fns = sorted(p - g), sorted(g - p)
                counts[f][0] += len(tp)
            counts[f][1] += len(fps)
            counts[f][2] += len(fns)
            errors += [{"field": f, "id": it["id"], "type": "FP", "value": v} for v in fps]
            errors += [{"field": f, "id": it["id"], "type": "FN", "value": v} for v in fns]
    return {"n": n, "metrics": {f: _prf(*counts[f]) for f in FIELDS}, "errors": errors,
            "thresholds": threshold_table(scores), "links": links}


def score_split(split: str = "all", path: Path | str = DATASET,
                tagger: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    return evaluate(select(load_items(path), split), tagger)


# ------------------------------------------------------------------------------------------------ output
def format_table(name: str, result: dict[str, Any]) -> str:
    lines = [f"split {name}: {result['n']} items",
             f"{'field':<26}{'gold':>6}{'pred':>6}{'tp':>6}{'fp':>6}{'fn':>6}{'P':>8}{'R':>8}{'F1':>8}"]
    for f in FIELDS:
        m = result["metrics"][f]
        lines.append(f"{f:<26}{m['gold']:>6}{m['pred']:>6}{m['tp']:>6}{m['fp']:>6}{m['fn']:>6}"
                     f"{m['p']:>8.3f}{m['r']:>8.3f}{m['f1']:>8.3f}")
    if "links" in result:
        lk = result["links"]
        lines.append(f"platform records with host, place and sector all right: {lk['right']}/{lk['records']}"
                     f"{lk['right'] / lk['records'] if lk['records'] else 0:>8.3f}; on list items "
                     f"{lk['list_right']}/{lk['list_records']}"
                     f"{lk['list_right'] / lk['list_records'] if lk['list_records'] else 0:>8.3f}")
    if "thresholds" in result:
        lines.append("announcement by threshold:  " + "  ".join(
            f"{row['threshold']:.1f}: P {row['p']:.2f} R {row['r']:.2f} F1 {row['f1']:.2f}"
            for row in result["thresholds"]))
    return "\n".join(lines)


def format_errors(result: dict[str, Any]) -> str:
    lines = []
    for f in (*FIELDS, "platform_links"):
        errs = [e for e in result["errors"] if e["field"] == f]
        if not errs:
            continue
        lines.append(f"-- {f}: {sum(e['type'] == 'FP' for e in errs)} FP, {sum(e['type'] == 'FN' for e in errs)} FN")
        for e in sorted(errs, key=lambda e: (e["type"], e["id"], str(e["value"]))):
            lines.append(f"   {e['type']} {e['id']:<6} {e['value']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--split", choices=("dev", "test", "all"), default="all",
                    help="which items to score; 'all' prints dev, test and all tables (default)")
    ap.add_argument("--errors", action="store_true", help="list every FP/FN per field with the item id")
    ap.add_argument("--json", action="store_true", help="print the metrics (and errors with --errors) as JSON")
    ap.add_argument("--data", default=str(DATASET), help="the labelled JSONL file")
    args = ap.parse_args(argv)

    items = load_items(args.data)
    tagger = default_tagger()
    names = ["dev", "test", "all"] if args.split == "all" else [args.split]
    results = {name: evaluate(select(items, name), tagger) for name in names}
    if args.json:
        out = {name: {"n": r["n"], "metrics": r["metrics"], "thresholds": r["thresholds"], "links": r["links"],
                      **({"errors": r["errors"]} if args.errors else {})}
               for name, r in results.items()}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print("\n\n".join(format_table(name, r) for name, r in results.items()))
    if args.errors:
        name = names[-1]
        print(f"\nerrors (split {name}):")
        print(format_errors(results[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
