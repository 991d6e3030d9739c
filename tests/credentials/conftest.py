"""Catalogue test data. Everything is written through ``credentials.catalogue.services``, as in
real use."""

import itertools
from decimal import Decimal

import pytest

from credentials.catalogue import services
from credentials.catalogue.vocabularies import (
    AssessmentType,
    FieldOfStudy,
    ParticipationForm,
    QualityAssurance,
    Status,
)

_counter = itertools.count(1)


def make_organisation(**overrides):
    n = next(_counter)
    fields = {
        "name_pl": f"Organizacja testowa {n}",
        "name_en": f"Test organisation {n}",
        "country": "PL",
        "region_code": "PL91",
        "region": "Mazowieckie",
        **overrides,
    }
    return services.create_organisation(actor=None, **fields)


def complete_fields(organisation, **overrides) -> dict:
    """Every mandatory element, in both languages."""
    n = next(_counter)
    return {
        "slug": f"spec-{n}",
        "title_pl": f"Specyfikacja {n}",
        "title_en": f"Specification {n}",
        "description_pl": "Opis po polsku.",
        "description_en": "A description in English.",
        "field_of_study": FieldOfStudy.ICT,
        "eqf_level": 4,
        "prk_level": 4,
        "workload_ects": Decimal("2.5"),
        "workload_hours": 60,
        "awarding_body": organisation,
        "assessment_type": AssessmentType.TEST,
        "participation_form": ParticipationForm.ONLINE,
        "quality_assurance": QualityAssurance.INTERNAL,
        **overrides,
    }


def outcome(n: int, **overrides) -> dict:
    return {
        "statement_pl": f"Efekt uczenia się {n}",
        "statement_en": f"Learning outcome {n}",
        "criteria_pl": f"Kryterium {n}a\nKryterium {n}b",
        "criteria_en": f"Criterion {n}a\nCriterion {n}b",
        **overrides,
    }


def make_specification(
    organisation=None, *, status=Status.PUBLISHED, outcomes=2, actor=None, **overrides
):
    organisation = organisation or make_organisation()
    specification = services.create_specification(
        actor=actor,
        fields=complete_fields(organisation, **overrides),
        outcomes=[outcome(n) for n in range(1, outcomes + 1)],
    )
    if status in (Status.PUBLISHED, Status.RETIRED):
        specification = services.publish_specification(specification, actor=actor)
    if status == Status.RETIRED:
        specification = services.retire_specification(specification, actor=actor)
    return specification


@pytest.fixture
def organisation(db):
    return make_organisation()


@pytest.fixture
def published(organisation):
    return make_specification(organisation, slug="published-spec", title_en="Published one")


@pytest.fixture
def draft(organisation):
    return make_specification(
        organisation, status=Status.DRAFT, slug="draft-spec", title_en="Draft one"
    )


@pytest.fixture
def retired(organisation):
    return make_specification(
        organisation, status=Status.RETIRED, slug="retired-spec", title_en="Retired one"
    )
