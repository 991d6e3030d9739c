import base64
import json
from datetime import UTC, datetime

import jwt
import pytest

from rpl.lib import vc_jwt
from tests.lib import samples

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _b64(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _encode(credential=None, **kwargs):
    return vc_jwt.encode(
        credential or samples.ob_credential(), samples.ISSUER_KEY, samples.KEY_ID, **kwargs
    )


def _decode(token, **kwargs):
    kwargs.setdefault("now", NOW)
    return vc_jwt.decode(token, samples.resolve_issuer_key, **kwargs)


def test_it_round_trips_an_ob_credential():
    credential = samples.ob_credential()
    token = _encode(credential)
    assert _decode(token) == credential


def test_it_writes_the_ob_header_and_claims():
    credential = samples.ob_credential()
    credential["validUntil"] = "2030-01-15T10:00:00Z"
    header, payload, _ = _encode(credential).split(".")
    assert _b64(header) == {"alg": "EdDSA", "kid": samples.KEY_ID, "typ": "JWT"}
    claims = _b64(payload)
    assert claims["iss"] == samples.ISSUER_DID
    assert claims["jti"] == credential["id"]
    assert claims["sub"] == "did:example:learner-7f3a"
    assert claims["nbf"] == int(datetime(2025, 1, 15, 10, tzinfo=UTC).timestamp())
    assert claims["exp"] == int(datetime(2030, 1, 15, 10, tzinfo=UTC).timestamp())
    assert claims["credentialSubject"] == credential["credentialSubject"]
    assert "vc" not in claims


def test_it_omits_exp_without_valid_until_and_sub_without_subject_id():
    credential = samples.ob_credential()
    del credential["credentialSubject"]["id"]  # identified by IdentityObject only
    claims = _b64(_encode(credential).split(".")[1])
    assert "exp" not in claims
    assert "sub" not in claims
    assert _decode(_encode(credential)) == credential


def test_it_writes_and_reads_the_legacy_vc_claim():
    credential = samples.ob_credential()
    token = _encode(credential, legacy_vc_claim=True)
    claims = _b64(token.split(".")[1])
    assert claims["vc"] == credential
    assert "@context" not in claims
    assert _decode(token) == credential


def test_it_detects_a_tampered_payload():
    header, payload, signature = _encode().split(".")
    claims = _b64(payload)
    claims["credentialSubject"]["achievement"]["name"] = "Forged"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(vc_jwt.VcJwtError, match="Signature verification failed"):
        _decode(f"{header}.{forged}.{signature}")


def test_it_fails_with_the_wrong_key():
    token = vc_jwt.encode(samples.ob_credential(), samples.OTHER_KEY, samples.KEY_ID)
    with pytest.raises(vc_jwt.VcJwtError, match="Signature verification failed"):
        _decode(token)


def test_it_refuses_an_unknown_kid():
    token = vc_jwt.encode(samples.ob_credential(), samples.ISSUER_KEY, "did:web:evil.example#k")
    with pytest.raises(vc_jwt.VcJwtError, match="cannot resolve kid"):
        _decode(token)


def test_it_refuses_claims_that_disagree_with_the_credential():
    credential = samples.ob_credential()
    payload = {**credential, **vc_jwt.claims_for(credential), "iss": "did:web:evil.example"}
    token = jwt.encode(
        payload, samples.ISSUER_KEY, algorithm="EdDSA", headers={"kid": samples.KEY_ID}
    )
    with pytest.raises(vc_jwt.VcJwtError, match="iss claim"):
        _decode(token)


def test_it_checks_the_validity_window():
    credential = samples.ob_credential()
    credential["validUntil"] = "2025-03-01T00:00:00Z"
    token = _encode(credential)
    assert _decode(token, now=datetime(2025, 2, 1, tzinfo=UTC)) == credential
    with pytest.raises(vc_jwt.VcJwtError, match="expired"):
        _decode(token, now=datetime(2025, 3, 2, tzinfo=UTC))
    with pytest.raises(vc_jwt.VcJwtError, match="not valid yet"):
        _decode(token, now=datetime(2025, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("headers", "algorithm", "message"),
    [
        ({"kid": samples.KEY_ID, "jku": "https://evil.example/keys"}, "EdDSA", "not allowed"),
        ({"kid": samples.KEY_ID, "typ": "vc+jwt"}, "EdDSA", "typ"),
        ({}, "EdDSA", "no kid"),
    ],
)
def test_it_refuses_headers_outside_the_ob_profile(headers, algorithm, message):
    token = jwt.encode(
        {"iss": "x"}, samples.ISSUER_KEY, algorithm=algorithm, headers=headers or None
    )
    with pytest.raises(vc_jwt.VcJwtError, match=message):
        _decode(token)


def test_it_refuses_other_algorithms():
    token = jwt.encode({"iss": "x"}, "secret-secret-secret-secret-secret", algorithm="HS256")
    with pytest.raises(vc_jwt.VcJwtError, match="unsupported alg"):
        _decode(token)
    with pytest.raises(vc_jwt.VcJwtError, match="not a compact JWS"):
        _decode("not-a-token")


def test_it_refuses_a_credential_without_id_or_issuer():
    credential = samples.ob_credential()
    del credential["id"]
    with pytest.raises(vc_jwt.VcJwtError, match="jti"):
        _encode(credential)
