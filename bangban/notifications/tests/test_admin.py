"""The outbox and the templates in the admin."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangban.notifications import services
from bangban.notifications.models import Channel, NotificationTemplate, OutboxMessage, OutboxState
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxmessage_changelist")


def message(state, **fields):
    return OutboxMessage.objects.create(
        channel=Channel.SMS, event="item_pushed", address="13800001111", subject="事项已推送",
        body="请受理", state=state, attempts=3, last_error="timeout",
        next_attempt_at=None if state in (OutboxState.DEAD, OutboxState.SENT) else timezone.now(),
        **fields,
    )


def test_the_outbox_filters_by_state_and_channel_and_searches_by_case(admin_client):
    case = CaseFactory(number="BB2026000042")
    dead = message(OutboxState.DEAD, case=case)
    sent = message(OutboxState.SENT)
    response = admin_client.get(CHANGELIST, {"state": "dead", "channel": "sms"})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown == [dead]
    response = admin_client.get(CHANGELIST, {"q": "BB2026000042"})
    assert list(response.context["cl"].result_list) == [dead]
    assert sent not in response.context["cl"].result_list
    detail = admin_client.get(reverse("admin:notifications_outboxmessage_change",
                                      args=[dead.pk]))
    assert detail.status_code == 200


def test_send_again_calls_the_service_and_requeues_only_failed_messages(admin_client,
                                                                         monkeypatch):
    dead = message(OutboxState.DEAD)
    retrying = message(OutboxState.RETRYING)
    sent = message(OutboxState.SENT)
    calls = []
    real = services.retry_messages

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "retry_messages", spy)
    response = admin_client.post(CHANGELIST, {
        "action": "send_again", "_selected_action": [dead.pk, retrying.pk, sent.pk],
    }, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(calls) == 1
    for row in (dead, retrying, sent):
        row.refresh_from_db()
    assert (dead.state, dead.attempts) == (OutboxState.PENDING, 0)
    assert dead.next_attempt_at is not None
    assert dead.last_error == "timeout"  # the history stays visible
    assert retrying.state == OutboxState.PENDING
    assert sent.state == OutboxState.SENT
    shown = [str(m) for m in response.context["messages"]]
    assert "2 messages will be sent again." in shown
    assert "1 message was left alone: only failed messages are sent again." in shown


def test_rows_cannot_be_edited_added_or_deleted_in_the_admin(admin_client):
    dead = message(OutboxState.DEAD)
    assert admin_client.get(reverse("admin:notifications_outboxmessage_add")).status_code == 403
    admin_client.post(reverse("admin:notifications_outboxmessage_change", args=[dead.pk]),
                      {"state": "sent"})
    dead.refresh_from_db()
    assert dead.state == OutboxState.DEAD


def test_only_staff_with_the_change_permission_send_failed_messages_again(client):
    from django.contrib.auth.models import Permission

    dead = message(OutboxState.DEAD)  # the admin offers no actions on an empty list
    support = UserFactory(is_staff=True)
    support.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(support)
    assert "send_again" not in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "send_again", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == OutboxState.DEAD
    support.user_permissions.add(Permission.objects.get(codename="change_outboxmessage"))
    assert "send_again" in client.get(CHANGELIST).content.decode()
    client.post(CHANGELIST, {"action": "send_again", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == OutboxState.PENDING


def test_send_again_reports_in_the_administrators_language(admin_client):
    dead = message(OutboxState.DEAD)
    retrying = message(OutboxState.RETRYING)
    sent = message(OutboxState.SENT)
    response = admin_client.post(CHANGELIST, {
        "action": "send_again", "_selected_action": [dead.pk, retrying.pk, sent.pk],
    }, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["2 条消息将重新发送。",
                     "1 条消息未处理：只有发送失败的消息才会重新发送。"]


def test_the_outbox_tables_are_the_ones_their_migrations_create():
    # Both tables take their delivery columns from one abstract model: it must not change them.
    call_command("makemigrations", "notifications", "webhooks", check=True, dry_run=True,
                 verbosity=0)


def test_templates_are_edited_in_the_admin_and_unknown_placeholders_refused(admin_client):
    add = reverse("admin:notifications_notificationtemplate_add")
    page = admin_client.get(add)
    assert "{{ project_name }}" in page.content.decode()  # placeholders listed as help
    response = admin_client.post(add, {
        "event": "item_pushed", "channel": "sms", "subject": "",
        "body": "{{ project_name }} {{ secret }}", "is_active": "on",
    })
    assert response.status_code == 200
    assert not NotificationTemplate.objects.exists()
    admin_client.post(add, {
        "event": "item_pushed", "channel": "sms", "subject": "",
        "body": "{{ subject }}（{{ project_name }}）", "is_active": "on",
    })
    template = NotificationTemplate.objects.get()
    assert template.body == "{{ subject }}（{{ project_name }}）"
    changelist = admin_client.get(reverse("admin:notifications_notificationtemplate_changelist"))
    assert changelist.status_code == 200
