"""Endpoints and deliveries in the admin, through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from bangban.notifications.models import OutboxState
from bangban.webhooks import services
from bangban.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:webhooks_webhookendpoint_changelist")
ADD = reverse("admin:webhooks_webhookendpoint_add")
DELIVERIES = reverse("admin:webhooks_webhookdelivery_changelist")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_an_endpoint_added_in_the_admin_gets_a_secret_that_is_shown(admin_client):
    assert admin_client.get(ADD, **EN).status_code == 200
    response = admin_client.post(ADD, {
        "name": "审批系统", "url": "https://approval.example.gov.cn/hook",
        "events": ["item.*", "*.problem_*"], "agency": "", "is_active": "on",
    }, follow=True, **EN)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["item.*", "*.problem_*"]
    assert len(endpoint.secret) == 64
    assert endpoint.secret in response.content.decode()
    change = admin_client.get(reverse("admin:webhooks_webhookendpoint_change",
                                      args=[endpoint.pk]), **EN)
    assert endpoint.secret in change.content.decode()


def test_a_bad_url_is_refused_in_the_admin_form(admin_client):
    response = admin_client.post(ADD, {
        "name": "审批系统", "url": "ftp://approval.example.gov.cn/hook", "events": ["*"],
        "is_active": "on",
    }, **EN)
    assert response.status_code == 200
    assert "Enter the full http:// or https:// address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_rotate_and_deactivate_actions(admin_client, admin_user):
    endpoint = services.create_endpoint(by=admin_user, name="审批系统",
                                        url="https://a.example.gov.cn/", events=["*"])
    old = endpoint.secret
    response = admin_client.post(ENDPOINTS, {"action": "rotate_secret",
                                             "_selected_action": [endpoint.pk]},
                                 follow=True, **EN)
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    admin_client.post(ENDPOINTS, {"action": "deactivate", "_selected_action": [endpoint.pk]},
                      **EN)
    endpoint.refresh_from_db()
    assert endpoint.is_active is False


def test_failed_deliveries_are_listed_and_sent_again(admin_client, admin_user):
    endpoint = services.create_endpoint(by=admin_user, name="审批系统",
                                        url="https://a.example.gov.cn/", events=["*"])

    def delivery(state):
        return WebhookDelivery.objects.create(endpoint=endpoint, event="item.approve",
                                              body="{}", state=state, attempts=8,
                                              last_error="HTTP 500: boom")

    dead, sent = delivery(OutboxState.DEAD), delivery(OutboxState.SENT)
    response = admin_client.get(DELIVERIES, {"state": "dead"}, **EN)
    assert list(response.context["cl"].result_list) == [dead]
    detail = admin_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[dead.pk]),
                              **EN)
    assert "HTTP 500: boom" in detail.content.decode()
    response = admin_client.post(DELIVERIES, {"action": "send_again",
                                              "_selected_action": [dead.pk, sent.pk]},
                                 follow=True, **EN)
    content = response.content.decode()
    assert "1 delivery will be sent again." in content
    assert "only failed deliveries are sent again" in content
    dead.refresh_from_db()
    sent.refresh_from_db()
    assert (dead.state, dead.attempts) == (OutboxState.PENDING, 0)
    assert sent.state == OutboxState.SENT


def _deliveries(admin_user):
    endpoint = services.create_endpoint(by=admin_user, name="审批系统",
                                        url="https://a.example.gov.cn/", events=["*"])
    return [WebhookDelivery.objects.create(endpoint=endpoint, event="item.approve", body="{}",
                                           state=state, attempts=8, last_error="timeout")
            for state in (OutboxState.DEAD, OutboxState.RETRYING, OutboxState.SENT)]


def test_send_again_calls_the_delivery_service_once(admin_client, admin_user, monkeypatch):
    dead, retrying, sent = _deliveries(admin_user)
    calls = []
    real = services.resend_deliveries

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "resend_deliveries", spy)
    response = admin_client.post(DELIVERIES, {
        "action": "send_again", "_selected_action": [dead.pk, retrying.pk, sent.pk],
    }, follow=True, **EN)
    assert [(sorted(row.pk for row in call["deliveries"]), call["by"]) for call in calls] == [
        (sorted([dead.pk, retrying.pk, sent.pk]), admin_user)]
    assert [str(m) for m in response.context["messages"]] == [
        "2 deliveries will be sent again.",
        "1 delivery was left alone: only failed deliveries are sent again."]
    retrying.refresh_from_db()
    assert (retrying.state, retrying.attempts) == (OutboxState.PENDING, 0)


def test_send_again_reports_in_the_administrators_language(admin_client, admin_user):
    dead, retrying, sent = _deliveries(admin_user)
    response = admin_client.post(DELIVERIES, {
        "action": "send_again", "_selected_action": [dead.pk, retrying.pk, sent.pk],
    }, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [str(m) for m in response.context["messages"]] == [
        "2 条推送将重新发送。", "1 条推送未处理：只有推送失败的记录才会重新发送。"]


def test_only_staff_with_the_change_permission_send_deliveries_again(client, admin_user):
    dead, _, _ = _deliveries(admin_user)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(staff)
    assert "send_again" not in client.get(DELIVERIES).content.decode()
    client.post(DELIVERIES, {"action": "send_again", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == OutboxState.DEAD
    staff.user_permissions.add(Permission.objects.get(codename="change_webhookdelivery"))
    assert "send_again" in client.get(DELIVERIES).content.decode()
    client.post(DELIVERIES, {"action": "send_again", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.state == OutboxState.PENDING
