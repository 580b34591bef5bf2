from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "bangban.catalog"
    label = "catalog"
