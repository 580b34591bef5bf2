"""The public pages: open without logging in, the catalog and its search, the front door."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.catalog.models import LimitUnit, MatterMaterial
from tests.factories import AgencyFactory, MatterFactory, StageFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


def test_anonymous_visitor_at_the_root_lands_on_the_introduction(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("public:home")
    html = response.content.decode()
    for marker in ("service-introduction", "free-of-charge", "how-to-apply"):
        assert f'data-testid="{marker}"' in html


def test_a_logged_in_user_at_the_root_gets_the_workbench(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


def test_introduction_lists_the_agencies_to_contact_and_the_public_nav(client):
    AgencyFactory(name="滨州市政务服务中心", phone="0543-3161000", address="渤海七路599号")
    html = client.get(reverse("public:home"), headers=EN).content.decode()
    assert "0543-3161000" in html and "渤海七路599号" in html
    for name in ("public:catalog", "policies:list", "public:directory", "public:progress"):
        assert f'href="{reverse(name)}"' in html
    assert reverse("accounts:login") in html


@pytest.mark.parametrize("name", ["public:home", "public:catalog", "public:directory",
                                  "public:progress", "policies:list"])
def test_public_pages_need_no_login_and_fit_a_phone(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert 'name="viewport" content="width=device-width' in response.content.decode()


@pytest.fixture
def catalog(db):
    planning = StageFactory(code=1, name="立项用地规划许可")
    building = StageFactory(code=3, name="施工许可")
    permit = MatterFactory(code="20", name="建筑工程施工许可证核发", stage=building,
                           department_note="住房城乡建设", legal_limit=15, promised_limit=3)
    MatterMaterial.objects.create(matter=permit, name="施工合同", position=1)
    MatterMaterial.objects.create(matter=permit, name="安全生产承诺书", position=2,
                                  is_required=False)
    land = MatterFactory(code="03", name="建设用地规划许可证核发", stage=planning,
                         department_note="自然资源和规划", promised_limit=5,
                         promised_limit_unit=LimitUnit.CALENDAR_DAY)
    permit.prerequisites.add(land)
    MatterFactory(code="99", name="已停用事项", stage=building, is_active=False)
    return {"permit": permit, "land": land}


def _matters(response):
    return [m.code for m in response.context["matters"]]


def test_catalog_lists_active_matters_by_stage_with_limits_and_materials(client, catalog):
    response = client.get(reverse("public:catalog"))
    assert _matters(response) == ["03", "20"]
    html = response.content.decode()
    assert 'data-stage="1"' in html and 'data-stage="3"' in html
    assert "施工合同" in html and "住房城乡建设" in html
    assert "已停用事项" not in html


def test_catalog_search_by_words_department_and_stage(client, catalog):
    url = reverse("public:catalog")
    assert _matters(client.get(url, {"q": "施工许可"})) == ["20"]
    assert _matters(client.get(url, {"q": "自然资源"})) == ["03"]
    assert _matters(client.get(url, {"stage": "3"})) == ["20"]
    assert _matters(client.get(url, {"q": "规划", "stage": "3"})) == []
    assert 'data-testid="no-matters"' in client.get(url, {"q": "无此事项"}).content.decode()
    assert _matters(client.get(url, {"stage": "x"})) == ["03", "20"]


def test_matter_page_shows_limits_materials_and_prerequisites(client, catalog):
    response = client.get(reverse("public:matter", args=["20"]), headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "15 working days" in html and "3 working days" in html
    assert "安全生产承诺书" in html and "if applicable" in html
    assert reverse("public:matter", args=["03"]) in html
    assert client.get(reverse("public:matter", args=["99"])).status_code == 404
    assert client.get(reverse("public:matter", args=["nope"])).status_code == 404


def test_catalog_costs_the_same_queries_for_few_or_many_matters(client, catalog):
    url = reverse("public:catalog")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    stage = StageFactory(code=4, name="竣工验收")
    for n in range(10):
        matter = MatterFactory(stage=stage)
        MatterMaterial.objects.create(matter=matter, name=f"材料{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
