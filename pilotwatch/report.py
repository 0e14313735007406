"""What one run did: counts for the summary line, the `runs` table and the exit code (the cron contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RunReport:
    run_id: int = 0
    sources_total: int = 0
    sources_failed: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # sources answering with anti-bot pages, or backing off
    via_fallback: list[str] = field(default_factory=list)  # sources whose primary lists failed, served by a fallback
    offline: str = ""  # one line when every host asked was unreachable (crawler.offline_cause), else ""
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
    platforms: int = 0  # in the registry after this run
    platforms_new: int = 0
    registry_failed: int = 0
    engine: str = ""  # the engine that translated this run's articles, or "mixed"
    memory_hits: int = 0  # sentences served by the translation memory
    memory_misses: int = 0
    digest_sent: int = 0  # recipients who accepted the mail
    digest_send_failed: int = 0
    digest_paths: tuple[Path, ...] = ()
    feeds: int = 0  # subscriptions' Atom files written
    deliveries_sent: int = 0  # e-mails and webhook POSTs of subscriptions and operator reports
    deliveries_failed: int = 0
    delivery_problems: list[str] = field(default_factory=list)  # "name → channel target: kind", one per target

    @property
    def failures(self) -> int:
        return (len(self.sources_failed) + len(self.via_fallback) + self.articles_failed + self.translate_failed
                + self.digest_send_failed + self.registry_failed + self.deliveries_failed)

    @property
    def exit_code(self) -> int:
        """0 nothing failed; 2 nearly all sources failed (≥ 80%); 1 anything else failed."""
        if self.sources_total and len(self.sources_failed) >= max(1, round(0.8 * self.sources_total)):
            return 2
        return 1 if self.failures else 0

    def translated_by(self, engine: str, hits: int, misses: int) -> None:
        self.translated += 1
        self.engine = engine if self.engine in ("", engine) else "mixed"
        self.memory_hits += hits
        self.memory_misses += misses

    def summary(self) -> str:
        ok = self.sources_total - len(self.sources_failed)
        failed = f" ({', '.join(self.sources_failed)})" if self.sources_failed else ""
        fallback = f" ({', '.join(self.via_fallback)} via fallback)" if self.via_fallback else ""
        parts = [
            f"sources {ok} ok{fallback} / {len(self.sources_failed)} failed{failed}",
            f"articles {self.articles_new} new, {self.articles_failed} failed",
            f"translated {self.translated}" + (f" ({self.engine})" if self.engine else ""),
            f"tagged {self.tagged}, {self.announcements} platform announcements",
            f"registry {self.platforms} platforms ({self.platforms_new} new)",
        ]
        if self.edited or self.gone:
            parts.append(f"{self.edited} edited, {self.gone} gone")
        if self.digest_paths:
            mailed = (f" (mailed to {self.digest_sent})" if self.digest_sent else
                      " (NOT mailed: see log)" if self.digest_send_failed else "")
            parts.append(f"digest {self.digest_paths[0]}{mailed}")
        if self.feeds or self.deliveries_sent or self.deliveries_failed:
            failing = f" ({'; '.join(self.delivery_problems)})" if self.delivery_problems else ""
            parts.append(f"alerts {self.deliveries_sent} sent, {self.deliveries_failed} failed{failing}, "
                         f"{self.feeds} feed{'s' if self.feeds != 1 else ''}")
        return "; ".join(parts)
