"""Health checks for load balancers and the error page when the database cannot be reached.

`/healthz` answers without touching the database (the process is up and serving);
`/readyz` also asks the database, so a balancer stops sending traffic while it is down.
`server_error` is the project's handler500: a request that failed because the database went
away (a restart, a failover) gets a 503 page saying so instead of the generic 500 page, and
Django closes the broken connection at the end of the request, so the next one reconnects.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error


def _plain(text, status=200):
    return HttpResponse(text, content_type="text/plain; charset=utf-8", status=status)


@never_cache
@require_safe
def healthz(request):
    return _plain("ok")


@never_cache
@require_safe
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return _plain("database unavailable", status=503)
    return _plain("ok")


def server_error(request, template_name="500.html"):
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # Like 500.html it renders without a request or context processors: no database.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return django_server_error(request, template_name)
