"""Building blocks of ELM 3 documents (JSON-LD in the EDC application profile's context) that the
credential and the catalogue exports share: concepts of the EU's vocabularies, language maps,
notes, the awarding body and the specification."""

from typing import Any

from django.utils import translation

from credentials.catalogue.vocabularies import (
    ECTS,
    SNB,
    AssessmentType,
    Concept,
    FieldOfStudy,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    concept,
)
from credentials.elm.countries import ALPHA3, COUNTRY_AUTHORITY
from credentials.issuing import documents as issuing
from credentials.issuing import keys

CREDENTIALS_V1 = "https://www.w3.org/2018/credentials/v1"
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language"
LANGUAGES = {"en": ("ENG", "English"), "pl": ("POL", "Polish")}
EQF_SCHEME = SNB + "eqf/25831c2"
ISCED_F_SCHEME = SNB + "isced-f/25831c2"
MODE_SCHEME = SNB + "learning-assessment/25831c2"


def concept_node(item: Concept) -> dict[str, Any]:
    return {
        "id": item.iri,
        "type": "Concept",
        "inScheme": {"id": item.scheme, "type": "ConceptScheme"},
        "prefLabel": {"en": item.label},
    }


def language_concept(code: str) -> dict[str, Any]:
    notation, label = LANGUAGES[code]
    return concept_node(Concept(f"{LANGUAGE_AUTHORITY}/{notation}", LANGUAGE_AUTHORITY, label))


def country_concept(alpha2: str) -> dict[str, Any]:
    return concept_node(Concept(f"{COUNTRY_AUTHORITY}/{ALPHA3[alpha2]}", COUNTRY_AUTHORITY, alpha2))


def texts(obj, name: str) -> dict[str, str]:
    """A bilingual field as an ELM language map (only the languages that have text)."""
    return {
        language: value.strip()
        for language in LANGUAGES
        if (value := getattr(obj, f"{name}_{language}", "").strip())
    }


def labels(choices, code: str) -> dict[str, str]:
    """A closed-list value's label in each language."""
    result = {}
    for language in LANGUAGES:
        with translation.override(language):
            result[language] = str(choices(code).label)
    return result


def note(node_id: str, literal: dict[str, str], subject: Concept | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": node_id, "type": "Note", "noteLiteral": literal}
    if subject is not None:
        result["subject"] = concept_node(subject)
    return result


def organisation_node(organisation) -> dict[str, Any]:
    """The awarding body; its official identifier is its (eIDAS) legal identifier."""
    node_id = keys.organisation_did(organisation)
    address: dict[str, Any] = {
        "id": f"{node_id}#address",
        "type": "Address",
        "countryCode": country_concept(organisation.country),
    }
    if organisation.region:
        address["fullAddress"] = note(f"{node_id}#region", {"en": organisation.region})
    node: dict[str, Any] = {
        "id": node_id,
        "type": "Organisation",
        "legalName": texts(organisation, "name"),
        "location": {"id": f"{node_id}#location", "type": "Location", "address": address},
    }
    if organisation.identifier:
        node["eIDASIdentifier"] = {
            "id": f"{node_id}#legal-identifier",
            "type": "LegalIdentifier",
            "notation": organisation.identifier,
            "spatial": country_concept(organisation.country),
        }
    if organisation.website:
        node["homepage"] = {
            "id": f"{node_id}#homepage",
            "type": "WebResource",
            "contentURL": organisation.website,
        }
    return node


def assessment_specification(specification) -> dict[str, Any] | None:
    if not specification.assessment_type:
        return None
    node_id = issuing.achievement_url(specification) + "#assessment"
    node: dict[str, Any] = {
        "id": node_id,
        "type": "LearningAssessmentSpecification",
        "title": labels(AssessmentType, specification.assessment_type),
        "dcType": concept_node(concept(AssessmentType, specification.assessment_type)),
    }
    if specification.grading:
        node["gradingScheme"] = {
            "id": f"{node_id}-grading",
            "type": "GradingScheme",
            "title": labels(Grading, specification.grading),
        }
    return node


def specification_node(specification, outcomes, *, qualification: bool = True) -> dict[str, Any]:
    """The specification: every element of Annex I that does not depend on the learner.

    In a credential it is a ``Qualification``, as in the Commission's micro-credential sample; in
    the catalogue (LOQ) a ``LearningAchievementSpecification``, because the LOQ asks a
    qualification for a national level as a QDR concept, and the QDR's IRIs for the PRK levels
    are not known here: there the EQF level goes into a note, like the PRK level everywhere."""
    node_id = issuing.achievement_url(specification)
    node: dict[str, Any] = {
        "id": node_id,
        "type": "Qualification" if qualification else "LearningAchievementSpecification",
        "title": texts(specification, "title"),
        "learningOutcome": [outcome_node(node_id, outcome) for outcome in outcomes],
    }
    if description := texts(specification, "description"):
        node["description"] = description
    if specification.field_of_study:
        code = specification.field_of_study
        node["thematicArea"] = concept_node(
            Concept(f"{SNB}isced-f/{code}", ISCED_F_SCHEME, str(FieldOfStudy(code).label))
        )
    if specification.workload_ects is not None:
        node["creditPoint"] = {
            "id": f"{node_id}#credit-point",
            "type": "CreditPoint",
            "framework": concept_node(ECTS),
            "point": format(specification.workload_ects.normalize(), "f"),
        }
    if specification.workload_hours:
        node["volumeOfLearning"] = f"PT{specification.workload_hours}H"
    if specification.participation_form:
        form = concept(ParticipationForm, specification.participation_form)
        if form.scheme == MODE_SCHEME:
            node["mode"] = concept_node(form)
    if prerequisites := texts(specification, "prerequisites"):
        node["entryRequirement"] = note(f"{node_id}#entry-requirement", prerequisites)
    notes = []
    if specification.eqf_level:
        eqf = eqf_concept(specification.eqf_level)
        if qualification:
            node["eqfLevel"] = concept_node(eqf)
        else:
            level = specification.eqf_level
            literal = {"en": f"EQF level {level}", "pl": f"Poziom {level} ERK"}
            notes.append(note(f"{node_id}#eqf-level", literal, eqf))
    notes += _notes(specification, node_id)
    if notes:
        node["additionalNote"] = notes
    if specification.stackable_towards_url:
        node["isPartOf"] = {
            "id": specification.stackable_towards_url,
            "type": node["type"],
            "title": texts(specification, "stackable_towards")
            or {"en": specification.stackable_towards_url},
        }
    return node


def eqf_concept(level: int) -> Concept:
    return Concept(issuing.EQF_URL.format(level=level), EQF_SCHEME, f"Level {level}")


def outcome_node(specification_id: str, outcome) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": f"{specification_id}#outcome-{outcome.position}",
        "type": "LearningOutcome",
        "title": texts(outcome, "statement"),
    }
    if outcome.esco_uri:
        node["relatedESCOSkill"] = {
            "id": outcome.esco_uri,
            "type": "Concept",
            "inScheme": {
                "id": "http://data.europa.eu/esco/concept-scheme/skills",
                "type": "ConceptScheme",
            },
        }
    return node


def _notes(specification, node_id: str) -> list[dict[str, Any]]:
    """Annex I elements the ELM has no property of its own for: the national (PRK) level, the
    quality assurance, the form of participation outside the EU's modes, and integration."""
    notes = []
    if specification.prk_level:
        level = specification.prk_level
        notes.append(
            note(
                f"{node_id}#nqf-level",
                {
                    "en": f"Polish Qualifications Framework (PRK) level {level}",
                    "pl": f"Poziom {level} Polskiej Ramy Kwalifikacji (PRK)",
                },
            )
        )
    if specification.quality_assurance:
        code = specification.quality_assurance
        literal = labels(QualityAssurance, code)
        if reference := specification.quality_assurance_reference:
            literal = {language: f"{text}: {reference}" for language, text in literal.items()}
        notes.append(note(f"{node_id}#quality-assurance", literal, concept(QualityAssurance, code)))
    if specification.participation_form:
        form = concept(ParticipationForm, specification.participation_form)
        if form.scheme != MODE_SCHEME:
            notes.append(
                note(
                    f"{node_id}#participation",
                    labels(ParticipationForm, specification.participation_form),
                    form,
                )
            )
    if specification.stackability:
        literal = labels(Stackability, specification.stackability)
        towards = texts(specification, "stackable_towards")
        literal = {
            language: f"{text}: {towards[language]}" if language in towards else text
            for language, text in literal.items()
        }
        notes.append(note(f"{node_id}#integration", literal))
    if further := texts(specification, "further_information"):
        notes.append(note(f"{node_id}#further-information", further))
    return notes
