"""An issued credential as a European Digital Credential (ELM 3, the EDC application profile),
unsigned: what Europass and the EU's issuing tools accept, for an operator's seal
(:mod:`credentials.elm.sealing`).

It is mapped from the same record as the signed Open Badges 3.0 document: the learner's
identifier, the dates, the status entry and the grade come from that document; the specification's
elements from the catalogue. The status is not copied: ``credentialStatus`` names the same
Bitstring Status List entry as the OB 3.0 credential, so revoking or suspending shows in both.
"""

import base64
from typing import Any

from django.utils import translation

from credentials.catalogue.vocabularies import SNB, Concept, Supervision, concept
from credentials.elm import nodes
from credentials.issuing import badges
from credentials.issuing.models import IssuedCredential

EDC_SHAPES = "http://data.europa.eu/snb/model/ap/edc-generic-full"
GENERIC_PROFILE = Concept(SNB + "credential/e34929035b", SNB + "credential/25831c2", "Generic")
FILE_TYPE_AUTHORITY = "http://publications.europa.eu/resource/authority/file-type"
PNG = Concept(FILE_TYPE_AUTHORITY + "/PNG", FILE_TYPE_AUTHORITY, "PNG")
BASE64 = Concept(SNB + "encoding/6146cde7dd", SNB + "encoding/25831c2", "base64")


def credential_id(credential: IssuedCredential) -> str:
    return f"urn:credential:{credential.public_id}"


def europass_credential(credential: IssuedCredential) -> dict[str, Any]:
    """The unsigned ELM 3 document of ``credential``."""
    document = credential.document
    specification = credential.specification
    outcomes = list(specification.outcomes.all())
    cid = credential_id(credential)
    issuer = nodes.organisation_node(credential.organisation)
    awarding = {
        "id": f"{cid}#awarding",
        "type": "AwardingProcess",
        "awardingBody": issuer,
        "awardingDate": document["validFrom"],
    }
    achievement: dict[str, Any] = {
        "id": f"{cid}#achievement",
        "type": "LearningAchievement",
        "title": nodes.texts(specification, "title"),
        "awardedBy": awarding,
        "provenBy": _assessment(credential, document, outcomes, awarding),
        "specifiedBy": nodes.specification_node(specification, outcomes),
    }
    subject = document["credentialSubject"]
    elm: dict[str, Any] = {
        "@context": [nodes.CREDENTIALS_V1, nodes.EDC_CONTEXT],
        "id": cid,
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": nodes.concept_node(GENERIC_PROFILE),
        "identifier": {
            "id": f"{cid}#open-badge",
            "type": "Identifier",
            "schemeName": "Open Badges 3.0",
            "notation": document["id"],
        },
        "credentialSchema": {"id": EDC_SHAPES, "type": "ShaclValidator2017"},
        "issuer": issuer,
        "issued": document["validFrom"],
        "validFrom": document["validFrom"],
        "credentialSubject": {
            "id": subject["id"],
            "type": "Person",
            "fullName": {"en": _learner_name(credential)},
            "hasClaim": achievement,
        },
        "displayParameter": _display(credential, cid),
    }
    if "validUntil" in document:
        elm["validUntil"] = document["validUntil"]
    if status := _status_entry(document):
        # The EDC shapes allow one status, as an xsd:anyURI: the entry's IRI.
        elm["credentialStatus"] = {"@value": status, "@type": "xsd:anyURI"}
    return elm


def _learner_name(credential: IssuedCredential) -> str:
    return credential.learner.get_full_name() or credential.learner.email


def _status_entry(document: dict[str, Any]) -> str | None:
    entries = document.get("credentialStatus") or []
    if isinstance(entries, dict):
        entries = [entries]
    # Credentials issued before the one two-bit entry (decision 0012) name their revocation first.
    return next((entry["id"] for entry in entries if entry.get("id")), None)


def _grade(document: dict[str, Any], recognised: int, total: int) -> dict[str, str]:
    results = document["credentialSubject"].get("result", [])
    grade = next((result["value"] for result in results if "value" in result), None)
    if grade is not None:
        return {"en": str(grade)}
    return {
        "en": f"{recognised} of {total} learning outcomes recognised",
        "pl": f"Uznane efekty uczenia się: {recognised} z {total}",
    }


def _assessment(credential, document, outcomes, awarding) -> dict[str, Any]:
    cid = credential_id(credential)
    specification = credential.specification
    node: dict[str, Any] = {
        "id": f"{cid}#assessment",
        "type": "LearningAssessment",
        "title": {
            "en": "Recognition of prior learning",
            "pl": "Potwierdzenie efektów uczenia się",
        },
        "awardedBy": awarding,
        "grade": nodes.note(
            f"{cid}#grade",
            _grade(document, len(credential.recognised_outcomes), len(outcomes)),
        ),
    }
    if credential.supervision:
        node["idVerification"] = nodes.concept_node(concept(Supervision, credential.supervision))
    if assessment := nodes.assessment_specification(specification):
        node["specifiedBy"] = assessment
    return node


def _display(credential: IssuedCredential, cid: str) -> dict[str, Any]:
    with translation.override("en"):
        image = badges.png(credential.specification)
    english = nodes.language_concept("en")
    return {
        "id": f"{cid}#display",
        "type": "DisplayParameter",
        "title": nodes.texts(credential.specification, "title"),
        "language": [english, nodes.language_concept("pl")],
        "primaryLanguage": english,
        "individualDisplay": {
            "id": f"{cid}#display-en",
            "type": "IndividualDisplay",
            "language": english,
            "displayDetail": {
                "id": f"{cid}#display-en-1",
                "type": "DisplayDetail",
                "page": 1,
                "image": {
                    "id": f"{cid}#badge",
                    "type": "MediaObject",
                    "contentType": nodes.concept_node(PNG),
                    "contentEncoding": nodes.concept_node(BASE64),
                    "content": base64.b64encode(image).decode("ascii"),
                },
            },
        },
    }
