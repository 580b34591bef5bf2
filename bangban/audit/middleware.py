from django.core.exceptions import PermissionDenied

from bangban.audit.models import AuditKind
from bangban.audit.services import record


class PermissionDeniedAuditMiddleware:
    """Records every 403: a view's PermissionDenied (turned into the 403 page further out),
    a CSRF refusal, an API's 403 — whatever produced it. Place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            record(AuditKind.PERMISSION_DENIED, request=request,
                   details={"method": request.method,
                            "reason": getattr(request, "_bangban_denied_because", "")})
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            # Only noted here: the response, 403, is recorded once on the way out.
            request._bangban_denied_because = str(exception)[:200]
        return None
