import pytest

from bangban.catalog.loader import CatalogError, load_catalog, read_catalog
from bangban.catalog.models import DefaultItem, Matter, MatterMaterial, Stage
from tests.factories import MatterFactory

pytestmark = pytest.mark.django_db

# A small valid catalog; each bad-file case below changes one piece of it.
VALID = """
[[stages]]
code = 0
name = "前期"

[[stages]]
code = 1
name = "立项用地规划许可"

[[matters]]
code = "00"
name = "投资项目代码赋码"
stage = 0
department_kind = "investment_platform"
department_note = "投资项目在线审批监管平台"
legal_limit = 1
legal_limit_unit = "working_day"
legal_limit_basis = "E"
promised_limit = 1
promised_limit_unit = "working_day"
promised_limit_basis = "E"
materials = ["项目基本信息"]

[[matters]]
code = "01"
name = "项目建议书审批"
stage = 1
department_kind = "development_reform"
department_note = "发展改革"
legal_limit = 20
legal_limit_unit = "calendar_day"
legal_limit_basis = "L"
promised_limit = 3
promised_limit_unit = "working_day"
promised_limit_basis = "S"
materials = ["申请文件", "项目建议书"]
prerequisites = ["00"]

[default_items]
A = [{ matter = "00" }, { matter = "01", condition_note = "政府投资" }]
B = []
C = []
D = []
E = []
F = []
G = []
"""


def write(tmp_path, text, name="catalog.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old, new):
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


BAD_FILES = {
    "toml syntax": (
        changed("[default_items]", "[default_items"),
        "could not read",
    ),
    "unknown top-level key": (
        "version = 2\n" + VALID,
        'catalog.toml: unknown key "version"',
    ),
    "unknown matter key": (
        changed('prerequisites = ["00"]', 'prerequisites = ["00"]\ncolour = "red"'),
        'matter "01": unknown key "colour"',
    ),
    "missing required field": (
        changed('department_note = "发展改革"\n', ""),
        'matter "01": missing required field "department_note"',
    ),
    "missing section": (
        VALID.split("[default_items]")[0],
        'catalog.toml: missing required field "default_items"',
    ),
    "unknown department kind": (
        changed('"development_reform"', '"foo"'),
        'matter "01": unknown department_kind "foo"',
    ),
    "unknown unit": (
        changed('"calendar_day"', '"month"'),
        'matter "01": unknown legal_limit_unit "month"',
    ),
    "unknown basis": (
        changed('legal_limit_basis = "L"', 'legal_limit_basis = "X"'),
        'matter "01": unknown legal_limit_basis "X"',
    ),
    "unknown stage": (
        changed("stage = 1", "stage = 9"),
        'matter "01": unknown stage "9"',
    ),
    "unknown category": (
        changed("G = []", "G = []\nH = []"),
        'default_items: unknown category "H"',
    ),
    "missing category": (
        changed("G = []\n", ""),
        'default_items: missing category "G"',
    ),
    "unknown prerequisite": (
        changed('prerequisites = ["00"]', 'prerequisites = ["00", "99"]'),
        'matter "01": unknown prerequisite "99"',
    ),
    "default item naming an unknown matter": (
        changed('{ matter = "01", condition_note', '{ matter = "99", condition_note'),
        'default item 2 of category "A": unknown matter "99"',
    ),
    "default item twice in a category": (
        changed('{ matter = "01", condition_note', '{ matter = "00", condition_note'),
        'default item 2 of category "A": matter "00" is already in this category',
    ),
    "duplicate matter code": (
        changed('code = "01"', 'code = "00"'),
        'matter "00": duplicate code',
    ),
    "duplicate stage code": (
        changed("code = 1\n", "code = 0\n"),
        "stage 0: duplicate code",
    ),
    "prerequisite cycle": (
        changed("promised_limit = 1\n", 'promised_limit = 1\nprerequisites = ["01"]\n'),
        'matter "00": prerequisite cycle 00 → 01 → 00',
    ),
    "matter its own prerequisite": (
        changed('prerequisites = ["00"]', 'prerequisites = ["01"]'),
        'matter "01": prerequisite cycle 01 → 01',
    ),
    "limit not a number": (
        changed("promised_limit = 3", 'promised_limit = "three"'),
        'matter "01": "promised_limit" must be a whole number from 0 to 32767',
    ),
    "limit negative": (
        changed("promised_limit = 3", "promised_limit = -3"),
        'matter "01": "promised_limit" must be a whole number from 0 to 32767',
    ),
    "name too long": (
        changed('name = "项目建议书审批"', f'name = "{"长" * 129}"'),
        'matter "01": "name" is longer than 128 characters',
    ),
    "empty required text": (
        changed('name = "项目建议书审批"', 'name = ""'),
        'matter "01": "name" must not be empty',
    ),
    "material listed twice": (
        changed('["申请文件", "项目建议书"]', '["申请文件", "申请文件"]'),
        'matter "01": "materials" lists "申请文件" twice',
    ),
    "materials not a list": (
        changed('["申请文件", "项目建议书"]', '"申请文件、项目建议书"'),
        'matter "01": "materials" must be a list of non-empty texts',
    ),
    "matter without code": (
        changed('code = "01"\n', ""),
        'matter no. 2: missing required field "code"',
    ),
    "default item not a table": (
        changed("B = []", 'B = ["00"]'),
        'default item 1 of category "B": must be a table',
    ),
}


@pytest.fixture
def loaded():
    load_catalog()


def test_the_small_valid_catalog_loads(tmp_path):
    summary = load_catalog(write(tmp_path, VALID))
    assert (summary.stages, summary.matters, summary.materials, summary.default_items) == (
        2,
        2,
        3,
        2,
    )
    assert list(Matter.objects.get(code="01").prerequisites.values_list("code", flat=True)) == [
        "00"
    ]
    assert DefaultItem.objects.get(category="A", position=2).condition_note == "政府投资"


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_names_the_entry_and_changes_nothing(case, tmp_path, loaded, snapshot):
    text, message = BAD_FILES[case]
    before = snapshot()
    with pytest.raises(CatalogError) as raised:
        load_catalog(write(tmp_path, text))
    assert message in str(raised.value)
    assert snapshot() == before


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(CatalogError, match="could not read .*nowhere.toml"):
        read_catalog(tmp_path / "nowhere.toml")


def test_every_problem_in_the_file_is_reported_at_once(tmp_path):
    text = changed('"development_reform"', '"foo"').replace("G = []\n", "")
    with pytest.raises(CatalogError) as raised:
        read_catalog(write(tmp_path, text))
    assert raised.value.errors == [
        'matter "01": unknown department_kind "foo"',
        'default_items: missing category "G"',
    ]


def test_a_broken_matter_is_not_also_reported_as_unknown_where_it_is_named(tmp_path):
    with pytest.raises(CatalogError) as raised:
        read_catalog(write(tmp_path, changed("stage = 0", 'stage = "zero"')))
    assert raised.value.errors == ['matter "00": "stage" must be a whole number from 0 to 32767']


def test_loading_twice_changes_nothing(loaded, snapshot):
    before = snapshot()
    summary = load_catalog()
    assert (summary.created, summary.updated, summary.deactivated) == (0, 0, 0)
    assert summary.default_sets_replaced == 0
    assert snapshot() == before


def test_reloading_puts_back_what_was_edited_in_the_database(loaded):
    matter = Matter.objects.get(code="21")
    matter.name = "改过的名字"
    matter.save()
    matter.materials.first().delete()
    MatterMaterial.objects.create(matter=matter, name="多余的材料", position=9)
    matter.prerequisites.add(Matter.objects.get(code="00"))
    Matter.objects.filter(code="05").update(is_active=False)
    Stage.objects.filter(code=4).update(name="改过的阶段")
    DefaultItem.objects.filter(category="E", position=1).delete()

    summary = load_catalog()

    assert (summary.created, summary.updated) == (0, 3)
    assert summary.default_sets_replaced == 1
    matter.refresh_from_db()
    assert matter.name == "施工图联合审查（含消防、人防）"
    assert list(matter.materials.values_list("name", flat=True)) == ["全套施工图", "勘察文件"]
    assert not matter.prerequisites.exists()
    assert Matter.objects.get(code="05").is_active
    assert Stage.objects.get(code=4).name == "竣工验收"
    assert DefaultItem.objects.filter(category="E").count() == 7


def test_matter_missing_from_the_file_is_deactivated_not_deleted():
    MatterFactory(code="99", name="已撤销事项")

    first = load_catalog()
    second = load_catalog()

    assert not Matter.objects.get(code="99").is_active
    assert (first.deactivated, second.deactivated) == (1, 0)


def test_a_failure_while_writing_rolls_everything_back(loaded, snapshot, monkeypatch, tmp_path):
    before = snapshot()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DefaultItem.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        load_catalog(write(tmp_path, VALID))
    assert snapshot() == before
