"""Pages anyone may open without logging in (SPEC §11): the service introduction, the catalog,
the contact cards and their directory, and the progress query; plus the two pages behind them
for staff: one's own contact card and a case's query code."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from bangban.accounts.permissions import case_roles, memberships_of
from bangban.cases.selectors import get_case_for
from bangban.core.errors import DomainError
from bangban.core.views import Submission, submit_to_service
from bangban.public import selectors, services
from bangban.public.forms import CatalogSearchForm, ContactCardForm, ProgressQueryForm
from bangban.public.models import ContactCard
from bangban.public.workflow import (
    CARD_ROLES,
    QUERY_CODE_ISSUERS,
    can_issue_query_code,
    can_read_query_code,
)

# Attempts per client address: enough for typing mistakes, far too few to guess a code.
PROGRESS_QUERY_RATE = "10/10m"


def home(request):
    return render(request, "public/home.html", {"agencies": selectors.agencies_for_contact()})


def catalog(request):
    form = CatalogSearchForm(request.GET or None)
    return render(request, "public/catalog.html", {
        "form": form, "matters": selectors.catalog_matters(**form.filters()),
    })


def matter_detail(request, code):
    return render(request, "public/matter.html", {"matter": selectors.get_public_matter(code)})


def directory(request):
    return render(request, "public/directory.html", {"agencies": selectors.directory()})


def card_qr_svg(url):
    return segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)


def card_detail(request, pk):
    card = selectors.get_card_for(request.user, pk)
    url = request.build_absolute_uri(reverse("public:card", args=[card.pk]))
    return render(request, "public/card.html", {
        "card": card, "card_url": url, "qr_svg": card_qr_svg(url),
        "can_edit": card.user_id == request.user.pk,
    })


def card_photo(request, pk):
    card = selectors.get_card_for(request.user, pk)
    if not card.photo:
        raise Http404
    try:
        handle = card.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle)


@login_required
def edit_card(request):
    user = request.user
    if not any(m.role in CARD_ROLES for m in memberships_of(user)):
        raise PermissionDenied
    card = ContactCard.objects.filter(user=user).first()
    if request.method == "POST":
        form = ContactCardForm(request.POST, request.FILES)
    else:
        form = ContactCardForm(initial=_card_initial(user, card))
    outcome = submit_to_service(request, form, services.save_contact_card, user=user, by=user)
    if outcome is Submission.DONE:
        messages.success(request, _("Your contact card was saved."))
        return redirect("public:card", pk=ContactCard.objects.get(user=user).pk)
    return render(request, "public/edit_card.html", {"form": form, "card": card})


def _card_initial(user, card):
    if card is not None:
        return {"name": card.name, "staff_number": card.staff_number, "title": card.title,
                "phone": card.phone, "email": card.email, "services": card.services,
                "is_published": card.is_published}
    membership = next((m for m in memberships_of(user) if m.staff_number or m.title),
                      None)
    return {"name": user.display_name, "phone": user.phone, "email": user.email,
            "staff_number": membership.staff_number if membership else "",
            "title": membership.title if membership else ""}


@never_cache
def progress(request):
    """The progress query. A wrong query code and an unknown project get the same answer, and
    each address may try only PROGRESS_QUERY_RATE times."""
    if request.method != "POST":
        return render(request, "public/progress.html", {"form": ProgressQueryForm()})
    form = ProgressQueryForm(request.POST)
    if is_ratelimited(request, group="public.progress", key="ip", rate=PROGRESS_QUERY_RATE,
                      method="POST", increment=True):
        return render(request, "public/progress.html", {"form": form, "limited": True},
                      status=429)
    result = None
    if form.is_valid():
        result = selectors.project_progress(form.cleaned_data["project_code"],
                                            form.cleaned_data["query_code"])
        if result is None:
            form.add_error(None, _("No project matches this project code and query code. "
                                   "Check both and try again."))
    return render(request, "public/progress.html", {"form": form, "result": result})


@login_required
def query_code(request, case_pk):
    case = get_case_for(request.user, case_pk)
    roles = case_roles(request.user, case)
    if not can_read_query_code(roles):
        raise PermissionDenied
    if request.method == "POST":
        if not any(role in roles for role in QUERY_CODE_ISSUERS):
            raise PermissionDenied
        try:
            services.issue_query_code(case=case, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("A new query code was issued; the old one no longer "
                                        "works."))
        return redirect("public:query_code", case_pk=case.pk)
    return render(request, "public/query_code.html", {
        "case": case, "record": selectors.query_code_for(request.user, case),
        "can_issue": can_issue_query_code(case.state, roles),
    })
