"""Downloading a document of the case archive, for those who may see it."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from bangban.accounts.models import Role
from bangban.accounts.permissions import case_roles, item_roles
from bangban.cases.selectors import cases_visible_to
from bangban.documents.models import Document, DocumentKind


def _may_download(user, document):
    """Everyone with a role on the case; a department only the application materials and the
    documents of items pushed to it."""
    case = cases_visible_to(user).filter(pk=document.case_id).first()
    if case is None:
        return False
    if case_roles(user, case):
        return True
    if document.item is None:
        return document.kind == DocumentKind.APPLICATION
    document.item.case = case
    return Role.DEPARTMENT_REPRESENTATIVE in item_roles(user, document.item)


@login_required
def download(request, pk):
    document = get_object_or_404(Document.objects.select_related("item"), pk=pk)
    if not _may_download(request.user, document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)
