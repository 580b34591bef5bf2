from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bangban.portal"
    label = "portal"
