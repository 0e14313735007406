"""Datasette metadata: generated from the README for any database name, the plugin that applies it to every
PilotWatch database, array facets on the registry and the canned queries, run on the demo database."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from pilotwatch.datasette import CANNED, build, main, tables

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_metadata_is_keyed_by_the_database_files_name(capsys):
    assert set(build(README)["databases"]) == {"pilotwatch"}
    assert set(build(README, "watch")["databases"]) == {"watch"}
    assert main([str(ROOT / "README.md"), "--db", "some/folder/my-watch.db"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed["databases"]) == {"my-watch"}
    assert printed["databases"]["my-watch"] == build(README)["databases"]["pilotwatch"]


def _schema_names(path: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(tables, views) of a database, each with its columns; FTS shadow tables left out (Datasette hides them)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
        fts = [n for n, _, sql in rows if sql and "VIRTUAL TABLE" in sql.upper() and "USING FTS" in sql.upper()]
        out: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})
        for name, kind, _ in rows:
            if any(name.startswith(f + "_") for f in fts) or name.startswith("sqlite_"):
                continue
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')]
            out[kind == "view"][name] = columns
        return out
    finally:
        conn.close()


def test_every_table_view_and_column_has_a_description(tmp_path):
    from store import open_store

    open_store(tmp_path / "pw.db").close()
    db_tables, db_views = _schema_names(tmp_path / "pw.db")
    meta = tables(README)
    for name in [*db_tables, *db_views]:
        assert meta.get(name, {}).get("description"), f"{name} has no description"
    for name, columns in db_tables.items():
        if name.startswith("_") or name.startswith("articles_fts_"):  # bookkeeping and FTS: described as a whole
            continue
        assert set(columns) <= set(meta[name]["columns"]), name
        assert all(meta[name]["columns"].values()), name
    # a view's description stops where the next view's begins
    for view in db_views:
        assert not any(f"`{other}`:" in meta[view]["description"] for other in db_views)
    assert meta["_sqlite_migrations"]["hidden"] is True
    # wrapped README items keep their continuation lines
    assert "whole record" in meta["tags"]["columns"]["field"]
    assert "attrs" in meta["tags"]["columns"]


# --- with Datasette (pip install 'pilotwatch[datasette]') ---


@pytest.fixture(scope="module")
def demo_db(sample_hosts, tmp_path_factory) -> Path:
    """The demo's database (the whole pipeline on the sample site), copied under a name that is not pilotwatch."""
    pytest.importorskip("datasette.app")  # not the repo's datasette/ folder
    from crawler import load_sources
    from pilotwatch.config import load_config
    from pilotwatch.pipeline import build_client, run_pipeline
    from store import open_store

    tmp = tmp_path_factory.mktemp("dsdemo")
    config = load_config(env={}, overrides={"db": str(tmp / "pilotwatch.db"), "digest_dir": str(tmp / "out"),
                                            "delay": 0.0, "retries": 0})
    sources = [replace(s.rebased(sample_hosts), delay=0.0) for s in load_sources()]
    st = open_store(config.db)
    try:
        with build_client(config) as client:
            report = run_pipeline(config, sources=sources, client=client, store=st, mode="demo",
                                  digest_dir=tmp / "out")
    finally:
        st.close()
    assert report.exit_code == 0, report.summary()
    renamed = tmp / "watch-2026.db"
    shutil.copy(config.db, renamed)
    return renamed


@pytest.fixture
def plugin():
    pytest.importorskip("datasette.app")  # not the repo's datasette/ folder
    from datasette.plugins import pm

    import pilotwatch.datasette_plugin as module

    ours = not pm.is_registered(module)  # the "datasette" entry point may have loaded it already
    if ours:
        pm.register(module)
    yield module
    if ours:
        pm.unregister(module)


def _get(ds, path: str):
    async def go():
        await ds.invoke_startup()
        return await ds.client.get(path)

    r = asyncio.run(go())
    assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return r


def _query_names(ds, db: str) -> set[str]:
    page = _get(ds, f"/{db}.json").json()
    if page.get("queries_more"):  # Datasette 1.0 shows the first few; /db/-/queries lists them all
        page = _get(ds, f"/{db}/-/queries.json?_size=max").json()
    return {q["name"] for q in page["queries"]}


def _query(ds, db: str, name: str, **params) -> list[dict]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return _get(ds, f"/{db}/{name}.json?_shape=array&{query}").json()


def test_plugin_describes_and_queries_a_pilotwatch_database_of_any_name(demo_db, plugin, tmp_path):
    from datasette.app import Datasette

    other = tmp_path / "unrelated.db"
    sqlite3.connect(other).execute("CREATE TABLE things (id INTEGER PRIMARY KEY)").connection.close()
    ds = Datasette([str(demo_db), str(other)])
    assert _query_names(ds, "watch-2026") == set(CANNED)
    assert _query_names(ds, "unrelated") == set()  # other databases are left alone
    page = _get(ds, "/watch-2026/platforms").text
    assert "one row per platform across articles" in page  # table description
    assert "canonical Chinese names of the organisations" in page  # column description
    assert "one row per (platform, host)" in _get(ds, "/watch-2026/platform_hosts").text  # view description


def test_the_committed_metadata_file_works_for_a_database_called_pilotwatch(demo_db, tmp_path):
    from datasette.app import Datasette

    db = tmp_path / "pilotwatch.db"
    shutil.copy(demo_db, db)
    metadata = json.loads((ROOT / "datasette" / "metadata.json").read_text(encoding="utf-8"))
    ds = Datasette([str(db)], metadata=metadata)
    assert "one row per platform across articles" in _get(ds, "/pilotwatch/platforms").text
    if _datasette_major() == 0:  # Datasette 1.0 takes canned queries from datasette.yaml only: the plugin adds them
        assert _query_names(ds, "pilotwatch") == set(CANNED)
        assert _query(ds, "pilotwatch", "national_list_by_province")


def _datasette_major() -> int:
    from datasette.version import __version__

    return int(__version__.split(".")[0])


def test_array_facets_on_the_registrys_json_columns(demo_db, plugin):
    from datasette.app import Datasette

    ds = Datasette([str(demo_db)])
    conn = sqlite3.connect(demo_db)
    for column in ("hosts", "sectors", "listed"):
        facet = _get(ds, f"/watch-2026/platforms.json?_facet_array={column}").json()["facet_results"]
        facet = facet.get("results", facet)[column]  # Datasette 1.0 nests the facets under "results"
        expected = dict(conn.execute(f"SELECT j.value, count(*) FROM platforms p, json_each(p.{column}) j "
                                     "GROUP BY j.value").fetchall())
        assert {r["value"]: r["count"] for r in facet["results"]} == expected, column
    conn.close()
    sectors = _get(ds, "/watch-2026/platforms.json?_facet_array=sectors").json()["facet_results"]
    enzymes = [r for r in sectors.get("results", sectors)["sectors"]["results"] if r["value"] == "enzymes"]
    assert enzymes and enzymes[0]["count"] == 2  # the Tianjin listed platform and the Huazhong one in Wuhan


# The demo's national list notice (gov.cn, with its attachment) names eight platforms, one per province below.
NATIONAL_LIST = {"Tianjin": "中国科学院天津工业生物技术研究所", "Shanghai": "华东理工大学",
                 "Henan": "南阳禾能生物质科技有限公司", "Guangdong": "广州美研生物科技有限公司",
                 "Yunnan": "昆明植研生物技术有限公司", "Jiangsu": "江南大学",
                 "Shandong": "济南康源合成生物医药有限公司", "Shanxi": "太原碳元生物科技有限公司"}


def test_canned_queries_answer_the_common_questions_on_the_demo(demo_db, plugin):
    from datasette.app import Datasette

    ds = Datasette([str(demo_db)])
    db = "watch-2026"
    # enzymes: the listed Tianjin institute, and the Wuhan platform Huazhong Agricultural University built with a
    # local enzyme company (news.cn, 2025-12-18: 聚焦酶制剂和食品添加剂)
    rows = _query(ds, db, "hosts_by_sector", sector="enzymes")
    assert {(r["province"], r["city"], r["host"]) for r in rows} == {
        ("Tianjin", "Tianjin", "中国科学院天津工业生物技术研究所"), ("Hubei", "Wuhan", "华中农业大学"),
        ("Hubei", "Wuhan", "武汉绿源酶创生物科技有限公司")}
    assert {r["host_en"] for r in rows if r["province"] == "Tianjin"} == {
        "Tianjin Institute of Industrial Biotechnology, CAS"}
    assert _query(ds, db, "hosts_by_sector", sector="energy") == []

    by_province = _query(ds, db, "national_list_by_province")
    assert {r["province"]: r["platforms"] for r in by_province} == dict.fromkeys(NATIONAL_LIST, 1)
    by_sector = _query(ds, db, "national_list_by_sector")
    assert sum(r["platforms"] for r in by_sector) == 8 and {"enzymes", "biopharma"} <= {r["sector"] for r in by_sector}

    conn = sqlite3.connect(demo_db)
    ids = dict(conn.execute("SELECT json_extract(hosts, '$[0]'), id FROM platforms").fetchall())
    platforms = conn.execute("SELECT count(*) FROM platforms WHERE status != 'not_a_platform'").fetchone()[0]
    conn.close()
    # the demo's articles were all first seen just now
    assert len(_query(ds, db, "new_this_week")) == platforms

    timeline = _query(ds, db, "platform_timeline", platform_id=ids["中国科学院天津工业生物技术研究所"])
    assert timeline and {(r["event"], r["level"], r["date"]) for r in timeline} == {("listed", "national", "2025-12-22")}
    opened = _query(ds, db, "platform_timeline", platform_id=ids["华中农业大学"])
    assert (opened[0]["event"], opened[0]["date"], opened[0]["source"]) == ("opened", "2025-12-18", "xinhua")

    steps = [(r["programme"], r["step"], r["date"]) for r in _query(ds, db, "programme_steps")]
    assert steps[:2] == [("national", "called", "2025-06-11"), ("national", "listed", "2025-12-22")]
    assert ("provincial:370000", "listed", "2025-12-19") in steps

    found = _query(ds, db, "search", query="biomanufactur*")
    assert found and all(set(r) == {"id", "published_at", "title_en", "title_zh", "url"} for r in found)
