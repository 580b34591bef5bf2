"""The policy library's public pages, search, and the case's policy page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.policies.models import CasePolicy
from bangban.policies.services import link_policy_to_case
from bangban.policies.tests.factories import PolicyFactory, PolicyTagFactory

pytestmark = pytest.mark.django_db

LIST = reverse("policies:list")


def _shown(response):
    return {p.pk for p in response.context["page"].object_list}


def test_anonymous_visitors_read_the_library_but_not_unpublished_policies(client):
    policy = PolicyFactory(body="第一条 全文内容", link="https://example.org/policy.pdf")
    hidden = PolicyFactory(is_published=False)
    response = client.get(LIST)
    assert response.status_code == 200 and _shown(response) == {policy.pk}
    response = client.get(reverse("policies:detail", args=[policy.pk]))
    assert response.status_code == 200
    assert "第一条 全文内容" in response.content.decode()
    assert client.get(reverse("policies:detail", args=[hidden.pk])).status_code == 404


def test_search_looks_in_title_summary_and_body_and_filters_by_tag(client):
    tax = PolicyTagFactory(slug="tax", name="税费减免")
    land = PolicyTagFactory(slug="land", name="用地保障")
    by_title = PolicyFactory(title="城市基础设施配套费减免办法", tags=[tax])
    by_summary = PolicyFactory(summary="配套费按规定减免", tags=[land])
    by_body = PolicyFactory(body="第三条 配套费减免的申请程序")
    PolicyFactory(title="人才引进办法", summary="安居补贴")
    assert _shown(client.get(LIST, {"q": "配套费"})) == {by_title.pk, by_summary.pk, by_body.pk}
    assert _shown(client.get(LIST, {"q": "配套费 程序"})) == {by_body.pk}
    assert _shown(client.get(LIST, {"q": "配套费", "tag": "land"})) == {by_summary.pk}
    assert _shown(client.get(LIST, {"tag": "tax"})) == {by_title.pk}
    response = client.get(LIST, {"q": "不存在的词"}, headers={"accept-language": "en"})
    assert 'data-testid="no-policies"' in response.content.decode()
    # An unknown tag is a form error, not a crash: everything is listed.
    assert len(_shown(client.get(LIST, {"tag": "nonsense"}))) == 4


def test_the_list_costs_the_same_queries_for_one_or_many_policies(client):
    tag = PolicyTagFactory()
    PolicyFactory(tags=[tag])
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(8):
        PolicyFactory(tags=[tag, PolicyTagFactory()])
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(one) == len(many)


def _link_url(world):
    return reverse("policies:link", args=[world.case.pk])


@pytest.mark.parametrize("role", [Role.SPECIALIST, Role.CHIEF_SPECIALIST])
def test_specialist_links_and_unlinks_through_the_page(client, world, role):
    client.force_login(world.user(role))
    page = reverse("policies:case_policies", args=[world.case.pk])
    assert 'data-testid="link-policy-form"' in client.get(page).content.decode()
    response = client.post(_link_url(world), {"policy": world.policy.pk, "note": "可申请"})
    assert response.status_code == 302
    assert CasePolicy.objects.get().note == "可申请"
    response = client.post(reverse("policies:unlink", args=[world.case.pk, world.policy.pk]))
    assert response.status_code == 302 and not CasePolicy.objects.exists()


def test_an_empty_choice_is_shown_back_and_changes_nothing(client, world):
    client.force_login(world.specialist)
    response = client.post(_link_url(world), {"policy": ""})
    assert response.status_code == 200 and response.context["form"].errors["policy"]
    assert not CasePolicy.objects.exists()


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.SUPERVISOR])
def test_readers_of_the_case_see_the_page_but_forged_posts_get_403(client, world, role):
    client.force_login(world.user(role))
    page = client.get(reverse("policies:case_policies", args=[world.case.pk]))
    assert page.status_code == 200 and page.context["form"] is None
    assert client.post(_link_url(world), {"policy": world.policy.pk}).status_code == 403
    link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist)
    unlink = reverse("policies:unlink", args=[world.case.pk, world.policy.pk])
    assert client.post(unlink).status_code == 403
    assert CasePolicy.objects.count() == 1


def test_users_who_cannot_see_the_case_get_404(client, world):
    client.force_login(world.outsider)
    assert client.get(reverse("policies:case_policies", args=[world.case.pk])).status_code == 404
    assert client.post(_link_url(world), {"policy": world.policy.pk}).status_code == 404
    assert not CasePolicy.objects.exists()


def test_the_case_page_partial_lists_the_guide_and_offers_manage_to_the_specialist(world):
    link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist, note="注意")
    template = Template("{% load policy_tags %}{% case_policies case %}")
    for user, manage in ((world.specialist, True), (world.applicant, False)):
        request = RequestFactory().get("/")
        request.user = user
        html = template.render(Context({"case": world.case, "request": request}))
        assert f'data-policy="{world.policy.pk}"' in html and "注意" in html
        assert (reverse("policies:case_policies", args=[world.case.pk]) in html) is manage


def test_admin_pages_open(admin_client, world):
    link_policy_to_case(case=world.case, policy=world.policy, by=world.specialist)
    for name in ("policy", "policytag", "casepolicy"):
        assert admin_client.get(reverse(f"admin:policies_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:policies_policy_change",
                                    args=[world.policy.pk])).status_code == 200


def test_a_policy_cannot_end_before_it_was_issued():
    policy = PolicyFactory.build(issued_on=datetime.date(2025, 3, 1),
                                 valid_until=datetime.date(2025, 2, 1))
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "valid_until" in error.value.message_dict
