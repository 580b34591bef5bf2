"""How the API shows each object: read-only, flat, with the names of related rows the
selectors already fetched (so a list costs no query per row). Input is parsed by the apps'
own forms (views.py), not here."""

from django.urls import reverse
from rest_framework import serializers

from bangban.api.services import INBOUND_EVENTS


def _label(field):
    return serializers.CharField(source=f"get_{field}_display", read_only=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="The message, in the request's language.")
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False, help_text="Per field, for invalid input.")


class ActionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    legal_representative = serializers.CharField()
    address = serializers.CharField()


class ContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.CharField()
    phone = serializers.CharField(source="shown_phone",
                                  help_text="Masked unless the user needs the full number.")
    is_representative = serializers.BooleanField()
    is_administrator = serializers.BooleanField()
    has_account = serializers.BooleanField()


class CompanyDetailSerializer(CompanySerializer):
    contacts = ContactSerializer(many=True, source="shown_contacts")


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    company = serializers.IntegerField(source="company_id")
    company_name = serializers.CharField(source="company.name")
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    category = serializers.CharField()
    category_label = _label("category")
    investment_type = serializers.CharField()
    is_key_project = serializers.BooleanField()
    location = serializers.CharField()
    total_investment = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                allow_null=True)
    floor_area = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    state = serializers.CharField()
    state_label = _label("state")
    mode = serializers.CharField()
    scope = serializers.CharField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField(source="project.code", allow_null=True)
    project_name = serializers.CharField(source="project.name")
    company = serializers.IntegerField(source="project.company_id")
    company_name = serializers.CharField(source="project.company.name")
    specialist = serializers.IntegerField(source="specialist_id", allow_null=True)
    specialist_name = serializers.CharField(source="specialist.display_name", allow_null=True,
                                            default=None)
    worst_warning = serializers.CharField(allow_null=True, default=None)
    target_completion_date = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    plan_published_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseSerializer):
    project_summary = serializers.CharField()
    rejection_reason = serializers.CharField()
    suspension_reason = serializers.CharField()
    termination_reason = serializers.CharField()
    handover_method = serializers.CharField()
    handed_over_at = serializers.DateTimeField(allow_null=True)
    actions = ActionSerializer(many=True, help_text="What the user may do now "
                               "(POST /api/v1/cases/{id}/actions/{name}/).")


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    project_code = serializers.CharField(source="case.project.code", allow_null=True)
    matter_code = serializers.CharField(source="matter.code")
    matter_name = serializers.CharField(source="matter.name")
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department.name")
    state = serializers.CharField()
    state_label = _label("state")
    promised_limit = serializers.IntegerField()
    limit_unit = serializers.CharField()
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    pushed_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    warning_level = serializers.CharField()
    extended_days = serializers.IntegerField()
    result_number = serializers.CharField()
    result_document = serializers.IntegerField(source="result_document_id", allow_null=True)
    refusal_reason = serializers.CharField()
    withdrawal_reason = serializers.CharField()


class ItemDetailSerializer(ItemSerializer):
    actions = ActionSerializer(many=True, help_text="What the user may do now "
                               "(POST /api/v1/items/{id}/actions/{name}/).")


class ProblemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    case = serializers.IntegerField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    item = serializers.IntegerField(source="item_id", allow_null=True)
    item_name = serializers.CharField(source="item.matter.name", allow_null=True, default=None)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    department_name = serializers.CharField(source="department.name", allow_null=True,
                                            default=None)
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = _label("state")
    level = serializers.IntegerField()
    level_label = _label("level")
    due_on = serializers.DateField()
    raised_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


class ProblemDetailSerializer(ProblemSerializer):
    description = serializers.CharField()
    requested_outcome = serializers.CharField()
    answer = serializers.CharField(
        allow_null=True, help_text="The department's answer; null for the company's side, "
                                   "which sees the answer passed on to it.")
    relayed_answer = serializers.CharField()
    closing_reason = serializers.CharField()


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = serializers.IntegerField(source="company_id")
    company_name = serializers.CharField(source="case.project.company.name")
    case = serializers.IntegerField(source="case_id")
    item = serializers.IntegerField(source="item_id", allow_null=True)
    item_name = serializers.CharField(source="item.matter.name", allow_null=True, default=None)
    specialist = serializers.IntegerField(source="specialist_id", allow_null=True)
    department = serializers.IntegerField(source="department_id", allow_null=True)
    rating = serializers.IntegerField()
    rating_label = _label("rating")
    comment = serializers.CharField()
    channel = serializers.CharField()
    rated_at = serializers.DateTimeField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    item = serializers.IntegerField(source="item_id", allow_null=True)
    kind = serializers.CharField()
    kind_label = _label("kind")
    title = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    version = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str:
        return reverse("api:document_download", args=[document.pk])


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications were marked.")


class InboundFileSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(help_text="The file's bytes, base64-encoded.")


class InboundEventSerializer(serializers.Serializer):
    """The post of an approval system (documentation of the body; views.py parses it)."""

    event_id = serializers.CharField(
        required=False, max_length=100,
        help_text="The system's id of the event. Posted again, the first outcome is returned "
                  "and nothing is done twice.")
    project_code = serializers.CharField(max_length=24)
    matter_code = serializers.CharField(max_length=16)
    event = serializers.ChoiceField(choices=list(INBOUND_EVENTS))
    reason = serializers.CharField(required=False,
                                   help_text="supplement_requested: what is missing; refused: "
                                             "the legal reason.")
    due_date = serializers.DateField(required=False,
                                     help_text="supplement_requested: supply by (optional).")
    result_number = serializers.CharField(required=False, max_length=64,
                                          help_text="approved: the approval document's number.")
    result_file = InboundFileSerializer(
        required=False, help_text="approved: the approval document. In a multipart post, "
                                  "a file part named result_file instead.")


class InboundOutcomeSerializer(serializers.Serializer):
    event_id = serializers.CharField(allow_null=True)
    event = serializers.CharField()
    item = serializers.IntegerField()
    item_state = serializers.CharField()
    processed_at = serializers.DateTimeField(allow_null=True)
    replayed = serializers.BooleanField(help_text="True when the event id had been processed "
                                                  "before: nothing was done this time.")
