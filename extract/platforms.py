"""Platform mentions in a folded text: where each is named, the sentence it stands in, what happened to it, its level.

    find_mentions(text, lang, part) -> list[Mention]

A mention is a match of the pilot-platform terms (terms.toml [zh]/[en] ``pilot``), never a 中试 process step. Its name
is the match grown leftwards over the words that qualify it (江南大学食品及添加剂生物制造中试平台), stopping at
punctuation, a verb or function word (terms.toml [orgs] ``left_stops``: 依托, 建设, 的, 与…) and at the start of an
enumeration; a bare head (中试平台) is reported with an empty-ish name as written. The tagger links hosts, sectors and
places to mentions by sentence; mentions with the same name are one platform.

Event and level come from the mention's sentence (and the title, for an item about one platform): the strongest event
word found, in the order of ``_EVENTS`` (a 公示 outranks a 名单, an opening outranks construction, anything outranks a
plain mention).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import resources
from .classify import _rules

_MAX_NAME = 30
# Strongest first: what the text says happened to the platform.
_EVENTS: tuple[tuple[str, str, str], ...] = (
    ("shortlisted", r"公示|拟(?:认定|入选|列入|备案|推荐)", r"\b(?:shortlist\w*|publicity)\b"),
    ("listed", r"名单|入选|获批|认定为|被认定|列入|上榜|首批|榜单|备案",
     r"\b(?:list(?:ed)?|selected|approved|named|recogni[sz]ed)\b"),
    ("opened", r"揭牌|启用|投用|投运|投入使用|开园|正式运营|正式运行|落成|开放运行|启动运行|开业|亮相",
     r"\b(?:open(?:ed|s)?|inaugurat\w*|unveil\w*|put into (?:use|operation)|launched operation)\b"),
    ("established", r"成立|挂牌|授牌|组建|建成|正式成立", r"\b(?:establish\w*|set up|founded)\b"),
    ("construction", r"开工|动工|奠基|开建|在建|主体完工|封顶|竣工|加快建设|正在建设|建设中",
     r"\b(?:construction|groundbreaking|under way|being built)\b"),
    ("signed", r"签约|签署|签订|落户|合作协议", r"\b(?:sign\w*|agreement)\b"),
    ("called", r"申报|培育工作|组织开展|征集|推荐|遴选|评选|申请", r"\b(?:call(?:s|ed)? for|applications?|apply)\b"),
    ("planned", r"打造|布局|规划|将建|拟建|力争|建设|培育|推动|支持|鼓励|加快|谋划|筹建",
     r"\b(?:plan\w*|will build|aim\w*|to build|foster\w*|cultivat\w*|promot\w*|support\w*)\b"),
)
_NATIONAL = (r"国家级|国家(?!重点实验室)|全国|工业和信息化部|工信部|国家发展改革委|国家发改委|两部门|生物制造中试能力建设平台",
             r"\b(?:national|MIIT|NDRC|state-level|Ministry of Industry)\b")
_PROVINCIAL = (r"省级|省(?:工信厅|工业和信息化厅|科技厅|发展改革委|经信厅|经济和信息化厅)|自治区级|全省",
               r"\bprovincial\b")
_MUNICIPAL = (r"市级|市(?:工信局|工业和信息化局|科技局|发展改革委|发改委)|全市|区级", r"\b(?:municipal|city-level)\b")


@dataclass(frozen=True)
class Mention:
    part: str
    start: int  # the pilot term
    end: int
    name_start: int  # the name: text[name_start:end]
    sentence: tuple[int, int]
    event: str
    level: str

    def name(self, text: str) -> str:
        return text[self.name_start : self.end]


@cache
def _sentence_rx(lang: str) -> re.Pattern[str]:
    # bullets ( - item) split too: copied summaries put a whole list on one line
    return re.compile(r"(?<=[.!?;])\s+|\n+|\s[-•]\s" if lang == "en" else r"(?<=[。！？!?；;])|\n+|\s[-•]\s")


@cache
def _event_rx(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    col, flags = (2, re.IGNORECASE) if lang == "en" else (1, 0)
    return tuple((row[0], re.compile(row[col], flags)) for row in _EVENTS)


@cache
def _level_rx(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    col, flags = (1, re.IGNORECASE) if lang == "en" else (0, 0)
    return tuple((name, re.compile(rx[col], flags)) for name, rx in
                 (("national", _NATIONAL), ("provincial", _PROVINCIAL), ("municipal", _MUNICIPAL)))


@cache
def _left_stop_rx() -> tuple[re.Pattern[str], int]:
    words = [w for w in resources.terms()["orgs"]["left_stops"] if w not in ("高新区", "开发区", "经开区", "新区", "园区",
                                                                           "产业园", "科技园", "科学城", "片区")]
    # 首批 / 重点培育 qualify a list, not a platform's own name; 一批 / 多个 / 个 count platforms
    words += ["首批", "一批", "多个", "一个", "个", "家", "项", "打造", "培育", "布局", "加快", "新建", "组建", "构建",
              "部署", "开展", "实施", "推进", "加强", "提升", "申报", "参与", "拥有", "设立", "搭建", "形成", "建成", "建有",
              "投建", "落地", "升级", "完成", "成为", "作为", "入驻", "引进", "获评", "认定为", "列为", "牵头建设", "承建"]
    words.sort(key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, words)) + r")\Z"), max(map(len, words))


@cache
def _protected_rx() -> re.Pattern[str]:
    """Words with a stop word inside that occur in platform names (食品及添加剂, 工业和信息化)."""
    words = [*resources.terms()["orgs"]["compounds"], "食品及添加剂", "食品及其添加剂", "研发与转化", "概念验证与", "概念验证和"]
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (end-of-sentence punctuation kept with its sentence; newlines split)."""
    out, pos = [], 0
    for m in _sentence_rx(lang).finditer(text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _name_start(text: str, start: int, floor: int, lang: str) -> int:
    if lang == "en":
        # English names run left over capitalised words and "of"/"and" (Jinshi Bio-manufacturing Pilot Base)
        m = re.search(r"(?:\b(?:[A-Z][\w-]*|of|and|for)\s+){0,6}\Z", text[max(floor, start - 80) : start])
        pos = start - len(m.group()) if m else start
        while (w := re.match(r"(?:The|A|An|of|and|for)\s+", text[pos:start])) is not None:
            pos += w.end()  # an article or connective does not start a name
        return pos
    stops, n = _left_stop_rx()
    pos = start
    limit = max(floor, start - _MAX_NAME)
    protected = {i for m in _protected_rx().finditer(text, limit, start) for i in range(m.start() + 1, m.end() + 1)}
    while pos > limit:
        ch = text[pos - 1]
        if ch == ")":
            m = re.search(r"\([^()]{1,16}\)\Z", text[max(limit, pos - 18) : pos])
            if not m:
                break
            pos -= len(m.group())
            continue
        if not (ch.isalnum() or ch in "-·") or ch.isdigit() or (
                pos not in protected and stops.search(text, max(0, pos - n), pos)):
            break
        pos -= 1
    return pos


def event_of(sentence: str, lang: str) -> str:
    return next((name for name, rx in _event_rx(lang) if rx.search(sentence)), "mentioned")


def level_of(name: str, sentence: str, lang: str, *, sentence_level: str | None = None) -> str:
    """The level the name states, else the sentence's (``sentence_level`` when the caller has it already)."""
    for text in (name, sentence):
        if text is sentence and sentence_level is not None:
            return sentence_level
        found = next((lvl for lvl, rx in _level_rx(lang) if rx.search(text)), None)
        if found:
            return found
    return "unknown"


def find_mentions(text: str, lang: str, part: str = "body") -> list[Mention]:
    """Platform mentions in folded ``text``, in reading order."""
    rules = _rules(lang)
    out: list[Mention] = []
    for s, e in sentences(text, lang):
        sentence = text[s:e]
        process = [m.span() for m in rules.process.finditer(sentence)]
        event = level = None  # the sentence's, read once however many platforms it names
        for m in rules.pilot.finditer(sentence):
            if any(a <= m.start() < b for a, b in process):
                continue
            start, end = s + m.start(), s + m.end()
            name_start = _name_start(text, start, s, lang)
            name = text[name_start:end]
            if event is None:
                event, level = event_of(sentence, lang), level_of("", sentence, lang)
            out.append(Mention(part, start, end, name_start, (s, e), event,
                               level_of(name, sentence, lang, sentence_level=level)))
    return out
