"""Credential offers to EU Digital Identity wallets (OpenID4VCI, pre-authorized code flow).

An offer lets one wallet take one SD-JWT VC of one issued credential, once, before it expires.
Its secrets (the pre-authorized code, the transaction code, the access token) are stored only as
SHA-256 digests. Write through ``credentials.wallets.offers``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WalletOffer(models.Model):
    credential = models.ForeignKey(
        "credentials.IssuedCredential",
        verbose_name=_("credential"),
        on_delete=models.CASCADE,
        related_name="wallet_offers",
    )
    code_digest = models.CharField(_("pre-authorized code digest"), max_length=64, unique=True)
    # Digest of the code and the transaction code together; empty when no code is asked.
    tx_code_digest = models.CharField(_("transaction code digest"), max_length=64, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    token_digest = models.CharField(
        _("access token digest"), max_length=64, unique=True, null=True, blank=True
    )
    token_expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    redeemed_at = models.DateTimeField(_("code redeemed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("credential delivered"), null=True, blank=True)
    holder_jwk = models.JSONField(_("wallet key"), null=True, blank=True)

    class Meta:
        verbose_name = _("wallet offer")
        verbose_name_plural = _("wallet offers")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"offer {self.pk} of {self.credential_id}"
