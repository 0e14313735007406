"""Entity extraction for one article: hosts, issuers, targets, dates and money, as Tags with evidence spans.

    find_entities(text, orgs, part=..., published=...) -> list[Hit]     one normalised text (a title or a body)
    entity_tags(norm, original, orgs, published=...) -> list[Tag]       both parts, de-duplicated, as Tags

The extractors (hosts.py, issuers.py, quantities.py, dates.py) work on normalised Chinese text (zhtext.script.fold: NFKC,
Traditional → Simplified, one character per character); an English text gives no hits. Offsets are offsets into the
text given, so they slice the original title or body too.

De-duplication across title and body: one tag per identity (a host's or issuer's canonical name, a target's value,
unit, bound and noun, a date's kind and value), title first. For a host the longest mention wins (华熙生物科技股份有限公司
over 华熙生物 in the title). A target without a noun is dropped when the same number, unit and bound has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from .dates import find_dates, parse_published
from .hits import Hit
from .hosts import find_hosts
from .issuers import find_issuers
from .model import Tag
from .orgs import OrgSpan, find_orgs
from .quantities import find_money, find_targets

ENTITY_FIELDS = ("host", "issuer", "target", "date", "money")
_PARTS = ("title", "body")


def find_entities(text: str, orgs: list[OrgSpan] | None = None, *, part: str = "body",
                  published: str | None = None) -> list[Hit]:
    """Every entity hit in one normalised text, field by field, each in reading order."""
    if orgs is None:
        orgs = find_orgs(text, "zh")
    return [
        *find_hosts(text, orgs),
        *find_issuers(text, orgs, part=part),
        *find_targets(text),
        *find_dates(text, published),
        *find_money(text),
    ]


def published_tag(published: str | None) -> Tag | None:
    """The publication date from page metadata as a date tag (kind "published", part "meta")."""
    day = parse_published(published)
    if day is None:
        return None
    return Tag("date", day.isoformat(), None, "", "meta", 0, 0, (("kind", "published"),))


def entity_tags(norm: Mapping[str, str], original: Mapping[str, str], orgs: Mapping[str, list[OrgSpan]], *,
                published: str | None = None, with_published: bool = True) -> list[Tag]:
    """Tags for ``norm["title"]`` and ``norm["body"]`` (normalised), evidence from ``original``.

    Order: host, issuer, target, date, money; within a field title before body, then by offset.
    """
    found: list[tuple[str, Hit]] = []
    for part in _PARTS:
        text = norm.get(part) or ""
        if text:
            found += [(part, h) for h in find_entities(text, orgs.get(part), part=part, published=published)]

    # hosts: the longest mention of each identity; everything else: the first
    best: dict[tuple[str, str], tuple[str, Hit]] = {}
    for part, h in found:
        k = (h.field, h.key or h.value)
        if k not in best or (h.field == "host" and h.end - h.start > best[k][1].end - best[k][1].start):
            best[k] = (part, h)
    nouned = {(h.value, h.attr("unit"), h.attr("bound")) for _, h in best.values()
              if h.field == "target" and h.attr("noun")}
    kept = [
        (part, h) for part, h in best.values()
        if not (h.field == "target" and not h.attr("noun") and (h.value, h.attr("unit"), h.attr("bound")) in nouned)
    ]
    order = {f: i for i, f in enumerate(ENTITY_FIELDS)}
    kept.sort(key=lambda ph: (order[ph[1].field], _PARTS.index(ph[0]), ph[1].start))
    tags = [h.to_tag(part, original.get(part) or "") for part, h in kept]
    meta = published_tag(published) if with_published else None
    if meta is not None:
        first_date = next((i for i, t in enumerate(tags) if t.field in ("date", "money")), len(tags))
        tags.insert(first_date, meta)
    return tags
