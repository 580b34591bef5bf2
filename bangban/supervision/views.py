"""Supervision notice pages: the list, the notice page, its printable form, and one view for
every notice action (a form in the notice page's modal through htmx, or a plain page).

Views parse a form and call one service; a `DomainError` becomes a message and changes
nothing. A notice the user may not see is a 404, whatever the action.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bangban.core.errors import InvalidTransition, NotAllowed
from bangban.core.views import Submission, htmx_redirect, paginate, submit_to_service
from bangban.supervision import selectors, services
from bangban.supervision.forms import NOTICE_ACTION_FORMS, NoticeFilterForm
from bangban.supervision.workflow import NOTICE_ACTIONS, notice_actions_for


@login_required
def notice_list(request):
    form = NoticeFilterForm(request.GET or None)
    notices = selectors.filter_notices(selectors.notices_visible_to(request.user),
                                       **form.filters())
    return render(request, "supervision/list.html", {
        "form": form, "page": paginate(request, notices, as_rows=selectors.notice_rows),
    })


@login_required
def notice_detail(request, pk):
    notice = selectors.get_notice_for(request.user, pk)
    roles = selectors.notice_roles(request.user, notice)
    return render(request, "supervision/detail.html", {
        "notice": notice,
        "actions": notice_actions_for(notice.state, notice.level, roles),
        "history": selectors.notice_history(notice),
    })


@login_required
def notice_print(request, pk):
    notice = selectors.get_notice_for(request.user, pk)
    return render(request, "supervision/print.html", {"notice": notice})


@login_required
def notice_action(request, pk, action):
    notice = selectors.get_notice_for(request.user, pk)
    workflow_action = NOTICE_ACTIONS.get(action)
    if workflow_action is None:
        raise Http404
    detail_url = reverse("supervision:detail", args=[notice.pk])
    roles = selectors.notice_roles(request.user, notice)
    if not workflow_action.allows(notice.state, notice.level, roles):
        refusal = NotAllowed() if not workflow_action.roles & roles else InvalidTransition()
        messages.error(request, refusal.message)
        return htmx_redirect(request, detail_url)
    initial = {}
    if action == "refer":
        initial["referred_to"] = selectors.policy_for(notice.agency).referral_body
    data = request.POST if request.method == "POST" else None
    form = NOTICE_ACTION_FORMS[action](data, notice=notice, initial=initial)
    outcome = submit_to_service(request, form, services.NOTICE_ACTION_SERVICES[action],
                                notice=notice, by=request.user)
    if outcome is Submission.REFUSED:
        return htmx_redirect(request, detail_url)
    if outcome is Submission.DONE:
        messages.success(request, _("Done: %(action)s.") % {"action": workflow_action.label})
        return htmx_redirect(request, detail_url)
    context = {"form": form, "action": workflow_action, "notice": notice,
               "post_url": reverse("supervision:action", args=[notice.pk, action]),
               "in_modal": bool(request.htmx)}
    if request.htmx:
        return render(request, "supervision/partials/_action_form.html", context)
    return render(request, "supervision/action.html", context)
