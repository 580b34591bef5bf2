import pytest
from django.urls import reverse

from bangban.consultations import services
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import Channel, ConsultationState
from tests.factories import CompanyContactFactory

pytestmark = pytest.mark.django_db

PHONE = "13900001234"


def _record(world, n=0, **kwargs):
    fields = {"agency": world.agency, "channel": Channel.WINDOW, "asker_name": f"李{n}",
              "asker_phone": f"1390000{n:04d}", "question": f"问题{n}",
              "service_recommended": True}
    fields.update(kwargs)
    return services.record_consultation(by=world.specialist, **fields)


def _login(client, user):
    client.force_login(user)
    return client


def test_list_runs_a_constant_number_of_queries(world, client, django_assert_num_queries):
    _login(client, world.chief)
    _record(world, 0, answer="答复")
    url = reverse("consultations:list")
    client.get(url)  # warm up caches (calendar, sessions)
    with django_assert_num_queries(7) as one:
        response = client.get(url)
    assert response.status_code == 200
    for n in range(1, 12):
        _record(world, n, answer="答复" if n % 2 else "")
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.count(b"data-consultation=") == 12


def test_list_filters_by_channel_and_answered(world, client):
    _record(world, 1, answer="答复")
    _record(world, 2, channel=Channel.WECHAT)
    _login(client, world.specialist)
    body = client.get(reverse("consultations:list"), {"answered": "no"}).content.decode()
    assert 'data-state="open"' in body and 'data-state="answered"' not in body
    body = client.get(reverse("consultations:list"), {"channel": "wechat"}).content.decode()
    assert body.count("data-consultation=") == 1
    assert client.get(reverse("consultations:list"), {"channel": "fax"}).status_code == 200


def test_phone_is_masked_for_those_who_do_not_follow_it_up(world, client):
    consultation = _record(world, 1)
    url = reverse("consultations:detail", args=[consultation.pk])
    for user, whole in ((world.specialist, True), (world.chief, True),
                        (world.colleague, False), (world.supervisor, False)):
        body = _login(client, user).get(url).content.decode()
        assert (consultation.asker_phone in body) is whole
        listed = client.get(reverse("consultations:list")).content.decode()
        assert (consultation.asker_phone in listed) is whole


def test_outsiders_and_districts_do_not_see_the_agencys_consultations(world, client):
    consultation = _record(world, 1)
    url = reverse("consultations:detail", args=[consultation.pk])
    assert _login(client, world.district_specialist).get(url).status_code == 404
    assert client.post(reverse("consultations:answer", args=[consultation.pk]),
                       {"answer": "x"}).status_code == 404
    assert _login(client, world.outsider).get(reverse("consultations:list")).status_code == 403
    assert client.get(reverse("consultations:create")).status_code == 403


def test_logging_shows_whether_the_asker_asked_before(world, client):
    _login(client, world.specialist)
    previous = reverse("consultations:previous")
    response = client.get(previous, {"asker_phone": PHONE}, headers={"hx-request": "true"})
    assert b'data-previous="0"' in response.content
    _record(world, asker_phone=PHONE)
    response = client.get(previous, {"asker_phone": "139-0000-1234"})
    assert b'data-previous="1"' in response.content
    assert b'data-previous="unknown"' in client.get(previous).content


def test_logging_a_first_inquiry_without_recommendation_is_refused(world, client):
    _login(client, world.specialist)
    data = {"channel": "window", "asker_name": "赵", "asker_phone": PHONE,
            "question": "如何申请代办？", "answer": ""}
    response = client.post(reverse("consultations:create"), data,
                           headers={"accept-language": "en"})
    assert response.status_code == 200
    assert b"first inquiry" in response.content
    assert not Consultation.objects.exists()
    response = client.post(reverse("consultations:create"),
                           {**data, "service_recommended": "on"})
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    assert consultation.first_responder == world.specialist
    assert consultation.agency == world.agency


def test_logging_with_an_unknown_credit_code_is_refused(world, client):
    _login(client, world.specialist)
    response = client.post(reverse("consultations:create"), {
        "channel": "phone", "asker_name": "赵", "question": "q", "credit_code": "X" * 18,
        "service_recommended": "on"}, headers={"accept-language": "en"})
    assert b"No registered company has this code" in response.content
    assert not Consultation.objects.exists()


def test_answer_and_convert_through_the_pages(world, client):
    consultation = _record(world, 1, company=world.contact.company)
    _login(client, world.specialist)
    detail = reverse("consultations:detail", args=[consultation.pk])
    assert b'data-action="answer"' in client.get(detail).content
    response = client.post(reverse("consultations:answer", args=[consultation.pk]),
                           {"answer": "可申请全程代办"})
    assert response.status_code == 302
    body = client.get(detail).content.decode()
    assert 'data-action="convert"' in body and 'id="prefilled-application"' in body
    convert = reverse("consultations:convert", args=[consultation.pk])
    form = client.get(convert)
    assert form.status_code == 200
    assert form.context["form"].initial["requested_items_note"] == "问题1"
    response = client.post(convert, {
        "project": world.project.pk, "company_contact": world.contact.pk, "mode": "assist",
        "scope": "full", "project_summary": "新建厂房", "requested_items_note": ""})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.CONVERTED
    assert consultation.case.created_by == world.contact.user


def test_a_forged_conversion_by_a_colleague_is_forbidden(world, client):
    consultation = _record(world, 1, answer="答复")
    response = _login(client, world.colleague).post(
        reverse("consultations:convert", args=[consultation.pk]),
        {"project": world.project.pk, "company_contact": world.contact.pk, "mode": "assist",
         "scope": "full", "project_summary": "x"})
    assert response.status_code == 403
    consultation.refresh_from_db()
    assert consultation.case is None


def test_converting_with_a_forged_contact_changes_nothing(world, client):
    consultation = _record(world, 1, answer="答复", company=world.contact.company)
    stranger = CompanyContactFactory()
    response = _login(client, world.specialist).post(
        reverse("consultations:convert", args=[consultation.pk]),
        {"project": world.project.pk, "company_contact": stranger.pk, "mode": "assist",
         "scope": "full", "project_summary": "x"}, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert b"Choose one of the listed contacts" in response.content
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.ANSWERED


def test_answering_twice_says_already_done(world, client):
    consultation = _record(world, 1, answer="答复")
    response = _login(client, world.specialist).post(
        reverse("consultations:answer", args=[consultation.pk]), {"answer": "再答"},
        headers={"accept-language": "en"}, follow=True)
    assert b"is not possible while the consultation is" in response.content
    consultation.refresh_from_db()
    assert consultation.answer == "答复"
