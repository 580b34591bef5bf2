"""Consultation pages for the staff: the list, logging one (with whether the asker asked
before), its page, answering it and turning it into an application.

Views parse a form and call one service; a `DomainError` becomes a message and changes
nothing. A consultation the user may not see is a 404, whatever the action.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangban.companies.models import Company
from bangban.consultations import selectors, services
from bangban.consultations.forms import (
    AnswerForm,
    ConsultationFilterForm,
    ConsultationForm,
    ConvertForm,
)
from bangban.consultations.workflow import (
    CONSULTATION_ACTIONS,
    ConsultationState,
    consultation_actions_for,
)
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service


@login_required
def consultation_list(request):
    if not selectors.is_consultation_reader(request.user):
        raise PermissionDenied
    form = ConsultationFilterForm(request.GET or None)
    rows = selectors.filter_consultations(selectors.consultations_visible_to(request.user),
                                          **form.filters())
    page = paginate(request, rows)
    for consultation in page.object_list:
        consultation.shows_phone = selectors.shows_phone(request.user, consultation)
    return render(request, "consultations/list.html", {
        "form": form, "page": page,
        "can_create": selectors.keeper_agencies(request.user).exists(),
    })


def _previous_context(*, credit_code="", asker_company_name="", asker_phone=""):
    company = None
    code = (credit_code or "").strip().upper()
    if code:
        company = Company.objects.filter(credit_code=code).first()
    count, latest = selectors.previous_inquiries(
        company=company, asker_company_name=asker_company_name, asker_phone=asker_phone)
    return {"previous_count": count, "previous": latest}


@login_required
def create(request):
    agencies = selectors.keeper_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ConsultationForm(data, agencies=agencies)
    if request.method == "POST":
        outcome = submit_to_service(request, form, services.record_consultation,
                                    by=request.user)
        if outcome is Submission.DONE:
            messages.success(request, _("The consultation is logged; you are its first "
                                        "responder."))
            return redirect("consultations:list")
        if outcome is Submission.REFUSED:
            return redirect("consultations:list")
    source = request.POST if request.method == "POST" else request.GET
    return render(request, "consultations/form.html", {
        "form": form,
        **_previous_context(credit_code=source.get("credit_code", ""),
                            asker_company_name=source.get("asker_company_name", ""),
                            asker_phone=source.get("asker_phone", "")),
    })


@login_required
def previous(request):
    """The htmx fragment saying whether the asker asked before (the form's fields as GET)."""
    if not selectors.keeper_agencies(request.user).exists():
        raise PermissionDenied
    return render(request, "consultations/partials/_previous.html", _previous_context(
        credit_code=request.GET.get("credit_code", ""),
        asker_company_name=request.GET.get("asker_company_name", ""),
        asker_phone=request.GET.get("asker_phone", ""),
    ))


@login_required
def detail(request, pk):
    consultation = selectors.get_consultation_for(request.user, pk)
    roles = selectors.consultation_roles(request.user, consultation)
    actions = consultation_actions_for(consultation.state, roles)
    return render(request, "consultations/detail.html", {
        "consultation": consultation,
        "actions": actions,
        "shows_phone": selectors.shows_phone(request.user, consultation, roles),
        "prefill": (selectors.application_prefill(consultation)
                    if consultation.state != ConsultationState.CONVERTED else None),
    })


def _action_page(request, pk, name, form_class, template, form_kwargs):
    consultation = selectors.get_consultation_for(request.user, pk)
    action = CONSULTATION_ACTIONS[name]
    roles = selectors.consultation_roles(request.user, consultation)
    detail_url = reverse("consultations:detail", args=[consultation.pk])
    if not action.allows(consultation.state, roles):
        if not action.roles & roles:
            raise PermissionDenied
        messages.error(request, _("“%(action)s” is not possible while the consultation is "
                                  "“%(state)s”.")
                       % {"action": action.label, "state": consultation.get_state_display()})
        return htmx_redirect(request, detail_url)
    data = request.POST if request.method == "POST" else None
    form = form_class(data, **form_kwargs(consultation))
    outcome = submit_to_service(request, form, getattr(services, SERVICES[name]),
                                consultation=consultation, by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": action.label})
        return htmx_redirect(request, detail_url)
    return render(request, template, {"form": form, "consultation": consultation,
                                      "action": action})


SERVICES = {"answer": "answer_consultation", "convert": "convert_to_application"}


@login_required
def answer(request, pk):
    return _action_page(request, pk, "answer", AnswerForm, "consultations/answer.html",
                        form_kwargs=lambda consultation: {})


@login_required
def convert(request, pk):
    def form_kwargs(consultation):
        prefill = selectors.application_prefill(consultation)
        return {"user": request.user, "consultation": consultation, "initial": {
            "project": prefill["project"], "company_contact": prefill["company_contact"],
            "project_summary": prefill["project_summary"],
            "requested_items_note": prefill["requested_items_note"],
        }}

    return _action_page(request, pk, "convert", ConvertForm, "consultations/convert.html",
                        form_kwargs=form_kwargs)
