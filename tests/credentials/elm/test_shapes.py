"""The ELM exports against the EU's SHACL shapes, offline: few validations, shapes read once."""

from decimal import Decimal

import pytest

from credentials.catalogue.vocabularies import (
    AssessmentType,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Supervision,
)
from credentials.elm.catalogue import catalogue_document
from credentials.elm.mapping import europass_credential
from rpl.accounts.roles import Role
from tests.credentials.elm.shacl import read_json, turtle, violations
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue
from tests.factories.people import make_user

ESCO_SKILL = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"


@pytest.fixture(scope="module")
def ontology():
    return turtle("ELM.ttl")


@pytest.fixture(scope="module")
def edc_shapes():
    # The full shapes import the no-cv ones (owl:imports, which would need the network).
    return turtle("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl")


@pytest.fixture(scope="module")
def loq_shapes():
    return turtle("LOQ-constraints.ttl")


def every_element(organisation):
    specification = make_specification(
        organisation,
        slug="elm-every-element",
        prerequisites_pl="Podstawy programowania.",
        prerequisites_en="Programming basics.",
        assessment_type=AssessmentType.PORTFOLIO,
        supervision=Supervision.SUPERVISED_ONLINE_WITH_ID,
        participation_form=ParticipationForm.BLENDED,
        quality_assurance=QualityAssurance.BOTH,
        quality_assurance_reference="PKA 2025/17",
        grading=Grading.SCALE_2_5,
        stackability=Stackability.STACKABLE,
        stackable_towards_pl="Programista Python",
        stackable_towards_en="Python developer",
        stackable_towards_url="https://example.org/catalogue/python-developer/",
        further_information_pl="Dwa razy w roku.",
        further_information_en="Offered twice a year.",
        workload_ects=Decimal("2.5"),
        validity_months=24,
    )
    specification.outcomes.filter(position=1).update(esco_uri=ESCO_SKILL)
    return specification


def test_it_exports_credentials_the_edc_shapes_accept(db, edc_shapes, ontology):
    first = make_organisation(
        identifier="PL5252248481", website="https://uni.example.org", region="Mazowieckie"
    )
    learner = make_user(Role.CANDIDATE, full_name="Anna Nowak")
    full = europass_credential(issue(learner, every_element(first), grade="4.5"))

    assert violations(full, edc_shapes, ontology) == []
    assert full["issuer"]["eIDASIdentifier"]["notation"] == "PL5252248481"
    qualification = full["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert qualification["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/4"
    assert qualification["creditPoint"]["point"] == "2.5"
    assert qualification["volumeOfLearning"] == "PT60H"
    assert qualification["learningOutcome"][0]["relatedESCOSkill"]["id"] == ESCO_SKILL
    assert "PRK" in qualification["additionalNote"][0]["noteLiteral"]["en"]
    assert "validUntil" in full

    # A second awarding body, with only what an organisation must have besides its identifier.
    second = make_organisation(identifier="0000012345", country="DE", region_code="", region="")
    bare = make_specification(second, slug="elm-bare", supervision="", grading="")
    minimal = europass_credential(issue(learner, bare))
    assert violations(minimal, edc_shapes, ontology) == []
    assert minimal["issuer"]["location"]["address"]["countryCode"]["id"].endswith("/DEU")


def test_it_finds_exactly_the_two_gaps_of_the_commissions_sample(edc_shapes, ontology):
    sample = read_json("Sample-MC-Annex1-unsigned.jsonld")

    assert violations(sample, edc_shapes, ontology) == [
        "cred:issued",
        "cred:issuer/elm:eidasLegalIdentifier",
    ]


def test_it_exports_the_published_catalogue_in_the_loq_profile(db, loq_shapes):
    organisation = make_organisation(identifier="PL5252248481")
    published = every_element(organisation)
    make_specification(organisation, slug="elm-draft", status="draft")

    document = catalogue_document()

    # Without the ontology: the LOQ's closed shapes for Agent, Identifier and Specification would
    # otherwise refuse every property of their subclasses (Organisation, LegalIdentifier ...).
    assert violations(document, loq_shapes) == []
    [opportunity] = document["@graph"]
    assert opportunity["learningAchievementSpecification"]["id"].endswith(f"/{published.slug}/")
