"""The only module that wires the stages: sources → fetch → parse → translate → tag → store → digest.

Each step asks the store what is pending and commits per article, so a killed run resumes where it stopped and a
re-run stores nothing twice: articles are unique by URL, translation and tagging pick up only untranslated/untagged
rows. A failure on one item is recorded (stage + kind) and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

import crawler
import digest
import extract
import translate
from store import Store

from .config import Config

log = logging.getLogger("pilotwatch")

CEDICT_ATTRIBUTION = ("Glosses use CC-CEDICT (MDBG, https://www.mdbg.net/chinese/dictionary?page=cedict), "
                      "licensed CC BY-SA 4.0.")


@dataclass
class RunReport:
    run_id: int = 0
    sources_total: int = 0
    sources_failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # sources answering with anti-bot pages, or backing off
    via_fallback: list[str] = field(default_factory=list)  # sources whose primary lists failed, served by a fallback
    articles_new: int = 0
    articles_failed: int = 0
    duplicates: int = 0  # same body under another URL: stored as an alias, not a new article
    edited: int = 0
    gone: int = 0
    attachments: int = 0
    translated: int = 0
    translate_failed: int = 0
    tagged: int = 0
    announcements: int = 0
    engine: str = ""
    memory: translate.MemoryStats = field(default_factory=lambda: translate.MemoryStats())
    digest_sent: int = 0  # recipients who accepted the mail
    digest_send_failed: int = 0
    digest_paths: tuple[Path, ...] = ()

    @property
    def failures(self) -> int:
        return (len(self.sources_failed) + len(self.via_fallback) + self.articles_failed + self.translate_failed
                + self.digest_send_failed)

    @property
    def exit_code(self) -> int:
        """0 nothing failed; 2 nearly all sources failed (≥ 80%); 1 anything else failed."""
        if self.sources_total and len(self.sources_failed) >= max(1, round(0.8 * self.sources_total)):
            return 2
        return 1 if self.failures else 0

    def summary(self) -> str:
        ok = self.sources_total - len(self.sources_failed)
        failed = f" ({', '.join(self.sources_failed)})" if self.sources_failed else ""
        fallback = f" ({', '.join(self.via_fallback)} via fallback)" if self.via_fallback else ""
        parts = [
            f"sources {ok} ok{fallback} / {len(self.sources_failed)} failed{failed}",
            f"articles {self.articles_new} new, {self.articles_failed} failed",
            f"translated {self.translated}" + (f" ({self.engine})" if self.engine else ""),
            f"tagged {self.tagged}, {self.announcements} platform announcements",
        ]
        if self.edited or self.gone:
            parts.append(f"{self.edited} edited, {self.gone} gone")
        if self.digest_paths:
            mailed = (f" (mailed to {self.digest_sent})" if self.digest_sent else
                      " (NOT mailed: see log)" if self.digest_send_failed else "")
            parts.append(f"digest {self.digest_paths[0]}{mailed}")
        return "; ".join(parts)


def build_client(config: Config) -> httpx.Client:
    """The one real HTTP client: identifying User-Agent, timeouts, one connection per host."""
    return httpx.Client(
        headers={"User-Agent": config.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
        timeout=httpx.Timeout(config.timeout),
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
        follow_redirects=False,  # crawler.fetch follows redirects itself, checking each hop against the allow-list
    )


def run_pipeline(config: Config, *, sources: Sequence[crawler.Source], client: httpx.Client, store: Store,
                 mode: str = "live", digest_dir: str | Path | None = None, today: date | None = None,
                 now: datetime | None = None, progress: Callable[[str], None] | None = None) -> RunReport:
    report = RunReport(run_id=store.start_run(mode), sources_total=len(sources))
    crawl = Crawl(config, sources, client, store, report, now or datetime.now(UTC))
    for i, source in enumerate(sources, 1):
        if progress:
            progress(f"crawling {source.name} ({i}/{len(sources)})")
        crawl.source(source)
    if progress:
        progress("tagging and translating")
    tag_pending(store, report)  # first: whether a body is translated depends on the article being relevant
    translate_pending(config, store, report)
    tz = ZoneInfo(config.timezone)
    day = today or datetime.now(tz).date()
    report.digest_paths = write_digest(store, day, tz, Path(digest_dir or config.digest_dir), now=now)
    try:
        result = send_digest(config, store, day, tz, now=now)
        if result is not None:
            report.digest_sent = len(result.accepted)
            if result.refused:
                log.warning("digest not accepted for %s", ", ".join(result.refused))
    except AlreadySent as exc:
        log.info("%s", exc)
    except digest.SendError as exc:
        log.error("digest not sent: %s (it is on disk: %s)", exc, report.digest_paths[0])
        store.record_failure(report.run_id, "digest", "send", str(exc))
        report.digest_send_failed = 1
    store.finish_run(
        report.run_id, exit_code=report.exit_code, summary=report.summary(),
        sources_ok=report.sources_total - len(report.sources_failed), sources_failed=len(report.sources_failed),
        articles_new=report.articles_new, translated=report.translated, tagged=report.tagged,
        announcements=report.announcements, failures=report.failures,
    )
    return report


class RunLocked(Exception):
    """Another run holds the lock of this database."""


@contextmanager
def run_lock(db_path: str | Path):
    """One run per database at a time: an exclusive flock on <db>.lock. The kernel drops the lock when the holder
    exits or is killed, so a crashed run never leaves a stale lock behind."""
    import fcntl
    import os

    lock_path = Path(f"{db_path}.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 (held for the whole run)
    except OSError as exc:
        raise RunLocked(f"cannot open database {db_path}: cannot create lock file {lock_path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            raise RunLocked(f"another pilotwatch run (pid {holder}) is using {db_path}; lock file {lock_path}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


class SourceBlocked(Exception):
    """Raised inside a source's crawl when the site answered with an anti-bot page: stop asking it."""


class Crawl:
    """One run's crawl: shared politeness (per host), parse rules by host, and the store."""

    def __init__(self, config: Config, sources: Sequence[crawler.Source], client: httpx.Client, store: Store,
                 report: RunReport, now: datetime):
        self.config, self.client, self.store, self.report, self.now = config, client, store, report, now
        host_delays: dict[str, float] = {}
        for s in sources:
            for host in s.hosts:
                host_delays[host] = max(host_delays.get(host, 0.0), config.delay, s.delay if host == s.host else 0.0)
        self.politeness = crawler.Politeness(delay=config.delay, host_delays=host_delays, jitter=config.jitter,
                                             obey_robots=config.obey_robots, user_agent=config.user_agent)
        # An article is parsed with the rules of the site it is on, whichever source's list found it.
        self.rules_by_host = {s.host: s.parse for s in sources}
        self.blocked_hosts: set[str] = set()  # hosts that sent an anti-bot answer: not asked again this run

    def _iso(self, delta: timedelta = timedelta()) -> str:
        return (self.now + delta).astimezone(UTC).isoformat(timespec="seconds")

    def get(self, source: crawler.Source, url: str, purpose: str, headers: dict[str, str] | None = None,
            max_bytes: int | None = None, record: bool = True) -> crawler.Fetched:
        """Fetch politely and log the fetch; record=False leaves a successful fetch for the caller to log (in the
        same transaction as what it stores). A failed fetch is logged here either way."""
        run_id = self.report.run_id
        host = crawler.host_of(url)
        try:
            if host in self.blocked_hosts:
                raise crawler.FetchError(url, "backoff", f"{host} answered with an anti-bot page; not asked again")
            fetched = crawler.fetch(self.client, url, allowed_hosts=source.hosts, politeness=self.politeness,
                                    max_bytes=max_bytes or self.config.max_bytes, retries=self.config.retries,
                                    headers=headers)
        except crawler.FetchError as exc:
            if exc.kind == "blocked":
                self.blocked_hosts.add(host)
            if exc.kind != "backoff":
                self.store.record_fetch(run_id, source.name, url, purpose, status=exc.status, fault_kind=exc.kind,
                                        error=str(exc))
            raise
        if record:
            self.record_fetch(source, fetched, purpose)
        return fetched

    def record_fetch(self, source: crawler.Source, fetched: crawler.Fetched, purpose: str) -> None:
        self.store.record_fetch(self.report.run_id, source.name, fetched.url, purpose, status=fetched.status,
                                nbytes=len(fetched.content), elapsed_ms=fetched.elapsed_ms)

    def source(self, source: crawler.Source) -> None:
        store, report = self.store, self.report
        store.upsert_source(source.name, source.label, source.base)
        blocked_until = store.source_state(source.name).get("blocked_until")
        primary_blocked = bool(blocked_until and blocked_until > self._iso())
        links: list[tuple[crawler.Link, crawler.ListSpec]] = []
        if primary_blocked:
            # Do not hammer a site that told us to go away; its fallback lists (on other hosts) may still serve.
            self.blocked_hosts.add(source.host)
            store.record_failure(report.run_id, "list", "backoff", f"blocked earlier; not contacted until {blocked_until}",
                                 source=source.name)
            log.warning("%s: backing off until %s", source.name, blocked_until)
            primary_ok = False
        else:
            try:
                links, errors = self.read_lists(source, source.primary_lists)
                primary_ok = len(errors) < len(source.primary_lists)
            except SourceBlocked as exc:
                primary_blocked, primary_ok = True, False
                self._block(source, str(exc))
        via_fallback = False
        if not primary_ok and source.fallback_lists:
            log.warning("%s: primary lists failed; trying fallback lists", source.name)
            links, fallback_errors = self.read_lists(source, source.fallback_lists)
            via_fallback = len(fallback_errors) < len(source.fallback_lists)
        if not primary_ok and not via_fallback:
            self._source_failed(source, primary_blocked)
            return
        try:
            new = self.fetch_articles(source, links)
            self.fetch_attachments(source)
            if source.official and not primary_blocked:
                self.recheck(source)
        except SourceBlocked as exc:
            self._block(source, str(exc))
            self._source_failed(source, True)
            return
        if via_fallback:
            report.via_fallback.append(source.name)
        store.mark_source(source.name, ok=True, new_items=new, keep_block=via_fallback)

    def _block(self, source: crawler.Source, message: str) -> None:
        self.blocked_hosts.add(source.host)
        self.store.mark_source(source.name, ok=False, kind="blocked", error=message,
                               blocked_until=self._iso(timedelta(hours=self.config.blocked_backoff_hours)))

    def _source_failed(self, source: crawler.Source, blocked: bool) -> None:
        self.report.sources_failed.append(source.name)
        if blocked:
            self.report.blocked.append(source.name)
            return  # _block (now or in an earlier run) recorded it
        last = self.store.query("SELECT kind, message FROM failures WHERE run_id = ? AND source = ? ORDER BY id DESC "
                                "LIMIT 1", [self.report.run_id, source.name])
        kind, message = (last[0]["kind"], last[0]["message"]) if last else ("unknown", "no list could be read")
        self.store.mark_source(source.name, ok=False, kind=kind, error=message)

    def read_lists(self, source: crawler.Source, specs: Sequence[crawler.ListSpec]
                   ) -> tuple[list[tuple[crawler.Link, crawler.ListSpec]], list[tuple[str, str]]]:
        links: list[tuple[crawler.Link, crawler.ListSpec]] = []
        errors: list[tuple[str, str]] = []
        for spec in specs:
            try:
                links.extend((link, spec) for link in self.read_list(source, spec))
            except Exception as exc:  # noqa: BLE001 - typed faults by kind; anything else is one bad list, recorded
                kind = getattr(exc, "kind", "unexpected") if isinstance(
                    exc, (crawler.FetchError, crawler.DiscoverError)) else "unexpected"
                if kind == "unexpected":
                    log.exception("%s: unexpected error reading list %s", source.name, spec.url)
                log.warning("%s: list %s failed: %s", source.name, spec.name, exc)
                self.store.record_failure(self.report.run_id, "list", kind, str(exc), source=source.name, url=spec.url)
                self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=False,
                                       status=getattr(exc, "status", None), fault_kind=kind)
                errors.append((kind, str(exc)))
                if kind in ("blocked", "backoff") and crawler.host_of(spec.url) == source.host:
                    raise SourceBlocked(str(exc)) from exc
        return links, errors

    def read_list(self, source: crawler.Source, spec: crawler.ListSpec) -> list[crawler.Link]:
        state = self.store.list_state(spec.url)
        headers = {}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        fetched = self.get(source, spec.url, "list", headers)
        if fetched.status == 304:  # unchanged since the last read: nothing new to look at
            self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=True, status=304, new_items=0)
            return []
        text = crawler.decode(fetched.content, fetched.content_type).text
        found = crawler.discover(source, spec, text, fetched.final_url)
        if not found:  # a list that parses to nothing is a broken selector or template, not a quiet day
            raise crawler.DiscoverError(spec.url, "list yielded no article links (selector or template changed?)",
                                        kind="empty_list")
        fragment = hashlib.sha256("\n".join(link.url for link in found).encode()).hexdigest()
        self.store.update_list(spec.url, source.name, spec.name, spec.fallback, ok=True, status=fetched.status,
                               etag=fetched.headers.get("etag"), last_modified=fetched.headers.get("last-modified"),
                               fragment_sha256=fragment, items_found=len(found),
                               new_items=len(found) - len(self.store.known_urls(link.url for link in found)))
        return found

    def fetch_articles(self, source: crawler.Source, links: list[tuple[crawler.Link, crawler.ListSpec]]) -> int:
        seen: set[str] = set()
        unique = [(lnk, spec) for lnk, spec in links if not (lnk.url in seen or seen.add(lnk.url))]
        known = self.store.known_urls(lnk.url for lnk, _ in unique)
        hopeless = self.store.hopeless_urls([lnk.url for lnk, _ in unique if lnk.url not in known])
        new = 0
        for link, _spec in unique:
            if link.url in known or link.url in hopeless:
                continue
            new += self.fetch_article(source, link)
        return new

    def fetch_article(self, source: crawler.Source, link: crawler.Link) -> int:
        store, report, run_id = self.store, self.report, self.report.run_id
        fetched = None
        try:
            fetched = self.get(source, link.url, "article", record=False)
            decoded = crawler.decode(fetched.content, fetched.content_type)
            rules = self.rules_by_host.get(crawler.host_of(link.url), source.parse)
            parsed = crawler.parse_article(decoded.text, link.url, rules, now=self.now)
        except (crawler.FetchError, crawler.ParseError) as exc:
            if fetched is not None:
                self.record_fetch(source, fetched, "article")
            report.articles_failed += 1
            log.warning("%s: %s", source.name, exc)
            store.record_failure(run_id, "fetch" if isinstance(exc, crawler.FetchError) else "parse", exc.kind,
                                 str(exc), source=source.name, url=link.url)
            if isinstance(exc, crawler.FetchError) and exc.kind == "blocked" and crawler.host_of(link.url) == source.host:
                raise SourceBlocked(str(exc)) from exc
            return 0
        except Exception as exc:  # one bad page never stops a run; an unexpected error is recorded as such
            if fetched is not None:
                self.record_fetch(source, fetched, "article")
            report.articles_failed += 1
            log.exception("%s: unexpected error on %s", source.name, link.url)
            store.record_failure(run_id, "parse", "unexpected", f"{type(exc).__name__}: {exc}", source=source.name,
                                 url=link.url)
            return 0
        fields = article_fields(parsed, fetched, decoded, link)
        attachments = [{"url": a.url, "title": a.title, "ext": a.ext} for a in
                       crawler.find_attachments(decoded.text, fetched.final_url)[: self.config.max_attachments]]
        with store.write():  # one commit for the page's fetch, the article and its provenance
            self.record_fetch(source, fetched, "article")
            article_id, outcome = store.store_article(run_id, {**fields, "source": source.name},
                                                      doc_key=crawler.policy_key(parsed.doc_number),
                                                      attachments=attachments)
            store.record_document(url=link.url, kind="page", sha256=fields["raw_sha256"],
                                  nbytes=len(fetched.content), content_type=fetched.content_type,
                                  parser_version=crawler.PARSER_VERSION, article_id=article_id)
        if outcome == "duplicate_body":
            report.duplicates += 1
            return 0
        if outcome != "new":
            return 0
        report.articles_new += 1
        log.info("%s: new article %s", source.name, link.url)
        return 1

    def fetch_attachments(self, source: crawler.Source) -> None:
        """Download and read the attachments the store lists as pending for this source. They were recorded with
        their article, in one transaction, so a run killed before reaching them picks them up next time."""
        transient = {"timeout", "network", "server", "backoff", "blocked"}
        for att in self.store.pending_attachments(source.name):
            article_id = att["article_id"]
            if crawler.host_of(att["url"]) not in source.hosts:
                self.store.record_failure(self.report.run_id, "attachment", "offsite", "attachment on another host",
                                          source=source.name, url=att["url"], article_id=article_id)
                self.store.save_attachment(article_id, url=att["url"], title=att["title"], ext=att["ext"],
                                           sha256=None, nbytes=None, status="offsite", pages=None,
                                           detail="not on an allow-listed host", text="")
                continue
            try:
                fetched = self.get(source, att["url"], "attachment", max_bytes=self.config.attachment_max_bytes)
            except crawler.FetchError as exc:
                self.store.record_failure(self.report.run_id, "attachment", exc.kind, str(exc), source=source.name,
                                          url=att["url"], article_id=article_id)
                if exc.kind not in transient:  # a lasting fault is the attachment's final state; others retry
                    self.store.save_attachment(article_id, url=att["url"], title=att["title"], ext=att["ext"],
                                               sha256=None, nbytes=None, status=exc.kind, pages=None,
                                               detail=str(exc), text="")
                continue
            extracted = crawler.extract_text(fetched.content, att["ext"])
            sha = extracted.sha256 or hashlib.sha256(fetched.content).hexdigest()
            self.store.record_document(url=att["url"], kind="attachment", sha256=sha, nbytes=len(fetched.content),
                                       content_type=fetched.content_type, article_id=article_id)
            self.store.save_attachment(article_id, url=att["url"], title=att["title"], ext=att["ext"], sha256=sha,
                                       nbytes=len(fetched.content), status=extracted.status, pages=extracted.pages,
                                       detail=extracted.detail, text=extracted.text)
            self.report.attachments += 1

    def recheck(self, source: crawler.Source) -> None:
        """Re-fetch a few stored documents of an official source: edits become versions, 404/410 marks them gone."""
        if not self.config.recheck_per_run:
            return
        due = self.store.due_for_recheck(source.name, self._iso(-timedelta(days=self.config.recheck_days)),
                                         self.config.recheck_per_run)
        for art in due:
            headers = {}
            if art["etag"]:
                headers["If-None-Match"] = art["etag"]
            if art["last_modified"]:
                headers["If-Modified-Since"] = art["last_modified"]
            try:
                fetched = self.get(source, art["url"], "recheck", headers)
                if fetched.status == 304 or hashlib.sha256(fetched.content).hexdigest() == art["raw_sha256"]:
                    self.store.mark_checked(art["id"], etag=fetched.headers.get("etag"),
                                            last_modified=fetched.headers.get("last-modified"))
                    continue
                decoded = crawler.decode(fetched.content, fetched.content_type)
                rules = self.rules_by_host.get(crawler.host_of(art["url"]), source.parse)
                parsed = crawler.parse_article(decoded.text, art["url"], rules, now=self.now)
            except crawler.FetchError as exc:
                if exc.kind == "gone":
                    if self.store.mark_gone(art["id"]):
                        self.report.gone += 1
                        log.warning("%s: %s is gone (possible withdrawal)", source.name, art["url"])
                    continue
                self.store.record_failure(self.report.run_id, "recheck", exc.kind, str(exc), source=source.name,
                                          url=art["url"], article_id=art["id"])
                if exc.kind in ("blocked", "backoff"):
                    raise SourceBlocked(str(exc)) from exc
                continue
            except crawler.ParseError as exc:
                self.store.record_failure(self.report.run_id, "recheck", exc.kind, str(exc), source=source.name,
                                          url=art["url"], article_id=art["id"])
                continue
            fields = article_fields(parsed, fetched, decoded, crawler.Link(art["url"]))
            if fields["body_sha256"] == art["body_sha256"] and fields["title_zh"] == art["title_zh"]:
                self.store.mark_checked(art["id"], etag=fields["etag"], last_modified=fields["last_modified"])
                continue
            self.store.record_edit(art["id"], {k: v for k, v in fields.items() if k != "url"})
            self.store.record_document(url=art["url"], kind="page", sha256=fields["raw_sha256"],
                                       nbytes=len(fetched.content), content_type=fetched.content_type,
                                       parser_version=crawler.PARSER_VERSION, article_id=art["id"])
            self.report.edited += 1
            log.warning("%s: %s was edited", source.name, art["url"])


def article_fields(parsed: crawler.Parsed, fetched: crawler.Fetched, decoded: crawler.Decoded,
                   link: crawler.Link) -> dict:
    return {
        "url": link.url,
        "raw_sha256": hashlib.sha256(fetched.content).hexdigest(),
        "encoding": decoded.encoding,
        "parser_version": crawler.PARSER_VERSION,
        "list_title": link.title or None,
        "title_zh": parsed.title,
        "body_zh": parsed.body,
        "body_sha256": hashlib.sha256(parsed.body.encode("utf-8")).hexdigest(),
        "body_truncated": int(parsed.truncated),
        "published_at": parsed.published_at or crawler.normalize_date(link.date),
        "written_date": parsed.written_date,
        "source_name": parsed.source_name,
        "issuer_zh": parsed.issuer,
        "doc_number": parsed.doc_number,
        "etag": fetched.headers.get("etag"),
        "last_modified": fetched.headers.get("last-modified"),
    }


SECRET_LLM_KEY = "PILOTWATCH_LLM_API_KEY"  # read from the environment only; never stored or logged
SECRET_SMTP_PASSWORD = "PILOTWATCH_SMTP_PASSWORD"


def smtp_settings(config: Config):
    """The digest's SMTP settings, the password from the environment; None when no SMTP host is configured."""
    import os

    if not config.smtp_host:
        return None
    return digest.SmtpSettings(host=config.smtp_host, port=config.smtp_port, security=config.smtp_security,
                               user=config.smtp_user, password=os.environ.get(SECRET_SMTP_PASSWORD, ""),
                               sender=config.smtp_from, recipients=config.recipients, timeout=config.smtp_timeout)
ENGINE_GIVE_UP = 3  # consecutive failures after which the configured engine is not tried again this run


def load_engine(config: Config, engine: str | None = None) -> translate.Translator:
    """The configured engine with its settings; raises TranslateError naming the setting at fault."""
    import os

    name = engine or config.translate_engine
    options: dict[str, object] = {
        "ct2": {"model_dir": config.model_dir},
        "hf": {"model_dir": config.model_dir},
        "llm": {"url": config.llm_url, "model": config.llm_model, "api_key": os.environ.get(SECRET_LLM_KEY) or None},
    }.get(name, {})
    return translate.load_translator(name, **options)


def translate_pending(config: Config, store: Store, report: RunReport) -> None:
    """Titles always; bodies of relevant articles always, of the rest when translate_bodies = "all".

    If the configured engine cannot load or fails on an article, that article is glossed instead and the fallback
    is recorded (failures: stage translate, kind fallback), so a missing model never leaves the English empty.
    """
    pending = store.pending_translation()
    if not pending:
        return
    engines: dict[str, translate.Translator] = {}
    primary: translate.Translator | None = None
    try:
        primary = load_engine(config)
    except translate.TranslateError as exc:
        log.error("translation engine %r unavailable, glossing instead: %s", config.translate_engine, exc)
        store.record_failure(report.run_id, "translate", "engine", str(exc))
    failures_in_row = 0
    for row in pending:
        with_body = config.translate_bodies == "all" or bool(row["is_platform_announcement"] or
                                                             row["mentions_pilot_platform"])
        attempts = [primary] if primary is not None else []
        attempts.append(None)  # None: the gloss engine, loaded on first need
        for engine in attempts:
            memory = translate.BufferedMemory(store)  # the article's memory writes, committed with its translation
            try:
                if engine is None:
                    engine = engines.get("gloss") or engines.setdefault("gloss", load_engine(config, "gloss"))
                title_en, body_en, stats = translate_article(engine, row, with_body, memory)
                missing = translate.check(row["title_zh"] + "\n" + (row["body_zh"] if with_body else ""),
                                          title_en + "\n" + (body_en or ""))
            except Exception as exc:  # recorded; the next engine (gloss) gets the article
                memory.flush()  # what was translated before the failure stays remembered
                log.warning("translation by %s failed for %s: %s", getattr(engine, "engine", "gloss"), row["url"], exc)
                last = engine is None or engine is engines.get("gloss")
                store.record_failure(report.run_id, "translate", type(exc).__name__ if last else "fallback",
                                     f"{getattr(engine, 'engine', 'gloss')}: {exc}" + ("" if last else "; glossed instead"),
                                     source=row["source"], url=row["url"], article_id=row["id"])
                if engine is primary:
                    failures_in_row += 1
                    if failures_in_row >= ENGINE_GIVE_UP:
                        log.error("engine %s failed %d times in a row; glossing the rest of this run",
                                  primary.engine, failures_in_row)
                        primary = None
                if last:
                    report.translate_failed += 1
                continue
            if engine is primary:
                failures_in_row = 0
            with store.write():
                memory.flush()
                store.save_translation(row["id"], title_en=title_en, body_en=body_en, engine=engine.engine,
                                       model=engine.model, missing=missing)
            report.translated += 1
            report.engine = engine.engine if not report.engine or report.engine == engine.engine else "mixed"
            report.memory.add(stats)
            break


def translate_article(engine: translate.Translator, row: dict, with_body: bool, memory
                      ) -> tuple[str, str | None, translate.MemoryStats]:
    titles, stats = translate.translate_sentences(engine, [row["title_zh"]], memory)
    body_en = None
    if with_body:
        body_en, body_stats = translate.translate_document(engine, row["body_zh"], memory)
        stats.add(body_stats)
    return titles[0], body_en, stats


def tag_pending(store: Store, report: RunReport) -> None:
    for row in store.pending_tagging(extract.TAGGER_VERSION):
        try:
            tagging = extract.tag_article(row["title_zh"], row["body_zh"], published=(row["published_at"] or "")[:10] or None)
        except Exception as exc:  # recorded; stays pending
            log.exception("tagging failed for %s", row["url"])
            store.record_failure(report.run_id, "tag", type(exc).__name__, str(exc), url=row["url"],
                                 article_id=row["id"])
            continue
        store.save_tags(
            row["id"],
            is_announcement=tagging.is_platform_announcement,
            mentions=tagging.mentions_pilot_platform,
            reasons=list(tagging.reasons),
            tagger_version=extract.TAGGER_VERSION,
            tags=[{"field": t.field, "value": t.value, "code": t.code, "evidence": t.evidence, "part": t.part,
                   "start": t.start, "end": t.end, "attrs": t.attrs} for t in tagging.tags],
        )
        report.tagged += 1
        report.announcements += int(tagging.is_platform_announcement)


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = start + timedelta(days=1)
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def make_digest(store: Store, day: date, tz: ZoneInfo, *, now: datetime | None = None) -> digest.Digest:
    start, end = day_bounds_utc(day, tz)
    rows = store.articles_first_seen_between(start, end)
    failures = store.query("SELECT count(*) AS n FROM failures WHERE at >= ? AND at < ?", [start, end])[0]["n"]
    to_date = [r for r in store.export_rows(announcements_only=True) if r["first_seen_at"] < end]
    return digest.build_digest(day.isoformat(), rows, all_announcements=to_date, sources=store.source_health(),
                               changes=store.changes_between(start, end), failures=failures,
                               attribution=CEDICT_ATTRIBUTION, now=now or datetime.now(UTC))


def write_digest(store: Store, day: date, tz: ZoneInfo, out_dir: Path, *, now: datetime | None = None
                 ) -> tuple[Path, ...]:
    d = make_digest(store, day, tz, now=now)
    paths = digest.write_digest(d, out_dir)
    start, end = day_bounds_utc(day, tz)
    store.record_digest(day=d.day, period_start=start, period_end=end, html_path=str(paths[0]),
                        text_path=str(paths[1]), items=len(d.announcements) + d.other_count,
                        announcements=len(d.announcements))
    return paths


class AlreadySent(Exception):
    """The digest of this day was mailed before; sending again needs force."""


def send_digest(config: Config, store: Store, day: date, tz: ZoneInfo, *, now: datetime | None = None,
                force: bool = False) -> digest.SendResult | None:
    """Mail the day's digest (written first, so a failed send leaves it on disk). None when mail is not configured
    or an empty day is not to be mailed; AlreadySent when it went out before (unless force)."""
    settings = smtp_settings(config)
    if settings is None or not settings.recipients:
        return None
    sent = store.digest_sent(day.isoformat())
    if sent and not force:
        raise AlreadySent(f"the digest of {day} was already sent at {sent['sent_at']} ({sent['message_id']}); "
                          "use --force to send it again")
    d = make_digest(store, day, tz, now=now)
    if d.empty and not config.send_empty:
        return None
    html, text = digest.render(d)
    result = digest.send(digest.build_message(d, html, text, settings), settings)  # raises digest.SendError
    store.mark_digest_sent(d.day, recipients=list(result.accepted), message_id=result.message_id)
    return result
