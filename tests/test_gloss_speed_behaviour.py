"""Issue 20, "a cheaper gloss": what makes it cheaper must not change what it does.

- each table (jieba's dictionary and tags, CC-CEDICT, glossary, gazetteer) loads once per process, jieba.posseg is never
  imported, and `pilotwatch translate` does not import the pipeline;
- the per-user table cache (zhtext/cache.py) is reused, rebuilt when its inputs change, and a corrupt, stale or
  unwritable cache falls back to building, with the same result;
- the gloss's own segmenter (zhtext/wordcut.py) gives jieba's words; CC-CEDICT's sharded index holds what the file
  holds; the rule regex's first-character lookahead, the trie of glossary terms and the fidelity check's precompiled
  patterns find what the plain patterns found; the fidelity check compiles no regex per article.

Behaviour only, no timing: the speed is measured by bench/gloss_speed.py.
"""

from __future__ import annotations

import gzip
import json
import marshal
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import translate
from conftest import real_texts
from translate import fidelity, gloss, terms
from translate.cedict import CedictIndex, load_cedict, parse_cedict
from translate.textmaps import ascii_folded, asciified
from zhtext import cache, wordcut
from zhtext.clean import to_ascii
from zhtext.script import fold

REPO = Path(__file__).resolve().parents[1]


EDGE_TEXTS = [
    "", " ", "中", "中试平台", "工業和信息化部發佈通知", "张国清白聪聪张建新在北京调研", "5G基站2025年建成1.5万个",
    "COVID-19疫苗 mRNA技术\r\n第二行\t制表", "a+b#c&d._%-e", "★中试★", "𠮷野家", "一一二二三三", "   多个   空格   ",
    "中试中试中试中试中试中试中试中试中试中试", "鿕鿖", "ＡＢＣ１２３，全角", "生物制造中试能力建设平台培育工作",
]


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "pilotwatch"


# --- one load per process ------------------------------------------------------------------------------------------

_ONE_PROCESS = r"""
import json, sys
from click.testing import CliRunner
from pilotwatch.cli import cli
import translate
from zhtext import cache

runner = CliRunner()
out1 = runner.invoke(cli, ["translate"], input="工业和信息化部发布通知，到2027年培育中试平台20个以上。\n")
out2 = runner.invoke(cli, ["translate"], input="國家發展改革委印發方案。\n")
engine = translate.load_translator("gloss")
engine.translate(["生物制造中试能力建设平台"])
translate.check("工业和信息化部发布通知", "MIIT issued a notice")
from translate import gloss
from translate.cedict import load_cedict
print(json.dumps({
    "outputs": [out1.output, out2.output], "codes": [out1.exit_code, out2.exit_code],
    "loads": dict(cache.LOADS), "stats": dict(cache.STATS),
    "same": [gloss._resources(None) is gloss._resources(None), load_cedict() is load_cedict()],
    "modules": sorted(m for m in ("jieba.posseg", "pilotwatch.pipeline", "store", "crawler", "extract.tagger")
                      if m in sys.modules),
}, ensure_ascii=False))
"""


def _run_one_process(tmp_path: Path) -> dict:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    for key in [k for k in env if k.startswith("PILOTWATCH_")]:
        del env[key]
    out = subprocess.run([sys.executable, "-c", _ONE_PROCESS], env=env, cwd=str(tmp_path), capture_output=True,
                         text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_each_table_loads_once_per_process_and_the_next_process_reads_the_cache(tmp_path) -> None:
    first = _run_one_process(tmp_path)
    assert first["codes"] == [0, 0]
    assert first["outputs"][0].startswith("Ministry of Industry and Information Technology (MIIT)")
    assert "2027" in first["outputs"][0] and "20" in first["outputs"][0]
    assert first["same"] == [True, True]
    # two CLI translations, one engine and one check in one process: every table once
    assert first["loads"] == {"glossary": 1, "gazetteer": 1, "cedict (built)": 1, "jieba-dict (built)": 1,
                              "gloss-words (built)": 1, "gloss resources": 1}
    assert first["stats"]["cedict written"] == 1 and first["stats"]["gloss-words written"] == 1
    assert first["stats"]["jieba-dict written"] == 1
    # no POS HMM and no second POS table (jieba.posseg), no pipeline, store, crawler or tagger behind the command
    assert first["modules"] == []

    second = _run_one_process(tmp_path)
    assert second["outputs"] == first["outputs"]
    assert second["loads"] == {"glossary": 1, "gazetteer": 1, "cedict (cache)": 1, "jieba-dict (cache)": 1,
                               "gloss-words (cache)": 1, "gloss resources": 1}
    assert "gloss-words written" not in second["stats"]


def test_resources_are_shared_within_a_process() -> None:
    engine_a, engine_b = translate.load_translator("gloss"), translate.load_translator("gloss")
    engine_a.translate(["中试平台"])
    engine_b.translate(["中试平台"])
    assert gloss._resources(None) is gloss._resources(None)
    assert load_cedict() is load_cedict()
    assert cache.LOADS["gloss resources"] >= 1


# --- the cache -----------------------------------------------------------------------------------------------------

def _counting_build(value):
    calls = []

    def build():
        calls.append(1)
        return value

    return build, calls


def _valid(value) -> bool:
    return isinstance(value, dict) and "words" in value


def test_cache_is_written_once_then_read(cache_home) -> None:
    build, calls = _counting_build({"words": ["中试", "平台"], "n": 2})
    key = cache.key_of("test", b"dictionary", "glossary")
    assert cache.cached("t", key, build, _valid) == {"words": ["中试", "平台"], "n": 2}
    assert (cache_home / "t.cache").is_file()
    assert oct((cache_home).stat().st_mode & 0o777) == "0o700"
    assert cache.cached("t", key, build, _valid) == {"words": ["中试", "平台"], "n": 2}
    assert calls == [1]  # built once; the second process-level load read the file
    assert [p.name for p in cache_home.iterdir()] == ["t.cache"]  # no temporary file left behind


def test_cache_is_rebuilt_when_its_key_changes(cache_home) -> None:
    old, new = cache.key_of("test", "glossary v1"), cache.key_of("test", "glossary v2")
    assert old != new and len(old) == 64
    cache.cached("t", old, lambda: {"words": ["old"]}, _valid)
    build, calls = _counting_build({"words": ["new"]})
    assert cache.cached("t", new, build, _valid) == {"words": ["new"]}
    assert calls == [1]
    assert cache.read("t", new, _valid) == {"words": ["new"]}
    assert cache.read("t", old, _valid) is None  # one file per table: the old key's table is gone


def test_key_parts_cannot_run_together() -> None:
    assert cache.key_of("ab", "c") != cache.key_of("a", "bc")
    assert cache.key_of("中试") == cache.key_of("中试".encode())


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "magic", "empty", "not-marshal", "wrong-shape"])
def test_a_damaged_cache_file_falls_back_to_building(cache_home, damage) -> None:
    key = cache.key_of("test")
    value = {"words": list("中试平台" * 50)}
    cache.cached("t", key, lambda: value, _valid)
    path = cache_home / "t.cache"
    data = path.read_bytes()
    head = len(cache.MAGIC) + 65
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
    elif damage == "garbage":
        data = os.urandom(len(data))
    elif damage == "magic":
        data = b"X" + data[1:]
    elif damage == "empty":
        data = b""
    else:  # a well-formed file whose payload is not what the table needs: digest fine, content wrong
        payload = b"\x00not marshal" if damage == "not-marshal" else marshal.dumps(["a list, not the dict"])
        import hashlib

        data = data[:head] + hashlib.blake2b(payload, digest_size=32).digest() + payload
    path.write_bytes(data)
    build, calls = _counting_build(value)
    assert cache.cached("t", key, build, _valid) == value
    assert calls == [1]
    assert cache.read("t", key, _valid) == value  # and the file is whole again


def test_an_unwritable_cache_folder_is_no_error(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "below"))
    build, calls = _counting_build({"words": ["x"]})
    assert cache.cached("t", cache.key_of("k"), build, _valid) == {"words": ["x"]}
    assert cache.cached("t", cache.key_of("k"), build, _valid) == {"words": ["x"]}
    assert calls == [1, 1]  # built each time, nothing raised
    assert cache.STATS["t unwritable"] >= 2


def test_a_value_marshal_cannot_store_is_no_error(cache_home) -> None:
    assert cache.write("t", cache.key_of("k"), {"words": [object()]}) is False
    assert not (cache_home / "t.cache").exists()


def test_cache_folder_follows_xdg_and_ignores_a_relative_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x" / "pilotwatch"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "pilotwatch"


def test_the_segmenter_cache_is_reused_and_rebuilt_when_the_glossary_changes(tmp_path, cache_home) -> None:
    """The real jieba dictionary with a user glossary (cached apart from the packaged glossary's tables)."""
    from translate.glossary import load_glossary

    path = tmp_path / "glossary.tsv"
    path.write_text("生物制造中试\tbiomanufacturing pilot\tpolicy\n", encoding="utf-8")
    g1 = load_glossary(str(path))
    text = "培育生物制造中试平台和绿源酶创平台"
    before = dict(cache.STATS)
    seg1 = gloss.load_segmenter(g1, {}, packaged=False)
    assert cache.STATS["gloss-words-custom written"] == before.get("gloss-words-custom written", 0) + 1
    assert (cache_home / "gloss-words-custom.cache").is_file()
    assert not (cache_home / "gloss-words.cache").exists()  # the packaged glossary's tables are not evicted
    words1 = list(seg1.cut(text))
    assert "生物制造中试" in words1

    seg2 = gloss.load_segmenter(g1, {}, packaged=False)  # same inputs: read back
    assert cache.STATS["gloss-words-custom hit"] == before.get("gloss-words-custom hit", 0) + 1
    assert list(seg2.cut(text)) == words1

    path.write_text("生物制造中试\tbiomanufacturing pilot\tpolicy\n绿源酶创\tLüyuan Meichuang\tusage\n", encoding="utf-8")
    g2 = load_glossary.__wrapped__(str(path))  # the edited file (load_glossary caches per path)
    seg3 = gloss.load_segmenter(g2, {}, packaged=False)
    assert cache.STATS["gloss-words-custom stale"] == before.get("gloss-words-custom stale", 0) + 1
    words3 = list(seg3.cut(text))
    assert "绿源酶创" in words3 and "绿源酶创" not in words1
    assert seg3.tag("绿源酶创") == "nz"

    (cache_home / "gloss-words-custom.cache").write_bytes(b"PILOTWATCH-CACHE 1\nbroken")
    seg4 = gloss.load_segmenter(g2, {}, packaged=False)
    assert list(seg4.cut(text)) == words3


# --- the segmenter: jieba's words ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def segmenter() -> wordcut.Segmenter:
    return gloss._resources(None).segmenter


@pytest.fixture(scope="module")
def jieba_same(segmenter):
    import jieba

    tokenizer = jieba.Tokenizer()  # jieba itself over the gloss's prefix dictionary
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = segmenter.full_freq(), segmenter.total, True
    return tokenizer


def test_segmenter_cuts_real_articles_as_jieba_does(segmenter, jieba_same) -> None:
    for text in real_texts() + EDGE_TEXTS + [fold(t) for t in real_texts(10)]:
        assert list(segmenter.cut(text)) == list(jieba_same.cut(text, HMM=True)), text[:60]


def test_segmenter_cuts_random_text_as_jieba_does(segmenter, jieba_same) -> None:
    rnd = random.Random(20)
    alphabet = "".join(dict.fromkeys("".join(real_texts(5)) + "中试平台生物制造工业和信息化部 abc123.%-\n"))
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
        assert list(segmenter.cut(text)) == list(jieba_same.cut(text, HMM=True)), text


def test_segmenter_tables_match_jieba_and_its_pos_table(tmp_path) -> None:
    """read_dictionary + added over a small dictionary: jieba's Tokenizer + add_word and jieba.posseg's table,
    exactly; the Segmenter over them cuts as that tokenizer does."""
    import jieba
    import jieba.posseg

    dictionary = "中试 120 vn\n平台 3000 n\n中试平台 5 n\n生物 2000 n\n制造 2500 vn\n张 800 q\n".encode()
    words = [("生物制造", "nz"), ("中试能力", "nz"), ("张国清", "nt")]
    base_freq, base_total, base_tags = wordcut.read_dictionary(dictionary)
    changed, total, new_tags, force = wordcut.added(base_freq, base_total, base_tags, words, jieba.Tokenizer())
    dict_file = tmp_path / "dict.txt"
    dict_file.write_bytes(dictionary)
    tokenizer = jieba.Tokenizer(str(dict_file))
    tokenizer.tmp_dir = str(tmp_path)
    tokenizer.initialize()
    for zh, tag in words:
        tokenizer.add_word(zh, tag=tag)
    pos = jieba.posseg.POSTokenizer(tokenizer)
    pos.makesure_userdict_loaded()
    assert ({**base_freq, **changed}, total, force) == (tokenizer.FREQ, tokenizer.total, [])
    assert {**base_tags, **new_tags} == pos.word_tag_tab
    index, blob = wordcut.shard_tables(base_freq, base_tags)
    seg = wordcut.Segmenter(wordcut.Dictionary(base_total, index, blob), total, changed, new_tags,
                            blocks=(jieba.re_han_default, jieba.re_skip_default), hmm=jieba.finalseg.cut)
    assert seg.full_freq() == tokenizer.FREQ
    assert all(seg.tag(w) == t for w, t in pos.word_tag_tab.items()) and seg.tag("没有") is None
    assert seg.freq("") is None
    for text in ("生物制造中试平台", "张国清调研中试能力", "中试中试平台平台"):
        assert list(seg.cut(text)) == list(tokenizer.cut(text, HMM=True))


def test_shards_load_on_demand(segmenter) -> None:
    base = segmenter.base
    fresh = wordcut.Segmenter(wordcut.Dictionary(base.total, base._index, base._blob), segmenter.total, {}, {},
                              blocks=(segmenter._re_han, segmenter._re_skip), hmm=segmenter._hmm)
    assert fresh.shards_loaded == 0
    list(fresh.cut("中试平台"))
    assert 0 < fresh.shards_loaded <= 4  # the shards of 中, 试, 平, 台: not the whole dictionary


# --- CC-CEDICT's sharded index -------------------------------------------------------------------------------------

def test_cedict_index_holds_what_the_file_holds() -> None:
    from translate.cedict import _data_path

    plain: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(_data_path().open("rb"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            try:
                _trad, simp, rest = line.split(" ", 2)
                close = rest.index("]")
            except ValueError:
                continue
            plain.setdefault(simp, []).append((rest[1:close], rest[close + 1 :].strip().strip("/")))
    index = load_cedict().index
    assert len(index) == len(plain)
    assert dict(index.items()) == plain
    assert "中试" in index and "不是词语的词" not in index and "" not in index and index.get("不是词语的词") is None
    with pytest.raises(KeyError):
        index["不是词语的词"]


def test_cedict_parse_packs_entries_in_file_order() -> None:
    lines = ("# header\n中試 中试 [zhong1 shi4] /pilot test/\n發 发 [fa1] /to send out/to issue/\n"
             "髮 发 [fa4] /hair/\n")
    packed, max_len = parse_cedict(gzip.compress(lines.encode()))
    index = CedictIndex.from_packed(packed)
    assert index["发"] == [("fa1", "to send out/to issue"), ("fa4", "hair")]
    assert index.get("中试") == [("zhong1 shi4", "pilot test")] and max_len == 2 and len(index) == 2
    assert sorted(index) == ["中试", "发"]


# --- same matches from the faster patterns -------------------------------------------------------------------------

def test_rule_regex_lookahead_finds_the_same_spans() -> None:
    res = gloss._resources(None)
    plain = re.compile(res.rule_re.pattern.split(")(?:", 1)[1][:-1])  # the pattern without its lookahead
    assert res.rule_re.pattern.startswith("(?=[")
    top = ["gl", "by", "ymd", "ymr", "ym", "md", "mr", "yr", "mo", "dy", "no", "tm", "run", "lat", "ord", "pct",
           "qty", "dash", "p"]
    for text in [ascii_folded(t) for t in real_texts() + EDGE_TEXTS]:
        fast = list(res.rule_re.finditer(text))
        assert [(m.span(), m.groupdict()) for m in fast] == [(m.span(), m.groupdict()) for m in plain.finditer(text)]
        # render() dispatches on m.lastgroup: the one top-level alternative that matched
        assert all(m.lastgroup == next(k for k in top if m[k] is not None) for m in fast)


@pytest.mark.parametrize(("pattern", "begins", "never"), [
    ("ab|cd", "ac", "bdx"),
    (r"(?<![最接])近|\d+", "近05٣", "最接a "),
    ("(?P<x>a)?[ \t]*b", "a \tb", "cx\n"),
    ("(?:x|y)?z[-.]", "xyz", "-.a"),
])
def test_first_chars_are_the_characters_a_match_can_begin_with(pattern, begins, never) -> None:
    first = re.compile(gloss.first_chars(pattern))
    assert all(first.fullmatch(ch) for ch in begins)
    assert not any(first.fullmatch(ch) for ch in never)


@pytest.mark.parametrize("pattern", ["x*", "a|", "[^a]b", r"\Db", "(?i)ab", "(?i:a)b", r"(a?)\1b"])
def test_first_chars_gives_up_when_it_cannot_tell(pattern) -> None:
    assert gloss.first_chars(pattern) is None  # may match "", a class too wide to help, case folding, a backreference


def test_term_trie_finds_the_leftmost_longest_term() -> None:
    words = ["工业", "工业和信息化部", "工业部", "部", "信息化", "和信息"]
    flat = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    trie = re.compile(terms.trie_pattern(words))
    for text in ["工业和信息化部发布", "工业部门", "工业和信息", "部部工业", "信息化工业和信息化部", ""] + real_texts(20):
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in flat.finditer(text)]


# --- the fidelity check: same answers, no regex per article --------------------------------------------------------

def test_text_maps_equal_zhtext() -> None:
    for text in real_texts(20) + EDGE_TEXTS + ["“Quoted” – ＡＢＣ　１２３ ü"]:
        assert ascii_folded(text) == to_ascii(fold(text))
        assert asciified(text) == to_ascii(text)


def test_bounded_find_is_the_regex_it_replaces() -> None:
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice(["1", "5", ".", ",", " ", "a", "1.5", "15", "٣"]) for _ in range(rnd.randint(0, 12)))
        form = rnd.choice(["1", "15", "1.5", "5", "1,5", "a 1"])
        expected = re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d])", text) is not None
        assert fidelity._bounded_find(text, form) == expected, (text, form)


def test_entity_pattern_accepts_what_each_form_accepted() -> None:
    from translate.glossary import load_glossary

    entry = load_glossary().entries["工业和信息化部"]
    forms, _ = fidelity._entity_forms(entry, None)
    pattern = fidelity._entity_pattern(entry, None)
    for en in ["the miit said", "ministry of industry and information technology issued", "miits", "miites", "xmiit",
               "miitx", "the ministries of industry and information technology", "(miit)", "nothing"]:
        expected = any(re.search(rf"(?<![a-z0-9]){re.escape(f.lower())}(?:e?s)?(?![a-z0-9])", en) for f in forms)
        assert (pattern.search(en) is not None) == expected, en


def test_check_compiles_no_regex_per_article(monkeypatch) -> None:
    compiler = re._compiler  # type: ignore[attr-defined]
    original = compiler.compile
    compiled: list[str] = []

    def counting(pattern, *args, **kwargs):
        compiled.append(str(pattern)[:40])
        return original(pattern, *args, **kwargs)

    translate.check("工业和信息化部、国家发展改革委发布通知，到2027年培育平台二十个以上，投资1.5亿元，6月上线。",
                    "MIIT, NDRC: 2027, twenty, 150 million, June")
    monkeypatch.setattr(compiler, "compile", counting)
    for n in range(40):  # new numbers, scaled numbers and months in every article
        zh = f"工业和信息化部、国家发展改革委{2000 + n}年{n % 12 + 1}月发布通知，投资{n}.{n}亿元，服务企业{300 + n}家，共{n + 7}万人。"
        translate.check(zh, f"The MIIT and NDRC in {2000 + n}: {n}.{n} billion, {300 + n} firms.")
    assert compiled == []
