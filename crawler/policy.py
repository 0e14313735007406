"""Crawl decisions as pure functions: each takes the state it needs and returns what to do.

No I/O and no clock here (`now` is an argument), so every rule is tested with plain values; the pipeline applies the
answer and records the outcome. The rules:

    block_scope        which path family an anti-bot answer closes for the back-off (not the whole host)
    lists_outcome      which lists serve (primary, fallback) and whether the source failed
    conditional_headers / fragment_hash   incremental list reads and re-checks
    links_to_fetch     deduplicated links not stored yet and not hopeless
    LASTING_KINDS      faults that are an item's final state (everything else is retried next run)
    attachment_given_up / read_again_later   an attachment whose reading never finishes is not read forever
    recheck_cutoff / recheck_verdict      when a stored document is due and whether it changed
    source_status      the one answer to "how is this source doing" (CLI, digest, doctor)
    offline_cause      whether a run reached no host at all, and why, in one line for the operator
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .discover import Link
from .fetch import Unreachable, host_of

# Faults that will not heal by asking again soon: an article failing with one of these in HOPELESS_AFTER_RUNS runs is
# not fetched again, and an attachment failing with one keeps it as its final state. too_slow, too_big and crashed:
# the page's parsing overran the worker's budget or killed it (sandbox.py), at a cost of up to parse_timeout each run.
LASTING_KINDS = frozenset({"gone", "http", "parse", "too_large", "offsite", "robots", "redirects",
                           "too_slow", "too_big", "crashed"})
HOPELESS_AFTER_RUNS = 3
# An anti-bot answer ("blocked") closes a path family for the back-off; asking there meanwhile fails as "backoff".
BLOCKING_KINDS = frozenset({"blocked", "backoff"})
STALE_AFTER = timedelta(days=3)  # a source with no successful crawl for this long is flagged stale


def parse_time(value: Any) -> datetime | None:
    """An ISO timestamp from the store as an aware datetime (naive ones are UTC); None when absent or malformed."""
    try:
        t = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return t.replace(tzinfo=t.tzinfo or UTC) if t else None


_DATED = re.compile(r"\d{4}")


def block_scope(url: str) -> str:
    """The path family one anti-bot answer closes: the host and its leading directory names, at most two, up to the
    first that is a date or an id (all digits, or a run of four). www.gov.cn/zhengce/zhengceku/202512/content_1.htm →
    "www.gov.cn/zhengce/zhengceku"; /xxgk/zcfb/tz/ → "www.ndrc.gov.cn/xxgk/zcfb". A wall in front of robots.txt
    closes the whole host: "<host>/*". WAFs guard paths (gov.cn answers 403 on its document library only), so one
    403 on a fallback article no longer stops the lists beside it."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.lower()
    if parts.path == "/robots.txt":
        return f"{host}/*"
    family = []
    for name in parts.path.split("/")[1:-1]:
        if not name or name.isdigit() or _DATED.search(name) or len(family) == 2:
            break
        family.append(name)
    return "/".join([host, *family])


def scope_blocked(url: str, scopes: Mapping[str, Any]) -> str | None:
    """The back-off scope `url` falls in, if any: its own path family or its whole host."""
    for scope in (block_scope(url), f"{host_of(url)}/*"):
        if scope in scopes:
            return scope
    return None


def is_lasting(kind: str) -> bool:
    return kind in LASTING_KINDS


# Reading an attachment ends in a final status (attachments.py, sandbox.py: ok … too_slow, too_big), except when the
# reader process died ("crashed") or the run was killed mid-read: then it stays pending for a later run. Attempts are
# counted before reading starts; ATTACHMENT_ATTEMPTS of them without an answer and it is given up, without a fetch.
ATTACHMENT_ATTEMPTS = 3


def attachment_given_up(attempts: int) -> bool:
    return attempts >= ATTACHMENT_ATTEMPTS


def read_again_later(status: str) -> bool:
    """Whether a reading's outcome leaves the attachment pending (only a dead reader does)."""
    return status == "crashed"


@dataclass(frozen=True)
class ListsOutcome:
    ok: bool  # some list served
    via_fallback: bool  # the primary lists failed and a fallback list served


def lists_outcome(primary_read: int, primary_failed: int, fallback_read: int = 0, fallback_failed: int = 0
                  ) -> ListsOutcome:
    """A group of lists serves when at least one of its lists could be read (an empty read counts as failed)."""
    primary_ok = primary_failed < primary_read
    fallback_ok = fallback_failed < fallback_read
    return ListsOutcome(ok=primary_ok or fallback_ok, via_fallback=not primary_ok and fallback_ok)


def needs_fallback(primary_read: int, primary_failed: int, has_fallback: bool) -> bool:
    return has_fallback and primary_failed >= primary_read


def conditional_headers(state: Mapping[str, Any]) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from the validators a server gave last time (a 304 then means unchanged)."""
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = str(state["etag"])
    if state.get("last_modified"):
        headers["If-Modified-Since"] = str(state["last_modified"])
    return headers


def fragment_hash(links: Iterable[Link]) -> str:
    """The list's content as the crawler sees it: its article URLs in order."""
    return hashlib.sha256("\n".join(link.url for link in links).encode()).hexdigest()


def links_to_fetch(links: Iterable[Link], known: set[str], hopeless: set[str]) -> list[Link]:
    """The links of this run in first-seen order, once each, without stored or hopeless URLs."""
    seen: set[str] = set()
    out = []
    for link in links:
        if link.url in seen or link.url in known or link.url in hopeless:
            continue
        seen.add(link.url)
        out.append(link)
    return out


def recheck_cutoff(now: datetime, days: float) -> str:
    """Documents last checked before this instant (UTC, ISO) are due for a re-check."""
    return (now - timedelta(days=days)).astimezone(UTC).isoformat(timespec="seconds")


def unchanged_page(status: int, raw_sha256: str, stored_raw_sha256: str | None) -> bool:
    """A re-check that needs no parsing: 304, or the very same bytes."""
    return status == 304 or raw_sha256 == stored_raw_sha256


def edited(new: Mapping[str, Any], stored: Mapping[str, Any]) -> bool:
    """A document is edited when its parsed body or its title changed (page chrome changes are not edits)."""
    return new["body_sha256"] != stored["body_sha256"] or new["title_zh"] != stored["title_zh"]


def host_delays(sources: Sequence[Any], default: float) -> dict[str, float]:
    """Each host's pause: the largest asked for by any source using it (a shared host is paced once)."""
    delays: dict[str, float] = {}
    for s in sources:
        for host in s.hosts:
            delays[host] = max(delays.get(host, 0.0), default, s.delay if host == s.host else 0.0)
    return delays


@dataclass(frozen=True)
class SourceStatus:
    status: str  # "never run" | "blocked" | "failing" | "stale" | "ok" — the worst that applies
    last_ok: datetime | None
    blocked_until: datetime | None  # set only while the back-off lasts
    failing: bool
    stale: bool

    def days_since_ok(self, now: datetime) -> int | None:
        return (now - self.last_ok).days if self.last_ok else None


def source_status(state: Mapping[str, Any], now: datetime, stale_after: timedelta = STALE_AFTER) -> SourceStatus:
    """How a source is doing, from its row in the store (`sources` table), as of `now`.

    blocked: backing off after an anti-bot answer, until `blocked_until` (an expired back-off is not blocked);
    failing: its last attempt failed; stale: no success for `stale_after`; never run: no attempt recorded.
    """
    last_ok = parse_time(state.get("last_ok_at"))
    last_error = parse_time(state.get("last_error_at"))
    blocked_until = parse_time(state.get("blocked_until"))
    if blocked_until is not None and blocked_until <= now:
        blocked_until = None
    failing = last_error is not None and (last_ok is None or last_error > last_ok)
    stale = last_ok is None or now - last_ok > stale_after
    if last_ok is None and last_error is None and blocked_until is None:
        status = "never run"
    else:
        status = "blocked" if blocked_until else "failing" if failing else "stale" if stale else "ok"
    return SourceStatus(status=status, last_ok=last_ok, blocked_until=blocked_until, failing=failing, stale=stale)


def offline_cause(asked: Iterable[str], unreachable: Mapping[str, Unreachable]) -> str | None:
    """One line for the operator when every host the run asked was unreachable (DNS or TCP connect failed), else
    None: "no source reachable: DNS failed for all 6 hosts (is this machine offline?)"."""
    asked = set(asked)
    if not asked or not asked <= unreachable.keys():
        return None
    hosts = f"all {len(asked)} hosts" if len(asked) > 1 else next(iter(asked))
    downs = [unreachable[host] for host in sorted(asked)]
    if all(down.step == "DNS" for down in downs):
        return f"no source reachable: DNS failed for {hosts} (is this machine offline?)"
    reasons = "; ".join(dict.fromkeys(str(down) for down in downs))  # each once, in host order
    return f"no source reachable: no connection to {hosts} ({reasons})"
