"""tag_article: normalise → classify → organisation spans → sectors and places → one Tagging.

Offsets: normalisation keeps one character per character, so spans found on the normalised text are spans of the
original title/body, and evidence is sliced from the original.
"""

from __future__ import annotations

from dataclasses import replace

from zhtext.clean import without_pinyin_glosses
from zhtext.script import fold as normalize  # length-preserving NFKC + Traditional→Simplified
from zhtext.script import has_han

from .classify import classify
from .entities import entity_tags
from .model import Tag, Tagging
from .orgs import OrgSpan, find_orgs, mask
from .places import find_places
from .sectors import vote

_FIELD_ORDER = {"sector": 0, "province": 1, "city": 2, "place_mentioned": 3}
_PART_ORDER = {"title": 0, "body": 1}


def _containing(spans: list[OrgSpan], start: int, end: int) -> OrgSpan | None:
    for sp in spans:
        if sp.start <= start and end <= sp.end:
            return sp
    return None


def tag_article(title: str, body: str, *, published: str | None = None) -> Tagging:
    """Tag one article. ``title`` and ``body`` are plain text (either may be empty).

    Pinyin glosses of mirror sites (產(chǎn)業(yè)) are removed before matching, as they would split every term; the offsets
    and evidence of the tags are then those of the text as passed in, glosses included."""
    written = {"title": title or "", "body": body or ""}
    clean = {part: without_pinyin_glosses(text) for part, text in written.items()}
    tagging = _tag(clean["title"][0], clean["body"][0], published=published)
    if all(origin is None for _, origin in clean.values()):
        return tagging

    def as_written(tag: Tag) -> Tag:
        origin = clean[tag.part][1] if tag.part in clean else None
        if origin is None or tag.start >= tag.end:
            return tag
        start, end = origin[tag.start], origin[tag.end - 1] + 1
        return replace(tag, start=start, end=end, evidence=written[tag.part][start:end])

    return replace(tagging, tags=tuple(as_written(t) for t in tagging.tags))


def _tag(title: str, body: str, *, published: str | None) -> Tagging:
    original = {"title": title, "body": body}
    norm = {part: normalize(text) for part, text in original.items()}
    lang = "zh" if has_han(norm["title"]) or has_han(norm["body"]) else "en"
    verdict = classify(norm["title"], norm["body"], lang)
    orgs = {part: find_orgs(text, lang) for part, text in norm.items()}

    sector_tags: list[Tag] = []
    if verdict.is_platform_announcement:
        masked = {part: mask(norm[part], orgs[part]) for part in norm}
        for vote_hit in vote(masked, lang):
            s, e = vote_hit.start, vote_hit.end
            evidence = original[vote_hit.part][s:e]
            sector_tags.append(Tag("sector", vote_hit.sector, None, evidence, vote_hit.part, s, e))

    places: list[Tag] = []
    for part in ("title", "body"):
        for hit in find_places(norm[part], lang):
            org = _containing(orgs[part], hit.start, hit.end)
            # A government body's place prefix is its jurisdiction (山东省工业和信息化厅 → Shandong); any other
            # organisation's place (…天津工业生物技术研究所) is where that organisation is, not the platform.
            is_platform_place = verdict.is_platform_announcement and (org is None or org.gov)
            evidence = original[part][hit.start : hit.end]
            span = (evidence, part, hit.start, hit.end)
            if is_platform_place:
                places.append(Tag("province", hit.province.name_en, hit.province.code, *span))
                if hit.city is not None:
                    detail = [("province", hit.province.name_en), ("via", hit.via), ("code_detail", hit.code)]
                    if hit.county is not None:
                        detail.append(("county", hit.county.name))
                    if hit.zone is not None:
                        detail.append(("zone", hit.zone.name))
                    places.append(Tag("city", hit.city.name_en, hit.city.code, *span, attrs=tuple(detail)))
            elif hit.via != "county" or hit.city is None:
                # a mention names the place as written: a city (or the zone's city) rather than its province;
                # a bare county is too fine-grained to report
                if hit.city is not None:
                    places.append(Tag("place_mentioned", hit.city.name_en, hit.city.code, *span,
                                      attrs=(("province", hit.province.name_en),)))
                else:
                    places.append(Tag("place_mentioned", hit.province.name_en, hit.province.code, *span))

    # One tag per (field, value), keeping the first evidence (title before body); a place that is also a platform
    # place is not repeated as place_mentioned.
    seen: set[tuple[str, str]] = set()
    platform_places = {t.value for t in places if t.field in ("province", "city")}
    place_tags: list[Tag] = []
    for t in places:
        key = (t.field, t.value)
        if key in seen or (t.field == "place_mentioned" and t.value in platform_places):
            continue
        seen.add(key)
        place_tags.append(t)
    place_tags.sort(key=lambda t: (_FIELD_ORDER[t.field], _PART_ORDER[t.part], t.start))

    entity_tags_: list[Tag] = []
    if lang == "zh" and verdict.is_platform_announcement:  # hosts, issuers, targets, dates of the platform(s)
        entity_tags_ = entity_tags(norm, original, orgs, published=published)

    return Tagging(
        is_platform_announcement=verdict.is_platform_announcement,
        mentions_pilot_platform=verdict.mentions_pilot_platform,
        tags=tuple(sector_tags + place_tags + entity_tags_),  # sectors best-first, places in reading order, entities
        reasons=verdict.reasons,
    )
