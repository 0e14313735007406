"""The digest's platform chart: an inline PNG and its alt text, from (title, [(label, count), ...]) panels."""

import io
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFont

from digest import chart
from digest.chart import MAX_BARS, alt_text, chart_png, png_size

ROOT = Path(__file__).resolve().parents[1]

PROVINCES = [("Jiangsu", 3), ("Shandong", 2), ("Guangdong", 7), ("Zhejiang", 5), ("Hubei", 1), ("Sichuan", 4),
             ("Beijing", 6), ("Shanghai", 9), ("Tianjin", 2), ("Anhui", 8)]
SECTORS = [("enzymes", 2), ("synthetic biology", 6), ("fermentation", 9), ("biopharmaceuticals", 3),
           ("food ingredients", 4), ("biomaterials", 1), ("agriculture", 5), ("chemicals", 7), ("bioenergy", 2),
           ("cosmetics and personal care ingredients", 3)]
KINDS = [("pilot platform", 8), ("shared facility", 3), ("incubator", 2), ("CDMO", 1), ("scale-up centre", 4),
         ("testing centre", 2), ("innovation centre", 5), ("demonstration line", 1), ("key laboratory", 6),
         ("industrial park", 2)]
THREE = [("Platforms by province", PROVINCES), ("Platforms by sector", SECTORS), ("Platforms by type", KINDS)]


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        assert zlib.crc32(data[pos + 4:pos + 8 + length]) == int.from_bytes(data[pos + 8 + length:pos + 12 + length],
                                                                           "big")
        kinds.append(kind)
        pos += 12 + length
    return kinds


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_three_panel_chart_is_a_small_readable_png():
    data = chart_png(THREE)
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    image = reopen(data)
    assert image.format == "PNG" and image.width == 640 and png_size(data) == image.size
    # 30 bars of 22 px plus three titles: taller than the bars alone, no taller than a screen and a half
    assert 30 * 22 < image.height < 1000
    assert len(data) < 40_000  # a palette PNG; mail clients and gateways dislike large inline images
    assert image.convert("RGB").getpixel((0, 0)) == (255, 255, 255)
    colours = {c for _, c in image.convert("RGB").getcolors(1 << 16)}
    assert chart._BAR_COLOUR in colours


def test_width_is_honoured_and_bounded():
    assert reopen(chart_png(THREE, width=480)).width == 480
    for bad in (10, 100_000):
        with pytest.raises(ValueError, match="width"):
            chart_png(THREE, width=bad)


def test_same_input_gives_identical_bytes_and_no_metadata():
    first, second = chart_png(THREE), chart_png([(t, list(rows)) for t, rows in THREE])
    assert first == second
    assert set(png_chunks(first)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}  # no tIME, tEXt, iTXt, pHYs


def test_all_empty_gives_no_chart_and_empty_alt_text():
    assert chart_png([]) is None
    panels = [("Platforms by province", []), ("Platforms by sector", [("enzymes", 0), ("chemicals", 0)])]
    assert chart_png(panels) is None
    assert alt_text(panels) == ""


def test_empty_panels_and_zero_bars_are_left_out_of_image_and_text():
    panels = [("Empty", []), ("By province", [("Jiangsu", 3), ("Hainan", 0), ("Shandong", 2)])]
    assert alt_text(panels) == "By province: Jiangsu 3, Shandong 2."
    assert reopen(chart_png(panels)).size == reopen(chart_png(panels[1:])).size


def test_alt_text_states_the_same_bars_largest_first():
    text = alt_text([("Platforms by province", [("Shandong", 2), ("Jiangsu", 3)]),
                     ("Platforms by sector", [("enzymes", 2), ("fermentation", 2), ("chemicals", 5)])])
    assert text == ("Platforms by province: Jiangsu 3, Shandong 2. "
                    "Platforms by sector: chemicals 5, enzymes 2, fermentation 2.")  # ties keep the caller's order
    assert alt_text([("", [("only", 1)])]) == "only 1."


def test_more_than_max_bars_collapse_into_others():
    rows = [(f"city {i:03d}", i + 1) for i in range(500)]  # counts 1..500
    text = alt_text([("Many", rows)])
    assert text.count(", ") == MAX_BARS - 1  # list separators; "118,341" has no space
    assert "city 499 500, city 498 499" in text and "city 000" not in text
    rest = range(1, 500 - (MAX_BARS - 1) + 1)  # the counts not shown on their own
    assert text.endswith(f"others ({len(rest)}) {sum(rest):,}.")

    exactly = [(f"city {i}", i + 1) for i in range(MAX_BARS)]
    assert "others" not in alt_text([("Fifteen", exactly)])

    big, fifteen = reopen(chart_png([("Many", rows)])), reopen(chart_png([("Fifteen", exactly)]))
    assert big.height == fifteen.height < 15 * 22 + 100


def test_negative_count_is_rejected_naming_panel_and_label():
    panels = [("Platforms by province", [("Jiangsu", 3), ("Shandong", -1)])]
    for f in (chart_png, alt_text):
        with pytest.raises(ValueError, match=r"Platforms by province.*Shandong.*-1"):
            f(panels)


@pytest.mark.parametrize("rows", [[("Jiangsu", 2.5)], [("Jiangsu", "3")], [("Jiangsu", None)], [(None, 3)]])
def test_non_integer_counts_and_non_str_labels_are_rejected(rows):
    with pytest.raises(TypeError, match="Jiangsu|None"):
        chart_png([("P", rows)])


def test_too_many_panels_are_rejected():
    with pytest.raises(ValueError, match="panels"):
        chart_png([(f"p{i}", [("a", 1)]) for i in range(chart.MAX_PANELS + 1)])


def test_huge_counts_print_compactly_and_the_same_in_both():
    rows = [("big", 10**40), ("million", 1_234_567), ("thousand", 12_345), ("one", 1), ("huger", 10**5000)]
    text = alt_text([("Counts", rows)])
    assert text == "Counts: huger 1.0e5000, big 1.0e40, million 1.2M, thousand 12,345, one 1."
    image = reopen(chart_png([("Counts", rows)]))
    assert image.width == 640


ODD = [
    ("省份 Provinces 🚀", [("江苏省", 3), ("Shandong 山东", 2), ("🧬🧪", 1), ("bell\x07\x00null", 4),
                          ("tab\tnew\nline\r\u2028", 1), ("rtl\u202eoverride\u200b", 1), ("", 1), ("   ", 2),
                          ("\ud800 lone surrogate", 1), ("Ｆｕｌｌ ｗｉｄｔｈ １２", 1), ("Café Zürich ß Łódź", 5),
                          ("x" * 5000, 7), ("ß–Œ…", 1)]),
    ("", [("untitled", 1)]),
    ("\x1b[31mred\x1b[0m", [("combining e\u0301\u0301\u0301", 1)]),
]


def test_odd_labels_do_not_crash_and_control_characters_never_reach_the_text():
    data = chart_png(ODD)
    assert data is not None and reopen(data).width == 640
    text = alt_text(ODD)
    assert not any(ch in text for ch in "\x00\x07\x1b\t\n\r\u2028\u202e\u200b\ud800")
    assert "bellnull 4" in text and "tab new line 1" in text and "(no label) 2" in text
    assert "江苏省 3" in text and "Café Zürich ß Łódź 5" in text  # alt text keeps the real names
    assert "x" * 100 not in text and "x…" in text  # a runaway label is cut
    assert "untitled 1." in text and "[31mred[0m: combining" in text


def test_labels_are_folded_to_what_the_font_draws():
    font, ok = chart._font(13)
    fold = chart._drawable_text
    assert fold("Café Zürich ß Łódź", ok) == "Cafe Zurich ss Lodz"
    assert fold("Ｆｕｌｌ１", ok) == "Full1"
    assert fold("Shandong 山东省 (PRC)", ok) == "Shandong ? (PRC)"  # one "?" per undrawable run
    assert fold("🧬", ok) == "?"
    assert fold("2020–2025", ok) == "2020-2025"
    assert fold("e\u0301\u0301 x\u20dd", ok) == "e x"  # marks that do not compose are dropped, not "?"


def test_long_labels_are_cut_with_an_ellipsis_to_fit():
    font, _ = chart._font(13)
    cut = chart._fit("cosmetics and personal care ingredients", font, 100, "…")
    assert cut.endswith("…") and font.getlength(cut) <= 100 and cut.startswith("cosmetics")
    assert chart._fit("short", font, 100, "…") == "short"


def test_without_freetype_the_bitmap_font_is_used(monkeypatch):
    def no_freetype(size=None):
        raise ImportError("The _imagingft C module is not installed")

    with_freetype = chart_png(THREE)
    monkeypatch.setattr(ImageFont, "load_default", no_freetype)
    chart._font.cache_clear()
    try:
        assert not isinstance(chart._font(13)[0], ImageFont.FreeTypeFont)
        data = chart_png(ODD)
        assert data is not None and reopen(data).width == 640
        bitmap = chart_png(THREE)
        assert bitmap != with_freetype and reopen(bitmap).size[0] == 640
    finally:
        chart._font.cache_clear()


def test_importing_the_digest_package_does_not_import_pillow():
    code = "import sys, digest, digest.chart; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_png_size_rejects_other_data():
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + b"\0" * 30)
