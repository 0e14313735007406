"""Translating one stored article, with the configured engine first and the gloss behind it.

A missing model or a failing endpoint must never leave the English empty: `EngineChain.attempts()` yields the
configured engine (while it is usable) and then the gloss, loaded on first need. After `give_up` failures in a row
the configured engine is not tried again for the rest of the chain's life (one run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import memory as tm  # looked up at call time, so a wrapped memory function (crash tests) takes effect
from .fidelity import check
from .memory import Memory, MemoryStats

if TYPE_CHECKING:
    from . import Translator


class EngineChain:
    def __init__(self, primary: Translator | None, load_gloss: Callable[[], Translator], *, give_up: int = 3):
        """primary: the configured engine, or None when it could not be loaded; load_gloss builds the gloss."""
        self.primary = primary
        self._load_gloss = load_gloss
        self._gloss = primary if primary is not None and primary.engine == "gloss" else None
        self.give_up = give_up
        self.failures_in_row = 0

    def gloss(self) -> Translator:
        if self._gloss is None:
            self._gloss = self._load_gloss()
        return self._gloss

    def attempts(self) -> Iterator[Translator]:
        """The engines to try for one article, in order; the gloss is built only if it is reached."""
        if self.primary is not None:
            yield self.primary
        if self.primary is None or self.primary is not self._gloss:
            yield self.gloss()

    def is_last(self, engine: Translator) -> bool:
        return engine is self._gloss

    def succeeded(self, engine: Translator) -> None:
        if engine is self.primary:
            self.failures_in_row = 0

    def failed(self, engine: Translator) -> bool:
        """Count a failure; True when the configured engine is given up for the rest of the run."""
        if engine is not self.primary or self.is_last(engine):
            return False
        self.failures_in_row += 1
        if self.failures_in_row >= self.give_up:
            self.primary = None
            return True
        return False


@dataclass(frozen=True)
class ArticleEnglish:
    title_en: str
    body_en: str | None  # None when the body was not to be translated
    missing: list[str]  # numbers and agency names of the Chinese absent from the English (fidelity check)
    stats: MemoryStats


def translate_article(engine: Translator, title_zh: str, body_zh: str | None, memory: Memory | None = None) -> ArticleEnglish:
    """Title always; body when given, in the same request as the title (an engine's context and one round trip).
    The fidelity check covers what was translated."""
    texts = [title_zh] if body_zh is None else [title_zh, body_zh]
    english, stats = tm.translate_documents(engine, texts, memory)
    title_en = " ".join(english[0].splitlines())
    body_en = english[1] if body_zh is not None else None
    missing = check(title_zh + "\n" + (body_zh or ""), title_en + "\n" + (body_en or ""))
    return ArticleEnglish(title_en=title_en, body_en=body_en, missing=missing, stats=stats)
