"""The translation step of the pipeline: the configured engine first, the gloss behind it.

An article glossed because the configured engine was down (a missing model, an endpoint that failed) is marked
`translation_fallback`: once the engine answers again, a later run translates it again with that engine. While the
engine is still down those articles keep their gloss (they are not glossed twice).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import translate

from .config import SECRET_LLM_KEY, Config
from .redact import redact
from .report import RunReport

if TYPE_CHECKING:  # not imported at run time: `pilotwatch translate` needs load_engine only, not the store
    from store import Store

log = logging.getLogger("pilotwatch")

ENGINE_GIVE_UP = 3  # consecutive failures after which the configured engine is not tried again this run


def load_engine(config: Config, engine: str | None = None) -> translate.Translator:
    """The configured engine with its settings; raises TranslateError naming the setting at fault."""
    name = engine or config.translate_engine
    options: dict[str, object] = {
        "ct2": {"model_dir": config.model_dir},
        "hf": {"model_dir": config.model_dir},
        "llm": {"url": config.llm_url, "model": config.llm_model, "api_key": os.environ.get(SECRET_LLM_KEY) or None,
                "timeout": config.llm_timeout},
    }.get(name, {})
    return translate.load_translator(name, **options)


def translate_pending(config: Config, store: Store, report: RunReport) -> None:
    """Titles always; bodies of relevant articles always, of the rest when translate_bodies = "all".

    If the configured engine cannot load or fails on an article, that article is glossed instead and the fallback
    is recorded (failures: stage translate, kind fallback), so a missing model never leaves the English empty; the
    article stays pending for that engine (see the module docstring).
    """
    retry = config.translate_engine != "gloss"
    pending = store.pending_translation(retry_fallbacks=retry)
    if not pending:
        return
    try:
        primary = load_engine(config)
    except translate.TranslateError as exc:
        log.error("translation engine %r unavailable, glossing instead: %s", config.translate_engine, exc)
        store.record_failure(report.run_id, "translate", "engine", redact(str(exc)))
        primary = None
    chain = translate.EngineChain(primary, lambda: load_engine(config, "gloss"), give_up=ENGINE_GIVE_UP)
    for row in pending:
        if row["translated_at"] and chain.primary is None:
            continue  # glossed during an outage that lasts: keep the gloss until the engine is back
        relevant = row["is_platform_announcement"] or row["mentions_pilot_platform"]
        body = row["body_zh"] if config.translate_bodies == "all" or relevant else None
        for engine in chain.attempts():
            if row["translated_at"] and chain.is_last(engine):
                break  # a retry: the engine failed again; the stored gloss stands
            memory = translate.BufferedMemory(store)  # the article's memory writes, committed with its translation
            try:
                english = translate.translate_article(engine, row["title_zh"], body, memory)
            except Exception as exc:  # recorded; the next engine (the gloss) gets the article
                memory.flush()  # what was translated before the failure stays remembered
                last = chain.is_last(engine)
                log.warning("translation by %s failed for %s: %s", engine.engine, row["url"], exc)
                store.record_failure(report.run_id, "translate", type(exc).__name__ if last else "fallback",
                                     redact(f"{engine.engine}: {exc}" + ("" if last else "; glossed instead")),
                                     source=row["source"], url=row["url"], article_id=row["id"])
                if chain.failed(engine):
                    log.error("engine %s failed %d times in a row; glossing the rest of this run", engine.engine,
                              ENGINE_GIVE_UP)
                report.translate_failed += last
                continue
            chain.succeeded(engine)
            with store.write():
                memory.flush()
                store.save_translation(row["id"], title_en=english.title_en, body_en=english.body_en,
                                       engine=engine.engine, model=engine.model, missing=english.missing,
                                       fallback=retry and engine.engine != config.translate_engine)
            report.translated_by(engine.engine, english.stats.hits, english.stats.misses)
            break
