"""Cases driven through the engine as the task pages would, for the catalogue of
``pipelines.assessed_catalogue``."""

from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services


def sheet(spec, *scores):
    """A score sheet: the outcomes in order get ``scores`` (the last one repeats)."""
    outcomes = list(spec.outcomes.order_by("position"))
    values = list(scores) + [scores[-1]] * (len(outcomes) - len(scores))
    return {
        "scores": {str(o.pk): v for o, v in zip(outcomes, values, strict=False)},
        "comments": {str(outcomes[0].pk): "Clear evidence of the first outcome."},
    }


def pass_portfolio(case, assessor):
    """Complete the python-basics portfolio review with top scores: the case moves to the test."""
    scores = {"scores": {str(o.pk): 4 for o in case.specification.outcomes.all()}}
    take_and_complete(open_tasks(case, "assess_1")[0], assessor, scores)
    case.refresh_from_db()
    return case


def decide_python_case(
    spec, candidate, assessor, decision_maker, *, scores=(4,), percent=90.0, outcome="full"
):
    """A python-basics case: portfolio, test and decision."""
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], assessor, sheet(spec, *scores))
    take_and_complete(open_tasks(case)[0], assessor, {"score_percent": percent})
    # A partial recognition names what it recognises, as the decision page asks.
    recognised = [str(spec.outcomes.order_by("position")[0].pk)] if outcome == "partial" else []
    take_and_complete(
        open_tasks(case, "decision")[0],
        decision_maker,
        {
            "outcome": outcome,
            "recognised_outcomes": recognised,
            "reasons": "Evidence and test suffice.",
        },
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
