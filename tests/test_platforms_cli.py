"""`pilotwatch platforms`: the registry listed, filtered, shown, curated (overrides survive rebuilds and re-tagging) and
fed as Atom; the article export's CSV opens in Excel (UTF-8 BOM). One demo database per module, copied per test that
writes."""

import csv
import io
import json
import re
import sqlite3

import pytest
from click.testing import CliRunner

from pilotwatch.cli import cli
from pilotwatch.platforms import rebuild_registry
from store import open_store

BOM = b"\xef\xbb\xbf"
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")



@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("platforms-demo")
    r = CliRunner().invoke(cli, ["demo", "--out", str(out), "--port", "18460"])
    assert r.exit_code == 0, r.output
    return out / "pilotwatch.db"


@pytest.fixture
def db(demo_db, tmp_path):
    """A private copy of the demo database, for a test that curates."""
    path = tmp_path / "pw.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    return path


def invoke(*args, db):
    return CliRunner().invoke(cli, ["platforms", *args, "--db", str(db)])


def ok(*args, db):
    r = invoke(*args, db=db)
    assert r.exit_code == 0, r.output
    return r


def listing(db, *args):
    return [json.loads(line) for line in ok(*args, "--json", db=db).stdout.splitlines()]


def by_name(db, name, *args):
    return next(p for p in listing(db, *args) if p["name"] == name)


def one_line_error(r, code, *needles):
    """Exit `code`, no traceback, exactly one "Error:" line, containing every needle."""
    assert r.exit_code == code, r.output
    errors = [line for line in r.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and "Traceback" not in r.output, r.output
    for needle in needles:
        assert needle in errors[0], errors[0]


def table_count(path, table):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


# --- reading ---

def test_list_is_one_line_per_platform_with_english_hosts(demo_db):
    lines = ok(db=demo_db).stdout.splitlines()
    assert len(lines) == table_count(demo_db, "platforms") == 11
    assert all(re.match(r"#\d+  \S.* · .* · .* · .* · .* · (\d{4}-\d\d-\d\d|—)$", line) for line in lines), lines
    jiangnan = next(line for line in lines if "江南大学" in line)
    assert "江南大学 (Jiangnan University)" in jiangnan and "Wuxi, Jiangsu" in jiangnan
    assert "listed (national)" in jiangnan and "food_additives" in jiangnan
    dates = [line.rsplit(" · ", 1)[1] for line in lines]
    assert dates == sorted(dates, reverse=True)  # newest event first


def columns(path):
    conn = sqlite3.connect(path)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(platforms)")}
    finally:
        conn.close()


def test_json_has_every_column_with_lists_as_lists(demo_db):
    rows = listing(demo_db)
    assert len(rows) == 11 and all(set(r) == columns(demo_db) for r in rows)
    assert all(isinstance(r[k], list) for r in rows for k in ("hosts", "hosts_en", "sectors", "listed"))
    assert all(len(r["hosts"]) == len(r["hosts_en"]) for r in rows)


@pytest.mark.parametrize("province", ["Shandong", "shandong", "370000", "山东省", "山东"])
def test_province_by_english_name_code_or_chinese_name(demo_db, province):
    rows = listing(demo_db, "--province", province)
    assert rows and {r["province"] for r in rows} == {"Shandong"}
    assert len(rows) == sum(r["province"] == "Shandong" for r in listing(demo_db))


def test_sector_status_and_since_filters(demo_db):
    everything = listing(demo_db)
    biopharma = listing(demo_db, "--sector", "biopharma")
    assert biopharma and len(biopharma) == sum("biopharma" in r["sectors"] for r in everything)
    assert [r["hosts"][0] for r in listing(demo_db, "--status", "opened")] == ["华中农业大学"]
    recent = listing(demo_db, "--since", "2025-12-20")
    assert recent and len(recent) < len(everything) and all(r["last_event_at"] >= "2025-12-20" for r in recent)
    r = ok("--since", "2030-01-01", db=demo_db)
    assert r.stdout == "" and "no platforms" in r.stderr


def test_csv_has_a_bom_and_english_beside_chinese(demo_db):
    r = ok("--csv", db=demo_db)
    assert r.stdout_bytes.startswith(BOM)
    header = r.stdout_bytes[len(BOM):].split(b"\n", 1)[0].decode().split(",")
    assert header[header.index("hosts") + 1] == "hosts_en"
    assert header[header.index("province"):header.index("province") + 3] == ["province", "province_zh", "province_code"]
    rows = list(csv.DictReader(io.StringIO(r.stdout_bytes.decode("utf-8-sig"))))
    assert len(rows) == 11 and set(rows[0]) == columns(demo_db) | {"province_zh", "city_zh"}
    jiangnan = next(row for row in rows if row["hosts"] == "江南大学")
    assert jiangnan["hosts_en"] == "Jiangnan University"
    assert (jiangnan["province"], jiangnan["province_zh"], jiangnan["province_code"]) == ("Jiangsu", "江苏省", "320000")
    assert (jiangnan["city"], jiangnan["city_zh"], jiangnan["city_code"]) == ("Wuxi", "无锡市", "320200")
    two = next(row for row in rows if row["hosts"].startswith("华中农业大学"))
    assert two["hosts"].count("; ") == two["hosts_en"].count("; ") == 1  # the same order, unknown English empty


def test_csv_of_nothing_is_its_header(demo_db):
    empty = ok("--csv", "--since", "2030-01-01", db=demo_db).stdout_bytes
    assert empty.startswith(BOM) and empty == ok("--csv", db=demo_db).stdout_bytes.split(b"\n", 1)[0] + b"\n"


def test_json_and_csv_exclude_each_other(demo_db):
    r = invoke("--json", "--csv", db=demo_db)
    assert r.exit_code == 2 and "--json and --csv" in r.output


@pytest.mark.parametrize("args,value,allowed", [
    (["--sector", "vaccines"], "vaccines", "enzymes"),
    (["--province", "Atlantis"], "Atlantis", "Shandong"),
    (["--status", "famous"], "famous", "not_a_platform"),
])
def test_bad_filter_values_are_one_line_errors(demo_db, args, value, allowed):
    one_line_error(invoke(*args, db=demo_db), 2, value, allowed)


def test_show_gives_the_timeline_with_evidence_english_and_article(demo_db):
    platform = by_name(demo_db, "华中农业大学生物制造中试平台")
    r = ok("show", str(platform["id"]), db=demo_db)
    conn = sqlite3.connect(demo_db)
    events = conn.execute("SELECT e.evidence, e.evidence_en, e.rule, a.url FROM platform_events e JOIN articles a ON "
                          "a.id = e.article_id WHERE platform_id = ?", (platform["id"],)).fetchall()
    conn.close()
    assert len(events) == platform["events"] >= 2
    for evidence, english, rule, url in events:
        assert evidence in r.stdout and english and english in r.stdout and f"rule {rule}" in r.stdout
        assert url in r.stdout
    before_subcommand = CliRunner().invoke(cli, ["platforms", "--db", str(demo_db), "show", str(platform["id"])])
    assert before_subcommand.exit_code == 0 and before_subcommand.stdout == r.stdout
    shown = json.loads(ok("show", str(platform["id"]), "--json", db=demo_db).stdout)
    assert shown["name"] == platform["name"] and len(shown["timeline"]) == len(events)
    assert {"date", "event", "level", "rule", "evidence", "evidence_en", "url", "title_zh", "article_id"} <= set(
        shown["timeline"][0])


def test_unknown_ids_are_one_line_errors_and_write_nothing(db):
    one_line_error(invoke("show", "9999", db=db), 1, "#9999")
    some = listing(db)[0]["id"]
    for args, needle in [(["merge", str(some), str(some)], "itself"), (["merge", str(some), "9999"], "#9999"),
                         (["rename", "9999", "x"], "#9999"), (["reject", "9999"], "#9999"),
                         (["split", "9999", "--article", "1"], "#9999"), (["unoverride", "77"], "#77"),
                         (["rename", str(some), "  "], "empty")]:
        one_line_error(invoke(*args, db=db), 1, needle)
    assert table_count(db, "platform_overrides") == 0


def test_split_needs_an_article_with_events_on_the_platform_and_one_without(db):
    platform = by_name(db, "华中农业大学生物制造中试平台")  # every event from one article
    [article] = {e["article_id"] for e in json.loads(ok("show", str(platform["id"]), "--json", db=db).stdout)["timeline"]}
    one_line_error(invoke("split", str(platform["id"]), "--article", str(article + 1000), db=db), 1,
                   f"no event from article {article + 1000}")
    one_line_error(invoke("split", str(platform["id"]), "--article", str(article), db=db), 1, "nothing would remain")
    assert table_count(db, "platform_overrides") == 0


# --- curation ---

def test_merge_survives_rebuild_and_retagging_then_split_and_unoverride(db):
    from pilotwatch.pipeline import tag_pending
    from pilotwatch.report import RunReport

    before = listing(db)
    national = next(p for p in before if p["hosts"] == ["济南康源合成生物医药有限公司"])
    provincial = by_name(db, "合成生物药物中试平台")  # Jinan, biopharma, from the Shandong list: no host
    r = ok("merge", str(national["id"]), str(provincial["id"]), "--note", "one Jinan platform", db=db)
    assert "override #1 (merge) written" in r.stdout and f"#{national['id']}  " in r.stdout
    assert len(listing(db)) == len(before) - 1

    def check_merged():
        merged = [p for p in listing(db) if p["id"] == national["id"]]
        assert merged and merged[0]["listed"] == ["national", "provincial"] and len(listing(db)) == len(before) - 1
        assert provincial["id"] not in {p["id"] for p in listing(db)}
        assert "matched" in ok("overrides", db=db).stdout

    st = open_store(db)
    try:
        rebuild_registry(st)
        check_merged()
        with st.write() as conn:  # a new tagger version re-tags every article
            conn.execute("UPDATE articles SET tagger_version = NULL")
        report = RunReport(run_id=st.start_run("live"))
        tag_pending(st, report)
        assert report.tagged == 10
        rebuild_registry(st)
    finally:
        st.close()
    check_merged()

    timeline = json.loads(ok("show", str(national["id"]), "--json", db=db).stdout)["timeline"]
    provincial_article = next(e["article_id"] for e in timeline if e["rule"] == "override_merge")
    r = ok("split", str(national["id"]), "--article", str(provincial_article), db=db)
    assert "override #2 (split) written" in r.stdout and "合成生物药物中试平台" in r.stdout
    after = listing(db)
    assert len(after) == len(before)
    assert by_name(db, "合成生物药物中试平台")["listed"] == ["provincial"]
    lines = ok("overrides", db=db).stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("#1  merge") and "one Jinan platform" in lines[0]
    assert lines[1].startswith("#2  split") and "matched" in lines[1]

    ok("unoverride", "2", db=db)
    ok("unoverride", "1", db=db)
    assert len(listing(db)) == len(before) and table_count(db, "platform_overrides") == 0
    assert by_name(db, "合成生物药物中试平台")["listed"] == ["provincial"]


def test_rename_and_reject_then_unoverride(db):
    platform = listing(db)[0]
    ok("rename", str(platform["id"]), "  新的\n名字 ", db=db)
    assert [p["name"] for p in listing(db) if p["id"] == platform["id"]] == ["新的 名字"]
    r = ok("reject", str(platform["id"]), "--note", "a demonstration base", db=db)
    assert "not_a_platform" in r.stdout
    assert platform["id"] not in {p["id"] for p in listing(db)}
    assert [p["status"] for p in listing(db, "--all") if p["id"] == platform["id"]] == ["not_a_platform"]
    assert [p["id"] for p in listing(db, "--status", "not_a_platform")] == [platform["id"]]
    one_line_error(invoke("reject", str(platform["id"]), db=db), 1, "already rejected")
    overrides = [json.loads(line) for line in ok("overrides", "--json", db=db).stdout.splitlines()]
    assert [(o["action"], o["matched"]) for o in overrides] == [("rename", 1), ("reject", 1)]
    assert overrides[0]["value"] == "新的 名字" and overrides[1]["note"] == "a demonstration base"
    r = ok("unoverride", str(overrides[1]["id"]), db=db)
    assert "deleted" in r.stdout and platform["id"] in {p["id"] for p in listing(db)}


# --- feed ---

def feed_of(db, *args):
    feedparser = pytest.importorskip("feedparser")
    r = ok("feed", *args, db=db)
    feed = feedparser.parse(r.stdout)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_feed_is_valid_atom_one_entry_per_event_with_stable_ids(db):
    feed = feed_of(db, "--self-url", "https://example.org/platforms.xml")
    assert len(feed.entries) == table_count(db, "platform_events")
    assert any(link.rel == "self" and link.href == "https://example.org/platforms.xml" for link in feed.feed.links)
    urls = {row[0] for row in sqlite3.connect(db).execute("SELECT url FROM articles")}
    wuhan = [e for e in feed.entries if e.title.startswith("华中农业大学生物制造中试平台 · ")]
    assert wuhan and all(e.title.endswith(" · Wuhan, Hubei") for e in wuhan)
    assert all(e.link in urls and e.updated and e.content[0].value for e in feed.entries)
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    st = open_store(db)
    with st.write() as conn:  # a rebuild renumbers the event rows
        conn.execute("DELETE FROM platform_events")
    rebuild_registry(st)
    st.close()
    assert sorted(e.id for e in feed_of(db).entries) == sorted(ids)
    assert len(feed_of(db, "--limit", "3").entries) == 3
    recent = feed_of(db, "--since", "2025-12-20").entries
    assert recent and len(recent) < len(ids) and all(e.published >= "2025-12-20" for e in recent)


def test_feed_leaves_out_rejected_platforms_and_writes_a_file(db, tmp_path):
    platform = listing(db)[0]
    ok("reject", str(platform["id"]), db=db)
    out = tmp_path / "platforms.xml"
    r = ok("feed", "--out", str(out), db=db)
    assert f"→ {out}" in r.stderr
    feedparser = pytest.importorskip("feedparser")
    feed = feedparser.parse(out.read_bytes())
    assert not feed.bozo and len(feed.entries) == table_count(db, "platform_events") - platform["events"]


def test_crawled_text_is_escaped_in_the_feed_and_kept_off_the_terminal(db):
    hostile = "<b>&amp;</b> \x1b]0;pwned\x07 \x1b[31m红\x0c]]>"
    conn = sqlite3.connect(db)
    conn.execute("UPDATE platform_events SET evidence = evidence || ?", (hostile,))
    conn.execute("UPDATE platforms SET name = name || ?", (hostile,))
    conn.commit()
    conn.close()
    feed = feed_of(db)
    assert all("<b>&amp;</b>" in e.title and "<b>&amp;</b>" in e.content[0].value for e in feed.entries)
    for args in ([], ["show", str(listing(db)[0]["id"])]):
        out = ok(*args, db=db).stdout
        assert "红" in out and not TERMINAL_CONTROL.findall(out) and "pwned" not in out


# --- the article export's CSV ---

def test_export_csv_starts_with_a_bom(demo_db, tmp_path):
    r = CliRunner().invoke(cli, ["export", "--format", "csv", "--db", str(demo_db)])
    assert r.exit_code == 0 and r.stdout_bytes.startswith(BOM)
    out = tmp_path / "a.csv"
    assert CliRunner().invoke(cli, ["export", "--out", str(out), "--db", str(demo_db)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert out.read_bytes().startswith(BOM) and rows and rows[0]["id"] and rows[0]["title_zh"]
