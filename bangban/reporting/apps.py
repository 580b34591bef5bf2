from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "bangban.reporting"
    label = "reporting"
    verbose_name = _("Statistics and exports")

    def ready(self):
        from bangban.reporting import tables  # noqa: F401  (registers the exportable tables)
