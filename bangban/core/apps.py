from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bangban.core"
    label = "core"
