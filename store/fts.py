"""Chinese full-text indexing without a segmenter (overlapping character bigrams), and searching both indexes at
scale (`search_ids`: see "searching the two indexes at scale" below for what costs what at 100,000 articles).

FTS5's tokenizers do not segment Chinese. A jieba segmentation would miss words that jieba cut differently (生物制造
inside 合成生物制造业 is cut 合成/生物/制造业), and trigrams cannot find two-character words (中试). Indexing every
overlapping bigram and querying a word as the phrase of its bigrams finds any substring of two or more characters;
a one-character query becomes a prefix search over the bigrams. Latin words and numbers pass through as they are.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from zhtext.script import HAN, HAN_RUN

_WORD = re.compile(f"[{HAN}]+|[0-9A-Za-z]+(?:[.'][0-9A-Za-z]+)*")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """The string stored in the Chinese FTS table for `text`."""
    out: list[str] = []
    for m in _WORD.finditer(text or ""):
        word = m.group()
        out.extend(_bigrams(word) if HAN_RUN.fullmatch(word) else [word.lower()])
    return " ".join(out)


def phrase(term: str) -> str:
    """FTS5 expression matching `term` as a substring of an indexed text."""
    parts: list[str] = []
    for m in _WORD.finditer(term):
        word = m.group()
        if HAN_RUN.fullmatch(word):
            parts.append(f'"{word}"*' if len(word) == 1 else '"' + " ".join(_bigrams(word)) + '"')
        else:
            parts.append('"' + word.lower().replace('"', "") + '"')
    return " ".join(parts)



def near(words: tuple[str, ...], gap: int) -> str:
    """FTS5 expression matching `words` (each two or more Han characters) in one text, in any order, with at most
    `gap` characters between them beyond the words themselves: 中试 + 平台, gap 4, finds 中试能力建设平台."""
    # between the end of the first phrase and the start of the last, c characters span c + 1 bigrams
    inner = sum(len(w) for w in words[1:-1])
    return f"NEAR({' '.join(phrase(w) for w in words)}, {inner + gap + len(words) - 1})"


# --- searching the two indexes at scale -------------------------------------------------------------------------------
#
# Costs at 100,000 articles with bodies of 500–20,000 characters (bench/search.py, BENCHMARKS.md): a Chinese word in
# most articles (生物制造 in 89 % of them) takes 150–250 ms just to match, as a phrase of three bigrams whose
# positions are compared in every article, and bm25() first counts every phrase's articles over the whole index (its
# IDF) whatever else restricts the query, so ranking such a word costs as much again. Testing one article against a
# query (`rowid = ?`) costs 0.1–0.4 ms, as FTS5 looks each bigram up in every segment of the index. Reading
# `published_at` or `title_en` from an articles row walks the body's overflow pages first (they come after body_zh).
# So nothing below touches every match of a common word: matches are read newest first (rowid order, which FTS5 gives
# without sorting and stops when asked), only as far as needed, and rows are read for the final page only.

ZH_TABLE, EN_TABLE = "articles_fts_zh", "articles_fts_en"
# A query part (a Chinese term with its spellings, or the English query) with at most this many matches is ranked by
# bm25 over all of them; a part with more is "common" and only filters: its bm25 weight is about nil (FTS5 floors the
# IDF of a word in half the articles to 1e-6) and computing it costs a pass over all its matches.
EXACT_MAX = 2000
# When every part is common: how many of the newest matches are ranked by their titles (more if the filters leave
# fewer than a page).
WINDOW = 500
# Relative cost of testing one article against the query (a lookup per bigram per index segment) to reading one
# more match in rowid order: --order date over common words picks the cheaper of the two ways (`_by_date`).
LOOKUP_COST = 150
DATE_INDEX = "articles_published"  # articles(published_at): newest-first walks (m012)
LOOKUP_INDEX = "articles_search"  # articles(id, published_at, source, title_en): what ranking reads, without the row


class _Scratch:
    """A private in-memory FTS5 table tokenized as articles_fts_en, for the few rows of a window or a result page:
    English titles and a prefix query's snippets are matched there, not by lookups in the big index (one seek per
    token per index segment each, and a prefix's expansion over the whole vocabulary each time)."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute(f"CREATE VIRTUAL TABLE {EN_TABLE} USING fts5(title_en, body_en, tokenize='porter unicode61')")

    def load(self, rows: Iterable[tuple[int, str | None, str | None]]) -> None:
        self.conn.execute("BEGIN")  # one transaction: FTS5 writes its segment once, not once per row
        self.conn.execute(f"DELETE FROM {EN_TABLE}")
        self.conn.executemany(f"INSERT INTO {EN_TABLE}(rowid, title_en, body_en) VALUES (?, ?, ?)", rows)
        self.conn.execute("COMMIT")

    def matches(self, expr: str) -> set[int]:
        return {r[0] for r in self.conn.execute(f"SELECT rowid FROM {EN_TABLE} WHERE {EN_TABLE} MATCH ?", (expr,))}

    def snippets(self, expr: str) -> dict[int, str]:
        return dict(self.conn.execute(f"SELECT rowid, snippet({EN_TABLE}, -1, '[', ']', '…', 12) FROM {EN_TABLE} "
                                      f"WHERE {EN_TABLE} MATCH ?", (expr,)).fetchall())


_local = threading.local()


def _scratch() -> _Scratch:
    """This thread's scratch table, made on first use."""
    if not hasattr(_local, "scratch"):
        _local.scratch = _Scratch()
    return _local.scratch  # type: ignore[no-any-return]


def en_snippets(conn: sqlite3.Connection, ids: list[int], en: str) -> dict[int, str]:
    """FTS5's snippet() of the English query for each of `ids`: looked up in articles_fts_en, or, for a prefix query
    (whose prefix FTS5 expands again in every lookup: 150 ms for a page), in the scratch copy of those articles
    (the same text, tokenizer and function, so the same snippets)."""
    if "*" not in en:
        return dict(conn.execute(f"SELECT rowid, snippet({EN_TABLE}, -1, '[', ']', '…', 12) FROM {EN_TABLE} WHERE "
                                 f"{EN_TABLE} MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
                                 (en, json.dumps(ids))).fetchall())
    scratch = _scratch()
    scratch.load(conn.execute("SELECT id, title_en, body_en FROM articles WHERE id IN (SELECT value FROM json_each(?))",
                              (json.dumps(ids),)).fetchall())
    return scratch.snippets(en)


@dataclass(frozen=True)
class Ranked:
    ids: list[int]  # best first, at most the limit
    scores: dict[int, float]  # bm25 (lower is better) where the order came from bm25


def _newest(conn: sqlite3.Connection, table: str, expr: str, lo: int | None = None,
            hi: int | None = None) -> Iterator[int]:
    """Rowids matching `expr`, newest (highest) first, read lazily, optionally within [lo, hi]."""
    sql, params = f"SELECT rowid FROM {table} WHERE {table} MATCH ?", [expr]
    if lo is not None:
        sql += " AND rowid >= ?"
        params.append(lo)
    if hi is not None:
        sql += " AND rowid <= ?"
        params.append(hi)
    cur = conn.execute(sql + " ORDER BY rowid DESC", params)
    try:
        while rows := cur.fetchmany(256):
            for row in rows:
                yield row[0]
    finally:
        cur.close()


def _common(streams: list[Iterator[int]]) -> Iterator[int]:
    """The rowids in every one of the descending streams, descending."""
    if len(streams) == 1:
        yield from streams[0]
        return
    heads = [next(s, None) for s in streams]
    while None not in heads:
        low = min(heads)  # type: ignore[type-var]
        if all(h == low for h in heads):
            yield low  # type: ignore[misc]
            heads = [next(s, None) for s in streams]
            continue
        for i, s in enumerate(streams):
            while heads[i] is not None and heads[i] > low:  # type: ignore[operator]
                heads[i] = next(s, None)


def _ids(ids: Iterable[int]) -> str:
    return json.dumps(list(ids))  # bound as one parameter, read with json_each


class _Query:
    """One search: its parts, their newest matches, and the reads the ranking needs."""

    def __init__(self, conn: sqlite3.Connection, zh_parts: list[str], en: str | None, where: str,
                 params: dict[str, Any], zh_spellings: list[list[str | tuple[str, ...]]]):
        self.conn = conn
        # the parts ANDed together, each on its table: every Chinese term (its spellings ORed), the English query
        self.parts = [(ZH_TABLE, p) for p in zh_parts] + ([(EN_TABLE, en)] if en else [])
        zh_side = zh_parts[0] if len(zh_parts) == 1 else " AND ".join(f"({p})" for p in zh_parts)
        self.sides = ([(ZH_TABLE, zh_side)] if zh_parts else []) + ([(EN_TABLE, en)] if en else [])
        self.zh_spellings, self.where, self.params = zh_spellings, where, params
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)",
                                            (DATE_INDEX, LOOKUP_INDEX))}
        self.date_index = DATE_INDEX in names  # a database from before m012, opened read-only, has neither
        self.lookup = f"INDEXED BY {LOOKUP_INDEX} " if LOOKUP_INDEX in names else ""
        # the newest EXACT_MAX + 1 matches of each part (all of them when it has fewer)
        self.heads = {part: list(islice(_newest(conn, *part), EXACT_MAX + 1)) for part in self.parts}

    def filtered(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(id, published_at) of those of `ids` that pass the filters, read from the lookup index, not the rows."""
        sql = (f"SELECT a.id, a.published_at FROM articles a {self.lookup}"
               "WHERE a.id IN (SELECT value FROM json_each(:ids))" + (f" AND {self.where}" if self.where else ""))
        return [(r[0], r[1] or "") for r in self.conn.execute(sql, {**self.params, "ids": _ids(ids)})]

    def complete(self) -> set[int] | None:
        """Every match, when some part has at most EXACT_MAX (the matches are among its few); else None."""
        few = [part for part in self.parts if len(self.heads[part]) <= EXACT_MAX]
        if not few:
            return None
        table, expr = min(few, key=lambda p: len(self.heads[p]))
        ids = set(self.heads[(table, expr)])
        for side in self.sides:
            head = self.heads.get(side)
            if not ids or side == (table, expr):
                continue
            if head is not None and len(head) <= EXACT_MAX:  # all of that side's matches are at hand
                ids.intersection_update(head)
                continue
            # read the other side's matches across the range of these few (FTS5 skips what is outside), or test
            # each of them when that should cost less (the side is the English query: its share is known)
            span = max(ids) - min(ids) + 1
            share = len(head) / max(1, self.newest_id() - head[-1] + 1) if head else 1.0
            if len(ids) * LOOKUP_COST < share * span:
                ids = {r[0] for r in self.conn.execute(
                    f"SELECT rowid FROM {side[0]} WHERE {side[0]} MATCH ? AND rowid IN "
                    "(SELECT value FROM json_each(?))", (side[1], _ids(sorted(ids))))}
            else:
                ids.intersection_update(_newest(self.conn, *side, min(ids), max(ids)))
        return ids

    def newest_id(self) -> int:
        return self.conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0

    def bm25(self, ids: set[int]) -> dict[int, float]:
        """bm25 (title weighted 5, body 1) of the parts with few matches, summed over the two tables."""
        scores = dict.fromkeys(ids, 0.0)
        for table in (ZH_TABLE, EN_TABLE):
            few = [expr for t, expr in self.parts if t == table and len(self.heads[(t, expr)]) <= EXACT_MAX]
            if few:
                sql = f"SELECT rowid, bm25({table}, 5.0, 1.0) FROM {table} WHERE {table} MATCH ?"
                for rowid, score in self.conn.execute(sql, (" AND ".join(f"({e})" for e in few),)):
                    if rowid in scores:
                        scores[rowid] += score
        return scores

    def newest(self) -> tuple[list[int], int]:
        """When every part is common: all matches from `floor` up, newest first (each part's head reaches down
        that far, so they are the heads' common rowids), and floor."""
        floor = max(head[-1] for head in self.heads.values())
        common = set.intersection(*(set(head) for head in self.heads.values()))
        return sorted((i for i in common if i >= floor), reverse=True), floor

    def window(self, limit: int) -> list[tuple[int, str]]:
        """The newest WINDOW matches that pass the filters, or as many more as it takes to have `limit` of them."""
        top, floor = self.newest()

        def matches() -> Iterator[int]:
            yield from top
            below = _common([_newest(self.conn, *side, hi=floor - 1) for side in self.sides])
            try:
                yield from below
            finally:
                below.close()  # type: ignore[attr-defined]

        stream, rows, size = matches(), [], WINDOW
        try:
            while True:
                chunk = list(islice(stream, size))
                rows += self.filtered(chunk)
                if len(chunk) < size or len(rows) >= limit:
                    return rows
                size *= 2
        finally:
            stream.close()

    def title_hits(self, ids: list[int]) -> dict[int, int]:
        """For each of `ids`: how many of the query's parts it matches in its title. A Chinese term counts when one
        of its spellings is in title_zh (a spelling in words when all its words are), the English query when it
        matches title_en (in the scratch table: stemming, FTS5 syntax)."""
        hits = dict.fromkeys(ids, 0)
        if self.zh_spellings:
            terms = [[s.casefold() if isinstance(s, str) else tuple(w.casefold() for w in s) for s in alts]
                     for alts in self.zh_spellings]
            for rowid, title in self.conn.execute("SELECT id, title_zh FROM articles WHERE id IN "
                                                  "(SELECT value FROM json_each(?))", (_ids(ids),)):
                title = (title or "").casefold()
                hits[rowid] += sum(any(s in title if isinstance(s, str) else all(w in title for w in s) for s in alts)
                                   for alts in terms)
        en = [expr for table, expr in self.parts if table == EN_TABLE]
        if en:
            scratch = _scratch()
            scratch.load(self.conn.execute(f"SELECT a.id, a.title_en, NULL FROM articles a {self.lookup}"
                                           "WHERE a.id IN (SELECT value FROM json_each(?))", (_ids(ids),)))
            for rowid in scratch.matches(en[0]):
                hits[rowid] += 1
        return hits


def search_ids(conn: sqlite3.Connection, *, zh_parts: list[str], en: str | None, where: str,
               params: dict[str, Any], limit: int, order: str,
               zh_spellings: list[list[str | tuple[str, ...]]] | None = None) -> Ranked:
    """The ids of the best `limit` articles matching every Chinese part (an FTS5 expression on articles_fts_zh;
    zh_spellings: the spellings each was made of) and the English query (on articles_fts_en) that pass the filters
    (`where`: SQL on `articles a` with `params`).

    relevance: when some part of the query has at most EXACT_MAX matches, bm25 over all matches, of the parts with
    few matches (a common word's weight is about nil anyway); when every part is common, the newest WINDOW matches
    (more when the filters leave fewer than `limit`), those with more of the query's parts in their title first,
    then newest published first. date: newest published first; on the same date, by bm25 where there is one, else
    by the parts in the title; then newest stored.
    """
    q = _Query(conn, zh_parts, en, where, params, zh_spellings or [])
    everything = q.complete()
    if everything is not None:
        rows = q.filtered(everything)
        scores = q.bm25({r[0] for r in rows})
        rows.sort(key=lambda r: r[0], reverse=True)  # each sort keeps the order of the one before among equals
        if order == "date":
            rows.sort(key=lambda r: scores[r[0]])
            rows.sort(key=lambda r: r[1], reverse=True)
        else:
            rows.sort(key=lambda r: r[1], reverse=True)
            rows.sort(key=lambda r: scores[r[0]])
        return Ranked([r[0] for r in rows[:limit]], {r[0]: scores[r[0]] for r in rows[:limit]})
    rows = _by_date(q, limit) if order == "date" else q.window(limit)
    hits = q.title_hits([r[0] for r in rows])
    key = (lambda r: (r[1], hits[r[0]], r[0])) if order == "date" else (lambda r: (hits[r[0]], r[1], r[0]))
    rows.sort(key=key, reverse=True)
    return Ranked([r[0] for r in rows[:limit]], {})


TIES_MAX = 200  # --order date: articles of the page's last date looked at to order that date's by title


def _by_date(q: _Query, limit: int) -> list[tuple[int, str]]:
    """The newest `limit` matches by publication date, (id, published_at), when every part of the query is common,
    and the others of the last one's date (up to TIES_MAX). Walk the articles newest first, testing each against the
    query, when few tests should do (the words are in most articles); else read every match (a pass in rowid order,
    cheap per match) and walk the articles newest first against that set."""
    top, floor = q.newest()
    newest = q.newest_id()
    share = max(len(top), 1) / max(1, newest - floor + 1)  # of the newest articles, the share that match
    walk = (f"SELECT a.id, a.published_at FROM articles a {f'INDEXED BY {DATE_INDEX} ' if q.date_index else ''}"
            "WHERE " + (f"{q.where} AND " if q.where else ""))
    rows: list[tuple[int, str]]
    if q.date_index and limit / share * LOOKUP_COST < share * newest:
        tests = " AND ".join(f"EXISTS (SELECT 1 FROM {t} f WHERE f.{t} MATCH :side{i} AND f.rowid = a.id)"
                             for i, (t, _) in enumerate(q.sides))
        params = {**q.params, "limit": limit, **{f"side{i}": e for i, (_, e) in enumerate(q.sides)}}
        rows = [(r[0], r[1] or "") for r in q.conn.execute(
            walk + tests + " ORDER BY a.published_at DESC, a.id DESC LIMIT :limit", params)]
        if len(rows) == limit and rows[-1][1]:
            seen = {r[0] for r in rows}
            rows += [(r[0], r[1]) for r in q.conn.execute(
                walk + tests + " AND a.published_at = :tie ORDER BY a.id DESC LIMIT :ties",
                {**params, "tie": rows[-1][1], "ties": TIES_MAX}) if r[0] not in seen]
        return rows
    stream = _common([_newest(q.conn, *side) for side in q.sides])
    try:
        matches = set(stream)
    finally:
        stream.close()  # type: ignore[attr-defined]
    if not q.date_index:
        rows = q.filtered(matches)
        rows.sort(key=lambda r: (r[1], r[0]), reverse=True)
        return rows[:_page_and_ties(rows, limit)]
    rows = []
    cur = q.conn.execute(walk + "1 ORDER BY a.published_at DESC, a.id DESC", q.params)
    try:
        while (batch := cur.fetchmany(512)) and len(rows) <= limit + TIES_MAX:
            rows += [(r[0], r[1] or "") for r in batch if r[0] in matches]
            if len(rows) > limit and rows[-1][1] != rows[limit - 1][1]:
                break
    finally:
        cur.close()
    return rows[:_page_and_ties(rows, limit)]


def _page_and_ties(rows: list[tuple[int, str]], limit: int) -> int:
    """How many of `rows` (newest first) make the page and the rest of its last date (up to TIES_MAX; none when
    that date is unknown)."""
    end = min(limit, len(rows))
    if end and rows[end - 1][1]:
        while end < len(rows) and end < limit + TIES_MAX and rows[end][1] == rows[limit - 1][1]:
            end += 1
    return end
