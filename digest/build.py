"""Store rows → Digest. Pure: no I/O, no clock; the caller passes the rows, the day and "now".

Inputs are plain rows (dicts), as the store's named queries return them:

    rows              articles first seen in the period (`articles_first_seen_between`), each with "tags": a list of
                      tag dicts (field, value, evidence, part, start, end, attrs as a JSON string or a dict)
    all_announcements every platform announcement to date, for the progress block: rows with "sectors"/"provinces"
                      lists (`export_rows(announcements_only=True)`), or with "tags" like above
    sources           `source_health()` rows
    changes           `changes_between()` rows: edits, withdrawals (gone) and restorations of stored documents

All crawled text is untrusted. Here it is only cleaned (control and bidi characters dropped, whitespace folded, length
capped); escaping is the templates' job (autoescape), and links pass `render.safe_url`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

NO_SECTOR = "Sector not stated"
NO_PROVINCE = "Province not stated"

# The 2027 goal the progress block measures against: 20+ biomanufacturing pilot-scale platforms.
PLATFORM_TARGET = 20
TARGET_YEAR = 2027

TITLE_MAX = 300  # characters; a crawled "title" can be a whole paragraph when a page is mis-parsed
SNIPPET_MAX = 240
ERROR_MAX = 200
OTHERS_MAX = 100  # collapsed title lines shown; the rest are counted

# English for the counted nouns the tagger reports (extract/quantities.py NOUNS); others are shown as written.
TARGET_NOUNS = {
    "平台": "platforms", "基地": "bases", "中心": "centres", "企业": "enterprises", "公司": "companies",
    "产品": "products", "项目": "projects", "成果": "results", "技术": "technologies", "专利": "patents",
    "标准": "standards", "品种": "varieties", "菌种": "strains", "菌株": "strains", "单位": "organisations",
    "机构": "institutions", "高校": "universities", "院所": "research institutes", "园区": "parks",
    "集群": "clusters", "团队": "teams", "人才": "talents", "专家": "experts", "实验室": "laboratories",
    "生产线": "production lines", "中试线": "pilot lines", "新药": "new drugs", "工厂": "plants",
    "装置": "installations", "设备": "units of equipment", "发酵罐": "fermenters", "反应器": "reactors",
    "示范项目": "demonstration projects", "示范企业": "demonstration enterprises", "企业技术中心": "enterprise technology centres",
    "技术创新中心": "technology innovation centres", "创新中心": "innovation centres",
    "工程研究中心": "engineering research centres", "孵化器": "incubators", "新型研发机构": "new R&D institutions",
    "中试服务": "pilot-scale services", "技术服务": "technical services", "服务": "services", "案例": "cases",
    "场景": "application scenarios",
}
BOUND_SIGNS = {"ge": "≥", "le": "≤", "approx": "≈", "eq": ""}
CHANGE_LABELS = {"edit": "edited", "gone": "gone (404/410: possibly withdrawn)", "restored": "restored"}

# also what XML 1.0 forbids beyond C0 (lone surrogates cannot even be written as UTF-8; U+FFFE/U+FFFF)
_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
                        r"\ud800-\udfff\ufffe\uffff]")


def clean(text: Any, limit: int = TITLE_MAX) -> str:
    """One line of untrusted text: control and bidi-override characters dropped, whitespace folded, capped."""
    s = _INVISIBLE.sub("", unicodedata.normalize("NFC", str(text or "")))
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Name:
    """An organisation: its Chinese name as written, and English name / abbreviation when the gazetteer has them."""

    zh: str
    en: str = ""
    abbr: str = ""

    @property
    def label(self) -> str:
        en = self.en + (f" ({self.abbr})" if self.abbr and self.abbr not in self.en else "")
        return f"{en} · {self.zh}" if en else self.zh


@dataclass(frozen=True)
class Item:
    url: str  # as stored; templates pass it through safe_url
    title_en: str
    title_zh: str
    source_label: str
    published: str  # YYYY-MM-DD or ""
    engine: str  # translation engine; "gloss" is labelled as a gloss wherever it is shown
    is_announcement: bool
    mentions_platform: bool = False
    sectors: tuple[str, ...] = ()  # sector ids, the first one is the group the item is listed under
    provinces: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # "Wuxi, Jiangsu", "Tianjin": cities with their province, then other provinces
    issuers: tuple[Name, ...] = ()
    hosts: tuple[Name, ...] = ()
    targets: tuple[str, ...] = ()  # "≥20 platforms"
    doc_number: str = ""
    evidence: str = ""
    fidelity_missing: tuple[str, ...] = ()

    @property
    def other_sectors(self) -> tuple[str, ...]:
        return self.sectors[1:]

    @property
    def is_gloss(self) -> bool:
        return self.engine == "gloss"


class Group(NamedTuple):
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Progress:
    """Distinct platform announcements to date, against the target. Announcements, not verified platforms."""

    announcements: int
    target: int
    target_year: int
    by_sector: tuple[tuple[str, int], ...]  # (label, announcements naming that sector), most first
    by_province: tuple[tuple[str, int], ...]
    new_in_period: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.announcements / self.target) if self.target else 0


@dataclass(frozen=True)
class SourceHealth:
    name: str
    label: str
    status: str  # "ok" | "stale" | "failing" | "blocked" (the worst that applies)
    last_ok_at: str  # "YYYY-MM-DD HH:MM UTC" or "never"
    stale: bool = False
    days_since_ok: int | None = None
    blocked_until: str = ""
    error_kind: str = ""
    error: str = ""
    consecutive_failures: int = 0

    @property
    def healthy(self) -> bool:
        return self.status == "ok"

    @property
    def detail(self) -> str:
        parts = []
        if self.status == "blocked":
            parts.append(f"blocked, backing off until {self.blocked_until}")
        elif self.status == "failing":
            parts.append(f"failing ({self.error_kind or 'error'})")
        if self.consecutive_failures:
            parts.append(f"{self.consecutive_failures} consecutive failure{'s' if self.consecutive_failures != 1 else ''}")
        if self.stale:
            parts.append("never succeeded" if self.days_since_ok is None else
                         f"no success in {self.days_since_ok} day{'s' if self.days_since_ok != 1 else ''}")
        return "; ".join(parts) or "ok"


@dataclass(frozen=True)
class Change:
    change: str  # edit | gone | restored
    url: str
    title: str
    title_zh: str
    detected: str  # "YYYY-MM-DD HH:MM UTC"
    source: str = ""
    version: int | None = None

    @property
    def label(self) -> str:
        return CHANGE_LABELS.get(self.change, self.change)


@dataclass(frozen=True)
class Digest:
    day: str  # YYYY-MM-DD
    announcements: tuple[Item, ...]
    others: tuple[Item, ...]  # new items neither announcing nor mentioning a pilot platform
    relevant: tuple[Item, ...] = ()  # mention a pilot platform without announcing one
    groups: tuple[Group, ...] = ()  # the announcements by first sector, each group ordered by province
    progress: Progress | None = None
    sources: tuple[SourceHealth, ...] = ()
    changes: tuple[Change, ...] = ()
    failures: int = 0
    attribution: str = ""
    sector_labels: Mapping[str, str] = field(default_factory=dict)  # sector id → heading (the tagger's vocabulary)

    def sector_label(self, sector: str) -> str:
        return self.sector_labels.get(sector, sector)

    @property
    def empty(self) -> bool:
        return not self.announcements and not self.relevant and not self.others

    @property
    def other_count(self) -> int:
        return len(self.relevant) + len(self.others)

    @property
    def unhealthy(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if not s.healthy)

    @property
    def others_shown(self) -> tuple[Item, ...]:
        return self.others[:OTHERS_MAX]

    @property
    def subject(self) -> str:
        if self.empty:
            head = f"PilotWatch {self.day}: nothing new"
        else:
            n, m = len(self.announcements), self.other_count
            head = (f"PilotWatch {self.day}: {n} platform announcement{'s' if n != 1 else ''}, "
                    f"{m} other item{'s' if m != 1 else ''}")
        bad = len(self.unhealthy)
        # A quiet day while sources are down is not a quiet day: say so where it is seen first.
        return head + (f"; {bad} source{'s' if bad != 1 else ''} unhealthy" if bad else "")


_SENTENCE_END = "。！？；\n"
SNIPPET_SIDE = 60  # characters of context kept on each side of the evidence


def snippet(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], cut to SNIPPET_SIDE characters on each side."""
    left = max((text.rfind(c, 0, start) for c in _SENTENCE_END), default=-1) + 1
    rights = [i for i in (text.find(c, end) for c in _SENTENCE_END) if i != -1]
    right = min(rights) + 1 if rights else len(text)
    left, right = max(left, start - SNIPPET_SIDE), min(right, end + SNIPPET_SIDE)
    return text[left:right].strip()


def _attrs(tag: Mapping[str, Any]) -> dict[str, str]:
    raw = tag.get("attrs")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except ValueError:
            return {}
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items() if v is not None}
    if isinstance(raw, (list, tuple)):  # pairs, as extract.Tag.attrs holds them
        return {str(p[0]): str(p[1]) for p in raw if isinstance(p, (list, tuple)) and len(p) == 2}
    return {}


def _values(tags: list[Mapping[str, Any]], field: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(t["value"]) for t in tags if t.get("field") == field and t.get("value")))


def _names(tags: list[Mapping[str, Any]], field: str) -> tuple[Name, ...]:
    out: dict[str, Name] = {}
    for t in tags:
        if t.get("field") == field and t.get("value") and str(t["value"]) not in out:
            a = _attrs(t)
            out[str(t["value"])] = Name(clean(t["value"], 120), clean(a.get("name_en"), 160), clean(a.get("abbr"), 30))
    return tuple(out.values())


def _places(tags: list[Mapping[str, Any]], provinces: tuple[str, ...]) -> tuple[str, ...]:
    places: list[str] = []
    covered: set[str] = set()
    for t in tags:
        if t.get("field") == "city" and t.get("value"):
            province = _attrs(t).get("province", "")
            place = f"{t['value']}, {province}" if province and province != t["value"] else str(t["value"])
            if place not in places:
                places.append(place)
            covered.add(province)
    places += [p for p in provinces if p not in covered]
    return tuple(clean(p, 80) for p in places)


def format_target(value: str, attrs: Mapping[str, str]) -> str:
    """A counted target as read: value, unit, bound, noun → "≥20 platforms"."""
    sign = BOUND_SIGNS.get(attrs.get("bound", ""), "")
    noun = attrs.get("noun", "")
    if noun:
        return f"{sign}{value} {TARGET_NOUNS.get(noun, noun)}"
    return f"{sign}{value}{attrs.get('unit', '')}"


def _targets(tags: list[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(clean(format_target(str(t["value"]), _attrs(t)), 60)
                               for t in tags if t.get("field") == "target" and t.get("value")))


def _missing(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw else []
        except ValueError:
            return ()
    return tuple(clean(m, 40) for m in raw or ()) if isinstance(raw, (list, tuple)) else ()


def _item(row: Mapping[str, Any]) -> Item:
    tags = list(row.get("tags") or [])
    sectors = _values(tags, "sector")
    provinces = _values(tags, "province")
    evidence_tag = next((t for t in tags if t.get("field") in ("sector", "province")), None)
    issuers = _names(tags, "issuer") or ((Name(clean(row["issuer_zh"], 120)),) if row.get("issuer_zh") else ())
    return Item(
        url=str(row.get("url") or ""),
        title_en=clean(row.get("title_en")) or "(not yet translated)",
        title_zh=clean(row.get("title_zh")),
        source_label=clean(row.get("source_label") or row.get("source"), 80),
        published=clean(row.get("published_at"), 40)[:10],
        engine=clean(row.get("translation_engine"), 40),
        is_announcement=bool(row.get("is_platform_announcement")),
        mentions_platform=bool(row.get("mentions_pilot_platform")),
        sectors=sectors,
        provinces=provinces,
        places=_places(tags, provinces),
        issuers=issuers,
        hosts=_names(tags, "host"),
        targets=_targets(tags),
        doc_number=clean(row.get("doc_number"), 80),
        evidence=clean(_evidence(row, evidence_tag), SNIPPET_MAX),
        fidelity_missing=_missing(row.get("fidelity_missing")),
    )


def _evidence(row: Mapping[str, Any], tag: Mapping[str, Any] | None) -> str:
    if tag is None:
        return ""
    text = row.get("title_zh" if tag.get("part") == "title" else "body_zh") or ""
    start, end = tag.get("start"), tag.get("end")
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == tag.get("evidence"):
        return snippet(text, start, end)
    return str(tag.get("evidence") or "")


def _group(announcements: Iterable[Item], labels: Mapping[str, str]) -> tuple[Group, ...]:
    groups: dict[str, list[Item]] = {}
    for item in announcements:
        groups.setdefault(item.sectors[0] if item.sectors else "", []).append(item)
    order = list(labels)  # the policy's own order of sectors; unknown ids after, "not stated" last
    keys = sorted(groups, key=lambda k: (k == "", order.index(k) if k in order else len(order), k))
    out = []
    for key in keys:
        # within a sector by province (stable: keeps the store's newest-first order inside a province)
        items = sorted(groups[key], key=lambda i: (not i.provinces, i.provinces[0] if i.provinces else ""))
        out.append(Group(labels.get(key, key) if key else NO_SECTOR, tuple(items)))
    return tuple(out)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]  # the platform_announcements view joins with "; "
    return [str(v) for v in value or ()]


def announcement_key(row: Mapping[str, Any]) -> str:
    """Identity of an announcement: its document number (文号) when it has one, so a ministry's notice and its reposts
    count once; otherwise its URL."""
    number = re.sub(r"\s+", "", str(row.get("doc_number") or ""))
    if number:
        return "doc:" + number.translate(str.maketrans("[]【】()（）", "〔〕〔〕〔〕〔〕"))
    return "url:" + str(row.get("canonical_url") or row.get("url") or row.get("id"))


def _sectors_provinces(row: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    if "sectors" in row or "provinces" in row:
        return _as_list(row.get("sectors")), _as_list(row.get("provinces"))
    tags = list(row.get("tags") or [])
    return list(_values(tags, "sector")), list(_values(tags, "province"))


def build_progress(all_announcements: Iterable[Mapping[str, Any]], period_rows: Iterable[Mapping[str, Any]] = (), *,
                   target: int = PLATFORM_TARGET, target_year: int = TARGET_YEAR,
                   sector_labels: Mapping[str, str] | None = None) -> Progress:
    """Distinct announcements to date (the period's own announcements included even if the caller's list lacks them),
    each counted once in total and once under every sector and province it names."""
    seen: dict[str, tuple[set[str], set[str]]] = {}
    period_keys: set[str] = set()
    for row, in_period in [(r, False) for r in all_announcements] + [(r, True) for r in period_rows]:
        if "is_platform_announcement" in row and not row.get("is_platform_announcement"):
            continue
        key = announcement_key(row)
        sectors, provinces = _sectors_provinces(row)
        got = seen.setdefault(key, (set(), set()))
        got[0].update(sectors)
        got[1].update(provinces)
        if in_period:
            period_keys.add(key)
    by_sector: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    for sector_ids, province_names in seen.values():
        by_sector.update({(sector_labels or {}).get(s, s) for s in sector_ids} or {NO_SECTOR})
        by_province.update(province_names or {NO_PROVINCE})

    def ranked(c: Counter[str], last: str) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(c.items(), key=lambda kv: (kv[0] == last, -kv[1], kv[0])))

    return Progress(announcements=len(seen), target=target, target_year=target_year,
                    by_sector=ranked(by_sector, NO_SECTOR), by_province=ranked(by_province, NO_PROVINCE),
                    new_in_period=len(period_keys))


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _show_time(value: Any) -> str:
    t = _parse_time(value)
    return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if t else ""


def source_health(row: Mapping[str, Any]) -> SourceHealth:
    """A source row as shown; its status was decided by the caller (one rule for the CLI, digest and doctor)."""
    status = str(row.get("status") or "never run")
    last_ok = _parse_time(row.get("last_ok_at"))
    troubled = status in ("failing", "blocked")
    days = row.get("days_since_ok")
    return SourceHealth(
        name=clean(row.get("name"), 60),
        label=clean(row.get("label") or row.get("name"), 80),
        status=status,
        last_ok_at=_show_time(last_ok.isoformat()) if last_ok else "never",
        stale=bool(row.get("stale")) or last_ok is None,
        days_since_ok=days if isinstance(days, int) else None,
        blocked_until=_show_time(row.get("blocked_until")) if status == "blocked" else "",
        error_kind=clean(row.get("last_error_kind"), 40) if troubled else "",
        error=clean(row.get("last_error"), ERROR_MAX) if troubled else "",
        consecutive_failures=int(row.get("consecutive_failures") or 0),
    )


def _change(row: Mapping[str, Any]) -> Change:
    return Change(
        change=clean(row.get("change"), 20),
        url=str(row.get("url") or ""),
        title=clean(row.get("title_en") or row.get("title_zh")),
        title_zh=clean(row.get("title_zh")),
        detected=_show_time(row.get("detected_at")),
        source=clean(row.get("source"), 60),
        version=row.get("version") if isinstance(row.get("version"), int) else None,
    )


def build_digest(day: str, rows: Iterable[Mapping[str, Any]], *, all_announcements: Iterable[Mapping[str, Any]] | None = None,
                 sources: Iterable[Mapping[str, Any]] = (), changes: Iterable[Mapping[str, Any]] = (),
                 failures: int = 0, attribution: str = "", sector_labels: Mapping[str, str] | None = None,
                 platform_target: int = PLATFORM_TARGET, target_year: int = TARGET_YEAR) -> Digest:
    """The digest of one day.

    all_announcements: every platform announcement to date (None: no progress block); sources: source rows whose
    status the caller decided (crawler.source_status); sector_labels: sector id → heading, in display order.
    """
    labels = dict(sector_labels or {})
    rows = list(rows)
    items = [_item(r) for r in rows]
    announcements = tuple(i for i in items if i.is_announcement)
    groups = _group(announcements, labels)
    progress = None
    if all_announcements is not None:
        progress = build_progress(all_announcements, [r for r in rows if r.get("is_platform_announcement")],
                                  target=platform_target, target_year=target_year, sector_labels=labels)
    return Digest(
        day=day,
        # the announcements in the order they are shown (group by group)
        announcements=tuple(i for g in groups for i in g.items),
        relevant=tuple(i for i in items if not i.is_announcement and i.mentions_platform),
        others=tuple(i for i in items if not i.is_announcement and not i.mentions_platform),
        groups=groups,
        progress=progress,
        sources=tuple(source_health(s) for s in sources),
        changes=tuple(_change(c) for c in changes),
        failures=failures,
        attribution=attribution,
        sector_labels=labels,
    )
