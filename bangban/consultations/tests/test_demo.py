"""The demo's consultations, without building the whole demo (core's test does that)."""

from collections import Counter

import pytest

from bangban.accounts.models import Role
from bangban.consultations.demo import play_consultations
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import Channel, ConsultationState
from bangban.core.demo import DemoClock
from tests.factories import (
    AgencyFactory,
    CompanyContactFactory,
    MembershipFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


class Builder:
    def __init__(self, chief):
        self.clock = DemoClock()
        self.created = Counter()
        self.messages = []
        self.chief = chief

    def log(self, message):
        self.messages.append(message)

    def chief_for(self, agency):
        return self.chief


def test_demo_consultations_cover_every_channel_and_one_is_converted():
    agency = AgencyFactory()
    MembershipFactory(agency=agency, role=Role.SPECIALIST)
    chief = MembershipFactory(agency=agency, role=Role.CHIEF_SPECIALIST).user
    contact = CompanyContactFactory()
    ProjectFactory(company=contact.company, agency=agency)
    builder = Builder(chief)
    with builder.clock.installed():
        assert play_consultations(builder) == 5
        assert play_consultations(builder) == 0
    consultations = Consultation.objects.all()
    assert {c.channel for c in consultations} == set(Channel)
    converted = consultations.get(state=ConsultationState.CONVERTED)
    assert converted.case.created_by == contact.user
    assert consultations.filter(state=ConsultationState.OPEN).count() == 1
    assert consultations.get(channel=Channel.VIDEO).answered_by == chief
    assert not consultations.get(channel=Channel.WECHAT).is_first_inquiry
    assert builder.messages == []
