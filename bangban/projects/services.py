"""Writes for projects: a company's contacts, or the staff of the project's agency, keep them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangban.accounts.models import Membership, Role
from bangban.accounts.permissions import company_ids_of, memberships_of
from bangban.accounts.recipients import ancestor_paths
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.notifications.services import notify
from bangban.projects.models import KeyProjectTeam, KeyProjectTeamMember, Project

PROJECT_FIELDS = frozenset({
    "agency", "name", "code", "category", "investment_type", "is_key_project", "location",
    "total_investment", "floor_area", "description",
})

# Staff who keep projects for companies; a supervisor only reads.
PROJECT_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.ADMINISTRATOR})


def is_staff_of_agency(user, agency, roles=PROJECT_STAFF_ROLES):
    """A membership in one of `roles` at the agency or an agency above it."""
    return any(
        m.role in roles and agency.path.startswith(m.agency.path) for m in memberships_of(user)
    )


def can_keep_project(user, *, company, agency):
    if not user.is_authenticated:
        return False
    return company.pk in company_ids_of(user) or is_staff_of_agency(user, agency)


def _check_fields(fields, function):
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise TypeError(f"{function}() got unexpected fields: {sorted(unknown)}")
    if fields.get("code") == "":
        fields["code"] = None  # an empty code is "not assigned yet", not a duplicate value


def _save(project):
    project.full_clean()
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise ValidationError(
            {"code": _("Another project already has this project code.")}
        ) from None
    return project


@transaction.atomic
def create_project(*, by, company, **fields) -> Project:
    _check_fields(fields, "create_project")
    agency = fields.get("agency")
    if agency is None:
        raise ValidationError({"agency": _("Choose the service agency.")})
    if not can_keep_project(by, company=company, agency=agency):
        raise NotAllowed(
            _("Only the company's contacts or the staff of the agency may add its projects.")
        )
    return _save(Project(company=company, **fields))


@transaction.atomic
def create_projects(*, by, agency, projects) -> list[Project]:
    """Many projects at one agency (an import): `projects` are (company, fields) pairs. The
    rules of `create_project` for staff of the agency, all or none, in a constant number of
    queries."""
    if not is_staff_of_agency(by, agency):
        raise NotAllowed(_("Only the staff of the agency may add its projects."))
    built = []
    for company, fields in projects:
        fields = dict(fields)
        _check_fields(fields, "create_projects")
        project = Project(company=company, agency=agency, **fields)
        # The company and the agency are saved rows the caller holds: no query to check them.
        project.full_clean(exclude=["company", "agency"], validate_unique=False)
        built.append(project)
    codes = [project.code for project in built if project.code]
    if len(set(codes)) < len(codes) or Project.objects.filter(code__in=codes).exists():
        raise ValidationError({"code": _("Another project already has this project code.")})
    try:
        with transaction.atomic():
            Project.objects.bulk_create(built)
    except IntegrityError:  # the same code saved by someone else a moment ago
        raise ValidationError(
            {"code": _("Another project already has this project code.")}
        ) from None
    return built


@transaction.atomic
def update_project(*, project, by, **fields) -> Project:
    _check_fields(fields, "update_project")
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("company", "agency")
        .get(pk=project.pk)
    )
    if not can_keep_project(by, company=project.company, agency=project.agency):
        raise NotAllowed(
            _("Only the company's contacts or the staff of the agency may change this project.")
        )
    new_agency = fields.get("agency")
    if new_agency is not None and new_agency.pk != project.agency_id:
        # A case keeps the agency it was made for; moving the project would split them.
        if project.cases.exists():
            raise ValidationError(
                {"agency": _("The agency cannot be changed once an application has been "
                             "made for the project.")}
            )
        if not can_keep_project(by, company=project.company, agency=new_agency):
            raise NotAllowed(_("You cannot move the project to that agency."))
    for name, value in fields.items():
        setattr(project, name, value)
    return _save(project)


# ------------------------------------------------------------------ key-project team


def _has_membership_over(user, agency, roles):
    return Membership.objects.filter(
        user=user, user__is_active=True, role__in=roles,
        agency__path__in=ancestor_paths(agency),
    ).exists()




@transaction.atomic
def set_up_key_project_team(*, project, by, specialist, chief, representatives=(),
                            note="") -> KeyProjectTeam:
    """Sets up (or changes) the dedicated team of a key project (Hunan 三(二)): a specialist,
    a chief specialist and department representatives (`representatives`: their
    Memberships). Only a chief specialist of the project's agency or above may do it; everyone
    on the team is told."""
    project = (Project.objects.select_for_update(of=("self",)).select_related("agency")
               .get(pk=project.pk))
    if not is_staff_of_agency(by, project.agency, roles={Role.CHIEF_SPECIALIST}):
        raise NotAllowed(_("Only a chief specialist of the project's agency may set up its "
                           "team."))
    if not project.is_key_project:
        raise InvalidTransition(_("Only a key project has a dedicated team; mark the project "
                                  "as a key project first."))
    errors = {}
    if not _has_membership_over(specialist, project.agency,
                                [Role.SPECIALIST, Role.CHIEF_SPECIALIST]):
        errors["specialist"] = _("Choose a specialist of the project's agency.")
    if not _has_membership_over(chief, project.agency, [Role.CHIEF_SPECIALIST]):
        errors["chief"] = _("Choose a chief specialist of the project's agency.")
    representatives = list(representatives)
    for membership in representatives:
        agency_path = membership.agency.path
        related = (project.agency.path.startswith(agency_path)
                   or agency_path.startswith(project.agency.path))
        if (membership.role != Role.DEPARTMENT_REPRESENTATIVE or not related
                or not membership.user.is_active):
            errors["representatives"] = _("Choose representatives of the departments of the "
                                          "project's agency or of the levels above or below "
                                          "it.")
    if errors:
        raise ValidationError(errors)
    team = KeyProjectTeam.objects.filter(project=project).first() or KeyProjectTeam(
        project=project)
    team.specialist, team.chief, team.set_up_by = specialist, chief, by
    team.note = (note or "").strip()
    team.full_clean()
    team.save()
    team.members.all().delete()
    KeyProjectTeamMember.objects.bulk_create(
        KeyProjectTeamMember(team=team, user=m.user, department=m.department)
        for m in {(m.user_id, m.department_id): m for m in representatives}.values()
    )
    notify(recipients=[specialist, chief, *(m.user for m in representatives)],
           event="key_project_team",
           subject=_("You are on the dedicated team of key project %(project)s")
           % {"project": project.name},
           body=_("Set up by %(name)s.") % {"name": by.display_name})
    return team
