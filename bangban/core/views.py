"""What every page of the project shares: pagination, redirects that work under htmx, and
running one service from a form."""

import enum

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from bangban.core.errors import DomainError
from bangban.core.forms import add_service_error

PAGE_SIZE = 25


def paginate(request, rows, param="page", per_page=PAGE_SIZE, as_rows=None):
    """One page of `rows`; `previous_url`/`next_url` keep the request's other parameters.
    With `as_rows` (a selector's `*_rows`), the page holds what it makes of the page's slice
    of `rows` instead of model instances; an empty page's are known without a query."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    if as_rows is not None:
        page.object_list = as_rows(page.object_list) if page.paginator.count else []

    def url(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_url = url(page.previous_page_number()) if page.has_previous() else ""
    page.next_url = url(page.next_page_number()) if page.has_next() else ""
    return page


def htmx_redirect(request, url):
    """A normal redirect, or for htmx a client-side one so the whole page reloads (without
    the #fragment: a change of fragment alone would not reload the page)."""
    if request.htmx:
        return HttpResponseClientRedirect(url.split("#", 1)[0])
    return redirect(url)


class Submission(enum.Enum):
    DONE = "done"
    REFUSED = "refused"
    TO_CORRECT = "to_correct"


def submit_to_service(request, form, service, **arguments):
    """Calls `service(**arguments, **form.service_kwargs())` when the bound form is valid.

    DONE: the service did it. REFUSED: the service said no (a DomainError, now a message on the
    next page). TO_CORRECT: the form is unbound or has errors to show, the service's
    ValidationError included. Whatever failed changed nothing: the service runs in one
    transaction.
    """
    if not (form.is_bound and form.is_valid()):
        return Submission.TO_CORRECT
    try:
        service(**arguments, **form.service_kwargs())
    except ValidationError as error:
        add_service_error(form, error)
        return Submission.TO_CORRECT
    except DomainError as error:
        messages.error(request, error.message)
        return Submission.REFUSED
    return Submission.DONE
