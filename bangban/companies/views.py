import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from bangban.accounts.views import rate_limited
from bangban.companies import imports, selectors, services
from bangban.companies.forms import (
    AcceptInvitationForm,
    CompanyForm,
    ImportForm,
    InvitationForm,
    RegistrationForm,
    VerificationCodeForm,
)
from bangban.companies.models import CompanyContact, RegistrationRequest, VerificationChannel
from bangban.core.errors import DomainError
from bangban.core.forms import add_service_error

# Registrations started and codes re-sent per client address: a family or an office shares an
# address, a script filling the outbox with SMS does not get far.
REGISTRATION_RATE = "10/h"


def _registration_limited(request):
    return is_ratelimited(request, group="companies.registration", key="ip",
                          rate=REGISTRATION_RATE, method="POST", increment=True)


def _site_url(request):
    return request.build_absolute_uri("/").rstrip("/")


def register(request):
    """Step 1 of 2: the registration is checked and a one-time code is sent."""
    if request.user.is_authenticated:
        messages.info(request, _("You are logged in already."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(data)
    if request.method == "POST" and _registration_limited(request):
        return rate_limited(request)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.start_registration(**form.service_arguments())
        except ValidationError as error:
            add_service_error(form, error, form.service_error_fields)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("companies:verify_registration", token=registration.token)
    return render(request, "companies/register.html", {"form": form})


def _masked_address(registration):
    if registration.channel == VerificationChannel.SMS:
        return selectors.mask_phone(registration.address)
    name, _at, domain = registration.address.partition("@")
    return f"{name[:2]}***@{domain}"


def _registration_closed(request, error):
    return render(request, "companies/registration_closed.html",
                  {"message": error.message, "reason": error.reason}, status=400)


def verify_registration(request, token):
    """Step 2 of 2: the code creates the company and its representative, who is logged in."""
    registration = RegistrationRequest.objects.filter(token=token).first()
    if registration is None:
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = VerificationCodeForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.verify_registration(token=token, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_error(form, error)
        except services.RegistrationClosed as error:
            return _registration_closed(request, error)
        else:
            login(request, contact.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("%(company)s is registered and you are its representative. You can now "
                  "add projects and apply for the service.") % {"company": contact.company},
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    elif registration.completed_at is not None:
        return _registration_closed(request, services.RegistrationClosed(
            _("This registration is complete already. Please log in."), reason="completed"))
    return render(request, "companies/verify_registration.html", {
        "form": form, "registration": registration,
        "sent_to": _masked_address(registration),
        "company_name": registration.details.get("company_name", ""),
    })


@require_POST
def resend_registration_code(request, token):
    if not RegistrationRequest.objects.filter(token=token).exists():
        raise Http404
    if _registration_limited(request):
        return rate_limited(request)
    try:
        services.resend_registration_code(token=token)
    except services.RegistrationClosed as error:
        return _registration_closed(request, error)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new code is on its way."))
    return redirect("companies:verify_registration", token=token)


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
                request, _("%(name)s is added and an invitation is on its way.")
                % {"name": contact.name},
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
        messages.success(request, _("A new invitation is on its way to %(name)s.")
                         % {"name": contact.name})
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


def _import_agencies(request):
    agencies = imports.agencies_for_import(request.user)
    if not agencies.exists():
        raise PermissionDenied
    return agencies


@login_required
def import_workbook(request):
    """Companies and projects from an .xlsx: all of them, or none and the list of problems."""
    agencies = _import_agencies(request)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ImportForm(data, files, agencies=agencies)
    context = {"form": form, "max_rows": imports.MAX_ROWS,
               "sheets": [(name, columns) for name, columns in imports.SHEETS]}
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_workbook(
                by=request.user, agency=form.cleaned_data["agency"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        except imports.ImportRejected as error:
            report = base64.b64encode(imports.problems_workbook(error.problems)).decode()
            context.update({
                "rejection": error.message,
                "problems": error.problems[:imports.PROBLEMS_SHOWN],
                "problems_hidden": max(len(error.problems) - imports.PROBLEMS_SHOWN, 0),
                "report_url": f"data:{imports.XLSX_TYPE};base64,{report}",
            })
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "companies/import_done.html", {"result": result})
    return render(request, "companies/import.html", context)


@login_required
def import_template(request):
    _import_agencies(request)
    response = HttpResponse(imports.template_workbook(), content_type=imports.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="bangban-import.xlsx"'
    return response
