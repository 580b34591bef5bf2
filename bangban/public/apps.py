from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "bangban.public"
    label = "public"
    verbose_name = _("Public")
    ledger_labels = "bangban.public.workflow.LEDGER_LABELS"
