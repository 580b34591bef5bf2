"""The printable forms as files: PDF shown inline, DOCX / XLSX downloaded. A form the user may
not print is a 404, like the object it belongs to."""

import base64
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangban.audit.masking import hide_personal_data_from
from bangban.audit.services import record_export
from bangban.core.errors import DomainError
from bangban.printing import office, selectors, services
from bangban.printing.files import case_form_file, filename_of
from bangban.printing.pdf import file_response, pdf_response, render_pdf
from bangban.problems.selectors import get_problem_for
from bangban.public import selectors as public_selectors
from bangban.public.views import card_qr_svg
from bangban.supervision.selectors import get_notice_for


@login_required
def case_form(request, pk, name, fmt):
    case, form = selectors.get_case_form_for(request.user, pk, name, fmt)
    hide_personal_data_from(request.user, case)
    content, filename, content_type = case_form_file(case, form, fmt, request=request)
    record_export(request=request, what=filename, details={"case": case.number})
    return file_response(content, filename, content_type, inline=fmt == "pdf")


@login_required
@require_POST
def archive_case_form(request, pk, name):
    case, form = selectors.get_case_form_for(request.user, pk, name, "pdf")
    try:
        services.archive_form(case=case, form=form, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(form)s” is filed in the case archive.")
                         % {"form": form.label})
    return redirect(reverse("cases:detail", args=[case.pk]) + "#case-forms")


@login_required
def feedback_form(request, pk, fmt):
    problem = get_problem_for(request.user, pk)
    hide_personal_data_from(request.user, problem.case)
    filename = filename_of(problem.number, _("Feedback form"), ext=fmt)
    if fmt == "docx":
        record_export(request=request, what=filename, details={"problem": problem.number})
        return file_response(office.feedback_docx(problem), filename, office.DOCX_TYPE)
    if fmt != "pdf":
        raise Http404
    content = render_pdf("printing/feedback.html", {"problem": problem, "case": problem.case},
                         request=request)
    record_export(request=request, what=filename, details={"problem": problem.number})
    return pdf_response(content, filename)


@login_required
def supervision_notice(request, pk):
    notice = get_notice_for(request.user, pk)
    content = render_pdf("printing/supervision_notice.html", {"notice": notice},
                         request=request)
    filename = filename_of(notice.number, _("Supervision notice"), ext="pdf")
    record_export(request=request, what=filename, details={"notice": notice.number})
    return pdf_response(content, filename)


def _photo_uri(card):
    """The card's photo as a data: URI, so the PDF needs no request to the media storage."""
    if not card.photo:
        return ""
    try:
        with card.photo.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return ""
    mime_type = mimetypes.guess_type(card.photo.name)[0] or "image/jpeg"
    return f"data:{mime_type};base64,{base64.b64encode(data).decode()}"


def contact_card(request, pk):
    """Open to whoever may see the card: everyone once it is published."""
    card = public_selectors.get_card_for(request.user, pk)
    url = request.build_absolute_uri(reverse("public:card", args=[card.pk]))
    content = render_pdf("printing/contact_card.html", {
        "card": card, "card_url": url, "qr_svg": card_qr_svg(url),
        "photo_uri": _photo_uri(card),
        "agencies": _card_agencies(card),
    }, request=request)
    filename = filename_of(card.name, _("Contact card"), ext="pdf")
    record_export(request=request, what=filename, details={"card": card.pk})
    return pdf_response(content, filename)


def _card_agencies(card):
    seen, agencies = set(), []
    for membership in card.user.memberships.select_related("agency").order_by("agency__path"):
        if membership.agency_id not in seen:
            seen.add(membership.agency_id)
            agencies.append(membership)
    return agencies


@login_required
def directory(request, fmt):
    if not selectors.may_print_directory(request.user):
        raise Http404
    rows = selectors.directory_rows()
    filename = filename_of(_("Directory of chief responsible persons and specialists"), ext=fmt)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    record_export(request=request, what=filename)
    if fmt == "xlsx":
        return file_response(office.directory_xlsx(rows), filename, office.XLSX_TYPE)
    return pdf_response(render_pdf("printing/directory.html", {"rows": rows}, request=request),
                        filename)
