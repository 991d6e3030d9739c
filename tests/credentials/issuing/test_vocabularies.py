"""The EU elements speak the EU's controlled vocabularies: IRIs, not private literals; the grade
comes with its scale, ECTS in ELM's creditPoint, stackability as a link, the badge as an Image."""

import pytest

from credentials.catalogue.vocabularies import (
    ECTS,
    EU_CONCEPTS,
    SNB,
    AssessmentType,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Supervision,
    code_of,
)
from credentials.issuing import documents as issuing
from rpl.lib.jsonld_loader import get_loader
from rpl.lib.jsonld_strict import expand_strict
from tests.factories.credentials import issue

pytestmark = pytest.mark.django_db

OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
ELM = "http://data.europa.eu/snb/model/elm/"
CRED = "https://www.w3.org/2018/credentials#"
VALUE = "https://schema.org/value"
TARGET = "https://catalogue.example.org/credentials/data-science/"
# Concepts the Commission's own micro-credential sample and ELM lists use (reference/elm).
EU_IRIS = {
    (ParticipationForm, "online"): SNB + "learning-assessment/920fbb3cbe",
    (ParticipationForm, "blended"): SNB + "learning-assessment/e92d221e4d",
    (ParticipationForm, "onsite"): SNB + "learning-assessment/9191af2ed9",
    (AssessmentType, "portfolio"): SNB + "assessment/4f03b91c0e",
    (AssessmentType, "interview"): SNB + "assessment/d30284d7df",
    (Supervision, "unsupervised_no_id"): SNB + "supervision-verification/c598449d64",
}


@pytest.fixture
def graded(candidate, specification):
    specification.grading = Grading.SCALE_2_5
    specification.stackable_towards_url = TARGET
    specification.save()
    return issue(candidate, specification, grade="4.5")


def _one(node, iri):
    (value,) = node[iri]
    return value


def test_it_expands_every_term_and_keeps_the_schema(graded):
    document = graded.document
    assert issuing.schema_errors(document) == []
    (credential,) = expand_strict(document, get_loader(issuing.extra_contexts()))  # drops nothing

    subject = _one(credential, CRED + "credentialSubject")
    achievement = _one(subject, OB + "achievement")
    credit = _one(achievement, ELM + "creditPoint")
    assert _one(credit, ELM + "framework") == {"@id": ECTS.iri}
    assert _one(achievement, ELM + "isPartOf") == {"@id": TARGET}
    image = _one(achievement, OB + "image")
    assert image["@id"].endswith("/credentials/badges/data-analysis.png")
    assert _one(credential, OB + "image")["@id"] == image["@id"]
    (related,) = credential[CRED + "relatedResource"]
    assert related["@id"] == issuing.EXTENSION_CONTEXT
    scale = next(d for d in achievement[OB + "resultDescription"] if d["@id"].endswith("#grade"))
    assert [v["@value"] for v in _one(scale, OB + "allowedValue")["@list"]][:2] == ["5", "4.5"]
    grade = next(r for r in subject[OB + "result"] if VALUE in r)
    assert _one(grade, OB + "resultDescription")["@value"] == scale["@id"]
    assert _one(grade, VALUE)["@value"] == "4.5"


def test_it_gives_every_code_a_concept_iri_and_reads_it_back():
    for choices, concepts in EU_CONCEPTS.items():
        assert set(concepts) == set(choices.values), choices
        for code, concept in concepts.items():
            assert concept.iri.startswith(("http://", "https://")) and concept.label
            assert code_of(choices, concept.iri) == code
            assert code_of(choices, code.upper()) == code  # credentials issued before
    for (choices, code), iri in EU_IRIS.items():
        assert EU_CONCEPTS[choices][code].iri == iri


def test_it_puts_each_elements_iri_in_the_credential(issued, specification, organisation):
    subject = issued.document["credentialSubject"]
    assert subject["supervisionAndIdentityVerification"] == (
        EU_CONCEPTS[Supervision][Supervision.SUPERVISED_ONSITE_WITH_ID].iri
    )
    for field, term, choices in (
        ("assessment_type", "assessmentType", AssessmentType),
        ("participation_form", "participationForm", ParticipationForm),
        ("quality_assurance", "qualityAssurance", QualityAssurance),
    ):
        for code in choices.values:
            setattr(specification, field, code)
            achievement = issuing._achievement(specification, [], organisation)
            assert achievement[term] == EU_CONCEPTS[choices][code].iri
            if (choices, code) in EU_IRIS:
                assert achievement[term].startswith(SNB)
    assert "creditsAvailable" not in subject["achievement"]
    assert "creditsEarned" not in subject


def test_it_describes_the_grade_with_its_scale_and_the_concepts_by_label(graded):
    elements = dict(issuing.describe(graded.document)["elements"])
    assert elements["Grade achieved"] == "4.5 (scale: 5, 4.5, 4, 3.5, 3, 2)"
    assert elements["Supervision and identity verification"] == (
        "Supervised on site, with identity verification"
    )
    assert elements["Form of participation"] == "Online"
    assert elements["Notional workload"].startswith("2.5 ECTS credits")
    assert TARGET in elements["Integration and stackability"]
