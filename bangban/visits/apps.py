from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "bangban.visits"
    label = "visits"
    verbose_name = _("Visits")
    ledger_labels = "bangban.visits.models.LEDGER_LABELS"
