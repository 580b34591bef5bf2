from django.urls import path

from bangban.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("convene/", views.meeting_convene, name="convene"),
    path("my-actions/", views.my_actions, name="my_actions"),
    path("my-actions/<int:pk>/done/", views.complete_action, name="complete_action"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/invitation.ics", views.meeting_calendar, name="ics"),
    path("<int:pk>/actions/<slug:action>/", views.meeting_action, name="action"),
]
