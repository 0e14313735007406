"""The hf engine: a Hugging Face MarianMT folder (opus-mt-zh-en) through transformers and torch, on CPU.

About four times slower than ct2 on the same model, and it needs torch; use it when the folder
cannot be converted. Loading is local only: HF_HUB_OFFLINE=1 is set in this process before
transformers is imported and every from_pretrained gets local_files_only=True, so the hub is never
asked. Source text is encoded with the folder's source.spm, exactly as MarianTokenizer does, so the
ct2 and hf engines split and batch identically (models.translate_in_chunks).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from .errors import TranslateError
from .models import (
    HF_EXTRA,
    ModelInfo,
    check_options,
    model_identity,
    set_offline,
    translate_in_chunks,
    validate_model_dir,
)

__all__ = ["HFTranslator", "create", "OPTIONS"]

OPTIONS = {
    "model_dir": "Hugging Face MarianMT folder: config.json, model.safetensors, vocab.json, source.spm, target.spm",
    "beam_size": "beam width (num_beams; 1 = greedy, faster)",
    "batch_size": "sentences per model call",
    "max_tokens": "source tokens per model call including </s>; longer sentences are split (opus-mt: 512)",
    "threads": "torch CPU threads (process-wide; 0 = torch's default)",
    "glossary": "glossary TSV whose terms are injected in English (default: the packaged one)",
}


class HFTranslator:
    """A loaded MarianMT model. Build it with create() or translate.load_translator("hf", model_dir=...)."""

    engine = "hf"

    def __init__(self, info: ModelInfo, *, beam_size: int = 4, batch_size: int = 16, max_tokens: int = 512,
                 threads: int = 2, glossary: str | None = None) -> None:
        set_offline()
        import sentencepiece
        import torch
        import transformers
        from transformers import MarianMTModel, MarianTokenizer

        transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in cron mail
        self.info = info
        self.model = model_identity(info)
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.glossary = glossary
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")  # unused: see _encode
                self._tokenizer = MarianTokenizer.from_pretrained(str(info.path), local_files_only=True)
            self._model = MarianMTModel.from_pretrained(str(info.path), local_files_only=True).eval()
            self._source = sentencepiece.SentencePieceProcessor(model_file=str(info.source_spm))
        except (OSError, ValueError, RuntimeError) as exc:
            raise TranslateError(f"hf engine: cannot load model_dir {info.path}: {exc}", engine="hf",
                                 setting="model_dir") from exc
        positions = int(getattr(self._model.config, "max_position_embeddings", max_tokens) or max_tokens)
        if max_tokens > positions:
            raise TranslateError(f"hf engine: max_tokens {max_tokens} exceeds the model's {positions} positions",
                                 engine="hf", setting="max_tokens")
        self.max_tokens = max_tokens
        # Generated tokens per piece; the decoder's start token takes one of the model's positions.
        self.max_output_tokens = min(max_tokens, positions - 1)
        if threads > 0:
            torch.set_num_threads(threads)
        self._torch = torch

    def __repr__(self) -> str:
        return f"HFTranslator(model={self.model!r})"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return translate_in_chunks(sentences, self._encode, self._run_batch, max_tokens=self.max_tokens,
                                   batch_size=self.batch_size, glossary=self.glossary)

    def _encode(self, text: str) -> list[str]:
        return list(self._source.encode(text, out_type=str))

    def _run_batch(self, batch: list[list[str]]) -> list[str]:
        torch, tok = self._torch, self._tokenizer
        rows = [tok.convert_tokens_to_ids(pieces) + [tok.eos_token_id] for pieces in batch]
        width = max(len(r) for r in rows)
        input_ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            input_ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            attention_mask[i, : len(row)] = 1
        with torch.no_grad():
            # max_length, not max_new_tokens: opus-mt's generation_config sets max_length, and both together warn.
            # For an encoder-decoder it counts the decoder start token, hence the + 1.
            out = self._model.generate(input_ids=input_ids, attention_mask=attention_mask, num_beams=self.beam_size,
                                       max_length=self.max_output_tokens + 1)
        return list(tok.batch_decode(out, skip_special_tokens=True))


def create(model_dir: str = "", beam_size: int = 4, batch_size: int = 16, max_tokens: int = 512, threads: int = 2,
           glossary: str | None = None, **_: Any) -> HFTranslator:
    """Factory for the engine registry. A missing or wrong folder or a missing package → TranslateError."""
    check_options("hf", beam_size=beam_size, batch_size=batch_size, max_tokens=max_tokens, threads=threads)
    info = validate_model_dir(model_dir, "hf", engine="hf")
    set_offline()
    try:
        import sentencepiece  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise TranslateError(f"hf engine needs transformers, torch and sentencepiece ({exc}): {HF_EXTRA}",
                             engine="hf") from exc
    return HFTranslator(info, beam_size=beam_size, batch_size=batch_size, max_tokens=max_tokens, threads=threads,
                        glossary=glossary)
