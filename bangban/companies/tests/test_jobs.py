from datetime import timedelta

import pytest
from django.utils import timezone

from bangban.companies import services
from bangban.companies.jobs import purge_registration_requests
from bangban.companies.models import RegistrationRequest

pytestmark = pytest.mark.django_db


def start(username):
    return services.start_registration(
        channel="sms", username=username, password="Qujiang-2026!", full_name="李华",
        phone="13800138000", email="", company_name="曲江新材料",
        credit_code="91350100M000100Y43",
    )


def test_requests_past_their_validity_are_deleted_and_fresh_ones_kept():
    old, fresh = start("old"), start("fresh")
    RegistrationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - services.REGISTRATION_VALID_FOR - timedelta(minutes=1)
    )

    assert purge_registration_requests() == 1
    assert purge_registration_requests() == 0
    assert list(RegistrationRequest.objects.all()) == [fresh]
