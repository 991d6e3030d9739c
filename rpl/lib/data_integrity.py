"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC-DI-EdDSA), free of Django.

Signing, exactly as the cryptosuite specifies:

1. transformation: the document without ``proof`` is canonicalised with RDFC-1.0 to N-Quads;
2. proof configuration: the proof options (type ``DataIntegrityProof``, ``cryptosuite``,
   ``created``, ``verificationMethod``, ``proofPurpose``) with the document's ``@context``,
   canonicalised the same way;
3. hashing: ``SHA-256(canonical proof configuration) || SHA-256(canonical document)``;
4. serialisation: an Ed25519 signature over those 64 bytes, in multibase base58btc (``z...``).

Canonicalisation is strict (:mod:`rpl.lib.jsonld_strict`): an undefined term is an error naming
the term, never a silently unsigned property, and only offline contexts are used
(:mod:`rpl.lib.jsonld_loader`). A document that already carries proofs gets the new proof added to
a proof set; every proof in a set signs the document without any proof.

``proof`` is written as a list by default, because the OB 3.0 JSON Schema requires an array.
"""

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rpl.lib.jsonld_loader import ContextNotAllowedError, OfflineDocumentLoader, get_loader
from rpl.lib.jsonld_strict import JsonLdStrictError, canonicalize
from rpl.lib.multikey import MultikeyError, multibase_b58_decode, multibase_b58_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
# xsd:dateTimeStamp (a time zone is required), as Data Integrity requires for `created`/`expires`.
_XSD_DATETIME_STAMP = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.ASCII
)

KeyResolver = Callable[[str], Ed25519PublicKey]
ExtraContexts = Mapping[str, Mapping[str, Any]] | None


@dataclass(frozen=True)
class VerificationResult:
    ok: bool
    reason: str
    verification_method: str | None = None

    def __bool__(self) -> bool:
        return self.ok


class SigningError(ValueError):
    """The document or the proof options cannot be signed."""


def format_datetime(moment: datetime) -> str:
    """``2024-05-01T12:00:00Z``: UTC, whole seconds, as used for ``created``."""
    if moment.tzinfo is None:
        raise SigningError("created must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(
    unsecured: Mapping[str, Any], proof_options: Mapping[str, Any], loader: OfflineDocumentLoader
) -> bytes:
    proof_config = dict(proof_options)
    proof_config["@context"] = unsecured["@context"]
    canonical_config = canonicalize(proof_config, loader)
    canonical_document = canonicalize(unsecured, loader)
    return (
        hashlib.sha256(canonical_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def _proofs(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    extra_contexts: ExtraContexts = None,
    proof_as_list: bool = True,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    ``proof`` is written as a list, as the OB 3.0 JSON Schema requires (JSON-LD reads a single
    object and a one-element list the same way); ``proof_as_list=False`` writes a lone proof as
    an object, as in the W3C examples.

    Raises :class:`~rpl.lib.jsonld_strict.UndefinedTermError` for a term no context defines,
    :class:`~rpl.lib.jsonld_loader.ContextNotAllowedError` for a context not shipped or passed in
    ``extra_contexts``, and :class:`SigningError` for bad proof options.
    """
    if not isinstance(document, Mapping) or "@context" not in document:
        raise SigningError("the document must be a JSON object with an @context")
    if not isinstance(verification_method, str) or ":" not in verification_method:
        raise SigningError("verification_method must be an absolute URL or DID URL")
    loader = get_loader(extra_contexts)
    existing = _proofs(document)
    unsecured = {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(unsecured, proof, loader))
    proof["proofValue"] = multibase_b58_encode(signature)
    secured = dict(unsecured)
    proofs = [*copy.deepcopy(existing), proof]
    secured["proof"] = proofs if proof_as_list or len(proofs) > 1 else proof
    return secured


def _verify_one(
    unsecured: dict[str, Any],
    proof: Any,
    resolve_key: KeyResolver,
    expected_purpose: str,
    loader: OfflineDocumentLoader,
) -> VerificationResult:
    if not isinstance(proof, Mapping):
        return VerificationResult(False, "proof is not a JSON object")
    method = proof.get("verificationMethod")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return VerificationResult(
            False,
            f"unsupported proof: type {proof.get('type')!r}, "
            f"cryptosuite {proof.get('cryptosuite')!r} (expected {PROOF_TYPE}/{CRYPTOSUITE})",
            method,
        )
    if "previousProof" in proof:
        return VerificationResult(False, "proof chains (previousProof) are not supported", method)
    if proof.get("proofPurpose") != expected_purpose:
        return VerificationResult(
            False,
            f"proofPurpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}",
            method,
        )
    if not isinstance(method, str) or ":" not in method:
        return VerificationResult(False, "verificationMethod is missing or not a URL", method)
    for field in ("created", "expires"):
        value = proof.get(field)
        if (field == "created" or value is not None) and not (
            isinstance(value, str) and _XSD_DATETIME_STAMP.match(value)
        ):
            return VerificationResult(False, f"proof {field} is not an xsd:dateTimeStamp", method)
    try:
        signature = multibase_b58_decode(proof.get("proofValue"))
    except MultikeyError as exc:
        return VerificationResult(False, f"proofValue: {exc}", method)
    if len(signature) != 64:
        return VerificationResult(False, "proofValue is not a 64-byte Ed25519 signature", method)

    options = {key: value for key, value in proof.items() if key != "proofValue"}
    document = dict(unsecured)
    if "@context" in options:
        proof_context = options.pop("@context")
        doc_context = document["@context"]
        doc_list = doc_context if isinstance(doc_context, list) else [doc_context]
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        if doc_list[: len(proof_list)] != proof_list:
            return VerificationResult(
                False, "the proof's @context is not a prefix of the document's", method
            )
        document["@context"] = proof_context

    try:
        public_key = resolve_key(method)
    except Exception as exc:  # any failure to resolve is a verification failure
        return VerificationResult(False, f"cannot resolve {method}: {exc}", method)
    if not isinstance(public_key, Ed25519PublicKey):
        return VerificationResult(False, f"{method} is not an Ed25519 key", method)

    try:
        hash_data = _hash_data(document, options, loader)
    except (JsonLdStrictError, ContextNotAllowedError) as exc:
        return VerificationResult(False, str(exc), method)
    except Exception as exc:  # untrusted input must give a result, never an unexpected error
        return VerificationResult(False, f"cannot process the document: {exc!r}", method)
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return VerificationResult(False, "signature does not match the document", method)
    return VerificationResult(True, "valid eddsa-rdfc-2022 proof", method)


def verify(
    document: Mapping[str, Any],
    resolve_key: KeyResolver,
    extra_contexts: ExtraContexts = None,
    expected_purpose: str = "assertionMethod",
) -> VerificationResult:
    """Verify every proof on ``document``; ``ok`` only if there is one and all are valid.

    ``resolve_key(verification_method)`` returns the Ed25519 public key the issuer published for
    that verification method, or raises; it is also where the caller checks that the method is
    authorised for ``expected_purpose`` by the controller it names. The result's
    ``verification_method`` lets the caller bind the key's controller to ``issuer``.
    """
    if not isinstance(document, Mapping) or "@context" not in document:
        return VerificationResult(False, "the document must be a JSON object with an @context")
    proofs = _proofs(document)
    if not proofs:
        return VerificationResult(False, "the document has no proof")
    try:
        loader = get_loader(extra_contexts)
    except ValueError as exc:
        return VerificationResult(False, str(exc))
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    result = VerificationResult(False, "no proof checked")
    for proof in proofs:
        result = _verify_one(unsecured, proof, resolve_key, expected_purpose, loader)
        if not result.ok:
            return result
    return result
