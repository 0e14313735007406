"""The operator's report: source health, the period's failures by kind, and deliveries that did not go out.

Analysts no longer read the source-health table when an operator is configured; the operator gets it here, only on
a day something is wrong. Pure: rows in, (subject, text, html) out. Every crawled or remote value is escaped in the
HTML and cleaned to one line in the text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .build import SourceHealth, clean, source_health

MESSAGE_CHARS = 300


@dataclass(frozen=True)
class OperatorReport:
    day: str
    sources: tuple[SourceHealth, ...]
    failures: tuple[Mapping[str, Any], ...]  # store.failure_kinds_between rows
    deliveries: tuple[Mapping[str, Any], ...]  # store.delivery_problems rows

    @property
    def unhealthy(self) -> tuple[SourceHealth, ...]:
        return tuple(s for s in self.sources if not s.healthy)

    @property
    def needed(self) -> bool:
        """Something for the operator to look at."""
        return bool(self.unhealthy or self.failures or self.deliveries)

    @property
    def subject(self) -> str:
        parts = []
        if self.unhealthy:
            parts.append(f"{len(self.unhealthy)} source{'s' if len(self.unhealthy) != 1 else ''} unhealthy")
        n = sum(int(f.get("n") or 0) for f in self.failures)
        if n:
            parts.append(f"{n} failure{'s' if n != 1 else ''}")
        if self.deliveries:
            parts.append(f"{len(self.deliveries)} delivery target{'s' if len(self.deliveries) != 1 else ''} failing")
        return f"PilotWatch operator {self.day}: {', '.join(parts) or 'all well'}"


def operator_report(day: str, sources: Iterable[Mapping[str, Any]], failures: Iterable[Mapping[str, Any]],
                    deliveries: Iterable[Mapping[str, Any]]) -> OperatorReport:
    return OperatorReport(day, tuple(source_health(s) for s in sources), tuple(failures), tuple(deliveries))


def _failure_line(f: Mapping[str, Any]) -> str:
    where = f" ({f['source']})" if f.get("source") else ""
    message = clean(f.get("message"), MESSAGE_CHARS)
    return f"{f['stage']}/{f['kind']}{where}: {f['n']}× — last {f.get('last_at') or '?'}: {message}"


def _delivery_line(d: Mapping[str, Any]) -> str:
    return (f"{d['subscription']} → {d['channel']} {d['target']}: {d['pending']} not delivered since {d['since']} "
            f"({d.get('error_kind') or '?'}: {clean(d.get('error'), MESSAGE_CHARS)})")


def render_text(r: OperatorReport) -> str:
    lines = [r.subject, ""]
    lines.append("== Sources ==")
    lines += [f"{s.label}: {s.status} — {s.detail}" for s in r.sources] or ["(none crawled yet)"]
    if r.failures:
        lines += ["", "== Failures in the period (stage/kind) =="] + [_failure_line(f) for f in r.failures]
    if r.deliveries:
        lines += ["", "== Deliveries not sent (retried each run) =="] + [_delivery_line(d) for d in r.deliveries]
    lines += ["", "Details: pilotwatch doctor; pilotwatch sources; the failures and deliveries tables."]
    return "\n".join(lines) + "\n"


def render_html(r: OperatorReport) -> str:
    e = html.escape
    out = [f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{e(r.subject)}</title></head><body>",
           f"<h1>{e(r.subject)}</h1>", "<h2>Sources</h2><table>"]
    out += [f"<tr><td>{e(s.label)}</td><td>{e(s.status)}</td><td>{e(s.detail)}</td></tr>" for s in r.sources]
    out.append("</table>")
    if r.failures:
        out.append("<h2>Failures in the period</h2><ul>")
        out += [f"<li>{e(_failure_line(f))}</li>" for f in r.failures]
        out.append("</ul>")
    if r.deliveries:
        out.append("<h2>Deliveries not sent (retried each run)</h2><ul>")
        out += [f"<li>{e(_delivery_line(d))}</li>" for d in r.deliveries]
        out.append("</ul>")
    out.append("<p>Details: <code>pilotwatch doctor</code>, <code>pilotwatch sources</code>, the "
               "<code>failures</code> and <code>deliveries</code> tables.</p></body></html>")
    return "\n".join(out) + "\n"
