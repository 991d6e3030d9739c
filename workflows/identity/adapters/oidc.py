"""Electronic ID through OpenID Connect: the authorization code flow with PKCE and a nonce.

Most national eID brokers (and login.gov.pl-compatible and eIDAS brokers) speak OpenID Connect.
The ID token is verified with PyJWT against the provider's published keys (JWKS): signature,
issuer, audience, expiry and nonce. Configured by ``settings.RPL_OIDC`` (read from ``RPL_OIDC_*``
environment variables); for a second provider, subclass with another ``settings_name``.
"""

import base64
import hashlib
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt
from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflows.identity.services import (
    LOA_LABELS,
    IdentityAssertion,
    IdentityError,
    LevelOfAssurance,
    callback_url,
    subject_hash,
)

logger = logging.getLogger(__name__)

EIDAS_LOA = {
    "http://eidas.europa.eu/LoA/low": LevelOfAssurance.LOW,
    "http://eidas.europa.eu/LoA/substantial": LevelOfAssurance.SUBSTANTIAL,
    "http://eidas.europa.eu/LoA/high": LevelOfAssurance.HIGH,
}
PENDING_SECONDS = 15 * 60
MAX_RESPONSE_BYTES = 1024 * 1024
_key_clients: dict[str, jwt.PyJWKClient] = {}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _require_web_url(url: str) -> str:
    """https, or http only to this machine (a provider run locally for tests or development)."""
    parts = urllib.parse.urlsplit(url or "")
    local = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise IdentityError(_("The electronic ID service is not configured correctly."))
    return url


class OpenIDConnectAdapter:
    settings_name = "RPL_OIDC"

    def __init__(self):
        self.config = getattr(settings, self.settings_name)
        self.key = self.config["KEY"]
        self.label = self.config["LABEL"] or gettext_lazy("electronic ID")

    # HTTP ------------------------------------------------------------------------------------

    def _fetch(self, request_or_url):
        url = getattr(request_or_url, "full_url", request_or_url)
        _require_web_url(url)
        try:
            with urllib.request.urlopen(  # noqa: S310 -- the scheme is checked just above
                request_or_url, timeout=self.config["TIMEOUT"]
            ) as response:
                return json.loads(response.read(MAX_RESPONSE_BYTES))
        except urllib.error.HTTPError as error:
            logger.warning("%s answered %s: %s", url, error.code, error.read(2000))
            raise IdentityError(
                _("The electronic ID service refused the sign-in. Please try again.")
            ) from None
        except (OSError, ValueError) as error:
            logger.warning("%s could not be used: %s", url, error)
            raise IdentityError(
                _("The electronic ID service cannot be reached now. Please try again later.")
            ) from None

    def metadata(self) -> dict:
        """The endpoints: from the settings, or else from the provider's discovery document."""
        issuer = self.config["ISSUER"].rstrip("/")
        endpoints = {
            "authorization_endpoint": self.config["AUTHORIZATION_ENDPOINT"],
            "token_endpoint": self.config["TOKEN_ENDPOINT"],
            "jwks_uri": self.config["JWKS_URI"],
        }
        if not issuer or not self.config["CLIENT_ID"]:
            raise IdentityError(_("The electronic ID service is not configured correctly."))
        if not all(endpoints.values()):
            discovered = self._fetch(issuer + "/.well-known/openid-configuration")
            if discovered.get("issuer", "").rstrip("/") != issuer:
                raise IdentityError(_("The electronic ID service is not configured correctly."))
            endpoints = {name: value or discovered.get(name) for name, value in endpoints.items()}
        for url in endpoints.values():
            _require_web_url(url)
        return endpoints

    # The two steps of the protocol -------------------------------------------------------------

    @property
    def _session_key(self) -> str:
        return f"rpl.identity.oidc.{self.key}"

    def start(self, request, case):
        endpoints = self.metadata()
        verifier = secrets.token_urlsafe(64)
        pending = {
            "case": case.pk,
            "state": secrets.token_urlsafe(32),
            "nonce": secrets.token_urlsafe(32),
            "verifier": verifier,
            "started": time.time(),
        }
        request.session[self._session_key] = pending
        params = {
            "response_type": "code",
            "client_id": self.config["CLIENT_ID"],
            "redirect_uri": callback_url(self.key),
            "scope": self.config["SCOPES"],
            "state": pending["state"],
            "nonce": pending["nonce"],
            "code_challenge": _b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
        if self.config["ACR_VALUES"]:
            params["acr_values"] = self.config["ACR_VALUES"]
        url = endpoints["authorization_endpoint"]
        return HttpResponseRedirect(
            url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        )

    def complete(self, request, case) -> IdentityAssertion:
        pending = request.session.pop(self._session_key, None)
        if (
            not pending
            or pending.get("case") != case.pk
            or time.time() - pending.get("started", 0) > PENDING_SECONDS
        ):
            raise IdentityError(_("This sign-in has expired or was not started here: start again."))
        if request.GET.get("error"):
            raise IdentityError(
                _("The electronic ID service did not confirm your identity. You can try again.")
            )
        if not secrets.compare_digest(request.GET.get("state", ""), pending["state"]):
            raise IdentityError(_("This sign-in has expired or was not started here: start again."))
        code = request.GET.get("code", "")
        if not code:
            raise IdentityError(
                _("The electronic ID service did not confirm your identity. You can try again.")
            )
        endpoints = self.metadata()
        tokens = self._exchange(endpoints["token_endpoint"], code, pending["verifier"])
        claims = self._verify(tokens.get("id_token"), endpoints["jwks_uri"], pending["nonce"])
        return self._assertion(claims)

    def _exchange(self, token_endpoint: str, code: str, verifier: str) -> dict:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(self.key),
            "code_verifier": verifier,
        }
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        client_id, secret = self.config["CLIENT_ID"], self.config["CLIENT_SECRET"]
        if self.config["TOKEN_AUTH"] == "client_secret_post":  # noqa: S105 -- a method name
            form |= {"client_id": client_id, "client_secret": secret}
        else:
            pair = f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        request = urllib.request.Request(  # noqa: S310 -- checked by _require_web_url
            token_endpoint,
            data=urllib.parse.urlencode(form).encode("ascii"),
            headers=headers,
            method="POST",
        )
        tokens = self._fetch(request)
        if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
            raise IdentityError(
                _("The electronic ID service did not confirm your identity. You can try again.")
            )
        return tokens

    def _verify(self, id_token: str, jwks_uri: str, nonce: str) -> dict:
        client = _key_clients.get(jwks_uri)
        if client is None:
            client = _key_clients[jwks_uri] = jwt.PyJWKClient(
                jwks_uri, timeout=self.config["TIMEOUT"]
            )
        client_id = self.config["CLIENT_ID"]
        try:
            key = client.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(
                id_token,
                key.key,
                algorithms=self.config["ALGORITHMS"],
                audience=client_id,
                issuer=self.config["ISSUER"].rstrip("/"),
                leeway=60,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            logger.warning("ID token from %s refused: %s", self.config["ISSUER"], error)
            raise IdentityError(
                _("The answer of the electronic ID service could not be verified. Try again.")
            ) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if not secrets.compare_digest(str(claims.get("nonce", "")), nonce) or (
            len(audiences) > 1 and claims.get("azp") != client_id
        ):
            raise IdentityError(
                _("The answer of the electronic ID service could not be verified. Try again.")
            )
        return claims

    def _assertion(self, claims: dict) -> IdentityAssertion:
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        if not isinstance(name, str) or not name.strip():
            raise IdentityError(_("The electronic ID service did not give your name."))
        level = self._level(claims)
        minimum = LevelOfAssurance(self.config["MIN_LOA"])
        if level.rank < minimum.rank:
            raise IdentityError(
                _(
                    "This electronic ID gives a %(level)s level of assurance; this check needs "
                    "at least %(minimum)s. Use another means of electronic identification."
                )
                % {"level": LOA_LABELS[level], "minimum": LOA_LABELS[minimum]}
            )
        issuer = claims["iss"]
        return IdentityAssertion(
            adapter=self.key,
            adapter_label=str(self.label),
            verified_name=name.strip()[:200],
            level_of_assurance=level,
            issuer=issuer,
            subject_hash=subject_hash(issuer, str(claims["sub"])),
            asserted_at=timezone.now().isoformat(),
        )

    def _level(self, claims: dict) -> LevelOfAssurance:
        acr = str(claims.get(self.config["LOA_CLAIM"]) or "")
        mapped = {**EIDAS_LOA, **self.config["LOA_MAP"]}.get(acr)
        return LevelOfAssurance(mapped or self.config["DEFAULT_LOA"])
