"""did:key identifiers with Ed25519 keys, resolved offline (W3C CCG did:key v0.7), free of Django.

``did:key:z6Mk...`` carries its public key: the method-specific id is the key's Multikey
``publicKeyMultibase``. Its DID document is generated from the identifier alone, with one
Multikey verification method ``did:key:z6Mk...#z6Mk...`` authorised for every purpose, so that
:func:`rpl.lib.did_web.resolve_verification_method` reads it like any other DID document.
"""

from typing import Any

from rpl.lib.did_web import DID_CONTEXTS
from rpl.lib.multikey import MultikeyError, decode_public_key

PREFIX = "did:key:"
PURPOSES = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


class DidKeyError(ValueError):
    """Not a did:key this module can resolve (only Ed25519 keys are supported)."""


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 ``did:key`` (``did:key:z6Mk...``)."""
    if not isinstance(did, str) or not did.startswith(PREFIX) or "#" in did or "?" in did:
        raise DidKeyError(f"{did!r} is not a did:key identifier")
    encoded = did[len(PREFIX) :]
    try:
        decode_public_key(encoded)
    except MultikeyError as exc:
        raise DidKeyError(f"{did!r} is not an Ed25519 did:key: {exc}") from None
    method_id = f"{did}#{encoded}"
    document: dict[str, Any] = {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": encoded,
            }
        ],
    }
    document.update({purpose: [method_id] for purpose in PURPOSES})
    return document
