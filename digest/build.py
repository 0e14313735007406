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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .platforms import PlatformLine, ProgrammeProgress

NO_SECTOR = "Sector not stated"
NO_PROVINCE = "Province not stated"

# The 2027 goal the progress block measures against: 20+ biomanufacturing pilot-scale platforms.
PLATFORM_TARGET = 20
TARGET_YEAR = 2027

TITLE_MAX = 300  # characters; a crawled "title" can be a whole paragraph when a page is mis-parsed
SNIPPET_MAX = 240
LEAD_MAX = 600  # characters of the English lead under an item
ERROR_MAX = 200
# Items shown per section (others as collapsed title lines); past them a count and where to find the rest. A first
# national list (43) with provincial lists on the same day fits; a day of thousands would make a message mail servers
# refuse (17 MB).
SHOWN_MAX = {"platforms": 300, "policies": 200, "relevant": 100, "others": 100}

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
# English of the measure words a quantity may carry when its noun has no English (个 and 家 only count)
UNITS = {"个": "", "家": "organisations", "台": "units", "套": "sets", "台套": "sets", "次": "times", "批次": "batches",
         "项": "items", "名": "people", "人": "people", "位": "people", "款": "products", "种": "kinds", "条": "lines",
         "座": "sites", "所": "institutions", "处": "sites", "支": "teams", "件": "items", "批": "batches"}
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
    targets: tuple[str, ...] = ()  # goals: "≥20 platforms" (力争到2027年…)
    counts: tuple[str, ...] = ()  # counts of what exists: "43 platforms" (确定43个平台)
    article_id: int | None = None
    doc_number: str = ""
    evidence: str = ""
    fidelity_missing: tuple[str, ...] = ()
    lead: str = ""  # the first sentences of the English body ("gloss"-labelled with the title when it is one)

    @property
    def is_policy(self) -> bool:
        """A policy, call or list the item reports: it names who issued it."""
        return bool(self.issuers) and (self.is_announcement or self.mentions_platform)

    @property
    def is_gloss(self) -> bool:
        return self.engine == "gloss"


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
    others: tuple[Item, ...]  # new items neither announcing nor mentioning a pilot platform (build_digest keeps the
    # ones shown: the rest are only counted)
    relevant: tuple[Item, ...] = ()  # mention a pilot platform without announcing one
    platforms: tuple[PlatformLine, ...] = ()  # new and changed platforms, one line each
    policies: tuple[Item, ...] = ()  # policies, calls and lists reported in the period
    programme: ProgrammeProgress | None = None
    chart_png: bytes | None = None
    chart_alt: str = ""
    sources: tuple[SourceHealth, ...] = ()
    changes: tuple[Change, ...] = ()
    failures: int = 0
    attribution: str = ""
    sector_labels: Mapping[str, str] = field(default_factory=dict)  # sector id → heading (the tagger's vocabulary)
    audience: str = ""  # a subscription's name: its own digest ("" : the digest of everything)
    follows: str = ""  # what that subscription follows, in one line
    health_detail: bool = True  # the source-health table; False (analysts, when an operator gets it): a notice line
    others_total: int = 0  # how many others there were, when more than the ones kept

    @property
    def heading(self) -> str:
        return (f"PilotWatch alert \u201c{self.audience}\u201d — {self.day}" if self.audience
                else f"PilotWatch daily digest — {self.day}")

    @property
    def notice(self) -> str:
        """One line when sources are down or stale (what analysts see instead of the health table), else ""."""
        bad = self.unhealthy
        if not bad:
            return ""
        what = "; ".join(f"{s.label}: {s.detail}" for s in bad[:4]) + ("; …" if len(bad) > 4 else "")
        return (f"{len(bad)} of {len(self.sources)} source{'s' if len(self.sources) != 1 else ''} down or stale "
                f"({what}); news from {'it' if len(bad) == 1 else 'them'} may be missing.")

    def sector_label(self, sector: str) -> str:
        return self.sector_labels.get(sector, sector)

    @property
    def empty(self) -> bool:
        return not self.announcements and not self.relevant and not self.others and not self.platforms

    @property
    def other_count(self) -> int:
        return len(self.relevant) + self.total("others")

    @property
    def unhealthy(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if not s.healthy)

    def shown(self, section: str) -> tuple[Any, ...]:
        """The items of a section ("platforms", "policies", "relevant", "others") the digest lists."""
        return getattr(self, section)[:SHOWN_MAX[section]]

    def total(self, section: str) -> int:
        n = len(getattr(self, section))
        return max(self.others_total, n) if section == "others" else n  # build_digest keeps only the others shown

    def more(self, section: str) -> int:
        """Items of a section counted but not listed."""
        return self.total(section) - len(self.shown(section))

    @property
    def subject(self) -> str:
        name = f"PilotWatch {self.audience} {self.day}" if self.audience else f"PilotWatch {self.day}"
        if self.empty:
            head = f"{name}: nothing new"
        else:
            n, new = len(self.platforms), sum(p.new for p in self.platforms)
            k, m = len(self.policies), self.other_count
            head = (f"{name}: {n} platform{'s' if n != 1 else ''} with news ({new} new), "
                    f"{k} polic{'ies' if k != 1 else 'y'}, {m} other item{'s' if m != 1 else ''}")
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


def tag_attrs(tag: Mapping[str, Any]) -> dict[str, str]:
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
            a = tag_attrs(t)
            out[str(t["value"])] = Name(clean(t["value"], 120), clean(a.get("name_en"), 160), clean(a.get("abbr"), 30))
    return tuple(out.values())


def _places(tags: list[Mapping[str, Any]], provinces: tuple[str, ...]) -> tuple[str, ...]:
    places: list[str] = []
    covered: set[str] = set()
    for t in tags:
        if t.get("field") == "city" and t.get("value"):
            province = tag_attrs(t).get("province", "")
            place = f"{t['value']}, {province}" if province and province != t["value"] else str(t["value"])
            if place not in places:
                places.append(place)
            covered.add(province)
    places += [p for p in provinces if p not in covered]
    return tuple(clean(p, 80) for p in places)


def format_target(value: str, attrs: Mapping[str, str]) -> str:
    """A counted quantity in English: value, unit, bound, noun → "≥20 platforms"; a noun without English keeps its
    Chinese in brackets after the unit's English ("5 units (车间)"), so nothing untranslated stands alone."""
    sign = BOUND_SIGNS.get(attrs.get("bound", ""), "")
    noun, unit = attrs.get("noun", ""), attrs.get("unit", "")
    if noun in TARGET_NOUNS:
        return f"{sign}{value} {TARGET_NOUNS[noun]}"
    unit_en = UNITS.get(unit, unit)
    head = f"{sign}{value}" + (f" {unit_en}" if unit_en else "")
    return f"{head} ({noun})" if noun else head


def _targets(tags: list[Mapping[str, Any]], kind: str) -> tuple[str, ...]:
    """Goals (kind "goal") or counts ("count"); a tag from before the tagger told them apart counts as a goal."""
    return tuple(dict.fromkeys(clean(format_target(str(t["value"]), a), 60) for t in tags
                               if t.get("field") == "target" and t.get("value")
                               and ((a := tag_attrs(t)).get("kind", "goal") == kind)))


_EN_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z“\"(0-9])")


def lead(text: Any, sentences: int = 3, limit: int = LEAD_MAX) -> str:
    """The first `sentences` sentences of an English body (its first paragraph at most), cut at `limit` on a word."""
    first = clean(str(text or "").strip().split("\n", 1)[0], 10 * limit)
    if not first:
        return ""
    ends = [m.start() for m in _EN_SENTENCE_END.finditer(first)]
    out = first[: ends[sentences - 1]] if len(ends) >= sentences else first
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return out


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
        targets=_targets(tags, "goal"),
        counts=_targets(tags, "count"),
        article_id=row.get("id") if isinstance(row.get("id"), int) else None,
        doc_number=clean(row.get("doc_number"), 80),
        evidence=clean(_evidence(row, evidence_tag), SNIPPET_MAX),
        fidelity_missing=_missing(row.get("fidelity_missing")),
        lead=lead(row.get("body_en_start") or row.get("body_en")),  # its start suffices (store.LEAD_CHARS)
    )


def _evidence(row: Mapping[str, Any], tag: Mapping[str, Any] | None) -> str:
    if tag is None:
        return ""
    start, end = tag.get("start"), tag.get("end")
    offset, text = 0, row.get("title_zh") or ""
    if tag.get("part") != "title":
        # the store sends a window of the body around the tag (evidence_window), or the whole body
        offset, text = row.get("evidence_window") or (0, row.get("body_zh") or "")
    if isinstance(start, int) and isinstance(end, int) and text[start - offset:end - offset] == tag.get("evidence"):
        return snippet(text, start - offset, end - offset)
    return str(tag.get("evidence") or "")


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


def build_digest(day: str, rows: Iterable[Mapping[str, Any]], *, sources: Iterable[Mapping[str, Any]] = (),
                 changes: Iterable[Mapping[str, Any]] = (), failures: int = 0, attribution: str = "",
                 sector_labels: Mapping[str, str] | None = None, events: Iterable[Mapping[str, Any]] = (),
                 platforms: Iterable[Mapping[str, Any]] | None = None, steps: Iterable[Mapping[str, Any]] = (),
                 period_start: str = "", event_rank: Mapping[str, int] | None = None,
                 platform_target: int = PLATFORM_TARGET, target_year: int = TARGET_YEAR, chart: bool = True) -> Digest:
    """The digest of one day.

    events: platform events of the period; platforms: the whole registry (None: no progress block and no chart);
    steps: the programmes' steps; event_rank: how far each event takes a platform (registry.STATUS_RANK);
    period_start: the period's start (UTC ISO), which tells new platforms from changed
    ones; sources: source rows whose status the caller decided (crawler.source_status); sector_labels: sector id →
    label, in display order.
    """
    from .platforms import chart_panels, platform_lines, programme_progress

    labels = dict(sector_labels or {})
    # Rows stream in (a day can bring thousands): items of interest are kept, others only up to what is listed.
    items: list[Item] = []
    others: list[Item] = []
    others_total = 0
    english: dict[str, tuple[str, str]] = {}
    for row in rows:
        item = _item(row)
        english.update((n.zh, (n.en, n.abbr)) for n in item.issuers)
        if item.is_announcement or item.mentions_platform:
            items.append(item)
        else:
            others_total += 1
            if len(others) < SHOWN_MAX["others"]:
                others.append(item)
    events = list(events)
    lines = platform_lines(events, period_start, english, event_rank)
    policies = tuple(i for i in items if i.is_policy)
    # an article whose news is a platform line is shown there, through its evidence and link
    told = {int(e["article_id"]) for e in events} | {i.article_id for i in policies}
    relevant = tuple(i for i in items if (i.is_announcement or i.mentions_platform) and i.article_id not in told)
    programme, png, alt = None, None, ""
    if platforms is not None:
        platforms = list(platforms)
        programme = programme_progress(platforms, steps, target=platform_target, target_year=target_year,
                                       sector_labels=labels)
        if chart and platforms:
            from .chart import alt_text, chart_png

            panels = chart_panels(platforms, labels)
            png, alt = chart_png(panels), alt_text(panels)
    return Digest(
        day=day,
        announcements=tuple(i for i in items if i.is_announcement),
        relevant=relevant,
        others=tuple(others),
        others_total=others_total,
        platforms=lines,
        policies=policies,
        programme=programme,
        chart_png=png,
        chart_alt=alt,
        sources=tuple(source_health(s) for s in sources),
        changes=tuple(_change(c) for c in changes),
        failures=failures,
        attribution=attribution,
        sector_labels=labels,
    )
