"""Subscriptions end to end: config errors, e-mail per subscriber through a real SMTP server (aiosmtpd), webhooks to
a real localhost server (retries, failures, a run killed mid-delivery), Atom feeds and the dry run."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import subprocess
import sys
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_pipeline import local_sources, run_once
from test_send import start_server

from pilotwatch.cli import cli
from pilotwatch.config import ConfigError, load_config
from store import open_store

ROOT = Path(__file__).resolve().parents[1]
ADDRESSES = ("ann@example.com", "bob@example.com", "cy@example.com")
# two subscribers: Ann follows Jiangsu (named in Chinese), Bob and Cy the chemicals sector in Shanghai
TWO = """
[[subscriptions]]
name = "jiangsu-desk"
recipients = ["Ann Analyst <ann@example.com>"]
provinces = ["江苏"]

[[subscriptions]]
name = "chem-shanghai"
recipients = ["bob@example.com", "cy@example.com"]
sectors = ["chemicals"]
provinces = ["Shanghai"]
"""


def write_config(tmp_path: Path, body: str, **settings) -> Path:
    base = {"db": str(tmp_path / "pw.db"), "digest_dir": str(tmp_path / "digests"), "feed_dir": str(tmp_path / "feeds"),
            "delay": 0.0, "retries": 0, "webhook_backoff": 0.0, **settings}
    lines = [f"{k} = {json.dumps(v)}" for k, v in base.items()]
    path = tmp_path / "pilotwatch.toml"
    path.write_text("\n".join(lines) + "\n" + body, encoding="utf-8")
    return path


def smtp_settings(controller) -> dict:
    return {"smtp_host": "127.0.0.1", "smtp_port": controller.port, "smtp_security": "none",
            "smtp_from": "PilotWatch <pw@example.org>", "smtp_timeout": 5.0}


def messages(handler) -> list[tuple[list[str], email.message.EmailMessage, bytes]]:
    return [(list(e.rcpt_tos), email.message_from_bytes(e.content, policy=email.policy.default), e.content)
            for e in handler.envelopes]


def body_text(msg: email.message.EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


# --- configuration ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("table, fault", [
    ('name = "a"\ncolour = "red"', "subscriptions[a]: unknown key(s): colour"),
    ('name = "a"\ncadence = "hourly"', "subscriptions[a].cadence: must be one of daily, weekly, immediate"),
    ('name = "a"\nsectors = ["steel"]', "subscriptions[a].sectors: unknown sector 'steel'"),
    ('name = "a"\nprovinces = ["Atlantis"]', "subscriptions[a].provinces: 'Atlantis' is not a province"),
    ('name = "a"\nevents = ["rumoured"]', "subscriptions[a].events: unknown event(s) 'rumoured'"),
    ('name = "a"\nwebhook_url = "http://hooks.example.org/x"', "subscriptions[a].webhook_url: http sends the token"),
    ('name = "a"\nwebhook_url_env = "PW_TEST_UNSET_HOOK"', "subscriptions[a].webhook_url_env: environment variable"),
    ('name = "a"\nrecipients = ["not an address"]', "subscriptions[a].recipients"),
    ('name = "a"\nquery = "x\\ny"', "subscriptions[a].query"),
    ('name = "../etc"', "subscriptions[../etc].name: required, letters"),
    ('recipients = ["a@example.org"]', "subscriptions[0].name: required"),
    ('name = "a"\n[[subscriptions]]\nname = "A"', "subscriptions[A].name: 'A' is used by another subscription"),
])
def test_bad_subscription_names_the_subscription_and_key(tmp_path, table, fault):
    path = write_config(tmp_path, f"[[subscriptions]]\n{table}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert str(path) in str(err.value) and fault in str(err.value)


def test_subscriptions_parse_spellings_and_keep_the_webhook_out_of_repr(tmp_path):
    path = write_config(tmp_path, TWO + """
[[subscriptions]]
name = "hook"
sectors = ["Chemicals"]
events = ["listed", "opened"]
cadence = "immediate"
email = false
webhook_url_env = "PW_HOOK"
""")
    config = load_config(path, env={"PW_HOOK": "https://hooks.example.org/services/T1/B2/sekrit-token"})
    desk, chem, hook = config.subscriptions
    assert desk.provinces == ("Jiangsu",) and desk.recipients == ("Ann Analyst <ann@example.com>",)
    assert chem.sectors == ("chemicals",) and hook.sectors == ("chemicals",)
    assert hook.webhook_url.endswith("sekrit-token") and "sekrit-token" not in repr(config)
    assert "platform events listed, opened" in hook.follows and desk.cadence == "daily"
    assert load_config(write_config(tmp_path, ""), env={}).subscriptions == ()


# --- e-mail ----------------------------------------------------------------------------------------------------

@pytest.fixture
def smtp():
    controller, handler = start_server()
    yield controller, handler
    controller.stop()


def test_each_subscriber_gets_only_their_items_sees_no_other_address_and_a_rerun_mails_nothing(
        tmp_path, sample_hosts, smtp):
    controller, handler = smtp
    config = load_config(write_config(tmp_path, TWO, **smtp_settings(controller)), env={})
    sources = local_sources(sample_hosts)
    report = run_once(config, sources, tmp_path)
    assert report.exit_code == 0, report.summary()
    got = messages(handler)
    assert sorted(r for rcpts, _, _ in got for r in rcpts) == sorted(ADDRESSES)  # one mail each, nothing global
    by_rcpt = {rcpts[0]: (msg, raw) for rcpts, msg, raw in got}
    for rcpts, msg, raw in got:
        assert len(rcpts) == 1 and msg["To"].addresses[0].addr_spec == rcpts[0] and len(msg["To"].addresses) == 1
        others = [a for a in ADDRESSES if a != rcpts[0]]
        assert not any(a.encode() in raw for a in others), f"{rcpts[0]}'s mail names another subscriber"
        assert "Bcc" not in msg and "Cc" not in msg

    ann = body_text(by_rcpt["ann@example.com"][0])
    bob = body_text(by_rcpt["bob@example.com"][0])
    assert "You follow: provinces Jiangsu." in ann and "jiangsu-desk" in by_rcpt["ann@example.com"][0]["Subject"]
    assert "Jiangsu" in ann and "Shanghai" not in ann and "Guangdong" not in ann
    assert "Shanghai" in bob and "Jiangsu" not in bob and "Chemicals" in bob
    assert body_text(by_rcpt["cy@example.com"][0]) == bob  # same share, each in a mail of their own

    again = run_once(config, sources, tmp_path)
    assert again.exit_code == 0 and len(handler.envelopes) == 3  # same period, nothing new: nobody is mailed
    st = open_store(config.db)
    rows = st.query("SELECT subscription, target, status, attempts FROM deliveries ORDER BY target")
    assert [(r["target"], r["status"], r["attempts"]) for r in rows] == [(a, "sent", 1) for a in ADDRESSES]


def test_operator_gets_source_health_and_analysts_a_one_line_notice(tmp_path, sample_hosts, smtp):
    controller, handler = smtp
    config = load_config(write_config(tmp_path, TWO, operator_recipients=["ops@example.com"],
                                      **smtp_settings(controller)), env={})
    # one source is down, and without its fallback lists nothing serves it
    sources = [replace(s, lists=s.primary_lists) if s.name == "ndrc" else s
               for s in local_sources({**sample_hosts, "www.ndrc.gov.cn": "http://127.0.0.1:9"})]
    report = run_once(config, sources, tmp_path)
    assert report.sources_failed == ["ndrc"], report.summary()
    by_rcpt = {rcpts[0]: msg for rcpts, msg, _ in messages(handler)}
    ops = body_text(by_rcpt["ops@example.com"])
    assert "operator" in by_rcpt["ops@example.com"]["Subject"] and "1 source unhealthy" in by_rcpt[
        "ops@example.com"]["Subject"]
    assert "== Sources ==" in ops and re.search(r": failing — failing \(\w+\)", ops)
    assert re.search(r"list/\w+ \(ndrc\): \d+×", ops)
    ann = body_text(by_rcpt["ann@example.com"])
    assert "Source health" not in ann and "== Source health ==" not in ann
    assert "Sources: 1 of" in ann and "down or stale" in ann and "ann@example.com" not in ops

    run_once(config, sources, tmp_path)  # the same day: the operator is told once
    assert sum(r == ["ops@example.com"] for r, _, _ in messages(handler)) == 1


# --- webhooks --------------------------------------------------------------------------------------------------

class Hook:
    """A localhost webhook receiver: answers each POST from `script` (status codes, then 200s), records every
    request, and acknowledges a key once (what a receiver that dedupes by Idempotency-Key would show)."""

    def __init__(self, script=(), kill_on=None):
        self.script, self.kill_on, self.pid = list(script), kill_on, None
        self.requests: list[dict] = []
        self.acked: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.requests.append({"path": self.path, "key": self.headers["Idempotency-Key"], "body": body})
                if hook.kill_on is not None and len(hook.requests) == hook.kill_on and hook.pid:
                    os.kill(hook.pid, signal.SIGKILL)  # the sender dies before it hears an answer
                    self.close_connection = True
                    return
                status = hook.script.pop(0) if hook.script else 200
                if status == 200 and all(a["key"] != body["key"] for a in hook.acked):
                    hook.acked.append({"path": self.path, "key": self.headers["Idempotency-Key"], "body": body})
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook_factory():
    hooks = []

    def make(*args, **kw):
        hooks.append(Hook(*args, **kw))
        return hooks[-1]
    yield make
    for h in hooks:
        h.close()


def hook_config(tmp_path, url, *, cadence="daily", **settings):
    return load_config(write_config(tmp_path, f"""
[[subscriptions]]
name = "listings"
events = ["listed"]
cadence = "{cadence}"
webhook_url = "{url}/services/T0001/B0002/SECRETTOKEN123"
""", **settings), env={})


def test_webhook_failing_twice_then_succeeding_is_delivered_once_with_its_retries_recorded(
        tmp_path, sample_hosts, hook_factory):
    hook = hook_factory(script=[503, 429])
    config = hook_config(tmp_path, hook.url)
    sources = local_sources(sample_hosts)
    report = run_once(config, sources, tmp_path)
    assert report.exit_code == 0 and report.deliveries_sent == 1, report.summary()
    assert len(hook.requests) == 3 and len({r["key"] for r in hook.requests}) == 1  # one key on every try
    body = hook.acked[0]["body"]
    assert body["subscription"] == "listings" and body["text"].startswith("*PilotWatch — listings*")
    assert body["items"] and {i["type"] for i in body["items"]} == {"platform_event"}
    assert {i["event"] for i in body["items"]} == {"listed"} and len({i["id"] for i in body["items"]}) == len(body["items"])
    assert all(i["platform"]["name"] for i in body["items"])

    st = open_store(config.db)
    (row,) = st.query("SELECT * FROM deliveries")
    assert (row["status"], row["attempts"], row["http_status"], row["payload"]) == ("sent", 3, 200, None)
    assert row["target"].startswith(f"{hook.url}/…#") and "SECRETTOKEN123" not in json.dumps(row)
    assert len(json.loads(row["items"])) == len(body["items"])

    again = run_once(config, sources, tmp_path)  # same day, nothing new: no POST
    assert again.exit_code == 0 and len(hook.requests) == 3


def test_immediate_webhook_posts_only_new_events_each_run(tmp_path, sample_hosts, hook_factory):
    hook = hook_factory()
    config = hook_config(tmp_path, hook.url, cadence="immediate")
    sources = local_sources(sample_hosts)
    run_once(config, sources, tmp_path)
    run_once(config, sources, tmp_path)  # a new period (run), but every item was delivered: nothing to post
    assert len(hook.requests) == 1


def test_a_failing_endpoint_is_recorded_reported_and_resent_later_without_stopping_the_run(
        tmp_path, sample_hosts, hook_factory):
    from pilotwatch.health import doctor

    hook = hook_factory(script=[500] * 2)
    config = hook_config(tmp_path, hook.url, webhook_retries=1)
    sources = local_sources(sample_hosts)
    report = run_once(config, sources, tmp_path)
    assert report.exit_code == 1 and report.deliveries_failed == 1 and report.articles_new > 0
    assert report.digest_paths[0].exists() and (tmp_path / "feeds" / "listings.xml").exists()
    assert f"listings → webhook {hook.url}/…#" in report.summary() and "http_500" in report.summary()
    assert "SECRETTOKEN123" not in report.summary()
    st = open_store(config.db)
    (failure,) = st.query("SELECT * FROM failures WHERE stage = 'deliver'")
    assert failure["kind"] == "http_500" and "SECRETTOKEN123" not in failure["message"]
    checks = [c for c in doctor(str(tmp_path / "pilotwatch.toml"), offline=True) if c.what.startswith("delivery")]
    assert len(checks) == 1 and not checks[0].ok and "http_500" in checks[0].detail
    assert "SECRETTOKEN123" not in str(checks[0])

    again = run_once(config, sources, tmp_path)  # the endpoint recovered: the same delivery, the same key
    assert again.deliveries_sent == 1 and again.exit_code == 0
    assert len({r["key"] for r in hook.requests}) == 1 and len(hook.acked) == 1
    assert not [c for c in doctor(str(tmp_path / "pilotwatch.toml"), offline=True) if c.what.startswith("delivery")]


def test_a_run_killed_mid_delivery_delivers_each_event_exactly_once_when_rerun(tmp_path, sample_hosts, hook_factory):
    hook = hook_factory(kill_on=2)
    path = write_config(tmp_path, f"""
[[subscriptions]]
name = "listed"
events = ["listed"]
webhook_url = "{hook.url}/a"

[[subscriptions]]
name = "jiangsu"
provinces = ["Jiangsu"]
webhook_url = "{hook.url}/b"
""")
    env = {**os.environ, "CRASHRUN_CONFIG": str(path)}
    args = [sys.executable, str(ROOT / "tests" / "crashrun.py"), str(tmp_path / "pw.db"), str(tmp_path / "digests"),
            json.dumps(sample_hosts)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    hook.pid = proc.pid
    proc.communicate(timeout=600)
    assert proc.returncode == -signal.SIGKILL and len(hook.requests) == 2 and len(hook.acked) == 1
    st = open_store(tmp_path / "pw.db")
    assert [r["status"] for r in st.query("SELECT status FROM deliveries ORDER BY id")] == ["sent", "sending"]
    st.close()

    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert len(hook.requests) == 3 and hook.requests[2]["key"] == hook.requests[1]["key"]  # re-sent, same key
    for path_ in ("/a", "/b"):
        acked = [a for a in hook.acked if a["path"] == path_]
        ids = [i["id"] for a in acked for i in a["body"]["items"]]
        assert len(acked) == 1 and ids and len(ids) == len(set(ids))
    listed = hook.acked[0]["body"]["items"] if hook.acked[0]["path"] == "/a" else hook.acked[1]["body"]["items"]
    st = open_store(tmp_path / "pw.db")
    assert len(listed) == st.query("SELECT count(DISTINCT p.key || '|' || e.article_id) AS n FROM platform_events e "
                                   "JOIN platforms p ON p.id = e.platform_id WHERE e.event = 'listed' AND "
                                   "p.status != 'not_a_platform'")[0]["n"]


# --- feeds and the dry run ---------------------------------------------------------------------------------------

def test_each_subscription_gets_an_atom_feed_with_rel_self(tmp_path, sample_hosts):
    from xml.etree import ElementTree as ET

    config = load_config(write_config(tmp_path, TWO, feed_base_url="https://pw.example.org/feeds/"), env={})
    report = run_once(config, local_sources(sample_hosts), tmp_path)
    assert report.feeds == 2
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(tmp_path / "feeds" / "jiangsu-desk.xml").getroot()
    assert feed.find("a:link[@rel='self']", ns).get("href") == "https://pw.example.org/feeds/jiangsu-desk.xml"
    summaries = [e.findtext("a:summary", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert summaries and all("Jiangsu" in s for s in summaries)
    assert feed.findtext("a:id", namespaces=ns) == "urn:pilotwatch:subscription:jiangsu-desk"


def test_export_atom_takes_a_self_url(tmp_path, sample_hosts, config):
    run_once(config, local_sources(sample_hosts), tmp_path)
    out = CliRunner().invoke(cli, ["export", "--db", config.db, "--format", "atom", "--self-url",
                                   "https://pw.example.org/announcements.xml"])
    assert out.exit_code == 0, out.output
    assert '<link rel="self" href="https://pw.example.org/announcements.xml"' in out.output
    bad = CliRunner().invoke(cli, ["export", "--db", config.db, "--format", "csv", "--self-url", "https://x.org/a"])
    assert bad.exit_code == 2 and "--self-url" in bad.output


def test_dry_run_lists_what_each_would_receive_and_sends_nothing(tmp_path, sample_hosts, smtp):
    controller, handler = smtp
    path = write_config(tmp_path, TWO, **smtp_settings(controller))
    config = load_config(path, env={})
    sources = local_sources(sample_hosts)
    # a run that mails no-one (no SMTP host) fills the database
    run_once(load_config(path, env={}, overrides={"smtp_host": ""}), sources, tmp_path)
    st = open_store(config.db)
    out = CliRunner().invoke(cli, ["--config", str(path), "subscriptions"])
    assert out.exit_code == 0, out.output
    assert "jiangsu-desk  daily" in out.output and "chem-shanghai  daily" in out.output
    assert "email ann@example.com: 1 new item would be sent" in out.output
    assert "follows: provinces Jiangsu" in out.output and "• on the list: " in out.output
    assert handler.envelopes == [] and st.query("SELECT count(*) AS n FROM deliveries")[0]["n"] == 0

    run_once(config, sources, tmp_path)
    out = CliRunner().invoke(cli, ["--config", str(path), "subscriptions", "--name", "jiangsu-desk", "--json"])
    (row,) = [json.loads(line) for line in out.output.splitlines()]
    assert row["name"] == "jiangsu-desk" and row["channels"][0]["period_done"] is True and len(row["items"]) == 1
    unknown = CliRunner().invoke(cli, ["--config", str(path), "subscriptions", "--name", "nobody"])
    assert unknown.exit_code == 1 and "no subscription named nobody" in unknown.output


# --- the pure selection (digest.alerts) ---------------------------------------------------------------------------

def event(**kw):
    base = {"key": "p1", "article_id": 7, "event": "listed", "part": "body", "start": 3, "sectors": '["enzymes"]',
            "province": "Tianjin", "name": "酶制剂中试平台", "url": "https://www.gov.cn/a.htm", "title_en": "List"}
    return {**base, **kw}


def test_filters_combine_with_and_values_with_or():
    from digest.alerts import Filters, match_article, match_event

    e = event()
    assert match_event(e, Filters(sectors=frozenset({"enzymes", "cosmetics"}), provinces=frozenset({"Tianjin"})))
    assert not match_event(e, Filters(sectors=frozenset({"enzymes"}), provinces=frozenset({"Hubei"})))
    assert not match_event(e, Filters(events=frozenset({"opened"})))
    assert not match_event(e, Filters(query_ids=frozenset({8})))
    tags = [{"field": "sector", "value": "energy"}, {"field": "city", "value": "Wuhan", "attrs": '{"province": "Hubei"}'}]
    row = {"id": 9, "is_platform_announcement": 1, "mentions_pilot_platform": 0, "tags": tags}
    assert match_article(row, Filters(provinces=frozenset({"Hubei"})))  # a city's province counts
    assert not match_article(row, Filters(events=frozenset({"listed"})))  # an events filter takes only events
    assert not match_article({**row, "is_platform_announcement": 0}, Filters())  # not platform news
    assert match_article({**row, "is_platform_announcement": 0}, Filters(query_ids=frozenset({9})))  # found


def test_one_item_per_platform_article_and_event_and_slack_text_is_escaped():
    from digest.alerts import items, webhook_payload

    got = items([{"id": 7, "url": "u", "tags": []}], [event(), event(part="attachment:1", start=0),
                                                      event(event="opened")])
    assert len(got) == 2 and {i["event"] for i in got.values()} == {"listed", "opened"}  # article 7 is told by them
    hostile = event(key="p2", name="<!channel> & <https://evil.example|click>")
    body = webhook_payload(subscription="s", follows="all", period="2026-12-07", key="k",
                           items=list(items([], [hostile]).values()))
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt; &amp;" in body["text"]
    assert "<https://www.gov.cn/a.htm|List>" in body["text"] and body["items"][0]["platform"]["name"].startswith("<!")


def test_the_readme_example_loads(tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Alerts"):]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path, env={"PILOTWATCH_SLACK_OPENINGS": "https://hooks.slack.com/services/T1/B2/x"})
    east, openings = config.subscriptions
    assert east.provinces == ("Jiangsu", "Zhejiang", "Shanghai") and east.recipients[1] == "Bo Li <bo@example.org>"
    assert openings.cadence == "immediate" and not openings.email and openings.webhook_url.startswith("https://")


def test_periods_follow_the_cadence():
    from datetime import date

    from pilotwatch.alerts import delivery_key, period
    from pilotwatch.config import Subscription

    monday, sunday = date(2026, 12, 7), date(2026, 12, 13)
    assert period(Subscription("d"), monday, 5)[0] == "2026-12-07"
    assert period(Subscription("w", cadence="weekly"), monday, 5)[0] == period(
        Subscription("w", cadence="weekly"), sunday, 9)[0] == "2026-W50"
    assert period(Subscription("i", cadence="immediate"), monday, 5)[0] == "run:5"
    key = delivery_key("i", "run:5", "webhook", "https://hooks.example.org/…#abc")
    assert ":" not in key and key.isascii() and " " not in key
