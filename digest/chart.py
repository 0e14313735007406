"""Bar charts of platform counts for the digest email, as a PNG to attach inline (Content-ID) and its alt text.

Mail clients block SVG and ``data:`` URIs, so the chart is a small palette PNG. ``chart_png`` draws one horizontal bar
chart per panel, one under the other; ``alt_text`` says the same numbers in words for screen readers and for clients
that block images. Both go through ``_prepare``, so they always agree on which bars exist and what they count:

- zero counts are skipped; a negative count raises ``ValueError`` naming the panel and the label;
- bars are sorted by count, largest first (ties keep the caller's order);
- a panel with more than ``MAX_BARS`` bars keeps the ``MAX_BARS - 1`` largest and sums the rest into "others (N)";
- panels left without bars are left out; when every panel is empty there is no chart (``None``).

Pillow is imported inside ``chart_png`` only, so importing the digest package stays cheap.
"""

from __future__ import annotations

import io
import math
import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Panel = tuple[str, Sequence[tuple[str, int]]]

MAX_BARS = 15
MAX_PANELS = 10  # a chart taller than a few screens is a caller's bug, not something to mail
MIN_WIDTH, MAX_WIDTH = 240, 2000
ALT_LABEL_CHARS = 80  # alt text is read aloud: a runaway label is cut, like the image's, but at a fixed length

# Layout in pixels, for reading at 100% in a mail client.
_PAD = 16
_TITLE_SIZE, _LABEL_SIZE = 15, 13
_TITLE_GAP = 8  # title baseline area to first bar
_ROW = 22  # one bar per row
_BAR = 14  # bar thickness within the row
_PANEL_GAP = 20
_GAP = 8  # label → bar and bar → count
_LABEL_SHARE = 0.38  # labels may take at most this share of the inner width; the bars get the rest

_BG = (255, 255, 255)
_INK = (34, 34, 34)  # titles
_TEXT = (68, 68, 68)  # labels and counts
_BAR_COLOUR = (76, 120, 168)  # one calm blue
_PALETTE_COLOURS = 32  # white, the blue and antialiased greys: a small palette keeps the PNG small and exact

# Letters the font may lack that Unicode decomposition does not reduce to ASCII (NFKD handles é → e, ﬁ → fi,
# full-width Ａ１ → A1): the Latin-1 and Latin Extended-A letters without a decomposition, and typographic dashes.
_FOLD = {
    "ß": "ss", "Æ": "AE", "æ": "ae", "Ø": "O", "ø": "o", "Ð": "D", "ð": "d", "Þ": "Th", "þ": "th",
    "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij", "ĸ": "q", "Ŀ": "L", "ŀ": "l",
    "Ł": "L", "ł": "l", "ŉ": "'n", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T", "ŧ": "t", "ſ": "s",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "×": "x", "÷": "/", "¼": "1/4", "½": "1/2", "¾": "3/4", "¹": "1", "²": "2", "³": "3",
}


@dataclass(frozen=True)
class _Bar:
    label: str  # cleaned for reading (NFC, no control characters); the image further folds it to what the font draws
    count: int
    text: str  # the count as printed, the same in the image and in the alt text


@dataclass(frozen=True)
class _Chart:
    title: str
    bars: tuple[_Bar, ...]


# ---------------------------------------------------------------------------------------------------------- the data


def _clean(text: str) -> str:
    """NFC, whitespace runs (tabs, newlines, no-break spaces) to one space, control and format characters dropped."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        cat = unicodedata.category(ch)
        if cat[0] == "Z" or ch in "\t\n\r\f\v":
            out.append(" ")
        elif cat in ("Cc", "Cf", "Cs", "Cn"):  # control, format (bidi overrides, zero-width), lone surrogates
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _count_text(n: int) -> str:
    """Exact with thousands separators below a million, then 1.2M / 3.4B / 5T, then 1.2e16 (integer arithmetic
    throughout: a count too large for a float still prints)."""
    if n < 10**6:
        return f"{n:,}"
    for power, suffix in ((6, "M"), (9, "B"), (12, "T")):
        if n < 10 ** (power + 3):
            tenths = n * 10 // 10**power
            return f"{tenths // 10}{'.' + str(tenths % 10) if tenths % 10 else ''}{suffix}"
    exp = int(math.log10(n))
    while 10**exp > n:  # log10 of a huge int can be off by one either way
        exp -= 1
    while 10 ** (exp + 1) <= n:
        exp += 1
    tenths = n * 10 // 10**exp
    return f"{tenths // 10}.{tenths % 10}e{exp}"


def _prepare(panels: Sequence[Panel]) -> list[_Chart]:
    """Validate and reduce the panels to what is drawn (see the module docstring); empty panels are dropped."""
    if len(panels) > MAX_PANELS:
        raise ValueError(f"{len(panels)} chart panels; at most {MAX_PANELS}")
    charts = []
    for i, panel in enumerate(panels):
        title, rows = panel
        if not isinstance(title, str):
            raise TypeError(f"chart panel {i}: title must be a str, not {type(title).__name__}")
        title = _clean(title)
        bars = []
        for row in rows:
            label, count = row
            if not isinstance(label, str):
                raise TypeError(f"chart panel {title!r}: label {label!r} must be a str, not {type(label).__name__}")
            try:
                n = operator.index(count)  # ints and int-likes (numpy); a float count is a caller's bug
            except TypeError:
                raise TypeError(f"chart panel {title!r}, label {label!r}: count {count!r} is not an integer") from None
            if n < 0:
                raise ValueError(f"chart panel {title!r}, label {label!r}: negative count {n}")
            if n:
                bars.append((_clean(label) or "(no label)", n))
        if not bars:
            continue
        bars.sort(key=lambda b: -b[1])  # stable: ties keep the caller's order
        if len(bars) > MAX_BARS:
            rest = bars[MAX_BARS - 1:]
            bars = bars[: MAX_BARS - 1] + [(f"others ({len(rest)})", sum(n for _, n in rest))]
        charts.append(_Chart(title, tuple(_Bar(label, n, _count_text(n)) for label, n in bars)))
    return charts


def alt_text(panels: Sequence[Panel]) -> str:
    """The chart in words, with the same bars and numbers as ``chart_png``:
    "Platforms by province: Jiangsu 3, Shandong 2. Platforms by sector: enzymes 2, others (3) 4."
    Empty string when every panel is empty. Raises like ``chart_png`` on bad input."""

    def cut(s: str) -> str:
        return s if len(s) <= ALT_LABEL_CHARS else s[: ALT_LABEL_CHARS - 1].rstrip() + "…"

    parts = []
    for chart in _prepare(panels):
        body = ", ".join(f"{cut(bar.label)} {bar.text}" for bar in chart.bars)
        parts.append(f"{cut(chart.title)}: {body}." if chart.title else f"{body}.")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------------------- the image


@lru_cache(maxsize=4)
def _font(size: int) -> tuple[Any, Callable[[str], bool]]:
    """Pillow's bundled Aileron (a subset: ASCII and a few symbols) at ``size`` px, with a test of which characters it
    draws; without FreeType, Pillow's bitmap default font (about 11 px, printable ASCII only here)."""
    from PIL import ImageFont

    try:
        font = ImageFont.load_default(size=size)
    except (ImportError, OSError):  # Pillow built without FreeType
        font = ImageFont.load_default_imagefont()
    if not isinstance(font, ImageFont.FreeTypeFont):
        return font, lambda ch: " " <= ch <= "~"

    # Pillow has no cmap query: a character the font lacks renders as the .notdef glyph, the same as U+FFFF
    # (a noncharacter, never mapped).
    notdef = _glyph(font, "\uffff")

    @lru_cache(maxsize=4096)
    def drawable(ch: str) -> bool:
        return ch == " " or (unicodedata.category(ch)[0] != "C" and _glyph(font, ch) != notdef)

    return font, drawable


def _glyph(font: Any, ch: str) -> tuple[tuple[int, int], bytes, float]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask), font.getlength(ch)


def _drawable_text(text: str, drawable: Callable[[str], bool]) -> str:
    """``text`` reduced to characters the font draws: folded to ASCII where Unicode or ``_FOLD`` allows (é → e,
    ß → ss), stray combining marks dropped, and each run of anything else (Han, emoji, …) replaced by one "?"."""
    out: list[str] = []
    for ch in text:
        if drawable(ch):
            out.append(ch)
            continue
        folded = _FOLD.get(ch) or "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if folded and all(drawable(c) for c in folded):
            out.append(folded)
        elif unicodedata.category(ch)[0] == "M":  # a mark NFC could not compose (e + three accents): the base stays
            continue
        elif not out or out[-1] != "?":
            out.append("?")
    return " ".join("".join(out).split())


def _fit(text: str, font: Any, max_px: float, ellipsis: str) -> str:
    """``text`` cut at a character boundary so that it, with ``ellipsis`` when cut, is at most ``max_px`` wide."""
    if font.getlength(text) <= max_px:
        return text
    lo, hi = 0, len(text)  # longest prefix that fits with the ellipsis
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid].rstrip() + ellipsis) <= max_px:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ellipsis if lo else ""


def chart_png(panels: Sequence[Panel], *, width: int = 640) -> bytes | None:
    """Horizontal bar charts, one panel under the other, each under its title, the count printed after each bar;
    ``width`` px wide, as tall as the bars need (at most ``MAX_PANELS`` × ``MAX_BARS`` rows). ``None`` when every panel
    is empty. Labels the font cannot draw are folded or replaced (see ``_drawable_text``) and cut with "…" to fit.
    Deterministic: the same panels give the same bytes (no timestamps or text chunks in the PNG).

    Raises ``ValueError`` on a negative count (naming the panel and label), too many panels or a width outside
    ``MIN_WIDTH``..``MAX_WIDTH``; ``TypeError`` on a non-str label or title or a non-integer count."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ValueError(f"chart width {width} px; must be {MIN_WIDTH}..{MAX_WIDTH}")
    charts = _prepare(panels)
    if not charts:
        return None
    from PIL import Image, ImageDraw

    title_font, title_ok = _font(_TITLE_SIZE)
    font, ok = _font(_LABEL_SIZE)
    ellipsis = "…" if ok("…") else "..."
    inner = width - 2 * _PAD

    # Text ascent varies by string; place every line by the same reference box so rows line up.
    title_h = title_font.getbbox("Ag")[3]
    text_top, text_bottom = font.getbbox("Ag")[1], font.getbbox("Ag")[3]

    # One label column and one bar start for all panels, so the bars line up from panel to panel.
    labels = [[_drawable_text(bar.label, ok) for bar in chart.bars] for chart in charts]
    label_w = min(max(font.getlength(label) for row in labels for label in row), inner * _LABEL_SHARE)
    count_w = max(font.getlength(bar.text) for chart in charts for bar in chart.bars)
    bar_x = _PAD + math.ceil(label_w) + _GAP
    bar_room = max(1, width - _PAD - math.ceil(count_w) - _GAP - bar_x)

    height = _PAD - _PANEL_GAP + _PAD
    for chart in charts:
        height += (title_h + _TITLE_GAP if chart.title else 0) + len(chart.bars) * _ROW + _PANEL_GAP

    image = Image.new("RGB", (width, height), _BG)
    draw = ImageDraw.Draw(image)
    y = _PAD
    for chart, chart_labels in zip(charts, labels, strict=True):
        if chart.title:
            title = _fit(_drawable_text(chart.title, title_ok), title_font, inner, ellipsis)
            draw.text((_PAD, y), title, font=title_font, fill=_INK)
            y += title_h + _TITLE_GAP
        top = max(bar.count for bar in chart.bars)  # each panel scaled to its own largest bar
        for bar, label in zip(chart.bars, chart_labels, strict=True):
            text_y = y + (_ROW - (text_bottom - text_top)) // 2 - text_top
            draw.text((_PAD, text_y), _fit(label, font, label_w, ellipsis), font=font, fill=_TEXT)
            length = max(2, bar.count * bar_room // top)  # integer arithmetic: any count, and the smallest shows
            bar_y = y + (_ROW - _BAR) // 2
            draw.rectangle((bar_x, bar_y, bar_x + length - 1, bar_y + _BAR - 1), fill=_BAR_COLOUR)
            draw.text((bar_x + length + _GAP, text_y), bar.text, font=font, fill=_TEXT)
            y += _ROW
        y += _PANEL_GAP

    # A palette of the few colours present (white, the blue, the text greys) keeps the file small; no dithering,
    # so flat areas stay flat.
    small = image.quantize(colors=_PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, read from its header: for the ``<img width height>`` attributes that Outlook needs to
    lay out an inline image before it loads."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
