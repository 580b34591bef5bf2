from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from bangban.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("bangban.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("bangban.accounts.urls")),
    path("companies/", include("bangban.companies.urls")),
    path("projects/", include("bangban.projects.urls")),
    path("applications/", include("bangban.cases.application_urls")),
    path("cases/", include("bangban.cases.urls")),
    path("documents/", include("bangban.documents.urls")),
    path("notifications/", include("bangban.notifications.urls")),
    path("supervision/", include("bangban.supervision.urls")),
    path("problems/", include("bangban.problems.urls")),
    path("meetings/", include("bangban.meetings.urls")),
    path("consultations/", include("bangban.consultations.urls")),
    path("visits/", include("bangban.visits.urls")),
    path("evaluations/", include("bangban.evaluations.urls")),
    path("policies/", include("bangban.policies.urls")),
    path("reporting/", include("bangban.reporting.urls")),
    path("dashboards/", include("bangban.dashboards.urls")),
    path("printing/", include("bangban.printing.urls")),
    path("audit/", include("bangban.audit.urls")),
    path("service/", include("bangban.public.urls")),
    path("", include("bangban.portal.urls")),
]

handler500 = health.server_error

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
