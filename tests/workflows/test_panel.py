"""A decision panel: one seat per member, decided by majority per learning outcome."""

import pytest
from django.core import mail
from guardian.shortcuts import assign_perm
from viewflow.workflow.status import PROCESS

from assessments.scoresheets.records import Decision
from rpl.accounts.roles import Role
from rpl.audit.models import AuditEvent
from tests.factories import make_user
from tests.factories.pipelines import assessed_catalogue
from tests.workflows.engine_helpers import open_tasks, take_and_complete
from workflows.cases import services as case_services
from workflows.cases.services import panel_outcome

OUTCOMES = ["1", "2", "3"]


def vote(outcome, recognised=()):
    return Decision(outcome=outcome, recognised_outcomes=list(recognised), reasons="x")


def test_it_recognises_what_a_majority_of_the_panel_recognised():
    votes = [vote("full"), vote("partial", ["1"]), vote("none")]
    assert panel_outcome(votes, OUTCOMES, partial_allowed=True) == ("partial", ["1"])


def test_it_decides_no_recognition_when_partial_recognition_is_not_allowed():
    votes = [vote("full"), vote("partial", ["1"]), vote("none")]
    assert panel_outcome(votes, OUTCOMES, partial_allowed=False) == ("none", [])


def test_it_recognises_everything_when_a_majority_recognises_each_outcome():
    votes = [vote("partial", ["1", "2"]), vote("partial", ["2", "3"]), vote("partial", ["1", "3"])]
    assert panel_outcome(votes, OUTCOMES, partial_allowed=True) == ("full", OUTCOMES)


def test_it_does_not_count_a_tie_as_a_majority():
    votes = [vote("full"), vote("full"), vote("none"), vote("partial", ["2"])]
    assert panel_outcome(votes, OUTCOMES, partial_allowed=True) == ("partial", ["2"])
    assert panel_outcome([vote("full"), vote("none")], OUTCOMES, partial_allowed=True) == (
        "none",
        [],
    )


@pytest.fixture
def panel_case(db, candidate, assessor, assessor2, identity_officer, decision_maker):
    """An Agile case (a panel of three decides it) waiting at its three seats."""
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    first, second = open_tasks(case)
    take_and_complete(first, assessor, scores)
    take_and_complete(second, assessor2, scores)
    members = [decision_maker]
    for n in (2, 3):
        member = make_user(Role.DECISION_MAKER, email=f"member{n}@example.org")
        assign_perm("credentials.decide", member, spec)
        members.append(member)
    return case, members


def test_it_decides_only_when_the_last_member_has_voted(
    panel_case, candidate, django_capture_on_commit_callbacks
):
    case, members = panel_case
    seats = open_tasks(case)
    assert [seat.flow_task.name for seat in seats] == ["decision", "panel_2", "panel_3"]
    first_outcome = str(case.specification.outcomes.order_by("position").first().pk)
    ballots = [
        ("full", [], "Everything is shown."),
        ("partial", [first_outcome], "Only the first outcome is shown."),
        ("none", [], "The evidence is too old."),
    ]
    mail.outbox.clear()
    for n, (seat, member, (outcome, recognised, reasons)) in enumerate(
        zip(seats, members, ballots, strict=True), start=1
    ):
        with django_capture_on_commit_callbacks(execute=True):
            take_and_complete(
                seat,
                member,
                {"outcome": outcome, "recognised_outcomes": recognised, "reasons": reasons},
            )
        case.refresh_from_db()
        if n < 3:
            assert case.outcome == "" and case.status != PROCESS.DONE
            assert not [m for m in mail.outbox if m.to == [candidate.email]]

    assert case.status == PROCESS.DONE
    assert (case.outcome, case.recognised_outcomes) == ("partial", [first_outcome])
    assert not case.data.get("credential_due")
    event = AuditEvent.objects.get(action="case.panel_decided", target_id=str(case.pk))
    assert event.changes["votes"] == ["full", "partial", "none"]
    (message,) = [m for m in mail.outbox if m.to == [candidate.email]]
    assert "Panel member 1: Everything is shown." in message.body
    assert "Panel member 3: The evidence is too old." in message.body
    decision = case_services.decision_of(case)
    assert "Panel member 2: Only the first outcome is shown." in decision.reasons


def test_it_issues_when_the_panel_recognises_everything(panel_case):
    case, members = panel_case
    ballots = ["full", "none", "full"]
    for seat, member, outcome in zip(open_tasks(case), members, ballots, strict=True):
        take_and_complete(
            seat, member, {"outcome": outcome, "recognised_outcomes": [], "reasons": "x"}
        )
    case.refresh_from_db()
    assert case.outcome == "full"
    assert case.data["credential_due"] is True


def test_it_tells_each_decision_maker_once_that_the_panel_waits(
    db,
    candidate,
    assessor,
    assessor2,
    identity_officer,
    decision_maker,
    django_capture_on_commit_callbacks,
):
    staff = [assessor, assessor2, identity_officer, decision_maker]
    spec = assessed_catalogue(staff)["agile-project-management"]
    case = case_services.start_case(candidate=candidate, specification=spec)
    take_and_complete(open_tasks(case)[0], identity_officer, {"verified": True})
    scores = {"scores": {str(o.pk): 4 for o in spec.outcomes.all()}}
    first, second = open_tasks(case)
    take_and_complete(first, assessor, scores)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        take_and_complete(second, assessor2, scores)
    assert len(open_tasks(case)) == 3
    told = [m for m in mail.outbox if m.to == [decision_maker.email]]
    assert len(told) == 1 and "A task waits for you: Decision" in told[0].subject
