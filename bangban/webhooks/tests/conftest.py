import pytest
from django.utils import translation

from bangban.accounts.models import Role
from bangban.webhooks import services
from bangban.webhooks.tests.receiver import Receiver
from tests.factories import (
    AgencyFactory,
    CaseItemFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="webhook-admin", is_staff=True, is_superuser=True)


@pytest.fixture
def endpoint_for(admin_user):
    def make(url, *, events=("*",), agency=None, name="审批系统"):
        return services.create_endpoint(by=admin_user, name=name, url=url, events=events,
                                        agency=agency)
    return make


@pytest.fixture
def item(db):
    """A planned item of a running case whose specialist may start preparing it."""
    city = AgencyFactory(code="binzhou", level="city")
    county = AgencyFactory(code="bincheng", level="county", parent=city)
    item = CaseItemFactory(case__agency=county, case__project__code="2026-371602-47-01-000123",
                           matter__code="JS001")
    MembershipFactory(user=item.case.specialist, agency=county, role=Role.SPECIALIST)
    return item
