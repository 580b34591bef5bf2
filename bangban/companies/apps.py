from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "bangban.companies"
    label = "companies"
