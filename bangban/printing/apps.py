from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "bangban.printing"
    label = "printing"
    verbose_name = _("Printable forms")
    ledger_labels = "bangban.printing.services.LEDGER_LABELS"
