"""The research interface over the store: bilingual search queries and exports (CSV, JSON Lines, Atom).

It lives beside the pipeline because it joins two stages: the glossary (translate) supplies the alternative
spellings of an agency (发改委 = 国家发展改革委 = 国家发展和改革委员会), the store runs the query.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any
from xml.etree import ElementTree as ET

from store import Store
from zhtext.script import has_han

_TOKENS = re.compile(r'"[^"]*"|\S+')
ATOM_NS = "http://www.w3.org/2005/Atom"
EXPORT_FIELDS = ("id", "url", "source", "site", "published_at", "first_seen_at", "title_en", "title_zh",
                 "is_platform_announcement", "mentions_pilot_platform", "sectors", "provinces", "cities", "hosts",
                 "issuers", "doc_number", "issuer_zh", "translation_engine", "translation_model", "fidelity_missing",
                 "status", "version", "body_en", "body_zh")


@cache
def _alias_groups() -> dict[str, tuple[str, ...]]:
    """zh spelling → every zh spelling with the same English in the glossary (an agency's full and short names)."""
    from translate.glossary import load_glossary

    by_en: dict[str, list[str]] = {}
    for entry in load_glossary().entries.values():
        if entry.kind != "usage":
            by_en.setdefault(entry.en, []).append(entry.zh)
    return {zh: tuple(group) for group in by_en.values() if len(group) > 1 for zh in group}


def parse_query(query: str) -> tuple[list[list[str]], str | None]:
    """Split a user query into Chinese terms (each with its glossary aliases) and an FTS5 query for the English.

    Chinese terms match as substrings (生物制造 finds 合成生物制造业); English words go to the stemmed English index,
    where FTS5 syntax works ("pilot-scale platform", enzym*, A OR B, NOT).
    """
    zh_terms: list[list[str]] = []
    en_parts: list[str] = []
    for token in _TOKENS.findall(query.strip()):
        if has_han(token):
            term = token.strip('"')
            zh_terms.append(list(dict.fromkeys((term, *_alias_groups().get(term, ())))))
        else:
            en_parts.append(token)
    en = " ".join(en_parts).strip()
    return zh_terms, en or None


def search(store: Store, query: str, **filters: Any) -> list[dict[str, Any]]:
    zh_terms, en = parse_query(query)
    rows = store.search(zh_terms=zh_terms, en_query=en, **filters)
    for row in rows:
        row["snippet"] = row.pop("en_snippet") or _zh_snippet(row.pop("body_zh") or "", zh_terms)
        row.pop("body_zh", None)
    return rows


def _zh_snippet(body: str, zh_terms: list[list[str]], side: int = 30) -> str:
    for alts in zh_terms:
        for term in alts:
            i = body.find(term)
            if i >= 0:
                left, right = max(0, i - side), min(len(body), i + len(term) + side)
                text = ("…" if left else "") + body[left:i] + "[" + term + "]" + body[i + len(term):right] + (
                    "…" if right < len(body) else "")
                return text.replace("\n", " ")
    return (body[: 2 * side] + ("…" if len(body) > 2 * side else "")).replace("\n", " ")


# --- exports ---

def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("; ".join(row[k]) if isinstance(row.get(k), list) else row.get(k)) for k in EXPORT_FIELDS}


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(_flat(row))
    return out.getvalue()


def to_jsonl(rows: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json.dumps({k: row.get(k) for k in EXPORT_FIELDS}, ensure_ascii=False) + "\n" for row in rows)


def _atom_time(value: str | None) -> str:
    """RFC 3339 for Atom: dates without a time become midnight in Asia/Shanghai."""
    if not value:
        return datetime.now(UTC).isoformat(timespec="seconds")
    return value if "T" in value else f"{value}T00:00:00+08:00"


def to_atom(rows: list[Mapping[str, Any]], *, title: str, feed_id: str, self_url: str | None = None) -> str:
    """An Atom 1.0 feed (RFC 4287): one entry per article, English title with the Chinese beside it."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "title", title)
    sub(feed, "id", feed_id)
    updated = max((_atom_time(r.get("first_seen_at")) for r in rows), default=_atom_time(None))
    sub(feed, "updated", updated)
    author = sub(feed, "author")
    sub(author, "name", "PilotWatch")
    sub(feed, "generator", "PilotWatch")
    if self_url:
        sub(feed, "link", rel="self", href=self_url)
    for row in rows:
        entry = sub(feed, "entry")
        engine = row.get("translation_engine") or ""
        label = " [gloss]" if engine == "gloss" else ""
        sub(entry, "title", f"{row.get('title_en') or row['title_zh']}{label} — {row['title_zh']}")
        sub(entry, "id", row["url"])
        sub(entry, "link", href=row["url"], rel="alternate")
        sub(entry, "updated", _atom_time(row.get("first_seen_at")))
        if row.get("published_at"):
            sub(entry, "published", _atom_time(row["published_at"]))
        for sector in row.get("sectors") or []:
            sub(entry, "category", term=sector)
        facts = [f"{name}: {', '.join(row[key])}" for key, name in
                 (("sectors", "Sectors"), ("provinces", "Provinces"), ("cities", "Cities"), ("hosts", "Hosts"),
                  ("issuers", "Issuers")) if row.get(key)]
        if row.get("doc_number"):
            facts.append(f"Document: {row['doc_number']}")
        facts.append(f"Source: {row['source']}; English by {engine or 'no engine yet'}")
        sub(entry, "summary", "\n".join(facts), type="text")
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
