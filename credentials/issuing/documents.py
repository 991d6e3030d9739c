"""The Open Badges 3.0 micro-credential document, with every EU element machine-readable.

:func:`build_credential` returns the unsigned ``OpenBadgeCredential`` (VC Data Model 2.0,
``achievementType: MicroCredential``). Where OB 3.0 has a field for an element of the Council
Recommendation of 16 June 2022 (Annex I) it is used (standards.md 3.7); the rest are terms of our
extension context ``rpl-eu-microcredential-v1.jsonld`` (protected, versioned, shipped in
``credentials/contexts/`` and served by the instance at :func:`extension_context_url`):

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
notional workload                 ``achievement.creditsAvailable`` / ``creditsEarned`` (ECTS)
                                  + ``ectsCredits`` and ``workloadHours``
level                             ``achievement.alignment[]`` (EQF, PRK) + ``eqfLevel``,
                                  ``nqfLevel``/``nqfFramework``
type of assessment                ``assessmentType`` (+ ``recognitionOfPriorLearning``)
form of participation             ``participationForm``
type of quality assurance         ``qualityAssurance``, ``qualityAssuranceReference``
supervision and identity check    ``credentialSubject.supervisionAndIdentityVerification``
(status: revocation, suspension)  ``credentialStatus`` (revocation) and ``suspensionStatus``, a
                                  second ``cred:credentialStatus``: the OB 3.0 schema allows
                                  only one object under ``credentialStatus``
prerequisites, grading scheme,    ``prerequisites``, ``gradingScheme``, ``stackability``,
stackability, further info        ``stackableTowards``, ``furtherInformation``
================================  =====================================================

Controlled values are the codes of ``credentials.catalogue.vocabularies`` (``prior_learning``,
``online``...), the supervision code in upper case. The document is checked
with the strict JSON-LD expansion before it is signed: a term no context defines is an error.
"""

import copy
import hashlib
import json
import secrets
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.urls import reverse

from credentials.catalogue.models import split_lines
from credentials.catalogue.vocabularies import (
    AssessmentType,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Supervision,
)
from credentials.issuing import keys
from rpl.bilingual import current_language
from rpl.lib.data_integrity import format_datetime
from rpl.lib.jsonld_loader import CREDENTIALS_V2, OB_V3P0_CONTEXT, get_loader
from rpl.lib.jsonld_strict import expand_strict
from rpl.site import absolute

# Our own context, served by the instance; the third-party contexts live in ``contexts/``.
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
EQF_URL = "http://data.europa.eu/snb/eqf/{level}"
PRK_URL = "https://kwalifikacje.gov.pl/"


@cache
def extension_context() -> dict[str, Any]:
    return json.loads(Path(EXTENSION_CONTEXT_FILE).read_text(encoding="utf-8"))


def extension_context_url() -> str:
    return absolute(reverse("issued:context", kwargs={"name": EXTENSION_CONTEXT_FILE.name}))


def extra_contexts() -> dict[str, dict[str, Any]]:
    """The contexts the loader needs besides the shipped ones: our extension context."""
    return {extension_context_url(): copy.deepcopy(extension_context())}


def loader():
    return get_loader(extra_contexts())


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


def _outcome_id(specification, outcome) -> str:
    return f"{achievement_url(specification)}#outcome-{outcome.position}"


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


def _achievement(specification, outcomes, organisation) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": achievement_url(specification),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _text(specification, "title"),
        "localizedName": _language_map(specification, "title"),
        "description": _text(specification, "description") or _text(specification, "title"),
        "criteria": {
            "id": achievement_url(specification),
            "narrative": _criteria_narrative(outcomes),
        },
        "creator": {"id": keys.organisation_did(organisation), "type": ["Profile"]},
        "inLanguage": "en",
        "version": str(specification.version),
        "specificationVersion": specification.version,
        "humanCode": specification.slug,
    }
    if specification.workload_ects is not None:
        achievement["creditsAvailable"] = float(specification.workload_ects)
        achievement["ectsCredits"] = _decimal_string(specification.workload_ects)
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
            "id": _outcome_id(specification, outcome),
            "type": ["ResultDescription"],
            "name": _text(outcome, "statement")[:1000],
            "localizedName": _language_map(outcome, "statement"),
            "resultType": "Status",
            "allowedValue": ["Completed"],
        }
        for outcome in outcomes
    ]
    optional_codes = {
        "assessmentType": specification.assessment_type,
        "participationForm": specification.participation_form,
        "qualityAssurance": specification.quality_assurance,
        "qualityAssuranceReference": specification.quality_assurance_reference,
        "gradingScheme": specification.grading,
        "stackability": specification.stackability,
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
    revocation_entry: dict[str, Any],
    suspension_entry: dict[str, Any],
    grade: str | None = None,
) -> dict[str, Any]:
    """The unsigned credential. ``outcomes`` are all the specification's learning outcomes,
    ``recognised_outcomes`` those the decision recognised (a subset, in the same order)."""
    recognised = list(recognised_outcomes)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": learner_identifiers(learner),
        "achievement": _achievement(specification, outcomes, organisation),
        "supervisionAndIdentityVerification": str(supervision),
        "recognitionOfPriorLearning": True,
        "result": [
            {
                "type": ["Result"],
                "resultDescription": _outcome_id(specification, outcome),
                "status": "Completed",
            }
            for outcome in recognised
        ],
    }
    if grade:
        subject["result"].append({"type": ["Result"], "value": str(grade)})
    if specification.workload_ects is not None and len(recognised) == len(list(outcomes)):
        subject["creditsEarned"] = float(specification.workload_ects)
    if not subject["result"]:
        del subject["result"]
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3P0_CONTEXT, OB_EXTENSIONS, extension_context_url()],
        "id": credential_url(public_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": _text(specification, "title"),
        "localizedName": _language_map(specification, "title"),
        "issuer": issuer_profile(organisation),
        "validFrom": format_datetime(issued_at),
        "awardedDate": format_datetime(issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
        # OB 3.0 allows one credentialStatus object; the suspension entry is a second
        # cred:credentialStatus value under our term (the same RDF as a VCDM 2.0 array).
        "credentialStatus": revocation_entry,
        "suspensionStatus": suspension_entry,
        "euMicroCredentialSchemeVersion": "2022/C 243/02",
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    check_terms(credential)
    return credential


def check_terms(credential: dict[str, Any]) -> None:
    """Raise :class:`~rpl.lib.jsonld_strict.UndefinedTermError` for a term no context defines."""
    expand_strict(credential, loader())


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
        if achievement.get("ectsCredits"):
            parts.append(_("%(ects)s ECTS credits") % {"ects": achievement["ectsCredits"]})
        if achievement.get("workloadHours"):
            parts.append(_("%(hours)s hours") % {"hours": achievement["workloadHours"]})
        return ", ".join(parts) or na

    region = ", ".join(
        filter(None, [address.get("addressCountryCode"), address.get("addressRegion")])
    )
    if address.get("regionCode"):
        region += f" (NUTS {address['regionCode']})"
    supervision = subject.get("supervisionAndIdentityVerification")
    try:
        supervision_label = str(Supervision(str(supervision).lower()).label)
    except (KeyError, ValueError):
        supervision_label = str(supervision or na)
    qa = _code_label(QualityAssurance, achievement.get("qualityAssurance") or "") or na
    if achievement.get("qualityAssuranceReference"):
        qa += f" ({achievement['qualityAssuranceReference']})"
    stack = _code_label(Stackability, achievement.get("stackability") or "") or na
    towards = _localized(achievement.get("stackableTowards"))
    if towards:
        stack += " — " + towards
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
            _code_label(AssessmentType, achievement.get("assessmentType") or "") or na,
        ),
        (
            _("Form of participation"),
            _code_label(ParticipationForm, achievement.get("participationForm") or "") or na,
        ),
        (_("Type of quality assurance"), qa),
        (_("Supervision and identity verification"), supervision_label),
        (_("Prerequisites"), _localized(achievement.get("prerequisites")) or _("None")),
        (_("Grading scheme"), _code_label(Grading, achievement.get("gradingScheme") or "") or na),
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
