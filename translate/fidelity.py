"""Fidelity check: did every number in the Chinese survive into the English?

For notices the numbers (2027, 20 platforms, 200 firms, 400 products) are the content, and neural
engines are known to drop or change them (see shared/research/mt.md), so every engine's output is
checked the same way. The check is engine-neutral and accepts the usual English renderings:

* thousands separators either side: 15,500 ↔ 15500;
* a digit group before 万/亿/万亿 may appear scaled: 1.5亿 ↔ "150 million" / "150,000,000";
* a month number before 月 may appear as the month name: 6月 ↔ "June" (or "Jun");
* leading zeros are not significant: 06月 ↔ 6.
"""

from __future__ import annotations

import re

from .numbers import MONTHS, scale_forms, to_ascii

__all__ = ["missing_numbers", "digit_groups"]

# A digit group: 2027, 3.5, 1,000, 53365.53. Commas join only groups of exactly three digits.
_GROUP = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?(?![\d])")
# What follows a digit group: a scale word, 月, or a month range (1-12月 → January–December).
_AFTER_ZH = re.compile(r"\s*(万亿|亿|万|月)|\s*[-－—–~～至到]\s*\d{1,2}\s*(月)")


def _norm(group: str) -> str:
    group = group.replace(",", "")
    if "." in group:
        whole, frac = group.split(".", 1)
        return f"{whole.lstrip('0') or '0'}.{frac}"
    return group.lstrip("0") or "0"


def digit_groups(text: str) -> list[str]:
    """Normalised digit groups in text, in order (full-width digits count; commas and leading zeros don't)."""
    return [_norm(m.group()) for m in _GROUP.finditer(to_ascii(text))]


def missing_numbers(zh: str, en: str) -> list[str]:
    """Digit groups present in zh but absent from en, in order of first appearance, without repeats.

    An empty list means every number survived. Chinese numerals (二十) are not checked: an engine
    may legitimately write "twenty" or "20".
    """
    zh = to_ascii(zh)
    en_ascii = to_ascii(en)
    en_groups = set(digit_groups(en_ascii))
    en_lower = en_ascii.lower()
    missing: list[str] = []
    for m in _GROUP.finditer(zh):
        group = _norm(m.group())
        if group in missing or group in en_groups:
            continue
        after = _AFTER_ZH.match(zh, m.end())
        if after and _accepted(group, after.group(1) or after.group(2), en_lower):
            continue
        missing.append(group)
    return missing


def _accepted(group: str, marker: str, en_lower: str) -> bool:
    if marker == "月":
        if "." in group or not 1 <= int(group) <= 12:
            return False
        name = MONTHS[int(group) - 1].lower()
        return re.search(rf"\b(?:{name}|{name[:3]})\b", en_lower) is not None
    for form in scale_forms(group, marker):
        if re.search(rf"(?<![\d.,]){re.escape(form.lower())}(?![\d])", en_lower):
            return True
    return False
