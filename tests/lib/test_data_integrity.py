import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest

from rpl.lib import data_integrity, multikey
from rpl.lib.jsonld_loader import ContextNotAllowedError, get_loader
from rpl.lib.jsonld_strict import JsonLdStrictError, UndefinedTermError, canonicalize
from tests.lib import samples

CREATED = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data"
SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "credentials"
    / "schemas"
    / "ob_v3p0_achievementcredential_schema.json"
)

# W3C vc-di-eddsa, Appendix "Representation: eddsa-rdfc-2022" (TestVectors/eddsa-rdfc-2022/).
VECTOR_UNSECURED = {
    "@context": ["https://www.w3.org/ns/credentials/v2", samples.EXAMPLES_V2],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}
VECTOR_METHOD = "https://vc.example/issuers/5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
VECTOR_PROOF_VALUE = (
    "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V6dvy5pgWYCU5e9"
)
VECTOR_COMBINED_HASH = (
    "4c4d3890a157f8d611b13c265c2c22f39aa0a567c7c7dd9ba3e45cd579784eeb"
    "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
)


# tests/lib/data/ob-microcredential.json (built by issue_credential for the demo specification)
# signed with ISSUER_KEY at CREATED, then OTHER_KEY added as a proof set, by the code before the
# JSON-LD caching of issue 17: faster signing must sign exactly the same bytes.
STORED_PROOF_VALUES = [
    "z2pb7XAR171tzFFUM8ztVeNBAks52dhS9zw6rdMVJ2vgbtCf3r9gCnAjnrUp8j2HLTDkzruLqNhJY9VNphHQXavKN",
    "za9dVvEWLTniSZSz1C28vERZyQZR9GHiryivNfJYpSDyWYp3pnqWD3VkrRZG8McnyyjwcLrnMKxxhvK5yh7LofjF",
]


def stored_credential() -> tuple[dict, dict]:
    """tests/lib/data/ob-microcredential.json (unsigned) and its extra contexts: the extension
    context as it was when the credential was built, under the URL the credential names."""
    document = json.loads((DATA / "ob-microcredential.json").read_text(encoding="utf-8"))
    extension = (DATA / "rpl-eu-microcredential-v1.jsonld").read_text(encoding="utf-8")
    return document, {document["@context"][3]: json.loads(extension)}


def signed_sample(**overrides):
    document = overrides.pop("document", None) or samples.ob_credential()
    return data_integrity.sign(document, samples.ISSUER_KEY, samples.KEY_ID, CREATED, **overrides)


def verify(document, **kwargs):
    return data_integrity.verify(document, samples.resolve_issuer_key, **kwargs)


def test_it_reproduces_the_w3c_eddsa_rdfc_2022_test_vector():
    extra = {samples.EXAMPLES_V2: samples.examples_context()}
    private_key = multikey.decode_private_key(samples.VECTOR_SECRET)
    signed = data_integrity.sign(
        VECTOR_UNSECURED,
        private_key,
        VECTOR_METHOD,
        VECTOR_CREATED,
        extra_contexts=extra,
        proof_as_list=False,
    )
    assert signed["proof"] == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": VECTOR_METHOD,
        "proofPurpose": "assertionMethod",
        "proofValue": VECTOR_PROOF_VALUE,
    }
    # The intermediate hash too, so that a mismatch points at the right step.
    loader = get_loader(extra)
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = VECTOR_UNSECURED["@context"]
    combined = (
        hashlib.sha256(canonicalize(config, loader).encode()).hexdigest()
        + hashlib.sha256(canonicalize(VECTOR_UNSECURED, loader).encode()).hexdigest()
    )
    assert combined == VECTOR_COMBINED_HASH
    public_key = private_key.public_key()
    assert data_integrity.verify(signed, lambda _: public_key, extra_contexts=extra).ok


def test_it_signs_a_stored_credential_exactly_as_before():
    document, extra = stored_credential()
    first = data_integrity.sign(
        document, samples.ISSUER_KEY, samples.KEY_ID, CREATED, extra_contexts=extra
    )
    other_method = samples.ISSUER_DID + "#key-2"
    both = data_integrity.sign(
        first, samples.OTHER_KEY, other_method, CREATED, extra_contexts=extra
    )
    assert [proof["proofValue"] for proof in both["proof"]] == STORED_PROOF_VALUES
    keys = {samples.KEY_ID: samples.ISSUER_KEY, other_method: samples.OTHER_KEY}
    assert data_integrity.verify(
        both, lambda method: keys[method].public_key(), extra_contexts=extra
    ).ok


def test_it_signs_and_verifies_an_ob_credential():
    signed = signed_sample()
    assert isinstance(signed["proof"], list)  # the OB 3.0 schema requires an array
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["created"] == "2025-01-15T10:00:00Z"
    assert proof["verificationMethod"] == samples.KEY_ID
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["proofValue"].startswith("z")
    assert len(multikey.multibase_b58_decode(proof["proofValue"])) == 64
    result = verify(signed)
    assert result.ok, result.reason
    assert result.verification_method == samples.KEY_ID


def test_it_leaves_the_input_untouched():
    document = samples.ob_credential()
    signed_sample(document=document)
    assert document == samples.ob_credential()


def test_it_signs_a_credential_the_ob_schema_accepts():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft201909Validator(schema).validate(signed_sample())


def test_it_normalises_created_to_utc_seconds():
    local = datetime(2025, 1, 15, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    signed = data_integrity.sign(samples.ob_credential(), samples.ISSUER_KEY, samples.KEY_ID, local)
    assert signed["proof"][0]["created"] == "2025-01-15T10:00:00Z"
    with pytest.raises(data_integrity.SigningError, match="timezone"):
        data_integrity.sign(
            samples.ob_credential(), samples.ISSUER_KEY, samples.KEY_ID, datetime(2025, 1, 1)
        )


def _set(document, path, value):
    *parents, last = path
    target = document
    for key in parents:
        target = target[key]
    target[last] = value


TAMPERINGS = {
    "name": (["name"], "Forged"),
    "issuer id": (["issuer", "id"], "did:web:evil.example"),
    "issuer name": (["issuer", "name"], "Evil University"),
    "country": (["issuer", "address", "addressCountryCode"], "DE"),
    "validFrom": (["validFrom"], "2025-01-15T10:00:01Z"),
    "subject id": (["credentialSubject", "id"], "did:example:mallory"),
    "identity hash": (
        ["credentialSubject", "identifier", 0, "identityHash"],
        "sha256$" + "cd" * 32,
    ),
    "credits": (["credentialSubject", "creditsEarned"], 25),
    "achievement name": (["credentialSubject", "achievement", "name"], "Brain surgery"),
    "EQF level": (["credentialSubject", "achievement", "alignment", 0, "targetCode"], "8"),
    "achievementType": (["credentialSubject", "achievement", "achievementType"], "Degree"),
    "status index": (["credentialStatus", "statusListIndex"], "1"),
    "status list": (["credentialStatus", "statusListCredential"], "https://evil.example/s"),
    "type": (["type"], ["VerifiableCredential"]),
    "added validUntil": (["validUntil"], "2026-01-01T00:00:00Z"),
    "proof created": (["proof", 0, "created"], "2025-01-15T10:00:01Z"),
    "proof cryptosuite": (["proof", 0, "cryptosuite"], "eddsa-jcs-2022"),
    "proof purpose": (["proof", 0, "proofPurpose"], "authentication"),
    "proof value": (["proof", 0, "proofValue"], "z" + multikey.b58encode(b"\x01" * 64)),
}


@pytest.mark.parametrize("name", TAMPERINGS)
def test_it_detects_tampering_with_any_field(name):
    path, value = TAMPERINGS[name]
    signed = signed_sample()
    tampered = copy.deepcopy(signed)
    _set(tampered, path, value)
    result = verify(tampered)
    assert not result.ok
    assert result.reason


def test_it_detects_a_removed_field():
    tampered = signed_sample()
    del tampered["credentialStatus"]
    assert not verify(tampered).ok


def test_it_fails_with_the_wrong_key():
    signed = data_integrity.sign(
        samples.ob_credential(), samples.OTHER_KEY, samples.KEY_ID, CREATED
    )
    result = verify(signed)
    assert not result.ok
    assert "signature" in result.reason


def test_it_fails_when_the_key_cannot_be_resolved():
    signed = signed_sample()
    signed["proof"][0]["verificationMethod"] = samples.ISSUER_DID + "#key-9"
    result = verify(signed)
    assert not result.ok
    assert "key-9" in result.reason


def test_it_fails_without_a_proof():
    result = verify(samples.ob_credential())
    assert not result.ok
    assert "no proof" in result.reason


@pytest.mark.parametrize(
    ("where", "term"),
    [
        ([], "unknownTopLevel"),
        (["issuer"], "faxNumber"),
        (["credentialSubject", "achievement"], "ectsPoints"),
        (["credentialSubject", "achievement", "alignment", 0], "eqfLevel"),
    ],
)
def test_it_refuses_to_sign_an_undefined_term_and_names_it(where, term):
    document = samples.ob_credential()
    _set(document, [*where, term], "value")
    with pytest.raises(UndefinedTermError, match=term) as caught:
        signed_sample(document=document)
    assert caught.value.term == term


def test_it_refuses_an_undefined_type_and_names_it():
    document = samples.ob_credential()
    document["type"].append("MicroCredentialX")
    with pytest.raises(UndefinedTermError, match="MicroCredentialX"):
        signed_sample(document=document)


def test_it_refuses_a_term_its_context_maps_to_null_and_names_it():
    document = samples.ob_credential()
    document["@context"].append({"secretNote": None})
    document["secretNote"] = "not signed"
    with pytest.raises(UndefinedTermError, match="secretNote"):
        signed_sample(document=document)


def test_it_refuses_the_issuer_dependent_vocab_fallback():
    document = samples.ob_credential()
    document["@context"].append({"@vocab": "https://www.w3.org/ns/credentials/issuer-dependent#"})
    document["credentialSubject"]["shoeSize"] = 44
    with pytest.raises(UndefinedTermError, match="shoeSize"):
        signed_sample(document=document)


def test_it_accepts_terms_from_an_extra_context():
    url = "https://rpl.example.edu/contexts/rpl-v1.json"
    extension = {
        "@context": {
            "@protected": True,
            "ectsCredits": {
                "@id": "https://rpl.example.edu/vocab#ectsCredits",
                "@type": "http://www.w3.org/2001/XMLSchema#decimal",
            },
        }
    }
    document = samples.ob_credential()
    document["@context"].append(url)
    document["ectsCredits"] = "2.5"
    with pytest.raises(ContextNotAllowedError, match="rpl-v1.json"):
        signed_sample(document=document)
    signed = signed_sample(document=document, extra_contexts={url: extension})
    assert verify(signed, extra_contexts={url: extension}).ok
    result = verify(signed)  # without the extension the verifier cannot know the term
    assert not result.ok
    assert "rpl-v1.json" in result.reason


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["id"], "credential-7", "not an absolute IRI"),
        (["credentialSubject", "achievement", "id"], "_:b0", "blank node"),
        (["credentialSubject", "achievement", "image"], "logo.png", "not an absolute IRI"),
    ],
)
def test_it_refuses_iris_that_rdf_would_drop(path, value, message):
    document = samples.ob_credential()
    _set(document, path, value)
    with pytest.raises(JsonLdStrictError, match=message):
        signed_sample(document=document)


def test_it_refuses_a_context_that_is_not_shipped():
    document = samples.ob_credential()
    document["@context"].append("https://schema.org/")
    with pytest.raises(ContextNotAllowedError, match="schema.org"):
        signed_sample(document=document)


def test_it_refuses_an_unsigned_undefined_property_added_after_signing():
    signed = signed_sample()
    signed["credentialSubject"]["achievement"]["bonusCredits"] = 10
    result = verify(signed)
    assert not result.ok
    assert "bonusCredits" in result.reason


def test_it_adds_a_second_proof_as_a_proof_set():
    first = signed_sample()
    other_method = samples.ISSUER_DID + "#key-2"
    both = data_integrity.sign(first, samples.OTHER_KEY, other_method, CREATED)
    assert [proof["verificationMethod"] for proof in both["proof"]] == [
        samples.KEY_ID,
        other_method,
    ]
    keys = {samples.KEY_ID: samples.ISSUER_KEY, other_method: samples.OTHER_KEY}
    assert data_integrity.verify(both, lambda method: keys[method].public_key()).ok
    both["proof"][1]["created"] = "2030-01-01T00:00:00Z"
    assert not data_integrity.verify(both, lambda method: keys[method].public_key()).ok


def test_it_checks_the_proof_purpose():
    signed = data_integrity.sign(
        samples.ob_credential(),
        samples.ISSUER_KEY,
        samples.KEY_ID,
        CREATED,
        proof_purpose="authentication",
    )
    assert not verify(signed).ok
    assert data_integrity.verify(
        signed, lambda _: samples.ISSUER_KEY.public_key(), expected_purpose="authentication"
    ).ok


def test_it_refuses_an_unsupported_cryptosuite_clearly():
    signed = signed_sample()
    signed["proof"][0]["type"] = "Ed25519Signature2020"
    result = verify(signed)
    assert not result.ok
    assert "unsupported proof" in result.reason


def test_it_reports_a_malformed_document_instead_of_raising():
    assert not verify({"proof": {}}).ok
    assert not verify("not a document").ok


def test_it_refuses_a_keyword_like_key_and_names_it():
    document = samples.ob_credential()
    document["credentialSubject"]["@grade"] = "A"
    with pytest.raises(UndefinedTermError, match="@grade"):
        signed_sample(document=document)


def test_it_names_every_undefined_term_at_once():
    document = samples.ob_credential()
    document["alpha"] = 1
    document["issuer"]["beta"] = 2
    with pytest.raises(UndefinedTermError, match="alpha.*also undefined: beta"):
        signed_sample(document=document)


def test_it_requires_a_time_zone_on_created():
    signed = signed_sample()
    signed["proof"][0]["created"] = "2025-01-15T10:00:00"
    result = verify(signed)
    assert not result.ok
    assert "dateTimeStamp" in result.reason


@pytest.mark.parametrize("context", [5, ["https://www.w3.org/ns/credentials/v2", 7], {"@vocab": 3}])
def test_it_reports_a_broken_context_as_a_failed_verification(context):
    signed = signed_sample()
    signed["@context"] = context
    result = verify(signed)
    assert not result.ok
    assert result.reason
