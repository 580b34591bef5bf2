"""InSubquery: the same rows as `__in`, written so PostgreSQL can OR it with other indexes."""

import pytest
from django.db import connection
from django.db.models import Q

from bangban.cases.models import Case
from bangban.core.expressions import InSubquery
from bangban.projects.models import Project
from tests.factories import CaseFactory, CompanyFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_in_subquery_selects_the_same_rows_as_in():
    company = CompanyFactory()
    mine = CaseFactory(project=ProjectFactory(company=company))
    specialist = UserFactory()
    assigned = CaseFactory(specialist=specialist)
    CaseFactory()
    projects = Project.objects.filter(company=company).values("pk")
    condition = Q(InSubquery("project_id", projects)) | Q(specialist=specialist)
    assert set(Case.objects.filter(condition)) == {mine, assigned}
    assert set(Case.objects.filter(condition)) == set(
        Case.objects.filter(Q(project__in=projects) | Q(specialist=specialist)))
    assert set(Case.objects.exclude(condition)) == set(Case.objects.all()) - {mine, assigned}


def test_in_subquery_is_an_array_on_postgresql():
    sql = str(Case.objects.filter(InSubquery("project_id", Project.objects.values("pk"))).query)
    if connection.vendor == "postgresql":
        assert '"project_id" = ANY(ARRAY(SELECT' in sql
    else:
        assert '"project_id" IN (SELECT' in sql
