"""The case archive: its page, one document's download and the whole archive as a ZIP, each
for those who may see it (bangban/documents/selectors.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles
from bangban.audit.services import record_export
from bangban.cases.selectors import cases_visible_to
from bangban.core.views import Submission, submit_to_service
from bangban.documents import archive_zip, services
from bangban.documents.forms import ArchiveUploadForm
from bangban.documents.models import Document, DocumentKind
from bangban.documents.selectors import archive_of, documents_visible_to


@login_required
def download(request, pk):
    document = get_object_or_404(Document, pk=pk)
    case = cases_visible_to(request.user).filter(pk=document.case_id).first()
    if case is None or not documents_visible_to(request.user, case).filter(pk=pk).exists():
        raise Http404
    try:
        handle = document.file.open("rb")
    except OSError:
        raise Http404 from None
    record_export(request=request, what=document.original_name,
                  details={"case": case.number, "document": document.pk})
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@login_required
def case_archive(request, case_pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=case_pk)
    form = None
    if Role.SPECIALIST in case_roles(request.user, case):
        form = ArchiveUploadForm(request.POST or None, request.FILES or None, case=case)
        outcome = submit_to_service(request, form, services.upload_to_archive, case=case,
                                    by=request.user)
        if outcome is Submission.DONE:
            messages.success(request, _("The document was added to the archive."))
            return redirect("documents:case_archive", case.pk)
        if outcome is Submission.REFUSED:
            return redirect("documents:case_archive", case.pk)
    elif request.method == "POST":
        raise PermissionDenied
    documents = archive_of(request.user, case)
    counts = {}
    for document in documents:
        counts[document.kind] = counts.get(document.kind, 0) + 1
    kind = request.GET.get("kind", "")
    if kind not in counts:
        kind = ""
    groups = []
    for document in documents:
        if kind and document.kind != kind:
            continue
        if not groups or groups[-1]["kind"] != document.kind:
            groups.append({"kind": document.kind, "label": document.get_kind_display(),
                           "documents": []})
        groups[-1]["documents"].append(document)
    return render(request, "documents/case_archive.html", {
        "case": case, "groups": groups, "kind": kind, "form": form,
        "kinds": [(k, DocumentKind(k).label, counts[k]) for k in DocumentKind.values
                  if k in counts],
        "total": len(documents),
    })


@login_required
def case_zip(request, case_pk):
    case = get_object_or_404(cases_visible_to(request.user), pk=case_pk)
    entries = archive_zip.plan(archive_of(request.user, case))
    header, rows = archive_zip.index_rows(entries)
    response = StreamingHttpResponse(archive_zip.stream(entries, header, rows),
                                     content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{case.number}.zip")
    record_export(request=request, what=f"{case.number}.zip",
                  details={"case": case.number, "documents": len(entries)})
    return response
