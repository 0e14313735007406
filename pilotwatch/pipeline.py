"""The pipeline, top to bottom: sources → fetch → parse → tag → translate → store → digest.

The crawl step lives in crawl.py (it applies crawler.policy's decisions); tagging, translation and the digest are
wired here. Each step asks the store what is pending and commits per article, so a killed run resumes where it
stopped and a re-run stores nothing twice. A failure on one item is recorded (stage + kind) and the run goes on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

import crawler
import digest
import extract
import registry
from extract.record import tag_rows
from store import Store

from . import alerts, platforms
from .config import SECRET_SMTP_PASSWORD, Config
from .crawl import Crawl, Progress, StageLabels
from .health import source_rows
from .redact import redact
from .report import RunReport
from .translation import load_engine, translate_pending

log = logging.getLogger("pilotwatch")


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
                 now: datetime | None = None, progress: Progress | Callable[[str], None] | None = None) -> RunReport:
    """One run. `progress` is told each stage and its counts (a plain callable gets the stage labels only)."""
    shown = progress if isinstance(progress, Progress) else StageLabels(progress) if progress else Progress()
    report = RunReport(run_id=store.start_run(mode), sources_total=len(sources))
    with Crawl(config, sources, client, store, report, now or datetime.now(UTC), shown) as crawl:  # ends its worker
        crawl.all(sources)  # side by side, each host at its own pace
    shown.stage("tagging and translating")
    # tagging first: translating a body depends on it
    tag_pending(store, report, threshold=config.announcement_threshold, progress=shown)
    # translation.py does not report single articles: its count moves once, when the step is done
    pending = len(store.pending_translation(retry_fallbacks=config.translate_engine != "gloss"))
    shown.count(pending, "articles translated")
    translate_pending(config, store, report)
    shown.advance(pending)
    platforms.update(store, report, lambda: load_engine(config), lambda: load_engine(config, "gloss"))
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
        store.record_failure(report.run_id, "digest", "send", redact(str(exc)))
        report.digest_send_failed = 1
    at = now or datetime.now(UTC)
    alerts.deliver(config, store, report, day=day, tz=tz, now=at, smtp=smtp_settings(config),
                   sources=source_rows(store.source_health(), at), attribution=CEDICT_ATTRIBUTION)
    store.finish_run(
        report.run_id, exit_code=report.exit_code, summary=report.summary(),
        sources_ok=report.sources_total - len(report.sources_failed), sources_failed=len(report.sources_failed),
        articles_new=report.articles_new, translated=report.translated, tagged=report.tagged,
        announcements=report.announcements, failures=report.failures,
    )
    return report


def attachment_tags(store: Store, report: RunReport, article_id: int) -> list[dict[str, Any]]:
    """Tags in the article's attachment texts, as part "attachment:<id>" (the link title is context, not tagged)."""
    rows: list[dict[str, Any]] = []
    for att in store.attachment_texts(article_id):
        try:
            tagged = tag_rows(extract.tag_article(att["title"] or "", att["text"]))  # a list: one platform per row
        except Exception as exc:  # recorded; the article is saved without this attachment's tags
            log.exception("tagging failed for %s", att["url"])
            store.record_failure(report.run_id, "tag", type(exc).__name__, redact(str(exc)), url=att["url"],
                                 article_id=article_id)
            continue
        rows += [{**t, "part": f"attachment:{att['id']}"} for t in tagged if t["part"] == "body"]
    return rows


def tag_pending(store: Store, report: RunReport, *, threshold: float | None = None,
                progress: Progress | None = None) -> None:
    for row in (progress or Progress()).each(store.pending_tagging(extract.TAGGER_VERSION), "articles tagged"):
        try:
            tagging = extract.tag_article(row["title_zh"], row["body_zh"], threshold=threshold,
                                          published=(row["published_at"] or "")[:10] or None)
        except Exception as exc:  # recorded; stays pending
            log.exception("tagging failed for %s", row["url"])
            store.record_failure(report.run_id, "tag", type(exc).__name__, redact(str(exc)), url=row["url"],
                                 article_id=row["id"])
            continue
        store.save_tags(row["id"], is_announcement=tagging.is_platform_announcement,
                        mentions=tagging.mentions_pilot_platform, reasons=list(tagging.reasons),
                        tagger_version=extract.TAGGER_VERSION, score=tagging.announcement_score, flags=tagging.flags,
                        tags=[*tag_rows(tagging), *attachment_tags(store, report, row["id"])])
        report.tagged += 1
        report.announcements += int(tagging.is_platform_announcement)


CEDICT_ATTRIBUTION = ("Glosses use CC-CEDICT (MDBG, https://www.mdbg.net/chinese/dictionary?page=cedict), "
                      "licensed CC BY-SA 4.0.")


def day_bounds_utc(day: date, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    return start.isoformat(timespec="seconds"), (start + timedelta(days=1)).isoformat(timespec="seconds")


def make_digest(store: Store, day: date, tz: ZoneInfo, *, now: datetime | None = None) -> digest.Digest:
    start, end = day_bounds_utc(day, tz)
    at = now or datetime.now(UTC)
    return digest.build_digest(day.isoformat(), store.articles_first_seen_between(start, end),
                               sources=source_rows(store.source_health(), at), changes=store.changes_between(start, end),
                               failures=store.count_failures_between(start, end), attribution=CEDICT_ATTRIBUTION,
                               sector_labels=extract.SECTOR_LABELS, events=store.platform_events_seen_between(start, end),
                               platforms=store.platform_summaries(), steps=store.programme_steps(), period_start=start,
                               event_rank=registry.STATUS_RANK)


def write_digest(store: Store, day: date, tz: ZoneInfo, out_dir: Path, *, now: datetime | None = None
                 ) -> tuple[Path, ...]:
    d = make_digest(store, day, tz, now=now)
    paths = digest.write_digest(d, out_dir)
    start, end = day_bounds_utc(day, tz)
    store.record_digest(day=d.day, period_start=start, period_end=end, html_path=str(paths[0]),
                        text_path=str(paths[1]), items=len(d.platforms) + len(d.policies) + d.other_count,
                        announcements=len(d.announcements))
    return paths


class AlreadySent(Exception):
    """The digest of this day was mailed before; sending again needs force."""


def smtp_settings(config: Config) -> digest.SmtpSettings | None:
    """The digest's SMTP settings, the password from the environment; None when no SMTP host is configured."""
    if not config.smtp_host:
        return None
    return digest.SmtpSettings(host=config.smtp_host, port=config.smtp_port, security=config.smtp_security,
                               user=config.smtp_user, password=os.environ.get(SECRET_SMTP_PASSWORD, ""),
                               password_from=SECRET_SMTP_PASSWORD, sender=config.smtp_from,
                               recipients=config.recipients, timeout=config.smtp_timeout, redact=redact)


def send_digest(config: Config, store: Store, day: date, tz: ZoneInfo, *, now: datetime | None = None,
                force: bool = False) -> digest.SendResult | None:
    """Mail the day's digest (written first, so a failed send leaves it on disk). None when mail is not configured
    or an empty day is not to be mailed; AlreadySent when it went out (or is going out) before, unless force.

    The send is claimed in the store before SMTP, so of two concurrent senders one mails; a failed send releases the
    claim for a later run. A claim whose sender was killed mid-send stays: only --force sends that day again."""
    settings = smtp_settings(config)
    if settings is None or not settings.recipients:
        return None
    claim = store.claim_digest_send(day.isoformat(), force=force)
    if claim is None:
        sent = store.digest_sent(day.isoformat()) or {}
        how = (f"sent at {sent.get('sent_at')} ({sent['message_id']})" if sent.get("message_id") else
               f"being sent since {sent.get('sent_at')} (by another run, or one killed while sending)")
        raise AlreadySent(f"the digest of {day} was already {how}; use --force to send it again")
    result = None
    try:
        # with an operator configured, analysts read a one-line notice instead of the source-health table
        d = replace(make_digest(store, day, tz, now=now), health_detail=not config.operator_recipients)
        if not d.empty or config.send_empty:
            html, text = digest.render(d)
            result = digest.send(digest.build_message(d, html, text, settings), settings)  # raises digest.SendError
    finally:
        if result is None:  # failed, or an empty day not to be mailed: a later run may send the day
            store.release_digest_claim(claim)
    if result is None:
        return None
    store.mark_digest_sent(d.day, recipients=list(result.accepted), message_id=result.message_id, claim=claim)
    return result
