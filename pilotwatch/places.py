"""Provinces as people write them: English name, GB/T 2260 code, Chinese full or short name, or an alias."""

from __future__ import annotations

from functools import cache


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
    return province_names().get(str(value).strip().casefold())


def province_choices() -> str:
    from extract.resources import provinces

    return ", ".join(p.name_en for p in provinces())
