from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "bangban.documents"
    label = "documents"
