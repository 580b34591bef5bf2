"""Contact cards (联系卡): who edits them, who sees them, their QR code, and the directory."""

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.core.errors import NotAllowed
from bangban.public.models import ContactCard
from bangban.public.services import save_contact_card
from bangban.public.tests.factories import ContactCardFactory
from bangban.public.views import card_qr_svg
from tests.factories import (
    AgencyFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def _png(name="photo.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _fields(**extra):
    return {"name": "王晓敏", "phone": "0543-3161006", "staff_number": "BZ-BB-006",
            "title": "帮办代办专员", "services": "全流程帮办代办", "is_published": "on",
            **extra}


def test_a_specialist_creates_and_publishes_a_card_with_a_photo(client):
    user = MembershipFactory(role=Role.SPECIALIST, staff_number="BZ-BB-006",
                             title="帮办代办专员").user
    client.force_login(user)
    form = client.get(reverse("public:edit_card")).context["form"]
    assert form.initial["staff_number"] == "BZ-BB-006"
    response = client.post(reverse("public:edit_card"), _fields(photo=_png()))
    card = ContactCard.objects.get(user=user)
    assert response.status_code == 302 and response["Location"] == reverse("public:card",
                                                                            args=[card.pk])
    assert card.is_published and card.photo
    client.logout()
    photo = client.get(reverse("public:card_photo", args=[card.pk]))
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == PNG


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_saved(client):
    user = MembershipFactory(role=Role.SPECIALIST).user
    client.force_login(user)
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(reverse("public:edit_card"), _fields(photo=fake),
                           headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["form"].errors["photo"] == [
        "The photo must be a JPEG, PNG or WebP image."]
    assert not ContactCard.objects.exists()


def test_missing_name_and_phone_are_shown_back(client):
    client.force_login(MembershipFactory(role=Role.SPECIALIST).user)
    response = client.post(reverse("public:edit_card"), _fields(name="", phone=""))
    assert set(response.context["form"].errors) == {"name", "phone"}
    assert not ContactCard.objects.exists()


def test_company_users_have_no_card_and_anonymous_visitors_must_log_in(client):
    assert client.get(reverse("public:edit_card")).status_code == 302
    client.force_login(CompanyContactFactory().user)
    assert client.get(reverse("public:edit_card")).status_code == 403
    assert client.post(reverse("public:edit_card"), _fields()).status_code == 403
    assert not ContactCard.objects.exists()


def test_only_the_user_or_an_administrator_of_their_agency_saves_a_card():
    owner = MembershipFactory(role=Role.SPECIALIST).user
    agency = owner.memberships.get().agency
    with pytest.raises(NotAllowed):
        save_contact_card(user=owner, by=MembershipFactory(role=Role.SPECIALIST).user,
                          name="x", phone="1")
    with pytest.raises(NotAllowed):
        save_contact_card(user=owner, by=MembershipFactory(role=Role.ADMINISTRATOR).user,
                          name="x", phone="1")
    admin = MembershipFactory(role=Role.ADMINISTRATOR, agency=agency).user
    card = save_contact_card(user=owner, by=admin, name=" 王晓敏 ", phone="0543-1")
    assert card.name == "王晓敏" and not card.is_published
    with pytest.raises(NotAllowed):
        save_contact_card(user=CompanyContactFactory().user, by=admin, name="x", phone="1")


def test_an_unpublished_card_is_seen_only_by_its_owner_and_administrators(client):
    city = AgencyFactory()
    district = AgencyFactory(parent=city)
    card = ContactCardFactory(is_published=False, membership__agency=district)
    url = reverse("public:card", args=[card.pk])
    pdf_url = reverse("printing:contact_card", args=[card.pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    # An administrator of another agency: the authorization matrix found this one open.
    client.force_login(MembershipFactory(role=Role.ADMINISTRATOR).user)
    assert client.get(url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    client.force_login(card.user)
    assert client.get(url).status_code == 200
    for agency in (district, city):
        client.force_login(MembershipFactory(role=Role.ADMINISTRATOR, agency=agency).user)
        assert client.get(url).status_code == 200


def test_card_page_shows_the_card_and_a_qr_code_of_its_absolute_url(client):
    card = ContactCardFactory(name="刘洋", phone="0543-3161007")
    response = client.get(reverse("public:card", args=[card.pk]))
    html = response.content.decode()
    assert "刘洋" in html and "0543-3161007" in html and "材料形式审核" in html
    url = f"http://testserver{reverse('public:card', args=[card.pk])}"
    assert response.context["card_url"] == url
    assert response.context["qr_svg"] == card_qr_svg(url)
    assert card_qr_svg(url) == segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)
    assert html.count("<svg") == 1
    assert client.get(reverse("public:card_photo", args=[card.pk])).status_code == 404


def test_directory_groups_published_cards_by_agency_and_role(client):
    city = AgencyFactory(name="市中心")
    chief = ContactCardFactory(name="孙志强", membership__role=Role.CHIEF_SPECIALIST,
                               membership__agency=city)
    specialist = ContactCardFactory(name="陈静", membership__agency=city)
    department = DepartmentFactory(agency=city, name="市住建局")
    rep = ContactCardFactory(name="李代表", membership=False)
    MembershipFactory(user=rep.user, agency=city, role=Role.DEPARTMENT_REPRESENTATIVE,
                      department=department)
    ContactCardFactory(name="未公开", is_published=False, membership__agency=city)
    response = client.get(reverse("public:directory"))
    [entry] = response.context["agencies"]
    assert entry.agency == city
    assert entry.chiefs == [chief] and entry.specialists == [specialist]
    assert entry.departments == {department: [rep]}
    assert "未公开" not in response.content.decode()


def test_directory_costs_the_same_queries_for_few_or_many_cards(client):
    agency = AgencyFactory()
    ContactCardFactory(membership__agency=agency)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("public:directory"))
    for n in range(6):
        ContactCardFactory(membership__agency=AgencyFactory() if n % 2 else agency,
                           membership__role=Role.CHIEF_SPECIALIST if n % 3 else Role.SPECIALIST)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("public:directory"))
    assert len(few) == len(many)
