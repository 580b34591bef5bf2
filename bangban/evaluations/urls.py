from django.urls import path

from bangban.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.pending, name="pending"),
    path("ratings/", views.evaluation_list, name="list"),
    path("ratings/<int:pk>/", views.evaluation_detail, name="detail"),
    path("cases/<int:pk>/", views.case_ratings, name="case"),
    path("cases/<int:pk>/rate/", views.rate_case, name="rate_case"),
    path("items/<int:pk>/rate/", views.rate_item, name="rate_item"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/<slug:action>/", views.rectification_action,
         name="rectification_action"),
    path("summary/", views.summary, name="summary"),
]
