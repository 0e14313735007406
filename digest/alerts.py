"""A subscription's share of the news, pure: which article rows and platform events match its filters, the stable id
that lets each item be delivered once, and the webhook's JSON (a Slack-compatible `text` plus structured items).

Inputs are the rows the digest takes (`articles_first_seen_between` with "tags", `platform_events_seen_between`).
Filters combine with AND, the values of one filter with OR. An article matches when it announces or mentions a pilot
platform, or when the subscription's saved search found it; with an `events` filter only platform events match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .build import clean, tag_attrs
from .platforms import EVENT_LABELS, json_list
from .webhook import slack_escape, slack_link

TEXT_ITEMS = 20  # items listed in the Slack text; the JSON carries them all


@dataclass(frozen=True)
class Filters:
    sectors: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()  # English names, as tagged
    events: frozenset[str] = frozenset()
    query_ids: frozenset[int] | None = None  # the saved search's hits; None: no saved search


def event_item_id(event: Mapping[str, Any]) -> str:
    """Stable across registry rebuilds (event row ids are not): the platform's key, the article and the event. One
    article telling the same event twice (in its body and its attached list) is one item."""
    basis = "|".join(str(event.get(k)) for k in ("key", "article_id", "event"))
    return "event:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:20]


def article_item_id(row: Mapping[str, Any]) -> str:
    return f"article:{row['id']}"


def _article_places(row: Mapping[str, Any]) -> set[str]:
    tags = row.get("tags") or []
    places = {str(t["value"]) for t in tags if t.get("field") == "province" and t.get("value")}
    places |= {p for t in tags if t.get("field") == "city" and (p := tag_attrs(t).get("province"))}
    return places


def match_event(event: Mapping[str, Any], f: Filters) -> bool:
    if f.sectors and not f.sectors & set(json_list(event.get("sectors"))):
        return False
    if f.provinces and event.get("province") not in f.provinces:
        return False
    if f.events and event.get("event") not in f.events:
        return False
    return f.query_ids is None or int(event["article_id"]) in f.query_ids


def match_article(row: Mapping[str, Any], f: Filters) -> bool:
    if f.events:
        return False
    found = f.query_ids is not None and int(row["id"]) in f.query_ids
    if f.query_ids is not None and not found:
        return False
    if not found and not (row.get("is_platform_announcement") or row.get("mentions_pilot_platform")):
        return False
    tags = row.get("tags") or []
    if f.sectors and not f.sectors & {str(t["value"]) for t in tags if t.get("field") == "sector"}:
        return False
    return not f.provinces or bool(f.provinces & _article_places(row))


def select(rows: Iterable[Mapping[str, Any]], events: Iterable[Mapping[str, Any]], f: Filters
           ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(article rows, events) matching the filters. An article whose news a matching event tells stays in the rows
    (the digest shows it once, under its platform) but is not an item of its own (see `items`)."""
    return [r for r in rows if match_article(r, f)], [e for e in events if match_event(e, f)]


def items(rows: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{item id: structured item}, events first: what a webhook receives and what is delivered once per target."""
    out: dict[str, dict[str, Any]] = {}
    told = {int(e["article_id"]) for e in events}
    for e in events:
        if event_item_id(e) in out:
            continue
        out[event_item_id(e)] = {
            "id": event_item_id(e), "type": "platform_event", "event": e.get("event"),
            "event_label": EVENT_LABELS.get(str(e.get("event")), str(e.get("event"))), "level": e.get("level"),
            "date": e.get("date"),
            "platform": {"id": e.get("platform_id"), "name": clean(e.get("name")), "hosts": json_list(e.get("hosts")),
                         "hosts_en": json_list(e.get("hosts_en")), "sectors": json_list(e.get("sectors")),
                         "province": e.get("province"), "city": e.get("city"), "status": e.get("status")},
            "evidence": clean(e.get("evidence"), 600), "evidence_en": clean(e.get("evidence_en"), 800),
            "url": e.get("url"), "title_zh": clean(e.get("title_zh")), "title_en": clean(e.get("title_en")),
            "source": e.get("source"), "translation_engine": e.get("translation_engine"),
        }
    for r in rows:
        if int(r["id"]) in told:
            continue
        tags = r.get("tags") or []

        def values(field: str, tags: list[Mapping[str, Any]] = tags) -> list[str]:
            return list(dict.fromkeys(str(t["value"]) for t in tags if t.get("field") == field and t.get("value")))

        out[article_item_id(r)] = {
            "id": article_item_id(r), "type": "article", "url": r.get("url"), "title_zh": clean(r.get("title_zh")),
            "title_en": clean(r.get("title_en")), "translation_engine": r.get("translation_engine"),
            "published": (r.get("published_at") or "")[:10] or None, "source": r.get("source"),
            "is_platform_announcement": bool(r.get("is_platform_announcement")),
            "mentions_pilot_platform": bool(r.get("mentions_pilot_platform")), "sectors": values("sector"),
            "provinces": sorted(_article_places(r)), "issuers": values("issuer"), "doc_number": r.get("doc_number"),
        }
    return out


def _line(item: Mapping[str, Any]) -> str:
    gloss = " _[gloss]_" if item.get("translation_engine") == "gloss" else ""
    title = item.get("title_en") or item.get("title_zh") or item.get("url") or ""
    link = slack_link(str(item.get("url") or ""), str(title))
    if item["type"] == "platform_event":
        p = item["platform"]
        place = ", ".join(x for x in (p.get("city"), p.get("province")) if x)
        head = f"*{slack_escape(str(item['event_label']))}*: {slack_escape(p['name'])}"
        return f"• {head}{(' · ' + slack_escape(place)) if place else ''} — {link}{gloss}"
    return f"• {link}{gloss} ({slack_escape(str(item.get('source') or ''))})"


def webhook_payload(*, subscription: str, follows: str, period: str, key: str, items: Sequence[Mapping[str, Any]],
                    notice: str = "") -> dict[str, Any]:
    """The JSON a webhook receives: `text` for Slack-compatible receivers (mrkdwn, crawled text escaped), and the
    structured items with their ids (a receiver can dedupe by `key`, or by item id)."""
    n_events = sum(i["type"] == "platform_event" for i in items)
    n_articles = len(items) - n_events
    parts = [f"{n_events} platform event{'s' if n_events != 1 else ''}"] if n_events else []
    parts += [f"{n_articles} article{'s' if n_articles != 1 else ''}"] if n_articles else []
    lines = [f"*PilotWatch — {slack_escape(subscription)}* ({slack_escape(period)}): {', '.join(parts) or 'nothing new'}"]
    lines += [_line(i) for i in items[:TEXT_ITEMS]]
    if len(items) > TEXT_ITEMS:
        lines.append(f"…and {len(items) - TEXT_ITEMS} more")
    if notice:
        lines.append(f"_{slack_escape(notice)}_")
    return {"text": "\n".join(lines), "subscription": subscription, "follows": follows, "period": period,
            "key": key, "notice": notice or None, "items": list(items)}
