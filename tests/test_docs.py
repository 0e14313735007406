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
        if table.startswith("_"):
            continue
        section = re.search(rf"\*\*{table}\*\*(.*?)(?=\n\*\*|\Z)", schema, re.S)
        assert section, f"table {table} is not documented"
        for column in st.db[table].columns_dict:
            if not re.search(rf"`{column}`", section.group(1)):
                missing.append(f"{table}.{column}")
    st.close()
    assert missing == []
