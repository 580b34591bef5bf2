from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView

from bangban.api import views

app_name = "api"

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema",
                                                      template_name="api/swagger_ui.html"),
         name="docs"),
    path("companies/", views.CompanyList.as_view(), name="company_list"),
    path("companies/<int:pk>/", views.CompanyDetail.as_view(), name="company_detail"),
    path("projects/", views.ProjectList.as_view(), name="project_list"),
    path("projects/<int:pk>/", views.ProjectDetail.as_view(), name="project_detail"),
    path("cases/", views.CaseList.as_view(), name="case_list"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case_detail"),
    path("cases/<int:pk>/items/", views.CaseItems.as_view(), name="case_items"),
    path("cases/<int:pk>/documents/", views.CaseDocuments.as_view(), name="case_documents"),
    path("cases/<int:pk>/actions/<str:action>/", views.CaseAction.as_view(),
         name="case_action"),
    path("items/", views.ItemList.as_view(), name="item_list"),
    path("items/<int:pk>/", views.ItemDetail.as_view(), name="item_detail"),
    path("items/<int:pk>/actions/<str:action>/", views.ItemAction.as_view(),
         name="item_action"),
    path("problems/", views.ProblemList.as_view(), name="problem_list"),
    path("problems/<int:pk>/", views.ProblemDetail.as_view(), name="problem_detail"),
    path("evaluations/", views.EvaluationList.as_view(), name="evaluation_list"),
    path("evaluations/<int:pk>/", views.EvaluationDetail.as_view(), name="evaluation_detail"),
    path("documents/<int:pk>/", views.DocumentDetail.as_view(), name="document_detail"),
    path("documents/<int:pk>/download/", views.DocumentDownload.as_view(),
         name="document_download"),
    path("notifications/", views.NotificationList.as_view(), name="notification_list"),
    path("notifications/<int:pk>/read/", views.NotificationRead.as_view(),
         name="notification_read"),
    path("notifications/read-all/", views.NotificationReadAll.as_view(),
         name="notification_read_all"),
    path("inbound/item-events/", views.InboundItemEvent.as_view(), name="inbound_item_event"),
]
