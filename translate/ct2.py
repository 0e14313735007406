"""The ct2 engine: opus-mt-zh-en converted to CTranslate2 (int8), on CPU.

Needs only ctranslate2 and sentencepiece (the 'mt' extra), no torch; about 0.4 s per sentence with
beam 4 on two cores. model_dir is a folder as `pilotwatch model install` or the converter writes it
(see models.py for the layout). Sentences get the glossary's English injected first, and sentences
longer than max_tokens are split at clause boundaries (models.translate_in_chunks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import TranslateError
from .models import MT_EXTRA, ModelInfo, check_options, model_identity, translate_in_chunks, validate_model_dir

__all__ = ["CT2Translator", "create", "OPTIONS"]

OPTIONS = {
    "model_dir": "CTranslate2 folder: model.bin, shared_vocabulary.json, source.spm, target.spm",
    "beam_size": "beam width (1 = greedy, faster)",
    "batch_size": "sentences per model call",
    "max_tokens": "source tokens per model call including </s>; longer sentences are split (opus-mt: 512)",
    "threads": "CPU threads for one translation (0 = the library's default)",
    "glossary": "glossary TSV whose terms are injected in English (default: the packaged one)",
}


class CT2Translator:
    """A loaded CTranslate2 model. Build it with create() or translate.load_translator("ct2", model_dir=...)."""

    engine = "ct2"

    def __init__(self, info: ModelInfo, *, beam_size: int = 4, batch_size: int = 16, max_tokens: int = 512,
                 threads: int = 2, glossary: str | None = None) -> None:
        import ctranslate2
        import sentencepiece

        self.info = info
        self.model = model_identity(info)
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self.max_output_tokens = max_tokens  # cap on generated tokens per piece; stops a runaway repetition
        self.glossary = glossary
        try:
            self._translator = ctranslate2.Translator(str(info.path), device="cpu", compute_type="int8",
                                                      intra_threads=threads, inter_threads=1)
            self._source = sentencepiece.SentencePieceProcessor(model_file=str(info.source_spm))
            self._target = sentencepiece.SentencePieceProcessor(model_file=str(info.target_spm))
        except (RuntimeError, ValueError, OSError) as exc:
            raise TranslateError(f"ct2 engine: cannot load model_dir {info.path}: {exc}", engine="ct2",
                                 setting="model_dir") from exc

    def __repr__(self) -> str:
        return f"CT2Translator(model={self.model!r})"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return translate_in_chunks(sentences, self._encode, self._run_batch, max_tokens=self.max_tokens,
                                   batch_size=self.batch_size, glossary=self.glossary)

    def _encode(self, text: str) -> list[str]:
        return list(self._source.encode(text, out_type=str))

    def _run_batch(self, batch: list[list[str]]) -> list[str]:
        results = self._translator.translate_batch(
            [pieces + ["</s>"] for pieces in batch],
            beam_size=self.beam_size,
            max_input_length=self.max_tokens,
            max_decoding_length=self.max_output_tokens,
        )
        # A piece target.spm does not know (opus-mt's vocabulary is shared with the source side) decodes
        # verbatim, word marker included; render the marker as a space, as MarianTokenizer does.
        return [" ".join(self._target.decode(r.hypotheses[0]).replace("▁", " ").split()) for r in results]


def create(model_dir: str = "", beam_size: int = 4, batch_size: int = 16, max_tokens: int = 512, threads: int = 2,
           glossary: str | None = None, **_: Any) -> CT2Translator:
    """Factory for the engine registry. A missing or wrong folder or a missing package → TranslateError."""
    check_options("ct2", beam_size=beam_size, batch_size=batch_size, max_tokens=max_tokens, threads=threads)
    info = validate_model_dir(model_dir, "ct2", engine="ct2")
    try:
        import ctranslate2  # noqa: F401
        import sentencepiece  # noqa: F401
    except ImportError as exc:
        raise TranslateError(f"ct2 engine needs ctranslate2 and sentencepiece ({exc}): {MT_EXTRA}",
                             engine="ct2") from exc
    return CT2Translator(info, beam_size=beam_size, batch_size=batch_size, max_tokens=max_tokens, threads=threads,
                         glossary=glossary)
