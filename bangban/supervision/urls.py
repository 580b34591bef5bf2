from django.urls import path

from bangban.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/print/", views.notice_print, name="print"),
    path("<int:pk>/actions/<slug:action>/", views.notice_action, name="action"),
]
