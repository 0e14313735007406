"""The README documents every command, config key and database column."""

import re
from pathlib import Path

import pytest

from pilotwatch.cli import cli
from pilotwatch.config import Config

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_documented(command):
    assert f"`pilotwatch {command}" in README


@pytest.mark.parametrize("key", sorted(Config.__dataclass_fields__))
def test_every_config_key_documented(key):
    assert f"| `{key}` |" in README


def test_every_column_documented(tmp_path):
    from store import open_store

    st = open_store(tmp_path / "pw.db")
    schema = README.split("## Database schema", 1)[1].split("\n## ", 1)[0]
    missing = []
    for table in st.db.table_names():
        if table.startswith(("_", "articles_fts_")):  # FTS5 tables and their shadow tables: documented as a group
            continue
        section = re.search(rf"\*\*{table}\*\*(.*?)(?=\n\*\*|\Z)", schema, re.S)
        assert section, f"table {table} is not documented"
        for column in st.db[table].columns_dict:
            if not re.search(rf"`{column}`", section.group(1)):
                missing.append(f"{table}.{column}")
    st.close()
    assert missing == []


def test_views_and_search_tables_documented(tmp_path):
    from store import open_store

    st = open_store(tmp_path / "pw.db")
    schema = README.split("## Database schema", 1)[1].split("\n## ", 1)[0]
    for view in st.db.view_names():
        assert f"`{view}`" in schema
        for column in st.db[view].columns_dict:
            assert f"`{column}`" in schema, f"{view}.{column}"
    for fts in ("articles_fts_en", "articles_fts_zh"):
        assert f"`{fts}`" in schema
    st.close()


def test_datasette_metadata_is_generated_from_this_readme():
    import json

    from pilotwatch.datasette import build

    committed = json.loads((Path(__file__).resolve().parents[1] / "datasette" / "metadata.json").read_text("utf-8"))
    assert committed == build(README)
    tables = committed["databases"]["pilotwatch"]["tables"]
    assert {"articles", "tags", "sources", "documents", "digests"} <= set(tables)
    # the common questions are asked of the platform registry, never of announcements counted as platforms
    assert set(committed["databases"]["pilotwatch"]["queries"]) >= {
        "hosts_by_sector", "national_list_by_province", "national_list_by_sector", "new_this_week", "programme_steps"}
    assert {"platforms", "platform_events", "programme_steps", "platform_overrides"} <= set(tables)
