"""Read queries for supervision notices, scoped to what the user may see, and the policy in
force for an agency.

Who sees a notice: the representatives of its department, the case's specialist, and chief
specialists and supervisors of the issuing agency or an agency above it. Nobody else — a
company never sees its project's notices; they are the government side's business.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from bangban.accounts.agency_tree import nearest_policy
from bangban.accounts.models import Role
from bangban.accounts.permissions import agency_paths_for, case_roles, department_ids_for
from bangban.accounts.system import is_system_user
from bangban.cases.models import Case, LedgerEntry
from bangban.cases.selectors import in_agencies_under
from bangban.cases.workflow import FINISHED_ITEM_STATES
from bangban.core.expressions import InSubquery
from bangban.core.tables import choice_labels, pk_url, table_day
from bangban.deadlines.selectors import items_overdue
from bangban.supervision.models import SupervisionNotice, SupervisionPolicy, default_policy_value
from bangban.supervision.workflow import ACTIVE_STATES, SYSTEM, NoticeLevel, NoticeState

NOTICE_LIST_RELATED = (
    "agency", "case__project__company", "case__specialist", "item__matter", "department",
)
# The roles a notice's page knows; an applicant's role on the case gives nothing here.
NOTICE_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR})


# ------------------------------------------------------------------------------ policy




def policy_for(agency):
    """The supervision policy in force at `agency`: its own, else its nearest ancestor's, else
    an unsaved policy holding the defaults (one query)."""
    return nearest_policy(SupervisionPolicy, agency, lambda: SupervisionPolicy(
        agency=agency,
        notice_response_days=default_policy_value("notice_response_days"),
        escalated_response_days=default_policy_value("escalated_response_days"),
        auto_refer=default_policy_value("auto_refer"),
        referral_body=default_policy_value("referral_body"),
    ))


# ------------------------------------------------------------------------------ roles


def notice_roles(user, notice):
    """The roles `user` holds towards `notice` (see workflow.NOTICE_ACTIONS)."""
    if is_system_user(user):
        return frozenset({SYSTEM})
    if not user.is_authenticated:
        return frozenset()
    roles = set(case_roles(user, notice.case) & NOTICE_STAFF_ROLES)
    if notice.department_id in department_ids_for(user):
        roles.add(Role.DEPARTMENT_REPRESENTATIVE)
    return frozenset(roles)


# ------------------------------------------------------------------------------ lists


def notices_visible_to(user):
    if not user.is_authenticated:
        return SupervisionNotice.objects.none()
    # Lookups on the notice's own columns, so the OR stays a union of index scans.
    condition = Q(department_id__in=department_ids_for(user)) | Q(InSubquery(
        "case_id", Case.objects.filter(specialist=user).order_by().values("pk")))
    condition |= in_agencies_under(
        agency_paths_for(user, Role.CHIEF_SPECIALIST) + agency_paths_for(user, Role.SUPERVISOR)
    )
    return SupervisionNotice.objects.filter(condition).select_related(*NOTICE_LIST_RELATED)


def get_notice_for(user, pk):
    """The notice with what its page shows, or 404 when the user may not see it."""
    notice = (
        notices_visible_to(user)
        .select_related("case__agency", "item__matter__stage", "issued_by", "escalated_by",
                        "replied_by", "referred_by", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def filter_notices(notices, *, level="", state=""):
    if level:
        notices = notices.filter(level=level)
    if state:
        notices = notices.filter(state=state)
    return notices.order_by("-issued_at", "-pk")


def open_notices_for_department(user):
    """Notices waiting for the user's department to reply, the most urgent first."""
    return (
        SupervisionNotice.objects.filter(department_id__in=department_ids_for(user),
                                         state=NoticeState.OPEN)
        .order_by("response_due", "pk")
    )


NOTICE_ROW_FIELDS = (
    "pk", "number", "item__matter__name", "case_id", "item_id", "case__number",
    "case__project__name", "case__project__company__name", "department__name", "level", "state",
    "response_due",
)


def notice_rows(notices):
    """The rows of supervision/partials/_notice_table.html for `notices` (a page of notices),
    in one query: the columns it shows as values, with links and labels worked out once per
    page — model instances with their related rows cost more than the query."""
    notice_url, case_url = pk_url("supervision:detail"), pk_url("cases:detail")
    levels = choice_labels(NoticeLevel)
    states = choice_labels(NoticeState)
    return [
        {
            "pk": pk, "number": number, "url": notice_url(pk), "matter": matter,
            "item_url": f"{case_url(case_id)}#item-{item_id}", "case_number": case_number,
            "project": project, "company": company, "department": department, "level": level,
            "level_label": levels.get(level, level), "state_label": states.get(state, state),
            "reply_due": table_day(response_due) if state == NoticeState.OPEN else "—",
        }
        for (pk, number, matter, case_id, item_id, case_number, project, company, department,
             level, state, response_due) in notices.values_list(*NOTICE_ROW_FIELDS)
    ]


def notice_counts_by_level(user):
    """{level: {"active": n, "open": n}} over the agencies the user supervises (one query)."""
    counts = {level: {"active": 0, "open": 0} for level in NoticeLevel}
    rows = (
        SupervisionNotice.objects.filter(
            in_agencies_under(agency_paths_for(user, Role.SUPERVISOR)), state__in=ACTIVE_STATES)
        .values("level", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[NoticeLevel(row["level"])]["active"] += row["n"]
        if row["state"] == NoticeState.OPEN:
            counts[NoticeLevel(row["level"])]["open"] += row["n"]
    return counts


def notice_history(notice):
    """The notice's ledger entries, oldest first."""
    return (
        LedgerEntry.objects.filter(case_id=notice.case_id, item_id=notice.item_id,
                                   action__startswith="supervision_",
                                   details__notice=notice.number)
        .select_related("actor")
        .order_by("at", "pk")
    )


def active_notices_by_item(items):
    """{item pk: the item's active notice} for the case page's item rows (one query)."""
    return {
        notice.item_id: notice
        for notice in SupervisionNotice.objects.filter(
            item_id__in=[item.pk for item in items], state__in=ACTIVE_STATES
        ).only("item_id", "number", "level").order_by()
    }


# ------------------------------------------------------------------------------ the scan


def items_needing_a_notice(today=None):
    """Overdue items (deadlines.items_overdue) with no active notice and no notice yet for
    the due date they missed."""
    notices = SupervisionNotice.objects.filter(item_id=OuterRef("pk"))
    return (
        items_overdue(today)
        .exclude(Exists(notices.filter(state__in=ACTIVE_STATES)))
        .exclude(Exists(notices.filter(item_due_date=OuterRef("due_date"))))
        .order_by("due_date", "pk")
    )


def notices_due_for_escalation(today):
    """Open notices whose response deadline has passed, on items still undecided."""
    return (
        SupervisionNotice.objects.filter(state=NoticeState.OPEN, next_escalation_on__lte=today)
        .exclude(item__state__in=FINISHED_ITEM_STATES)
        .order_by("next_escalation_on", "pk")
    )
