"""List tables → one Row per platform (extract/lists.py), in every layout attachments and pages hand over."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest

from crawler.attachments import extract_text
from extract.lists import find_rows
from zhtext.script import fold

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PDF = ROOT / "pilotwatch/sample_site/www.gov.cn/zhengce/zhengceku/202512/P020251222570318462915.pdf"
REAL_SET = ROOT / "tests/fixtures/extract_real.jsonl"

HEADER = ("序号", "平台名称", "牵头单位", "所在地", "方向")
# Fictional rows in the national list's columns. Row 2's host is wide enough to wrap in a PDF column (｜ marks the
# wrap), row 4 has two hosts, row 5's name wraps.
ROWS = (
    ("1", "食品及添加剂生物制造中试平台", "江南大学", "江苏省无锡市", "食品及添加剂"),
    ("2", "酶制剂生物制造中试平台", "中国科学院天津工业生物｜技术研究所", "天津市", "酶制剂"),
    ("3", "化工生物制造中试平台", "华东理工大学", "上海市", "化工"),
    ("4", "生物医药中试平台", "济南康源合成生物医药有限公司、山东大学", "山东省济南市", "生物医药"),
    ("5", "木质纤维素原料转化生物制造｜中试平台", "南阳禾能生物质科技有限公司", "河南省南阳市", "木质纤维素"),
)


def plain(cell: str) -> str:
    return cell.replace("｜", "")


def as_read(text: str) -> list[tuple]:
    """Each row as (index, name, hosts, place, sector), the cells' texts, after checking every span."""
    folded = fold(text)
    out = []
    for row in find_rows(folded):
        cells = [row.name, *row.hosts, row.place, row.sector]
        for cell in filter(None, cells):
            assert row.start <= cell.start < cell.end <= row.end or cell is row.place or cell is row.sector
            written = folded[cell.start:cell.end]
            assert "".join(written.split()) == "".join(cell.text.split()), (written, cell.text)
        out.append((row.index, row.name and row.name.text, tuple(h.text for h in row.hosts),
                    row.place and row.place.text, row.sector and row.sector.text))
    return out


EXPECTED = [
    (1, "食品及添加剂生物制造中试平台", ("江南大学",), "江苏省无锡市", "食品及添加剂"),
    (2, "酶制剂生物制造中试平台", ("中国科学院天津工业生物技术研究所",), "天津市", "酶制剂"),
    (3, "化工生物制造中试平台", ("华东理工大学",), "上海市", "化工"),
    (4, "生物医药中试平台", ("济南康源合成生物医药有限公司", "山东大学"), "山东省济南市", "生物医药"),
    (5, "木质纤维素原料转化生物制造中试平台", ("南阳禾能生物质科技有限公司",), "河南省南阳市", "木质纤维素"),
]


# --- layouts written by hand ---------------------------------------------------------------------------------------

def test_tab_separated_rows():
    text = "\n".join("\t".join(map(plain, r)) for r in (HEADER, *ROWS))
    assert as_read(text) == EXPECTED


def test_spaced_columns():
    widths = (6, 34, 40, 14, 10)
    text = "\n".join("".join(plain(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in (HEADER, *ROWS))
    assert as_read(text) == EXPECTED


def test_pipe_rows_of_a_flattened_html_table():
    text = "\n".join(["| " + " | ".join(HEADER) + " |", "|---|---|---|---|---|"]
                     + ["| " + " | ".join(map(plain, r)) + " |" for r in ROWS])
    assert as_read(text) == EXPECTED


def test_pdf_lines_with_single_spaces_and_wrapped_cells():
    # pypdf puts a row's cells on one line, one space apart; the second line of a wrapped cell comes on a line of its
    # own, and the row's remaining cells on the next
    lines = [" ".join(HEADER)]
    for r in ROWS:
        first = [c.split("｜")[0] for c in r]
        wrapped = [c.split("｜")[1] for c in r if "｜" in c]
        cut = next((i for i, c in enumerate(r) if "｜" in c), len(r) - 1) + 1
        lines.append(" ".join(first[:cut]))
        lines += wrapped
        if cut < len(r):
            lines.append(" ".join(first[cut:]))
    text = "\n".join(["首批生物制造中试能力建设平台名单", *lines, "（其余平台从略）"])
    assert as_read(text) == EXPECTED


def test_one_cell_a_line_with_a_page_break_and_the_header_repeated():
    lines = ["附件", "首批生物制造中试能力建设平台名单", *HEADER]
    for n, r in enumerate(ROWS):
        if n == 3:  # a new page: its number, the title and the header again
            lines += ["— 1 —", "首批生物制造中试能力建设平台名单", *HEADER]
        for cell in r:
            lines += cell.split("｜")
    lines += ["— 2 —"]
    assert as_read("\n".join(lines)) == EXPECTED


def test_numbered_rows():
    text = ("序号 平台名称 牵头单位 所在地\n"
            "1. 江南大学食品及添加剂生物制造中试平台 江南大学 江苏无锡\n"
            "2、中国科学院天津工业生物技术研究所酶制剂生物制造中试平台 中国科学院天津工业生物技术研究所 天津\n"
            "(3) 华东理工大学化工生物制造中试平台 华东理工大学 上海\n"
            "各平台要坚持开放共享，完善服务规则。")
    assert as_read(text) == [
        (1, "江南大学食品及添加剂生物制造中试平台", ("江南大学",), "江苏无锡", None),
        (2, "中国科学院天津工业生物技术研究所酶制剂生物制造中试平台", ("中国科学院天津工业生物技术研究所",), "天津", None),
        (3, "华东理工大学化工生物制造中试平台", ("华东理工大学",), "上海", None),
    ]


def test_traditional_full_width_text_is_read_folded():
    text = ("序號　平臺名稱　牽頭單位　所在地\n"
            "１　食品及添加劑生物製造中試平臺　江南大學　江蘇省無錫市\n"
            "２　酶製劑生物製造中試平臺　華東理工大學　上海市")
    assert [(i, n, h, p) for i, n, h, p, _ in as_read(text)] == [
        (1, "食品及添加剂生物制造中试平台", ("江南大学",), "江苏省无锡市"),
        (2, "酶制剂生物制造中试平台", ("华东理工大学",), "上海市"),
    ]


def test_grouped_list_numbering_again_under_each_heading():
    text = ("一、食品及添加剂方向\n序号 | 平台名称 | 依托单位 | 推荐单位\n"
            "1 | 甲食品生物制造中试平台 | 江南大学 | 江苏省工业和信息化厅 |\n"
            "2 | 乙食品生物制造中试平台 | 浙江大学 | 浙江省经济和信息化厅 |\n"
            "二、生物医药方向\n"
            "1 | 丙医药中试平台 | 四川大学 | 四川省经济和信息化厅 |\n"
            "2 | 丁医药中试平台 | 复旦大学 | 上海市经济和信息化委员会 |")
    rows = find_rows(fold(text))
    assert [(r.index, r.name.text, r.section.text) for r in rows] == [
        (1, "甲食品生物制造中试平台", "一、食品及添加剂方向"), (2, "乙食品生物制造中试平台", "一、食品及添加剂方向"),
        (1, "丙医药中试平台", "二、生物医药方向"), (2, "丁医药中试平台", "二、生物医药方向")]
    assert [r.place.text for r in rows][:1] == ["江苏省工业和信息化厅"] and rows[0].sector is None


def test_rows_without_numbers_end_at_the_first_line_that_is_not_one():
    text = ("平台名称\t建设单位\t所在地\t领域\n"
            "甲生物制造中试平台\t江南大学\t无锡\t食品\n"
            "乙生物制造中试平台\t浙江大学 杭州某某生物科技有限公司\t杭州\n"
            "填报说明：所在地填写地级市。")
    assert as_read(text) == [
        (1, "甲生物制造中试平台", ("江南大学",), "无锡", "食品"),
        # two units on two lines of one DOCX cell; the empty sector is a merged cell: the one above
        (2, "乙生物制造中试平台", ("浙江大学", "杭州某某生物科技有限公司"), "杭州", "食品"),
    ]


def test_two_tables_in_one_text():
    one = "\n".join("\t".join(map(plain, r)) for r in (HEADER, *ROWS[:2]))
    two = "\n".join("\t".join(map(plain, r)) for r in (HEADER, *ROWS[2:4]))
    assert [r[0] for r in as_read(one + "\n说明\n# Sheet2\n" + two)] == [1, 2, 3, 4]


# --- not tables ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    # a list in running prose is the tagger's to read, not a table
    "确定43个平台为首批生物制造中试能力建设平台。其中包括：\n江南大学牵头建设的食品及添加剂生物制造中试平台（江苏省无锡市）；\n"
    "华东理工大学牵头建设的化工生物制造中试平台（上海市）。",
    # a header with a single row under it
    "序号\t平台名称\t牵头单位\n1\t食品及添加剂生物制造中试平台\t江南大学\n附件2",
    # a table of innovation centres, not of platforms: no platform-name or host column
    "序号 | 城市 | 创新中心名称 | 认定时间 |\n1 | 北京 | 国家动力电池创新中心 | 2016年6月 |\n"
    "2 | 西安 | 国家增材制造创新中心 | 2017年1月 |",
    # rows without a header
    "1 食品及添加剂生物制造中试平台 江南大学 江苏省无锡市\n2 化工生物制造中试平台 华东理工大学 上海市",
    "",
])
def test_not_a_platform_table(text):
    assert find_rows(fold(text)) == []


def test_a_megabyte_of_junk_returns_nothing():
    rng = random.Random(7)
    alphabet = "平台名称牵头单位所在地方向序号中试江南大学省市 \n\t|0123456789。、"
    junk = "".join(rng.choice(alphabet) for _ in range(1_000_000))
    assert find_rows(junk) == []
    headers = "序号 平台名称 牵头单位 所在地 方向\n" * 30_000  # every line a header, no row under any
    assert find_rows(headers) == []
    assert find_rows("序号\t平台名称\t牵头单位\n" + "1\n2\n3\n" * 150_000) == []


def test_rows_are_capped():
    from extract import lists

    text = "序号 平台名称 牵头单位 所在地\n" + "".join(f"{i} 甲中试平台 江南大学 无锡\n" for i in range(1, 6_001))
    rows = find_rows(text)
    assert len(rows) == lists.MAX_ROWS and rows[-1].index == lists.MAX_ROWS


# --- attachment text as crawler/attachments.py hands it over ------------------------------------------------------

def xlsx_list() -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["首批生物制造中试能力建设平台名单"])  # a title row merged across the columns
    sheet.merge_cells("A1:E1")
    sheet.append(list(HEADER))
    for r in ROWS:
        sheet.append([int(r[0]), *map(plain, r[1:])])
    sheet.cell(row=4, column=5).value = None  # row 2's 方向 merged into row 1's: empty in the file
    sheet.merge_cells("E3:E4")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def docx_list() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("附件")
    document.add_paragraph("首批生物制造中试能力建设平台名单")
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for i, label in enumerate(HEADER):
        table.cell(0, i).text = label
    for n, r in enumerate(ROWS, 1):
        for i, cell in enumerate(r):
            parts = plain(cell).split("、")  # two hosts: two paragraphs in one cell
            table.cell(n, i).text = parts[0]
            for more in parts[1:]:
                table.cell(n, i).add_paragraph(more)
    document.add_paragraph("注：排名不分先后。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_xlsx_attachment():
    got = extract_text(xlsx_list(), "xlsx")
    assert got.status == "ok"
    expected = [list(r) for r in EXPECTED]
    expected[1][4] = "食品及添加剂"  # the merged 方向 cell: the row above's
    assert as_read(got.text) == [tuple(r) for r in expected]


def test_docx_attachment():
    got = extract_text(docx_list(), "docx")
    assert got.status == "ok"
    assert as_read(got.text) == EXPECTED


def _pdf(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """A PDF of text placed at (x, y), in a CID font whose ToUnicode maps each code to the same code point."""
    chars = sorted({c for page in pages for _, _, s in page for c in s})
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CIDSystemInfo << /Registry (Adobe) "
            "/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            + "".join(f"1 beginbfchar\n<{ord(c):04X}> <{ord(c):04X}>\nendbfchar\n" for c in chars)
            + "endcmap CMapName currentdict /CMap defineresource pop end end\n").encode()

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
            3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
               b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
            4: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
               b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 >>",
            5: stream(cmap),
            6: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] "
               b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>"}
    kids = []
    for n, page in enumerate(pages):
        ops = b"\n".join(b"BT /F1 10 Tf %.1f %.1f Td <%s> Tj ET" % (x, y, s.encode("utf-16-be").hex().encode())
                         for x, y, s in page)
        objs[7 + 2 * n] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 3 0 R "
                           b">> >> /Contents %d 0 R >>" % (8 + 2 * n))
        objs[8 + 2 * n] = stream(ops)
        kids.append(7 + 2 * n)
    objs[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = {}
    for num in sorted(objs):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objs[num] + b"\nendobj\n")
    xref = out.tell()
    size = max(objs) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    out.write(b"".join(b"%010d 00000 n \n" % offsets.get(num, 0) for num in range(1, size)))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


COLUMN_X = (60, 100, 330, 560, 680)


def table_pages(title: str, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], per_page: int,
                note: str = "") -> list[list[tuple[float, float, str]]]:
    """A list laid out as Word prints it: title, header row, rows whose wrapped cells (｜) take a second line, the
    header repeated on each page, a page number at the foot."""
    pages = []
    for start in range(0, len(rows), per_page):
        y, page = 530.0, []
        if not start:
            page += [(60, 560, "附件"), (300, 545, title)]
        for r in (header, *rows[start:start + per_page]):
            lines = max(len(c.split("｜")) for c in r)
            for x, cell in zip(COLUMN_X, r, strict=True):
                for i, part in enumerate(cell.split("｜")):
                    page.append((x, y - 14 * i, part))
            y -= 14 * lines + 10
        if start + per_page >= len(rows) and note:
            page.append((60, y - 10, note))
        page.append((400, 30, f"— {len(pages) + 1} —"))
        pages.append(page)
    return pages


def test_pdf_attachment_over_two_pages():
    pdf = _pdf(table_pages("首批生物制造中试能力建设平台名单", HEADER, ROWS, per_page=3, note="（其余平台从略）"))
    got = extract_text(pdf, "pdf")
    assert got.status == "ok" and got.pages == 2
    assert "中国科学院天津工业生物\n技术研究所" in got.text  # the wrapped cell, as pypdf gives it
    assert as_read(got.text) == EXPECTED


def test_the_sample_sites_list_attachment():
    got = extract_text(SAMPLE_PDF.read_bytes(), "pdf")
    rows = find_rows(fold(got.text))
    assert [r.index for r in rows] == list(range(1, 9))
    assert rows[1].hosts[0].text == "中国科学院天津工业生物技术研究所" and rows[1].place.text == "天津市"
    assert [r.sector.text for r in rows][-2:] == ["一碳原料", "植物底盘细胞"]


# --- real text --------------------------------------------------------------------------------------------------

def real_dev_items() -> list[dict]:
    if not REAL_SET.exists():
        pytest.skip("tests/fixtures/extract_real.jsonl is not present")
    items = [json.loads(line) for line in REAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [d for d in items if d["split"] == "dev"]  # the test split is the frozen measure: never read here


def test_real_dev_items_with_a_table_that_lists_no_platform_give_no_rows():
    # n070 flattens an HTML table of national manufacturing innovation centres; most items hold no table at all
    for item in real_dev_items():
        rows = find_rows(fold(item["title"] + "\n" + item["text"]))
        gold = item["gold"].get("platforms") or []
        assert len(rows) <= len(gold), item["id"]


def test_a_real_list_whose_copy_lost_every_separator():
    # p003 (dev): a city's 公示 whose table reached the copy glued together, "序号中试平台名称依托单位拟建设类型1舟山市…"
    item = next((d for d in real_dev_items() if d["id"] == "p003"), None)
    if item is None:
        pytest.skip("p003 is not in the real set")
    text = fold(item["text"])
    numbered = [n for n in range(1, 20) if f"{n}舟山市" in text]  # the numbered rows, as written
    rows = find_rows(text)
    assert [r.index for r in rows] == numbered
    gold = item["gold"]["platforms"]
    assert [(r.name.text, [h.text for h in r.hosts]) for r in rows] == [(p["name"], p["hosts"]) for p in gold]
    assert {c.text for r in rows for label, c in r.other if label == "拟建设类型"} == {"市级中试平台", "市级中试平台培育库"}


def test_glued_rows_need_a_glued_header():
    text = "附件名单1舟山市海洋生物制造中试平台浙江省海洋开发研究院2舟山市石化新材料中试平台浙江海洋大学"
    assert find_rows(text) == []
    assert len(find_rows("序号平台名称依托单位" + text[4:])) == 2


# The sample site's list attachment (pilotwatch/sample_site/…/P020251222570318462915.pdf) is this function's output:
# the rows the notice names, laid out over two pages as a printed list is, with wrapped cells.
SAMPLE_ROWS = (
    ("1", "食品及添加剂生物制造中试平台", "江南大学", "江苏省无锡市", "食品及添加剂"),
    ("2", "酶制剂生物制造中试平台", "中国科学院天津工业生物｜技术研究所", "天津市", "酶制剂"),
    ("3", "化工生物制造中试平台", "华东理工大学", "上海市", "化工"),
    ("4", "生物医药中试平台", "济南康源合成生物医药｜有限公司", "山东省济南市", "生物医药"),
    ("5", "化妆品原料生物制造中试平台", "广州美研生物科技有限公司", "广东省广州市", "化妆品"),
    ("6", "木质纤维素原料转化中试平台", "南阳禾能生物质科技有限公司", "河南省南阳市", "木质纤维素"),
    ("7", "一碳原料生物转化中试平台", "太原碳元生物科技有限公司", "山西省太原市", "一碳原料"),
    ("8", "植物底盘细胞中试平台", "昆明植研生物技术有限公司", "云南省昆明市", "植物底盘细胞"),
)


def sample_list_pdf() -> bytes:
    return _pdf(table_pages("首批生物制造中试能力建设平台名单（共43个）", HEADER, SAMPLE_ROWS, per_page=5,
                            note="（其余35个平台从略，本文件为PilotWatch样例数据）"))


def test_the_sample_pdf_is_written_by_this_module():
    assert SAMPLE_PDF.read_bytes() == sample_list_pdf(), "regenerate it: SAMPLE_PDF.write_bytes(sample_list_pdf())"


def test_an_empty_cell_keeps_the_others_in_their_columns():
    text = "序号\t平台名称\t牵头单位\t所在地\n1\t\t江南大学\t无锡\n2\t乙生物制造中试平台\t浙江大学\t杭州"
    rows = find_rows(text)
    assert [(r.name and r.name.text, [h.text for h in r.hosts], r.place.text) for r in rows] == [
        (None, ["江南大学"], "无锡"), ("乙生物制造中试平台", ["浙江大学"], "杭州")]


def test_a_wrapped_cells_characters_map_back_to_the_text_read():
    text = fold("序号 平台名称 牵头单位 所在地\n1 甲中试平台 中国科学院天津工业生物\n技术研究所\n天津市\n2 乙中试平台 Jiangnan\nUniversity 无锡市")
    rows = find_rows(text)
    host, latin = rows[0].hosts[0], rows[1].hosts[0]
    assert (host.text, latin.text) == ("中国科学院天津工业生物技术研究所", "Jiangnan University")
    assert "".join(text[host.at(i)] for i in range(len(host.text))) == host.text
    assert [text[latin.at(i)] for i in range(len(latin.text))] == [*"Jiangnan", "\n", *"University"]
    assert rows[0].place.at(0) == rows[0].place.start and text[rows[0].place.start:rows[0].place.end] == "天津市"
