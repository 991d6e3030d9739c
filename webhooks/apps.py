from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        # models can be imported only once the app registry is ready
        from rpl.audit.models import AuditEvent
        from webhooks.events import on_audit_event

        post_save.connect(on_audit_event, sender=AuditEvent, dispatch_uid="webhooks.audit_event")
