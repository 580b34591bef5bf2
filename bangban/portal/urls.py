from django.urls import path

from bangban.portal import case_views, views

app_name = "portal"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("portal/cases/<int:pk>/timeline/", case_views.case_timeline, name="case_timeline"),
]
