"""Online-test fixtures: the assessed catalogue with its question banks, a case at its test."""

import pytest

from tests.factories.cases import pass_portfolio
from tests.factories.online_tests import catalogue_banks
from tests.factories.pipelines import assessed_catalogue
from workflows.cases import services as case_services


@pytest.fixture
def demo(assessor, assessor2, identity_officer, decision_maker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    catalogue = assessed_catalogue([assessor, assessor2, identity_officer, decision_maker])
    catalogue_banks(catalogue)
    return catalogue


@pytest.fixture
def case_at_test(demo, candidate, assessor, django_capture_on_commit_callbacks):
    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    with django_capture_on_commit_callbacks(execute=True):
        return pass_portfolio(case, assessor)
