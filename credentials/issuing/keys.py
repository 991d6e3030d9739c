"""Issuer keys: one Ed25519 key pair per awarding organisation, published with ``did:web``.

Identity
    Each organisation is the ``did:web`` DID
    ``did:web:<SITE_URL host>[:<SITE_URL path>]:issuers:<pk>``, whose document the instance
    serves at ``<SITE_URL>/issuers/<pk>/did.json``. Verification methods are ``<DID>#<key_id>``
    (a Multikey, named by Data Integrity proofs) and ``<DID>#<key_id>-jwk`` (the same key as a
    JWK, named by the VC-JWT ``kid``). did:web needs an HTTPS ``SITE_URL`` on a domain name: the
    development default ``http://127.0.0.1:8000`` gives DIDs only this instance resolves, and
    ``check --deploy`` refuses it (config.E001). The domain is part of every issued credential.

Private keys at rest
    Private keys are stored only encrypted with AES-256-GCM (the row's organisation and key id are
    the associated data, so a ciphertext cannot be moved to another row). The 256-bit encryption
    key is derived with HKDF-SHA256 from the ``CREDENTIAL_KEY_ENCRYPTION_KEY`` setting (read from
    the environment) when it is set, and from ``SECRET_KEY`` otherwise.

    README: set ``CREDENTIAL_KEY_ENCRYPTION_KEY`` in production to a long random secret (for
    example ``python -c "import secrets; print(secrets.token_urlsafe(48))"``) kept apart from the
    database backups. Changing it (or ``SECRET_KEY`` when it is not set) makes the stored issuer
    keys unusable: rotate the keys first (``credentials.issuing.keys.rotate``), or keep the old
    secret.

    Private keys never appear in logs, reprs, audit events or exports.

Rotation
    :func:`rotate` retires the active key and creates a new one. Retired keys stay in the DID
    document (they no longer sign, but what they signed keeps verifying); only
    :func:`withdraw` removes a key from the document, for a compromised key.
"""

import base64
import secrets
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from credentials.catalogue.models import Organisation
from credentials.issuing.models import IssuerKey
from rpl.audit import services as audit
from rpl.lib import did_web, multikey
from rpl.site import absolute

ENV_VAR = "CREDENTIAL_KEY_ENCRYPTION_KEY"
_HKDF_INFO = b"rpl-engine issuer private keys v1"


class IssuerKeyError(RuntimeError):
    """A stored key cannot be decrypted (wrong encryption secret) or does not exist."""


def _encryption_secret() -> bytes:
    secret = settings.CREDENTIAL_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    return secret.encode("utf-8")


def _aead() -> AESGCM:
    return _aead_for(_encryption_secret())


@lru_cache(maxsize=4)
def _aead_for(secret: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret)
    return AESGCM(key)


def _associated_data(organisation_id: int, key_id: str) -> bytes:
    return f"{organisation_id}#{key_id}".encode()


def encrypt_private_key(private_key: Ed25519PrivateKey, organisation_id: int, key_id: str) -> str:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = secrets.token_bytes(12)
    sealed = _aead().encrypt(nonce, raw, _associated_data(organisation_id, key_id))
    return base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_private_key(key: IssuerKey) -> Ed25519PrivateKey:
    try:
        return _decrypt(
            key.encrypted_private_key, key.organisation_id, key.key_id, _encryption_secret()
        )
    except (InvalidTag, ValueError):
        raise IssuerKeyError(
            f"issuer key {key} cannot be decrypted: was {ENV_VAR} (or SECRET_KEY) changed?"
        ) from None


# Every issue signs with its organisation's key: decrypted once per process, for exactly this
# ciphertext, row and encryption secret (a failure is not remembered).
@lru_cache(maxsize=64)
def _decrypt(encrypted: str, organisation_id: int, key_id: str, secret: bytes) -> Ed25519PrivateKey:
    blob = base64.b64decode(encrypted)
    raw = _aead_for(secret).decrypt(blob[:12], blob[12:], _associated_data(organisation_id, key_id))
    return Ed25519PrivateKey.from_private_bytes(raw)


# did:web identities ---------------------------------------------------------------------------


def _site_domain_and_path() -> tuple[str, str]:
    parts = urlsplit(absolute())
    return parts.netloc, parts.path.strip("/")


def organisation_did(organisation) -> str:
    domain, prefix = _site_domain_and_path()
    path = "/".join(filter(None, [prefix, "issuers", str(organisation.pk)]))
    return did_web.did_for(domain, path)


def verification_method(key: IssuerKey) -> str:
    return did_web.key_url(organisation_did(key.organisation), key.key_id)


def jwt_key_id(key: IssuerKey) -> str:
    """The VC-JWT ``kid``: the key's JsonWebKey method."""
    return did_web.jwk_key_url(organisation_did(key.organisation), key.key_id)


def published_keys(organisation):
    """Every key whose signatures must keep verifying: active and retired, not withdrawn."""
    return list(
        IssuerKey.objects.filter(organisation=organisation, withdrawn_at__isnull=True).order_by(
            F("retired_at").desc(nulls_first=True), "-created_at", "-pk"
        )
    )


def did_document(organisation) -> dict:
    """The organisation's DID document (the active key first); needs at least one key."""
    keys = published_keys(organisation)
    if not keys:
        raise IssuerKeyError(f"organisation {organisation.pk} has no published issuer key")
    return did_web.did_document(
        organisation_did(organisation),
        [(key.key_id, multikey.decode_public_key(key.public_key_multibase)) for key in keys],
    )


def resolve_method(method_id: str):
    """A ``resolve_key`` for rpl.lib: the public key of one of our organisations' methods."""
    did = method_id.split("#", 1)[0] if isinstance(method_id, str) else ""
    domain, prefix = _site_domain_and_path()
    base = did_web.did_for(domain, "/".join(filter(None, [prefix, "issuers"]))) + ":"
    pk = did[len(base) :] if did.startswith(base) else ""
    if not pk.isdigit():
        raise did_web.DidWebError(f"{did!r} is not an issuer known to this service")
    organisation = Organisation.objects.filter(pk=int(pk)).first()
    if organisation is None:
        raise did_web.DidWebError(f"{did!r} is not an issuer known to this service")
    return did_web.resolve_verification_method(did_document(organisation), method_id)


# Writes ---------------------------------------------------------------------------------------


def _new_key(organisation) -> IssuerKey:
    private_key = Ed25519PrivateKey.generate()
    key_id = "key-" + timezone.now().strftime("%Y%m%d") + "-" + secrets.token_hex(4)
    return IssuerKey.objects.create(
        organisation=organisation,
        key_id=key_id,
        public_key_multibase=multikey.encode_public_key(private_key.public_key()),
        encrypted_private_key=encrypt_private_key(private_key, organisation.pk, key_id),
    )


def active_key(organisation) -> IssuerKey | None:
    try:  # at most one key is active (a constraint)
        key = IssuerKey.objects.get(organisation=organisation, retired_at__isnull=True)
    except IssuerKey.DoesNotExist:
        return None
    key.organisation = organisation  # its DID names the methods: no second query
    return key


def ensure_key(organisation, actor=None) -> IssuerKey:
    """The organisation's active key, created (and audited) when it has none yet."""
    key = active_key(organisation)
    if key is not None:
        return key
    try:
        with transaction.atomic():
            key = _new_key(organisation)
            audit.record(
                actor=actor,
                action="issuer_key.created",
                target=organisation,
                changes={"key_id": key.key_id, "public_key": key.public_key_multibase},
            )
            return key
    except IntegrityError:  # another request created it first
        return active_key(organisation)


def _resign_status_lists(organisation) -> None:
    """Sign the organisation's status lists again with its active key."""
    from credentials.issuing import status_lists  # status_lists imports this module to sign

    for status_list in organisation.status_lists.select_for_update():
        status_lists.resign(status_list)


@transaction.atomic
def rotate(organisation, actor=None) -> IssuerKey:
    """Retire the active key (it stays published) and make a new one the signing key."""
    retired = list(
        IssuerKey.objects.select_for_update().filter(
            organisation=organisation, retired_at__isnull=True
        )
    )
    now = timezone.now()
    for key in retired:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    key = _new_key(organisation)
    _resign_status_lists(organisation)
    audit.record(
        actor=actor,
        action="issuer_key.rotated",
        target=organisation,
        changes={"retired": [old.key_id for old in retired], "key_id": key.key_id},
    )
    return key


@transaction.atomic
def withdraw(key: IssuerKey, actor=None, reason: str = "") -> None:
    """Stop publishing a (compromised) key: what it signed no longer verifies. The status lists
    are signed again with the active key (a new one if the withdrawn key was active)."""
    now = timezone.now()
    key.retired_at = key.retired_at or now
    key.withdrawn_at = now
    key.save(update_fields=["retired_at", "withdrawn_at"])
    if active_key(key.organisation) is None:
        _new_key(key.organisation)
    _resign_status_lists(key.organisation)
    audit.record(
        actor=actor,
        action="issuer_key.withdrawn",
        target=key.organisation,
        changes={"key_id": key.key_id, "reason": reason},
    )
