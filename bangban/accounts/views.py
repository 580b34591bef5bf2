from django.contrib.auth import views as auth_views

from bangban.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the navigation bar submits a small form with the CSRF token."""
