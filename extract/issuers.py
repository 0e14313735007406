"""Issuing bodies: national ministries and commissions (issuers.tsv) and provincial or municipal departments by rule.

A national body is matched by name or alias (工信部 → 工业和信息化部, MIIT). A local department is a province or
prefecture name followed by a department suffix (山东省 + 工业和信息化厅, 上海 + 经信委, 武汉市 + 人民政府); its value is
the full place name plus the canonical suffix (上海经信委 → 上海市经济和信息化委员会). A trailing 办公厅/办公室 is folded
into the parent body; the evidence span still covers it. A bare 省/市 + suffix right after a local body takes that
body's place (浙江省经信厅、省发展改革委 → 浙江省发展和改革委员会); on its own (省发改委) it names no one and is skipped.

Only mentions where a body acts as issuer count, approximated by position: anywhere in a title; in a body, the first
two sentences and the signature block at the end (short trailing lines, or the tail after the last full stop).
A body named in passing later on (…工业和信息化厅有关负责人出席揭牌仪式) is not an issuer.

Not issuers: a national name that heads another organisation's name (中国科学院天津工业生物技术研究所, 中科院深圳先进院),
中国科学院院士, 教育部门/科技部署 (部 + 门/署), and a national name right after 省/市/区/县 (市发改委: a city's commission,
which city unknown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from zhtext.script import HAN, has_han

from .hits import Hit
from .matcher import TermMatcher
from .orgs import OrgSpan, find_orgs
from .resources import DataError, read_tsv

_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
_OFFICE = re.compile(r"办公厅|办公室")
_LEVEL_CHARS = "省市区县州盟旗"


@dataclass(frozen=True)
class Body:
    name: str  # canonical Chinese name
    abbr: str
    name_en: str


@dataclass(frozen=True)
class _Place:
    name: str  # full name (山东省, 武汉市)
    name_en: str  # "" when cities.tsv has no English name
    municipal: bool  # Beijing/Tianjin/Shanghai/Chongqing and prefecture-level cities
    province: bool  # a 省 (not a municipality or an autonomous region)
    region: bool  # an autonomous region


@cache
def _table() -> tuple[dict[str, Body], dict[str, Body]]:
    """(national term → body, local suffix term → canonical suffix as a Body) from issuers.tsv."""
    national: dict[str, Body] = {}
    local: dict[str, Body] = {}
    for r in read_tsv("issuers.tsv"):
        kind = r["kind"]
        if kind not in ("national", "local"):
            raise DataError(f"issuers.tsv: unknown kind {kind!r} for {r['name']}")
        body = Body(r["name"], r["abbr"], r["name_en"])
        target = national if kind == "national" else local
        for term in (r["name"], *(a.strip() for a in r["aliases"].split("|") if a.strip())):
            if term in target and target[term] != body:
                raise DataError(f"issuers.tsv: {term!r} is listed for {target[term].name} and {body.name}")
            target[term] = body
    return national, local


def bodies() -> list[Body]:
    """Every national body, once."""
    return list({b.name: b for b in _table()[0].values()}.values())


@cache
def _national_matcher() -> TermMatcher[Body]:
    return TermMatcher(_table()[0])


@cache
def _places() -> TermMatcher[_Place]:
    from .resources import cities, provinces

    terms: dict[str, _Place] = {}
    for p in provinces():
        place = _Place(p.name, p.name_en, p.code in _MUNICIPALITIES, p.name.endswith("省"), p.name.endswith("自治区"))
        for t in (p.name, p.short, *p.aliases_zh):
            terms[t] = place
    for c in cities():
        place = _Place(c.name, getattr(c, "name_en", ""), True, False, False)
        for t in (c.name, *c.aliases):
            terms.setdefault(t, place)  # a province's name wins over a city's (吉林 is the province)
    return TermMatcher(terms)


@cache
def _suffix_regex() -> re.Pattern[str]:
    terms = sorted(_table()[1], key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in terms))


def _local_name_en(place: _Place, suffix: Body) -> str:
    if not place.name_en:
        return ""
    if place.municipal:
        return f"{place.name_en} Municipal {suffix.name_en}"
    if suffix.name == "人民政府":
        level = "Provincial" if place.province else "Autonomous Region" if place.region else ""
        return " ".join(w for w in (place.name_en, level, suffix.name_en) if w)
    return f"{place.name_en} {suffix.name_en}"


def _sentence_end(text: str, n: int) -> int:
    """Offset just past the ``n``-th non-empty sentence (。！？ or a line break ends one)."""
    count = 0
    for m in re.finditer(r"[^。！？!?\n]*(?:[。！？!?]+|\n|$)", text):
        if m.group().strip():
            count += 1
            if count >= n:
                return m.end()
        if m.end() >= len(text):
            break
    return len(text)


def signature_start(text: str) -> int:
    """Where the signature block at the end of ``text`` starts (``len(text)`` if there is none)."""
    start = len(text)
    # Short trailing lines without a full stop: 工业和信息化部办公厅 / 2025年6月11日 / （此件公开发布）
    lines = list(re.finditer(r"[^\n]*", text))
    for m in reversed(lines):
        line = m.group().strip()
        if not line:
            continue
        if len(line) <= 40 and not re.search(r"[。；;！？!?]", line):
            start = m.start()
        else:
            break
    # Flattened text: what follows the last full stop, when short.
    last = max(text.rfind("。"), text.rfind("！"), text.rfind("？"))
    if last >= 0 and len(text) - last - 1 <= 80:
        start = min(start, last + 1)
    return start


def _in_scope(part: str, text: str) -> list[tuple[int, int]]:
    if part == "title":
        return [(0, len(text))]
    return [(0, _sentence_end(text, 2)), (signature_start(text), len(text))]


def _heads_other_org(text: str, start: int, end: int, orgs: list[OrgSpan]) -> bool:
    for sp in orgs:
        if sp.gov:
            continue
        if sp.start <= start and sp.end > end:
            return True
        if sp.start == end:
            return True
    from .hosts import institution_spans  # deferred: hosts imports this module

    return any((s == start and e > end) or s == end for s, e in institution_spans(text, start, end + 30))


def _office(text: str, end: int) -> int:
    m = _OFFICE.match(text, end)
    return m.end() if m else end


def find_issuers(text: str, orgs: list[OrgSpan] | None = None, *, part: str = "body") -> list[Hit]:
    """Issuing bodies in normalised Chinese ``text`` (a title when ``part == "title"``, else a body).

    ``orgs``: the organisation spans of ``text`` (orgs.find_orgs); computed when not given.
    """
    if not has_han(text):
        return []
    if orgs is None:
        orgs = find_orgs(text, "zh")
    scope = _in_scope(part, text)
    found: list[tuple[int, int, Body, _Place | None]] = []

    suffix_rx = _suffix_regex()
    local = _table()[1]
    for m in _places().finditer(text):
        sm = suffix_rx.match(text, m.end)
        if not sm:
            continue
        suffix = local[sm.group()]
        name = m.payload.name + suffix.name
        found.append((m.start, _office(text, sm.end()), Body(name, "", _local_name_en(m.payload, suffix)), m.payload))

    # 浙江省经信厅、省发展改革委: a bare 省/市 + suffix right after a local body of that level is in the same place.
    for m in re.finditer(f"(?<![{HAN}])(省|市|自治区)", text):
        sm = suffix_rx.match(text, m.end())
        if not sm:
            continue
        prev = max((f for f in found if f[1] <= m.start()), key=lambda f: f[1], default=None)
        if prev is None or prev[3] is None or m.start() - prev[1] > 2 or not prev[3].name.endswith(m.group()):
            continue
        place, suffix = prev[3], local[sm.group()]
        body = Body(place.name + suffix.name, "", _local_name_en(place, suffix))
        found.append((m.start(), _office(text, sm.end()), body, place))

    for m in _national_matcher().finditer(text):
        s, e, term = m.start, m.end, m.text
        if s > 0 and text[s - 1] in _LEVEL_CHARS:
            continue
        nxt = text[e : e + 2]
        if term.endswith("部") and nxt[:1] and nxt[0] in "门署分位件长":
            continue
        if nxt == "院士" or _heads_other_org(text, s, e, orgs):
            continue
        found.append((s, _office(text, e), m.payload, None))

    found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
    out: list[Hit] = []
    last_end = -1
    for s, e, body, _place in found:
        if s < last_end:
            continue
        last_end = e
        if not any(lo <= s < hi for lo, hi in scope):
            continue
        out.append(Hit("issuer", body.name, s, e, (("name_en", body.name_en), ("abbr", body.abbr)), key=body.name))
    return out
