"""For tables read as rows of values (a list page's hot path) rather than model instances:
links and dates worked out in Python the way the templates would show them."""

from django.urls import reverse

# A pk no row has, standing for the row's pk in a URL reversed once per table.
_ANY_PK = 9876543210


def pk_url(name):
    """pk → the URL of the view `name` (whose one argument is a pk), reversing only once: a
    reverse() for every row of a table costs more than the rest of the row."""
    head, _, tail = reverse(name, args=[_ANY_PK]).rpartition(str(_ANY_PK))
    return lambda pk: f"{head}{pk}{tail}"


def table_day(value, none="—"):
    """A date as the tables show it (the `date:"Y-m-d"` filter), `none` for none."""
    return value.isoformat() if value else none


def choice_labels(choices):
    """{value: label} of a `models.TextChoices`, in the active language, for a table's rows."""
    return {value: str(label) for value, label in choices.choices}
