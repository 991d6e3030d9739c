"""System checks of the audit chain's settings (``manage.py check --deploy``)."""

from django.conf import settings
from django.core import checks

from rpl.audit.keys import ENV_VAR


@checks.register(checks.Tags.security, deploy=True)
def audit_chain_key_is_set(app_configs, **kwargs):
    if getattr(settings, "AUDIT_CHAIN_KEY", ""):
        return []
    return [
        checks.Warning(
            f"{ENV_VAR} is not set: the audit chain is keyed with a key derived from SECRET_KEY, "
            "so changing SECRET_KEY would make every keyed audit event and checkpoint fail "
            "verification.",
            hint=f"Set {ENV_VAR} to a long random value kept outside the database and its "
            "backups, before the first event is written, and never change it (SECURITY.md).",
            id="audit.W001",
        )
    ]
