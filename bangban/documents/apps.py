from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "bangban.documents"
    label = "documents"
    verbose_name = _("Documents")
    ledger_labels = "bangban.documents.services.LEDGER_LABELS"
