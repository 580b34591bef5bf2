"""Every change to evaluations: the rating itself (`submit_evaluation`) and one function per
action on the rectification a bad rating opens (workflow.RECTIFICATION_ACTIONS).

Each runs in one transaction: it locks the row it changes (a rating locks the case, then the
item, in the order the case services do), checks the actor's role and the state, validates,
saves, appends a ledger entry to the case and writes the notifications. A second click finds
the new state (or the unique constraint) and gets a clear "already done".
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.accounts.recipients import staff_with_role_over
from bangban.cases.models import Case, CaseItem
from bangban.cases.services import record_ledger
from bangban.companies.models import CompanyContact
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.validation import required_text
from bangban.deadlines.workdays import add_working_days
from bangban.evaluations.models import Evaluation, Rectification
from bangban.evaluations.selectors import (
    evaluation_roles,
    policy_for,
    rating_refusal,
    rectification_facts,
)
from bangban.evaluations.workflow import (
    RECTIFICATION_ACTIONS,
    EvaluationChannel,
    Rating,
    RectificationState,
)
from bangban.notifications.services import notify

# Who may enter a rating at the window on the company's behalf.
WINDOW_ROLES = frozenset({Role.SPECIALIST, Role.CHIEF_SPECIALIST})


def _subject_name(evaluation):
    if evaluation.item_id:
        return evaluation.item.matter.name
    return _("the whole service of case %(number)s") % {"number": evaluation.case.number}


# ---------------------------------------------------------------------------- the rating


def _rating(value):
    try:
        return Rating(int(value))
    except (TypeError, ValueError):
        raise ValidationError({"rating": _("Choose one of the five levels.")}) from None


def _rater(by, case, roles, channel, contact):
    """The company contact the rating is from, after checking who enters it."""
    company_id = case.project.company_id
    if channel == EvaluationChannel.PORTAL:
        if Role.APPLICANT not in roles:
            raise NotAllowed(_("Only a contact of the case's company can rate it on the "
                               "portal."))
        return CompanyContact.objects.get(company_id=company_id, user=by)
    if channel == EvaluationChannel.WINDOW:
        if not roles & WINDOW_ROLES:
            raise NotAllowed(_("Only the case's specialist or a chief specialist can enter a "
                               "rating at the window."))
        if contact is None or contact.company_id != company_id:
            raise ValidationError({"contact": _("Choose the company contact who gave the "
                                                "rating.")})
        return contact
    raise ValidationError({"channel": _("Choose the portal or the window.")})


@transaction.atomic
def submit_evaluation(*, by, case, item=None, rating, comment="",
                      channel=EvaluationChannel.PORTAL, contact=None):
    """一事一评: the company's rating of a decided item (`item`) or of the completed case, from
    the portal by one of its contacts, or entered at the window by the case's specialist or a
    chief specialist for `contact`. Allowed within the agency's rating window after the
    decision / completion, once per item / case. A bad rating (不满意 or worse) needs a comment
    and opens a rectification due in the agency's working days."""
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("agency", "project__company", "specialist").get(pk=case.pk))
    if item is not None:
        item = (CaseItem.objects.select_for_update(of=("self",))
                .select_related("matter", "department").filter(pk=item.pk, case=case).first())
        if item is None:
            raise ValidationError({"item": _("The item belongs to another case.")})
        item.case = case
    roles = case_roles(by, case)
    contact = _rater(by, case, roles, channel, contact)
    refusal = rating_refusal(case, item)
    if refusal:
        raise InvalidTransition(refusal)
    evaluation = Evaluation(
        company_id=case.project.company_id, case=case, item=item, agency=case.agency,
        specialist=case.specialist, department=item.department if item else None,
        rating=_rating(rating), comment=(comment or "").strip(), channel=channel,
        contact=contact, entered_by=by, rated_at=timezone.now(),
    )
    evaluation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        raise InvalidTransition(_("Already done: this has been rated.")) from None
    role = Role.APPLICANT if channel == EvaluationChannel.PORTAL else (
        Role.SPECIALIST if Role.SPECIALIST in roles else Role.CHIEF_SPECIALIST)
    state = item.state if item else case.state
    record_ledger(case=case, item=item, by=by, role=role, action="evaluate",
                  from_state=state, to_state=state, reason=evaluation.comment,
                  evaluation=evaluation.pk, rating=evaluation.rating, channel=channel)
    if evaluation.is_bad:
        _open_rectification(evaluation, by=by, role=role)
    return evaluation


def _open_rectification(evaluation, *, by, role):
    case = evaluation.case
    policy = policy_for(case.agency)
    today = timezone.localdate()
    rectification = Rectification(
        evaluation=evaluation, state=RectificationState.OPEN,
        due_date=add_working_days(today, policy.rectification_days, agency=case.agency),
    )
    rectification.full_clean()
    rectification.save()
    _record(rectification, by=by, role=role, action="open",
            due_date=rectification.due_date.isoformat())
    notify(recipients=[*staff_with_role_over(case.agency, Role.CHIEF_SPECIALIST),
                       case.specialist], case=case,
           event="evaluation_bad_rating",
           subject=_("Bad rating “%(rating)s” on %(subject)s: verify and answer by %(date)s")
           % {"rating": evaluation.get_rating_display(), "subject": _subject_name(evaluation),
              "date": rectification.due_date.isoformat()},
           body=evaluation.comment,
           context={"rating": evaluation.get_rating_display(),
                    "due_date": rectification.due_date.isoformat()})
    return rectification


# ---------------------------------------------------------------------------- rectification


def _record(rectification, *, by, role, action, reason="", **details):
    evaluation = rectification.evaluation
    item = evaluation.item
    state = item.state if item else evaluation.case.state
    return record_ledger(case=evaluation.case, item=item, by=by, role=role,
                         action=f"rectification_{action}", from_state=state, to_state=state,
                         reason=reason, evaluation=evaluation.pk,
                         rectification=rectification.pk, state=rectification.state, **details)


def _begin(rectification, by, name):
    """Locks the rectification and checks that `by` may take action `name` on it now."""
    action = RECTIFICATION_ACTIONS[name]
    rectification = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("evaluation__case__agency", "evaluation__case__project",
                        "evaluation__case__specialist", "evaluation__item__matter")
        .get(pk=rectification.pk)
    )
    roles = evaluation_roles(by, rectification.evaluation)
    allowed = action.roles & roles
    if not allowed:
        raise NotAllowed(_("You are not allowed to “%(action)s” here.")
                         % {"action": action.label})
    if not action.allows(rectification.state, roles, rectification_facts(rectification)):
        if rectification.state == action.target:
            raise InvalidTransition(_("Already done: the rectification is already "
                                      "“%(state)s”.")
                                    % {"state": rectification.get_state_display()})
        raise InvalidTransition(
            _("“%(action)s” is not possible while the rectification is “%(state)s”.")
            % {"action": action.label, "state": rectification.get_state_display()})
    return action, rectification, next(iter(sorted(allowed)))


def _finish(rectification, action, *, by, role, reason, subject, **details):
    rectification.state = action.target
    rectification.full_clean()
    rectification.save()
    _record(rectification, by=by, role=role, action=action.name, reason=reason, **details)
    evaluation = rectification.evaluation
    case = evaluation.case
    chiefs = staff_with_role_over(case.agency, Role.CHIEF_SPECIALIST)
    recipients = [user for user in [*chiefs, case.specialist]
                  if user is not None and user.pk != by.pk]
    notify(recipients=recipients, case=case, event=f"evaluation_rectification_{action.name}",
           subject=f"[{rectification.number}] {_subject_name(evaluation)}: {subject}",
           body=reason, context={"rectification_number": rectification.number})
    return rectification


@transaction.atomic
def verify_rectification(*, rectification, by, founded, finding):
    """核实: what the verification found; an unfounded complaint goes straight to the return
    visit, where the finding is explained to the company."""
    action, rectification, role = _begin(rectification, by, "verify")
    if founded not in (True, False):
        raise ValidationError({"founded": _("Say whether the complaint was founded.")})
    rectification.founded = founded
    rectification.finding = required_text(finding, "finding",
                                          _("Write down what the verification found."))
    rectification.verified_at = timezone.now()
    rectification.verified_by = by
    return _finish(rectification, action, by=by, role=role, reason=rectification.finding,
                   subject=_("complaint founded") if founded else _("complaint unfounded"),
                   founded=founded)


@transaction.atomic
def rectify(*, rectification, by, measures):
    """整改: the measures taken on a founded complaint."""
    action, rectification, role = _begin(rectification, by, "rectify")
    rectification.measures = required_text(measures, "measures",
                                           _("Describe the rectification measures."))
    rectification.rectified_at = timezone.now()
    rectification.rectified_by = by
    return _finish(rectification, action, by=by, role=role, reason=rectification.measures,
                   subject=_("rectified"))


@transaction.atomic
def record_return_visit(*, rectification, by, feedback):
    """回访: the company was told the outcome; its feedback is recorded."""
    action, rectification, role = _begin(rectification, by, "return_visit")
    rectification.feedback = required_text(feedback, "feedback",
                                           _("Write down the company's feedback."))
    rectification.visited_at = timezone.now()
    rectification.visited_by = by
    on_time = timezone.localdate() <= rectification.due_date
    return _finish(rectification, action, by=by, role=role, reason=rectification.feedback,
                   subject=_("return visit recorded"), on_time=on_time)


@transaction.atomic
def close_rectification(*, rectification, by, note=""):
    action, rectification, role = _begin(rectification, by, "close")
    rectification.closing_note = (note or "").strip()
    rectification.closed_at = timezone.now()
    rectification.closed_by = by
    return _finish(rectification, action, by=by, role=role, reason=rectification.closing_note,
                   subject=_("rectification closed"))


RECTIFICATION_ACTION_SERVICES = {
    "verify": verify_rectification,
    "rectify": rectify,
    "return_visit": record_return_visit,
    "close": close_rectification,
}

assert set(RECTIFICATION_ACTION_SERVICES) == set(RECTIFICATION_ACTIONS)
