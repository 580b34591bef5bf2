from django.urls import path

from bangban.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/actions/<slug:action>/", views.case_action, name="action"),
    path("items/<int:pk>/actions/<slug:action>/", views.item_action, name="item_action"),
    path("items/<int:pk>/plan/", views.plan_item, name="plan_item"),
    path("items/<int:pk>/remove/", views.remove_plan_item, name="remove_plan_item"),
]
