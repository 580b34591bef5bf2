from django.urls import path

from bangban.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.workbench, name="workbench"),
]
