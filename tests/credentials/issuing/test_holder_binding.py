"""Holder binding: a learner proves control of a wallet DID on the wallet page, and the
credentials issued afterwards name it (``credentialSubject.id`` and the VC-JWT ``sub``); without a
DID the subject is a stable, non-revealing identifier per learner and organisation."""

import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from credentials.issuing import holders, keys, verification
from credentials.issuing.models import Holder
from rpl.audit.models import AuditEvent
from rpl.lib import jwk, multikey
from tests.factories.catalogue import make_organisation
from tests.factories.credentials import issue
from tests.lib.test_vc_jwt_ob_strict import ob_strict_payload

WALLET_KEY = Ed25519PrivateKey.from_private_bytes(bytes([7]) * 32)
WALLET_MULTIKEY = multikey.encode_public_key(WALLET_KEY.public_key())
DID_KEY = f"did:key:{WALLET_MULTIKEY}"
DID_JWK = "did:jwk:" + jwk.b64url_encode(
    json.dumps(jwk.public_jwk(WALLET_KEY.public_key())).encode()
)


def _sign(payload: bytes, kid: str, key=WALLET_KEY) -> str:
    return jwt.PyJWS().encode(payload, key, algorithm="EdDSA", headers={"kid": kid})


def test_it_binds_a_proved_did_and_names_it_in_later_credentials(client, candidate, specification):
    before = issue(candidate, specification)
    client.force_login(candidate)
    challenge = client.get("/credentials/wallet/").context["holder"].challenge
    assert challenge
    proof = _sign(challenge.encode(), f"{DID_KEY}#{WALLET_MULTIKEY}")
    response = client.post("/credentials/wallet/did/", {"did": DID_KEY, "proof": proof})
    assert response.status_code == 302
    assert Holder.objects.get(learner=candidate).did == DID_KEY
    assert DID_KEY in client.get("/credentials/wallet/").content.decode()
    event = AuditEvent.objects.get(action="holder.did_bound")
    assert event.changes["did"] == DID_KEY
    # The challenge is used up: the same proof does not bind again.
    again = client.post("/credentials/wallet/did/", {"did": DID_KEY, "proof": proof})
    assert again.status_code == 400 and again.context["holder_form"].non_field_errors()

    after = issue(candidate, specification)
    assert after.document["credentialSubject"]["id"] == DID_KEY
    payload = ob_strict_payload(after.jwt, keys.did_document(specification.awarding_body))
    assert payload["sub"] == DID_KEY
    assert verification.verify_jwt(after.jwt).valid
    assert verification.verify_document(after.document).valid
    # The credential issued before keeps its subject and keeps verifying, in both forms.
    assert before.document["credentialSubject"]["id"].startswith("urn:uuid:")
    assert verification.verify_document(before.document).valid
    assert verification.verify_jwt(before.jwt).valid


def test_it_refuses_proofs_that_do_not_show_control(candidate):
    challenge = holders.current_challenge(candidate).challenge
    other = Ed25519PrivateKey.from_private_bytes(bytes([8]) * 32)
    refusals = {
        "wrong challenge": holders.bind_did(
            candidate, DID_KEY, _sign(b"another", f"{DID_KEY}#{WALLET_MULTIKEY}")
        ),
        "other key": holders.bind_did(
            candidate, DID_KEY, _sign(challenge.encode(), f"{DID_KEY}#{WALLET_MULTIKEY}", other)
        ),
        "key of another DID": holders.bind_did(
            candidate, DID_KEY, _sign(challenge.encode(), f"{DID_JWK}#0")
        ),
        "did:web": holders.bind_did(candidate, "did:web:example.org", _sign(b"x", "x")),
        "not a JWS": holders.bind_did(candidate, DID_KEY, "not-a-jws"),
    }
    assert all(refusals.values()), refusals
    assert not Holder.objects.get(learner=candidate).did
    Holder.objects.filter(learner=candidate).update(challenge_expires_at=timezone.now())
    expired = holders.bind_did(candidate, DID_KEY, _sign(challenge.encode(), DID_KEY))
    assert "expired" in expired
    # A did:jwk wallet signing a JSON object whose nonce is the (new) challenge is accepted.
    challenge = holders.current_challenge(candidate).challenge
    nonce = json.dumps({"nonce": challenge}).encode()
    assert holders.bind_did(candidate, DID_JWK, _sign(nonce, f"{DID_JWK}#0")) is None
    assert holders.subject_id(candidate, make_organisation()) == DID_JWK
    holders.unbind_did(candidate)
    assert holders.subject_id(candidate, make_organisation()).startswith("urn:uuid:")


def test_it_names_learners_without_a_did_by_a_stable_identifier_per_issuer(
    candidate, candidate2, organisation
):
    other_organisation = make_organisation()
    subject = holders.subject_id(candidate, organisation)
    assert subject.startswith("urn:uuid:") and subject == holders.subject_id(
        candidate, organisation
    )
    assert subject != holders.subject_id(candidate, other_organisation)
    assert subject != holders.subject_id(candidate2, organisation)
    assert candidate.email not in subject


@pytest.mark.parametrize("persona", ["outsider", "assessor"])
def test_it_lets_only_candidates_bind_a_did(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post("/credentials/wallet/did/", {"did": DID_KEY, "proof": "x"})
    assert response.status_code in (302, 403)
    assert not Holder.objects.filter(did=DID_KEY).exists()


def test_it_offers_a_fresh_challenge_once_the_old_one_expired(candidate):
    first = holders.current_challenge(candidate)
    assert holders.current_challenge(candidate).challenge == first.challenge
    Holder.objects.filter(pk=first.pk).update(
        challenge_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert holders.current_challenge(candidate).challenge != first.challenge
