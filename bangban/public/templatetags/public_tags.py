from django import template

from bangban.accounts.permissions import case_roles
from bangban.public.models import ProgressQueryCode
from bangban.public.workflow import can_issue_query_code, can_read_query_code

register = template.Library()


@register.inclusion_tag("public/partials/_query_code.html", takes_context=True)
def case_query_code(context, case):
    """The project's progress query code for the company and the case's specialist / chief,
    for the case page: `{% load public_tags %}{% case_query_code case %}`. Nothing for others."""
    roles = case_roles(context["request"].user, case)
    if not can_read_query_code(roles):
        return {"visible": False}
    return {"visible": True, "case": case,
            "record": ProgressQueryCode.objects.filter(project_id=case.project_id).first(),
            "can_issue": can_issue_query_code(case.state, roles)}
