"""The list pages' filter form, one partial for every list (templates/partials/_filter_form.html):
each field in its column with its label, the submitted values kept, errors shown."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertInHTML

from bangban.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _page(client, role, url, query):
    client.force_login(MembershipFactory(role=role).user)
    response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_problem_filters_keep_their_id_labels_and_submitted_values(client):
    html = _page(client, Role.CHIEF_SPECIALIST, reverse("problems:list"),
                 {"state": "answered", "level": "2", "overdue": "on"})

    assert html.count('role="search"') == 1
    assert 'id="problem-filters"' in html
    assertInHTML('<label class="form-label small mb-1" for="id_state">State</label>', html)
    assertInHTML('<label class="form-label small mb-1" for="id_level">Level</label>', html)
    assertInHTML('<option value="answered" selected>Answered by the department</option>', html)
    assertInHTML('<option value="2" selected>Level 2: chief responsible person</option>', html)
    assertInHTML('<button type="submit" class="btn btn-primary">Filter</button>', html)


def test_a_checkbox_filter_renders_as_a_form_check_with_its_label_after_it(client):
    html = _page(client, Role.CHIEF_SPECIALIST, reverse("problems:list"), {"overdue": "on"})

    assertInHTML(
        '<div class="form-check mb-2">'
        '<input type="checkbox" name="overdue" class="form-check-input" id="id_overdue" checked>'
        '<label class="form-check-label small" for="id_overdue">Overdue only</label></div>',
        html)


def test_case_filters_keep_the_searched_text(client):
    html = _page(client, Role.CHIEF_SPECIALIST, reverse("cases:list"), {"q": "鲁南"})

    assertInHTML('<label class="form-label small mb-1" for="id_q">'
                 'Case number or project name</label>', html)
    assertInHTML('<input type="text" name="q" value="鲁南" class="form-control" maxlength="100"'
                 ' id="id_q">', html)


def test_a_wrong_filter_shows_its_error_under_the_field_and_a_notice_on_top(client):
    html = _page(client, Role.ADMINISTRATOR, reverse("audit:list"), {"date_from": "someday"})

    assertInHTML('<div class="invalid-feedback d-block">Enter a valid date.</div>', html)
    assertInHTML('<div class="alert alert-danger py-2" role="alert">'
                 'Please correct the marked fields.</div>', html)


def test_the_public_catalog_search_keeps_its_button_text(client):
    response = client.get(reverse("public:catalog"), HTTP_ACCEPT_LANGUAGE="en")

    html = response.content.decode()
    assert 'data-testid="catalog-search"' in html
    assertInHTML('<button type="submit" class="btn btn-primary">Search</button>', html)
