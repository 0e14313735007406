"""Local opus-mt-zh-en folders for the ct2 and hf engines: validation, identity, conversion, token limits.

Two layouts are accepted (PilotWatch never downloads a model; the user supplies the folder):

    ct2   a CTranslate2 conversion: model.bin, config.json, shared_vocabulary.json (or .txt, or
          source_vocabulary.* + target_vocabulary.*) as the converter writes them, plus source.spm
          and target.spm copied from the Hugging Face folder (the converter does not copy them)
    hf    a Hugging Face MarianMT folder: config.json (model_type "marian"), model.safetensors or
          pytorch_model.bin (or shards with their index), vocab.json, source.spm, target.spm

`install_model` turns an hf folder into a ct2 int8 one when the converter's packages are present:
the ct2 engine is about four times faster on CPU and needs neither torch nor transformers.

Token limits: opus-mt has 512 positions. `split_pieces` cuts an over-long sentence at the last clause
boundary (，、；：,) that fits, and `translate_in_chunks` runs any engine's batch function over the
pieces, shortest padding first, and puts the sentences back together in input order.

Nothing here imports ctranslate2, sentencepiece, transformers or torch at module level.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import TranslateError
from .terms import inject_terms

__all__ = [
    "ModelInfo",
    "validate_model_dir",
    "model_identity",
    "convert_hf_to_ct2",
    "converter_available",
    "install_model",
    "split_pieces",
    "translate_in_chunks",
    "check_options",
    "set_offline",
    "MT_EXTRA",
    "HF_EXTRA",
    "CLAUSE_BOUNDARIES",
]

log = logging.getLogger(__name__)

Kind = Literal["ct2", "hf"]

MT_EXTRA = "install the 'mt' extra: pip install 'pilotwatch[mt]'"
HF_EXTRA = "install the 'hf' extra: pip install 'pilotwatch[hf]'"
CONVERT_EXTRAS = "install the 'mt' and 'hf' extras: pip install 'pilotwatch[mt,hf]'"

# Where an over-long sentence may be cut: the clause marks of Chinese prose (and their ASCII forms).
CLAUSE_BOUNDARIES = frozenset("，、；：,;:")
PROVENANCE_FILE = "pilotwatch-source.json"  # written beside a conversion: which folder it came from

_CT2_REQUIRED = ("model.bin", "source.spm", "target.spm")
_HF_REQUIRED = ("config.json", "vocab.json", "source.spm", "target.spm")
_HF_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
_HF_INDEXES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_CT2_LAYOUT = "model.bin, shared_vocabulary.json, source.spm, target.spm"
_HF_LAYOUT = "config.json, model.safetensors or pytorch_model.bin, vocab.json, source.spm, target.spm"


@dataclass(frozen=True)
class ModelInfo:
    """A validated model folder. weights are the files the identity hashes."""

    kind: Kind
    path: Path
    weights: tuple[Path, ...]
    source_spm: Path
    target_spm: Path
    vocabulary: tuple[Path, ...]  # ct2: the vocabulary file(s); hf: vocab.json

    @property
    def name(self) -> str:
        return self.path.name


# --- validation -------------------------------------------------------------------------------


def validate_model_dir(path: str | os.PathLike[str], kind: Kind | None = None, *, setting: str = "model_dir",
                       engine: str | None = None) -> ModelInfo:
    """Check a model folder's layout and return what it holds; kind=None accepts either layout.

    Raises TranslateError naming `setting` and listing the files that are missing.
    """
    where = f"{engine} engine: " if engine else ""

    def fail(message: str) -> TranslateError:
        return TranslateError(f"{where}{setting} {message}", engine=engine, setting=setting)

    if path is None or not str(path).strip():
        raise fail(f"is not set: point it at a local opus-mt-zh-en folder ({_layout_hint(kind)})")
    folder = Path(path).expanduser()
    if not folder.exists():
        raise fail(f"{folder} does not exist")
    if not folder.is_dir():
        raise fail(f"{folder} is not a folder")
    folder = folder.resolve()
    names = {p.name for p in folder.iterdir()}
    if not names:
        raise fail(f"{folder} is empty: expected {_layout_hint(kind)}")

    found: Kind | None = "ct2" if "model.bin" in names else "hf" if "config.json" in names else None
    if found is None:
        expected: Kind = kind or ("hf" if names & {"vocab.json", *_HF_WEIGHTS, *_HF_INDEXES} else "ct2")
        missing = _missing(names, expected)
        hint = f" (expected {_layout_hint(None)})" if kind is None else ""
        raise fail(f"{folder} holds no model: missing {', '.join(missing)}{hint}")
    if kind is not None and found != kind:
        if found == "hf":
            raise fail(f"{folder} is a Hugging Face MarianMT folder, not a CTranslate2 one: use engine 'hf', "
                       f"or convert it with `pilotwatch model install {folder}`")
        raise fail(f"{folder} is a CTranslate2 folder, not a Hugging Face one: use engine 'ct2'")
    missing = _missing(names, found)
    if missing:
        label = "CTranslate2" if found == "ct2" else "Hugging Face MarianMT"
        raise fail(f"{folder} looks like a {label} folder but is missing {', '.join(missing)}")

    if found == "ct2":
        weights: tuple[Path, ...] = (folder / "model.bin",)
        vocab = tuple(folder / n for n in _ct2_vocabulary(names))
    else:
        model_type = _hf_model_type(folder / "config.json")
        if model_type != "marian":
            raise fail(f"{folder} holds a {model_type or 'unknown'!r} model; the hf engine needs a MarianMT "
                       "model (model_type 'marian') such as opus-mt-zh-en")
        weights = _hf_weights(folder, names)
        if not weights:
            raise fail(f"{folder}: the weights index lists no files")
        absent = [w.name for w in weights if not w.is_file()]
        if absent:
            raise fail(f"{folder} is missing weight files {', '.join(absent)}")
        vocab = (folder / "vocab.json",)
    return ModelInfo(found, folder, weights, folder / "source.spm", folder / "target.spm", vocab)


def _layout_hint(kind: Kind | None) -> str:
    ct2 = f"a CTranslate2 folder with {_CT2_LAYOUT}"
    hf = f"a Hugging Face MarianMT folder with {_HF_LAYOUT}"
    return ct2 if kind == "ct2" else hf if kind == "hf" else f"{ct2}, or {hf}"


def _ct2_vocabulary(names: set[str]) -> list[str]:
    for ext in ("json", "txt"):
        if f"shared_vocabulary.{ext}" in names:
            return [f"shared_vocabulary.{ext}"]
    pair = [next((f"{side}_vocabulary.{ext}" for ext in ("json", "txt") if f"{side}_vocabulary.{ext}" in names), "")
            for side in ("source", "target")]
    return pair if all(pair) else []


def _missing(names: set[str], kind: Kind) -> list[str]:
    if kind == "ct2":
        missing = [n for n in _CT2_REQUIRED if n not in names]
        if not _ct2_vocabulary(names):
            missing.append("shared_vocabulary.json (or source_vocabulary.json + target_vocabulary.json)")
        return missing
    missing = [n for n in _HF_REQUIRED if n not in names]
    if not any(n in names for n in _HF_WEIGHTS + _HF_INDEXES):
        missing.append("model.safetensors (or pytorch_model.bin)")
    return missing


def _hf_model_type(config: Path) -> str:
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(data.get("model_type", "")) if isinstance(data, dict) else ""


def _hf_weights(folder: Path, names: set[str]) -> tuple[Path, ...]:
    for name in _HF_WEIGHTS:
        if name in names:
            return (folder / name,)
    for index in _HF_INDEXES:
        if index in names:
            try:
                weight_map = json.loads((folder / index).read_text(encoding="utf-8")).get("weight_map", {})
            except (OSError, ValueError, AttributeError):
                return ()
            return tuple(folder / n for n in sorted(set(weight_map.values())))
    return ()


# --- identity ---------------------------------------------------------------------------------


def model_identity(info: ModelInfo) -> str:
    """"<folder name>@<12 hex digits of the weights' sha256>", stored with every translation."""
    stamps = tuple((str(w), w.stat().st_size, w.stat().st_mtime_ns) for w in info.weights)
    return f"{info.name}@{_weights_digest(stamps)}"


@functools.cache
def _weights_digest(stamps: tuple[tuple[str, int, int], ...]) -> str:
    # Keyed by size and mtime so a long-running process hashes a 300 MB file once, and again if it changes.
    digest = hashlib.sha256()
    for path, _, _ in stamps:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()[:12]


# --- options and imports shared by the engines ------------------------------------------------


def check_options(engine: str, **options: object) -> None:
    """Positive integers (threads may be 0 = the library's default); the error names the option."""
    for name, value in options.items():
        low = 0 if name == "threads" else 3 if name == "max_tokens" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise TranslateError(f"{engine} engine: {name} must be an integer >= {low}, got {value!r}",
                                 engine=engine, setting=name)


def set_offline() -> None:
    """Forbid the Hugging Face hub in this process; must run before transformers is first imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


# --- conversion -------------------------------------------------------------------------------


def converter_available() -> bool:
    """Whether ctranslate2, transformers and torch are installed (checked without importing them)."""
    return all(importlib.util.find_spec(m) is not None for m in ("ctranslate2", "transformers", "torch"))


def convert_hf_to_ct2(src: str | os.PathLike[str], dst: str | os.PathLike[str], quantization: str = "int8",
                      *, force: bool = False) -> Path:
    """Convert a Hugging Face MarianMT folder to a CTranslate2 folder (with source.spm/target.spm) at dst.

    Needs ctranslate2, transformers and torch. The conversion is written to a temporary folder beside
    dst and renamed into place, so an interrupted run never leaves a half-written model at dst.
    """
    info = validate_model_dir(src, "hf", setting="source folder")
    out = Path(dst).expanduser().resolve()
    if out.exists() and not force:
        raise TranslateError(f"conversion target {out} already exists; remove it or choose another folder",
                             setting="dst")
    set_offline()
    try:
        import ctranslate2
        import transformers
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise TranslateError(f"converting to CTranslate2 needs ctranslate2, transformers and torch ({exc}): "
                             f"{CONVERT_EXTRAS}") from exc
    if not converter_available():  # ctranslate2's converter imports torch lazily and fails late without it
        raise TranslateError(f"converting to CTranslate2 needs torch: {CONVERT_EXTRAS}")
    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in logs
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")  # not used by Marian
            TransformersConverter(str(info.path)).convert(str(tmp), quantization=quantization, force=True)
        for spm in (info.source_spm, info.target_spm):
            shutil.copy2(spm, tmp / spm.name)  # the converter does not copy them; the ct2 engine needs both
        provenance = {"source": str(info.path), "source_model": model_identity(info),
                      "quantization": quantization, "ctranslate2": ctranslate2.__version__}
        (tmp / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        validate_model_dir(tmp, "ct2", setting="conversion output")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except TranslateError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except Exception as exc:  # the converter raises ValueError, RuntimeError, OSError, NotImplementedError…
        shutil.rmtree(tmp, ignore_errors=True)
        setting = "quantization" if "quantiz" in str(exc).lower() else None
        raise TranslateError(f"converting {info.path} to CTranslate2 failed: {exc}", setting=setting) from exc
    log.info("converted %s to %s (%s)", info.path, out, quantization)
    return out


def install_model(src: str | os.PathLike[str], models_root: str | os.PathLike[str] | None = None) -> Path:
    """Validate a user-supplied model folder and return the folder to set as model_dir.

    A CTranslate2 folder is used where it is. A Hugging Face MarianMT folder is converted to
    CTranslate2 int8 at <models_root>/<name>-ct2-int8 (models_root defaults to the folder's parent)
    when ctranslate2, transformers and torch are installed, and that path is returned (engine ct2);
    a conversion already there from the same weights is reused. Without the converter the folder
    itself is returned, for engine hf.
    """
    info = validate_model_dir(src, setting="model folder")
    if info.kind == "ct2":
        return info.path
    if not converter_available():
        log.warning("%s stays a Hugging Face folder for engine 'hf'; to convert it for the faster engine 'ct2', %s",
                    info.path, CONVERT_EXTRAS)
        return info.path
    root = Path(models_root).expanduser() if models_root else info.path.parent
    dst = root.resolve() / f"{info.name}-ct2-int8"
    if dst.exists():
        if _converted_from(dst) == model_identity(info):
            validate_model_dir(dst, "ct2", setting="models folder")
            return dst
        raise TranslateError(f"{dst} already exists and is not a conversion of {info.path}; remove it or choose "
                             "another models folder", setting="models_root")
    return convert_hf_to_ct2(info.path, dst, "int8")


def _converted_from(folder: Path) -> str | None:
    try:
        data = json.loads((folder / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("source_model") if isinstance(data, dict) else None


# --- token limits and batching ----------------------------------------------------------------


def split_pieces(pieces: Sequence[str], limit: int) -> list[list[str]]:
    """Cut sentencepiece pieces into chunks of at most `limit`, each ending at the last clause boundary that fits.

    A chunk with no boundary inside the limit is cut hard at the limit. Short input comes back whole.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    chunks: list[list[str]] = []
    start, n = 0, len(pieces)
    while n - start > limit:
        end = start + limit
        cut = next((i + 1 for i in range(end - 1, start - 1, -1) if pieces[i] and pieces[i][-1] in CLAUSE_BOUNDARIES),
                   end)
        chunks.append(list(pieces[start:cut]))
        start = cut
    if start < n:
        chunks.append(list(pieces[start:]))
    return chunks


def translate_in_chunks(
    sentences: Sequence[str],
    encode: Callable[[str], list[str]],
    run_batch: Callable[[list[list[str]]], list[str]],
    *,
    max_tokens: int,
    batch_size: int,
    glossary: str | None = None,
) -> list[str]:
    """The shared translate() of the neural engines.

    Each sentence gets the glossary's English injected (terms.inject_terms), is encoded to source
    pieces, and is split to max_tokens - 2 pieces (room for </s> and the decoder's start). All
    chunks are sorted by length, so a batch pads little, and passed to run_batch batch_size at a
    time; run_batch returns one English string per chunk. A sentence's chunks are rejoined with a
    space. Blank sentences come back as "" without reaching the model.
    """
    limit = max_tokens - 2
    jobs: list[tuple[int, list[str]]] = []  # (sentence index, pieces)
    for i, sentence in enumerate(sentences):
        if not sentence.strip():
            continue
        pieces = encode(inject_terms(sentence, glossary))
        jobs.extend((i, chunk) for chunk in split_pieces(pieces, limit) if chunk)
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][1]), reverse=True)
    english: list[str] = [""] * len(jobs)
    for b in range(0, len(order), batch_size):
        batch = order[b : b + batch_size]
        out = run_batch([jobs[j][1] for j in batch])
        if len(out) != len(batch):
            raise TranslateError(f"the model returned {len(out)} translations for {len(batch)} inputs")
        for j, text in zip(batch, out, strict=True):
            english[j] = text.strip()
    parts: list[list[str]] = [[] for _ in sentences]
    for (i, _), text in zip(jobs, english, strict=True):
        if text:
            parts[i].append(text)
    return [" ".join(p) for p in parts]
