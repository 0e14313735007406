"""Registry rows → what the digest says about platforms: one line per new or changed platform, and the programme's
progress (platforms on official lists against the 20+ target; announcements are never counted as platforms).

Pure, like build.py: the caller passes the store's rows. Inputs:

    events     platform events whose article was first seen in the period (`platform_events_seen_between`)
    platforms  the whole registry (`platform_rows()`), for the progress block and the chart
    steps      the programmes' steps (`programme_steps()`)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .build import NO_PROVINCE, NO_SECTOR, Name, clean, lead

EVENT_LABELS = {"called": "call for applications", "shortlisted": "shortlisted (公示)", "listed": "on the list",
                "established": "established", "opened": "opened", "construction": "under construction",
                "signed": "signed", "planned": "planned", "mentioned": "mentioned"}
STEP_LABELS = {"called": "Call", "shortlisted": "Shortlist (公示)", "listed": "List"}
EVIDENCE_MAX = 300


def json_list(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value or "[]")
        except ValueError:
            return [value] if value else []
    return [str(v) for v in value or ()]


@dataclass(frozen=True)
class PlatformLine:
    """One platform in the digest: who runs it, where, in which sector, what happened, who said so."""

    id: int
    name: str
    hosts: tuple[Name, ...]
    sectors: tuple[str, ...]
    place: str  # "Wuxi, Jiangsu"
    event: str
    level: str
    new: bool  # first seen in this period (else: an existing platform with news)
    issuers: tuple[Name, ...]
    evidence: str
    evidence_en: str
    url: str
    date: str
    engine: str
    listed: tuple[str, ...] = ()
    lead: str = ""  # the first sentences of the English body of the article the evidence is from

    @property
    def event_label(self) -> str:
        label = EVENT_LABELS.get(self.event, self.event)
        return f"{label} ({self.level})" if self.level not in ("", "unknown") else label

    @property
    def is_gloss(self) -> bool:
        return self.engine == "gloss"


@dataclass(frozen=True)
class Step:
    label: str
    date: str
    evidence: str
    articles: int


@dataclass(frozen=True)
class ProgrammeProgress:
    """The national programme against its target, and the provinces' lists. Only platforms on official lists count."""

    listed: int  # platforms on the national list
    target: int
    target_year: int
    by_sector: tuple[tuple[str, int], ...]
    by_province: tuple[tuple[str, int], ...]
    opened: int  # of the listed, how many are reported opened/established
    steps: tuple[Step, ...]  # the national programme's steps so far
    provincial: tuple[tuple[str, int, str], ...]  # (province, platforms on its list, date of its list)
    tracked: int  # every platform in the registry, listed or not

    @property
    def percent(self) -> int:
        return round(100 * self.listed / self.target) if self.target else 0


def _place(row: Mapping[str, Any]) -> str:
    city, province = clean(row.get("city"), 60), clean(row.get("province"), 60)
    if city and province and city != province:
        return f"{city}, {province}"
    return city or province


def _hosts(row: Mapping[str, Any]) -> tuple[Name, ...]:
    zh, en = json_list(row.get("hosts")), json_list(row.get("hosts_en"))
    return tuple(Name(clean(h, 120), clean(en[i] if i < len(en) else "", 160)) for i, h in enumerate(zh) if h)


def platform_lines(events: Iterable[Mapping[str, Any]], period_start: str,
                   issuer_names: Mapping[str, tuple[str, str]] | None = None,
                   event_rank: Mapping[str, int] | None = None) -> tuple[PlatformLine, ...]:
    """One line per platform with events in the period: its furthest event this period (the latest among equals),
    new platforms first, then by how far each has come. issuer_names: Chinese name → (English, abbreviation);
    event_rank: how far each event takes a platform (the registry's, passed in by the pipeline)."""
    rank = event_rank or {}
    by_platform: dict[int, list[Mapping[str, Any]]] = {}
    for e in events:
        by_platform.setdefault(int(e["platform_id"]), []).append(e)
    lines = []
    for pid, evs in by_platform.items():
        # among equals the article's own sentence reads better than a bare list row of an attachment
        main = max(evs, key=lambda e: (rank.get(str(e.get("event")), 0), str(e.get("date") or ""),
                                       not str(e.get("part") or "").startswith("attachment:"), -int(e.get("id") or 0)))
        issuers = tuple(Name(clean(i, 120), *(clean(x, 160) for x in (issuer_names or {}).get(i, ("", ""))))
                        for i in str(main.get("issuers") or "").split("\x1f") if i)
        lines.append(PlatformLine(
            id=pid, name=clean(main.get("name"), 120), hosts=_hosts(main), sectors=tuple(json_list(main.get("sectors"))),
            place=_place(main), event=str(main.get("event") or ""), level=str(main.get("level") or ""),
            new=str(main.get("platform_first_seen_at") or "") >= period_start, issuers=issuers,
            evidence=clean(main.get("evidence"), EVIDENCE_MAX), evidence_en=clean(main.get("evidence_en"), EVIDENCE_MAX),
            url=str(main.get("url") or ""), date=clean(main.get("date"), 10), engine=clean(main.get("translation_engine"), 40),
            listed=tuple(json_list(main.get("listed"))), lead=lead(main.get("body_en")),
        ))
    return tuple(sorted(lines, key=lambda p: (not p.new, -rank.get(p.event, 0), p.place, p.name)))


def _ranked(c: Counter[str], last: str) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(c.items(), key=lambda kv: (kv[0] == last, -kv[1], kv[0])))


def programme_progress(platforms: Iterable[Mapping[str, Any]], steps: Iterable[Mapping[str, Any]], *, target: int,
                       target_year: int, sector_labels: Mapping[str, str]) -> ProgrammeProgress:
    platforms = [p for p in platforms if p.get("status") != "not_a_platform"]
    national = [p for p in platforms if "national" in json_list(p.get("listed"))]
    by_sector: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    for p in national:
        by_sector.update({sector_labels.get(s, s) for s in json_list(p.get("sectors"))} or {NO_SECTOR})
        by_province[clean(p.get("province"), 60) or NO_PROVINCE] += 1
    steps = list(steps)
    provincial_lists = Counter(clean(p.get("province"), 60) or NO_PROVINCE for p in platforms
                               if "provincial" in json_list(p.get("listed")))
    list_dates = {clean(s.get("province"), 60): clean(s.get("date"), 10) for s in steps
                  if s.get("programme") != "national" and s.get("step") == "listed"}
    return ProgrammeProgress(
        listed=len(national), target=target, target_year=target_year,
        by_sector=_ranked(by_sector, NO_SECTOR), by_province=_ranked(by_province, NO_PROVINCE),
        opened=sum(1 for p in national if p.get("status") in ("opened", "established")),
        steps=tuple(Step(STEP_LABELS.get(str(s["step"]), str(s["step"])), clean(s.get("date"), 10),
                         clean(s.get("evidence"), EVIDENCE_MAX), int(s.get("articles") or 0))
                    for s in steps if s.get("programme") == "national"),
        provincial=tuple((prov, n, list_dates.get(prov, "")) for prov, n in _ranked(provincial_lists, NO_PROVINCE)),
        tracked=len(platforms),
    )


def chart_panels(platforms: Iterable[Mapping[str, Any]], sector_labels: Mapping[str, str]
                 ) -> list[tuple[str, Sequence[tuple[str, int]]]]:
    """The registry's platforms (rejected ones aside) by province, by sector and by month of their first event."""
    platforms = [p for p in platforms if p.get("status") != "not_a_platform"]
    province = Counter(clean(p.get("province"), 60) or NO_PROVINCE for p in platforms)
    sector = Counter(sector_labels.get(s, s) for p in platforms for s in json_list(p.get("sectors")) or [""])
    sector = Counter({(k or NO_SECTOR): v for k, v in sector.items()})
    month = Counter(str(p.get("first_event_at") or p.get("first_seen_at") or "")[:7] or "unknown" for p in platforms)
    return [("Platforms by province", _ranked(province, NO_PROVINCE)),
            ("Platforms by sector", _ranked(sector, NO_SECTOR)),
            ("Platforms by month of first report", tuple(sorted(month.items())))]
