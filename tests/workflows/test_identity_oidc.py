"""Electronic ID through OpenID Connect against a small provider run here over real HTTP:
discovery, authorization (PKCE, nonce, state), the token endpoint and JWKS, ID tokens signed with
a test key."""

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from tests.workflows.engine_helpers import open_tasks, take
from tests.workflows.meetings_setup import seed, start
from workflows.identity import services as identity

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "rpl-test", "s3cret-value"


class FakeProvider:
    """An OpenID provider that checks what a real one checks and can be told to misbehave."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.claims = {"name": "Alice Candidate", "acr": "http://eidas.europa.eu/LoA/substantial"}
        self.codes = {}
        self.token_requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if url.path == "/jwks":
                    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                    return self._json(200, {"keys": [jwk | {"kid": "k1", "use": "sig"}]})
                if url.path == "/authorize":
                    query = dict(urllib.parse.parse_qsl(url.query))
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    back = urllib.parse.urlencode({"code": code, "state": query["state"]})
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                    return None
                return self._json(404, {})

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                provider.token_requests.append(form)
                error = provider.token_error(form, self.headers.get("Authorization", ""))
                if error:
                    return self._json(400, {"error": error})
                query = provider.codes.pop(form["code"])
                return self._json(
                    200, {"id_token": provider.id_token(query), "token_type": "Bearer"}
                )

        return Handler

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def token_error(self, form, authorization):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return "invalid_client"
        query = self.codes.get(form.get("code"))
        if query is None or form.get("redirect_uri") != query["redirect_uri"]:
            return "invalid_grant"
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if query["code_challenge_method"] != "S256" or challenge != query["code_challenge"]:
            return "invalid_grant"
        return None

    def id_token(self, query):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "85010112345",
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
        } | self.claims
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": "k1"})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.SITE_URL = "http://testserver"
    settings.RPL_IDENTITY_ADAPTERS = ["workflows.identity.adapters.oidc.OpenIDConnectAdapter"]
    settings.RPL_OIDC = {
        "KEY": "test-eid",
        "LABEL": "Test eID",
        "ISSUER": fake.issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "AUTHORIZATION_ENDPOINT": "",
        "TOKEN_ENDPOINT": "",
        "JWKS_URI": "",
        "TOKEN_AUTH": "client_secret_basic",
        "SCOPES": "openid profile",
        "ACR_VALUES": "",
        "ALGORITHMS": ["RS256"],
        "LOA_CLAIM": "acr",
        "LOA_MAP": {},
        "DEFAULT_LOA": "low",
        "MIN_LOA": "low",
        "TIMEOUT": 5,
    }
    yield fake
    fake.stop()


@pytest.fixture
def case(candidate, assessor, identity_officer, decision_maker):
    return start(
        candidate, seed([assessor, identity_officer, decision_maker], method="electronic_id")
    )


@pytest.fixture
def own(candidate):
    client = Client()
    client.force_login(candidate)
    return client


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _sign_in(client, case, *, state=None):
    """Start at our site, pass the provider over HTTP, come back to the callback."""
    started = client.get(f"/applications/{case.application_id}/electronic-id/test-eid/")
    assert started.status_code == 302
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(started.url, timeout=5)
    back = urllib.parse.urlsplit(answer.value.headers["Location"])
    assert back.path == "/identity/electronic-id/test-eid/callback/"
    query = dict(urllib.parse.parse_qsl(back.query))
    if state is not None:
        query["state"] = state
    return client.get(back.path, query, follow=True)


def test_it_confirms_identity_with_an_electronic_id(provider, own, case, identity_officer):
    response = _sign_in(own, case)
    assert "Your identity is confirmed by electronic ID (Test eID)" in response.content.decode()
    case.refresh_from_db()
    assertion = identity.assertion_of(case)
    assert assertion.verified_name == "Alice Candidate"
    assert assertion.level_of_assurance == identity.LevelOfAssurance.SUBSTANTIAL
    assert assertion.issuer == provider.issuer
    assert "85010112345" not in json.dumps(case.data)
    assert assertion.subject_hash == identity.subject_hash(provider.issuer, "85010112345")
    request = provider.token_requests[-1]
    assert request["grant_type"] == "authorization_code" and len(request["code_verifier"]) >= 43

    officer = Client()
    officer.force_login(identity_officer)
    task = open_tasks(case, "identity_check")[0]
    url = f"/work/{case.pk}/{task.pk}/"
    take(officer, url)
    page = officer.get(url).content.decode()
    assert "Alice Candidate" in page and "substantial" in page
    officer.post(url, {"method": "electronic_id", "verified": "yes", "note": ""})
    result = case.step_results.get(step_id="identity")
    assert result.data["method_label"] == "electronic ID (Test eID)"
    assert result.data["assertion"]["subject_hash"] == assertion.subject_hash


def test_it_sends_pkce_nonce_and_state_to_the_provider(provider, own, case):
    response = own.get(f"/applications/{case.application_id}/electronic-id/test-eid/")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(response.url).query))
    assert response.url.startswith(f"{provider.issuer}/authorize?")
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/identity/electronic-id/test-eid/callback/"
    assert query["code_challenge_method"] == "S256"
    assert all(len(query[name]) >= 40 for name in ("state", "nonce", "code_challenge"))


def _refused(response, message):
    assert message in response.content.decode()


def test_it_refuses_an_answer_with_another_state(provider, own, case):
    _refused(_sign_in(own, case, state="forged"), "This sign-in has expired or was not started")
    case.refresh_from_db()
    assert identity.assertion_of(case) is None


def test_it_refuses_a_token_with_another_nonce(provider, own, case):
    provider.claims["nonce"] = "replayed"
    _refused(_sign_in(own, case), "could not be verified")
    case.refresh_from_db()
    assert identity.assertion_of(case) is None


def test_it_refuses_a_token_signed_with_another_key(provider, own, case):
    provider.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(_sign_in(own, case), "could not be verified")


def test_it_refuses_a_token_for_another_client(provider, own, case):
    provider.claims["aud"] = "someone-else"
    _refused(_sign_in(own, case), "could not be verified")


def test_it_refuses_when_the_provider_refuses_the_client(provider, own, case, settings):
    settings.RPL_OIDC = settings.RPL_OIDC | {"CLIENT_SECRET": "wrong"}
    _refused(_sign_in(own, case), "The electronic ID service refused the sign-in.")


def test_it_refuses_a_level_of_assurance_below_the_minimum(provider, own, case, settings):
    settings.RPL_OIDC = settings.RPL_OIDC | {"MIN_LOA": "high"}
    _refused(_sign_in(own, case), "needs at least high")


def test_it_explains_when_the_provider_cannot_be_reached(provider, own, case):
    provider.stop()
    response = own.get(f"/applications/{case.application_id}/electronic-id/test-eid/", follow=True)
    _refused(response, "cannot be reached now")


def test_it_keeps_another_candidate_out(provider, case, candidate2):
    other = Client()
    other.force_login(candidate2)
    assert (
        other.get(f"/applications/{case.application_id}/electronic-id/test-eid/").status_code == 404
    )
    assert other.get("/identity/electronic-id/test-eid/callback/?code=x&state=y").status_code == 404


def test_it_offers_no_electronic_id_when_none_is_configured(settings, own, case):
    settings.RPL_IDENTITY_ADAPTERS = []
    assert own.get(f"/applications/{case.application_id}/electronic-id/oidc/").status_code == 404
    assert (
        "Sign in with" not in own.get(f"/applications/{case.application_id}/case/").content.decode()
    )
