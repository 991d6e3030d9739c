"""A case decided by the engine, with an application for the candidate's pages, and the people who
may handle its appeal: one assessor and one decision maker who had no part in the case."""

from dataclasses import dataclass

from django.test import Client

from credentials.catalogue.models import Specification
from evidence.models import Application
from rpl.accounts.roles import Role
from tests.factories import make_user
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services

GROUNDS = "The assessor missed my project report, which shows outcomes 2 and 3 in daily work."


@dataclass
class People:
    candidate: object
    assessor: object  # assessed the case
    decision_maker: object  # decided the case
    reviewer: object  # an assessor in the pool, new to the case
    judge: object  # a decision maker in the pool, new to the case
    judge2: object


def people(candidate, assessor, decision_maker, identity_officer) -> People:
    return People(
        candidate=candidate,
        assessor=assessor,
        decision_maker=decision_maker,
        reviewer=make_user(Role.ASSESSOR, email="rita@example.org", full_name="Rita Reviewer"),
        judge=make_user(Role.DECISION_MAKER, email="jude@example.org", full_name="Jude Judge"),
        judge2=make_user(Role.DECISION_MAKER, email="jo@example.org", full_name="Jo Judge"),
    )


def decided_case(who: People, *, outcome="none", recognised=()):
    """A python-basics case assessed by ``who.assessor`` and decided by ``who.decision_maker``;
    ``recognised`` are the positions of the outcomes a partial recognition recognises."""
    spec = Specification.objects.filter(slug="python-basics").first()
    if spec is None:  # the first case of the test
        staff = [who.assessor, who.decision_maker, who.reviewer, who.judge, who.judge2]
        spec = assessed_catalogue(staff)["python-basics"]
    application = Application.objects.create(
        candidate=who.candidate, specification=spec, status=Application.Status.SUBMITTED
    )
    case = case_services.start_case(candidate=who.candidate, specification=spec)
    case.application = application
    case.save(update_fields=["application"])
    sheet = {"scores": {str(o.pk): 3 for o in spec.outcomes.all()}}
    take_and_complete(open_tasks(case)[0], who.assessor, sheet)
    take_and_complete(open_tasks(case)[0], who.assessor, {"score_percent": 70.0})
    take_and_complete(
        open_tasks(case, "decision")[0],
        who.decision_maker,
        {
            "outcome": outcome,
            "recognised_outcomes": [
                str(o.pk) for o in spec.outcomes.all() if o.position in recognised
            ],
            "reasons": "Outcome 3 is not shown by the evidence.",
        },
    )
    case.refresh_from_db()
    return case


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def appeal_tasks(appeal, node=None):
    return open_tasks(appeal, node)


def task_url(task) -> str:
    return f"/work/appeals/{task.process_id}/{task.pk}/"
