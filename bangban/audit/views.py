from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from bangban.audit import selectors
from bangban.audit.forms import AuditFilterForm
from bangban.core.views import paginate

PAGE_SIZE = 50


@login_required
def event_list(request):
    if not selectors.may_read_audit_log(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    events = selectors.filter_events(selectors.events_visible_to(request.user), **form.filters())
    return render(request, "audit/list.html", {
        "form": form, "page": paginate(request, events, per_page=PAGE_SIZE),
    })
