"""The crawl's decisions, with plain values: no store, no network, no clock."""

from datetime import UTC, datetime, timedelta

import pytest

from crawler import Link, ListSpec, Source, policy

NOW = datetime(2025, 12, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("url, scope", [
    ("https://www.gov.cn/zhengce/zhengceku/202512/content_7052311.htm", "www.gov.cn/zhengce/zhengceku"),
    ("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", "www.gov.cn/zhengce/zuixin"),
    ("https://www.gov.cn/zhengce/202603/content_7063468.htm", "www.gov.cn/zhengce"),  # stops at the dated directory
    ("https://www.ndrc.gov.cn/xxgk/zcfb/tz/", "www.ndrc.gov.cn/xxgk/zcfb"),  # at most two names
    ("https://www.news.cn/20260927/15e7281f/c.html", "www.news.cn"),
    ("https://www.gov.cn/robots.txt", "www.gov.cn/*"),  # a wall in front of robots.txt closes the host
])
def test_an_anti_bot_answer_closes_its_path_family(url, scope):
    assert policy.block_scope(url) == scope


def test_a_closed_family_leaves_its_neighbours_open():
    closed = {"www.gov.cn/zhengce/zhengceku": "2025-12-23T00:00:00+00:00"}
    assert policy.scope_blocked("https://www.gov.cn/zhengce/zhengceku/202601/content_1.htm", closed)
    assert policy.scope_blocked("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", closed) is None
    assert policy.scope_blocked("https://sousuo.www.gov.cn/search-gov/data?p=1", closed) is None
    host_wide = {"www.gov.cn/*": "2025-12-23T00:00:00+00:00"}
    assert policy.scope_blocked("https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json", host_wide) == "www.gov.cn/*"


def test_lasting_faults_are_final_transient_ones_are_retried():
    assert all(policy.is_lasting(k) for k in ("gone", "http", "parse", "too_large", "offsite", "robots", "redirects"))
    assert not any(policy.is_lasting(k) for k in ("timeout", "network", "server", "blocked", "backoff"))


def test_fallback_lists_serve_only_when_every_primary_list_failed():
    assert not policy.needs_fallback(primary_read=2, primary_failed=1, has_fallback=True)
    assert policy.needs_fallback(primary_read=2, primary_failed=2, has_fallback=True)
    assert not policy.needs_fallback(primary_read=2, primary_failed=2, has_fallback=False)
    assert policy.lists_outcome(2, 1) == policy.lists_outcome(2, 1, 0, 0)
    assert policy.lists_outcome(2, 1).ok and not policy.lists_outcome(2, 1).via_fallback
    served = policy.lists_outcome(1, 1, fallback_read=1, fallback_failed=0)
    assert served.ok and served.via_fallback
    assert not policy.lists_outcome(1, 1, fallback_read=1, fallback_failed=1).ok
    assert not policy.lists_outcome(0, 0).ok  # a source without lists never "succeeds"


def test_conditional_headers_come_from_the_last_validators():
    assert policy.conditional_headers({}) == {}
    assert policy.conditional_headers({"etag": '"abc"', "last_modified": None}) == {"If-None-Match": '"abc"'}
    assert policy.conditional_headers({"etag": None, "last_modified": "Mon, 22 Dec 2025 01:00:00 GMT"}) == {
        "If-Modified-Since": "Mon, 22 Dec 2025 01:00:00 GMT"}


def test_links_to_fetch_keeps_order_drops_repeats_known_and_hopeless():
    links = [Link("https://a/1"), Link("https://a/2"), Link("https://a/1", "again"), Link("https://a/3"),
             Link("https://a/4")]
    got = policy.links_to_fetch(links, known={"https://a/2"}, hopeless={"https://a/4"})
    assert [link.url for link in got] == ["https://a/1", "https://a/3"] and got[0].title == ""


def test_fragment_hash_changes_with_the_links_and_their_order():
    a, b = Link("https://a/1"), Link("https://a/2")
    assert policy.fragment_hash([a, b]) == policy.fragment_hash([Link("https://a/1", "other title"), b])
    assert policy.fragment_hash([a, b]) != policy.fragment_hash([b, a])


def test_recheck_decisions():
    assert policy.recheck_cutoff(NOW, 7) == "2025-12-15T12:00:00+00:00"
    assert policy.unchanged_page(304, "x", "y") and policy.unchanged_page(200, "same", "same") and not policy.unchanged_page(200, "a", "b")
    stored = {"body_sha256": "b1", "title_zh": "通知"}
    assert not policy.edited({"body_sha256": "b1", "title_zh": "通知", "raw_sha256": "other chrome"}, stored)
    assert policy.edited({"body_sha256": "b2", "title_zh": "通知"}, stored)
    assert policy.edited({"body_sha256": "b1", "title_zh": "通知（更正）"}, stored)


def test_a_shared_host_is_paced_by_its_slowest_source():
    def src(name, base, delay, lists=()):
        return Source(name=name, label=name, base=base, article_pattern="x", lists=tuple(lists), delay=delay)

    miit = src("miit", "https://www.miit.gov.cn", 8.0,
               [ListSpec(url="https://sousuo.www.gov.cn/s.json", kind="json", fallback=True)])
    govcn = src("govcn", "https://sousuo.www.gov.cn", 3.0)
    assert policy.host_delays([miit, govcn], default=5.0) == {"www.miit.gov.cn": 8.0, "sousuo.www.gov.cn": 5.0}


@pytest.mark.parametrize("row, status", [
    ({}, "never run"),
    ({"last_ok_at": "2025-12-22T01:00:00+00:00"}, "ok"),
    ({"last_ok_at": "2025-12-18T01:00:00+00:00"}, "stale"),
    ({"last_ok_at": "2025-12-22T01:00:00+00:00", "last_error_at": "2025-12-22T02:00:00+00:00"}, "failing"),
    ({"last_ok_at": "2025-12-22T03:00:00+00:00", "last_error_at": "2025-12-22T02:00:00+00:00"}, "ok"),
    ({"last_ok_at": "2025-12-22T01:00:00+00:00", "last_error_at": "2025-12-22T02:00:00+00:00",
      "blocked_until": "2025-12-23T02:00:00+00:00"}, "blocked"),
    # the back-off ended: the source is judged by its last attempts, not reported blocked for ever
    ({"last_ok_at": "2025-12-22T01:00:00+00:00", "blocked_until": "2025-12-22T02:00:00+00:00"}, "ok"),
    ({"last_error_at": "2025-12-22T02:00:00+00:00"}, "failing"),
])
def test_one_rule_decides_a_sources_status(row, status):
    got = policy.source_status(row, NOW)
    assert got.status == status
    assert (got.blocked_until is not None) == (status == "blocked")


def test_status_reports_days_since_success():
    got = policy.source_status({"last_ok_at": "2025-12-15T01:00:00+00:00"}, NOW)
    assert got.stale and got.days_since_ok(NOW) == 7
    assert policy.source_status({"last_ok_at": "2025-12-22T01:00:00+00:00"}, NOW + timedelta(days=3, minutes=660)).stale


def test_an_attachment_whose_reading_never_ends_is_given_up_after_three_attempts():
    assert [policy.attachment_given_up(n) for n in range(5)] == [False, False, False, True, True]
    assert policy.read_again_later("crashed")  # the worker died: maybe the machine, not the file
    assert not any(policy.read_again_later(s) for s in ("too_slow", "too_big", "ok", "error", "no_text"))


def test_a_page_that_overruns_the_parsing_budget_is_a_lasting_fault():
    assert all(policy.is_lasting(kind) for kind in ("too_slow", "too_big", "crashed", "parse"))
    assert not policy.is_lasting("timeout") and not policy.is_lasting("server")
