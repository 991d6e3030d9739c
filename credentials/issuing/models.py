"""Issued credentials, issuer keys and status lists. Write through ``credentials.issuing.services``
(and ``credentials.issuing.keys`` / ``credentials.issuing.status_lists``); every change is audited
there.

- :class:`IssuerKey`: one Ed25519 key pair of an awarding organisation. The private key is stored
  only encrypted (AES-256-GCM, see :mod:`credentials.issuing.keys`); the public key is published
  in the organisation's ``did:web`` document, also after rotation, so that old credentials keep
  verifying.
- :class:`StatusList`: one W3C Bitstring Status List of an organisation, with the signed
  ``BitstringStatusListCredential`` that publishes it. Credentials get one two-bit ``message``
  entry (valid, suspended, revoked; docs/decisions/0012-one-status-entry.md); the one-bit
  ``revocation`` and ``suspension`` lists hold the credentials issued before it.
- :class:`IssuedCredential`: one signed Open Badges 3.0 credential, exactly as issued (the JSON
  text is kept byte for byte), with its VC-JWT form and its status entry (or, issued before
  0012, its two).
"""

import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rpl.lib.bitstring_status import MIN_ENTRIES


class IssuerKey(models.Model):
    organisation = models.ForeignKey(
        "credentials.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="issuer_keys",
    )
    key_id = models.CharField(_("key id"), max_length=60)
    public_key_multibase = models.CharField(_("public key"), max_length=100)
    # AES-256-GCM ciphertext (nonce + ciphertext + tag, base64); see credentials.keys.
    encrypted_private_key = models.TextField(_("encrypted private key"), editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        _("withdrawn"),
        null=True,
        blank=True,
        help_text=_("A withdrawn key (for example a compromised one) is no longer published."),
    )

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        ordering = ["organisation_id", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key_id"], name="credentials_issuerkey_id_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(retired_at__isnull=True),
                name="credentials_issuerkey_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id}#{self.key_id}"

    def __repr__(self):  # never show the (encrypted) private key
        return f"<IssuerKey {self}>"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class StatusList(models.Model):
    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")
        MESSAGE = "message", _("Valid, suspended or revoked")

    organisation = models.ForeignKey(
        "credentials.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="status_lists",
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    number = models.PositiveIntegerField(_("number"))
    size = models.PositiveIntegerField(_("entries"), default=MIN_ENTRIES)
    status_size = models.PositiveSmallIntegerField(_("bits per entry"), default=1)
    used = models.PositiveIntegerField(_("entries in use"), default=0)
    bits = models.BinaryField(_("bitstring"))
    # One bit per entry, set once the entry is given to a credential (empty in the lists issued
    # before 0012, which no longer give entries).
    slots = models.BinaryField(_("entries given"), default=bytes)
    # The signed BitstringStatusListCredential, as JSON text (re-signed on every change).
    credential_json = models.TextField(_("signed list"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Goes up each time the published list changes (a status set or the list signed again):
    # what is cached from the published list is keyed on (pk, version).
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["organisation_id", "purpose", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose", "number"], name="credentials_statuslist_unique"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=["revocation", "suspension", "message"]),
                name="credentials_statuslist_purpose_valid",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=MIN_ENTRIES), name="credentials_statuslist_min_size"
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id}/{self.purpose}/{self.number}"


class IssuedCredential(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    specification = models.ForeignKey(
        "credentials.Specification",
        verbose_name=_("specification"),
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    organisation = models.ForeignKey(
        "credentials.Organisation",
        verbose_name=_("awarding body"),
        on_delete=models.PROTECT,
        related_name="issued_credentials",
    )
    key = models.ForeignKey(
        IssuerKey, verbose_name=_("signing key"), on_delete=models.PROTECT, related_name="+"
    )
    document_json = models.TextField(_("signed credential (JSON-LD)"))
    jwt = models.TextField(_("signed credential (VC-JWT)"))
    recognised_outcomes = models.JSONField(_("recognised outcomes"), default=list)
    supervision = models.CharField(_("supervision and identity verification"), max_length=30)
    status_list = models.ForeignKey(
        StatusList,
        verbose_name=_("status list"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    status_index = models.PositiveIntegerField(_("status index"), null=True, blank=True)
    # The two one-bit entries of a credential issued before 0012 (docs/decisions/0012-*).
    revocation_list = models.ForeignKey(
        StatusList,
        verbose_name=_("revocation list"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    revocation_index = models.PositiveIntegerField(_("revocation index"), null=True, blank=True)
    suspension_list = models.ForeignKey(
        StatusList,
        verbose_name=_("suspension list"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    suspension_index = models.PositiveIntegerField(_("suspension index"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(_("reason for the state"), blank=True)
    state_changed_at = models.DateTimeField(_("state changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credentials_issued_status_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(status_list__isnull=False, status_index__isnull=False)
                | Q(
                    revocation_list__isnull=False,
                    revocation_index__isnull=False,
                    suspension_list__isnull=False,
                    suspension_index__isnull=False,
                ),
                name="credentials_issued_has_status",
            ),
            models.UniqueConstraint(
                fields=["revocation_list", "revocation_index"],
                name="credentials_issued_revocation_slot_unique",
            ),
            models.UniqueConstraint(
                fields=["suspension_list", "suspension_index"],
                name="credentials_issued_suspension_slot_unique",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["active", "suspended", "revoked"]),
                name="credentials_issued_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["learner", "issued_at"])]

    def __str__(self):
        return str(self.public_id)

    @property
    def document(self) -> dict:
        return json.loads(self.document_json)

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until <= timezone.now()


class Holder(models.Model):
    """A learner as the holder of their credentials: the wallet DID they proved control of (set
    through ``credentials.issuing.holders``), the pending challenge of that proof, and the random
    seed of the identifiers that stand for them when they have no DID."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="holder",
    )
    did = models.CharField(_("wallet DID"), max_length=2000, blank=True)
    did_bound_at = models.DateTimeField(_("DID proved"), null=True, blank=True)
    challenge = models.CharField(_("challenge"), max_length=64, blank=True)
    challenge_expires_at = models.DateTimeField(_("challenge expires"), null=True, blank=True)
    subject_seed = models.UUIDField(_("subject seed"), default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("holder")
        verbose_name_plural = _("holders")

    def __str__(self):
        return f"holder of {self.learner_id}"
