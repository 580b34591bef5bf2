"""The top navigation: each role's links, the current page marked, links under the script
prefix the site is served at."""

import re

import pytest
from django.urls import reverse, set_script_prefix

from bangban.accounts.models import Role
from tests.factories import CompanyContactFactory, DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

STAFF_LINKS = ["supervision:list", "dashboards:dashboard", "problems:list", "meetings:list",
               "notifications:inbox"]


def _menu(client, path="/accounts/password/", **extra):
    page = client.get(path, **extra).content.decode()
    menu = page.split('id="bb-nav-menu"', 1)[1].split("</nav>", 1)[0]
    return menu, set(re.findall(r'href="([^"#]+)"', menu))


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    (Role.SPECIALIST,
     [*STAFF_LINKS, "consultations:list", "visits:list", "visits:statistics",
      "projects:key_ledger", "evaluations:list", "public:edit_card"],
     ["evaluations:pending", "reporting:statistics", "audit:list"]),
    (Role.SUPERVISOR,
     [*STAFF_LINKS, "consultations:list", "evaluations:list", "reporting:statistics",
      "audit:list"],
     ["evaluations:pending", "public:edit_card"]),
    (Role.ADMINISTRATOR,
     ["reporting:statistics", "audit:list", "notifications:inbox"],
     ["supervision:list", "dashboards:dashboard", "evaluations:list", "meetings:list"]),
])
def test_staff_see_the_links_of_their_role(client, role, shown, hidden):
    membership = MembershipFactory(role=role)
    client.force_login(membership.user)
    _menu_html, links = _menu(client)
    assert {reverse(name) for name in shown} <= links
    assert not {reverse(name) for name in hidden} & links
    assert reverse("portal:workbench") in links


def test_a_department_representative_sees_no_outreach_or_ratings(client):
    department = DepartmentFactory()
    membership = MembershipFactory(role=Role.DEPARTMENT_REPRESENTATIVE,
                                   agency=department.agency, department=department)
    client.force_login(membership.user)
    _menu_html, links = _menu(client)
    assert {reverse(name) for name in [*STAFF_LINKS, "public:edit_card"]} <= links
    assert not {reverse(name) for name in ["consultations:list", "evaluations:list",
                                           "evaluations:pending"]} & links


def test_a_company_contact_evaluates_and_sees_no_staff_pages(client):
    contact = CompanyContactFactory()
    client.force_login(contact.user)
    menu, links = _menu(client)
    assert {reverse(name) for name in ["problems:list", "evaluations:pending",
                                       "meetings:list", "notifications:inbox"]} <= links
    assert not {reverse(name) for name in ["supervision:list", "dashboards:dashboard",
                                           "evaluations:list", "audit:list"]} & links
    assert 'data-nav="evaluations"' in menu


def test_a_visitor_sees_the_public_pages_and_the_login(client):
    page = client.get(reverse("public:home")).content.decode()
    menu = page.split('id="bb-nav-menu"', 1)[1].split("</nav>", 1)[0]
    for name in ["public:home", "public:catalog", "policies:list", "public:directory",
                 "public:progress", "accounts:login"]:
        assert f'href="{reverse(name)}"' in menu
    assert reverse("notifications:inbox") not in menu


def test_the_current_page_is_marked(client):
    membership = MembershipFactory(role=Role.SPECIALIST)
    client.force_login(membership.user)
    inbox = reverse("notifications:inbox")
    menu, _links = _menu(client, inbox)
    current = re.findall(r'aria-current="page" href="([^"]+)"', menu)
    assert current == [inbox]


def test_links_follow_the_script_prefix_the_site_is_served_under(client):
    membership = MembershipFactory(role=Role.SPECIALIST)
    client.force_login(membership.user)
    _menu_html, plain = _menu(client)
    # What the WSGI handler does for a site served under /bangban/ (the test client does not).
    set_script_prefix("/bangban/")
    try:
        _menu_html, prefixed = _menu(client)
    finally:
        set_script_prefix("/")
    assert "/bangban" + reverse("notifications:inbox") in prefixed
    assert reverse("notifications:inbox") in plain
    assert not any(link.startswith("/bangban") for link in plain)
