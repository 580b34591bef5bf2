from django.urls import path

from bangban.companies import views

app_name = "companies"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/<str:token>/", views.verify_registration, name="verify_registration"),
    path("register/<str:token>/resend/", views.resend_registration_code,
         name="resend_registration_code"),
    # `companies:detail` without arguments is "my company".
    path("mine/", views.detail, name="detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("contacts/<int:pk>/resend-invitation/", views.resend_invitation,
         name="resend_invitation"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("import/", views.import_workbook, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
]
