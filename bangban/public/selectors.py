"""Reads for the public pages: the catalog, contact cards and the directory, and the public
progress of a project. Every list is read in a fixed number of queries."""

import hmac
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from bangban.accounts.models import Agency, Membership, Role
from bangban.accounts.permissions import case_roles, memberships_of
from bangban.cases.models import Case, CaseItem
from bangban.cases.workflow import FINISHED_ITEM_STATES, ItemState
from bangban.catalog.models import Matter, MatterMaterial, Stage
from bangban.public.models import ContactCard, ProgressQueryCode
from bangban.public.workflow import DIRECTORY_ROLES, PUBLIC_CASE_STATES, can_read_query_code

# Compared against when no project matches, so a wrong project code costs the same time as a
# wrong query code.
_NO_CODE = "-" * 8


# --------------------------------------------------------------------------- catalog


def catalog_stages():
    return Stage.objects.all()


def catalog_matters(*, query="", stage=None):
    """Active matters with their stage and materials; each word of `query` must appear in the
    name, code, department or applicability note."""
    matters = (Matter.objects.filter(is_active=True).select_related("stage")
               .prefetch_related(Prefetch("materials",
                                          queryset=MatterMaterial.objects.order_by("position"))))
    for word in query.split():
        matters = matters.filter(Q(name__icontains=word) | Q(code__icontains=word)
                                 | Q(department_note__icontains=word)
                                 | Q(applicability_note__icontains=word))
    if stage is not None:
        matters = matters.filter(stage=stage)
    return matters.order_by("stage__code", "code")


def get_public_matter(code):
    return get_object_or_404(
        Matter.objects.filter(is_active=True).select_related("stage").prefetch_related(
            Prefetch("materials", queryset=MatterMaterial.objects.order_by("position")),
            Prefetch("prerequisites", queryset=Matter.objects.filter(is_active=True)),
        ),
        code=code,
    )


# --------------------------------------------------------------------------- contact cards


def administers(admin, user):
    """True when `admin` is a superuser or an administrator of an agency at or above one of
    `user`'s agencies: an administrator elsewhere has no business with their card."""
    if admin.is_superuser:
        return True
    paths = [m.agency.path for m in memberships_of(admin) if m.role == Role.ADMINISTRATOR]
    return any(m.agency.path.startswith(path) for m in memberships_of(user) for path in paths)


def get_card_for(viewer, pk):
    """A published card, or the viewer's own / a card of their agencies' staff for an
    administrator (a preview); 404 otherwise."""
    card = get_object_or_404(ContactCard.objects.select_related("user"), pk=pk)
    if card.is_published or card.user_id == viewer.pk or (
            viewer.is_authenticated and administers(viewer, card.user)):
        return card
    raise Http404


@dataclass
class DirectoryAgency:
    agency: Agency
    chiefs: list = field(default_factory=list)
    specialists: list = field(default_factory=list)
    departments: dict = field(default_factory=dict)  # Department → [ContactCard]


def directory():
    """首席责任人及服务专员一览表 (Hunan 附件1): per agency, the chief specialists, the
    specialists and each department's representatives who have published a contact card."""
    memberships = (
        Membership.objects.filter(role__in=DIRECTORY_ROLES, user__is_active=True,
                                  user__contact_card__is_published=True)
        .select_related("agency", "department", "user__contact_card")
        .order_by("agency__path", "department__name", "user__contact_card__staff_number",
                  "user__contact_card__name")
    )
    agencies = {}
    for membership in memberships:
        entry = agencies.setdefault(membership.agency_id, DirectoryAgency(membership.agency))
        card = membership.user.contact_card
        if membership.role == Role.CHIEF_SPECIALIST:
            entry.chiefs.append(card)
        elif membership.role == Role.SPECIALIST:
            entry.specialists.append(card)
        else:
            entry.departments.setdefault(membership.department, []).append(card)
    return list(agencies.values())


def agencies_for_contact():
    return Agency.objects.all()


# --------------------------------------------------------------------------- progress query


@dataclass
class PublicProgress:
    project_name: str
    project_code: str
    case_state: str
    stage: Stage | None
    all_finished: bool
    items: list


def _public_case(project_id):
    return (Case.objects.filter(project_id=project_id, state__in=PUBLIC_CASE_STATES)
            .order_by("-created_at", "-pk").first())


def project_progress(project_code, query_code):
    """The project's public progress when both codes match, else None — the same None for an
    unknown project as for a wrong code."""
    project_code = (project_code or "").strip()
    query_code = (query_code or "").strip().upper()
    record = (ProgressQueryCode.objects.select_related("project")
              .filter(project__code=project_code).first() if project_code else None)
    expected = record.code if record else _NO_CODE
    matches = hmac.compare_digest(expected.encode(), query_code.encode())
    if record is None or not matches:
        return None
    project = record.project
    case = _public_case(project.pk)
    items = []
    if case is not None and case.plan_published_at is not None:
        items = list(CaseItem.objects.filter(case=case).exclude(state=ItemState.WITHDRAWN)
                     .select_related("matter__stage").order_by("matter__stage__code",
                                                               "position", "pk"))
    open_items = [i for i in items if i.state not in FINISHED_ITEM_STATES]
    stage = (open_items[0].matter.stage if open_items
             else items[-1].matter.stage if items else None)
    return PublicProgress(
        project_name=project.name, project_code=project.code,
        case_state=case.get_state_display() if case else "",
        stage=stage, all_finished=bool(items) and not open_items, items=items,
    )


def query_code_for(user, case):
    """The project's query code for a reader allowed to see it, else None."""
    if not can_read_query_code(case_roles(user, case)):
        return None
    return ProgressQueryCode.objects.filter(project_id=case.project_id).first()
