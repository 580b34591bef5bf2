from django.urls import path

from bangban.printing import views

app_name = "printing"
urlpatterns = [
    path("cases/<int:pk>/<slug:name>.<slug:fmt>", views.case_form, name="case_form"),
    path("cases/<int:pk>/<slug:name>/archive/", views.archive_case_form, name="archive"),
    path("problems/<int:pk>/feedback.<slug:fmt>", views.feedback_form, name="feedback"),
    path("supervision/<int:pk>/notice.pdf", views.supervision_notice, name="supervision_notice"),
    path("cards/<int:pk>/card.pdf", views.contact_card, name="contact_card"),
    path("directory.<slug:fmt>", views.directory, name="directory"),
]
