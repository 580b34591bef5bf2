from django.urls import path

from bangban.accounts import views
from bangban.accounts.sso import views as sso_views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sso/start/", sso_views.SSOStartView.as_view(), name="sso_start"),
    path("sso/callback/", sso_views.SSOCallbackView.as_view(), name="sso_callback"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
]
