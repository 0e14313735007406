"""Loads the data files under extract/data/ once per process, on first use (functools.cache).

Files (all UTF-8; lines starting with # are comments; the first other line of a TSV is its header):
    provinces.tsv  34 provincial-level divisions: code, name, short, name_en, aliases_zh, aliases_en
    cities.tsv     333 prefecture-level divisions: code, name, province_code, kind, aliases
    sectors.tsv    sector keyword table: sector (or "-" for a blocker), lang, keyword
    terms.toml     classifier patterns, organisation suffixes and stop words, place vetoes
    t2s.tsv        Traditional → Simplified, one character to one character
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources as _res
from typing import Any


class DataError(ValueError):
    """A data file under extract/data/ is malformed (names the file and the row)."""


def _read_text(name: str) -> str:
    return (_res.files(__package__) / "data" / name).read_text(encoding="utf-8")


def read_tsv(name: str) -> list[dict[str, str]]:
    lines = [line for line in _read_text(name).splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for lineno, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{name}: row {lineno} has the wrong number of columns: {row}")
        rows.append({k: v.strip() for k, v in row.items()})
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split("|") if a.strip())


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    short: str
    name_en: str
    aliases_zh: tuple[str, ...]
    aliases_en: tuple[str, ...]


@dataclass(frozen=True)
class City:
    code: str
    name: str
    province_code: str
    kind: str  # city | prefecture | autonomous_prefecture | league
    aliases: tuple[str, ...]


@cache
def provinces() -> tuple[Province, ...]:
    out = tuple(
        Province(r["code"], r["name"], r["short"], r["name_en"], _split(r["aliases_zh"]), _split(r["aliases_en"]))
        for r in read_tsv("provinces.tsv")
    )
    codes = [p.code for p in out]
    if len(set(codes)) != len(codes):
        raise DataError("provinces.tsv: duplicate codes")
    return out


@cache
def cities() -> tuple[City, ...]:
    known = {p.code for p in provinces()}
    out = []
    for r in read_tsv("cities.tsv"):
        if r["province_code"] not in known:
            raise DataError(f"cities.tsv: {r['name']} has unknown province_code {r['province_code']}")
        out.append(City(r["code"], r["name"], r["province_code"], r["kind"], _split(r["aliases"])))
    return tuple(out)


@cache
def sector_keywords() -> tuple[tuple[str, str, str], ...]:
    """(sector, lang, keyword) rows; sector "-" marks a blocker."""
    from .model import SECTORS

    rows = []
    for r in read_tsv("sectors.tsv"):
        if r["sector"] != "-" and r["sector"] not in SECTORS:
            raise DataError(f"sectors.tsv: unknown sector {r['sector']!r}")
        if r["lang"] not in ("zh", "en"):
            raise DataError(f"sectors.tsv: unknown lang {r['lang']!r}")
        rows.append((r["sector"], r["lang"], r["keyword"]))
    return tuple(rows)


@cache
def terms() -> dict[str, Any]:
    return tomllib.loads(_read_text("terms.toml"))


@cache
def t2s() -> dict[str, str]:
    out = {}
    for r in read_tsv("t2s.tsv"):
        t, s = r["traditional"], r["simplified"]
        if len(t) != 1 or len(s) != 1:
            raise DataError(f"t2s.tsv: {t}->{s} is not one character to one character")
        out[t] = s
    return out
