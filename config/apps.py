from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "config"

    def ready(self):
        # system checks are registered when the app is ready, as Django recommends
        from config import checks  # noqa: F401 - registers config.E001 (check --deploy)
