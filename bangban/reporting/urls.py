from django.urls import path

from bangban.reporting import views

app_name = "reporting"
urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("export/", views.export, name="export"),
    path("exports/", views.job_list, name="jobs"),
    path("exports/<int:pk>/", views.job_detail, name="job"),
    path("exports/<int:pk>/download/", views.download, name="download"),
]
