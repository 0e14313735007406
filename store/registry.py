"""The platform registry's tables (m008): the records it is built from, its rebuild, overrides and read queries.

A mixin of Store: the rows go in and out as plain dicts, so the store knows nothing of the registry package.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

OVERRIDE_ACTIONS = ("merge", "split", "rename", "reject")
_PLATFORM_COLUMNS = ("name", "hosts", "hosts_en", "sectors", "province", "province_code", "city", "city_code", "county",
                     "county_code", "level", "status", "listed", "first_seen_at", "first_event_at", "last_event", "last_event_at",
                     "events")
_JSON = ("hosts", "hosts_en", "sectors", "listed")
# an article's issuers, joined by U+001F (names may hold commas)
_ISSUERS = ("(SELECT group_concat(v, char(31)) FROM (SELECT DISTINCT i.value AS v FROM tags i "
            "WHERE i.article_id = {article} AND +i.field = 'issuer'))")  # + : use tags_article, not the field index


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    for col in _JSON:
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col] or "[]")
    return row


class RegistryStore:
    """Methods of Store (self.query, self.write, utcnow) for the platform registry."""

    def platform_records(self) -> Iterator[dict[str, Any]]:
        """Every stored platform record: the "platform" tag rows with their article's dates, 文号 and issuers (joined
        by U+001F), oldest article first, as the cursor reads them (the caller keeps what it makes of each row)."""
        return self.db.query(  # type: ignore[attr-defined]
            "SELECT t.article_id, t.value, t.evidence, t.part, t.start, t.\"end\", t.attrs, a.published_at, "
            "a.first_seen_at, a.doc_number, "
            f"{_ISSUERS.format(article='t.article_id')} AS issuers "
            "FROM tags t JOIN articles a ON a.id = t.article_id WHERE t.field = 'platform' ORDER BY t.article_id, t.id"
        )

    def add_platform_override(self, action: str, platform_key: str, *, other_key: str | None = None,
                              article_id: int | None = None, value: str | None = None, note: str | None = None) -> int:
        if action not in OVERRIDE_ACTIONS:
            raise ValueError(f"override action {action!r}: expected one of {', '.join(OVERRIDE_ACTIONS)}")
        from .db import utcnow

        with self.write() as conn:  # type: ignore[attr-defined]
            cur = conn.execute(
                "INSERT INTO platform_overrides (action, platform_key, other_key, article_id, value, note, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (action, platform_key, other_key, article_id, value, note, utcnow()))
            return int(cur.lastrowid)

    def platform_overrides(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM platform_overrides ORDER BY id")  # type: ignore[attr-defined]

    def delete_platform_override(self, override_id: int) -> bool:
        with self.write() as conn:  # type: ignore[attr-defined]
            return conn.execute("DELETE FROM platform_overrides WHERE id = ?", (override_id,)).rowcount > 0

    def registry_inputs(self, rules_version: str) -> str:
        """A stamp of everything a rebuild reads: equal stamps, equal registries. Re-tagging replaces tag rows (new
        ids), curation adds or deletes overrides; index-only reads, so it stays cheap as history grows."""
        row = self.query(  # type: ignore[attr-defined]
            "SELECT (SELECT count(*) FROM tags WHERE field = 'platform') AS n, "
            "(SELECT max(id) FROM tags WHERE field = 'platform') AS last, "
            "(SELECT count(*) FROM platform_overrides) AS o, (SELECT max(id) FROM platform_overrides) AS o_last")[0]
        return f"rules {rules_version}; records {row['n']} to #{row['last']}; overrides {row['o']} to #{row['o_last']}"

    def registry_built_from(self) -> str | None:
        rows = self.query("SELECT inputs FROM registry_state WHERE id = 1")  # type: ignore[attr-defined]
        return rows[0]["inputs"] if rows else None

    def save_registry(self, platforms: Iterable[Mapping[str, Any]], steps: Iterable[Mapping[str, Any]],
                      unmatched_overrides: Iterable[int] = (), *, inputs: str | None = None) -> dict[str, int]:
        """Replace the registry with a rebuild, in one transaction. A platform keeps its id while its key lives (so
        `platforms show ID` and links hold across runs); an event keeps its English while its sentence is unchanged.
        Each platform dict holds the table's columns plus "key" and "events" (a list of event dicts)."""
        from .db import utcnow

        now = utcnow()
        counts = {"platforms": 0, "new": 0, "gone": 0, "events": 0}
        with self.write() as conn:  # type: ignore[attr-defined]
            ids = {k: i for k, i in conn.execute("SELECT key, id FROM platforms")}
            english = {(a, p, s, ev): en for a, p, s, ev, en in conn.execute(
                "SELECT article_id, part, start, evidence, evidence_en FROM platform_events WHERE evidence_en IS NOT NULL")}
            conn.execute("DELETE FROM platform_events")
            keep: set[str] = set()
            for p in platforms:
                events = list(p["events"])
                values = {c: (json.dumps(list(p[c]), ensure_ascii=False) if c in _JSON else p.get(c))
                          for c in _PLATFORM_COLUMNS if c != "events"}
                values["events"] = len(events)
                if p["key"] in ids:
                    pid = ids[p["key"]]
                    conn.execute(f"UPDATE platforms SET {', '.join(f'{c} = :{c}' for c in values)}, updated_at = :now "
                                 "WHERE id = :id", {**values, "now": now, "id": pid})
                else:
                    cols = ["key", *values, "updated_at"]
                    pid = conn.execute(f"INSERT INTO platforms ({', '.join(cols)}) VALUES "
                                       f"({', '.join(':' + c for c in cols)})",
                                       {**values, "key": p["key"], "updated_at": now}).lastrowid
                    counts["new"] += 1
                keep.add(p["key"])
                conn.executemany(
                    'INSERT INTO platform_events (platform_id, article_id, attachment_id, part, start, "end", event, '
                    "level, date, evidence, evidence_en, rule, first_seen_at) VALUES (:platform_id, :article_id, "
                    ":attachment_id, :part, :start, :end, :event, :level, :date, :evidence, :evidence_en, :rule, "
                    ":first_seen_at)",
                    [{**e, "platform_id": pid,
                      "evidence_en": english.get((e["article_id"], e["part"], e["start"], e["evidence"]))}
                     for e in events])
                counts["platforms"] += 1
                counts["events"] += len(events)
            gone = [(i,) for k, i in ids.items() if k not in keep]
            conn.executemany("DELETE FROM platforms WHERE id = ?", gone)
            counts["gone"] = len(gone)
            conn.execute("DELETE FROM programme_steps")
            conn.executemany(
                "INSERT INTO programme_steps (programme, level, province, province_code, step, date, article_id, "
                "evidence, articles) VALUES (:programme, :level, :province, :province_code, :step, :date, "
                ":article_id, :evidence, :articles)", [dict(s) for s in steps])
            unmatched = set(unmatched_overrides)
            conn.executemany("UPDATE platform_overrides SET matched = ? WHERE id = ?",
                             [(int(i not in unmatched), i) for (i,) in conn.execute("SELECT id FROM platform_overrides")])
            if inputs is not None:
                conn.execute("INSERT INTO registry_state (id, inputs, built_at) VALUES (1, ?, ?) ON CONFLICT (id) DO "
                             "UPDATE SET inputs = excluded.inputs, built_at = excluded.built_at", (inputs, now))
        return counts

    def platform_count(self) -> int:
        return self.query("SELECT count(*) AS n FROM platforms")[0]["n"]  # type: ignore[attr-defined]

    # --- read queries ---

    def platform_rows(self, *, sector: str | None = None, province: str | None = None, status: str | None = None,
                      since: str | None = None, include_rejected: bool = False) -> list[dict[str, Any]]:
        """Platforms, newest event first. province: English name or GB/T 2260 code; since: YYYY-MM-DD of the last
        event."""
        where, params = [], []
        if not include_rejected and status != "not_a_platform":
            where.append("status != 'not_a_platform'")
        if sector:
            where.append("EXISTS (SELECT 1 FROM json_each(platforms.sectors) s WHERE s.value = ?)")
            params.append(sector)
        if province:
            where.append("(lower(province) = lower(?) OR province_code = ? OR substr(city_code, 1, 2) || '0000' = ?)")
            params += [province, province, province]
        if status:
            where.append("status = ?")
            params.append(status)
        if since:
            where.append("last_event_at >= ?")
            params.append(since)
        sql = ("SELECT * FROM platforms" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY last_event_at DESC, id")
        return [_decode(r) for r in self.query(sql, params)]  # type: ignore[attr-defined]

    def platform_summaries(self) -> list[dict[str, Any]]:
        """Every platform (rejected ones aside) with only what the digest's progress block and chart count: status,
        lists, sectors, province and when it was first reported."""
        return [_decode(r) for r in self.query(  # type: ignore[attr-defined]
            "SELECT status, listed, sectors, province, first_event_at, first_seen_at FROM platforms "
            "WHERE status != 'not_a_platform'")]

    def platform_by_id(self, platform_id: int) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM platforms WHERE id = ?", [platform_id])  # type: ignore[attr-defined]
        if not rows:
            return None
        row = _decode(rows[0])
        row["timeline"] = self.query(  # type: ignore[attr-defined]
            "SELECT e.*, a.url, a.title_zh, a.title_en, a.source FROM platform_events e JOIN articles a "
            "ON a.id = e.article_id WHERE e.platform_id = ? ORDER BY e.date, e.id", [platform_id])
        return row

    def platform_keys(self, ids: Iterable[int]) -> dict[int, str]:
        ids = list(ids)
        rows = self.query(f"SELECT id, key FROM platforms WHERE id IN ({', '.join('?' * len(ids))})", ids)  # type: ignore[attr-defined]
        return {r["id"]: r["key"] for r in rows}

    def platform_events_seen_between(self, start_utc: str, end_utc: str) -> list[dict[str, Any]]:
        """Events whose article was first seen in the period, with their platform (for the digest), oldest first."""
        rows = self.query(  # type: ignore[attr-defined]
            "SELECT e.*, a.url, a.title_zh, a.title_en, a.source, a.translation_engine, p.key, p.name, p.hosts, "
            "p.hosts_en, p.sectors, p.province, p.city, p.county, p.level AS platform_level, p.status, p.listed, "
            "p.first_seen_at AS platform_first_seen_at, "
            f"{_ISSUERS.format(article='e.article_id')} AS issuers "
            "FROM platform_events e JOIN platforms p ON p.id = e.platform_id JOIN articles a ON a.id = e.article_id "
            "WHERE e.first_seen_at >= ? AND e.first_seen_at < ? AND p.status != 'not_a_platform' "
            "ORDER BY e.first_seen_at, e.id", [start_utc, end_utc])
        # The English body's start (for a line's lead) once per article: a list of hundreds of platforms is one
        # article, and its events share the one string.
        ids = sorted({r["article_id"] for r in rows})
        starts: dict[int, str | None] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            starts.update((r["id"], r["body_en"]) for r in self.query(  # type: ignore[attr-defined]
                f"SELECT id, substr(body_en, 1, 2000) AS body_en FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
                chunk))
        for r in rows:
            r["body_en"] = starts.get(r["article_id"])
        return [_decode(r) for r in rows]

    def programme_steps(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM programme_steps ORDER BY programme != 'national', programme, id")  # type: ignore[attr-defined]

    def pending_evidence_translation(self) -> list[dict[str, Any]]:
        return self.query("SELECT id, evidence FROM platform_events WHERE evidence_en IS NULL ORDER BY id")  # type: ignore[attr-defined]

    def save_evidence_translation(self, event_id: int, english: str) -> None:
        with self.write() as conn:  # type: ignore[attr-defined]
            conn.execute("UPDATE platform_events SET evidence_en = ? WHERE id = ?", (english, event_id))
