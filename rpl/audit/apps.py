from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "rpl.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # system checks are registered when the app is ready, as Django recommends
        from rpl.audit import checks  # noqa: F401 - registers audit.W001 (check --deploy)
