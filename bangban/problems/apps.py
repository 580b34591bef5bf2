from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "bangban.problems"
    label = "problems"
    verbose_name = _("Problems")
    ledger_labels = "bangban.problems.workflow.LEDGER_LABELS"
