"""Read queries for case pages, lists and workbenches, scoped to what the user may see.

Every list fetches its related rows up front, so a page costs the same number of queries
whether it shows three rows or three hundred.
"""

from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from bangban.accounts.agency_tree import agencies_under
from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import (
    ITEM_STATES_VISIBLE_TO_DEPARTMENT,
    agency_paths_for,
    case_roles,
    company_ids_of,
    department_ids_for,
)
from bangban.cases.models import (
    Agreement,
    Case,
    CaseItem,
    ClockPause,
    LedgerEntry,
    PauseCause,
    ServiceMode,
    SupplementRequest,
)
from bangban.cases.workflow import (
    FINISHED_ITEM_STATES,
    CaseFacts,
    CaseState,
    ItemFacts,
    ItemState,
)
from bangban.catalog.models import Matter
from bangban.companies.models import CompanyContact
from bangban.core.expressions import InSubquery
from bangban.core.tables import choice_labels, pk_url
from bangban.dashboards.models import CaseItemTally
from bangban.deadlines.models import WarningLevel
from bangban.projects.models import Project

CASE_LIST_RELATED = ("agency", "project__company", "specialist", "company_contact")
ITEM_LIST_RELATED = (
    "case__agency", "case__project__company", "case__specialist", "matter__stage", "department",
)
# The columns of cases/partials/_case_table.html, read as values (case_rows).
CASE_ROW_FIELDS = (
    "pk", "number", "project__name", "project__is_key_project", "project__company__name",
    "state", "worst_warning", "mode", "specialist__full_name", "specialist__username",
    "agency__name",
)


def with_worst_warning(cases):
    """Annotates each case with `worst_warning`: the most urgent warning light of its items
    (red, yellow, green; None without a running clock) — one subquery, no extra query."""
    ranked = (
        CaseItem.objects.filter(case=OuterRef("pk")).exclude(warning_level="")
        .annotate(rank=CaseWhen(
            When(warning_level=WarningLevel.RED, then=3),
            When(warning_level=WarningLevel.YELLOW, then=2),
            default=1, output_field=IntegerField(),
        ))
        .order_by("-rank").values("warning_level")[:1]
    )
    return cases.annotate(worst_warning=Subquery(ranked))


def case_rows(cases):
    """The rows of cases/partials/_case_table.html for `cases` (a page of cases annotated by
    with_worst_warning), in one query: model instances of the case, project, company,
    specialist and agency for each row cost more than the query."""
    case_url = pk_url("cases:detail")
    states = choice_labels(CaseState)
    modes = choice_labels(ServiceMode)
    return [
        {
            "pk": pk, "url": case_url(pk), "number": number, "project": project,
            "is_key_project": key, "company": company, "state": state,
            "state_label": states.get(state, state), "worst_warning": worst,
            "mode_label": modes.get(mode, mode),
            # As User.display_name: the full name, else the user name.
            "specialist": full_name or username or "",
            "agency": agency,
        }
        for (pk, number, project, key, company, state, worst, mode, full_name, username,
             agency) in cases.values_list(*CASE_ROW_FIELDS)
    ]


def with_clock_flags(items):
    """Annotates each item with `clock_paused`: a pause of its clock is open."""
    return items.annotate(clock_paused=Exists(
        ClockPause.objects.filter(item=OuterRef("pk"), ended_at__isnull=True)
    ))


def item_facts(item, pauses=None):
    """workflow.ItemFacts of an item, from its ClockPause rows `pauses` when given, else from
    `item.pauses` (no query when they are prefetched)."""
    return ItemFacts(
        special_procedure_running=any(
            p.cause == PauseCause.SPECIAL_PROCEDURE and p.ended_at is None
            for p in (item.pauses.all() if pauses is None else pauses)
        ),
        extended=bool(item.extended_days),
    )


def _under(paths, field="agency__path"):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def in_agencies_under(paths, field="agency_id"):
    """Rows whose agency is at or below `paths`, as a lookup on the row's own agency column
    (see InSubquery) rather than a join on the agency's path."""
    if not paths:
        return Q(pk__in=[])
    return Q(InSubquery(field, agencies_under(paths).order_by().values("pk")))


def cases_visible_to(user, pk=None):
    """Cases the user may open: own company's, own as specialist, the agency's submitted ones
    as chief or supervisor, and cases with an item pushed to the user's department; with `pk`,
    that case if the user may open it."""
    if not user.is_authenticated:
        return Case.objects.none()
    # Each arm is an indexed lookup on the case's own columns (InSubquery), so the OR stays
    # a union of index scans instead of a scan of every case joined to its project.
    condition = Q(specialist=user)
    companies = company_ids_of(user)
    if companies:
        condition |= Q(InSubquery(
            "project_id", Project.objects.filter(company_id__in=companies).values("pk")))
    paths = agency_paths_for(user, Role.CHIEF_SPECIALIST) + agency_paths_for(user, Role.SUPERVISOR)
    if paths:
        # A draft is the company's own until it is submitted.
        condition |= in_agencies_under(paths) & ~Q(state=CaseState.DRAFT)
    departments = department_ids_for(user)
    if departments:
        items = CaseItem.objects.filter(
            department_id__in=departments, state__in=ITEM_STATES_VISIBLE_TO_DEPARTMENT)
        if pk is None:
            condition |= Q(InSubquery("pk", items.values("case_id")))
        else:
            # Whether this case has such an item, not the list of every case that has one
            # (thousands for a busy department).
            condition |= Q(Exists(items.filter(case=OuterRef("pk"))))
    cases = Case.objects.filter(condition)
    if pk is not None:
        cases = cases.filter(pk=pk)
    return cases.select_related(*CASE_LIST_RELATED)


def _agreement_recorded():
    # A subquery, not a join: each join of the case's query costs PostgreSQL more planning.
    return Exists(Agreement.objects.filter(case=OuterRef("pk")))


def _visible_case(user, pk, shaped):
    """The case `pk` if the user may see it, as `shaped(queryset)` fetches it, or 404."""
    try:
        return shaped(cases_visible_to(user, pk=pk)).annotate(
            agreement_recorded=_agreement_recorded()).get()
    except (Case.DoesNotExist, ValueError):
        raise Http404 from None


def get_case_for(user, pk):
    """The case with its items and the related rows the case's pages read, or 404 when the
    user may not see it."""
    items = CaseItem.objects.select_related(
        "matter__stage", "department__agency", "result_document"
    ).prefetch_related("prerequisites__matter", "supplement_requests", "pauses")
    return _visible_case(user, pk, lambda cases: cases.select_related(
        "completion_confirmed_by"
    ).prefetch_related(
        Prefetch("items", queryset=items),
        "requested_stages",
        "requested_matters",
        "project__company__contacts",
    ))


CASE_PAGE_RELATED = ("agency", "project__company", "specialist", "company_contact")
# What the case page reads of an item (its row, its actions and its clock), of its matter and
# department, and of the department's agency (whose calendar counts the clock): every column
# left out is one less for Django to select and convert for each item.
ITEM_PAGE_FIELDS = (
    "case", "state", "promised_limit", "limit_unit", "materials", "planned_start", "planned_end",
    "accepted_with_gaps", "commitment_based", "accepted_at", "decided_at", "warning_level",
    "extended_days", "days_used", "result_number", "result_document", "refusal_reason",
    "withdrawal_reason", "matter__name", "matter__stage__name", "department__name",
    "department__phone", "department__agency__path",
)


def get_case_page_for(user, pk):
    """The case with what its page shows, or 404 when the user may not see it.

    Like `get_case_for`, but fetching only what the page reads, as the most requested page.
    Each item's clock pauses are in `clock_pauses`, its open supplement requests (newest first)
    in `open_supplement_requests` and its prerequisites in `prerequisite_items`: one query
    each for the whole case rather than a prefetch per item. The company's contacts are
    fetched for a contact of the company only, and before the plan is published the company
    sees no items: their states alone are read, for `case_facts`."""
    case = _visible_case(
        user, pk, lambda cases: cases.select_related(None).select_related(*CASE_PAGE_RELATED)
    )
    roles = case_roles(user, case)
    lookups = [
        "requested_stages",
        Prefetch("requested_matters", queryset=Matter.objects.only("name")),
    ]
    if Role.APPLICANT in roles:
        # What case_facts reads of them, unordered (the model's ordering joins the company).
        lookups.append(Prefetch("project__company__contacts", queryset=CompanyContact.objects.only(
            "company", "user", "is_representative").order_by()))
    if case.completion_confirmed_by_id:
        lookups.append("completion_confirmed_by")
    shows_items = roles != {Role.APPLICANT} or case.plan_published_at is not None
    if shows_items:
        # By position, without the join to the case that the model's ordering (by case) adds.
        items = CaseItem.objects.select_related("matter__stage", "department__agency").only(
            *ITEM_PAGE_FIELDS).order_by("position", "pk")
    else:
        items = CaseItem.objects.only("case_id", "state").order_by()
    prefetch_related_objects([case], Prefetch("items", queryset=items), *lookups)
    if shows_items:
        items = case.items.all()
        _attach(items, "clock_pauses",
                ClockPause.objects.filter(item__case=case).order_by("started_at", "pk"))
        _attach(items, "open_supplement_requests", SupplementRequest.objects.filter(
            item__case=case, supplied_at__isnull=True).order_by("-created_at"))
        _attach_prerequisites(items)
    return case


def _attach(items, name, rows):
    """Sets `name` on each item to the list of its `rows`, in their order."""
    by_item = {}
    for row in rows:
        by_item.setdefault(row.item_id, []).append(row)
    for item in items:
        setattr(item, name, by_item.get(item.pk, []))


def _attach_prerequisites(items):
    """Sets each item's `prerequisite_items`, in the items' order, from the rows of the
    prerequisites table alone: prerequisites are items of the same case
    (services.generate_plan and update_item_plan keep them so), fetched already."""
    by_pk = {item.pk: item for item in items}
    before = {}
    for item_id, prerequisite_id in CaseItem.prerequisites.through.objects.filter(
        from_caseitem_id__in=list(by_pk)
    ).values_list("from_caseitem_id", "to_caseitem_id"):
        before.setdefault(item_id, set()).add(prerequisite_id)
    for item in items:
        pks = before.get(item.pk)
        item.prerequisite_items = [other for other in items if other.pk in pks] if pks else []


def case_facts(user, case):
    """The facts that decide which of the case's actions can be done now (workflow.CaseFacts).
    Costs no query for a case from `get_case_for` or `get_case_page_for`, which fetched
    everything it reads."""
    return CaseFacts(
        agent_mode=case.mode == ServiceMode.AGENT,
        agreement_recorded=case.agreement_recorded,
        items_finished=all(item.state in FINISHED_ITEM_STATES for item in case.items.all()),
        handed_over=case.handed_over_at is not None,
        # Only a contact of the company may sign for it: nobody else needs its contacts.
        user_signs_for_company=case.project.company_id in company_ids_of(user) and any(
            contact.user_id == user.pk and contact.is_representative
            for contact in case.project.company.contacts.all()
        ),
    )


def get_item_for(user, pk):
    item = (
        CaseItem.objects.select_related(*ITEM_LIST_RELATED)
        .filter(case__in=cases_visible_to(user))
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item


def visible_items_of(user, case):
    """A department representative sees only the items pushed to the department."""
    items = list(case.items.all())
    if not case_roles(user, case):
        departments = department_ids_for(user)
        items = [i for i in items if i.department_id in departments
                 and i.state in ITEM_STATES_VISIBLE_TO_DEPARTMENT]
    return items


def intake_queue(user):
    return (
        with_worst_warning(Case.objects.filter(state=CaseState.SUBMITTED))
        .filter(in_agencies_under(agency_paths_for(user, Role.CHIEF_SPECIALIST)))
        .select_related(*CASE_LIST_RELATED)
        .order_by("submitted_at", "pk")
    )


def agency_cases(user, state=None):
    cases = Case.objects.filter(
        in_agencies_under(agency_paths_for(user, Role.CHIEF_SPECIALIST)
                           + agency_paths_for(user, Role.SUPERVISOR))
    ).exclude(state=CaseState.DRAFT)
    if state:
        cases = cases.filter(state=state)
    return with_worst_warning(cases.select_related(*CASE_LIST_RELATED)).order_by(
        "-created_at", "-pk")


def cases_of_specialist(user):
    """The specialist's open cases for the workbench's table, with `open_items` counted per
    row (a subquery on the page's rows, not a GROUP BY over every column of the join)."""
    open_items = (
        CaseItem.objects.filter(case=OuterRef("pk")).exclude(state__in=FINISHED_ITEM_STATES)
        .order_by().values("case").annotate(n=Count("pk")).values("n")
    )
    return with_worst_warning(
        Case.objects.filter(specialist=user)
        .exclude(state__in=[CaseState.COMPLETED, CaseState.TERMINATED, CaseState.REJECTED])
        .select_related("project__company")
        .annotate(open_items=Coalesce(Subquery(open_items), 0))
    ).order_by("-created_at", "-pk")


ITEM_STATES_WAITING_FOR_SPECIALIST = (
    ItemState.PLANNED, ItemState.PREPARING, ItemState.REVIEWED, ItemState.SUPPLEMENT_REQUESTED,
)


def items_waiting_for_specialist(user):
    return with_clock_flags(
        CaseItem.objects.filter(
            case__specialist=user, state__in=ITEM_STATES_WAITING_FOR_SPECIALIST,
            case__state__in=[CaseState.PLANNED, CaseState.IN_PROGRESS],
        )
        .select_related(*ITEM_LIST_RELATED)
    ).order_by("planned_end", "pk")


ITEM_STATES_OPEN_AT_DEPARTMENT = (
    ItemState.PUSHED, ItemState.ACCEPTED, ItemState.SUPPLEMENT_REQUESTED,
)


def items_for_department(user, states=ITEM_STATES_OPEN_AT_DEPARTMENT):
    return with_clock_flags(
        CaseItem.objects.filter(department_id__in=department_ids_for(user), state__in=states)
        .select_related(*ITEM_LIST_RELATED)
    ).order_by("pushed_at", "pk")


def cases_of_company_user(user):
    return with_worst_warning(
        Case.objects.filter(project__company_id__in=company_ids_of(user))
        .select_related(*CASE_LIST_RELATED)
    ).order_by("-created_at", "-pk")


def supervised_agencies(user):
    return Agency.objects.filter(_under(agency_paths_for(user, Role.SUPERVISOR), field="path"))


def agency_overview(user):
    """Counts of cases and items by state, and of items by warning light, per agency the user
    supervises: three queries. The item figures add up the per-case tallies the database's
    triggers keep (bangban.dashboards.models), one row per case instead of one per item."""
    agencies = list(supervised_agencies(user))
    ids = [a.pk for a in agencies]
    case_counts = Case.objects.filter(agency_id__in=ids).exclude(state=CaseState.DRAFT).values(
        "agency_id", "state").annotate(n=Count("pk"))
    columns = {("items", state): f"state_{state}" for state in ItemState}
    columns.update({("warnings", level): f"warning_{level}" for level in WarningLevel})
    item_counts = CaseItemTally.objects.filter(case__agency_id__in=ids).values(
        "case__agency_id").annotate(**{f"n_{column}": Sum(column) for column in columns.values()})
    rows = {a.pk: {"agency": a, "cases": {}, "items": {}, "warnings": {}} for a in agencies}
    for row in case_counts:
        rows[row["agency_id"]]["cases"][row["state"]] = row["n"]
    for row in item_counts:
        for (kind, key), column in columns.items():
            if row[f"n_{column}"]:
                rows[row["case__agency_id"]][kind][key] = row[f"n_{column}"]
    return list(rows.values())


def ledger_of(case):
    return (
        LedgerEntry.objects.filter(case=case)
        .select_related("actor", "item__matter")
        .order_by("at", "pk")
    )
