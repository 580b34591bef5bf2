import base64
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from bangban.accounts.models import Role, User
from bangban.api.scopes import APPROVAL_INBOUND, READ, WRITE
from bangban.api.services import create_api_token
from bangban.cases.workflow import ItemState
from bangban.documents.models import DocumentKind
from bangban.documents.services import store_document
from bangban.evaluations.models import Evaluation
from bangban.notifications.models import Notification
from tests.factories import (
    PDF_BYTES,
    CaseFactory,
    CaseItemFactory,
    MatterFactory,
    MembershipFactory,
    UserFactory,
    pdf_upload,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted by their English msgids, whatever the translations say."""
    with translation.override("en"):
        yield


@dataclass
class World:
    """One agency's running case with an item at the department, and the people around it."""

    case: object
    item: object
    specialist: User
    chief: User
    department: User
    applicant: User
    document: object
    evaluation: object
    notification: object


def make_world(n):
    specialist = UserFactory()
    case = CaseFactory(in_progress=True, specialist=specialist,
                       project__code=f"2026-371602-47-01-{n:06d}",
                       plan_published_at=timezone.now())
    MembershipFactory(user=specialist, agency=case.agency, role=Role.SPECIALIST)
    item = CaseItemFactory(case=case, state=ItemState.PUSHED, pushed_at=timezone.now(),
                           matter=MatterFactory(code=f"M{n:03d}"))
    department = MembershipFactory(agency=case.agency, role=Role.DEPARTMENT_REPRESENTATIVE,
                                   department=item.department).user
    applicant = case.company_contact.user
    document = store_document(case=case, item=item, kind=DocumentKind.MATERIAL,
                              file=pdf_upload(), by=specialist, title="施工合同")
    evaluation = Evaluation.objects.create(
        company=case.project.company, case=case, agency=case.agency, specialist=specialist,
        rating=1, channel="portal", contact=case.company_contact, entered_by=applicant)
    notification = Notification.objects.create(recipient=department, case=case,
                                               event="item_pushed", subject=f"推送 {n}")
    return World(
        case=case, item=item, specialist=specialist,
        chief=MembershipFactory(agency=case.agency, role=Role.CHIEF_SPECIALIST).user,
        department=department, applicant=applicant, document=document,
        evaluation=evaluation, notification=notification,
    )


@pytest.fixture
def world(db):
    return make_world(1)


@pytest.fixture
def other_world(db):
    """Another agency, company and department: nothing of it is visible from `world`."""
    return make_world(2)


def token_key(user, scopes=(READ, WRITE), **kwargs):
    return create_api_token(user=user, name="测试系统", scopes=list(scopes), **kwargs).key


def client_for(user, scopes=(READ, WRITE)):
    """An API client authenticated by a token of `user`, asking for English."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_key(user, scopes)}")
    return client


def inbound_client(user):
    return client_for(user, scopes=(APPROVAL_INBOUND,))


def b64_pdf(name="licence.pdf"):
    return {"name": name, "content_base64": base64.b64encode(PDF_BYTES).decode()}
