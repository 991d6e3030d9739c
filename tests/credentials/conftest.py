"""Catalogue fixtures; the data is made by ``tests.factories.catalogue``."""

import pytest

from credentials.catalogue.vocabularies import Status
from tests.factories.catalogue import make_organisation, make_specification


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
