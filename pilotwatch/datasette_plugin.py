"""Datasette plugin: PilotWatch's descriptions (every table, view and column, from the README) and canned queries on
every attached PilotWatch database, whatever its file is called — a metadata file can only name one.

A database is PilotWatch's when it has the articles, tags and platforms tables; other databases served alongside are
left alone. Datasette 0.65 asks plugins for metadata on every lookup (the get_metadata and canned_queries hooks);
Datasette 1.0 (from 1.0a14) keeps metadata and stored queries in its internal database and has no get_metadata hook,
so the startup hook writes them there instead. A --metadata file still wins: the plugin fills only what it leaves
unset. Loaded through the "datasette" entry point, or in tests with `datasette.plugins.pm.register(module)`.
"""

from __future__ import annotations

import functools
import json
import weakref
from typing import Any

from datasette import hookimpl

from .datasette import CANNED, INSTANCE, build, readme_text

MARK_TABLES = frozenset({"articles", "tags", "platforms"})
# Datasette instance → names of its PilotWatch databases, found at startup (get_metadata is synchronous: it cannot
# look at a database itself)
_found: weakref.WeakKeyDictionary[Any, tuple[str, ...]] = weakref.WeakKeyDictionary()


@functools.cache
def _tables_json() -> str:
    # serialised once; each lookup gets a fresh copy, since Datasette 0.65 merges other metadata into what a hook
    # returns
    return json.dumps(build(readme_text())["databases"]["pilotwatch"]["tables"], ensure_ascii=False)


def _tables() -> dict[str, dict[str, Any]]:
    return json.loads(_tables_json())


async def pilotwatch_databases(datasette: Any) -> tuple[str, ...]:
    names = []
    for name, db in list(datasette.databases.items()):
        try:
            if MARK_TABLES <= set(await db.table_names()):
                names.append(name)
        except Exception:  # an unreadable database is not ours to describe
            continue
    return tuple(names)


@hookimpl
def startup(datasette: Any) -> Any:
    async def inner() -> None:
        _found[datasette] = names = await pilotwatch_databases(datasette)
        if names and hasattr(datasette, "set_column_metadata"):  # Datasette 1.0
            await _write_metadata(datasette, names)
        if names and hasattr(datasette, "add_query"):  # Datasette 1.0 stored queries
            for name in names:
                for query_name, q in CANNED.items():
                    if await datasette.get_query(name, query_name) is None:
                        await datasette.add_query(name, query_name, q["sql"], title=q.get("title"),
                                                  description=q.get("description"), is_trusted=True,
                                                  source="plugin")

    return inner


async def _write_metadata(datasette: Any, names: tuple[str, ...]) -> None:
    instance = await datasette.get_instance_metadata()
    for key, value in INSTANCE.items():
        if key not in instance:
            await datasette.set_instance_metadata(key, value)
    tables = _tables()
    for name in names:
        for table, meta in tables.items():
            if "description" not in await datasette.get_resource_metadata(name, table):
                await datasette.set_resource_metadata(name, table, "description", meta["description"])
            for column, text in meta["columns"].items():
                if "description" not in await datasette.get_column_metadata(name, table, column):
                    await datasette.set_column_metadata(name, table, column, "description", text)


@hookimpl
def get_metadata(datasette: Any, key: str, database: str | None, table: str | None) -> dict[str, Any] | None:
    """Datasette 0.65: the instance's title and every PilotWatch database's tables (descriptions, columns, facets)."""
    names = _found.get(datasette)
    if not names:
        return None
    return {**INSTANCE, "databases": {name: {"tables": _tables()} for name in names}}


@hookimpl
def canned_queries(datasette: Any, database: str, actor: Any) -> dict[str, Any] | None:
    """Datasette 0.65: the registry's canned queries on every PilotWatch database."""
    if database not in _found.get(datasette, ()):
        return None
    return json.loads(json.dumps(CANNED))
