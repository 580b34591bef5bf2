import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

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


class SessionTimeoutMiddleware:
    """Ends a session unused for SESSION_IDLE_SECONDS or older than SESSION_COOKIE_AGE (since
    the login), and sends the user to the login page with a message.

    The last activity is written at most once a minute, so that most requests do not save the
    session.
    """

    STARTED_KEY = "bb_session_started"
    SEEN_KEY = "bb_session_seen"
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(self.STARTED_KEY, now)
            seen = session.get(self.SEEN_KEY, now)
            if (now - seen > settings.SESSION_IDLE_SECONDS
                    or now - started > settings.SESSION_COOKIE_AGE):
                return self._expired(request)
            if now - seen >= self.WRITE_EVERY or self.SEEN_KEY not in session:
                session[self.SEEN_KEY] = now
        return self.get_response(request)

    def _expired(self, request):
        logout(request)
        messages.info(request, _("Your session has expired. Please log in again."))
        if request.path.startswith("/api/"):
            return self.get_response(request)
        query = urlencode({"next": request.get_full_path()})
        login_url = f"{resolve_url(settings.LOGIN_URL)}?{query}"
        if request.htmx:
            return HttpResponseClientRedirect(login_url)
        return redirect(login_url)


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header: the site needs no camera, microphone, location,
    payment or USB access, and embedded content gets none either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
