"""Quality test data: the demo catalogue and pipelines, and cases driven through the engine."""

import pytest

from credentials.catalogue.demo import seed_specifications
from credentials.catalogue.models import Specification
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.demo.engine import seed_engine


@pytest.fixture
def demo(assessor, assessor2, identity_officer, decision_maker):
    seed_specifications()
    seed_engine([assessor, assessor2, identity_officer, decision_maker])
    return {spec.slug: spec for spec in Specification.objects.all()}


def sheet(spec, *scores):
    """A score sheet: the outcomes in order get ``scores`` (the last one repeats)."""
    outcomes = list(spec.outcomes.order_by("position"))
    values = list(scores) + [scores[-1]] * (len(outcomes) - len(scores))
    return {
        "scores": {str(o.pk): v for o, v in zip(outcomes, values, strict=False)},
        "comments": {str(outcomes[0].pk): "Clear evidence of the first outcome."},
    }


def decide_python_case(
    spec, candidate, assessor, decision_maker, *, scores=(4,), percent=90.0, outcome="full"
):
    """A python-basics case: portfolio, test and decision."""
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], assessor, sheet(spec, *scores))
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": percent})
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {"outcome": outcome, "recognised_outcomes": [], "reasons": "Evidence and test suffice."},
    )
    case.refresh_from_db()
    return case


def double_marked_agile_case(spec, candidate, staff, first, second):
    """An agile-pm case up to its (panel) decision task: identity, then two blind markers."""
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], staff["identity_officer"], {"verified": True})
    one, two = open_tasks(case)
    take_and_complete(one, staff["assessor"], sheet(spec, *first))
    take_and_complete(two, staff["assessor2"], sheet(spec, *second))
    case.refresh_from_db()
    return case
