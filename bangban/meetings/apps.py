from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "bangban.meetings"
    label = "meetings"
    verbose_name = _("Meetings")
    ledger_labels = "bangban.meetings.workflow.LEDGER_LABELS"
