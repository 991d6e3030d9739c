"""Awarding bodies and specifications, written through ``credentials.catalogue.services``."""

import itertools
from decimal import Decimal

import factory

from credentials.catalogue import services
from credentials.catalogue.models import Organisation, Specification
from credentials.catalogue.vocabularies import (
    AssessmentType,
    FieldOfStudy,
    Grading,
    ParticipationForm,
    QualityAssurance,
    Stackability,
    Status,
    Supervision,
)
from credentials.issuing import keys

_numbers = itertools.count(1)


class OrganisationFactory(factory.Factory):
    class Meta:
        model = Organisation

    name_pl = factory.Sequence(lambda n: f"Organizacja testowa {n + 1}")
    name_en = factory.Sequence(lambda n: f"Test organisation {n + 1}")
    country = "PL"
    region_code = "PL91"
    region = "Mazowieckie"

    @classmethod
    def _create(cls, model_class, *, actor=None, **fields):
        return services.create_organisation(actor=actor, **fields)


def outcome(n: int, **overrides) -> dict:
    """Learning outcome ``n``, in both languages, with two criteria."""
    return {
        "statement_pl": f"Efekt uczenia się {n}",
        "statement_en": f"Learning outcome {n}",
        "criteria_pl": f"Kryterium {n}a\nKryterium {n}b",
        "criteria_en": f"Criterion {n}a\nCriterion {n}b",
        **overrides,
    }


class SpecificationFactory(factory.Factory):
    """A specification with every mandatory element; by default published, with two outcomes.

    Besides the fields, it takes ``outcomes`` (how many), ``status`` and ``actor``."""

    class Meta:
        model = Specification

    class Params:
        number = factory.LazyFunction(lambda: next(_numbers))

    slug = factory.LazyAttribute(lambda spec: f"spec-{spec.number}")
    title_pl = factory.LazyAttribute(lambda spec: f"Specyfikacja {spec.number}")
    title_en = factory.LazyAttribute(lambda spec: f"Specification {spec.number}")
    description_pl = "Opis po polsku."
    description_en = "A description in English."
    field_of_study = FieldOfStudy.ICT
    eqf_level = 4
    prk_level = 4
    workload_ects = Decimal("2.5")
    workload_hours = 60
    awarding_body = factory.SubFactory(OrganisationFactory)
    assessment_type = AssessmentType.TEST
    participation_form = ParticipationForm.ONLINE
    quality_assurance = QualityAssurance.INTERNAL

    @classmethod
    def _create(cls, model_class, *, outcomes=2, status=Status.PUBLISHED, actor=None, **fields):
        specification = services.create_specification(
            actor=actor, fields=fields, outcomes=[outcome(n) for n in range(1, outcomes + 1)]
        )
        if status in (Status.PUBLISHED, Status.RETIRED):
            specification = services.publish_specification(specification, actor=actor)
        if status == Status.RETIRED:
            specification = services.retire_specification(specification, actor=actor)
        return specification


def complete_fields(organisation, **overrides) -> dict:
    """Every mandatory element of a specification, in both languages."""
    return factory.build(
        dict, FACTORY_CLASS=SpecificationFactory, awarding_body=organisation, **overrides
    )


def make_organisation(**fields) -> Organisation:
    return OrganisationFactory(**fields)


def make_specification(organisation=None, **overrides) -> Specification:
    """A specification of ``organisation`` (a new one when not given); see the factory."""
    if organisation is not None:
        overrides["awarding_body"] = organisation
    return SpecificationFactory(**overrides)


# The catalogue most engine tests assess: three specifications of five outcomes each.
PYTHON_BASICS = {
    "slug": "python-basics",
    "title_pl": "Podstawy programowania w Pythonie",
    "title_en": "Python programming basics",
    "workload_ects": Decimal("4.0"),
    "workload_hours": 100,
    "assessment_type": AssessmentType.COMBINED,
    "supervision": Supervision.UNSUPERVISED_NO_ID,
    "grading": Grading.PASS_FAIL,
    "stackability": Stackability.STACKABLE,
    "stackable_towards_pl": "Programista Python – poziom średnio zaawansowany",
    "stackable_towards_en": "Python developer – intermediate level",
}
AGILE_PROJECT_MANAGEMENT = {
    "slug": "agile-project-management",
    "title_pl": "Zarządzanie projektami w metodyce Agile",
    "title_en": "Agile project management",
    "field_of_study": FieldOfStudy.BUSINESS_LAW,
    "eqf_level": 5,
    "prk_level": 5,
    "workload_ects": Decimal("5.0"),
    "workload_hours": 125,
    "assessment_type": AssessmentType.PORTFOLIO,
    "supervision": Supervision.SUPERVISED_ONLINE_WITH_ID,
    "participation_form": ParticipationForm.WORK_BASED,
    "quality_assurance": QualityAssurance.BOTH,
    "grading": Grading.SCALE_2_5,
    "stackability": Stackability.STANDALONE,
}
MIG_MAG_WELDING = {
    "slug": "mig-mag-welding",
    "title_pl": "Spawanie metodą MIG/MAG",
    "title_en": "MIG/MAG welding",
    "description_pl": "Spawanie blach metodą MAG (135) i MIG (131).",
    "description_en": "Welding sheet and plate by MAG (135) and MIG (131).",
    "field_of_study": FieldOfStudy.ENGINEERING,
    "eqf_level": 3,
    "prk_level": 3,
    "workload_ects": None,
    "workload_hours": 150,
    "assessment_type": AssessmentType.PRACTICAL,
    "supervision": Supervision.SUPERVISED_ONSITE_WITH_ID,
    "participation_form": ParticipationForm.WORK_BASED,
    "quality_assurance": QualityAssurance.EXTERNAL,
    "quality_assurance_reference": "EN ISO 9606-1; EN ISO 5817",
    "grading": Grading.PASS_FAIL,
    "stackability": Stackability.STACKABLE,
    "stackable_towards_pl": "Spawacz konstrukcji stalowych",
    "stackable_towards_en": "Structural steel welder",
    "validity_months": 24,
}
CATALOGUE = [PYTHON_BASICS, AGILE_PROJECT_MANAGEMENT, MIG_MAG_WELDING]


def make_catalogue(actor=None) -> list[Specification]:
    """The three published specifications of ``CATALOGUE``, of one awarding body that holds an
    issuer key."""
    organisation = OrganisationFactory(actor=actor)
    keys.ensure_key(organisation, actor=actor)
    return [
        SpecificationFactory(awarding_body=organisation, outcomes=5, actor=actor, **fields)
        for fields in CATALOGUE
    ]
