"""Subscriptions, delivered: each analyst's share of the news by e-mail, webhook and Atom feed, and the operator's
report.

For every subscription and target (one recipient, one webhook endpoint) a run first re-sends what earlier runs left
unsent (same payload, same key), then, once per period (a local day, an ISO week, or each run for "immediate"),
claims the items not yet delivered to that target and sends them. The claim is committed before the send, so a run
killed mid-delivery leaves a "sending" row the next run sends again under the same Idempotency-Key / Message-ID: a
receiver that dedupes by key sees each item once. A failing target is recorded (deliveries table, failures with
stage "deliver") and never stops the run.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

import digest
import extract
import registry
from digest import alerts as picks
from digest.build import tag_attrs
from digest.operator import operator_report, render_html, render_text
from digest.webhook import endpoint_label, post
from store import Store

from .config import Config, Subscription
from .redact import redact
from .report import RunReport

log = logging.getLogger("pilotwatch.alerts")

FEED_DAYS = 30  # what a subscription's Atom feed holds
FEED_MAX = 100
# how far back a period's items may come from: an item first seen after the last delivery of the previous period
# arrives in the next one (items are delivered once per target, so overlapping windows repeat nothing)
WINDOW_DAYS = {"daily": 2, "weekly": 14, "immediate": 2}
SEARCH_LIMIT = 100_000
OPERATOR = ":operator"  # the subscription name of operator reports (no subscription name can start with ":")


@dataclass
class News:
    """The rows of the last FEED_DAYS, read once per run and shared by every subscription."""
    rows: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @classmethod
    def load(cls, store: Store, now: datetime, days: int = FEED_DAYS) -> News:
        start = (now - timedelta(days=days)).isoformat(timespec="seconds")
        end = (now + timedelta(seconds=1)).isoformat(timespec="seconds")
        return cls(list(store.articles_first_seen_between(start, end)), store.platform_events_seen_between(start, end))

    def since(self, start_utc: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return ([r for r in self.rows if r["first_seen_at"] >= start_utc],
                [e for e in self.events if e["first_seen_at"] >= start_utc])


@dataclass
class Share:
    """What one subscription gets in its period."""
    subscription: Subscription
    period: str
    label: str  # the digest's day line: "2026-12-07", "week 2026-W50"
    window_start: str  # UTC ISO
    rows: list[dict[str, Any]]
    events: list[dict[str, Any]]
    items: dict[str, dict[str, Any]]  # item id → structured item
    error: str = ""  # the saved search failed: nothing is sent

    def only(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows and events behind these item ids. An article whose news an event tells is not among them: the
        platform line links it, and the article itself (a national list, say) would bring every other place."""
        keep = set(ids)
        return ([r for r in self.rows if picks.article_item_id(r) in keep],
                [e for e in self.events if picks.event_item_id(e) in keep])


def period(sub: Subscription, day: date, run_id: int) -> tuple[str, str]:
    """(period key, label) of the subscription's cadence."""
    if sub.cadence == "weekly":
        y, w, _ = day.isocalendar()
        return f"{y}-W{w:02d}", f"week {y}-W{w:02d}"
    if sub.cadence == "immediate":
        return f"run:{run_id}", day.isoformat()
    return day.isoformat(), day.isoformat()


def share(store: Store, sub: Subscription, news: News, *, day: date, tz: ZoneInfo, run_id: int) -> Share:
    start = datetime.combine(day - timedelta(days=WINDOW_DAYS[sub.cadence] - 1), dtime.min, tzinfo=tz)
    window_start = start.astimezone(UTC).isoformat(timespec="seconds")
    key, label = period(sub, day, run_id)
    rows, events = news.since(window_start)
    query_ids, error = None, ""
    if sub.query:
        from .research import SearchError, search

        try:
            query_ids = frozenset(int(r["id"]) for r in search(store, sub.query, limit=SEARCH_LIMIT))
        except SearchError as exc:  # checked at load; a changed index or alias table could still refuse it
            error, query_ids = f"saved search {sub.query!r}: {exc}", frozenset()
    filters = picks.Filters(frozenset(sub.sectors), frozenset(sub.provinces), frozenset(sub.events), query_ids)
    rows, events = picks.select(rows, events, filters)
    return Share(sub, key, label, window_start, rows, events, picks.items(rows, events), error)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def webhook_target(url: str) -> str:
    """How the deliveries table names an endpoint: never its path or query (the token), but one per URL."""
    return f"{endpoint_label(url)}#{_hash(url)}"


def delivery_key(sub: str, period_key: str, channel: str, target: str) -> str:
    """The Idempotency-Key and the Message-ID's local part: visible ASCII, dot-atom safe."""
    slug = sub.lstrip(":").replace(":", "-") or "operator"
    return f"pilotwatch.{slug}.{period_key.replace(':', '-')}.{channel}.{_hash(target)}"


@dataclass
class Sender:
    """One run's deliveries: the clients, what is down, and the counts for the run summary."""
    config: Config
    store: Store
    report: RunReport
    smtp: digest.SmtpSettings | None
    client: httpx.Client
    sleep: Callable[[float], None] = time.sleep
    down: dict[str, str] = field(default_factory=dict)  # target (or "smtp") → why it is skipped for this run

    def record(self, sub: str, channel: str, target: str, delivery: int, ok: bool, attempts: int, *,
               status: int | None = None, kind: str = "", error: str = "") -> None:
        self.store.delivery_done(delivery, ok=ok, attempts=attempts, status=status, kind=kind, error=error,
                                 run_id=self.report.run_id)
        if ok:
            self.report.deliveries_sent += 1
            return
        self.report.deliveries_failed += 1
        problem = f"{sub} → {channel} {target}: {kind or 'error'}"
        if problem not in self.report.delivery_problems:
            self.report.delivery_problems.append(problem)
        self.store.record_failure(self.report.run_id, "deliver", kind or "error", redact(f"{problem}: {error}"))
        log.warning("delivery %s not sent: %s", problem, redact(error))

    def send(self, row: Mapping[str, Any], url: str = "") -> None:
        """Send one claimed delivery (its stored payload); the outcome goes to the store and the report."""
        channel, target = row["channel"], row["target"]
        skip = self.down.get("smtp" if channel == "email" else target)
        if skip:  # the target failed earlier in this run: one failure counted, the rest wait for the next run
            self.store.delivery_done(row["id"], ok=False, attempts=0, kind="skipped", error=f"not attempted: {skip}",
                                     run_id=self.report.run_id)
            return
        if channel == "email":
            self._email(row)
        else:
            self._webhook(row, url)

    def _email(self, row: Mapping[str, Any]) -> None:
        assert self.smtp is not None
        msg = email.message_from_bytes(row["payload"], policy=email.policy.default)
        try:
            digest.send(msg, replace(self.smtp, recipients=(row["target"],)))
        except digest.SendError as exc:
            if "recipients refused" not in exc.reason:  # the server, not this address: spare the others the wait
                self.down["smtp"] = str(exc)
            self.record(row["subscription"], "email", row["target"], row["id"], False, 1, kind="smtp",
                        error=str(exc))
            return
        self.record(row["subscription"], "email", row["target"], row["id"], True, 1)

    def _webhook(self, row: Mapping[str, Any], url: str) -> None:
        c = self.config
        result = post(self.client, url, json.loads(row["payload"]), key=row["key"], retries=c.webhook_retries,
                      backoff=c.webhook_backoff, max_wait=c.webhook_max_wait, deadline=c.webhook_deadline,
                      sleep=self.sleep)
        if not result.ok:
            self.down[row["target"]] = result.error
        self.record(row["subscription"], "webhook", row["target"], row["id"], result.ok, result.attempts,
                    status=result.status, kind=result.kind, error=result.error)

    def target(self, sub: str, channel: str, target: str, period_key: str, ids: list[str],
               payload: Callable[[list[str], str], bytes] | None, url: str = "") -> None:
        """Re-send the target's open deliveries, then claim and send this period's (payload None: nothing to
        send this period)."""
        for row in self.store.open_deliveries(sub, channel, target):
            self.send(row, url)
        if payload is None or self.store.period_claimed(sub, channel, target, period_key):
            return
        fresh = [i for i in ids if i not in self.store.claimed_items(sub, channel, target, ids)]
        if ids and not fresh:
            return
        key = delivery_key(sub, period_key, channel, target)
        body = payload(fresh, key)
        delivery = self.store.claim_delivery(subscription=sub, channel=channel, target=target, period=period_key,
                                             key=key, items=fresh, payload=body, run_id=self.report.run_id)
        if delivery is not None:  # committed before the send: a killed run leaves it "sending", re-sent next run
            self.send({"id": delivery, "subscription": sub, "channel": channel, "target": target, "key": key,
                       "payload": body}, url)


def _message(d: digest.Digest, settings: digest.SmtpSettings, to: str, key: str) -> bytes:
    html, text = digest.render(d)
    msg = digest.build_message(d, html, text, replace(settings, recipients=(to,)))  # To: this address only
    domain = email.utils.parseaddr(settings.sender)[1].rpartition("@")[2]
    msg.replace_header("Message-ID", f"<{key}@{domain}>")  # a re-send after a killed run is the same message
    return msg.as_bytes()


def subscriber_digest(s: Share, rows: list[dict[str, Any]], events: list[dict[str, Any]],
                      sources: Sequence[Mapping[str, Any]], attribution: str) -> digest.Digest:
    d = digest.build_digest(s.label, rows, sources=sources, attribution=attribution,
                            sector_labels=extract.SECTOR_LABELS, events=events, platforms=None,
                            period_start=s.window_start, event_rank=registry.STATUS_RANK, chart=False)
    return replace(d, audience=s.subscription.name, follows=s.subscription.follows, health_detail=False)


def deliver_subscription(sender: Sender, s: Share, sources: Sequence[Mapping[str, Any]], attribution: str) -> None:
    sub, config = s.subscription, sender.config
    ids = [] if s.error else list(s.items)
    if s.error:
        sender.store.record_failure(sender.report.run_id, "deliver", "query", f"{sub.name}: {s.error}")
    if sub.email and sub.recipients and sender.smtp is not None:
        mail_empty = config.send_empty and sub.cadence != "immediate" and not s.error

        def mail(to: str) -> Callable[[list[str], str], bytes]:
            return lambda fresh, key: _message(subscriber_digest(s, *s.only(fresh), sources, attribution),
                                               sender.smtp, to, key)  # type: ignore[arg-type]

        for to in sub.recipients:  # target() sends only what is new to this recipient (or "nothing new")
            target = email.utils.parseaddr(to)[1].lower() or to
            sender.target(sub.name, "email", target, s.period, ids, mail(to) if ids or mail_empty else None)
    if sub.webhook_url:
        target = webhook_target(sub.webhook_url)
        notice = digest.build_digest(s.label, [], sources=sources).notice

        def hook(fresh: list[str], key: str) -> bytes:
            chosen = [s.items[i] for i in fresh]
            body = picks.webhook_payload(subscription=sub.name, follows=sub.follows, period=s.period, key=key,
                                         items=chosen, notice=notice)
            return json.dumps(body, ensure_ascii=False).encode("utf-8")

        sender.target(sub.name, "webhook", target, s.period, ids, hook if ids else None, sub.webhook_url)


def feed_rows(s: Share, limit: int = FEED_MAX) -> list[dict[str, Any]]:
    """The share's articles as `research.to_atom` rows, newest first."""
    out = []
    for r in sorted(s.rows, key=lambda r: (r["first_seen_at"], r["id"]), reverse=True)[:limit]:
        tags = r.get("tags") or []

        def values(field: str, tags: list[Mapping[str, Any]] = tags) -> list[str]:
            return list(dict.fromkeys(str(t["value"]) for t in tags if t.get("field") == field and t.get("value")))

        provinces = values("province") + [p for t in tags if t.get("field") == "city"
                                          if (p := tag_attrs(t).get("province"))]
        out.append({**{k: r.get(k) for k in ("url", "title_zh", "title_en", "translation_engine", "first_seen_at",
                                               "published_at", "source", "doc_number")},
                    "sectors": values("sector"), "provinces": list(dict.fromkeys(provinces)),
                    "cities": values("city"), "hosts": values("host"), "issuers": values("issuer")})
    return out


def feed_url(config: Config, name: str) -> str:
    return f"{config.feed_base_url.rstrip('/')}/{name}.xml" if config.feed_base_url else ""


def write_feed(config: Config, s: Share) -> Path:
    from .research import to_atom

    path = Path(config.feed_dir) / f"{s.subscription.name}.xml"
    text = to_atom(feed_rows(s), title=f"PilotWatch — {s.subscription.name}: {s.subscription.follows}",
                   feed_id=f"urn:pilotwatch:subscription:{s.subscription.name}",
                   self_url=feed_url(config, s.subscription.name) or None)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a feed reader never sees half a file
    return path


def operator_mail(sender: Sender, day: date, tz: ZoneInfo, sources: Sequence[Mapping[str, Any]]) -> None:
    """Source health, the day's failures and failing deliveries to operator_recipients, once a day when something
    is wrong."""
    config, store = sender.config, sender.store
    if not config.operator_recipients or sender.smtp is None:
        return
    start = datetime.combine(day, dtime.min, tzinfo=tz).astimezone(UTC)
    r = operator_report(day.isoformat(), sources, store.failure_kinds_between(
        start.isoformat(timespec="seconds"), (start + timedelta(days=1)).isoformat(timespec="seconds")),
        [p for p in store.delivery_problems() if p["subscription"] != OPERATOR])
    if not r.needed:
        return
    settings = sender.smtp

    def mail(to: str) -> Callable[[list[str], str], bytes]:
        def build(_fresh: list[str], key: str) -> bytes:
            from email.message import EmailMessage
            from email.utils import formatdate

            msg = EmailMessage()
            msg["Subject"], msg["From"], msg["To"] = r.subject, settings.sender, to
            msg["Date"] = formatdate(localtime=True)
            msg["Message-ID"] = f"<{key}@{email.utils.parseaddr(settings.sender)[1].rpartition('@')[2]}>"
            msg["Auto-Submitted"] = "auto-generated"
            msg.set_content(render_text(r), charset="utf-8")
            msg.add_alternative(render_html(r), subtype="html", charset="utf-8")
            return msg.as_bytes()
        return build

    for to in config.operator_recipients:
        target = email.utils.parseaddr(to)[1].lower() or to
        sender.target(OPERATOR, "email", target, day.isoformat(), [], mail(to))


def deliver(config: Config, store: Store, report: RunReport, *, day: date, tz: ZoneInfo, now: datetime,
            smtp: digest.SmtpSettings | None, sources: Sequence[Mapping[str, Any]], attribution: str = "",
            client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
    """Every subscription's feed and deliveries, then the operator's report. Never raises for a target's failure."""
    if not config.subscriptions and not config.operator_recipients:
        return
    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(config.timeout), follow_redirects=False,
                                    headers={"User-Agent": config.user_agent})
    sender = Sender(config, store, report, smtp, client, sleep)
    try:
        news = News.load(store, now) if config.subscriptions else News([], [])
        for sub in config.subscriptions:
            try:
                s = share(store, sub, news, day=day, tz=tz, run_id=report.run_id)
                write_feed(config, s)
                report.feeds += 1
                deliver_subscription(sender, s, sources, attribution)
            except Exception as exc:  # one subscription's bug or disk error never stops the others
                log.exception("subscription %s failed", sub.name)
                report.deliveries_failed += 1
                report.delivery_problems.append(f"{sub.name}: {type(exc).__name__}")
                store.record_failure(report.run_id, "deliver", type(exc).__name__, redact(f"{sub.name}: {exc}"))
        operator_mail(sender, day, tz, sources)
    finally:
        if own:
            client.close()


def preview(config: Config, store: Store, *, day: date, tz: ZoneInfo, now: datetime) -> list[dict[str, Any]]:
    """What each subscription would receive if a run delivered now: a dry run that reads and writes nothing else."""
    news = News.load(store, now)
    out = []
    last_run = store.query("SELECT max(id) AS n FROM runs")[0]["n"] or 0
    for sub in config.subscriptions:
        s = share(store, sub, news, day=day, tz=tz, run_id=last_run + 1)
        ids = list(s.items)
        targets = [("email", email.utils.parseaddr(t)[1].lower() or t) for t in sub.recipients if sub.email]
        targets += [("webhook", webhook_target(sub.webhook_url))] if sub.webhook_url else []
        channels = []
        for channel, target in targets:
            done = store.period_claimed(sub.name, channel, target, s.period)
            fresh = [] if done else [i for i in ids if i not in store.claimed_items(sub.name, channel, target, ids)]
            channels.append({"channel": channel, "target": target, "period_done": done, "new_items": len(fresh)})
        out.append({"name": sub.name, "cadence": sub.cadence, "period": s.period, "follows": sub.follows,
                    "feed": str(Path(config.feed_dir) / f"{sub.name}.xml"), "feed_url": feed_url(config, sub.name),
                    "error": s.error, "channels": channels, "items": list(s.items.values())})
    return out
