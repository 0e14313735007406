"""Dates, target years, periods and "recently" in normalised Chinese text.

kind (model.py)   value                    written as
date              2025-06-11 / 2025-06 / 2025   2025年6月11日, 2025-06-11, 二〇二五年六月十一日, 6月11日 (year from the
                                                publication date), 2024年12月, 2024年底, 2025年
target_year       2027                      到2027年, 力争到2027年底, 2027年前, 预计2026年底前
period            2021/2025, 2025-01/2025-06, 十四五, 十五五, 2024—2027年, 2025年9月10日至9月16日, 今年上半年,
                  2025-09-10/2025-09-16     2025年第三季度
recent            the publication date, or ""  日前, 近日, 近期

A month and day without a year take the publication year; a date more than six months after publication is taken to
be last year's (12月28日 in a January article). Without a publication date they are skipped, as are 今年/去年/明年.
截至2024年底 is a date, not a target: 截至 is consumed before 至 can start a target.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from zhtext.dates import DASH, DAY_AR, DAY_CN, MONTH_AR, MONTH_CN, YEAR_AR, YEAR_CN, date_part, iso_date
from zhtext.numerals import DIGIT_CHARS

from .hits import Hit

_DASH = rf"\s*{DASH}\s*"

FIVE_YEAR_PLANS = {"十一五": (2006, 2010), "十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025),
                   "十五五": (2026, 2030), "十六五": (2031, 2035)}
_PARTS = {"上半年": (1, 6), "下半年": (7, 12), "一季度": (1, 3), "二季度": (4, 6), "三季度": (7, 9), "四季度": (10, 12),
          "1季度": (1, 3), "2季度": (4, 6), "3季度": (7, 9), "4季度": (10, 12), "前三季度": (1, 9)}
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "本年度": 0, "去年": -1, "上年": -1, "明年": 1}


@cache
def _regex() -> re.Pattern[str]:
    part = "|".join(sorted((re.escape(p) for p in _PARTS), key=len, reverse=True))
    rel = "|".join(sorted(_RELATIVE_YEARS, key=len, reverse=True))
    fyp = "|".join(FIVE_YEAR_PLANS)
    ymd = rf"(?<!\d){YEAR_AR}年{MONTH_AR}月{DAY_AR}日"
    alts = [
        r"(?P<asof>截至|截止到|截止至|截止)",
        # 2025年9月10日至9月16日 / 至16日
        rf"(?P<dr>{ymd}{_DASH}(?:(?P<dr_y2>{YEAR_AR})年)?(?:(?P<dr_m2>{MONTH_AR})月)?(?P<dr_d2>{DAY_AR})日)",
        rf"(?<!\d)(?P<yr1>{YEAR_AR})年?{_DASH}(?P<yr2>{YEAR_AR})年",
        rf"(?P<ymd>{ymd})",
        rf"(?P<iso>(?<![\d.])(?P<iso_y>{YEAR_AR})(?P<sep>[-/.])(?P<iso_m>\d{{1,2}})(?P=sep)(?P<iso_d>\d{{1,2}})(?![\d.]))",
        rf"(?P<cymd>(?P<cy>{YEAR_CN})年(?P<cm>{MONTH_CN})月(?P<cd>{DAY_CN})日)",
        rf"(?P<tpre>(?:力争|争取|计划|预计|确保|目标是)(?:到|至|在)?|到|至)\s*(?P<ty>{YEAR_AR})年(?:底|末)?(?:前|之前|以前)?",
        rf"(?<!\d)(?P<ty2>{YEAR_AR})年(?:底|末)?(?:前|之前|以前)(?![一二三四五六七八九十两\d后])",
        rf"(?:(?<!\d)(?P<py>{YEAR_AR})年|(?P<prel>{rel}))(?:第)?(?P<pp>{part})",
        rf"(?<!\d)(?P<ym_y>{YEAR_AR})年(?P<ym_m>{MONTH_AR})月(?!\d)",
        rf"(?P<cym_y>{YEAR_CN})年(?P<cym_m>{MONTH_CN})月",
        rf"(?<!\d)(?P<ye>{YEAR_AR})年(?:底|末)",
        rf"(?<!\d)(?P<yy>{YEAR_AR})年(?!\d)",
        rf"(?P<cyy>{YEAR_CN})年",
        rf"(?<![\d年月])(?P<md_m>{MONTH_AR})月(?P<md_d>{DAY_AR})日",
        rf"(?<![年月{DIGIT_CHARS}十])(?P<cmd_m>{MONTH_CN})月(?P<cmd_d>{DAY_CN})日",
        rf"(?P<recent>(?<![\d{DIGIT_CHARS}十作节假期当每])日前|近日|近期)",
        rf"(?P<fyp>{fyp})",
        rf"(?P<rel>{rel})",
    ]
    # Every alternative starts with one of these characters: a cheap test before trying twenty alternatives.
    first = f"0-9{DIGIT_CHARS}十截到至力争计预确目日近今本去上明"
    return re.compile(f"(?=[{first}])(?:" + "|".join(alts) + ")")


def parse_published(published: str | None) -> date | None:
    """YYYY-MM-DD (anything after the day is ignored) → a date; None if missing or invalid."""
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _cn(s: str) -> int:
    v = date_part(s)
    return -1 if v is None else v


def _year_for(month: int, pub: date) -> int:
    return pub.year - 1 if month - pub.month > 6 else pub.year


def _hit(kind: str, value: str, m: re.Match[str]) -> Hit:
    return Hit("date", value, m.start(), m.end(), (("kind", kind),), key=f"{kind}:{value}")


def _one(m: re.Match[str], pub: date | None) -> Hit | None:
    g = m.group
    if g("asof"):
        return None
    if g("dr"):
        y, mo, d = (int(x) for x in re.findall(r"\d+", g("dr"))[:3])
        y2 = int(g("dr_y2")) if g("dr_y2") else y
        mo2 = int(g("dr_m2")) if g("dr_m2") else mo
        a, b = iso_date(y, mo, d), iso_date(y2, mo2, int(g("dr_d2")))
        if a and b and a < b:
            return _hit("period", f"{a}/{b}", m)
        return _hit("date", a, m) if a else None
    if g("yr1"):
        y1, y2 = int(g("yr1")), int(g("yr2"))
        return _hit("period", f"{y1}/{y2}", m) if y1 < y2 else None
    if g("ymd"):
        y, mo, d = (int(x) for x in re.findall(r"\d+", g("ymd")))
        v = iso_date(y, mo, d)
        return _hit("date", v, m) if v else None
    if g("iso"):
        v = iso_date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return _hit("date", v, m) if v else None
    if g("cymd"):
        v = iso_date(_cn(g("cy")), _cn(g("cm")), _cn(g("cd")))
        return _hit("date", v, m) if v else None
    if g("ty"):
        return _hit("target_year", g("ty"), m)
    if g("ty2"):
        return _hit("target_year", g("ty2"), m)
    if g("pp"):
        if g("py"):
            year = int(g("py"))
        elif pub is not None:
            year = pub.year + _RELATIVE_YEARS[g("prel")]
        else:
            return None
        a, b = _PARTS[g("pp").removeprefix("第")]
        return _hit("period", f"{year}-{a:02d}/{year}-{b:02d}", m)
    if g("ym_y"):
        return _hit("date", f"{g('ym_y')}-{int(g('ym_m')):02d}", m)
    if g("cym_y"):
        y, mo = _cn(g("cym_y")), _cn(g("cym_m"))
        return _hit("date", f"{y:04d}-{mo:02d}", m) if 1900 <= y <= 2099 and 1 <= mo <= 12 else None
    if g("ye"):
        return _hit("date", f"{g('ye')}-12", m)
    if g("yy"):
        return _hit("date", g("yy"), m)
    if g("cyy"):
        y = _cn(g("cyy"))
        return _hit("date", str(y), m) if 1900 <= y <= 2099 else None
    if g("md_m") or g("cmd_m"):
        if pub is None:
            return None
        mo, d = (int(g("md_m")), int(g("md_d"))) if g("md_m") else (_cn(g("cmd_m")), _cn(g("cmd_d")))
        v = iso_date(_year_for(mo, pub), mo, d)
        return _hit("date", v, m) if v else None
    if g("recent"):
        return _hit("recent", pub.isoformat() if pub else "", m)
    if g("fyp"):
        a, b = FIVE_YEAR_PLANS[g("fyp")]
        return _hit("period", f"{a}/{b}", m)
    if g("rel"):
        return _hit("date", str(pub.year + _RELATIVE_YEARS[g("rel")]), m) if pub else None
    return None


def find_dates(text: str, published: str | None = None) -> list[Hit]:
    """Date expressions in normalised ``text``. ``published`` (YYYY-MM-DD…) resolves 6月11日, 日前, 今年上半年."""
    pub = parse_published(published)
    out = []
    for m in _regex().finditer(text):
        h = _one(m, pub)
        if h is not None:
            out.append(h)
    return out
