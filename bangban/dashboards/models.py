"""Per-case tallies of the items, kept by database triggers (tallies.py), from which the
dashboard counts its item figures when the user's view and the filters are conditions on cases
alone. Neither table is written by Django: the triggers on cases_caseitem (and on
catalog_matter for the legal limits) keep them exact within each writing transaction, whatever
the path — services, the warning scan's set-based UPDATE, bulk creates, deletes.

The case key is a plain column for the ORM's joins, with no constraint: when a case goes, its
items' delete triggers bring its tallies to zero, and reads ignore zeros."""

from django.db import models


def _case_key(field=models.ForeignKey, **options):
    return field("cases.Case", on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", **options)


class CaseItemTally(models.Model):
    """How many items one case has in each state and under each warning light."""

    case = _case_key(models.OneToOneField, primary_key=True)
    items = models.IntegerField(default=0)
    state_planned = models.IntegerField(default=0)
    state_preparing = models.IntegerField(default=0)
    state_reviewed = models.IntegerField(default=0)
    state_pushed = models.IntegerField(default=0)
    state_accepted = models.IntegerField(default=0)
    state_supplement_requested = models.IntegerField(default=0)
    state_approved = models.IntegerField(default=0)
    state_refused = models.IntegerField(default=0)
    state_withdrawn = models.IntegerField(default=0)
    warning_green = models.IntegerField(default=0)
    warning_yellow = models.IntegerField(default=0)
    warning_red = models.IntegerField(default=0)


class DecisionTally(models.Model):
    """The items of one case approved or refused in one month (of the agency's time zone):
    how many, how many after their due date, with counted days, with a legal limit in the
    promised limit's unit (the matter's limit as the catalog says now), and the sums the
    dashboard's averages divide."""

    case = _case_key()
    month = models.DateField()
    decided = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    used = models.BigIntegerField(default=0)
    promised = models.BigIntegerField(default=0)
    legal = models.IntegerField(default=0)
    used_legal = models.BigIntegerField(default=0)
    legal_limit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "month"],
                                               name="dashboards_decision_tally_case_month")]
        indexes = [models.Index(fields=["month"], name="dashboards_decision_month")]
