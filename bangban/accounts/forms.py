from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from bangban.core.forms import BootstrapMixin


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form with Bootstrap classes and browser autocomplete hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    pass


class TokenForm(BootstrapMixin, forms.Form):
    token = forms.RegexField(
        label=_("one-time code"), regex=r"^\d{6}$", max_length=6,
        error_messages={"invalid": _("Enter the 6 digits the app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )
