"""Publishing furniture around a news text: datelines, bylines, source and editor lines, a repeated headline.

    is_meta(line, lang) / dateline(line, lang) / strip_dateline(line, lang)    the line-level rules
    furniture(title, body, lang) -> list[Span]                                where they are in a body

A dateline (新华社济南12月1日电, 中新网6月12日电, 本报讯, BEIJING, June 30 (Xinhua) --) says where the reporter was,
not where a platform is; a byline or "来源: 经济参考报" names the publisher, not an issuer; a body that starts with its
own headline would count every title word twice. The tagger blanks these spans (same length, so offsets hold) before
matching and keeps the dateline apart as the place of last resort; the announcement scorer (announce.py) skips the
same lines when it takes the lead. One set of rules for both, so they never disagree on what the story is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_META_LINE_CHARS = 80  # a metadata line is short; a paragraph that happens to say 来源 is not one
# Datelines and bylines. A line made only of them is furniture; one opening a paragraph is cut off.
_ZH_DATELINE = re.compile(
    r"^[【\[]?(?:[^\s，,。：:]{0,12}?\d{1,2}月\d{1,2}日(?:电|讯|消息)|[^\s，,。：:]{0,10}?(?:报|社|网|台|刊)讯)[】\]]?"
    r"\s*(?:[(（][^)）]{0,40}[)）])?[\s丨|]*"
    r"|^[(（][^)）]{0,30}?(?:记者|通讯员|综合电|报道)[^)）]{0,30}[)）]\s*"
)
_EN_DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{1,30}(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([A-Za-z ]{2,20}\))?(?:\s*(?:--|—|–)|\s+-)\s+"
)
_BYLINE = re.compile(r"记者|通讯员|特约撰稿|摄影|供图|文/|图/|撰文|编译|\b(?:By|Written by|Photo by|Source)\b")
_META = re.compile(
    r"来源[:：]|来源\s|本文转自|转载|责任编辑|责编|编辑[:：\s]|作者[:：]|发布(?:日期|时间)|更新时间|日期[:：]|时间[:：]|"
    r"字号|字体|打印|分享(?:到|[:：]|$)|访问(?:次数|量)|点击(?:量|数)|浏览(?:次数|量)|当前位置|首页\s*[>›]|网站首页|网站地图|"
    r"〔\d{4}〕\s*\d+\s*号|\bUpdated\b|\bEditor'?s Note\b|\bSource:|\bPublished\b"
)
_CAPTION = re.compile(r"(?:供图|摄)\)?$")
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
)
SENTENCE_END = {"zh": re.compile(r"[。！？!?；;]"), "en": re.compile(r"[.!?;](?:\s|$)")}
# A clause break: what a sentence has and a metadata line (source, date, byline) does not.
_CLAUSE = {"zh": re.compile(r"[，,；;！!？?。]"), "en": re.compile(r"[;!?]|[,.]\s+[a-z]")}
_SPACE = re.compile(r"\s+")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "dateline" | "meta" | "headline"


def is_meta(line: str, lang: str) -> bool:
    """A line (stripped) that only carries metadata: source, editor, byline, date, page furniture."""
    if len(line) > _META_LINE_CHARS:
        return False
    has_clause = bool(_CLAUSE[lang].search(line))
    if _META.search(line) or _CAPTION.search(line) or (_DATE.search(line) and not has_clause):
        return True
    if _BYLINE.search(line) and not has_clause:
        return True
    if dateline(line, lang) and not strip_dateline(line, lang).strip():
        return True
    # page furniture: "|", 新闻详情, 导读, Key points:
    return len(_SPACE.sub("", line)) <= (6 if lang == "zh" else 12) and not SENTENCE_END[lang].search(line)


def dateline(line: str, lang: str) -> re.Match[str] | None:
    """The dateline or byline opening ``line`` (stripped), if any."""
    return (_EN_DATELINE if lang == "en" else _ZH_DATELINE).match(line)


def strip_dateline(line: str, lang: str) -> str:
    m = dateline(line, lang)
    return line[m.end() :] if m else line


def furniture(title: str, body: str, lang: str) -> list[Span]:
    """Spans of publishing furniture in ``body`` (folded text), in order: metadata lines, a first line repeating the
    title, and a dateline or byline opening a paragraph."""
    head = _SPACE.sub("", title)
    spans: list[Span] = []
    first = True
    for m in _LINE.finditer(body):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        s = m.start() + len(line) - len(line.lstrip())
        e = s + len(stripped)
        if first and len(head) >= 4 and _SPACE.sub("", stripped) == head:
            spans.append(Span(s, e, "headline"))
        elif is_meta(stripped, lang):
            spans.append(Span(s, e, "meta"))
        elif (d := dateline(stripped, lang)) is not None:
            spans.append(Span(s, s + d.end(), "dateline"))
        first = False
    return spans


def blank(text: str, spans: list[Span]) -> str:
    """``text`` with each span overwritten by spaces (offsets hold)."""
    if not spans:
        return text
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = " " * (s.end - s.start)
    return "".join(chars)
