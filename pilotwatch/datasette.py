"""Datasette metadata generated from the README's schema section, so the two never drift.

    python -m pilotwatch.datasette README.md > datasette/metadata.json             # for a file called pilotwatch.db
    python -m pilotwatch.datasette README.md --db path/to/any.db > any.json       # for any other file name
    datasette pilotwatch.db --metadata datasette/metadata.json                     # pip install 'pilotwatch[datasette]'

Datasette keys a database's metadata by its name (the file's stem), so a metadata file fits one file name;
pilotwatch/datasette_plugin.py gives every attached PilotWatch database the same descriptions and queries whatever
its name.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

# The common questions, answered from the platform registry (one row per platform, not per article).
CANNED: dict[str, dict[str, str]] = {
    "hosts_by_sector": {
        "title": "Which provinces host platforms of a sector, and who runs them",
        "description": "sector: food_additives, biopharma, cosmetics, chemicals, energy, enzymes, "
                       "feedstock_lignocellulose, feedstock_c1 or plant_chassis_cells",
        "sql": "SELECT h.province, h.city, h.host, h.host_en, count(DISTINCT h.platform_id) AS platforms, "
               "group_concat(DISTINCT h.name) AS platform_names FROM platform_hosts h, json_each(h.sectors) s "
               "WHERE s.value = :sector GROUP BY h.province, h.city, h.host ORDER BY h.province, h.city, h.host",
    },
    "national_list_by_province": {
        "title": "Platforms on the national list, by province",
        "sql": "SELECT p.province, count(*) AS platforms, group_concat(p.name, '; ') AS names FROM platforms p "
               "WHERE p.status != 'not_a_platform' AND EXISTS (SELECT 1 FROM json_each(p.listed) l "
               "WHERE l.value = 'national') GROUP BY p.province ORDER BY platforms DESC, p.province",
    },
    "national_list_by_sector": {
        "title": "Platforms on the national list, by sector",
        "description": "a platform of several sectors counts under each",
        "sql": "SELECT s.value AS sector, count(*) AS platforms, group_concat(p.name, '; ') AS names "
               "FROM platforms p, json_each(p.sectors) s WHERE p.status != 'not_a_platform' AND EXISTS "
               "(SELECT 1 FROM json_each(p.listed) l WHERE l.value = 'national') GROUP BY s.value "
               "ORDER BY platforms DESC, sector",
    },
    "new_this_week": {
        "title": "Platforms with events first seen in the last 7 days",
        "sql": "SELECT p.id AS platform_id, p.name, p.hosts, p.province, p.city, p.status, count(*) AS events, "
               "group_concat(DISTINCT e.event) AS event_kinds, max(e.first_seen_at) AS latest_seen "
               "FROM platform_events e JOIN platforms p ON p.id = e.platform_id "
               # first_seen_at is ISO with a "T": compare with the same format, not datetime()'s space
               "WHERE e.first_seen_at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-7 days') "
               "AND p.status != 'not_a_platform' GROUP BY p.id ORDER BY latest_seen DESC, p.id",
    },
    "platform_timeline": {
        "title": "A platform's timeline",
        "description": "platform_id: the id in the platforms table (as in pilotwatch platforms show ID)",
        "sql": "SELECT date, event, level, evidence, evidence_en, rule, url, title_en, source FROM platform_timeline "
               "WHERE platform_id = :platform_id ORDER BY date, event_id",
    },
    "programme_steps": {
        "title": "The programmes' steps: call, shortlist, list (national and each province's)",
        "sql": "SELECT s.programme, s.province, s.step, s.date, s.articles, s.evidence, a.url, a.title_en "
               "FROM programme_steps s LEFT JOIN articles a ON a.id = s.article_id "
               "ORDER BY s.programme != 'national', s.programme, "
               "CASE s.step WHEN 'called' THEN 0 WHEN 'shortlisted' THEN 1 ELSE 2 END",
    },
    "search": {
        "title": "Search English titles and bodies (FTS5 syntax, stemmed)",
        "sql": "SELECT a.id, a.published_at, a.title_en, a.title_zh, a.url FROM articles_fts_en f "
               "JOIN articles a ON a.id = f.rowid WHERE articles_fts_en MATCH :query ORDER BY rank LIMIT 50",
    },
}

# Table options beyond descriptions: the registry's JSON arrays as default array facets, platforms named by name.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "platforms": {"label_column": "name", "sort_desc": "last_event_at",
                  "facets": ["status", "level", "province", {"array": "sectors"}, {"array": "listed"}]},
    "platform_events": {"facets": ["event", "rule"]},
}

INSTANCE = {
    "title": "PilotWatch",
    "description": "China's biomanufacturing pilot-scale platforms (生物制造中试平台) in official and news sources",
    "license": "Code Apache-2.0; glosses CC BY-SA 4.0 (CC-CEDICT)",
}

_TABLE_BLOCK = re.compile(r"\*\*(\w+)\*\* — (.+?)\n((?:- .+\n?(?:  .+\n?)*)+)")
_VIEW = re.compile(r"`(\w+)`: (.+?)(?=\s`\w+`: |\Z)", re.S)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def schema_section(readme: str) -> str:
    return readme.split("## Database schema", 1)[1].split("\n## ", 1)[0]


def tables(readme: str) -> dict[str, dict[str, Any]]:
    """{table or view: {"description", "columns"}} from the README's schema section: the **table** — blocks (one
    `column` — text item each), the **Views.** paragraph (`view`: text), and prose clauses that begin with a table's
    name (the full-text tables). A bookkeeping table (name starting with "_") named in prose is described by its
    sentence and hidden."""
    schema = schema_section(readme)
    found: dict[str, dict[str, Any]] = {}
    for m in _TABLE_BLOCK.finditer(schema):
        name, description, items = m.groups()
        columns: dict[str, str] = {}
        for item in re.split(r"\n(?=- )", items.strip()):
            head, _, text = item[2:].partition(" — ")
            for col in re.findall(r"`(\w+)`", head):
                columns[col] = _flat(text)
        found[name] = {"description": _flat(description), "columns": columns}
    paragraphs = [p for p in re.split(r"\n\s*\n", schema) if p.strip() and not _TABLE_BLOCK.match(p.strip() + "\n")]
    for p in paragraphs:
        p = _flat(p)
        if p.startswith("```"):
            continue
        if p.startswith("**Views.**"):
            for view, text in _VIEW.findall(p.removeprefix("**Views.**")):
                found.setdefault(view, {"description": _flat(text).rstrip("."), "columns": {}})
            continue
        p = re.sub(r"^\*\*[^*]+\*\*\s*", "", p)
        for sentence in re.split(r"(?<=\.)\s+(?=[A-Z`])", p):
            for clause in sentence.split("; "):
                m = re.match(r"`(\w+)` (.+)", clause)
                if m and not m.group(1).startswith("_"):
                    found.setdefault(m.group(1), {"description": m.group(2).rstrip("."), "columns": {}})
            for name in re.findall(r"`(_\w+)`", sentence):
                found.setdefault(name, {"description": sentence.rstrip("."), "columns": {}, "hidden": True})
    for name, options in TABLE_OPTIONS.items():
        if name in found:
            found[name].update(options)
    return found


def database_name(db: str | Path) -> str:
    """The name Datasette gives a database file: its stem (pilotwatch.db → pilotwatch)."""
    return Path(db).stem


def build(readme: str, database: str = "pilotwatch") -> dict[str, Any]:
    """Datasette metadata for the database called `database`: instance title, every table's and view's description
    and columns, and the canned queries."""
    return {**INSTANCE, "databases": {database: {"tables": tables(readme), "queries": CANNED}}}


def readme_text() -> str:
    """The README with the schema: the source tree's, else the installed distribution's long description."""
    local = Path(__file__).resolve().parents[1] / "README.md"
    if local.is_file():
        text = local.read_text(encoding="utf-8")
        if "## Database schema" in text:
            return text
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        return metadata("pilotwatch").get_payload() or ""  # type: ignore[attr-defined]
    except PackageNotFoundError:
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pilotwatch.datasette",
                                     description="Print Datasette metadata generated from the README's schema.")
    parser.add_argument("readme", nargs="?", default="README.md")
    parser.add_argument("--db", default="pilotwatch.db",
                        help="the database file (or name) Datasette will serve; its stem keys the metadata")
    args = parser.parse_args(argv)
    metadata = build(Path(args.readme).read_text(encoding="utf-8"), database_name(args.db))
    sys.stdout.write(json.dumps(metadata, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
