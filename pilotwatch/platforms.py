"""Wiring of the platform registry: stored platform records → registry.build → the store's registry tables, and the
English of each event's evidence. Run after tagging, before the digest. It is rebuilt whole (see bench/registry.py),
which keeps it right after re-tagging and curation, whenever what it reads changed: a run that tagged nothing and
a database no curator touched keep the last build (store.registry_inputs)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import registry
import translate
from store import Store

from .redact import redact

log = logging.getLogger("pilotwatch")


def overrides(store: Store) -> list[registry.Override]:
    return [registry.Override(action=o["action"], key=o["platform_key"], other=o["other_key"] or "",
                              article_id=o["article_id"], value=o["value"] or "", id=o["id"])
            for o in store.platform_overrides()]


def _place(pair: tuple[str, str] | None) -> tuple[str | None, str | None]:
    return (pair[0], pair[1] or None) if pair else (None, None)


def _row(p: registry.Platform) -> dict[str, Any]:
    (province, province_code), (city, city_code), (county, county_code) = map(_place, (p.province, p.city, p.county))
    return {
        "key": p.key, "name": p.name, "hosts": [h for h, _ in p.hosts], "hosts_en": [en for _, en in p.hosts],
        "sectors": list(p.sectors), "province": province, "province_code": province_code, "city": city,
        "city_code": city_code, "county": county, "county_code": county_code, "level": p.level, "status": p.status,
        "listed": list(p.listed), "first_seen_at": p.first_seen_at, "first_event_at": p.first_event_at or None,
        "last_event": p.last_event,
        "last_event_at": p.last_event_at,
        "events": [{"article_id": e.record.article_id, "attachment_id": e.record.attachment_id, "part": e.record.part,
                    "start": e.record.start, "end": e.record.end, "event": e.record.event, "level": e.record.level,
                    "date": e.record.date or None, "evidence": e.record.evidence, "rule": e.rule,
                    "first_seen_at": e.record.first_seen_at} for e in p.events],
    }


def _step(s: registry.Step) -> dict[str, Any]:
    province, code = _place(s.province)
    return {"programme": s.programme, "level": s.level, "province": province, "province_code": code, "step": s.step,
            "date": s.date or None, "article_id": s.article_id, "evidence": s.evidence, "articles": s.articles}


def rebuild_registry(store: Store) -> dict[str, int]:
    """Rebuild the registry from every stored platform record and the overrides; returns counts (platforms, new,
    gone, events, unmatched overrides)."""
    inputs = store.registry_inputs(registry.RULES_VERSION)
    records = [r for r in map(registry.record_from_row, store.platform_records()) if r is not None]
    built = registry.build(records, overrides(store))
    counts = store.save_registry([_row(p) for p in built.platforms], [_step(s) for s in built.steps],
                                 [o.id for o in built.unmatched_overrides if o.id is not None], inputs=inputs)
    counts["unmatched_overrides"] = len(built.unmatched_overrides)
    for o in built.unmatched_overrides:
        log.warning("platform override %s (%s %s) matches no platform any more", o.id, o.action, o.key)
    return counts


def translate_evidence(store: Store, engine: translate.Translator) -> int:
    """English for each event's evidence sentence not yet translated (the translation memory makes repeats free)."""
    done = 0
    for row in store.pending_evidence_translation():
        memory = translate.BufferedMemory(store)
        english, _ = translate.translate_document(engine, row["evidence"], memory)
        with store.write():
            memory.flush()
            store.save_evidence_translation(row["id"], english)
        done += 1
    return done


def update(store: Store, report: Any, engine: Callable[[], translate.Translator],
           gloss: Callable[[], translate.Translator]) -> None:
    """The run's registry step: rebuild, then English for new evidence (by the configured engine; the gloss when it
    cannot load or fails). A failure is recorded, redacted, and the run goes on: the digest then shows the registry as
    the last good rebuild left it, and untranslated evidence waits for the next run."""
    try:
        if store.registry_inputs(registry.RULES_VERSION) == store.registry_built_from():
            # nothing it reads changed since the last build: the same registry, without reading all history
            counts = {"platforms": store.platform_count(), "new": 0}
        else:
            counts = rebuild_registry(store)
    except Exception as exc:  # recorded, never stops the run
        log.exception("platform registry not rebuilt")
        store.record_failure(report.run_id, "registry", type(exc).__name__, redact(str(exc))[:500])
        report.registry_failed += 1
        return
    report.platforms, report.platforms_new = counts["platforms"], counts["new"]
    for make in (engine, gloss):
        try:
            translate_evidence(store, make())
            return
        except Exception as exc:  # the configured engine failed: the gloss gets the rest
            log.warning("platform evidence not translated by this engine: %s", redact(str(exc)))
            store.record_failure(report.run_id, "translate", type(exc).__name__,
                                 redact(f"platform evidence: {exc}")[:500])
