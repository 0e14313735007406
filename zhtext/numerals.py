"""Chinese numerals → numbers: the one numeral grammar every stage uses.

``cn_to_int`` reads a run of numeral characters as an integer, or returns None when the run is no numeral:

    digit string      一九九八 → 1998, 二〇二五 → 2025, 一一 → 11 (两 only on its own: 两 → 2)
    positional        四十三 → 43, 一百零五 → 105, 两千 → 2000, 三千五百万 → 35,000,000, 三亿五千万, 三万亿 → 3×10¹²
    abbreviated tail  三千五 → 3,500, 一万五 → 15,000, 一亿五 → 150,000,000 (a digit right after 百/千/万/亿 counts in
                      the next place down, as it is spoken)
    bare magnitudes   百 → 100, 千万 → 10,000,000, 百万, 万亿 (a run of 百/千/万/亿 alone reads as one times it, as in
                      近千万元, 上百家)
    no numeral        十百 (places must fall: 十 then 百 is no number), 万一 (a bare 万 followed by a digit: 10,001 or
                      11,000? It is the word "in case" in running text), 二三十 (two digits in a row: a range)

Whether a run *in text* is a number is the caller's decision, made with the words around it: 唯一一家 ("the only
one"), 千万不要 ("by no means"), 十分 ("very"). ``is_digit_string`` and ``is_bare`` name the two doubtful shapes.

Why not cn2an (PyPI): bench/numerals_vs_cn2an.py finds cn2an 0.5.24 right on 4 of the 5 disagreements and 30 of 34
real-text numerals (it refuses the bare magnitudes policy text uses, 近千万元, 上百家, and ○ as zero, 一亿五, 1,200万),
five times slower per numeral, ~0.2 s to import, and it signals a non-numeral by raising.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["DIGITS", "DIGIT_CHARS", "MAGNITUDES", "NUMERAL_CHARS", "ARABIC", "ARABIC_AMOUNT", "cn_to_int",
           "is_digit_string", "is_bare", "magnitude", "arabic_value", "to_number"]

DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PLACES = {"十": 10, "百": 100, "千": 1000}
_SECTIONS = {"万": 10**4, "亿": 10**8}
MAGNITUDES = _PLACES | _SECTIONS
DIGIT_CHARS = "".join(DIGITS)
NUMERAL_CHARS = DIGIT_CHARS + "".join(MAGNITUDES)  # for regex character classes: [{NUMERAL_CHARS}]+

# Arabic numbers as written in notices: 1,200 / 2025 / 3.5, with at most 15 digits (longer runs are identifiers,
# and unbounded runs make Decimal overflow and the regex backtrack), then with 十/百/千/万/亿: 1.2亿, 3千万, 1亿2000万.
ARABIC = r"(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?!\d)(?:\.\d{1,6})?"
ARABIC_AMOUNT = rf"{ARABIC}[十百千万亿]{{0,3}}(?:{ARABIC}[十百千万亿]{{1,3}}){{0,3}}"
_ARABIC_AMOUNT = re.compile(ARABIC_AMOUNT)
_ARABIC_PART = re.compile(rf"({ARABIC})([十百千万亿]*)")

_MAX_LEN = 24  # no numeral in text is longer; int() of thousands of digits is slow and then refused
_BARE = re.compile("[百千]?万?亿?")


def is_digit_string(text: str) -> bool:
    """一一, 三四, 二〇二五: digits only, more than one. A year, or a word or a range (唯一一家, 三四家) in running text."""
    return len(text) > 1 and all(ch in DIGITS for ch in text)


def is_bare(text: str) -> bool:
    """百, 千, 万, 百万, 千万: magnitudes with no digit. A count only with a qualifier (近千万元, 上百家); 十… is fine."""
    return bool(text) and not text.startswith("十") and not any(ch in DIGITS for ch in text)


def magnitude(chars: str) -> int:
    """万 → 10,000; 万亿 → 10¹²; "" → 1."""
    out = 1
    for ch in chars:
        out *= MAGNITUDES[ch]
    return out


def cn_to_int(text: str) -> int | None:
    """The integer a Chinese numeral denotes (二十 → 20, 两百 → 200, 一九九八 → 1998); None if it is no numeral."""
    if not text or len(text) > _MAX_LEN or any(ch not in DIGITS and ch not in MAGNITUDES for ch in text):
        return None
    if all(ch in DIGITS for ch in text):
        if len(text) > 1 and "两" in text:
            return None  # 两 is never written digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text))
    if text[0] in "百千万亿":
        return magnitude(text) if _BARE.fullmatch(text) else None
    return _positional(text)


def _positional(text: str) -> int | None:
    """四十三, 一百零五, 三亿五千万: digits times places (十百千) in sections closed by 万 and 亿."""
    done = 0  # sections closed by 亿 (and 万 before 亿: 三万亿)
    wan = 0  # the section closed by 万 after the last 亿
    section = 0  # below 万
    digit: int | None = None  # a digit waiting for its place
    last_place = 10**4  # places within a section must fall: 十百 is no numeral
    before = 0  # the magnitude right before the waiting digit, for the abbreviated tail (三千五)
    seen_wan = seen_yi = False
    for i, ch in enumerate(text):
        if ch in DIGITS:
            value = DIGITS[ch]
            if digit is not None and digit != 0 and value != 0:
                return None  # 二三十: two digits in a row
            if ch == "两" and (i + 1 == len(text) or text[i + 1] not in MAGNITUDES):
                return None  # 两 only before a place or a section: 两百, 两万
            before = 0 if digit is not None else before
            digit = value
        elif ch in _PLACES:
            place = _PLACES[ch]
            if place >= last_place:
                return None
            if not digit:  # 十五, 二百十, 一千零十: 十 alone is one ten; 百 or 千 alone inside a numeral is an error
                if ch != "十":
                    return None
                digit = 1
            section += digit * place
            digit, last_place, before = None, place, place
        else:  # 万 or 亿
            value = section + (digit or 0)
            if ch == "万":
                if seen_wan or value == 0:
                    return None  # 万万, 亿万, 零万
                wan, seen_wan = value * 10**4, True
            else:
                if seen_yi or value + wan == 0:
                    return None  # 亿亿
                done, wan, seen_wan, seen_yi = (done + wan + value) * 10**8, 0, False, True
            section, digit, last_place, before = 0, None, 10**4, _SECTIONS[ch]
    tail = 0
    if digit:
        # 三千五 = 3,500: a digit right after a place of 百 or more counts in the next place down; after 十 or 零 it
        # is units (十五, 一百零五)
        tail = digit * before // 10 if before >= 100 else digit
    return done + wan + section + tail


def arabic_value(text: str) -> Decimal:
    """1.2亿 → 120000000, 3千万 → 30000000, 1亿2000万 → 120000000, 1,200 → 1200 (text matches ARABIC_AMOUNT)."""
    total = Decimal(0)
    for number, mags in _ARABIC_PART.findall(text):
        total += Decimal(number.replace(",", "")) * magnitude(mags)
    return total


def to_number(text: str) -> Decimal | None:
    """Any written number: 1.5万, 1,200, 三点五, 四十三, 二〇二五. None if ``text`` is not one number."""
    if _ARABIC_AMOUNT.fullmatch(text):
        return arabic_value(text)
    whole, sep, frac = text.partition("点")
    value = cn_to_int(whole)
    if value is None or (sep and not (frac and all(ch in DIGITS and ch != "两" for ch in frac))):
        return None
    if not sep:
        return Decimal(value)
    try:
        return Decimal(f"{value}." + "".join(str(DIGITS[ch]) for ch in frac))
    except InvalidOperation:
        return None
