"""The in-app inbox: own notifications only, newest first, marked read by their recipient."""

import pytest
from django.db import connection
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangban.notifications.models import Notification
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def note(user, subject="事项已受理", case=None, read=False):
    return Notification.objects.create(recipient=user, subject=subject, event="item_accepted",
                                       case=case, read_at=timezone.now() if read else None)


@pytest.fixture
def user():
    return UserFactory()


def test_inbox_needs_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302


def test_inbox_lists_own_notifications_newest_first(client, user):
    older = note(user, "较早的通知")
    newer = note(user, "较新的通知")
    note(UserFactory(), "别人的通知")
    client.force_login(user)
    response = client.get(INBOX)
    assert [n.pk for n in response.context["page"].object_list] == [newer.pk, older.pk]
    assert "别人的通知" not in response.content.decode()
    assert response.context["unread_count"] == 2


def test_unread_filter(client, user):
    unread = note(user)
    note(user, read=True)
    client.force_login(user)
    response = client.get(INBOX, {"unread": "1"})
    assert [n.pk for n in response.context["page"].object_list] == [unread.pk]


def test_mark_one_as_read(client, user):
    notification = note(user)
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(client, user):
    case = CaseFactory()
    notification = note(user, case=case)
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]),
                           {"open": "1"})
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_marks_someone_elses_notification(client, user):
    foreign = note(UserFactory())
    client.force_login(user)
    client.post(reverse("notifications:mark_read", args=[foreign.pk]))
    client.post(reverse("notifications:mark_all_read"))
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_mark_all_as_read(client, user):
    note(user)
    note(user)
    client.force_login(user)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()


def test_marking_read_needs_post(client, user):
    notification = note(user)
    client.force_login(user)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


def test_inbox_query_count_does_not_grow(client, user, django_assert_num_queries):
    for _ in range(3):
        note(user, case=CaseFactory())
    client.force_login(user)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    for _ in range(30):
        note(user, case=CaseFactory())
    with django_assert_num_queries(len(few)):
        client.get(INBOX)


def test_unread_count_template_tag(user):
    note(user)
    note(user)
    note(user, read=True)
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load notification_tags %}{% unread_notifications as n %}{{ n }}")
    assert template.render(RequestContext(request)) == "2"
    assert template.render(Context({})) == "0"
