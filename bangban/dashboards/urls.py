from django.urls import path

from bangban.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:set_name>/<str:figure>/", views.figure_list, name="list"),
]
