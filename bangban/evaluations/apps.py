from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "bangban.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")
    ledger_labels = "bangban.evaluations.workflow.LEDGER_LABELS"
