"""Attachment links and text. Every fixture file is built here at run time; nothing binary is committed."""

import hashlib
import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from crawler.attachments import AttachmentLink, extract_text, find_attachments, sha256_hex, sniff

ROOT = Path(__file__).resolve().parents[1]
TITLE = "首批生物制造中试能力建设平台名单"
ROW = ["江南大学", "江苏省无锡市", "食品及添加剂"]


# --- fixture builders --------------------------------------------------------------------------------------------

def build_pdf(pages: list[bytes | None]) -> bytes:
    """A minimal PDF written by hand: one page per content stream (None: a page without /Contents).

    /F1 is standard Helvetica; /F2 is a Type0 CID font with Identity-H encoding whose ToUnicode CMap maps each
    2-byte code to the same Unicode code point, so text shown as UTF-16BE hex extracts as Chinese. /Im1 is a 1x1 image.
    """
    chars = sorted(set(TITLE + "".join(ROW)))
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(chars)} beginbfchar\n" + "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chars)
            + "endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n").encode()

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"

    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
           b"/DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        5: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
           b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        6: stream(cmap),
        7: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
           b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>",
        8: stream(b"\x80", b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                           b"/BitsPerComponent 8 "),
    }
    kids, number = [], 9
    for content in pages:
        page = (b"/Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /Im1 8 0 R >> >>")
        if content is not None:
            objs[number + 1] = stream(content)
            page += b" /Contents %d 0 R" % (number + 1)
        objs[number] = b"<< " + page + b" >>"
        kids.append(number)
        number += 2
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    size = max(objs) + 1
    offsets = [0] * size
    for num in sorted(objs):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):  # numbers without an object are harmless: nothing refers to them
        out.write(b"%010d 00000 n \n" % offsets[num])
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def text_page(latin: str, chinese: str = "") -> bytes:
    ops = b"BT /F1 12 Tf 72 770 Td (" + latin.encode("ascii") + b") Tj ET"
    if chinese:
        ops += b"\nBT /F2 12 Tf 72 740 Td <" + chinese.encode("utf-16-be").hex().upper().encode() + b"> Tj ET"
    return ops


IMAGE_PAGE = b"q 100 0 0 100 72 600 cm /Im1 Do Q"


@pytest.fixture(scope="module")
def text_pdf() -> bytes:
    return build_pdf([text_page("Pilot platform list 2025", TITLE), text_page("Page 2", "".join(ROW))])


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "名单"  # one merged header cell across three columns
    for i, value in enumerate(["单位", "所在地", "领域"]):
        table.cell(1, i).text = value
    for i, value in enumerate(ROW):
        table.cell(2, i).text = value
    document.add_paragraph("联系人：张三")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["单位", "所在地", "领域"])
    sheet.append(ROW)
    notes = book.create_sheet("说明")
    notes.append(["发布日期", datetime(2025, 6, 11)])
    notes.append(["平台数", 2.0, None, None])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def docx_shaped_zip(member_size: int) -> bytes:
    """A zip laid out like a DOCX whose document.xml is `member_size` bytes of one repeated character."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with zf.open("word/document.xml", "w") as member:
            chunk = b" " * 1_000_000
            for _ in range(member_size // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    return docx_shaped_zip(200_000_000)  # ~200 KB on disk, 200 MB inflated


@pytest.fixture
def no_inflating(monkeypatch):
    """Fail loudly if anything opens a zip member for reading."""
    opened = []
    original = zipfile.ZipFile.open

    def guarded(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            opened.append(name if isinstance(name, str) else name.filename)
            raise AssertionError(f"member {name} was opened")
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", guarded)
    return opened


# --- find_attachments --------------------------------------------------------------------------------------------

NDRC_PAGE = """<html><body><div class="TRS_Editor"><p>各有关单位：现将首批平台名单予以公布。</p>
<p><a href="/uploads/2025/list.xlsx">附件2</a></p>
<p><a href="./t20250611_1398000.html">相关解读</a> <a href="../img/logo.PNG">logo</a> <a href="javascript:void(0)">打印</a></p>
</div>
<table class="enclosure"><tr><td><a href="./P020250611123456789.pdf">附件1：首批平台名单.pdf</a></td></tr>
<tr><td><a href="./P020250611123456789.pdf#page=2">附件1：首批平台名单.pdf</a></td></tr></table>
</body></html>"""
NDRC_URL = "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/t20250611_1398000.html"


def test_find_attachments_on_an_ndrc_page():
    links = find_attachments(NDRC_PAGE, NDRC_URL)
    assert links == [
        AttachmentLink("https://www.ndrc.gov.cn/uploads/2025/list.xlsx", "附件2", "xlsx"),
        AttachmentLink("https://www.ndrc.gov.cn/xxgk/zcfb/tz/202506/P020250611123456789.pdf", "首批平台名单", "pdf"),
    ]


@pytest.mark.parametrize("anchor,expected", [
    ('<a href="files/A.PDF?v=3">1. 平台申报指南</a>', ("http://gxt.example.gov.cn/art/2025/6/11/files/A.PDF?v=3", "平台申报指南", "pdf")),
    ('<a href="/module/download/downfile.jsp?classid=0&filename=b2.doc">附件一：申报书</a>',
     ("http://gxt.example.gov.cn/module/download/downfile.jsp?classid=0&filename=b2.doc", "申报书", "doc")),
    ('<a href="/attach.do?id=77">附件3：汇总表.xls</a>', ("http://gxt.example.gov.cn/attach.do?id=77", "汇总表", "xls")),
    ('<a href="/f/c.wps" title="推荐表">（2）</a>', ("http://gxt.example.gov.cn/f/c.wps", "推荐表", "wps")),
    ('<a href="/f/%E5%90%8D%E5%8D%95.docx"></a>', ("http://gxt.example.gov.cn/f/%E5%90%8D%E5%8D%95.docx", "名单.docx", "docx")),
])
def test_find_attachments_by_extension_query_or_text(anchor, expected):
    links = find_attachments(f"<div>{anchor}</div>", "http://gxt.example.gov.cn/art/2025/6/11/art_1.html")
    assert links == [AttachmentLink(*expected)]


@pytest.mark.parametrize("anchor", [
    '<a href="/attach.do?id=77">汇总表.xls</a>',  # not marked as an attachment: a link text alone is not enough
    '<a href="/f/archive.zip">附件4：材料.zip</a>',  # archives are not documents we read
    '<a href="/attach.do?id=78">附件5</a>',  # nothing says what it is
    '<a href="mailto:x@example.gov.cn">附件.pdf</a>',
])
def test_find_attachments_ignores_other_links(anchor):
    assert find_attachments(f"<p>{anchor}</p>", "http://gxt.example.gov.cn/art/1.html") == []


def test_find_attachments_honours_base_href():
    html = '<html><head><base href="https://www.gov.cn/zhengce/content/202506/"></head>' \
           '<body><a href="files/list.pdf">附件</a></body></html>'
    assert find_attachments(html, "https://www.gov.cn/x/y.htm")[0].url == \
        "https://www.gov.cn/zhengce/content/202506/files/list.pdf"


def test_find_attachments_on_a_real_ndrc_page(real_fixtures):
    html = (real_fixtures / "ndrc" / "ndrc_gov_cn_homepage_2018-03.html").read_text(encoding="utf-8")
    links = find_attachments(html, "http://www.ndrc.gov.cn/")
    assert AttachmentLink("http://www.ndrc.gov.cn/zwfwzx/xzzq/bgxz/201711/P020171130597566292306.docx",
                          "法治机关建设制度成果目录清单", "docx") in links
    assert all(link.ext for link in links)


# --- extract_text: documents that read ---------------------------------------------------------------------------

def test_pdf_text_with_chinese(text_pdf):
    got = extract_text(text_pdf, "pdf")
    assert (got.status, got.pages, got.kind, got.detail) == ("ok", 2, "pdf", "")
    assert got.text.split("\n") == ["Pilot platform list 2025", TITLE, "Page 2", "".join(ROW)]
    assert got.sha256 == hashlib.sha256(text_pdf).hexdigest() == sha256_hex(text_pdf)


def test_docx_paragraphs_and_table_cells_in_order(docx_bytes):
    got = extract_text(docx_bytes, "docx")
    assert (got.status, got.pages, got.kind) == ("ok", None, "docx")
    assert got.text.split("\n") == [TITLE, "名单", "单位\t所在地\t领域", "\t".join(ROW), "联系人：张三"]


def test_xlsx_rows_under_sheet_names(xlsx_bytes):
    got = extract_text(xlsx_bytes, "xlsx")
    assert (got.status, got.kind, got.detail) == ("ok", "xlsx", "2 sheets")
    assert got.text.split("\n") == ["# 名单", "单位\t所在地\t领域", "\t".join(ROW),
                                    "# 说明", "发布日期\t2025-06-11", "平台数\t2"]


def test_xls_read_with_xlrd():
    xlwt = pytest.importorskip("xlwt", reason="xlwt (test-only writer) not installed")
    from datetime import datetime

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    for c, value in enumerate(ROW + [2.0]):
        sheet.write(0, c, value)
    sheet.write(1, 0, datetime(2025, 6, 11), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    buf = io.BytesIO()
    book.save(buf)
    got = extract_text(buf.getvalue(), "xls")
    assert (got.status, got.kind) == ("ok", "xls")
    assert got.text.split("\n") == ["# 名单", "\t".join(ROW) + "\t2", "2025-06-11"]


def test_the_bytes_decide_not_the_extension(text_pdf, xlsx_bytes):
    got = extract_text(text_pdf, "docx")
    assert (got.status, got.kind) == ("ok", "pdf") and TITLE in got.text
    assert got.detail == "content is pdf although the link says .docx"
    assert extract_text(xlsx_bytes, ".ET").detail == "2 sheets"  # a WPS spreadsheet saved as XLSX is no mismatch


def test_empty_password_pdf_is_opened(text_pdf):
    pytest.importorskip("cryptography")  # AES needs it: pypdf[crypto]
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    buf = io.BytesIO()
    writer.write(buf)
    got = extract_text(buf.getvalue(), "pdf")
    assert got.status == "ok" and TITLE in got.text


# --- extract_text: flagged, never dropped ------------------------------------------------------------------------

def test_scanned_pdf_is_no_text():
    got = extract_text(build_pdf([IMAGE_PAGE, None]), "pdf")
    assert (got.status, got.pages, got.text) == ("no_text", 2, "")
    assert "OCR" in got.detail


def test_pages_without_text_are_noted(text_pdf):
    got = extract_text(build_pdf([text_page("Cover", TITLE), IMAGE_PAGE]), "pdf")
    assert got.status == "ok" and got.detail == "1 of 2 pages without text (scanned?): 2"


def test_empty_docx_is_no_text():
    docx = pytest.importorskip("docx")
    buf = io.BytesIO()
    docx.Document().save(buf)
    assert extract_text(buf.getvalue(), "docx").status == "no_text"


def test_truncated_at_max_chars(docx_bytes, xlsx_bytes):
    got = extract_text(docx_bytes, "docx", max_chars=20)
    assert got.status == "truncated" and got.text == TITLE + "\n名单" and "cut at 20" in got.detail
    full = extract_text(xlsx_bytes, "xlsx").text
    assert extract_text(xlsx_bytes, "xlsx", max_chars=len(full)).status == "ok"
    cut = extract_text(xlsx_bytes, "xlsx", max_chars=len(full) - 1)
    assert cut.status == "truncated" and cut.text == full[:-1].rstrip()


def test_pdf_page_cap():
    got = extract_text(build_pdf([text_page(f"Page {n}") for n in range(1, 6)]), "pdf", max_pages=2)
    assert (got.status, got.pages, got.text) == ("truncated", 5, "Page 1\nPage 2")
    assert got.detail == "read the first 2 of 5 pages"


def test_legacy_doc_is_unsupported():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64
    got = extract_text(ole2, "doc")
    assert (got.status, got.kind) == ("unsupported", "doc") and "Word 97-2003" in got.detail


def test_html_served_as_a_spreadsheet_is_unsupported():
    got = extract_text("<html><body>文件不存在</body></html>".encode(), "xls")
    assert (got.status, got.kind, got.text) == ("unsupported", "html", "")


# --- extract_text: errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("content,ext,kind,says", [
    (b"%PDF-1.7\n" + b"\x00garbage" * 50, "pdf", "pdf", "cannot read pdf"),
    (b"PK\x03\x04" + b"\x00junk" * 50, "docx", "broken-zip", "corrupt zip"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "pdf", "unknown", "not a PDF or Office file"),
    (b"", "pdf", "empty", "empty file"),
])
def test_corrupt_files_are_errors(content, ext, kind, says):
    got = extract_text(content, ext)
    assert (got.status, got.kind, got.text) == ("error", kind, "")
    assert says in got.detail and got.sha256 == sha256_hex(content)


def test_truncated_docx_is_an_error(docx_bytes):
    got = extract_text(docx_bytes[: len(docx_bytes) // 2], "docx")
    assert got.status == "error" and "corrupt zip" in got.detail


def test_password_pdf_is_an_error(text_pdf):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    got = extract_text(buf.getvalue(), "pdf")
    assert (got.status, got.text) == ("error", "") and "password is required" in got.detail


def test_zip_bomb_is_refused_without_inflating(zip_bomb, no_inflating):
    assert len(zip_bomb) < 1_000_000 and sniff(zip_bomb) == "docx"
    got = extract_text(zip_bomb, "docx")
    assert (got.status, got.kind) == ("error", "docx")
    assert got.detail.startswith("zip bomb suspected: members would inflate to 200,000,") and "cap 50,000,000" in got.detail
    assert no_inflating == []


def test_highly_compressed_member_below_the_size_cap_is_refused(no_inflating):
    got = extract_text(docx_shaped_zip(5_000_000), "docx")
    assert got.status == "error" and "member 'word/document.xml' compresses" in got.detail
    assert no_inflating == []


def test_member_that_lies_about_its_size_is_not_inflated_past_it(docx_bytes):
    """A DOCX whose document.xml declares 100 kB but inflates to 24 MB: refused, without holding the 24 MB."""
    name = "word/document.xml"
    source = zipfile.ZipFile(io.BytesIO(docx_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == name:
                payload = payload.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 4_000_000)
            zf.writestr(info.filename, payload)
    data = bytearray(buf.getvalue())
    for signature, size_at, name_len_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = data.find(signature)
        while pos >= 0:
            length = struct.unpack_from("<H", data, pos + name_len_at)[0]
            if data[pos + name_at:pos + name_at + length] == name.encode():
                struct.pack_into("<I", data, pos + size_at, 100_000)
            pos = data.find(signature, pos + 1)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(name).file_size == 100_000

    tracemalloc.start()
    try:
        got = extract_text(bytes(data), "docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.status == "error" and "Bad CRC-32" in got.detail
    assert peak < 5_000_000


def test_importing_the_module_loads_no_reader():
    code = ("import sys, crawler.attachments; "
            "print(','.join(m for m in ('pypdf', 'docx', 'openpyxl', 'xlrd', 'cryptography') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


# --- hostile files: work must stay near the size of the input (issue 13) ----------------------------------------
# Each of these took minutes to hours before its fix; `within` fails the test instead of waiting that long. The
# crawl also reads every attachment in a worker with a time budget (tests/test_sandbox.py): these fixes keep ordinary
# bad files well inside it.

class _TookTooLong(BaseException):  # not an Exception: the readers' own `except Exception` must not swallow it
    pass


def within(seconds: float, fn, *args, **kwargs):
    """fn(*args, **kwargs), failing the test if it runs longer than `seconds` (SIGALRM interrupts Python code)."""
    import signal

    def expired(signum, frame):
        raise _TookTooLong

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args, **kwargs)
    except _TookTooLong:
        pytest.fail(f"{getattr(fn, '__name__', fn)} took longer than {seconds} s")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def xlsx_claiming(dimension: str, extra_rows: bytes = b"") -> bytes:
    """A one-sheet XLSX (cell A1 = "x") whose <dimension> says `dimension`, with `extra_rows` appended to sheetData."""
    import re

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "名单"
    book.active["A1"] = "x"
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="%s"/>' % dimension.encode(), data)
                data = data.replace(b"</sheetData>", extra_rows + b"</sheetData>")
            zf.writestr(info.filename, data)
    return out.getvalue()


def poison_xlsx() -> bytes:
    """5 KB claiming A1:XFD1048576, with a second cell in the last row: openpyxl used to hand over 2^20 rows of 2^14
    cells (about 35 minutes)."""
    return xlsx_claiming("A1:XFD1048576", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>y</t></is></c></row>')


TJ_NOTHING = b"BT ( ) Tj ET\n"  # shows an empty string: no text, but pypdf parses and processes every operator


def content_pdf(pages: int, streams: list[bytes], page_contents=None) -> bytes:
    """A PDF of `pages` pages over the given content `streams` (FlateDecode, objects 4, 5, …). page_contents(i)
    gives page i's /Contents (default: every page shows stream 0, i.e. all pages share one stream)."""
    import zlib

    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    for n, data in enumerate(streams):
        body = zlib.compress(data, 9)
        objs[4 + n] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    first = 4 + len(streams)
    for i in range(pages):
        contents = page_contents(i) if page_contents else b"4 0 R"
        objs[first + i] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
                           b">> >> /Contents " + contents + b" >>")
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % (first + i) for i in range(pages)), pages)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = out.tell()
        out.write(b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n")
    xref, size = out.tell(), max(objs) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    out.write(b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def poison_pdf(pages: int = 20, stream_bytes: int = 2_000_000) -> bytes:
    """The issue's 8 KB PDF: 20 pages sharing one 2 MB stream of `BT ( ) Tj ET` (pypdf parsed it once per page)."""
    return content_pdf(pages, [TJ_NOTHING * (stream_bytes // len(TJ_NOTHING))])


def test_xlsx_dimension_is_not_trusted():
    data = poison_xlsx()
    assert len(data) < 6000
    got = within(5, extract_text, data, "xlsx")
    assert (got.status, got.text) == ("ok", "# 名单\nx\ny")


def test_xlsx_row_is_read_up_to_the_column_cap():
    from crawler.attachments import MAX_SHEET_COLUMNS

    wide = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="XFD%d" t="inlineStr"><is><t>far</t></is></c></row>'
                    % (r, r, r, r) for r in range(2, 2002))
    got = within(5, extract_text, xlsx_claiming("A1:XFD2001", wide), "xlsx")
    assert got.status == "truncated" and f"sheet 名单: columns beyond {MAX_SHEET_COLUMNS:,} not read" in got.detail
    assert got.text.splitlines()[:3] == ["# 名单", "x", "2"] and "far" not in got.text


def test_xlsx_rows_widened_by_an_empty_far_cell_are_cheap():
    """Each row ends in an empty cell at XFD: openpyxl hands it over 16,384 cells wide; only the filled ones cost."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="XFD%d"/></row>' % (r, r, r, r) for r in range(2, 6002))
    got = within(5, extract_text, xlsx_claiming("A1:XFD6001", rows), "xlsx")  # 11 s before
    assert got.status == "ok" and got.text.splitlines()[-1] == "6001" and len(got.text.splitlines()) == 6002


def test_xls_one_far_cell_does_not_pad_every_row():
    xlwt = pytest.importorskip("xlwt", reason="xlwt (test-only writer) not installed")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名单")
    sheet.write(0, 0, "x")
    sheet.write(65535, 255, "y")  # IV65536, the last cell of an .xls: xlrd padded all 65,536 rows to 256 cells
    buf = io.BytesIO()
    book.save(buf)
    got = within(5, extract_text, buf.getvalue(), "xls")
    assert got.status == "ok" and got.text == "# 名单\nx\n" + "\t" * 255 + "y"


def test_pdf_content_stream_shared_by_pages_is_read_once():
    shown = b"BT /F1 12 Tf 72 770 Td (Pilot) Tj ET\n" + TJ_NOTHING * 40_000  # 0.5 MB: ~1 s of pypdf per page
    got = within(8, extract_text, content_pdf(20, [shown]), "pdf")
    assert (got.status, got.text, got.pages) == ("ok", "Pilot", 20)
    assert "19 pages repeat an earlier page's content, not read again: 2, 3" in got.detail


def test_pdf_page_content_beyond_the_budget_is_not_parsed():
    huge = TJ_NOTHING * (30_000_000 // len(TJ_NOTHING))  # 30 MB, 30 KB compressed: over a minute of pypdf
    data = content_pdf(2, [huge])
    assert len(data) < 100_000
    got = within(5, extract_text, data, "pdf")
    assert got.status == "truncated" and got.text == ""
    assert "stopped before page 1 of 2: page content beyond 10,000,000 bytes" in got.detail


def test_pdf_content_budget_counts_every_page_and_repeated_streams():
    from crawler.attachments import _Lines, _read_pdf

    text = b"BT /F1 12 Tf 72 770 Td (page) Tj ET\n"
    streams = [text + TJ_NOTHING * 8_000 + b"%% %d\n" % n for n in range(6)]  # ~100 KB each, all distinct
    lines = _Lines(10_000)
    total, notes = _read_pdf(content_pdf(6, streams, lambda i: b"%d 0 R" % (4 + i)), lines, 300, 250_000)
    assert (total, lines.parts, lines.cut) == (6, ["page", "page"], True)
    assert notes == ["stopped before page 3 of 6: page content beyond 250,000 bytes"]
    # one page whose /Contents repeats a 100 KB stream 40 times is 4 MB of operators, from 100 KB of file
    lines = _Lines(10_000)
    _read_pdf(content_pdf(1, streams[:1], lambda i: b"[" + b"4 0 R " * 40 + b"]"), lines, 300, 1_000_000)
    assert lines.parts == [] and lines.cut
