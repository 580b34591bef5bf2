from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bangban.accounts"
    label = "accounts"
