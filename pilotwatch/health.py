"""How the monitor is doing, for people: each source's status and the doctor's checks.

A source's status has one rule, `crawler.source_status`; the `sources` command, the digest footer and `doctor` all
read it from here. The click commands only print what these functions return.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import crawler

from .config import SECRET_LLM_KEY, SECRET_SMTP_PASSWORD, Config, ConfigError, load_config
from .redact import redact

SOURCE_FIELDS = ("last_ok_at", "last_new_at", "last_error_kind", "last_error")
LIST_FIELDS = ("name", "url", "fallback", "last_ok_at", "last_status", "last_fault_kind", "items_found", "new_items",
               "empty_count", "consecutive_failures")


def source_rows(rows: Iterable[Mapping[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The store's source_health() rows with the decided status (blocked_until only while the back-off lasts)."""
    out = []
    for row in rows:
        status = crawler.source_status(row, now)
        out.append({**row, "status": status.status, "failing": status.failing, "stale": status.stale,
                    "days_since_ok": status.days_since_ok(now),
                    "blocked_until": status.blocked_until.isoformat() if status.blocked_until else None})
    return out


def sources_report(configured: Sequence[crawler.Source], rows: Iterable[Mapping[str, Any]], now: datetime
                   ) -> list[dict[str, Any]]:
    """One entry per configured source (a source never crawled is "never run"), with its lists."""
    health = {r["name"]: r for r in source_rows(rows, now)}
    out = []
    for src in configured:
        h = health.get(src.name) or source_rows([{"name": src.name}], now)[0]
        out.append({"name": src.name, "label": src.label, "official": src.official, "status": h["status"],
                    **{k: h.get(k) for k in SOURCE_FIELDS}, "blocked_until": h["blocked_until"],
                    "consecutive_failures": h.get("consecutive_failures") or 0, "articles": h.get("articles") or 0,
                    "gone": h.get("gone") or 0,
                    "lists": [{k: lst[k] for k in LIST_FIELDS} for lst in h.get("lists", [])]})
    return out


def format_sources(report: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    for r in report:
        extra = f", blocked until {r['blocked_until']}" if r["blocked_until"] else ""
        error = f" — last error {r['last_error_kind']}: {r['last_error']}" if r["status"] != "ok" and r["last_error"] else ""
        yield (f"{r['name']:8} {r['status']:9} last ok {(r['last_ok_at'] or 'never')[:16]}, "
               f"{r['consecutive_failures']} failures in a row, {r['articles']} articles{extra}{error}")
        for lst in r["lists"]:
            kind = "fallback " if lst["fallback"] else ""
            state = lst["last_fault_kind"] or (f"HTTP {lst['last_status']}" if lst["last_status"] else "-")
            items = lst["items_found"] if lst["items_found"] is not None else "-"
            yield f"    {kind}{lst['name']}: {items} items, {lst['new_items'] or 0} new, {lst['empty_count']} empty reads, {state}"


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    detail: str = ""
    warn: bool = False  # works, but should be fixed (not counted as a problem)

    def __str__(self) -> str:
        mark = "FAIL" if not self.ok else "WARN" if self.warn else "ok  "
        return f"{mark} {self.what}{': ' + self.detail if self.detail else ''}"


PLACEHOLDER_CONTACT = "set user_agent"  # the packaged user_agent's stand-in for the operator's contact


def user_agent_check(config: Config) -> Check:
    """Sites' admins read the User-Agent to know who crawls them and whom to ask before blocking."""
    ua = config.user_agent
    if PLACEHOLDER_CONTACT in ua or re.search(r"example\.(org|com|net)\b", ua):
        return Check(True, "user agent", f"user_agent still has the placeholder contact ({ua!r}): set it to your "
                                         "project and a contact, e.g. \"PilotWatch/0.1 (+https://your.org/pilotwatch; "
                                         "ops@your.org)\"", warn=True)
    if "@" not in ua and "http" not in ua:
        return Check(True, "user agent", f"user_agent {ua!r} gives no contact (an e-mail address or URL)", warn=True)
    return Check(True, "user agent", ua)


def doctor(config_path: str | None, *, offline: bool = False, overrides: Mapping[str, Any] | None = None
           ) -> Iterator[Check]:
    """Configuration, database, digest folder, sources, reachability, translation engine and SMTP login.

    Secrets are never shown, only whether they are set; every detail is redacted (an SMTP server may echo the AUTH
    exchange). Stops after a bad configuration (nothing else can be judged). Never creates or migrates the database.
    """
    for check in _doctor_checks(config_path, offline=offline, overrides=overrides):
        yield Check(check.ok, check.what, redact(check.detail), check.warn)


def _doctor_checks(config_path: str | None, *, offline: bool, overrides: Mapping[str, Any] | None
                   ) -> Iterator[Check]:
    import translate

    from .pipeline import load_engine, smtp_settings

    try:
        config = load_config(config_path, overrides=overrides)
        yield Check(True, "configuration", config_path or "packaged defaults + environment")
        yield user_agent_check(config)
    except ConfigError as exc:
        yield Check(False, "configuration", str(exc))
        return
    yield from database_checks(config)
    unwritable = unwritable_dir(config.digest_dir)
    yield Check(not unwritable, "digest folder", f"digest_dir: {unwritable}" if unwritable else config.digest_dir)
    try:
        sources = crawler.load_sources(config.sources_file or None)
        yield Check(True, "sources", f"{len(sources)} configured: {', '.join(s.name for s in sources)}")
    except crawler.SourceConfigError as exc:
        yield Check(False, "sources", str(exc))
        sources = []
    if not offline:
        yield from reachability(config, sources)
    try:
        engine = load_engine(config)
        yield Check(True, "translation engine", f"{engine.engine} ({engine.model})")
    except translate.TranslateError as exc:
        yield Check(False, "translation engine", f"{exc} (the run would gloss instead)")
    if config.translate_engine == "llm":
        yield Check(True, "LLM API key", f"{SECRET_LLM_KEY} is {'set' if os.environ.get(SECRET_LLM_KEY) else 'not set'}")
    yield from smtp_checks(config, smtp_settings(config))
    yield from subscription_checks(config)


def unwritable_dir(folder: str | Path) -> str | None:
    """Why digest files could not be written in folder (made if missing), or None. It probes with a temporary file
    in the folder or its nearest existing parent (permission bits say nothing for root or a read-only mount)."""
    probe = Path(folder).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return f"cannot write to {folder}: {probe} is not a folder"
    try:
        fd, name = tempfile.mkstemp(prefix=".pilotwatch-probe-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return f"cannot write to {folder}: {exc.strerror or exc}"
    return None


def database_checks(config: Config) -> Iterator[Check]:
    """The database, read-only: present, schema this version knows, PRAGMA quick_check, and the last finished run's
    recorded new articles against the articles carrying its id (fewer: committed writes were lost)."""
    from store import StoreError, inspect_database, newer_schema

    try:
        info = inspect_database(config.db)
    except StoreError as exc:
        yield Check(False, "database", str(exc))
        return
    if not info["exists"]:
        yield Check(False, "database", f"db: {config.db} does not exist (the first `pilotwatch run` creates it; "
                                       "is db set to the right file?)")
        return
    pending = info["pending_migrations"]
    if info["unknown_migrations"]:
        yield Check(False, "database", newer_schema(config.db, info["unknown_migrations"]))
    else:
        schema = f"{len(pending)} migration(s) pending, the next run applies them" if pending else "schema up to date"
        yield Check(True, "database", f"{config.db} ({info['articles']} articles, {schema})")
    lines = [ln.strip() for p in info["quick_check"] for ln in p.splitlines() if ln.strip() and "***" not in ln]
    more = f" (+{len(lines) - 3} more)" if len(lines) > 3 else ""
    yield Check(lines == ["ok"], "database integrity", "PRAGMA quick_check ok" if lines == ["ok"] else
                f"PRAGMA quick_check: {'; '.join(lines[:3])}{more}; restore a backup or try sqlite3's .recover")
    run = info["last_run"]
    if run and run["articles_new"] is not None:
        same = run["held"] == run["articles_new"]
        yield Check(same, "database consistency",
                    f"run {run['id']} recorded {run['articles_new']} new articles; the database holds all of them" if same
                    else f"run {run['id']} recorded {run['articles_new']} new articles but the database holds "
                         f"{run['held']} with its id: committed writes were lost (a deleted or truncated -wal file, a copy "
                         "taken without it, or rows deleted by hand?)")


def preflight(config: Config, digest_dir: str | Path | None = None) -> list[str]:
    """What a run would otherwise find out only after the crawl, checked before it starts: one line each, naming
    the setting. (A database from a newer PilotWatch is refused when the store opens, also before the run row.)"""
    unwritable = unwritable_dir(digest_dir or config.digest_dir)
    return [f"digest_dir: {unwritable}"] if unwritable else []


def reachability(config: Config, sources: Sequence[crawler.Source]) -> Iterator[Check]:
    """Each source's robots.txt, read as the crawl reads it (crawler.read_robots: the source's allow-list on every
    hop, the robots.txt size cap after decompression, a total deadline of `request_deadline`, at most 10 s): any
    answer but an anti-bot wall, a server fault, a timeout or a network error means the site is reachable."""
    import logging

    from .pipeline import build_client

    fetch_log = logging.getLogger("crawler.fetch")
    level = fetch_log.level
    fetch_log.setLevel(logging.ERROR)  # "skipping it for this run" is the crawl's voice; the check line says it here
    try:
        with build_client(config) as client:
            for src in sources:
                answer = crawler.read_robots(client, src.base, allowed_hosts=src.hosts,
                                             deadline=min(config.request_deadline, 10.0))
                yield Check(answer.kind not in ("blocked", "server", "timeout", "network"), f"reach {src.name}",
                            f"{src.base} robots.txt: {answer.detail}" + (f" ({answer.kind})" if answer.kind else ""))
    finally:
        fetch_log.setLevel(level)


def smtp_checks(config: Config, settings) -> Iterator[Check]:
    import digest

    if settings is None:
        yield Check(True, "SMTP", "smtp_host not set: digests are written to disk only")
        return
    if not config.recipients or not config.smtp_from:
        yield Check(False, "SMTP", "set recipients and smtp_from to mail the digest")
    password = f"{SECRET_SMTP_PASSWORD} {'set' if os.environ.get(SECRET_SMTP_PASSWORD) else 'not set'}"
    try:
        digest.check_login(settings)
        yield Check(True, "SMTP login", f"{settings.host}:{settings.port} ({settings.security}; {password})")
    except digest.SendError as exc:
        yield Check(False, "SMTP login", f"{exc} ({password})")


def subscription_checks(config: Config) -> Iterator[Check]:
    """Each subscription's channels as configured, then each target whose deliveries failed (read-only)."""
    from digest.webhook import endpoint_label

    from .alerts import feed_url

    if not config.subscriptions and not config.operator_recipients:
        return
    mail = bool(config.smtp_host and config.smtp_from)
    for sub in config.subscriptions:
        channels = []
        if sub.email and sub.recipients:
            channels.append(f"e-mail to {len(sub.recipients)} recipient{'s' if len(sub.recipients) != 1 else ''}")
        if sub.webhook_url:
            channels.append(f"webhook {endpoint_label(sub.webhook_url)}")
        channels.append(f"feed {feed_url(config, sub.name) or Path(config.feed_dir) / (sub.name + '.xml')}")
        unmailed = sub.email and sub.recipients and not mail
        yield Check(not unmailed, f"subscription {sub.name}",
                    f"{sub.cadence}: {sub.follows}; {', '.join(channels)}" +
                    ("; recipients set but smtp_host/smtp_from are not: nothing will be mailed" if unmailed else ""))
    if config.operator_recipients:
        yield Check(mail, "operator report", f"to {len(config.operator_recipients)} recipient(s)" +
                    ("" if mail else "; smtp_host/smtp_from are not set: nothing will be mailed"))
    if config.subscriptions:
        unwritable = unwritable_dir(config.feed_dir)
        yield Check(not unwritable, "feed folder", f"feed_dir: {unwritable}" if unwritable else
                    f"{config.feed_dir}" + ("" if config.feed_base_url else
                                            " (feed_base_url not set: feeds carry no rel=self link)"))
    yield from delivery_checks(config)


def delivery_checks(config: Config) -> Iterator[Check]:
    """Targets whose deliveries did not go out, from the database (never created here)."""
    import sqlite3

    from store import StoreError, open_store

    if not Path(config.db).is_file():
        return
    try:
        store = open_store(config.db, readonly=True)
    except (StoreError, sqlite3.Error):
        return  # database_checks said why
    try:
        problems = store.delivery_problems()
    except sqlite3.Error:  # a database from before m011: no deliveries yet
        return
    finally:
        store.close()
    for p in problems:
        yield Check(False, f"delivery {p['subscription']} → {p['channel']} {p['target']}",
                    f"{p['pending']} not delivered since {p['since']}, {p['attempts']} attempts; last: "
                    f"{p['error_kind'] or '?'}: {p['error'] or ''} (re-sent each run)")
