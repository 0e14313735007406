"""Records → platforms, events and programme steps.

Rules, tried in this order for each record (records in the order they were first seen, so the oldest record of a
platform names it and its key stays put as news arrives):

    same_article           the same article (or one of its attachments) names it again: one name ends with the
                           other's (华中农业大学生物制造中试平台 … 该生物制造中试平台) or a bare record refers back,
                           with places and sectors that agree
    same_host_sector_place the same canonical host, sectors that overlap (or one side unstated) and places that nest
                           (Wuxi within Jiangsu; one side unstated)
    same_list_row          the same 文号 and the same platform name: a repost of a list
    same_name              the same name (not a programme's generic one) with agreeing sectors and places

A record joins a platform only when exactly one platform fits (a host that runs two platforms and a record that does
not say which stays apart, marked "ambiguous", for a curator); a record that states host, sector and place and fits
several platforms joins them. A record that is neither a concrete platform (no host; no place with a concrete event;
a programme's generic name) nor attachable is a programme record: national and provincial calls, shortlists and lists
become the programmes' steps.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

RULES = ("first", "same_article", "same_host_sector_place", "same_list_row", "same_name", "ambiguous",
         "override_merge", "override_split")
# An event's place in a platform's life; the status is the furthest event reached.
STATUS_RANK = {"mentioned": 0, "planned": 1, "called": 1, "signed": 2, "construction": 3, "shortlisted": 4,
               "listed": 5, "established": 6, "opened": 7}
EVENT_ORDER = tuple(sorted(STATUS_RANK, key=STATUS_RANK.get))
LEVEL_RANK = {"unknown": 0, "municipal": 1, "provincial": 2, "national": 3}
CONCRETE = {"shortlisted", "listed", "established", "opened", "construction", "signed"}
PROGRAMME_STEPS = ("called", "shortlisted", "listed")

# A programme's or a class's name, not one platform's: 生物制造中试能力建设平台, 省级生物制造中试平台, 中试平台…
_GENERIC = re.compile(r"^(?:首批|第[一二三四五六七八九十\d]+批|省级|市级|国家级|全省|全市|全国|高水平|一批|上|该|各|新一批)*"
                      r"(?:生物制造|制造业|生物|重点|公共)?(?:中试)?(?:能力建设|公共服务|服务)?(?:平台|基地|中心)$")
_PART_ORDER = {"title": 0, "body": 1}


@dataclass(frozen=True, slots=True)
class Record:
    """One platform record as stored (a "platform" tag row with its article's facts)."""

    article_id: int
    part: str  # title | body | attachment:<id>
    index: int
    name: str
    hosts: tuple[tuple[str, str], ...]  # (canonical Chinese name, English name or "")
    sectors: tuple[str, ...]
    province: tuple[str, str] | None  # (English name, GB/T 2260 code)
    city: tuple[str, str] | None
    county: tuple[str, str] | None
    event: str
    level: str
    evidence: str
    start: int = 0
    end: int = 0
    date: str = ""  # the article's publication date (else first seen), YYYY-MM-DD
    first_seen_at: str = ""
    doc_number: str = ""
    issuers: tuple[str, ...] = ()

    @property
    def attachment_id(self) -> int | None:
        return int(self.part.split(":", 1)[1]) if self.part.startswith("attachment:") else None

    @property
    def code(self) -> str:
        for place in (self.county, self.city, self.province):
            if place and place[1]:
                return place[1]
        return ""

    @property
    def host_names(self) -> tuple[str, ...]:
        return tuple(h for h, _ in self.hosts)

    @property
    def generic(self) -> bool:
        return not self.name or bool(_GENERIC.match(self.name))

    @property
    def concrete(self) -> bool:
        """Names one platform: it has a host, or a proper name with a place and something that happened to it."""
        return bool(self.hosts) or (not self.generic and bool(self.city) and self.event in CONCRETE)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.first_seen_at, self.article_id, _PART_ORDER.get(self.part, 2), self.part, self.index)

    @property
    def key(self) -> str:
        if self.hosts:
            return f"host:{self.hosts[0][0]}|{(self.sectors or ('',))[0]}|{self.code}"
        return f"name:{self.name}|{self.code}"


@dataclass(frozen=True, slots=True)
class Override:
    """A curator's decision: merge (key + other), split (key + article_id), rename (key + value), reject (key)."""

    action: str
    key: str
    other: str = ""
    article_id: int | None = None
    value: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    key: str  # the platform's
    record: Record
    rule: str  # how the record came to this platform (RULES)


@dataclass(frozen=True, slots=True)
class Platform:
    key: str
    name: str
    hosts: tuple[tuple[str, str], ...]
    sectors: tuple[str, ...]
    province: tuple[str, str] | None
    city: tuple[str, str] | None
    county: tuple[str, str] | None
    level: str
    status: str  # the furthest event (STATUS_RANK), or "not_a_platform" when a curator rejected it
    first_seen_at: str
    first_event_at: str  # the date of its earliest event
    last_event: str
    last_event_at: str
    listed: tuple[str, ...]  # levels of the official lists it is on
    events: tuple[Event, ...]
    renamed: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a programme (the national one, or a province's): its first evidence and how many items report it."""

    programme: str  # "national" | "provincial:<code>"
    level: str
    province: tuple[str, str] | None
    step: str  # called | shortlisted | listed
    date: str
    article_id: int
    evidence: str
    articles: int


@dataclass(frozen=True, slots=True)
class Registry:
    platforms: tuple[Platform, ...]
    steps: tuple[Step, ...]
    unmatched_overrides: tuple[Override, ...] = ()


def _pair(place: Any) -> tuple[str, str] | None:
    if isinstance(place, Mapping) and place.get("name"):
        return str(place["name"]), str(place.get("code") or "")
    return None


def record_from_row(row: Mapping[str, Any]) -> Record | None:
    """A stored "platform" tag row (with its article's published_at, first_seen_at, doc_number, issuers) → Record;
    None for a row a tagger before 0.5 wrote (no "record" in attrs: it is re-tagged on the next run)."""
    attrs = row.get("attrs")
    if isinstance(attrs, str):
        try:
            attrs = json.loads(attrs or "{}")
        except ValueError:
            return None
    rec = attrs.get("record") if isinstance(attrs, Mapping) else None
    if not isinstance(rec, Mapping):
        return None
    hosts = tuple((str(h.get("name")), str(h.get("name_en") or "")) for h in rec.get("hosts") or ()
                  if isinstance(h, Mapping) and h.get("name"))
    county = (str(rec["county"]), str(rec.get("county_code") or "")) if rec.get("county") else None
    issuers = row.get("issuers") or ()
    if isinstance(issuers, str):
        issuers = [i for i in issuers.split("\x1f") if i]
    return Record(
        article_id=int(row["article_id"]), part=str(row.get("part") or "body"), index=int(attrs.get("index") or 0),
        name=str(rec.get("name") or row.get("value") or ""), hosts=tuple(dict.fromkeys(hosts)),
        sectors=tuple(dict.fromkeys(str(s) for s in rec.get("sectors") or ())), province=_pair(rec.get("province")),
        city=_pair(rec.get("city")), county=county, event=str(rec.get("event") or "mentioned"),
        level=str(rec.get("level") or "unknown"), evidence=str(row.get("evidence") or ""),
        start=int(row.get("start") or 0), end=int(row.get("end") or 0),
        date=str(row.get("published_at") or row.get("first_seen_at") or "")[:10],
        first_seen_at=str(row.get("first_seen_at") or ""), doc_number=re.sub(r"\s+", "", str(row.get("doc_number") or "")),
        issuers=tuple(issuers),
    )


def _nest(a: str, b: str) -> bool:
    """Two GB/T 2260 codes that can name the same place: equal, or one within the other (province ⊃ city ⊃ county)."""
    if not a or not b:
        return True
    for x, y in ((a, b), (b, a)):
        if x == y or (x.endswith("0000") and y[:2] == x[:2]) or (x.endswith("00") and y[:4] == x[:4]):
            return True
    return False


def _sectors_agree(a: Iterable[str], b: Iterable[str]) -> bool:
    a, b = set(a), set(b)
    return not a or not b or bool(a & b)


class _Cluster:
    def __init__(self, record: Record, rule: str = "first") -> None:
        self.key = record.key
        self.events: list[Event] = []
        self.hosts: set[str] = set()
        self.sectors: set[str] = set()
        self.codes: Counter[str] = Counter()
        self.by_article: dict[int, list[Record]] = {}
        self.add(record, rule)

    @property
    def records(self) -> list[Record]:
        return [e.record for e in self.events]

    def add(self, record: Record, rule: str) -> None:
        self.events.append(Event(self.key, record, rule))
        self.by_article.setdefault(record.article_id, []).append(record)
        self.hosts.update(record.host_names)
        self.sectors.update(record.sectors)
        if record.code:
            self.codes[record.code] += 1

    def code(self) -> str:
        """The place most of its records name, the most specific among equals."""
        return max(self.codes, key=lambda c: (self.codes[c], len(c.rstrip("0")))) if self.codes else ""

    def fits(self, r: Record) -> bool:
        return _sectors_agree(self.sectors, r.sectors) and _nest(self.code(), r.code)


def _index_keys(r: Record) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [("article", str(r.article_id))]
    keys += [("host", h) for h in r.host_names]
    if r.doc_number:
        keys.append(("row", r.doc_number, r.name))
    if not r.generic:
        keys.append(("name", r.name))
    return keys


class _Index:
    """Clusters by article, host, (文号, name) and name, so a record is compared with the few platforms that share
    one of its keys instead of all of them (a rebuild stays linear in the records)."""

    def __init__(self) -> None:
        self.clusters: dict[int, _Cluster] = {}
        self.by: dict[tuple[str, ...], dict[int, _Cluster]] = {}
        self.keys: set[str] = set()

    def _register(self, c: _Cluster, r: Record) -> None:
        for k in _index_keys(r):
            self.by.setdefault(k, {})[id(c)] = c

    def new(self, r: Record, rule: str = "first") -> _Cluster:
        c = _Cluster(r, rule)
        # two platforms whose oldest records look alike (a host's second platform kept apart as ambiguous) still
        # need distinct keys; the suffix follows the order records are read in, so it is stable across rebuilds
        n, key = 1, c.key
        while key in self.keys:
            n += 1
            key = f"{c.key}#{n}"
        c.key = key
        c.events = [replace(e, key=key) for e in c.events]
        self.keys.add(key)
        self.clusters[id(c)] = c
        self._register(c, r)
        return c

    def add(self, c: _Cluster, r: Record, rule: str) -> None:
        c.add(r, rule)
        self._register(c, r)

    def absorb(self, head: _Cluster, other: _Cluster, rule: str) -> None:
        for e in other.events:
            self.add(head, e.record, rule)
        del self.clusters[id(other)]
        for e in other.events:
            for k in _index_keys(e.record):
                self.by[k].pop(id(other), None)

    def matches(self, r: Record) -> tuple[str, list[_Cluster]]:
        """The first rule that finds platforms this record fits, and those platforms."""
        same_article = [c for c in self.by.get(("article", str(r.article_id)), {}).values()
                        if any(_same_article(o, r) for o in c.by_article.get(r.article_id, ()))]
        tests = (
            ("same_article", same_article),
            ("same_host_sector_place", [c for h in r.host_names for c in self.by.get(("host", h), {}).values()]),
            ("same_list_row", list(self.by.get(("row", r.doc_number, r.name), {}).values()) if r.doc_number else []),
            ("same_name", [] if r.generic else list(self.by.get(("name", r.name), {}).values())),
        )
        for rule, candidates in tests:
            found = list({id(c): c for c in candidates if c.fits(r)}.values())
            if found:
                return rule, found
        return "", []


def _same_article(other: Record, r: Record) -> bool:
    """r names again what other (from the same article) names: one name ends with the other, or r is bare."""
    a, b = other.name, r.name
    return a == b or bool(a and b and (a.endswith(b) or b.endswith(a))) or (r.generic and not r.hosts)


def _complete(r: Record) -> bool:
    return bool(r.hosts and r.sectors and r.code)


def _cluster(records: list[Record]) -> tuple[list[_Cluster], list[Record]]:
    index = _Index()
    loose: list[Record] = []
    for r in sorted((r for r in records if r.concrete), key=lambda r: r.sort_key):
        rule, found = index.matches(r)
        if len(found) == 1 or (found and _complete(r)):
            head, *rest = sorted(found, key=lambda c: c.events[0].record.sort_key)  # not .records: O(events)
            index.add(head, r, rule)
            for c in rest:  # a complete record bridges platforms that each lacked a fact
                index.absorb(head, c, rule)
        else:
            index.new(r, "ambiguous" if found else "first")
    for r in sorted((r for r in records if not r.concrete), key=lambda r: r.sort_key):
        rule, found = index.matches(r)
        if len(found) == 1:
            index.add(found[0], r, rule)
        else:
            loose.append(r)
    return list(index.clusters.values()), loose


def _apply(clusters: list[_Cluster], overrides: Iterable[Override]) -> tuple[dict[str, str], set[str], list[Override]]:
    names: dict[str, str] = {}
    rejected: set[str] = set()
    unmatched: list[Override] = []
    for o in overrides:
        by_key = {c.key: c for c in clusters}
        c = by_key.get(o.key)
        if c is None:
            unmatched.append(o)
            continue
        if o.action == "merge":
            other = by_key.get(o.other)
            if other is None or other is c:
                unmatched.append(o)
                continue
            for e in other.events:
                c.add(e.record, "override_merge")
            clusters.remove(other)
        elif o.action == "split":
            out = [e for e in c.events if e.record.article_id == o.article_id]
            if not out or len(out) == len(c.events):
                unmatched.append(o)
                continue
            c.events = [e for e in c.events if e.record.article_id != o.article_id]  # facts: see _platform
            c.by_article.pop(o.article_id, None)
            new = _Cluster(out[0].record, "override_split")
            new.key = f"split:{c.key}:{o.article_id}"
            for e in out[1:]:
                new.add(e.record, "override_split")
            new.events = [replace(e, key=new.key) for e in new.events]
            clusters.append(new)
        elif o.action == "rename":
            names[c.key] = o.value
        elif o.action == "reject":
            rejected.add(c.key)
        else:
            unmatched.append(o)
    return names, rejected, unmatched


def _ranked(values: list[Any]) -> list[Any]:
    """Distinct values, the most frequent first, ties in order of appearance."""
    counts = Counter(values)
    return sorted(counts, key=lambda v: -counts[v])  # sorted is stable; Counter keeps first-appearance order


def _platform(c: _Cluster, name: str | None, rejected: bool) -> Platform:
    records = sorted(c.records, key=lambda r: r.sort_key)
    host_list = [h for r in records for h in r.hosts]
    english = {h: en for h, en in host_list if en}
    hosts = _ranked([h for h, _ in host_list])
    # a host cut short in one copy (济南康源合成生物医药 of 济南康源合成生物医药有限公司) is the longer one's
    hosts = [h for h in hosts if not any(h != o and h in o for o in hosts)]
    places = [r for r in records if r.code]
    best = min(places, key=lambda r: (-len(r.code.rstrip("0")), r.sort_key)) if places else None
    events = sorted(c.events, key=lambda e: (e.record.date, e.record.sort_key))
    last = events[-1].record
    status = max((r.event for r in records), key=lambda e: STATUS_RANK.get(e, 0))
    own = [r.name for r in records if not r.generic] or [r.name for r in records if r.name]
    return Platform(
        key=c.key,
        name=name or (max(own, key=len) if own else ""),
        hosts=tuple((h, english.get(h, "")) for h in hosts),
        sectors=tuple(_ranked([s for r in records for s in r.sectors])),
        province=best.province if best else None,
        city=best.city if best else None,
        county=best.county if best else None,
        level=max((r.level for r in records), key=lambda v: LEVEL_RANK.get(v, 0)),
        status="not_a_platform" if rejected else status,
        first_seen_at=min(r.first_seen_at for r in records),
        first_event_at=events[0].record.date,
        last_event=last.event,
        last_event_at=last.date,
        listed=tuple(sorted({r.level for r in records if r.event == "listed"}, key=lambda v: -LEVEL_RANK.get(v, 0))),
        events=tuple(events),
        renamed=name is not None,
    )


def _steps(records: Iterable[Record]) -> list[Step]:
    """The programmes' steps from their records: a national or provincial call, shortlist or list about
    biomanufacturing (a general-manufacturing pilot policy is not this programme)."""
    found: dict[tuple[str, str], list[Record]] = {}
    for r in records:
        if r.event not in PROGRAMME_STEPS or r.level not in ("national", "provincial"):
            continue
        if "生物" not in r.name and not r.sectors:
            continue
        if r.level == "provincial" and not r.province:
            continue
        programme = "national" if r.level == "national" else f"provincial:{r.province[1]}"
        found.setdefault((programme, r.event), []).append(r)
    steps = []
    for (programme, step), rs in found.items():
        first = min(rs, key=lambda r: (r.date, r.sort_key))
        steps.append(Step(programme, first.level, None if programme == "national" else first.province, step,
                          first.date, first.article_id, first.evidence, len({r.article_id for r in rs})))
    return sorted(steps, key=lambda s: (s.programme != "national", s.programme, PROGRAMME_STEPS.index(s.step)))


def build(records: Iterable[Record], overrides: Iterable[Override] = ()) -> Registry:
    """The registry from every stored platform record and the curators' overrides (applied in order)."""
    records = list(records)
    clusters, loose = _cluster(records)
    names, rejected, unmatched = _apply(clusters, overrides)
    platforms = sorted((_platform(c, names.get(c.key), c.key in rejected) for c in clusters),
                       key=lambda p: (p.first_seen_at, p.key))
    on_lists = [e.record for p in platforms for e in p.events]
    return Registry(tuple(platforms), tuple(_steps([*loose, *on_lists])), tuple(unmatched))

