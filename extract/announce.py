"""A scored verdict on ``is_platform_announcement``: logistic regression over structural cues and character n-grams.

``score(title, body, lang) -> Score``: ``value`` in [0, 1] (the tagger compares it with a configurable threshold,
``DEFAULT_THRESHOLD`` unless told otherwise) and ``top``, the 3-5 strongest (feature, contribution) pairs in log-odds,
usable as reasons. ``title`` and ``body`` are folded (zhtext.script.fold, pinyin glosses removed); ``lang`` is "zh"
or "en" (the tagger's rule: "zh" when either part has Han characters; "zh-Hant" is read as "zh").

``features(title, body, lang)`` is the one featuriser, shared by scripts/train_announce.py and run time:
  - the headline is the title, or when there is none the body's first line if it reads as one (short, no
    sentence-final punctuation); the lead is the first sentences after it. Lines that only carry metadata (datelines,
    bylines, 来源/责任编辑/编辑/发布日期 lines, a date, a repeat of the title) are skipped and a dateline or byline
    opening a paragraph (新华社北京6月12日电, 本报讯(记者 X), BEIJING, June 30 (Xinhua) --) is cut off, so no feature
    depends on them;
  - structural features (names in ``STRUCTURAL``): pilot-platform terms, bio-focus and general-manufacturing words
    (extract/data/terms.toml, both languages) in the headline, in the lead and next to the pilot terms, where the first
    pilot term sits and how dense they are, event verbs (印发, 名单, 揭牌, 开工, 签约…), genre cues (forum, overview,
    plan), how many fields the text lists, and the rule verdict of extract.classify on the headline and cleaned body;
  - hashed character 1-3-grams of the headline (``t:<bucket>``) and of the lead (``l:<bucket>``), zlib.crc32 modulo
    the model's bucket count, each part's vector of unit length.

The model (extract/data/announce_model.json: weights by feature name, intercept, bucket count, training data hash,
version) is built by scripts/train_announce.py and loaded once; nothing is trained here and no numpy is needed.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources as _res
from pathlib import Path
from typing import Any

from . import resources
from .classify import classify
from .lead import SENTENCE_END, is_meta, strip_dateline

DEFAULT_THRESHOLD = 0.5
MODEL_FILE = "announce_model.json"
MODEL_FORMAT = 1

_LEAD_SENTENCES = 2
_LEAD_CHARS = {"zh": 160, "en": 400}
_HEADLINE_CHARS = {"zh": 60, "en": 160}
_TOP_MIN, _TOP_MAX, _TOP_EXTRA_MIN = 3, 5, 0.1

# Cue words by kind, in both languages. Event verbs follow LABELS.md's events (called, listed, opened, construction,
# signed) plus the verbs that issue a policy; genre cues mark items whose subject is wider than one platform.
_CUES: dict[str, dict[str, str]] = {
    "event": {
        "zh": "印发|发布|公布|出台|通知|名单|公示|入选|认定|获批|批复|授牌|挂牌|揭牌|启用|投用|投运|投入运行|投入使用|正式运营"
        "|开园|落成|建成|成立|开工|奠基|开建|动工|竣工|签约|签署|落户|申报|遴选|征集|培育|部署|启动",
        "en": r"announc\w*|issu(?:e|es|ed|ing)|releas\w*|publish\w*|lists?|listed|shortlist\w*|select\w*|approv\w*"
        r"|unveil\w*|inaugurat\w*|open(?:s|ed|ing)?|launch\w*|establish\w*|commission\w*"
        r"|put into (?:operation|use|service)|groundbreaking|br(?:eak|eaks|oke) ground|construction|sign(?:s|ed|ing)?"
        r"|agreements?|settle\w*|call for|applications?|foster\w*|cultivat\w*",
    },
    "forum": {
        "zh": "论坛|峰会|大会|研讨会|年会|博览会|展览会|交流会|推介会|路演|沙龙|座谈会|对接会|洽谈会|发布会",
        "en": r"forums?|summits?|conferences?|congress|expos?|symposi\w*|roadshows?|workshops?",
    },
    "overview": {
        "zh": "综述|分析|思考|报告|现状|趋势|展望|概况|盘点|观察|案例|解读|调研|答投资者问|问答|可行性|研究",
        "en": r"analys[ie]s|overview|reports?|insights?|trends?|outlook|review|interview|opinion|how|why|what",
    },
    # the head noun of a facility name: with a bio word it names a bio platform that the pilot terms may miss
    # (合成生物产业技术转化平台, biomanufacturing capacity-building platforms)
    "platform": {"zh": "平台|基地", "en": r"platforms?|bases?|facilit(?:y|ies)|hubs?"},
    "plan": {
        "zh": "规划|计划|方案|意见|措施|规定|办法|政策|十四五|十五五|征求意见",
        "en": r"plans?|strateg(?:y|ies)|guidelines?|polic(?:y|ies)|measures|five-year",
    },
}

# Feature names other than hashed n-grams, in a fixed order (the training script and the tests read it).
STRUCTURAL: tuple[str, ...] = (
    "title_pilot", "title_bio", "title_general", "title_bio_pilot", "title_bio_platform", "title_platform_event",
    "title_event", "title_forum", "title_overview",
    "title_plan", "title_near_miss", "title_process",
    "lead_pilot", "lead_bio_pilot", "lead_event", "lead_forum", "lead_overview", "lead_plan", "lead_process",
    "pilot_first_pos", "pilot_density", "pilot_count", "bio_near_pilot", "general_near_pilot", "bio_share_near_pilot",
    "event_near_pilot", "general_fields", "sector_fields",
    "rule_announcement", "rule_mentions", "lang_en",
)  # fmt: skip
NGRAM_PREFIXES = ("t", "l")  # headline, lead
_PART_NAMES = {"t": "title_ngrams", "l": "lead_ngrams"}

_SENTENCE_SPLIT = {"zh": re.compile(r"[。！？!?；;\n]+"), "en": re.compile(r"(?<=[.!?;])\s+|\n+")}
_SPACE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Score:
    """``value``: the probability-like announcement score in [0, 1]. ``top``: the strongest contributions to its
    log-odds, strongest first, as (feature, contribution); hashed n-grams are summed per part and named with their
    strongest n-grams, e.g. ``title_ngrams[名单|公布|平台]``."""

    value: float
    top: tuple[tuple[str, float], ...]

    def reasons(self) -> tuple[str, ...]:
        return tuple(f"{name} {c:+.2f}" for name, c in self.top)


@dataclass(frozen=True)
class _Patterns:
    pilot: re.Pattern[str]
    bio: re.Pattern[str]
    general: re.Pattern[str]
    near_miss: re.Pattern[str]
    process: re.Pattern[str]
    event: re.Pattern[str]
    forum: re.Pattern[str]
    overview: re.Pattern[str]
    plan: re.Pattern[str]
    platform: re.Pattern[str]
    sector: re.Pattern[str]
    sector_of: dict[str, str]


def _alternation(patterns: list[str], en: bool) -> str:
    body = "|".join(f"(?:{p})" for p in patterns)
    return rf"\b(?:{body})\b" if en else body


def _sector_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern over the sector keyword table, longest first (so blockers such as 新能源汽车 win over 能源), and the
    sector of each keyword ("-" for a blocker). A keyword listed under several sectors keeps its first."""
    sector_of: dict[str, str] = {}
    for sector, kw_lang, kw in resources.sector_keywords():
        if kw_lang == lang:
            sector_of.setdefault(kw.rstrip("*").lower(), sector)
    keys = sorted(sector_of, key=lambda k: (-len(k), k))
    if lang == "en":
        stems = {kw.rstrip("*").lower() for s, lg, kw in resources.sector_keywords() if lg == "en" and kw.endswith("*")}
        parts = [r"\s+".join(map(re.escape, k.split())) + (r"[\w-]*" if k in stems else "") for k in keys]
        return re.compile(r"\b(?:" + "|".join(parts) + r")\b", re.IGNORECASE), sector_of
    return re.compile("|".join(map(re.escape, keys))), sector_of


def _sector_of(p: _Patterns, matched: str) -> str:
    """The sector of a matched keyword; an English stem (food*, drug*) matches longer words: its longest stem wins."""
    key = _SPACE.sub(" ", matched.lower())
    if key in p.sector_of:
        return p.sector_of[key]
    stems = [k for k in p.sector_of if key.startswith(k)]
    return p.sector_of[max(stems, key=len)] if stems else "-"


@cache
def _patterns(lang: str) -> _Patterns:
    t = resources.terms()[lang]
    en = lang == "en"
    flags = re.IGNORECASE if en else 0
    compiled = {
        k: re.compile(_alternation(t[k], en), flags) for k in ("pilot", "bio", "general", "near_miss", "process")
    }
    cues = {k: re.compile(rf"\b(?:{v[lang]})\b" if en else v[lang], flags) for k, v in _CUES.items()}
    sector, sector_of = _sector_pattern(lang)
    return _Patterns(**compiled, **cues, sector=sector, sector_of=sector_of)


def _lang(lang: str) -> str:
    if lang == "en":
        return "en"
    if lang.startswith("zh"):
        return "zh"
    raise ValueError(f"announce: unsupported language {lang!r} (expected 'zh' or 'en')")


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def _content_lines(title: str, body: str, lang: str) -> list[str]:
    """Body lines without metadata lines, datelines or repeats of the title."""
    t = _squeeze(title)
    out = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line or is_meta(line, lang):
            continue
        squeezed = _squeeze(line)
        if t and len(squeezed) >= 4 and squeezed in t:  # the title, or the title broken over lines
            continue
        if t and squeezed.startswith(t):  # the title glued to the first sentence
            line = line[_prefix_end(line, t) :].strip()
        line = strip_dateline(line, lang).strip()
        if line:
            out.append(line)
    return out


def _prefix_end(line: str, squeezed_prefix: str) -> int:
    """The offset in ``line`` right after ``squeezed_prefix`` (which ignores whitespace)."""
    seen = 0
    for i, ch in enumerate(line):
        if not ch.isspace():
            seen += 1
        if seen == len(squeezed_prefix):
            return i + 1
    return len(line)


def _looks_like_headline(line: str, lang: str) -> bool:
    # an addressee line (各有关单位:) or a lead-in ending in a colon is not a headline
    return len(line) <= _HEADLINE_CHARS[lang] and not SENTENCE_END[lang].search(line) and line[-1] not in ":："


@dataclass(frozen=True)
class _Parts:
    headline: str
    body: str  # the body's content lines, after the headline
    lead: str

    @property
    def content(self) -> str:
        return f"{self.headline}\n{self.body}" if self.headline else self.body


def _parts(title: str, body: str, lang: str) -> _Parts:
    title = title.strip()
    lines = _content_lines(title, body, lang)
    headline = title
    if not headline and lines and _looks_like_headline(lines[0], lang):
        headline, lines = lines[0], lines[1:]
    sentences = [s.strip() for s in _SENTENCE_SPLIT[lang].split("\n".join(lines)) if s.strip()]
    lead = ("。" if lang == "zh" else " ").join(sentences[:_LEAD_SENTENCES])[: _LEAD_CHARS[lang]]
    return _Parts(headline, "\n".join(lines), lead)


def _sentences(text: str, lang: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT[lang].split(text) if s.strip()]


def _has(rx: re.Pattern[str], text: str) -> float:
    return 1.0 if rx.search(text) else 0.0


def _ngrams(text: str, lang: str) -> list[str]:
    """Distinct character 1-3-grams, in order of first occurrence: lower case, digits as 0, whitespace dropped (zh)
    or collapsed (en)."""
    text = _DIGIT.sub("0", text.lower())
    text = _squeeze(text) if lang == "zh" else _SPACE.sub(" ", text).strip()
    seen: dict[str, None] = {}
    for n in (1, 2, 3):
        for i in range(len(text) - n + 1):
            gram = text[i : i + n]
            if gram.strip():
                seen.setdefault(gram, None)
    return list(seen)


def bucket(prefix: str, gram: str, buckets: int) -> int:
    """The stable hash bucket of an n-gram of one part (zlib.crc32, unlike hash(), is the same in every process)."""
    return zlib.crc32(f"{prefix}|{gram}".encode("utf-8", "surrogatepass")) % buckets  # a lone surrogate is a gram too


def _ngram_features(parts: _Parts, lang: str, buckets: int) -> tuple[dict[str, float], dict[str, list[str]]]:
    feats: dict[str, float] = defaultdict(float)
    grams_of: dict[str, list[str]] = defaultdict(list)
    for prefix, text in (("t", parts.headline), ("l", parts.lead)):
        grams = _ngrams(text, lang)
        if not grams:
            continue
        value = 1.0 / math.sqrt(len(grams))
        for gram in grams:
            name = f"{prefix}:{bucket(prefix, gram, buckets)}"
            feats[name] += value
            grams_of[name].append(gram)
    return dict(feats), dict(grams_of)


def _structural(parts: _Parts, lang: str) -> dict[str, float]:
    p = _patterns(lang)
    h, lead, content = parts.headline, parts.lead, parts.content
    f: dict[str, float] = {}

    h_bio, h_gen = len(p.bio.findall(h)), len(p.general.findall(h))
    f["title_pilot"] = _has(p.pilot, h)
    f["title_bio"] = float(h_bio > 0)
    f["title_general"] = float(h_gen > 0)
    f["title_bio_pilot"] = float(bool(p.pilot.search(h)) and h_bio > 0 and h_bio >= h_gen)
    f["title_bio_platform"] = float(h_bio > 0 and bool(p.platform.search(h)))
    for kind in ("event", "forum", "overview", "plan", "near_miss", "process"):
        f[f"title_{kind}"] = _has(getattr(p, kind), h)
    f["title_platform_event"] = f["title_event"] * max(f["title_pilot"], f["title_bio_platform"])

    lead_sents = _sentences(lead, lang)
    f["lead_pilot"] = _has(p.pilot, lead)
    f["lead_bio_pilot"] = float(
        any(p.pilot.search(s) and (b := len(p.bio.findall(s))) and b >= len(p.general.findall(s)) for s in lead_sents)
    )
    for kind in ("event", "forum", "overview", "plan", "process"):
        f[f"lead_{kind}"] = _has(getattr(p, kind), lead)

    pilots = list(p.pilot.finditer(content))
    length = max(len(content), 1)
    f["pilot_first_pos"] = 1.0 - pilots[0].start() / length if pilots else 0.0
    f["pilot_density"] = math.log1p(1000.0 * len(pilots) / max(length, 200))
    f["pilot_count"] = math.log1p(len(pilots))

    bio = gen = events = 0
    for s in _sentences(content, lang):
        if not p.pilot.search(s):
            continue
        bio += len(p.bio.findall(s))
        gen += len(p.general.findall(s))
        events += bool(p.event.search(s))
    f["bio_near_pilot"] = math.log1p(bio)
    f["general_near_pilot"] = math.log1p(gen)
    f["bio_share_near_pilot"] = bio / (bio + gen) if bio + gen else 0.0
    f["event_near_pilot"] = math.log1p(events)

    f["general_fields"] = math.log1p(len({m.lower() for m in p.general.findall(content)}))
    sectors = {_sector_of(p, m.group()) for m in p.sector.finditer(content)} - {"-"}
    f["sector_fields"] = len(sectors) / 9.0

    verdict = classify(parts.headline, parts.body, lang)  # on the cleaned parts, so datelines cannot sway it
    f["rule_announcement"] = float(verdict.is_platform_announcement)
    f["rule_mentions"] = float(verdict.mentions_pilot_platform)
    f["lang_en"] = float(lang == "en")
    return f


def _featurise(title: str, body: str, lang: str, buckets: int) -> tuple[dict[str, float], dict[str, list[str]]]:
    lang = _lang(lang)
    parts = _parts(title, body, lang)
    grams, grams_of = _ngram_features(parts, lang, buckets)
    return {**_structural(parts, lang), **grams}, grams_of


def features(title: str, body: str, lang: str, *, buckets: int | None = None) -> dict[str, float]:
    """The feature vector of one item: every name in ``STRUCTURAL`` and the hashed n-gram buckets ``t:<k>`` /
    ``l:<k>`` (0 <= k < ``buckets``, the packaged model's count unless given) that occur."""
    return _featurise(title, body, lang, buckets or _model()["buckets"])[0]


def load(path: str | Path) -> dict[str, Any]:
    """Read and check a model file (uncached: ``_model`` caches the packaged one)."""
    model = json.loads(Path(path).read_text(encoding="utf-8"))
    if model.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path}: model format {model.get('format')!r}, expected {MODEL_FORMAT}")
    return model


@cache
def _model() -> dict[str, Any]:
    with _res.as_file(_res.files(__package__) / "data" / MODEL_FILE) as path:
        return load(path)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def score(title: str, body: str, lang: str, *, model: dict[str, Any] | None = None) -> Score:
    """Score one item (folded ``title`` and ``body``; ``lang`` "zh" or "en"). ``model`` defaults to the packaged one."""
    m = model or _model()
    weights: dict[str, float] = m["weights"]
    feats, grams_of = _featurise(title, body, lang, m["buckets"])
    z = m["intercept"]
    contrib: dict[str, float] = defaultdict(float)
    gram_contrib: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for name, x in feats.items():
        c = weights.get(name, 0.0) * x
        if c == 0.0:
            continue
        z += c
        prefix, _, _ = name.partition(":")
        if prefix in _PART_NAMES:
            contrib[_PART_NAMES[prefix]] += c
            share = c / len(grams_of[name])
            for gram in grams_of[name]:
                gram_contrib[prefix][gram] += share
        else:
            contrib[name] += c
    return Score(_sigmoid(z), _top(contrib, gram_contrib))


def _top(contrib: dict[str, float], gram_contrib: dict[str, dict[str, float]]) -> tuple[tuple[str, float], ...]:
    ranked = sorted(contrib.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    top = [kv for i, kv in enumerate(ranked[:_TOP_MAX]) if i < _TOP_MIN or abs(kv[1]) >= _TOP_EXTRA_MIN]
    out = []
    for name, c in top:
        prefix = next((p for p, n in _PART_NAMES.items() if n == name), None)
        if prefix is not None:  # name the n-grams that pushed the same way as their part's total
            grams = sorted(gram_contrib[prefix].items(), key=lambda kv: (-kv[1] * math.copysign(1, c), kv[0]))
            name = f"{name}[{'|'.join(g for g, _ in grams[:3])}]"
        out.append((name, round(c, 4)))
    return tuple(out)
