from django.urls import path

from bangban.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/key-team/", views.key_team, name="key_team"),
    path("key-ledger/", views.key_ledger, name="key_ledger"),
]
