"""Fidelity check: did every number, year and agency name of the Chinese survive into the English?

For notices the numbers (2027, 20 platforms, 200 firms, 400 products) and the issuing agencies are
the content, and neural engines are known to drop or change them (see shared/research/mt.md), so
every engine's output goes through the same check(). It is engine-neutral and accepts the usual
English renderings:

* Arabic digit groups (missing_numbers): thousands separators either side (15,500 ↔ 15500); a
  group before 万/亿/万亿 may appear scaled (1.5亿 ↔ "150 million"); a month number before 月 may
  appear as the month name (6月 ↔ "June"); leading zeros are not significant (06月 ↔ 6);
* Chinese-numeral quantities (二十个, 两百家, 四百个以上, 十余年, 三月): a numeral followed by a
  measure word, 年/月/日 or 以上/余/多 must appear as digits (20, 35,000, "50 million") or as
  English number words ("twenty", "two hundred", "one hundred and twenty", "twentieth"); a month
  may appear as its name. A bare 一 is left alone (一个 is usually "a"), and so are numerals that
  are part of a glossary term (十五五, 二十大, 一批) or not numbers at all (十分, 千万, 一一);
* years written in Chinese (二〇二七年) must appear as digits, like Arabic years;
* glossary entities (translate.terms.expected_terms: ministries, agencies, party and academy bodies,
  media) must appear as the full name, the name without its abbreviation, or the abbreviation,
  in any case.

check() reports misses as short strings in source order without repeats: "2027", "二十个 (20)",
"二〇二七年 (2027)", "MIIT" (an entity's abbreviation, or its name when it has none).

No regex is compiled per article (issue 20): the fixed patterns are compiled at import, an English number's scaled
forms are looked for as plain strings, and what depends on data is compiled once per process and kept (an entity's
accepted forms, a Chinese-numeral value's English words).
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from zhtext.numerals import NUMERAL_CHARS, cn_to_int, is_bare, is_digit_string
from zhtext.script import fold

from .glossary import GlossaryEntry, load_glossary
from .numbers import MONTHS, scale_forms
from .terms import accepted_forms, expected_terms, find_terms
from .textmaps import ascii_folded, asciified

__all__ = ["check", "missing_numbers", "digit_groups", "number_words"]

# A digit group: 2027, 3.5, 1,000, 53365.53. Commas join only groups of exactly three digits.
_GROUP = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?(?![\d])")
# What follows a digit group: a scale word, 月, or a month range (1-12月 → January–December).
_AFTER_ZH = re.compile(r"\s*(万亿|亿|万|月)|\s*[-－—–~～至到]\s*\d{1,2}\s*(月)")

# --- Chinese numerals ----------------------------------------------------------------------------

# What makes a numeral a quantity: measure words and units (as in the gloss engine's rules; not 分,
# since 十分 is "very"), then 年/月/日/号, then 以上. Longest first, so 个月 wins over 个.
_MEASURES = sorted(
    [
        *"个家项种批名位所条台套座款件类只支场篇份次倍人户元吨亩升天岁届轮期章节",
        *("个百分点", "个月", "平方公里", "平方米", "立方米", "公里", "公顷", "千克", "公斤", "千瓦", "兆瓦"),
        *("美元", "人次", "小时", "季度", "周年"),
    ],
    key=len,
    reverse=True,
)
_CN_QTY = re.compile(
    rf"(?P<ord>第)?(?P<n>[{NUMERAL_CHARS}]+)(?P<ap>余|多)?"
    rf"(?P<unit>{'|'.join(map(re.escape, _MEASURES))}|年|月|日|号)?(?P<post>以上)?"
)
_CN_DAY_AFTER = re.compile(rf"[{NUMERAL_CHARS}]+[日号]")
# A place name holding a numeral and a measure word: 五台县, 七台河市, 三家村.
_PLACE_AFTER = frozenset("县市区镇乡村河山")
# English a multiple may take instead of the number: 两倍 "twice", 三倍 "threefold".
_TIMES_WORDS = {2: re.compile(r"\b(?:twice|doubl\w*)\b"), 3: re.compile(r"\b(?:thrice|tripl\w*|trebl\w*)\b")}
_DECADE = re.compile(r"\bdecades?\b")
_SPACES = re.compile(r"\s+")

# Entities: a parenthesised short name the terms module does not take for an abbreviation.
_PAREN = re.compile(r"\(([^()]+)\)\s*$")
# Short names news English uses for media: the dateline "(Xinhua)", "People's Daily".
_SHORT_NAMES = {"Xinhua News Agency": ("Xinhua",), "People's Daily Online": ("People's Daily", "people.cn")}
# A generic body is no name: an engine that paraphrases it has not lost it. What a translator (and an LLM) writes for
# these, beside the glossary's rendering; a department's function words must still come through ("finance").
_PARAPHRASES = {
    "competent authorities": ("competent authority", "competent department", "authorities in charge",
                              "department in charge", "departments in charge", "responsible department",
                              "supervising department", "supervisory department", "regulator", "regulatory authority",
                              "regulatory authorities"),
    "People's Government": ("government",),
    "Administrative Committee": ("management committee", "administration committee", "administrative commission"),
    "Department of Science and Technology": ("science and technology department",),
    "Bureau of Science and Technology": ("science and technology bureau",),
    "Department of Industry and Information Technology": ("industry and information technology department",),
    "Bureau of Industry and Information Technology": ("industry and information technology bureau",),
    "Development and Reform Commission": ("development and reform committee",),
}

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_BIG = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (10**2, "hundred"))
_ORDINAL_IRREGULAR = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
# Between number words: a space or a hyphen, optionally "and" (one hundred and twenty, twenty-five).
_WORD_JOIN = r"(?:\s*-\s*|\s+)(?:and\s+)?"


def _norm(group: str) -> str:
    group = group.replace(",", "")
    if "." in group:
        whole, frac = group.split(".", 1)
        return f"{whole.lstrip('0') or '0'}.{frac}"
    return group.lstrip("0") or "0"


def digit_groups(text: str) -> list[str]:
    """Normalised digit groups in text, in order (full-width digits count; commas and leading zeros don't)."""
    return _groups(asciified(text))


def _groups(ascii_text: str) -> list[str]:
    return [_norm(m.group()) for m in _GROUP.finditer(ascii_text)]


def missing_numbers(zh: str, en: str) -> list[str]:
    """Digit groups present in zh but absent from en, in order of first appearance, without repeats (Traditional
    zh is read folded: 400億 is 40 billion).

    An empty list means every number survived. Chinese numerals (二十) are not checked here (check()
    does that, accepting "twenty" or "20").
    """
    return [label for _, label in _missing_digit_groups(zh, asciified(en))]


def _missing_digit_groups(zh: str, en_ascii: str) -> list[tuple[int, str]]:
    zh = ascii_folded(zh)  # one character for one: positions stay those of the original text
    en_groups = set(_groups(en_ascii))
    en_lower = en_ascii.lower()
    missing: list[tuple[int, str]] = []
    seen: set[str] = set()
    for m in _GROUP.finditer(zh):
        group = _norm(m.group())
        if group in seen or group in en_groups:
            continue
        after = _AFTER_ZH.match(zh, m.end())
        if after and _accepted(group, after.group(1) or after.group(2), en_lower):
            continue
        seen.add(group)
        missing.append((m.start(), group))
    return missing


def _accepted(group: str, marker: str, en_lower: str) -> bool:
    if len(group) > 20:  # a 4,000-digit run is no quantity; int() would refuse it
        return False
    if marker == "月":
        if "." in group or not 1 <= int(group) <= 12:
            return False
        return _has_month(int(group), en_lower)
    return any(_bounded_find(en_lower, form.lower()) for form in scale_forms(group, marker))


def _bounded_find(text: str, form: str) -> bool:
    """re.search(rf"(?<![\\d.,]){re.escape(form)}(?!\\d)", text) without a regex per form (forms vary by number)."""
    pos = text.find(form)
    while pos != -1:
        before = text[pos - 1] if pos else ""
        after = text[pos + len(form) : pos + len(form) + 1]
        if not (before and (before.isdecimal() or before in ".,")) and not (after and after.isdecimal()):
            return True
        pos = text.find(form, pos + 1)
    return False


_MONTH_NAMES = tuple(re.compile(rf"\b(?:{name.lower()}|{name.lower()[:3]})\b") for name in MONTHS)


def _has_month(n: int, en_lower: str) -> bool:
    return _MONTH_NAMES[n - 1].search(en_lower) is not None


def number_words(n: int, *, ordinal: bool = False) -> str:
    """English words for a non-negative int: 120 → "one hundred twenty", 20 → "twentieth" (ordinal).

    Words are space-separated without "and"; check() also accepts hyphens and "and" between them.
    """
    words = _words(n)
    if ordinal:
        last = words[-1]
        if last in _ORDINAL_IRREGULAR:
            last = _ORDINAL_IRREGULAR[last]
        elif last.endswith("y"):
            last = last[:-1] + "ieth"
        else:
            last += "th"
        words[-1] = last
    return " ".join(words)


def _words(n: int) -> list[str]:
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for size, name in _BIG:
        if n >= size:
            head, rest = divmod(n, size)
            return [*_words(head), name, *(_words(rest) if rest else [])]
    raise AssertionError(n)  # unreachable: n >= 100 always meets "hundred"


def _words_pattern(n: int, *, ordinal: bool) -> str:
    words = number_words(n, ordinal=ordinal).split()
    parts = [re.escape(w) for w in words]
    if len(words) > 1 and words[0] == "one" and words[1] in {name for _, name in _BIG}:
        parts[0] = "(?:one|a)"  # a hundred, a thousand
    return r"\b" + _WORD_JOIN.join(parts) + r"\b"


@functools.cache
def _value_patterns(n: int) -> re.Pattern[str]:
    """Every English spelling check() accepts for a Chinese-numeral value, other than a bare digit group."""
    alternatives = [_words_pattern(n, ordinal=False), _words_pattern(n, ordinal=True)]
    # Scaled digits: 50000000 → "50 million", 35000 → "35 thousand" (scale_forms with 千 is ×1000).
    forms = scale_forms(format(Decimal(n) / 1000, "f"), "千")
    alternatives += [rf"(?<![\d.,]){re.escape(f.lower())}\b" for f in forms if " " in f]
    return re.compile("|".join(alternatives))


@functools.cache
def _numeric_terms(glossary_path: str | None) -> tuple[str, ...]:
    """Glossary terms written with numeral characters (十五五, 二十大, 一批): their numerals are not quantities."""
    entries = load_glossary(glossary_path).entries
    return tuple(zh for zh in entries if any(ch in NUMERAL_CHARS for ch in zh))


def _in_numeric_term(zh: str, start: int, end: int, terms: tuple[str, ...]) -> bool:
    """Is the numeral run zh[start:end] inside one of terms? 十一个 is not hidden by the term 一个."""
    for term in terms:
        pos = zh.find(term, max(0, end - len(term)))
        while pos != -1 and pos <= start:
            if pos + len(term) >= end:
                return True
            pos = zh.find(term, pos + 1)
    return False


def _missing_cn_numerals(zh: str, en_ascii: str, glossary_path: str | None) -> list[tuple[int, str]]:
    en_ascii = _SPACES.sub(" ", en_ascii)
    en_groups = set(_groups(en_ascii))
    en_lower = en_ascii.lower()
    terms = _numeric_terms(glossary_path)
    missing: list[tuple[int, str]] = []
    for m in _CN_QTY.finditer(zh):
        num, ap, unit, post, ordinal = m["n"], m["ap"], m["unit"], m["post"], m["ord"]
        if not (ap or unit or post):
            continue
        prev = zh[m.start() - 1] if m.start() else ""
        is_year = unit == "年" and len(num) == 4 and is_digit_string(num)
        if (is_digit_string(num) and not is_year and not any(ch in "零〇○" for ch in num)) or is_bare(num):
            continue  # 唯一一家 "the only one", 三四家 "three or four", 千万 "must", 上百家 "hundreds": no exact number
        value = cn_to_int(num)
        if value is None:
            continue
        if num == "一" and not ordinal and not _date_one(zh, m, prev):
            continue  # 一个, 一批, 一年来: "a", "a batch", "over the past year"
        if _in_numeric_term(zh, m.start("n"), m.end("n"), terms):
            continue
        if unit and len(unit) == 1 and unit not in "个年月日号" and zh[m.end() : m.end() + 1] in _PLACE_AFTER:
            continue
        label = (m["ord"] or "") + num + ((ap or "") + (unit or "") if ap or unit else post)
        if is_year:
            if str(value) in en_groups:  # a year must appear as digits, like 2027年
                continue
        elif str(value) in en_groups or _value_patterns(value).search(en_lower):
            continue
        elif unit == "月" and not ap and 1 <= value <= 12 and _has_month(value, en_lower):
            continue
        elif unit == "倍" and value in _TIMES_WORDS and _TIMES_WORDS[value].search(en_lower):
            continue
        elif unit == "年" and value == 10 and _DECADE.search(en_lower):
            continue
        missing.append((m.start(), f"{label} ({value})"))
    return missing


def _date_one(zh: str, m: re.Match[str], prev: str) -> bool:
    """一 is a number in dates only: 二〇二五年一月, 一月十日, 六月一日."""
    if m["unit"] == "月":
        return prev == "年" or _CN_DAY_AFTER.match(zh, m.end()) is not None
    return m["unit"] in ("日", "号") and prev == "月"


@functools.cache
def _entity_forms(entry: GlossaryEntry, glossary_path: str | None) -> tuple[tuple[str, ...], str]:
    """(English forms that show the entity survived, the label of a miss)."""
    forms = list(accepted_forms(entry))
    label = forms[2] if len(forms) > 2 else entry.en
    paren = _PAREN.search(entry.en)
    if paren and len(forms) == 1:
        # "(CPC Central Committee)", "(gov.cn)": not an abbreviation to terms.accepted_forms, still a short name.
        forms += [entry.en[: paren.start()].strip(), paren.group(1)]
        label = paren.group(1)
    forms += _SHORT_NAMES.get(entry.en, ())
    if entry.kind == "local":
        forms += _PARAPHRASES.get(entry.en, ())
    if entry.kind == "local":
        # 海南省人民政府 holds the term 省人民政府 across the place name; "Hainan Province People's Government"
        # is faithful, so the English of a same-kind glossary term the hit ends with (人民政府) counts too.
        for zh, other in load_glossary(glossary_path).entries.items():
            if other.kind == entry.kind and len(zh) < len(entry.zh) and entry.zh.endswith(zh):
                forms.append(other.en)
    return tuple(dict.fromkeys(forms)), label


@functools.cache
def _entity_pattern(entry: GlossaryEntry, glossary_path: str | None) -> re.Pattern[str]:
    """Any accepted form, case-insensitive whole words (the text is lower-cased); a plural counts (the people's
    governments of all provinces). Compiled once per entity and process."""
    forms, _ = _entity_forms(entry, glossary_path)
    alternatives = "|".join(re.escape(f.lower()) for f in forms)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?:e?s)?(?![a-z0-9])")


def _missing_entities(zh: str, en: str, glossary_path: str | None) -> list[tuple[int, str]]:
    expected = expected_terms(zh, glossary_path)
    if not expected:
        return []
    first: dict[str, int] = {}
    for hit in find_terms(zh, glossary_path):
        if hit.entry.zh.endswith("部") and zh.startswith("门", hit.end):
            continue  # 财政部门 "finance departments", not 财政部 "Ministry of Finance"
        first.setdefault(hit.entry.en, hit.start)
    en_norm = _SPACES.sub(" ", en.replace("’", "'")).lower()
    missing: list[tuple[int, str]] = []
    for entry in expected:
        if entry.en not in first:
            continue
        if _entity_pattern(entry, glossary_path).search(en_norm):
            continue
        missing.append((first[entry.en], _entity_forms(entry, glossary_path)[1]))
    return missing


def check(zh: str, en: str, *, glossary: str | None = None) -> list[str]:
    """What of zh is missing from its translation en: [] when every number, year and entity survived.

    Misses are human-readable ("2027", "二十个 (20)", "MIIT"), in source order, without repeats.
    glossary is the TSV the engine used (default: the packaged one).
    """
    zh = fold(zh)  # 工業和信息化部 is 工业和信息化部; length-preserving, so positions hold
    en_ascii = asciified(en)
    found = [
        *_missing_digit_groups(zh, en_ascii),
        *_missing_cn_numerals(zh, en_ascii, glossary),
        *_missing_entities(zh, en, glossary),
    ]
    out: list[str] = []
    for _, label in sorted(found, key=lambda item: item[0]):  # stable: same position keeps rule order
        if label not in out:
            out.append(label)
    return out
