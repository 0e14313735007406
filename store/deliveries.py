"""Subscriptions' deliveries (m011): claimed before they are sent, so every item reaches each target once.

A mixin of Store. A delivery is one e-mail to one recipient or one POST to one endpoint, for one period of its
subscription. Claiming it writes, in one transaction, the delivery (status "sending", its exact payload and its
idempotency key) and one delivered_items row per item it carries: an item claimed for a target is never put in
another delivery to that target. A delivery that did not go out ("failed", or "sending" left by a killed run) is
re-sent later with the same payload and key, so a receiver that dedupes by the key sees it once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

OPEN = ("sending", "failed")


class DeliveryStore:
    """Methods of Store (self.query, self.write) for the deliveries tables."""

    def claimed_items(self, subscription: str, channel: str, target: str, items: Iterable[str]) -> set[str]:
        """Which of these items some delivery to the target already carries (sent or not)."""
        items = list(items)
        found: set[str] = set()
        for i in range(0, len(items), 500):
            chunk = items[i:i + 500]
            found.update(r["item"] for r in self.query(  # type: ignore[attr-defined]
                "SELECT item FROM delivered_items WHERE subscription = ? AND channel = ? AND target = ? "
                f"AND item IN ({', '.join('?' * len(chunk))})", [subscription, channel, target, *chunk]))
        return found

    def period_claimed(self, subscription: str, channel: str, target: str, period: str) -> bool:
        return bool(self.query(  # type: ignore[attr-defined]
            "SELECT 1 FROM deliveries WHERE subscription = ? AND channel = ? AND target = ? AND period = ?",
            [subscription, channel, target, period]))

    def claim_delivery(self, *, subscription: str, channel: str, target: str, period: str, key: str,
                       items: list[str], payload: bytes | None, run_id: int | None, empty: bool = False
                       ) -> int | None:
        """Claim a period's delivery: its id, or None when the period was claimed before (by this or another run).
        Items another delivery to the target carries are left out (and an item list left empty by that is no
        delivery: None). empty: nothing matched, the period is recorded as done without sending."""
        from .db import utcnow

        with self.write() as conn:  # type: ignore[attr-defined]
            if conn.execute("SELECT 1 FROM deliveries WHERE subscription = ? AND channel = ? AND target = ? AND "
                            "period = ?", (subscription, channel, target, period)).fetchone():
                return None
            taken = {r[0] for r in conn.execute(
                "SELECT item FROM delivered_items WHERE subscription = ? AND channel = ? AND target = ?",
                (subscription, channel, target))} if items else set()
            fresh = [i for i in items if i not in taken]
            if items and not fresh:
                return None
            cur = conn.execute(
                "INSERT INTO deliveries (subscription, channel, target, period, key, items, status, payload, run_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (subscription, channel, target, period, key, json.dumps(fresh), "empty" if empty else "sending",
                 None if empty else payload, run_id, utcnow()))
            delivery = int(cur.lastrowid)
            conn.executemany("INSERT INTO delivered_items (subscription, channel, target, item, delivery_id) "
                             "VALUES (?, ?, ?, ?, ?)", [(subscription, channel, target, i, delivery) for i in fresh])
            return delivery

    def open_deliveries(self, subscription: str, channel: str, target: str) -> list[dict[str, Any]]:
        """Deliveries to the target not yet sent (failed, or left "sending" by a killed run), oldest first."""
        return self.query(  # type: ignore[attr-defined]
            "SELECT * FROM deliveries WHERE subscription = ? AND channel = ? AND target = ? AND status IN "
            f"({', '.join('?' * len(OPEN))}) ORDER BY id", [subscription, channel, target, *OPEN])

    def delivery_done(self, delivery: int, *, ok: bool, attempts: int, status: int | None = None, kind: str = "",
                      error: str = "", run_id: int | None = None) -> None:
        """The outcome of one sending: sent (its payload dropped) or failed (kept for the next run)."""
        from .db import utcnow

        now = utcnow()
        with self.write() as conn:  # type: ignore[attr-defined]
            conn.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + ?, http_status = ?, error_kind = ?, error = ?, "
                "last_attempt_at = ?, sent_at = CASE WHEN ? THEN ? END, payload = CASE WHEN ? THEN NULL ELSE payload "
                "END, run_id = coalesce(?, run_id) WHERE id = ?",
                ("sent" if ok else "failed", attempts, status, kind or None, error or None, now, ok, now, ok, run_id,
                 delivery))

    def delivery_problems(self) -> list[dict[str, Any]]:
        """Per subscription, channel and target: its deliveries not sent (the oldest first) with the last error."""
        return self.query(  # type: ignore[attr-defined]
            "SELECT subscription, channel, target, count(*) AS pending, min(created_at) AS since, "
            "max(last_attempt_at) AS last_attempt_at, sum(attempts) AS attempts, "
            "(SELECT d2.error FROM deliveries d2 WHERE d2.subscription = d.subscription AND d2.channel = d.channel "
            "AND d2.target = d.target AND d2.status = 'failed' ORDER BY d2.last_attempt_at DESC LIMIT 1) AS error, "
            "(SELECT d2.error_kind FROM deliveries d2 WHERE d2.subscription = d.subscription AND d2.channel = d.channel "
            "AND d2.target = d.target AND d2.status = 'failed' ORDER BY d2.last_attempt_at DESC LIMIT 1) AS error_kind "
            "FROM deliveries d WHERE status = 'failed' GROUP BY subscription, channel, target ORDER BY subscription")

    def last_deliveries(self) -> list[dict[str, Any]]:
        """Per subscription, channel and target: the last delivery sent (or recorded empty)."""
        return self.query(  # type: ignore[attr-defined]
            "SELECT subscription, channel, target, max(coalesce(sent_at, created_at)) AS at, count(*) AS deliveries, "
            "sum(json_array_length(items)) AS items FROM deliveries WHERE status IN ('sent', 'empty') "
            "GROUP BY subscription, channel, target ORDER BY subscription, channel, target")
