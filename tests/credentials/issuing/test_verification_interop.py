"""Credentials from other issuers: the OB 3.0 specification's own test vector and key pair.

The vector and its source are in ``data/`` (see ``data/SOURCES.md``). Its key pair is published
in the same section of the OB 3.0 Implementation Guide, so the tests can also sign the guide's
credential as a did:key issuer would, in the VC 2.0 form and in the OB 3.0.0 (VC 1.1) form.
"""

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.issuing import verification
from rpl.lib import data_integrity, did_key, multikey
from rpl.lib.jsonld_loader import CREDENTIALS_V2

DATA = Path(__file__).parent / "data"
VECTOR = json.loads((DATA / "ob30-ldp-test-vector.json").read_text(encoding="utf-8"))
# "Linked Data Proof Test Vector for Open Badges 3.0": the key pair (private key, first 32 bytes).
SPEC_KEY = Ed25519PrivateKey.from_private_bytes(
    bytes.fromhex("6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4")
)
SPEC_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
SPEC_ISSUER = "https://example.edu/issuers/565049"
DID = f"did:key:{SPEC_MULTIKEY}"
OB_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
DATA_INTEGRITY_V1 = "https://w3id.org/security/data-integrity/v1"
CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)


def _as_did_key_issuer(vc_1_1: bool, proof_as_list: bool) -> dict:
    """The guide's credential, signed with the guide's key by the did:key of that key."""
    document = {key: copy.deepcopy(value) for key, value in VECTOR.items() if key != "proof"}
    document["issuer"]["id"] = DID
    if vc_1_1:
        # As in the guide's OB 3.0.0 vector: VC 1.1 needs the Data Integrity context for the proof.
        document["@context"] = [
            "https://www.w3.org/2018/credentials/v1",
            OB_3_0_0,
            DATA_INTEGRITY_V1,
        ]
        document["issuanceDate"] = document.pop("validFrom")
    return data_integrity.sign(
        document, SPEC_KEY, f"{DID}#{SPEC_MULTIKEY}", CREATED, proof_as_list=proof_as_list
    )


def test_it_verifies_the_specification_test_vector_with_the_key_it_publishes():
    assert multikey.encode_public_key(SPEC_KEY.public_key()) == SPEC_MULTIKEY
    controller = {
        "id": SPEC_ISSUER,
        "verificationMethod": [
            multikey.multikey_document(
                f"{SPEC_ISSUER}#{SPEC_MULTIKEY}", SPEC_ISSUER, SPEC_KEY.public_key()
            )
        ],
        "assertionMethod": [f"{SPEC_ISSUER}#{SPEC_MULTIKEY}"],
    }
    report = verification.verify_document(
        VECTOR, issuers=verification.Issuers(documents=[controller])
    )
    assert report.valid, report.reasons
    assert isinstance(VECTOR["proof"], dict)


def test_it_says_it_cannot_check_a_key_published_elsewhere_and_shows_nothing(client, db):
    report = verification.verify_document(VECTOR)
    assert not report.valid and report.key_unavailable
    assert not report.revoked and report.authentic_credential is None
    assert "Cannot check the issuer's key" in report.check("signature").message
    assert "forged" not in report.check("signature").message

    response = client.post("/credentials/verify/", {"credential": json.dumps(VECTOR)})
    page = re.sub(r"<textarea.*?</textarea>", "", response.content.decode(), flags=re.S)
    assert "This does not mean it is forged" in page
    assert "Teamwork" not in page and "What the credential says is not shown" in page


@pytest.mark.parametrize(
    ("vc_1_1", "proof_as_list"), [(False, False), (True, True)], ids=["vc2-proof", "vc1-proofs"]
)
def test_it_verifies_a_did_key_issuer_credential(vc_1_1, proof_as_list):
    document = _as_did_key_issuer(vc_1_1, proof_as_list)
    assert isinstance(document["proof"], list) is proof_as_list
    assert (document["@context"][0] == CREDENTIALS_V2) is not vc_1_1
    report = verification.verify_document(document)
    assert report.valid, report.reasons
    assert report.authentic_credential == document

    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = "Teamwork Leader"
    report = verification.verify_document(tampered)
    assert not report.valid and not report.key_unavailable
    assert report.authentic_credential is None


def test_it_resolves_an_ed25519_did_key_offline():
    document = did_key.did_key_document(DID)
    method = f"{DID}#{SPEC_MULTIKEY}"
    assert document["assertionMethod"] == [method]
    assert verification.Issuers().key(method).public_bytes_raw() == (
        SPEC_KEY.public_key().public_bytes_raw()
    )
    with pytest.raises(did_key.DidKeyError):
        did_key.did_key_document("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")
