"""Provinces as people write them: English name, GB/T 2260 code, Chinese full or short name, or an alias."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import click

# what English writers add to a province's name: "Shandong Province", "Guangxi Zhuang Autonomous Region", "Hong Kong
# SAR", "Beijing Municipality", pinyin "Shandong Sheng"
_SUFFIX = re.compile(r"\s+(?:province|municipality|city|(?:(?:zhuang|hui|uygur|uyghur|tibetan)\s+)?autonomous\s+region"
                     r"|special\s+administrative\s+region|s\.?a\.?r\.?|sheng|shi|zizhiqu)$")


@cache
def province_names() -> dict[str, tuple[str, str]]:
    """Every accepted spelling (casefolded) → (English name as tagged, GB/T 2260 code)."""
    from extract.resources import provinces

    names: dict[str, tuple[str, str]] = {}
    for p in provinces():
        # a province's code is written whole (310000) or as its two-digit prefix (31)
        for name in (p.code, p.code[:2], p.name, p.short, p.name_en, *p.aliases_zh, *p.aliases_en):
            names[name.casefold()] = (p.name_en, p.code)
    return names


def resolve_province(value: str) -> tuple[str, str] | None:
    """(English name, code) of a province in any accepted spelling; None when it names none."""
    key = " ".join(str(value).split()).casefold()
    names = province_names()
    return names.get(key) or names.get(_SUFFIX.sub("", key))


def province_choices() -> str:
    from extract.resources import provinces

    return ", ".join(p.name_en for p in provinces())


class Province(click.ParamType):
    """A --province option: any accepted spelling → (English name as tagged, code); anything else is refused with
    the list of provinces."""
    name = "province"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, str]:
        if isinstance(value, tuple):
            return value
        found = resolve_province(value)
        if found is None:
            self.fail(f"{value!r} is not a province: use an English name (Shandong, \"Shandong Province\"), a GB/T "
                      f"2260 code (370000 or 37) or a Chinese name (山东, 山东省) — one of {province_choices()}",
                      param, ctx)
        return found
