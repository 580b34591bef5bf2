"""Which printable forms a user may print, and the data each form shows.

A form of a case is open to the viewers its `CaseForm` names, once the case has reached the
point where the form means something; everyone else gets a 404, as for the case itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles, memberships_of
from bangban.cases import selectors as case_selectors
from bangban.cases.models import LedgerEntry
from bangban.cases.workflow import CaseState
from bangban.public import selectors as public_selectors

STAFF = "staff"
COMPANY = "company"
DEPARTMENT = "department"

PLAN_STATES = frozenset({
    CaseState.PLANNED, CaseState.IN_PROGRESS, CaseState.SUSPENDED, CaseState.COMPLETED,
    CaseState.TERMINATED,
})


def viewer_of(user, case):
    """How the user looks at a case they may see: as staff, as the company or as a
    department (a representative of a department an item was pushed to)."""
    roles = case_roles(user, case)
    if roles - {Role.APPLICANT}:
        return STAFF
    if roles:
        return COMPANY
    return DEPARTMENT


def _has_plan(case, viewer):
    if viewer == COMPANY:
        return case.plan_published_at is not None
    return case.state in PLAN_STATES


def _handed_over(case, viewer):
    return case.handed_over_at is not None or case.state == CaseState.COMPLETED


@dataclass(frozen=True)
class CaseForm:
    """One printable form of a case: its name in URLs, its label, the file formats it is
    printed in (PDF first), who may print it and when it exists."""

    name: str
    label: str
    formats: tuple
    viewers: frozenset
    available: Callable = lambda case, viewer: True

    def allows(self, case, viewer):
        return viewer in self.viewers and self.available(case, viewer)


STAFF_AND_COMPANY = frozenset({STAFF, COMPANY})

CASE_FORMS = {form.name: form for form in [
    # Qujiang 附件1 / Hunan 附件2.
    CaseForm("application", _("Service application form"), ("pdf", "docx"), STAFF_AND_COMPANY),
    # Qujiang 附件2: the 专属办事指南 agreed for this case.
    CaseForm("guide", _("Service guide"), ("pdf", "docx"), STAFF_AND_COMPANY, _has_plan),
    # Qujiang 附件3; the ledger is the service side's record, not shown to the company.
    CaseForm("ledger", _("Work ledger"), ("pdf", "xlsx"), frozenset({STAFF})),
    # Qujiang 附件6.
    CaseForm("completion", _("Completion sheet"), ("pdf",), STAFF_AND_COMPANY, _handed_over),
    # Qujiang 第十八条 / Binzhou 7.8: written notice to the company.
    CaseForm("suspension", _("Suspension notice"), ("pdf",), STAFF_AND_COMPANY,
             lambda case, viewer: case.state == CaseState.SUSPENDED),
    CaseForm("termination", _("Termination notice"), ("pdf",), STAFF_AND_COMPANY,
             lambda case, viewer: case.state == CaseState.TERMINATED),
]}


def forms_of_case(user, case):
    """The case's forms the user may print now, in the order of CASE_FORMS."""
    viewer = viewer_of(user, case)
    return [form for form in CASE_FORMS.values() if form.allows(case, viewer)]


ARCHIVING_ROLES = (Role.SPECIALIST, Role.CHIEF_SPECIALIST)


def archiving_role(user, case):
    """The role under which the user may file the case's forms in its archive, or None."""
    roles = case_roles(user, case)
    return next((role for role in ARCHIVING_ROLES if role in roles), None)


def get_case_form_for(user, pk, name, fmt):
    """(case, form) when the user may print the case's form in that format, else 404."""
    form = CASE_FORMS.get(name)
    if form is None or fmt not in form.formats:
        raise Http404
    case = case_selectors.get_case_for(user, pk)
    if not form.allows(case, viewer_of(user, case)):
        raise Http404
    return case, form


def _items(case):
    return case.items.all()  # prefetched by get_case_for, with matter, stage and department


def _latest_entry(case, action):
    return (LedgerEntry.objects.filter(case=case, action=action)
            .select_related("actor").order_by("-at", "-pk").first())


def case_form_context(case, form):
    """What the form's template (and its DOCX or XLSX) shows."""
    context = {"case": case, "form": form, "project": case.project,
               "company": case.project.company, "items": _items(case)}
    if form.name == "ledger":
        context["ledger"] = list(case_selectors.ledger_of(case))
    elif form.name in ("suspension", "termination"):
        entry = _latest_entry(case, "suspend" if form.name == "suspension" else "terminate")
        context["entry"] = entry
        context["reason"] = (case.get_suspension_reason_display() if form.name == "suspension"
                             else case.get_termination_reason_display())
    return context


# ------------------------------------------------------------------------------ directory


def may_print_directory(user):
    """The directory (Hunan 附件1) is printed by the service side: anyone with an agency
    role."""
    return user.is_authenticated and bool(memberships_of(user))


def directory_rows():
    """Hunan 附件1's rows, per agency: the service centre itself (its chief specialists as
    首席责任人, its specialists as 服务专员) and then each department with a representative
    (its representatives as 服务专员). Only people with a published contact card appear."""
    rows = []
    for entry in public_selectors.directory():
        rows.append({"agency": entry.agency, "unit": entry.agency.name,
                     "chiefs": entry.chiefs, "specialists": entry.specialists})
        for department, cards in entry.departments.items():
            rows.append({"agency": entry.agency, "unit": department.name, "chiefs": [],
                         "specialists": cards})
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows
