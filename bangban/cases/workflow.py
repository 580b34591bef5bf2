"""The case and item lifecycles (SPEC §4), written down once.

Services check an action against these tables, templates ask them which buttons to show, and
the tests walk every (state, action, role) triple. An action whose `target` is None records
something without changing the state (an agreement, a plan edit, a handover); one whose
target is `PREVIOUS_STATE` returns to the state the case had before it was suspended.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.accounts.models import Role


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")


class ItemState(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("item state", "Planned")
    PREPARING = "preparing", _("Preparing materials")
    REVIEWED = "reviewed", _("Formal review passed")
    PUSHED = "pushed", _("Pushed to department")
    ACCEPTED = "accepted", _("Accepted by department")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PREVIOUS_STATE = "previous"

FINISHED_ITEM_STATES = frozenset({ItemState.APPROVED, ItemState.REFUSED, ItemState.WITHDRAWN})
CLOSED_CASE_STATES = frozenset({CaseState.REJECTED, CaseState.TERMINATED, CaseState.COMPLETED})


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset
    target: str | None
    roles: frozenset
    style: str = "primary"

    def allows(self, state, roles) -> bool:
        return state in self.sources and bool(self.roles & set(roles))


def _action(name, label, sources, target, roles, style="primary"):
    return Action(name, label, frozenset(sources), target, frozenset(roles), style)


S = CaseState
APPLICANT, SPECIALIST, CHIEF = Role.APPLICANT, Role.SPECIALIST, Role.CHIEF_SPECIALIST
DEPARTMENT = Role.DEPARTMENT_REPRESENTATIVE

_CASE_OPEN = {S.ACCEPTED, S.PLANNED, S.IN_PROGRESS}

CASE_ACTIONS = {
    a.name: a
    for a in [
        _action("edit_application", _("Edit application"), {S.DRAFT}, None, {APPLICANT},
                "secondary"),
        _action("submit", _("Submit application"), {S.DRAFT}, S.SUBMITTED, {APPLICANT}),
        _action("accept", _("Accept"), {S.SUBMITTED}, S.ACCEPTED, {CHIEF}),
        _action("reject", _("Reject"), {S.SUBMITTED}, S.REJECTED, {CHIEF}, "danger"),
        _action("record_agreement", _("Record agency agreement"), {S.ACCEPTED}, None,
                {SPECIALIST, CHIEF}, "secondary"),
        _action("generate_plan", _("Generate plan from catalog"), {S.ACCEPTED}, S.PLANNED,
                {SPECIALIST, CHIEF}),
        _action("edit_plan", _("Edit plan"), {S.PLANNED, S.IN_PROGRESS}, None,
                {SPECIALIST, CHIEF}, "secondary"),
        _action("publish_plan", _("Publish plan to company"), {S.PLANNED}, S.IN_PROGRESS,
                {SPECIALIST, CHIEF}),
        _action("log_contact", _("Log a contact"), _CASE_OPEN | {S.SUSPENDED}, None,
                {SPECIALIST, CHIEF}, "secondary"),
        _action("reassign_specialist", _("Reassign specialist"), _CASE_OPEN | {S.SUSPENDED},
                None, {CHIEF}, "secondary"),
        _action("suspend", _("Suspend"), _CASE_OPEN, S.SUSPENDED, {SPECIALIST, CHIEF},
                "warning"),
        _action("resume", _("Resume"), {S.SUSPENDED}, PREVIOUS_STATE, {SPECIALIST, CHIEF}),
        _action("terminate", _("Terminate"), _CASE_OPEN | {S.SUSPENDED}, S.TERMINATED, {CHIEF},
                "danger"),
        _action("record_handover", _("Record handover of results"), {S.IN_PROGRESS}, None,
                {SPECIALIST, CHIEF}, "secondary"),
        _action("confirm_completion", _("Confirm completion sheet"), {S.IN_PROGRESS},
                S.COMPLETED, {APPLICANT}),
    ]
}

I = ItemState
_ITEM_UNFINISHED = {I.PLANNED, I.PREPARING, I.REVIEWED, I.PUSHED, I.ACCEPTED,
                    I.SUPPLEMENT_REQUESTED}

ITEM_ACTIONS = {
    a.name: a
    for a in [
        _action("start_preparing", _("Start preparing materials"), {I.PLANNED}, I.PREPARING,
                {SPECIALIST}),
        _action("upload_material", _("Upload material"),
                {I.PLANNED, I.PREPARING, I.REVIEWED, I.SUPPLEMENT_REQUESTED}, None,
                {APPLICANT, SPECIALIST}, "secondary"),
        _action("pass_review", _("Pass formal review"), {I.PREPARING}, I.REVIEWED,
                {SPECIALIST}),
        _action("return_to_preparing", _("Return for more material"), {I.REVIEWED},
                I.PREPARING, {SPECIALIST}, "secondary"),
        _action("push", _("Push to department"), {I.REVIEWED}, I.PUSHED, {SPECIALIST}),
        _action("accept", _("Accept (受理)"), {I.PUSHED}, I.ACCEPTED, {DEPARTMENT}),
        _action("request_supplement", _("Request supplement"), {I.ACCEPTED},
                I.SUPPLEMENT_REQUESTED, {DEPARTMENT}, "warning"),
        _action("supply_supplement", _("Supplement supplied"), {I.SUPPLEMENT_REQUESTED},
                I.ACCEPTED, {APPLICANT, SPECIALIST}),
        _action("approve", _("Approve with result"), {I.ACCEPTED}, I.APPROVED, {DEPARTMENT}),
        _action("refuse", _("Refuse"), {I.PUSHED, I.ACCEPTED}, I.REFUSED, {DEPARTMENT},
                "danger"),
        _action("withdraw", _("Withdraw"), _ITEM_UNFINISHED, I.WITHDRAWN,
                {SPECIALIST, CHIEF}, "danger"),
        # The clock (SPEC §5): a special procedure (行政许可法 §45) pauses it without changing
        # the item's state; the department may extend the limit once (§42).
        _action("start_special_procedure", _("Start special procedure"), {I.ACCEPTED}, None,
                {DEPARTMENT}, "secondary"),
        _action("end_special_procedure", _("End special procedure"), {I.ACCEPTED}, None,
                {DEPARTMENT}, "secondary"),
        _action("extend", _("Extend time limit"), {I.ACCEPTED}, None, {DEPARTMENT},
                "secondary"),
    ]
}

# Items only move while their case runs: a suspended case stops every item (Qujiang 第十八条).
ITEM_ACTIONS_ALLOWED_IN_CASE_STATES = frozenset({S.PLANNED, S.IN_PROGRESS})
# A plan may be prepared while the case is planned, but nothing leaves for a department
# before the company has seen the published plan.
ITEM_ACTIONS_NEEDING_PUBLISHED_PLAN = frozenset({"push"})


@dataclass(frozen=True)
class CaseFacts:
    """What, besides its state and the user's roles, decides whether a case action can be
    done now. Built by `selectors.case_facts(user, case)`."""

    agent_mode: bool = False
    agreement_recorded: bool = False
    items_finished: bool = False
    handed_over: bool = False
    user_signs_for_company: bool = False  # the user is the company's representative


# Conditions on those facts. The services check the same things and refuse with a message that
# says why; the case page leaves out a button whose condition does not hold, so nobody is
# offered an action that can only fail (cases/tests/test_action_conditions.py keeps both in step).
CASE_ACTION_CONDITIONS = {
    "record_agreement": lambda f: f.agent_mode and not f.agreement_recorded,
    "generate_plan": lambda f: f.agreement_recorded or not f.agent_mode,
    "record_handover": lambda f: f.items_finished,
    "confirm_completion": lambda f: (
        f.items_finished and f.handed_over and f.user_signs_for_company
    ),
}


def case_actions_for(state, roles, facts=None):
    """The case actions `roles` may take in `state`; given the case's `facts` (CaseFacts), only
    those whose conditions hold as well."""
    return [
        a for a in CASE_ACTIONS.values()
        if a.allows(state, roles)
        and (facts is None or CASE_ACTION_CONDITIONS.get(a.name, lambda f: True)(facts))
    ]


@dataclass(frozen=True)
class ItemFacts:
    """What, besides its state, decides whether an item action can be done now. Built by
    `selectors.item_facts(item)`."""

    special_procedure_running: bool = False
    extended: bool = False


# Like CASE_ACTION_CONDITIONS: the services refuse the same cases with a message.
ITEM_ACTION_CONDITIONS = {
    "start_special_procedure": lambda f: not f.special_procedure_running,
    "end_special_procedure": lambda f: f.special_procedure_running,
    "extend": lambda f: not f.extended,
}


def item_actions_for(item_state, case_state, roles, facts=None):
    """The item actions `roles` may take; given the item's `facts` (ItemFacts), only those whose
    conditions hold as well."""
    if case_state not in ITEM_ACTIONS_ALLOWED_IN_CASE_STATES:
        return []
    return [
        a for a in ITEM_ACTIONS.values()
        if a.allows(item_state, roles)
        and not (a.name in ITEM_ACTIONS_NEEDING_PUBLISHED_PLAN and case_state != S.IN_PROGRESS)
        and (facts is None or ITEM_ACTION_CONDITIONS.get(a.name, lambda f: True)(facts))
    ]
