"""`manage.py generate_province_data`: the counts it promises, refusing a database with data,
and the pages of every role working on what it generated (SQLite and PostgreSQL alike)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse

from bangban.accounts.models import Membership, Role, User
from bangban.cases.models import Case, CaseItem
from bangban.companies.models import CompanyContact
from bangban.core import province_data
from bangban.deadlines.selectors import items_overdue
from bangban.projects.models import Project
from bangban.supervision.jobs import scan_supervision
from bangban.supervision.models import SupervisionNotice
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
EN = {"accept-language": "en"}
SCALE = 0.0005  # 50 projects, 1,250 items, one county


@pytest.fixture
def generated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("generate_province_data", scale=SCALE, stdout=io.StringIO())
    return province_data.Sizes(SCALE)


def test_generates_the_promised_counts(generated):
    sizes = generated
    assert (sizes.projects, sizes.items, sizes.counties) == (50, 1250, 1)
    assert Project.objects.count() == sizes.projects + 1  # with the template's draft case
    assert Case.objects.filter(number__startswith="BB").count() == sizes.projects
    assert CaseItem.objects.count() == sizes.items
    assert Case.objects.exclude(state="draft").count() == sizes.projects
    staff = User.objects.filter(memberships__isnull=False).distinct().count()
    assert staff == sizes.staff == 1 * (20 + 1 + 10 * 2) + 1 + 1
    assert CompanyContact.objects.exclude(user=None).count() == sizes.company_users == 24
    # Every case belongs to its project's company, through one of its contacts.
    assert not Case.objects.exclude(state="draft").exclude(
        company_contact__company=F("project__company")).exists()
    # Items in many states, with lights on the running ones.
    assert CaseItem.objects.values("state").distinct().count() >= 8
    assert CaseItem.objects.filter(state="accepted").exclude(warning_level="").exists()


def test_running_it_again_changes_nothing(generated):
    before = CaseItem.objects.count()
    call_command("generate_province_data", scale=SCALE, stdout=io.StringIO())
    assert CaseItem.objects.count() == before


def test_refuses_a_database_with_data_unless_forced(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ProjectFactory()
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_province_data", scale=SCALE, stdout=io.StringIO())
    assert not CaseItem.objects.exists()
    call_command("generate_province_data", scale=SCALE, force=True, stdout=io.StringIO())
    assert CaseItem.objects.count() == province_data.Sizes(SCALE).items


def test_every_role_works_on_the_generated_data(generated, client):
    def user_with(role):
        return Membership.objects.filter(role=role).order_by("pk").first().user

    specialist = user_with(Role.SPECIALIST)
    case = Case.objects.filter(specialist=specialist).exclude(state="draft").order_by("pk").first()
    item = case.items.order_by("position").first()
    company_user = case.company_contact.user
    representative = Membership.objects.filter(
        role=Role.DEPARTMENT_REPRESENTATIVE, department=item.department).first().user
    supervisor = User.objects.get(username=province_data.SUPERVISOR)
    detail = reverse("cases:detail", args=[case.pk])
    visits = [
        (company_user, [reverse("portal:workbench"), reverse("cases:list"), detail,
                        reverse("notifications:inbox")]),
        (specialist, [reverse("portal:workbench"), reverse("cases:list"), detail]),
        (representative, [reverse("portal:workbench"), detail]),
        (supervisor, [reverse("dashboards:dashboard"), reverse("supervision:list"),
                      reverse("cases:list"), detail]),
    ]
    for user, urls in visits:
        client.force_login(user)
        for url in urls:
            response = client.get(url, headers=EN)
            assert response.status_code == 200, (user.username, url)
    client.force_login(specialist)
    assert case.number.encode() in client.get(reverse("cases:list"), headers=EN).content


def test_the_supervision_scan_has_nothing_left_to_do(generated, client):
    """Every overdue item has its notice, so a load test's worker starts idle."""
    overdue = items_overdue()
    assert overdue.exists()
    notices = SupervisionNotice.objects.all()
    assert notices.count() == overdue.count()
    assert set(notices.values_list("state", flat=True)) == {"open", "answered", "closed"}
    assert notices.filter(level="escalated", state="open").exists()
    assert scan_supervision() == 0
    notice = notices.filter(state="closed").first()
    client.force_login(User.objects.get(username=province_data.SUPERVISOR))
    response = client.get(reverse("supervision:detail", args=[notice.pk]), headers=EN)
    assert response.status_code == 200
    assert notice.number.encode() in response.content
