import pytest

from assessments.online_tests.demo import seed_question_banks
from credentials.catalogue.demo import seed_specifications
from credentials.catalogue.models import Specification
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.demo.engine import seed_engine


@pytest.fixture
def demo(assessor, assessor2, identity_officer, decision_maker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    seed_specifications()
    seed_engine([assessor, assessor2, identity_officer, decision_maker])
    seed_question_banks()
    return {spec.slug: spec for spec in Specification.objects.all()}


def pass_portfolio(case, assessor):
    """Complete the python-basics portfolio review with top scores: the case moves to the test."""
    sheet = {"scores": {str(o.pk): 4 for o in case.specification.outcomes.all()}}
    take_and_complete(open_tasks(case, "assess_1")[0], assessor, sheet)
    case.refresh_from_db()
    return case


@pytest.fixture
def case_at_test(demo, candidate, assessor, django_capture_on_commit_callbacks):
    case = case_services.start_case(candidate=candidate, specification=demo["python-basics"])
    with django_capture_on_commit_callbacks(execute=True):
        return pass_portfolio(case, assessor)
