"""Tags of the printable forms: signature-and-seal boxes, and the case page's list of forms."""

from django import template

from bangban.printing import selectors

register = template.Library()


@register.inclusion_tag("printing/partials/_signature_boxes.html")
def signature_boxes(*labels):
    """`{% signature_boxes _("Applicant (signature and seal)") _("Service agency (seal)") %}`"""
    return {"boxes": labels}


@register.inclusion_tag("printing/partials/_case_forms.html", takes_context=True)
def case_forms(context, case):
    """The case's printable forms the user may print now, with a link per format."""
    user = context["request"].user
    return {"case": case, "forms": selectors.forms_of_case(user, case),
            "may_archive": selectors.archiving_role(user, case) is not None,
            "csrf_token": context.get("csrf_token")}


@register.simple_tag(takes_context=True)
def may_print_directory(context):
    """`{% may_print_directory as printable %}`: whether the user may print the directory."""
    return selectors.may_print_directory(context["request"].user)
