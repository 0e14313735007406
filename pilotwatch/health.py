"""How the monitor is doing, for people: each source's status and the doctor's checks.

A source's status has one rule, `crawler.source_status`; the `sources` command, the digest footer and `doctor` all
read it from here. The click commands only print what these functions return.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import crawler

from .config import SECRET_LLM_KEY, SECRET_SMTP_PASSWORD, Config, ConfigError, load_config

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

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.what}{': ' + self.detail if self.detail else ''}"


def doctor(config_path: str | None, *, offline: bool = False) -> Iterator[Check]:
    """Configuration, database, sources, reachability, translation engine and SMTP login, one Check each.

    Secrets are never shown, only whether they are set. Stops after a bad configuration (nothing else can be judged).
    """
    import translate
    from store import StoreError, open_store

    from .pipeline import load_engine, smtp_settings

    try:
        config = load_config(config_path)
        yield Check(True, "configuration", config_path or "packaged defaults + environment")
    except ConfigError as exc:
        yield Check(False, "configuration", str(exc))
        return
    try:
        store = open_store(config.db)
        n = store.article_count()
        store.close()
        yield Check(True, "database", f"{config.db} ({n} articles, schema up to date)")
    except StoreError as exc:
        yield Check(False, "database", str(exc))
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


def reachability(config: Config, sources: Sequence[crawler.Source]) -> Iterator[Check]:
    """Each source's robots.txt: an answer that is not an anti-bot or server fault means the site is reachable."""
    import httpx

    from .pipeline import build_client

    with build_client(config) as client:
        for src in sources:
            try:
                r = client.get(src.base + "/robots.txt", timeout=min(config.timeout, 10))
                kind = crawler.status_kind(r.status_code)
                yield Check(kind not in ("blocked", "server"), f"reach {src.name}",
                            f"{src.base} answered HTTP {r.status_code}" + (f" ({kind})" if kind else ""))
            except httpx.HTTPError as exc:
                yield Check(False, f"reach {src.name}", f"{src.base}: {type(exc).__name__}")


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
