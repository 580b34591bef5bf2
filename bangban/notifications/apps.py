from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bangban.notifications"
    label = "notifications"
