"""What a step of the engine costs in database queries: pinned, so that a change which makes
every step do more fails here (bench/engine.py measures the same on PostgreSQL at scale)."""

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.models import Task

from rpl.audit import selectors as audit_selectors
from rpl.audit import services as audit
from rpl.audit.models import AuditEvent
from tests.factories.catalogue import PYTHON_BASICS, make_specification
from tests.factories.pipelines import set_up
from tests.workflows.engine_helpers import open_tasks, page_fields
from workflows.cases import services as case_services
from workflows.pipelines import services as pipelines
from workflows.work.services import complete_task

pytestmark = pytest.mark.django_db

FIVE_STEPS = {
    "key": "five-steps",
    "title": {"en": "Five steps"},
    "steps": [
        {"id": "identity", "kind": "identity_check", "method": "document"},
        {
            "id": "portfolio",
            "kind": "evidence_review",
            "assessors": 1,
            "rubric": {"min": 0, "max": 4},
            "pass_rule": {"outcome_min_score": 2},
            "deadline": {"days": 14, "escalate_to": "assessor_pool"},
        },
        {
            "id": "interview",
            "kind": "interview",
            "rubric": {"min": 0, "max": 4},
            "pass_rule": {"outcome_min_score": 2},
        },
        {
            "id": "exam",
            "kind": "test",
            "question_bank": "none",
            "questions": 10,
            "pass_mark_percent": 60,
        },
        {"id": "decision", "kind": "decision"},
    ],
}
# Queries per step of one case on the five-step pipeline, measured with the engine's cheaper
# bookkeeping (routing nodes stored once, no savepoints, audit events written once per
# transaction, a new pool told by the worker after commit), and one upsert per task done (the
# step waits' roll-up). On PostgreSQL a new task row and its link, and audit events and the chain
# head, are one statement each. The margin leaves room for small changes, not for another round
# of bookkeeping.
QUERIES_PER_STEP = {"postgresql": 45, "sqlite": 52}
MAX_QUERIES_PER_STEP = {"postgresql": 75, "sqlite": 85}
MARGIN = 3


def _values(task, case):
    node = task.flow_task.name
    outcomes = [str(pk) for pk in case.specification.outcomes.values_list("pk", flat=True)]
    if node == "identity_check":
        return page_fields(task, {"verified": True, "method": "document"})
    if node == "test":
        return page_fields(task, {"score_percent": 75.0})
    if node == "decision":
        return {"outcome": "full", "reasons": "Sufficient."}
    return page_fields(task, {"scores": dict.fromkeys(outcomes, 3)})


def test_it_does_each_step_in_a_pinned_number_of_queries(
    candidate, assessor, identity_officer, decision_maker, tmp_path
):
    pipelines.save_draft(actor=None, definition=FIVE_STEPS, source="")
    pipelines.publish(actor=None, key=FIVE_STEPS["key"])
    specification = make_specification(**PYTHON_BASICS)
    set_up(specification, FIVE_STEPS["key"], [assessor, identity_officer, decision_maker])
    people = {
        "identity_check": identity_officer,
        "assess_1": assessor,
        "test": assessor,
        "decision": decision_maker,
    }
    case = case_services.start_case(candidate=candidate, specification=specification)

    counts = []
    while tasks := open_tasks(case):
        task = tasks[0]
        with CaptureQueriesContext(connection) as queries:
            complete_task(task, people[task.flow_task.name], _values(task, case))
        counts.append(len(queries))

    case.refresh_from_db()
    assert case.outcome == "full"
    assert len(counts) == 5
    assert sum(counts) / len(counts) <= QUERIES_PER_STEP[connection.vendor] + MARGIN, counts
    assert max(counts) <= MAX_QUERIES_PER_STEP[connection.vendor] + MARGIN, counts
    assert audit_selectors.verify(tmp_path / "checkpoints.log").problems == []
    # every task row but the start's is stored with its link to the task before it
    tasks = Task.objects.filter(process=case).annotate(links=Count("previous"))
    assert {(t.flow_task.name, t.links) for t in tasks if t.links != 1} == {("start", 0)}
    assert Task.objects.filter(process=case, flow_task_type="END", status="DONE").exists()


def test_it_writes_a_batch_at_its_end_without_the_events_of_a_rolled_back_savepoint(tmp_path):
    with transaction.atomic(), audit.batch():
        audit.record(actor=None, action="test.first")
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.record(actor=None, action="test.undone")
            raise RuntimeError
        audit.record(actor=None, action="test.last")
        assert not AuditEvent.objects.exists()

    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.first", "test.last"]
    assert audit_selectors.verify(tmp_path / "checkpoints.log").problems == []
