"""Counted targets (20个以上平台, 服务企业超过200家) and money (超过5亿元), with their bounds.

A number is Arabic (20, 1.2, 1,200, with 十/百/千/万/亿 multipliers: 1.2亿, 3千万) or Chinese (二十, 两百, 一百二十,
三千五百万), read by zhtext.numerals.

Bounds come from the words around the number:
    ge      超过 逾 突破 不少于 至少 不低于 …以上, and 余/多 after the number (二十余项, 20多家: "20 and more")
    le      不超过 最高 最多 至多 …以下 …以内
    approx  近 约 大约 左右 上下
    eq      otherwise (达到8家, 共22个)

A target's unit is a counting classifier (个 家 项 所 批 种 款 件 台 套 条 名 位 次 座 处 场 类 支, 人次/家次/项次). 年, 月, 元,
%, 吨 and 升 are not classifiers, so years, dates, percentages, money and capacities never become targets; nor do
ordinals (第三批), durations (6个月, 5个工作日), percentage points (3个百分点), phone and document numbers (a digit,
dash or letter right before the number), 一 on its own (一批, 一家 is "a", not a count) or a bare 百/千/万 with no
qualifier (千家万户, 百家争鸣).

The counted noun is looked for after the unit first (20个以上生物制造中试能力建设平台 → 平台), up to the clause end;
then before the number in the same clause (服务企业数量超过200家 → 企业). A quantity with neither, in a list that
follows another quantity of the same unit (共9家，其中深圳5家、广州3家), takes that quantity's noun. Otherwise the noun
is "": better empty than wrong.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from zhtext.numerals import ARABIC_AMOUNT, NUMERAL_CHARS, arabic_value, cn_to_int, is_bare, is_digit_string

from .hits import Hit
from .matcher import TermMatcher

# 余/多 right after the number: "and more". The research note and the brief call it approx; the labelled dev set
# (tests/fixtures/extract_dev.jsonl: 40余项 → ge, 20多家 → ge, 逾150家 → ge) says ge. Kept in one place.
SURPLUS_BOUND = "ge"

_CN_NUM = f"[{NUMERAL_CHARS}]+"
# A number right after one of these is part of a longer number, an identifier or an ordinal (第三批, 百分之二十).
_NOT_AFTER_AR = r"(?<![\d.,\-/:#A-Za-z第])"
_NOT_AFTER_CN = f"(?<![{NUMERAL_CHARS}第之])"

_PRE = {
    "ge": ["超过", "超出", "逾", "突破", "不少于", "不低于", "至少", "多于", "高于", "大于", "超"],
    "le": ["不超过", "不高于", "不多于", "最高", "最多", "至多", "少于", "低于", "小于"],
    "approx": ["将近", "接近", "近", "约", "大约", "大概"],
    "eq": ["达到", "达", "共计", "共", "累计", "合计", "总计", "多达", "高达"],
}
_POST = {"以上": "ge", "及以上": "ge", "以下": "le", "以内": "le", "左右": "approx", "上下": "approx"}
_PRE_BOUND = {w: b for b, words in _PRE.items() for w in words}

UNITS = ("人次", "家次", "项次", "个", "家", "项", "所", "批", "种", "款", "件", "台", "套", "条", "名", "位", "次", "座", "处",
         "场", "类", "支")
# A unit followed by these is a duration or a ratio, not a count.
_NOT_COUNT_AFTER = "月|工作日|自然日|交易日|小时|钟头|季度|星期|百分点|年头|周"
# Place names that read as a number and a unit: 五台县, 三台县, 七台河.

# Nouns that targets count. Compounds first win by leftmost-longest matching (企业技术中心 is one noun).
NOUNS = (
    "平台", "基地", "中心", "企业", "公司", "产品", "新产品", "项目", "成果", "技术", "专利", "标准", "品种", "菌种", "菌株",
    "单位", "机构", "服务机构", "高校", "院所", "科研院所", "园区", "集群", "团队", "人才", "专家", "人员", "案例", "场景",
    "城市", "省份", "地区", "实验室", "重点实验室", "生产线", "产线", "中试线", "合同", "订单", "新药", "药品", "疫苗", "工厂",
    "车间", "装置", "设备", "发酵罐", "反应器", "主体", "用户", "客户", "医院", "学校", "大学", "研究所", "研究院", "样品", "批次",
    "工艺", "企业技术中心", "技术创新中心", "创新中心", "工程研究中心", "孵化器", "示范项目", "示范企业", "专精特新企业",
    "中小企业", "链主企业", "龙头企业", "高新技术企业", "新型研发机构", "服务", "技术服务", "中试服务", "活动", "课题", "论文",
    "市民", "居民", "学生", "代表", "嘉宾", "观众", "农户",
)
_NOUN_PREFERRED = {"新产品": "产品", "服务机构": "机构", "科研院所": "院所", "重点实验室": "实验室", "产线": "生产线",
                   "专精特新企业": "企业", "中小企业": "企业", "链主企业": "企业", "龙头企业": "企业",
                   "高新技术企业": "企业"}
# The noun window ends at punctuation, digits and these words (a new clause or a coordination).
_WINDOW_STOP = re.compile(r"[\s，。；：、,.;:！？!?()（）“”\"'《》【】\[\]0-9]|和|与|及|或|并|将|为|是|把|被|对|向|等|后|时|其中")
_WINDOW = 14
# A verb between the unit and a noun means the noun is not what is counted (2000余名市民参观实验室).
_VERB = re.compile(r"参观|参与|参加|开展|提供|签约|入驻|入选|进驻|达成|完成|实现|建成|获得|申报|出席|举办|举行|吸引|带动|"
                   r"推动|覆盖|涵盖|进行|加入|形成|支持|落户|来自|围绕|利用|使用|发布|认定|了解|观看|聚焦|面向|通过")
# Counts of these describe where things are (分布在15个省份), not what a programme builds: not targets.
_PLACE_NOUNS = {"省份", "城市", "地区"}
_BEFORE_GAP = 6  # at most this many characters between a noun before the number and the number


def _digits(v: Decimal) -> str:
    if v == v.to_integral_value():
        return str(int(v))
    return format(v.normalize(), "f")


def _alts(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _first_chars() -> str:
    """Characters a quantity can start with: a cheap test before the full pattern."""
    chars = set("0123456789人" + NUMERAL_CHARS)
    chars.update(w[0] for words in _PRE.values() for w in words)
    return "".join(sorted(chars))


@cache
def _target_regex() -> re.Pattern[str]:
    pre = _alts([w for words in _PRE.values() for w in words])
    post = _alts(list(_POST))
    units = _alts(list(UNITS))
    return re.compile(
        rf"(?=[{_first_chars()}])(?P<pre>{pre})?"
        rf"(?:{_NOT_AFTER_AR}(?P<ar>{ARABIC_AMOUNT})|{_NOT_AFTER_CN}(?P<cn>{_CN_NUM}))"
        rf"(?P<surplus>余|多)?(?P<unit>{units})(?!{_NOT_COUNT_AFTER})(?<!台(?=[山县河区市镇]))(?P<post>{post})?"
    )


@cache
def _money_regex() -> re.Pattern[str]:
    pre = _alts([w for words in _PRE.values() for w in words])
    post = _alts(list(_POST))
    return re.compile(
        rf"(?=[{_first_chars()}])(?P<pre>{pre})?(?:人民币)?"
        rf"(?:{_NOT_AFTER_AR}(?P<ar>{ARABIC_AMOUNT})|{_NOT_AFTER_CN}(?P<cn>{_CN_NUM}))"
        r"(?P<surplus>余|多)?(?P<cur>元人民币|元|人民币)(?![素件器宇旦宵帅老首数组化/每])"
        rf"(?P<post>{post})?"
    )


@cache
def _nouns() -> TermMatcher[str]:
    return TermMatcher({n: _NOUN_PREFERRED.get(n, n) for n in NOUNS})


def _bound(m: re.Match[str]) -> str:
    found = set()
    if m.group("pre"):
        found.add(_PRE_BOUND.get(m.group("pre"), "eq"))
    if m.group("surplus"):
        found.add(SURPLUS_BOUND)
    if m.group("post"):
        found.add(_POST[m.group("post")])
    for b in ("le", "ge", "approx"):
        if b in found:
            return b
    return "eq"


def _number(m: re.Match[str]) -> Decimal | None:
    if m.group("ar"):
        return arabic_value(m.group("ar"))
    cn = m.group("cn")
    if is_digit_string(cn):
        return None  # 唯一一家, 三四家: a word or a range, not one number
    if cn == "一" or (is_bare(cn) and not (m.group("pre") or m.group("surplus") or m.group("post"))):
        return None
    v = cn_to_int(cn)
    return None if v is None else Decimal(v)


def _clause_start(text: str, pos: int, limit: int) -> int:
    lo = pos
    while lo > limit and text[lo - 1] not in "，。；：！？,;:!? \n\t":
        lo -= 1
    return lo


def _noun_after(text: str, end: int) -> str:
    window = text[end : end + _WINDOW]
    stop = _WINDOW_STOP.search(window)
    if stop:
        window = window[: stop.start()]
    if window.startswith("的"):
        window = window[1:]
    hit = next(iter(_nouns().finditer(window)), None)
    if hit is None or _VERB.search(window, 0, hit.start):
        return ""
    return hit.payload


def _noun_before(text: str, start: int) -> str:
    lo = _clause_start(text, start, max(0, start - 20))
    last = None
    for hit in _nouns().finditer(text[lo:start]):
        last = hit
    if last is None or (start - lo) - last.end > _BEFORE_GAP:
        return ""
    return last.payload


# A goal is stated in the future (力争到2027年…20个以上, 计划培育…); anything else is a count of what exists (已服务企业
# 36家, 确定43个平台). A deadline anywhere before the number makes the whole sentence a goal ("到2027年…累计服务企业
# 300家以上"); otherwise the nearest marker before the number decides.
_DEADLINE = re.compile(r"到\s*20\d\d\s*年|20\d\d\s*年(?:前|底前|末)|力争|争取|目标")
_GOAL = re.compile(r"计划|预计|将|拟|培育|打造|建成|达到|突破|实现")
_COUNT = re.compile(r"已|累计|共|目前|现有|拥有|完成|其中|确定|入选|公布")


def _kind(text: str, start: int) -> str:
    lo = max(text.rfind(c, 0, start) for c in "。；;！？!?\n") + 1
    before = text[lo:start]
    if _DEADLINE.search(before):
        return "goal"
    goal = max((m.end() for m in _GOAL.finditer(before)), default=-1)
    count = max((m.end() for m in _COUNT.finditer(before)), default=-1)
    return "goal" if goal > count else "count"


def find_targets(text: str) -> list[Hit]:
    """Counted quantities in normalised ``text``: value digits, attrs unit, bound, noun and kind ("goal" when the
    sentence states it as a goal, else "count")."""
    out: list[Hit] = []
    prev: tuple[int, str, str] | None = None  # (end, unit, noun) of the previous quantity
    for m in _target_regex().finditer(text):
        v = _number(m)
        if v is None or v == 0:
            continue
        unit = m.group("unit")
        start, end = m.span()
        noun = _noun_after(text, end) or _noun_before(text, m.start("ar") if m.group("ar") else m.start("cn"))
        if not noun and prev is not None and prev[1] == unit:
            between = text[prev[0] : start]
            if len(between) <= 12 and not re.search(r"[。；;！？!?\n]", between):
                noun = prev[2]
        if noun in _PLACE_NOUNS:
            continue
        value = _digits(v)
        bound = _bound(m)
        out.append(Hit("target", value, start, end,
                       (("unit", unit), ("bound", bound), ("noun", noun), ("kind", _kind(text, start))),
                       key=f"{value}|{unit}|{bound}|{noun}"))
        prev = (end, unit, noun)
    return out


def find_money(text: str) -> list[Hit]:
    """Amounts in yuan (元/人民币) in normalised ``text``: value digits, attrs bound. Prices (元/吨) are skipped."""
    out: list[Hit] = []
    for m in _money_regex().finditer(text):
        if m.group("cn") and len(m.group("cn")) < 2:
            continue  # 一元, 三元: "unary", "ternary" more often than money
        v = _number(m)
        if v is None or v == 0:
            continue
        value = _digits(v)
        bound = _bound(m)
        out.append(Hit("money", value, m.start(), m.end(), (("bound", bound),), key=f"{value}|{bound}"))
    return out
