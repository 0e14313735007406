"""Fault injection against a real localhost server: every fault kind is survived, recorded with its kind, and
retried only when retrying can help. Good sources in the same run still land."""

from dataclasses import replace

import pytest
from faultserver import ARTICLE, FaultServer

from crawler import load_sources
from pilotwatch.config import load_config
from pilotwatch.pipeline import build_client, run_pipeline
from store import open_store


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory, sample_hosts):
    """One faulty run shared by the tests below (in file order: later tests run more passes on the same store)."""
    tmp_path = tmp_path_factory.mktemp("faults")
    config = load_config(env={}, overrides={"db": str(tmp_path / "pw.db"), "digest_dir": str(tmp_path / "d"),
                                            "delay": 0.0, "retries": 1, "timeout": 0.5, "max_bytes": 1_000_000,
                                            "max_attachments": 0})
    with FaultServer() as server:
        good = [replace(s.rebased(sample_hosts), delay=0.0) for s in load_sources()]
        st = open_store(config.db)
        with build_client(config) as client:
            report = run_pipeline(config, sources=good + server.sources(), client=client, store=st, mode="demo",
                                  digest_dir=tmp_path / "d")
        yield report, st, server, config
        st.close()


def failure_kinds(st):
    return {(r["source"], r["stage"], r["kind"]) for r in st.query("SELECT source, stage, kind FROM failures")}


def article(kind, n=1):
    return ARTICLE.format(kind=kind, n=n)


def test_run_finishes_and_good_articles_land(fault_run):
    report, st, server, _ = fault_run
    urls = {r["url"] for r in st.query("SELECT url FROM articles")}
    assert sum(1 for u in urls if "127.0.0.1" in u and "/ok/" not in u and "_" in u) >= 10  # the whole sample site
    for kind in ("ok", "retry_429", "lying_charset", "malformed", "etag"):
        assert server.url(kind, article(kind)) in urls, kind
    assert report.exit_code == 1  # some sources failed, most did not


def test_each_fault_is_recorded_with_its_kind(fault_run):
    _, st, _, _ = fault_run
    kinds = failure_kinds(st)
    expected = {
        ("f_always_503", "fetch", "server"),
        ("f_article_403", "fetch", "blocked"),
        ("f_list_412", "list", "blocked"),
        ("f_list_521", "list", "blocked"),
        ("f_timeout", "fetch", "timeout"),
        ("f_truncated", "fetch", "network"),
        ("f_oversized", "fetch", "too_large"),
        ("f_redirect_loop", "fetch", "redirects"),
        ("f_empty_list", "list", "empty_list"),
        ("f_robots", "list", "robots"),
        ("f_offsite_redirect", "fetch", "offsite"),
    }
    assert expected <= kinds, expected - kinds
    sources_failing = {r["name"] for r in st.source_health() if r["failing"]}
    assert {"f_list_412", "f_list_521", "f_empty_list", "f_robots"} <= sources_failing
    # a 403 on an article closes that path family, not the source: its list was read, so the source itself is fine
    assert "f_article_403" not in sources_failing
    assert not any(s.startswith(("f_ok", "f_etag")) for s in sources_failing)


def test_nothing_is_retried_that_should_not_be(fault_run):
    _, _, server, config = fault_run
    retries = config.retries
    assert server.hits[article("retry_429")] == 2  # 429 once, then success
    assert server.hits[article("always_503")] == 1 + retries
    assert server.hits[article("timeout")] == 1 + retries
    assert server.hits[article("truncated")] == 1 + retries
    for never_retried in ("article_403", "oversized"):
        assert server.hits[article(never_retried)] == 1, never_retried
    assert server.hits["/list_412/list.html"] == 1 and server.hits["/list_521/list.html"] == 1
    assert server.hits["/robots/list.html"] == 0  # disallowed by robots.txt: never requested
    assert server.hits["/robots.txt"] == len(server.servers)  # read once per host, then cached
    assert server.hits[article("redirect_loop")] == 6  # the first request plus five hops, then given up


def test_blocked_sources_back_off_and_are_not_contacted_again(fault_run, sample_hosts):
    report, st, server, config = fault_run
    blocked = {r["name"]: r["blocked_until"] for r in st.source_health() if r["blocked_until"]}
    assert set(blocked) == {"f_list_412", "f_list_521"}  # every list of theirs was walled off
    assert set(report.blocked) == set(blocked)
    families = {r["source"]: r["scope"].partition("/")[2] for r in st.query("SELECT source, scope FROM blocked_paths")}
    assert families == {"f_article_403": "article_403", "f_list_412": "list_412", "f_list_521": "list_521"}
    before = dict(server.hits)
    with build_client(config) as client:
        again = run_pipeline(config, sources=server.sources(), client=client, store=st, mode="demo",
                             digest_dir=config.digest_dir)
    for path in ("/list_412/list.html", "/list_521/list.html", "/article_403/list.html"):
        assert server.hits[path] == before.get(path, 0), path  # backing off: no request at all
    assert {"f_list_412", "f_list_521", "f_article_403"} <= set(again.blocked)
    assert ("f_list_412", "list", "backoff") in failure_kinds(st)


def test_lying_charset_and_malformed_html_are_read_correctly(fault_run):
    _, st, server, _ = fault_run
    row = st.query("SELECT body_zh, encoding FROM articles WHERE url = ?", [server.url("lying_charset", article("lying_charset"))])[0]
    assert "王镕" in row["body_zh"] and row["encoding"] == "gb18030"
    body = st.query("SELECT body_zh FROM articles WHERE url = ?", [server.url("malformed", article("malformed"))])[0]["body_zh"]
    assert "到2027年" in body


def test_rerun_makes_no_article_requests_and_uses_conditional_get(fault_run):
    _, st, server, config = fault_run
    ok_sources = [s for s in server.sources() if s.name in ("f_ok", "f_etag", "f_lying_charset")]
    before = dict(server.hits)
    with build_client(config) as client:
        again = run_pipeline(config, sources=ok_sources, client=client, store=st, mode="demo",
                             digest_dir=config.digest_dir)
    assert again.articles_new == 0 and again.exit_code == 0
    article_requests = {p: n - before.get(p, 0) for p, n in server.hits.items() if p.endswith(".html") and "list" not in p}
    assert sum(article_requests.values()) == 0
    lst = st.list_state(server.url("etag", "/etag/list.html"))
    assert lst["last_status"] == 304 and lst["items_found"] == 1  # unchanged: answered 304, counts kept
