"""Research edges (issue 19): province spellings, the ★ marker and result order, a Chinese term's words apart
(中试平台 → 中试能力建设平台), and CSV that Excel opens cleanly and safely."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from test_research import add

from pilotwatch import research
from pilotwatch.cli import cli
from pilotwatch.places import resolve_province
from store import open_store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "pw.db"
    st = open_store(path)
    add(st, "https://www.ndrc.gov.cn/list.html", "关于公布首批生物制造中试能力建设平台名单的通知",
        "江南大学牵头建设的食品及添加剂生物制造中试能力建设平台（江苏省无锡市）。", tags=[("province", "Shandong")],
        announcement=True, published="2025-12-22")
    add(st, "https://www.ndrc.gov.cn/exact.html", "中试平台投入使用", "某中试平台正式投入使用。",
        tags=[("province", "Shandong")], published="2025-06-01")
    add(st, "https://www.ndrc.gov.cn/far.html", "中试基地建设", "中试基地与公共技术服务和数据共享平台同步建设。",
        published="2025-07-01")
    add(st, "https://www.ndrc.gov.cn/other.html", "平台经济", "平台经济健康发展，中试另议。", published="2025-08-01")
    st.close()
    return path


def names(rows):
    return [r["url"].rsplit("/", 1)[1] for r in rows]


@pytest.mark.parametrize("spelling", ["Shandong", "shandong", "Shandong Province", "  shandong   province ", "山东",
                                      "山东省", "370000", "37", "Shandong Sheng"])
def test_province_spellings(spelling):
    assert resolve_province(spelling) == ("Shandong", "370000")


@pytest.mark.parametrize("spelling, name", [("Guangxi Zhuang Autonomous Region", "Guangxi"),
                                            ("Inner Mongolia Autonomous Region", "Inner Mongolia"),
                                            ("Hong Kong SAR", "Hong Kong"), ("Beijing Municipality", "Beijing"),
                                            ("Xinjiang Uyghur Autonomous Region", "Xinjiang"), ("西藏自治区", "Tibet")])
def test_province_formal_names(spelling, name):
    assert resolve_province(spelling)[0] == name


@pytest.mark.parametrize("bad", ["Atlantis", "Shandong County", "3700", "38", ""])
def test_unknown_provinces_are_none(bad):
    assert resolve_province(bad) is None


def test_search_and_export_take_any_province_spelling_and_refuse_unknown_ones(db):
    runs = [CliRunner().invoke(cli, ["search", "平台", "--db", str(db), "--json", "--province", p])
            for p in ("Shandong", "Shandong Province", "山东", "37")]
    assert all(r.exit_code == 0 for r in runs) and len({r.output for r in runs}) == 1
    assert runs[0].output.count("\n") == 2
    bad = CliRunner().invoke(cli, ["export", "--db", str(db), "--province", "Atlantis"])
    assert bad.exit_code == 2 and "'Atlantis' is not a province" in bad.output and "Shandong" in bad.output


def test_a_chinese_term_finds_its_words_a_few_characters_apart_unless_quoted(db):
    st = open_store(db, readonly=True)
    try:
        assert sorted(names(research.search(st, "中试平台"))) == ["exact.html", "list.html"]
        assert names(research.search(st, '"中试平台"')) == ["exact.html"]  # quoted: the exact string only
        assert names(research.search(st, "中试平台", order="relevance"))[0] == "exact.html"  # exact ranks first
        # 中试…平台 twenty characters apart, or in the other order far apart, are no match
        assert "far.html" not in names(research.search(st, "中试平台"))
        assert "other.html" not in names(research.search(st, "中试平台"))
    finally:
        st.close()


def test_search_orders_by_relevance_or_date_and_explains_the_star(db):
    by_date = CliRunner().invoke(cli, ["search", "中试", "--db", str(db), "--order", "date"])
    assert by_date.exit_code == 0
    lines = [ln for ln in by_date.output.splitlines() if ln[:1] in ("★", "2") and not ln.startswith("★ =")]
    dates = [ln.split()[1] if ln.startswith("★") else ln.split()[0] for ln in lines]
    assert dates == sorted(dates, reverse=True) and len(dates) == 4
    assert "★ = platform announcement" in by_date.output and "newest first" in by_date.output
    assert lines[0].startswith("★ 2025-12-22")
    helptext = CliRunner().invoke(cli, ["search", "--help"]).output
    assert "★ marks a platform announcement" in helptext and "中试能力建设平台" in helptext


def test_csv_opens_in_excel_cleanly_and_safely():
    rows = [{"id": 1, "url": "https://www.gov.cn/a", "title_zh": "=HYPERLINK(\"http://evil\",\"点击\")",
             "title_en": "+cmd|' /C calc'!A0", "body_zh": "中" * 40_000, "sectors": ["enzymes", "energy"],
             "source": "govcn"}]
    text = research.to_csv(rows)
    assert text.startswith("\ufeff") and "\r\n" in text and "\n" not in text.replace("\r\n", "")
    (row,) = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["title_zh"].startswith("'=HYPERLINK") and row["title_en"].startswith("'+cmd")
    assert len(row["body_zh"]) <= research.EXCEL_CELL_MAX and "JSON Lines export has the whole text" in row["body_zh"]
    assert row["sectors"] == "enzymes; energy" and row["url"] == "https://www.gov.cn/a"
