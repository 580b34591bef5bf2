"""Issue 6 part 5: schemathesis generates requests from the OpenAPI document — valid and
invalid bodies, parameters and ids — and sends them, in-process, to the WSGI application as a
token user who holds every scope, with a case and its item, documents and notifications in the
database. No answer may be a server error. Examples are bounded so the run stays short."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from bangban.api.scopes import SCOPES
from bangban.api.tests.conftest import make_world, token_key
from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def token(db):
    """A department representative who is also the case's specialist, so that both sides'
    actions reach the services; every scope."""
    from bangban.accounts.models import Role
    from tests.factories import MembershipFactory

    world = make_world(1)
    MembershipFactory(user=world.specialist, agency=world.case.agency,
                      role=Role.DEPARTMENT_REPRESENTATIVE, department=world.item.department)
    return token_key(world.specialist, scopes=list(SCOPES))


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django closes the connection after each request it serves, which would end the test's
    transaction; the test client does the same as this."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_request_makes_a_server_error(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}",
                                    "Accept-Language": "en"},
                           checks=[not_a_server_error])
