"""Names in English: the shared gazetteer's names (zhtext/gazetteer.py: places, zones, institutions, agencies), and
Hanyu Pinyin for the names no table knows — people, places, company brands — never a literal gloss (白聪聪 is
"Bai Congcong", not "white quick at hearing"). pypinyin's readings (translate/pinyin.py) load on first use.

Companies follow their usual English form: place + brand + industry + 有限公司 → "<Brand> <Industry> Co., Ltd."
(武汉绿源酶创生物科技有限公司 → "Lüyuan Meichuang Biotechnology Co., Ltd."): the place is dropped, as companies
drop it in their own English names, the brand is romanised in two-syllable words, the industry comes from INDUSTRIES.
"""

from __future__ import annotations

import re
from collections.abc import Container
from functools import cache

from zhtext.gazetteer import english_names, stem_english

# Surnames that pypinyin's word-level reading gets wrong in a name (单 dān → Shàn, 曾 céng → Zēng) or that are two
# characters long; the rest of a surname is read as pypinyin reads the character.
SURNAME_READINGS = {
    "单": "Shan", "曾": "Zeng", "解": "Xie", "区": "Ou", "仇": "Qiu", "朴": "Piao", "查": "Zha", "乐": "Yue",
    "缪": "Miao", "覃": "Qin", "召": "Shao", "盖": "Ge", "种": "Chong", "翟": "Zhai", "宿": "Su", "秘": "Bi",
    "员": "Yun", "祭": "Zhai", "尉": "Yu", "长": "Chang", "重": "Chong", "朝": "Chao", "柏": "Bai", "薄": "Bo",
    "纪": "Ji", "任": "Ren", "华": "Hua", "石": "Shi", "沈": "Shen", "贾": "Jia", "都": "Du", "眭": "Sui",
    "欧阳": "Ouyang", "司马": "Sima", "上官": "Shangguan", "诸葛": "Zhuge", "东方": "Dongfang", "皇甫": "Huangfu",
    "尉迟": "Yuchi", "公孙": "Gongsun", "慕容": "Murong", "长孙": "Zhangsun", "令狐": "Linghu", "司徒": "Situ",
    "夏侯": "Xiahou", "宇文": "Yuwen", "万俟": "Moqi", "澹台": "Tantai", "端木": "Duanmu", "申屠": "Shentu",
}
# The commonest single-character surnames (together > 85 % of the population): a run of two names glued together
# (two reporters: 白聪聪张建新) splits where the second begins with one of them.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪"
    "范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞"
    "颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻"
    "祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇"
    "栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
# Industry words of company names, longest first: "<Brand> <Industry> Co., Ltd."
INDUSTRIES = (
    ("合成生物技术", "Synthetic Biotechnology"), ("合成生物科技", "Synthetic Biotechnology"),
    ("生物科技", "Biotechnology"), ("生物技术", "Biotechnology"), ("生物工程", "Bioengineering"),
    ("生物医药", "Biopharmaceutical"), ("生物制药", "Biopharmaceutical"), ("生物制品", "Biological Products"),
    ("生物材料", "Biomaterials"), ("生物能源", "Bioenergy"), ("生物化工", "Biochemical"), ("酶制剂", "Enzyme"),
    ("医药科技", "Pharmaceutical Technology"), ("健康科技", "Health Technology"), ("食品科技", "Food Technology"),
    ("新材料", "New Materials"), ("新能源", "New Energy"), ("精细化工", "Fine Chemicals"), ("信息技术", "Information Technology"),
    ("智能科技", "Intelligent Technology"), ("环保科技", "Environmental Technology"), ("检测技术", "Testing Technology"),
    ("药业", "Pharmaceutical"), ("制药", "Pharmaceutical"), ("医药", "Pharmaceutical"), ("化工", "Chemical"),
    ("化学", "Chemical"), ("材料", "Materials"), ("食品", "Food"), ("发酵", "Fermentation"), ("生物", "Biotech"),
    ("科技", "Technology"), ("技术", "Technology"), ("实业", "Industrial"), ("能源", "Energy"), ("环保", "Environmental"),
    ("农业", "Agriculture"), ("农牧", "Agriculture and Animal Husbandry"), ("饲料", "Feed"), ("营养", "Nutrition"),
    ("健康", "Health"), ("医疗", "Medical"), ("制造", "Manufacturing"), ("装备", "Equipment"), ("工业", "Industrial"),
    ("投资", "Investment"), ("控股", "Holdings"), ("发展", "Development"), ("产业", "Industry"),
)
_FORMS = (("股份有限公司", "Co., Ltd."), ("有限责任公司", "Co., Ltd."), ("有限公司", "Co., Ltd."))


def syllables(text: str) -> list[str]:
    """Hanyu Pinyin syllables without tones (ü kept); characters pypinyin does not know are kept as written. From
    pypinyin's readings in a compact table (translate/pinyin.py), loaded when a name needs it."""
    from .pinyin import syllables

    return syllables(text)


def romanise(text: str) -> str:
    """A place or brand: syllables joined into one capitalised word (海淀 → Haidian)."""
    return "".join(syllables(text)).capitalize()


def brand(text: str) -> str:
    """A company's brand in two-syllable words (绿源酶创 → Lüyuan Meichuang)."""
    parts = syllables(text)
    return " ".join("".join(parts[i:i + 2]).capitalize() for i in range(0, len(parts), 2))


def person(name: str) -> str:
    """One person's name, surname first (白聪聪 → Bai Congcong, 欧阳明 → Ouyang Ming)."""
    surname = name[:2] if name[:2] in SURNAME_READINGS else name[:1]
    given = name[len(surname):]
    family = SURNAME_READINGS.get(surname) or romanise(surname)
    return f"{family} {romanise(given)}" if given else family


def people(run: str) -> str:
    """A run of Chinese person names (jieba glues two reporters' names: 白聪聪张建新 → Bai Congcong, Zhang Jianxin)."""
    if len(run) >= 4:
        for cut in (3, 2, 4):  # the first name's length: three characters first, the commonest
            first, second = run[:cut], run[cut:]
            if 2 <= len(second) <= 3 and second[0] in COMMON_SURNAMES and (first[0] in COMMON_SURNAMES
                                                                          or first[:2] in SURNAME_READINGS):
                return f"{person(first)}, {person(second)}"
    return person(run)


def looks_like_person(word: str) -> bool:
    """Two or three characters beginning with a surname (three or four with a two-character surname)."""
    if word[:2] in SURNAME_READINGS and len(word[:2]) == 2:
        return 3 <= len(word) <= 4
    return 2 <= len(word) <= 3 and word[0] in COMMON_SURNAMES


def split_names(run: str) -> list[str] | None:
    """A run of person names, glued or spaced (白聪聪张建新, 王磊 李娜): each name two or three characters (four with a
    two-character surname) beginning with a surname; None when the run is not names only. Fewest names wins."""
    run = re.sub(r"[\s、]+", "", run)
    best: list[list[str] | None] = [None] * (len(run) + 1)
    best[len(run)] = []
    for i in range(len(run) - 1, -1, -1):
        compound = run[i:i + 2] in SURNAME_READINGS and len(run[i:i + 2]) == 2
        if not (run[i] in COMMON_SURNAMES or compound):
            continue
        for size in ((3, 4, 2) if compound else (3, 2)):
            rest = best[i + size] if i + size <= len(run) else None
            if rest is not None and (best[i] is None or len(rest) + 1 < len(best[i])):
                best[i] = [run[i:i + size], *rest]
    return best[0]


@cache
def table() -> dict[str, tuple[str, str]]:
    """The shared gazetteer: {Chinese name: (English, kind)} (English "" where `english` derives it); read once."""
    from zhtext.cache import LOADS

    LOADS["gazetteer"] += 1
    return english_names()


def english(zh: str) -> str | None:
    """The English of a gazetteer name; a county or zone no table names in English gets its romanised stem and kind
    (海淀区 → Haidian District), derived on first use. None for a name the gazetteer does not have."""
    entry = english_names().get(zh)
    if entry is None:
        return None  # not remembered: every word of every text is asked about
    return entry[0] or _derived(zh, entry[1])


@cache
def _derived(zh: str, kind: str) -> str:
    return stem_english(zh, kind, romanise) or romanise(zh)


def companies(text: str, places: Container[str]) -> list[tuple[int, int, str]]:
    """(start, end, English) of each company name in `text`. The name ends at its legal form (有限公司 …) after an
    industry word; it begins at the earliest place name (from the gazetteer) within the 14 characters before, so the
    place is dropped and what follows is the brand; without a place, the brand is the two characters before the
    industry (most brands are two: 凯赛, 华恒)."""
    out = []
    for m in _TAIL_RE.finditer(text):
        run = _HAN_RUN_END.search(text, 0, m.start())
        window = run.group() if run else ""
        window = window[-14:]
        brand_text = None
        for i in range(len(window) - 2):
            place = next((k for k in range(min(9, len(window) - i - 2), 1, -1) if window[i:i + k] in places), 0)
            if place:
                brand_text, begin = window[i + place:], m.start() - len(window) + i
                break
        if brand_text is None:
            if len(window) < 2:
                continue
            brand_text, begin = window[-2:], m.start() - 2
        industry, form = _INDUSTRY[m["industry"]], _FORM[m["form"]]
        out.append((begin, m.end(), f"{brand(brand_text)} {industry}{' Group' if m['group'] else ''} {form}"))
    return out


_INDUSTRY, _FORM = dict(INDUSTRIES), dict(_FORMS)
_TAIL_RE = re.compile("(?P<industry>" + "|".join(re.escape(zh) for zh, _ in INDUSTRIES) + ")"
                      r"(?P<group>集团)?(?P<form>股份有限公司|有限责任公司|有限公司)")
_HAN_RUN_END = re.compile("[\u4e00-\u9fff]+$")
