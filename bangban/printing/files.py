"""The bytes of a case's form in one of its formats, for a view to send or a service to
file in the archive."""

from bangban.printing import office, selectors
from bangban.printing.pdf import render_pdf

CASE_TEMPLATES = {
    "application": "printing/application.html",
    "guide": "printing/guide.html",
    "ledger": "printing/ledger.html",
    "completion": "printing/completion.html",
    "suspension": "printing/case_notice.html",
    "termination": "printing/case_notice.html",
}


def filename_of(*parts, ext):
    return "-".join(str(part) for part in parts if part) + f".{ext}"


def case_form_file(case, form, fmt, *, request=None):
    """(bytes, filename, content type) of the case's form in that format."""
    context = selectors.case_form_context(case, form)
    filename = filename_of(case.number, case.project.name, form.label, ext=fmt)
    if fmt == "docx":
        builder = {"application": office.application_docx, "guide": office.guide_docx}
        return builder[form.name](case, form), filename, office.DOCX_TYPE
    if fmt == "xlsx":
        return office.ledger_xlsx(case, form, context["ledger"]), filename, office.XLSX_TYPE
    content = render_pdf(CASE_TEMPLATES[form.name], context, request=request)
    return content, filename, "application/pdf"
