from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "bangban.accounts"
    label = "accounts"
    verbose_name = _("Agencies and users")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from bangban.accounts.security import start_session

        user_logged_in.connect(start_session, dispatch_uid="bangban.accounts.start_session")
