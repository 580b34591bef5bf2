from django.urls import path

from bangban.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.problem_list, name="list"),
    path("case/<int:case_pk>/", views.case_problems, name="for_case"),
    path("case/<int:case_pk>/raise/", views.raise_problem, name="raise"),
    path("<int:pk>/", views.problem_detail, name="detail"),
    path("<int:pk>/letter/", views.letter_print, name="letter"),
    path("<int:pk>/actions/<slug:action>/", views.problem_action, name="action"),
]
