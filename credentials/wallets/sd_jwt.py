"""The micro-credential as an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, ``dc+sd-jwt``), for EU
Digital Identity wallets.

It says what the signed Open Badges 3.0 document says (read from it, so that both forms of one
credential agree), as flat claims, each element of Annex I of the Council Recommendation of 16
June 2022 selectively disclosable (:data:`CLAIMS`). Always visible: ``iss`` (the organisation's
did:web; ``kid`` names its JsonWebKey method), ``iat``, ``nbf``, ``exp``, ``vct`` (our type,
whose metadata is served at that address), ``cnf`` (the wallet's key) and ``status`` (the
credential's entry of its Bitstring Status List, read as a Token Status List:
``credentials.wallets.status_tokens``).
"""

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credentials.issuing import keys
from credentials.issuing.models import IssuedCredential
from credentials.wallets import status_tokens
from rpl.lib import sd_jwt
from rpl.site import absolute

CONFIGURATION_ID = "eu_micro_credential_dc_sd_jwt"
TYPE_NAME = _("EU micro-credential")
TYPE_DESCRIPTION = _(
    "A micro-credential with every element of the EU Council Recommendation of 16 June 2022, "
    "awarded after the recognition of prior learning."
)
CLAIMS = (
    ("learner", _("Learner")),
    ("title", _("Title")),
    ("awarding_body", _("Awarding body")),
    ("awarding_body_location", _("Country and region of the awarding body")),
    ("date_of_issue", _("Date of issue")),
    ("learning_outcomes", _("Recognised learning outcomes")),
    ("workload", _("Notional workload")),
    ("level", _("Level")),
    ("assessment_type", _("Type of assessment")),
    ("participation_form", _("Form of participation")),
    ("quality_assurance", _("Type of quality assurance")),
    ("supervision_and_identity_verification", _("Supervision and identity verification")),
    ("prerequisites", _("Prerequisites")),
    ("grading_scheme", _("Grading scheme")),
    ("grade", _("Grade achieved")),
    ("stackability", _("Integration and stackability")),
    ("further_information", _("Further information")),
    ("open_badge", _("Open Badges 3.0 credential")),
)


def vct() -> str:
    return absolute(reverse("wallets:type_metadata"))


def _timestamp(value: str | None) -> int | None:
    if not value:
        return None
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def _outcomes(subject: dict, achievement: dict) -> list[str]:
    names = {item.get("id"): item.get("name") for item in achievement.get("resultDescription", [])}
    return [
        names[result["resultDescription"]]
        for result in subject.get("result", [])
        if "value" not in result and names.get(result.get("resultDescription"))
    ]


def disclosable_claims(document: dict[str, Any]) -> dict[str, Any]:
    """The Annex I elements of a signed OB 3.0 credential, by claim name (absent ones left out)."""
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    issuer = document["issuer"]
    address = issuer.get("address") or {}
    credit = achievement.get("creditPoint") or {}
    eqf = [
        int(item["targetCode"])
        for item in achievement.get("alignment", [])
        if item.get("targetType") == "ext:EQF"
    ]
    claims = {
        "learner": next(
            (
                item.get("identityHash")
                for item in subject.get("identifier", [])
                if item.get("identityType") == "name"
            ),
            None,
        ),
        "title": achievement.get("name"),
        "awarding_body": {"id": issuer.get("id"), "name": issuer.get("name")},
        "awarding_body_location": {
            name: address[field]
            for name, field in (
                ("country", "addressCountryCode"),
                ("region", "addressRegion"),
                ("nuts", "regionCode"),
            )
            if address.get(field)
        },
        "date_of_issue": (document.get("validFrom") or "")[:10] or None,
        "learning_outcomes": _outcomes(subject, achievement),
        "workload": {
            name: value
            for name, value in (
                ("ects", credit.get("point")),
                ("hours", achievement.get("workloadHours")),
            )
            if value
        },
        "level": {
            name: value
            for name, value in (
                ("eqf", eqf[0] if eqf else None),
                ("nqf", achievement.get("nqfLevel")),
            )
            if value
        },
        "assessment_type": achievement.get("assessmentType"),
        "participation_form": achievement.get("participationForm"),
        "quality_assurance": achievement.get("qualityAssurance"),
        "supervision_and_identity_verification": subject.get("supervisionAndIdentityVerification"),
        "prerequisites": achievement.get("prerequisites"),
        "grading_scheme": achievement.get("gradingScheme"),
        "grade": next(
            (result["value"] for result in subject.get("result", []) if "value" in result), None
        ),
        "stackability": achievement.get("stackability"),
        "further_information": achievement.get("furtherInformation"),
        "open_badge": document.get("id"),
    }
    return {name: value for name, value in claims.items() if value}


def build(credential: IssuedCredential, holder_jwk: dict[str, Any]) -> str:
    """The SD-JWT VC of ``credential`` bound to the wallet key ``holder_jwk``, signed now with the
    organisation's active key."""
    document = credential.document
    key = keys.ensure_key(credential.organisation)
    claims: dict[str, Any] = {
        "iss": keys.organisation_did(credential.organisation),
        "iat": int(timezone.now().timestamp()),
        "nbf": _timestamp(document.get("validFrom")),
        "vct": vct(),
        "cnf": {"jwk": holder_jwk},
        "status": {
            "status_list": {
                "idx": credential.status_index,
                "uri": status_tokens.token_url(credential.status_list),
            }
        },
    }
    expires = _timestamp(document.get("validUntil"))
    if expires is not None:
        claims["exp"] = expires
    return sd_jwt.issue(
        claims, disclosable_claims(document), keys.decrypt_private_key(key), keys.jwt_key_id(key)
    )
