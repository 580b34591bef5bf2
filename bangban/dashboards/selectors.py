"""The dashboards' figures (SPEC §9) and the lists behind them, scoped to what the user may see.

Every figure is a named condition on one base set of rows (`SETS`): the dashboard counts all
of a set's figures in one aggregate query, and the drill-down list of a figure is the same base
filtered by the same condition, so a number and the length of its list cannot disagree.

Who sees what: chief specialists and supervisors the cases of their agency and the agencies
below it; a specialist their own cases; a department representative the items pushed to their
department (and the cases, problems and ratings about them).
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from bangban.accounts.agency_tree import agencies_under
from bangban.accounts.models import Agency, Department, Membership, Role, User
from bangban.accounts.permissions import (
    ITEM_STATES_VISIBLE_TO_DEPARTMENT,
    agency_paths_for,
    department_ids_for,
    memberships_of,
)
from bangban.cases.models import Case, CaseItem
from bangban.cases.selectors import CASE_LIST_RELATED, ITEM_LIST_RELATED, with_worst_warning
from bangban.cases.workflow import CaseState, ItemState
from bangban.consultations.models import Consultation
from bangban.consultations.workflow import ConsultationState
from bangban.dashboards.models import CaseItemTally, DecisionTally
from bangban.deadlines.models import WarningLevel
from bangban.evaluations.models import Evaluation
from bangban.evaluations.workflow import BAD_RATINGS, GOOD_RATINGS
from bangban.problems.models import Problem
from bangban.problems.workflow import ACTIVE_STATES, ProblemLevel, ProblemState

DECIDED_ITEM_STATES = (ItemState.APPROVED, ItemState.REFUSED)
OPEN_CASE_STATES = (CaseState.SUBMITTED, CaseState.ACCEPTED, CaseState.PLANNED,
                    CaseState.IN_PROGRESS, CaseState.SUSPENDED)
# Ages of an unsettled problem, in calendar days since it was raised: (key, fewest, most).
PROBLEM_AGES = (("age.0", 0, 5), ("age.6", 6, 15), ("age.16", 16, None))


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to. `start`/`end` (days, both included) are None for all
    time; `agency` with `below` takes the agencies under it too."""

    agency: Agency | None = None
    below: bool = True
    department: Department | None = None
    specialist: User | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


# ------------------------------------------------------------------------------ who sees what


def _led_paths(user):
    return sorted(set(agency_paths_for(user, Role.CHIEF_SPECIALIST)
                      + agency_paths_for(user, Role.SUPERVISOR)))


def is_dashboard_reader(user):
    if not user.is_authenticated:
        return False
    return any(m.role in (Role.CHIEF_SPECIALIST, Role.SUPERVISOR, Role.SPECIALIST,
                          Role.DEPARTMENT_REPRESENTATIVE) for m in memberships_of(user))


def _agency_ids_under(paths):
    if not paths:
        return []
    return list(agencies_under(paths).values_list("pk", flat=True))


def filter_agencies(user):
    """The agencies the user may narrow the dashboard to: those they lead and below, and those
    they work at."""
    own = [m.agency_id for m in memberships_of(user)]
    return Agency.objects.filter(Q(pk__in=_scope_of(user).agencies) | Q(pk__in=own))


def filter_departments(user):
    departments = department_ids_for(user)
    led = _scope_of(user).agencies
    return Department.objects.filter(Q(agency_id__in=led) | Q(pk__in=departments)).order_by(
        "agency__path", "name")


def filter_specialists(user):
    led = _scope_of(user).agencies
    return User.objects.filter(pk__in=Membership.objects.filter(
        Q(agency_id__in=led) | Q(user=user), role=Role.SPECIALIST,
    ).values("user_id")).order_by("full_name", "username")


def _scope_of(user):
    """The user's _Scope, worked out once per request (like `memberships_of`): a dashboard
    asks for it for every set it counts."""
    scope = getattr(user, "_bangban_dashboard_scope", None)
    if scope is None:
        scope = user._bangban_dashboard_scope = _Scope(user)
    return scope


class _Scope:
    """The user's view as conditions on each model; `case` is the path from the model to its
    case ("" for Case itself)."""

    def __init__(self, user):
        self.user = user
        self.agencies = _agency_ids_under(_led_paths(user))
        self.departments = sorted(department_ids_for(user))

    def items(self, case="case__"):
        condition = Q(**{f"{case}agency_id__in": self.agencies})
        condition |= Q(**{f"{case}specialist": self.user})
        if self.departments:
            condition |= Q(department_id__in=self.departments,
                           state__in=ITEM_STATES_VISIBLE_TO_DEPARTMENT)
        return condition

    def cases(self):
        condition = Q(agency_id__in=self.agencies) | Q(specialist=self.user)
        if self.departments:
            condition |= Q(Exists(CaseItem.objects.filter(
                case=OuterRef("pk"), department_id__in=self.departments,
                state__in=ITEM_STATES_VISIBLE_TO_DEPARTMENT)))
        return condition

    def about_cases(self, department="department_id", specialist="case__specialist"):
        """Problems and ratings: of the led agencies, of the user's cases, of their department."""
        condition = Q(agency_id__in=self.agencies) | Q(**{specialist: self.user})
        if self.departments:
            condition |= Q(**{f"{department}__in": self.departments})
        return condition


def _moments(filters):
    """The period as [from, to) moments in local time, or None for all time."""
    if filters.start is None:
        return None
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(filters.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(filters.end + datetime.timedelta(days=1),
                                    datetime.time.min, tzinfo=zone)
    return start, end


def _narrowed(filters, *, agency, specialist=None, department=None, moment=None):
    """Conditions for the filters; each argument names the field of the model it applies to
    (None: the filter does not apply to the model)."""
    condition = Q()
    if filters.agency is not None:
        if filters.below:
            ids = _agency_ids_under([filters.agency.path])
            condition &= Q(**{f"{agency}_id__in": ids})
        else:
            condition &= Q(**{f"{agency}_id": filters.agency.pk})
    if filters.specialist is not None and specialist:
        condition &= Q(**{specialist: filters.specialist})
    if filters.department is not None and department:
        condition &= department(filters.department) if callable(department) else Q(
            **{department: filters.department})
    moments = _moments(filters)
    if moments is not None and moment:
        condition &= Q(**{f"{moment}__gte": moments[0], f"{moment}__lt": moments[1]})
    return condition


def _case_has_item_of(department):
    return Q(Exists(CaseItem.objects.filter(case=OuterRef("pk"), department=department)))


# ------------------------------------------------------------------------------ the sets


def dashboard_cases(user, filters):
    """Cases submitted in the period."""
    scope = _scope_of(user)
    return Case.objects.exclude(state=CaseState.DRAFT).filter(
        scope.cases(),
        _narrowed(filters, agency="agency", specialist="specialist",
                  department=_case_has_item_of, moment="submitted_at"),
    )


def dashboard_items(user, filters):
    """The items of the cases submitted in the period."""
    scope = _scope_of(user)
    return CaseItem.objects.exclude(case__state=CaseState.DRAFT).filter(
        scope.items(),
        _narrowed(filters, agency="case__agency", specialist="case__specialist",
                  department="department", moment="case__submitted_at"),
    )


def decided_items(user, filters):
    """Items approved or refused in the period."""
    scope = _scope_of(user)
    return CaseItem.objects.filter(state__in=DECIDED_ITEM_STATES).filter(
        scope.items(),
        _narrowed(filters, agency="case__agency", specialist="case__specialist",
                  department="department", moment="decided_at"),
    )


def dashboard_consultations(user, filters):
    """Consultations asked in the period: the led agencies', and the user's own as first
    responder. Consultations belong to no department."""
    if filters.department is not None:
        return Consultation.objects.none()
    scope = _scope_of(user)
    return Consultation.objects.filter(
        Q(agency_id__in=scope.agencies) | Q(first_responder=user),
        _narrowed(filters, agency="agency", specialist="first_responder", moment="asked_at"),
    )


def dashboard_problems(user, filters):
    """Problems raised in the period."""
    scope = _scope_of(user)
    return Problem.objects.filter(
        scope.about_cases(),
        _narrowed(filters, agency="agency", specialist="case__specialist",
                  department="department", moment="raised_at"),
    )


def dashboard_ratings(user, filters):
    """Ratings given in the period (the specialist and department as they were then)."""
    scope = _scope_of(user)
    return Evaluation.objects.filter(
        scope.about_cases(specialist="specialist"),
        _narrowed(filters, agency="agency", specialist="specialist", department="department",
                  moment="rated_at"),
    )


def _late():
    return Q(decided_at__date__gt=F("due_date"))


def _problem_ages(today):
    figures = {}
    for key, fewest, most in PROBLEM_AGES:
        condition = Q(state__in=ACTIVE_STATES,
                      raised_at__lt=_day_start(today - datetime.timedelta(days=fewest - 1)))
        if most is not None:
            condition &= Q(raised_at__gte=_day_start(today - datetime.timedelta(days=most)))
        figures[key] = condition
    return figures


def _day_start(day):
    return datetime.datetime.combine(day, datetime.time.min,
                                     tzinfo=timezone.get_current_timezone())


def set_figures(name, today=None):
    """{figure key: condition} of one set."""
    today = today or timezone.localdate()
    if name == "cases":
        return {
            "all": Q(),
            **{f"state.{s}": Q(state=s) for s in CaseState if s != CaseState.DRAFT},
            "open": Q(state__in=OPEN_CASE_STATES),
            "key": Q(project__is_key_project=True),
            "key.open": Q(project__is_key_project=True, state__in=OPEN_CASE_STATES),
        }
    if name == "items":
        return {
            "all": Q(),
            **{f"state.{s}": Q(state=s) for s in ItemState},
            "running": ~Q(warning_level=""),
            **{f"warning.{w}": Q(warning_level=w) for w in WarningLevel},
        }
    if name == "decided":
        return {
            "all": Q(),
            "late": _late(),
            "timed": Q(days_used__isnull=False),
            "legal": _with_legal_limit(),
        }
    if name == "consultations":
        return {
            "all": Q(),
            **{f"state.{s}": Q(state=s) for s in ConsultationState},
            "first": Q(is_first_inquiry=True),
        }
    if name == "problems":
        return {
            "all": Q(),
            "active": Q(state__in=ACTIVE_STATES),
            **{f"level.{int(level)}": Q(level=level) for level in ProblemLevel},
            "overdue": Q(state=ProblemState.OPEN, due_on__lt=today),
            **_problem_ages(today),
        }
    if name == "ratings":
        return {
            "all": Q(),
            "good": Q(rating__in=GOOD_RATINGS),
            "bad": Q(rating__in=BAD_RATINGS),
            "neutral": ~Q(rating__in=GOOD_RATINGS | BAD_RATINGS),
        }
    raise KeyError(name)


def _with_legal_limit():
    """Decided with days counted, and a legal limit in the same unit as the promised one."""
    return Q(days_used__isnull=False, matter__legal_limit__isnull=False,
             matter__legal_limit_unit=F("limit_unit"))


SETS = {
    "cases": dashboard_cases,
    "items": dashboard_items,
    "decided": decided_items,
    "consultations": dashboard_consultations,
    "problems": dashboard_problems,
    "ratings": dashboard_ratings,
}

LIST_RELATED = {
    "cases": CASE_LIST_RELATED,
    "items": ITEM_LIST_RELATED,
    "decided": ITEM_LIST_RELATED,
    "consultations": ("agency", "first_responder", "company"),
    "problems": ("agency", "case", "department"),
    "ratings": ("agency", "case", "item__matter", "specialist", "department"),
}

LIST_ORDER = {
    "cases": ("-submitted_at", "-pk"),
    "items": ("due_date", "pk"),
    "decided": ("-decided_at", "-pk"),
    "consultations": ("-asked_at", "-pk"),
    "problems": ("-raised_at", "-pk"),
    "ratings": ("-rated_at", "-pk"),
}


def figure_rows(user, set_name, figure, filters):
    """The rows behind one figure, ready for a list page (or an export): KeyError for an
    unknown set or figure."""
    condition = set_figures(set_name)[figure]
    rows = (SETS[set_name](user, filters).filter(condition)
            .select_related(*LIST_RELATED[set_name]).order_by(*LIST_ORDER[set_name]))
    if set_name == "cases":
        rows = with_worst_warning(rows)
    return rows


# Sets whose figures only compare these columns with constants are counted by grouping on
# them — one hash per row instead of one test per figure per row, which on a province's
# millions of items is most of the time.
GROUPED_BY = {
    "cases": ("state", "project__is_key_project"),
    "items": ("state", "warning_level"),
}


def _holds(condition, row):
    """Whether a grouped `row` meets `condition`, a Q of `field=value` and `field__in=values`
    on the grouped columns: the same test the database makes for the list."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_holds(child, row))
            continue
        lookup, value = child
        if lookup.endswith("__in"):
            results.append(row[lookup[:-4]] in value)
        else:
            results.append(row[lookup] == value)
    held = any(results) if condition.connector == Q.OR else all(results)
    return not held if condition.negated else held


def _counts(rows, set_name):
    figures = set_figures(set_name)
    if set_name in GROUPED_BY:
        groups = list(rows.values(*GROUPED_BY[set_name]).annotate(n=Count("pk")).order_by())
        return {key: sum(group["n"] for group in groups if _holds(condition, group))
                for key, condition in figures.items()}
    return rows.aggregate(**{key: Count("pk", filter=condition)
                             for key, condition in figures.items()})


# ------------------------------------------------------------------------------ from the tallies

# The item and decision figures of a view that only cases narrow (no department in the user's
# scope or the filters) are read from the per-case tallies the database keeps (models.py,
# tallies.py) — a row per case instead of one per item — with the same conditions on the cases
# as the lists; the lists themselves always read the items.


def _tallied(user, filters):
    return filters.department is None and not _scope_of(user).departments


def _in_whole_months(filters):
    return filters.start is None or (
        filters.start.day == 1 and (filters.end + datetime.timedelta(days=1)).day == 1)


def _case_conditions(user, filters, moment=None):
    return Q(_scope_of(user).items(), _narrowed(
        filters, agency="case__agency", specialist="case__specialist", moment=moment))


def _tallied_item_counts(user, filters):
    states, levels = tuple(ItemState), tuple(WarningLevel)
    sums = CaseItemTally.objects.exclude(case__state=CaseState.DRAFT).filter(
        _case_conditions(user, filters, "case__submitted_at"),
    ).aggregate(all=Sum("items"), **{f"state.{s}": Sum(f"state_{s}") for s in states},
                **{f"warning.{w}": Sum(f"warning_{w}") for w in levels})
    counts = {key: value or 0 for key, value in sums.items()}
    counts["running"] = sum(counts[f"warning.{w}"] for w in levels)
    return {key: counts[key] for key in set_figures("items")}


def _item_counts(user, filters, tallies):
    if tallies and _tallied(user, filters):
        return _tallied_item_counts(user, filters)
    return _counts(dashboard_items(user, filters), "items")


DECISION_SUMS = {"all": "decided", "late": "late", "timed": "timed", "legal": "legal",
                 "used": "used", "promised": "promised", "used_legal": "used_legal",
                 "legal_limit": "legal_limit"}


def _tallied_decision_rows(user, filters):
    # A month whose decisions were all undone keeps a row of zeros, which is no month of the
    # trend.
    rows = DecisionTally.objects.filter(_case_conditions(user, filters), decided__gt=0)
    if filters.start is not None:
        rows = rows.filter(month__gte=filters.start, month__lte=filters.end)
    return list(rows.values("month").annotate(
        **{key: Sum(column) for key, column in DECISION_SUMS.items()}).order_by())


# ------------------------------------------------------------------------------ the figures


def _share(part, whole):
    return part / whole if whole else None


def _month(moment):
    """The first day of a month from TruncMonth (a moment) or from a tally (a day)."""
    if isinstance(moment, datetime.datetime):
        return timezone.localtime(moment).date().replace(day=1)
    return moment


def _case_figures(user, filters):
    """The case figures and the cases submitted per month, from one grouped query."""
    groups = list(dashboard_cases(user, filters)
                  .values(*GROUPED_BY["cases"], month=TruncMonth("submitted_at"))
                  .annotate(n=Count("pk")).order_by())
    counts = {key: sum(group["n"] for group in groups if _holds(condition, group))
              for key, condition in set_figures("cases").items()}
    months = {}
    for group in groups:
        month = _month(group["month"])
        months[month] = months.get(month, 0) + group["n"]
    return counts, months


def _decided_figures(user, filters, tallies=True):
    """The decided items' figures, the working-day averages and the decisions per month, from
    one query grouped by month (sums and counts, so the averages add up over months)."""
    figures = set_figures("decided")
    timed, legal = figures["timed"], figures["legal"]
    if tallies and _tallied(user, filters) and _in_whole_months(filters):
        rows = _tallied_decision_rows(user, filters)
    else:
        rows = list(decided_items(user, filters).values(month=TruncMonth("decided_at"))
                    .annotate(**{key: Count("pk", filter=condition)
                                 for key, condition in figures.items()},
                              used=Sum("days_used", filter=timed),
                              promised=Sum("promised_limit", filter=timed),
                              used_legal=Sum("days_used", filter=legal),
                              legal_limit=Sum("matter__legal_limit", filter=legal))
                    .order_by())
    total = {key: sum(row[key] or 0 for row in rows)
             for key in (*figures, "used", "promised", "used_legal", "legal_limit")}
    counts = {key: total[key] for key in figures}

    def mean(key, over):
        return total[key] / total[over] if total[over] else None

    time = {"used": mean("used", "timed"), "promised": mean("promised", "timed"),
            "used_legal": mean("used_legal", "legal"),
            "legal_limit": mean("legal_limit", "legal")}
    time["saved"] = (time["legal_limit"] - time["used_legal"]
                     if time["legal_limit"] is not None else None)
    months = {}
    for row in rows:
        month = _month(row["month"])
        months[month] = months.get(month, 0) + row["all"]
    return counts, time, months


def dashboard_figures(user, filters, *, tallies=True):
    """Every number of the dashboard: one query per set (items and decisions from the tallies
    when they can answer and `tallies`).

    Returns {set name: {figure key: count}} plus "time" (average working days used, promised
    and legal over the decided items), "rates" (shares 0–1 or None) and "trend" ([(first day
    of the month, cases submitted, items decided)], oldest first)."""
    cases, submitted = _case_figures(user, filters)
    decided, time, decisions = _decided_figures(user, filters, tallies)
    figures = {
        "cases": cases,
        "items": _item_counts(user, filters, tallies),
        "decided": decided,
        "time": time,
        "consultations": _counts(dashboard_consultations(user, filters), "consultations"),
        "problems": _counts(dashboard_problems(user, filters), "problems"),
        "ratings": _counts(dashboard_ratings(user, filters), "ratings"),
        "trend": [(month, submitted.get(month, 0), decisions.get(month, 0))
                  for month in sorted(set(submitted) | set(decisions))],
    }
    items, ratings = figures["items"], figures["ratings"]
    figures["rates"] = {
        "overdue": _share(items["warning.red"] + decided["late"],
                          items["running"] + decided["all"]),
        "decided_late": _share(decided["late"], decided["all"]),
        "satisfied": _share(ratings["good"], ratings["all"]),
    }
    return figures


def recent_dashboard_figures(user, filters):
    """`dashboard_figures` as counted at most DASHBOARD_CACHE_SECONDS ago for the same user,
    scope and filters, with the moment they were counted: (figures, counted_at).

    A province's dashboard adds up every case of the province in several grouped queries,
    which cost more than the rest of a busy minute's pages together. The scope (led agencies,
    departments) is part of the key, so a user given another agency sees its figures at once.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return dashboard_figures(user, filters), timezone.now()
    scope = _scope_of(user)
    parts = (user.pk, scope.agencies, scope.departments,
             filters.agency and filters.agency.pk, filters.below,
             filters.department and filters.department.pk,
             filters.specialist and filters.specialist.pk, filters.start, filters.end,
             timezone.localdate())
    key = "dashboard-figures:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    counted = cache.get(key)
    if counted is None:
        counted = (dashboard_figures(user, filters), timezone.now())
        cache.set(key, counted, seconds)
    return counted
