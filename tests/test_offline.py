"""A machine without network, a host that refuses connections, and what the operator reads about them (issue 19).

A host whose DNS lookup or TCP connect fails is tried once per run: no retries, no politeness pause, its other URLs
skipped as `unreachable`; a run that reaches no host at all ends in seconds with one line naming the cause. Failure
messages say their kind once and give the system's reason. Retries wait what Retry-After asks and are logged.
"""

import errno
import logging
import socket
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from click.testing import CliRunner
from test_pipeline import local_sources, run_once

from conftest import sample_expected
from crawler import FetchError, Politeness, Unreachable, fetch, offline_cause
from pilotwatch.cli import cli
from store import open_store

LIVE_HOSTS = {"www.news.cn", "www.stdaily.com", "www.miit.gov.cn", "www.ndrc.gov.cn", "www.gov.cn",
              "sousuo.www.gov.cn"}


def dead_port() -> int:
    """A localhost port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect_error(err: OSError) -> httpx.ConnectError:
    """What httpx raises when the socket layer fails to connect: the OSError is under it, as httpcore leaves it."""
    try:
        raise httpx.ConnectError(str(err)) from err
    except httpx.ConnectError as exc:
        return exc


def no_sleep(**kw):
    sleeps = []
    return Politeness(delay=kw.pop("delay", 0), obey_robots=False, sleep=sleeps.append, **kw), sleeps


# --- a whole run offline ---


def test_offline_run_ends_in_seconds_with_one_line_naming_the_cause(tmp_path, monkeypatch):
    """Every DNS lookup fails, as on a machine without network; retries 2 and the default 5 s delay per host apply.
    Before issue 19 this took about 5 minutes (every list tried three times, 5 s apart) and said nothing."""
    lookups = Counter()

    def no_dns(host, *args, **kwargs):
        lookups[host] += 1
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["run", "--db", str(tmp_path / "pw.db"), "--digest-dir", str(tmp_path / "d")])
    took = time.monotonic() - started
    assert result.exit_code == 2, result.output
    assert took < 15, took  # no retry and no politeness pause is spent on a dead host
    assert set(lookups) == LIVE_HOSTS and set(lookups.values()) == {1}, lookups  # each host tried once
    said = [line for line in result.output.splitlines() if "reachable" in line]
    assert said == ["no source reachable: DNS failed for all 6 hosts (is this machine offline?)"], result.output
    assert "sources 0 ok / 5 failed" in result.stdout

    st = open_store(str(tmp_path / "pw.db"))
    failures = st.query("SELECT source, stage, kind, message, url FROM failures")
    fetches = st.query("SELECT url, fault_kind, error FROM fetches")
    st.close()
    # the first URL of each host says what failed; the others were skipped without a request
    first = [f for f in failures if f["kind"] == "network"]
    assert len(first) == 6 and all(f["message"].startswith("DNS lookup failed: Name or service not known (")
                                   for f in first), first
    assert {f["kind"] for f in failures} == {"network", "unreachable"}
    assert len(fetches) == 6 and {f["error"] for f in fetches} == {"DNS lookup failed: Name or service not known"}


def test_a_host_refusing_connections_is_skipped_and_the_others_are_crawled(config, sample_hosts, tmp_path, caplog):
    """NDRC's host refuses connections: tried once (with retries 2), its other lists skipped; its fallback lists on
    gov.cn's search host and every other source are crawled. Checked in the failures and fetches tables."""
    port = dead_port()
    dead = f"127.0.0.1:{port}"
    sources = local_sources({**sample_hosts, "www.ndrc.gov.cn": f"http://{dead}"})
    asked = Counter()

    class Counting(httpx.HTTPTransport):
        def handle_request(self, request):
            asked[f"{request.url.host}:{request.url.port}"] += 1
            return super().handle_request(request)

    caplog.set_level(logging.INFO)
    report = run_once(replace(config, retries=2), sources, tmp_path, client=httpx.Client(transport=Counting()))
    assert asked[dead] == 1  # its robots.txt, not retried; no list or article asked after it
    assert report.via_fallback == ["ndrc"] and report.sources_failed == [] and report.offline == ""
    st = open_store(config.db)
    assert st.db["articles"].count == len(sample_expected()) - 2  # all but NDRC's own two notices
    failures = st.query("SELECT source, kind, message, url FROM failures")
    fetches = st.query("SELECT url, fault_kind, error FROM fetches WHERE error IS NOT NULL")
    st.close()

    ndrc = [f for f in failures if dead in f["url"]]
    assert [f["kind"] for f in ndrc] == ["network"] + ["unreachable"] * 3
    refused = "TCP connect failed: Connection refused (ECONNREFUSED)"
    assert ndrc[0]["message"] == f"{refused} ({ndrc[0]['url']})"
    assert all(f["message"].startswith(f"not asked: {dead} was unreachable earlier in this run ({refused})")
               for f in ndrc[1:])
    assert fetches == [{"url": ndrc[0]["url"], "fault_kind": "network", "error": refused}]
    for row in failures:  # the kind is a column; the message never repeats it
        assert not row["message"].startswith(f"{row['kind']}:") and "network: network" not in row["message"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and dead in r.getMessage()]
    host_warnings = [m for m in warnings if "skipping it for this run" in m]
    assert host_warnings == [f"{dead} unreachable ({refused}) — skipping it for this run"]
    assert not any("unreachable earlier" in m for m in warnings)  # the skipped lists are logged at INFO only


def test_offline_cause_names_the_reason_only_when_no_host_answered():
    dns, refused = Unreachable("DNS", "Name or service not known"), Unreachable("connect", "Connection refused")
    assert offline_cause(["a", "b"], {"a": dns, "b": dns}) == \
        "no source reachable: DNS failed for all 2 hosts (is this machine offline?)"
    assert offline_cause(["a"], {"a": dns}) == "no source reachable: DNS failed for a (is this machine offline?)"
    assert offline_cause(["a", "b"], {"a": dns, "b": refused}) == (
        "no source reachable: no connection to all 2 hosts (DNS lookup failed: Name or service not known; "
        "TCP connect failed: Connection refused)")
    assert offline_cause(["a", "b"], {"a": dns}) is None  # b answered
    assert offline_cause([], {}) is None


# --- one fetch ---


def test_dns_failure_is_not_retried_and_the_host_is_not_asked_again():
    requests = []

    def handler(request):
        requests.append(request.url.host)
        if request.url.host == "www.ndrc.gov.cn":
            raise connect_error(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
        return httpx.Response(200, text="ok")

    client = httpx.Client(transport=httpx.MockTransport(handler))
    politeness, sleeps = no_sleep(delay=5.0)
    allowed = {"www.ndrc.gov.cn", "www.gov.cn"}
    with pytest.raises(FetchError) as err:
        fetch(client, "https://www.ndrc.gov.cn/a", allowed_hosts=allowed, politeness=politeness, retries=3)
    assert err.value.kind == "network" and err.value.message == "DNS lookup failed: Name or service not known"
    assert requests == ["www.ndrc.gov.cn"] and sleeps == []  # not retried
    with pytest.raises(FetchError) as err:
        fetch(client, "https://www.ndrc.gov.cn/b", allowed_hosts=allowed, politeness=politeness, retries=3)
    assert err.value.kind == "unreachable" and requests == ["www.ndrc.gov.cn"] and sleeps == []
    assert "Name or service not known" in str(err.value)
    fetch(client, "https://www.gov.cn/c", allowed_hosts=allowed, politeness=politeness)  # another host is asked
    assert requests == ["www.ndrc.gov.cn", "www.gov.cn"]


def test_transport_errors_give_the_system_reason_and_the_kind_once():
    reset = ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
    politeness, sleeps = no_sleep()

    def handler(request):
        try:
            raise reset
        except OSError as exc:
            raise httpx.ReadError(str(exc)) from exc

    with pytest.raises(FetchError) as err:
        fetch(httpx.Client(transport=httpx.MockTransport(handler)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness, retries=1)
    # a broken connection is no reason to give up the host: retried, and the host stays askable
    assert err.value.kind == "network" and len(sleeps) == 1 and not politeness.unreachable
    assert str(err.value) == "Connection reset by peer (ECONNRESET) (https://www.ndrc.gov.cn/a)"


# --- Retry-After ---


def test_503_with_retry_after_is_retried_after_that_wait_and_logged(caplog):
    times = []

    def handler(request):
        times.append(time.monotonic())
        if len(times) == 1:
            return httpx.Response(503, headers={"Retry-After": "1"})
        return httpx.Response(200, text="ok")

    caplog.set_level(logging.INFO, logger="crawler.fetch")
    f = fetch(httpx.Client(transport=httpx.MockTransport(handler)), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, retries=2, backoff=0.01, deadline=30)
    assert f.status == 200 and len(times) == 2
    assert 0.95 <= times[1] - times[0] < 2.0, times  # the server's second, not the 0.01 s backoff
    assert "GET https://www.ndrc.gov.cn/a: HTTP 503, retry 1 of 2 in 1 s (Retry-After)" in caplog.messages


def test_retry_after_as_a_date_and_beyond_the_deadline():
    def answers(*responses):
        queue = list(responses)
        return httpx.Client(transport=httpx.MockTransport(lambda r: queue.pop(0)))

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    politeness, sleeps = no_sleep()
    fetch(answers(httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200)),
          "https://www.ndrc.gov.cn/a", allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness, deadline=120)
    assert len(sleeps) == 1 and 28 < sleeps[0] <= 30, sleeps

    politeness, sleeps = no_sleep()
    with pytest.raises(FetchError) as err:  # asks an hour of a 120 s deadline: given up at once, not slept
        fetch(answers(httpx.Response(503, headers={"Retry-After": "3600"})), "https://www.ndrc.gov.cn/a",
              allowed_hosts={"www.ndrc.gov.cn"}, politeness=politeness, deadline=120)
    assert err.value.kind == "server" and sleeps == []
    assert err.value.message.startswith("HTTP 503; not retried: Retry-After asks 3600 s, more than the 1")
    assert "s left of the total deadline of 120 s" in err.value.message
