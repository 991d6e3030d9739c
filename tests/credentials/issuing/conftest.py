"""Issued-credential test data: a specification with every optional element and a credential."""

from decimal import Decimal

import pytest

from credentials.catalogue.vocabularies import Grading, Stackability, Supervision
from tests.factories.catalogue import make_organisation, make_specification
from tests.factories.credentials import issue

SITE_URL = "https://rpl.example.edu"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["testserver", "rpl.example.edu"]


@pytest.fixture
def organisation(db):
    return make_organisation(
        website="https://issuer.example.org/", identifier="KRS-0000123456", name_pl="Uczelnia"
    )


@pytest.fixture
def specification(organisation):
    return make_specification(
        organisation,
        slug="data-analysis",
        title_en="Data analysis",
        title_pl="Analiza danych",
        outcomes=3,
        supervision=Supervision.SUPERVISED_ONSITE_WITH_ID,
        grading=Grading.PASS_FAIL,
        stackability=Stackability.STACKABLE,
        stackable_towards_en="Bachelor of Data Science",
        stackable_towards_pl="Licencjat z analizy danych",
        prerequisites_en="Basic arithmetic.",
        prerequisites_pl="Podstawy arytmetyki.",
        further_information_en="See the issuer's site.",
        further_information_pl="Zobacz stronę wystawcy.",
        quality_assurance_reference="https://qa.example.org/accreditation/42",
        validity_months=24,
        workload_ects=Decimal("2.5"),
    )


@pytest.fixture
def issued(candidate, specification):
    return issue(candidate, specification, supervision="SUPERVISED_ONSITE_WITH_ID")
