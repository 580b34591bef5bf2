import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from bangban.api.models import ApiToken
from bangban.api.selectors import hash_key
from bangban.api.services import create_api_token
from bangban.api.tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_key_is_stored():
    user = UserFactory()
    issued = create_api_token(user=user, name="省审批系统", scopes=["read", "read"])
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(issued.key)
    assert token.scopes == ["read"]
    assert issued.key not in str(ApiToken.objects.values().get())


@pytest.mark.parametrize("fields, field", [
    ({"name": " ", "scopes": ["read"]}, "name"),
    ({"name": "x", "scopes": []}, "scopes"),
    ({"name": "x", "scopes": ["admin"]}, "scopes"),
    ({"name": "x", "scopes": ["read"],
      "expires_at": timezone.now() - datetime.timedelta(days=1)}, "expires_at"),
])
def test_a_token_needs_a_name_known_scopes_and_a_future_expiry(fields, field):
    with pytest.raises(ValidationError) as error:
        create_api_token(user=UserFactory(), **fields)
    assert field in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_command_prints_a_working_key_once():
    user = UserFactory(username="approval-bot")
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "approval-bot", "--name", "省审批系统", "--scope", "read",
                 "--scope", "approval:inbound", "--expires-in-days", "30", stdout=out,
                 stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert token.user == user and token.key_hash == hash_key(key)
    assert sorted(token.scopes) == ["approval:inbound", "read"]
    assert token.expires_at > timezone.now() + datetime.timedelta(days=29)
    assert "shown only now" in err.getvalue()


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_api_token", "nobody", "--name", "x", "--scope", "read")


def test_the_admin_creates_a_token_and_shows_its_key_once(client, world):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post("/admin/api/apitoken/add/", {
        "name": "省审批系统", "user": world.department.pk, "scopes": ["read", "write"],
        "expires_at_0": "", "expires_at_1": "",
    }, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.user == world.department and token.created_by == admin
    shown = [str(m) for m in response.context["messages"]]
    key = next(m.rsplit(" ", 1)[1] for m in shown if "shown only now" in m)
    assert token.key_hash == hash_key(key)
    assert client_for(world.department).get("/api/v1/cases/").status_code == 200


def test_the_admin_revokes_tokens(client, world):
    admin = UserFactory(is_staff=True, is_superuser=True)
    create_api_token(user=world.department, name="x", scopes=["read"])
    client.force_login(admin)
    client.post("/admin/api/apitoken/", {
        "action": "revoke", "_selected_action": [ApiToken.objects.get().pk]})
    assert ApiToken.objects.get().revoked_at is not None
