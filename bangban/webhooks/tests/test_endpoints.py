"""Managing endpoints through the services: validation, secrets, permissions."""

import pytest
from django.core.exceptions import ValidationError

from bangban.core.errors import NotAllowed
from bangban.webhooks import services
from bangban.webhooks.models import WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL_MESSAGE = ("Enter the full http:// or https:// address of the receiving system, "
               "e.g. https://approval.example.gov.cn/bangban/webhook.")


def create(by, **overrides):
    values = {"name": "审批系统", "url": "https://approval.example.gov.cn/hook",
              "events": ["item.*"], **overrides}
    return services.create_endpoint(by=by, **values)


@pytest.mark.parametrize("url", [
    "ftp://approval.example.gov.cn/hook",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "approval.example.gov.cn/hook",
    "https://",
    "http://exa mple.com/",
    "",
])
def test_a_bad_url_is_refused_with_a_clear_message(admin_user, url):
    with pytest.raises(ValidationError) as refused:
        create(admin_user, url=url)
    messages = refused.value.message_dict["url"]
    assert URL_MESSAGE in messages or "This field cannot be blank." in messages
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", [
    "https://approval.example.gov.cn/hook?system=bangban",
    "http://10.12.0.7:8080/bangban",
    "http://127.0.0.1:8001/hook",
    "https://审批.政务.cn/hook",
])
def test_http_and_https_urls_are_accepted(admin_user, url):
    assert create(admin_user, url=url).url == url


def test_events_must_be_known_and_not_empty(admin_user):
    with pytest.raises(ValidationError) as unknown:
        create(admin_user, events=["item.*", "item.explode", "case.nope"])
    assert unknown.value.message_dict["events"] == ["Unknown event(s): case.nope, item.explode."]
    with pytest.raises(ValidationError) as empty:
        create(admin_user, events=[])
    assert empty.value.message_dict["events"] == ["Choose at least one event."]


def test_each_endpoint_gets_its_own_random_secret_and_a_rotation_replaces_it(admin_user):
    first, second = create(admin_user), create(admin_user, name="数据平台")
    assert len(first.secret) == 64 and int(first.secret, 16) >= 0
    assert first.secret != second.secret
    old = first.secret
    new = services.rotate_secret(endpoint=first, by=admin_user)
    first.refresh_from_db()
    assert first.secret == new != old


def test_update_and_deactivate(admin_user):
    endpoint = create(admin_user)
    services.update_endpoint(endpoint=endpoint, by=admin_user, events=["case.*"],
                             url="https://new.example.gov.cn/hook")
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.url) == (["case.*"], "https://new.example.gov.cn/hook")
    with pytest.raises(ValidationError):
        services.update_endpoint(endpoint=endpoint, by=admin_user, url="gopher://x")
    with pytest.raises(TypeError):
        services.update_endpoint(endpoint=endpoint, by=admin_user, secret="0" * 64)
    services.deactivate_endpoint(endpoint=endpoint, by=admin_user)
    endpoint.refresh_from_db()
    assert endpoint.is_active is False


def test_only_administrators_manage_endpoints(admin_user):
    staff = UserFactory(is_staff=True)
    with pytest.raises(NotAllowed):
        create(staff)
    endpoint = create(admin_user)
    for action in (services.rotate_secret, services.deactivate_endpoint):
        with pytest.raises(NotAllowed):
            action(endpoint=endpoint, by=staff)
    with pytest.raises(NotAllowed):
        services.resend_deliveries(deliveries=[], by=staff)
