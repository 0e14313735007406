"""jieba.posseg's part-of-speech cut, over the process's shared dictionary and a compact copy of its HMM (issue 20).

`PosCutter.cut(text)` yields the (word, flag) pairs `jieba.posseg.POSTokenizer(tokenizer).cut(text)` yields when
tokenizer holds jieba's dictionary plus the same added words: the same blocks (posseg's own regexes, which keep Latin
letters and digits inside a block), the same route, tags from the dictionary, and posseg's HMM over each run of
single characters no word covers (tests/test_pos_cut.py checks it pair for pair on real articles).

What it saves: `import jieba.posseg` builds a tag table of jieba's whole dictionary for jieba's default tokenizer and
loads the HMM from modules of Python literals (+61 MB); a private jieba.Tokenizer with our words holds the dictionary
again (+116 MB). Here the dictionary is the one the gloss also reads (zhtext/wordcut.py), and the HMM is one table
per character (its states as small integers, their emission log-probabilities) built once from posseg's model files
and cached (zhtext/cache.py): ~6 MB.
"""

from __future__ import annotations

import marshal
import pickle
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from zhtext import cache
from zhtext.wordcut import Words

__all__ = ["PosCutter", "PosHmm", "load_hmm"]

# jieba.posseg's module regexes (tests/test_pos_cut.py checks they are still jieba's); importing jieba.posseg for them
# would build its default tokenizer's tag table.
RE_HAN_DETAIL = re.compile("([\u4e00-\u9fd5]+)")
RE_SKIP_DETAIL = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
RE_HAN_INTERNAL = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._]+)")
RE_SKIP_INTERNAL = re.compile("(\r\n|\\s)")
RE_ENG = re.compile("[a-zA-Z0-9]+")
RE_NUM = re.compile(r"[\.0-9]+")

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
MIN_INF = float("-inf")
_NONE: dict[int, float] = {}

_HMM_CACHE = "posseg-hmm"  # a new name for a new shape (zhtext/cache.py)
_HMM_FORMAT = "jieba-posseg-hmm 2"
_MODEL_FILES = ("prob_start.p", "prob_trans.p", "prob_emit.p", "char_state_tab.p")


class PosHmm:
    """jieba.posseg's HMM: states numbered in the order of their (position, tag) tuples, so that max() over (score,
    state) breaks ties as jieba's max over (score, state tuple) does."""

    def __init__(self, tables: list[Any]) -> None:
        names, start, trans, chars, all_states = tables
        self.names: list[tuple[str, str]] = [tuple(n) for n in names]  # state → ("B"|"M"|"E"|"S", flag)
        self.start: list[float] = start
        self.trans: list[dict[int, float]] = trans  # state → next state → log-probability
        self._packed: dict[str, bytes] = chars  # char → marshal((its states, {state: emission log-probability}))
        self.chars: dict[str, tuple[tuple[int, ...], dict[int, float]]] = {}  # unpacked as texts reach them
        self.all_states: tuple[int, ...] = tuple(all_states)  # jieba's trans_p.keys(): a character's states if unlisted

    def _char(self, ch: str) -> tuple[tuple[int, ...], dict[int, float]]:
        got = self.chars.get(ch)
        if got is None:
            packed = self._packed.get(ch)
            got = self.chars[ch] = (self.all_states, _NONE) if packed is None else marshal.loads(packed)
        return got

    def viterbi(self, obs: str) -> list[int]:
        """The best state per character: jieba.posseg.viterbi with the same sums in the same order."""
        start, trans, char, all_states = self.start, self.trans, self._char, self.all_states
        states, emit = char(obs[0])
        score = {y: start[y] + emit.get(y, MIN_FLOAT) for y in states}
        back: list[dict[int, int]] = [dict.fromkeys(score, -1)]
        for t in range(1, len(obs)):
            prev = [x for x in score if trans[x]]
            expect = {y for x in prev for y in trans[x]}
            states, emit = char(obs[t])
            now = set(states) & expect
            if not now:
                now = expect if expect else set(all_states)
            new_score: dict[int, float] = {}
            came: dict[int, int] = {}
            for y in now:
                e = emit.get(y, MIN_FLOAT)
                new_score[y], came[y] = max((score[y0] + trans[y0].get(y, MIN_INF) + e, y0) for y0 in prev)
            score = new_score
            back.append(came)
        _, state = max((p, y) for y, p in score.items())
        route = [0] * len(obs)
        for i in range(len(obs) - 1, -1, -1):
            route[i] = state
            state = back[i][state]
        return route


def _hmm_tables(folder: Path) -> list[Any]:
    """posseg's model files (the pickles jieba ships beside its modules of the same tables) → PosHmm's tables."""
    start_p, trans_p, emit_p, char_states = (pickle.loads((folder / name).read_bytes()) for name in _MODEL_FILES)
    names = sorted({*start_p, *trans_p, *emit_p, *(s for states in char_states.values() for s in states)})
    number = {name: i for i, name in enumerate(names)}
    emissions: dict[str, dict[int, float]] = {}
    for state, row in emit_p.items():
        for ch, p in row.items():
            emissions.setdefault(ch, {})[number[state]] = p
    all_states = [number[s] for s in trans_p]
    chars = {ch: (tuple(number[s] for s in states), emissions.get(ch, {})) for ch, states in char_states.items()}
    for ch, row in emissions.items():  # emissions but no state list: jieba tries all its states
        if ch not in chars:
            chars[ch] = (tuple(all_states), row)
    # each character packed apart: a run unpacks the few thousand it meets, not all 6,600 (12 MB unpacked)
    return [[list(n) for n in names], [start_p.get(n, MIN_FLOAT) for n in names],
            [{number[b]: p for b, p in trans_p.get(n, {}).items()} for n in names],
            {ch: marshal.dumps(entry) for ch, entry in chars.items()}, all_states]


def _valid_hmm(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 5 and isinstance(value[0], list) and len(value[0]) > 0
            and len(value[1]) == len(value[0]) == len(value[2]) and isinstance(value[3], dict) and bool(value[3]))


def load_hmm() -> PosHmm:
    """posseg's HMM, from the user cache when built from the same model files, else built and cached."""
    import jieba

    folder = Path(jieba.__file__).parent / "posseg"
    key = cache.key_of(_HMM_FORMAT, jieba.__version__, *((folder / name).read_bytes() for name in _MODEL_FILES))
    return PosHmm(cache.cached(_HMM_CACHE, key, lambda: _hmm_tables(folder), _valid_hmm))


class PosCutter:
    """jieba.posseg.POSTokenizer.cut(HMM=True) over Words; see the module docstring."""

    def __init__(self, words: Words, hmm: PosHmm) -> None:
        self.words = words
        self.hmm = hmm

    def freq(self, word: str) -> int | None:
        return self.words.freq(word)

    def cut(self, sentence: str) -> Iterator[tuple[str, str]]:
        for block in RE_HAN_INTERNAL.split(sentence):
            if RE_HAN_INTERNAL.match(block):
                yield from self._cut_block(block)
                continue
            for x in RE_SKIP_INTERNAL.split(block):
                if RE_SKIP_INTERNAL.match(x):
                    yield x, "x"
                    continue
                eng = RE_ENG.match(x) is not None  # posseg tests the whole piece here, not each character
                for ch in x:
                    yield ch, ("m" if RE_NUM.match(ch) else "eng" if eng else "x")

    def _tag(self, word: str) -> str:
        tag = self.words.tag(word)
        return "x" if tag is None else tag

    def _cut_block(self, sentence: str) -> Iterator[tuple[str, str]]:
        for piece, run in self.words.walk(sentence):
            if run:
                yield from self._flush(piece)
            else:
                yield piece, self._tag(piece)

    def _flush(self, buf: str) -> Iterator[tuple[str, str]]:
        if len(buf) == 1:
            yield buf, self._tag(buf)
        elif not self.words.freq(buf):
            yield from self._detail(buf)
        else:
            for ch in buf:
                yield ch, self._tag(ch)

    def _detail(self, text: str) -> Iterator[tuple[str, str]]:
        """posseg's __cut_detail: the HMM over Han runs; digits, Latin and the rest as they are."""
        for block in RE_HAN_DETAIL.split(text):
            if RE_HAN_DETAIL.match(block):
                yield from self._hmm_words(block)
                continue
            for x in RE_SKIP_DETAIL.split(block):
                if x:
                    yield x, ("m" if RE_NUM.match(x) else "eng" if RE_ENG.match(x) else "x")

    def _hmm_words(self, text: str) -> Iterator[tuple[str, str]]:
        names = self.hmm.names
        route = self.hmm.viterbi(text)
        begin = nexti = 0
        for i, ch in enumerate(text):
            pos, flag = names[route[i]]
            if pos == "B":
                begin = i
            elif pos == "E":
                yield text[begin : i + 1], flag
                nexti = i + 1
            elif pos == "S":
                yield ch, flag
                nexti = i + 1
        if nexti < len(text):
            yield text[nexti:], names[route[nexti]][1]
