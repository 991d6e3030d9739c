"""did:web identifiers and DID documents with Ed25519 keys, free of Django.

- ``did:web:example.org`` is published at ``https://example.org/.well-known/did.json``;
- ``did:web:example.org:issuers:main`` at ``https://example.org/issuers/main/did.json``;
- a port is part of the host, percent-encoded: ``did:web:localhost%3A8000``.

did:web resolves over HTTPS only and names a host, not an IP address: a DID made from
``127.0.0.1:8000`` (the development default) is resolvable by this instance alone.

Each key is published twice: as a Multikey ``<did>#<key_id>`` (what Data Integrity proofs name)
and as a JsonWebKey ``<did>#<key_id>-jwk`` (what VC-JWT ``kid`` headers name: OB 3.0 expects the
``kid`` to dereference to a JWK). Key rotation keeps old keys verifiable: publish every key that
signed credentials still in use; each is listed under ``verificationMethod``, ``assertionMethod``
and ``authentication``. Drop a key
from the document only when what it signed must stop verifying (for instance a compromised key).
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rpl.lib.jsonld_loader import CID_V1, DID_V1, MULTIKEY_V1
from rpl.lib.jwk import JWK_TYPES, decode_public_jwk, jwk_document
from rpl.lib.multikey import decode_public_key, multikey_document

# CID 1.0 defines JsonWebKey and publicKeyJwk; Multikey's own context stays for verifiers that
# look for it (Digital Bazaar's ed25519-multikey does).
DID_CONTEXTS = [DID_V1, MULTIKEY_V1, CID_V1]
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)
_FRAGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@/?-]+$")


class DidWebError(ValueError):
    """Not a did:web identifier this module can handle, or a key that cannot be resolved."""


def did_for(domain: str, path: str | None = None) -> str:
    """The did:web for ``domain`` (``host`` or ``host:port``) and an optional ``a/b`` path."""
    if not isinstance(domain, str):
        raise DidWebError("domain must be a string")
    host, _, port = domain.strip().lower().partition(":")
    if not _HOST.match(host):
        raise DidWebError(f"{domain!r} is not an ASCII host name (use the punycode form of an IDN)")
    if port and (not port.isdigit() or not 0 < int(port) < 65536):
        raise DidWebError(f"{domain!r} has an invalid port")
    did = "did:web:" + host + (f"%3A{int(port)}" if port else "")
    if path:
        segments = path.strip("/").split("/")
        if any(not segment or segment in (".", "..") for segment in segments):
            raise DidWebError(f"path {path!r} has an empty or dot segment")
        did += "".join(":" + quote(segment, safe="") for segment in segments)
    return did


def did_web_url(did: str) -> str:
    """The HTTPS URL of the ``did.json`` that publishes ``did``'s document."""
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise DidWebError(f"{did!r} is not a did:web identifier")
    if "#" in did or "?" in did:
        raise DidWebError(f"{did!r} is a DID URL; give the DID without fragment or query")
    parts = did[len("did:web:") :].split(":")
    host = unquote(parts[0]).lower()
    host_name, _, port = host.partition(":")
    if not _HOST.match(host_name) or (port and not port.isdigit()):
        raise DidWebError(f"{did!r} does not name a valid host")
    segments = [unquote(part) for part in parts[1:]]
    if any(not segment or "/" in segment or segment in (".", "..") for segment in segments):
        raise DidWebError(f"{did!r} has an invalid path segment")
    path = "/".join(quote(segment, safe="") for segment in segments)
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def key_url(did: str, key_id: str) -> str:
    """The verification method id: ``key_id`` as ``did#fragment`` (a fragment or full id)."""
    fragment = key_id.removeprefix(did + "#") if key_id.startswith(did + "#") else key_id
    fragment = fragment.removeprefix("#")
    if not _FRAGMENT.match(fragment):
        raise DidWebError(f"{key_id!r} is not a valid key fragment")
    return f"{did}#{fragment}"


def jwk_key_url(did: str, key_id: str) -> str:
    """The id of the JsonWebKey method that publishes ``key_id``'s key (a VC-JWT ``kid``)."""
    return key_url(did, key_id) + "-jwk"


def did_document(did: str, keys: Sequence[tuple[str, Ed25519PublicKey]]) -> dict[str, Any]:
    """A DID document for ``did`` listing ``keys`` (``(key_id, public_key)``) as Multikeys, then
    the same keys as JsonWebKeys.

    Every method is authorised for ``assertionMethod`` (signing credentials and status lists) and
    ``authentication``. The first key is conventionally the current one.
    """
    did_web_url(did)  # validates the DID
    if not keys:
        raise DidWebError("a DID document needs at least one key")
    methods = [multikey_document(key_url(did, key_id), did, key) for key_id, key in keys] + [
        jwk_document(jwk_key_url(did, key_id), did, key) for key_id, key in keys
    ]
    ids = [method["id"] for method in methods]
    if len(set(ids)) != len(ids):
        raise DidWebError("key ids must be unique")
    return {
        "@context": list(DID_CONTEXTS),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(ids),
        "authentication": list(ids),
    }


def resolve_verification_method(
    document: Mapping[str, Any], method_id: str, purpose: str = "assertionMethod"
) -> Ed25519PublicKey:
    """The Ed25519 key of ``method_id`` (a Multikey or a JsonWebKey) in a DID (or controller)
    document.

    Checks that the method belongs to the document (its id, its controller) and is authorised for
    ``purpose``; raises :class:`DidWebError` otherwise.
    """
    controller = document.get("id")
    if not isinstance(method_id, str) or method_id.split("#", 1)[0] != controller:
        raise DidWebError(f"{method_id!r} does not belong to {controller!r}")
    authorised = document.get(purpose) or []
    listed = {entry if isinstance(entry, str) else entry.get("id") for entry in authorised}
    if method_id not in listed:
        raise DidWebError(f"{method_id!r} is not authorised for {purpose}")
    candidates = [
        entry
        for entry in [*document.get("verificationMethod", []), *authorised]
        if isinstance(entry, Mapping) and entry.get("id") == method_id
    ]
    if not candidates:
        raise DidWebError(f"{method_id!r} is not described in the document")
    method = candidates[0]
    if method.get("controller") != controller:
        raise DidWebError(f"{method_id!r} is not controlled by {controller!r}")
    if method.get("type") in JWK_TYPES:
        return decode_public_jwk(method.get("publicKeyJwk"))
    if method.get("type") != "Multikey":
        raise DidWebError(f"{method_id!r} is neither a Multikey nor a JsonWebKey")
    return decode_public_key(method.get("publicKeyMultibase", ""))


def key_resolver(
    documents: Iterable[Mapping[str, Any]], purpose: str = "assertionMethod"
) -> Callable[[str], Ed25519PublicKey]:
    """A ``resolve_key`` callable for :mod:`rpl.lib.data_integrity` and :mod:`rpl.lib.vc_jwt`
    over already fetched DID documents (nothing is fetched here)."""
    by_id = {document["id"]: document for document in documents}

    def resolve(method_id: str) -> Ed25519PublicKey:
        document = by_id.get(method_id.split("#", 1)[0])
        if document is None:
            raise DidWebError(f"no DID document known for {method_id!r}")
        return resolve_verification_method(document, method_id, purpose)

    return resolve
