import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import resolve_url
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.companies import services
from bangban.companies.models import CompanyContact, VerificationChannel
from bangban.notifications.models import Channel, OutboxMessage
from bangban.notifications.services import in_app_only
from bangban.core.errors import NotAllowed
from tests.factories import (
    CompanyContactFactory,
    CompanyFactory,
    DepartmentFactory,
    MembershipFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Invited-2026!"


@pytest.fixture
def representative():
    return CompanyContactFactory(is_representative=True)


def invite(client, representative, django_capture_on_commit_callbacks, **overrides):
    client.force_login(representative.user)
    data = {"name": "赵敏", "phone": "13912345678", "email": "zhaomin@example.com",
            "position": "报建员", "channel": "email"}
    data.update(overrides)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("companies:invite", args=[representative.company.pk]),
                               data)
    return response


def outbox():
    return list(OutboxMessage.objects.order_by("pk"))


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_representative_invites_a_contact_who_then_creates_an_account(
    client, representative, django_capture_on_commit_callbacks
):
    response = invite(client, representative, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    contact = CompanyContact.objects.get(email="zhaomin@example.com")
    assert contact.company == representative.company
    assert contact.user is None and not contact.is_representative
    assert OutboxMessage.objects.count() == 1
    message = outbox()[0]
    assert (message.channel, message.address) == (Channel.EMAIL, "zhaomin@example.com")
    assert message.event == "contact_invited" and message.recipient is None
    link = link_in(message)
    assert link.startswith("http://testserver/companies/invitations/")

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert "赵敏" in page.content.decode()

    response = client.post(link, {"username": "zhaomin", "password1": PASSWORD,
                                  "password2": PASSWORD})

    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    contact.refresh_from_db()
    assert contact.user.username == "zhaomin" and contact.user.check_password(PASSWORD)
    assert contact.user.full_name == "赵敏" and contact.user.email == "zhaomin@example.com"
    assert client.session["_auth_user_id"] == str(contact.user.pk)


def test_a_used_invitation_cannot_be_used_again(
    client, representative, django_capture_on_commit_callbacks
):
    invite(client, representative, django_capture_on_commit_callbacks)
    link = link_in(outbox()[0])
    client.logout()
    client.post(link, {"username": "zhaomin", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()

    again = client.post(link, {"username": "other", "password1": PASSWORD,
                               "password2": PASSWORD})

    assert again.status_code == 400
    assert again.context["reason"] == "used"
    assert CompanyContact.objects.get(email="zhaomin@example.com").user.username == "zhaomin"


def test_an_expired_invitation_is_refused_with_a_clear_message(
    client, representative, django_capture_on_commit_callbacks, monkeypatch
):
    invite(client, representative, django_capture_on_commit_callbacks)
    link = link_in(outbox()[0])
    client.logout()
    later = time.time() + services.INVITATION_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.post(link, {"username": "zhaomin", "password1": PASSWORD,
                                  "password2": PASSWORD})

    assert response.status_code == 400
    assert response.context["reason"] == "expired"
    assert CompanyContact.objects.get(email="zhaomin@example.com").user is None


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "not-a-token",
    lambda token: signing.TimestampSigner(salt="another.salt").sign_object(
        {"contact": 1, "channel": "email", "to": "x@example.com"}),
])
def test_a_forged_invitation_is_refused(
    client, representative, django_capture_on_commit_callbacks, forge
):
    invite(client, representative, django_capture_on_commit_callbacks)
    token = link_in(outbox()[0]).rstrip("/").rsplit("/", 1)[1]
    client.logout()

    response = client.get(reverse("companies:accept_invitation", args=[forge(token)]))

    assert response.status_code == 400
    assert response.context["reason"] == "forged"


def test_an_invitation_for_a_changed_address_no_longer_works(representative):
    contact = services.invite_contact(company=representative.company, by=representative.user,
                                      name="赵敏", phone="13912345678",
                                      email="zhaomin@example.com")
    token = services.make_invitation_token(contact)
    contact.email = "someone-else@example.com"
    contact.save()

    with pytest.raises(services.InvalidInvitation) as raised:
        services.read_invitation(token)

    assert raised.value.reason == "stale"


def test_a_contact_who_is_not_an_administrator_cannot_invite(client):
    colleague = CompanyContactFactory(is_representative=False, is_administrator=False)
    client.force_login(colleague.user)

    response = client.get(reverse("companies:invite", args=[colleague.company.pk]))

    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        services.invite_contact(company=colleague.company, by=colleague.user, name="x",
                                phone="13912345678", email="x@example.com")


def test_another_companys_invitation_page_is_not_found(client, representative):
    client.force_login(CompanyContactFactory().user)

    response = client.post(reverse("companies:invite", args=[representative.company.pk]),
                           {"name": "x", "phone": "13912345678", "email": "x@example.com"})

    assert response.status_code == 404
    assert representative.company.contacts.count() == 1


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.CHIEF_SPECIALIST])
def test_service_staff_may_invite_a_companys_contact(role, django_capture_on_commit_callbacks):
    staff = MembershipFactory(role=role).user
    company = CompanyFactory()

    with django_capture_on_commit_callbacks(execute=True):
        contact = services.invite_contact(company=company, by=staff, name="赵敏",
                                          phone="13912345678", email="zhaomin@example.com",
                                          is_representative=True)

    assert contact.is_representative and contact.company == company
    assert OutboxMessage.objects.count() == 1


def test_supervisors_and_department_representatives_may_not_invite():
    supervisor = MembershipFactory(role=Role.SUPERVISOR).user
    department = DepartmentFactory()
    representative = MembershipFactory(role=Role.DEPARTMENT_REPRESENTATIVE,
                                       agency=department.agency, department=department).user

    for user in (supervisor, representative):
        with pytest.raises(NotAllowed):
            services.invite_contact(company=CompanyFactory(), by=user, name="赵敏",
                                    phone="13912345678", email="zhaomin@example.com")


def test_the_same_address_cannot_be_invited_twice(representative):
    services.invite_contact(company=representative.company, by=representative.user,
                            name="赵敏", phone="13912345678", email="zhaomin@example.com")

    with pytest.raises(ValidationError) as raised:
        services.invite_contact(company=representative.company, by=representative.user,
                                name="赵敏", phone="13912345678", email="ZHAOMIN@example.com")

    assert "email" in raised.value.message_dict


def test_an_invitation_can_be_sent_again(
    client, representative, django_capture_on_commit_callbacks
):
    invite(client, representative, django_capture_on_commit_callbacks)
    contact = CompanyContact.objects.get(email="zhaomin@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("companies:resend_invitation", args=[contact.pk]))

    assert response.status_code == 302
    assert OutboxMessage.objects.count() == 2
    assert link_in(outbox()[1]).startswith("http://testserver/companies/invitations/")


def test_accepting_needs_a_free_user_name_and_a_good_password(
    client, representative, django_capture_on_commit_callbacks
):
    invite(client, representative, django_capture_on_commit_callbacks)
    link = link_in(outbox()[0])
    client.logout()

    taken = client.post(link, {"username": representative.user.username,
                               "password1": PASSWORD, "password2": PASSWORD})
    weak = client.post(link, {"username": "zhaomin", "password1": "123", "password2": "123"})

    assert "username" in taken.context["form"].errors
    assert "password1" in weak.context["form"].errors
    assert CompanyContact.objects.get(email="zhaomin@example.com").user is None


def test_a_colleague_marked_as_administrator_invites_by_sms(client):
    administrator = CompanyContactFactory(is_representative=False, is_administrator=True)
    client.force_login(administrator.user)

    response = client.post(
        reverse("companies:invite", args=[administrator.company.pk]),
        {"name": "钱多", "phone": "139-1234-5678", "channel": "sms", "is_administrator": "on"},
    )

    assert response.status_code == 302
    contact = CompanyContact.objects.get(name="钱多")
    assert contact.is_administrator and not contact.is_representative
    [message] = outbox()
    assert (message.channel, message.address) == (Channel.SMS, "13912345678")
    client.logout()
    accepted = client.post(link_in(message), {"username": "qianduo", "password1": PASSWORD,
                                              "password2": PASSWORD})
    assert accepted.status_code == 302
    contact.refresh_from_db()
    assert contact.user.username == "qianduo"


def test_an_invitation_by_sms_needs_a_mobile_number_and_by_email_an_address(representative):
    for channel, phone, email, field in [
        (VerificationChannel.SMS, "0543-3168000", "x@example.com", "phone"),
        (VerificationChannel.EMAIL, "13912345678", "", "email"),
    ]:
        with pytest.raises(ValidationError) as raised:
            services.invite_contact(company=representative.company, by=representative.user,
                                    name="赵敏", phone=phone, email=email, channel=channel)
        assert field in raised.value.message_dict
    assert representative.company.contacts.count() == 1
    assert not OutboxMessage.objects.exists()


def test_an_invitation_for_a_changed_mobile_number_no_longer_works(representative):
    contact = services.invite_contact(company=representative.company, by=representative.user,
                                      name="赵敏", phone="13912345678",
                                      channel=VerificationChannel.SMS)
    token = services.make_invitation_token(contact, VerificationChannel.SMS)
    assert services.read_invitation(token) == contact
    contact.phone = "13700000000"
    contact.save()

    with pytest.raises(services.InvalidInvitation) as raised:
        services.read_invitation(token)

    assert raised.value.reason == "stale"


def test_an_invitation_cannot_be_sent_again_once_accepted(representative):
    contact = CompanyContactFactory(company=representative.company, is_representative=False)

    with pytest.raises(services.InvalidInvitation):
        services.resend_invitation(contact=contact, by=representative.user)
    assert not OutboxMessage.objects.exists()


def test_resending_another_companys_invitation_is_not_found(client, representative):
    stranger = CompanyContactFactory(user=None, email="x@example.com")
    client.force_login(representative.user)

    response = client.post(reverse("companies:resend_invitation", args=[stranger.pk]))

    assert response.status_code == 404
    assert not OutboxMessage.objects.exists()


def test_a_plain_colleague_cannot_resend_an_invitation(client, representative):
    invited = services.invite_contact(company=representative.company, by=representative.user,
                                      name="赵敏", phone="13912345678",
                                      email="zhaomin@example.com")
    colleague = CompanyContactFactory(company=representative.company, is_representative=False)
    client.force_login(colleague.user)

    response = client.post(reverse("companies:resend_invitation", args=[invited.pk]))

    assert response.status_code == 302
    assert OutboxMessage.objects.count() == 1  # only the first invitation


def test_no_invitation_is_queued_inside_in_app_only(representative):
    with in_app_only():
        services.invite_contact(company=representative.company, by=representative.user,
                                name="赵敏", phone="13912345678", email="zhaomin@example.com")

    assert not OutboxMessage.objects.exists()
