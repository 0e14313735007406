"""Is the item's main subject a biomanufacturing pilot-scale platform or base?

The title carries most of the weight:
  A. The title names a pilot platform/base (中试平台, 中试基地, 中试能力建设平台…):
     - and a biomanufacturing word at least as often as other manufacturing fields → announcement;
     - otherwise the body must tie the pilot terms to biomanufacturing: over the body sentences that name a pilot
       platform, bio words > 0 and ≥ general-manufacturing words (新材料, 高端装备…). If not, it is a
       general-manufacturing pilot policy;
     - a title that is about a 中试 run (千吨级中试, 完成中试) with no announcing verb is not an announcement.
  B. The title names no pilot platform:
     - a title naming another facility kind (示范基地, 产业园, 示范平台…) or a 中试 run is a near-miss;
     - else the body's lead (first two sentences) must name a pilot platform with a biomanufacturing focus, and the
       title must point at it (a bio word, an announcing word such as 名单/揭牌/获批, or no title at all).
``mentions_pilot_platform`` is simply: a pilot platform/base or the programme is named anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import resources

_LEAD_SENTENCES = 2


@dataclass(frozen=True)
class Verdict:
    is_platform_announcement: bool
    mentions_pilot_platform: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Rules:
    pilot: re.Pattern[str]
    bio: re.Pattern[str]
    general: re.Pattern[str]
    near_miss: re.Pattern[str]
    process: re.Pattern[str]
    action: re.Pattern[str]
    sentence_split: re.Pattern[str]


def _alt(patterns: list[str], en: bool) -> str:
    body = "|".join(f"(?:{p})" for p in patterns)
    return rf"\b(?:{body})\b" if en else body


@cache
def _rules(lang: str) -> _Rules:
    t = resources.terms()[lang]
    en = lang == "en"
    flags = re.IGNORECASE if en else 0
    return _Rules(
        **{k: re.compile(_alt(t[k], en), flags) for k in ("pilot", "bio", "general", "near_miss", "process", "action")},
        sentence_split=re.compile(r"(?<=[.!?;])\s+|\n+" if en else r"[。！？!?；;\n]+"),
    )


def _sentences(text: str, rules: _Rules) -> list[str]:
    return [s for s in rules.sentence_split.split(text) if s.strip()]


def _first(rx: re.Pattern[str], text: str) -> str | None:
    m = rx.search(text)
    return m.group() if m else None


def _focus(rules: _Rules, sentences: list[str]) -> tuple[int, int, str | None]:
    """Bio and general-manufacturing word counts over the sentences that name a pilot platform, and one bio word."""
    bio = general = 0
    example = None
    for s in sentences:
        if not rules.pilot.search(s):
            continue
        found = rules.bio.findall(s)
        bio += len(found)
        general += len(rules.general.findall(s))
        example = example or (found[0] if found else None)
    return bio, general, example


def classify(title: str, body: str, lang: str) -> Verdict:
    """Classify normalised ``title`` and ``body`` (lang "zh" or "en")."""
    r = _rules(lang)
    title_pilot = _first(r.pilot, title)
    body_sents = _sentences(body, r)
    mentions = bool(title_pilot) or bool(r.pilot.search(body))
    reasons: list[str] = []

    if title_pilot:
        t_bio, t_gen = len(r.bio.findall(title)), len(r.general.findall(title))
        process = _first(r.process, title)
        if process and not r.action.search(title):
            return Verdict(
                False, mentions, (f"title names {title_pilot}", f"near-miss: 中试 as a process step ({process})")
            )
        if t_bio and t_bio >= t_gen:
            return Verdict(True, mentions, (f"title names {title_pilot} + {_first(r.bio, title)}",))
        b_bio, b_gen, example = _focus(r, body_sents)
        if b_bio and b_bio >= b_gen:
            return Verdict(True, mentions, (f"title names {title_pilot}", f"body ties it to {example}"))
        reasons.append(f"title names {title_pilot}")
        general = _first(r.general, title) or _first(r.general, body)
        reasons.append(
            f"no biomanufacturing focus (general manufacturing: {general})" if general else "no biomanufacturing focus"
        )
        return Verdict(False, mentions, tuple(reasons))

    near = _first(r.near_miss, title)
    if near:
        return Verdict(False, mentions, (f"near-miss: {near}",))
    process = _first(r.process, title)
    if process:
        return Verdict(False, mentions, (f"near-miss: 中试 as a process step ({process})",))

    lead = body_sents[:_LEAD_SENTENCES]
    lead_pilot = next((m for s in lead if (m := _first(r.pilot, s))), None)
    if not lead_pilot:
        if mentions:
            return Verdict(False, True, ("pilot platform mentioned only in passing",))
        return Verdict(False, False, ("no pilot platform named",))
    b_bio, b_gen, example = _focus(r, lead)
    if not (b_bio and b_bio >= b_gen):
        general = next((m for s in lead if (m := _first(r.general, s))), None)
        why = (
            f"no biomanufacturing focus (general manufacturing: {general})" if general else "no biomanufacturing focus"
        )
        return Verdict(False, True, (f"lead names {lead_pilot}", why))
    cue = _first(r.bio, title) or _first(r.action, title)
    if title.strip() and not cue:
        return Verdict(False, True, (f"lead names {lead_pilot} + {example}", "but the title is about something else"))
    why = f"title points at it ({cue})" if cue else "no title"
    return Verdict(True, True, (f"lead names {lead_pilot} + {example}", why))
