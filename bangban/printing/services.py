"""Filing a generated form in the case archive."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bangban.cases.services import record_ledger
from bangban.core.errors import NotAllowed
from bangban.documents.models import DocumentKind
from bangban.documents.services import archive_generated
from bangban.printing.files import case_form_file
from bangban.printing.selectors import archiving_role

NOTICE_FORMS = frozenset({"suspension", "termination"})

LEDGER_LABELS = {
    "archive_form": _("Form filed in the archive"),
}


def archive_form(*, case, form, by, request=None):
    """Files the case's form, as its PDF of now, in the case archive (a new version when it
    was filed before) and records it in the ledger. Only the case's specialist and the
    agency's chief specialists do."""
    role = archiving_role(by, case)
    if role is None:
        raise NotAllowed(_("Only the case's specialist or a chief specialist may file forms."))
    # Rendering takes a moment; it reads only, so it stays outside the transaction.
    content, filename, content_type = case_form_file(case, form, "pdf", request=request)
    kind = DocumentKind.NOTICE if form.name in NOTICE_FORMS else DocumentKind.FORM
    with transaction.atomic():
        document = archive_generated(case=case, kind=kind, title=str(form.label),
                                     filename=filename, content=content,
                                     content_type=content_type, by=by)
        record_ledger(case=case, by=by, role=role, action="archive_form",
                      document=document.pk, title=document.title, version=document.version)
    return document
