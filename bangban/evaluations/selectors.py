"""Read queries for evaluations: what a company may still rate, who sees which rating and
rectification, the policy in force for an agency, and the roll-ups per specialist and per
department that the statistics reuse (`rating_figures`).

Who sees a rating: the company that gave it (its own list), the case's specialist, and chief
specialists and supervisors of the case's agency or an agency above it. A rectification is the
government side's business: the company sees only its state.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, F, FloatField, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.agency_tree import agency_ids_upwards, nearest_policy
from bangban.accounts.models import Department, Role, User
from bangban.accounts.permissions import agency_paths_for, case_roles, company_ids_of
from bangban.cases.models import Case, CaseItem, LedgerEntry
from bangban.cases.selectors import cases_visible_to
from bangban.cases.workflow import CaseState, ItemState
from bangban.evaluations.models import (
    Evaluation,
    EvaluationPolicy,
    Rectification,
    default_policy_value,
)
from bangban.evaluations.workflow import (
    BAD_RATINGS,
    GOOD_RATINGS,
    UNANSWERED_STATES,
    Rating,
    RectificationFacts,
)

# Items a company can rate: decided by the department (a withdrawn item was never decided).
RATABLE_ITEM_STATES = frozenset({ItemState.APPROVED, ItemState.REFUSED})
# The roles an evaluation's page knows; the company reads its own ratings on its own page.
EVALUATION_STAFF_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST, Role.SUPERVISOR})
EVALUATION_LIST_RELATED = (
    "case__project__company", "item__matter", "agency", "specialist", "department",
    "contact", "entered_by", "rectification",
)


def _under(paths, field="agency__path"):
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _supervised_paths(user):
    return (agency_paths_for(user, Role.CHIEF_SPECIALIST)
            + agency_paths_for(user, Role.SUPERVISOR))


# ------------------------------------------------------------------------------ policy




def _default_policy(agency):
    return EvaluationPolicy(
        agency=agency,
        rating_window_days=default_policy_value("rating_window_days"),
        rectification_days=default_policy_value("rectification_days"),
    )


def policy_for(agency):
    """The evaluation policy in force at `agency`: its own, else its nearest ancestor's, else
    an unsaved policy holding the defaults (one query)."""
    return nearest_policy(EvaluationPolicy, agency, lambda: _default_policy(agency))


class Policies:
    """Every agency's policy from one query, for pages listing subjects of many agencies."""

    def __init__(self):
        self._own = {p.agency_id: p for p in EvaluationPolicy.objects.all()}

    def for_agency(self, agency):
        return next((self._own[pk] for pk in agency_ids_upwards(agency) if pk in self._own),
                    None) or _default_policy(agency)

    @property
    def longest_window(self):
        return max([default_policy_value("rating_window_days"),
                    *(p.rating_window_days for p in self._own.values())])


# ------------------------------------------------------------------------------ the window


def decided_on(case, item=None):
    """The day the item was decided or the case completed (None when it was not)."""
    moment = item.decided_at if item is not None else case.completed_at
    return timezone.localtime(moment).date() if moment else None


def rating_closes_on(policy, day):
    """The last day a subject decided on `day` may be rated."""
    return day + datetime.timedelta(days=policy.rating_window_days)


def is_finished(case, item=None):
    if item is not None:
        return item.state in RATABLE_ITEM_STATES
    return case.state == CaseState.COMPLETED


def rating_refusal(case, item=None, today=None):
    """Why the case's company cannot rate the item (or the case) now — not decided yet, the
    window has ended, already rated — as a message, or None when it can (two queries)."""
    if not is_finished(case, item):
        return (_("Only a decided item can be rated.") if item is not None
                else _("The case can be rated once it is completed."))
    closes_on = rating_closes_on(policy_for(case.agency), decided_on(case, item))
    if (today or timezone.localdate()) > closes_on:
        return _("The period for rating ended on %(date)s.") % {"date": closes_on.isoformat()}
    if Evaluation.objects.filter(company_id=case.project.company_id, case=case,
                                 item=item).exists():
        return _("Already done: this has been rated.")
    return None


@dataclass(frozen=True)
class OpenSubject:
    """A finished item or completed case its company may still rate, until `closes_on`."""

    case: Case
    item: CaseItem | None
    decided_on: datetime.date
    closes_on: datetime.date

    @property
    def key(self):
        return f"item-{self.item.pk}" if self.item else f"case-{self.case.pk}"


def open_for_rating(user, today=None):
    """What the user's companies may still rate, the soonest to close first (four queries:
    memberships aside, the policies, the items, the cases)."""
    today = today or timezone.localdate()
    companies = company_ids_of(user)
    if not companies:
        return []
    policies = Policies()
    since = timezone.now() - datetime.timedelta(days=policies.longest_window + 1)
    rated = Evaluation.objects.filter(company_id=OuterRef("case__project__company_id"))
    items = (
        CaseItem.objects.filter(case__project__company_id__in=companies,
                                state__in=RATABLE_ITEM_STATES, decided_at__gte=since)
        .exclude(Exists(rated.filter(item_id=OuterRef("pk"))))
        .select_related("case__agency", "case__project", "matter", "department")
    )
    rated_case = Evaluation.objects.filter(company_id=OuterRef("project__company_id"),
                                           case_id=OuterRef("pk"), item__isnull=True)
    cases = (
        Case.objects.filter(project__company_id__in=companies, state=CaseState.COMPLETED,
                            completed_at__gte=since)
        .exclude(Exists(rated_case))
        .select_related("agency", "project")
    )
    subjects = []
    for case, item in [(i.case, i) for i in items] + [(c, None) for c in cases]:
        day = decided_on(case, item)
        closes_on = rating_closes_on(policies.for_agency(case.agency), day)
        if today <= closes_on:
            subjects.append(OpenSubject(case, item, day, closes_on))
    return sorted(subjects, key=lambda s: (s.closes_on, s.case.pk, s.item.pk if s.item else 0))


def evaluations_of_company_user(user):
    """The ratings the user's companies gave, the latest first."""
    return (Evaluation.objects.filter(company_id__in=company_ids_of(user))
            .select_related(*EVALUATION_LIST_RELATED).order_by("-rated_at", "-pk"))


def case_for_rating(user, pk):
    """The case with what the rating pages show, or 404 when the user may not see it."""
    case = (cases_visible_to(user).select_related("agency", "project__company", "specialist")
            .filter(pk=pk).first())
    if case is None:
        raise Http404
    return case


def item_for_rating(user, pk):
    item = (CaseItem.objects.filter(case__in=cases_visible_to(user).values("pk"), pk=pk)
            .select_related("case__agency", "case__project__company", "case__specialist",
                            "matter", "department").first())
    if item is None:
        raise Http404
    return item


@dataclass(frozen=True)
class CaseSubject:
    """A row of the case's rating page: the case itself or one of its items, its rating if
    any, and whether it can still be rated (`closes_on` None: not finished yet)."""

    item: CaseItem | None
    finished: bool
    closes_on: datetime.date | None
    evaluation: Evaluation | None
    open: bool


def case_subjects(case, today=None):
    """The case and its items with their ratings by the case's company (three queries)."""
    today = today or timezone.localdate()
    policy = policy_for(case.agency)
    evaluations = {
        e.item_id: e for e in Evaluation.objects.filter(case=case, company_id=case.project
                                                         .company_id)
        .select_related("contact", "entered_by", "rectification")
    }
    items = case.items.exclude(state=ItemState.WITHDRAWN).select_related("matter", "department")
    rows = []
    for item in [None, *items]:
        finished = is_finished(case, item)
        day = decided_on(case, item) if finished else None
        closes_on = rating_closes_on(policy, day) if day else None
        evaluation = evaluations.get(item.pk if item else None)
        rows.append(CaseSubject(item, finished, closes_on, evaluation,
                                evaluation is None and closes_on is not None
                                and today <= closes_on))
    return rows


# ------------------------------------------------------------------------------ staff


def evaluation_roles(user, evaluation):
    """The roles `user` holds towards `evaluation` (see workflow.RECTIFICATION_ACTIONS)."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(case_roles(user, evaluation.case) & EVALUATION_STAFF_ROLES)


def evaluations_visible_to(user):
    """Ratings the user sees as staff: of the agencies they lead or supervise, and of the cases
    they are (or were, when rated) the specialist of."""
    if not user.is_authenticated:
        return Evaluation.objects.none()
    condition = (Q(case__specialist=user) | Q(specialist=user)
                 | _under(_supervised_paths(user), "case__agency__path"))
    return Evaluation.objects.filter(condition).select_related(*EVALUATION_LIST_RELATED)


def filter_evaluations(evaluations, *, rating=None, channel="", bad_only=False):
    if rating:
        evaluations = evaluations.filter(rating=rating)
    if channel:
        evaluations = evaluations.filter(channel=channel)
    if bad_only:
        evaluations = evaluations.filter(rating__in=BAD_RATINGS)
    return evaluations.order_by("-rated_at", "-pk")


def get_evaluation_for(user, pk):
    """The evaluation with what its page shows, or 404 when the user may not see it."""
    evaluation = (
        evaluations_visible_to(user)
        .select_related("case__agency", "case__specialist", "item__matter",
                        "rectification__verified_by", "rectification__rectified_by",
                        "rectification__visited_by", "rectification__closed_by")
        .filter(pk=pk).first()
    )
    if evaluation is None:
        raise Http404
    return evaluation


def rectification_of(evaluation):
    try:
        return evaluation.rectification
    except Rectification.DoesNotExist:
        return None


def rectification_facts(rectification):
    return RectificationFacts(founded=rectification.founded)


def rectifications_visible_to(user):
    if not user.is_authenticated:
        return Rectification.objects.none()
    condition = (Q(evaluation__case__specialist=user) | Q(evaluation__specialist=user)
                 | _under(_supervised_paths(user), "evaluation__case__agency__path"))
    return Rectification.objects.filter(condition).select_related(
        *(f"evaluation__{related}" for related in EVALUATION_LIST_RELATED
          if related != "rectification"))


def filter_rectifications(rectifications, *, state="", overdue=False, today=None):
    if state:
        rectifications = rectifications.filter(state=state)
    if overdue:
        rectifications = rectifications.filter(state__in=UNANSWERED_STATES,
                                               due_date__lt=today or timezone.localdate())
    return rectifications.order_by("due_date", "pk")


def evaluation_history(evaluation):
    """The ledger entries about the rating and its rectification, oldest first."""
    return (LedgerEntry.objects.filter(case_id=evaluation.case_id,
                                       details__evaluation=evaluation.pk)
            .select_related("actor").order_by("at", "pk"))


# ------------------------------------------------------------------------------ roll-ups


def evaluations_in_scope(user):
    """Ratings of the agencies the user leads or supervises (chief specialist / supervisor),
    nothing for anyone else: the base of the roll-ups."""
    paths = _supervised_paths(user) if user.is_authenticated else []
    return Evaluation.objects.filter(_under(paths))


def in_period(evaluations, start, end):
    """Ratings given from `start` to `end`, both days included (local time)."""
    return evaluations.filter(rated_at__date__gte=start, rated_at__date__lte=end)


# A score where more is better (非常满意 5 … 非常不满意 1), so a mean reads the usual way.
SCORE = Cast(Value(Rating.VERY_DISSATISFIED + 1) - F("rating"), FloatField())


def rating_figures(evaluations, by):
    """One row per value of `by` (a field of Evaluation: "specialist", "department", "agency",
    or None for one row over everything), aggregated in one query:
    {key, count, mean_score, good, neutral, bad, satisfied_share} — `good` counts 1–2,
    `bad` 4–5, `satisfied_share` is good / count (0–1), `mean_score` is 5 (非常满意) … 1."""
    figures = {
        "count": Count("pk"),
        "mean_score": Avg(SCORE),
        "good": Count("pk", filter=Q(rating__in=GOOD_RATINGS)),
        "bad": Count("pk", filter=Q(rating__in=BAD_RATINGS)),
    }
    if by is None:
        rows = [evaluations.aggregate(**figures)]
        rows[0]["key"] = None
    else:
        rows = list(evaluations.values(key=F(by)).annotate(**figures).order_by("key"))
    for row in rows:
        count = row["count"]
        row["neutral"] = count - row["good"] - row["bad"]
        row["satisfied_share"] = row["good"] / count if count else None
        row["mean_score"] = float(row["mean_score"]) if row["mean_score"] is not None else None
    return rows


def _named(rows, model, name):
    objects = model.objects.in_bulk([row["key"] for row in rows if row["key"] is not None])
    for row in rows:
        row["object"] = objects.get(row["key"])
        row["name"] = name(row["object"]) if row["object"] else None
    return sorted(rows, key=lambda row: (row["name"] is None, row["name"] or ""))


def ratings_by_specialist(user, start, end):
    """Rows of `rating_figures` per specialist, with `object` (the user) and `name`: two
    queries."""
    rows = rating_figures(in_period(evaluations_in_scope(user), start, end), "specialist")
    return _named(rows, User, lambda u: u.display_name)


def ratings_by_department(user, start, end):
    """Rows of `rating_figures` per department, over item ratings only (a case's rating is
    the specialist's): two queries."""
    rows = rating_figures(in_period(evaluations_in_scope(user), start, end)
                          .filter(department__isnull=False), "department")
    return _named(rows, Department, lambda d: d.name)


def rating_totals(user, start, end):
    return rating_figures(in_period(evaluations_in_scope(user), start, end), None)[0]
