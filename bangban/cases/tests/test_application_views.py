"""The application form: a company's contact creates, edits and submits an application."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangban.accounts.models import Role
from bangban.cases import services
from bangban.cases.models import Case, LedgerEntry, ServiceMode, ServiceScope
from bangban.cases.workflow import CaseState
from tests.factories import (
    CaseFactory,
    CompanyContactFactory,
    MatterFactory,
    MembershipFactory,
    ProjectFactory,
    StageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = reverse("applications:new")


@pytest.fixture
def contact():
    return CompanyContactFactory(is_representative=True)


@pytest.fixture
def project(contact):
    return ProjectFactory(company=contact.company, description="新建厂房三栋")


@pytest.fixture
def stages():
    return [StageFactory(code=1, name="立项用地规划许可"), StageFactory(code=3, name="施工许可")]


@pytest.fixture
def matters(stages):
    return [MatterFactory(stage=stages[0], name="用地预审与选址意见书"),
            MatterFactory(stage=stages[1], name="建筑工程施工许可证")]


@pytest.fixture
def other_company_contact():
    return CompanyContactFactory()


def data(project_, contact_, **overrides):
    values = {
        "project": project_.pk, "mode": ServiceMode.AGENT, "scope": ServiceScope.FULL,
        "project_summary": "新建厂房三栋，总建筑面积4.5万平方米",
        "requested_items_note": "希望尽快取得施工许可", "company_contact": contact_.pk,
        "action": "draft",
    }
    values.update(overrides)
    return values


def login(client, contact):
    client.force_login(contact.user)
    return client


# ---------------------------------------------------------------------------- new


def test_the_form_offers_only_my_companys_projects_and_contacts(
    client, contact, project, other_company_contact
):
    other_project = ProjectFactory(company=other_company_contact.company, name="别家项目")
    response = login(client, contact).get(NEW)

    form = response.context["form"]
    assert list(form.fields["project"].queryset) == [project]
    assert list(form.fields["company_contact"].queryset) == [contact]
    assert other_project.name not in response.content.decode()


def test_choosing_a_project_prefills_its_summary(client, contact, project):
    response = login(client, contact).get(f"{NEW}?project={project.pk}")

    form = response.context["form"]
    assert form["project_summary"].value() == "新建厂房三栋"
    assert form["project"].value() == project.pk


def test_saving_a_draft(client, contact, project, matters):
    response = login(client, contact).post(
        NEW, data(project, contact, requested_matters=[matters[1].pk])
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("applications:detail", args=[case.pk])
    assert case.state == CaseState.DRAFT and case.submitted_at is None
    assert case.project == project and case.company_contact == contact
    assert case.mode == ServiceMode.AGENT and case.created_by == contact.user
    assert list(case.requested_matters.all()) == [matters[1]]
    assert case.requested_items_note == "希望尽快取得施工许可"


def test_submitting_at_once(client, contact, project, stages):
    login(client, contact).post(NEW, data(project, contact, scope=ServiceScope.STAGE,
                                          requested_stages=[stages[1].pk], action="submit"))

    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and case.submitted_at is not None
    assert list(case.requested_stages.all()) == [stages[1]]


def test_a_stage_service_needs_stages(client, contact, project):
    response = login(client, contact).post(NEW, data(project, contact, scope=ServiceScope.STAGE))

    assert "requested_stages" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_single_item_service_needs_items(client, contact, project, matters):
    response = login(client, contact).post(
        NEW, data(project, contact, scope=ServiceScope.SINGLE, action="submit")
    )

    assert "requested_matters" in response.context["form"].errors
    assert not Case.objects.exists()


def test_stages_are_dropped_when_the_scope_is_not_stages(client, contact, project, stages):
    login(client, contact).post(NEW, data(project, contact, requested_stages=[stages[0].pk]))

    assert not Case.objects.get().requested_stages.exists()


def test_inactive_matters_are_not_offered(client, contact, project, matters):
    matters[0].is_active = False
    matters[0].save()

    response = login(client, contact).post(
        NEW, data(project, contact, scope=ServiceScope.SINGLE,
                  requested_matters=[matters[0].pk])
    )

    assert "requested_matters" in response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize("missing", ["project", "mode", "scope", "project_summary",
                                     "company_contact"])
def test_required_fields(client, contact, project, missing):
    response = login(client, contact).post(NEW, data(project, contact, **{missing: ""}))

    assert missing in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_forged_project_of_another_company_is_refused(
    client, contact, project, other_company_contact
):
    foreign = ProjectFactory(company=other_company_contact.company)

    response = login(client, contact).post(NEW, data(foreign, contact, action="submit"))

    assert response.status_code == 200
    assert "project" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_forged_contact_of_another_company_is_refused(
    client, contact, project, other_company_contact
):
    response = login(client, contact).post(NEW, data(project, other_company_contact))

    assert "company_contact" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_contact_of_my_other_company_does_not_fit_this_project(client, contact, project):
    second = CompanyContactFactory(user=contact.user)  # the user acts for two companies
    colleague_elsewhere = CompanyContactFactory(company=second.company, user=None)

    response = login(client, contact).post(NEW, data(project, colleague_elsewhere))

    assert "company_contact" in response.context["form"].errors
    assert not Case.objects.exists()


def test_when_submitting_fails_the_draft_is_not_left_behind(
    client, contact, project, monkeypatch
):
    def refuse(**kwargs):
        raise ValidationError({"project_summary": "不够详细"})

    monkeypatch.setattr(services, "submit_application", refuse)

    response = login(client, contact).post(NEW, data(project, contact, action="submit"))

    assert response.context["form"].errors["project_summary"] == ["不够详细"]
    assert not Case.objects.exists() and not LedgerEntry.objects.exists()


def test_staff_without_a_company_cannot_apply(client):
    client.force_login(MembershipFactory(role=Role.SPECIALIST).user)

    response = client.get(NEW)

    assert response.status_code == 302


def test_anonymous_visitors_must_log_in(client):
    response = client.get(NEW)

    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --------------------------------------------------------------------------- edit


@pytest.fixture
def draft(contact, project):
    return services.create_application(
        by=contact.user, project=project, company_contact=contact, mode=ServiceMode.ASSIST,
        scope=ServiceScope.FULL, project_summary="初稿",
    )


def edit_data(contact, **overrides):
    values = {"mode": ServiceMode.AGENT, "scope": ServiceScope.FULL,
              "project_summary": "修改后的简介", "company_contact": contact.pk,
              "requested_items_note": "", "action": "draft"}
    values.update(overrides)
    return values


def test_editing_a_draft(client, contact, draft):
    colleague = CompanyContactFactory(company=contact.company, is_representative=False)
    url = reverse("applications:edit", args=[draft.pk])
    login(client, contact)

    form = client.get(url).context["form"]
    assert "project" not in form.fields
    assert form["project_summary"].value() == "初稿"
    response = client.post(url, edit_data(colleague))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.mode == ServiceMode.AGENT and draft.project_summary == "修改后的简介"
    assert draft.company_contact == colleague and draft.state == CaseState.DRAFT


def test_editing_and_submitting_in_one_click(client, contact, draft):
    login(client, contact).post(reverse("applications:edit", args=[draft.pk]),
                                edit_data(contact, action="submit"))

    draft.refresh_from_db()
    assert draft.state == CaseState.SUBMITTED


def test_a_submitted_application_can_no_longer_be_edited(client, contact, draft):
    services.submit_application(case=draft, by=contact.user)
    url = reverse("applications:edit", args=[draft.pk])

    response = login(client, contact).post(url, edit_data(contact, project_summary="晚了"))

    assert response.status_code == 302
    assert response.url == reverse("applications:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.project_summary == "初稿"


def test_another_companys_application_cannot_be_edited(client, draft, other_company_contact):
    url = reverse("applications:edit", args=[draft.pk])
    login(client, other_company_contact)

    assert client.get(url).status_code == 404
    response = client.post(url, edit_data(other_company_contact, project_summary="篡改"))

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.project_summary == "初稿" and draft.company_contact != other_company_contact


def test_a_forged_contact_is_refused_on_edit(client, contact, draft, other_company_contact):
    response = login(client, contact).post(
        reverse("applications:edit", args=[draft.pk]), edit_data(other_company_contact)
    )

    assert "company_contact" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.company_contact == contact


def test_edit_validates_the_scope_requirements(client, contact, draft):
    response = login(client, contact).post(
        reverse("applications:edit", args=[draft.pk]),
        edit_data(contact, scope=ServiceScope.SINGLE),
    )

    assert "requested_matters" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.scope == ServiceScope.FULL


# ------------------------------------------------------------------------- submit


def test_submitting_a_draft(client, contact, draft):
    response = login(client, contact).post(reverse("applications:submit", args=[draft.pk]))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == CaseState.SUBMITTED


def test_submitting_twice_says_it_is_done_already(client, contact, draft):
    login(client, contact).post(reverse("applications:submit", args=[draft.pk]))

    response = client.post(reverse("applications:submit", args=[draft.pk]), follow=True)

    errors = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1
    assert LedgerEntry.objects.filter(case=draft, action="submit").count() == 1


def test_another_companys_application_cannot_be_submitted(client, draft, other_company_contact):
    response = login(client, other_company_contact).post(
        reverse("applications:submit", args=[draft.pk])
    )

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT


def test_submit_only_accepts_post(client, contact, draft):
    assert login(client, contact).get(
        reverse("applications:submit", args=[draft.pk])
    ).status_code == 405


# ------------------------------------------------------------------------- detail


def test_the_detail_shows_the_form_fields_and_the_actions(client, contact, draft):
    response = login(client, contact).get(reverse("applications:detail", args=[draft.pk]))

    assert response.status_code == 200
    assert response.context["can_edit"] and response.context["can_submit"]
    page = response.content.decode()
    assert draft.project.name in page and contact.phone in page and "初稿" in page


def test_a_draft_is_not_shown_to_the_agency(client, draft):
    chief = MembershipFactory(agency=draft.agency, role=Role.CHIEF_SPECIALIST).user
    client.force_login(chief)
    url = reverse("applications:detail", args=[draft.pk])

    assert client.get(url).status_code == 404
    services.submit_application(case=draft, by=draft.created_by)
    response = client.get(url)
    assert response.status_code == 200 and not response.context["can_edit"]


def test_another_companys_application_is_not_shown(client, draft, other_company_contact):
    response = login(client, other_company_contact).get(
        reverse("applications:detail", args=[draft.pk])
    )

    assert response.status_code == 404


def test_an_unrelated_user_sees_nothing(client):
    case = CaseFactory(submitted=True)
    client.force_login(UserFactory())

    assert client.get(reverse("applications:detail", args=[case.pk])).status_code == 404


def test_the_form_costs_the_same_queries_for_3_or_30_projects_and_items(
    client, contact, stages, django_assert_num_queries
):
    def add(count):
        ProjectFactory.create_batch(count, company=contact.company)
        for stage in stages:
            MatterFactory.create_batch(count, stage=stage)

    add(3)
    login(client, contact)
    with CaptureQueriesContext(connection) as few:
        client.get(NEW)
    add(27)

    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(NEW)

    assert len(response.context["projects"]) == 30
