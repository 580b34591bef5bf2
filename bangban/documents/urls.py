from django.urls import path

from bangban.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("case/<int:case_pk>/", views.case_archive, name="case_archive"),
    path("case/<int:case_pk>/zip/", views.case_zip, name="case_zip"),
]
