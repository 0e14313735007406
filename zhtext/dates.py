"""The pieces of a Chinese date: year, month and day, in Arabic digits or in Chinese numerals, as regex fragments
that callers compose into their own date patterns, and the readers that turn a matched piece into a checked number.

    YEAR_AR   2025 (19xx/20xx: a four-digit number outside that window is rarely a year in a notice)
    YEAR_CN   二〇二五, 二○二五, 二零二五 (four digits written one by one)
    MONTH_*   6, 06, 12 / 六, 十二        DAY_* 11, 01, 31 / 十一, 二十一, 三十一
    DASH      2025年9月10日至16日, 1-6月: the characters that join the ends of a range

Each fragment is one non-capturing group, safe to quantify or to put in a named group.
"""

from __future__ import annotations

from datetime import date

from .numerals import cn_to_int

__all__ = ["YEAR_AR", "YEAR_CN", "YEAR", "MONTH_AR", "MONTH_CN", "MONTH", "DAY_AR", "DAY_CN", "DAY", "DASH",
           "date_part", "month_of", "day_of", "iso_date"]

YEAR_AR = r"(?:(?:19|20)\d{2})"
YEAR_CN = r"(?:[〇○零一二三四五六七八九]{4})"
YEAR = rf"(?:{YEAR_AR}|{YEAR_CN})"
MONTH_AR = r"(?:1[0-2]|0?[1-9])"
MONTH_CN = r"(?:十[一二]?|[一二三四五六七八九])"
MONTH = rf"(?:{MONTH_AR}|{MONTH_CN})"
DAY_AR = r"(?:3[01]|[12]\d|0?[1-9])"
DAY_CN = r"(?:三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
DAY = rf"(?:{DAY_AR}|{DAY_CN})"
DASH = "[-—–~～至到]"


def date_part(text: str) -> int | None:
    """06 → 6, 十一 → 11, 二〇二五 → 2025; None if ``text`` is neither digits nor a Chinese numeral."""
    return int(text) if text.isascii() and text.isdigit() else cn_to_int(text)


def month_of(text: str) -> int | None:
    n = date_part(text)
    return n if n is not None and 1 <= n <= 12 else None


def day_of(text: str) -> int | None:
    n = date_part(text)
    return n if n is not None and 1 <= n <= 31 else None


def iso_date(year: int | None, month: int | None, day: int | None) -> str | None:
    """YYYY-MM-DD, or None when the parts make no date (2025年2月31日)."""
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
