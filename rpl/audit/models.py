import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rpl.audit import keys
from rpl.lib import hashchain


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only")


class Scheme(models.IntegerChoices):
    """How an event's ``hash`` was computed. Events written before the chain was keyed keep
    the plain scheme; every event since is keyed, and a plain event after a keyed one is a
    break (``rpl.audit.selectors``)."""

    SHA256 = 1, _("SHA-256 (written before the chain was keyed)")
    HMAC_SHA256 = 2, _("HMAC-SHA256 keyed with AUDIT_CHAIN_KEY")


class AuditEvent(models.Model):
    """One recorded state change. Rows are written once by ``rpl.audit.services.record``.

    ``hash`` covers the event's content and ``prev_hash``: HMAC-SHA256 with the chain key held
    outside the database (``rpl.audit.keys``) or, for the events written before the chain was
    keyed, plain SHA-256 (``rpl.lib.hashchain``); ``scheme`` says which.
    On PostgreSQL a trigger refuses UPDATE and DELETE on this table.
    """

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    # No default: ``record`` names the scheme it hashes with (the migration that added the column
    # marked every earlier event as plain SHA-256).
    scheme = models.PositiveSmallIntegerField(_("hash scheme"), choices=Scheme.choices)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"#{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only")

    def chain_content(self) -> dict:
        return {
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor": self.actor_repr,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target": self.target_repr,
            "changes": self.changes,
        }

    def expected_hash(self) -> str | None:
        """The hash this event's content and ``prev_hash`` give under its own scheme (None
        for a scheme this code does not know)."""
        if self.scheme == Scheme.HMAC_SHA256:
            return keys.keyed_link_hash(self.chain_content(), self.prev_hash)
        if self.scheme == Scheme.SHA256:
            return hashchain.link_hash(self.chain_content(), self.prev_hash)
        return None

    def hash_matches(self) -> bool:
        """Whether ``hash`` is what the content gives: False for an altered event, or one
        re-hashed without the chain key."""
        expected = self.expected_hash()
        return expected is not None and hmac.compare_digest(expected.encode(), self.hash.encode())


class ChainHead(models.Model):
    """The last link written, one row; locking it serialises writers across processes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"#{self.sequence} {self.hash}"
