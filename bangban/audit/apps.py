from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "bangban.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # Django's own authentication signals: they fire for the login form, single sign-on
        # and the API's session login alike, so one receiver covers every way in.
        from bangban.audit import receivers

        receivers.connect()
