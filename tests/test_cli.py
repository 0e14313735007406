import subprocess
import sys
import time

from click.testing import CliRunner

from pilotwatch.cli import cli


def test_help_lists_commands_with_examples():
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    for command in ("run", "demo", "digest"):
        assert command in r.output
        sub = CliRunner().invoke(cli, [command, "--help"])
        assert sub.exit_code == 0 and "Example:" in sub.output


def test_help_starts_fast():
    # a ratio, not an absolute time: --help costs about what a bare interpreter with click costs
    def timed(args):
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        return time.perf_counter() - start

    bare = min(timed(["-c", "import click"]) for _ in range(3))
    help_ = min(timed(["-m", "pilotwatch.cli", "--help"]) for _ in range(3))
    assert help_ < bare + 0.5


def test_demo_end_to_end_and_rerun(tmp_path):
    out = tmp_path / "demo"
    runner = CliRunner()
    r = runner.invoke(cli, ["demo", "--out", str(out)])
    assert r.exit_code == 0, r.output
    line = r.stdout.strip()
    assert line.startswith("sources 5 ok / 0 failed; articles 10 new, 0 failed; translated 10 (gloss)"), line
    assert (out / "pilotwatch.db").exists() and list(out.glob("digest-*.html"))
    r = runner.invoke(cli, ["demo", "--out", str(out)])
    assert r.exit_code == 0 and "articles 0 new" in r.stdout


def test_bad_config_is_one_line_error(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("colour = 1\n")
    r = CliRunner().invoke(cli, ["--config", str(cfg), "run"])
    assert r.exit_code == 1 and "Error:" in r.output and "colour" in r.output and "Traceback" not in r.output


def test_unknown_source_and_bad_date(tmp_path):
    r = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "x.db"), "--only", "nosuch"])
    assert r.exit_code == 2 and "nosuch" in r.output
    r = CliRunner().invoke(cli, ["digest", "--date", "2025-13-01", "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 2 and "2025-13-01" in r.output


def test_digest_command_on_missing_db(tmp_path):
    r = CliRunner().invoke(cli, ["digest", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 1 and "does not exist" in r.output


def test_unwritable_db_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = CliRunner().invoke(cli, ["run", "--db", str(blocker / "pw.db"), "--only", "ndrc"])
    assert r.exit_code == 1 and "cannot open database" in r.output and "Traceback" not in r.output


def test_sources_command_shows_health(tmp_path):
    import json

    out = tmp_path / "demo"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo", "--out", str(out), "--port", "18180"]).exit_code == 0
    r = runner.invoke(cli, ["sources", "--db", str(out / "pilotwatch.db")])
    assert r.exit_code == 0, r.output
    assert "ndrc     ok" in r.output and "通知公告 announcements: 1 items" in r.output
    data = json.loads(runner.invoke(cli, ["sources", "--db", str(out / "pilotwatch.db"), "--json"]).output)
    xinhua = next(s for s in data if s["name"] == "xinhua")
    assert xinhua["status"] == "ok" and {lst["items_found"] for lst in xinhua["lists"]} == {2, 1}
    assert next(s for s in data if s["name"] == "miit")["lists"][0]["items_found"] == 2


def test_translate_command_reads_stdin_and_labels_the_gloss(tmp_path):
    text = "工业和信息化部、国家发展改革委日前发布通知，提出到2027年，培育生物制造中试能力建设平台20个以上。\n第二段。"
    r = CliRunner().invoke(cli, ["translate"], input=text)
    assert r.exit_code == 0, r.output
    lines = r.stdout.rstrip("\n").split("\n")
    assert len(lines) == 2 and "MIIT" in lines[0] and "2027" in lines[0] and "pilot-scale" in lines[0]
    assert "gloss" in r.stderr and "fidelity" not in r.stderr


def test_translate_command_with_an_unusable_engine_names_the_setting(tmp_path):
    r = CliRunner().invoke(cli, ["translate", "--engine", "llm"], input="通知。")
    assert r.exit_code == 1 and "llm_url" in r.output and "Traceback" not in r.output


def test_model_install_rejects_a_folder_that_is_not_a_model(tmp_path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    r = CliRunner().invoke(cli, ["model", "install", str(empty), "--dest", str(tmp_path / "models")])
    assert r.exit_code == 1 and "not-a-model" in r.output and "Traceback" not in r.output


def test_tag_command_one_line_out_per_line_in():
    import json

    lines = [
        {"id": "a", "title": "山东省工业和信息化厅公布首批生物制造中试平台名单", "text": "济南市3家平台聚焦生物医药。",
         "published": "2025-12-19", "url": None},
        "not json",
        {"id": "c", "title": "南昌生物医药产业示范基地揭牌", "text": "基地规划面积12平方公里。", "published": None, "url": None},
        {"id": "d", "title": 5, "text": "x"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    r = CliRunner().invoke(cli, ["tag"], input=stdin)
    assert r.exit_code == 1
    out = [json.loads(x) for x in r.stdout.strip().split("\n")]
    assert [o.get("id") for o in out] == ["a", None, "c", "d"]
    assert out[0]["is_platform_announcement"] and out[0]["sectors"] == ["biopharma"]
    assert out[0]["provinces"][0]["name"] == "Shandong" and out[0]["evidence"]
    assert out[1]["line"] == 2 and "error" in out[1] and "title" in out[3]["error"]
    assert not out[2]["is_platform_announcement"] and out[2]["sectors"] == []


def test_overlapping_runs_do_not_both_proceed(tmp_path):
    db = tmp_path / "pw.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pilotwatch.lock import run_lock\n"
         f"with run_lock({str(db)!r}):\n    print('locked', flush=True)\n    time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        r = CliRunner().invoke(cli, ["run", "--db", str(db), "--only", "ndrc"])
        assert r.exit_code == 1 and "another pilotwatch run" in r.output and str(holder.pid) in r.output
    finally:
        holder.kill()
        holder.wait()
    from pilotwatch.lock import run_lock

    with run_lock(db):  # the kernel released the killed holder's lock: no stale lock file blocks the next run
        pass


def test_quiet_prints_nothing_on_success(tmp_path):
    r = CliRunner().invoke(cli, ["--quiet", "demo", "--out", str(tmp_path / "d"), "--port", "18280"])
    assert r.exit_code == 0 and r.stdout == ""
