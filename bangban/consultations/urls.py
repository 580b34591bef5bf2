from django.urls import path

from bangban.consultations import views

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.create, name="create"),
    path("previous/", views.previous, name="previous"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/convert/", views.convert, name="convert"),
]
