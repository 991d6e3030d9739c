from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "quality"
    label = "quality"
    verbose_name = _("Quality assurance")

    def ready(self):
        # the receivers use models, importable only once the app registry is ready
        from quality import receivers  # noqa: F401 - connects to the engine's signals
