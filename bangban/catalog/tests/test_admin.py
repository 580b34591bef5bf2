import pytest
from django.urls import reverse

from bangban.catalog.loader import load_catalog
from bangban.catalog.models import Matter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog():
    load_catalog()


@pytest.mark.parametrize("model", ["stage", "matter", "defaultitem"])
def test_changelists_render(admin_client, model):
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_matter_page_shows_its_materials_inline(admin_client):
    matter = Matter.objects.get(code="21")
    response = admin_client.get(reverse("admin:catalog_matter_change", args=[matter.pk]))
    assert response.status_code == 200
    assert "全套施工图" in response.content.decode()


def test_matters_filter_by_department_kind_and_show_the_basis(admin_client):
    response = admin_client.get(
        reverse("admin:catalog_matter_changelist"),
        {"department_kind": "water"},
        headers={"accept-language": "en"},
    )
    content = response.content.decode()
    assert "水土保持方案审批" in content
    assert "项目建议书审批" not in content
    assert "20 working days (L)" in content


def test_matters_search_by_code_or_name(admin_client):
    url = reverse("admin:catalog_matter_changelist")
    assert "施工图联合审查" in admin_client.get(url, {"q": "施工图"}).content.decode()
    assert "不动产首次登记" in admin_client.get(url, {"q": "33"}).content.decode()


def test_default_items_list_by_category(admin_client):
    response = admin_client.get(reverse("admin:catalog_defaultitem_changelist"), {"category": "E"})
    content = response.content.decode()
    assert "老旧小区改造方案联合审查" in content
    assert "项目建议书审批" not in content
