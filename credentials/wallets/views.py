"""OpenID4VCI 1.0 issuer endpoints (public, for wallets), the SD-JWT VC type metadata and Token
Status Lists (public), and the page where a candidate offers a credential to their EU wallet.

The site is both the Credential Issuer and the Authorization Server of the pre-authorized code
flow; the wallet is anonymous (``pre-authorized_grant_anonymous_access_supported``).
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from credentials.issuing import status_lists
from credentials.issuing.models import IssuedCredential
from credentials.wallets import offers, sd_jwt, status_tokens
from credentials.wallets.proofs import ALGORITHMS
from rpl.accounts.access import role_required
from rpl.accounts.roles import Role
from rpl.lib import token_status_list
from rpl.pdf import qr_data_uri


def _public(data: dict, max_age: int = 3600) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _no_store(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _error(refused: offers.OfferRefused) -> JsonResponse:
    body = {"error": refused.error, "error_description": str(refused)}
    if refused.error == "invalid_token":
        response = _no_store(body, status=401)
        response["WWW-Authenticate"] = f'Bearer error="{refused.error}"'
        return response
    return _no_store(body, status=400)


def _in_each_language(describe) -> list[dict]:
    entries = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            entries.append(describe(code))
    return entries


# Metadata -------------------------------------------------------------------------------------


@require_GET
def issuer_metadata(request):
    claims = [
        {
            "path": [name],
            "display": _in_each_language(
                lambda code, label=label: {"name": str(label), "locale": code}
            ),
        }
        for name, label in sd_jwt.CLAIMS
    ]
    configuration = {
        "format": "dc+sd-jwt",
        "vct": sd_jwt.vct(),
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": ["EdDSA"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": list(ALGORITHMS)}},
        "credential_metadata": {
            "display": _in_each_language(
                lambda code: {
                    "name": str(sd_jwt.TYPE_NAME),
                    "description": str(sd_jwt.TYPE_DESCRIPTION),
                    "locale": code,
                }
            ),
            "claims": claims,
        },
    }
    return _public(
        {
            "credential_issuer": offers.credential_issuer(),
            "credential_endpoint": offers.endpoint("credential"),
            "nonce_endpoint": offers.endpoint("nonce"),
            "display": [{"name": settings.SITE_NAME}],
            "credential_configurations_supported": {sd_jwt.CONFIGURATION_ID: configuration},
        }
    )


@require_GET
def authorization_server_metadata(request):
    return _public(
        {
            "issuer": offers.credential_issuer(),
            "token_endpoint": offers.endpoint("token"),
            "grant_types_supported": [offers.PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": True,
            "response_types_supported": [],
        }
    )


@require_GET
def type_metadata(request):
    return _public(
        {
            "vct": sd_jwt.vct(),
            "name": "EU micro-credential (RPL)",
            "display": _in_each_language(
                lambda code: {
                    "locale": code,
                    "name": str(sd_jwt.TYPE_NAME),
                    "description": str(sd_jwt.TYPE_DESCRIPTION),
                }
            ),
            "claims": [
                {
                    "path": [name],
                    "display": _in_each_language(
                        lambda code, label=label: {"locale": code, "label": str(label)}
                    ),
                    "sd": "always",
                }
                for name, label in sd_jwt.CLAIMS
            ],
        },
        max_age=86400,
    )


@require_GET
def status_list_token(request, org, number):
    token = status_tokens.status_token(org, number)
    if token is None:
        raise Http404
    response = HttpResponse(token, content_type=token_status_list.MEDIA_TYPE)
    response["Cache-Control"] = f"public, max-age={status_lists.TTL_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# The pre-authorized code flow -------------------------------------------------------------------


@csrf_exempt
@require_POST
def token(request):
    if request.POST.get("grant_type") != offers.PRE_AUTHORIZED_GRANT:
        return _error(offers.OfferRefused("unsupported_grant_type", "only pre-authorized_code"))
    try:
        access_token, seconds = offers.redeem(
            request.POST.get("pre-authorized_code", ""), request.POST.get("tx_code")
        )
    except offers.OfferRefused as refused:
        return _error(refused)
    return _no_store({"access_token": access_token, "token_type": "Bearer", "expires_in": seconds})


@csrf_exempt
@require_POST
def nonce(request):
    return _no_store({"c_nonce": offers.new_nonce()})


def _proof(body: dict):
    """The single ``jwt`` proof of a credential request (``proofs``, or the older ``proof``)."""
    jwts = (body.get("proofs") or {}).get("jwt")
    if isinstance(jwts, list) and len(jwts) == 1:
        return jwts[0]
    proof = body.get("proof") or {}
    return proof.get("jwt") if proof.get("proof_type") == "jwt" else None


@csrf_exempt
@require_POST
def credential(request):
    scheme, _space, access_token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not access_token:
        return _error(offers.OfferRefused("invalid_token", "a Bearer access token is required"))
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error(offers.OfferRefused("invalid_credential_request", "a JSON object"))
    if body.get("credential_configuration_id") != sd_jwt.CONFIGURATION_ID:
        return _error(
            offers.OfferRefused("unknown_credential_configuration", sd_jwt.CONFIGURATION_ID)
        )
    proof = _proof(body)
    if not isinstance(proof, str):
        return _error(offers.OfferRefused("invalid_proof", "one jwt proof is required"))
    try:
        issued = offers.deliver(access_token, proof)
    except offers.OfferRefused as refused:
        return _error(refused)
    return _no_store({"credentials": [{"credential": issued}]})


# The candidate's offer page ---------------------------------------------------------------------


@never_cache
@role_required(Role.CANDIDATE)
@require_POST
def offer(request, public_id):
    """A new one-time offer of the candidate's credential: its QR code, link and code are shown
    once, in this response."""
    credential = get_object_or_404(
        IssuedCredential.objects.select_related("specification"),
        public_id=public_id,
        learner=request.user,
    )
    refusal = offers.offer_refusal(credential)
    new = None if refusal else offers.make_offer(credential)
    return render(
        request,
        "credentials/wallets/offer.html",
        {
            "credential": credential,
            "refusal": refusal,
            "new": new,
            "qr": qr_data_uri(new.uri) if new else None,
            "nav": "wallet",
        },
        status=409 if refusal else 200,
    )
