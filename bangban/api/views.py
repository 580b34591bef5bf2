"""API v1: thin views over the apps' selectors (what a user sees, scoped exactly as their pages)
and services (what a user does). Input of a workflow action is parsed by the same form the
page uses; every refusal is JSON (errors.py)."""

import base64
import binascii

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from bangban.accounts.models import Agency, Role
from bangban.accounts.permissions import case_roles, item_roles
from bangban.api import serializers as s
from bangban.api import services as api_services
from bangban.api.errors import invalid_input
from bangban.api.scopes import APPROVAL_INBOUND
from bangban.audit.services import record_export
from bangban.cases import selectors as case_selectors
from bangban.cases.forms import CASE_ACTION_FORMS, ITEM_ACTION_FORMS, CaseFilterForm
from bangban.cases.views import CASE_ACTION_CALLS, ITEM_ACTION_CALLS
from bangban.cases.workflow import (
    CASE_ACTIONS,
    ITEM_ACTIONS,
    case_actions_for,
    item_actions_for,
)
from bangban.companies import selectors as company_selectors
from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.documents import services as document_services
from bangban.documents.forms import ArchiveUploadForm
from bangban.documents.models import Document
from bangban.documents.selectors import archive_of, documents_visible_to
from bangban.evaluations import selectors as evaluation_selectors
from bangban.evaluations.forms import EvaluationFilterForm
from bangban.evaluations.models import Evaluation
from bangban.notifications import selectors as notification_selectors
from bangban.notifications import services as notification_services
from bangban.problems import selectors as problem_selectors
from bangban.problems.forms import ProblemFilterForm
from bangban.projects import selectors as project_selectors

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Invalid input"),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed, or the token lacks the "
                                                        "scope"),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found or not visible to the user"),
    409: OpenApiResponse(s.ErrorSerializer, description="Not possible in the current state"),
}
READ_ERRORS = {404: ERRORS[404]}


# ------------------------------------------------------------------------------ input


def _decoded_file(value):
    try:
        content = base64.b64decode(str(value.get("content_base64", "")), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The file's content_base64 is not valid base64.")) from None
    name = str(value.get("name") or "file")
    try:
        return SimpleUploadedFile(name, content)
    except SuspiciousFileOperation:
        # Django refuses names such as "." or "..": the client gets the API's own 400.
        raise ValidationError(
            _("The file name “%(name)s” cannot be used; give the file a name.") % {"name": name}
        ) from None


def _is_file(value):
    return isinstance(value, dict) and "content_base64" in value


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def form_input(request):
    """(data, files) for a form, from a multipart, form-encoded or JSON post. In JSON a file is
    {"name": "…", "content_base64": "…"}; every other value reaches the form as text, as a
    browser would send it."""
    if isinstance(request.data, QueryDict):
        return request.data, request.FILES
    if not isinstance(request.data, dict):
        raise ValidationError(_("Send a JSON object."))
    data, files = QueryDict(mutable=True), {}
    for name, value in request.data.items():
        values = value if isinstance(value, list) else [value]
        if any(_is_file(v) for v in values):
            decoded = [_decoded_file(v) for v in values if _is_file(v)]
            files[name] = decoded if isinstance(value, list) else decoded[0]
        else:
            data.setlist(name, [_as_text(v) for v in values])
    return data, _FileDict(files)


class _FileDict(dict):
    """Files from JSON, read by forms like request.FILES (getlist for a multiple-file field)."""

    def getlist(self, name):
        value = self.get(name)
        return value if isinstance(value, list) else ([value] if value else [])


def _run_form(form, service, **arguments):
    """Calls `service(**arguments, **form.service_kwargs())`; invalid input → 400 response,
    a refusal → the service's exception (errors.py turns it into JSON)."""
    if not form.is_valid():
        return invalid_input(form.errors)
    return service(**arguments, **form.service_kwargs())


def _refusal(action, roles):
    """The refusal a service would give for an action the workflow does not allow now."""
    if not action.roles & set(roles):
        return NotAllowed()
    return InvalidTransition()


# ------------------------------------------------------------------------------ companies


class CompanyList(generics.ListAPIView):
    """Companies the user sees: all of them for service staff and supervisors, else the user's
    own."""

    serializer_class = s.CompanySerializer

    def get_queryset(self):
        return company_selectors.companies_visible_to(self.request.user).order_by("name", "pk")


class CompanyDetail(APIView):
    @extend_schema(responses={200: s.CompanyDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        company = company_selectors.get_company_for(request.user, pk)
        company.shown_contacts = company_selectors.contacts_for_display(request.user, company)
        return Response(s.CompanyDetailSerializer(company).data)


# ------------------------------------------------------------------------------ projects


class ProjectList(generics.ListAPIView):
    serializer_class = s.ProjectSerializer

    def get_queryset(self):
        return project_selectors.projects_visible_to(self.request.user)


class ProjectDetail(APIView):
    @extend_schema(responses={200: s.ProjectSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(s.ProjectSerializer(
            project_selectors.get_project_for(request.user, pk)).data)


# ------------------------------------------------------------------------------ cases


@extend_schema(parameters=[
    OpenApiParameter("q", str, description="Case number or project name contains"),
    OpenApiParameter("state", str), OpenApiParameter("agency", int),
    OpenApiParameter("mode", str),
])
class CaseList(generics.ListAPIView):
    """The cases the user may open, filtered like the case list page."""

    serializer_class = s.CaseSerializer

    def get_queryset(self):
        visible = case_selectors.cases_visible_to(self.request.user)
        agencies = Agency.objects.filter(pk__in=visible.values("agency_id"))
        form = CaseFilterForm(self.request.query_params or None, agencies=agencies)
        return case_selectors.with_worst_warning(form.filter(visible)).order_by(
            "-created_at", "-pk")


def _case_detail(user, case):
    case.actions = case_actions_for(case.state, case_roles(user, case),
                                    case_selectors.case_facts(user, case))
    return s.CaseDetailSerializer(case).data


class CaseDetail(APIView):
    @extend_schema(responses={200: s.CaseDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(_case_detail(request.user, case_selectors.get_case_for(request.user, pk)))


class CaseItems(generics.ListAPIView):
    """The case's items as its page shows them: a department only those pushed to it, the
    company none before the plan is published."""

    serializer_class = s.ItemSerializer

    def get_queryset(self):
        user = self.request.user
        case = case_selectors.get_case_for(user, self.kwargs["pk"])
        roles = case_roles(user, case)
        if roles and not roles - {Role.APPLICANT} and case.plan_published_at is None:
            return []
        return case_selectors.visible_items_of(user, case)


ACTION_BODY = {"application/json": OpenApiTypes.OBJECT,
               "multipart/form-data": OpenApiTypes.OBJECT}


def _fields_of(forms):
    return "\n".join(
        f"- `{name}`: " + (", ".join(
            f"{field}{'' if f.required else ' (optional)'}"
            for field, f in form_class.base_fields.items()) or "no fields")
        for name, form_class in forms.items()
    )


@extend_schema(
    request=ACTION_BODY,
    parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                 enum=list(CASE_ACTION_FORMS))],
    responses={200: s.CaseDetailSerializer, **ERRORS},
    description="Carries out one workflow action on the case (bangban/cases/workflow.py) as "
                "the user. The body holds the action's fields (files: multipart, or in JSON "
                "{\"name\", \"content_base64\"}; dates YYYY-MM-DD; related rows by id):\n\n"
                + _fields_of(CASE_ACTION_FORMS),
)
class CaseAction(APIView):
    def post(self, request, pk: int, action: str):
        case = case_selectors.get_case_for(request.user, pk)
        if action not in CASE_ACTION_FORMS:
            raise Http404(_("No such action."))
        workflow_action = CASE_ACTIONS[action]
        roles = case_roles(request.user, case)
        if not workflow_action.allows(case.state, roles):
            raise _refusal(workflow_action, roles)
        data, files = form_input(request)
        form = CASE_ACTION_FORMS[action](data, files, case=case)
        outcome = _run_form(form, CASE_ACTION_CALLS[action], case=case, by=request.user)
        if isinstance(outcome, Response):
            return outcome
        return Response(_case_detail(request.user,
                                     case_selectors.get_case_for(request.user, case.pk)))


# ------------------------------------------------------------------------------ items


QUEUES = {
    "department": case_selectors.items_for_department,
    "specialist": case_selectors.items_waiting_for_specialist,
}


@extend_schema(parameters=[OpenApiParameter(
    "queue", str, enum=list(QUEUES),
    description="department (default): the open items of the user's departments; specialist: "
                "the items waiting for the user as a specialist.")])
class ItemList(generics.ListAPIView):
    """A workbench queue of items."""

    serializer_class = s.ItemSerializer

    def get_queryset(self):
        queue = self.request.query_params.get("queue") or "department"
        if queue not in QUEUES:
            raise ValidationError({"queue": _("Choose one of: %(queues)s.")
                                   % {"queues": ", ".join(QUEUES)}})
        return QUEUES[queue](self.request.user)


def _item_for(user, pk):
    """The item, or 404 unless the user has a role on it (a department: once pushed to it)."""
    item = case_selectors.get_item_for(user, pk)
    roles = item_roles(user, item)
    if not roles:
        raise Http404
    return item, roles


def _item_detail(user, item, roles):
    item.actions = item_actions_for(item.state, item.case.state, roles,
                                    case_selectors.item_facts(item))
    return s.ItemDetailSerializer(item).data


class ItemDetail(APIView):
    @extend_schema(responses={200: s.ItemDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(_item_detail(request.user, *_item_for(request.user, pk)))


@extend_schema(
    request=ACTION_BODY,
    parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH,
                                 enum=list(ITEM_ACTION_FORMS))],
    responses={200: s.ItemDetailSerializer, **ERRORS},
    description="Carries out one workflow action on the item (bangban/cases/workflow.py) as "
                "the user. The body holds the action's fields (files: multipart, or in JSON "
                "{\"name\", \"content_base64\"}; dates YYYY-MM-DD):\n\n"
                + _fields_of(ITEM_ACTION_FORMS),
)
class ItemAction(APIView):
    def post(self, request, pk: int, action: str):
        item, roles = _item_for(request.user, pk)
        if action not in ITEM_ACTION_FORMS:
            raise Http404(_("No such action."))
        workflow_action = ITEM_ACTIONS[action]
        if workflow_action not in item_actions_for(item.state, item.case.state, roles):
            raise _refusal(workflow_action, roles)
        data, files = form_input(request)
        form = ITEM_ACTION_FORMS[action](data, files, case=item.case, item=item)
        outcome = _run_form(form, ITEM_ACTION_CALLS[action], item=item, by=request.user)
        if isinstance(outcome, Response):
            return outcome
        return Response(_item_detail(request.user, *_item_for(request.user, item.pk)))


# ------------------------------------------------------------------------------ problems


@extend_schema(parameters=[OpenApiParameter("state", str), OpenApiParameter("level", int),
                           OpenApiParameter("overdue", bool)])
class ProblemList(generics.ListAPIView):
    serializer_class = s.ProblemSerializer

    def get_queryset(self):
        form = ProblemFilterForm(self.request.query_params or None)
        return problem_selectors.filter_problems(
            problem_selectors.problems_visible_to(self.request.user),
            today=timezone.localdate(), **form.filters())


class ProblemDetail(APIView):
    @extend_schema(responses={200: s.ProblemDetailSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        problem = problem_selectors.get_problem_for(request.user, pk)
        data = s.ProblemDetailSerializer(problem).data
        if problem_selectors.is_company_side(problem_selectors.problem_roles(request.user,
                                                                             problem)):
            data["answer"] = None
        return Response(data)


# ------------------------------------------------------------------------------ evaluations


def _evaluations_of(user):
    """What the evaluation pages show the user: as staff (the list page), and the ratings of
    the user's companies (the company's rating page)."""
    staff = evaluation_selectors.evaluations_visible_to(user).values("pk")
    own = evaluation_selectors.evaluations_of_company_user(user).values("pk")
    return (Evaluation.objects.filter(Q(pk__in=staff) | Q(pk__in=own))
            .select_related(*evaluation_selectors.EVALUATION_LIST_RELATED))


@extend_schema(parameters=[OpenApiParameter("rating", int), OpenApiParameter("channel", str),
                           OpenApiParameter("bad_only", bool)])
class EvaluationList(generics.ListAPIView):
    serializer_class = s.EvaluationSerializer

    def get_queryset(self):
        form = EvaluationFilterForm(self.request.query_params or None)
        return evaluation_selectors.filter_evaluations(_evaluations_of(self.request.user),
                                                       **form.filters())


class EvaluationDetail(APIView):
    @extend_schema(responses={200: s.EvaluationSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        evaluation = _evaluations_of(request.user).filter(pk=pk).first()
        if evaluation is None:
            raise Http404
        return Response(s.EvaluationSerializer(evaluation).data)


# ------------------------------------------------------------------------------ documents


def _visible_document(user, pk):
    document = get_object_or_404(Document, pk=pk)
    case = case_selectors.cases_visible_to(user).filter(pk=document.case_id).first()
    if case is None or not documents_visible_to(user, case).filter(pk=pk).exists():
        raise Http404
    return document


class CaseDocuments(generics.ListCreateAPIView):
    """The case archive as its page shows it; the case's specialist adds documents to it."""

    serializer_class = s.DocumentSerializer

    def _case(self):
        return get_object_or_404(case_selectors.cases_visible_to(self.request.user),
                                 pk=self.kwargs["pk"])

    def get_queryset(self):
        return archive_of(self.request.user, self._case())

    @extend_schema(
        request={"multipart/form-data": {
            "type": "object", "required": ["kind", "file"],
            "properties": {"kind": {"type": "string"}, "title": {"type": "string"},
                           "item": {"type": "integer"},
                           "file": {"type": "string", "format": "binary"}}}},
        responses={201: s.DocumentSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        case = self._case()
        data, files = form_input(request)
        form = ArchiveUploadForm(data, files, case=case)
        outcome = _run_form(form, document_services.upload_to_archive, case=case,
                            by=request.user)
        if isinstance(outcome, Response):
            return outcome
        return Response(s.DocumentSerializer(outcome).data, status=201)


class DocumentDetail(APIView):
    @extend_schema(responses={200: s.DocumentSerializer, **READ_ERRORS})
    def get(self, request, pk: int):
        return Response(s.DocumentSerializer(_visible_document(request.user, pk)).data)


class DocumentDownload(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              **READ_ERRORS})
    def get(self, request, pk: int):
        document = _visible_document(request.user, pk)
        try:
            handle = document.file.open("rb")
        except OSError:
            raise Http404 from None
        record_export(request=request, what=document.original_name,
                      details={"case_id": document.case_id, "document": document.pk})
        return FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)


# ------------------------------------------------------------------------------ notifications


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="Only unread ones")])
class NotificationList(generics.ListAPIView):
    """The user's own in-app notifications, newest first."""

    serializer_class = s.NotificationSerializer

    def get_queryset(self):
        notifications = notification_selectors.notifications_of(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            notifications = notifications.filter(read_at__isnull=True)
        return notifications


class NotificationRead(APIView):
    @extend_schema(request=None, responses={200: s.NotificationSerializer, **READ_ERRORS})
    def post(self, request, pk: int):
        mine = notification_selectors.notifications_of(request.user)
        notification = get_object_or_404(mine, pk=pk)
        notification_services.mark_read(user=request.user, pk=notification.pk)
        notification.refresh_from_db()
        return Response(s.NotificationSerializer(notification).data)


class NotificationReadAll(APIView):
    @extend_schema(request=None, responses={200: s.MarkedReadSerializer})
    def post(self, request):
        mine = notification_selectors.notifications_of(request.user)
        unread = mine.filter(read_at__isnull=True).count()
        notification_services.mark_read(user=request.user)
        return Response({"marked": unread})


# ------------------------------------------------------------------------------ inbound


class InboundItemEvent(APIView):
    """An approval system reports what happened to an item: accepted (受理), supplement
    requested (补正), approved with the result document, or refused with the reason. The item
    is the one of `matter_code` in the open case of the project `project_code`; the event is
    carried out by the item service as the token's user, who must represent the item's
    department. The token needs the scope `approval:inbound`."""

    required_scope = APPROVAL_INBOUND

    @extend_schema(
        request={"application/json": s.InboundEventSerializer,
                 "multipart/form-data": s.InboundEventSerializer},
        responses={200: s.InboundOutcomeSerializer, **ERRORS},
    )
    def post(self, request):
        data = request.data
        upload = None
        if isinstance(data, QueryDict):
            upload = request.FILES.get("result_file")
            data = {key: data.get(key) for key in data if key != "result_file"}
        elif not isinstance(data, dict):
            raise ValidationError(_("Send a JSON object."))
        post = s.InboundEventSerializer(data=data)
        if not post.is_valid():
            return invalid_input(post.errors)
        fields = dict(post.validated_data)
        if "result_file" in fields:
            upload = _decoded_file(fields["result_file"])
        fields["result_file"] = upload
        outcome = api_services.process_inbound_event(by=request.user, **fields)
        record = outcome.event
        return Response(s.InboundOutcomeSerializer({
            "event_id": record.event_id if record else None,
            "event": record.event if record else fields["event"],
            "item": outcome.item.pk,
            "item_state": record.item_state if record else outcome.item.state,
            "processed_at": record.processed_at if record else None,
            "replayed": outcome.replayed,
        }).data)
