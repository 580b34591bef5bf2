from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

# Room for the other form fields and the multipart envelope around the files.
ENVELOPE_BYTES = 1024 * 1024
MAX_FILES_PER_REQUEST = 5


class RequestSizeLimitMiddleware:
    """Refuses an oversized upload before Django streams it to disk, with a page the user can read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_BYTES * MAX_FILES_PER_REQUEST + ENVELOPE_BYTES
        if length > limit:
            response = TemplateResponse(
                request, "413.html",
                {"message": _("The upload is too large: each file may be at most %(mb)d MB.")
                 % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}},
                status=413,
            )
            return response.render()
        return self.get_response(request)
