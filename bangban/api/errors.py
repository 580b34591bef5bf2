"""Every refusal of the API as JSON in the request's language, never a 500 for bad input:
`{"detail": "<message>", "code": "<code>", "errors": {"<field>": ["<message>", …]}}` (errors
only for invalid input).

DomainError from a service: NotAllowed → 403, InvalidTransition → 409, any other → 400;
Django's ValidationError → 400; Http404 → 404 (with the selector's message when it has one);
DRF's own exceptions keep their status."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from bangban.core.errors import DomainError, InvalidTransition, NotAllowed


def _field_errors(error):
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
                for field, messages in error.message_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def invalid_input(errors):
    """The 400 response for field errors (a form's `errors`, or {field: [messages]})."""
    return Response(
        {"detail": _("The input is not valid."), "code": "invalid",
         "errors": {("non_field_errors" if f == "__all__" else f): [str(m) for m in messages]
                    for f, messages in errors.items()}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        flat = []
        for value in detail:
            value = _flatten(value)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return str(detail)


def handle_exception(exc, context):
    if isinstance(exc, DomainError):
        code = ("not_allowed" if isinstance(exc, NotAllowed)
                else "invalid_transition" if isinstance(exc, InvalidTransition) else "refused")
        status_code = {"not_allowed": 403, "invalid_transition": 409}.get(code, 400)
        return Response({"detail": str(exc.message), "code": code}, status=status_code)
    if isinstance(exc, ValidationError):
        errors = _field_errors(exc)
        first = next(iter(errors.values()))[0]
        return Response({"detail": first, "code": "invalid", "errors": errors},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        message = str(exc.args[0]) if exc.args and exc.args[0] else _("Not found.")
        return Response({"detail": message, "code": "not_found"},
                        status=status.HTTP_404_NOT_FOUND)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": _("The input is not valid."), "code": "invalid",
                         "errors": _flatten(errors)}
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
