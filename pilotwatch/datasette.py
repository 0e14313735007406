"""Datasette metadata generated from the README's schema section, so the two never drift.

    python -m pilotwatch.datasette README.md > datasette/metadata.json
    datasette pilotwatch.db --metadata datasette/metadata.json      # pip install 'pilotwatch[datasette]'
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

CANNED = {
    "announcements_by_province": {
        "title": "Platform announcements by province",
        "sql": "SELECT t.value AS province, count(DISTINCT a.id) AS announcements, min(a.published_at) AS first, "
               "max(a.published_at) AS latest FROM articles a JOIN tags t ON t.article_id = a.id "
               "AND t.field = 'province' WHERE a.is_platform_announcement = 1 GROUP BY 1 ORDER BY 2 DESC",
    },
    "announcements_by_sector": {
        "title": "Platform announcements by sector",
        "sql": "SELECT t.value AS sector, count(DISTINCT a.id) AS announcements FROM articles a JOIN tags t "
               "ON t.article_id = a.id AND t.field = 'sector' WHERE a.is_platform_announcement = 1 GROUP BY 1 "
               "ORDER BY 2 DESC",
    },
    "new_this_week": {
        "title": "New platform announcements in the last 7 days",
        "sql": "SELECT * FROM platform_announcements WHERE first_seen_at >= datetime('now', '-7 days') "
               "ORDER BY first_seen_at DESC",
    },
    "search": {
        "title": "Search English titles and bodies (FTS5 syntax, stemmed)",
        "sql": "SELECT a.id, a.published_at, a.title_en, a.title_zh, a.url FROM articles_fts_en f "
               "JOIN articles a ON a.id = f.rowid WHERE articles_fts_en MATCH :query ORDER BY rank LIMIT 50",
    },
}


def build(readme: str) -> dict:
    schema = readme.split("## Database schema", 1)[1].split("\n## ", 1)[0]
    tables: dict[str, dict] = {}
    for m in re.finditer(r"\*\*(\w+)\*\* — (.+?)\n((?:- .+\n?)+)", schema):
        name, description, items = m.groups()
        columns: dict[str, str] = {}
        for line in items.splitlines():
            head, _, text = line[2:].partition(" — ")
            for col in re.findall(r"`(\w+)`", head):
                columns[col] = text.strip()
        tables[name] = {"description": description.strip(), "columns": columns}
    return {
        "title": "PilotWatch",
        "description": "China's biomanufacturing pilot-scale platforms (生物制造中试平台) in official and news sources",
        "license": "Code Apache-2.0; glosses CC BY-SA 4.0 (CC-CEDICT)",
        "databases": {"pilotwatch": {"tables": tables, "queries": CANNED}},
    }


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(build(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md").read_text(encoding="utf-8")),
                     ensure_ascii=False, indent=1))
