"""Hostile settings and a hostile disk (issue 13): every setting is judged before a run starts, by `doctor` and at
the start of `run`, never as a traceback after the crawl with the run row left `running`; doctor sees what SQLite
cannot (PRAGMA quick_check, lost writes) and never creates a database; the Atom feed stays XML whatever crawled text
holds; the run lock holds through symlinks; two concurrent senders mail a digest once.
"""

import asyncio
import shutil
import sqlite3
import threading
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from test_send import start_server

from pilotwatch.cli import cli
from pilotwatch.config import ConfigError, load_config
from pilotwatch.lock import RunLocked, run_lock
from pilotwatch.pipeline import AlreadySent, send_digest, write_digest
from store import open_store

DEAD_SOURCE = '[[source]]\nname = "dead"\nlabel = "Dead"\nbase = "http://127.0.0.1:9"\narticle_pattern = "x"\nlists = []\n'
# mail configured (a case's own recipients or smtp_from replace these); nothing listens on port 9, so a run that got
# as far as mailing would fail there
MAIL = {"smtp_host": '"127.0.0.1"', "smtp_port": "9", "smtp_security": '"none"', "smtp_from": '"digest@example.org"',
        "recipients": '["analyst@example.com"]'}


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def newer_database(path):
    """A database a later PilotWatch migrated: one migration this version does not know."""
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('pilotwatch', 'm999_from_the_future', '2031-01-01 00:00:00')")
    return path


# (config file text, environment, how the digest dir / db are made, what the one error line must name)
BAD_SETTINGS = {
    "timezone": ("", {"PILOTWATCH_TIMEZONE": "Mars/Olympus_Mons"}, None, "timezone"),
    "timezone-path": ("", {"PILOTWATCH_TIMEZONE": "../../../etc/passwd"}, None, "timezone"),
    "recipient-crlf": ('recipients = ["analyst@example.com\\r\\nBcc: evil@example.net"]\n', {}, None, "recipients"),
    "from-lf": ('smtp_from = "PilotWatch <digest@example.org>\\nBcc: evil@example.net"\n', {}, None, "smtp_from"),
    "two-in-one-entry": ('recipients = ["analyst@example.com, evil@example.net"]\n', {}, None, "recipients"),
    "smtp-timeout-nan": ("smtp_timeout = nan\n", {}, None, "smtp_timeout"),
    "jitter-env-nan": ("", {"PILOTWATCH_JITTER": "nan"}, None, "PILOTWATCH_JITTER: jitter must be a finite number"),
    "max-bytes-inf": ("max_bytes = inf\n", {}, None, "max_bytes"),
    "digest-dir-under-a-file": ("", {}, "digest", "digest_dir"),
    "newer-schema": ("", {}, "newer", "newer PilotWatch"),
}


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=list(BAD_SETTINGS))
def test_bad_settings_stop_run_before_it_starts_with_one_line(tmp_path, case):
    text, env, make, names = BAD_SETTINGS[case]
    db, digests = tmp_path / "pw.db", tmp_path / "digests"
    if make == "digest":
        digests = tmp_path / "a-file" / "digests"
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    if make == "newer":
        newer_database(db)
    mail = "".join(f"{k} = {v}\n" for k, v in MAIL.items() if f"{k} =" not in text)
    args = ["--config", write(tmp_path, "c.toml", mail + text), "run", "--db", str(db), "--digest-dir", str(digests),
            "--sources", write(tmp_path, "s.toml", DEAD_SOURCE)]
    r = CliRunner().invoke(cli, args, env=env)
    assert r.exit_code == 1 and (r.exception is None or isinstance(r.exception, SystemExit)), r.output
    errors = [line for line in r.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and names in errors[0] and "Traceback" not in r.output, r.output
    if db.exists():  # no run row was started (so none is left "running"); read-only: a newer schema stays untouched
        st = open_store(db, readonly=True)
        assert st.query("SELECT count(*) AS n FROM runs")[0]["n"] == 0
        st.close()


@pytest.mark.parametrize("text,names", [
    ("timeout = nan", "timeout must be a finite number"), ("delay = inf", "delay must be a finite number"),
    ("blocked_backoff_hours = -inf", "blocked_backoff_hours must be a finite number"),
    ("retries = 1.5", "retries must be int"), ("recheck_per_run = inf", "recheck_per_run must be int"),
    ('timezone = "Asia/Shang_hai"', "timezone: unknown time zone"),
    ('recipients = ["a@example.org; b@example.org"]', "recipients: 'a@example.org; b@example.org' holds several"),
    ('recipients = ["a@example.org b@example.org"]', "recipients: 'a@example.org b@example.org' is not an e-mail"),
    ('smtp_user = "pilot\\rwatch"', "smtp_user"), ('user_agent = "PW\\r\\nX-Evil: 1"', "user_agent"),
])
def test_config_rejects_non_finite_numbers_unknown_zones_and_header_breaks(tmp_path, text, names):
    with pytest.raises(ConfigError, match=names.replace("(", r"\(")):
        load_config(write(tmp_path, "c.toml", text + "\n"), env={})


def test_config_keeps_what_is_fine():
    c = load_config(env={}, overrides={"recipients": ('"Doe, Jane" <jane@example.org>',)})
    assert c.recipients == ('"Doe, Jane" <jane@example.org>',)  # a comma inside a quoted name is one address
    c = load_config(env={"PILOTWATCH_RECIPIENTS": "a@example.org, b@example.org", "PILOTWATCH_TIMEZONE": "UTC"})
    assert c.recipients == ("a@example.org", "b@example.org") and c.timezone == "UTC"  # env: comma-separated list


def doctor(env):
    return CliRunner().invoke(cli, ["doctor", "--offline"], env=env)


def test_doctor_reports_bad_settings_as_failed_checks(tmp_path):
    open_store(tmp_path / "pw.db").close()
    r = doctor({"PILOTWATCH_DB": str(tmp_path / "pw.db"), "PILOTWATCH_TIMEZONE": "Mars/Olympus_Mons"})
    assert r.exit_code == 1 and "FAIL configuration: timezone: unknown time zone 'Mars/Olympus_Mons'" in r.output
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    r = doctor({"PILOTWATCH_DB": str(tmp_path / "pw.db"), "PILOTWATCH_DIGEST_DIR": str(tmp_path / "a-file" / "d")})
    assert r.exit_code == 1 and "FAIL digest folder: digest_dir: cannot write to" in r.output
    assert "ok   database:" in r.output


def test_doctor_never_creates_a_missing_database(tmp_path):
    db = tmp_path / "nowhere" / "pw.db"
    r = doctor({"PILOTWATCH_DB": str(db)})
    assert r.exit_code == 1 and f"FAIL database: db: {db} does not exist" in r.output
    assert not db.exists() and not db.parent.exists()


def test_doctor_does_not_call_a_newer_schema_up_to_date(tmp_path):
    db = newer_database(tmp_path / "pw.db")
    r = doctor({"PILOTWATCH_DB": str(db)})
    assert r.exit_code == 1 and "up to date" not in r.output
    assert "FAIL database: db:" in r.output and "m999_from_the_future" in r.output


def page_of(db, table):
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0],
                conn.execute("PRAGMA page_size").fetchone()[0])


def test_doctor_runs_quick_check(tmp_path):
    db = tmp_path / "pw.db"
    st = open_store(db)
    run = st.start_run("live")
    st.upsert_source("dead", "Dead", "http://127.0.0.1:9")
    for i in range(20):
        st.record_fetch(run, "dead", f"http://127.0.0.1:9/list-{i}", "list", status=200)
    st.close()  # checkpointed: the file holds everything
    page, size = page_of(db, "fetches")
    with open(db, "r+b") as f:  # a bad sector in the fetch log: the articles and the schema still read fine
        f.seek((page - 1) * size + 8)
        f.write(b"\xff" * 40)
    r = doctor({"PILOTWATCH_DB": str(db)})
    assert r.exit_code == 1 and "FAIL database integrity: PRAGMA quick_check: " in r.output, r.output
    assert "ok   database:" in r.output and "(0 articles" in r.output  # where an ordinary read does not look


def add_articles(st, run, n):
    st.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    for i in range(n):
        url = f"https://www.ndrc.gov.cn/a{i}.html"
        st.store_article(run, {"url": url, "source": "ndrc", "raw_sha256": url, "parser_version": "3",
                               "title_zh": f"通知{i}", "body_zh": f"正文{i}", "body_sha256": url})


def test_doctor_reports_committed_writes_that_were_lost(tmp_path):
    """A torn checkpoint whose -wal was then deleted: the page holding the articles is older than the runs page."""
    db, before = tmp_path / "pw.db", tmp_path / "before.db"
    st = open_store(db)
    st.finish_run(st.start_run("live"), exit_code=0, summary="", articles_new=0)
    st.close()
    shutil.copy(db, before)  # the articles page as it was before run 2
    st = open_store(db)
    run = st.start_run("live")
    add_articles(st, run, 3)
    st.finish_run(run, exit_code=0, summary="", articles_new=3)
    st.close()
    r = doctor({"PILOTWATCH_DB": str(db)})
    assert r.exit_code == 0 and "ok   database consistency: run 2 recorded 3 new articles" in r.output, r.output
    page, size = page_of(db, "articles")
    with open(before, "rb") as old, open(db, "r+b") as new:
        old.seek((page - 1) * size)
        new.seek((page - 1) * size)
        new.write(old.read(size))
    r = doctor({"PILOTWATCH_DB": str(db)})
    assert r.exit_code == 1, r.output
    assert "FAIL database consistency: run 2 recorded 3 new articles but the database holds 0" in r.output


def test_atom_feed_is_valid_xml_whatever_the_crawled_text_holds(tmp_path):
    db = tmp_path / "pw.db"
    st = open_store(db)
    run = st.start_run("live")
    st.upsert_source("ndrc", "NDRC", "https://www.ndrc.gov.cn")
    hostile = "中试\x00平台\x01\x08\x0b\x0c\x1b[31m名单\x1f\ufffe\uffff"
    st.store_article(run, {"url": "https://www.ndrc.gov.cn/x.html", "source": "ndrc", "raw_sha256": "x",
                           "parser_version": "3", "title_zh": hostile, "body_zh": "正文", "body_sha256": "x",
                           "doc_number": "发改\x07高技〔2025〕1号"})
    st.close()
    out = tmp_path / "feed.xml"
    r = CliRunner().invoke(cli, ["export", "--all", "--format", "atom", "--out", str(out), "--db", str(db)])
    assert r.exit_code == 0, r.output
    feed = ET.fromstring(out.read_bytes())  # well-formed
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
    assert "中试平台" in title and "名单" in title and not any(ord(c) < 32 for c in title)


def test_digest_parts_carry_nothing_xml_forbids(tmp_path):
    """Not even what a JSON list can smuggle in: a lone surrogate (unwritable as UTF-8) or U+FFFE."""
    from digest import build_digest, render, write_digest

    row = {"id": 1, "url": "https://www.miit.gov.cn/a.html", "source": "miit", "source_label": "MIIT",
           "title_zh": "标题\x1b[2J\x00\x0b\ud800\ufffe尾", "title_en": "Title\x07 \x1b]0;pwned\x07\udfff\uffff",
           "body_zh": "正文", "translation_engine": "gloss", "is_platform_announcement": 0,
           "mentions_pilot_platform": 0, "tags": []}
    d = build_digest("2025-12-22", [row], platforms=[], attribution="CC-CEDICT (CC BY-SA 4.0)", sources=[])
    for part in render(d):
        assert "]0;pwned" in part
        assert not [c for c in part if ord(c) < 32 and c not in "\t\n\r" or 0xD800 <= ord(c) <= 0xDFFF
                    or c in "\ufffe\uffff"]
    html, text = write_digest(d, tmp_path)  # UTF-8 files: a lone surrogate would have raised here
    assert "]0;pwned" in text.read_text(encoding="utf-8")


def test_run_lock_keys_on_the_real_path(tmp_path):
    real = tmp_path / "data" / "pw.db"
    real.parent.mkdir()
    (tmp_path / "link.db").symlink_to(real)
    (tmp_path / "linked-dir").symlink_to(real.parent)
    with run_lock(real):
        for other in (tmp_path / "link.db", tmp_path / "linked-dir" / "pw.db"):
            with pytest.raises(RunLocked, match="another pilotwatch run"):
                with run_lock(other):
                    pass
    with run_lock(tmp_path / "link.db"):  # released: the next run gets it
        pass


class SlowCollect:
    """aiosmtpd handler that takes a second to accept each message: two senders overlap."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(1.0)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def mail_config(config, port):
    return replace(config, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                   smtp_from="PilotWatch <digest@example.org>", recipients=("analyst@example.com",))


def test_two_concurrent_senders_mail_the_digest_once(config, tmp_path):
    from aiosmtpd.controller import Controller
    from test_send import free_port

    handler = SlowCollect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    cfg, day, tz = mail_config(config, controller.port), date(2025, 12, 22), ZoneInfo("Asia/Shanghai")
    st = open_store(cfg.db)
    write_digest(st, day, tz, tmp_path / "d")
    st.close()
    start, outcomes = threading.Barrier(2), []

    def sender():
        s = open_store(cfg.db)
        try:
            start.wait()
            send_digest(cfg, s, day, tz)
            outcomes.append("sent")
        except AlreadySent as exc:
            outcomes.append(str(exc))
        finally:
            s.close()

    try:
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1, outcomes
    assert sorted(outcomes)[0] == "sent" and "already being sent since" in sorted(outcomes)[1], outcomes
    st = open_store(cfg.db)
    assert st.digest_sent(day.isoformat())["message_id"]  # the claim became the record of the send
    st.close()


def test_a_failed_send_releases_its_claim_and_a_killed_one_keeps_it(config, tmp_path):
    day, tz = date(2025, 12, 22), ZoneInfo("Asia/Shanghai")
    st = open_store(config.db)
    write_digest(st, day, tz, tmp_path / "d")
    import digest

    with pytest.raises(digest.SendError):
        send_digest(mail_config(config, 9), st, day, tz)  # nothing listens on port 9
    assert st.digest_sent(day.isoformat()) is None  # released: a later run may send
    controller, handler = start_server()
    try:
        cfg = mail_config(config, controller.port)
        assert send_digest(cfg, st, day, tz) is not None and len(handler.envelopes) == 1
        next_day = date(2025, 12, 23)
        write_digest(st, next_day, tz, tmp_path / "d")
        st.claim_digest_send(next_day.isoformat())  # a sender killed between its claim and the SMTP answer
        with pytest.raises(AlreadySent, match="being sent since .* killed while sending"):
            send_digest(cfg, st, next_day, tz)
        assert send_digest(cfg, st, next_day, tz, force=True) is not None and len(handler.envelopes) == 2
    finally:
        controller.stop()
        st.close()
