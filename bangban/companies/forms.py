from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangban.companies.credit_code import normalize_credit_code, validate_credit_code
from bangban.companies.models import Company, VerificationChannel
from bangban.companies.services import duplicate_company_message
from bangban.core.forms import BootstrapMixin
from bangban.projects.forms import AgencyChoiceField, ProjectForm

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9\- ]{5,18}[0-9]$",
    _("Enter a phone number: digits, optionally with an area code and hyphens."),
)


class CreditCodeField(forms.CharField):
    default_validators = [validate_credit_code]

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("unified social credit code"))
        kwargs.setdefault("max_length", 24)  # tolerate spaces around a pasted code
        kwargs.setdefault(
            "help_text", _("18 characters, as printed on the business licence.")
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))


class RegistrationForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("user name"), max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only; you log in with it."),
    )
    password1 = forms.CharField(
        label=_("password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    password2 = forms.CharField(
        label=_("password again"), strip=False, widget=forms.PasswordInput(render_value=False)
    )
    full_name = forms.CharField(label=_("your full name"), max_length=64)
    phone = forms.CharField(label=_("your phone"), max_length=32, validators=[phone_validator])
    email = forms.EmailField(label=_("your e-mail"))
    position = forms.CharField(label=_("your position"), max_length=64, required=False)

    company_name = forms.CharField(label=_("company name"), max_length=128)
    credit_code = CreditCodeField()
    legal_representative = forms.CharField(label=_("legal representative"), max_length=64)
    address = forms.CharField(label=_("address"), max_length=255)
    company_phone = forms.CharField(
        label=_("company phone"), max_length=32, required=False, validators=[phone_validator]
    )

    channel = forms.ChoiceField(
        label=_("send the verification code by"), choices=VerificationChannel.choices,
        initial=VerificationChannel.SMS, widget=forms.RadioSelect,
    )

    person_fields = ("username", "password1", "password2", "full_name", "phone", "email",
                     "position", "channel")
    company_fields = ("company_name", "credit_code", "legal_representative", "address",
                      "company_phone")

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"]
        if Company.objects.filter(credit_code=code).exists():
            raise ValidationError(duplicate_company_message(), code="duplicate")
        return code

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "username": data["username"], "password": data["password1"],
            "full_name": data["full_name"], "phone": data["phone"], "email": data["email"],
            "position": data["position"], "company_name": data["company_name"],
            "credit_code": data["credit_code"],
            "legal_representative": data["legal_representative"], "address": data["address"],
            "company_phone": data["company_phone"], "channel": data["channel"],
        }

    # The service names the password `password`; the form shows its errors on the first box.
    service_error_fields = {"password": "password1"}

    def person_bound_fields(self):
        return [self[name] for name in self.person_fields]

    def company_bound_fields(self):
        return [self[name] for name in self.company_fields]


class VerificationCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("verification code"), max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CompanyForm(BootstrapMixin, forms.ModelForm):
    """Edits a registered company; the credit code is shown but cannot be changed."""

    class Meta:
        model = Company
        fields = ["name", "legal_representative", "address", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_representative"].required = True
        self.fields["phone"].validators.append(phone_validator)


class CompanyImportForm(CompanyForm):
    """One row of an imported workbook: the company form's rules, and the credit code. Whether
    the code is registered already is the import's business (an existing company is
    referenced, not changed)."""

    credit_code = CreditCodeField()


class ProjectImportForm(ProjectForm):
    """One row of an imported workbook: the project form's rules. The company comes from the
    row's credit code and the agency from the import, so neither is a field here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["agency"]


class ImportForm(BootstrapMixin, forms.Form):
    agency = AgencyChoiceField(
        label=_("service agency"), queryset=None, empty_label=None,
        help_text=_("The imported projects are handled by this agency."),
    )
    file = forms.FileField(
        label=_("workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class InvitationForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=64)
    phone = forms.CharField(label=_("phone"), max_length=32, validators=[phone_validator])
    email = forms.EmailField(label=_("e-mail"), required=False)
    position = forms.CharField(label=pgettext_lazy("job", "position"), max_length=64,
                               required=False)
    channel = forms.ChoiceField(
        label=_("send the invitation by"), choices=VerificationChannel.choices,
        initial=VerificationChannel.EMAIL, widget=forms.RadioSelect,
    )
    is_administrator = forms.BooleanField(
        label=_("company administrator"), required=False,
        help_text=_("An administrator may invite colleagues and edit the company's details."),
    )
    is_representative = forms.BooleanField(
        label=_("company representative"), required=False,
        help_text=_("The representative signs the completion sheet and is an administrator "
                    "too."),
    )


class AcceptInvitationForm(BootstrapMixin, forms.Form):
    username = forms.CharField(
        label=_("user name"), max_length=150,
        help_text=_("Letters, digits and @/./+/-/_ only; you log in with it."),
    )
    password1 = forms.CharField(label=_("password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label=_("password again"), strip=False, widget=forms.PasswordInput
    )

    service_error_fields = {"password": "password1"}

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned
