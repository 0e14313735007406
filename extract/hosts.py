"""Host institutions of pilot platforms: universities, CAS institutes, labs, companies, parks, hospitals.

find_hosts(text, orgs) reads normalised Chinese text (zhtext fold: Simplified, one character per character) in three
steps.

1. **Names.** Three sources, merged:
   * the gazetteer (institutions.tsv, aliases in aliases.tsv): every name or alias, kept whole with what follows it up
     to an organisation suffix when nothing in between is a cue word or 中试 (浙江大学 + 杭州国际科创中心,
     中国科学院深圳先进技术研究院 + 合成生物学研究所). A term of four characters or fewer counts only where it is a
     whole word of its clause's segmentation (新和成 is not in 创新和成果);
   * suffix grammar: a name ends in an organisation suffix (大学, 学院, 研究院, 研究所, 研究设计院, 实验室, 中心, 协会,
     有限公司, 集团, 厂, 医院, 管委会, 高新区…). Its left edge comes from jieba's part-of-speech tags of the clause
     left of the suffix (only that window is tagged; the tokenizer knows every gazetteer term and place name): the
     name runs leftwards over nouns, place and organisation names, other proper nouns, abbreviations, adjectives and
     Latin words, and stops at punctuation, a preposition, conjunction, particle, pronoun, adverb, numeral or time word,
     at a stop or cue word (terms.toml [orgs] left_stops and the cue verbs, as whole words, so 华为 keeps its 为), at
     平台/基地/中试 (a platform's name is not its host's) and, unless the name is a zone's, at a zone word. Verbs stay
     inside a name only between name words (中国发酵工业协会, 质量监督检验中心); a verb before a proper noun or at the
     start of a clause is the predicate (走进江苏…公司). A bracket inside a name is kept (上海张江(集团)有限公司), and so
     is a bracketed place right after the suffix (…检验中心(河南)). A leading chain of place names is an address and is
     cut off (江苏省常州市金坛区华罗庚科技园 → 华罗庚科技园);
   * frames: the builder's slot of 由…建设 or 牵头单位为… is a name even without a suffix (由鲁商集团旗下鲁商福瑞开发建设:
     鲁商福瑞).
   Adjacent names form one (吉林大学 + 白求恩第一医院). Names joined by 、/和/与/及 form a group that shares its cues; in
   "A旗下B" B acts and A, its parent, is no host.

2. **Cues, scored.** Each group gets the score of the strongest cue linking it to a platform (_BEFORE, _AFTER, _score):
   0.95  a role noun: 牵头单位为X, 依托单位: X, X作为建设单位
   0.9   X牵头; 由X + a building verb within the next 40 characters of the sentence (由X建设, 由X联合Y共同建设)
   0.85  依托X; X建设的/打造的/参与共建的…; A与B共建 and other joint building; 联合X with building in the sentence;
         a platform's name + X in a table with a 依托单位/牵头单位 column; X + a platform's name + "(…方向)"
   0.8   X“…平台”; X依托自有产线建设的…
   0.75  X + a platform's name (江南大学食品生物制造中试平台); X签约/签署 with building in the sentence, or in the next
         one when it opens with 双方/三方
   0.7   X建设/打造/运营 + an object; 联合X alone; X的…中试基地
   0.6   X入选/获批; X, or 该所/该实验室/研究院 standing for the last name with that head, as the subject of a clause
         that says 入选/建设/打造… a pilot platform
   "X、Y等…" passes a cue over the 等 phrase, "X与(an unnamed partner or a place)签约/共建" over the partner. A cue
   below 0.9 gains 0.1 when its sentence names a pilot platform and loses 0.1 when it names no platform, base, centre,
   lab or project. A gazetteer name without a cue scores 0.3. Capped: an investor (X投资 without 建设, 领投, 入股) at
   0.3, a partner in research (与X合作研发, 联合X开展研发) at 0.4, a tenant (X入驻) and a venue (在X举行) at 0.1. A park
   is not a host by standing before a platform's name (成都高新区蜂鸟智造中试基地: where it is), and X建设 with nothing
   after it is X being built. Hosts scoring below MIN_SCORE (0.5) are not returned.

3. **Canonical names.** value: the gazetteer's canonical full name when the mention is a name or alias there
   (天津工生所, 中科院天津工业生物所 → 中国科学院天津工业生物技术研究所), else the name as found (Simplified: the
   folded text). attrs: as_written (the mention in the folded text), cue, name_en (the gazetteer's, else ""), score
   (two decimals, in [0, 1]), type. One hit per institution, its best-scored mention. Hits are not as_written: the
   Tag's value is the Simplified name, its evidence the characters as written.

Not hosts: issuing bodies (工业和信息化部, 山东省工业和信息化厅, 中国科学院 on its own), governments (深圳市光明区,
聊城市政府, 江门市科技局; they may stand in a group of builders without being hosts), anonymous ones (赤峰某药业公司),
generic heads (上市公司, 合资公司), categories (国家产业创新中心, 省级重点实验室), platforms (…中试中心, …概念验证中心),
and a name in brackets right after a host (齐鲁工业大学(山东省科学院): the other name of the first). A zone's management
committee (合肥高新区管委会) is a host of type park when cued: it co-builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

from zhtext import wordcut
from zhtext.script import HAN, HAN_CHAR, has_han
from zhtext.wordcut import Words

from .hits import Hit
from .matcher import TermMatcher
from .orgs import OrgSpan
from .places import PlaceHit, find_places
from .pos import PosCutter, load_hmm
from .resources import DataError, cities, counties, read_tsv, terms, zones

TYPES = ("university", "cas_institute", "national_lab", "company", "park", "hospital", "research_institute", "other")
MIN_SCORE = 0.5  # hosts scoring below this are not returned
_CAS_PREFIXES = ("中国科学院", "中科院")
_MAX_NAME = 24
_SHORT_TERM = 4  # gazetteer terms this long or shorter must be whole words of the segmentation

# Suffix → type. The regex takes the longest suffix at each position.
_SUFFIX_TYPES = {
    "university": ["大学", "学院", "研究生院", "分校", "校区"],
    "research_institute": ["科学院", "研究院", "研究所", "研究设计院", "设计院", "研究中心", "创新中心", "科创中心",
                           "技术中心", "工程中心", "实验室"],
    "company": ["有限责任公司", "股份有限公司", "集团股份有限公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司",
                "厂"],
    "hospital": ["医院"],
    "park": ["科技园区", "产业园区", "工业园区", "生态园区", "创新园区", "园区", "科技园", "产业园", "工业园", "科学园",
             "医学城", "生物城", "科学城", "高新技术产业开发区", "经济技术开发区", "高新区", "经开区", "开发区", "新区",
             "管委会", "管理委员会", "管委"],
    "other": ["中心", "协会", "联合会", "学会"],
}
_TYPE_OF_SUFFIX = {s: t for t, suffixes in _SUFFIX_TYPES.items() for s in suffixes}
# A suffix followed by one of these characters is a word, not the end of a name (大学生, 中心城区, 学会了, 厂房).
_NOT_AFTER = {"大学": "生城", "中心": "城区位点", "学会": "了", "厂": "房区长", "管委": "会"}
# What a gazetteer name may be extended with (no zones: 浙江大学 + 科技园 is another place).
_EXTENSION_SUFFIXES = [s for t in ("university", "research_institute", "company", "hospital") for s in _SUFFIX_TYPES[t]]
_COMMITTEES = ("管委会", "管理委员会", "管委")

# Stems that name no one (上市公司, 该公司, 一家企业集团, 会展中心).
_GENERIC_STEMS = {
    "上市", "合资", "平台", "运营", "项目", "控股", "科技", "生物", "医药", "药业", "化工", "独资", "国有", "民营", "外资",
    "投资", "相关", "有关", "其他", "其它", "重点", "龙头", "头部", "高等", "科研", "知名", "国内", "国外", "全国", "地方",
    "省属", "市属", "直属", "附属", "新型", "专业", "服务", "实体", "集团", "股份", "有限", "中试", "孵化", "研发", "创新",
    "技术", "产业", "检测", "会展", "数据", "指挥", "调度",
    # what is left when a cue verb inside a company name stopped the scan (城市建设发展有限公司 → 发展有限公司)
    "发展", "管理", "开发", "投资发展", "投资管理", "运营管理", "建设发展", "实业", "贸易", "咨询", "科技发展",
}
# Category names, not institutions: 国家产业创新中心, 省级重点实验室, 企业技术中心.
_CATEGORY = re.compile(r"(?:国家级?|省级?|市级?|省部共建)?(?:产业|技术|制造业|工程|企业|企业技术|工程技术|工程研究|临床医学研究|"
                       r"重点|新型|联合|协同|公共|服务|研发|创新|孵化|检验检测|检测)*(?:创新中心|研究中心|技术中心|工程中心|"
                       r"实验室|研究院|研究所|中心)")
_ANON = re.compile(r"^(?:该|本|各|这|其|此|每|多家|一家|两家|几家|数家)|某|中试|概念验证")  # …中试中心 is a platform

# --- part of speech (jieba flags) ------------------------------------------------------------------------------------
# Words a name is made of: nouns, place and organisation names, other proper nouns, abbreviations, Latin, adjectives,
# distinguishing words, idioms. Verbs (and direction words) are "soft": inside a name only between two name words.
_NAME_FLAGS = frozenset({"n", "nr", "nrt", "nrfg", "nrf", "ns", "nt", "nz", "nw", "ng", "eng", "j", "an", "a", "b", "l",
                         "i", "g"})
_SOFT_FLAGS = frozenset({"v", "vn", "vd", "vg", "vi", "vq", "f"})
_PROPER_FLAGS = frozenset({"nr", "nrt", "nrfg", "nrf", "ns", "nt", "nz", "j", "eng"})
# Function words are boundaries even as one character inside an unknown name (p, c, u*, r, d, x…); any other single
# character that jieba could not place (董家口 → 董家 + 口/q) is taken as part of the name.
_FUNCTION_FLAGS = ("p", "c", "u", "r", "d", "x", "w", "y", "e", "o", "m", "t", "k")
# Abbreviations that build organisation names (岱山经开新材料科技发展有限公司, 高新投, 科创集团): words for jieba.
_NAME_MORPHEMES = ("经开", "高新", "科创")
_WALL_WORDS = frozenset({"平台", "基地", "中试", "概念验证", "旗下", "下属", "所属"})  # a name never runs over these
_ZONE_WORDS = ("高新区", "开发区", "经开区", "新区", "园区", "示范区", "自贸区", "产业园", "科技园", "科学城", "片区")
_CLAUSE_BREAK = re.compile(r"[，。；;：:！？!?、,\n\r\t “”\"《》「」『』【】]")
_SENTENCE_BREAK = re.compile(r"[。；;！？!?\n]")


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
    inst: Institution | None = None  # the gazetteer's institution when the mention is exactly one of its terms
    gazetteer: bool = False  # holds a gazetteer mention
    parent: bool = False  # "A旗下B": A is B's parent, not the acting body
    score: float = 0.0
    cue: str = ""


@dataclass
class _Group:
    members: list[_Cand] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.members[0].start

    @property
    def end(self) -> int:
        return self.members[-1].end


# --- data ------------------------------------------------------------------------------------------------------------


@cache
def institutions() -> dict[str, Institution]:
    """Every matchable term → its institution: names (institutions.tsv), aliases (aliases.tsv), and the
    中国科学院/中科院 forms of each name and alias of a CAS institute."""
    out: dict[str, Institution] = {}

    def add(term: str, inst: Institution, where: str) -> None:
        old = out.get(term)
        if old is not None and old.name != inst.name:
            raise DataError(f"{where}: {term!r} is listed for {old.name} and {inst.name}")
        out[term] = inst
        if inst.type == "cas_institute":
            core = next((term[len(p) :] for p in _CAS_PREFIXES if term.startswith(p)), term)
            for p in _CAS_PREFIXES:
                if out.get(p + core, inst).name != inst.name:
                    raise DataError(f"{where}: {p + core!r} is listed for {out[p + core].name} and {inst.name}")
                out[p + core] = inst

    by_name: dict[str, Institution] = {}
    for r in read_tsv("institutions.tsv"):
        if r["type"] not in TYPES:
            raise DataError(f"institutions.tsv: unknown type {r['type']!r} for {r['name']}")
        if r["name"] in by_name:
            raise DataError(f"institutions.tsv: {r['name']} is listed twice")
        if not r["source"]:
            raise DataError(f"institutions.tsv: {r['name']} has no source")
        inst = by_name[r["name"]] = Institution(r["name"], r["type"], r["name_en"])
        add(r["name"], inst, "institutions.tsv")
    for r in read_tsv("aliases.tsv"):
        inst = by_name.get(r["name"])
        if inst is None:
            raise DataError(f"aliases.tsv: {r['alias']!r} names {r['name']!r}, which institutions.tsv does not list")
        if not r["source"]:
            raise DataError(f"aliases.tsv: {r['alias']!r} has no source")
        add(r["alias"], inst, "aliases.tsv")
    return out


def canonical_name(name: str) -> str | None:
    """The canonical full name of a gazetteer name or alias (normalised text), else None."""
    inst = institutions().get(name)
    return inst.name if inst is not None else None


@cache
def _gazetteer() -> TermMatcher[Institution]:
    return TermMatcher(institutions())


def institution_spans(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Spans of gazetteer institutions in ``text[lo:hi]`` (absolute offsets)."""
    return [(lo + m.start, lo + m.end) for m in _gazetteer().finditer(text[lo:hi])]


def _place_words() -> set[str]:
    """Names and aliases of cities, counties and zones (places.py's tables): words, so that 岱山 or 董家口 is not cut
    into pieces that look like function words."""
    words: set[str] = set()
    for z in zones():
        words.update((z.name, *z.aliases))
    for c in cities():
        words.update((c.name, *c.aliases))
    words.update(c.name for c in counties())
    return words


_HOSTS_WORDS_CACHE = "hosts-words"


def added_words() -> list[tuple[str, str]]:
    """(word, tag) the host finder adds to jieba's dictionary, in a fixed order (a word's suggested frequency depends
    on the words added before it)."""
    words = [(term, "nt") for term in institutions()]
    words += [(place, "ns") for place in sorted(_place_words())]
    words += [(word, "j") for word in _NAME_MORPHEMES]
    return words


@cache
def _pos_tokenizer() -> PosCutter:
    """jieba's part-of-speech cut (extract/pos.py) over the process's shared jieba dictionary, with every gazetteer
    term added as an organisation name, every place name as a place and the name morphemes as abbreviations — our
    words, not anyone else's. Read from the user cache once per process."""
    import jieba

    base, total, freq, tags, _ = wordcut.load(_HOSTS_WORDS_CACHE, wordcut.jieba_dictionary_path(jieba),
                                              jieba.__version__, added_words(), jieba.Tokenizer)
    return PosCutter(Words(base, total, freq, tags), load_hmm())


@lru_cache(maxsize=2048)  # the same clause is cut for each candidate in it: an article's worth of clauses suffices
def _cut(chunk: str) -> tuple[tuple[str, str], ...]:
    return tuple(_pos_tokenizer().cut(chunk))


@dataclass(frozen=True)
class _Tok:
    start: int
    end: int
    word: str
    flag: str


def _tokens(text: str, lo: int, hi: int) -> list[_Tok]:
    out, at = [], lo
    for word, flag in _cut(text[lo:hi]):
        out.append(_Tok(at, at + len(word), word, flag))
        at += len(word)
    return out


def _clause_start(text: str, pos: int, floor: int) -> int:
    for i in range(pos - 1, floor - 1, -1):
        if _CLAUSE_BREAK.match(text, i):
            return i + 1
    return floor


def _sentence(text: str, pos: int) -> tuple[int, int]:
    start = pos
    while start > 0 and not _SENTENCE_BREAK.match(text, start - 1):
        start -= 1
    m = _SENTENCE_BREAK.search(text, pos)
    return start, m.start() if m else len(text)


# --- names -----------------------------------------------------------------------------------------------------------


@cache
def _suffix_regex() -> re.Pattern[str]:
    def alt(s: str) -> str:
        return re.escape(s) + (f"(?![{_NOT_AFTER[s]}])" if s in _NOT_AFTER else "")

    return re.compile("|".join(alt(s) for s in sorted(_TYPE_OF_SUFFIX, key=len, reverse=True)))


@cache
def _extension_regex() -> re.Pattern[str]:
    suffixes = "|".join(sorted(_EXTENSION_SUFFIXES, key=len, reverse=True))
    return re.compile(rf"([{HAN}A-Za-z]{{0,14}}?)({suffixes})")


@cache
def _stop_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """(every stop word, the multi-character ones): cue and function words a name does not run over."""
    words = set(terms()["orgs"]["left_stops"]) - set(_ZONE_WORDS)
    words |= {"、", "某", "走进", "来到", "参观", "考察", "调研", "视察", "出席", "代表", "包含", "涵盖", "拥有", "设立",
              "汇聚", "吸引", "引进", "引入", "邀请", "携", "随", "即", "就", "均", "又", "也", "还", "再", "则",
              "负责", "参与", "承担", "入选", "申报", "主办", "承办", "协办", "发起", "签约", "签署", "签订", "入驻",
              "表示", "介绍", "指出", "认为", "带领", "共同", *_BUILD}  # cue verbs are predicates, never name parts
    return frozenset(words), tuple(sorted((w for w in words if len(w) > 1), key=len, reverse=True))


@cache
def _protected_regex() -> re.Pattern[str]:
    """Words with a stop word inside that occur in names (北京协和医院, 工业和信息化)."""
    words = list(terms()["orgs"]["compounds"]) + ["协和", "共和", "中和", "和元", "和平", "和谐", "天和", "恒和",
                                                  "石油和化学"]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@cache
def _inner_stop() -> re.Pattern[str]:
    words = [w for w in terms()["orgs"]["left_stops"] if len(w) >= 1] + ["中试", "、"]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@cache
def _issuer_names() -> frozenset[str]:
    from .issuers import _table

    return frozenset(_table()[0])


@cache
def _pilot_regex() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in terms()["zh"]["pilot"]))


def _type_for(name: str, suffix: str) -> str:
    t = _TYPE_OF_SUFFIX.get(suffix, "other")
    if t in ("research_institute", "other"):
        if name.startswith(_CAS_PREFIXES) and t == "research_institute":
            return "cas_institute"
        if suffix == "实验室" and "国家实验室" in name:
            return "national_lab"
    return t


def _name_char(ch: str) -> bool:
    return bool(HAN_CHAR.match(ch)) or ch.isascii() and ch.isalpha()


def _kind(tok: _Tok, zone: bool) -> str:
    """"name", "soft" (a verb: inside a name only between name words) or "stop" for one token left of a suffix."""
    words, long_words = _stop_words()
    w = tok.word
    if not all(_name_char(ch) for ch in w):
        return "stop"
    if w in words or w in _WALL_WORDS or w.endswith(long_words) or (not zone and w.endswith(_ZONE_WORDS)):
        return "stop"
    if tok.flag in _NAME_FLAGS:
        return "name"
    if tok.flag in _SOFT_FLAGS:
        return "soft" if len(w) > 1 else "name"
    if tok.flag == "m" and w.startswith("第"):
        return "name"  # 自然资源部第三海洋研究所
    if len(w) == 1 and not tok.flag.startswith(_FUNCTION_FLAGS):
        return "name"
    return "stop"


def _left_edge(text: str, s: int, e: int, limit: int, zone: bool) -> int:
    """Where the name whose suffix is text[s:e] starts, from the part-of-speech tags of the clause left of it."""
    floor = max(limit, s - _MAX_NAME)
    protected: set[int] = set()  # characters inside 工业和信息化-type compounds
    for m in _protected_regex().finditer(text, max(0, floor - 4), s):
        protected.update(range(m.start(), m.end()))
    lo = floor
    for i in range(s - 1, floor - 1, -1):
        if _CLAUSE_BREAK.match(text, i):
            lo = i + 1
            break
    toks = _tokens(text, lo, e)
    i = max((k for k, t in enumerate(toks) if t.start < s), default=-1)
    if i < 0:
        return s
    pos = s
    if toks[i].end > s:  # the suffix is part of a longer word (南开大学/nt): the word belongs to the name
        if _kind(toks[i], zone) == "stop" and not set(range(toks[i].start, s)) <= protected:
            return s
        pos = toks[i].start
        i -= 1
    while i >= 0:
        tok = toks[i]
        if tok.word == ")":
            # a bracket inside a name (上海张江(集团)有限公司), with more of the name left of it
            m = re.search(r"\([^()]{1,8}\)\Z", text[max(floor, tok.end - 10) : tok.end])
            j = next((k for k in range(i, -1, -1) if m and toks[k].start == tok.end - len(m.group())), None)
            if m is None or j is None or j == 0 or toks[j - 1].start < floor or _kind(toks[j - 1], zone) == "stop":
                break
            pos, i = toks[j].start, j - 1
            continue
        kind = "name" if set(range(tok.start, tok.end)) <= protected else _kind(tok, zone)
        if kind == "soft":
            # a run of verbs (质量监督检验中心) is inside only with a name word left of it and no proper noun right of it
            j = i
            while j > 0 and _kind(toks[j - 1], zone) == "soft":
                j -= 1
            right = toks[i + 1] if i + 1 < len(toks) else None
            left = toks[j - 1] if j > 0 and toks[j - 1].start >= floor else None
            if (right is None or right.flag in _PROPER_FLAGS or left is None or _kind(left, zone) != "name"
                    or toks[j].start < floor):
                break
            pos, i = toks[j].start, j - 1
            continue
        if kind == "stop" or tok.start < floor:
            break
        if _glued_stop(tok):
            return tok.start + 1  # 由鲁商/nr: jieba's guess for an unknown name swallowed the preposition before it
        pos = tok.start
        i -= 1
    return pos


def _glued_stop(tok: _Tok) -> bool:
    """A word jieba does not know (a guess of its HMM) that starts with a one-character stop word."""
    words, _ = _stop_words()
    return len(tok.word) > 2 and tok.word[0] in words and not _pos_tokenizer().freq(tok.word)


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


def _place_paren(text: str, e: int, places: dict[int, PlaceHit]) -> int:
    """国家冷冻冷藏设备质量监督检验中心(河南): a bracketed place right after a suffix is part of the name."""
    m = re.compile(r"\(([^()]{2,8})\)").match(text, e)
    if m and (hit := places.get(e + 1)) is not None and hit.end == m.end() - 1:
        return m.end()
    return e


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
                                              or nxt.group() in _COMMITTEES):
            e, suffix = nxt.end(), nxt.group()  # 研究所 + 有限责任公司, 高新区 + 管委会
        pos_scan = e
        zone = _TYPE_OF_SUFFIX[suffix] == "park"
        if suffix == "厂" and text[s - 1 : s] == "工":
            continue  # 工厂, 先导工厂: a kind of plant
        pos = _left_edge(text, s, e, prev_end, zone)
        if out and pos == prev_end == out[-1].end:
            # 河北省科学院 + 生物研究所: one name
            p = out[-1]
            name = text[p.start : e]
            t = _type_for(name, suffix)
            out[-1] = _Cand(p.start, e, p.type if p.type == "cas_institute" and t == "research_institute" else t)
            prev_end = e
            continue
        pos = _strip_address(text, pos, s, places)
        stem = text[pos:s]
        e = _place_paren(text, e, places)
        name = text[pos:e]
        if len(re.sub(r"\(.*?\)", "", stem)) < 2 or stem in _GENERIC_STEMS or _ANON.search(name):
            continue
        if name in _issuer_names() or _is_category(text, pos, e, places) or any(a <= pos and e <= b for a, b in taken):
            continue
        out.append(_Cand(pos, e, _type_for(name, suffix)))
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
    if m.group(2) == "中心" or text[m.end() : m.end() + 1] in _NOT_AFTER.get(m.group(2), ""):
        return c
    name = text[c.start : m.end()]
    t = _type_for(name, m.group(2))
    if c.type == "cas_institute" and t == "research_institute":
        t = c.type
    return _Cand(c.start, m.end(), t, institutions().get(name), c.gazetteer)


def _whole_word(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a word of its clause's segmentation (新和成 in 创新和成果 is not)?"""
    lo = _clause_start(text, start, max(0, start - 12))
    m = _CLAUSE_BREAK.search(text, end)
    hi = min(m.start() if m else len(text), end + 12)
    bounds = {t.start for t in _tokens(text, lo, hi)} | {hi}
    return start in bounds and end in bounds


def _gazetteer_candidates(text: str) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _gazetteer().finditer(text):
        if len(m.text) <= _SHORT_TERM and not _whole_word(text, m.start, m.end):
            continue
        nxt = text[m.end : m.end + 3]
        if m.text.endswith("大学") and (nxt[:1] == "城" or (nxt[:1] == "生" and nxt[1:2] not in "命物态化理")):
            continue  # 大学生, 深圳大学城
        out.append(_Cand(m.start, m.end, m.payload.type, m.payload, True))
    spans = [(c.start, c.end) for c in out]
    return [_extend(text, c, spans) for c in out]


@cache
def _frame_regex() -> re.Pattern[str]:
    verbs = f"{_BUILD_RX}|牵头|负责"
    roles = r"(?:依托|牵头|建设|承建|运营|申报)单位(?:为|是|:)|(?:建设|运营)主体(?:为|是|:)"
    return re.compile(rf"(?:由|{roles})([^，。；;：:！？!?、,\s]{{2,24}}?)(?=(?:共同|联合|合作)?(?:{verbs})|[，。；;,])")


def _frame_candidates(text: str, cands: list[_Cand], gov: list[tuple[int, int]]) -> list[_Cand]:
    """Names with no suffix in a builder's slot: 由亦庄控股集团旗下亦庄盛元开发建设 → 亦庄盛元."""
    out: list[_Cand] = []
    for m in _frame_regex().finditer(text):
        s, e = m.span(1)
        inside = sorted((c for c in cands if s <= c.start and c.end <= e), key=lambda c: c.start)
        at = max([c.end for c in inside], default=s)
        if any(c.start < e and s < c.end and not (s <= c.start and c.end <= e) for c in cands):
            continue
        if inside:
            sep = re.match(r"旗下|下属的?|所属的?", text[at:e])
            if sep is None:
                continue
            at += sep.end()
        toks = _tokens(text, at, e)
        if not toks or len(text[at:e]) < 2 or len(text[at:e]) > 12:
            continue
        if not any(t.flag in _PROPER_FLAGS for t in toks) or any(_kind(t, False) == "stop" for t in toks):
            continue
        if _ANON.search(text[at:e]) or text[at:e] in _issuer_names() or any(at < b and a < e for a, b in gov):
            continue
        out.append(_Cand(at, e, "other"))
    return out


def _paren_after_host(text: str, c: _Cand, hosts: list[_Cand]) -> bool:
    """齐鲁工业大学(山东省科学院): a name alone in brackets right after another host."""
    if c.start == 0 or text[c.start - 1] != "(" or text[c.end : c.end + 1] != ")":
        return False
    return any(h.end == c.start - 1 for h in hosts)


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


def _names(text: str, orgs: list[OrgSpan] | None) -> tuple[list[_Cand], list[tuple[int, int]]]:
    """All organisation names in reading order (gazetteer, suffix grammar, frames), and the government spans."""
    gaz = _gazetteer_candidates(text)
    found = find_places(text, "zh")
    places = {hit.start: hit for hit in found}
    ending = {hit.end: hit for hit in found}
    gov = []
    for sp in orgs or []:
        if sp.gov and not text[sp.start : sp.end].endswith(_COMMITTEES):
            start = sp.start
            while (hit := ending.get(start)) is not None:
                start = hit.start  # 无锡市滨湖区 + 人民政府: the government's jurisdiction is part of its name
            gov.append((start, sp.end))
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
                merged.append(_Cand(start, c.end, t, institutions().get(text[start : c.end]), True))
            continue
        if any(c.start < g.end and g.start < c.end for g in gaz):
            continue
        if any(c.start < b and a < c.end for a, b in gov):
            continue
        merged.append(c)
    everything = sorted(gaz + merged, key=lambda c: c.start)
    everything += _frame_candidates(text, everything, gov)
    everything.sort(key=lambda c: c.start)
    # adjacent pieces form one name: 吉林大学 + 白求恩第一医院
    joined: list[_Cand] = []
    for c in everything:
        if joined and joined[-1].end == c.start and not c.gazetteer:
            p = joined[-1]
            name = text[p.start : c.end]
            t = c.type if p.type != "cas_institute" or c.type != "research_institute" else p.type
            joined[-1] = _Cand(p.start, c.end, t, institutions().get(name), p.gazetteer)
        else:
            joined.append(c)
    return joined, gov


# --- cues ------------------------------------------------------------------------------------------------------------

_BUILD = ("投资建设", "开发建设", "出资建设", "负责建设", "负责运营", "建设运营", "运营管理", "合作建设", "共同建设",
          "联合建设", "联合共建", "共同打造", "联合打造", "共同组建", "联合组建", "合作共建", "共同运营", "共建", "组建",
          "筹建", "承建", "建设", "打造", "运营", "搭建", "建成")
_BUILD_RX = "|".join(sorted(_BUILD, key=len, reverse=True))
_ROLE_RX = r"(?:依托|牵头|建设|承建|运营|共建|申报|责任)单位|(?:建设|运营|责任)主体"

# (name, regex, weight). "before" regexes end where the group starts, "after" ones start where it ends (past a
# bracket, 双方…, an unnamed partner, or an 等 phrase); _score combines them and the strongest wins. Weight 0 marks a
# word that is no cue on its own: it strengthens another (由 + 建设) or caps the score (投资, 合作研发, 入驻, 在…举行).
_BEFORE = (
    ("role", re.compile(rf"(?:{_ROLE_RX})(?:为|是|:|：)?\Z"), 0.95),
    ("依托", re.compile(r"依托(?:于)?\Z"), 0.85),
    ("联合", re.compile(r"(?:联合|携手|会同)\Z"), 0.7),
    ("由", re.compile(r"由\Z"), 0.0),
    ("与", re.compile(r"(?:与|和|同|跟)\Z"), 0.0),
    ("visit", re.compile(r"(?:走进|来到|赴|到|参观|考察|调研|视察)\Z"), 0.0),
    ("在", re.compile(r"在\Z"), 0.0),
)
_AFTER = (
    ("role", re.compile(rf"作为(?:{_ROLE_RX})"), 0.95),
    ("牵头", re.compile(r"牵头|主导建设|发起(?:设立|成立|组建)"), 0.9),
    ("build_of", re.compile(rf"(?:参与)?(?:{_BUILD_RX})的"), 0.85),
    ("build", re.compile(rf"(?:参与|联合|共同|合作)?(?:{_BUILD_RX})"), 0.7),
    # X依托自身产线建设的…平台: an adverbial between the name and 建设的
    ("adverbial", re.compile(rf"(?:依托|通过|利用|投资|自主|自筹|独立|在)[^，。；;、,:：]{{1,10}}?(?:{_BUILD_RX})的"), 0.8),
    ("sign", re.compile(r"(?:签约|签署|签订)"), 0.0),
    ("入选", re.compile(r"(?:成功)?(?:入选|获批|获评|获认定|被认定)"), 0.6),
    ("invest", re.compile(r"(?:领投|参投|跟投|入股|注资|投资(?!建设))"), 0.0),
    ("research", re.compile(r"(?:合作|联合)(?:研发|攻关|研究|开展|设立)|合作(?!建设|共建|打造|运营)|开展(?:联合|合作)?(?:研发|研究|攻关)"),
     0.0),
    ("tenant", re.compile(r"(?:等企业|等)?(?:已)?(?:签约)?入驻"), 0.0),
    ("venue", re.compile(r"[^，。；]{0,4}?(?:举行|举办|召开)"), 0.0),
)
_UNNAMED_PARTNER = re.compile(rf"(?:与|和|同)[^，。；;：:、,！？!?]{{1,12}}?(?=(?:签约|签署|签订|(?:共同|联合|合作)?(?:{_BUILD_RX})))")
_TOGETHER = ("共建", "合作建设", "共同建设", "联合建设", "联合共建", "共同打造", "联合打造", "共同组建", "联合组建",
             "合作共建", "共同运营")
_BUILDING_LATER = re.compile(rf"(?:{_BUILD_RX}|共同|合作)")
_PLATFORM_HEAD = re.compile(r"平台|基地|中心|项目|实验室|载体")  # not 园: building a park is not building a platform
_QUOTED_PLATFORM = re.compile(r"[“\"「『]([^”\"」』]{2,30}?(?:平台|基地|中心))[”\"」』]")
_VERB_BETWEEN = re.compile(rf"{_BUILD_RX}|牵头|入选|获批|依托|联合|由")
_TABLE_HEADER = re.compile(r"(?:依托|牵头|建设|承建|申报)单位")
_DIRECTION = re.compile(r"\([^()]{1,12}方向\)")
_ANAPHOR = re.compile(r"(?:该|这个|这家|此|本)?(研究院|研究所|实验室|中心|公司|企业|集团|大学|学院|所|院)")
_SUBJECT_VERB = re.compile(r"(?:入选|获批|建设|建成|打造|搭建|推进|加快|牵头|布局)")
_OPENERS = re.compile(r"(?:近日|日前|目前|此前|同时|近年来|今年|去年)?[，,]?")


def _after_pos(text: str, end: int) -> int:
    """Where the words about a group ending at ``end`` start: past a bracket (苏州生物医药产业园(BioBAY)运营), and
    共同/联合/双方…"""
    if (p := re.compile(r"\([^()]{1,16}\)").match(text, end)) is not None:
        end = p.end()
    if (m := re.compile(r"(?:双方|三方|四方|多方|各方|等单位)").match(text, end)) is not None:
        end = m.end()
    # X与上海市松江区签约, X与大庆某能源企业共建: a partner the name finder did not take (a place, an unnamed firm)
    if (m := _UNNAMED_PARTNER.match(text, end)) is not None:
        end = m.end()
    return end


def _after_cues(text: str, at: int) -> list[tuple[str, str, float]]:
    """(name, word, weight) of every after-cue at ``at``, also across an 等 phrase (X、Y等国内一流院所共同组建)."""
    found = [(name, m.group(), w) for name, rx, w in _AFTER if (m := rx.match(text, at))]
    if not found and text.startswith("等", at):
        m = re.compile(rf"等[^，。；;：:、,]{{0,16}}?(?=(?:共同|联合|合作)?(?:{_BUILD_RX}|牵头))").match(text, at)
        if m:
            found = [(name, mm.group(), w) for name, rx, w in _AFTER if (mm := rx.match(text, m.end()))]
    return found


def _score(text: str, group: _Group, names: list[_Cand]) -> tuple[float, str]:
    """(score, cue word) linking a group of names to a platform."""
    start, end = group.start, group.end
    sent_start, sent_end = _sentence(text, start)
    sentence = text[sent_start:sent_end]
    rest = text[end:sent_end]
    before = {name: (m.group(), w) for name, rx, w in _BEFORE if (m := rx.search(text, max(0, start - 8), start))}
    at = _after_pos(text, end)
    after = {name: (word, w) for name, word, w in _after_cues(text, at)}
    together = any(word.endswith(_TOGETHER) for word, _ in after.values())
    building_follows = bool(_BUILDING_LATER.search(rest))
    options: list[tuple[float, str]] = []

    for name in ("role", "依托", "联合"):
        if name in before:
            word, w = before[name]
            options.append((0.85 if name == "联合" and building_follows else w, word))  # 联合X…共同建设
    if "由" in before and (m := re.search(rf"(?:{_BUILD_RX}|牵头)", rest[:40])) and "由" not in rest[: m.start()]:
        options.append((0.9, m.group()))  # 由X联合Y建设, 由X负责平台的建设
    for name in ("role", "牵头", "build_of", "adverbial", "build", "入选"):
        if name in after:
            word, w = after[name]
            if name == "build" and not word.endswith(_TOGETHER) and _CLAUSE_BREAK.match(text, at + len(word)):
                continue  # 支撑…先进制造业中心建设: the name is what is built
            if "由" in before and name in ("牵头", "build_of", "adverbial", "build"):
                w = max(w, 0.9)
            if name == "build" and (together or len(group.members) > 1 or "与" in before):
                w = max(w, 0.85)
            options.append((w, word))
    if "sign" in after:
        nxt_start, nxt_end = _sentence(text, sent_end + 1) if sent_end < len(text) else (sent_end, sent_end)
        nxt = text[nxt_start:nxt_end]
        if re.search(rf"(?:{_BUILD_RX})", rest[:40]) or re.match(rf"(?:双方|三方|各方).{{0,8}}?(?:{_BUILD_RX})", nxt):
            options.append((0.75, after["sign"][0]))
    options += _platform_cues(text, group, names)
    score, cue = max(options, default=(0.0, ""))
    if score and score < 0.9:
        if _pilot_regex().search(sentence):
            score += 0.1
        elif not _PLATFORM_HEAD.search(sentence):
            score -= 0.1
    if "invest" in after and "build" not in after:
        score = min(score, 0.3)
    if "research" in after and score < 0.9 and not building_follows:
        score = min(score, 0.4)
    if "tenant" in after:
        score = min(score, 0.1)
    if "在" in before and "venue" in after:
        score = min(score, 0.1)
    return round(max(0.0, min(1.0, score)), 2), cue


def _platform_cues(text: str, group: _Group, names: list[_Cand]) -> list[tuple[float, str]]:
    """Cues where the platform itself is named next to the group."""
    out: list[tuple[float, str]] = []
    start, end = group.start, group.end
    clause_end = _CLAUSE_BREAK.search(text, end)
    clause = text[end : clause_end.start() if clause_end else len(text)]
    pilot = _pilot_regex().search(clause)
    if pilot and _VERB_BETWEEN.search(clause, 0, pilot.start()):
        pilot = None  # 张江科学城的华东理工大学牵头建设…中试平台: the platform is another name's
    # 山东格瑞德集团有限公司的德州市配送中心智能物流装备中试基地: a name after another's 的 is part of that one's platform
    possessed = text[start - 1 : start] == "的" and any(c.end == start - 1 and c.type != "park" for c in names)
    if pilot and pilot.start() <= 24 and group.members[0].type != "park" and not possessed:
        # a zone before a platform's name (成都高新区蜂鸟智造中试基地) is where it is, not who runs it
        if clause.startswith("的"):
            out.append((0.7, "的" + pilot.group()))  # X的…中试基地
        else:
            # 江南大学食品生物制造中试平台: the platform is named after its host
            direction = _DIRECTION.match(clause, pilot.end()) or _DIRECTION.match(text, end + len(clause))
            out.append((0.85 if direction else 0.75, pilot.group()))
    if (q := _QUOTED_PLATFORM.match(text, end)) is not None:
        out.append((0.8, q.group(1)))
    cell = re.compile(r"[ \t|｜]*\Z").search(text, max(0, start - 4), start)
    cell_start = cell.start() if cell else start
    prev = _pilot_regex().search(text, max(0, start - 30), cell_start)
    while prev is not None and prev.end() < cell_start:
        prev = _pilot_regex().search(text, prev.end(), cell_start)
    if prev is not None and prev.end() == cell_start and (header := _TABLE_HEADER.search(text, 0, start)):
        out.append((0.85, header.group()))  # a table row: 平台名称 | 依托单位 | …
    return out


def _subject_cues(text: str, names: list[_Cand]) -> Iterator[tuple[_Cand, float, str]]:
    """A name (or 该实验室 / 研究院 standing for the last name with that head) opening a clause whose verb is about a
    pilot platform: 该实验室…入选国家工信部首批重点培育中试平台."""
    pilot = _pilot_regex()
    for sm in re.finditer(r"(?:^|(?<=[。；;！？!?\n，,]))", text):
        at = sm.end()
        if (o := _OPENERS.match(text, at)) is not None:
            at = o.end()
        named = next((c for c in names if c.start == at), None)
        subject_end = named.end if named else 0
        if named is None:
            a = _ANAPHOR.match(text, at)
            if a is None or (not a.group().startswith(("该", "这", "此", "本")) and len(a.group(1)) < 2):
                continue
            head = a.group(1)
            earlier = [c for c in names if c.end <= at and text[c.start : c.end].endswith(head)
                       or c.end <= at and head in ("企业", "公司") and c.type == "company"]
            if not earlier:
                continue
            named, subject_end = earlier[-1], a.end()
        if text.startswith("的", subject_end):
            continue  # 张江科学城的华东理工大学: a possessive, not the subject
        if subject_end < len(text) and _name_char(text[subject_end]):
            toks = _tokens(text, subject_end, min(len(text), subject_end + 6))
            if toks and toks[0].flag in _NAME_FLAGS and toks[0].flag != "vn":
                continue  # 江南大学教授…: the name qualifies a noun, it is not the subject
        sent_end = _sentence(text, subject_end)[1]
        for v in _SUBJECT_VERB.finditer(text, subject_end, sent_end):
            p = pilot.search(text, v.end(), min(sent_end, v.end() + 24))
            if p is not None and not _PLATFORM_HEAD.search(text, v.end(), p.start()):
                yield named, 0.6, v.group()
                break


def _groups(text: str, cands: list[_Cand]) -> list[_Group]:
    groups: list[_Group] = []
    for c in cands:
        if groups:
            prev = groups[-1].members[-1]
            gap = text[prev.end : c.start]
            if re.fullmatch(r"\s*(?:、|以及|和|与|及|同)\s*", gap):
                groups[-1].members.append(c)
                continue
            if re.fullmatch(r"旗下|下属的?|所属的?", gap):
                prev.parent = True
                groups[-1].members.append(c)
                continue
        groups.append(_Group([c]))
    return groups


# --- hosts -----------------------------------------------------------------------------------------------------------


def find_hosts(text: str, orgs: list[OrgSpan] | None = None) -> list[Hit]:
    """Host institutions in normalised Chinese ``text``, one hit per institution (its best-scored mention), in
    reading order: value the canonical name (or the name as found), attrs as_written, cue, name_en, score, type.

    ``orgs`` (orgs.find_orgs spans) is accepted for the tagger's convenience; government spans in it are never hosts.
    """
    if not has_han(text):
        return []
    names, gov = _names(text, orgs)
    # Government bodies take part in a group (A、B区人民政府和C三方共建) without being hosts.
    silent = [_Cand(a, b, "gov") for a, b in gov if not any(a < c.end and c.start < b for c in names)]
    for group in _groups(text, sorted(names + silent, key=lambda c: c.start)):
        score, cue = _score(text, group, names)
        for c in group.members:
            base = 0.3 if c.gazetteer else 0.0
            c.score, c.cue = max((score, cue), (base, ""))
    for c, score, cue in _subject_cues(text, names):
        if score > c.score:
            c.score, c.cue = score, cue
    hosts = [c for c in names if c.type != "gov" and not c.parent and c.score >= MIN_SCORE]
    hosts = [c for c in hosts if not _paren_after_host(text, c, hosts)]
    best: dict[str, tuple[_Cand, Hit]] = {}
    for c in hosts:
        written = text[c.start : c.end]
        inst = c.inst or institutions().get(written)
        value = inst.name if inst is not None else written
        attrs = (("as_written", written), ("cue", c.cue), ("name_en", inst.name_en if inst else ""),
                 ("score", f"{c.score:.2f}"), ("type", inst.type if inst else c.type))
        hit = Hit("host", value, c.start, c.end, attrs, key=value)
        old = best.get(value)
        if old is None or (c.score, c.end - c.start) > (old[0].score, old[0].end - old[0].start):
            best[value] = (c, hit)
    return sorted((h for _, h in best.values()), key=lambda h: h.start)

