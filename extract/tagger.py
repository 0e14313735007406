"""tag_article: check input → normalise → score the announcement → find platform mentions → link facts → one Tagging.

Per ``LABELS.md``: the unit is the platform. Facts (hosts, sectors, places, targets, dates, money) are reported
whenever a platform is mentioned, not only for announcements, and each platform record carries the facts of the
sentence (or list row) it stands in. The article-level fields are the union of the platform records, plus, for an
announcement, the scope it declares (a policy's sector enumeration, the issuing government's jurisdiction).

Offsets: folding keeps one character per character and furniture is blanked in place, so spans found on the
normalised text are spans of the original title/body, and evidence is sliced from the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from zhtext.clean import without_pinyin_glosses
from zhtext.script import fold as normalize  # length-preserving NFKC + Traditional→Simplified
from zhtext.script import has_han

from .classify import _rules, classify
from .entities import entity_tags
from .hosts import institutions
from .issuers import find_issuers
from .lead import Span, blank, furniture
from .lists import Row, find_rows
from .model import Platform, Tag, Tagging
from .orgs import OrgSpan, find_orgs, mask
from .places import PlaceHit, find_places
from .platforms import Mention, event_of, find_mentions, level_of
from .sectors import vote

MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
_FIELD_ORDER = {"sector": 0, "province": 1, "city": 2, "place_mentioned": 3}
_PART_ORDER = {"title": 0, "body": 1}
# Bad input: longer text is tagged on its first MAX_CHARS characters (and flagged), binary junk is not tagged.
MAX_PLATFORMS = 300  # platform records per item: far above a real list (the national one has 43), a bound on junk
MAX_CHARS = 200_000
_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_OTHER_SCRIPT = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0e00-\u0e7f]")
_LATIN = re.compile(r"[A-Za-z]")


def input_flags(title: str, body: str) -> tuple[str, ...]:
    """What makes this input unlike a news text: "empty", "too_long", "binary", "other_language"."""
    text = f"{title}\n{body}"
    if not text.strip():
        return ("empty",)
    flags = ["too_long"] if len(body) > MAX_CHARS else []
    sample = text[:MAX_CHARS]
    if len(_JUNK.findall(sample)) > max(3, len(sample) // 50):
        return (*flags, "binary")
    other, han = len(_OTHER_SCRIPT.findall(sample)), sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    if other > max(10, han // 5) or (not han and len(_LATIN.findall(sample)) < len(sample.strip()) // 4):
        flags.append("other_language")  # Japanese kana, Korean, Cyrillic, Arabic, Thai…; or neither Chinese nor English
    return tuple(flags)


def tag_article(title: str, body: str, *, published: str | None = None, threshold: float | None = None) -> Tagging:
    """Tag one article. ``title`` and ``body`` are plain text (either may be empty); ``threshold`` is the
    announcement score from which an item is an announcement (default: the model's own).

    Pinyin glosses of mirror sites (產(chǎn)業(yè)) are removed before matching, as they would split every term; the offsets
    and evidence of the tags are then those of the text as passed in, glosses included. Input that is empty, binary or
    in another language is returned untagged with ``flags`` saying why; never raises for str input."""
    title, body = title or "", body or ""
    flags = input_flags(title, body)
    if {"empty", "binary", "other_language"} & set(flags):
        return Tagging(False, False, (), (f"not tagged: {', '.join(flags)}",), 0.0, (), flags)
    written = {"title": title, "body": body[:MAX_CHARS]}
    clean = {part: without_pinyin_glosses(text) for part, text in written.items()}
    tagging = _tag(clean["title"][0], clean["body"][0], published=published, threshold=threshold)
    tagging = replace(tagging, flags=flags)
    if all(origin is None for _, origin in clean.values()):
        return tagging

    def as_written(tag: Tag) -> Tag:
        origin = clean[tag.part][1] if tag.part in clean else None
        if origin is None or tag.start >= tag.end:
            return tag
        start, end = origin[tag.start], origin[tag.end - 1] + 1
        return replace(tag, start=start, end=end, evidence=written[tag.part][start:end])

    def platform_as_written(p: Platform) -> Platform:
        origin = clean[p.part][1] if p.part in clean else None
        moved = {"hosts": tuple(map(as_written, p.hosts)), "sectors": tuple(map(as_written, p.sectors)),
                 "places": tuple(map(as_written, p.places))}
        if origin is not None and p.start < p.end:
            start, end = origin[p.start], origin[p.end - 1] + 1
            moved.update(start=start, end=end, evidence=written[p.part][start:end])
        return replace(p, **moved)

    return replace(tagging, tags=tuple(as_written(t) for t in tagging.tags),
                   platforms=tuple(platform_as_written(p) for p in tagging.platforms))


def _containing(spans: list[OrgSpan], start: int, end: int) -> OrgSpan | None:
    for sp in spans:
        if sp.start <= start and end <= sp.end:
            return sp
    return None


def _announcement(title: str, body: str, lang: str, threshold: float | None) -> tuple[float, bool, tuple[str, ...]]:
    from .announce import DEFAULT_THRESHOLD, score

    s = score(title, body, lang)
    cut = DEFAULT_THRESHOLD if threshold is None else threshold
    why = tuple(f"{name} {weight:+.2f}" for name, weight in s.top)
    return s.value, s.value >= cut, (f"announcement score {s.value:.2f} (threshold {cut:.2f})", *why)


@dataclass
class _Builder:
    mention: Mention
    name: str
    hosts: list[Tag] = field(default_factory=list)
    sectors: list[Tag] = field(default_factory=list)
    places: list[Tag] = field(default_factory=list)
    row: bool = False  # a list row: its facts come from its cells only
    listed: tuple[str, str] | None = None  # (event, level) of the list notice that names it
    scope: tuple[int, int] | None = None  # its share of a sentence that names several platforms (see _share)

    @property
    def span(self) -> tuple[int, int]:
        """Where its facts are: its sentence, or its share of it."""
        return self.scope or self.mention.sentence

    def build(self, original: dict[str, str]) -> Platform:
        m = self.mention
        s, e = m.sentence
        event, level = self.listed or (m.event, m.level)
        return Platform(self.name, event, level, m.part, s, e, original[m.part][s:e].strip(),
                        tuple(_unique(self.hosts)), tuple(_unique(self.sectors)), tuple(_unique(self.places)))


def _keep(text: str, spans: list[tuple[int, int]], fill: str = "\u25a1") -> str:
    """``text`` with everything outside ``spans`` overwritten by ``fill`` (offsets hold), so a matcher sees only them."""
    out, pos = [], 0
    for s, e in sorted(spans):
        s = max(s, pos)
        out += [fill * (s - pos), text[s:e]]
        pos = max(pos, e)
    out.append(fill * (len(text) - pos))
    return "".join(out)


def _cell_tags(norm: str, original: str, start: int, end: int, lang: str) -> list[Tag]:
    """Place tags of the places in norm[start:end] (a list cell), offsets in the whole text."""
    out: list[Tag] = []
    for hit in find_places(" " * start + norm[start:end], lang):
        out += _place_tags(hit, original[hit.start : hit.end], "body")
    return out


def _row_builder(row: Row, norm: dict[str, str], original: dict[str, str], event: str, level: str,
                 is_announcement: bool) -> _Builder:
    """A list row as a platform: hosts from the hosts cell (canonical through the alias table), place from the place
    cell (else a place the name starts with), sectors from the name, sector cell and group heading."""
    text, orig = norm["body"], original["body"]
    name = row.name
    start, end = (name.start, name.end) if name else (row.start, row.start)
    b = _Builder(Mention("body", start, end, start, (row.start, row.end), event, level),
                 orig[start:end] if name else "", row=True)
    for cell in row.hosts:
        inst = institutions().get(cell.text)
        attrs = (("name_en", inst.name_en if inst else ""), ("type", inst.type if inst else ""), ("cue", "list"))
        b.hosts.append(Tag("host", inst.name if inst else cell.text, None, orig[cell.start : cell.end], "body",
                           cell.start, cell.end, attrs))
    for cell in (row.place, name):
        if cell is not None and not b.places:
            b.places = [t for t in _cell_tags(text, orig, cell.start, cell.end, "zh") if t.start >= cell.start]
    spans = [c for c in (name, row.sector, row.section) if c is not None]
    if spans:
        only = _keep(text, [(c.start, c.end) for c in spans])
        bio = is_announcement or any(_rules("zh").bio.search(text, c.start, c.end) for c in spans)
        b.sectors = [Tag("sector", v.sector, None, orig[v.start : v.end], "body", v.start, v.end)
                     for v in vote({"title": "", "body": only}, "zh") if bio]
    return b


def _share(builders: list[_Builder], norm: dict[str, str]) -> None:
    """Split a sentence that names several platforms ("A牵头建设的P1（无锡市）、B牵头建设的P2（上海市）") into one share
    each: from the end of the previous platform (with the bracket right after it) to the end of this one's, the last
    share running to the sentence's end. A host before its platform and a place in brackets after it stay with it."""
    shared: dict[tuple[str, tuple[int, int]], list[_Builder]] = {}
    for b in builders:
        if not b.row:
            shared.setdefault((b.mention.part, b.mention.sentence), []).append(b)
    for (part, (s, e)), group in shared.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda b: b.mention.start)
        text, lo = norm[part], s
        for i, b in enumerate(group):
            hi = b.mention.end
            if hi < e and text[hi] in "（(":
                close = min((j for j in (text.find("）", hi, hi + 40), text.find(")", hi, hi + 40)) if j != -1),
                            default=-1)
                hi = close + 1 if close != -1 else hi
            b.scope = (lo, e if i == len(group) - 1 else hi)
            lo = hi


def _merge_bare(builders: list[_Builder]) -> list[_Builder]:
    """A bare head (中试平台, 该基地's 基地) refers back to a named platform: its facts join the nearest named one in the
    same part (else the first); it stands alone only when nothing is named."""
    named = [b for b in builders if b.row or b.mention.name_start < b.mention.start]
    if not named:
        return builders[:1] if len({b.name for b in builders}) == 1 else builders
    for b in builders:
        if b in named:
            continue
        same_part = [n for n in named if n.mention.part == b.mention.part] or named
        target = min(same_part, key=lambda n: abs(n.mention.start - b.mention.start))
        target.hosts += b.hosts
        target.sectors += b.sectors
        target.places += b.places
    return named


def _unique(tags: Iterable[Tag]) -> list[Tag]:
    seen: set[tuple[str, str]] = set()
    out = []
    for t in tags:
        if (t.field, t.value) not in seen:
            seen.add((t.field, t.value))
            out.append(t)
    return out


def _place_tags(hit: PlaceHit, evidence: str, part: str) -> list[Tag]:
    span = (evidence, part, hit.start, hit.end)
    out = [Tag("province", hit.province.name_en, hit.province.code, *span)]
    if hit.city is None and hit.province.code in MUNICIPALITIES:
        # Beijing, Tianjin, Shanghai, Chongqing are province and city at once (LABELS.md)
        out.append(Tag("city", hit.province.name_en, hit.province.code, *span,
                       attrs=(("province", hit.province.name_en), ("via", hit.via), ("code_detail", hit.code))))
    elif _county_city(hit):
        # a county-level city (津市, 禹城) is the city; its prefecture only when the text names it (LABELS.md)
        out.append(Tag("city", hit.county.name_en, hit.county.code, *span,
                       attrs=(("province", hit.province.name_en), ("via", hit.via), ("code_detail", hit.code))))
    elif hit.city is not None:
        detail = [("province", hit.province.name_en), ("via", hit.via), ("code_detail", hit.code)]
        if hit.county is not None:
            detail += [("county", hit.county.name), ("county_code", hit.county.code)]
        if hit.zone is not None:
            detail.append(("zone", hit.zone.name))
        out.append(Tag("city", hit.city.name_en, hit.city.code, *span, attrs=tuple(detail)))
    return out


def _within(tag: Tag, spans: dict[str, list[tuple[int, int]]]) -> bool:
    return any(a <= tag.start and tag.end <= b for a, b in spans.get(tag.part, ()))


def _tag(title: str, body: str, *, published: str | None, threshold: float | None) -> Tagging:
    original = {"title": title, "body": body}
    folded = {part: normalize(text) for part, text in original.items()}
    lang = "zh" if has_han(folded["title"]) or has_han(folded["body"]) else "en"
    # Datelines, bylines, source lines and a repeated headline are not the story (see lead.py).
    furn = furniture(folded["title"], folded["body"], lang)
    norm = {"title": folded["title"], "body": blank(folded["body"], furn)}
    verdict = classify(norm["title"], norm["body"], lang)
    score, is_announcement, why = _announcement(norm["title"], norm["body"], lang, threshold)
    orgs = {part: find_orgs(text, lang) for part, text in norm.items()}
    mentions = {part: find_mentions(text, lang, part) for part, text in norm.items()}
    mentioned = verdict.mentions_pilot_platform or any(mentions.values())
    reasons = (*verdict.reasons, *why)
    if not (mentioned or is_announcement):
        places = [_mentioned_place(hit, original[part], part) for part in norm for hit in find_places(norm[part], lang)]
        issuers = _issuer_tags(norm, original, orgs, lang)
        return Tagging(False, False, (*_unique(t for t in places if t is not None), *issuers), reasons, score)

    masked = {part: mask(norm[part], orgs[part]) for part in norm}
    rules = _rules(lang)
    # the sentences that name a platform: what the facts of a mere mention must come from
    platform_spans = {part: sorted({m.sentence for m in ms}) for part, ms in mentions.items()}
    # A list table: one platform per row, its facts from its own cells (see _row_builder); mentions inside the table
    # are those rows.
    rows = find_rows(norm["body"]) if lang == "zh" else []
    list_event = event_of(norm["title"] or norm["body"][:200], lang)
    list_level = level_of("", f"{norm['title']}\n{norm['body'][:300]}", lang)
    builders = [_row_builder(r, norm, original, "shortlisted" if list_event == "shortlisted" else "listed", list_level,
                             is_announcement) for r in rows]
    in_rows = [(r.start, r.end) for r in rows]
    by_name: dict[str, _Builder] = {b.name: b for b in builders}
    for part in ("title", "body"):
        for m in mentions[part]:
            if part == "body" and any(a < m.sentence[1] and m.sentence[0] < b for a, b in in_rows):
                continue  # the table's own sentence (its header, a glued list) names the rows, not more platforms
            name = m.name(norm[part])
            if name in by_name:
                continue
            if len(builders) >= MAX_PLATFORMS:
                break  # a bound on the work one item costs: each platform's facts are read from its own share
            b = _Builder(m, original[part][m.name_start : m.end])
            by_name[name] = b
            builders.append(b)
    _share(builders, norm)
    for b in builders:
        if b.row:
            continue
        s, e = b.span
        part = b.mention.part
        only = {"title": "", "body": ""}
        only[part] = _keep(masked[part], [(s, e)])
        # a general-manufacturing platform has no sector unless its sentence is about biomanufacturing (LABELS.md):
        # 化工 or 能源 alone name the conventional industry
        bio = rules.bio.search(norm[part], s, e) is not None
        b.sectors = [Tag("sector", v.sector, None, original[v.part][v.start : v.end], v.part, v.start, v.end)
                     for v in vote(only, lang) if bio or rules.bio.search(norm[v.part], v.start, v.end)]

    # Sectors: each platform's own, plus the scope an announcement declares.
    sector_tags = [t for b in builders for t in b.sectors]
    if is_announcement:
        sector_tags += [Tag("sector", v.sector, None, original[v.part][v.start : v.end], v.part, v.start, v.end)
                        for v in vote(masked, lang)]

    # Places: in a platform's sentence (or, for an announcement, anywhere outside a non-government organisation's
    # name) a place is the platform's; every other place is mentioned.
    platform_places: list[Tag] = []
    other_places: list[Tag] = []
    for part in ("title", "body"):
        for hit in find_places(norm[part], lang):
            org = _containing(orgs[part], hit.start, hit.end)
            evidence = original[part][hit.start : hit.end]
            in_sentence = [b for b in builders if b.mention.part == part and not b.row
                           and b.span[0] <= hit.start < b.span[1]]
            outside_org = org is None or org.gov
            if outside_org and (in_sentence or is_announcement):
                tags = _place_tags(hit, evidence, part)
                platform_places += tags
                for b in in_sentence:
                    b.places += tags
            else:
                t = _mentioned_place(hit, original[part], part)
                if t is not None:
                    other_places.append(t)
    if not platform_places and any(b.mention.level != "national" for b in builders):
        platform_places = _dateline_places(furn, folded["body"], original["body"], lang)
    # A platform whose sentence names no place is where the item's one locale is: the only province named outside
    # organisation names (with its city, when only one is named).
    locale = _locale(platform_places or [t for part in ("title", "body") for hit in find_places(norm[part], lang)
                                         if (org := _containing(orgs[part], hit.start, hit.end)) is None or org.gov
                                         for t in _place_tags(hit, original[part][hit.start : hit.end], part)])
    # In a list notice (公布…名单 in the headline) a platform the body names with its own place or host is on the
    # list, whatever its sentence's verb ("牵头建设的…平台（江苏省无锡市）" is a list entry, not construction news).
    notice = list_event in ("listed", "shortlisted") and any(m.event == list_event for m in mentions["title"])
    placed = {id(b) for b in builders if b.places}
    for b in builders:
        if not b.places and (b.mention.level != "national" or b.row):
            b.places = list(locale)
    if not is_announcement:
        platform_places = _unique([*platform_places, *(t for b in builders for t in b.places)])

    entity = (entity_tags(norm, original, orgs, published=published) if lang == "zh"
              else _issuer_tags(norm, original, orgs, lang))
    if not is_announcement:
        # a mere mention reports hosts and quantities of the platform's sentences only; issuers of the reported
        # policy wherever they stand
        entity = [t for t in entity if t.field in ("issuer",) or t.part == "meta" or _within(t, platform_spans)]
    for t in entity:
        if t.field != "host":
            continue
        if any(a <= t.start < b for a, b in in_rows) and t.part == "body":
            continue  # a row's hosts are its cells'
        near = [b for b in builders if b.mention.part == t.part and not b.row and b.span[0] <= t.start < b.span[1]]
        # a host outside every platform's sentence belongs to the article's one platform, if it has only one
        for b in near or (builders if len(builders) == 1 else []):
            b.hosts.append(t)

    for b in builders:
        if (notice and not b.row and b.mention.part == "body" and (b.hosts or id(b) in placed)
                and b.mention.event in ("planned", "mentioned", "construction", "called")):
            b.listed = (list_event, list_level if b.mention.level == "unknown" else b.mention.level)

    row_facts = [t for b in builders if b.row for t in (*b.hosts, *b.places)]
    entity = [*entity, *(t for t in _unique(row_facts) if t.field == "host")]
    platform_places = _unique([*platform_places, *(t for t in row_facts if t.field != "host")])
    sector_tags += [t for b in builders if b.row for t in b.sectors]
    platforms = [b.build(original) for b in _merge_bare(builders)]
    platform_sectors = {t.value for p in platforms for t in p.sectors}
    sector_tags = _unique(t for t in sector_tags if is_announcement or t.value in platform_sectors)

    seen: set[tuple[str, str]] = set()
    place_values = {t.value for t in platform_places}
    place_tags: list[Tag] = []
    for t in [*platform_places, *other_places]:
        key = (t.field, t.value)
        if key in seen or (t.field == "place_mentioned" and t.value in place_values):
            continue
        seen.add(key)
        place_tags.append(t)
    place_tags.sort(key=lambda t: (_FIELD_ORDER[t.field], _PART_ORDER.get(t.part, 2), t.start))
    return Tagging(
        is_platform_announcement=is_announcement,
        mentions_pilot_platform=mentioned,
        tags=tuple(sector_tags + place_tags + entity),  # sectors best-first, places in reading order, entities
        reasons=reasons,
        announcement_score=score,
        platforms=tuple(platforms),
    )


def _county_city(hit: PlaceHit) -> bool:
    return hit.via == "county" and hit.county is not None and bool(hit.county.name_en)


def _issuer_tags(norm: dict[str, str], original: dict[str, str], orgs: dict[str, list[OrgSpan]], lang: str
                 ) -> list[Tag]:
    """The issuers of the policy, call or list an item reports, one per body, title first. Any item may report one
    (a 示范基地 list has its issuer too); English reports name them as well (MIIT and NDRC issued…), while the other
    entity fields are read in Chinese only."""
    seen: set[str] = set()
    out = []
    for part in ("title", "body"):
        for hit in find_issuers(norm[part], orgs[part], part=part, lang=lang):
            if (hit.key or hit.value) not in seen:
                seen.add(hit.key or hit.value)
                out.append(hit.to_tag(part, original[part]))
    return out


def _locale(places: list[Tag]) -> list[Tag]:
    """The province (and city) of ``places`` when they name one province (and at most one city), else []."""
    provinces = {t.value for t in places if t.field == "province"}
    if len(provinces) != 1:
        return []
    cities = {t.value for t in places if t.field == "city"}
    first = {t.field: t for t in reversed(places)}
    return [first["province"], *([first["city"]] if len(cities) == 1 else [])]


def _mentioned_place(hit: PlaceHit, original: str, part: str) -> Tag | None:
    """A place named but not a platform's: as written, a city (or a zone's city) rather than its province; a bare
    county is too fine-grained to report."""
    evidence = original[hit.start : hit.end]
    if _county_city(hit):
        return Tag("place_mentioned", hit.county.name_en, hit.county.code, evidence, part, hit.start, hit.end,
                   attrs=(("province", hit.province.name_en),))
    if hit.via == "county" and hit.city is not None:
        return None
    if hit.city is not None:
        return Tag("place_mentioned", hit.city.name_en, hit.city.code, evidence, part, hit.start, hit.end,
                   attrs=(("province", hit.province.name_en),))
    return Tag("place_mentioned", hit.province.name_en, hit.province.code, evidence, part, hit.start, hit.end)


def _dateline_places(furn: list[Span], folded: str, original: str, lang: str) -> list[Tag]:
    """The dateline's place (新华社济南…电 → Jinan), used only when nothing else places the platform."""
    for span in furn:
        if span.kind == "dateline":
            s, e = span.start, span.end
            for hit in find_places(" " * s + folded[s:e], lang):
                return _place_tags(hit, original[hit.start : hit.end], "body")
    return []
