"""The authorization matrix as data: one entry per URL name of `config.urls`.

An entry says how to fill the URL with the *other party's* objects (see world.py) and what the
matrix may accept from each requester. `test_matrix.py` requests every entry as every role of
`world.ROLES` and fails on any leak; `test_every_url_has_an_entry` fails when a URL name has no
entry or an entry names no URL. docs/authorization.md explains how to add one.
"""

from dataclasses import dataclass, field
from typing import Callable, Mapping

from bangban.accounts.models import Role
from bangban.api.scopes import SCOPES
from bangban.api.services import create_api_token
from bangban.cases.workflow import CASE_ACTIONS, ITEM_ACTIONS
from bangban.reporting.exports import TABLES
from tests.authorization.world import PEER_SPECIALIST, ROLES

# Scopes: what the URL is about, which decides the answers the matrix accepts.
OBJECT = "object"  # names one of the other party's objects: 403 / 404 (never 200)
PAGE = "page"      # a page of the requester's own (a list, a form): 200 without the other
                   # party's data, or a refusal; anonymous is sent to the login page
PUBLIC = "public"  # a page for everyone, anonymous included: 200 without the other party's data

# `sees` value: the role may open the object itself (by design; the reason is in `note`).
EVERYTHING = "everything"

SPECIALIST = Role.SPECIALIST.value
CHIEF = Role.CHIEF_SPECIALIST.value
SUPERVISOR = Role.SUPERVISOR.value
ADMINISTRATOR = Role.ADMINISTRATOR.value

# companies/selectors.py: COMPANY_READER_ROLES see every company of the province (companies
# are not bound to an agency), COMPANY_STAFF_ROLES may look after any of them.
COMPANY_STAFF = (SPECIALIST, CHIEF, ADMINISTRATOR, PEER_SPECIALIST)
COMPANY_READERS = (*COMPANY_STAFF, SUPERVISOR)


def no_kwargs(world):
    return {}


@dataclass(frozen=True)
class Entry:
    """How to request one URL name against the other party, and what is acceptable.

    kwargs: world -> the URL's kwargs, or a list of them (several patterns or actions).
    query:  world -> GET parameters (a filter naming the other party, e.g. its agency).
    get:    request it with GET (False for POST-only views: GET must then be refused).
    post:   also POST `post_data(world)` (empty by default: a bare confirmation is the
            most dangerous body); state must not change and the answer must not be a success.
    watch:  world -> a cheap read of what the POST must leave unchanged, beyond row counts.
    sees:   {role: EVERYTHING or a set of secret kinds (world.py `_secrets`)} the role may see
            by design; anything not listed is a leak.
    refusal_redirect: the view refuses an outsider by redirecting with a message (302)
            instead of 403/404; the matrix then only checks that nothing changed or leaked.
    api:    a JSON endpoint: anonymous gets 401/403 rather than a redirect to the login page,
            and requests send `Accept: application/json`.
    headers: (world, role) -> that role's request headers (e.g. {"Authorization": "Token …"});
            with headers the role's user is not logged in by session, so they alone count.
    """

    scope: str
    kwargs: Callable = no_kwargs
    query: Callable = no_kwargs
    get: bool = True
    post: bool = False
    post_data: Callable = no_kwargs
    watch: Callable | None = None
    sees: Mapping[str, object] = field(default_factory=dict)
    refusal_redirect: bool = False
    api: bool = False
    headers: Callable | None = None
    note: str = ""


def _case_pk(world):
    return {"case_pk": world.other.case.pk}


def _case_state(world):
    o = world.other
    return list(type(o.case).objects.filter(pk__in=[o.case.pk, o.draft.pk, o.submitted.pk])
                .values_list("pk", "state", "updated_at"))


def _item_state(world):
    o = world.other
    return list(type(o.item).objects.filter(pk__in=[o.item.pk, o.reviewed_item.pk])
                .values_list("pk", "state", "updated_at"))


def _read_at(world):
    return list(type(world.other.notification).objects.filter(pk=world.other.notification.pk)
                .values_list("read_at", flat=True))


def _api_token(world, role):
    """Each role calls the API as a system would: a token acting as its user, with every scope."""
    user = world.user(role)
    if user is None:
        return {}
    issued = create_api_token(user=user, name="matrix", scopes=SCOPES)
    return {"Authorization": f"Bearer {issued.key}"}


def _api(scope, **fields):
    return Entry(scope, api=True, headers=_api_token, **fields)


def _inbound_event(world):
    item = world.other.item
    return {"project_code": item.case.project.code, "matter_code": item.matter.code,
            "event": "accept", "event_id": "matrix-1"}


ENTRIES = {
    # ------------------------------------------------------------ accounts, i18n
    "accounts:login": Entry(PUBLIC, post=True),
    "accounts:logout": Entry(PUBLIC, get=False, post=True,
                             note="Logs the requester out of their own session only."),
    "accounts:sso_start": Entry(
        PUBLIC, note="Single sign-on (docs/sso.md): 404 while it is off (as here), else a "
        "redirect to the identity platform."),
    "accounts:sso_callback": Entry(
        PUBLIC, query=lambda w: {"code": "forged", "state": "forged"},
        note="404 while single sign-on is off; a state this browser did not start is refused "
        "(tests/oidc_provider/test_sso_flow.py)."),
    "set_language": Entry(PUBLIC, post=True, post_data=lambda w: {"language": "en"}),

    # ------------------------------------------------------------ companies
    "companies:register": Entry(PUBLIC, post=True),
    "companies:verify_registration": Entry(
        PUBLIC, kwargs=lambda w: {"token": "not-a-registration-token"}, post=True,
        note="A capability URL: the token is the permission; a guessed one is 404."),
    "companies:resend_registration_code": Entry(
        PUBLIC, kwargs=lambda w: {"token": "not-a-registration-token"}, get=False, post=True),
    "companies:accept_invitation": Entry(
        PUBLIC, kwargs=lambda w: {"token": "not-an-invitation-token"}, post=True,
        note="A capability URL: the signed token is the permission."),
    "companies:detail": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.company.pk},
        sees={r: EVERYTHING for r in COMPANY_READERS},
        note="Companies are province-wide: staff who look after companies and supervisors "
             "see them all (companies/selectors.py COMPANY_READER_ROLES). Without a pk it is "
             "the requester's own company (not in the matrix: no object of the other party)."),
    "companies:edit": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.company.pk}, post=True,
        sees={r: EVERYTHING for r in COMPANY_STAFF} | {SUPERVISOR: {"company", "contact"}},
        note="COMPANY_STAFF_ROLES keep any company's record (companies/services.py)."),
    "companies:invite": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.company.pk}, post=True,
        sees={r: EVERYTHING for r in COMPANY_STAFF} | {SUPERVISOR: {"company", "contact"}}),
    "companies:resend_invitation": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.contact.pk}, get=False, post=True,
        sees={r: EVERYTHING for r in COMPANY_STAFF}, refusal_redirect=True),
    "companies:import": Entry(PAGE, post=True),
    "companies:import_template": Entry(PAGE),

    # ------------------------------------------------------------ projects
    "projects:list": Entry(PAGE, sees={PEER_SPECIALIST: {"project", "project_code", "company",
                                                          "credit_code"}},
                           note="Specialists see the projects of their agency."),
    "projects:create": Entry(
        PAGE, post=True,
        sees={r: {"company", "credit_code"} for r in COMPANY_STAFF},
        note="Staff may file a project for any company: the form lists them all."),
    "projects:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.project.pk},
                             sees={PEER_SPECIALIST: EVERYTHING}),
    "projects:edit": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.project.pk}, post=True,
                           sees={PEER_SPECIALIST: EVERYTHING}),
    "projects:key_team": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.key_project.pk},
                               post=True),
    "projects:key_ledger": Entry(
        PAGE, sees={PEER_SPECIALIST: {"project", "project_code", "company", "credit_code",
                                      "case"}},
        note="The key-project ledger of the requester's agencies."),

    # ------------------------------------------------------------ applications and cases
    "applications:new": Entry(PAGE, query=lambda w: {"project": w.other.project.pk},
                              post=True, post_data=lambda w: {"project": w.other.project.pk}),
    "applications:detail": Entry(OBJECT, kwargs=lambda w: [{"pk": w.other.submitted.pk},
                                                           {"pk": w.other.draft.pk}]),
    "applications:edit": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.draft.pk}, post=True,
                               watch=_case_state),
    "applications:submit": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.draft.pk},
                                 get=False, post=True, watch=_case_state),
    "cases:list": Entry(PAGE, query=lambda w: {"agency": w.other.agency.pk}),
    "cases:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}),
    "cases:action": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.case.pk, "action": "log_contact"},
                                  {"pk": w.other.case.pk, "action": "suspend"},
                                  {"pk": w.other.submitted.pk, "action": "accept"}],
        post=True, watch=_case_state),
    "cases:item_action": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.reviewed_item.pk, "action": "push"},
                                  {"pk": w.other.item.pk, "action": "refuse"}],
        post=True, watch=_item_state),
    "cases:plan_item": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.item.pk}, post=True,
                             watch=_item_state),
    "cases:remove_plan_item": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.item.pk},
                                    get=False, post=True, watch=_item_state),
    "portal:workbench": Entry(PUBLIC, note="Anonymous visitors are sent to public:home."),
    "portal:case_timeline": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}),

    # ------------------------------------------------------------ documents
    "documents:download": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.document.pk}),
    "documents:case_archive": Entry(OBJECT, kwargs=_case_pk, post=True),
    "documents:case_zip": Entry(OBJECT, kwargs=_case_pk),

    # ------------------------------------------------------------ notifications
    "notifications:inbox": Entry(PAGE),
    "notifications:mark_read": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.notification.pk}, get=False, post=True,
        refusal_redirect=True, watch=_read_at,
        note="Marks only the requester's own row and always returns to the inbox."),
    "notifications:mark_all_read": Entry(PAGE, get=False, post=True, watch=_read_at),
    "notifications:case_messages": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}),

    # ------------------------------------------------------------ supervision
    "supervision:list": Entry(PAGE),
    "supervision:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.notice.pk}),
    "supervision:print": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.notice.pk}),
    "supervision:action": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.notice.pk, "action": "close"},
                                  {"pk": w.other.notice.pk, "action": "reply"}], post=True),

    # ------------------------------------------------------------ problems
    "problems:list": Entry(PAGE),
    "problems:for_case": Entry(OBJECT, kwargs=_case_pk),
    "problems:raise": Entry(OBJECT, kwargs=_case_pk, post=True),
    "problems:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.problem.pk}),
    "problems:letter": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.forwarded_problem.pk}),
    "problems:action": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.problem.pk, "action": "close"},
                                  {"pk": w.other.problem.pk, "action": "answer"}], post=True),

    # ------------------------------------------------------------ meetings
    "meetings:list": Entry(PAGE),
    "meetings:convene": Entry(PAGE, query=lambda w: {"problem": w.other.problem.pk,
                                                     "case": w.other.case.pk}, post=True),
    "meetings:my_actions": Entry(PAGE),
    "meetings:complete_action": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.meeting_action.pk}, post=True),
    "meetings:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.meeting.pk}),
    "meetings:ics": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.meeting.pk}),
    "meetings:action": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.meeting.pk, "action": "cancel"},
                                  {"pk": w.other.meeting.pk, "action": "record_minutes"}],
        post=True),

    # ------------------------------------------------------------ consultations
    "consultations:list": Entry(PAGE, sees={PEER_SPECIALIST: EVERYTHING},
                                note="Every specialist of the agency answers its questions."),
    "consultations:create": Entry(
        PAGE, query=lambda w: {"credit_code": w.other.company.credit_code,
                               "asker_phone": w.other.consultation.asker_phone},
        post=True, sees={r: {"credit_code"} for r in ROLES} | {PEER_SPECIALIST: EVERYTHING},
        note="The form shows the credit code typed back; earlier inquiries anywhere are "
             "counted (first-inquiry rule), showing only dates, channels and agencies."),
    "consultations:previous": Entry(
        PAGE, query=lambda w: {"credit_code": w.other.company.credit_code},
        sees={r: {"credit_code"} for r in ROLES} | {PEER_SPECIALIST: EVERYTHING}),
    "consultations:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.consultation.pk},
                                  sees={PEER_SPECIALIST: EVERYTHING}),
    "consultations:answer": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.consultation.pk},
                                  post=True, sees={PEER_SPECIALIST: EVERYTHING}),
    "consultations:convert": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.consultation.pk},
                                   post=True, sees={PEER_SPECIALIST: EVERYTHING}),

    # ------------------------------------------------------------ visits
    "visits:list": Entry(PAGE, sees={PEER_SPECIALIST: EVERYTHING},
                         note="An agency's staff share its record of visits."),
    "visits:create": Entry(
        PAGE, query=lambda w: {"case": w.other.case.number}, post=True,
        sees={r: {"case"} for r in ROLES} | {PEER_SPECIALIST: EVERYTHING},
        note="The form shows the case number typed back (?case=), nothing else of it."),
    "visits:statistics": Entry(PAGE, query=lambda w: {"agency": w.other.agency.pk},
                               sees={PEER_SPECIALIST: EVERYTHING}),
    "visits:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.activity.pk},
                           sees={PEER_SPECIALIST: EVERYTHING}),

    # ------------------------------------------------------------ evaluations
    "evaluations:pending": Entry(PAGE),
    "evaluations:list": Entry(PAGE),
    "evaluations:detail": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.evaluation.pk}),
    "evaluations:case": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.evaluation.case_id}),
    "evaluations:rate_case": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.evaluation.case_id},
                                   post=True),
    "evaluations:rate_item": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.item.pk},
                                   post=True),
    "evaluations:rectifications": Entry(PAGE),
    "evaluations:rectification_action": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.rectification.pk, "action": "verify"},
        post=True),
    "evaluations:summary": Entry(PAGE, query=lambda w: {"agency": w.other.agency.pk}),

    # ------------------------------------------------------------ policies
    "policies:list": Entry(PUBLIC, note="The policy library is public."),
    "policies:detail": Entry(PUBLIC, kwargs=lambda w: {"pk": w.other.case_policy.policy_id}),
    "policies:case_policies": Entry(OBJECT, kwargs=_case_pk),
    "policies:link": Entry(OBJECT, kwargs=_case_pk, get=False, post=True,
                           post_data=lambda w: {"policy": w.other.case_policy.policy_id}),
    "policies:unlink": Entry(
        OBJECT, kwargs=lambda w: {"case_pk": w.other.case_policy.case_id,
                                  "policy_pk": w.other.case_policy.policy_id},
        get=False, post=True),

    # ------------------------------------------------------------ reporting, dashboards
    "reporting:statistics": Entry(
        PAGE, query=lambda w: [{"agency": w.other.agency.pk},
                               {"agency": w.other.agency.pk, "format": "pdf"}]),
    "reporting:export": Entry(
        PAGE, query=lambda w: [{"table": key, "agency": w.other.agency.pk} for key in TABLES],
        sees={PEER_SPECIALIST: {"company", "credit_code", "case", "consultation", "activity",
                                "project", "project_code"}},
        note="Each table is its page's rows: a specialist exports the agency's consultations, "
             "visits and key-project ledger, as those pages show them."),
    "reporting:jobs": Entry(PAGE),
    "reporting:job": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.export_job.pk}),
    "reporting:download": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.export_job.pk}),
    "dashboards:dashboard": Entry(PAGE, query=lambda w: {"agency": w.other.agency.pk}),
    "dashboards:list": Entry(
        PAGE, kwargs=lambda w: [{"set_name": "cases", "figure": "all"},
                                {"set_name": "items", "figure": "all"}],
        query=lambda w: {"agency": w.other.agency.pk}),

    # ------------------------------------------------------------ printing
    "printing:case_form": Entry(
        OBJECT, kwargs=lambda w: [{"pk": w.other.case.pk, "name": "application", "fmt": "pdf"},
                                  {"pk": w.other.case.pk, "name": "ledger", "fmt": "xlsx"}]),
    "printing:archive": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.case.pk, "name": "application"},
        get=False, post=True),
    "printing:feedback": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.forwarded_problem.pk, "fmt": "pdf"}),
    "printing:supervision_notice": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.notice.pk}),
    "printing:contact_card": Entry(
        OBJECT, kwargs=lambda w: {"pk": w.other.card.pk},
        note="Unpublished: only its owner and administrators preview it."),
    "printing:directory": Entry(PAGE, kwargs=lambda w: {"fmt": "pdf"}),

    # ------------------------------------------------------------ public pages
    "public:home": Entry(PUBLIC),
    "public:catalog": Entry(PUBLIC),
    "public:matter": Entry(PUBLIC, kwargs=lambda w: {"code": w.other.item.matter.code}),
    "public:directory": Entry(PUBLIC),
    "public:edit_card": Entry(PAGE, post=True),
    "public:card": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.card.pk},
                         note="Unpublished: only its owner and administrators preview it."),
    "public:card_photo": Entry(OBJECT, kwargs=lambda w: {"pk": w.other.card.pk}),
    "public:progress": Entry(
        PUBLIC, query=lambda w: [{}, {"code": w.other.project.code}],
        post=True, post_data=lambda w: {"code": w.other.project.code},
        sees={role: {"project_code"} for role in ROLES},
        note="The project code alone is not enough: the query code is needed too. The form "
             "shows the code typed back, so codes are not secrets here (names still are)."),
    "public:query_code": Entry(OBJECT, kwargs=_case_pk, post=True),
    # ------------------------------------------------------------ account security
    "accounts:password_change": Entry(PAGE, post=True),
    "accounts:two_factor_setup": Entry(PAGE, post=True),
    "accounts:two_factor_verify": Entry(PAGE, post=True),

    # ------------------------------------------------------------ audit log, health checks
    "audit:list": Entry(PAGE),
    "healthz": Entry(PUBLIC),
    "readyz": Entry(PUBLIC),

    # ------------------------------------------------------------ API v1 (tokens, docs/api.md)
    "api:schema": _api(PUBLIC),
    "api:docs": Entry(PUBLIC, note="The Swagger UI page (HTML) of the OpenAPI document."),
    "api:company_list": _api(PAGE, sees={role: EVERYTHING for role in COMPANY_READERS}),
    "api:company_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.company.pk},
                               sees={role: EVERYTHING for role in COMPANY_READERS}),
    "api:project_list": _api(PAGE, sees={PEER_SPECIALIST: {"project", "project_code", "company",
                                                           "credit_code"}}),
    "api:project_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.project.pk},
                               sees={PEER_SPECIALIST: EVERYTHING}),
    "api:case_list": _api(PAGE),
    "api:case_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}),
    "api:case_items": _api(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}),
    "api:case_documents": _api(OBJECT, kwargs=lambda w: {"pk": w.other.case.pk}, post=True),
    "api:case_action": _api(
        OBJECT, kwargs=lambda w: [{"pk": c.pk, "action": a} for a in CASE_ACTIONS
                                  for c in (w.other.case, w.other.submitted)],
        get=False, post=True, watch=_case_state),
    "api:item_list": _api(PAGE, query=lambda w: [{}, {"queue": "department"},
                                                 {"queue": "specialist"}]),
    "api:item_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.item.pk}),
    "api:item_action": _api(
        OBJECT, kwargs=lambda w: [{"pk": i.pk, "action": a} for a in ITEM_ACTIONS
                                  for i in (w.other.item, w.other.reviewed_item)],
        get=False, post=True, watch=_item_state),
    "api:problem_list": _api(PAGE),
    "api:problem_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.problem.pk}),
    "api:evaluation_list": _api(PAGE),
    "api:evaluation_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.evaluation.pk}),
    "api:document_detail": _api(OBJECT, kwargs=lambda w: {"pk": w.other.document.pk}),
    "api:document_download": _api(OBJECT, kwargs=lambda w: {"pk": w.other.document.pk}),
    "api:notification_list": _api(PAGE),
    "api:notification_read": _api(OBJECT, kwargs=lambda w: {"pk": w.other.notification.pk},
                                  get=False, post=True, watch=_read_at),
    "api:notification_read_all": _api(PAGE, get=False, post=True, watch=_read_at),
    "api:inbound_item_event": _api(PAGE, get=False, post=True, post_data=_inbound_event,
                                   watch=_item_state),
}

# The admin site is one group: every `admin:` URL name, only for staff users (superusers).
ADMIN_NAMESPACE = "admin"


def variants(value):
    """An entry's kwargs / query callables may give one dict or a list of them."""
    return value if isinstance(value, list) else [value]

