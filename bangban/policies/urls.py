from django.urls import path

from bangban.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("cases/<int:case_pk>/", views.case_policies, name="case_policies"),
    path("cases/<int:case_pk>/link/", views.link_policy, name="link"),
    path("cases/<int:case_pk>/unlink/<int:policy_pk>/", views.unlink_policy, name="unlink"),
]
