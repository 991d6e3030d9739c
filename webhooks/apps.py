from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        # models can be imported only once the app registry is ready
        from rpl.audit.signals import recorded
        from webhooks.events import on_audit_event

        recorded.connect(on_audit_event, dispatch_uid="webhooks.audit_event")
