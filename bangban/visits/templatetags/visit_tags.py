from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """`{{ counts|get:kind }}`: a dict's value by a variable key."""
    return mapping.get(key, 0)
