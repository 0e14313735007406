"""extract.places: provinces, cities, county-level divisions and development zones, and the tables behind them.

The sentences are written for these tests.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from extract import resources
from extract.places import PlaceHit, find_places, leading_chain
from zhtext.script import fold as normalize
from zhtext.script import t2s_rows


def places(text: str, lang: str = "zh") -> list[PlaceHit]:
    return find_places(normalize(text), lang)


def spans(text: str, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(evidence sliced from the original text, via, most specific code) for each hit."""
    return [(text[h.start : h.end], h.via, h.code) for h in places(text, lang)]


# --- county names shared across provinces -----------------------------------------------------------------------------


def test_shared_county_name_takes_the_preceding_city():
    beijing, changchun = places("北京市朝阳区"), places("长春市朝阳区")
    assert [(h.via, h.code) for h in beijing] == [("province", "110000"), ("county", "110105")]
    assert [(h.via, h.code) for h in changchun] == [("city", "220100"), ("county", "220104")]
    assert changchun[1].city is not None and changchun[1].city.name_en == "Changchun"
    assert changchun[1].province.name_en == "Jilin"
    # Beijing is a province-level municipality, not a prefecture-level city.
    assert beijing[1].city is None and beijing[1].province.name_en == "Beijing"


def test_shared_county_name_uses_the_nearest_place_only():
    # The nearest preceding place decides, even a county of the same city (绿园区 is in Changchun).
    assert spans("长春市绿园区、朝阳区")[-1] == ("朝阳区", "county", "220104")
    # The nearest preceding place is Shanghai, which has no 朝阳区: dropped, not guessed.
    assert spans("长春市与上海市朝阳区") == [("长春市", "city", "220100"), ("上海市", "province", "310000")]
    assert spans("朝阳区举办社区文化节") == []


# --- zones ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "city", "province"),
    [
        ("东湖高新区", "420100", "Wuhan", "Hubei"),
        ("武汉东湖新技术开发区", "420100", "Wuhan", "Hubei"),
        ("青岛西海岸新区", "370211", "Qingdao", "Shandong"),
        ("苏州工业园区", "320571", "Suzhou", "Jiangsu"),
        ("张江", "310115", None, "Shanghai"),
        ("天津滨海新区", "120116", None, "Tianjin"),
        ("光谷生物城", "420100", "Wuhan", "Hubei"),
        ("泰州医药高新区", "321271", "Taizhou", "Jiangsu"),
        ("雄安新区", "130600", "Baoding", "Hebei"),
    ],
)
def test_zone_resolves_to_its_city_and_province(text, code, city, province):
    [hit] = places(text)
    assert (hit.start, hit.end, hit.via) == (0, len(text), "zone")
    assert hit.code == code
    assert (hit.city.name_en if hit.city else None) == city
    assert hit.province.name_en == province


def test_zone_county_is_kept_when_the_zone_lies_in_one():
    [hit] = places("青岛西海岸新区")
    assert hit.county is not None and (hit.county.name, hit.county.code) == ("黄岛区", "370211")
    assert hit.zone is not None and hit.zone.kind == "new_area"
    [hit] = places("东湖高新区")
    assert hit.county is None and hit.zone is not None and hit.zone.kind == "hi_tech"


def test_district_named_alone_is_a_county():
    assert spans("滨海新区") == [("滨海新区", "county", "120116")]


def test_generic_zone_word_counts_only_right_after_its_city():
    assert spans("济南市高新区") == [("济南市", "city", "370100"), ("高新区", "zone", "370171")]
    assert spans("昆山市经济技术开发区")[-1] == ("经济技术开发区", "zone", "320583")
    assert spans("北京市经开区")[-1] == ("经开区", "zone", "110000")
    assert spans("各地高新区要加强中试平台建设") == []
    assert spans("济南市有关部门和高新区") == [("济南市", "city", "370100")]


# --- county-level names -----------------------------------------------------------------------------------------------


def test_county_alone_resolves_upwards():
    [hit] = places("近日，金坛区与江南大学签约共建中试平台。")
    assert (hit.via, hit.code) == ("county", "320413")
    assert hit.city is not None and (hit.city.name, hit.city.name_en) == ("常州市", "Changzhou")
    assert hit.province.name_en == "Jiangsu"


def test_full_address_chain():
    text = "江苏省常州市金坛区华罗庚科技园"
    assert spans(text) == [
        ("江苏省", "province", "320000"),
        ("常州市", "city", "320400"),
        ("金坛区", "county", "320413"),
    ]
    assert leading_chain(text, 0, len(text)) == (3, text.index("华罗庚"))


def test_short_names_of_counties_and_ordinary_words_are_not_places():
    assert spans("孙中山先生故居位于中山路，朝阳产业发展迅速。") == []
    assert spans("中山市翠亨新区") == [("中山市", "city", "442000")]
    assert spans("历城的平台") == []  # county short names are never matched


def test_two_character_county_names_need_their_city_or_province():
    assert spans("安徽省和县")[-1] == ("和县", "county", "340523")
    assert spans("马鞍山市和县")[-1] == ("和县", "county", "340523")
    assert spans("各市和县级财政") == []
    assert spans("江苏和县") == [("江苏", "province", "320000")]  # 和县 is in Anhui
    assert spans("现代县域经济") == []


def test_county_names_that_are_ordinary_words():
    assert spans("城区人口持续增长，老城区改造") == []
    assert spans("阳泉市城区")[-1] == ("城区", "county", "140302")
    assert spans("其中山区面积占六成") == []
    assert spans("大连市中山区")[-1] == ("中山区", "county", "210202")


def test_names_running_into_a_word_are_not_places():
    assert spans("中原区域协同发展") == []
    assert spans("海南区块链产业") == [("海南", "province", "460000")]
    assert spans("沿海城市的生物制造") == []  # not 海城市 (Anshan)
    assert spans("辽宁省海城市")[-1] == ("海城市", "county", "210381")


def test_vetoes_still_win():
    assert spans("长治久安，三明治") == []
    assert spans("各省、自治区、直辖市及新疆生产建设兵团") == []


# --- normalisation and offsets ----------------------------------------------------------------------------------------


def test_traditional_text_offsets_slice_the_original():
    text = "廣東省深圳市光明區的合成生物中試平臺，由深圳先進院牽頭（２０２５年）。"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm.startswith("广东省深圳市光明区的合成生物中试平台")
    hits = find_places(norm, "zh")
    assert [(text[h.start : h.end], h.code) for h in hits] == [
        ("廣東省", "440000"),
        ("深圳市", "440300"),
        ("光明區", "440311"),
        ("深圳", "440300"),
    ]


def test_gazetteer_names_are_fixed_points_of_normalisation():
    # Names are matched on normalised text; a name that normalisation rewrote could never match as written.
    names = [p.name for p in resources.provinces()] + [c.name for c in resources.cities()]
    names += [c.name for c in resources.counties()] + [z.name for z in resources.zones()]
    changed = [n for n in names if normalize(n) != unicodedata.normalize("NFKC", n)]
    assert changed == []


def test_t2s_table_is_opencc_character_data():
    opencc = pytest.importorskip("opencc")
    converter = opencc.OpenCC("t2s")
    ours = [(t, s) for t, s, source in t2s_rows() if source == "opencc"]
    assert len(ours) > 3000
    assert [(t, s) for t, s in ours if converter.convert(t) != s] == []
    # OpenCC's t2s keeps the length; tw2sp does not (it rewrites Taiwan vocabulary), hence character-level folding.
    assert len(converter.convert("網際網路")) == 4 and len(opencc.OpenCC("tw2sp").convert("網際網路")) == 3


# --- English ----------------------------------------------------------------------------------------------------------


def test_english_provinces_cities_and_zones():
    text = (
        "The platform in Jinan, Shandong, joins others in Wuhan's Optics Valley, Xi'an and the Tianjin Binhai "
        "New Area; Suzhou Industrial Park and Jilin City also applied."
    )
    got = [(text[h.start : h.end], h.via, h.code) for h in find_places(text, "en")]
    assert got == [
        ("Jinan", "city", "370100"),
        ("Shandong", "province", "370000"),
        ("Wuhan", "city", "420100"),
        ("Optics Valley", "zone", "420100"),
        ("Xi'an", "city", "610100"),
        ("Tianjin Binhai New Area", "zone", "120116"),
        ("Suzhou Industrial Park", "zone", "320571"),
        ("Jilin City", "city", "220200"),
    ]


def test_english_names_shared_by_two_cities():
    assert spans("A base in Taizhou, Jiangsu province", "en")[0] == ("Taizhou", "city", "321200")
    assert spans("Zhejiang's Taizhou", "en")[-1] == ("Taizhou", "city", "331000")
    assert spans("a plant in Suzhou", "en") == []  # Suzhou (Jiangsu) or Suzhou (Anhui): not guessed
    assert spans("Jilin province", "en") == [("Jilin", "province", "220000")]
    assert spans("Jinanese wuhan", "en") == []  # whole words, case-sensitive


# --- tables -----------------------------------------------------------------------------------------------------------


def test_codes_are_unique_and_well_formed():
    for rows in (resources.provinces(), resources.cities(), resources.counties()):
        codes = [r.code for r in rows]
        assert len(codes) == len(set(codes))
        assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    all_codes = [r.code for rows in (resources.provinces(), resources.cities(), resources.counties()) for r in rows]
    assert len(all_codes) == len(set(all_codes))


def test_county_table():
    counties = resources.counties()
    assert len(counties) >= 2800
    cities = resources.city_by_code()
    provinces = {p.code for p in resources.provinces()}
    for c in counties:
        assert c.province_code in provinces and c.code[:2] == c.province_code[:2], c
        if c.city_code in cities:
            continue
        # No prefecture: a municipality's district, or a county-level unit governed by the province (4290xx, 6590xx).
        assert c.city_code == c.province_code, c
        assert c.province_code in ("110000", "120000", "310000", "500000") or c.code[2:4] == "90", c
    by_name = {(c.name, c.city_code): c.code for c in counties}
    assert by_name[("朝阳区", "110000")] == "110105" and by_name[("朝阳区", "220100")] == "220104"
    assert by_name[("金坛区", "320400")] == "320413" and by_name[("临平区", "330100")] == "330113"
    assert by_name[("仙桃市", "420000")] == "429004"


def test_every_county_resolves_after_its_city_or_province():
    provinces = {p.code: p for p in resources.provinces()}
    cities = resources.city_by_code()
    for c in resources.counties():
        parent = cities[c.city_code].name if c.city_code in cities else provinces[c.province_code].name
        hits = places(parent + c.name)
        assert [(h.start, h.via, h.code) for h in hits[1:]] == [(len(parent), "county", c.code)], (parent, c.name)


def test_zone_table():
    zones = resources.zones()
    counties = {c.code for c in resources.counties()}
    cities = resources.city_by_code()
    for z in zones:
        assert z.city_code in cities or z.city_code == z.province_code, z
        own_statistical = z.code[4] == "7" and z.code[:4] == z.city_code[:4]
        assert z.code in counties or z.code == z.city_code or own_statistical, z
    kinds = [z.kind for z in zones]
    assert kinds.count("new_area") == 19
    assert kinds.count("hi_tech") >= 170 and kinds.count("etdz") >= 230


def test_every_zone_name_finds_its_zone():
    for z in resources.zones():
        for name in (z.name, *z.aliases):
            hits = places(name)
            assert [(h.start, h.end) for h in hits] == [(0, len(name))], name
            assert hits[0].zone == z or (hits[0].via == "county" and hits[0].code == z.code), name


def test_every_city_has_an_english_name():
    rows = resources.cities()
    assert all(re.fullmatch(r"[A-Z][\w' -]+", c.name_en) for c in rows)
    by_name = {c.name: c.name_en for c in rows}
    assert by_name["济南市"] == "Jinan" and by_name["恩施土家族苗族自治州"] == "Enshi"
    assert by_name["呼和浩特市"] == "Hohhot" and by_name["乌鲁木齐市"] == "Urumqi"
    assert by_name["拉萨市"] == "Lhasa" and by_name["喀什地区"] == "Kashgar"
    provinces = {p.name_en: p.code for p in resources.provinces()}
    shared = {n for n in by_name.values() if list(by_name.values()).count(n) > 1}
    assert shared == {"Suzhou", "Taizhou", "Fuzhou", "Yichun", "Yulin"}
    for c in rows:
        expected = [provinces[c.name_en]] if c.name_en in provinces else [] if c.name_en in shared else [c.code]
        assert [h.code for h in find_places(c.name_en, "en")] == expected, c.name_en  # Jilin, Hainan: the province
