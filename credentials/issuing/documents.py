"""The Open Badges 3.0 micro-credential document, with every EU element machine-readable.

:func:`build_credential` returns the unsigned ``OpenBadgeCredential`` (VC Data Model 2.0,
``achievementType: MicroCredential``). Where OB 3.0 has a field for an element of the Council
Recommendation of 16 June 2022 (Annex I) it is used (standards.md 3.7); the rest are terms of our
extension context :data:`EXTENSION_CONTEXT` (protected; one permanent IRI for every instance and
release, shipped in ``credentials/contexts/`` with its SHA-256 and pinned in each credential by
``relatedResource`` + ``digestSRI``; decision 0013). Credentials issued before it name the
instance's own copy of the older context (:func:`extension_context_url`), which the loader keeps
resolving:

================================  =====================================================
EU element                        Where
================================  =====================================================
identification of the learner     ``credentialSubject.identifier[]`` (name; salted e-mail hash)
title                             ``achievement.name`` (+ ``name``, ``localizedName`` pl/en)
country/region of the issuer      ``issuer.address.addressCountryCode`` / ``addressRegion``
                                  (+ ``regionCode``: NUTS)
awarding body                     ``issuer`` (Profile, did:web) and ``achievement.creator``
date of issuing                   ``validFrom`` and ``awardedDate``
learning outcomes                 ``achievement.resultDescription[]`` (one per outcome),
                                  ``credentialSubject.result[]`` (those recognised),
                                  ``achievement.alignment[]`` (ESCO skills),
                                  ``achievement.criteria.narrative``
notional workload                 ``achievement.creditPoint`` (ELM: ECTS framework, points)
                                  + ``workloadHours``
level                             ``achievement.alignment[]`` (EQF, PRK) + ``eqfLevel``,
                                  ``nqfLevel``/``nqfFramework``
type of assessment                ``assessmentType`` (+ ``recognitionOfPriorLearning``)
form of participation             ``participationForm``
type of quality assurance         ``qualityAssurance``, ``qualityAssuranceReference``
supervision and identity check    ``credentialSubject.supervisionAndIdentityVerification``
grade (with its scale)            ``achievement.resultDescription[#grade]`` and a ``Result``
(status: revocation, suspension)  ``credentialStatus``: one two-bit ``message`` entry (valid,
                                  suspended, revoked), as the OB 3.0 schema allows one object
                                  (docs/decisions/0012); credentials issued before it have a
                                  revocation entry and a ``suspensionStatus``
prerequisites, grading scheme,    ``prerequisites``, ``gradingScheme``, ``stackability``,
stackability, further info        ``stacksTowards`` (the target achievement's IRI),
                                  ``stackableTowards``, ``furtherInformation``
(badge)                           ``image`` of the credential and of the achievement
================================  =====================================================

Assessment type, form of participation, quality assurance and supervision are concept IRIs of
the EU's vocabularies (``credentials.catalogue.vocabularies.EU_CONCEPTS``; ours where the EU has
none); the other controlled values are the codes of that module. Signing expands the document
strictly (``rpl.lib.jsonld_strict``): a term no context defines is an error, and nothing is issued.
"""

import base64
import hashlib
import json
import secrets
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.urls import reverse
from django.utils import translation

from credentials.catalogue.models import split_lines
from credentials.catalogue.vocabularies import (
    ECTS,
    GRADE_SCALES,
    AssessmentType,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Supervision,
    code_of,
    concept,
)
from credentials.issuing import holders, keys
from rpl.bilingual import current_language
from rpl.lib.data_integrity import format_datetime
from rpl.lib.jsonld_loader import CONTEXTS_DIR, CREDENTIALS_V2, OB_V3P0_CONTEXT
from rpl.site import absolute

EXTENSION_CONTEXT = "https://w3id.org/rpl-engine/eu-microcredential/v1"
# The context credentials issued before EXTENSION_CONTEXT name, at the issuing instance's URL.
EXTENSION_CONTEXT_FILE = (
    Path(__file__).resolve().parents[1] / "extension" / "rpl-eu-microcredential-v1.jsonld"
)
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
EXTENSION_VOCAB = "https://w3id.org/rpl-engine/eu-microcredential/v1#"
OB_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_SCHEMA_FILE = (
    Path(__file__).resolve().parents[1] / "schemas" / "ob_v3p0_achievementcredential_schema.json"
)
PERMANENT_CONTEXT_FILE = "eu-microcredential-v1.jsonld"
EQF_URL = "http://data.europa.eu/snb/eqf/{level}"
PRK_URL = "https://kwalifikacje.gov.pl/"


@cache
def extension_context() -> dict[str, Any]:
    return json.loads(Path(EXTENSION_CONTEXT_FILE).read_text(encoding="utf-8"))


def extension_context_url() -> str:
    return absolute(reverse("issued:context", kwargs={"name": EXTENSION_CONTEXT_FILE.name}))


@cache
def extension_context_digest() -> str:
    """:data:`EXTENSION_CONTEXT`'s ``digestSRI``: SHA-384 of the shipped file's bytes."""
    raw = (CONTEXTS_DIR / PERMANENT_CONTEXT_FILE).read_bytes()
    return "sha384-" + base64.b64encode(hashlib.sha384(raw).digest()).decode("ascii")


def badge_image(specification) -> dict[str, Any]:
    """The specification's badge as an OB 3.0 ``Image``."""
    url = reverse("issued:badge", kwargs={"slug": specification.slug, "fmt": "png"})
    return {"id": absolute(url), "type": "Image", "caption": _text(specification, "title")}


def extra_contexts() -> dict[str, dict[str, Any]]:
    """The contexts the loader needs besides the shipped ones: our extension context (the
    parsed file, shared: read it, never change it; the loader keeps its own copy)."""
    return {extension_context_url(): extension_context()}


def credential_url(public_id) -> str:
    return absolute(reverse("issued:credential", kwargs={"public_id": public_id}))


def achievement_url(specification) -> str:
    return absolute(reverse("credentials:detail", kwargs={"slug": specification.slug}))


def _language_map(obj, name: str) -> dict[str, str]:
    return {
        language: getattr(obj, f"{name}_{language}")
        for language in ("en", "pl")
        if getattr(obj, f"{name}_{language}", "").strip()
    }


def _text(obj, name: str) -> str:
    return obj.text(name, "en")


def _hash_identity(value: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _decimal_string(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text else text + ".0"


def learner_identifiers(learner) -> list[dict[str, Any]]:
    """The learner's name in clear (the EU element) and e-mail address as a salted hash."""
    name = learner.get_full_name() or learner.email
    salt = secrets.token_hex(8)
    return [
        {"type": "IdentityObject", "hashed": False, "identityHash": name, "identityType": "name"},
        {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": _hash_identity(learner.email.strip().lower(), salt),
            "identityType": "emailAddress",
            "salt": salt,
        },
    ]


def issuer_profile(organisation) -> dict[str, Any]:
    address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": organisation.country}
    if organisation.region:
        address["addressRegion"] = organisation.region
    if organisation.region_code:
        address["regionCode"] = organisation.region_code
    profile: dict[str, Any] = {
        "id": keys.organisation_did(organisation),
        "type": ["Profile"],
        "name": organisation.text("name", "en"),
        "localizedName": _language_map(organisation, "name"),
        "address": address,
    }
    if organisation.website:
        profile["url"] = organisation.website
    if organisation.identifier:
        profile["otherIdentifier"] = [
            {
                "type": "IdentifierEntry",
                "identifier": organisation.identifier,
                "identifierType": "identifier",
            }
        ]
    return profile


def _outcome_id(achievement_id: str, outcome) -> str:
    return f"{achievement_id}#outcome-{outcome.position}"


def _alignments(specification, outcomes) -> list[dict[str, Any]]:
    alignments = []
    if specification.eqf_level:
        level = specification.eqf_level
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {level}",
                "targetUrl": EQF_URL.format(level=level),
                "targetFramework": "European Qualifications Framework",
                "targetCode": str(level),
                "targetType": "ext:EQF",
            }
        )
    if specification.prk_level:
        level = specification.prk_level
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"PRK level {level}",
                "targetUrl": PRK_URL,
                "targetFramework": "Polska Rama Kwalifikacji (Polish Qualifications Framework)",
                "targetCode": str(level),
                "targetType": "ext:NQF",
            }
        )
    for outcome in outcomes:
        if outcome.esco_uri:
            alignments.append(
                {
                    "type": ["Alignment"],
                    "targetName": _text(outcome, "statement")[:300],
                    "targetUrl": outcome.esco_uri,
                    "targetFramework": "ESCO",
                    "targetType": "ext:ESCOSkill",
                }
            )
    return alignments


def _criteria_narrative(outcomes) -> str:
    lines = []
    for outcome in outcomes:
        lines.append(f"{outcome.position}. {_text(outcome, 'statement')}")
        for criterion in split_lines(outcome.criteria_en or outcome.criteria_pl):
            lines.append(f"   - {criterion}")
    return "\n".join(lines) or "Recognition of prior learning against the published criteria."


def _english(label) -> str:
    with translation.override("en"):
        return str(label)


def _grade_id(achievement_id: str) -> str:
    return f"{achievement_id}#grade"


def _grade_description(specification, achievement_id: str) -> dict[str, Any]:
    """The grading scale as an OB 3.0 ResultDescription: its type and the values it allows."""
    scale = GRADE_SCALES[specification.grading]
    description: dict[str, Any] = {
        "id": _grade_id(achievement_id),
        "type": ["ResultDescription"],
        "name": _english(Grading(specification.grading).label),
        "resultType": scale.result_type,
    }
    if scale.allowed:
        description["allowedValue"] = list(scale.allowed)
    if scale.minimum:
        description["valueMin"] = scale.minimum
        description["valueMax"] = scale.maximum
    return description


def _achievement(specification, outcomes, organisation) -> dict[str, Any]:
    achievement_id = achievement_url(specification)  # every id below is built on it
    achievement: dict[str, Any] = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _text(specification, "title"),
        "localizedName": _language_map(specification, "title"),
        "description": _text(specification, "description") or _text(specification, "title"),
        "criteria": {
            "id": achievement_id,
            "narrative": _criteria_narrative(outcomes),
        },
        "creator": {"id": keys.organisation_did(organisation), "type": ["Profile"]},
        "inLanguage": "en",
        "version": str(specification.version),
        "specificationVersion": specification.version,
        "humanCode": specification.slug,
        "image": badge_image(specification),
    }
    if specification.workload_ects is not None:
        achievement["creditPoint"] = {
            "type": "CreditPoint",
            "framework": ECTS.iri,
            "point": _decimal_string(specification.workload_ects),
        }
    if specification.workload_hours:
        achievement["workloadHours"] = specification.workload_hours
    if specification.field_of_study:
        achievement["fieldOfStudy"] = specification.get_field_of_study_display()
        achievement["fieldOfEducation"] = f"ISCED-F:{specification.field_of_study}"
    alignments = _alignments(specification, outcomes)
    if alignments:
        achievement["alignment"] = alignments
    if specification.eqf_level:
        achievement["eqfLevel"] = EQF_URL.format(level=specification.eqf_level)
    if specification.prk_level:
        achievement["nqfLevel"] = specification.prk_level
        achievement["nqfFramework"] = "PRK"
    achievement["resultDescription"] = [
        {
            "id": _outcome_id(achievement_id, outcome),
            "type": ["ResultDescription"],
            "name": _text(outcome, "statement")[:1000],
            "localizedName": _language_map(outcome, "statement"),
            "resultType": "Status",
            "allowedValue": ["Completed"],
        }
        for outcome in outcomes
    ]
    if specification.grading:
        achievement["resultDescription"].append(_grade_description(specification, achievement_id))
    for term, choices, code in (
        ("assessmentType", AssessmentType, specification.assessment_type),
        ("participationForm", ParticipationForm, specification.participation_form),
        ("qualityAssurance", QualityAssurance, specification.quality_assurance),
    ):
        if code:
            achievement[term] = concept(choices, code).iri
    optional_codes = {
        "qualityAssuranceReference": specification.quality_assurance_reference,
        "gradingScheme": specification.grading,
        "stackability": specification.stackability,
        "stacksTowards": specification.stackable_towards_url,
    }
    achievement.update({name: value for name, value in optional_codes.items() if value})
    for term, field in (
        ("prerequisites", "prerequisites"),
        ("stackableTowards", "stackable_towards"),
        ("furtherInformation", "further_information"),
    ):
        values = _language_map(specification, field)
        if values:
            achievement[term] = values
    return achievement


def build_credential(
    *,
    public_id,
    learner,
    specification,
    organisation,
    outcomes,
    recognised_outcomes,
    supervision: str,
    issued_at: datetime,
    valid_until: datetime | None,
    status_entry: dict[str, Any],
    grade: str | None = None,
) -> dict[str, Any]:
    """The unsigned credential. ``outcomes`` are all the specification's learning outcomes,
    ``recognised_outcomes`` those the decision recognised (a subset, in the same order)."""
    recognised = list(recognised_outcomes)
    achievement = _achievement(specification, outcomes, organisation)
    subject: dict[str, Any] = {
        # The holder's wallet DID, or a stable identifier of them at this issuer (holders.py).
        "id": holders.subject_id(learner, organisation),
        "type": ["AchievementSubject"],
        "identifier": learner_identifiers(learner),
        "achievement": achievement,
        "supervisionAndIdentityVerification": concept(Supervision, supervision).iri,
        "recognitionOfPriorLearning": True,
        "result": [
            {
                "type": ["Result"],
                "resultDescription": _outcome_id(achievement["id"], outcome),
                "status": "Completed",
            }
            for outcome in recognised
        ],
    }
    if grade:
        grade_result: dict[str, Any] = {"type": ["Result"], "value": str(grade)}
        if specification.grading:
            grade_result["resultDescription"] = _grade_id(achievement["id"])
        subject["result"].append(grade_result)
    if not subject["result"]:
        del subject["result"]
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3P0_CONTEXT, OB_EXTENSIONS, EXTENSION_CONTEXT],
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _text(specification, "title"),
        "localizedName": _language_map(specification, "title"),
        "image": dict(achievement["image"]),
        "issuer": issuer_profile(organisation),
        "validFrom": format_datetime(issued_at),
        "awardedDate": format_datetime(issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": status_entry,
        "euMicroCredentialSchemeVersion": "2022/C 243/02",
        "relatedResource": [{"id": EXTENSION_CONTEXT, "digestSRI": extension_context_digest()}],
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


@cache
def ob_schema() -> dict[str, Any]:
    return json.loads(OB_SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_errors(credential: dict[str, Any]) -> list[str]:
    """Where ``credential`` breaks the official OB 3.0 JSON Schema (offline; draft 2019-09)."""
    from jsonschema import Draft201909Validator

    validator = Draft201909Validator(ob_schema())
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '$'}: {error.message}"
        for error in validator.iter_errors(credential)
    ]


# Reading an issued credential back, for pages and the PDF --------------------------------------


def _code_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _concept_label(choices, value) -> str:
    """The label of a concept IRI, or of the code an older credential carries."""
    code = code_of(choices, str(value or ""))
    return str(choices(code).label) if code else str(value or "")


def _grade(achievement, subject) -> str:
    """The grade achieved and, from its ResultDescription, the scale it is on."""
    from django.utils.translation import gettext as _

    scales = {
        item.get("id"): item
        for item in achievement.get("resultDescription") or []
        if isinstance(item, dict)
    }
    for result in subject.get("result") or []:
        if not isinstance(result, dict) or "value" not in result:
            continue
        scale = scales.get(result.get("resultDescription")) or {}
        if scale.get("allowedValue"):
            values = ", ".join(scale["allowedValue"])
            return _("%(grade)s (scale: %(values)s)") % {"grade": result["value"], "values": values}
        if scale.get("valueMax"):
            return _("%(grade)s (scale: %(min)s to %(max)s)") % {
                "grade": result["value"],
                "min": scale.get("valueMin", ""),
                "max": scale["valueMax"],
            }
        return str(result["value"])
    return ""


def _localized(values, fallback: str = "") -> str:
    if not isinstance(values, dict):
        return fallback
    language = current_language()
    return values.get(language) or values.get("en") or values.get("pl") or fallback


def describe(credential: dict[str, Any]) -> dict[str, Any]:
    """What a person reads about a credential (in the active language), from the document itself
    so that it shows what was signed even if the specification changed later.

    Returns ``title``, ``learner``, ``issuer``, ``issued``, ``valid_until``, ``outcomes``
    (recognised learning outcome statements) and ``elements`` (``(label, value)`` pairs of the EU
    elements, every value a string)."""
    from django.utils.translation import gettext as _

    subject = credential.get("credentialSubject") or {}
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") or {}
    issuer = credential.get("issuer") or {}
    address = issuer.get("address") or {}
    identifiers = subject.get("identifier") or []
    learner = next(
        (
            entry.get("identityHash")
            for entry in identifiers
            if isinstance(entry, dict) and entry.get("identityType") == "name"
        ),
        "",
    )
    title = _localized(achievement.get("localizedName"), achievement.get("name", ""))
    issuer_name = _localized(issuer.get("localizedName"), issuer.get("name", ""))
    descriptions = {
        item.get("id"): _localized(item.get("localizedName"), item.get("name", ""))
        for item in achievement.get("resultDescription") or []
        if isinstance(item, dict)
    }
    outcomes = [
        descriptions.get(result.get("resultDescription"), "")
        for result in subject.get("result") or []
        if result.get("resultDescription")
    ]
    issued = _parse(credential.get("validFrom"))
    valid_until = _parse(credential.get("validUntil"))
    na = _("Not specified")

    def level() -> str:
        parts = []
        for alignment in achievement.get("alignment") or []:
            if alignment.get("targetType") == "ext:EQF":
                parts.append(_("EQF level %(level)s") % {"level": alignment.get("targetCode")})
            elif alignment.get("targetType") == "ext:NQF":
                parts.append(_("PRK level %(level)s") % {"level": alignment.get("targetCode")})
        return ", ".join(parts) or na

    def workload() -> str:
        parts = []
        credit = achievement.get("creditPoint") or {}
        ects = credit.get("point") if credit.get("framework") == ECTS.iri else None
        ects = ects or achievement.get("ectsCredits")  # credentials issued before decision 0013
        if ects:
            parts.append(_("%(ects)s ECTS credits") % {"ects": ects})
        if achievement.get("workloadHours"):
            parts.append(_("%(hours)s hours") % {"hours": achievement["workloadHours"]})
        return ", ".join(parts) or na

    region = ", ".join(
        filter(None, [address.get("addressCountryCode"), address.get("addressRegion")])
    )
    if address.get("regionCode"):
        region += f" (NUTS {address['regionCode']})"
    supervision = subject.get("supervisionAndIdentityVerification")
    supervision_label = _concept_label(Supervision, supervision) or na
    qa = _concept_label(QualityAssurance, achievement.get("qualityAssurance")) or na
    if achievement.get("qualityAssuranceReference"):
        qa += f" ({achievement['qualityAssuranceReference']})"
    stack = _code_label(Stackability, achievement.get("stackability") or "") or na
    towards = _localized(achievement.get("stackableTowards"))
    if towards:
        stack += " — " + towards
    if achievement.get("stacksTowards"):
        stack += f" ({achievement['stacksTowards']})"
    elements = [
        (_("Learner"), learner or na),
        (_("Title"), title),
        (_("Awarding body"), issuer_name),
        (_("Country and region of the awarding body"), region or na),
        (_("Date of issue"), issued.date().isoformat() if issued else na),
        (_("Notional workload"), workload()),
        (_("Level"), level()),
        (
            _("Type of assessment"),
            _concept_label(AssessmentType, achievement.get("assessmentType")) or na,
        ),
        (
            _("Form of participation"),
            _concept_label(ParticipationForm, achievement.get("participationForm")) or na,
        ),
        (_("Type of quality assurance"), qa),
        (_("Supervision and identity verification"), supervision_label),
        (_("Prerequisites"), _localized(achievement.get("prerequisites")) or _("None")),
        (_("Grading scheme"), _code_label(Grading, achievement.get("gradingScheme") or "") or na),
        (_("Grade achieved"), _grade(achievement, subject) or na),
        (_("Integration and stackability"), stack),
        (_("Valid until"), valid_until.date().isoformat() if valid_until else _("Does not expire")),
        (_("Further information"), _localized(achievement.get("furtherInformation")) or _("None")),
    ]
    return {
        "title": title,
        "learner": learner,
        "issuer": issuer_name,
        "issuer_id": issuer.get("id", ""),
        "issued": issued,
        "valid_until": valid_until,
        "outcomes": outcomes,
        "elements": elements,
        "id": credential.get("id", ""),
    }


def _parse(value):
    from datetime import datetime as _datetime

    if not isinstance(value, str):
        return None
    try:
        return _datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
