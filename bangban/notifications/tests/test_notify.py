"""`notify`: in-app and outbox rows written atomically with the caller's change, texts from
the administrators' templates with the caller's text as fallback."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from bangban.accounts.models import Role
from bangban.cases import services as case_services
from bangban.cases.models import ServiceMode, ServiceScope
from bangban.notifications.models import (
    Channel,
    Notification,
    NotificationTemplate,
    OutboxMessage,
    OutboxState,
)
from bangban.notifications.rendering import render, unknown_placeholders
from bangban.notifications.services import in_app_only, notify, sms_number
from tests.factories import (
    CaseFactory,
    CompanyContactFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_each_recipient_gets_an_in_app_message_and_one_outbox_row_per_reachable_channel():
    both = UserFactory(email="li@example.com", phone="138 0000 1111")
    phone_only = UserFactory(email="", phone="+8613900002222")
    landline = UserFactory(email="", phone="0543-3161000")
    notify(recipients=[both, phone_only, landline, None, both], event="item_pushed",
           subject="事项已推送", body="请受理")
    assert Notification.objects.count() == 3
    rows = {(m.recipient, m.channel): m for m in OutboxMessage.objects.all()}
    assert set(rows) == {(both, Channel.EMAIL), (both, Channel.SMS), (phone_only, Channel.SMS)}
    assert rows[both, Channel.EMAIL].address == "li@example.com"
    assert rows[both, Channel.SMS].address == "13800001111"
    assert rows[phone_only, Channel.SMS].address == "13900002222"
    for message in rows.values():
        assert message.state == OutboxState.PENDING
        assert message.next_attempt_at is not None
        assert message.attempts == 0
    assert rows[both, Channel.SMS].body == "事项已推送\n请受理"
    assert len({m.idempotency_key for m in rows.values()}) == 3


def test_in_app_only_reaches_the_inbox_and_queues_no_email_or_sms():
    user = UserFactory(email="li@example.com", phone="13800001111")
    with in_app_only():
        notify(recipients=[user], event="item_pushed", subject="事项已推送")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert not OutboxMessage.objects.exists()
    notify(recipients=[user], event="item_pushed", subject="事项已推送")
    assert OutboxMessage.objects.filter(recipient=user).count() == 2


def test_messages_are_written_in_the_callers_transaction_not_after_it():
    user = UserFactory(phone="13800001111")
    with transaction.atomic():
        notify(recipients=[user], event="item_pushed", subject="事项已推送")
        # Visible inside the transaction: written with the change, not on commit.
        assert OutboxMessage.objects.filter(recipient=user).count() == 1
        assert Notification.objects.filter(recipient=user).count() == 1


def test_a_rolled_back_change_leaves_no_message_behind():
    user = UserFactory(email="li@example.com")
    with pytest.raises(Boom), transaction.atomic():
        notify(recipients=[user], event="item_pushed", subject="事项已推送")
        raise Boom
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_case_services_queue_e_mail_and_sms_through_notify():
    project = ProjectFactory()
    contact = CompanyContactFactory(company=project.company, user__phone="13900001234")
    case = case_services.create_application(
        by=contact.user, project=project, company_contact=contact, mode=ServiceMode.ASSIST,
        scope=ServiceScope.FULL, project_summary="新建厂房",
    )
    MembershipFactory(agency=project.agency, role=Role.CHIEF_SPECIALIST,
                      user__phone="13700001234")
    case_services.submit_application(case=case, by=contact.user)
    queued = OutboxMessage.objects.filter(case=case, event="application_received")
    assert queued.count() == 1
    assert queued.get().address == "13900001234"
    assert OutboxMessage.objects.filter(case=case, event="application_submitted").count() == 1


def test_no_recipients_writes_nothing():
    notify(recipients=[None], event="item_pushed", subject="x")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.parametrize(("phone", "mobile"), [
    ("13800001111", "13800001111"),
    ("138-0000-1111", "13800001111"),
    ("+86 138 0000 1111", "13800001111"),
    ("0543-3161000", None),
    ("", None),
    ("1380000111", None),
])
def test_sms_goes_only_to_mobile_numbers(phone, mobile):
    assert sms_number(phone) == mobile


# ------------------------------------------------------------------------------ templates


@pytest.fixture
def case():
    return CaseFactory(in_progress=True, project__name="智能制造产业园", number="BB2026000001",
                       specialist__full_name="王专员", specialist__phone="13700007777")


def test_templates_fill_in_the_case_the_recipient_and_the_callers_context(case):
    NotificationTemplate.objects.create(
        event="supplement_requested", channel=Channel.SMS,
        body="{{recipient}}：项目“{{ project_name }}”（{{ case_number }}）的{{ item }}需补正："
             "{{ reason }}。专员{{ specialist_name }} {{ specialist_phone }}",
    )
    NotificationTemplate.objects.create(
        event="supplement_requested", channel=Channel.EMAIL,
        subject="补正通知 {{ case_number }}", body="{{ subject }}\n{{ body }}",
    )
    user = UserFactory(full_name="李经办", email="li@example.com", phone="13900001234")
    notify(recipients=[user], event="supplement_requested", subject="需要补正", body="缺少图纸",
           case=case, context={"item": "施工许可", "reason": "缺少图纸"})
    sms = OutboxMessage.objects.get(channel=Channel.SMS)
    assert sms.body == ("李经办：项目“智能制造产业园”（BB2026000001）的施工许可需补正：缺少图纸。"
                        "专员王专员 13700007777")
    assert sms.subject == "需要补正"
    assert sms.case == case
    email = OutboxMessage.objects.get(channel=Channel.EMAIL)
    assert email.subject == "补正通知 BB2026000001"
    assert email.body == "需要补正\n缺少图纸"
    # No in-app template: the caller's text.
    note = Notification.objects.get()
    assert (note.subject, note.body) == ("需要补正", "缺少图纸")


def test_an_in_app_template_replaces_the_in_app_text(case):
    NotificationTemplate.objects.create(event="item_accepted", channel=Channel.IN_APP,
                                        subject="", body="{{ project_name }}：{{ subject }}")
    user = UserFactory()
    notify(recipients=[user], event="item_accepted", subject="已受理", case=case)
    note = Notification.objects.get()
    assert (note.subject, note.body) == ("已受理", "智能制造产业园：已受理")


def test_an_inactive_template_is_ignored(case):
    NotificationTemplate.objects.create(event="item_accepted", channel=Channel.SMS,
                                        body="模板文本", is_active=False)
    notify(recipients=[UserFactory(phone="13800001111")], event="item_accepted",
           subject="已受理", case=case)
    assert OutboxMessage.objects.get().body == "已受理"


def test_a_template_without_a_case_leaves_case_placeholders_empty():
    NotificationTemplate.objects.create(event="custom", channel=Channel.SMS,
                                        body="[{{ case_number }}]{{ subject }}")
    notify(recipients=[UserFactory(phone="13800001111")], event="custom", subject="测试")
    assert OutboxMessage.objects.get().body == "[]测试"


def test_render_replaces_only_placeholders():
    assert render("{{a}} {{ b }} {% if x %} {{ c.d }}", {"a": 1, "b": None}) == \
        "1  {% if x %} {{ c.d }}"


def test_unknown_placeholders_are_refused_when_a_template_is_saved():
    assert unknown_placeholders("{{ project_name }} {{ password }} {{ case }}") == \
        ["case", "password"]
    template = NotificationTemplate(event="item_pushed", channel=Channel.SMS,
                                    body="{{ password }}", subject="{{ project_name }}")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body" in error.value.message_dict
    assert "subject" not in error.value.message_dict
