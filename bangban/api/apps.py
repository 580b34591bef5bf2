from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "bangban.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        # Registers the token scheme with drf-spectacular (securitySchemes of the document).
        from bangban.api import authentication  # noqa: F401
