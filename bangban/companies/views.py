from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.companies import selectors, services
from bangban.companies.forms import (
    AcceptInvitationForm,
    CompanyForm,
    InvitationForm,
    RegistrationForm,
)
from bangban.companies.models import CompanyContact
from bangban.core.errors import DomainError
from bangban.core.forms import add_service_error


def _site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def register(request):
    if request.user.is_authenticated:
        messages.info(request, _("You are logged in already."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.register_company(**form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, form.service_error_fields)
        else:
            login(request, contact.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("%(company)s is registered and you are its representative. You can now "
                  "add projects and apply for the service.") % {"company": contact.company},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "companies/register.html", {"form": form})


@login_required
def detail(request, pk=None):
    if pk is None:
        companies = list(selectors.companies_of_user(request.user))
        if len(companies) == 1:
            return redirect("companies:detail", pk=companies[0].pk)
        return render(request, "companies/mine.html", {"companies": companies})
    company = selectors.get_company_for(request.user, pk)
    return render(request, "companies/detail.html", {
        "company": company,
        "contacts": selectors.contacts_for_display(request.user, company),
        "can_manage": services.can_manage_company(request.user, company),
    })


@login_required
def edit(request, pk):
    company = selectors.get_company_for(request.user, pk)
    if not services.can_manage_company(request.user, company):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = CompanyForm(data, instance=company)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_company(
                company=company, by=request.user,
                **{name: form.cleaned_data[name] for name in CompanyForm.Meta.fields},
            )
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The company's details are saved."))
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/edit.html", {"company": company, "form": form})


@login_required
def invite(request, pk):
    company = selectors.get_company_for(request.user, pk)
    if not services.can_manage_company(request.user, company):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = InvitationForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.invite_contact(
                company=company, by=request.user, site_url=_site_url(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is added; an invitation was sent to %(email)s.")
                % {"name": contact.name, "email": contact.email},
            )
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/invite.html", {"company": company, "form": form})


@login_required
@require_POST
def resend_invitation(request, pk):
    contact = get_object_or_404(CompanyContact, pk=pk)
    company = selectors.get_company_for(request.user, contact.company_id)
    try:
        services.resend_invitation(contact=contact, by=request.user,
                                   site_url=_site_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new invitation was sent to %(email)s.")
                         % {"email": contact.email})
    return redirect("companies:detail", pk=company.pk)


def _invalid_invitation(request, error):
    return render(request, "companies/invitation_invalid.html",
                  {"message": error.message, "reason": error.reason}, status=400)


def accept_invitation(request, token):
    try:
        contact = services.read_invitation(token)
    except services.InvalidInvitation as error:
        return _invalid_invitation(request, error)
    data = request.POST if request.method == "POST" else None
    form = AcceptInvitationForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.accept_invitation(
                token=token, username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            add_service_error(form, error, form.service_error_fields)
        except services.InvalidInvitation as error:
            return _invalid_invitation(request, error)
        else:
            login(request, contact.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome. You now act for %(company)s.")
                             % {"company": contact.company})
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "companies/accept_invitation.html",
                  {"contact": contact, "form": form})
