"""Which documents of the case archive a user may see and download."""

from django.db.models import Q

from bangban.accounts.permissions import (
    ITEM_STATES_VISIBLE_TO_DEPARTMENT,
    case_roles,
    department_ids_for,
)
from bangban.documents.models import Document, DocumentKind


def documents_visible_to(user, case):
    """`case` must come from cases_visible_to(user). Everyone with a role on the case sees its
    whole archive; a department only the application materials and the documents of the items
    pushed to it."""
    documents = Document.objects.filter(case=case)
    if case_roles(user, case):
        return documents
    return documents.filter(
        Q(item__department_id__in=department_ids_for(user),
          item__state__in=ITEM_STATES_VISIBLE_TO_DEPARTMENT)
        | Q(item__isnull=True, kind=DocumentKind.APPLICATION)
    )


def archive_of(user, case, kind=None):
    """The archive page's and the ZIP's rows: by kind, then title, newest version first."""
    documents = documents_visible_to(user, case).select_related("item__matter", "uploaded_by")
    if kind:
        documents = documents.filter(kind=kind)
    order = list(DocumentKind.values)
    return sorted(documents.order_by("title", "item_id", "-version", "-pk"),
                  key=lambda d: order.index(d.kind) if d.kind in order else len(order))
