"""The crawl step of the pipeline: reads each source's lists, fetches new articles and attachments, re-checks
official documents, and records every fetch, result and failure in the store.

What to do is decided by the pure functions of crawler.policy (back-off, fallback lists, conditional requests, which
links to fetch, what counts as an edit); this module applies their answers. Every failure goes through `Crawl.fail`,
which records it with its stage and kind.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

import httpx

import crawler
from store import Store, open_store

from .config import Config
from .redact import redact
from .report import RunReport

log = logging.getLogger("pilotwatch")
T = TypeVar("T")


class Progress:
    """How far a run is, for a person watching; this base shows nothing (cron, pipes, tests). The CLI draws it with
    click's progress bars, so the pipeline and the crawl stay free of any terminal code.

    A run goes through stages ("crawling ndrc (2/5)", "tagging and translating"); a stage counts its items in turn
    ("lists", then "articles"): count() announces how many, advance() reports each one done, each() does both for a
    loop."""

    def stage(self, label: str) -> None:
        """A new stage of the run begins."""

    def count(self, total: int, what: str) -> None:
        """The stage's next `total` items of `what` ("articles") begin."""

    def advance(self, n: int = 1) -> None:
        """`n` more of the counted items are done."""

    def grow(self, n: int) -> None:
        """`n` more items join the current count (sources crawled side by side each add their articles)."""

    def source(self, name: str, *, done: bool = False) -> None:
        """A source's crawl begins (or, done, ends): sources crawled side by side overlap."""

    def each(self, items: Sequence[T], what: str) -> Iterator[T]:
        """The items, counted: each one is done when the loop asks for the next (whatever way its body ended)."""
        self.count(len(items), what)
        for item in items:
            yield item
            self.advance()


class StageLabels(Progress):
    """A plain callable as progress: it receives each stage's label (run_pipeline's older `progress` argument)."""

    def __init__(self, show: Callable[[str], None]):
        self.show = show

    def stage(self, label: str) -> None:
        self.show(label)

    def source(self, name: str, *, done: bool = False) -> None:
        self.show(f"{'crawled' if done else 'crawling'} {name}")


class SourceOutOfTime(BaseException):
    """Raised by Crawl.get once the source's `source_deadline` has passed: stop fetching for it this run.

    A BaseException, as asyncio.CancelledError is, so the per-item `except Exception` guards (one bad page never
    stops a run) let it through to Crawl.source."""


class Shared(Progress):
    """Progress from sources crawled side by side: one bar of all their articles, growing as each source's lists
    are read (a source's lists and attachments are not drawn: their counts would interleave)."""

    def __init__(self, inner: Progress):
        self.inner, self.lock, self.started = inner, threading.Lock(), False

    def count(self, total: int, what: str) -> None:
        if what != "articles" or not total:
            return
        with self.lock:
            if self.started:
                self.inner.grow(total)
            else:
                self.inner.count(total, "articles")
                self.started = True

    def advance(self, n: int = 1) -> None:
        with self.lock:
            if self.started:
                self.inner.advance(n)

    def source(self, name: str, *, done: bool = False) -> None:
        with self.lock:
            self.inner.source(name, done=done)

    def each(self, items: Sequence[T], what: str) -> Iterator[T]:
        self.count(len(items), what)
        for item in items:
            yield item
            if what == "articles":
                self.advance()


class Crawl:
    """One run's crawl: politeness shared per host, parse rules by host, and the store.

    Sources are crawled side by side (`all`), a thread each with a database connection of its own: while one host
    waits out its delay, the others are asked and pages are parsed. Politeness keeps one request at a time per host,
    `delay` apart, whichever source asks; the parsing worker takes one page at a time."""

    def __init__(self, config: Config, sources: Sequence[crawler.Source], client: httpx.Client, store: Store,
                 report: RunReport, now: datetime, progress: Progress | None = None):
        self.config, self.client, self.report, self.now = config, client, report, now
        self.main_store = store
        self.local = threading.local()  # per thread: its store and its source's deadline
        self.lock = threading.Lock()  # the report's counters
        self.reading = threading.Lock()  # the one parsing worker reads one page or file at a time
        self.progress = progress or Progress()
        self.politeness = crawler.Politeness(delay=config.delay, host_delays=crawler.host_delays(sources, config.delay),
                                             jitter=config.jitter, obey_robots=config.obey_robots,
                                             user_agent=config.user_agent)
        self.sites = crawler.by_site_host(sources)  # an article's site: its parse rules and region hint
        # path families that answered with an anti-bot page ({scope: blocked_until}): not asked during the back-off
        self.blocked = store.blocked_paths(now.astimezone(UTC).isoformat(timespec="seconds"))
        self.asked: set[str] = set()  # hosts this run sent requests to (or tried to): is every one of them dead?
        self.claimed: set[str] = set()  # article URLs a source of this run took on
        # pages and attachments are parsed in a worker process with a time and memory budget. It is started here
        # (~1 s of loading), so no source's deadline pays for it; if it cannot start, each parse says so (crashed).
        self.reader = crawler.Sandbox(timeout=config.parse_timeout, max_memory=config.parse_max_memory_mb * 2**20 or None)
        try:
            self.reader.start(wait=True)
        except crawler.SandboxError as exc:
            log.error("the parsing worker could not start: %s", exc)

    def __enter__(self) -> Crawl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the parsing worker process."""
        self.reader.close()

    @property
    def store(self) -> Store:
        """This thread's connection: the run's own in the calling thread, one per crawling thread."""
        return getattr(self.local, "store", None) or self.main_store

    @property
    def source_ends(self) -> float:
        """Monotonic time the current source (of this thread) must stop by (source_deadline)."""
        return getattr(self.local, "source_ends", math.inf)

    @source_ends.setter
    def source_ends(self, value: float) -> None:
        self.local.source_ends = value

    def add(self, counter: str, n: int = 1) -> None:
        with self.lock:
            setattr(self.report, counter, getattr(self.report, counter) + n)

    def all(self, sources: Sequence[crawler.Source]) -> None:
        """Crawl every source, side by side (one after another when there is one, or the database is in memory)."""
        if len(sources) < 2 or str(self.main_store.path) == ":memory:":
            for i, source in enumerate(sources, 1):
                self.progress.stage(f"crawling {source.name} ({i}/{len(sources)})")
                self.source(source)
                self.progress.source(source.name, done=True)
            return
        self.progress.stage(f"crawling {len(sources)} sources side by side")
        shown, self.progress = self.progress, Shared(self.progress)
        try:
            with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="crawl") as pool:
                futures = [pool.submit(self.in_thread, source) for source in sources]
            for future in futures:
                future.result()  # an unexpected error of one source ends the run, as it did one after another
        finally:
            self.progress = shown
            order = {source.name: i for i, source in enumerate(sources)}
            for names in (self.report.sources_failed, self.report.via_fallback, self.report.blocked):
                names.sort(key=lambda name: order.get(name, len(order)))  # the summary in the configured order

    def in_thread(self, source: crawler.Source) -> None:
        self.local.store = open_store(self.main_store.path)
        self.progress.source(source.name)
        try:
            self.source(source)
        finally:
            self.progress.source(source.name, done=True)
            self.local.store.close()
            self.local.store = None

    def fail(self, stage: str, kind: str, message: str, source: crawler.Source, url: str | None = None,
             article_id: int | None = None) -> None:
        """Record one failure. The kind is its own column and is said once in the log line; the message says why."""
        message = redact(message)  # a server's error text may echo credentials of a URL we asked
        # a URL skipped on a host found unreachable: the crawler warned once about the host, with the reason
        level = logging.INFO if kind == "unreachable" else logging.WARNING
        log.log(level, "%s: %s failed (%s): %s", source.name, stage, kind, message)
        self.store.record_failure(self.report.run_id, stage, kind, message, source=source.name, url=url,
                                  article_id=article_id)

    def get(self, source: crawler.Source, url: str, purpose: str, *, headers: dict[str, str] | None = None,
            max_bytes: int | None = None, record: bool = True) -> crawler.Fetched:
        """Fetch politely and log the fetch; record=False leaves a success for the caller to log with what it stores.

        Each fetch has `request_deadline` seconds, and no more than what is left of the source's `source_deadline`;
        once that has passed, SourceOutOfTime ends the source's crawl."""
        source_ends = self.source_ends
        left = source_ends - time.monotonic()
        out_of_time = (f"source_deadline of {self.config.source_deadline:g} s reached; stopped at {url} "
                       "(the rest waits for the next run)")
        if left <= 0:
            raise SourceOutOfTime(out_of_time)
        try:
            scope = crawler.scope_blocked(url, self.blocked)
            if scope:
                raise crawler.FetchError(url, "backoff", f"{scope} answered with an anti-bot page; not asked before "
                                                         f"{self.blocked[scope]}")
            self.asked.add(crawler.host_of(url))
            fetched = crawler.fetch(self.client, url, allowed_hosts=source.hosts, politeness=self.politeness,
                                    max_bytes=max_bytes or self.config.max_bytes, retries=self.config.retries,
                                    headers=headers, deadline=min(self.config.request_deadline, left))
        except crawler.FetchError as exc:
            if exc.kind == "blocked":
                self.block_path(source, exc)
            cut = exc.kind == "timeout" and time.monotonic() >= source_ends  # the source's deadline ended it
            if exc.kind not in ("backoff", "unreachable"):  # those sent no request
                self.store.record_fetch(self.report.run_id, source.name, url, purpose, status=exc.status,
                                        fault_kind="deadline" if cut else exc.kind, error=exc.message)
            if cut:
                raise SourceOutOfTime(out_of_time) from exc
            raise
        if record:
            self.record_fetch(source, fetched, purpose)
        return fetched

    def record_fetch(self, source: crawler.Source, fetched: crawler.Fetched, purpose: str) -> None:
        self.store.record_fetch(self.report.run_id, source.name, fetched.url, purpose, status=fetched.status,
                                nbytes=len(fetched.content), elapsed_ms=fetched.elapsed_ms)

    def parse(self, source: crawler.Source, fetched: crawler.Fetched, link: crawler.Link
              ) -> tuple[dict, list[crawler.AttachmentLink]]:
        """The article's fields and its document links, found on the one tree the parser builds."""
        decoded = crawler.decode(fetched.content, fetched.content_type)
        site = self.sites.get(crawler.host_of(link.url), source)
        # in the worker, within parse_timeout: a page that would take longer is a ParseError of kind too_slow
        with self.reading:
            parsed = self.reader.parse_article(decoded.text, link.url, site.parse, now=self.now,
                                               base_url=fetched.final_url)
        record = crawler.article_record(parsed, fetched, decoded, link)
        return {**record, "region_hint": site.region_hint(link.url)}, list(parsed.attachments)

    def source(self, source: crawler.Source) -> None:
        """Crawl one source: its lists (fallbacks when they fail), new articles, attachments, re-checks. It stops
        when its own site turns us away (blocked) or its `source_deadline` passes (a `deadline` failure)."""
        self.source_ends = time.monotonic() + self.config.source_deadline
        try:
            store, name = self.store, source.name
            primary, fallback = source.primary_lists, source.fallback_lists
            store.upsert_source(name, source.label, source.base)
            links, primary_failed, blocked_until = self.read_lists(source, primary)
            if blocked_until and primary_failed >= len(primary):  # every list of its own is walled off: say so
                self.block(source, blocked_until)
            fallback_read = fallback_failed = 0
            if crawler.needs_fallback(len(primary), primary_failed, bool(fallback)):
                log.warning("%s: primary lists failed; trying fallback lists", name)
                links, fallback_failed, _ = self.read_lists(source, fallback)
                fallback_read = len(fallback)
            outcome = crawler.lists_outcome(len(primary), primary_failed, fallback_read, fallback_failed)
            if not outcome.ok:
                return self.source_failed(source, blocked=bool(blocked_until))
            new = self.fetch_articles(source, links)
            self.fetch_attachments(source)
            if source.official and not outcome.via_fallback:
                self.recheck(source)
            if outcome.via_fallback:
                self.report.via_fallback.append(name)
            store.mark_source(name, ok=True, new_items=new, keep_block=outcome.via_fallback)
        except SourceOutOfTime as exc:
            self.fail("fetch", "deadline", str(exc), source)
            self.source_failed(source, False)
        finally:
            self.source_ends = math.inf
            with self.lock:
                self.report.offline = crawler.offline_cause(self.asked, self.politeness.unreachable) or ""

    def block_path(self, source: crawler.Source, exc: crawler.FetchError) -> None:
        """Back off from the path family that answered with an anti-bot page, in this run and the next ones."""
        scope = crawler.block_scope(exc.url)
        until = (self.now + timedelta(hours=self.config.blocked_backoff_hours)).astimezone(UTC)
        self.blocked[scope] = until.isoformat(timespec="seconds")
        self.store.block_path(scope, source=source.name, url=exc.url, status=exc.status, message=redact(exc.message),
                              until=self.blocked[scope])
        log.warning("%s: %s answered with an anti-bot page; backing off from %s until %s", source.name, exc.url,
                    scope, self.blocked[scope])

    def block(self, source: crawler.Source, until: str) -> None:
        """Every primary list of the source is walled off: the source shows as blocked until the back-off ends."""
        self.store.mark_source(source.name, ok=False, kind="blocked", blocked_until=until,
                               error=f"its lists answered with anti-bot pages; backing off until {until}")

    def source_failed(self, source: crawler.Source, blocked: bool) -> None:
        self.report.sources_failed.append(source.name)
        if blocked:  # block() recorded it
            self.report.blocked.append(source.name)
            return
        last = self.store.last_failure(self.report.run_id, source.name) or {"kind": "unknown", "message": "no list"}
        self.store.mark_source(source.name, ok=False, kind=last["kind"], error=last["message"])

    def read_lists(self, source: crawler.Source, specs: Sequence[crawler.ListSpec]
                   ) -> tuple[list[crawler.Link], int, str | None]:
        """(links found, lists failed, the latest back-off end among lists that are walled off, if any)."""
        links: list[crawler.Link] = []
        failed = 0
        blocked_until: str | None = None
        for spec in self.progress.each(specs, "fallback lists" if specs and specs[0].fallback else "lists"):
            try:
                links.extend(self.read_list(source, spec))
                continue
            except (crawler.FetchError, crawler.DiscoverError) as exc:
                kind, status, message = exc.kind, getattr(exc, "status", None), str(exc)
            except Exception as exc:  # noqa: BLE001 - one bad list is recorded, never the end of the run
                log.exception("%s: unexpected error reading list %s", source.name, spec.url)
                kind, status, message = "unexpected", None, str(exc)
            failed += 1
            self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=False, status=status,
                                   fault_kind=kind)
            self.fail("list", kind, message, source, url=spec.url)
            scope = crawler.scope_blocked(spec.url, self.blocked) if kind in crawler.BLOCKING_KINDS else None
            if scope:
                blocked_until = max(blocked_until or "", self.blocked[scope])
        return links, failed, blocked_until

    def read_list(self, source: crawler.Source, spec: crawler.ListSpec) -> list[crawler.Link]:
        fetched = self.get(source, spec.url, "list", headers=crawler.conditional_headers(self.store.list_state(spec.url)))
        if fetched.status == 304:  # unchanged since the last read: nothing new to look at
            self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=True, status=304, new_items=0)
            return []
        found = crawler.discover(source, spec, crawler.decode(fetched.content, fetched.content_type).text,
                                 fetched.final_url)
        if not found:  # a list that parses to nothing is a broken selector or template, not a quiet day
            raise crawler.DiscoverError(spec.url, "list yielded no article links (selector or template changed?)",
                                        kind="empty_list")
        self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=True, status=fetched.status,
                               etag=fetched.headers.get("etag"), last_modified=fetched.headers.get("last-modified"),
                               fragment_sha256=crawler.fragment_hash(found), items_found=len(found),
                               new_items=len(found) - len(self.store.known_urls(link.url for link in found)))
        return found

    def fetch_articles(self, source: crawler.Source, links: list[crawler.Link]) -> int:
        urls = [link.url for link in links]
        known = self.store.known_urls(urls)
        hopeless = self.store.hopeless_urls([u for u in urls if u not in known], lasting_kinds=crawler.LASTING_KINDS,
                                            attempts=crawler.HOPELESS_AFTER_RUNS)
        todo = crawler.links_to_fetch(links, known, hopeless)
        with self.lock:  # a page two sources list (a fallback list on another source's site) is fetched once
            todo = [link for link in todo if link.url not in self.claimed]
            self.claimed.update(link.url for link in todo)
        return sum(self.fetch_article(source, link) for link in self.progress.each(todo, "articles"))

    def fetch_article(self, source: crawler.Source, link: crawler.Link) -> int:
        store, report = self.store, self.report
        fetched = None
        try:
            fetched = self.get(source, link.url, "article", record=False)
            fields, links = self.parse(source, fetched, link)
        except Exception as exc:  # one bad page never stops a run; an unexpected error is recorded as such
            if fetched is not None:
                self.record_fetch(source, fetched, "article")
            self.add("articles_failed")
            typed = isinstance(exc, (crawler.FetchError, crawler.ParseError))
            if not typed:
                log.exception("%s: unexpected error on %s", source.name, link.url)
            self.fail("fetch" if isinstance(exc, crawler.FetchError) else "parse",
                      exc.kind if typed else "unexpected", str(exc) if typed else f"{type(exc).__name__}: {exc}",
                      source, url=link.url)
            return 0
        attachments = [{"url": a.url, "title": a.title, "ext": a.ext} for a in links[: self.config.max_attachments]]
        with store.write():  # one commit for the page's fetch, the article and its provenance
            self.record_fetch(source, fetched, "article")
            article_id, outcome = store.store_article(report.run_id, {**fields, "source": source.name},
                                                      doc_key=crawler.policy_key(fields["doc_number"]),
                                                      attachments=attachments)
            store.record_document(url=link.url, kind="page", sha256=fields["raw_sha256"], nbytes=len(fetched.content),
                                  content_type=fetched.content_type, parser_version=crawler.PARSER_VERSION,
                                  article_id=article_id)
        self.add("duplicates", int(outcome == "duplicate_body"))
        self.add("articles_new", int(outcome == "new"))
        return int(outcome == "new")

    def fetch_attachments(self, source: crawler.Source) -> None:
        """Read the attachments the store lists as pending for this source. They were recorded with their article,
        in one transaction, so a run killed before reaching them picks them up next time.

        The text is read in the worker process (crawler.Sandbox) within `parse_timeout` seconds and
        `parse_max_memory_mb`: a file that takes longer or more is recorded `too_slow` / `too_big` and the run
        goes on. Attempts are counted before reading; one that never ends (the worker died, the run was killed) is
        retried in later runs and given up after crawler.ATTACHMENT_ATTEMPTS, without being fetched again."""
        for att in self.progress.each(self.store.pending_attachments(source.name), "attachments"):
            save = partial(self.store.save_attachment, att["article_id"], url=att["url"], title=att["title"],
                           ext=att["ext"])
            if crawler.attachment_given_up(att["attempts"]):
                detail = (f"given up: {att['attempts']} attempts to read it did not finish (the reader died or the "
                          "run was killed while reading)")
                save(sha256=None, nbytes=None, status="gave_up", pages=None, detail=detail, text="")
                self.fail("attachment", "gave_up", detail, source, url=att["url"], article_id=att["article_id"])
                continue
            try:
                fetched = self.get(source, att["url"], "attachment", max_bytes=self.config.attachment_max_bytes,
                                   record=False)
            except crawler.FetchError as exc:
                if crawler.is_lasting(exc.kind):  # its final state; transient faults are retried next run
                    save(sha256=None, nbytes=None, status=exc.kind, pages=None, detail=str(exc), text="")
                self.fail("attachment", exc.kind, str(exc), source, url=att["url"], article_id=att["article_id"])
                continue
            with self.store.write():  # one commit: the fetch, and the attempt counted before reading starts
                self.record_fetch(source, fetched, "attachment")
                self.store.count_attachment_attempt(att["id"])
            with self.reading:
                extracted = self.reader.extract_text(fetched.content, att["ext"])
            if extracted.status in crawler.READER_FAULTS:
                self.fail("attachment", extracted.status, extracted.detail, source, url=att["url"],
                          article_id=att["article_id"])
                if crawler.read_again_later(extracted.status):
                    continue
            sha = extracted.sha256 or hashlib.sha256(fetched.content).hexdigest()
            self.store.record_document(url=att["url"], kind="attachment", sha256=sha, nbytes=len(fetched.content),
                                       content_type=fetched.content_type, article_id=att["article_id"])
            save(sha256=sha, nbytes=len(fetched.content), status=extracted.status, pages=extracted.pages,
                 detail=extracted.detail, text=extracted.text)
            self.add("attachments")

    def recheck(self, source: crawler.Source) -> None:
        """Re-fetch a few stored documents of an official source: edits become versions, 404/410 marks them gone."""
        if not self.config.recheck_per_run:
            return
        cutoff = crawler.recheck_cutoff(self.now, self.config.recheck_days)
        for doc in self.store.due_for_recheck(source.name, cutoff, self.config.recheck_per_run):
            try:
                fetched = self.get(source, doc["url"], "recheck", headers=crawler.conditional_headers(doc))
                if crawler.unchanged_page(fetched.status, hashlib.sha256(fetched.content).hexdigest(),
                                          doc["raw_sha256"]):
                    self.store.mark_checked(doc["id"], etag=fetched.headers.get("etag"),
                                            last_modified=fetched.headers.get("last-modified"))
                    continue
                fields, _ = self.parse(source, fetched, crawler.Link(doc["url"]))
            except (crawler.FetchError, crawler.ParseError) as exc:
                if exc.kind == "gone" and self.store.mark_gone(doc["id"]):
                    self.add("gone")
                    log.warning("%s: %s is gone (possible withdrawal)", source.name, doc["url"])
                elif exc.kind != "gone":
                    self.fail("recheck", exc.kind, str(exc), source, url=doc["url"], article_id=doc["id"])
                continue
            if not crawler.edited(fields, doc):
                self.store.mark_checked(doc["id"], etag=fields["etag"], last_modified=fields["last_modified"])
                continue
            self.store.record_edit(doc["id"], {k: v for k, v in fields.items() if k != "url"})
            self.store.record_document(url=doc["url"], kind="page", sha256=fields["raw_sha256"],
                                       nbytes=len(fetched.content), content_type=fetched.content_type,
                                       parser_version=crawler.PARSER_VERSION, article_id=doc["id"])
            self.add("edited")
            log.warning("%s: %s was edited", source.name, doc["url"])
