from django.urls import path

from bangban.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<str:code>/", views.matter_detail, name="matter"),
    path("contacts/", views.directory, name="directory"),
    path("contacts/mine/", views.edit_card, name="edit_card"),
    path("contacts/<int:pk>/", views.card_detail, name="card"),
    path("contacts/<int:pk>/photo/", views.card_photo, name="card_photo"),
    path("progress/", views.progress, name="progress"),
    path("cases/<int:case_pk>/query-code/", views.query_code, name="query_code"),
]
