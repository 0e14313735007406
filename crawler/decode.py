"""Bytes → text, once per page.

Order: BOM; valid UTF-8; the declared charset (HTTP header, then <meta>), with gb2312/gbk mapped to gb18030; a
detector; finally gb18030 with replacement. UTF-8 goes first because real Chinese pages declare gb2312 and are UTF-8
(../shared/fixtures-real/other/*meta_gb2312_but_utf8_bytes.html), and gb18030 replaces gb2312/gbk because names use
characters outside GB2312 (镕, 堃) that a strict gb2312 decoder rejects.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from zhtext.clean import no_lone_surrogates

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
# Superset mapping as browsers (WHATWG encoding standard) do it.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


_NOT_PAGE_ENCODINGS = frozenset({"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode",
                                 "palmos", "mbcs", "oem", "utf-7"})


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec actually used
    declared: str | None  # what the header or <meta> claimed, if anything
    lossy: bool = False  # True when replacement characters had to be inserted


def declared_charset(content: bytes, content_type: str | None) -> str | None:
    if content_type:
        m = _HEADER_CHARSET.search(content_type)
        if m:
            return m.group(1).lower()
    m = _META_CHARSET.search(content[:4096])
    return m.group(1).decode("ascii", "replace").lower() if m else None


def _codec(name: str) -> str | None:
    """The Python codec for a declared charset, or None for anything that is not a text encoding of web pages
    (base64, zlib, rot13, unicode_escape… would decode into garbage or lone surrogates)."""
    name = _SUPERSETS.get(name.strip().lower(), name.strip().lower())
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_PAGE_ENCODINGS:
        return None
    return info.name


def decode(content: bytes, content_type: str | None = None) -> Decoded:
    declared = declared_charset(content, content_type)
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return Decoded(no_lone_surrogates(content.decode(enc, "replace")), enc, declared)
    try:
        return Decoded(content.decode("utf-8"), "utf-8", declared)
    except UnicodeDecodeError:
        pass
    candidates = []
    if declared and (codec := _codec(declared)) and codec != "utf-8":
        candidates.append(codec)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(content[:65536]).best()
        if best is not None and (codec := _codec(best.encoding)):
            candidates.append(codec)
    except ImportError:  # optional: httpx usually brings it
        pass
    candidates.append("gb18030")  # the pages we crawl are Chinese; gb18030 decodes every GBK byte sequence
    for codec in dict.fromkeys(candidates):
        try:
            return Decoded(no_lone_surrogates(content.decode(codec)), codec, declared)
        except (UnicodeError, LookupError):
            continue
    return Decoded(content.decode("gb18030", "replace"), "gb18030", declared, lossy=True)
