from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "bangban.projects"
    label = "projects"
