"""Offers of a credential to an EU wallet, through OpenID4VCI 1.0's pre-authorized code flow.

Public API::

    offer_refusal(credential) -> str | None          # why it cannot be offered now
    make_offer(credential) -> NewOffer                # the offer URI and its transaction code
    redeem(code, tx_code) -> (access_token, seconds)  # the token endpoint; OfferRefused
    new_nonce() -> str; nonce_refusal(nonce) -> str | None
    deliver(access_token, proof) -> str               # the SD-JWT VC; OfferRefused

An offer expires after ``WALLET_OFFER_MINUTES`` (default 10) and its code is redeemed once; the
access token delivers one credential, bound to the key of the first valid proof. When
``WALLET_OFFER_TX_CODE`` (default on) the wallet must also send the six digits shown beside the
QR code; after :data:`MAX_ATTEMPTS` wrong ones the offer is void.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from credentials.issuing.models import IssuedCredential
from credentials.wallets import proofs, sd_jwt
from credentials.wallets.models import WalletOffer
from rpl.audit import services as audit
from rpl.lib.jwk import b64url_encode
from rpl.site import absolute

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
TX_CODE_LENGTH = 6
MAX_ATTEMPTS = 5
TOKEN_SECONDS = 300
NONCE_SECONDS = 300
_NONCE_SALT = "credentials.wallets.nonce"


class OfferRefused(Exception):
    """An OAuth 2.0 / OpenID4VCI error: ``error`` is its code, the message its description."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error


@dataclass(frozen=True)
class NewOffer:
    offer: WalletOffer
    uri: str
    tx_code: str


def credential_issuer() -> str:
    """Our Credential Issuer Identifier (and Authorization Server issuer): the site's address."""
    return absolute()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _minutes() -> int:
    return settings.WALLET_OFFER_MINUTES


def offer_refusal(credential: IssuedCredential) -> str | None:
    if credential.state != IssuedCredential.State.ACTIVE or credential.is_expired:
        return _("This credential does not verify at the moment, so it cannot be shared.")
    if credential.status_list_id is None:
        return _("This credential was issued before EU wallets were supported.")
    return None


def offer_object(code: str, tx_code: str) -> dict:
    grant: dict = {"pre-authorized_code": code}
    if tx_code:
        grant["tx_code"] = {
            "input_mode": "numeric",
            "length": len(tx_code),
            "description": _("The code shown beside the QR code"),
        }
    return {
        "credential_issuer": credential_issuer(),
        "credential_configuration_ids": [sd_jwt.CONFIGURATION_ID],
        "grants": {PRE_AUTHORIZED_GRANT: grant},
    }


def make_offer(credential: IssuedCredential) -> NewOffer:
    """A new offer of ``credential`` (whose :func:`offer_refusal` is ``None``)."""
    code = b64url_encode(secrets.token_bytes(32))
    tx_code = ""
    if settings.WALLET_OFFER_TX_CODE:
        tx_code = f"{secrets.randbelow(10**TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"
    now = timezone.now()
    offer = WalletOffer.objects.create(
        credential=credential,
        code_digest=_digest(code),
        tx_code_digest=_digest(code, tx_code) if tx_code else "",
        created_at=now,
        expires_at=now + timedelta(minutes=_minutes()),
    )
    text = json.dumps(offer_object(code, tx_code), separators=(",", ":"))
    return NewOffer(offer, OFFER_SCHEME + "?" + urlencode({"credential_offer": text}), tx_code)


def _redeem(offer: WalletOffer | None, code: str, tx_code: str | None) -> OfferRefused | str:
    now = timezone.now()
    if offer is None or offer.redeemed_at is not None or offer.expires_at <= now:
        return OfferRefused("invalid_grant", "the offer is unknown, used or expired")
    if offer.failed_attempts >= MAX_ATTEMPTS:
        return OfferRefused("invalid_grant", "too many wrong transaction codes")
    if offer.tx_code_digest:
        if not tx_code:
            return OfferRefused("invalid_request", "the offer asks for its transaction code")
        if not constant_time_compare(_digest(code, tx_code), offer.tx_code_digest):
            offer.failed_attempts += 1
            offer.save(update_fields=["failed_attempts"])
            return OfferRefused("invalid_grant", "wrong transaction code")
    if offer_refusal(offer.credential):
        return OfferRefused("invalid_grant", "the credential cannot be shared at the moment")
    token = b64url_encode(secrets.token_bytes(32))
    offer.token_digest = _digest(token)
    offer.token_expires_at = now + timedelta(seconds=TOKEN_SECONDS)
    offer.redeemed_at = now
    offer.save(update_fields=["token_digest", "token_expires_at", "redeemed_at"])
    return token


def redeem(code: str, tx_code: str | None) -> tuple[str, int]:
    """An access token for a valid, unused pre-authorized code (and its transaction code)."""
    with transaction.atomic():  # a wrong transaction code is counted: refuse after commit
        offer = (
            WalletOffer.objects.select_for_update(of=("self",))
            .select_related("credential")
            .filter(code_digest=_digest(code or ""))
            .first()
        )
        outcome = _redeem(offer, code, tx_code)
    if isinstance(outcome, OfferRefused):
        raise outcome
    return outcome, TOKEN_SECONDS


def new_nonce() -> str:
    return signing.dumps(secrets.token_hex(8), salt=_NONCE_SALT)


def nonce_refusal(nonce) -> str | None:
    try:
        signing.loads(str(nonce), salt=_NONCE_SALT, max_age=NONCE_SECONDS)
    except signing.SignatureExpired:
        return "the nonce has expired: ask the nonce endpoint for a new one"
    except signing.BadSignature:
        return "the nonce is not one of ours"
    return None


@transaction.atomic
def deliver(access_token: str, proof) -> str:
    """The SD-JWT VC of the offer the token was issued for, bound to the proof's key; once."""
    offer = (
        WalletOffer.objects.select_for_update(of=("self",))
        .select_related("credential__organisation", "credential__status_list")
        .filter(token_digest=_digest(access_token or ""))
        .first()
    )
    if offer is None or offer.delivered_at is not None or offer.token_expires_at <= timezone.now():
        raise OfferRefused("invalid_token", "the access token is unknown, used or expired")
    try:
        holder_jwk = proofs.holder_key(
            proof, audience=credential_issuer(), nonce_refusal=nonce_refusal
        )
    except proofs.ProofError as exc:
        raise OfferRefused(exc.error, str(exc)) from None
    credential = offer.credential
    if offer_refusal(credential):
        raise OfferRefused("credential_request_denied", "the credential cannot be shared now")
    issued = sd_jwt.build(credential, holder_jwk)
    offer.delivered_at = timezone.now()
    offer.holder_jwk = holder_jwk
    offer.save(update_fields=["delivered_at", "holder_jwk"])
    audit.record(
        actor=None,
        action="wallet.credential_sent",
        target=credential,
        changes={"offer": offer.pk, "format": "dc+sd-jwt", "wallet_key": holder_jwk},
    )
    return issued


def endpoint(name: str) -> str:
    return absolute(reverse(f"wallets:{name}"))
