"""Quality fixtures: the assessed catalogue; cases are made by ``tests.factories.cases``."""

import pytest

from tests.factories.pipelines import assessed_catalogue


@pytest.fixture
def demo(assessor, assessor2, identity_officer, decision_maker):
    return assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])
