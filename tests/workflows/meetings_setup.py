"""Cases for the meeting and identity tests: a pipeline with an identity check, an interview by two
assessors and a decision, assigned to the demo specification "python-basics"."""

from credentials.catalogue.models import Specification
from evidence.portfolio import services as evidence_services
from tests.factories.people import reserve_staff
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.models import Pipeline
from workflows.pipelines import services

PIPELINE = """
key: meetings-test
title: {{en: Meetings test}}
steps:
  - id: identity
    kind: identity_check
    method: {method}
  - id: interview
    kind: interview
    assessors: 2
    rubric: {{min: 0, max: 4}}
    pass_rule: {{outcome_min_score: 2}}
  - id: decision
    kind: decision
    decided_by: decision_maker
    partial_recognition: false
"""


def seed(staff, method="document") -> Specification:
    specification = assessed_catalogue([*staff, *reserve_staff()])["python-basics"]
    services.import_text(actor=None, text=PIPELINE.format(method=method), fmt="yaml")
    services.publish(actor=None, key="meetings-test")
    case_services.assign_pipeline(
        actor=None, specification=specification, pipeline=Pipeline.objects.get(key="meetings-test")
    )
    return specification


def start(candidate, specification):
    """A case started from an application, as submitting one does."""
    application = evidence_services.start_application(
        candidate=candidate, specification=specification
    )
    case = case_services.start_case(candidate=candidate, specification=specification)
    case.application = application
    case.save(update_fields=["application"])
    return case


def pass_identity(case, officer):
    take_and_complete(
        open_tasks(case, "identity_check")[0],
        officer,
        {"verified": True, "note": "", "method": "in_person"},
    )
    case.refresh_from_db()
    return case
