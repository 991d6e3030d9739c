"""Webhook subscriptions of organisations, the events sent to them, deliveries and attempts.

Write through ``webhooks.services``; read through ``webhooks.selectors``.

An ``Event`` is written in the same transaction as the change it reports (an outbox), with the
exact JSON body every delivery of it sends. A ``Delivery`` is one event to one subscription; a
replay is a new delivery of the same event. Each HTTP request is an ``Attempt``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CASE_SUBMITTED = "case.submitted", _("A case is submitted (also resubmitted evidence)")
    CASE_DECIDED = "case.decided", _("A case is decided")
    CREDENTIAL_ISSUED = "credential.issued", _("A credential is issued")
    CREDENTIAL_REVOKED = "credential.revoked", _("A credential is revoked")
    CREDENTIAL_SUSPENDED = "credential.suspended", _("A credential is suspended")


class Subscription(models.Model):
    organisation = models.ForeignKey(
        "credentials.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    url = models.URLField(_("address (URL)"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # AES-GCM ciphertext; the secret is shown once and never again (see rpl.webhooks.signing).
    encrypted_secret = models.TextField(editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["organisation_id", "url", "pk"]

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in self.events

    def event_labels(self) -> list[str]:
        return [EventType(value).label for value in EventType.values if value in self.events]


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    organisation = models.ForeignKey(
        "credentials.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    audit_sequence = models.PositiveBigIntegerField(_("audit event"))
    created_at = models.DateTimeField(_("created"))
    body = models.TextField(_("body (JSON)"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed: no more attempts")
        CANCELLED = "cancelled", _("Cancelled: the subscription was disabled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    replay_of = models.ForeignKey(
        "self",
        verbose_name=_("replay of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replays",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender owns a delivery in the "sending" state until then; after it, another may take over.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_response_status = models.PositiveSmallIntegerField(
        _("last response status"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="webhooks_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhooks_delivery_recent"),
        ]

    def __str__(self):
        return str(self.id)

    @property
    def is_finished(self) -> bool:
        return self.status in {
            self.Status.SUCCEEDED,
            self.Status.FAILED,
            self.Status.CANCELLED,
        }


class Attempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response body (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhooks_attempt_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"
