from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "bangban.consultations"
    label = "consultations"
    verbose_name = _("Consultations")
    ledger_labels = "bangban.consultations.workflow.LEDGER_LABELS"
