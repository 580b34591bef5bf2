"""The data world of the authorization matrix: two parties that must not see each other.

The *other party* is the demo agency (`manage.py demo_data`: Binzhou city and two districts,
with companies, projects, cases in every state, items pushed to departments, documents,
problems, meetings, supervision notices, evaluations, consultations, visits, policies and
notifications), plus an export job, an unpublished contact card and a few rows the demo does
not make. The *home party* is a separate city agency with one user per role of SPEC §1 and a
company of its own; none of them owns anything in the other party, so whatever of the other
party's identifying data one of their pages shows is a leak. Two *peer* users sit inside the
other agency without any part in its cases: a representative of a department nothing was
pushed to, and a specialist who handles none of its cases.
"""

import datetime
from dataclasses import dataclass, field
from io import StringIO

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from bangban.accounts.models import Agency, DepartmentKind, Role, User
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import CaseState, ItemState
from bangban.companies.models import Company, CompanyContact
from bangban.consultations.models import Consultation
from bangban.documents.models import Document
from bangban.evaluations.models import Evaluation, Rectification
from bangban.meetings.models import Meeting, MeetingAction
from bangban.notifications.models import Notification
from bangban.policies.models import CasePolicy
from bangban.problems.models import Problem
from bangban.projects.models import Project
from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.reporting.models import ExportJob, ExportState
from bangban.supervision.models import SupervisionNotice
from bangban.visits.models import Activity
from tests.factories import (
    AgencyFactory,
    CompanyContactFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

ANONYMOUS = "anonymous"
SUPERUSER = "superuser"
ADMINISTRATOR = Role.ADMINISTRATOR.value
# The home party's users, one per role of SPEC §1 (the applicant through a company contact).
HOME_ROLES = (
    Role.APPLICANT.value,
    Role.SPECIALIST.value,
    Role.CHIEF_SPECIALIST.value,
    Role.DEPARTMENT_REPRESENTATIVE.value,
    Role.EXPERT.value,
    Role.SUPERVISOR.value,
    Role.ADMINISTRATOR.value,
)
PEER_DEPARTMENT = "peer_department"
PEER_SPECIALIST = "peer_specialist"
PEER_ROLES = (PEER_DEPARTMENT, PEER_SPECIALIST)
# Every requester of the matrix, in the order the test ids show them.
ROLES = (ANONYMOUS, *HOME_ROLES, *PEER_ROLES)

# Strings shorter than this could occur on a page by chance (a surname, a year).
MIN_SECRET_LENGTH = 4


@dataclass
class Other:
    """The other party's objects the matrix's URLs are filled with."""

    agency: Agency
    company: Company
    contact: CompanyContact
    project: Project
    key_project: Project
    draft: Case
    submitted: Case
    case: Case
    item: CaseItem
    reviewed_item: CaseItem
    document: Document
    problem: Problem
    forwarded_problem: Problem
    notice: SupervisionNotice
    meeting: Meeting
    meeting_action: MeetingAction
    evaluation: Evaluation
    rectification: Rectification
    consultation: Consultation
    activity: Activity
    card: ContactCard
    notification: Notification
    export_job: ExportJob
    case_policy: CasePolicy
    query_code: ProgressQueryCode


@dataclass
class World:
    users: dict
    other: Other
    # {kind: frozenset of strings}: the other party's identifying data, by kind.
    secrets: dict = field(default_factory=dict)

    def user(self, role):
        return self.users.get(role)

    def secrets_except(self, kinds):
        return [(kind, text) for kind, strings in self.secrets.items() if kind not in kinds
                for text in strings]


def _first(queryset, what):
    found = queryset.first()
    if found is None:
        raise LookupError(f"The demo data has no {what}: the matrix needs one.")
    return found


def _home_users():
    agency = AgencyFactory(name="主场政务服务中心", code="home-city")
    department = DepartmentFactory(agency=agency, name="主场住建局",
                                   kind=DepartmentKind.HOUSING_CONSTRUCTION)
    users = {
        Role.APPLICANT.value: CompanyContactFactory(
            user=UserFactory(username="home-applicant")).user,
    }
    for role in HOME_ROLES[1:]:
        users[role] = MembershipFactory(
            user=UserFactory(username=f"home-{role}"), agency=agency, role=role,
            department=department if role == Role.DEPARTMENT_REPRESENTATIVE else None,
        ).user
    return users


def _peer_users(other_agency):
    quiet = DepartmentFactory(agency=other_agency, name="无事项的部门",
                              kind=DepartmentKind.METEOROLOGY)
    return {
        PEER_DEPARTMENT: MembershipFactory(
            user=UserFactory(username="peer-department"), agency=other_agency,
            role=Role.DEPARTMENT_REPRESENTATIVE, department=quiet).user,
        PEER_SPECIALIST: MembershipFactory(
            user=UserFactory(username="peer-specialist"), agency=other_agency,
            role=Role.SPECIALIST).user,
    }


def _other_party():
    agency = Agency.objects.get(code="binzhou")
    case = _first(
        Case.objects.filter(state=CaseState.IN_PROGRESS, agency=agency,
                            problems__isnull=False, documents__isnull=False)
        .annotate(n=Count("items")).filter(n__gt=1).order_by("pk"),
        "case in progress with problems and documents",
    )
    item = _first(case.items.filter(state__in=[ItemState.ACCEPTED, ItemState.PUSHED])
                  .order_by("pk"), "pushed item")
    owner = _first(User.objects.filter(memberships__agency=agency,
                                       memberships__role=Role.SPECIALIST)
                   .exclude(username__startswith="peer-").order_by("pk"), "specialist")
    job = ExportJob.objects.create(owner=owner, table="cases", state=ExportState.DONE,
                                   finished_at=timezone.now(),
                                   expires_at=timezone.now() + datetime.timedelta(days=1))
    job.file.save("authz-export.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"))
    card = ContactCard.objects.filter(user=owner).first()
    if card is None:
        card = ContactCard.objects.create(user=owner, name=owner.full_name, phone=owner.phone)
    ContactCard.objects.filter(pk=card.pk).update(is_published=False)
    card.refresh_from_db()
    document = _first(Document.objects.filter(case=case).order_by("pk"), "document")
    return Other(
        agency=agency,
        company=case.project.company,
        contact=case.company_contact,
        project=case.project,
        key_project=_first(Project.objects.filter(is_key_project=True, agency=agency)
                           .order_by("pk"), "key project"),
        draft=_first(Case.objects.filter(state=CaseState.DRAFT).order_by("pk"), "draft case"),
        submitted=_first(Case.objects.filter(state=CaseState.SUBMITTED).order_by("pk"),
                         "submitted case"),
        case=case,
        item=item,
        reviewed_item=_first(CaseItem.objects.filter(state=ItemState.REVIEWED,
                                                     case__state=CaseState.IN_PROGRESS)
                             .order_by("pk"), "reviewed item"),
        document=document,
        problem=_first(Problem.objects.order_by("pk"), "problem"),
        forwarded_problem=_first(Problem.objects.filter(feedback_letter__isnull=False).order_by("pk"),
                                 "problem with a feedback letter"),
        notice=_first(SupervisionNotice.objects.order_by("pk"), "supervision notice"),
        meeting=_first(Meeting.objects.order_by("pk"), "meeting"),
        meeting_action=_first(MeetingAction.objects.filter(state="open").order_by("pk"),
                              "open meeting decision"),
        evaluation=_first(Evaluation.objects.filter(rectification__isnull=False)
                          .order_by("pk"), "evaluation with a rectification"),
        rectification=_first(Rectification.objects.order_by("pk"), "rectification"),
        consultation=_first(Consultation.objects.filter(state="open").order_by("pk"),
                            "open consultation"),
        activity=_first(Activity.objects.order_by("pk"), "activity"),
        card=card,
        notification=_first(Notification.objects.filter(read_at__isnull=True)
                            .order_by("pk"), "unread notification"),
        export_job=job,
        case_policy=_first(CasePolicy.objects.order_by("pk"), "policy linked to a case"),
        query_code=_first(ProgressQueryCode.objects.order_by("pk"), "progress query code"),
    )


def _long(strings):
    return frozenset(s for s in strings if s and len(s) >= MIN_SECRET_LENGTH)


def _secrets(home_company_ids):
    """Everything that names the other party's companies, projects, cases and coordination
    records. Staff names are not here: contact cards publish them on purpose."""
    companies = Company.objects.exclude(pk__in=home_company_ids)
    contacts = CompanyContact.objects.filter(company__in=companies)
    return {
        "company": _long(companies.values_list("name", flat=True)),
        "credit_code": _long(companies.values_list("credit_code", flat=True)),
        "contact": _long([*contacts.values_list("phone", flat=True)]),
        "project": _long(Project.objects.filter(company__in=companies)
                         .values_list("name", flat=True)),
        "project_code": _long(Project.objects.filter(company__in=companies)
                              .values_list("code", flat=True)),
        "case": _long(Case.objects.values_list("number", flat=True)),
        "problem": _long([*Problem.objects.values_list("number", flat=True),
                          *Problem.objects.values_list("title", flat=True)]),
        "notice": _long(SupervisionNotice.objects.values_list("number", flat=True)),
        "meeting": _long(Meeting.objects.values_list("title", flat=True)),
        "consultation": _long([q[:40] for q in Consultation.objects.values_list(
            "question", flat=True)]),
        "activity": _long(Activity.objects.values_list("title", flat=True)),
        "query_code": _long(ProgressQueryCode.objects.values_list("code", flat=True)),
    }


def build_world():
    """Builds both parties; runs the services' on-commit work (notifications) at once."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("demo_data", stdout=StringIO())
        users = _home_users()
        other = _other_party()
        users.update(_peer_users(other.agency))
        users[SUPERUSER] = UserFactory(username="home-superuser", is_staff=True,
                                       is_superuser=True)
    home_company_ids = set(CompanyContact.objects.filter(
        user=users[Role.APPLICANT.value]).values_list("company_id", flat=True))
    return World(users=users, other=other, secrets=_secrets(home_company_ids))
