from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "bangban.policies"
    label = "policies"
    verbose_name = _("Policies")
    ledger_labels = "bangban.policies.workflow.LEDGER_LABELS"
