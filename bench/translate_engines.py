"""How fast are the translation engines on this machine? gloss, ct2 and hf measured in one run.

No real opus-mt weights can be had offline, so this builds a MarianMT model with opus-mt-zh-en's exact
shape (d_model 512, 6+6 layers, 8 heads, FFN 2048, swish, vocab 65,001 with <pad> last) and random
weights, converts it to CTranslate2 int8 with translate.models.convert_hf_to_ct2 (the real model's
int8 folder is the same size, ~79 MB), and times the engines through translate.load_translator on the
same Chinese sentences with beam 4 and their default batch size. Random weights almost never say
</s>, so every engine is given the same output cap (--out-tokens) and runs to it: the hf/ct2 ratio
compares equal work. Speed only; it says nothing about quality.

    .venv/bin/python bench/translate_engines.py            # ~2 minutes on 2 cores
    .venv/bin/python bench/translate_engines.py --quick    # a smaller model, ~20 s

Needs the 'mt' and 'hf' extras (ctranslate2, sentencepiece, transformers, torch).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import translate  # noqa: E402
from translate.models import convert_hf_to_ct2, set_offline  # noqa: E402

SENTENCES = [
    "工业和信息化部、国家发展改革委日前发布通知，提出到2027年，培育生物制造中试能力建设平台20个以上。",
    "服务企业数量超过200家，孵化产品400个以上，形成一批具有国际竞争力的生物制造企业。",
    "通知要求，各地要加强组织领导，统筹用好现有资金渠道，支持中试平台建设和运营。",
    "国务院办公厅印发《关于加快场景培育和开放推动新场景大规模应用的实施意见》。",
    "意见提出，到2025年底，在重点领域建成一批示范应用场景，带动相关产业规模超过1万亿元。",
    "国家发展改革委新闻发言人表示，今年前三季度全国固定资产投资同比增长3.5%。",
    "科技部、财政部联合发布关于开展国家技术创新中心建设工作的指导意见。",
    "上海市将在浦东新区设立生物医药产业园，首期投资规模约50亿元。",
    "会议强调，要坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念。",
    "截至6月底，全国已建成5G基站超过380万个，覆盖所有地级市城区。",
    "市场监管总局将进一步规范平台经济竞争秩序，保护中小企业合法权益。",
    "中国科学院与地方政府共建的合成生物学研究所于近日正式揭牌成立。",
    "生态环境部发布通知，要求重点行业企业在2026年前完成超低排放改造。",
    "财政部下达2025年第二批中央预算内投资计划，支持重大项目建设。",
    "广东省出台支持中试平台发展的若干措施，对新认定的平台给予最高1000万元奖励。",
    "教育部表示，将扩大职业教育中生物技术相关专业的招生规模。",
    "国家知识产权局数据显示，我国发明专利有效量突破400万件。",
    "江苏省苏州市启动生物制造产业集群培育行动，计划三年内引进企业100家。",
    "农业农村部将推动农业生物育种产业化，加快推广新品种新技术。",
    "海关总署公布，前10个月我国货物贸易进出口总值同比增长5.2%。",
]
ENGLISH = [
    "The ministry issued a notice on building pilot platforms for biomanufacturing by 2027.",
    "More than 200 enterprises will be served and 400 products incubated.",
    "Local governments should strengthen leadership and support platform construction.",
    "The State Council issued opinions on large-scale application of new scenarios.",
]

FULL = {"d_model": 512, "layers": 6, "heads": 8, "ffn": 2048, "vocab": 65001}
QUICK = {"d_model": 128, "layers": 2, "heads": 4, "ffn": 512, "vocab": 8001}


def versions() -> str:
    names = ("ctranslate2", "sentencepiece", "transformers", "torch", "numpy", "jieba")
    out = []
    for name in names:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)


def build_marian(out: Path, size: dict[str, int]) -> Path:
    """An opus-mt-zh-en-shaped MarianMT folder with random weights; vocab.json padded to size["vocab"]."""
    set_offline()
    import sentencepiece as spm
    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()
    out.mkdir(parents=True)
    # Character-level source pieces, like most of opus-mt's Chinese vocabulary; a small English one.
    for name, lines, model_type, vocab_size in (("source", SENTENCES, "char", 400), ("target", ENGLISH, "unigram", 80)):
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines * 3), model_prefix=str(out / name), vocab_size=vocab_size,
            model_type=model_type, character_coverage=1.0, hard_vocab_limit=False, bos_id=-1, eos_id=0, unk_id=1,
            pad_id=-1, minloglevel=2,
        )
        (out / f"{name}.model").rename(out / f"{name}.spm")
        (out / f"{name}.vocab").unlink()
    vocab = {"</s>": 0, "<unk>": 1}
    for name in ("source", "target"):
        sp = spm.SentencePieceProcessor(model_file=str(out / f"{name}.spm"))
        for i in range(sp.get_piece_size()):
            vocab.setdefault(sp.id_to_piece(i), len(vocab))
    while len(vocab) < size["vocab"] - 1:
        vocab[f"▁filler{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)  # last, as in opus-mt
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")
        tok = transformers.MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(out / "vocab.json"))
    n = len(tok)
    pad = n - 1
    # opus-mt-zh-en's config.json, with the sizes parametrised.
    config = transformers.MarianConfig(
        vocab_size=n, d_model=size["d_model"], encoder_layers=size["layers"], decoder_layers=size["layers"],
        encoder_attention_heads=size["heads"], decoder_attention_heads=size["heads"], encoder_ffn_dim=size["ffn"],
        decoder_ffn_dim=size["ffn"], activation_function="swish", scale_embedding=True, max_position_embeddings=512,
        pad_token_id=pad, decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(0)
    model = transformers.MarianMTModel(config).eval()
    model.generation_config = transformers.GenerationConfig(
        bad_words_ids=[[pad]], decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0, max_length=512,
        num_beams=4, pad_token_id=pad,
    )
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    start = time.perf_counter()
    result = None
    for _ in range(repeat):
        result = fn()
    return (time.perf_counter() - start) / repeat, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller model and 8 sentences")
    parser.add_argument("--beam", type=int, default=4, help="beam size for ct2 and hf (default 4)")
    parser.add_argument("--out-tokens", type=int, default=50, help="output tokens per sentence (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per engine (default 2)")
    args = parser.parse_args()

    size = QUICK if args.quick else FULL
    sentences = SENTENCES[:8] if args.quick else SENTENCES
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {platform.machine()} {platform.processor() or ''}".rstrip()
          + f", cpu_count {os.cpu_count()} (usable {affinity}), Python {platform.python_version()}")
    print(f"versions: {versions()}")
    print(f"model: MarianMT d_model {size['d_model']}, {size['layers']}+{size['layers']} layers, {size['heads']} heads, "
          f"ffn {size['ffn']}, vocab {size['vocab']}, random weights{' (--quick)' if args.quick else ''}")

    with tempfile.TemporaryDirectory(prefix="pw-bench-") as tmp:
        build_s, hf_dir = timed(lambda: build_marian(Path(tmp) / "opus-mt-zh-en-random", size))
        convert_s, ct2_dir = timed(lambda: convert_hf_to_ct2(hf_dir, Path(tmp) / "opus-mt-zh-en-random-ct2"))
        mb = {p.name: p.stat().st_size / 1e6 for p in (hf_dir / "model.safetensors", ct2_dir / "model.bin")}
        print(f"built in {build_s:.1f} s (model.safetensors {mb['model.safetensors']:.0f} MB); "
              f"converted to CT2 int8 in {convert_s:.1f} s (model.bin {mb['model.bin']:.0f} MB)")

        import sentencepiece as spm

        source = spm.SentencePieceProcessor(model_file=str(ct2_dir / "source.spm"))
        src_tokens = sum(len(source.encode(s)) for s in sentences) / len(sentences)
        print(f"input: {len(sentences)} sentences, {sum(map(len, sentences)) / len(sentences):.0f} characters and "
              f"{src_tokens:.0f} source tokens each on average (before glossary injection)")
        print()

        gloss = translate.load_translator("gloss")
        load_s, _ = timed(lambda: gloss.translate(sentences[:1]))
        gloss_s, _ = timed(lambda: gloss.translate(sentences), repeat=5)
        print(f"gloss  {len(sentences) / gloss_s:8.0f} sentences/s   ({gloss_s / len(sentences) * 1000:.1f} ms/sentence; "
              f"first call loading jieba + CC-CEDICT {load_s:.1f} s)")

        results: dict[str, float] = {}
        for engine, model_dir in (("ct2", ct2_dir), ("hf", hf_dir)):
            load_s, tr = timed(lambda e=engine, d=model_dir: translate.load_translator(
                e, model_dir=str(d), beam_size=args.beam, threads=args.threads))
            tr.max_output_tokens = args.out_tokens  # random weights never end early: equal work for both engines
            tr.translate(sentences[:1])  # warm-up
            seconds, english = timed(lambda t=tr: t.translate(sentences))
            assert len(english) == len(sentences)
            results[engine] = seconds / len(sentences)
            print(f"{engine:5}  {results[engine]:8.3f} s/sentence   (beam {args.beam}, batch {tr.batch_size}, "
                  f"{args.out_tokens} output tokens, {args.threads} threads; load {load_s:.1f} s; model {tr.model})")
        print()
        print(f"hf/ct2 time ratio = {results['hf'] / results['ct2']:.1f}   "
              f"(gloss is {results['ct2'] / (gloss_s / len(sentences)):.0f}x faster than ct2)")

        # Translation memory: a first run fills it, a re-run of the same articles should hit it for every sentence.
        memory = DictMemory()
        ct2 = translate.load_translator("ct2", model_dir=str(ct2_dir), beam_size=args.beam, threads=args.threads)
        ct2.max_output_tokens = args.out_tokens
        first_s, (_, first) = timed(lambda: translate.translate_sentences(ct2, sentences, memory))
        again_s, (_, again) = timed(lambda: translate.translate_sentences(ct2, sentences, memory))
        rate = again.hits / (again.hits + again.misses)
        print(f"translation memory (ct2): first run {first.hits} hits / {first.misses} misses in {first_s:.2f} s; "
              f"re-run {again.hits} hits / {again.misses} misses in {again_s * 1000:.1f} ms: "
              f"hit rate {rate:.0%}, re-run/first-run time ratio {again_s / first_s:.4f}")


class DictMemory:
    """The store's translation-memory interface (tm_get_many / tm_put_many) over a dict, so the bench needs no DB."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    def tm_get_many(self, keys: list[str]) -> dict[str, str]:
        return {k: self.rows[k] for k in keys if k in self.rows}

    def tm_put_many(self, rows: list[dict[str, str]]) -> None:
        self.rows.update((r["key"], r["english"]) for r in rows)


if __name__ == "__main__":
    main()
