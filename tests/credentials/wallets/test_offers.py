"""The OpenID4VCI pre-authorized code flow, as a wallet meets it through HTTP: an offer is
redeemed once, never after it expires, with its transaction code, and delivers one credential
bound to the key of the first valid proof."""

import json
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import timezone
from jwt.algorithms import ECAlgorithm

from credentials.issuing import keys
from credentials.wallets import offers, sd_jwt
from credentials.wallets.models import WalletOffer
from rpl.audit.models import AuditEvent
from rpl.lib import jwk
from rpl.lib import sd_jwt as sd_jwt_lib
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue

pytestmark = pytest.mark.django_db
ISSUER = "http://testserver"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = ISSUER


@pytest.fixture
def credential(candidate):
    organisation = make_organisation()
    return issue(candidate, make_specification(organisation, slug="wallet-offer"))


def _code(new: offers.NewOffer) -> str:
    offer = json.loads(parse_qs(urlsplit(new.uri).query)["credential_offer"][0])
    return offer["grants"][offers.PRE_AUTHORIZED_GRANT]["pre-authorized_code"]


def _token(client, code, tx_code=None):
    data = {"grant_type": offers.PRE_AUTHORIZED_GRANT, "pre-authorized_code": code}
    if tx_code is not None:
        data["tx_code"] = tx_code
    return client.post(reverse("wallets:token"), data)


def _public(key) -> dict:
    if isinstance(key, Ed25519PrivateKey):
        return jwk.public_jwk(key.public_key())
    return json.loads(ECAlgorithm.to_jwk(key.public_key()))


def _sign(claims, signer, header_key=None) -> str:
    header = {"typ": "openid4vci-proof+jwt", "jwk": _public(header_key or signer)}
    algorithm = "EdDSA" if isinstance(signer, Ed25519PrivateKey) else "ES256"
    return jwt.encode(claims, signer, algorithm=algorithm, headers=header)


def _proof(client, signer, header_key=None, audience=ISSUER):
    nonce = client.post(reverse("wallets:nonce")).json()["c_nonce"]
    return _sign({"aud": audience, "iat": int(time.time()), "nonce": nonce}, signer, header_key)


def _credential(client, token, proof):
    return client.post(
        reverse("wallets:credential"),
        {"credential_configuration_id": sd_jwt.CONFIGURATION_ID, "proofs": {"jwt": [proof]}},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_it_redeems_an_offer_once_with_its_transaction_code(client, credential):
    new = offers.make_offer(credential)
    assert len(new.tx_code) == 6 and new.uri.startswith("openid-credential-offer://?")
    assert _token(client, _code(new)).json()["error"] == "invalid_request"
    wrong = "0" if new.tx_code != "000000" else "1"
    assert _token(client, _code(new), wrong * 6).json()["error"] == "invalid_grant"

    answer = _token(client, _code(new), new.tx_code)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert answer.json()["token_type"] == "Bearer"
    again = _token(client, _code(new), new.tx_code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_it_voids_an_offer_after_too_many_wrong_codes_or_once_expired(client, credential, settings):
    settings.WALLET_OFFER_TX_CODE = False
    expired = offers.make_offer(credential)
    assert expired.tx_code == "" and expired.offer.expires_at > timezone.now()
    WalletOffer.objects.filter(pk=expired.offer.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _token(client, _code(expired)).json()["error"] == "invalid_grant"

    settings.WALLET_OFFER_TX_CODE = True
    guessed = offers.make_offer(credential)
    wrong = "1" if guessed.tx_code != "111111" else "2"
    for _attempt in range(offers.MAX_ATTEMPTS):
        _token(client, _code(guessed), wrong * 6)
    assert _token(client, _code(guessed), guessed.tx_code).json()["error"] == "invalid_grant"


def test_it_delivers_one_credential_bound_to_the_first_wallet_key(client, credential):
    new = offers.make_offer(credential)
    token = _token(client, _code(new), new.tx_code).json()["access_token"]
    wallet = ec.generate_private_key(ec.SECP256R1())  # ES256, as EU wallets hold
    thief = Ed25519PrivateKey.generate()

    # A proof signed by another key than the one it names, for another audience, or with a
    # nonce that is not ours is refused, and spends nothing.
    decoy = _proof(client, thief, header_key=Ed25519PrivateKey.generate())
    assert _credential(client, token, decoy).json()["error"] == "invalid_proof"
    other_audience = _proof(client, wallet, audience="https://elsewhere.example")
    assert _credential(client, token, other_audience).json()["error"] == "invalid_proof"
    forged = _sign({"aud": ISSUER, "iat": int(time.time()), "nonce": "made-up"}, wallet)
    assert _credential(client, token, forged).json()["error"] == "invalid_nonce"

    answer = _credential(client, token, _proof(client, wallet))
    assert answer.status_code == 200, answer.content
    issued = answer.json()["credentials"][0]["credential"]
    header, claims = sd_jwt_lib.decode(
        issued, keys.decrypt_private_key(keys.active_key(credential.organisation)).public_key()
    )
    assert header["typ"] == "dc+sd-jwt"
    assert claims["cnf"] == {"jwk": _public(wallet)}
    assert claims["vct"] == f"{ISSUER}/credentials/eu-wallet/types/micro-credential"
    assert claims["title"] == credential.document["credentialSubject"]["achievement"]["name"]
    assert claims["status"]["status_list"]["idx"] == credential.status_index

    second = _credential(client, token, _proof(client, thief))
    assert second.status_code == 401 and second.json()["error"] == "invalid_token"
    sent = AuditEvent.objects.get(action="wallet.credential_sent")
    assert sent.changes["wallet_key"] == claims["cnf"]["jwk"]


def test_it_shows_the_offer_to_the_credential_holder_only(
    client, candidate, candidate2, credential
):
    url = reverse("wallets:offer", args=[credential.public_id])
    client.force_login(candidate2)
    assert client.post(url).status_code == 404
    client.force_login(candidate)
    page = client.post(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    new = WalletOffer.objects.get(credential=credential)
    assert b"openid-credential-offer://?credential_offer=" in page.content
    assert b'src="data:image/png;base64,' in page.content
    assert new.expires_at - new.created_at == timedelta(minutes=10)
    wallet_page = client.get(reverse("issued:wallet"))
    assert url.encode() in wallet_page.content
