"""The bundled catalog.toml, once loaded, says what ../shared/catalog.md says.

The expectations are copied from catalog.md by hand, not read from the TOML file.
"""

import pytest

from bangban.accounts.models import DepartmentKind as K
from bangban.catalog.loader import load_catalog
from bangban.catalog.models import DefaultItem, LimitBasis, LimitUnit, Matter, Stage
from bangban.projects.models import Category

pytestmark = pytest.mark.django_db

W, C = LimitUnit.WORKING_DAY, LimitUnit.CALENDAR_DAY

# code: (stage, department kind, legal, legal unit, legal basis, promised, unit, basis)
MATTERS = {
    "00": (0, K.INVESTMENT_PLATFORM, 1, W, "E", 1, W, "E"),
    "01": (1, K.DEVELOPMENT_REFORM, 20, W, "E", 3, W, "S"),
    "02": (1, K.DEVELOPMENT_REFORM, 20, W, "L", 5, W, "S"),
    "03": (1, K.DEVELOPMENT_REFORM, 1, W, "L", 1, W, "L"),
    "04": (1, K.DEVELOPMENT_REFORM, 20, W, "S", 20, W, "S"),
    "05": (1, K.NATURAL_RESOURCES, 20, W, "L", 7, W, "S"),
    "06": (1, K.NATURAL_RESOURCES, 10, W, "E", 5, W, "E"),
    "07": (1, K.NATURAL_RESOURCES, 20, W, "L", 3, W, "S"),
    "08": (1, K.DEVELOPMENT_REFORM, 20, W, "E", 10, W, "E"),
    "09": (1, K.ECOLOGY_ENVIRONMENT, 60, C, "L", 10, W, "S"),
    "10": (1, K.WATER, 20, W, "L", 10, W, "S"),
    "11": (1, K.WATER, 20, W, "E", 10, W, "E"),
    "12": (2, K.NATURAL_RESOURCES, 12, W, "E", 5, W, "E"),
    "13": (2, K.NATURAL_RESOURCES, 20, W, "L", 2, W, "S"),
    "14": (2, K.DEVELOPMENT_REFORM, 20, W, "L", 5, W, "E"),
    "15": (2, K.CIVIL_AIR_DEFENCE, 20, W, "L", 10, W, "S"),
    "16": (2, K.POWER_SUPPLY, 38, W, "S", 38, W, "S"),
    "17": (2, K.URBAN_MANAGEMENT, 20, W, "L", 5, W, "S"),
    "18": (2, K.FORESTRY_GARDENS, 10, W, "E", 5, W, "E"),
    "19": (2, K.TRANSPORT, 20, W, "L", 10, W, "E"),
    "20": (2, K.METEOROLOGY, 10, W, "S", 5, W, "E"),
    "21": (3, K.HOUSING_CONSTRUCTION, 15, W, "S", 15, W, "S"),
    "22": (3, K.HOUSING_CONSTRUCTION, 15, W, "S", 15, W, "S"),
    "23": (3, K.HOUSING_CONSTRUCTION, 7, C, "L", 5, W, "S"),
    "24": (3, K.HOUSING_CONSTRUCTION, 10, C, "L", 5, W, "E"),
    "25": (4, K.NATURAL_RESOURCES, 5, W, "S", 5, W, "S"),
    "26": (4, K.HOUSING_CONSTRUCTION, 15, C, "L", 10, W, "E"),
    "27": (4, K.CIVIL_AIR_DEFENCE, 5, W, "E", 5, W, "E"),
    "28": (4, K.URBAN_ARCHIVES, 5, W, "E", 5, W, "E"),
    "29": (4, K.HOUSING_CONSTRUCTION, 8, W, "S", 8, W, "S"),
    "30": (4, K.HOUSING_CONSTRUCTION, 15, C, "S", 5, W, "E"),
    "31": (4, K.WATER, 20, W, "L", 10, W, "S"),
    "32": (4, K.CONSTRUCTION_UNIT, 5, W, "S", 5, W, "S"),
    "33": (5, K.REAL_ESTATE_REGISTRATION, 30, W, "L", 5, W, "S"),
    "34": (1, K.HOUSING_CONSTRUCTION, 10, W, "E", 5, W, "E"),
}

PREREQUISITES = {
    "02": {"05", "08"},
    "06": {"05"},
    "07": {"06"},
    "12": {"07"},
    "13": {"12"},
    "23": {"13", "21"},
    "24": {"23"},
    "30": {"29"},
    "33": {"30"},
}

DEFAULT_SETS = {
    "A": "00 01 02 05 08 10 06 07 12 13 14 15 16 21 23 25 26 27 28 29 30",
    "B": "00 01 02 05 11 13 14 17 18 19 21 23 29 30 32",
    "C": "00 03 06 07 08 09 10 11 13 20 21 23 29 30 31 32 33",
    "D": "00 03 06 07 12 13 15 16 21 22 23 24 25 26 27 28 29 30 33",
    "E": "00 34 18 21 23 29 30",
    "F": "00 03 06 07 13 21 23 25 26 27 28 29 30 33",
    "G": "00 03 13 21 23 29 30",
}


@pytest.fixture(autouse=True)
def catalog():
    return load_catalog()


def matter(code):
    return Matter.objects.get(code=code)


def test_six_stages_with_their_chinese_names():
    assert list(Stage.objects.values_list("code", "name")) == [
        (0, "前期（企业设立、项目赋码）"),
        (1, "立项用地规划许可"),
        (2, "工程建设许可"),
        (3, "施工许可"),
        (4, "竣工验收"),
        (5, "市政公用接入及投产"),
    ]


def test_all_thirty_four_matters_and_the_renovation_scheme_are_loaded_and_active():
    codes = set(Matter.objects.filter(is_active=True).values_list("code", flat=True))
    assert codes == {f"{n:02d}" for n in range(35)}


def test_summary_counts_what_the_file_holds(catalog):
    assert (catalog.stages, catalog.matters, catalog.default_items) == (6, 35, 100)
    assert (catalog.created, catalog.updated, catalog.deactivated) == (41, 0, 0)
    assert catalog.default_sets_replaced == 7


@pytest.mark.parametrize("code", sorted(MATTERS))
def test_stage_department_and_limits_follow_catalog_md(code):
    m = matter(code)
    assert (
        m.stage.code,
        m.department_kind,
        m.legal_limit,
        m.legal_limit_unit,
        m.legal_limit_basis,
        m.promised_limit,
        m.promised_limit_unit,
        m.promised_limit_basis,
    ) == MATTERS[code]


def test_environmental_review_has_sixty_statutory_calendar_days_and_notes_the_report_form():
    m = matter("09")
    assert (m.legal_limit, m.legal_limit_unit, m.legal_limit_basis) == (60, C, LimitBasis.STATUTORY)
    assert "30日" in m.limit_note
    assert "E豁免" in m.applicability_note


def test_construction_permit_has_seven_statutory_calendar_days_after_planning_and_drawings():
    m = matter("23")
    assert (m.legal_limit, m.legal_limit_unit, m.legal_limit_basis) == (7, C, LimitBasis.STATUTORY)
    assert set(m.prerequisites.values_list("code", flat=True)) == {"13", "21"}


def test_prerequisites_are_exactly_the_after_entries_of_catalog_md():
    actual = {
        m.code: set(m.prerequisites.values_list("code", flat=True)) for m in Matter.objects.all()
    }
    assert {code: codes for code, codes in actual.items() if codes} == PREREQUISITES


def test_drawings_review_and_fire_design_review_are_one_joint_group():
    assert matter("21").parallel_group
    assert matter("22").parallel_group == matter("21").parallel_group
    assert "联合" in matter("21").sequence_note
    assert "并入21" in matter("22").sequence_note


def test_joint_acceptance_takes_in_the_matters_handled_within_it():
    group = matter("29").parallel_group
    assert group
    for code in ["25", "26", "27", "28"]:
        assert matter(code).parallel_group == group
        assert "纳入29" in matter(code).sequence_note


def test_statutory_twenty_days_mention_the_ten_day_extension():
    for m in Matter.objects.filter(legal_limit=20, legal_limit_basis=LimitBasis.STATUTORY):
        assert "延长10个工作日" in m.limit_note, m.code


def test_fire_design_review_notes_the_uncounted_expert_review():
    assert "专家评审≤20个工作日，不计入时限" in matter("22").limit_note


def test_utility_hook_up_is_filed_under_power_supply_and_keeps_every_published_limit():
    m = matter("16")
    assert m.department_note == "公用企业（水、气、电、通信）"
    for text in ["≤3", "低压≤15", "10千伏≤38", "供电"]:
        assert text in m.limit_note


def test_renovation_scheme_is_an_estimate_in_the_land_and_planning_stage():
    m = matter("34")
    assert m.stage.code == 1
    assert m.legal_limit_basis == m.promised_limit_basis == LimitBasis.ESTIMATE
    assert m.applicability_note == "E"


def test_key_materials_are_split_into_separate_names_in_order():
    assert list(matter("05").materials.values_list("name", flat=True)) == [
        "申请表",
        "立项依据",
        "红线图",
        "拐点坐标",
    ]
    assert list(matter("30").materials.values_list("name", flat=True)) == [
        "备案表",
        "专项验收意见",
        "保修书",
    ]


def test_department_notes_keep_the_published_text():
    assert matter("14").department_note == "发展改革 / 住建"
    assert matter("17").department_note == "城市管理 / 住建；公安交警"
    assert matter("24").department_note == "住建（房管）"


@pytest.mark.parametrize("category", Category.values)
def test_each_category_has_its_default_set_in_the_documented_order(category):
    codes = (
        DefaultItem.objects.filter(category=category)
        .order_by("position")
        .values_list("matter__code", flat=True)
    )
    assert " ".join(codes) == DEFAULT_SETS[category]


@pytest.mark.parametrize(
    ("category", "code", "text"),
    [
        ("A", "06", "划拨"),
        ("B", "11", "洪水影响评价"),
        ("C", "03", "4"),
        ("C", "06", "出让"),
        ("C", "20", "危险场所"),
        ("E", "21", "改变结构"),
        ("E", "23", "500"),
        ("F", "07", "同时核发"),
    ],
)
def test_conditional_default_items_say_when_they_apply(category, code, text):
    item = DefaultItem.objects.get(category=category, matter__code=code)
    assert text in item.condition_note


def test_unconditional_default_items_have_no_condition():
    assert DefaultItem.objects.get(category="D", matter__code="21").condition_note == ""
