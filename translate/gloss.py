"""The gloss engine: offline, word-by-word Chinese→English from the project glossary and CC-CEDICT.

It is a gloss, not a translation: word order stays Chinese. What it guarantees is fidelity of the
things that matter for monitoring notices: agency names and policy terms (glossary), numbers,
dates and quantities (rendered by rules, never looked up), and names (kept in Chinese when no
dictionary knows them). Stored output says engine="gloss" so nobody mistakes it for a translation.

Per sentence:
1. Traditional → Simplified (zhtext.script.fold, character for character), full-width ASCII → ASCII;
2. a rule pass cuts out what must not go through a dictionary: glossary terms containing numerals
   (十四五), dates (2025年6月11日 → June 11, 2025), quantities (超过200家 → more than 200,
   20个以上 → 20 or more, 1.5亿元 → 150 million yuan, 两百 → 200), ordinals (第三条 → Article 3),
   times, Latin runs (5G, COVID-19, URLs) and punctuation;
3. the Chinese between them is segmented as jieba would (zhtext/wordcut.py: jieba's dictionary, shared with the
   tagger, with every glossary term and every name of the shared gazetteer added as a word; HMM on, because it keeps unknown names like 张国清 whole); tags come from
   jieba's dictionary, and a word only the HMM found is a person's name when it looks like one (jieba's
   part-of-speech HMM, jieba.posseg, is not used nor imported);
4. each token gets one English sense: glossary, then function-word table, then CC-CEDICT
   (cedict.Cedict.sense), then a split into the fewest dictionary words; unknown names become Hanyu Pinyin
   (translate/names.py: people surname first, companies "<Brand> <Industry> Co., Ltd."), as do characters no
   dictionary has, so no content is dropped and no Chinese is left;
5. a join pass spaces the words, glues punctuation, capitalises the sentence.

Heavy data loads on the first translate() call, once per process (zhtext.cache.LOADS counts it): jieba's
prefix dictionary and its tag table, our words' additions to it, and CC-CEDICT's index come from the per-user cache
(zhtext/cache.py: $XDG_CACHE_HOME/pilotwatch) when it holds them for the same dictionary, glossary and gazetteer,
else they are built (about 2 s) and written there for the next process. Each word's rendering is remembered for the
process, so after that a typical 60-character sentence takes well under 1 ms.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zhtext import cache, wordcut
from zhtext.dates import DASH, DAY, MONTH, YEAR_CN, date_part, day_of, month_of
from zhtext.numerals import NUMERAL_CHARS, cn_to_int, is_bare
from zhtext.script import HAN_CHAR
from zhtext.wordcut import Segmenter

from . import names
from .cedict import ATTRIBUTION, DROP, Cedict, cedict_version, load_cedict
from .errors import TranslateError
from .glossary import Glossary, load_glossary
from .numbers import MONTHS, ordinal, render_scaled
from .textmaps import ascii_folded

__all__ = ["GlossTranslator", "create", "OPTIONS", "LOADS"]

log = logging.getLogger(__name__)

LOADS = cache.LOADS  # tables built or read in this process (zhtext/cache.py)

OPTIONS = {
    "glossary": "path to a glossary TSV used instead of the packaged translate/glossary.tsv",
}

# --- rule pass -------------------------------------------------------------------------------

_NUM_AR = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUM = rf"(?:{_NUM_AR}|[{NUMERAL_CHARS}]+)"
_YEAR = rf"(?:\d{{4}}|{YEAR_CN})"  # any four-digit year: the gloss renders 1850年 as well as 2025年
_S = r"[ \t]*"

# Quantity prefixes. 近 after 最/接/附/靠 is part of a word (最近 "recently"), not "nearly".
_PRE = {
    "超过": "more than",
    "超": "more than",
    "逾": "more than",
    "高达": "as much as",
    "达到": "reaching",
    "近": "nearly",
    "约": "about",
    "不少于": "at least",
    "不低于": "at least",
    "至少": "at least",
    "不超过": "no more than",
    "累计": "a total of",
    "共计": "a total of",
}
_PRE_RE = "|".join(sorted((re.escape(k) for k in _PRE), key=len, reverse=True)).replace("近", "(?<![最接附靠将])近")

# Units after a number: (singular, plural); "" = a bare classifier, dropped (the noun follows it).
_UNITS: dict[str, tuple[str, str]] = {
    "个百分点": ("percentage point", "percentage points"),
    "个月": ("month", "months"),
    "平方公里": ("square kilometre", "square kilometres"),
    "平方米": ("square metre", "square metres"),
    "立方米": ("cubic metre", "cubic metres"),
    "公里": ("km", "km"),
    "公顷": ("hectare", "hectares"),
    "亩": ("mu", "mu"),
    "吨": ("tonne", "tonnes"),
    "千克": ("kg", "kg"),
    "公斤": ("kg", "kg"),
    "升": ("litre", "litres"),
    "千瓦": ("kW", "kW"),
    "兆瓦": ("MW", "MW"),
    "美元": ("US dollar", "US dollars"),
    "元": ("yuan", "yuan"),
    "人次": ("person-time", "person-times"),
    "人": ("person", "people"),
    "户": ("household", "households"),
    "年": ("year", "years"),
    "天": ("day", "days"),
    "小时": ("hour", "hours"),
    "倍": ("time", "times"),
    "次": ("time", "times"),
    "岁": ("year old", "years old"),
    **{cl: ("", "") for cl in "个家项种批名位所条台套座款件类只支场篇份"},
}
_UNIT_RE = "|".join(sorted((re.escape(k) for k in _UNITS), key=len, reverse=True))
_POST = {"以上": "or more", "以下": "or less", "左右": "about", "以内": "within", "之内": "within", "内": "within"}

# Ordinals: 第N + what is counted. Legal units read "Article 3"; the rest "3rd".
_ORD_LEGAL = {"条": "Article", "章": "Chapter", "节": "Section", "款": "Paragraph", "号": "No."}
_ORD_NOUN = {"批": "batch", "轮": "round", "季度": "quarter", "期": "issue"}
_ORD_WORDS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_ORD_CL = "|".join(sorted([*_ORD_LEGAL, *_ORD_NOUN, "次", "届", "个", "名", "位", "家"], key=len, reverse=True))

# Punctuation: English text, glue to the left (no space before), glue to the right (none after).
_PUNCT: dict[str, tuple[str, bool, bool]] = {
    **{ch: (",", True, False) for ch in "，、,"},
    **{ch: (";", True, False) for ch in "；;"},
    **{ch: (":", True, False) for ch in "：:"},
    **{ch: (".", True, False) for ch in "。."},
    **{ch: ("!", True, False) for ch in "！!"},
    **{ch: ("?", True, False) for ch in "？?"},
    **{ch: ("“", False, True) for ch in "《“「〈"},
    **{ch: ("”", True, False) for ch in "》”」〉"},
    "『": ("‘", False, True),
    "‘": ("‘", False, True),
    "』": ("’", True, False),
    "’": ("’", True, False),
    **{ch: ("(", False, True) for ch in "（("},
    **{ch: (")", True, False) for ch in "）)"},
    **{ch: ("[", False, True) for ch in "【〔["},
    **{ch: ("]", True, False) for ch in "】〕]"},
    **{ch: ("–", True, True) for ch in "—–－-~～"},
    **{ch: ("·", True, True) for ch in "·•・"},
    "/": ("/", True, True),
    "%": ("%", True, False),
    "…": ("…", True, False),
}
_PUNCT_RE = "[" + re.escape("".join(_PUNCT)) + "]"

# Function words: (English, condition on the jieba POS flag or None). "" drops the word.
_FUNCTION: dict[str, tuple[str, str | None]] = {
    "的": ("", None),
    "之": ("", None),
    "地": ("", "u"),
    "得": ("", "u"),
    "了": ("", "u"),
    "着": ("", "u"),
    "过": ("", "u"),
    "把": ("", None),
    "所": ("", "c"),
    "吗": ("", None),
    "呢": ("", "y"),
    "吧": ("", "y"),
    "啊": ("", "y"),
    "和": ("and", None),
    "与": ("and", None),
    "及": ("and", None),
    "以及": ("and", None),
    "并": ("and", None),
    "并且": ("and", None),
    "而": ("and", None),
    "或": ("or", None),
    "或者": ("or", None),
    "在": ("in", None),
    "对": ("for", None),
    "对于": ("for", None),
    "于": ("in", None),
    "将": ("will", None),
    "被": ("by", None),
    "由": ("by", None),
    "从": ("from", None),
    "自": ("from", "p"),
    "向": ("to", None),
    "为": ("for", "p"),
    "等": ("etc.", "u"),
    "等等": ("etc.", None),
    "是": ("is", None),
    "其": ("its", None),
    "该": ("the", "r"),
    "此": ("this", None),
    "各": ("each", None),
    "按照": ("according to", None),
    "根据": ("according to", None),
    "通过": ("through", None),
    "到": ("to", None),
    "至": ("to", None),
    "截至": ("as of", None),
    "截止": ("as of", None),
}
# Localizers (jieba tag f) that close a 在… phrase; their reading when no 在 opened one.
_LOCALIZERS = {"中": "in", "之中": "in", "当中": "in", "里": "in", "上": "on", "之上": "on", "内": "within"}
# Before a date these read differently: 到2027年 "by 2027", 于6月11日 "on June 11".
_BEFORE_DATE = {
    "到": "by",
    "至": "to",
    "于": "in",
    "在": "in",
    "截至": "as of",
    "截止": "as of",
    "从": "from",
    "自": "from",
}

# Byline markers before reporters' names: the names are romanised, each apart (never a gloss, never glued).
_BYLINE = {"记者": "reporter", "实习记者": "trainee reporter", "摄影记者": "photographer", "通讯员": "correspondent",
           "特约记者": "special correspondent", "摄": "photo:"}
_BYLINE_RE = "|".join(sorted(_BYLINE, key=len, reverse=True))

_PROPER_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz"})
_NAME_FLAGS = frozenset({"nr", "nrt", "nrfg", "ns"})


@dataclass(frozen=True, slots=True)  # slots: the word memo holds hundreds of thousands of these
class _Piece:
    text: str
    glue_left: bool = False
    glue_right: bool = False
    date: str = ""  # "day" / "month" / "year" for rendered dates, so 到/于 before them can adapt
    fn: str = ""  # the Chinese function word this piece renders (到), for the same reason
    zh: bool = False  # Chinese kept as is; adjacent ones join without a space


def _build_rule_regex(glossary: Glossary) -> re.Pattern[str]:
    # Only terms the number rules would otherwise eat (十四五 would become "14 5"); 一批 or 一带一路
    # are left to jieba, which has them as words, so 统一批准 is not cut into 统 + 一批 + 准.
    numeric_terms = sorted(
        (zh for zh in glossary.entries if re.search(r"[\d十百千万亿〇零]", zh)), key=len, reverse=True
    )
    gl = "|".join(re.escape(t) for t in numeric_terms) or r"(?!x)x"
    parts = [
        rf"(?P<gl>{gl})",
        # a byline: 记者白聪聪张建新 (names glued or spaced), ending where the names end
        rf"(?P<by>(?P<bm>{_BYLINE_RE}){_S}(?P<bn>[\u4e00-\u9fff]{{2,9}}?(?:[ \u3000、]+[\u4e00-\u9fff]{{2,4}}){{0,4}})"
        r"(?=$|[ \u3000)）\]】,，。;；:：]|报道|摄|电|通讯员))",
        rf"(?P<ymd>(?P<y1>{_YEAR}){_S}年{_S}(?P<m1>{MONTH}){_S}月{_S}(?P<d1>{DAY}){_S}[日号](?P<dl1>电)?)",
        rf"(?P<ymr>(?P<y0>{_YEAR}){_S}年{_S}(?P<ma>{MONTH}){_S}{DASH}{_S}(?P<mb>{MONTH}){_S}月(?:份)?)",
        rf"(?P<ym>(?P<y2>{_YEAR}){_S}年{_S}(?P<m2>{MONTH}){_S}月(?:份)?)",
        rf"(?P<md>(?<![\d{NUMERAL_CHARS}])(?P<m3>{MONTH}){_S}月{_S}(?P<d3>{DAY}){_S}[日号](?P<dl3>电)?)",
        rf"(?P<mr>(?<![\d{NUMERAL_CHARS}])(?P<m4>{MONTH}){_S}{DASH}{_S}(?P<m5>{MONTH}){_S}月(?:份)?)",
        rf"(?P<yr>(?P<y6>{_YEAR}){_S}年(?P<edge>底|末|初)?)",
        rf"(?P<mo>(?<![\d{NUMERAL_CHARS}])(?P<m7>{MONTH}){_S}月份?)",
        r"(?P<dy>(?<![\d.])(?P<d8>\d{1,2})日)",
        r"(?P<no>(?<![\d.])(?P<n9>\d+)号)",
        r"(?P<tm>(?<![\d.])\d+(?:\.\d+)?(?::\d+(?:\.\d+)?)+(?![\d]))",  # 08:18, ratios 1.1:50.3:48.6
        r"(?P<run>\d+(?:[-/.]\d+){2,}|\d+(?:[-/]\d+)+)",
        r"(?P<lat>[A-Za-z0-9](?=[A-Za-z0-9_\-./:@#&+%]*[A-Za-z])[A-Za-z0-9_\-./:@#&+%]*[A-Za-z0-9]|[A-Za-z])",
        rf"(?P<ord>第{_S}(?P<on>{_NUM}){_S}(?P<ocl>{_ORD_CL})?)",
        rf"(?P<pct>百分之(?P<pn>{_NUM}))",
        rf"(?P<qty>(?P<pre>{_PRE_RE})?{_S}(?P<n>{_NUM}){_S}(?P<mult>万亿|亿|万)?(?P<ap>余|多)?{_S}"
        rf"(?P<pc>%|‰)?(?P<unit>{_UNIT_RE})?(?P<post>以上|以下|左右|以内|之内|内)?)",
        r"(?P<dash>——+|—{2,}|-{2,}|…+|\.{3,})",
        rf"(?P<p>{_PUNCT_RE})",
    ]
    pattern = "|".join(parts)
    # Most characters of a text begin no rule, yet the regex tries each of its 20 alternatives at each of them. A
    # lookahead on the characters a match can begin with turns those positions down in one test: same matches.
    first = first_chars(pattern)
    return re.compile(pattern if first is None else f"(?={first})(?:{pattern})")


class _NoFirstChars(Exception):
    pass


def first_chars(pattern: str) -> str | None:
    """A character class (regex source) holding every character a match of pattern can begin with; None when that
    cannot be told (a match may be empty, a case-insensitive pattern, an element this walk does not know)."""
    from re import _constants as c
    from re import _parser as p

    categories = {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s", c.CATEGORY_WORD: r"\w"}
    items: list[str] = []

    def esc(code: int) -> str:
        return re.escape(chr(code))

    def may_be_empty(sub: Any) -> bool:  # adds the first characters of a sequence; True when it can match ""
        for op, av in sub:
            if not _one(op, av):
                return False
        return True

    def _one(op: Any, av: Any) -> bool:
        if op is c.LITERAL:
            items.append(esc(av))
            return False
        if op is c.IN:
            for iop, iav in av:
                if iop is c.LITERAL:
                    items.append(esc(iav))
                elif iop is c.RANGE:
                    items.append(f"{esc(iav[0])}-{esc(iav[1])}")
                elif iop is c.CATEGORY and iav in categories:
                    items.append(categories[iav])
                else:  # a negated class, \D, …: too wide to help
                    raise _NoFirstChars
            return False
        if op is c.BRANCH:
            return any([may_be_empty(alt) for alt in av[1]])  # a list: every alternative adds its characters
        if op is c.SUBPATTERN:
            if av[1] & (re.IGNORECASE | re.LOCALE):  # (?i:…): a match may begin with the other case
                raise _NoFirstChars
            return may_be_empty(av[-1])
        if op is c.ATOMIC_GROUP:
            return may_be_empty(av)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            return may_be_empty(av[2]) or av[0] == 0
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            return True  # zero-width: the next element gives the first character
        raise _NoFirstChars

    try:
        parsed = p.parse(pattern)
        if parsed.state.flags & (re.IGNORECASE | re.LOCALE) or may_be_empty(parsed):
            return None
    except (_NoFirstChars, re.error, AttributeError):  # AttributeError: another Python's sre internals
        return None
    return "[" + "".join(dict.fromkeys(items)) + "]"


def _month(text: str) -> str | None:
    n = month_of(text)
    return None if n is None else MONTHS[n - 1]


def _fmt_int(n: int) -> str:
    """Chinese-numeral values: 200 → "200", 35000 → "35,000", 50000000 → "50 million"."""
    if n >= 1_000_000:
        return _scaled_words(n)
    return f"{n:,}" if n >= 10_000 else str(n)


def _scaled_words(n: int) -> str:
    for size, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if n >= size and n < 10**30:  # beyond that, float division overflows: keep the digits
            value = n / size
            return f"{value:g} {name}" if value == round(value, 6) else f"{n:,}"
    return f"{n:,}"


class _Rules:
    """Renders the spans the rule regex finds; returns None to hand a span back to the dictionary."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary

    def render(self, m: re.Match[str]) -> list[_Piece] | None:
        # One top-level group matched: the last to close (m.lastgroup). m["name"] reads a group without building
        # the dict of all 60 (groupdict() took a sixth of the rule pass).
        kind, g = m.lastgroup, m
        if kind == "gl":
            return [_Piece(self.glossary.get(g["gl"]) or g["gl"])]
        if kind == "by":
            people = names.split_names(g["bn"])
            if not people:
                return None  # 记者从…获悉: not a byline
            english = ", ".join(names.person(p) for p in people)
            return [_Piece(f"{_BYLINE[g['bm']]} {english}")]
        if kind == "ymd":
            y, mo, d = date_part(g["y1"]), _month(g["m1"]), day_of(g["d1"])
            if y is None or mo is None or d is None:
                return None
            return [_Piece(f"{mo} {d}, {y}", date="day"), *self._dateline(g["dl1"])]
        if kind == "ymr":
            y, a, b = date_part(g["y0"]), _month(g["ma"]), _month(g["mb"])
            return None if y is None or a is None or b is None else [_Piece(f"{a}–{b} {y}", date="month")]
        if kind == "ym":
            y, mo = date_part(g["y2"]), _month(g["m2"])
            return None if y is None or mo is None else [_Piece(f"{mo} {y}", date="month")]
        if kind == "md":
            mo, d = _month(g["m3"]), day_of(g["d3"])
            return None if mo is None or d is None else [_Piece(f"{mo} {d}", date="day"), *self._dateline(g["dl3"])]
        if kind == "mr":
            a, b = _month(g["m4"]), _month(g["m5"])
            return None if a is None or b is None else [_Piece(f"{a}–{b}", date="month")]
        if kind == "yr":
            y = date_part(g["y6"])
            if y is None:
                return None
            edge = {"底": f"the end of {y}", "末": f"the end of {y}", "初": f"early {y}"}.get(g["edge"] or "", str(y))
            return [_Piece(edge, date="year")]
        if kind == "mo":
            mo = _month(g["m7"])
            return None if mo is None else [_Piece(mo, date="month")]
        if kind == "dy":
            return [_Piece(f"the {ordinal(int(g['d8']))}", date="day")]
        if kind == "no":
            return [_Piece(f"No. {g['n9']}")]
        if kind in ("tm", "run", "lat"):
            return [_Piece(m.group())]
        if kind == "ord":
            return self._ordinal(g["on"], g["ocl"])
        if kind == "pct":
            n = g["pn"] if g["pn"][0].isdigit() else cn_to_int(g["pn"])
            return None if n is None else [_Piece(f"{n}%")]
        if kind == "qty":
            return self._quantity(g)
        if kind == "dash":
            return [_Piece("…", True, False)] if m.group()[0] in "…." else [_Piece("—")]
        if kind == "p":
            text, left, right = _PUNCT[m.group()]
            return [_Piece(text, left, right)]
        return None

    @staticmethod
    def _dateline(dispatch: str | None) -> list[_Piece]:
        # 新华社北京6月11日电: the 电 marks a dispatch dateline.
        return [_Piece("—")] if dispatch else []

    @staticmethod
    def _ordinal(num: str, cl: str | None) -> list[_Piece] | None:
        if len(num) > 20:  # 第 + thousands of digits is no ordinal (and int() refuses 4,300+ digits)
            return None
        n = cn_to_int(num) if not num[0].isdigit() else None
        if not num[0].isdigit() and n is None:
            return None
        digits = num if num[0].isdigit() else str(n)
        if cl in _ORD_LEGAL:
            return [_Piece(f"{_ORD_LEGAL[cl]} {digits}")]
        if num[0].isdigit() or n is None or n > 10:
            word = ordinal(int(digits.replace(",", ""))) if "." not in digits else digits
        else:
            word = _ORD_WORDS[n]
        noun = _ORD_NOUN.get(cl or "")
        return [_Piece(f"{word} {noun}" if noun else word)]

    @staticmethod
    def _quantity(g: re.Match[str]) -> list[_Piece] | None:
        num: str = g["n"]
        unit, post, ap, pre, mult = g["unit"], g["post"], g["ap"], g["pre"], g["mult"]
        if num[0].isdigit():
            # Arabic digits are kept exactly as written (the fidelity check relies on it); only
            # 万/亿 scale them, and missing_numbers accepts the scaled English.
            value_text = render_scaled(num, mult) if mult else num
            one = num == "1" and not mult
        else:
            has_scale = any(ch in num for ch in "十百千万亿〇零○")
            n = cn_to_int(num)
            if n is None or not has_scale or is_bare(num) or (num == "十" and not (unit or ap or post)):
                return None  # 十分 "very", 千万 "must", 一一 "one by one", 百家争鸣: words, not numbers
            if mult:
                return None
            value_text = _fmt_int(n)
            one = n == 1
        words: list[str] = []
        if pre:
            words.append(_PRE[pre])
        elif ap:
            words.append("more than")
        if post in ("左右", "以内", "之内", "内"):
            words.append(_POST[post])
        pct = g["pc"] or ""
        words.append(value_text + pct)
        if unit:
            singular, plural = _UNITS[unit]
            if singular:
                words.append(singular if one else plural)
        if post in ("以上", "以下"):
            words.append(_POST[post])
        return [_Piece(" ".join(words))]


# --- dictionary pass -------------------------------------------------------------------------


@dataclass
class _Resources:
    cedict: Cedict
    glossary: Glossary
    rules: _Rules
    rule_re: re.Pattern[str]
    segmenter: Segmenter  # jieba's segmentation and tags, with the glossary words and the gazetteer's names added
    places: frozenset[str]  # the gazetteer's provinces, cities and counties (a company's leading place is dropped)
    words: dict[str, tuple[_Piece, ...]]  # each word's rendering, once worked out (see _words)


# One cache file for the packaged glossary's words, one for any other (a test's glossary must not evict the packaged
# one's). jieba's own dictionary is one more, shared with the tagger (zhtext/wordcut.py).
_TOKENIZER_CACHE = "gloss-words"
_TOKENIZER_CACHE_CUSTOM = "gloss-words-custom"


def _added_words(glossary: Glossary, gazetteer: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """(word, tag) added to jieba's dictionary, in order (a word's suggested frequency depends on those before it)."""
    words = [(zh, "nz") for zh in glossary.entries]
    words += [(zh, "nt") for zh in gazetteer if zh not in glossary.entries and len(zh) > 1]
    return words


def load_segmenter(glossary: Glossary, gazetteer: dict[str, tuple[str, str]], *, packaged: bool = True) -> Segmenter:
    """jieba's dictionary with our words, as a Segmenter over the process's shared dictionary (zhtext.wordcut.load:
    from the user cache when built from the same jieba dictionary and words). Our words never reach jieba's own
    tokenizer, so they do not change segmentation for other users of jieba."""
    import jieba
    from jieba import finalseg

    base, total, freq, tags, force_split = wordcut.load(
        _TOKENIZER_CACHE if packaged else _TOKENIZER_CACHE_CUSTOM, wordcut.jieba_dictionary_path(jieba), jieba.__version__,
        _added_words(glossary, gazetteer), jieba.Tokenizer)
    for zh in force_split:  # what jieba's add_word does for a word of frequency 0 (none of ours today)
        finalseg.add_force_split(zh)
    return Segmenter(base, total, freq, tags, blocks=(jieba.re_han_default, jieba.re_skip_default), hmm=finalseg.cut)


@functools.cache
def _resources(glossary_path: str | None) -> _Resources:
    """Load CC-CEDICT, jieba and the glossary once per process (per glossary file)."""
    started = time.perf_counter()
    glossary = load_glossary(glossary_path)
    cedict = load_cedict()
    gazetteer = names.table()
    segmenter = load_segmenter(glossary, gazetteer, packaged=glossary_path is None)
    places = frozenset(zh for zh, (_, kind) in gazetteer.items() if kind in ("province", "city", "county"))
    res = _Resources(cedict, glossary, _Rules(glossary), _build_rule_regex(glossary), segmenter, places, {})
    LOADS["gloss resources"] += 1
    log.info(
        "gloss engine loaded in %.2f s (%d CC-CEDICT headwords, %d glossary terms)",
        time.perf_counter() - started,
        len(cedict.index),
        len(glossary.entries),
    )
    return res


class GlossTranslator:
    """Word-by-word gloss; see the module docstring. Construct with create() or translate.load_translator."""

    engine = "gloss"
    attribution = ATTRIBUTION

    def __init__(self, glossary: str | None = None) -> None:
        self._glossary_path = str(glossary) if glossary is not None else None
        try:
            version = load_glossary(self._glossary_path).version
        except OSError as exc:
            raise TranslateError(
                f"gloss engine: cannot read glossary {glossary}: {exc}", engine="gloss", setting="glossary"
            ) from exc
        self.model = f"{cedict_version()}+glossary-{version}"

    def __repr__(self) -> str:
        return f"GlossTranslator(model={self.model!r})"

    def load(self) -> GlossTranslator:
        """Load the heavy data now instead of on the first translate() call."""
        _resources(self._glossary_path)
        return self

    def translate(self, sentences: Sequence[str]) -> list[str]:
        res = _resources(self._glossary_path)
        return [_gloss(res, s) for s in sentences]


def create(**options: Any) -> GlossTranslator:
    """Factory for the engine registry; unknown options are an error naming the option."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        known = ", ".join(sorted(OPTIONS))
        raise TranslateError(
            f"gloss engine: unknown option {unknown[0]!r} (known: {known})", engine="gloss", setting=unknown[0]
        )
    return GlossTranslator(**options)


# Document titles: 关于<subject>的<kind> reads "<Kind> on <subject>" (the commonest title of a notice).
_DOC_KINDS = {
    "通知": "Notice", "意见": "Opinions", "实施意见": "Implementation Opinions", "指导意见": "Guiding Opinions",
    "决定": "Decision", "批复": "Reply", "公告": "Announcement", "通告": "Announcement", "通报": "Circular",
    "办法": "Measures", "管理办法": "Administrative Measures", "实施细则": "Implementation Rules", "方案": "Plan",
    "实施方案": "Implementation Plan", "工作方案": "Work Plan", "行动方案": "Action Plan", "行动计划": "Action Plan",
    "若干措施": "Measures", "若干政策措施": "Policy Measures", "指南": "Guidelines", "规定": "Provisions",
    "规划": "Plan", "函": "Letter", "报告": "Report", "公示": "Public Notice", "请示": "Request",
}
_DOC_TITLE = re.compile(
    r"关于(?P<subject>[^，。；：《》“”!?！？]{2,120}?)的(?P<kind>"
    + "|".join(sorted(map(re.escape, _DOC_KINDS), key=len, reverse=True)) + r")(?![\u4e00-\u9fff])")


def _gloss(res: _Resources, sentence: str) -> str:
    # Traditional → Simplified first (length-preserving): one dictionary, one set of rules for both scripts.
    text = ascii_folded(sentence)
    pieces: list[_Piece] = []
    pos = 0
    for m in _DOC_TITLE.finditer(text):
        pieces.extend(_named(res, text[pos:m.start()]))
        pieces += [_Piece(_DOC_KINDS[m["kind"]]), _Piece("on"), *_named(res, m["subject"])]
        pos = m.end()
    pieces.extend(_named(res, text[pos:]))
    return _join(_drop_localizers(_adapt_before_dates(pieces)))


def _named(res: _Resources, text: str) -> list[_Piece]:
    """Company names first (they hold words the dictionary would gloss: 绿源), then the rule pass."""
    pieces: list[_Piece] = []
    pos = 0
    for start, end, english in names.companies(text, res.places):
        pieces.extend(_ruled(res, text[pos:start]))
        pieces.append(_Piece(english))
        pos = end
    pieces.extend(_ruled(res, text[pos:]))
    return pieces


def _drop_localizers(pieces: list[_Piece]) -> list[_Piece]:
    """在…中 / 在…上 / 在…里: "in …" — the localizer closing the phrase is dropped, not glossed "middle"."""
    out: list[_Piece] = []
    open_at = False  # a 在 since the last clause break
    for piece in pieces:
        if piece.fn == "在":
            open_at = True
        elif piece.fn in _LOCALIZERS:
            if open_at:
                open_at = False
                continue
            piece = _Piece(_LOCALIZERS[piece.fn])
        elif piece.glue_left and piece.text in (",", ";", ".", ":", "!", "?"):
            open_at = False
        out.append(piece)
    return out


def _ruled(res: _Resources, text: str) -> list[_Piece]:
    """The rule pass over one stretch of text; what no rule claims is glossed word by word."""
    pieces: list[_Piece] = []
    pos = 0
    for m in res.rule_re.finditer(text):
        rendered = res.rules.render(m)
        if rendered is None:
            continue  # handed back: this span is glossed as ordinary words below
        if m.start() > pos:
            pieces.extend(_words(res, text[pos : m.start()]))
        pieces.extend(rendered)
        pos = m.end()
    if pos < len(text):
        pieces.extend(_words(res, text[pos:]))
    return pieces


def _flag(res: _Resources, word: str) -> str:
    """A word's part-of-speech tag from jieba's dictionary. A word the HMM found is tagged a person's name (nr) when it
    looks like one (two or three characters from a surname), else x. jieba's own POS tagger would run a 200-state HMM
    over each such run: two thirds of the gloss's time, for a tag only names need."""
    flag = res.segmenter.tag(word)
    return flag if flag is not None else ("nr" if names.looks_like_person(word) else "x")


# Remembered renderings; past that the memo starts again (a long run sees new words, names mostly, for ever). 50,000
# words (~15 MB) cover nearly all tokens of a day: news and policy vocabulary is small, the tail is names.
_WORDS_KEPT = 50_000


def _words(res: _Resources, chunk: str) -> list[_Piece]:
    """jieba's segmentation (its HMM joins characters no dictionary has into words), each word rendered (_word). A
    word's rendering depends on the word only (its tag comes from it), so it is worked out once per process."""
    out: list[_Piece] = []
    memo = res.words
    for word in res.segmenter.cut(chunk):
        pieces = memo.get(word)
        if pieces is None:
            if len(memo) >= _WORDS_KEPT:
                memo.clear()
            pieces = memo[word] = tuple(_word(res, word, _flag(res, word))) if word.strip() else ()
        out.extend(pieces)
    return out


def _word(res: _Resources, word: str, flag: str) -> list[_Piece]:
    en = res.glossary.get(word) or names.english(word)
    if en is not None:
        return [_Piece(en)]
    if word in _LOCALIZERS and flag == "f":
        return [_Piece(_LOCALIZERS[word], fn=word)]  # kept unless a 在 before it opened the phrase
    fn = _FUNCTION.get(word)
    if fn is not None and (fn[1] is None or flag.startswith(fn[1])):
        # Keep the Chinese word on the piece so a date after it can change it (到 → "by").
        return [_Piece(fn[0], fn=word)] if fn[0] else []
    if not HAN_CHAR.search(word):
        return [_Piece(word)]  # symbols jieba passed through (★, =, +)
    proper = flag in _PROPER_FLAGS
    sense = res.cedict.sense(word, proper, noun=flag.startswith("n") and not proper)
    if sense == DROP:
        return []
    if sense is not None:
        return [_Piece(sense)]
    parts = _split_known(res, word)
    if flag in _NAME_FLAGS and any(len(zh) < 2 for zh, _ in parts):
        # A person or place no dictionary knows (张国清 → 张 + 国清): in Hanyu Pinyin, whole, never a literal gloss.
        # jieba's HMM also tags unknown compounds nr (建立健全); those split into real words, and
        # organisations (nt: 税务总局, 党组织) are compositional, so they are glossed piece by piece.
        return [_Piece(names.people(word) if flag.startswith("nr") else names.romanise(word))]
    return [_Piece(en) for zh, en in parts if en]


def _split_known(res: _Resources, word: str) -> list[tuple[str, str]]:
    """Split a word no dictionary has into glossary / CC-CEDICT words: [(zh, en)].

    Fewest pieces wins, ties go to the pieces jieba finds most frequent (党组织 → 党 + 组织, not
    党组 + 织). Characters no dictionary knows map to themselves, so nothing is dropped.
    """
    freq = res.segmenter.freq
    n = len(word)
    longest = max(res.cedict.max_len, 1)
    # best[i] = (pieces, -log-ish frequency score, split) for word[i:]
    best: list[tuple[int, float, list[tuple[str, str]]]] = [(0, 0.0, [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        options: list[tuple[int, float, list[tuple[str, str]]]] = []
        for j in range(i + 1, min(n, i + longest) + 1):
            part = word[i:j]
            en = res.glossary.get(part)
            if en is None and part in res.cedict:
                en = res.cedict.sense(part)
            if en is None:
                if j > i + 1:
                    continue
                en = names.romanise(part)  # a character no dictionary has: its reading, never the character
            rest = best[j]
            options.append((rest[0] + 1, rest[1] - math.log((freq(part) or 0) + 1), [(part, en), *rest[2]]))
        best[i] = min(options, key=lambda o: (o[0], o[1]))
    return best[0][2]


def _adapt_before_dates(pieces: list[_Piece]) -> list[_Piece]:
    out: list[_Piece] = []
    for i, piece in enumerate(pieces):
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if piece.fn in _BEFORE_DATE and nxt is not None and nxt.date:
            text = _BEFORE_DATE[piece.fn]
            if piece.fn in ("于", "在") and nxt.date == "day":
                text = "on"
            elif piece.fn == "到" and i > 0 and pieces[i - 1].date:
                text = "to"  # 从2021年到2025年: a range, not a deadline
            piece = _Piece(text)
        out.append(piece)
    return out


def _join(pieces: list[_Piece]) -> str:
    parts: list[str] = []
    prev: _Piece | None = None
    quotes = 0  # nesting: 《“十四五”规划》 → “‘14th Five-Year Plan’ plan”
    for piece in pieces:
        if not piece.text:
            continue
        if piece.text in ("“", "‘"):
            piece = _Piece("‘" if quotes % 2 else "“", piece.glue_left, piece.glue_right)
            quotes += 1
        elif piece.text in ("”", "’") and quotes:
            quotes -= 1
            piece = _Piece("’" if quotes % 2 else "”", piece.glue_left, piece.glue_right)
        if parts and not piece.glue_left and not (prev and prev.glue_right) and not (prev and prev.zh and piece.zh):
            parts.append(" ")
        parts.append(piece.text)
        prev = piece
    text = "".join(parts)
    text = _SPACES.sub(" ", text).strip()
    text = _DOUBLE_COMMA.sub(r"\1", text)  # a dropped word between two commas
    text = _LEADING_PUNCT.sub("", text)
    return _capitalise(text)


_SPACES = re.compile(r"\s+")
_DOUBLE_COMMA = re.compile(r"([,;:])(?:\s*[,;:])+")
_LEADING_PUNCT = re.compile(r"^[,;:.\s]+")


def _capitalise(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :] if ch.islower() else text
        if ch not in "“‘([\"'":
            return text
    return text
