"""Personal API tokens. Only a SHA-256 hash of the secret is stored; the token is shown once.

A token reads ``rpl_<prefix>_<secret>``: the prefix finds the row, the hash of the whole token
proves it. Scopes only narrow what the token's user may do; they never add to their roles.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CASES_READ = "cases:read", _("Read cases, their evidence and timelines")
    CASES_WRITE = "cases:write", _("Start cases, upload evidence and submit")
    CREDENTIALS_READ = "credentials:read", _("Read and download credentials")
    CREDENTIALS_MANAGE = "credentials:manage", _("Suspend, reinstate and revoke credentials")
    TASKS_READ = "tasks:read", _("Read your work list and tasks")
    TASKS_WRITE = "tasks:write", _("Take, give back and record your tasks")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("SHA-256 of the token"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} (rpl_{self.prefix}_…)"

    def __repr__(self):  # never show the hash
        return f"<ApiToken {self.pk} {self.prefix}>"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
