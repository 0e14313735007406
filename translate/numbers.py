"""Numbers in Chinese text: Chinese numerals to integers, scale words (万, 亿) to English, months.

Pure functions, no I/O; shared by the gloss engine (which renders numbers) and the fidelity check
(which must accept the English forms the engine and neural engines produce, e.g. 1.5亿 → "150 million").
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "CN_DIGITS",
    "CN_UNITS",
    "MONTHS",
    "cn_to_int",
    "scale_forms",
    "render_scaled",
    "ordinal",
    "to_ascii",
]

CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
SCALE = {
    "万": Decimal(10_000),
    "亿": Decimal(100_000_000),
    "万亿": Decimal(10**12),
    "千": Decimal(1000),
    "百": Decimal(100),
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Full-width ASCII (！ to ～) and the ideographic space, as they appear in gov.cn pages.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_ascii(text: str) -> str:
    """Map full-width digits, letters and ASCII punctuation to ASCII; leave CJK punctuation alone."""
    return text.translate(_FULLWIDTH)


def cn_to_int(text: str, *, digit_string: bool = False) -> int | None:
    """Convert a Chinese numeral (二十, 两百, 一百二十, 三万五千, 二〇二五) to an int; None if malformed.

    Malformed means two plain digits in a row outside the digit-string form (一二), a unit that does
    not descend (十百), or an unknown character; such runs are words (一一, 万一, 千万), not numbers.
    The digit-string form (一九九八) is read only with digit_string=True (a year before 年) or when it
    contains a zero (二〇二五), because otherwise 一一 "one by one" would become 11.
    """
    if not text or len(text) > 24:  # longer runs are no numbers (and int() refuses 4,300+ digits)
        return None
    if all(ch in CN_DIGITS for ch in text):
        if len(text) > 1 and not digit_string and not any(CN_DIGITS[ch] == 0 for ch in text):
            return None
        if "两" in text and len(text) > 1:
            return None
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = 0  # completed 亿 / 万 sections
    section = 0  # value below the current 万
    digit: int | None = None
    last_unit = 10_000
    last_big = 10**9
    for i, ch in enumerate(text):
        if ch in CN_DIGITS:
            value = CN_DIGITS[ch]
            if digit is not None and digit != 0 and value != 0:
                return None
            if ch == "两" and i + 1 < len(text) and text[i + 1] not in CN_UNITS and text[i + 1] not in CN_BIG:
                return None
            digit = value
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            if unit >= last_unit:
                return None
            if digit is None:
                if ch != "十" or section or total:
                    # 十五 = 15 and 二百十 is tolerated, but a bare 百 / 千 is not a numeral.
                    if ch != "十":
                        return None
                digit = 1
            section += digit * unit
            digit = None
            last_unit = unit
        elif ch in CN_BIG:
            big = CN_BIG[ch]
            if big >= last_big:
                return None
            section += digit or 0
            if section == 0 and total == 0:
                return None
            total = (total + section) * big if big == 100_000_000 else total + section * big
            section = 0
            digit = None
            last_unit = 10_000
            last_big = big
        else:
            return None
    return total + section + (digit or 0)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def render_scaled(number: str, multiplier: str) -> str:
    """English for a digit string times 万/亿/万亿: ("1.5", "亿") → "150 million", ("3", "万") → "30,000"."""
    value = Decimal(number.replace(",", "")) * SCALE[multiplier]
    for size, name in ((Decimal(10**12), "trillion"), (Decimal(10**9), "billion"), (Decimal(10**6), "million")):
        if value >= size:
            return f"{_plain(value / size)} {name}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _plain(value)


def scale_forms(number: str, multiplier: str) -> set[str]:
    """Every English spelling of number×multiplier the fidelity check accepts (digits, commas, scale words)."""
    value = Decimal(number.replace(",", "")) * SCALE[multiplier]
    forms = {_plain(value)}
    if value == value.to_integral_value():
        forms.add(f"{int(value):,}")
    for size, name in (
        (10**3, "thousand"),
        (10**4, "ten thousand"),
        (10**6, "million"),
        (10**8, "hundred million"),
        (10**9, "billion"),
        (10**12, "trillion"),
    ):
        scaled = value / Decimal(size)
        if scaled >= Decimal("0.01"):
            forms.add(f"{_plain(scaled)} {name}")
    return forms


def ordinal(n: int) -> str:
    """3 → "3rd", 11 → "11th"."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
