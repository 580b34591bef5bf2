from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "bangban.supervision"
    label = "supervision"
    verbose_name = _("Supervision")
    ledger_labels = "bangban.supervision.workflow.LEDGER_LABELS"
