"""Host institutions of pilot platforms: universities, CAS institutes, labs, companies, parks, hospitals.

Two passes over normalised Chinese text:

1. **Gazetteer** (institutions.tsv): every mention of a listed name or alias is a host (parks also need a cue, see 2).
   A mention is kept whole with what follows it up to an organisation suffix, when nothing in between is a cue word
   or 中试: 浙江大学 + 杭州国际科创中心, 中国科学院深圳先进技术研究院 + 合成生物学研究所, 长春生物制品研究所 +
   有限责任公司. 江南大学食品生物制造中试平台 is the platform; its host is 江南大学.
2. **Suffix + cue rules**: a name ending in 大学, 学院, 研究院, 研究所, 研究中心, 实验室, 创新中心, 有限公司, 集团, 医院,
   科技园, 产业园, 园区, 高新区, 开发区, 管委会… is grown leftwards to punctuation, a cue word, 的 or 、, jumping over a
   bracketed part (上海张江(集团)有限公司). A leading chain of full place names is an address and is cut off, with the
   district after it (江苏省常州市金坛区华罗庚科技园 → 华罗庚科技园). Such a name is a host only with a cue:
   依托X, 联合X, 建设单位为X / 运营主体为X…, 由X(牵头|建设|承建|运营|投资建设…), 由X与(某企业)共建, X牵头/承建/共建…,
   or A与B(三方)共建/合作 for names joined by 与/和/、 (A与B签约/签署 only when building follows in the sentence).
   A government body in such a list (A、B区人民政府和C三方共建) is part of the list but not a host.

Not hosts: issuing bodies (工业和信息化部, 山东省工业和信息化厅, 中国科学院 on its own), district governments
(深圳市光明区, 聊城市政府), anonymous ones (赤峰某药业公司), generic heads (上市公司, 合资公司), categories (国家产业创新
中心, 省级重点实验室), and a name in brackets right after a host (齐鲁工业大学(山东省科学院): the other name of the
first). A zone's management committee (合肥高新区管委会) is a host of type park when cued: it co-builds.

name_en comes from the gazetteer for a mention that is exactly a gazetteer name, else "".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from zhtext.script import HAN, HAN_CHAR, has_han

from .hits import Hit
from .matcher import TermMatcher
from .orgs import OrgSpan
from .places import PlaceHit, find_places
from .resources import DataError, read_tsv, terms

TYPES = ("university", "cas_institute", "national_lab", "company", "park", "hospital", "research_institute", "other")
_CAS_PREFIXES = ("中国科学院", "中科院")
_MAX_NAME = 24

# Suffix → type. Order matters only for readability: the regex takes the longest at each position.
_SUFFIX_TYPES = {
    "university": ["大学", "学院", "研究生院", "分校", "校区"],
    "research_institute": ["科学院", "研究院", "研究所", "研究中心", "创新中心", "科创中心", "技术中心", "工程中心", "实验室"],
    "company": ["有限责任公司", "股份有限公司", "集团股份有限公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司"],
    "hospital": ["医院"],
    "park": ["科技园区", "产业园区", "工业园区", "生态园区", "创新园区", "园区", "科技园", "产业园", "工业园", "科学园",
             "医学城", "生物城", "科学城", "高新技术产业开发区", "经济技术开发区", "高新区", "经开区", "开发区", "新区",
             "管委会", "管理委员会"],
}
_TYPE_OF_SUFFIX = {s: t for t, suffixes in _SUFFIX_TYPES.items() for s in suffixes}
# What a gazetteer name may be extended with (no zones: 浙江大学 + 科技园 is another place).
_EXTENSION_SUFFIXES = [s for t in ("university", "research_institute", "company", "hospital") for s in _SUFFIX_TYPES[t]]

# Stems that name no one (上市公司, 该公司, 一家企业集团).
_GENERIC_STEMS = {
    "上市", "合资", "平台", "运营", "项目", "控股", "科技", "生物", "医药", "药业", "化工", "独资", "国有", "民营", "外资",
    "投资", "相关", "有关", "其他", "其它", "重点", "龙头", "头部", "高等", "科研", "知名", "国内", "国外", "全国", "地方",
    "省属", "市属", "直属", "附属", "新型", "专业", "服务", "实体", "集团", "股份", "有限",
}
# Category names, not institutions: 国家产业创新中心, 省级重点实验室, 企业技术中心.
_CATEGORY = re.compile(r"(?:国家级?|省级?|市级?|省部共建)?(?:产业|技术|制造业|工程|企业|企业技术|工程技术|工程研究|临床医学研究|"
                       r"重点|新型|联合|协同)*(?:创新中心|研究中心|技术中心|工程中心|实验室|研究院|研究所)")
_ANON = re.compile(r"^(?:该|本|各|这|其|此|每|多家|一家|两家|几家|数家)|某|中试")

_BEFORE_STRONG = ("依托于", "依托", "联合", "携手", "会同", *(f"{role}{be}" for role in (
    "依托单位", "建设单位", "承建单位", "牵头单位", "运营单位", "建设主体", "运营主体", "责任主体") for be in ("为", "是")))
_BEFORE_BY = ("由",)
_BEFORE_WITH = ("与", "和", "同", "跟", "及")
_AFTER_ALONE = ("牵头", "承建", "组建", "共建", "投资建设", "建设运营", "负责建设", "负责运营", "运营", "主导", "建设",
                "投资", "打造", "发起")
_AFTER_TOGETHER = ("共建", "共同", "合作", "签约", "签署", "签订", "联合", "携手", "牵头")
_SIGNING = ("签约", "签署", "签订")  # a cue only when what is signed is about building (签约，共建…)
_BUILDING = re.compile(r"[^。；;！？!?\n]{0,24}?(?:共建|建设|打造)")
# 由X与大庆某企业共建: X builds with a partner that is no name.
_WITH_PARTNER = re.compile(r"(?:与|和|同)[^，。；;：:！？!?\n]{1,15}?(?:共建|共同建设|合作建设|联合建设|共同打造)")
_GROUP_SEP = re.compile(r"\s*(?:、|以及|和|与|及|同)\s*")
_PAREN = re.compile(r"\([^()]{1,16}\)")


@dataclass(frozen=True)
class Institution:
    name: str
    type: str
    name_en: str


@dataclass
class _Cand:
    start: int
    end: int
    type: str
    name_en: str = ""
    key: str = ""
    gazetteer: bool = False  # a gazetteer mention: a host without a cue (unless a park)


@cache
def institutions() -> dict[str, Institution]:
    """Every matchable term → its institution (names, aliases, and 中国科学院/中科院 forms of CAS institutes)."""
    out: dict[str, Institution] = {}

    def add(term: str, inst: Institution) -> None:
        old = out.get(term)
        if old is not None and old.name != inst.name:
            raise DataError(f"institutions.tsv: {term!r} is listed for {old.name} and {inst.name}")
        out[term] = inst

    for r in read_tsv("institutions.tsv"):
        if r["type"] not in TYPES:
            raise DataError(f"institutions.tsv: unknown type {r['type']!r} for {r['name']}")
        inst = Institution(r["name"], r["type"], r["name_en"])
        names = [r["name"], *(a.strip() for a in r["aliases"].split("|") if a.strip())]
        for term in names:
            add(term, inst)
            if inst.type == "cas_institute":
                core = next((term[len(p) :] for p in _CAS_PREFIXES if term.startswith(p)), term)
                for p in _CAS_PREFIXES:
                    add(p + core, inst)
    return out


@cache
def _gazetteer() -> TermMatcher[Institution]:
    return TermMatcher(institutions())


def institution_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Spans of gazetteer institutions in ``text[lo:hi]`` (absolute offsets)."""
    return [(lo + m.start, lo + m.end) for m in _gazetteer().finditer(text[lo:hi])]


@cache
def _suffix_regex() -> re.Pattern[str]:
    return re.compile("|".join(sorted(_TYPE_OF_SUFFIX, key=len, reverse=True)))


@cache
def _extension_regex() -> re.Pattern[str]:
    suffixes = "|".join(sorted(_EXTENSION_SUFFIXES, key=len, reverse=True))
    return re.compile(rf"([{HAN}A-Za-z]{{0,14}}?)({suffixes})")


@cache
def _stops() -> tuple[re.Pattern[str], int, re.Pattern[str], int]:
    """(ends-with-a-stop-word pattern, its longest word) for names, and the same with zone words for non-zone names."""
    t = terms()["orgs"]
    zone_words = {"高新区", "开发区", "经开区", "新区", "园区", "示范区", "自贸区", "产业园", "科技园", "科学城", "片区"}
    words = [w for w in t["left_stops"] if w not in zone_words] + ["、", "某"]
    all_words = words + sorted(zone_words)

    def rx(ws: list[str]) -> re.Pattern[str]:
        return re.compile("(?:" + "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True)) + r")\Z")

    return rx(words), max(map(len, words)), rx(all_words), max(map(len, all_words))


@cache
def _protected_regex() -> re.Pattern[str]:
    """Words with a stop word inside that occur in names (北京协和医院, 工业和信息化)."""
    words = list(terms()["orgs"]["compounds"]) + ["协和", "共和", "中和", "和元", "和平", "和谐", "天和", "恒和", "由甲"]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@cache
def _inner_stop() -> re.Pattern[str]:
    words = [w for w in terms()["orgs"]["left_stops"] if len(w) >= 1] + ["中试", "、"]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@cache
def _issuer_names() -> frozenset[str]:
    from .issuers import _table

    return frozenset(_table()[0])


def _type_for(name: str, suffix: str) -> str:
    t = _TYPE_OF_SUFFIX.get(suffix, "other")
    if t == "research_institute":
        if name.startswith(_CAS_PREFIXES):
            return "cas_institute"
        if suffix == "实验室" and "国家实验室" in name:
            return "national_lab"
    return t


def _name_char(ch: str) -> bool:
    return bool(HAN_CHAR.match(ch)) or ch.isascii() and ch.isalpha()


def _grow_left(text: str, s: int, limit: int, zone: bool) -> int:
    stops, maxlen, zstops, zmaxlen = _stops()
    rx, n = (stops, maxlen) if zone else (zstops, zmaxlen)
    pos = s
    floor = max(limit, s - _MAX_NAME)
    protected = set()
    for m in _protected_regex().finditer(text, floor, s):
        protected.update(range(m.start() + 1, m.end() + 1))
    while pos > floor:
        ch = text[pos - 1]
        if ch == ")":
            m = re.search(r"\([^()]{1,16}\)\Z", text[max(floor, pos - 18) : pos])
            if not m:
                break
            pos -= len(m.group())
            continue
        if not _name_char(ch) or (pos not in protected and rx.search(text, max(0, pos - n), pos)):
            break
        pos -= 1
    return pos


def _strip_address(text: str, pos: int, s: int, places: dict[int, PlaceHit]) -> int:
    """Cut a leading address off the name text[pos:...] whose suffix starts at ``s``: two or more chained full
    place names, or one county-level name (江苏省常州市金坛区华罗庚科技园 → 华罗庚科技园). A zone (济南高新区) is a
    name, not an address. The cut backs off while what is left would be generic (袁州区医药工业园区 keeps 袁州区)."""
    ends: list[int] = []
    kinds: list[str] = []
    at = pos
    while (hit := places.get(at)) is not None and hit.full and hit.end <= s:
        via = getattr(hit, "via", "")
        if via == "zone":
            break
        at = hit.end
        ends.append(at)
        kinds.append(via)
    if not ends or (len(ends) == 1 and kinds[0] != "county"):
        return pos
    for end in reversed(ends):
        rest = text[end:s]
        if len(rest) >= 2 and rest not in _GENERIC_STEMS:
            return end
    return pos


def _suffix_candidates(text: str, taken: list[tuple[int, int]], places: dict[int, PlaceHit]) -> list[_Cand]:
    out: list[_Cand] = []
    prev_end = 0
    rx = _suffix_regex()
    pos_scan = 0
    while True:
        m = rx.search(text, pos_scan)
        if not m:
            break
        s, e = m.span()
        suffix = m.group()
        while (nxt := rx.match(text, e)) and (_TYPE_OF_SUFFIX[nxt.group()] == "company"
                                              or nxt.group() in ("管委会", "管理委员会")):
            e, suffix = nxt.end(), nxt.group()  # 研究所 + 有限责任公司, 高新区 + 管委会
        pos_scan = e
        zone = _TYPE_OF_SUFFIX[suffix] == "park"
        pos = _grow_left(text, s, prev_end, zone)
        if out and pos == prev_end == out[-1].end:
            # 河北省科学院 + 生物研究所: one name
            p = out[-1]
            name = text[p.start : e]
            t = _type_for(name, suffix)
            out[-1] = _Cand(p.start, e, p.type if p.type == "cas_institute" and t == "research_institute" else t,
                            key=name)
            prev_end = e
            continue
        pos = _strip_address(text, pos, s, places)
        stem = text[pos:s]
        name = text[pos:e]
        if len(re.sub(r"\(.*?\)", "", stem)) < 2 or stem in _GENERIC_STEMS or _ANON.search(name):
            continue
        if name in _issuer_names() or _is_category(text, pos, e, places) or any(a <= pos and e <= b for a, b in taken):
            continue
        out.append(_Cand(pos, e, _type_for(name, suffix), key=name))
        prev_end = e
    return out


def _extend(text: str, c: _Cand, others: list[tuple[int, int]]) -> _Cand:
    """浙江大学 + 杭州国际科创中心: take what follows up to an organisation suffix, if nothing in between is a cue."""
    m = _extension_regex().match(text, c.end)
    if not m:
        return c
    middle = m.group(1)
    if _inner_stop().search(middle) or "中试" in m.group() or any(c.end < s < m.end() for s, _ in others):
        return c
    name = text[c.start : m.end()]
    t = _type_for(name, m.group(2))
    if c.type == "cas_institute" and t == "research_institute":
        t = c.type
    return _Cand(c.start, m.end(), t, "", name, c.gazetteer)


def _paren_after_host(text: str, c: _Cand, hosts: list[_Cand]) -> bool:
    """齐鲁工业大学(山东省科学院): a name alone in brackets right after another host."""
    if c.start == 0 or text[c.start - 1] != "(" or text[c.end : c.end + 1] != ")":
        return False
    return any(h.end == c.start - 1 for h in hosts)


def _starts_with(text: str, pos: int, words: tuple[str, ...]) -> str:
    return next((w for w in words if text.startswith(w, pos)), "")


def _ends_with(text: str, pos: int, words: tuple[str, ...]) -> str:
    return next((w for w in words if text.endswith(w, 0, pos)), "")


def _cued(text: str, group: list[_Cand]) -> bool:
    first, last = group[0], group[-1]
    after_pos = last.end
    if (p := _PAREN.match(text, after_pos)) is not None:
        after_pos = p.end()  # 苏州生物医药产业园(BioBAY)运营
    if (w := _starts_with(text, after_pos, ("共同", "联合", "双方", "三方", "四方", "多方", "各方"))):
        after_pos += len(w)
    before = _ends_with(text, first.start, _BEFORE_STRONG + _BEFORE_BY + _BEFORE_WITH)
    if before in _BEFORE_STRONG:
        return True
    after_alone = _starts_with(text, after_pos, _AFTER_ALONE)
    after_together = _starts_with(text, after_pos, _AFTER_TOGETHER)
    if after_together in _SIGNING and not _BUILDING.match(text, after_pos + len(after_together)):
        after_together = ""
    if before in _BEFORE_BY:
        return bool(after_alone or after_together or _WITH_PARTNER.match(text, after_pos))
    if before in _BEFORE_WITH:
        return bool(after_together)
    return bool(after_alone or (len(group) > 1 and after_together))


def _groups(text: str, cands: list[_Cand]) -> list[list[_Cand]]:
    groups: list[list[_Cand]] = []
    for c in cands:
        if groups:
            prev = groups[-1][-1]
            if _GROUP_SEP.fullmatch(text[prev.end : c.start]):
                groups[-1].append(c)
                continue
        groups.append([c])
    return groups


def _after_places(start: int, end: int, places: dict[int, PlaceHit]) -> int:
    """Where the place names that text[start:end] starts with end (山东省重点实验室 → after 山东省)."""
    while (hit := places.get(start)) is not None and hit.end <= end:
        start = hit.end
    return start


def _is_category(text: str, start: int, end: int, places: dict[int, PlaceHit]) -> bool:
    """国家产业创新中心, 山东省重点实验室: a kind of institution, not one."""
    return bool(_CATEGORY.fullmatch(text, _after_places(start, end, places), end))


def _place_only(start: int, end: int, places: dict[int, PlaceHit]) -> bool:
    """Is text[start:end] nothing but place names (武汉, 湖北省武汉市)?"""
    return end > start and _after_places(start, end, places) == end


def find_hosts(text: str, orgs: list[OrgSpan] | None = None) -> list[Hit]:
    """Host institutions in normalised Chinese ``text``: value as written, attrs name_en and type.

    ``orgs`` (orgs.find_orgs spans) is accepted for the tagger's convenience; government spans in it are never hosts.
    """
    if not has_han(text):
        return []
    gov = [(sp.start, sp.end) for sp in (orgs or [])
           if sp.gov and not text[sp.start : sp.end].endswith(("管委会", "管理委员会"))]
    gaz: list[_Cand] = []
    for m in _gazetteer().finditer(text):
        nxt = text[m.end : m.end + 3]
        if m.text.endswith("大学") and (nxt[:1] == "城" or (nxt[:1] == "生" and nxt[1:2] not in "命物态化理")):
            continue  # 大学生, 深圳大学城
        inst = m.payload
        gaz.append(_Cand(m.start, m.end, inst.type, inst.name_en, inst.name, True))
    spans = [(c.start, c.end) for c in gaz]
    gaz = [_extend(text, c, spans) for c in gaz]

    places = {hit.start: hit for hit in find_places(text, "zh")}
    cands = _suffix_candidates(text, [(c.start, c.end) for c in gaz], places)
    merged: list[_Cand] = []
    for c in cands:
        inner = [g for g in gaz if c.start <= g.start and g.end <= c.end]
        if inner:
            g = inner[0]
            start = g.start
            if c.start < g.start and (c.type == "company" or not _place_only(c.start, g.start, places)):
                start = c.start  # 通辽梅花生物科技有限公司 ⊃ 梅花生物: a gazetteer host under a longer name
            if (start, c.end) != (g.start, g.end):
                # 上海交通大学医学院附属瑞金医院 ⊃ 上海交通大学医学院
                gaz = [x for x in gaz if x is not g]
                t = c.type if g.type != "cas_institute" or c.type != "research_institute" else g.type
                merged.append(_Cand(start, c.end, t, "", text[start : c.end], True))
            continue
        if any(c.start < g.end and g.start < c.end for g in gaz):
            continue
        if any(c.start < b and a < c.end for a, b in gov):
            continue
        merged.append(c)
    everything = sorted(gaz + merged, key=lambda c: c.start)
    # adjacent pieces form one name: 吉林大学 + 白求恩第一医院
    joined: list[_Cand] = []
    for c in everything:
        if joined and joined[-1].end == c.start and not c.gazetteer:
            p = joined[-1]
            name = text[p.start : c.end]
            t = c.type if p.type != "cas_institute" or c.type != "research_institute" else p.type
            joined[-1] = _Cand(p.start, c.end, t, "", name, p.gazetteer)
        else:
            joined.append(c)

    # Government bodies take part in a group (A、B区人民政府和C三方共建) without being hosts.
    silent = [_Cand(a, b, "gov") for a, b in gov if not any(a < c.end and c.start < b for c in joined)]
    hosts: list[_Cand] = []
    for group in _groups(text, sorted(joined + silent, key=lambda c: c.start)):
        cued = None
        for c in group:
            if c.type == "gov":
                continue
            if c.gazetteer and c.type != "park":
                hosts.append(c)
                continue
            if cued is None:
                cued = _cued(text, group)
            if cued:
                hosts.append(c)
    hosts.sort(key=lambda c: c.start)
    hosts = [c for c in hosts if not _paren_after_host(text, c, hosts)]
    return [
        Hit("host", text[c.start : c.end], c.start, c.end, (("name_en", c.name_en), ("type", c.type)),
            key=c.key or text[c.start : c.end], as_written=True)
        for c in hosts
    ]
