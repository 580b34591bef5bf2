"""Query expressions the ORM lacks."""

from django.db.models import BooleanField, F, Func, Subquery


class InSubquery(Func):
    """`field IN (subquery)` that PostgreSQL can OR with other indexed conditions.

    PostgreSQL plans `x IN (SELECT …)` inside an OR as a filter run against every row of the
    table, so `company's projects OR own as specialist` scans all cases. Written as
    `x = ANY(ARRAY(SELECT …))` the subquery runs once beforehand and each arm of the OR stays
    an index scan (a BitmapOr). Other databases get the plain `IN`.
    """

    output_field = BooleanField()

    def __init__(self, field, queryset):
        super().__init__(F(field), Subquery(queryset))

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="%(expressions)s",
                              arg_joiner=" IN ", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="%(expressions)s)",
                              arg_joiner=" = ANY(ARRAY", **extra_context)
