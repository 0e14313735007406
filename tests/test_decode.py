import pytest

from crawler import decode
from crawler.decode import declared_charset

TEXT = "工业和信息化部办公厅关于开展生物制造中试能力建设平台培育工作的通知，联系人：王镕"


def test_utf8_wins_even_when_meta_says_gb2312():
    page = f'<html><head><meta charset="gb2312"></head><body>{TEXT}</body></html>'.encode()
    d = decode(page)
    assert d.encoding == "utf-8" and d.declared == "gb2312" and TEXT in d.text


def test_gbk_bytes_declared_gb2312_decode_with_gb18030():
    page = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>{TEXT}</body></html>'
    raw = page.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")  # 镕 is outside GB2312: a strict gb2312 decoder would lose the page
    d = decode(raw)
    assert d.encoding == "gb18030" and TEXT in d.text and not d.lossy


def test_header_charset_beats_meta():
    raw = f'<meta charset="utf-8"><p>{TEXT}</p>'.encode("gbk")
    assert declared_charset(raw, "text/html; charset=GBK") == "gbk"
    assert TEXT in decode(raw, "text/html; charset=GBK").text


def test_undeclared_gbk_is_detected():
    raw = ("<p>" + TEXT * 5 + "</p>").encode("gbk")
    assert TEXT in decode(raw, "text/html").text


def test_garbage_never_raises():
    d = decode(bytes(range(256)) * 4, "text/html; charset=nonsense-charset")
    assert isinstance(d.text, str)


def test_bom():
    assert decode("\ufeff" .encode("utf-8") + TEXT.encode()).text == TEXT


@pytest.mark.parametrize("name", ["people_com_cn_meta_gb2312_but_utf8_bytes.html", "finance_qq_com_meta_gb2312_but_utf8_bytes.html"])
def test_real_pages_declaring_gb2312_but_utf8(real_fixtures, name):
    raw = (real_fixtures / "other" / name).read_bytes()
    d = decode(raw, "text/html")
    assert d.encoding == "utf-8" and "gb2312" in (d.declared or "")
    assert "\ufffd" not in d.text


def test_real_derived_gb18030_page(real_fixtures):
    raw = (real_fixtures / "derived-gbk" / "finance_qq_com_20190923_000843.gb18030.html").read_bytes()
    d = decode(raw)
    assert d.encoding == "gb18030" and not d.lossy
    original = decode((real_fixtures / "other" / "finance_qq_com_meta_gb2312_but_utf8_bytes.html").read_bytes()).text
    # same page, two encodings: same text
    assert d.text.replace("gb18030", "").count("的") == original.replace("gb18030", "").count("的")
