"""The neural engines (ct2, hf) and model installation, on a tiny random Marian model built offline.

No real weights can be fetched, so a session fixture builds a Marian model with random weights (d_model
32, one encoder and one decoder layer, sentencepiece trained on a few lines, vocab ~110 with <pad> last
as in opus-mt) and converts it with translate.models.convert_hf_to_ct2. Its output is nonsense: the
tests check shapes, splitting, identities and errors, not translation quality.

The validation and error tests need no extra; the rest skip unless torch, transformers, ctranslate2
and sentencepiece are installed (the 'mt' and 'hf' extras; CI installs them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import translate
from translate import TranslateError, Translator, load_translator
from translate.models import (
    ModelInfo,
    convert_hf_to_ct2,
    install_model,
    split_pieces,
    translate_in_chunks,
    validate_model_dir,
)

ROOT = Path(__file__).resolve().parents[1]

ZH = [
    "工业和信息化部、国家发展改革委日前发布通知。",
    "提出到2027年，培育生物制造中试能力建设平台20个以上。",
    "服务企业数量超过200家，孵化产品400个以上。",
    "国务院办公厅印发关于加快发展的意见。",
]
EN = [
    "The Ministry of Industry and Information Technology issued a notice.",
    "By 2027, more than 20 pilot platforms will be built.",
    "More than 200 enterprises will be served.",
    "The State Council issued an opinion.",
]
LONG = "，".join(["提出到2027年", "培育生物制造中试能力建设平台20个以上", "服务企业数量超过200家", "孵化产品400个以上"]) + "。"
MAX_TOKENS = 16  # small, so LONG (~45 pieces) must be split
IDENTITY = re.compile(r"[^@]+@[0-9a-f]{12}")


def build_random_marian(out: Path) -> Path:
    """A Hugging Face MarianMT folder with random weights and opus-mt's vocabulary conventions."""
    spm = pytest.importorskip("sentencepiece")
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    transformers.utils.logging.disable_progress_bar()
    out.mkdir(parents=True)
    for name, lines, size in (("source", ZH * 3, 80), ("target", EN * 3, 40)):
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_prefix=str(out / name), vocab_size=size, character_coverage=1.0,
            hard_vocab_limit=False, bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, minloglevel=2,
        )
        (out / f"{name}.model").rename(out / f"{name}.spm")
        (out / f"{name}.vocab").unlink()
    vocab = {"</s>": 0, "<unk>": 1}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(out / f"{name}.spm"))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)  # last, as in opus-mt: the CT2 converter drops it
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")  # Marian does not use it
        tok = transformers.MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"))
    n = len(tok)
    config = transformers.MarianConfig(
        vocab_size=n, d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=512,
        pad_token_id=n - 1, decoder_start_token_id=n - 1, eos_token_id=0, forced_eos_token_id=0,
    )
    torch.manual_seed(0)
    transformers.MarianMTModel(config).eval().save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    """{"hf": tiny HF Marian folder, "ct2": its CT2 int8 conversion}."""
    for module in ("torch", "transformers", "ctranslate2", "sentencepiece"):
        pytest.importorskip(module)
    root = tmp_path_factory.mktemp("models")
    hf = build_random_marian(root / "tiny-marian")
    ct2 = convert_hf_to_ct2(hf, root / "tiny-marian-ct2")
    return {"hf": hf, "ct2": ct2}


# --- both engines -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["ct2", "hf"])
def test_engine_translates_a_batch_and_splits_long_sentences(models, engine):
    tr = load_translator(engine, model_dir=str(models[engine]), max_tokens=MAX_TOKENS, batch_size=2, beam_size=2)
    assert isinstance(tr, Translator) and tr.engine == engine
    assert IDENTITY.fullmatch(tr.model) and tr.model.startswith(models[engine].name + "@")
    tr.max_output_tokens = 8  # random weights never say </s>: keep the test quick

    calls: list[list[int]] = []
    run = tr._run_batch

    def spy(batch):
        calls.append([len(pieces) for pieces in batch])
        return run(batch)

    tr._run_batch = spy
    english = tr.translate([ZH[0], LONG, ZH[2]])
    assert len(english) == 3 and all(isinstance(e, str) and e for e in english)
    lengths = [n for batch in calls for n in batch]
    assert all(len(batch) <= 2 for batch in calls)
    assert max(lengths) <= MAX_TOKENS - 2
    assert len(lengths) >= 4  # LONG went in as at least two pieces
    assert lengths == sorted(lengths, reverse=True)  # sorted by length for batching
    assert tr.translate([]) == [] and tr.translate(["", "  "]) == ["", ""]


@pytest.mark.parametrize("engine", ["ct2", "hf"])
def test_engine_output_keeps_input_order(models, engine):
    tr = load_translator(engine, model_dir=str(models[engine]), batch_size=1, beam_size=1)
    tr.max_output_tokens = 6
    alone = [tr.translate([s])[0] for s in ZH]
    assert tr.translate(ZH) == alone  # greedy and batch 1: batching and sorting must not reorder


def test_translate_text_works_with_a_neural_engine(models):
    tr = load_translator("ct2", model_dir=str(models["ct2"]), beam_size=1)
    tr.max_output_tokens = 6
    out = translate.translate_text(tr, ZH[0] + ZH[1] + "\n\n" + ZH[2])
    assert out.count("\n") == 2


def test_hf_engine_refuses_more_tokens_than_positions(models):
    with pytest.raises(TranslateError, match="max_tokens") as exc:
        load_translator("hf", model_dir=str(models["hf"]), max_tokens=1024)
    assert exc.value.setting == "max_tokens"


def test_wrong_layout_for_the_engine_says_which_engine_to_use(models):
    with pytest.raises(TranslateError, match=r"model_dir .*Hugging Face.*'hf'") as exc:
        load_translator("ct2", model_dir=str(models["hf"]))
    assert exc.value.setting == "model_dir" and exc.value.engine == "ct2"
    with pytest.raises(TranslateError, match=r"model_dir .*CTranslate2.*'ct2'"):
        load_translator("hf", model_dir=str(models["ct2"]))


# --- validation and installation -------------------------------------------------------------------


def test_validate_model_dir_describes_both_layouts(models):
    ct2 = validate_model_dir(models["ct2"])
    assert isinstance(ct2, ModelInfo) and ct2.kind == "ct2"
    assert [w.name for w in ct2.weights] == ["model.bin"] and ct2.target_spm.is_file()
    assert {p.name for p in ct2.vocabulary} <= {"shared_vocabulary.json", "shared_vocabulary.txt"}
    hf = validate_model_dir(models["hf"], "hf")
    assert hf.kind == "hf" and [w.name for w in hf.weights] == ["model.safetensors"]


def test_convert_copies_the_sentencepiece_models_and_refuses_to_overwrite(models, tmp_path):
    for name in ("source.spm", "target.spm"):
        assert (models["ct2"] / name).read_bytes() == (models["hf"] / name).read_bytes()
    with pytest.raises(TranslateError, match="already exists"):
        convert_hf_to_ct2(models["hf"], models["ct2"])
    with pytest.raises(TranslateError, match="source folder"):
        convert_hf_to_ct2(models["ct2"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_install_model_converts_a_hf_folder_once(models, tmp_path):
    root = tmp_path / "installed"
    path = install_model(models["hf"], root)
    assert path == (root / "tiny-marian-ct2-int8").resolve() and validate_model_dir(path).kind == "ct2"
    tr = load_translator("ct2", model_dir=str(path), beam_size=1)
    tr.max_output_tokens = 4
    assert len(tr.translate(ZH[:2])) == 2 and tr.model.startswith("tiny-marian-ct2-int8@")
    mtime = (path / "model.bin").stat().st_mtime_ns
    assert install_model(models["hf"], root) == path  # the same weights: reused, not converted again
    assert (path / "model.bin").stat().st_mtime_ns == mtime
    assert install_model(models["ct2"], root) == models["ct2"].resolve()  # a CT2 folder is used where it is


def test_install_model_refuses_a_foreign_folder_at_the_target(models, tmp_path):
    (tmp_path / "tiny-marian-ct2-int8").mkdir()
    with pytest.raises(TranslateError, match="not a conversion of"):
        install_model(models["hf"], tmp_path)


def test_install_model_without_the_converter_keeps_the_hf_folder(models, tmp_path, monkeypatch):
    monkeypatch.setattr("translate.models.converter_available", lambda: False)
    assert install_model(models["hf"], tmp_path) == models["hf"].resolve()
    assert list(tmp_path.iterdir()) == []


def test_identity_changes_with_the_weights(models, tmp_path):
    copy = tmp_path / "tiny-marian-ct2"
    shutil.copytree(models["ct2"], copy)
    before = load_translator("ct2", model_dir=str(copy)).model
    assert before == load_translator("ct2", model_dir=str(models["ct2"])).model  # same name, same bytes
    with open(copy / "model.bin", "ab") as fh:
        fh.write(b"\0")
    assert validate_model_dir(copy).kind == "ct2"
    from translate.models import model_identity

    assert model_identity(validate_model_dir(copy)) != before


# --- errors that need no extra --------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["ct2", "hf"])
@pytest.mark.parametrize("model_dir", ["", "/nonexistent/opus-mt-zh-en"])
def test_missing_model_dir_names_the_setting(engine, model_dir):
    with pytest.raises(TranslateError, match="model_dir") as exc:
        load_translator(engine, model_dir=model_dir)
    assert exc.value.setting == "model_dir" and exc.value.engine == engine


def test_model_dir_defaults_to_unset():
    with pytest.raises(TranslateError, match="model_dir is not set"):
        load_translator("ct2")


def test_empty_folder_is_rejected_with_the_expected_layout(tmp_path):
    with pytest.raises(TranslateError, match=r"model_dir .* is empty: expected .*model\.bin.*config\.json"):
        validate_model_dir(tmp_path)


@pytest.mark.parametrize("kind", ["ct2", "hf"])
def test_folder_missing_target_spm_lists_it(tmp_path, kind):
    names = (["model.bin", "config.json", "shared_vocabulary.json", "source.spm"] if kind == "ct2"
             else ["config.json", "model.safetensors", "vocab.json", "source.spm"])
    for name in names:
        (tmp_path / name).write_text('{"model_type": "marian"}' if name == "config.json" else "x")
    with pytest.raises(TranslateError, match=r"missing target\.spm$") as exc:
        validate_model_dir(tmp_path)
    assert exc.value.setting == "model_dir"
    (tmp_path / "target.spm").write_text("x")
    assert validate_model_dir(tmp_path).kind == kind


def test_folder_without_a_model_lists_what_is_missing(tmp_path):
    (tmp_path / "README.md").write_text("x")
    with pytest.raises(TranslateError, match=r"holds no model: missing model\.bin, source\.spm"):
        validate_model_dir(tmp_path)
    (tmp_path / "vocab.json").write_text("{}")  # looks like the start of a Hugging Face folder
    with pytest.raises(TranslateError, match=r"missing config\.json, source\.spm, target\.spm, model\.safetensors"):
        validate_model_dir(tmp_path)


def test_hf_folder_of_another_architecture_is_rejected(tmp_path):
    for name in ("config.json", "model.safetensors", "vocab.json", "source.spm", "target.spm"):
        (tmp_path / name).write_text('{"model_type": "bert"}' if name == "config.json" else "x")
    with pytest.raises(TranslateError, match="'bert' model.*MarianMT"):
        validate_model_dir(tmp_path)


def test_bad_options_name_the_option(tmp_path):
    for option, value in (("beam_size", 0), ("batch_size", -1), ("max_tokens", 2), ("threads", "2")):
        with pytest.raises(TranslateError, match=option) as exc:
            load_translator("ct2", model_dir=str(tmp_path), **{option: value})
        assert exc.value.setting == option


@pytest.mark.parametrize(("engine", "module", "extra"), [("ct2", "ctranslate2", "mt"), ("hf", "torch", "hf")])
def test_missing_package_names_the_extra(tmp_path, monkeypatch, engine, module, extra):
    if engine == "ct2":
        names = ["model.bin", "shared_vocabulary.json", "source.spm", "target.spm"]
    else:
        names = ["config.json", "model.safetensors", "vocab.json", "source.spm", "target.spm"]
    for name in names:
        (tmp_path / name).write_text('{"model_type": "marian"}' if name == "config.json" else "x")
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(TranslateError, match=re.escape(f"pip install 'pilotwatch[{extra}]'")):
        load_translator(engine, model_dir=str(tmp_path))


def test_split_pieces_cuts_at_the_last_clause_boundary():
    pieces = ["▁提出", "到", "2027", "年", "，", "培育", "平台", "、", "服务", "企业", "数量"]
    assert split_pieces(pieces, 100) == [pieces]
    assert split_pieces(pieces, 9) == [pieces[:8], pieces[8:]]  # at 、, the last boundary within 9
    assert split_pieces(pieces, 5) == [pieces[:5], pieces[5:8], pieces[8:]]
    assert split_pieces(pieces, 6) == [pieces[:5], pieces[5:]]
    assert split_pieces(list("abcdefg"), 3) == [["a", "b", "c"], ["d", "e", "f"], ["g"]]  # no boundary: hard cut
    assert split_pieces([], 4) == []


def test_translate_in_chunks_injects_terms_splits_and_restores_order():
    seen: list[list[str]] = []

    def run(batch):
        seen.append([len(p) for p in batch])
        return ["/".join(p) for p in batch]

    out = translate_in_chunks(["甲乙", "", "甲乙丙丁戊己，庚辛", "丙"], list, run, max_tokens=6, batch_size=2)
    assert out == ["甲/乙", "", "甲/乙/丙/丁 戊/己/， 庚/辛", "丙"]
    assert seen == [[4, 3], [2, 2], [1]]  # longest first, two per batch

    (en,) = translate_in_chunks(["工业和信息化部发布通知"], str.split, run, max_tokens=512, batch_size=16)
    assert en.startswith("Ministry/of/Industry/and/Information/Technology/(MIIT)/")


def test_importing_the_engine_modules_stays_light():
    code = ("import sys, translate, translate.ct2, translate.hf, translate.models; "
            "print(','.join(m for m in ('torch', 'transformers', 'ctranslate2', 'sentencepiece') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
    assert {"ct2", "hf"} <= set(translate.engines())
