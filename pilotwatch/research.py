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

from store import SearchError, Store
from zhtext.script import HAN, has_han

_TOKENS = re.compile(r'"[^"]*"|\S+')
# Bounds on a search query: FTS5's snippet() costs (phrases × hits) per row, so 2,000 terms took 56 s on 10 articles
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 32
# FTS5 syntax in a bare (unquoted) token: an operator, a group, a prefix star, a start-of-column caret
_FTS_SYNTAX = re.compile(r"^(?:AND|OR|NOT|NEAR)$|^NEAR\(|[()]|\*$|^\^")
_FTS_OPERATORS = frozenset({"AND", "OR", "NOT"})
_WORDISH = re.compile(r"\w")
HAN_ONLY = re.compile(f"[{HAN}]+")
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


@cache
def _segmenter() -> Any:
    import jieba

    jieba.setLogLevel(60)
    return jieba.Tokenizer()  # its own dictionary: words the gloss adds to jieba's global one must not join 中试平台


@cache
def _words(term: str) -> tuple[str, ...] | None:
    """The dictionary words of a Chinese term, for a match with other characters between them (中试平台 →
    中试, 平台); None for a one-word term. A one-character word joins its neighbour: as an FTS5 prefix it would
    match too much."""
    if len(term) < 4 or not HAN_ONLY.fullmatch(term):
        return None
    words: list[str] = []
    for w in _segmenter().lcut(term, HMM=False):
        if words and (len(w) == 1 or len(words[-1]) == 1):
            words[-1] += w
        else:
            words.append(w)
    return tuple(words) if len(words) > 1 else None


def _fts_string(text: str) -> str:
    """`text` as one FTS5 string: a phrase of the words in it, whatever characters it holds."""
    return '"' + text.replace('"', '""') + '"'


def parse_query(query: str, *, fts: bool = False) -> tuple[list[list[str | tuple[str, ...]]], str | None]:
    """Split a user query into Chinese terms (each with its glossary aliases) and an FTS5 query for the English.

    Chinese terms match as substrings (生物制造 finds 合成生物制造业); unquoted, a term of several words also matches
    with a few characters between its words (中试平台 finds 中试能力建设平台: `_words`). English words are plain words: each (or each
    "quoted phrase") becomes an FTS5 phrase, so pilot-scale is the phrase "pilot scale" and all must match. With
    fts=True the English is FTS5 syntax as typed (enzym*, A OR B, NOT, NEAR); without it such syntax is a
    SearchError that says to add --fts. At most MAX_QUERY_CHARS characters and MAX_QUERY_TERMS terms.
    """
    query = query.strip()
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query too long: {len(query)} characters (at most {MAX_QUERY_CHARS})")
    zh_terms: dict[str, list[str | tuple[str, ...]]] = {}  # a repeated term adds nothing but cost
    en_parts: list[str] = []
    seen: set[str] = set()
    for token in _TOKENS.findall(query):
        if has_han(token):
            term = token.strip('"')
            spellings: list[str | tuple[str, ...]] = list(dict.fromkeys((term, *_alias_groups().get(term, ()))))
            words = None if token.startswith('"') else _words(term)  # quoted: the exact string only
            zh_terms.setdefault(term, spellings + ([words] if words else []))
        elif fts:
            en_parts.append(token)  # as typed: FTS5 operators depend on their neighbours
        elif not token.startswith('"') and _FTS_SYNTAX.search(token):
            raise SearchError(f"cannot read the search query: {token} is FTS5 syntax; add --fts to use it "
                              "(A OR B, NOT, NEAR(…), enzym*), or put it in quotes to search the word")
        elif _WORDISH.search(token) and token.strip('"').casefold() not in seen:
            seen.add(token.strip('"').casefold())
            en_parts.append(_fts_string(token.strip('"')))
    terms = len(zh_terms) + sum(t not in _FTS_OPERATORS for t in en_parts)
    if terms > MAX_QUERY_TERMS:
        raise SearchError(f"query too long: {terms} terms (at most {MAX_QUERY_TERMS})")
    en = " ".join(en_parts).strip()
    return list(zh_terms.values()), en or None


def search(store: Store, query: str, *, fts: bool = False, **filters: Any) -> list[dict[str, Any]]:
    zh_terms, en = parse_query(query, fts=fts)
    rows = store.search(zh_terms=zh_terms, en_query=en, **filters)
    for row in rows:
        row["snippet"] = row.pop("en_snippet") or _zh_snippet(row.pop("body_zh") or "", zh_terms)
        row.pop("body_zh", None)
    return rows


def _zh_snippet(body: str, zh_terms: list[list[str | tuple[str, ...]]], side: int = 30) -> str:
    for alts in zh_terms:
        for term in [t if isinstance(t, str) else t[0] for t in alts]:
            i = body.find(term)
            if i >= 0:
                left, right = max(0, i - side), min(len(body), i + len(term) + side)
                text = ("…" if left else "") + body[left:i] + "[" + term + "]" + body[i + len(term):right] + (
                    "…" if right < len(body) else "")
                return text.replace("\n", " ")
    return (body[: 2 * side] + ("…" if len(body) > 2 * side else "")).replace("\n", " ")


# --- output: what crawled text may carry must not drive the reader's terminal or break a feed ---

# ESC sequences (CSI, OSC up to BEL or ST, DCS/SOS/PM/APC strings, two-character escapes); then every other C0
# control but tab and newline, DEL, and the C1 controls U+0080–U+009F (some terminals take U+009B as CSI)
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?"
                              r"|[ -/]*[0-~]?)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_RAW_CONTROL = re.compile(r"[\x7f-\x9f]")  # json.dumps escapes C0 itself, not DEL or C1
_NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
BLOB_HEX_MAX = 64


def terminal_safe(text: str) -> str:
    """`text` without terminal control: a crawled title must not move the cursor, retitle the window, plant an
    OSC 8 link or clear the screen of the researcher who prints it."""
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def json_line(obj: Any) -> str:
    """One line of JSON, lossless and terminal-safe: DEL and C1 controls are written as \\u escapes too."""
    return _JSON_RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(obj, ensure_ascii=False))


def cell(value: Any) -> Any:
    """A value from a researcher's query, made printable: a BLOB becomes its SQL literal X'…' up to BLOB_HEX_MAX
    bytes, else its size."""
    if isinstance(value, bytes):
        return f"X'{value.hex()}'" if len(value) <= BLOB_HEX_MAX else f"<blob {len(value)} bytes>"
    return value


def cell_text(value: Any) -> str:
    """A value as one tab-separated field for the terminal."""
    return "" if value is None else terminal_safe(str(cell(value)))


# --- exports ---

def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("; ".join(row[k]) if isinstance(row.get(k), list) else row.get(k)) for k in EXPORT_FIELDS}


CSV_BOM = "\ufeff"  # Excel reads a CSV file as UTF-8 only when it starts with one (else Chinese comes out garbled)


EXCEL_CELL_MAX = 32_767  # characters Excel keeps in a cell; a longer policy body would spill into the next rows
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula


def excel_cell(value: Any) -> Any:
    """A value as Excel shows it safely: crawled text starting like a formula (=HYPERLINK(…), +cmd|…) gets a
    leading apostrophe (OWASP's CSV-injection advice), text longer than a cell holds is cut with a note."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if len(value) > EXCEL_CELL_MAX:
        note = f" …[cut: {len(value):,} characters; the JSON Lines export has the whole text]"
        value = value[: EXCEL_CELL_MAX - len(note)] + note
    return value


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The export as CSV for Excel and for code: a UTF-8 BOM (read it back with encoding="utf-8-sig"), CRLF rows
    (RFC 4180), every field quoted where needed, and cells made safe and short enough for Excel (`excel_cell`)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: excel_cell(v) for k, v in _flat(row).items()})
    return CSV_BOM + out.getvalue()


def to_jsonl(rows: Iterable[Mapping[str, Any]]) -> str:
    return "".join(json_line({k: row.get(k) for k in EXPORT_FIELDS}) + "\n" for row in rows)


def _atom_time(value: str | None) -> str:
    """RFC 3339 for Atom: dates without a time become midnight in Asia/Shanghai."""
    if not value:
        return datetime.now(UTC).isoformat(timespec="seconds")
    return value if "T" in value else f"{value}T00:00:00+08:00"


def to_atom(rows: list[Mapping[str, Any]], *, title: str, feed_id: str, self_url: str | None = None) -> str:
    """An Atom 1.0 feed (RFC 4287): one entry per article, English title with the Chinese beside it."""
    ET.register_namespace("", ATOM_NS)

    def xml(text: str) -> str:  # ElementTree writes control characters as they are, which no XML parser reads
        return _NOT_XML.sub("", terminal_safe(text))

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: xml(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml(text)
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
