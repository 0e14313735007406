"""The only module that wires the stages: sources → fetch → parse → translate → tag → store → digest.

Each step asks the store what is pending and commits per article, so a killed run resumes where it stopped and a
re-run stores nothing twice: articles are unique by URL, translation and tagging pick up only untranslated/untagged
rows. A failure on one item is recorded (stage + kind) and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
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
    articles_new: int = 0
    articles_failed: int = 0
    translated: int = 0
    translate_failed: int = 0
    tagged: int = 0
    announcements: int = 0
    engine: str = ""
    digest_paths: tuple[Path, ...] = ()

    @property
    def failures(self) -> int:
        return len(self.sources_failed) + self.articles_failed + self.translate_failed

    @property
    def exit_code(self) -> int:
        """0 nothing failed; 2 nearly all sources failed (≥ 80%); 1 anything else failed."""
        if self.sources_total and len(self.sources_failed) >= max(1, round(0.8 * self.sources_total)):
            return 2
        return 1 if self.failures else 0

    def summary(self) -> str:
        ok = self.sources_total - len(self.sources_failed)
        failed = f" ({', '.join(self.sources_failed)})" if self.sources_failed else ""
        parts = [
            f"sources {ok} ok / {len(self.sources_failed)} failed{failed}",
            f"articles {self.articles_new} new, {self.articles_failed} failed",
            f"translated {self.translated}" + (f" ({self.engine})" if self.engine else ""),
            f"tagged {self.tagged}, {self.announcements} platform announcements",
        ]
        if self.digest_paths:
            parts.append(f"digest {self.digest_paths[0]}")
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
                 mode: str = "live", digest_dir: str | Path | None = None, today: date | None = None) -> RunReport:
    report = RunReport(run_id=store.start_run(mode), sources_total=len(sources))
    for source in sources:
        crawl_source(config, source, client, store, report)
    translate_pending(config, store, report)
    tag_pending(store, report)
    tz = ZoneInfo(config.timezone)
    day = today or datetime.now(tz).date()
    report.digest_paths = write_digest(store, day, tz, Path(digest_dir or config.digest_dir))
    store.finish_run(
        report.run_id, exit_code=report.exit_code, summary=report.summary(),
        sources_ok=report.sources_total - len(report.sources_failed), sources_failed=len(report.sources_failed),
        articles_new=report.articles_new, translated=report.translated, tagged=report.tagged,
        announcements=report.announcements, failures=report.failures,
    )
    return report


def crawl_source(config: Config, source: crawler.Source, client: httpx.Client, store: Store,
                 report: RunReport) -> None:
    run_id = report.run_id
    store.upsert_source(source.name, source.label, source.base)
    politeness = crawler.Politeness(delay=max(config.delay, source.delay),
                                    jitter=config.jitter, obey_robots=config.obey_robots, user_agent=config.user_agent)
    fetch_opts = dict(allowed_hosts={source.host}, politeness=politeness, max_bytes=config.max_bytes,
                      retries=config.retries)

    def get(url: str, purpose: str) -> crawler.Fetched:
        try:
            fetched = crawler.fetch(client, url, **fetch_opts)
        except crawler.FetchError as exc:
            store.record_fetch(run_id, source.name, url, purpose, status=exc.status, fault_kind=exc.kind,
                               error=str(exc))
            raise
        store.record_fetch(run_id, source.name, url, purpose, status=fetched.status, nbytes=len(fetched.content),
                           elapsed_ms=fetched.elapsed_ms)
        return fetched

    links: list[crawler.Link] = []
    list_errors: list[tuple[str, str]] = []
    for spec in source.lists:
        try:
            fetched = get(spec.url, "list")
            text = crawler.decode(fetched.content, fetched.content_type).text
            found = crawler.discover(source, spec, text, fetched.final_url)
            if not found:
                raise crawler.DiscoverError(spec.url, "list yielded no article links (selector or template changed?)")
            links.extend(found)
        except (crawler.FetchError, crawler.DiscoverError) as exc:
            kind = getattr(exc, "kind", "list_format")
            kind = "empty_list" if isinstance(exc, crawler.DiscoverError) and "no article links" in str(exc) else kind
            log.warning("%s: list %s failed: %s", source.name, spec.url, exc)
            store.record_failure(run_id, "list", kind, str(exc), source=source.name, url=spec.url)
            list_errors.append((kind, str(exc)))
    if source.lists and len(list_errors) == len(source.lists):
        report.sources_failed.append(source.name)
        store.mark_source(source.name, ok=False, kind=list_errors[0][0], error=list_errors[0][1])
        return
    store.mark_source(source.name, ok=True)

    seen: set[str] = set()
    unique = [lnk for lnk in links if not (lnk.url in seen or seen.add(lnk.url))]
    known = store.known_urls(lnk.url for lnk in unique)
    for link in (lnk for lnk in unique if lnk.url not in known):
        try:
            fetched = get(link.url, "article")
            decoded = crawler.decode(fetched.content, fetched.content_type)
            parsed = crawler.parse_article(decoded.text, link.url, source.parse)
        except (crawler.FetchError, crawler.ParseError) as exc:
            report.articles_failed += 1
            log.warning("%s: %s", source.name, exc)
            store.record_failure(run_id, "fetch" if isinstance(exc, crawler.FetchError) else "parse", exc.kind,
                                 str(exc), source=source.name, url=link.url)
            continue
        except Exception as exc:  # one bad page never stops a run; an unexpected error is recorded as such
            report.articles_failed += 1
            log.exception("%s: unexpected error on %s", source.name, link.url)
            store.record_failure(run_id, "parse", "unexpected", f"{type(exc).__name__}: {exc}", source=source.name,
                                 url=link.url)
            continue
        article_id = store.insert_article(run_id, {
            "url": link.url,
            "source": source.name,
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
        })
        if article_id is not None:
            report.articles_new += 1
            log.info("%s: new article %s", source.name, link.url)


def translate_pending(config: Config, store: Store, report: RunReport) -> None:
    pending = store.pending_translation()
    if not pending:
        return
    try:
        translator = translate.load_translator(config.translate_engine)
    except translate.TranslateError as exc:
        log.error("translation engine unavailable: %s", exc)
        store.record_failure(report.run_id, "translate", "engine", str(exc))
        report.translate_failed += len(pending)
        return
    report.engine = translator.engine
    for row in pending:
        try:
            title_en = translator.translate([row["title_zh"]])[0]
            body_en = translate.translate_text(translator, row["body_zh"])
        except Exception as exc:  # recorded; the article stays pending and is retried next run
            report.translate_failed += 1
            log.exception("translation failed for %s", row["url"])
            store.record_failure(report.run_id, "translate", type(exc).__name__, str(exc), source=row["source"],
                                 url=row["url"], article_id=row["id"])
            continue
        missing = translate.missing_numbers(row["title_zh"] + "\n" + row["body_zh"], title_en + "\n" + body_en)
        store.save_translation(row["id"], title_en=title_en, body_en=body_en, engine=translator.engine,
                               model=translator.model, missing=missing)
        report.translated += 1


def tag_pending(store: Store, report: RunReport) -> None:
    for row in store.pending_tagging(extract.TAGGER_VERSION):
        try:
            tagging = extract.tag_article(row["title_zh"], row["body_zh"])
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
                   "start": t.start, "end": t.end} for t in tagging.tags],
        )
        report.tagged += 1
        report.announcements += int(tagging.is_platform_announcement)


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = start + timedelta(days=1)
    return start.isoformat(timespec="seconds"), end.isoformat(timespec="seconds")


def write_digest(store: Store, day: date, tz: ZoneInfo, out_dir: Path) -> tuple[Path, ...]:
    start, end = day_bounds_utc(day, tz)
    rows = store.articles_first_seen_between(start, end)
    failures = store.query("SELECT count(*) AS n FROM failures WHERE at >= ? AND at < ?", [start, end])[0]["n"]
    d = digest.build_digest(day.isoformat(), rows, sources=store.source_health(), failures=failures,
                            attribution=CEDICT_ATTRIBUTION)
    return digest.write_digest(d, out_dir)
