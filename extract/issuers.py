"""Issuing bodies: the bodies that issued the policy, call or list a text reports, found by grammar.

    find_issuers(text, orgs, part="body", lang="zh") -> list[Hit]     one normalised title or body
    find_issuers_en(text, part="body") -> list[Hit]                    the same for English text (lang="en")

Bodies (mentions). A national body is matched by name or alias from issuers.tsv (工信部 → 工业和信息化部, MIIT). A local
department is a province or prefecture name followed by a department suffix (山东省 + 工业和信息化厅, 上海 + 经信委,
武汉市 + 人民政府); its value is the full place name plus the canonical suffix (上海经信委 → 上海市经济和信息化委员会). A bare
省/市 + suffix (省工信厅, 市科技局) is the body of the province or city the text is about: the one named just before
(浙江省经信厅、省发展改革委), else the province (city) the text names most; with no place in the text it names no one.
Any other government body written in full and ending in 委员会/管委会/办公室 (中关村科技园区管理委员会) is kept as written.
A trailing 办公厅/办公室, or a ministry's 司, is folded into the parent body; the evidence span still covers it.

Issuers. A body is an issuer when the grammar makes it one:
  - the subject of an issuing verb (印发, 发布, 公布, 出台, 下发, 组织开展, 启动, 认定, 遴选, 评选, 批复, 部署, 制定, 批准,
    公示 …), after at most a short adverbial (日前, 于6月11日, 联合, 网站) — also in a relative clause (X印发的《…》) and
    after 经/由 (经X认定);
  - the author of a notice heading: X关于…的通知 (in a title, or as a line of the body);
  - the owner of a list (X首批…名单, 入选X…): the body that selects;
  - a title opening with "X：" (工信部：加快…);
  - the source of a report of an issuance that names no issuer (据X消息，首批名单日前公布 / 记者从X获悉，…认定…);
  - the signature of a notice: lines holding only bodies, followed by the date (or ending the text).
Coordinated subjects count together: X、Y, X和Y, X与Y, X会同Y, X联合Y, X Y (a heading), X等四部门.
Not issuers: bodies inside 《…》 or parentheses (a cited document or number: 工信部联科〔2024〕11号), in a 根据/按照/依据/
落实/贯彻 clause, in a 来源/责任编辑 line, or in an attachment list (附件：1.X关于…的通知); a
national name that heads another organisation's name (中国科学院天津工业生物技术研究所), 中国科学院院士, 部门/部署
after a 部 (教育部门), a national name right after 省/市/区/县 (市发改委 is a city's commission); and any body merely
named (…工业和信息化厅有关负责人出席揭牌仪式).

English text: the same bodies by their English names (the Ministry of Industry and Information Technology (MIIT), the
General Office of …, the Heilongjiang Provincial Government) as the subject of an issuing verb (issued, released,
announced, unveiled, launched …), the agent of one (issued by …) or the owner of a document (MIIT's circular); values
are the Chinese names, as for Chinese text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from zhtext.script import HAN, has_han

from .hits import Hit
from .matcher import TermMatcher
from .orgs import OrgSpan, find_orgs
from .resources import DataError, read_tsv, terms

_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
_LEVEL_CHARS = "省市区县州盟旗"

# A unit of a body folded into it: its general office, or a ministry's department (司, not 公司).
_UNIT = re.compile(f"办公厅|办公室|[{HAN}]{{2,10}}?(?<!公)司")

# Issuing verbs (Chinese). 部署 only as a verb: not the noun of 决策部署/战略部署/工作部署.
_VERBS = re.compile(
    "(?:印发|发布|公布|出台|下发|组织开展|启动|认定|遴选|评选|批复|(?<!决策)(?<!战略)(?<!工作)(?<!重大)部署|制定|制订|颁布|"
    "发出|公示|批准|推出|发文|确定|授牌|命名)"
    "(?!会|仪式|大会)"  # 发布会, 启动仪式: events, not acts
)
# What may stand between a subject and its verb: dates, 日前/近日/正式/联合/共同, 网站/官网 — a short run without
# sentence or clause punctuation, another organisation, a 的 (X的支持下: X modifies a noun) or a quotation.
_GAP_MAX = 20
_CHAIN_TAIL = re.compile(r"(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|今年|去年|近日|日前|近期|随后|同时|先后|相继|正式|联合|共同|"
                         r"再次|首次|从中|并|还|又|也|已|再|均|了)*")
_GAP_BAR = re.compile(r"[。!?;:,\n《》“”\"'()]|的")
# Coordination inside a subject: 、 和 与 及 以及 会同 联合 同 and whitespace (headings: 工信部办公厅 国家发展改革委办公厅).
_CONJ = re.compile(r"\s*(?:、|以及|会同|联合|和|与|及|同|,)\s*|\s+")
# X等四部门 / X等多部门 / X等单位: the named bodies of a larger subject.
_ETC = re.compile(r"等(?:[多几数]|[0-9一二三四五六七八九十]+)?(?:个|家)?(?:部门|部委|单位|机构)?")
# X关于…的通知: a heading names its document (a heading may break across lines, never across a full stop).
_ABOUT = re.compile(r"关于[^。!?]{1,80}?(?:通知|意见|办法|方案|决定|公告|通告|批复|复函|函|规定|指南|指引|计划|规划|名单|细则|"
                    r"措施|通报|报告|请示)")
_LIST_NOUN = re.compile(r"名单|公示|目录|清单|名录")
_SELECTED = re.compile(r"(?:入选|入围|列入|纳入|获批|获评|进入)(?:国家)?$")
# A date that closes a signature: 2025年6月11日, 二〇二五年六月十一日 (also the blank day of a draft: 2024年7月 日).
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*(?:\d{1,2}\s*日|日)?"
                   r"|[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?")
# …or, instead of the date, the remark or distribution line that closes a notice.
_CLOSING = re.compile(r"\(此件|抄送")
# Clauses whose bodies are cited, not reporting: from the cue to the end of the clause.
_CITING = re.compile(r"根据|按照|依据|依照|贯彻落实|贯彻|落实")
# 据X消息 / 记者从X获悉, then a sentence that reports a list or a recognition without naming who made it (名单出炉,
# 8家平台入选, 获认定): X, the source, is the body that made it. (据X消息，多地出台政策 names its own subject.)
_SOURCE_BEFORE = re.compile(r"(?:据|从)$")
_SOURCE_AFTER = re.compile(r"(?:官方网站|官网|网站|微信公众号)?(?:消息|获悉|了解到|传来消息|得到消息)")
_ISSUANCE = re.compile(r"名单|公示|出炉|揭晓|入选|入围|获(?:批|评|认定)|被认定")
_CLAUSE_END = re.compile(r"[,。;!?\n]")
_SOURCE_LINE = re.compile(r"(?:信息)?来源\s*[:]|稿源\s*[:]|责任编辑|编辑\s*[:]|转自|本文转自")
_SOURCE_END = re.compile(r"\n|\s{2,}")
_ATTACHMENT = re.compile(r"附件\s*[:]?\s*\d*\s*[.、]?\s*$")
# Generic bodies outside the tables: a full name ending in one of these.
_GENERIC_SUFFIX = re.compile(r"管理委员会|委员会|管委会|办公室")
_GENERIC_PARENT = re.compile(r"(?:委员会|委|部|厅|局|政府)$")
_NAME_STOP = re.compile(r"(?:日前|近日|近期|今年|去年|联合|会同|以及|和|与|及|由|经|在|对|向|等|的|了|从|据|是|为|被|将|已|并)$")
# …and starting with a place or zone name, or one of these (a committee of experts is not a government body).
_GENERIC_HEAD = re.compile(r"中共|中国|国家|全国|国务院")


@dataclass(frozen=True)
class Body:
    name: str  # canonical Chinese name
    abbr: str
    name_en: str


@dataclass(frozen=True)
class _Place:
    name: str  # full name (山东省, 武汉市)
    name_en: str  # "" when cities.tsv has no English name
    municipal: bool  # Beijing/Tianjin/Shanghai/Chongqing and prefecture-level cities
    province: bool  # a 省 (not a municipality or an autonomous region)
    region: bool  # an autonomous region
    parent: _Place | None = None  # a city's province; None for a province-level place


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int  # past a folded 办公厅/司
    body: Body
    place: _Place | None = None  # a local body's province or city


@cache
def _rows() -> list[dict[str, str]]:
    rows = read_tsv("issuers.tsv")
    for r in rows:
        if r["kind"] not in ("national", "local"):
            raise DataError(f"issuers.tsv: unknown kind {r['kind']!r} for {r['name']}")
    return rows


def _split(cell: str) -> list[str]:
    return [a.strip() for a in cell.split("|") if a.strip()]


@cache
def _table() -> tuple[dict[str, Body], dict[str, Body]]:
    """(national term → body, local suffix term → canonical suffix as a Body) from issuers.tsv."""
    national: dict[str, Body] = {}
    local: dict[str, Body] = {}
    for r in _rows():
        body = Body(r["name"], r["abbr"], r["name_en"])
        target = national if r["kind"] == "national" else local
        for term in (r["name"], *_split(r["aliases"])):
            if term in target and target[term] != body:
                raise DataError(f"issuers.tsv: {term!r} is listed for {target[term].name} and {body.name}")
            target[term] = body
    return national, local


def bodies() -> list[Body]:
    """Every national body, once."""
    return list({b.name: b for b in _table()[0].values()}.values())


@cache
def _national_matcher() -> TermMatcher[Body]:
    return TermMatcher(_table()[0])


@cache
def _place_terms() -> dict[str, _Place]:
    """Province and prefecture names and aliases → place."""
    from .resources import cities, provinces

    terms_: dict[str, _Place] = {}
    by_code = {}
    for p in provinces():
        place = _Place(p.name, p.name_en, p.code in _MUNICIPALITIES, p.name.endswith("省"), p.name.endswith("自治区"))
        by_code[p.code] = place
        for t in (p.name, p.short, *p.aliases_zh):
            terms_[t] = place
    for c in cities():
        place = _Place(c.name, c.name_en, True, False, False, by_code.get(c.province_code))
        for t in (c.name, *c.aliases):
            terms_.setdefault(t, place)  # a province's name wins over a city's (吉林 is the province)
    return terms_


@cache
def _places() -> TermMatcher[_Place]:
    return TermMatcher(_place_terms())


@cache
def _suffix_regex() -> re.Pattern[str]:
    terms_ = sorted(_table()[1], key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms_))


@cache
def _left_stop() -> re.Pattern[str]:
    """Words after which a bare 省/市 starts a new name (联合市发展改革局, 从市科技局): the organisation left stops."""
    words = sorted(terms()["orgs"]["left_stops"], key=len, reverse=True)
    return re.compile(f"(?:{'|'.join(re.escape(w) for w in words)})$")


def _local_name_en(place: _Place, suffix: Body) -> str:
    if not place.name_en:
        return ""
    if place.municipal:
        return f"{place.name_en} Municipal {suffix.name_en}"
    if suffix.name == "人民政府":
        level = "Provincial" if place.province else "Autonomous Region" if place.region else ""
        return " ".join(w for w in (place.name_en, level, suffix.name_en) if w)
    return f"{place.name_en} {suffix.name_en}"


def _local_body(place: _Place, suffix: Body) -> Body:
    return Body(place.name + suffix.name, "", _local_name_en(place, suffix))


def signature_start(text: str) -> int:
    """Where the signature block at the end of ``text`` starts (``len(text)`` if there is none): the short trailing
    lines without a full stop, or the short tail after the last one. (find_issuers reads signatures by their date
    wherever they are, also before an attachment; this locates the closing block of a text.)"""
    start = len(text)
    # Short trailing lines without a full stop: 工业和信息化部办公厅 / 2025年6月11日 / （此件公开发布）
    lines = list(re.finditer(r"[^\n]*", text))
    for m in reversed(lines):
        line = m.group().strip()
        if not line:
            continue
        if len(line) <= 40 and not re.search(r"[。；;！？!?]", line):
            start = m.start()
        else:
            break
    # Flattened text: what follows the last full stop, when short.
    last = max(text.rfind("。"), text.rfind("！"), text.rfind("？"))
    if last >= 0 and len(text) - last - 1 <= 80:
        start = min(start, last + 1)
    return start


# ------------------------------------------------------------------------------------------------ mentions (Chinese)
def _heads_other_org(text: str, start: int, end: int, orgs: list[OrgSpan]) -> bool:
    for sp in orgs:
        if sp.gov:
            continue
        if sp.start <= start and sp.end > end:
            return True
        if sp.start == end:
            return True
    from .hosts import institution_spans  # deferred: hosts imports this module

    return any((s == start and e > end) or s == end for s, e in institution_spans(text, start, end + 30))


def _unit(text: str, end: int, national: bool) -> int:
    """End of a 办公厅/办公室 (any body) or 司 (a national body) right after ``end``, else ``end``."""
    m = _UNIT.match(text, end)
    if not m or (m.group().endswith("司") and not national):
        return end
    return m.end()


def _context_place(text: str, level: str) -> _Place | None:
    """The province (``level`` 省), autonomous region (自治区) or city (市) ``text`` names most, first on a tie; a
    city counts for its province."""
    counts: Counter[_Place] = Counter()
    first: dict[_Place, int] = {}
    for m in _places().finditer(text):
        p = m.payload if level == "市" else (m.payload.parent or m.payload)
        if p.municipal if level == "市" else p.province if level == "省" else p.region:
            counts[p] += 1
            first.setdefault(p, m.start)
    return max(counts, key=lambda p: (counts[p], -first[p]), default=None)


def _generic_start(text: str, suffix_start: int) -> int:
    """Left edge of a full name ending at ``suffix_start``: back over Han characters to punctuation, a space, a
    conjunction, a preposition or a time word (联合, 和, 由, 日前 …), at most 20 characters."""
    i = suffix_start
    while i > 0 and suffix_start - i < 20 and re.match(f"[{HAN}]", text[i - 1]):
        if i < suffix_start and _NAME_STOP.search(text, max(0, i - 4), i):
            break
        i -= 1
    return i


def _leftmost_longest(found: list[_Mention]) -> list[_Mention]:
    """Mentions that do not overlap, the leftmost (then the longest) winning."""
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    out: list[_Mention] = []
    for f in found:
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out


def _mentions(text: str, orgs: list[OrgSpan]) -> list[_Mention]:
    """Every body named in ``text``, left to right, without overlaps (the earliest, then the longest, wins)."""
    found: list[_Mention] = []
    suffix_rx = _suffix_regex()
    national, local = _table()

    for m in _places().finditer(text):
        sm = suffix_rx.match(text, m.end)
        if sm:
            body = _local_body(m.payload, local[sm.group()])
            found.append(_Mention(m.start, _unit(text, sm.end(), False), body, m.payload))

    # A bare 省/市/自治区 + suffix: the place named just before (浙江省经信厅、省发展改革委), else the text's place.
    stop = _left_stop()
    context: dict[str, _Place | None] = {}
    for m in re.finditer("省|市|自治区", text):
        s = m.start()
        if s > 0 and re.match(f"[{HAN}]", text[s - 1]) and not stop.search(text, max(0, s - 8), s):
            continue
        sm = suffix_rx.match(text, m.end())
        if not sm:
            continue
        level = m.group()
        prev = max((f for f in found if f.end <= s), key=lambda f: f.end, default=None)
        if prev is not None and prev.place is not None and s - prev.end <= 2 and prev.place.name.endswith(level):
            place: _Place | None = prev.place
        else:
            if level not in context:
                context[level] = _context_place(text, level)
            place = context[level]
        if place is not None:
            body = _local_body(place, local[sm.group()])
            found.append(_Mention(s, _unit(text, sm.end(), False), body, place))

    for m in _national_matcher().finditer(text):
        s, e, term = m.start, m.end, m.text
        if s > 0 and text[s - 1] in _LEVEL_CHARS:
            continue
        nxt = text[e : e + 2]
        if term.endswith("部") and nxt[:1] and nxt[0] in "门署分位件长":
            continue
        if nxt == "院士" or _heads_other_org(text, s, e, orgs):
            continue
        found.append(_Mention(s, _unit(text, e, True), m.payload))

    for m in _GENERIC_SUFFIX.finditer(text):
        s = _generic_start(text, m.start())
        if m.start() - s < 2 or not _GENERIC_HEAD.match(text, s) and not _starts_with_place(text, s):
            continue
        name = text[s : m.end()]
        if m.group() == "办公室" and _GENERIC_PARENT.search(text[s : m.start()]):
            name = text[s : m.start()]  # the office of a parent body named in full: the parent
        found.append(_Mention(s, m.end(), Body(name, "", "")))
    return _leftmost_longest(found)


@cache
def _place_or_zone() -> TermMatcher[bool]:
    from .resources import zones

    names = dict.fromkeys(_place_terms(), True)
    names.update({t: True for z in zones() for t in (z.name, *z.aliases)})
    return TermMatcher(names)


def _starts_with_place(text: str, start: int) -> bool:
    m = next(_place_or_zone().finditer(text[start : start + 12]), None)
    return m is not None and m.start == 0


# ------------------------------------------------------------------------------------------------ grammar (Chinese)
def _masked(text: str) -> list[bool]:
    """Which characters are cited rather than reported: inside 《》 or parentheses, in a 根据/按照/… clause, or on a
    来源/责任编辑 line."""
    mask = [False] * len(text)
    depth_book = depth_paren = 0
    for i, ch in enumerate(text):
        if ch in "《〈":
            depth_book += 1
        elif ch in "(":
            depth_paren += 1
        if depth_book or depth_paren:
            mask[i] = True
        if ch in "》〉" and depth_book:
            depth_book -= 1
        elif ch == ")" and depth_paren:
            depth_paren -= 1
        elif ch == "\n":
            depth_book = depth_paren = 0  # an unclosed bracket does not run past its line
    for m in _CITING.finditer(text):
        i = m.start()
        while i < len(text):
            if _CLAUSE_END.match(text, i) and not mask[i]:
                break
            mask[i] = True
            i += 1
    for m in _SOURCE_LINE.finditer(text):  # to the end of the line, or of the source's name in flattened text
        end = _SOURCE_END.search(text, m.end(), m.end() + 40)
        for i in range(m.start(), min(len(text), m.end() + 40) if end is None else end.start()):
            mask[i] = True
    return mask


def _chains(text: str, mentions: list[_Mention]) -> list[tuple[list[_Mention], int]]:
    """Coordinated runs of mentions (X、Y和Z) → (mentions, end of the run including a trailing 等四部门)."""
    out: list[tuple[list[_Mention], int]] = []
    i = 0
    while i < len(mentions):
        run = [mentions[i]]
        while i + 1 < len(mentions):
            m = _CONJ.fullmatch(text, run[-1].end, mentions[i + 1].start)
            if not m:
                break
            run.append(mentions[i + 1])
            i += 1
        end = run[-1].end
        etc = _ETC.match(text, end)
        if etc:
            end = etc.end()
        out.append((run, end))
        i += 1
    return out


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _is_signature(text: str, run: list[_Mention], end: int) -> bool:
    """The run fills its line(s) and the date follows (on the same line or the next), or it ends the text; or, in
    flattened text (…名单舟山市科学技术局2025年8月13日附件…), the date follows it directly."""
    rest = text[end:].lstrip(" \t\u3000")
    if text[_line_start(text, run[0].start) : run[0].start].strip():
        m = _DATE.match(rest)
        return bool(m) and _flat_date_ok(rest[m.end() :])
    rest = rest.lstrip(" \t\u3000\n")
    if not rest or _CLOSING.match(rest):
        return True
    m = _DATE.match(rest)
    return bool(m) and _flat_date_ok(rest[m.end() :])


def _flat_date_ok(after: str) -> bool:
    """A signature's date ends its line or the text, or runs into the attachment or a remark: 附件, (此件公开发布)."""
    return not after or after[0] in " \t\u3000\n(" or after.startswith("附件")


def _issuer_runs(text: str, mentions: list[_Mention], orgs: list[OrgSpan], part: str) -> list[_Mention]:
    mask = _masked(text)
    others = [(o.start, o.end) for o in orgs if not o.gov]
    out: list[_Mention] = []
    for run, end in _chains(text, mentions):
        if any(mask[m.start] for m in run):
            continue
        if _issues(text, run, end, mask, others, part):
            out.extend(run)
    return out


def _subject_gap(gap: str) -> bool:
    """Whether ``gap`` may stand between a subject and its verb: a short adverbial (日前, 于6月11日联合), or a clause
    about the subject and then, after one comma, only time words and adverbs (市科技局高度重视…,2022年制订了): in a
    topic chain the next clause without a subject of its own keeps the subject."""
    pre, comma, post = gap.partition(",")
    if len(pre) > _GAP_MAX or _GAP_BAR.search(pre):
        return False
    return not comma or _CHAIN_TAIL.fullmatch(post) is not None


def _issues(text: str, run: list[_Mention], end: int, mask: list[bool], others: list[tuple[int, int]],
            part: str) -> bool:
    start = run[0].start
    # X关于…的通知: a notice heading, unless it is an item of an attachment list.
    if _ABOUT.match(text, end) and not _ATTACHMENT.search(text[_line_start(text, start) : start]):
        return True
    # X：… opening a title.
    if part == "title" and not text[:start].strip() and re.match(r"\s*:", text[end:]):
        return True
    # X (adverbial) verb.
    gap_end = min(len(text), end + _GAP_MAX + 16)
    for v in _VERBS.finditer(text, end, gap_end):
        if not _subject_gap(text[end : v.start()]) or mask[v.start()]:
            break
        if any(end <= s < v.start() for s, _ in others):
            break
        return True
    # 据X消息，…名单公布: the source of a report of an issuance without a subject of its own.
    if _SOURCE_BEFORE.search(text, max(0, start - 1), start) and (src := _SOURCE_AFTER.match(text, end)):
        stop = text.find("。", src.end())
        rest = range(src.end(), len(text) if stop < 0 else stop)
        if any(not mask[m.start()] for m in _ISSUANCE.finditer(text, rest.start, rest.stop)):
            return True
    # 入选X…: the selecting body.
    if _SELECTED.search(text, max(0, start - 6), start):
        return True
    # X首批…名单: the list's owner.
    for n in _LIST_NOUN.finditer(text, end, min(len(text), end + 26)):
        gap = text[end : n.start()]
        if re.search(r"[。!?;:,\n“”\"()]", gap) or mask[n.start()]:
            break
        return True
    return _is_signature(text, run, end)


def find_issuers(text: str, orgs: list[OrgSpan] | None = None, *, part: str = "body", lang: str = "zh") -> list[Hit]:
    """Issuing bodies in normalised ``text`` (a title when ``part == "title"``, else a body), in reading order, one hit
    per body. ``lang`` "en" reads English text (find_issuers_en); otherwise the text is Chinese.

    ``orgs``: the organisation spans of ``text`` (orgs.find_orgs); computed when not given.
    """
    if lang == "en":
        return find_issuers_en(text, part=part)
    if not has_han(text):
        return []
    if orgs is None:
        orgs = find_orgs(text, "zh")
    out: list[Hit] = []
    seen: set[str] = set()
    for m in _issuer_runs(text, _mentions(text, orgs), orgs, part):
        b = m.body
        if b.name in seen:
            continue
        seen.add(b.name)
        out.append(Hit("issuer", b.name, m.start, m.end, (("name_en", b.name_en), ("abbr", b.abbr)), key=b.name))
    return out


# ------------------------------------------------------------------------------------------------ English
_EN_VERBS = (
    r"issu(?:ed|es|e|ing)|releas(?:ed|es|e|ing)|publish(?:ed|es|ing)?|announc(?:ed|es|e|ing)|unveil(?:ed|s|ing)?|"
    r"launch(?:ed|es|ing)?|initiat(?:ed|es|e|ing)|roll(?:ed|s)? out|la(?:id|ys|y) out|put forward|introduc(?:ed|es|e)|"
    r"approv(?:ed|es|e)|select(?:ed|s)?|recogni[sz](?:ed|es|e)|designat(?:ed|es|e)|promulgat(?:ed|es|e)|"
    r"circulat(?:ed|es|e)|list(?:ed|s)|nam(?:ed|es)|publici[sz]ed|rolled out|(?:has|have) (?:also )?(?:recently )?issued"
)
_EN_VERB = re.compile(rf"\b(?:{_EN_VERBS})\b", re.IGNORECASE)
_EN_PASSIVE = re.compile(
    r"\b(?:issued|released|published|announced|unveiled|launched|approved|selected|recogni[sz]ed|designated|"
    r"promulgated|jointly issued|formulated|drafted)\b[^.;:]{0,40}?\bby\s+(?:the\s+|China's\s+)?$",
    re.IGNORECASE,
)
_EN_DOC = re.compile(r"'s?\s+(?:\w+\s+){0,2}?(?:circular|notice|plan|list|guidelines?|opinions?|measures|policy|"
                     r"document|announcement|catalogue|action plan|program(?:me)?)\b", re.IGNORECASE)
_EN_CONJ = re.compile(r"\s*(?:,\s*(?:and\s+)?|\band\b|\btogether with\b|\bjointly with\b|\balong with\b)\s*"
                      r"(?:the\s+|China's\s+)?", re.IGNORECASE)
_EN_GAP_MAX = 45
_EN_GAP_BAR = re.compile(r"[.;:!?\n\"“”]|\b(?:which|that|who|whose|said|says|to|for|of|in which|with)\b")
_EN_UNIT = re.compile(r"(?:General Office|Department of [A-Z][\w ]{2,40}?|[A-Z][\w-]+ Department)"
                      r"\s+of\s+(?:the\s+)?$")
_EN_STOP_ABBRS = frozenset({"MOST", "SC", "SAFE", "CAS", "NAO"})  # also ordinary words or too short to trust alone


@cache
def _en_matchers() -> tuple[re.Pattern[str], dict[str, Body], re.Pattern[str], dict[str, _Place], dict[str, Body]]:
    """(national names regex, folded name → body, local names regex, place name → place, suffix head → suffix)."""
    national: dict[str, Body] = {}
    for r in _rows():
        if r["kind"] != "national":
            continue
        body = Body(r["name"], r["abbr"], r["name_en"])
        for name in (r["name_en"], *_split(r["aliases_en"])):
            national[name.casefold()] = body
    names = sorted(national, key=len, reverse=True)
    abbrs = {r["abbr"]: Body(r["name"], r["abbr"], r["name_en"]) for r in _rows()
             if r["kind"] == "national" and re.fullmatch(r"[A-Z]{3,}", r["abbr"])}
    for a, b in abbrs.items():
        national[a] = b
    strict = sorted(a for a in abbrs if a not in _EN_STOP_ABBRS)
    nat_rx = re.compile(
        rf"(?P<name>(?i:{'|'.join(re.escape(n) for n in names)}))(?:\s*\((?P<abbr>[A-Z]{{2,8}})\))?"
        rf"|\b(?P<bare>{'|'.join(strict)})\b"
    )
    places: dict[str, _Place] = {}
    from .resources import cities, provinces

    by_code: dict[str, _Place] = {}
    for p in provinces():
        place = _Place(p.name, p.name_en, p.code in _MUNICIPALITIES, p.name.endswith("省"), p.name.endswith("自治区"))
        by_code[p.code] = place
        for n in (p.name_en, *p.aliases_en):
            places[n] = place
    for c in cities():
        for n in (c.name_en, *c.aliases_en):
            places.setdefault(n, _Place(c.name, c.name_en, True, False, False, by_code.get(c.province_code)))
    suffixes: dict[str, Body] = {}
    for r in _rows():
        if r["kind"] == "local":
            for head in (r["name_en"], *_split(r["aliases_en"])):
                suffixes.setdefault(head.casefold(), Body(r["name"], "", r["name_en"]))
    place_alt = "|".join(re.escape(n) for n in sorted(places, key=len, reverse=True))
    suf_alt = "|".join(re.escape(n) for n in sorted(suffixes, key=len, reverse=True))
    level = r"(?:\s+(?:Province|Provincial|City|Municipal|Municipality|Autonomous Region|Region))*"
    local_rx = re.compile(
        rf"\b(?P<place>{place_alt}){level}\s+(?P<suf>(?i:{suf_alt}))\b"
        rf"|\b(?P<suf2>(?i:{suf_alt}))\s+of\s+(?:the\s+)?(?P<place2>{place_alt}){level}\b"
    )
    return nat_rx, national, local_rx, places, suffixes


def _en_mentions(text: str) -> list[_Mention]:
    nat_rx, national, local_rx, places, suffixes = _en_matchers()
    found: list[_Mention] = []
    for m in nat_rx.finditer(text):
        body = national[m.group("bare")] if m.group("bare") else national[m.group("name").casefold()]
        s = m.start()
        unit = _EN_UNIT.search(text, max(0, s - 80), s)
        if unit:
            s = unit.start()
        found.append(_Mention(s, m.end(), body))
    for m in local_rx.finditer(text):
        place = places[m.group("place") or m.group("place2")]
        suffix = suffixes[(m.group("suf") or m.group("suf2")).casefold()]
        found.append(_Mention(m.start(), m.end(), _local_body(place, suffix)))
    return _leftmost_longest(found)


def _en_issues(text: str, run: list[_Mention], end: int, part: str) -> bool:
    if _EN_PASSIVE.search(text[max(0, run[0].start - 60) : run[0].start]):
        return True
    if _EN_DOC.match(text, end):
        return True
    if part == "title" and not text[: run[0].start].strip() and re.match(r"\s*:", text[end:]):
        return True
    for v in _EN_VERB.finditer(text, end, min(len(text), end + _EN_GAP_MAX + 12)):
        gap = text[end : v.start()]
        if len(gap) > _EN_GAP_MAX or _EN_GAP_BAR.search(gap) or "," in gap and not re.fullmatch(r",[^,]*,\s*", gap):
            break
        return True
    return False


def _en_masked(text: str) -> list[bool]:
    """Characters inside parentheses or quotation marks (a cited title), or in a "pursuant to" phrase (a basis cited)."""
    mask = [False] * len(text)
    paren = quote = 0
    for i, ch in enumerate(text):
        if ch == "(":
            paren += 1
        elif ch == "“":
            quote += 1
        elif ch == '"':
            quote = 0 if quote else 1
        mask[i] = bool(paren or quote)
        if ch == ")" and paren:
            paren -= 1
        elif ch == "”" and quote:
            quote -= 1
        elif ch == "\n":
            paren = quote = 0
    for m in re.finditer(r"\b(?:in line with|pursuant to|in accordance with)\b[^,.;:\n]*", text, re.IGNORECASE):
        for i in range(m.start(), m.end()):
            mask[i] = True
    return mask


def find_issuers_en(text: str, *, part: str = "body") -> list[Hit]:
    """Issuing bodies in English ``text`` (a title when ``part == "title"``); values are the bodies' Chinese names."""
    mask = _en_masked(text)
    mentions = [m for m in _en_mentions(text) if not mask[m.start]]
    out: list[Hit] = []
    seen: set[str] = set()
    i = 0
    while i < len(mentions):
        run = [mentions[i]]
        while i + 1 < len(mentions) and _EN_CONJ.fullmatch(text, run[-1].end, mentions[i + 1].start):
            run.append(mentions[i + 1])
            i += 1
        i += 1
        if not _en_issues(text, run, run[-1].end, part):
            continue
        for m in run:
            b = m.body
            if b.name not in seen:
                seen.add(b.name)
                out.append(Hit("issuer", b.name, m.start, m.end, (("name_en", b.name_en), ("abbr", b.abbr)),
                               key=b.name))
    return out
