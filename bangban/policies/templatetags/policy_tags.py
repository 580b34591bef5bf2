from django import template

from bangban.accounts.permissions import case_roles
from bangban.policies.selectors import policies_of_case
from bangban.policies.workflow import can_link_policies

register = template.Library()


@register.inclusion_tag("policies/partials/_case_policies.html", takes_context=True)
def case_policies(context, case):
    """The policies of a case's service guide, for the case page:
    `{% load policy_tags %}{% case_policies case %}`."""
    user = context["request"].user
    return {"case": case, "links": policies_of_case(case),
            "can_link": can_link_policies(case.state, case_roles(user, case))}
